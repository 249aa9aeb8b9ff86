// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving side of the in-VM benchmark (bench/vm/run.sh).
 *
 *   siprecv count --port P [--port P2 ...] [--expect-c ADDR]
 *                 [--sample-every N] [--idle-ms MS] [--max-wait S]
 *                 [--max-secs S] [--ready FILE] [--cpu C]
 *	Counts datagrams with recvmmsg per port from the first one until
 *	none came for --idle-ms.  With --expect-c every Nth datagram is
 *	checked: is its SDP c= line ADDR (was it rewritten)?  The checks
 *	are counted per Call-ID host (the generator's source address).
 *	The "gap" lines give the forwarding cost per stream (a Call-ID host
 *	for SIP, a port otherwise) from the kernel's arrival timestamps: the
 *	time since the previous datagram of any stream (see report_gaps()).
 *
 *   siprecv answer --port P --n N --addr A [--media-base P] [--map FILE]
 *                  [--expect-c ADDR] [--idle-ms MS] [--max-wait S]
 *                  [--ready FILE] [--cpu C]
 *	Answers every INVITE of calls 0..N-1 (sipsend's Call-IDs) with a
 *	200 OK carrying an SDP (media on A, port media-base + 2i) until all
 *	N were answered; --map writes "i c-address m-port" per call as the
 *	INVITE arrived (the advertised, possibly rewritten, media address).
 *
 *   siprecv sink --base P --n N --k K [--max-secs S] [--ready FILE]
 *	Binds the media ports of the K sampled calls out of N and waits
 *	until each received a packet; prints how many did.
 *
 * Every mode prints one "key=value ..." line on stdout.
 */
#include "common.h"

#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sys/uio.h>

static struct {
	unsigned int port, sample_every, idle_ms, n, k, media_base;
	double max_wait, max_secs;
	const char *ready, *map;
	struct in_addr addr, expect_c;
	int cpu;
} o = {
	.sample_every = 32, .idle_ms = 800, .max_wait = 20, .max_secs = 600,
	.media_base = 40000, .cpu = -1,
};

static char bufs[BATCH][MAXPKT + 1];
static char cbufs[BATCH][CMSG_SPACE(sizeof(struct timespec))];
static struct mmsghdr mm[BATCH];
static struct iovec iov[BATCH];
static struct sockaddr_in from[BATCH];

static void set_ready(void)
{
	int fd;

	if (!o.ready)
		return;
	fd = open(o.ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("%s", o.ready);
	close(fd);
}

static int bound_socket(unsigned int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("bind port %u", port);
	big_rcvbuf(fd, 32 << 20);
	return fd;
}

static void mm_init(void)
{
	unsigned int i;

	memset(mm, 0, sizeof(mm));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = MAXPKT;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &from[i];
		mm[i].msg_hdr.msg_namelen = sizeof(from[i]);
		mm[i].msg_hdr.msg_control = cbufs[i];
		mm[i].msg_hdr.msg_controllen = sizeof(cbufs[i]);
	}
}

/* The kernel's receive timestamp of datagram @i of the last recvmmsg. */
static uint64_t rx_stamp(unsigned int i)
{
	struct cmsghdr *cm;
	struct timespec ts;

	for (cm = CMSG_FIRSTHDR(&mm[i].msg_hdr); cm;
	     cm = CMSG_NXTHDR(&mm[i].msg_hdr, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
		}
	}
	return 0;
}

/* Wait for data; false when the first/idle timeout ran out. */
static bool wait_data(int fd, bool started, uint64_t t_first)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ms = started ? (int)o.idle_ms : (int)(o.max_wait * 1000);

	if (started && now_ns() - t_first > o.max_secs * 1e9)
		return false;
	return poll(&pfd, 1, ms) > 0;
}

/* The address after "\r\nc=IN IP4 " (the first one) into @out. */
static bool sdp_c(const char *msg, struct in_addr *out)
{
	const char *p = strstr(msg, "\r\nc=IN IP4 ");
	char a[INET_ADDRSTRLEN];
	size_t n;

	if (!p)
		return false;
	p += 11;
	n = strcspn(p, "\r\n /");
	if (n >= sizeof(a))
		return false;
	memcpy(a, p, n);
	a[n] = 0;
	return inet_pton(AF_INET, a, out) == 1;
}

static bool rewritten(const char *msg)
{
	struct in_addr c;

	return sdp_c(msg, &c) && c.s_addr == o.expect_c.s_addr;
}

#define MAX_PORTS	4
#define MAX_STAMPS	(1 << 21)

static unsigned int ports[MAX_PORTS], nports;

/* Per stream: a Call-ID host (the generator's source address) for SIP,
 * a port for RTP. */
static struct {
	char host[INET_ADDRSTRLEN];
	unsigned long sampled, good;
} hosts[MAX_PORTS];

/* Arrival of every datagram: kernel timestamp and stream. */
struct stamp {
	uint64_t ns;
	uint8_t stream;
};

static struct stamp *stamps;
static unsigned long nstamps;

static int callid_host(const char *msg)
{
	const char *p = strstr(msg, "\r\nCall-ID: ");
	char h[INET_ADDRSTRLEN] = "?";
	unsigned int i;
	size_t n;

	if (p && (p = strchr(p + 11, '@'))) {
		n = strcspn(++p, "\r\n");
		if (n < sizeof(h)) {
			memcpy(h, p, n);
			h[n] = 0;
		}
	}
	for (i = 0; i < MAX_PORTS; i++) {
		if (!hosts[i].host[0])
			strcpy(hosts[i].host, h);
		if (!strcmp(hosts[i].host, h))
			return i;
	}
	return -1;
}

static int cmp_stamp(const void *a, const void *b)
{
	const struct stamp *x = a, *y = b;

	return x->ns < y->ns ? -1 : x->ns > y->ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every datagram of every stream went through the router on one CPU (the
 * sender's), so the time between its arrival and the previous arrival is
 * what forwarding it cost.  Per stream: median, quickest quarter, mean.
 */
static void report_gaps(void)
{
	static uint64_t *gaps[MAX_PORTS];
	unsigned long n[MAX_PORTS] = { 0 }, i;
	uint64_t sum[MAX_PORTS] = { 0 }, g, med, p25;
	unsigned int s;
	char key[64];

	qsort(stamps, nstamps, sizeof(*stamps), cmp_stamp);
	for (s = 0; s < MAX_PORTS; s++) {
		gaps[s] = calloc(nstamps + 1, sizeof(uint64_t));
		if (!gaps[s])
			die("calloc");
	}
	for (i = 1; i < nstamps; i++) {
		if (!stamps[i].ns || !stamps[i - 1].ns)
			continue;
		s = stamps[i].stream;
		g = stamps[i].ns - stamps[i - 1].ns;
		gaps[s][n[s]++] = g;
		sum[s] += g;
	}
	for (s = 0; s < MAX_PORTS; s++) {
		if (!n[s])
			continue;
		qsort(gaps[s], n[s], sizeof(uint64_t), cmp_u64);
		med = gaps[s][n[s] / 2];
		p25 = gaps[s][n[s] / 4];
		if (o.expect_c.s_addr)
			snprintf(key, sizeof(key), "src=%s", hosts[s].host);
		else
			snprintf(key, sizeof(key), "port=%u", ports[s]);
		printf("gap %s n=%lu ns_med=%lu ns_mean=%.0f pps=%.0f pps_p25=%.0f pps_mean=%.0f\n",
		       key, n[s], (unsigned long)med, (double)sum[s] / n[s],
		       med ? 1e9 / med : 0, p25 ? 1e9 / p25 : 0,
		       sum[s] ? 1e9 * n[s] / sum[s] : 0);
		free(gaps[s]);
	}
}

static int cmd_count(void)
{
	unsigned long pkts[MAX_PORTS] = { 0 }, total = 0;
	uint64_t t_first[MAX_PORTS] = { 0 }, t_last[MAX_PORTS] = { 0 };
	struct pollfd pfd[MAX_PORTS];
	unsigned int j;
	uint64_t t0 = 0;
	int r, i, ms, one = 1, h;
	double secs;

	if (!nports) {
		errno = 0;
		die("count needs --port");
	}
	stamps = calloc(MAX_STAMPS, sizeof(*stamps));
	if (!stamps)
		die("calloc");
	for (j = 0; j < nports; j++) {
		pfd[j].fd = bound_socket(ports[j]);
		pfd[j].events = POLLIN;
		if (setsockopt(pfd[j].fd, SOL_SOCKET, SO_TIMESTAMPNS, &one,
			       sizeof(one)))
			die("SO_TIMESTAMPNS");
	}
	mm_init();
	set_ready();
	for (;;) {
		if (total && now_ns() - t0 > o.max_secs * 1e9)
			break;
		ms = total ? (int)o.idle_ms : (int)(o.max_wait * 1000);
		if (poll(pfd, nports, ms) <= 0)
			break;
		for (j = 0; j < nports; j++) {
			if (!(pfd[j].revents & POLLIN))
				continue;
			mm_init();
			r = recvmmsg(pfd[j].fd, mm, BATCH, MSG_DONTWAIT, NULL);
			if (r <= 0)
				continue;
			t_last[j] = now_ns();
			if (!pkts[j])
				t_first[j] = t_last[j];
			if (!total)
				t0 = t_last[j];
			for (i = 0; i < r; i++) {
				h = j;
				if (o.expect_c.s_addr) {
					bufs[i][mm[i].msg_len] = 0;
					h = callid_host(bufs[i]);
					if (h >= 0 && pkts[j] % o.sample_every == 0) {
						hosts[h].sampled++;
						hosts[h].good += rewritten(bufs[i]);
					}
				}
				if (h >= 0 && nstamps < MAX_STAMPS) {
					stamps[nstamps].ns = rx_stamp(i);
					stamps[nstamps++].stream = h;
				}
				pkts[j]++;
				total++;
			}
		}
	}
	for (j = 0; j < nports; j++) {
		secs = (t_last[j] - t_first[j]) / 1e9;
		printf("count port=%u pkts=%lu secs=%.3f pps=%.0f\n", ports[j],
		       pkts[j], secs, secs > 0 ? (pkts[j] - 1) / secs : 0);
	}
	for (j = 0; j < MAX_PORTS && hosts[j].host[0]; j++)
		printf("check src=%s sampled=%lu rewritten=%lu\n",
		       hosts[j].host, hosts[j].sampled, hosts[j].good);
	report_gaps();
	return 0;
}

/* The header line starting with @name (e.g. "\r\nVia:"), CRLF excluded. */
static const char *header(const char *msg, const char *name, int *len)
{
	const char *p = strstr(msg, name), *e;

	if (!p)
		return NULL;
	p += 2;
	e = strstr(p, "\r\n");
	if (!e)
		return NULL;
	*len = e - p;
	return p;
}

static int build_ok(char *out, size_t size, const char *inv, unsigned int i)
{
	const char *via, *from_h, *to, *cid, *cseq;
	int lvia = 0, lfrom = 0, lto = 0, lcid = 0, lcseq = 0, blen, len;
	char a[INET_ADDRSTRLEN], body[400];

	via = header(inv, "\r\nVia:", &lvia);
	from_h = header(inv, "\r\nFrom:", &lfrom);
	to = header(inv, "\r\nTo:", &lto);
	cid = header(inv, "\r\nCall-ID:", &lcid);
	cseq = header(inv, "\r\nCSeq:", &lcseq);
	if (!via || !from_h || !to || !cid || !cseq)
		return -1;
	inet_ntop(AF_INET, &o.addr, a, sizeof(a));
	blen = snprintf(body, sizeof(body),
		"v=0\r\n"
		"o=srv %u %u IN IP4 %s\r\n"
		"s=call\r\n"
		"c=IN IP4 %s\r\n"
		"t=0 0\r\n"
		"m=audio %u RTP/AVP 8 101\r\n"
		"a=rtpmap:8 PCMA/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=sendrecv\r\n",
		300000 + i, 400000 + i, a, a, media_port(o.media_base, i));
	len = snprintf(out, size,
		"SIP/2.0 200 OK\r\n"
		"%.*s\r\n%.*s\r\n%.*s;tag=a%07u\r\n%.*s\r\n%.*s\r\n"
		"Contact: <sip:srv@%s:%u>\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: %d\r\n"
		"\r\n%s",
		lvia, via, lfrom, from_h, lto, to, i, lcid, cid, lcseq, cseq,
		a, o.port, blen, body);
	return len > 0 && (size_t)len < size ? len : -1;
}

static int cmd_answer(void)
{
	static char out[BATCH][MAXPKT];
	struct mmsghdr om[BATCH];
	struct iovec oiov[BATCH];
	unsigned long invites = 0, answered = 0, dup = 0, bad = 0, good = 0;
	uint64_t t_first = 0, t_last = 0;
	struct in_addr *madr;
	uint16_t *mport;
	uint8_t *seen;
	int fd, r, i, no, len;
	const char *p;
	unsigned int idx, port;
	struct in_addr c;
	FILE *f;

	if (!o.n || !o.addr.s_addr) {
		errno = 0;
		die("answer needs --n and --addr");
	}
	seen = calloc(o.n, 1);
	madr = calloc(o.n, sizeof(*madr));
	mport = calloc(o.n, sizeof(*mport));
	if (!seen || !madr || !mport)
		die("calloc");
	fd = bound_socket(o.port);
	big_sndbuf(fd, 8 << 20);
	mm_init();
	memset(om, 0, sizeof(om));
	set_ready();
	while (answered < o.n && wait_data(fd, invites > 0, t_first)) {
		r = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
		if (r <= 0)
			continue;
		if (!invites)
			t_first = now_ns();
		no = 0;
		for (i = 0; i < r; i++) {
			bufs[i][mm[i].msg_len] = 0;
			if (strncmp(bufs[i], "INVITE ", 7))
				continue;
			invites++;
			p = strstr(bufs[i], "\r\nCall-ID: c");
			if (!p || sscanf(p + 12, "%u", &idx) != 1 || idx >= o.n) {
				bad++;
				continue;
			}
			if (seen[idx]) {
				dup++;
				continue;
			}
			len = build_ok(out[no], MAXPKT, bufs[i], idx);
			if (len < 0) {
				bad++;
				continue;
			}
			seen[idx] = 1;
			answered++;
			c.s_addr = 0;
			if (sdp_c(bufs[i], &c))
				madr[idx] = c;
			good += o.expect_c.s_addr && c.s_addr == o.expect_c.s_addr;
			p = strstr(bufs[i], "\r\nm=audio ");
			if (p && sscanf(p + 10, "%u", &port) == 1)
				mport[idx] = port;
			oiov[no].iov_base = out[no];
			oiov[no].iov_len = len;
			om[no].msg_hdr.msg_iov = &oiov[no];
			om[no].msg_hdr.msg_iovlen = 1;
			om[no].msg_hdr.msg_name = &from[i];
			om[no].msg_hdr.msg_namelen = sizeof(from[i]);
			no++;
		}
		for (i = 0; i < no; i += r) {
			r = sendmmsg(fd, om + i, no - i, 0);
			if (r <= 0)
				die("sendmmsg");
		}
		t_last = now_ns();
	}
	if (o.map) {
		f = fopen(o.map, "w");
		if (!f)
			die("%s", o.map);
		for (idx = 0; idx < o.n; idx++) {
			char a[INET_ADDRSTRLEN];

			if (!seen[idx])
				continue;
			inet_ntop(AF_INET, &madr[idx], a, sizeof(a));
			fprintf(f, "%u %s %u\n", idx, a, mport[idx]);
		}
		fclose(f);
	}
	printf("answer invites=%lu answered=%lu dup=%lu bad=%lu rewritten=%lu secs=%.3f\n",
	       invites, answered, dup, bad, good, (t_last - t_first) / 1e9);
	return answered == o.n ? 0 : 1;
}

static int cmd_sink(void)
{
	struct pollfd *pfd;
	unsigned int j, got = 0;
	uint8_t *hit;
	uint64_t t0;
	char b[MAXPKT];
	int ms;

	if (!o.n || !o.k || !o.port) {
		errno = 0;
		die("sink needs --base, --n, --k");
	}
	pfd = calloc(o.k, sizeof(*pfd));
	hit = calloc(o.k, 1);
	if (!pfd || !hit)
		die("calloc");
	for (j = 0; j < o.k; j++) {
		pfd[j].fd = bound_socket(media_port(o.port,
						    sample_index(o.n, o.k, j)));
		pfd[j].events = POLLIN;
	}
	set_ready();
	t0 = now_ns();
	while (got < o.k) {
		ms = (int)(o.max_secs * 1000 - (now_ns() - t0) / 1000000);
		if (ms <= 0 || poll(pfd, o.k, ms) <= 0)
			break;
		for (j = 0; j < o.k; j++) {
			if (!(pfd[j].revents & POLLIN))
				continue;
			while (recv(pfd[j].fd, b, sizeof(b), MSG_DONTWAIT) > 0)
				;
			if (!hit[j]) {
				hit[j] = 1;
				got++;
			}
		}
	}
	printf("sink got=%u k=%u", got, o.k);
	if (got < o.k) {
		printf(" missing=");
		for (j = 0; j < o.k; j++)
			if (!hit[j])
				printf("%u,", sample_index(o.n, o.k, j));
	}
	printf("\n");
	return got == o.k ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", 1, 0, 'p' }, { "base", 1, 0, 'p' },
		{ "expect-c", 1, 0, 'e' }, { "sample-every", 1, 0, 'E' },
		{ "idle-ms", 1, 0, 'i' }, { "max-wait", 1, 0, 'w' },
		{ "max-secs", 1, 0, 'm' }, { "ready", 1, 0, 'r' },
		{ "cpu", 1, 0, 'c' }, { "n", 1, 0, 'n' }, { "k", 1, 0, 'k' },
		{ "addr", 1, 0, 'a' }, { "media-base", 1, 0, 'b' },
		{ "map", 1, 0, 'M' }, { 0 }
	};
	const char *cmd;
	int c;

	if (argc < 2) {
		fprintf(stderr, "usage: siprecv count|answer|sink [options]\n");
		return 2;
	}
	cmd = argv[1];
	argv++;
	argc--;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.port = strtoul(optarg, NULL, 0);
			if (nports < MAX_PORTS)
				ports[nports++] = o.port;
			break;
		case 'e': o.expect_c = parse_ip(optarg); break;
		case 'E': o.sample_every = strtoul(optarg, NULL, 0) ?: 1; break;
		case 'i': o.idle_ms = strtoul(optarg, NULL, 0); break;
		case 'w': o.max_wait = strtod(optarg, NULL); break;
		case 'm': o.max_secs = strtod(optarg, NULL); break;
		case 'r': o.ready = optarg; break;
		case 'c': o.cpu = atoi(optarg); break;
		case 'n': o.n = strtoul(optarg, NULL, 0); break;
		case 'k': o.k = strtoul(optarg, NULL, 0); break;
		case 'a': o.addr = parse_ip(optarg); break;
		case 'b': o.media_base = strtoul(optarg, NULL, 0); break;
		case 'M': o.map = optarg; break;
		default: return 2;
		}
	}
	pin_cpu(o.cpu);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "count"))
		return cmd_count();
	if (!strcmp(cmd, "answer"))
		return cmd_answer();
	if (!strcmp(cmd, "sink"))
		return cmd_sink();
	fprintf(stderr, "siprecv: unknown command %s\n", cmd);
	return 2;
}
