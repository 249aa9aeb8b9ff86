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
 * The three fields of [p, e): nettype, addrtype, address, and nothing after
 * them but blanks. False when one is missing or a fourth follows.
 */
static bool conn_fields(const char *b, u32 p, u32 e, struct sip_span *nettype,
			struct sip_span *addrtype, struct sip_span *addr)
{
	/*
	 * Nearly every SDP writes "IN IP4 " or "IN IP6 " with single
	 * spaces: the first two fields are then known without scanning.
	 * The address must start right after (a second SP or an HT goes
	 * the general way, which skips runs of them).
	 */
	if (e - p > 7 && !memcmp(b + p, "IN IP", 5) &&
	    (b[p + 5] == '4' || b[p + 5] == '6') && b[p + 6] == ' ' &&
	    b[p + 7] != ' ' && b[p + 7] != '\t') {
		span_set(nettype, p, p + 2);
		span_set(addrtype, p + 3, p + 6);
		p = field(b, p + 7, e, addr);
	} else {
		p = field(b, p, e, nettype);
		p = field(b, p, e, addrtype);
		p = field(b, p, e, addr);
	}
	if (!nettype->len || !addrtype->len || !addr->len)
		return false;
	while (p < e && (b[p] == ' ' || b[p] == '\t'))
		p++;
	return p == e;
}

/*
 * What follows the address at [slash, e), slash at its '/':
 *   IP4-multicast: "/" ttl [ "/" integer ], IP6-multicast: "/" integer
 * (the integer being the number of addresses).
 */
static int conn_multicast(const char *b, u32 slash, u32 e, struct sdp_conn *c)
{
	u32 end, v;

	end = sdp_num(b, slash + 1, e, 5, 65535, &v);
	if (end == slash + 1)
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
	if (end == e)
		return 0;
	if (b[end] != '/' || c->addrtype != SDP_ADDRTYPE_IP4)
		return -1;
	slash = end;
	end = sdp_num(b, slash + 1, e, 5, 65535, &v);
	if (end == slash + 1 || end != e || !v)
		return -1;
	c->num = (u16)v;
	c->flags |= SDP_CF_NUM;
	return 0;
}

/* c->addr as an IP literal of c->addrtype, else an FQDN. */
static void conn_literal(const char *b, struct sdp_conn *c)
{
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
	struct sip_span nettype, addrtype, addr;
	u32 addr_end, slash;

	memset(c, 0, sizeof(*c));
	c->num = 1;
	if (!conn_fields(b, p, e, &nettype, &addrtype, &addr))
		return -1;
	if (!SEQ(b, nettype, "IN")) {
		c->addrtype = SDP_ADDRTYPE_OTHER;
		c->addr = addr;
		return 0;
	}
	if (SEQ(b, addrtype, "IP4"))
		c->addrtype = SDP_ADDRTYPE_IP4;
	else if (SEQ(b, addrtype, "IP6"))
		c->addrtype = SDP_ADDRTYPE_IP6;
	else
		c->addrtype = SDP_ADDRTYPE_OTHER;

	addr_end = addr.off + addr.len;
	slash = sip_scan_byte(b, addr.off, addr_end, '/');
	if (slash == addr.off)
		return -1;
	span_set(&c->addr, addr.off, slash);
	if (slash < addr_end &&
	    (!slashes || c->addrtype == SDP_ADDRTYPE_OTHER ||
	     conn_multicast(b, slash, addr_end, c)))
		return -1;
	conn_literal(b, c);
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

/* The media section being read: the last m= so far, NULL before one. */
static inline struct sdp_media *cur_media(struct sdp_msg *s)
{
	return s->n_media ? &s->media[s->n_media - 1] : NULL;
}

/*
 * The line at p: [*ls, *le) is its text without the line end and trailing
 * blanks (which are not part of any value). Returns where the next starts.
 */
static inline u32 next_line(const char *b, u32 p, u32 e, u32 *ls, u32 *le)
{
	u32 end;

	*ls = p;
	p = sip_find_eol(b, p, e);
	end = p;
	/* CRLF, or a bare LF or CR: RFC 4566 5 asks for tolerance */
	if (p < e && b[p++] == '\r' && p < e && b[p] == '\n')
		p++;
	while (end > *ls && (b[end - 1] == ' ' || b[end - 1] == '\t'))
		end--;
	*le = end;
	return p;
}

/* type "=" value, the type being one letter (RFC 4566 5). */
static inline bool is_type_line(const char *b, u32 ls, u32 le)
{
	return le - ls >= 2 && b[ls + 1] == '=' &&
	       ((b[ls] >= 'a' && b[ls] <= 'z') ||
		(b[ls] >= 'A' && b[ls] <= 'Z'));
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> */
static int origin_line(const char *b, u32 vs, u32 ve, struct sdp_msg *s)
{
	struct sip_span skipped;
	u32 p;

	if (s->n_media || (s->flags & SDP_F_ORIGIN))
		return SDP_ERR_ORIGIN;
	span_set(&s->origin, vs, ve);
	p = field(b, vs, ve, &skipped);		/* username */
	p = field(b, p, ve, &skipped);		/* sess-id */
	p = field(b, p, ve, &skipped);		/* sess-version */
	if (!skipped.len || parse_conn(b, p, ve, &s->o_addr, false))
		return SDP_ERR_ORIGIN;
	s->flags |= SDP_F_ORIGIN;
	return 0;
}

/* c=, one per level (several only for layered multicast). */
static int conn_line(const char *b, u32 vs, u32 ve, struct sdp_msg *s)
{
	struct sdp_media *md = cur_media(s);
	struct sdp_conn *c = md ? &md->conn : &s->conn;
	u8 *flags = md ? &md->flags : &s->flags;
	u8 present = md ? SDP_MF_CONN : SDP_F_CONN;

	if ((*flags & present) || parse_conn(b, vs, ve, c, true))
		return SDP_ERR_CONN;
	*flags |= present;
	return 0;
}

/* m= opens a media section. */
static int media_line(const char *b, u32 vs, u32 ve, struct sdp_msg *s)
{
	struct sdp_media *md;

	if (s->n_media >= SDP_MAX_MEDIA)
		return SDP_ERR_TOO_MANY;
	md = &s->media[s->n_media++];
	memset(md, 0, sizeof(*md));
	return parse_media(b, vs, ve, md);
}

/*
 * attribute = (att-field ":" att-value) / att-field. The names we act on
 * hold no ':', so the attribute at [vs, vs + n) is one of them exactly
 * when it starts with the name and ends or has its ':' right after it.
 */
static inline bool attr_is(const char *b, u32 vs, u32 n, const char *name,
			   u32 name_len)
{
	return n >= name_len && !memcmp(b + vs, name, name_len) &&
	       (n == name_len || b[vs + name_len] == ':');
}

#define ATTR_IS(b, vs, n, name)	attr_is(b, vs, n, name, sizeof(name) - 1)

/* a=rtcp, a=rtcp-mux and the directions; any other (rtpmap...) is kept. */
static int attribute_line(const char *b, u32 vs, u32 ve, struct sdp_msg *s)
{
	struct sdp_media *md = cur_media(s);
	struct sip_span attr;
	u32 n = ve - vs;
	u8 dir;

	if (ATTR_IS(b, vs, n, "rtcp")) {
		/* media-level only; it has a value */
		if (md && (n == 4 || parse_rtcp(b, vs + 5, ve, md)))
			return SDP_ERR_RTCP;
	} else if (ATTR_IS(b, vs, n, "rtcp-mux")) {
		if (md)
			md->flags |= SDP_MF_RTCP_MUX;
	} else if (n == 8) {
		/* a direction has no value: "a=sendonly" */
		span_set(&attr, vs, ve);
		dir = direction(b, attr);
		if (dir && md)
			md->dir = dir;
		else if (dir)
			s->dir = dir;
	}
	return 0;
}

/* One line after v=0; [vs, ve) is its value. */
static int sdp_line(const char *b, char type, u32 vs, u32 ve,
		    struct sdp_msg *s)
{
	switch (type) {
	case 'o':
		return origin_line(b, vs, ve, s);
	case 'c':
		return conn_line(b, vs, ve, s);
	case 'm':
		return media_line(b, vs, ve, s);
	case 'a':
		return attribute_line(b, vs, ve, s);
	default:
		/* s= t= b= k= i= u= e= p= z= r=: kept untouched */
		return 0;
	}
}

/*
 * Per media section, what applies to it: its own direction and c=, else
 * the session's (RFC 4566 5.7, 6: sendrecv when neither has one).
 */
static void resolve_media(struct sdp_msg *s)
{
	const struct sdp_conn *c;
	struct sdp_media *md;
	u32 i;

	for (i = 0; i < s->n_media; i++) {
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
}

int sdp_parse(const char *b, u32 buf_len, u32 off, u32 len,
	      struct sdp_msg *s)
{
	u32 p, end, ls, le;
	bool have_version = false;
	int err;

	memset(s, 0, offsetof(struct sdp_msg, media));
	if (off > buf_len || len > buf_len - off)
		return sdp_fail(s, SDP_ERR_BAD_SPAN, off);
	if (!len)
		return sdp_fail(s, SDP_ERR_EMPTY, off);
	span_set(&s->body, off, off + len);
	end = off + len;

	for (p = off; p < end;) {
		p = next_line(b, p, end, &ls, &le);
		if (le == ls)
			continue;	/* tolerate empty lines */
		if (!is_type_line(b, ls, le))
			return sdp_fail(s, SDP_ERR_LINE, ls);
		if (!have_version) {
			/* "v=0" must come first (RFC 4566 5) */
			if (b[ls] != 'v' || le - ls != 3 || b[ls + 2] != '0')
				return sdp_fail(s, SDP_ERR_VERSION, ls);
			have_version = true;
			continue;
		}
		err = sdp_line(b, b[ls], ls + 2, le, s);
		if (err)
			return sdp_fail(s, err, ls);
	}
	if (!have_version)
		return sdp_fail(s, SDP_ERR_VERSION, off);
	resolve_media(s);
	return 0;
}
