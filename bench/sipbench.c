// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of the ALG's per-message work: sip_parse + sdp_parse (when
 * the message has SDP) + sip_plan, as the kernel would do it for a NATed
 * flow. The translation maps the first Via's address and the SDP c=
 * address to 203.0.113.1 with new media ports.
 *
 *   sipbench [-n iterations] file...   native ns/message per file
 *   sipbench -c iterations file        run bench_one() exactly that many
 *                                      times (for callgrind)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sip_parse.h"
#include "sdp_parse.h"
#include "sip_plan.h"

static struct sip_msg m;
static struct sdp_msg s;
static struct sip_edits ed;
static struct sip_xlate x;
static char buf[65536];
static volatile u32 sink;

/* the measured unit: one message, as the NAT hook sees it */
__attribute__((noinline)) int bench_one(const char *b, u32 len);
__attribute__((noinline)) int bench_one(const char *b, u32 len)
{
	const struct sdp_msg *sp = NULL;
	int err;

	err = sip_parse(b, len, &m);
	if (err)
		return err;
	if (m.flags & SIP_F_SDP) {
		err = sdp_parse(b, len, m.sdp.off, m.sdp.len, &s);
		if (err)
			return err;
		sp = &s;
	}
	x.sig_old = m.via[0].sent_by.addr;
	x.sig_old_port = m.via[0].sent_by.port_num;
	if (sp)
		x.sdp_old = s.conn.ip;
	err = sip_plan(b, len, &m, sp, &x, &ed);
	sink += ed.n;
	return err;
}

static u32 load(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return (u32)n;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long iters = 200000, i;
	int a = 1, callgrind = 0, err, k;
	u32 len;
	double t0, best;

	x.what = SIP_XF_ALL;
	x.sig_new.family = SIP_AF_INET;
	x.sig_new.u.b[0] = 203;
	x.sig_new.u.b[2] = 113;
	x.sig_new.u.b[3] = 1;
	x.sig_new_port = 5010;
	x.sdp_new = x.sig_new;
	for (k = 0; k < SDP_MAX_MEDIA; k++) {
		x.rtp_port[k] = (u16)(40000 + 2 * k);
		x.rtcp_port[k] = (u16)(40001 + 2 * k);
	}
	if (argc > 2 && (!strcmp(argv[1], "-n") || !strcmp(argv[1], "-c"))) {
		callgrind = argv[1][1] == 'c';
		iters = atol(argv[2]);
		a = 3;
	}
	for (; a < argc; a++) {
		len = load(argv[a]);
		err = bench_one(buf, len);
		if (err) {
			fprintf(stderr, "%s: %s\n", argv[a], sip_strerror(err));
			return 1;
		}
		if (callgrind) {
			for (i = 1; i < iters; i++)
				bench_one(buf, len);
			continue;
		}
		/* best of 5 runs */
		best = 1e30;
		for (k = 0; k < 5; k++) {
			t0 = now_ns();
			for (i = 0; i < iters; i++)
				bench_one(buf, len);
			t0 = (now_ns() - t0) / iters;
			if (t0 < best)
				best = t0;
		}
		printf("%s %u %.1f %u %u\n", argv[a], len, best, ed.n,
		       m.n_via);
	}
	return 0;
}
