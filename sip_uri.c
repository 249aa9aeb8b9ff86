// SPDX-License-Identifier: GPL-2.0
/*
 * SIP parser: addresses and URIs. The IP literal parsers (also used by
 * sdp_parse.c and the planner), host = hostname / IPv4address /
 * IPv6reference with its port, and SIP/SIPS/tel URIs with the URI
 * parameters the ALG reads (lr, maddr, transport), RFC 3261 19.1, 25.1.
 */
#include "sip_parse_int.h"

u16 sip_parse_port(const char *s, u32 n)
{
	u32 v = 0, i, d;

	if (n == 0 || n > 5)
		return 0;
	for (i = 0; i < n; i++) {
		d = (u32)(u8)s[i] - '0';
		if (d > 9)
			return 0;
		v = v * 10 + d;
	}
	return v > 65535 ? 0 : (u16)v;
}

/* The digit at s[p], below n, in *d: false when there is none. */
static inline bool digit_at(const char *s, u32 p, u32 n, u32 *d)
{
	if (p >= n)
		return false;
	*d = (u32)(u8)s[p] - '0';
	return *d <= 9;
}

/*
 * One part of a dotted quad at s[p], below n: 1 to 3 digits, at most 255.
 * The offset after it with its value in *v, or 0 when there is none (a
 * part is never empty, so 0 is never an offset after one).  Unrolled: it
 * runs for every address the parsers read.
 */
static inline u32 ipv4_octet(const char *s, u32 p, u32 n, u32 *v)
{
	u32 d;

	if (!digit_at(s, p, n, v))
		return 0;
	if (!digit_at(s, ++p, n, &d))
		return p;
	*v = *v * 10 + d;
	if (!digit_at(s, ++p, n, &d))
		return p;
	*v = *v * 10 + d;
	return *v <= 255 ? p + 1 : 0;
}

/*
 * A dotted quad at b[p] within [p, e): the offset after it, or p when
 * there is none. Same grammar as sip_parse_ipv4(), which is this on a
 * whole span; what follows the quad is the caller's business.
 */
static inline u32 ipv4_prefix(const char *b, u32 p, u32 e, u8 out[4])
{
	u32 s = p, part, v;

	for (part = 0; ; part++) {
		p = ipv4_octet(b, p, e, &v);
		if (!p)
			return s;
		out[part] = (u8)v;
		if (part == 3)
			return p;
		if (p >= e || b[p] != '.')
			return s;
		p++;
	}
}

/*
 * Four parts of 1-3 digits, each <= 255, separated by single dots. out is
 * written part by part, as far as the parse got (callers clear it on
 * failure). At most 15 bytes are read, all below n; a fourth digit in a
 * part fails (it is not a '.').
 */
bool sip_parse_ipv4(const char *s, u32 n, u8 out[4])
{
	u32 p = 0, part, v;

	if (n < 7 || n > 15)
		return false;
	for (part = 0; ; part++) {
		p = ipv4_octet(s, p, n, &v);
		if (!p)
			return false;
		out[part] = (u8)v;
		if (part == 3)
			return p == n;
		if (p >= n - 1 || s[p] != '.')
			return false;
		p++;
	}
}

static inline u32 hexval(u8 c)
{
	if (c <= '9')
		return c - '0';
	return sip_lower(c) - 'a' + 10;
}

/*
 * RFC 4291 2.2: x:x:x:x:x:x:x:x with 1-4 hex digits per group, one "::"
 * standing for one or more zero groups, and optionally the last 32 bits
 * as a dotted quad.
 */
bool sip_parse_ipv6(const char *s, u32 n, u8 out[16])
{
	u16 w[8];
	u32 nw = 0, p = 0, q, v, i, gap;
	s32 dc = -1;

	if (n < 2)
		return false;
	if (s[0] == ':') {
		if (s[1] != ':')
			return false;
		dc = 0;
		p = 2;
	}
	while (p < n) {
		q = p;
		v = 0;
		while (q < n && IS(s, q, C_HEX) && q - p < 5) {
			v = (v << 4) | hexval((u8)s[q]);
			q++;
		}
		if (q < n && s[q] == '.') {
			/* embedded IPv4 ends the address */
			if (nw > 6 || !sip_parse_ipv4(s + p, n - p, out))
				return false;
			w[nw++] = (u16)(out[0] << 8 | out[1]);
			w[nw++] = (u16)(out[2] << 8 | out[3]);
			p = n;
			break;
		}
		if (q == p || q - p > 4 || nw == 8)
			return false;
		w[nw++] = (u16)v;
		p = q;
		if (p == n)
			break;
		if (s[p] != ':')
			return false;
		p++;
		if (p < n && s[p] == ':') {
			if (dc >= 0)
				return false;
			dc = (s32)nw;
			p++;
		} else if (p == n) {
			return false;
		}
	}
	if (dc >= 0 ? nw > 7 : nw != 8)
		return false;
	gap = 8 - nw;
	memset(out, 0, 16);
	for (i = 0; i < nw; i++) {
		u32 slot = (dc >= 0 && i >= (u32)dc) ? i + gap : i;

		out[2 * slot] = (u8)(w[i] >> 8);
		out[2 * slot + 1] = (u8)w[i];
	}
	return true;
}

bool sip_parse_ipaddr(const char *s, u32 n, struct sip_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	} else if (sip_parse_ipv4(s, n, a->u.b)) {
		a->family = SIP_AF_INET;
		return true;
	}
	if (sip_parse_ipv6(s, n, a->u.b)) {
		a->family = SIP_AF_INET6;
		return true;
	}
	memset(a, 0, sizeof(*a));
	return false;
}

/*
 * host = hostname / IPv4address / IPv6reference (RFC 3261 25.1).
 * A name made only of digits and dots that is not a valid dotted quad
 * stays a name: it can never equal a translated address.
 */
int sip_parse_host(const char *b, u32 *pp, u32 e, struct sip_hostport *hp)
{
	u32 p = *pp, s = p, q;

	if (p < e && b[p] == '[') {
		for (q = p + 1; q < e && b[q] != ']'; q++)
			if (!IS(b, q, C_HEX) && b[q] != ':' && b[q] != '.')
				return -1;
		if (q >= e || !sip_parse_ipv6(b + p + 1, q - p - 1,
					      hp->addr.u.b))
			return -1;
		hp->addr.family = SIP_AF_INET6;
		hp->host_type = SIP_HOST_IP6;
		p = q + 1;
	} else {
		/*
		 * The host is the longest run of hostname characters; it is
		 * an IPv4address when that whole run is a dotted quad (a
		 * hostname's toplabel starts with a letter, RFC 3261 25.1).
		 * A quad is tried first where the run starts: it is the host
		 * when no hostname character follows it, else the run is
		 * scanned on and is a name.
		 */
		q = ipv4_prefix(b, p, e, hp->addr.u.b);
		if (q > p && (q >= e || !IS(b, q, C_HOST))) {
			p = q;
			hp->addr.family = SIP_AF_INET;
			hp->host_type = SIP_HOST_IP4;
		} else {
			p = sip_skip_cls(b, p, e, C_HOST);
			if (p == s)
				return -1;
			hp->host_type = SIP_HOST_NAME;
			memset(&hp->addr, 0, sizeof(hp->addr));
		}
	}
	sip_span_set(&hp->host, s, p);
	*pp = p;
	return 0;
}

/* ":" port directly after the host (URIs). */
static int parse_port_at(const char *b, u32 *pp, u32 e, struct sip_hostport *hp)
{
	u32 p = *pp, q;

	if (p < e && b[p] == ':') {
		q = sip_skip_cls(b, p + 1, e, C_DIGIT);
		hp->port_num = sip_parse_port(b + p + 1, q - p - 1);
		if (!hp->port_num)
			return -1;
		sip_span_set(&hp->port, p + 1, q);
		p = q;
	}
	sip_span_set(&hp->span, hp->host.off, p);
	*pp = p;
	return 0;
}

/* RFC 3966 tel: URI after "tel:" at p: telephone-subscriber *par */
static inline int tel_uri(const char *b, u32 p, u32 e, struct sip_uri *u)
{
	u32 q = p;

	while (q < e && b[q] != ';')
		q++;
	if (q == p)
		return -1;
	sip_span_set(&u->user, p, q);
	if (q < e)
		sip_span_set(&u->params, q, e);
	return 0;
}

/*
 * uri-parameters = *( ";" uri-parameter ) at p, then [ headers ]. Empty
 * parameters (";;") are tolerated here: they carry nothing the ALG needs.
 */
static inline void uri_params(const char *b, u32 p, u32 e, struct sip_uri *u)
{
	u32 start = p, name, name_end, val;

	while (p < e && b[p] == ';') {
		name = ++p;
		while (p < e && b[p] != ';' && b[p] != '?' && b[p] != '=')
			p++;
		name_end = p;
		val = p;
		if (p < e && b[p] == '=') {
			val = ++p;
			while (p < e && b[p] != ';' && b[p] != '?')
				p++;
		}
		if (IEQ(b + name, name_end - name, "lr")) {
			u->flags |= SIP_URIF_LR;
		} else if (IEQ(b + name, name_end - name, "maddr") && val < p) {
			u->flags |= SIP_URIF_MADDR;
			sip_span_set(&u->maddr, val, p);
		} else if (IEQ(b + name, name_end - name, "transport") &&
			   val < p) {
			u->flags |= SIP_URIF_TRANSPORT;
			sip_span_set(&u->transport, val, p);
		}
	}
	if (p > start)
		sip_span_set(&u->params, start, p);
	if (p < e)
		u->flags |= SIP_URIF_HEADERS;
}

/*
 * SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 * (RFC 3261 19.1.1), [s, e) being exactly the URI. userinfo may contain
 * ";", "?", "," and ":" (user-unreserved, password) but never a bare "@",
 * and neither may the rest of the URI, so the first "@" ends userinfo.
 *
 * *u must be all zero on entry: every URI of struct sip_msg is filled
 * once, from a struct that sip_parse() (Request-URI, From, To; a second
 * From or To is refused before it is parsed) or sip_parse_contacts() has just
 * cleared, so clearing it here again would only cost time.
 */
int sip_parse_uri(const char *b, u32 s, u32 e, struct sip_uri *u)
{
	u32 p = s, q, at;

	sip_span_set(&u->span, s, e);
	if (p >= e || !IS(b, p, C_ALPHA))
		return -1;
	p = sip_skip_cls(b, p, e, C_SCHEME);
	if (p >= e || b[p] != ':')
		return -1;
	if (IEQ(b + s, p - s, "sip"))
		u->scheme = SIP_SCHEME_SIP;
	else if (IEQ(b + s, p - s, "sips"))
		u->scheme = SIP_SCHEME_SIPS;
	else if (IEQ(b + s, p - s, "tel"))
		u->scheme = SIP_SCHEME_TEL;
	else
		u->scheme = SIP_SCHEME_OTHER;
	p++;
	if (u->scheme == SIP_SCHEME_OTHER)
		return p < e ? 0 : -1;
	if (u->scheme == SIP_SCHEME_TEL)
		return tel_uri(b, p, e, u);

	at = sip_scan_byte(b, p, e, '@');
	if (at < e) {
		q = sip_scan_byte(b, p, at, ':');
		if (q < at)
			u->flags |= SIP_URIF_PASSWORD;
		sip_span_set(&u->user, p, q);
		p = at + 1;
	}
	if (sip_parse_host(b, &p, e, &u->hp) || parse_port_at(b, &p, e, &u->hp))
		return -1;
	if (p < e && b[p] != ';' && b[p] != '?')
		return -1;

	uri_params(b, p, e, u);
	return 0;
}
