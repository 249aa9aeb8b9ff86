/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared bits of the in-VM benchmark tools (sipsend, siprecv).
 */
#ifndef _SIPVM_COMMON_H
#define _SIPVM_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define BATCH		64	/* datagrams per sendmmsg/recvmmsg */
#define MAXPKT		2048

/* Call i of a run: its Call-ID and its media port (the generator's). */
#define CALLID_FMT	"c%07u-%08x@%s"
#define MEDIA_PORTS	27000	/* distinct even ports from rtp_base */

static inline void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errno)
		fprintf(stderr, ": %s", strerror(errno));
	fputc('\n', stderr);
	exit(1);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline void pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");
}

static inline struct in_addr parse_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		errno = 0;
		die("not an IPv4 address: %s", s);
	}
	return a;
}

static inline unsigned int media_port(unsigned int base, unsigned int i)
{
	return base + 2 * (i % MEDIA_PORTS);
}

/*
 * The calls of an N-call run sampled for a pinhole check: K indexes spread
 * evenly (the first and the last included).
 */
static inline unsigned int sample_index(unsigned int n, unsigned int k,
					unsigned int j)
{
	if (k <= 1 || n <= 1)
		return 0;
	return (unsigned int)((unsigned long long)j * (n - 1) / (k - 1));
}

static inline void big_rcvbuf(int fd, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

static inline void big_sndbuf(int fd, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}

#endif /* _SIPVM_COMMON_H */
