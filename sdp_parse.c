// SPDX-License-Identifier: GPL-2.0
/*
 * One-pass SDP indexer (RFC 4566), with RFC 3605 a=rtcp and RFC 5761
 * a=rtcp-mux. Every line is visited once; spans are offsets into the
 * whole SIP message buffer so the planner can edit them in place.
 */
#include "sdp_parse.h"

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline void span_set(struct sip_span *sp, u32 s, u32 e)
{
	sp->off = s;
	sp->len = e - s;
}

static inline bool seq(const char *b, struct sip_span sp, const char *lit,
		       u32 n)
{
	return sp.len == n && memcmp(b + sp.off, lit, n) == 0;
}

#define SEQ(b, sp, lit)	seq(b, sp, lit, sizeof(lit) - 1)

/*
 * Bounded decimal: 1 to maxd digits at [s, e), value <= max. Returns the
 * end of the digits, or s when there are none or the bounds are broken.
 */
static u32 sdp_num(const char *b, u32 s, u32 e, u32 maxd, u32 max, u32 *val)
{
	u32 p = s, v = 0;

	while (p < e && is_digit(b[p])) {
		if (p - s == maxd)
			return s;
		v = v * 10 + (u32)(b[p] - '0');
		p++;
	}
	if (p == s || v > max)
		return s;
	*val = v;
	return p;
}

/*
 * Next SP-separated field of [p, e). RFC 4566 uses a single SP; runs of
 * SP/HT are tolerated. Returns the end of the field (f->len 0 if none).
 */
static inline u32 field(const char *b, u32 p, u32 e, struct sip_span *f)
{
	u32 s;

	while (p < e && (b[p] == ' ' || b[p] == '\t'))
		p++;
	s = p;
	/* controls other than HT (NUL, CR) are part of a field */
	for (;;) {
		p = sip_scan_ctl_or(b, p, e, 0, 0, 0, 0);
		if (p >= e || b[p] == ' ' || b[p] == '\t')
			break;
		p++;
	}
	span_set(f, s, p);
	return p;
}

static bool is_hold(const struct sip_addr *a)
{
	static const u8 zero[16];

	return a->family != SIP_AF_NONE && !memcmp(a->u.b, zero, 16);
}

/*
 * nettype SP addrtype SP address, RFC 4566 5.7:
 *   connection-address = multicast-address / unicast-address
 *   IP4-multicast = m1 3( "." decimal-uchar ) "/" ttl [ "/" integer ]
 *   IP6-multicast = hexpart [ "/" integer ]
 * slashes is false for o= and a=rtcp (unicast only). Unknown nettype or
 * addrtype: ADDRTYPE_OTHER, kept as is. An address that is not a literal
 * of its type is an FQDN (it then never matches a translation).
 */
static int parse_conn(const char *b, u32 p, u32 e, struct sdp_conn *c,
		      bool slashes)
{
	struct sip_span nt, at, ad;
	u32 q, a_end, v;

	memset(c, 0, sizeof(*c));
	c->num = 1;
	/*
	 * Nearly every SDP writes "IN IP4 " or "IN IP6 " with single
	 * spaces: the first two fields are then known without scanning.
	 * The address must start right after (a second SP or an HT goes
	 * the general way, which skips runs of them).
	 */
	if (e - p > 7 && !memcmp(b + p, "IN IP", 5) &&
	    (b[p + 5] == '4' || b[p + 5] == '6') && b[p + 6] == ' ' &&
	    b[p + 7] != ' ' && b[p + 7] != '\t') {
		span_set(&nt, p, p + 2);
		span_set(&at, p + 3, p + 6);
		p = field(b, p + 7, e, &ad);
	} else {
		p = field(b, p, e, &nt);
		p = field(b, p, e, &at);
		p = field(b, p, e, &ad);
	}
	if (!nt.len || !at.len || !ad.len)
		return -1;
	while (p < e && (b[p] == ' ' || b[p] == '\t'))
		p++;
	if (p != e)
		return -1;
	if (!SEQ(b, nt, "IN")) {
		c->addrtype = SDP_ADDRTYPE_OTHER;
		c->addr = ad;
		return 0;
	}
	if (SEQ(b, at, "IP4"))
		c->addrtype = SDP_ADDRTYPE_IP4;
	else if (SEQ(b, at, "IP6"))
		c->addrtype = SDP_ADDRTYPE_IP6;
	else
		c->addrtype = SDP_ADDRTYPE_OTHER;

	e = ad.off + ad.len;
	a_end = sip_scan_byte(b, ad.off, e, '/');
	if (a_end == ad.off)
		return -1;
	span_set(&c->addr, ad.off, a_end);
	if (a_end < e) {
		if (!slashes || c->addrtype == SDP_ADDRTYPE_OTHER)
			return -1;
		q = sdp_num(b, a_end + 1, e, 5, 65535, &v);
		if (q == a_end + 1)
			return -1;
		if (c->addrtype == SDP_ADDRTYPE_IP4) {
			if (v > 255)
				return -1;
			c->ttl = (u16)v;
			c->flags |= SDP_CF_TTL;
		} else {
			if (!v)
				return -1;
			c->num = (u16)v;
			c->flags |= SDP_CF_NUM;
		}
		if (q < e) {
			if (b[q] != '/' || c->addrtype != SDP_ADDRTYPE_IP4)
				return -1;
			a_end = q;
			q = sdp_num(b, a_end + 1, e, 5, 65535, &v);
			if (q == a_end + 1 || q != e || !v)
				return -1;
			c->num = (u16)v;
			c->flags |= SDP_CF_NUM;
		}
	}

	if (c->addrtype == SDP_ADDRTYPE_IP4 &&
	    sip_parse_ipv4(b + c->addr.off, c->addr.len, c->ip.u.b)) {
		c->ip.family = SIP_AF_INET;
		if ((c->ip.u.b[0] & 0xf0) == 0xe0)
			c->flags |= SDP_CF_MULTICAST;
	} else if (c->addrtype == SDP_ADDRTYPE_IP6 &&
		   sip_parse_ipv6(b + c->addr.off, c->addr.len, c->ip.u.b)) {
		c->ip.family = SIP_AF_INET6;
		if (c->ip.u.b[0] == 0xff)
			c->flags |= SDP_CF_MULTICAST;
	} else {
		memset(&c->ip, 0, sizeof(c->ip));
		c->flags |= SDP_CF_FQDN;
	}
	if (is_hold(&c->ip))
		c->flags |= SDP_CF_HOLD;
	return 0;
}

static u8 media_type(const char *b, struct sip_span t)
{
	if (SEQ(b, t, "audio"))
		return SDP_MEDIA_AUDIO;
	if (SEQ(b, t, "video"))
		return SDP_MEDIA_VIDEO;
	if (SEQ(b, t, "image"))
		return SDP_MEDIA_IMAGE;
	if (SEQ(b, t, "text"))
		return SDP_MEDIA_TEXT;
	if (SEQ(b, t, "application"))
		return SDP_MEDIA_APPLICATION;
	if (SEQ(b, t, "message"))
		return SDP_MEDIA_MESSAGE;
	return SDP_MEDIA_OTHER;
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 4566 5.14) */
static int parse_media(const char *b, u32 p, u32 e, struct sdp_media *md)
{
	struct sip_span pf;
	u32 q, v;

	span_set(&md->line, p, e);
	p = field(b, p, e, &md->type);
	p = field(b, p, e, &pf);
	p = field(b, p, e, &md->proto);
	if (!md->type.len || !pf.len || !md->proto.len)
		return SDP_ERR_MEDIA;
	while (p < e && (b[p] == ' ' || b[p] == '\t'))
		p++;
	span_set(&md->fmts, p, e);
	md->media_type = media_type(b, md->type);

	q = sdp_num(b, pf.off, pf.off + pf.len, 5, 65535, &v);
	if (q == pf.off)
		return SDP_ERR_PORT;
	span_set(&md->port, pf.off, q);
	md->port_num = (u16)v;
	md->port_count = 1;
	if (!v)
		md->flags |= SDP_MF_PORT_ZERO;
	if (q < pf.off + pf.len) {
		if (b[q] != '/')
			return SDP_ERR_PORT;
		p = q + 1;
		q = sdp_num(b, p, pf.off + pf.len, 5, 65535, &v);
		if (q == p || q != pf.off + pf.len || !v)
			return SDP_ERR_PORT;
		md->port_count = (u16)v;
		md->flags |= SDP_MF_COUNT;
	}
	return 0;
}

/* a=rtcp:<port> [<nettype> <addrtype> <connection-address>] (RFC 3605 2.1) */
static int parse_rtcp(const char *b, u32 p, u32 e, struct sdp_media *md)
{
	u32 q, v;

	if (md->flags & SDP_MF_RTCP)
		return -1;
	q = sdp_num(b, p, e, 5, 65535, &v);
	if (q == p || !v)
		return -1;
	span_set(&md->rtcp_port, p, q);
	md->rtcp_port_num = (u16)v;
	md->flags |= SDP_MF_RTCP;
	if (q == e)
		return 0;
	if (b[q] != ' ' && b[q] != '\t')
		return -1;
	if (parse_conn(b, q, e, &md->rtcp_conn, false))
		return -1;
	md->flags |= SDP_MF_RTCP_ADDR;
	return 0;
}

static u8 direction(const char *b, struct sip_span a)
{
	if (SEQ(b, a, "sendrecv"))
		return SDP_DIR_SENDRECV;
	if (SEQ(b, a, "sendonly"))
		return SDP_DIR_SENDONLY;
	if (SEQ(b, a, "recvonly"))
		return SDP_DIR_RECVONLY;
	if (SEQ(b, a, "inactive"))
		return SDP_DIR_INACTIVE;
	return SDP_DIR_NONE;
}

static int sdp_fail(struct sdp_msg *s, int err, u32 off)
{
	s->err = err;
	s->err_off = off;
	s->n_media = 0;
	return err;
}

int sdp_parse(const char *b, u32 buf_len, u32 off, u32 len,
	      struct sdp_msg *s)
{
	struct sdp_media *md = NULL;
	struct sip_span name;
	u32 p, e, ls, le, vs, q, i;
	bool first = true;
	u8 d;

	memset(s, 0, offsetof(struct sdp_msg, media));
	if (off > buf_len || len > buf_len - off)
		return sdp_fail(s, SDP_ERR_BAD_SPAN, off);
	if (!len)
		return sdp_fail(s, SDP_ERR_EMPTY, off);
	span_set(&s->body, off, off + len);
	p = off;
	e = off + len;

	while (p < e) {
		ls = p;
		p = sip_find_eol(b, p, e);
		le = p;
		/* CRLF, or a bare LF or CR: RFC 4566 5 asks for tolerance */
		if (p < e && b[p++] == '\r' && p < e && b[p] == '\n')
			p++;
		/* trailing whitespace is not part of any value */
		while (le > ls && (b[le - 1] == ' ' || b[le - 1] == '\t'))
			le--;
		if (le == ls)
			continue;	/* tolerate empty lines */
		if (le - ls < 2 || b[ls + 1] != '=' ||
		    !((b[ls] >= 'a' && b[ls] <= 'z') ||
		      (b[ls] >= 'A' && b[ls] <= 'Z')))
			return sdp_fail(s, SDP_ERR_LINE, ls);
		vs = ls + 2;
		if (first) {
			/* "v=0" must come first (RFC 4566 5) */
			if (b[ls] != 'v' || le - vs != 1 || b[vs] != '0')
				return sdp_fail(s, SDP_ERR_VERSION, ls);
			first = false;
			continue;
		}
		switch (b[ls]) {
		case 'o':
			if (md || (s->flags & SDP_F_ORIGIN))
				return sdp_fail(s, SDP_ERR_ORIGIN, ls);
			/* username sess-id sess-version nettype addrtype addr */
			span_set(&s->origin, vs, le);
			q = field(b, vs, le, &name);
			q = field(b, q, le, &name);
			q = field(b, q, le, &name);
			if (!name.len || parse_conn(b, q, le, &s->o_addr, false))
				return sdp_fail(s, SDP_ERR_ORIGIN, ls);
			s->flags |= SDP_F_ORIGIN;
			break;
		case 'c':
			/* one c= per level (several only for layered multicast) */
			if (md) {
				if (md->flags & SDP_MF_CONN)
					return sdp_fail(s, SDP_ERR_CONN, ls);
				if (parse_conn(b, vs, le, &md->conn, true))
					return sdp_fail(s, SDP_ERR_CONN, ls);
				md->flags |= SDP_MF_CONN;
			} else {
				if (s->flags & SDP_F_CONN)
					return sdp_fail(s, SDP_ERR_CONN, ls);
				if (parse_conn(b, vs, le, &s->conn, true))
					return sdp_fail(s, SDP_ERR_CONN, ls);
				s->flags |= SDP_F_CONN;
			}
			break;
		case 'm':
			if (s->n_media >= SDP_MAX_MEDIA)
				return sdp_fail(s, SDP_ERR_TOO_MANY, ls);
			md = &s->media[s->n_media];
			memset(md, 0, sizeof(*md));
			s->n_media++;
			i = (u32)parse_media(b, vs, le, md);
			if (i)
				return sdp_fail(s, (int)i, ls);
			break;
		case 'a':
			/*
			 * attribute = (att-field ":" att-value) / att-field.
			 * The names we act on hold no ':', so the name is one
			 * of them exactly when the line starts with it and
			 * ends or has its ':' right after it; any other
			 * attribute (rtpmap, fmtp, ...) is not scanned.
			 */
			q = le - vs;
			if (q >= 4 && !memcmp(b + vs, "rtcp", 4) &&
			    (q == 4 || b[vs + 4] == ':')) {
				if (!md)
					break;	/* media-level only */
				if (q == 4 ||
				    parse_rtcp(b, vs + 5, le, md))
					return sdp_fail(s, SDP_ERR_RTCP, ls);
			} else if (q >= 8 && !memcmp(b + vs, "rtcp-mux", 8) &&
				   (q == 8 || b[vs + 8] == ':')) {
				if (md)
					md->flags |= SDP_MF_RTCP_MUX;
			} else if (q == 8) {
				/* a direction has no value: "a=sendonly" */
				span_set(&name, vs, le);
				d = direction(b, name);
				if (!d)
					break;
				if (md)
					md->dir = d;
				else
					s->dir = d;
			}
			break;
		default:
			/* s= t= b= k= i= u= e= p= z= r=: kept untouched */
			break;
		}
	}
	if (first)
		return sdp_fail(s, SDP_ERR_VERSION, off);

	for (i = 0; i < s->n_media; i++) {
		const struct sdp_conn *c;

		md = &s->media[i];
		md->eff_dir = md->dir ? md->dir :
			      (s->dir ? s->dir : SDP_DIR_SENDRECV);
		c = (md->flags & SDP_MF_CONN) ? &md->conn :
		    ((s->flags & SDP_F_CONN) ? &s->conn : NULL);
		if (!c || c->ip.family == SIP_AF_NONE) {
			md->flags |= SDP_MF_NO_ADDR;
			continue;
		}
		md->addr = c->ip;
		if (c->flags & SDP_CF_HOLD)
			md->flags |= SDP_MF_HOLD;
	}
	return 0;
}
