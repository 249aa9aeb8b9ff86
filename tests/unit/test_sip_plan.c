// SPDX-License-Identifier: GPL-2.0
/*
 * sip_plan() + sip_apply(): exact output bytes for the seed phone, the
 * matching rules of sip_plan.h, and the rewrite invariants
 * (rewrite_check.h) over every parseable corpus message.
 */
#include "t.h"
#include "rewrite_check.h"

static struct sip_msg m, m2;
static struct sdp_msg s, s2;
static struct sip_edits ed;
static char in[65536], out[65536 + 4096], want[65536];
/* sip_apply_inplace() works here, and must give out's bytes */
static char inplace[65536 + 4096];
static u32 in_len, out_len;

static struct sip_xlate xl(const char *old, u16 oport, const char *new_,
			   u16 nport, const char *sold, const char *snew,
			   u32 what)
{
	struct sip_xlate x;

	memset(&x, 0, sizeof(x));
	x.what = what;
	x.sig_old = t_addr(old);
	x.sig_new = t_addr(new_);
	x.sig_old_port = oport;
	x.sig_new_port = nport;
	x.sdp_old = t_addr(sold);
	x.sdp_new = t_addr(snew);
	return x;
}

/*
 * The packet path edits the message where it lies: same bytes as
 * sip_apply(), with room for exactly the growth, and not a byte more.
 */
static const char *inplace_check(const struct sip_edits *ed)
{
	u32 room = in_len + (ed->delta > 0 ? (u32)ed->delta : 0), n;

	memcpy(inplace, in, in_len);
	if (ed->delta > 0 &&
	    sip_apply_inplace(inplace, in_len, room - 1, ed, &n) !=
	    SIP_PLAN_ERR_SPACE)
		return "in place: growth past the room allowed";
	if (sip_apply_inplace(inplace, in_len, room, ed, &n))
		return "in place: refused";
	if (n != out_len || memcmp(inplace, out, n))
		return "in place: bytes differ from sip_apply()";
	return NULL;
}

/* parse (+SDP) + plan + apply + invariants; leaves the result in out */
static const char *run(const struct sip_xlate *x, int want_plan_err)
{
	const struct sdp_msg *sp = NULL;
	const char *why;
	int err;

	err = sip_parse(in, in_len, &m);
	if (err)
		RC_FAIL("parse: %s", sip_strerror(err));
	if (m.flags & SIP_F_SDP) {
		err = sdp_parse(in, in_len, m.sdp.off, m.sdp.len, &s);
		if (err)
			RC_FAIL("sdp: %s", sip_strerror(err));
		sp = &s;
	}
	err = sip_plan(in, in_len, &m, sp, x, &ed);
	if (err != want_plan_err)
		RC_FAIL("plan: %s", sip_strerror(err));
	if (err)
		return NULL;
	err = sip_apply(in, in_len, &ed, out, sizeof(out), &out_len);
	if (err)
		RC_FAIL("apply: %s", sip_strerror(err));
	why = inplace_check(&ed);
	if (why)
		return why;
	why = rewrite_check(in, in_len, &m, sp, x, &ed, out, out_len, &m2, &s2);
	return why;
}

#define T_RUN(x) do { \
	const char *_w = run(x, 0); \
	if (_w) \
		T_FAIL("line %d: %s", __LINE__, _w); \
} while (0)

static bool t_out_is(const char *file)
{
	u32 n = (u32)t_load(file, want, sizeof(want));

	if (n != out_len || memcmp(out, want, n)) {
		u32 i = 0;

		while (i < n && i < out_len && out[i] == want[i])
			i++;
		T_FAIL("output differs from %s at byte %u: \"%.30s\"", file, i,
		       out + i);
	}
	return true;
}

/* ---------- the seed phone, exact bytes ---------- */

struct seed_case {
	const char *name, *in, *expect;
	const char *new_addr;
	u16 new_port, rtp;
	u32 n_edits;
};

static const struct seed_case seeds[] = {
	{ "plan fanvil REGISTER -> 203.0.113.1:5010 exact bytes",
	  "corpus/seed/fanvil-x3-register.sip",
	  "data/fanvil-register-203.0.113.1-5010.sip", "203.0.113.1", 5010, 0,
	  2 },
	{ "plan fanvil REGISTER -> 203.0.113.1:1024 exact bytes",
	  "corpus/seed/fanvil-x3-register.sip",
	  "data/fanvil-register-203.0.113.1-1024.sip", "203.0.113.1", 1024, 0,
	  2 },
	{ "plan fanvil INVITE -> 203.0.113.1:5010 exact bytes",
	  "corpus/seed/fanvil-x3-invite.sip",
	  "data/fanvil-invite-203.0.113.1-5010.sip", "203.0.113.1", 5010, 0,
	  5 },
	{ "plan fanvil INVITE -> 203.0.113.1:1024, RTP 8000 exact bytes",
	  "corpus/seed/fanvil-x3-invite.sip",
	  "data/fanvil-invite-203.0.113.1-1024-rtp8000.sip", "203.0.113.1",
	  1024, 8000, 6 },
	{ "plan fanvil INVITE -> 203.0.113.100:65000, RTP 40000 exact bytes",
	  "corpus/seed/fanvil-x3-invite.sip",
	  "data/fanvil-invite-203.0.113.100-65000-rtp40000.sip",
	  "203.0.113.100", 65000, 40000, 6 },
};

static const struct seed_case *scur;

static bool seed_one(void)
{
	struct sip_xlate x = xl("192.168.0.31", 5010, scur->new_addr,
				scur->new_port, "192.168.0.31", scur->new_addr,
				SIP_XF_ALL);

	x.rtp_port[0] = scur->rtp;
	in_len = (u32)t_load(scur->in, in, sizeof(in));
	T_RUN(&x);
	T_EQ(ed.n, scur->n_edits);
	return t_out_is(scur->expect);
}

/* The same INVITE, replies' mask: only Via and Contact may change. */
static bool mask_respected(void)
{
	struct sip_xlate x = xl("192.168.0.31", 5010, "203.0.113.1", 5010,
				"192.168.0.31", "203.0.113.1",
				SIP_XF_VIA | SIP_XF_CONTACT);

	in_len = (u32)t_load("corpus/seed/fanvil-x3-invite.sip", in,
			     sizeof(in));
	T_RUN(&x);
	T_EQ(ed.n, 2);
	T_EQ(ed.what_mask, (1u << SIP_EK_VIA) | (1u << SIP_EK_CONTACT));
	T_EQ(ed.new_body_len, 251);
	x.what = SIP_XF_ALL_SDP;
	T_RUN(&x);
	T_EQ(ed.n, 3);	/* o=, c=, Content-Length */
	T_EQ(ed.what_mask, (1u << SIP_EK_SDP_ORIGIN) |
	     (1u << SIP_EK_SDP_CONN) | (1u << SIP_EK_CLEN));
	x.what = 0;
	T_RUN(&x);
	T_EQ(ed.n, 0);
	T_OK(out_len == in_len && !memcmp(in, out, in_len));
	return true;
}

/* A 200 OK back to the phone: translate the WAN address back. */
static bool reply_direction(void)
{
	struct sip_xlate x = xl("203.0.113.1", 1024, "192.168.0.31", 5010,
				NULL, NULL, SIP_XF_VIA | SIP_XF_VIA_RECEIVED |
				SIP_XF_VIA_RPORT | SIP_XF_CONTACT);
	static const char want_msg[] =
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 192.168.0.31:5010;branch=z9hG4bK1076223;received=192.168.0.31;rport=5010\n"
		"From: \"011\" <sip:011@avantelecom.avantele.com:5060>;tag=146371000\n"
		"To: \"011\" <sip:011@avantelecom.avantele.com:5060>;tag=as1\n"
		"Call-ID: 20063242339186-62012442819438@192.168.0.31\n"
		"CSeq: 1 REGISTER\n"
		"Contact: <sip:011@192.168.0.31:5010>;expires=3600\n"
		"Content-Length: 0\n\n";

	in_len = t_crlf(
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP 203.0.113.1:1024;branch=z9hG4bK1076223;received=203.0.113.1;rport=1024\n"
		"From: \"011\" <sip:011@avantelecom.avantele.com:5060>;tag=146371000\n"
		"To: \"011\" <sip:011@avantelecom.avantele.com:5060>;tag=as1\n"
		"Call-ID: 20063242339186-62012442819438@192.168.0.31\n"
		"CSeq: 1 REGISTER\n"
		"Contact: <sip:011@203.0.113.1:1024>;expires=3600\n"
		"Content-Length: 0\n\n", in, sizeof(in));
	T_RUN(&x);
	T_EQ(ed.n, 4);
	T_EQ(out_len, t_crlf(want_msg, want, sizeof(want)));
	T_OK(!memcmp(out, want, out_len));
	/* rport not enabled: left as is */
	x.what &= ~SIP_XF_VIA_RPORT;
	T_RUN(&x);
	T_EQ(ed.n, 3);
	T_EQ(m2.via[0].rport_num, 1024);
	return true;
}

/* RFC 3261 19.1.2: no port = 5060 for sip:, 5061 for sips:/TLS. */
static bool default_ports(void)
{
	struct sip_xlate x = xl("10.0.0.1", 5060, "198.51.100.1", 5060,
				NULL, NULL, SIP_XF_ALL_SIP);

	in_len = t_crlf(
		"INVITE sips:b@10.0.0.1 SIP/2.0\n"
		"Via: SIP/2.0/UDP 10.0.0.1;branch=a\n"
		"Via: SIP/2.0/TLS 10.0.0.1;branch=b\n"
		"Via: SIP/2.0/TLS 10.0.0.1:5060;branch=c\n"
		"From: <sip:a@10.0.0.1>;tag=1\n"
		"To: <sip:b@10.0.0.1:5061>\n"
		"Call-ID: d\nCSeq: 1 INVITE\n"
		"Contact: <sip:a@10.0.0.1>, <sips:a@10.0.0.1:5060>\n"
		"Content-Length: 0\n\n", in, sizeof(in));
	T_RUN(&x);
	/* matches: Via a, Via c, From, Contact 1 and 2 */
	T_EQ(ed.n, 5);
	T_SPAN(out, m2.via[0].sent_by.span, "198.51.100.1");
	T_SPAN(out, m2.via[1].sent_by.span, "10.0.0.1");
	T_SPAN(out, m2.via[2].sent_by.span, "198.51.100.1:5060");
	T_SPAN(out, m2.ruri.hp.span, "10.0.0.1");
	T_SPAN(out, m2.from.hp.span, "198.51.100.1");
	T_SPAN(out, m2.to.hp.span, "10.0.0.1:5061");
	T_SPAN(out, m2.contact[1].uri.hp.span, "198.51.100.1:5060");
	/* a new port different from the default gets written */
	x.sig_new_port = 6000;
	T_RUN(&x);
	T_SPAN(out, m2.via[0].sent_by.span, "198.51.100.1:6000");
	T_SPAN(out, m2.from.hp.span, "198.51.100.1:6000");
	/* sig_old_port 0 = any port; sig_new_port 0 = keep the port */
	x.sig_old_port = 0;
	x.sig_new_port = 0;
	T_RUN(&x);
	T_EQ(ed.n, 8);
	T_SPAN(out, m2.via[1].sent_by.span, "198.51.100.1");
	T_SPAN(out, m2.to.hp.span, "198.51.100.1:5061");
	T_SPAN(out, m2.ruri.hp.span, "198.51.100.1");
	return true;
}

static bool ipv6_rewrite(void)
{
	struct sip_xlate x = xl("2001:db8::10", 5060, "2001:db8:ffff:0:0:0:0:1",
				5060, "2001:db8::10", "2001:db8:ffff::1",
				SIP_XF_ALL);
	static const char *sdp_lines =
		"v=0\n"
		"o=- 1 1 IN IP6 2001:db8::10\n"
		"s=-\n"
		"c=IN IP6 2001:db8::10\n"
		"t=0 0\n"
		"m=audio 6000 RTP/AVP 0\n"
		"a=rtcp:6001 IN IP6 2001:db8::10\n";
	char sdpb[512];
	u32 sl = t_crlf(sdp_lines, sdpb, sizeof(sdpb));
	char *p = in;

	p += t_crlf("INVITE sip:bob@[2001:db8::20] SIP/2.0\n"
		    "Via: SIP/2.0/UDP [2001:db8::10];branch=z9hG4bKv6;received=2001:db8::10;maddr=[2001:db8::10]\n"
		    "From: <sip:alice@[2001:db8::10]>;tag=1\n"
		    "To: <sip:bob@[2001:db8::20]>\n"
		    "Call-ID: v6@[2001:db8::10]\nCSeq: 1 INVITE\n"
		    "Contact: <sip:alice@[2001:db8::10]:5060>\n"
		    "Content-Type: application/sdp\n", p, 4096);
	p += sprintf(p, "Content-Length: %u\r\n\r\n", sl);
	memcpy(p, sdpb, sl);
	in_len = (u32)(p - in) + sl;
	x.rtcp_port[0] = 7001;
	T_RUN(&x);
	T_SPAN(out, m2.via[0].sent_by.span, "[2001:db8:ffff::1]");
	T_SPAN(out, m2.via[0].received, "2001:db8:ffff::1");
	T_SPAN(out, m2.via[0].maddr, "[2001:db8:ffff::1]");
	T_SPAN(out, m2.contact[0].uri.hp.span, "[2001:db8:ffff::1]:5060");
	T_SPAN(out, m2.from.hp.span, "[2001:db8:ffff::1]");
	T_SPAN(out, m2.call_id, "v6@[2001:db8::10]");
	T_SPAN(out, s2.o_addr.addr, "2001:db8:ffff::1");
	T_SPAN(out, s2.conn.addr, "2001:db8:ffff::1");
	T_SPAN(out, s2.media[0].rtcp_conn.addr, "2001:db8:ffff::1");
	T_EQ(s2.media[0].rtcp_port_num, 7001);
	/* mixing families is refused */
	x.sdp_new = t_addr("192.0.2.1");
	T_OK(run(&x, SIP_PLAN_ERR_FAMILY) == NULL);
	T_EQ(ed.n, 0);
	return true;
}

static const char *media_sdp(int n, const char *c)
{
	static char text[8192];
	char *p = text;
	int i;

	p += sprintf(p, "v=0\no=- 1 1 IN IP4 10.0.0.5\ns=-\nc=IN IP4 %s\nt=0 0\n",
		     c);
	for (i = 0; i < n; i++)
		p += sprintf(p, "m=audio %d RTP/AVP 0\na=rtcp:%d%s\n",
			     i == 3 ? 0 : 30000 + 2 * i, 30001 + 2 * i,
			     i == 5 ? " IN IP4 10.0.0.5" : "");
	return text;
}

static u32 invite_with(const char *sdp_text, const char *ctype)
{
	char body[8192];
	u32 bl = t_crlf(sdp_text, body, sizeof(body));
	char *p = in;

	p += t_crlf("INVITE sip:b@example.com SIP/2.0\n"
		    "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z\n"
		    "From: <sip:a@10.0.0.5>;tag=1\nTo: <sip:b@example.com>\n"
		    "Call-ID: media\nCSeq: 1 INVITE\n", p, 4096);
	p += sprintf(p, "Content-Type: %s\r\nContent-Length: %u\r\n\r\n",
		     ctype, bl);
	memcpy(p, body, bl);
	return (u32)(p - in) + bl;
}

static bool media_ports_and_rtcp(void)
{
	struct sip_xlate x = xl("10.0.0.5", 5060, "203.0.113.9", 5060,
				"10.0.0.5", "203.0.113.9", SIP_XF_ALL);
	int i;

	for (i = 0; i < SDP_MAX_MEDIA; i++) {
		x.rtp_port[i] = (u16)(1024 + 2 * i);
		x.rtcp_port[i] = (u16)(1025 + 2 * i);
	}
	in_len = invite_with(media_sdp(SDP_MAX_MEDIA, "10.0.0.5"),
			     "application/sdp");
	T_RUN(&x);
	T_EQ(s2.n_media, 16);
	T_EQ(s2.media[0].port_num, 1024);
	T_EQ(s2.media[0].rtcp_port_num, 1025);
	T_EQ(s2.media[3].port_num, 0);		/* disabled stays disabled */
	T_EQ(s2.media[3].rtcp_port_num, 30007);
	T_EQ(s2.media[15].port_num, 1054);
	T_SPAN(out, s2.media[5].rtcp_conn.addr, "203.0.113.9");
	/* 17 streams: the SDP is refused, nothing in it is planned */
	in_len = invite_with(media_sdp(SDP_MAX_MEDIA + 1, "10.0.0.5"),
			     "application/sdp");
	T_EQ(sip_parse(in, in_len, &m), 0);
	T_EQ(sdp_parse(in, in_len, m.sdp.off, m.sdp.len, &s), SDP_ERR_TOO_MANY);
	return true;
}

static bool hold_untouched(void)
{
	struct sip_xlate x = xl("10.0.0.5", 5060, "203.0.113.9", 5060,
				"0.0.0.0", "203.0.113.9", SIP_XF_ALL);

	in_len = invite_with(media_sdp(2, "0.0.0.0"), "application/sdp");
	T_RUN(&x);
	T_SPAN(out, s2.conn.addr, "0.0.0.0");
	T_OK(s2.conn.flags & SDP_CF_HOLD);
	x.sdp_old = t_addr("10.0.0.5");
	T_RUN(&x);
	T_SPAN(out, s2.conn.addr, "0.0.0.0");
	T_SPAN(out, s2.o_addr.addr, "203.0.113.9");
	return true;
}

static bool multipart_clen(void)
{
	struct sip_xlate x = xl("10.0.0.5", 5060, "203.0.113.100", 5060,
				"10.0.0.5", "203.0.113.100", SIP_XF_ALL);
	char body[4096];

	snprintf(body, sizeof(body),
		 "preamble\n--zz\nContent-Type: text/plain\n\nhello\n"
		 "--zz\nContent-Type: application/sdp\n\n%s\n--zz--\n",
		 media_sdp(1, "10.0.0.5"));
	in_len = invite_with(body, "multipart/mixed;boundary=zz");
	T_RUN(&x);
	T_OK(m.flags & SIP_F_SDP);
	T_OK(m.sdp.off > m.body_off && m.sdp.off + m.sdp.len < m.msg_len);
	T_EQ(ed.new_body_len, m.body_len + 10);	/* o= and c=: +5 each */
	T_EQ(m2.clen, m.body_len + 10);
	T_SPAN(out, s2.conn.addr, "203.0.113.100");
	/* the SDP part is left alone when the message has none */
	snprintf(body, sizeof(body),
		 "--zz\nContent-Type: text/plain\n\nc=IN IP4 10.0.0.5\n--zz--\n");
	in_len = invite_with(body, "multipart/mixed;boundary=zz");
	T_RUN(&x);
	T_OK(!(m.flags & SIP_F_SDP));
	T_EQ(ed.new_body_len, m.body_len);
	return true;
}

static bool refusals(void)
{
	struct sip_xlate x = xl("10.0.0.5", 5060, "203.0.113.100", 5060,
				"10.0.0.5", "203.0.113.100", SIP_XF_ALL);
	char small[16];
	u32 n;

	/* never translate to 0.0.0.0 / :: (hold; CVE-2026-31427) */
	in_len = invite_with(media_sdp(1, "10.0.0.5"), "application/sdp");
	x.sdp_new = t_addr("0.0.0.0");
	T_OK(run(&x, SIP_PLAN_ERR_INPUT) == NULL);
	x.sdp_new = t_addr("203.0.113.100");
	x.sig_new = t_addr("0.0.0.0");
	T_OK(run(&x, SIP_PLAN_ERR_INPUT) == NULL);
	x.sig_new = t_addr("203.0.113.100");
	/* body changes but Content-Length appears twice */
	in_len = invite_with(media_sdp(1, "10.0.0.5"), "application/sdp");
	n = in_len;
	{
		char *cl = strstr(in, "Content-Length:");
		char tmp[65536];
		size_t pre = (size_t)(cl - in);
		u32 v = m.clen;

		T_EQ(sip_parse(in, n, &m), 0);
		v = m.clen;
		memcpy(tmp, in, pre);
		pre += (size_t)sprintf(tmp + pre, "l: %u\r\n", v);
		memcpy(tmp + pre, cl, n - (cl - in));
		in_len = (u32)(pre + n - (cl - in));
		memcpy(in, tmp, in_len);
	}
	T_OK(run(&x, SIP_PLAN_ERR_CLEN) == NULL);
	/* without body edits the duplicate is harmless */
	x.what = SIP_XF_ALL_SIP;
	T_RUN(&x);
	/* a failed parse is not planned */
	m.err = SIP_ERR_VIA;
	T_EQ(sip_plan(in, in_len, &m, NULL, &x, &ed), SIP_PLAN_ERR_INPUT);
	/* sip_apply never overruns its output */
	T_EQ(sip_parse(in, in_len, &m), 0);
	T_EQ(sip_plan(in, in_len, &m, NULL, &x, &ed), 0);
	T_EQ(sip_apply(in, in_len, &ed, small, sizeof(small), &n),
	     SIP_PLAN_ERR_SPACE);
	return true;
}

/*
 * Property sweep: every parseable message of corpus/seed and
 * corpus/rfc4475 (the folders are walked, so a new file is swept), with
 * the address of its first Via / its c= translated to addresses of other
 * lengths, new ports, every mask.  Beyond the invariants of rewrite_check.h
 * each run asserts what the edits must have done (sweep_edits()).
 */
static const char *const sweep_dirs[] = { "seed", "rfc4475" };
static const char *cur_file;

static bool is_ip(const struct sip_hostport *hp)
{
	return hp->host_type == SIP_HOST_IP4 || hp->host_type == SIP_HOST_IP6;
}

/* An IP hostport of the output still holding the old address. */
static bool still_old(const struct sip_hostport *hp, const struct sip_addr *old)
{
	return is_ip(hp) && sip_addr_eq(&hp->addr, old);
}

/* The end of the header block of out (after the first empty line), found
 * without the parser; 0 when there is none. */
static u32 blank_line_end(const char *b, u32 len)
{
	u32 i;

	for (i = 0; i + 1 < len; i++) {
		if (b[i] == '\n' && b[i + 1] == '\n')
			return i + 2;
		if (i + 3 < len && !memcmp(b + i, "\r\n\r\n", 4))
			return i + 4;
	}
	return 0;
}

/*
 * What the edits of one sweep run must have done, checked on the output
 * text (m2/s2: its re-parse by run()):
 * - the Via the translation was taken from now names new_text, and not
 *   the old host text; with any port matching and every SIP field enabled,
 *   no Via, Contact, From, To or Request-URI holds the old address;
 * - an enabled c= that held the old SDP address holds the new one, and no
 *   c= holds the old one;
 * - Content-Length, read from its digits, is the length of what follows
 *   the empty line.
 */
static const char *sweep_edits(const struct sip_xlate *x, const char *new_text,
			       const char *old_text, u32 old_text_len)
{
	const struct sip_hostport *v0 = &m2.via[0].sent_by;
	bool sip_all = (x->what & SIP_XF_ALL_SIP) == SIP_XF_ALL_SIP &&
		       !x->sig_old_port;
	u32 i, clen, end;

	if ((x->what & SIP_XF_VIA) && is_ip(&m.via[0].sent_by)) {
		u32 nl = (u32)strlen(new_text) + (x->sig_new.family ==
						  SIP_AF_INET6 ? 2 : 0);
		const char *h = out + v0->host.off;

		if (!(ed.what_mask & (1u << SIP_EK_VIA)))
			return "no Via edit for a matching Via";
		if (v0->host.len != nl ||
		    memcmp(h + (nl > strlen(new_text)), new_text,
			   strlen(new_text)))
			return "first Via does not name the new address";
		if (v0->host.len == old_text_len &&
		    !memcmp(h, old_text, old_text_len))
			return "first Via still names the old address";
	}
	if (sip_all && !sip_addr_eq(&x->sig_old, &x->sig_new)) {
		if (m2.kind == SIP_KIND_REQUEST &&
		    still_old(&m2.ruri.hp, &x->sig_old))
			return "Request-URI still holds the old address";
		for (i = 0; i < m2.n_via; i++)
			if (still_old(&m2.via[i].sent_by, &x->sig_old))
				return "a Via still holds the old address";
		for (i = 0; i < m2.n_contact; i++)
			if (still_old(&m2.contact[i].uri.hp, &x->sig_old))
				return "a Contact still holds the old address";
		if (still_old(&m2.from.hp, &x->sig_old) ||
		    still_old(&m2.to.hp, &x->sig_old))
			return "From/To still holds the old address";
	}
	if ((m.flags & SIP_F_SDP) && (x->what & SIP_XF_SDP_CONN) &&
	    x->sdp_old.family && !sip_addr_eq(&x->sdp_old, &x->sdp_new) &&
	    !(s.conn.flags & SDP_CF_HOLD)) {
		if (s.conn.addrtype != SDP_ADDRTYPE_NONE &&
		    sip_addr_eq(&s.conn.ip, &x->sdp_old) &&
		    !sip_addr_eq(&s2.conn.ip, &x->sdp_new))
			return "session c= not translated";
		if (s2.conn.addrtype != SDP_ADDRTYPE_NONE &&
		    sip_addr_eq(&s2.conn.ip, &x->sdp_old))
			return "session c= still holds the old address";
		for (i = 0; i < s2.n_media; i++)
			if (s2.media[i].conn.addrtype != SDP_ADDRTYPE_NONE &&
			    sip_addr_eq(&s2.media[i].conn.ip, &x->sdp_old))
				return "a media c= still holds the old address";
	}
	if (m2.flags & SIP_F_CL_PRESENT) {
		end = blank_line_end(out, out_len);
		if (!end || !m2.clen_span.len || m2.clen_span.len > 9)
			return "no empty line or Content-Length digits";
		for (clen = 0, i = 0; i < m2.clen_span.len; i++)
			clen = clen * 10 + (u32)(out[m2.clen_span.off + i] - '0');
		if (end + clen != m2.msg_len)
			return "Content-Length is not the body's length";
	}
	return NULL;
}

static bool sweep_one(void)
{
	static const char *const v4[] = { "1.2.3.4", "203.0.113.254",
					  "10.0.0.1" };
	static const char v6[] = "2001:db8:aaaa::1";
	static const u16 ports[] = { 0, 5060, 1024, 65535 };
	static const u32 masks[] = { SIP_XF_ALL, SIP_XF_VIA | SIP_XF_CONTACT,
				     SIP_XF_ALL_SDP, SIP_XF_ALL_SIP };
	char rel[256], old_text[64];
	struct sip_xlate x;
	struct sip_addr so;
	u32 a, p, k, i, edits = 0, old_len;
	const char *why, *new_text;

	snprintf(rel, sizeof(rel), "corpus/%s", cur_file);
	in_len = (u32)t_load(rel, in, sizeof(in));
	T_EQ(sip_parse(in, in_len, &m), 0);
	memset(&so, 0, sizeof(so));
	if (m.flags & SIP_F_SDP) {
		T_EQ(sdp_parse(in, in_len, m.sdp.off, m.sdp.len, &s), 0);
		so = s.conn.ip;
	}
	old_len = m.via[0].sent_by.host.len;
	T_OK(old_len < sizeof(old_text));
	memcpy(old_text, in + m.via[0].sent_by.host.off, old_len);
	for (a = 0; a < 3; a++)
		for (p = 0; p < 4; p++)
			for (k = 0; k < 4; k++) {
				memset(&x, 0, sizeof(x));
				x.what = masks[k];
				x.sig_old = m.via[0].sent_by.addr;
				x.sig_old_port = p ? m.via[0].sent_by.port_num : 0;
				new_text = x.sig_old.family == SIP_AF_INET6 ?
					   v6 : v4[a];
				x.sig_new = t_addr(new_text);
				x.sig_new_port = ports[p];
				x.sdp_old = so;
				x.sdp_new = so.family == SIP_AF_INET6 ?
					    t_addr("::2") : t_addr(v4[a]);
				for (i = 0; i < SDP_MAX_MEDIA; i++) {
					x.rtp_port[i] = ports[(p + i) % 4];
					x.rtcp_port[i] = ports[(p + i + 1) % 4];
				}
				why = run(&x, 0);
				if (!why)
					why = sweep_edits(&x, new_text,
							  old_text, old_len);
				if (why)
					T_FAIL("addr %u port %u mask %u: %s",
					       a, p, k, why);
				edits += ed.n;
			}
	/* A message with an IP Via or an SDP body has something to edit. */
	if (is_ip(&m.via[0].sent_by) || (m.flags & SIP_F_SDP))
		T_OK(edits > 0);
	else
		T_EQ(edits, 0);
	return true;
}

/* Sweep every file of the corpus folders that parses (which ones must
 * parse is test_sip_parse's table). */
static void sweep_all(void)
{
	static struct t_dir d;
	char name[512], rel[256];
	size_t i, k, n_swept = 0, n_files = 0;
	u32 n;

	for (k = 0; k < sizeof(sweep_dirs) / sizeof(sweep_dirs[0]); k++) {
		snprintf(rel, sizeof(rel), "corpus/%s", sweep_dirs[k]);
		if (!t_list_dir(rel, ".sip", &d)) {
			snprintf(t_why, sizeof(t_why), "cannot list %s", rel);
			t_report("plan property sweep", false);
			return;
		}
		for (i = 0; i < d.n; i++) {
			snprintf(rel, sizeof(rel), "corpus/%s/%s",
				 sweep_dirs[k], d.name[i]);
			n = (u32)t_load(rel, in, sizeof(in));
			n_files++;
			if (sip_parse(in, n, &m))
				continue;
			n_swept++;
			snprintf(rel, sizeof(rel), "%s/%s", sweep_dirs[k],
				 d.name[i]);
			cur_file = rel;
			snprintf(name, sizeof(name),
				 "plan property: rewrite %s re-parses, the edits translate",
				 cur_file);
			t_report(name, sweep_one());
		}
	}
	snprintf(t_why, sizeof(t_why), "%zu of %zu files parse", n_swept,
		 n_files);
	snprintf(name, sizeof(name),
		 "plan property sweep covered %zu of %zu corpus files",
		 n_swept, n_files);
	t_report(name, n_swept > 0);
}

/*
 * In place against the copying apply on hand-made edit lists: growth and
 * shrinking mixed in every order, at both ends, pure insertions and
 * deletions.  Each entry: "off old_len replacement" triples on "abc..z".
 */
static const struct {
	const char *name;
	int n;
	struct { u32 off; u16 old_len; const char *rep; } e[4];
} inplace_cases[] = {
	{ "shrink then grow", 2, { { 2, 5, "X" }, { 10, 1, "YYYYYYYYY" } } },
	{ "grow then shrink", 2, { { 2, 1, "XXXXXXXX" }, { 10, 9, "Y" } } },
	{ "grow, shrink, grow", 3,
	  { { 0, 1, "AAAAA" }, { 5, 6, "" }, { 20, 0, "CCCCCCC" } } },
	{ "shrink, grow, shrink", 3,
	  { { 1, 4, "" }, { 8, 1, "BBBBBBBBBBBB" }, { 22, 4, "c" } } },
	{ "insert at the end, delete at the start", 2,
	  { { 0, 3, "" }, { 26, 0, "END" } } },
	{ "same size", 2, { { 3, 2, "xy" }, { 20, 3, "uvw" } } },
	{ "net zero, mixed", 4,
	  { { 0, 2, "abcd" }, { 4, 4, "" }, { 10, 1, "kkk" }, { 25, 1, "" } } },
};

static bool inplace_mixed(void)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz";
	struct sip_edits e;
	char copy[128], buf[128];
	u32 i, k, n_copy, n_in;

	for (i = 0; i < sizeof(inplace_cases) / sizeof(inplace_cases[0]); i++) {
		memset(&e, 0, sizeof(e));
		e.n = (u32)inplace_cases[i].n;
		for (k = 0; k < e.n; k++) {
			e.e[k].off = inplace_cases[i].e[k].off;
			e.e[k].old_len = inplace_cases[i].e[k].old_len;
			e.e[k].new_len = (u8)strlen(inplace_cases[i].e[k].rep);
			memcpy(e.e[k].data, inplace_cases[i].e[k].rep,
			       e.e[k].new_len);
			e.delta += (s32)e.e[k].new_len - e.e[k].old_len;
		}
		T_EQ(sip_apply(alpha, 26, &e, copy, sizeof(copy), &n_copy), 0);
		memset(buf, '#', sizeof(buf));
		memcpy(buf, alpha, 26);
		T_EQ(sip_apply_inplace(buf, 26, 26 + (e.delta > 0 ? (u32)e.delta : 0),
				       &e, &n_in), 0);
		if (n_in != n_copy || memcmp(buf, copy, n_copy))
			T_FAIL("%s: \"%.*s\", want \"%.*s\"",
			       inplace_cases[i].name, (int)n_in, buf,
			       (int)n_copy, copy);
	}
	/* unsorted edits are refused, the buffer untouched */
	e.n = 2;
	e.e[0].off = 10;
	e.e[1].off = 2;
	memcpy(buf, alpha, 26);
	T_EQ(sip_apply_inplace(buf, 26, 64, &e, &n_in), SIP_PLAN_ERR_INPUT);
	T_OK(!memcmp(buf, alpha, 26));
	return true;
}

/* Decimal formatting against printf: every value below 10^6 and the
 * digit-count boundaries up to the u32 maximum. */
static bool format_u32_decimal(void)
{
	static const u32 edges[] = { 9999999, 10000000, 99999999, 100000000,
				     999999999, 1000000000, 4294967295u };
	char got[16], want[16];
	u32 v, n, i;

	for (i = 0; i < 1000000 + sizeof(edges) / sizeof(edges[0]); i++) {
		v = i < 1000000 ? i : edges[i - 1000000];
		n = sip_format_u32(v, got);
		snprintf(want, sizeof(want), "%u", v);
		if (n != strlen(want) || memcmp(got, want, n))
			T_FAIL("%u: \"%.*s\"", v, (int)n, got);
	}
	return true;
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		scur = &seeds[i];
		t_report(scur->name, seed_one());
	}
	t_report("plan per-direction mask: only the asked kinds change",
		 mask_respected());
	t_report("plan reply direction: Via received/rport and Contact back",
		 reply_direction());
	t_report("plan default ports 5060/5061 and port insertion",
		 default_ports());
	t_report("plan IPv6 (RFC 5952 output) in SIP and SDP", ipv6_rewrite());
	t_report("plan 16 media: m= and a=rtcp ports, rtcp address",
		 media_ports_and_rtcp());
	t_report("plan hold address 0.0.0.0 never rewritten", hold_untouched());
	t_report("plan multipart: Content-Length is the whole body",
		 multipart_clen());
	t_report("plan refuses: 0.0.0.0 target, duplicate Content-Length, bad input, space",
		 refusals());
	t_report("plan in-place apply: mixed growth and shrinking, same bytes as a copy",
		 inplace_mixed());
	t_report("plan sip_format_u32: the digits printf writes",
		 format_u32_decimal());
	sweep_all();
	return t_exit();
}
