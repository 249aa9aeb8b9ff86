// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic generator of the in-VM benchmark (bench/vm/run.sh).
 *
 *   sipsend invite --src A[:RTPBASE] [--src ...] --dst B [--dport 5060]
 *                  --sport P [--ports N] [--calls-per-port K] [--count N]
 *                  [--duration S] [--rtp-base P] [--media-ports M]
 *                  [--seq I] [--rate PPS] [--batch B] [--cpu C]
 *	INVITEs with SDP through a raw socket (so that every packet may
 *	come from another source port): call i of a source address comes
 *	from source port P + (i / K) % N, has its own Call-ID and media port
 *	RTPBASE + 2 (i % M).  --ports 1: one trunk flow; --ports N (K = 1):
 *	every packet a new flow.  --count: INVITEs per source address.
 *
 *   sipsend rtp --target A:PORT:BINDPORT [--target ...] [--count N]
 *               [--duration S] [--size 172] [--batch B] [--cpu C]
 *	RTP (12-byte header + payload) on one connected UDP socket per
 *	target.
 *
 *	With several sources (invite) or targets (rtp) the batches of each
 *	(--batch datagrams, default 64: one sendmmsg) take turns, and each is timed: on veth
 *	the whole path through the router runs inside the sender's system
 *	call (softirq on the way out), so the time of a batch is the cost of
 *	forwarding it.  Load on the host that runs the VM hits the three
 *	streams alike; a "ns/pkt" median per stream shrugs off the batches
 *	during which the VM was not scheduled at all (pps = 1e9 / median;
 *	pps_p25 from the quickest quarter of batches, pps_mean from all).
 *
 *   sipsend probe --map FILE --n N --k K --bind-port P [--packets 3]
 *	A few RTP packets to the advertised media address of K calls out of
 *	N (the sample of common.h), as listed by "siprecv answer --map".
 *
 * Every mode prints one "key=value ..." line on stdout.
 */
#include "common.h"

#include <getopt.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/uio.h>

static struct {
	struct in_addr dst;
	unsigned int dport, sport, ports, cpp;
	unsigned long count;
	double duration;
	unsigned int rtp_base, seq, rate, size, packets, n, k;
	int cpu;
	const char *map;
	unsigned int media_ports, batch;
} o = {
	.batch = BATCH,
	.dport = 5060, .ports = 1, .cpp = 1, .rtp_base = 10000, .size = 172,
	.packets = 3, .cpu = -1, .media_ports = MEDIA_PORTS,
};

#define MAX_STREAMS	4
#define MAX_SAMPLES	(1 << 18)

/* One source address (invite) or target (rtp), with its batch timings. */
struct stream {
	char name[64];
	struct in_addr addr;
	unsigned int port, bind_port, rtp_base;
	int fd;
	unsigned long sent, errs, nsamples;
	uint64_t ns;		/* in sendmmsg */
	float *ns_pkt;		/* per batch */
};

static struct stream streams[MAX_STREAMS];
static unsigned int nstreams;

static struct stream *add_stream(const char *spec)
{
	struct stream *st;
	char buf[64], *p, *q;

	if (nstreams == MAX_STREAMS) {
		errno = 0;
		die("at most %d sources/targets", MAX_STREAMS);
	}
	st = &streams[nstreams++];
	snprintf(buf, sizeof(buf), "%s", spec);
	snprintf(st->name, sizeof(st->name), "%s", spec);
	p = strchr(buf, ':');
	if (p)
		*p++ = 0;
	st->addr = parse_ip(buf);
	if (p) {
		q = strchr(p, ':');
		if (q)
			*q++ = 0;
		st->port = strtoul(p, NULL, 0);
		if (q)
			st->bind_port = strtoul(q, NULL, 0);
	}
	st->ns_pkt = calloc(MAX_SAMPLES, sizeof(float));
	if (!st->ns_pkt)
		die("calloc");
	return st;
}

/* Time one sendmmsg of @n datagrams for @st. */
static int timed_send(struct stream *st, int fd, struct mmsghdr *mm,
		      unsigned int n)
{
	uint64_t t = now_ns();
	int r = sendmmsg(fd, mm, n, 0);

	t = now_ns() - t;
	if (r > 0) {
		st->sent += r;
		st->ns += t;
		if (st->nsamples < MAX_SAMPLES)
			st->ns_pkt[st->nsamples++] = (float)t / r;
	} else {
		st->errs++;
	}
	return r;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

static void report_streams(const char *what, uint64_t t0)
{
	double secs = (now_ns() - t0) / 1e9, med, mean, p25;
	struct stream *st;
	unsigned int i;

	for (i = 0; i < nstreams; i++) {
		st = &streams[i];
		med = mean = p25 = 0;
		if (st->nsamples) {
			qsort(st->ns_pkt, st->nsamples, sizeof(float),
			      cmp_float);
			med = st->ns_pkt[st->nsamples / 2];
			p25 = st->ns_pkt[st->nsamples / 4];
		}
		if (st->sent)
			mean = (double)st->ns / st->sent;
		printf("%s stream=%s sent=%lu errors=%lu batches=%lu secs=%.3f ns_med=%.0f ns_mean=%.0f pps=%.0f pps_mean=%.0f pps_p25=%.0f\n",
		       what, st->name, st->sent, st->errs, st->nsamples, secs,
		       med, mean, med > 0 ? 1e9 / med : 0,
		       mean > 0 ? 1e9 / mean : 0, p25 > 0 ? 1e9 / p25 : 0);
	}
}

/* ----------------------------------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One INVITE with SDP for call @i; returns the SIP message length. */
static int build_invite(char *buf, size_t size, const struct stream *st,
			unsigned int i, unsigned int sport)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN], body[512];
	unsigned int tag = i * 2654435761u ^ 0x5a5a1234;
	int blen, len;

	inet_ntop(AF_INET, &st->addr, src, sizeof(src));
	inet_ntop(AF_INET, &o.dst, dst, sizeof(dst));
	blen = snprintf(body, sizeof(body),
		"v=0\r\n"
		"o=bench %u %u IN IP4 %s\r\n"
		"s=call\r\n"
		"c=IN IP4 %s\r\n"
		"t=0 0\r\n"
		"m=audio %u RTP/AVP 8 0 101\r\n"
		"a=rtpmap:8 PCMA/8000\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=fmtp:101 0-15\r\n"
		"a=ptime:20\r\n"
		"a=sendrecv\r\n",
		100000 + i, 200000 + i, src, src,
		st->rtp_base + 2 * (i % o.media_ports));
	len = snprintf(buf, size,
		"INVITE sip:+4930%07u@%s SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK-%07u-%08x;rport\r\n"
		"From: \"bench\" <sip:+4989100@%s>;tag=f%07u\r\n"
		"To: <sip:+4930%07u@%s>\r\n"
		"Call-ID: " CALLID_FMT "\r\n"
		"CSeq: 1 INVITE\r\n"
		"Contact: <sip:+4989100@%s:%u>\r\n"
		"Max-Forwards: 70\r\n"
		"Supported: replaces, timer, 100rel\r\n"
		"User-Agent: sipalg-bench\r\n"
		"Allow: INVITE, ACK, OPTIONS, BYE, CANCEL, REFER, NOTIFY, INFO, PRACK, UPDATE, MESSAGE\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: %d\r\n"
		"\r\n%s",
		i, dst, src, sport, i, tag, dst, i, i, dst, i, tag, src,
		src, sport, blen, body);
	if (len < 0 || (size_t)len >= size) {
		errno = 0;
		die("INVITE too long");
	}
	return len;
}

/* A raw IPv4/UDP datagram carrying an INVITE; returns its length. */
static int build_raw(uint8_t *pkt, const struct stream *st, unsigned int i)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *uh = (struct udphdr *)(ip + 1);
	char *payload = (char *)(uh + 1);
	unsigned int sport = o.sport + (i / o.cpp) % o.ports;
	int plen = build_invite(payload, MAXPKT - sizeof(*ip) - sizeof(*uh),
				st, i, sport);
	uint16_t ulen = sizeof(*uh) + plen;
	uint32_t sum;

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(sizeof(*ip) + ulen);	/* kernel fills id, check */
	ip->saddr = st->addr.s_addr;
	ip->daddr = o.dst.s_addr;
	uh->source = htons(sport);
	uh->dest = htons(o.dport);
	uh->len = htons(ulen);
	uh->check = 0;

	sum = csum_add(0, &ip->saddr, 8);
	sum += IPPROTO_UDP + ulen;
	sum = csum_add(sum, uh, ulen);
	uh->check = htons(csum_fold(sum)) ?: 0xffff;
	return sizeof(*ip) + ulen;
}

static void pace(uint64_t t0, unsigned long sent)
{
	uint64_t due;
	struct timespec ts;

	if (!o.rate)
		return;
	due = t0 + (uint64_t)sent * 1000000000ull / o.rate;
	while (now_ns() < due) {
		ts.tv_sec = 0;
		ts.tv_nsec = 200000;
		nanosleep(&ts, NULL);
	}
}

static bool done(uint64_t t0, unsigned long sent)
{
	if (o.count && sent >= o.count)
		return true;
	return o.duration > 0 && now_ns() - t0 >= o.duration * 1e9;
}

/* The fewest datagrams any stream has sent. */
static unsigned long min_sent(void)
{
	unsigned long m = ~0ul;
	unsigned int i;

	for (i = 0; i < nstreams; i++)
		if (streams[i].sent < m)
			m = streams[i].sent;
	return m;
}

static int cmd_invite(void)
{
	static uint8_t pkts[BATCH][MAXPKT];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct stream *st;
	unsigned int i, n, s;
	uint64_t t0;
	int fd;

	if (!nstreams || !o.dst.s_addr || !o.sport || !o.ports || !o.cpp ||
	    !o.media_ports) {
		errno = 0;
		die("invite needs --src, --dst, --sport");
	}
	if (!o.count && !o.duration) {
		errno = 0;
		die("invite needs --count or --duration");
	}
	for (s = 0; s < nstreams; s++)
		streams[s].rtp_base = streams[s].port ?: o.rtp_base;
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		die("raw socket");
	big_sndbuf(fd, 4 << 20);
	sin.sin_addr = o.dst;
	memset(mm, 0, sizeof(mm));

	t0 = now_ns();
	while (!done(t0, min_sent())) {
		for (s = 0; s < nstreams; s++) {
			st = &streams[s];
			n = o.batch;
			if (o.count && o.count - st->sent < n)
				n = o.count - st->sent;
			if (o.rate && n > 8)
				n = 8;
			if (!n)
				continue;
			pace(t0, st->sent);
			for (i = 0; i < n; i++) {
				iov[i].iov_base = pkts[i];
				iov[i].iov_len = build_raw(pkts[i], st,
							   o.seq + st->sent + i);
				mm[i].msg_hdr.msg_iov = &iov[i];
				mm[i].msg_hdr.msg_iovlen = 1;
				mm[i].msg_hdr.msg_name = &sin;
				mm[i].msg_hdr.msg_namelen = sizeof(sin);
			}
			if (timed_send(st, fd, mm, n) <= 0 && errno != ENOBUFS &&
			    errno != EAGAIN && errno != EPERM)
				die("sendmmsg");
		}
	}
	report_streams("invite", t0);
	return 0;
}

static int udp_socket(unsigned int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_port = htons(port);
	if (port && bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("bind port %u", port);
	big_sndbuf(fd, 4 << 20);
	return fd;
}

static void rtp_header(uint8_t *p, uint16_t seq, uint32_t ts)
{
	p[0] = 0x80;
	p[1] = 8;	/* PCMA */
	p[2] = seq >> 8;
	p[3] = seq;
	p[4] = ts >> 24;
	p[5] = ts >> 16;
	p[6] = ts >> 8;
	p[7] = ts;
	memcpy(p + 8, "\x5e\x1f\xbe\x01", 4);	/* SSRC */
}

static int cmd_rtp(void)
{
	static uint8_t pkts[BATCH][MAXPKT];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct stream *st;
	unsigned int i, n, s;
	uint64_t t0;

	if (!nstreams || o.size < 12 || o.size > MAXPKT) {
		errno = 0;
		die("rtp needs --target and 12 <= --size <= %d", MAXPKT);
	}
	if (!o.count && !o.duration) {
		errno = 0;
		die("rtp needs --count or --duration");
	}
	for (s = 0; s < nstreams; s++) {
		st = &streams[s];
		st->fd = udp_socket(st->bind_port);
		sin.sin_addr = st->addr;
		sin.sin_port = htons(st->port);
		if (connect(st->fd, (struct sockaddr *)&sin, sizeof(sin)))
			die("connect %s", st->name);
	}
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < BATCH; i++) {
		memset(pkts[i], 0xd5, o.size);	/* A-law silence */
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = o.size;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}

	t0 = now_ns();
	while (!done(t0, min_sent())) {
		for (s = 0; s < nstreams; s++) {
			st = &streams[s];
			n = o.batch;
			if (o.count && o.count - st->sent < n)
				n = o.count - st->sent;
			if (!n)
				continue;
			pace(t0, st->sent);
			for (i = 0; i < n; i++)
				rtp_header(pkts[i], st->sent + i,
					   (st->sent + i) * 160);
			/* ICMP errors of earlier packets surface as errors */
			if (timed_send(st, st->fd, mm, n) <= 0 &&
			    errno != ECONNREFUSED && errno != ENOBUFS &&
			    errno != EAGAIN && errno != EPERM)
				die("sendmmsg");
		}
	}
	report_streams("rtp", t0);
	return 0;
}

static int cmd_probe(void)
{
	struct sockaddr_in *dst;
	char addr[64];
	unsigned int i, j, p, port, probed = 0, missing = 0;
	uint8_t pkt[172];
	FILE *f;
	int fd;

	if (!o.map || !o.n || !o.k) {
		errno = 0;
		die("probe needs --map, --n, --k");
	}
	dst = calloc(o.n, sizeof(*dst));
	if (!dst)
		die("calloc");
	f = fopen(o.map, "r");
	if (!f)
		die("%s", o.map);
	while (fscanf(f, "%u %63s %u", &i, addr, &port) == 3) {
		if (i >= o.n)
			continue;
		dst[i].sin_family = AF_INET;
		dst[i].sin_port = htons(port);
		if (inet_pton(AF_INET, addr, &dst[i].sin_addr) != 1)
			dst[i].sin_family = 0;
	}
	fclose(f);

	fd = udp_socket(o.sport);
	memset(pkt, 0xd5, sizeof(pkt));
	for (p = 0; p < o.packets; p++) {
		for (j = 0; j < o.k; j++) {
			i = sample_index(o.n, o.k, j);
			if (!dst[i].sin_family) {
				missing += p == 0;
				continue;
			}
			rtp_header(pkt, p, p * 160);
			if (sendto(fd, pkt, sizeof(pkt), 0,
				   (struct sockaddr *)&dst[i], sizeof(dst[i])) > 0)
				probed += p == 0;
		}
		usleep(20000);
	}
	printf("probe probed=%u missing_map=%u k=%u\n", probed, missing, o.k);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "src", 1, 0, 's' }, { "target", 1, 0, 'T' },
		{ "dst", 1, 0, 'd' }, { "media-ports", 1, 0, 'M' },
		{ "dport", 1, 0, 'D' }, { "sport", 1, 0, 'S' },
		{ "bind-port", 1, 0, 'S' }, { "ports", 1, 0, 'P' },
		{ "calls-per-port", 1, 0, 'K' }, { "count", 1, 0, 'n' },
		{ "duration", 1, 0, 't' }, { "rtp-base", 1, 0, 'r' },
		{ "seq", 1, 0, 'q' }, { "rate", 1, 0, 'R' },
		{ "cpu", 1, 0, 'c' }, { "size", 1, 0, 'z' },
		{ "map", 1, 0, 'm' }, { "n", 1, 0, 'N' }, { "k", 1, 0, 'k' },
		{ "packets", 1, 0, 'p' }, { "batch", 1, 0, 'b' }, { 0 }
	};
	const char *cmd;
	int c;

	if (argc < 2) {
		fprintf(stderr, "usage: sipsend invite|rtp|probe [options]\n");
		return 2;
	}
	cmd = argv[1];
	argv++;
	argc--;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
		case 'T': add_stream(optarg); break;
		case 'M': o.media_ports = strtoul(optarg, NULL, 0); break;
		case 'd': o.dst = parse_ip(optarg); break;
		case 'D': o.dport = strtoul(optarg, NULL, 0); break;
		case 'S': o.sport = strtoul(optarg, NULL, 0); break;
		case 'P': o.ports = strtoul(optarg, NULL, 0); break;
		case 'K': o.cpp = strtoul(optarg, NULL, 0); break;
		case 'n': o.count = strtoul(optarg, NULL, 0); break;
		case 't': o.duration = strtod(optarg, NULL); break;
		case 'r': o.rtp_base = strtoul(optarg, NULL, 0); break;
		case 'q': o.seq = strtoul(optarg, NULL, 0); break;
		case 'R': o.rate = strtoul(optarg, NULL, 0); break;
		case 'c': o.cpu = atoi(optarg); break;
		case 'z': o.size = strtoul(optarg, NULL, 0); break;
		case 'm': o.map = optarg; break;
		case 'N': o.n = strtoul(optarg, NULL, 0); break;
		case 'k': o.k = strtoul(optarg, NULL, 0); break;
		case 'p': o.packets = strtoul(optarg, NULL, 0); break;
		case 'b':
			o.batch = strtoul(optarg, NULL, 0);
			if (!o.batch || o.batch > BATCH)
				o.batch = BATCH;
			break;
		default: return 2;
		}
	}
	pin_cpu(o.cpu);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "invite"))
		return cmd_invite();
	if (!strcmp(cmd, "rtp"))
		return cmd_rtp();
	if (!strcmp(cmd, "probe"))
		return cmd_probe();
	fprintf(stderr, "sipsend: unknown command %s\n", cmd);
	return 2;
}
