// SPDX-License-Identifier: GPL-2.0
/*
 * sdp_parse(): fields, RFC 3605 a=rtcp, hold, multicast forms, directions,
 * effective addresses, bounds.
 */
#include "t.h"

static struct sdp_msg s;
static char buf[16384];

/* Parse an SDP literal ("\n" -> CRLF) placed after a 7-byte prefix so that
 * spans are really offsets into a bigger buffer. */
static int sdp(const char *text, u32 *n_out)
{
	u32 n;

	memcpy(buf, "XXXXXXX", 7);
	n = t_crlf(text, buf + 7, sizeof(buf) - 7);
	if (n_out)
		*n_out = n;
	return sdp_parse(buf, n + 7, 7, n, &s);
}

static bool fanvil_sdp(void)
{
	static struct sip_msg m;
	u32 n = (u32)t_load("corpus/seed/fanvil-x3-invite.sip", buf,
			    sizeof(buf));
	const struct sdp_media *md = &s.media[0];

	T_EQ(sip_parse(buf, n, &m), 0);
	T_EQ(sdp_parse(buf, n, m.sdp.off, m.sdp.len, &s), 0);
	T_EQ(s.body.off, m.body_off);
	T_OK(s.flags & SDP_F_ORIGIN);
	T_SPAN(buf, s.origin, "011 164445748 546426177 IN IP4 192.168.0.31");
	T_SPAN(buf, s.o_addr.addr, "192.168.0.31");
	T_EQ(s.o_addr.addrtype, SDP_ADDRTYPE_IP4);
	T_OK(sip_addr_eq(&s.o_addr.ip, &(struct sip_addr){
		.family = SIP_AF_INET, .u.b = { 192, 168, 0, 31 } }));
	T_SPAN(buf, s.conn.addr, "192.168.0.31");
	T_EQ(s.n_media, 1);
	T_SPAN(buf, md->type, "audio");
	T_EQ(md->media_type, SDP_MEDIA_AUDIO);
	T_SPAN(buf, md->port, "10006");
	T_EQ(md->port_num, 10006);
	T_EQ(md->port_count, 1);
	T_SPAN(buf, md->proto, "RTP/AVP");
	T_SPAN(buf, md->fmts, "8 0 101");
	T_EQ(md->dir, SDP_DIR_SENDRECV);
	T_EQ(md->eff_dir, SDP_DIR_SENDRECV);
	T_OK(sip_addr_eq(&md->addr, &s.conn.ip));
	T_EQ(md->flags, 0);
	return true;
}

static bool media_bound(void)
{
	char text[8192], *p = text;
	int i;

	p += sprintf(p, "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n");
	for (i = 0; i < SDP_MAX_MEDIA; i++)
		p += sprintf(p, "m=%s %d RTP/AVP 0\na=rtcp:%d\n",
			     i & 1 ? "video" : "audio", 20000 + 2 * i,
			     30001 + 2 * i);
	T_EQ(sdp(text, NULL), 0);
	T_EQ(s.n_media, SDP_MAX_MEDIA);
	T_EQ(s.media[15].port_num, 20030);
	T_EQ(s.media[15].rtcp_port_num, 30031);
	T_EQ(s.media[15].media_type, SDP_MEDIA_VIDEO);
	sprintf(p, "m=text 9 RTP/AVP 98\n");
	T_EQ(sdp(text, NULL), SDP_ERR_TOO_MANY);
	T_EQ(s.n_media, 0);	/* never half-handled */
	return true;
}

static bool rtcp_attr(void)
{
	T_EQ(sdp("v=0\nc=IN IP4 10.0.0.1\n"
		 "m=audio 4000 RTP/AVP 0\na=rtcp:4005\n"
		 "m=audio 4010 RTP/AVP 0\na=rtcp:4011 IN IP4 10.0.0.9\n"
		 "m=video 4020 RTP/AVP 31\na=rtcp:4021 IN IP6 2001:db8::9\na=rtcp-mux\n"
		 "m=video 4030 RTP/AVP 31\n", NULL), 0);
	T_EQ(s.media[0].flags, SDP_MF_RTCP);
	T_SPAN(buf, s.media[0].rtcp_port, "4005");
	T_EQ(s.media[1].flags, SDP_MF_RTCP | SDP_MF_RTCP_ADDR);
	T_SPAN(buf, s.media[1].rtcp_conn.addr, "10.0.0.9");
	T_EQ(s.media[1].rtcp_conn.ip.family, SIP_AF_INET);
	T_EQ(s.media[2].rtcp_conn.addrtype, SDP_ADDRTYPE_IP6);
	T_OK(s.media[2].flags & SDP_MF_RTCP_MUX);
	T_EQ(s.media[3].flags, 0);
	T_EQ(sdp("v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:0\n", NULL),
	     SDP_ERR_RTCP);
	T_EQ(sdp("v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:65536\n", NULL),
	     SDP_ERR_RTCP);
	T_EQ(sdp("v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:5 IN IP4\n", NULL),
	     SDP_ERR_RTCP);
	T_EQ(sdp("v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:5\na=rtcp:7\n", NULL),
	     SDP_ERR_RTCP);
	/* session-level a=rtcp is meaningless (RFC 3605: media level) */
	T_EQ(sdp("v=0\na=rtcp:9\nm=audio 4000 RTP/AVP 0\n", NULL), 0);
	T_EQ(s.media[0].flags & SDP_MF_RTCP, 0);
	return true;
}

static bool hold_addresses(void)
{
	T_EQ(sdp("v=0\nc=IN IP4 0.0.0.0\nm=audio 4000 RTP/AVP 0\n"
		 "m=audio 4002 RTP/AVP 0\nc=IN IP6 ::\n"
		 "m=audio 4004 RTP/AVP 0\nc=IN IP4 10.0.0.3\n", NULL), 0);
	T_OK(s.conn.flags & SDP_CF_HOLD);
	T_OK(s.media[0].flags & SDP_MF_HOLD);
	T_OK(s.media[1].conn.flags & SDP_CF_HOLD);
	T_OK(s.media[1].flags & SDP_MF_HOLD);
	T_EQ(s.media[1].addr.family, SIP_AF_INET6);
	T_OK(!(s.media[2].flags & SDP_MF_HOLD));
	return true;
}

static bool multicast_forms(void)
{
	T_EQ(sdp("v=0\nc=IN IP4 224.2.1.1/127/3\nm=audio 4000 RTP/AVP 0\n"
		 "c=IN IP6 FF15::101/3\n", NULL), 0);
	T_EQ(s.conn.flags, SDP_CF_MULTICAST | SDP_CF_TTL | SDP_CF_NUM);
	T_EQ(s.conn.ttl, 127);
	T_EQ(s.conn.num, 3);
	T_SPAN(buf, s.conn.addr, "224.2.1.1");
	T_EQ(s.media[0].conn.flags, SDP_CF_MULTICAST | SDP_CF_NUM);
	T_EQ(s.media[0].conn.num, 3);
	T_SPAN(buf, s.media[0].conn.addr, "FF15::101");
	T_EQ(sdp("v=0\nc=IN IP4 224.2.1.1/127\n", NULL), 0);
	T_EQ(s.conn.num, 1);
	T_EQ(sdp("v=0\nc=IN IP4 224.2.1.1/256\n", NULL), SDP_ERR_CONN);
	T_EQ(sdp("v=0\nc=IN IP6 ff15::1/3/2\n", NULL), SDP_ERR_CONN);
	T_EQ(sdp("v=0\nc=IN IP4 224.2.1.1/1/0\n", NULL), SDP_ERR_CONN);
	T_EQ(sdp("v=0\nc=IN IP4 224.2.1.1/\n", NULL), SDP_ERR_CONN);
	return true;
}

static bool directions(void)
{
	T_EQ(sdp("v=0\na=sendonly\nc=IN IP4 10.0.0.1\n"
		 "m=audio 4000 RTP/AVP 0\na=recvonly\n"
		 "m=audio 4002 RTP/AVP 0\n"
		 "m=audio 4004 RTP/AVP 0\na=inactive\n", NULL), 0);
	T_EQ(s.dir, SDP_DIR_SENDONLY);
	T_EQ(s.media[0].dir, SDP_DIR_RECVONLY);
	T_EQ(s.media[0].eff_dir, SDP_DIR_RECVONLY);
	T_EQ(s.media[1].dir, SDP_DIR_NONE);
	T_EQ(s.media[1].eff_dir, SDP_DIR_SENDONLY);
	T_EQ(s.media[2].eff_dir, SDP_DIR_INACTIVE);
	T_EQ(sdp("v=0\nm=audio 4000 RTP/AVP 0\n", NULL), 0);
	T_EQ(s.media[0].eff_dir, SDP_DIR_SENDRECV);
	return true;
}

static bool effective_address(void)
{
	T_EQ(sdp("v=0\nc=IN IP4 10.0.0.1\nm=audio 4000 RTP/AVP 0\n"
		 "m=video 4002 RTP/AVP 31\nc=IN IP4 10.0.0.2\n", NULL), 0);
	T_EQ(s.media[0].addr.u.b[3], 1);
	T_EQ(s.media[1].addr.u.b[3], 2);
	T_EQ(sdp("v=0\nm=audio 4000 RTP/AVP 0\n"
		 "m=audio 4002 RTP/AVP 0\nc=IN IP4 host.example.com\n", NULL), 0);
	T_OK(s.media[0].flags & SDP_MF_NO_ADDR);
	T_OK(s.media[1].flags & SDP_MF_NO_ADDR);
	T_OK(s.media[1].conn.flags & SDP_CF_FQDN);
	return true;
}

static bool media_lines(void)
{
	T_EQ(sdp("v=0\nm=video 49170/2 RTP/AVP 31 32\nm=audio 0 RTP/AVP 0\n"
		 "m=application 9 TCP/BFCP *\nm=image 5000 udptl t38\n", NULL), 0);
	T_EQ(s.media[0].port_count, 2);
	T_OK(s.media[0].flags & SDP_MF_COUNT);
	T_SPAN(buf, s.media[0].fmts, "31 32");
	T_OK(s.media[1].flags & SDP_MF_PORT_ZERO);
	T_EQ(s.media[2].media_type, SDP_MEDIA_APPLICATION);
	T_EQ(s.media[3].media_type, SDP_MEDIA_IMAGE);
	T_EQ(sdp("v=0\nm=audio 70000 RTP/AVP 0\n", NULL), SDP_ERR_PORT);
	T_EQ(sdp("v=0\nm=audio 4000/0 RTP/AVP 0\n", NULL), SDP_ERR_PORT);
	T_EQ(sdp("v=0\nm=audio 4x RTP/AVP 0\n", NULL), SDP_ERR_PORT);
	T_EQ(sdp("v=0\nm=audio 4000\n", NULL), SDP_ERR_MEDIA);
	return true;
}

static bool lines_and_version(void)
{
	u32 n;

	T_EQ(sdp("s=-\nv=0\n", NULL), SDP_ERR_VERSION);
	T_EQ(sdp("v=1\n", NULL), SDP_ERR_VERSION);
	T_EQ(sdp("v=0\nm =video 3227 RTP/AVP 31\n", NULL), SDP_ERR_LINE);
	T_EQ(sdp("v=0\n=x\n", NULL), SDP_ERR_LINE);
	/* bare LF, no final line end, trailing blank lines */
	memcpy(buf, "v=0\nc=IN IP4 10.1.2.3\nm=audio 1 RTP/AVP 0", 41);
	T_EQ(sdp_parse(buf, 41, 0, 41, &s), 0);
	T_SPAN(buf, s.media[0].fmts, "0");
	T_EQ(sdp("v=0\nm=audio 1 RTP/AVP 0\n\n\n", &n), 0);
	T_EQ(sdp_parse(buf, 10, 0, 0, &s), SDP_ERR_EMPTY);
	T_EQ(sdp_parse(buf, 10, 5, 6, &s), SDP_ERR_BAD_SPAN);
	T_EQ(sdp_parse(buf, 10, 11, 0, &s), SDP_ERR_BAD_SPAN);
	return true;
}

static bool origin_and_conn(void)
{
	T_EQ(sdp("v=0\no=- 1 2 IN IP6 2001:db8::5\nc=IN IP6 2001:db8::5\n", NULL), 0);
	T_EQ(s.o_addr.addrtype, SDP_ADDRTYPE_IP6);
	T_EQ(s.o_addr.ip.family, SIP_AF_INET6);
	T_EQ(s.conn.ip.family, SIP_AF_INET6);
	T_EQ(sdp("v=0\no=- 1 2 IN IP4 pc.example.com\n", NULL), 0);
	T_OK(s.o_addr.flags & SDP_CF_FQDN);
	T_EQ(sdp("v=0\nc=ATM NSAP 47.0005.80.ffe100.0000.f21a.3e9c.0020\n", NULL), 0);
	T_EQ(s.conn.addrtype, SDP_ADDRTYPE_OTHER);
	T_EQ(sdp("v=0\no=- 1 2 IN IP4 10.0.0.1\no=- 1 2 IN IP4 10.0.0.1\n", NULL),
	     SDP_ERR_ORIGIN);
	T_EQ(sdp("v=0\no=- 1 IN IP4 10.0.0.1\n", NULL), SDP_ERR_ORIGIN);
	T_EQ(sdp("v=0\nc=IN IP4 10.0.0.1\nc=IN IP4 10.0.0.2\n", NULL),
	     SDP_ERR_CONN);
	T_EQ(sdp("v=0\nm=audio 1 RTP/AVP 0\nc=IN IP4 10.0.0.1\nc=IN IP4 10.0.0.2\n",
		 NULL), SDP_ERR_CONN);
	T_EQ(sdp("v=0\nc=IN IP4 10.0.0.1 extra\n", NULL), SDP_ERR_CONN);
	T_EQ(sdp("v=0\nm=audio 1 RTP/AVP 0\no=- 1 2 IN IP4 10.0.0.1\n", NULL),
	     SDP_ERR_ORIGIN);
	return true;
}

static bool every_prefix(void)
{
	static struct sip_msg m;
	static char pre[2048];
	u32 n = (u32)t_load("corpus/seed/fanvil-x3-invite.sip", buf,
			    sizeof(buf)), i;
	int err;

	T_EQ(sip_parse(buf, n, &m), 0);
	for (i = 0; i <= m.sdp.len; i++) {
		memcpy(pre, buf + m.sdp.off, i);
		err = sdp_parse(pre, i, 0, i, &s);
		if (err && err != SDP_ERR_EMPTY && err != SDP_ERR_VERSION &&
		    err != SDP_ERR_ORIGIN && err != SDP_ERR_CONN &&
		    err != SDP_ERR_MEDIA && err != SDP_ERR_LINE &&
		    err != SDP_ERR_PORT)
			T_FAIL("prefix %u: %s", i, sip_strerror(err));
	}
	return true;
}

/*
 * Edges of the fast paths in sdp_parse.c: "IN IP4 " with single spaces
 * skips two field scans, a= lines are matched against the attribute names
 * without scanning for ':'. Each must give what the general path gives.
 */
static bool conn_fast_path(void)
{
	static const struct {
		const char *line;
		int err;
		u8 type;
		const char *addr;
	} c[] = {
		{ "c=IN IP4 10.0.0.1", 0, SDP_ADDRTYPE_IP4, "10.0.0.1" },
		{ "c=IN IP4  10.0.0.1", 0, SDP_ADDRTYPE_IP4, "10.0.0.1" },
		{ "c=IN IP4\t10.0.0.1", 0, SDP_ADDRTYPE_IP4, "10.0.0.1" },
		{ "c=IN  IP4 10.0.0.1", 0, SDP_ADDRTYPE_IP4, "10.0.0.1" },
		{ "c=IN IP6 2001:db8::1", 0, SDP_ADDRTYPE_IP6, "2001:db8::1" },
		{ "c=IN IP44 10.0.0.1", 0, SDP_ADDRTYPE_OTHER, "10.0.0.1" },
		{ "c=IN IP5 10.0.0.1", 0, SDP_ADDRTYPE_OTHER, "10.0.0.1" },
		{ "c=in ip4 10.0.0.1", 0, SDP_ADDRTYPE_OTHER, "10.0.0.1" },
		{ "c=IN IP4 10.0.0.1 x", SDP_ERR_CONN, 0, NULL },
		{ "c=IN IP4 ", SDP_ERR_CONN, 0, NULL },
		{ "c=IN IP4", SDP_ERR_CONN, 0, NULL },
		{ "c=IN IP4 h\x01st", 0, SDP_ADDRTYPE_IP4, "h\x01st" },
		{ "c=IN IP4 224.2.1.1/127/3", 0, SDP_ADDRTYPE_IP4, "224.2.1.1" },
	};
	char text[256];
	size_t i;
	int err;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(text, sizeof(text), "v=0\n%s\nm=audio 4000 RTP/AVP 0\n",
			 c[i].line);
		err = sdp(text, NULL);
		if (err != c[i].err)
			T_FAIL("\"%s\": %d, want %d", c[i].line, err, c[i].err);
		if (err)
			continue;
		T_EQ(s.conn.addrtype, c[i].type);
		T_SPAN(buf, s.conn.addr, c[i].addr);
	}
	/* o= takes the same path for its address */
	T_EQ(sdp("v=0\no=- 1 1 IN IP4 192.0.2.7\n", NULL), 0);
	T_SPAN(buf, s.o_addr.addr, "192.0.2.7");
	T_EQ(s.o_addr.ip.family, SIP_AF_INET);
	return true;
}

static bool attribute_names_fast_path(void)
{
	T_EQ(sdp("v=0\na=inactive\nm=audio 4000 RTP/AVP 0\n"
		 "a=rtcpx:4001\na=rtcp-muxx\na=rtcp-mu\na=sendonlyx\n"
		 "a=sendonly:x\na=RTCP:4001\na=rtcp-mux:\n", NULL), 0);
	T_EQ(s.dir, SDP_DIR_INACTIVE);
	/* only "a=rtcp-mux:" (empty value) is rtcp-mux; the rest is ignored */
	T_EQ(s.media[0].flags & ~SDP_MF_NO_ADDR, SDP_MF_RTCP_MUX);
	T_EQ(s.media[0].dir, SDP_DIR_NONE);
	T_EQ(sdp("v=0\nm=audio 4000 RTP/AVP 0\na=rtcp\n", NULL),
	     SDP_ERR_RTCP);
	T_EQ(sdp("v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:\n", NULL),
	     SDP_ERR_RTCP);
	T_EQ(sdp("v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:4001 \n", NULL), 0);
	T_EQ(s.media[0].rtcp_port_num, 4001);
	T_EQ(sdp("v=0\nm=audio 4000 RTP/AVP 0\na=recvonly \t\n", NULL), 0);
	T_EQ(s.media[0].dir, SDP_DIR_RECVONLY);
	return true;
}

int main(void)
{
	t_report("sdp_parse fanvil INVITE fields", fanvil_sdp());
	t_report("sdp_parse 16 media streams ok, 17 too many", media_bound());
	t_report("sdp_parse a=rtcp (RFC 3605) and a=rtcp-mux", rtcp_attr());
	t_report("sdp_parse hold addresses 0.0.0.0 and ::", hold_addresses());
	t_report("sdp_parse multicast /ttl/num forms", multicast_forms());
	t_report("sdp_parse session and media direction", directions());
	t_report("sdp_parse effective connection address", effective_address());
	t_report("sdp_parse m= port, count, formats", media_lines());
	t_report("sdp_parse v= first, line syntax, line ends, spans",
		 lines_and_version());
	t_report("sdp_parse o= and c= variants", origin_and_conn());
	t_report("sdp_parse every prefix of the fanvil SDP", every_prefix());
	t_report("sdp_parse c= and o= with \"IN IP4 \" and its variants",
		 conn_fast_path());
	t_report("sdp_parse a= names that extend or prefix rtcp and directions",
		 attribute_names_fast_path());
	return t_exit();
}
