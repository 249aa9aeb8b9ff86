// SPDX-License-Identifier: GPL-2.0
/*
 * One-pass SIP message indexer (RFC 3261), shared by the kernel modules,
 * the unit tests, the fuzzers and the benchmark.
 *
 * Rules this file keeps, because it reads packets from the internet in
 * softirq context:
 * - every index is checked against the end of the span it walks; no
 *   C-string function is used (bodies and quoted strings may hold NULs);
 * - every header line is visited once: its name is looked up, the value is
 *   delimited (following folds) and, if the ALG needs it, parsed right
 *   there; nothing is searched for again later;
 * - numbers are accumulated with an explicit cap, never with strtoul;
 * - no recursion, no allocation, nothing large on the stack.
 */
#include "sip_parse.h"

/* Character classes (RFC 3261 25.1), one table lookup per byte. */
#define C_TOKEN		0x01	/* token: alphanum / "-.!%*_+`'~" */
#define C_DIGIT		0x02
#define C_HEX		0x04
#define C_WS		0x08	/* SP / HTAB */
#define C_EOL		0x10	/* CR / LF */
#define C_HOST		0x20	/* hostname chars: alphanum / "-." (and "_") */
#define C_ALPHA		0x40
#define C_SCHEME	0x80	/* scheme = ALPHA *( ALPHA / DIGIT / "+-." ) */

#define C_AL	(C_TOKEN | C_HOST | C_ALPHA | C_SCHEME)

static const u8 sip_cls[256] = {
	['\t'] = C_WS, ['\n'] = C_EOL, ['\r'] = C_EOL, [' '] = C_WS,
	['!'] = C_TOKEN, ['%'] = C_TOKEN, ['\''] = C_TOKEN, ['*'] = C_TOKEN,
	['+'] = C_TOKEN | C_SCHEME,
	['-'] = C_TOKEN | C_HOST | C_SCHEME,
	['.'] = C_TOKEN | C_HOST | C_SCHEME,
	['0' ... '9'] = C_TOKEN | C_DIGIT | C_HEX | C_HOST | C_SCHEME,
	['A' ... 'F'] = C_AL | C_HEX,
	['G' ... 'Z'] = C_AL,
	['_'] = C_TOKEN | C_HOST,
	['`'] = C_TOKEN,
	['a' ... 'f'] = C_AL | C_HEX,
	['g' ... 'z'] = C_AL,
	['~'] = C_TOKEN,
};

#define CLS(b, i)	(sip_cls[(u8)(b)[i]])
#define IS(b, i, c)	(CLS(b, i) & (c))
#define C_LWS		(C_WS | C_EOL)

static inline u8 lower(u8 c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/*
 * Case-insensitive compare with a literal of the same length. The literal
 * is lower case and a byte of it with bit 0x40 set must be a letter (true
 * of every literal here: letters, digits, "-" and "."). At a letter's
 * position the input byte is ORed with 0x20 before the compare, which maps
 * exactly the two cases of that letter onto it; elsewhere the compare is
 * exact. Up to 16 bytes are compared as two possibly overlapping words,
 * loaded from inside [s, s + n); litn is a constant, so all but one branch
 * and the literal's words fold away.
 */
static inline u64 ieq_d8(const char *s, const char *lit)
{
	u64 a, l;

	memcpy(&a, s, 8);
	memcpy(&l, lit, 8);
	return (a | ((l & 0x4040404040404040ULL) >> 1)) ^ l;
}

static inline u32 ieq_d4(const char *s, const char *lit)
{
	u32 a, l;

	memcpy(&a, s, 4);
	memcpy(&l, lit, 4);
	return (a | ((l & 0x40404040u) >> 1)) ^ l;
}

static inline u32 ieq_d2(const char *s, const char *lit)
{
	u16 a, l;

	memcpy(&a, s, 2);
	memcpy(&l, lit, 2);
	return (u16)((a | ((l & 0x4040u) >> 1)) ^ l);
}

/* The ieq_dN() give the bits that differ: none means equal. */
static inline bool ieq(const char *s, u32 n, const char *lit, u32 litn)
{
	u32 i;

	if (n != litn)
		return false;
	if (litn >= 8 && litn <= 16)
		return !(ieq_d8(s, lit) | ieq_d8(s + litn - 8, lit + litn - 8));
	if (litn >= 4 && litn < 8)
		return !(ieq_d4(s, lit) | ieq_d4(s + litn - 4, lit + litn - 4));
	if (litn >= 2 && litn < 4)
		return !(ieq_d2(s, lit) | ieq_d2(s + litn - 2, lit + litn - 2));
	for (i = 0; i < n; i++)
		if (lower((u8)s[i]) != (u8)lit[i])
			return false;
	return true;
}

#define IEQ(s, n, lit)	ieq(s, n, lit, sizeof(lit) - 1)

/*
 * Inside a header value, CR and LF only occur as part of a fold
 * (RFC 3261 7.3.1: LWS = [*WSP CRLF] 1*WSP), so all four are whitespace.
 */
static inline u32 skip_lws(const char *b, u32 p, u32 e)
{
	while (p < e && IS(b, p, C_LWS))
		p++;
	return p;
}

#ifdef SIP_WORD_SCAN
/*
 * High bit of every byte of v that is not a letter, a digit, '-' or '.'
 * (exact for each byte, not only the lowest). The bytes are taken on 7
 * bits so that no sum below carries into the next byte; bytes >= 0x80 are
 * then excluded. With b7 a byte's low 7 bits, b7 + (0x80 - lo) has its
 * high bit set when b7 >= lo, and b7 + (0x7f - hi) when b7 > hi:
 * letters are the case-folded (b7 | 0x20) in 'a'-'z', and '-' '.' and
 * the digits are '-'-'9' without '/'.
 */
static inline sip_word w_not_alnum_dd(sip_word v)
{
	const sip_word low7 = ~SIP_W_HIGHS;
	sip_word x = v & low7, lc = x | (SIP_W_ONES * 0x20), alpha, num, notsl;

	alpha = (lc + SIP_W_ONES * (0x80 - 'a')) &
		~(lc + SIP_W_ONES * (0x7f - 'z'));
	num = (x + SIP_W_ONES * (0x80 - '-')) &
	      ~(x + SIP_W_ONES * (0x7f - '9'));
	notsl = (x ^ (SIP_W_ONES * '/')) + low7;
	return ~((alpha | (num & notsl)) & ~v) & SIP_W_HIGHS;
}
#endif

static inline u32 skip_cls(const char *b, u32 p, u32 e, u8 c)
{
#ifdef SIP_WORD_SCAN
	sip_word v, t;
#endif

	/*
	 * Callers may hand an empty span as p > e (a value of nothing but
	 * LWS: skip_lws() from the left passes rtrim() from the right); the
	 * "e - p" tests below need p <= e.
	 */
	if (p >= e)
		return p;
#ifdef SIP_WORD_SCAN

	/*
	 * Host names are letters, digits, '-' and '.' (and '_'), often 20
	 * bytes and more: skip those a word at a time, then let the table
	 * decide from the first other byte. (Header names and the other
	 * token runs are too short for the word test to pay.)
	 */
	if (c == C_HOST) {
		while (e - p >= SIP_W_BYTES) {
			memcpy(&v, b + p, SIP_W_BYTES);
			t = w_not_alnum_dd(v);
			if (t) {
				p += sip_w_first(t);
				break;
			}
			p += SIP_W_BYTES;
		}
	}
#endif
	/* four bytes per bound check: names and hosts are runs of these */
	while (e - p >= 4) {
		if (!IS(b, p, c))
			return p;
		if (!IS(b, p + 1, c))
			return p + 1;
		if (!IS(b, p + 2, c))
			return p + 2;
		if (!IS(b, p + 3, c))
			return p + 3;
		p += 4;
	}
	while (p < e && IS(b, p, c))
		p++;
	return p;
}

static inline u32 rtrim(const char *b, u32 s, u32 e)
{
	while (e > s && IS(b, e - 1, C_LWS))
		e--;
	return e;
}

static inline void span_set(struct sip_span *sp, u32 s, u32 e)
{
	sp->off = s;
	sp->len = e - s;
}

/*
 * Decimal 1*DIGIT at p with a cap: *val saturates at cap + 1 so callers can
 * tell "too large" from any valid value. Returns the first non-digit.
 */
static u32 digits(const char *b, u32 p, u32 e, u64 cap, u64 *val)
{
	u64 v = 0;
	u32 d;

	while (p < e && (d = (u32)(u8)b[p] - '0') <= 9) {
		if (v <= cap)
			v = v * 10 + d;
		p++;
	}
	*val = v > cap ? cap + 1 : v;
	return p;
}

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

/*
 * A dotted quad at b[p] within [p, e): the offset after it, or p when
 * there is none. Same grammar as sip_parse_ipv4(), which is this on a
 * whole span; what follows the quad is the caller's business.
 */
static inline u32 ipv4_prefix(const char *b, u32 p, u32 e, u8 out[4])
{
	u32 s = p, part, v, d;

	for (part = 0; ; part++) {
		/* 1 to 3 digits */
		if (p >= e || (v = (u32)(u8)b[p] - '0') > 9)
			return s;
		if (++p < e && (d = (u32)(u8)b[p] - '0') <= 9) {
			v = v * 10 + d;
			if (++p < e && (d = (u32)(u8)b[p] - '0') <= 9) {
				v = v * 10 + d;
				p++;
				if (v > 255)
					return s;
			}
		}
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
 * failure). At most 15 bytes are read, all below n.
 */
bool sip_parse_ipv4(const char *s, u32 n, u8 out[4])
{
	u32 p = 0, part, v, d;

	if (n < 7 || n > 15)
		return false;
	for (part = 0; ; part++) {
		/* 1 to 3 digits; a fourth one fails below (not a '.') */
		v = (u32)(u8)s[p] - '0';
		if (v > 9)
			return false;
		if (++p < n && (d = (u32)(u8)s[p] - '0') <= 9) {
			v = v * 10 + d;
			if (++p < n && (d = (u32)(u8)s[p] - '0') <= 9) {
				v = v * 10 + d;
				p++;
				if (v > 255)
					return false;
			}
		}
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
	return lower(c) - 'a' + 10;
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

/* Methods, RFC 3261 7.1: "the method names are case-sensitive". */
static const struct {
	char name[10];
	u8 len;
} sip_methods[SIP_METHOD__COUNT] = {
	[SIP_METHOD_INVITE] = { "INVITE", 6 },
	[SIP_METHOD_ACK] = { "ACK", 3 },
	[SIP_METHOD_BYE] = { "BYE", 3 },
	[SIP_METHOD_CANCEL] = { "CANCEL", 6 },
	[SIP_METHOD_REGISTER] = { "REGISTER", 8 },
	[SIP_METHOD_OPTIONS] = { "OPTIONS", 7 },
	[SIP_METHOD_UPDATE] = { "UPDATE", 6 },
	[SIP_METHOD_PRACK] = { "PRACK", 5 },
	[SIP_METHOD_INFO] = { "INFO", 4 },
	[SIP_METHOD_MESSAGE] = { "MESSAGE", 7 },
	[SIP_METHOD_SUBSCRIBE] = { "SUBSCRIBE", 9 },
	[SIP_METHOD_NOTIFY] = { "NOTIFY", 6 },
	[SIP_METHOD_REFER] = { "REFER", 5 },
	[SIP_METHOD_PUBLISH] = { "PUBLISH", 7 },
};

/* Exact compare with the method's name when n is its length. */
static inline bool method_is(const char *s, u32 n, u8 id)
{
	return memcmp(s, sip_methods[id].name, n) == 0;
}

u8 sip_method_id(const char *s, u32 n)
{
	/* the length and first byte leave at most one candidate */
	switch (n) {
	case 3:
		if (s[0] == 'A')
			return method_is(s, 3, SIP_METHOD_ACK) ?
			       SIP_METHOD_ACK : SIP_METHOD_OTHER;
		return method_is(s, 3, SIP_METHOD_BYE) ?
		       SIP_METHOD_BYE : SIP_METHOD_OTHER;
	case 4:
		return method_is(s, 4, SIP_METHOD_INFO) ?
		       SIP_METHOD_INFO : SIP_METHOD_OTHER;
	case 5:
		if (s[0] == 'P')
			return method_is(s, 5, SIP_METHOD_PRACK) ?
			       SIP_METHOD_PRACK : SIP_METHOD_OTHER;
		return method_is(s, 5, SIP_METHOD_REFER) ?
		       SIP_METHOD_REFER : SIP_METHOD_OTHER;
	case 6:
		switch (s[0]) {
		case 'I':
			return method_is(s, 6, SIP_METHOD_INVITE) ?
			       SIP_METHOD_INVITE : SIP_METHOD_OTHER;
		case 'C':
			return method_is(s, 6, SIP_METHOD_CANCEL) ?
			       SIP_METHOD_CANCEL : SIP_METHOD_OTHER;
		case 'U':
			return method_is(s, 6, SIP_METHOD_UPDATE) ?
			       SIP_METHOD_UPDATE : SIP_METHOD_OTHER;
		default:
			return method_is(s, 6, SIP_METHOD_NOTIFY) ?
			       SIP_METHOD_NOTIFY : SIP_METHOD_OTHER;
		}
	case 7:
		switch (s[0]) {
		case 'O':
			return method_is(s, 7, SIP_METHOD_OPTIONS) ?
			       SIP_METHOD_OPTIONS : SIP_METHOD_OTHER;
		case 'M':
			return method_is(s, 7, SIP_METHOD_MESSAGE) ?
			       SIP_METHOD_MESSAGE : SIP_METHOD_OTHER;
		default:
			return method_is(s, 7, SIP_METHOD_PUBLISH) ?
			       SIP_METHOD_PUBLISH : SIP_METHOD_OTHER;
		}
	case 8:
		return method_is(s, 8, SIP_METHOD_REGISTER) ?
		       SIP_METHOD_REGISTER : SIP_METHOD_OTHER;
	case 9:
		return method_is(s, 9, SIP_METHOD_SUBSCRIBE) ?
		       SIP_METHOD_SUBSCRIBE : SIP_METHOD_OTHER;
	default:
		return SIP_METHOD_OTHER;
	}
}

/*
 * host = hostname / IPv4address / IPv6reference (RFC 3261 25.1).
 * A name made only of digits and dots that is not a valid dotted quad
 * stays a name: it can never equal a translated address.
 */
static int parse_host(const char *b, u32 *pp, u32 e, struct sip_hostport *hp)
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
			p = skip_cls(b, p, e, C_HOST);
			if (p == s)
				return -1;
			hp->host_type = SIP_HOST_NAME;
			memset(&hp->addr, 0, sizeof(hp->addr));
		}
	}
	span_set(&hp->host, s, p);
	*pp = p;
	return 0;
}

/* ":" port directly after the host (URIs). */
static int parse_port_at(const char *b, u32 *pp, u32 e, struct sip_hostport *hp)
{
	u32 p = *pp, q;

	if (p < e && b[p] == ':') {
		q = skip_cls(b, p + 1, e, C_DIGIT);
		hp->port_num = sip_parse_port(b + p + 1, q - p - 1);
		if (!hp->port_num)
			return -1;
		span_set(&hp->port, p + 1, q);
		p = q;
	}
	span_set(&hp->span, hp->host.off, p);
	*pp = p;
	return 0;
}

/*
 * SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 * (RFC 3261 19.1.1), [s, e) being exactly the URI. userinfo may contain
 * ";", "?", "," and ":" (user-unreserved, password) but never a bare "@",
 * and neither may the rest of the URI, so the first "@" ends userinfo.
 *
 * *u must be all zero on entry: every URI of struct sip_msg is filled
 * once, from a struct that sip_parse() (Request-URI, From, To; a second
 * From or To is refused before it is parsed) or parse_contacts() has just
 * cleared, so clearing it here again would only cost time.
 */
static int parse_uri(const char *b, u32 s, u32 e, struct sip_uri *u)
{
	u32 p = s, q, at, ns, ne, vs;
	span_set(&u->span, s, e);
	if (p >= e || !IS(b, p, C_ALPHA))
		return -1;
	p = skip_cls(b, p, e, C_SCHEME);
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
	if (u->scheme == SIP_SCHEME_TEL) {
		/* RFC 3966: telephone-subscriber *par */
		for (q = p; q < e && b[q] != ';'; q++)
			;
		if (q == p)
			return -1;
		span_set(&u->user, p, q);
		if (q < e)
			span_set(&u->params, q, e);
		return 0;
	}

	at = sip_scan_byte(b, p, e, '@');
	if (at < e) {
		q = sip_scan_byte(b, p, at, ':');
		if (q < at)
			u->flags |= SIP_URIF_PASSWORD;
		span_set(&u->user, p, q);
		p = at + 1;
	}
	if (parse_host(b, &p, e, &u->hp) || parse_port_at(b, &p, e, &u->hp))
		return -1;
	if (p < e && b[p] != ';' && b[p] != '?')
		return -1;

	/*
	 * uri-parameters = *( ";" uri-parameter ). Empty parameters (";;")
	 * are tolerated here: they carry nothing the ALG needs.
	 */
	vs = p;
	while (p < e && b[p] == ';') {
		ns = ++p;
		while (p < e && b[p] != ';' && b[p] != '?' && b[p] != '=')
			p++;
		ne = p;
		q = ne;
		if (p < e && b[p] == '=') {
			q = ++p;
			while (p < e && b[p] != ';' && b[p] != '?')
				p++;
		}
		if (IEQ(b + ns, ne - ns, "lr")) {
			u->flags |= SIP_URIF_LR;
		} else if (IEQ(b + ns, ne - ns, "maddr") && q < p) {
			u->flags |= SIP_URIF_MADDR;
			span_set(&u->maddr, q, p);
		} else if (IEQ(b + ns, ne - ns, "transport") && q < p) {
			u->flags |= SIP_URIF_TRANSPORT;
			span_set(&u->transport, q, p);
		}
	}
	if (p > vs)
		span_set(&u->params, vs, p);
	if (p < e)
		u->flags |= SIP_URIF_HEADERS;
	return 0;
}

/* quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE; p at '"'. */
static u32 skip_quoted(const char *b, u32 p, u32 e)
{
	for (p++; p < e; p++) {
		if (b[p] == '\\') {
			p++;
			continue;
		}
		if (b[p] == '"')
			return p + 1;
	}
	return e + 1;	/* unterminated */
}

/*
 * generic-param = token [ EQUAL gen-value ], gen-value = token / host /
 * quoted-string. Called with p after ";" (SEMI = SWS ";" SWS). Returns
 * -1 on an empty name or value; *name and *val (len 0 = no "=") are set.
 */
static int parse_gparam(const char *b, u32 *pp, u32 e, struct sip_span *name,
			struct sip_span *val, bool *has_eq)
{
	u32 p = skip_lws(b, *pp, e), s = p;

	p = skip_cls(b, p, e, C_TOKEN);
	if (p == s)
		return -1;
	span_set(name, s, p);
	val->off = p;
	val->len = 0;
	*has_eq = false;
	p = skip_lws(b, p, e);
	if (p < e && b[p] == '=') {
		*has_eq = true;
		p = skip_lws(b, p + 1, e);
		s = p;
		if (p < e && b[p] == '"') {
			p = skip_quoted(b, p, e);
			if (p > e)
				return -1;
		} else {
			/* to LWS, ';', ',' or '"'; other controls are kept */
			for (;;) {
				p = sip_scan_ctl_or(b, p, e, 3, ';', ',', '"');
				if (p >= e || (u8)b[p] > 0x20 ||
				    IS(b, p, C_LWS))
					break;
				p++;
			}
		}
		if (p == s)
			return -1;
		span_set(val, s, p);
	} else {
		/* keep p right after the name: ";rport" insertion point */
		p = name->off + name->len;
	}
	*pp = p;
	return 0;
}

/*
 * One name-addr / addr-spec with its header parameters (From, To,
 * Contact; RFC 3261 20.10, 20.20, 20.39):
 *   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 * "Even if the display-name is empty, the name-addr form MUST be used if
 * the addr-spec contains a comma, semicolon, or question mark": without
 * brackets the URI ends at ";", "," or whitespace, and a "?" is an error.
 * Stops at "," when list is set. tag/ct may be NULL.
 */
static int parse_naddr(const char *b, u32 *pp, u32 e, bool list,
		       struct sip_uri *u, struct sip_span *tag,
		       struct sip_contact *ct)
{
	struct sip_span name, val;
	u32 p = skip_lws(b, *pp, e), q, us;
	bool has_eq, angle = false;
	u64 v;

	if (p >= e)
		return -1;
	if (b[p] == '"') {
		p = skip_quoted(b, p, e);
		if (p > e)
			return -1;
		p = skip_lws(b, p, e);
		if (p >= e || b[p] != '<')
			return -1;
		angle = true;
	} else if (b[p] == '<') {
		angle = true;
	} else {
		q = skip_cls(b, p, e, C_TOKEN | C_LWS);
		if (q < e && b[q] == '<') {
			p = q;
			angle = true;
		}
	}
	if (angle) {
		/* LAQUOT = SWS "<", RAQUOT = ">" SWS: no LWS inside */
		us = ++p;
		/* up to '>' or LWS; other controls are part of the URI */
		for (;;) {
			p = sip_scan_ctl_or(b, p, e, 1, '>', 0, 0);
			if (p >= e || b[p] == '>' || IS(b, p, C_LWS))
				break;
			p++;
		}
		if (p >= e || b[p] != '>' || parse_uri(b, us, p, u))
			return -1;
		p++;
		if (ct)
			ct->flags |= SIP_CONTF_NAME_ADDR;
	} else {
		us = p;
		while (p < e && !IS(b, p, C_LWS) && b[p] != ';' && b[p] != ',')
			p++;
		if (parse_uri(b, us, p, u) || (u->flags & SIP_URIF_HEADERS))
			return -1;
	}
	for (;;) {
		p = skip_lws(b, p, e);
		if (p >= e || b[p] != ';')
			break;
		p++;
		if (parse_gparam(b, &p, e, &name, &val, &has_eq))
			return -1;
		if (tag && IEQ(b + name.off, name.len, "tag")) {
			*tag = val;
		} else if (ct && IEQ(b + name.off, name.len, "expires")) {
			/* delta-seconds; > 2^32-1 is clamped, as for Expires */
			q = digits(b, val.off, val.off + val.len, 0xffffffffu, &v);
			if (!val.len || q != val.off + val.len)
				return -1;
			ct->flags |= SIP_CONTF_EXPIRES;
			if (v > 0xffffffffu) {
				ct->flags |= SIP_CONTF_CLAMPED;
				v = 0xffffffffu;
			}
			ct->expires = (u32)v;
			ct->expires_span = val;
		}
	}
	if (p < e && !(list && b[p] == ','))
		return -1;
	*pp = p;
	return 0;
}

static int parse_contacts(const char *b, u32 s, u32 e, struct sip_msg *m)
{
	struct sip_contact *ct;
	u32 p = skip_lws(b, s, e), cs;

	/* Contact: "*" (RFC 3261 20.10), only in REGISTER */
	if (p < e && b[p] == '*' && skip_lws(b, p + 1, e) == e) {
		m->flags |= SIP_F_CONTACT_STAR;
		return 0;
	}
	for (;;) {
		if (m->n_contact >= SIP_MAX_CONTACT)
			return SIP_ERR_TOO_MANY;
		ct = &m->contact[m->n_contact];
		memset(ct, 0, sizeof(*ct));
		cs = skip_lws(b, p, e);
		if (parse_naddr(b, &p, e, true, &ct->uri, NULL, ct))
			return SIP_ERR_CONTACT;
		span_set(&ct->span, cs, rtrim(b, cs, p));
		m->n_contact++;
		if (p >= e)
			return 0;
		p++;	/* ',' */
	}
}

static u8 transport_id(const char *s, u32 n)
{
	if (IEQ(s, n, "udp"))
		return SIP_TRANSPORT_UDP;
	if (IEQ(s, n, "tcp"))
		return SIP_TRANSPORT_TCP;
	if (IEQ(s, n, "tls"))
		return SIP_TRANSPORT_TLS;
	if (IEQ(s, n, "sctp"))
		return SIP_TRANSPORT_SCTP;
	if (IEQ(s, n, "ws"))
		return SIP_TRANSPORT_WS;
	if (IEQ(s, n, "wss"))
		return SIP_TRANSPORT_WSS;
	return SIP_TRANSPORT_OTHER;
}

/*
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params )
 * sent-protocol = protocol-name SLASH protocol-version SLASH transport
 * sent-by = host [ COLON port ], with SLASH/COLON/SEMI/EQUAL all allowing
 * SWS around them (RFC 3261 20.42, 25.1; RFC 4475 3.1.1.1 folds them).
 */
/* The SIP_VIAF_* flag of a Via parameter we act on, 0 for any other. */
static u8 via_param_flag(const char *n, u32 len)
{
	if (IEQ(n, len, "branch"))
		return SIP_VIAF_BRANCH;
	if (IEQ(n, len, "received"))
		return SIP_VIAF_RECEIVED;
	if (IEQ(n, len, "rport"))
		return SIP_VIAF_RPORT;
	if (IEQ(n, len, "maddr"))
		return SIP_VIAF_MADDR;
	return 0;
}

static int parse_one_via(const char *b, u32 *pp, u32 e, struct sip_via *v)
{
	struct sip_span name, val;
	u32 p = *pp, s, q;
	bool has_eq;
	u8 f;

	/*
	 * "SIP" SLASH "2.0" SLASH, then the transport. Written without SWS
	 * (as it nearly always is), the first eight bytes say it at once;
	 * the general loop below accepts exactly those too.
	 */
	if (e - p > 8 && IEQ(b + p, 8, "sip/2.0/")) {
		p = skip_lws(b, p + 8, e);
		goto transport;
	}
	for (q = 0; q < 2; q++) {
		s = p;
		p = skip_cls(b, p, e, C_TOKEN);
		if (q == 0 ? !IEQ(b + s, p - s, "sip") :
			     !IEQ(b + s, p - s, "2.0"))
			return -1;
		p = skip_lws(b, p, e);
		if (p >= e || b[p] != '/')
			return -1;
		p = skip_lws(b, p + 1, e);
	}
transport:
	s = p;
	p = skip_cls(b, p, e, C_TOKEN);
	if (p == s || p >= e || !IS(b, p, C_LWS))
		return -1;
	span_set(&v->transport, s, p);
	v->transport_id = transport_id(b + s, p - s);

	p = skip_lws(b, p, e);
	if (parse_host(b, &p, e, &v->sent_by))
		return -1;
	q = skip_lws(b, p, e);
	if (q < e && b[q] == ':') {
		q = skip_lws(b, q + 1, e);
		p = skip_cls(b, q, e, C_DIGIT);
		v->sent_by.port_num = sip_parse_port(b + q, p - q);
		if (!v->sent_by.port_num)
			return -1;
		span_set(&v->sent_by.port, q, p);
	}
	span_set(&v->sent_by.span, v->sent_by.host.off, p);

	for (;;) {
		p = skip_lws(b, p, e);
		if (p >= e || b[p] != ';')
			break;
		p++;
		if (parse_gparam(b, &p, e, &name, &val, &has_eq))
			return -1;
		f = via_param_flag(b + name.off, name.len);
		/*
		 * A parameter we act on given twice is ambiguous: a receiver
		 * may honour either copy, and a rewrite of one would leave
		 * the other pointing at the private side.  RFC 3261 forbids
		 * repeats in URIs (19.1.1) and no implementation sends them
		 * in a Via, so treat the Via as malformed.
		 */
		if (v->flags & f)
			return -1;
		if (f == SIP_VIAF_BRANCH) {
			v->flags |= SIP_VIAF_BRANCH;
			v->branch = val;
		} else if (f == SIP_VIAF_RECEIVED) {
			v->flags |= SIP_VIAF_RECEIVED;
			v->received = val;
		} else if (f == SIP_VIAF_RPORT) {
			/* RFC 3581: response-port = "rport" [EQUAL 1*DIGIT] */
			v->flags |= SIP_VIAF_RPORT;
			v->rport = val;
			if (has_eq) {
				v->rport_num = sip_parse_port(b + val.off,
							      val.len);
				if (!v->rport_num)
					return -1;
				v->flags |= SIP_VIAF_RPORT_VALUE;
			}
		} else if (f == SIP_VIAF_MADDR) {
			v->flags |= SIP_VIAF_MADDR;
			v->maddr = val;
		}
	}
	*pp = p;
	return 0;
}

static int parse_vias(const char *b, u32 s, u32 e, struct sip_msg *m)
{
	struct sip_via *v;
	u32 p = s, vs;

	for (;;) {
		if (m->n_via >= SIP_MAX_VIA)
			return SIP_ERR_TOO_MANY;
		v = &m->via[m->n_via];
		memset(v, 0, sizeof(*v));
		vs = p = skip_lws(b, p, e);
		if (parse_one_via(b, &p, e, v))
			return SIP_ERR_VIA;
		span_set(&v->span, vs, rtrim(b, vs, p));
		m->n_via++;
		p = skip_lws(b, p, e);
		if (p >= e)
			return 0;
		if (b[p] != ',')
			return SIP_ERR_VIA;
		p++;
	}
}

/* CSeq = 1*DIGIT LWS Method; "the sequence number MUST be ... less than 2**31"
 * for new requests but "expressible as a 32-bit unsigned integer" (8.1.1.5). */
static int parse_cseq(const char *b, u32 s, u32 e, struct sip_msg *m)
{
	u32 p, q;
	u64 v;

	p = digits(b, s, e, 0xffffffffu, &v);
	if (p == s || v > 0xffffffffu || p >= e || !IS(b, p, C_LWS))
		return SIP_ERR_CSEQ;
	span_set(&m->cseq_num_span, s, p);
	m->cseq = (u32)v;
	p = skip_lws(b, p, e);
	q = skip_cls(b, p, e, C_TOKEN);
	if (q == p || q != e)
		return SIP_ERR_CSEQ;
	span_set(&m->cseq_method_span, p, q);
	m->cseq_method = sip_method_id(b + p, q - p);
	return 0;
}

/*
 * Content-Length = 1*DIGIT. Absent, negative, non-numeric, >= 2^31 and
 * repeated with a different value are told apart (RFC 4475 3.1.2.2-3,
 * mcl01): the kernel logs them differently and TCP framing depends on it.
 */
static int parse_clen(const char *b, u32 s, u32 e, struct sip_msg *m)
{
	u32 p;
	u64 v;

	if (s < e && b[s] == '-')
		return SIP_ERR_CL_NEGATIVE;
	p = digits(b, s, e, SIP_MAX_CLEN - 1, &v);
	if (p == s || p != e)
		return SIP_ERR_CL_SYNTAX;
	if (v >= SIP_MAX_CLEN)
		return SIP_ERR_CL_RANGE;
	if (m->flags & SIP_F_CL_PRESENT) {
		if (m->clen != (u32)v)
			return SIP_ERR_CL_DUP;
		m->flags |= SIP_F_CL_DUP_SAME;
		return 0;
	}
	m->flags |= SIP_F_CL_PRESENT;
	m->clen = (u32)v;
	span_set(&m->clen_span, s, p);
	return 0;
}

/*
 * Expires = delta-seconds; RFC 3261 20.19: "malformed values SHOULD be
 * treated as equivalent to 3600", so a non-number is simply not recorded
 * (the caller applies its default); values above 2^32-1 are clamped.
 */
static void parse_expires(const char *b, u32 s, u32 e, struct sip_msg *m)
{
	u64 v;

	if (digits(b, s, e, 0xffffffffu, &v) != e || s == e)
		return;
	m->flags |= SIP_F_EXPIRES;
	if (v > 0xffffffffu) {
		m->flags |= SIP_F_EXPIRES_CLAMPED;
		v = 0xffffffffu;
	}
	m->expires = (u32)v;
	span_set(&m->expires_span, s, e);
}

/*
 * Content-Type = media-type; media-type = m-type SLASH m-subtype
 * *(SEMI m-parameter). Only application/sdp and multipart/ with a
 * boundary (RFC 2046 5.1.1, possibly quoted) matter; anything else is
 * OTHER and the body is left alone. Used for the message and for the
 * parts of a multipart body.
 */
static u8 classify_ctype(const char *b, u32 s, u32 e, struct sip_span *bnd)
{
	struct sip_span name, val, ty, sub;
	u32 p = s;
	bool has_eq;

	p = skip_cls(b, p, e, C_TOKEN);
	span_set(&ty, s, p);
	p = skip_lws(b, p, e);
	if (p >= e || b[p] != '/')
		return SIP_CTYPE_OTHER;
	p = skip_lws(b, p + 1, e);
	sub.off = p;
	p = skip_cls(b, p, e, C_TOKEN);
	sub.len = p - sub.off;
	if (IEQ(b + ty.off, ty.len, "application") &&
	    IEQ(b + sub.off, sub.len, "sdp"))
		return SIP_CTYPE_SDP;
	if (!IEQ(b + ty.off, ty.len, "multipart") || !sub.len || !bnd)
		return SIP_CTYPE_OTHER;
	for (;;) {
		p = skip_lws(b, p, e);
		if (p >= e || b[p] != ';')
			return SIP_CTYPE_OTHER;
		p++;
		if (parse_gparam(b, &p, e, &name, &val, &has_eq))
			return SIP_CTYPE_OTHER;
		if (IEQ(b + name.off, name.len, "boundary") && val.len) {
			if (b[val.off] == '"') {
				if (val.len < 3)
					return SIP_CTYPE_OTHER;
				val.off++;
				val.len -= 2;
			}
			/* RFC 2046: boundary := 0*69<bchars> bcharsnospace */
			if (val.len > 70)
				return SIP_CTYPE_OTHER;
			*bnd = val;
			return SIP_CTYPE_MULTIPART;
		}
	}
}

/* Header kinds the ALG reads. */
enum {
	H_OTHER = 0, H_VIA, H_CONTACT, H_FROM, H_TO, H_CALLID, H_CSEQ,
	H_CLEN, H_EXPIRES, H_CTYPE,
};

/*
 * Header names are case-insensitive (RFC 3261 7.3.1); compact forms from
 * RFC 3261 7.3.3 (v m f t i l c; s k e are recognised and ignored). The
 * length picks the candidates, so most unknown headers cost one switch.
 */
static u8 header_id(const char *s, u32 n)
{
	switch (n) {
	case 1:
		switch (lower((u8)s[0])) {
		case 'v':
			return H_VIA;
		case 'm':
			return H_CONTACT;
		case 'f':
			return H_FROM;
		case 't':
			return H_TO;
		case 'i':
			return H_CALLID;
		case 'l':
			return H_CLEN;
		case 'c':
			return H_CTYPE;
		default:
			return H_OTHER;
		}
	case 2:
		return IEQ(s, n, "to") ? H_TO : H_OTHER;
	case 3:
		return IEQ(s, n, "via") ? H_VIA : H_OTHER;
	case 4:
		if (IEQ(s, n, "from"))
			return H_FROM;
		return IEQ(s, n, "cseq") ? H_CSEQ : H_OTHER;
	case 7:
		switch (lower((u8)s[0])) {
		case 'c':
			if (IEQ(s, n, "contact"))
				return H_CONTACT;
			return IEQ(s, n, "call-id") ? H_CALLID : H_OTHER;
		case 'e':
			return IEQ(s, n, "expires") ? H_EXPIRES : H_OTHER;
		default:
			return H_OTHER;
		}
	case 12:
		return IEQ(s, n, "content-type") ? H_CTYPE : H_OTHER;
	case 14:
		return IEQ(s, n, "content-length") ? H_CLEN : H_OTHER;
	default:
		return H_OTHER;
	}
}

/*
 * Line ends: CRLF, or a bare LF or CR (what nf_conntrack_sip accepts).
 * Returns the length of the line end at p (0 if none).
 */
static inline u32 eol_len(const char *b, u32 p, u32 len)
{
	if (p >= len)
		return 0;
	if (b[p] == '\n')
		return 1;
	if (b[p] == '\r')
		return (p + 1 < len && b[p + 1] == '\n') ? 2 : 1;
	return 0;
}

/*
 * Delimit a header value starting at p: up to the line end, following
 * folds (a line end followed by SP/HT). *next is the start of the next
 * line. Returns where the line end of the value's last line starts (the
 * value ends there, before trailing LWS: see value_end), or len + 1 when
 * the headers stop before a line end.
 */
static inline u32 line_end(const char *b, u32 p, u32 len, u32 *next,
			   u32 *flags)
{
	u32 n;

	for (;;) {
		p = sip_find_eol(b, p, len);
		if (p >= len)
			return len + 1;
		/* b[p] is CR or LF */
		if (b[p] == '\r' && p + 1 < len && b[p + 1] == '\n') {
			n = 2;
		} else {
			n = 1;
			*flags |= SIP_F_BARE_EOL;
		}
		if (p + n < len && IS(b, p + n, C_WS)) {
			*flags |= SIP_F_FOLDED;
			p += n;
			continue;
		}
		*next = p + n;
		return p;
	}
}

/* As line_end(), returning the end of the value without trailing LWS. */
static inline u32 value_end(const char *b, u32 p, u32 len, u32 *next,
			    u32 *flags)
{
	u32 e = line_end(b, p, len, next, flags);

	return e > len ? e : rtrim(b, p, e);
}

/*
 * The headers the ALG reads, spelt as nearly every sender does: the name
 * (long or compact form, any case) directly followed by ':'. Returns the
 * name's length with *id set, or 0 and the line goes the general way (a
 * scan for the end of the name, whitespace, ':'). For a line it accepts,
 * the general way would find the same name and id: the name is made of
 * token characters and ends at the ':'.
 */
#define KNOWN(lit, hid)							\
	do {								\
		if (r > sizeof(lit) - 1 && b[p + sizeof(lit) - 1] == ':' && \
		    IEQ(b + p, sizeof(lit) - 1, lit)) {			\
			*id = (hid);					\
			return sizeof(lit) - 1;				\
		}							\
	} while (0)

static inline u32 known_name(const char *b, u32 p, u32 len, u8 *id)
{
	u32 r = len - p;	/* > 0 */

	if (r > 1 && b[p + 1] == ':') {
		/* RFC 3261 7.3.3 compact forms; a letter, so a token */
		*id = header_id(b + p, 1);
		return *id != H_OTHER;
	}
	switch (b[p] | 0x20) {
	case 'v':
		KNOWN("via", H_VIA);
		break;
	case 'f':
		KNOWN("from", H_FROM);
		break;
	case 't':
		KNOWN("to", H_TO);
		break;
	case 'e':
		KNOWN("expires", H_EXPIRES);
		break;
	case 'c':
		KNOWN("cseq", H_CSEQ);
		KNOWN("contact", H_CONTACT);
		KNOWN("call-id", H_CALLID);
		KNOWN("content-type", H_CTYPE);
		KNOWN("content-length", H_CLEN);
		break;
	}
	return 0;
}

#undef KNOWN

/*
 * Start line (RFC 3261 7.1, 7.2):
 *   Request-Line = Method SP Request-URI SP SIP-Version CRLF
 *   Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 * RFC 4475 3.1.2.9/3.1.2.10 allow an element to be "liberal in what it
 * accepts" about extra SP between and after the request-line elements;
 * we are (SIP_F_LAX_START), since rejecting only makes the ALG leave the
 * message untranslated. LWS inside the Request-URI (3.1.2.8) still makes
 * a fourth element and is rejected.
 */
static int parse_start_line(const char *b, u32 s, u32 e, struct sip_msg *m)
{
	u32 p, t[3][2], nt = 0, q;
	u64 v;

	span_set(&m->start_line, s, e);
	if (e - s >= 8 && memcmp(b + s, "SIP/", 4) == 0) {
		if (memcmp(b + s, "SIP/2.0 ", 8) != 0)
			return SIP_ERR_VERSION;
		m->kind = SIP_KIND_RESPONSE;
		p = s + 8;
		q = digits(b, p, e, 999, &v);
		if (q - p != 3 || v < 100 || v > 699)
			return SIP_ERR_STATUS;
		if (q < e && b[q] != ' ')
			return SIP_ERR_STATUS;
		m->status = (u16)v;
		q = q < e ? q + 1 : q;
		span_set(&m->reason, q, e);
		return 0;
	}

	m->kind = SIP_KIND_REQUEST;
	p = s;
	while (p < e) {
		if (b[p] == ' ') {
			if (p > s && b[p - 1] == ' ')
				m->flags |= SIP_F_LAX_START;
			p++;
			continue;
		}
		if (nt == 3)
			return SIP_ERR_START_LINE;
		t[nt][0] = p;
		p = sip_scan_byte(b, p, e, ' ');
		t[nt++][1] = p;
	}
	if (nt != 3 || b[s] == ' ')
		return SIP_ERR_START_LINE;
	if (b[e - 1] == ' ')
		m->flags |= SIP_F_LAX_START;
	if (skip_cls(b, t[0][0], t[0][1], C_TOKEN) != t[0][1])
		return SIP_ERR_START_LINE;
	span_set(&m->method_span, t[0][0], t[0][1]);
	m->method = sip_method_id(b + t[0][0], t[0][1] - t[0][0]);
	if (t[2][1] - t[2][0] != 7 || memcmp(b + t[2][0], "SIP/2.0", 7))
		return SIP_ERR_VERSION;
	/* RFC 3261 19.1.1 table: headers are not allowed in a Request-URI */
	if (parse_uri(b, t[1][0], t[1][1], &m->ruri) ||
	    (m->ruri.flags & SIP_URIF_HEADERS))
		return SIP_ERR_RURI;
	return 0;
}

/* A part's Content-Type value at [s, e), blanks around it, is SDP. */
static bool ctype_is_sdp(const char *b, u32 s, u32 e)
{
	u32 ve = rtrim(b, s, e);

	/* a value of only blanks is empty (and skip_lws() would pass ve) */
	s = skip_lws(b, s, ve);
	return classify_ctype(b, s, ve, NULL) == SIP_CTYPE_SDP;
}

/*
 * Multipart body (RFC 2046 5.1.1): find the first part whose Content-Type
 * is application/sdp. A delimiter line is "--" boundary at the start of
 * the body or of a line, then "--" for the close-delimiter, then only
 * transport padding (LWSP). "The CRLF preceding the boundary delimiter
 * line is conceptually attached to the boundary", so a part's content ends
 * before it. Nested multiparts are not entered (no recursion): their SDP
 * is not found and the body stays as it is. Parts are only trusted once
 * their closing delimiter has been seen.
 */
static void find_sdp_part(const char *b, struct sip_msg *m)
{
	u32 e = m->body_off + m->body_len, bl = m->boundary.len;
	u32 p = m->body_off, ls, q, hs, part = 0, last_eol = 0;
	bool in_part = false, is_sdp = false, close;

	while (p < e) {
		ls = p;
		p = sip_find_eol(b, p, e);
		q = ls + 2 + bl;
		if (p < q || b[ls] != '-' || b[ls + 1] != '-' ||
		    memcmp(b + ls + 2, b + m->boundary.off, bl) != 0) {
			last_eol = p;
			p += eol_len(b, p, e);
			continue;
		}
		close = q + 2 <= p && b[q] == '-' && b[q + 1] == '-';
		if (close)
			q += 2;
		if (skip_cls(b, q, p, C_WS) != p) {
			last_eol = p;
			p += eol_len(b, p, e);
			continue;
		}
		if (in_part && is_sdp) {
			if (m->flags & SIP_F_SDP) {
				m->flags |= SIP_F_MULTI_SDP;
			} else {
				m->flags |= SIP_F_SDP;
				span_set(&m->sdp, part,
					 last_eol > part ? last_eol : part);
			}
		}
		if (close)
			return;
		p += eol_len(b, p, e);
		/* part headers, up to an empty line */
		in_part = false;
		is_sdp = false;
		while (p < e) {
			q = eol_len(b, p, e);
			if (q) {
				p += q;
				in_part = true;
				break;
			}
			hs = p;
			while (p < e && !IS(b, p, C_EOL))
				p++;
			q = skip_cls(b, hs, p, C_TOKEN);
			if (IEQ(b + hs, q - hs, "content-type")) {
				q = skip_cls(b, q, p, C_WS);
				if (q < p && b[q] == ':' &&
				    ctype_is_sdp(b, q + 1, p))
					is_sdp = true;
			}
			p += eol_len(b, p, e);
		}
		part = p;
		last_eol = p;
	}
	/* no close-delimiter: the message is left alone */
	if (m->flags & SIP_F_SDP) {
		m->flags &= ~(SIP_F_SDP | SIP_F_MULTI_SDP);
		m->sdp.off = 0;
		m->sdp.len = 0;
	}
}

/* Bit per header kind that may appear only once (RFC 3261 7.3.1). */
#define SEEN(h)		(1u << (h))

static int parse_header(const char *b, u8 id, u32 vs, u32 ve,
			struct sip_msg *m, u32 *seen)
{
	int err = 0;

	if ((id == H_FROM || id == H_TO || id == H_CALLID || id == H_CSEQ ||
	     id == H_CTYPE) && (*seen & SEEN(id)))
		return id == H_CTYPE ? SIP_ERR_CTYPE : SIP_ERR_DUP_HEADER;
	*seen |= SEEN(id);

	switch (id) {
	case H_VIA:
		err = parse_vias(b, vs, ve, m);
		break;
	case H_CONTACT:
		err = parse_contacts(b, vs, ve, m);
		break;
	case H_FROM:
		if (parse_naddr(b, &vs, ve, false, &m->from, &m->from_tag,
				NULL))
			err = SIP_ERR_FROM;
		break;
	case H_TO:
		if (parse_naddr(b, &vs, ve, false, &m->to, &m->to_tag, NULL))
			err = SIP_ERR_TO;
		break;
	case H_CALLID:
		/*
		 * callid = word [ "@" word ]. Only emptiness is checked: the
		 * ALG never interprets nor rewrites it.
		 */
		if (vs == ve)
			err = SIP_ERR_CALLID;
		else
			span_set(&m->call_id, vs, ve);
		break;
	case H_CSEQ:
		err = parse_cseq(b, vs, ve, m);
		break;
	case H_CLEN:
		err = parse_clen(b, vs, ve, m);
		break;
	case H_EXPIRES:
		parse_expires(b, vs, ve, m);
		break;
	case H_CTYPE:
		span_set(&m->ctype_span, vs, ve);
		m->ctype = classify_ctype(b, vs, ve, &m->boundary);
		break;
	}
	return err;
}

static int fail(struct sip_msg *m, int err, u32 off)
{
	m->err = err;
	m->err_off = off;
	return err;
}

int sip_parse(const char *b, u32 len, struct sip_msg *m)
{
	u32 p = 0, ls, ns, ne, vs, ve, next = 0, seen = 0, avail, n;
	u8 id;
	int err;

	/* via[] and contact[] entries are cleared as they are filled */
	memset(m, 0, offsetof(struct sip_msg, via));
	memset((char *)m + offsetof(struct sip_msg, from), 0,
	       sizeof(*m) - offsetof(struct sip_msg, from));
	if (len == 0 || len >= SIP_MAX_CLEN)
		return fail(m, SIP_ERR_BAD_LEN, 0);
	/* RFC 3261 7.5: ignore CRLFs before the start line */
	while (p < len && IS(b, p, C_EOL))
		p++;
	if (p == len)
		return fail(m, SIP_ERR_EMPTY, p);

	ls = p;
	p = sip_find_eol(b, p, len);
	if (p == len)
		return fail(m, SIP_ERR_TRUNCATED, p);
	err = parse_start_line(b, ls, p, m);
	if (err)
		return fail(m, err, ls);
	n = eol_len(b, p, len);
	if (n == 1)
		m->flags |= SIP_F_BARE_EOL;
	p += n;

	for (;;) {
		if (p >= len)
			return fail(m, SIP_ERR_TRUNCATED, p);
		n = eol_len(b, p, len);
		if (n) {
			p += n;		/* the empty line ends the headers */
			break;
		}
		/* field-name HCOLON: HCOLON = *( SP / HTAB ) ":" SWS */
		ns = p;
		n = known_name(b, p, len, &id);
		if (n) {
			p += n;
		} else {
			p = skip_cls(b, p, len, C_TOKEN);
			ne = p;
			if (p < len && b[p] != ':')
				p = skip_cls(b, p, len, C_WS);
			if (ne == ns || p >= len || b[p] != ':')
				return fail(m, p >= len ? SIP_ERR_TRUNCATED :
					    SIP_ERR_HEADER, ns);
			id = header_id(b + ns, ne - ns);
		}
		vs = p + 1;
		/* a header the ALG does not read: only its end matters */
		ve = line_end(b, vs, len, &next, &m->flags);
		if (ve > len)
			return fail(m, SIP_ERR_TRUNCATED, ns);
		if (id != H_OTHER) {
			ve = rtrim(b, vs, ve);
			vs = skip_lws(b, vs, ve);
			err = parse_header(b, id, vs, ve, m, &seen);
			if (err)
				return fail(m, err, ns);
		}
		p = next;
	}
	m->hdr_len = p;
	m->body_off = p;

	if ((seen & (SEEN(H_VIA) | SEEN(H_FROM) | SEEN(H_TO) |
		     SEEN(H_CALLID) | SEEN(H_CSEQ))) !=
	    (SEEN(H_VIA) | SEEN(H_FROM) | SEEN(H_TO) | SEEN(H_CALLID) |
	     SEEN(H_CSEQ)) || !m->n_via)
		return fail(m, SIP_ERR_MISSING, p);
	/* RFC 3261 8.1.1.5: the CSeq method MUST match the request's */
	if (m->kind == SIP_KIND_REQUEST &&
	    (m->method != m->cseq_method ||
	     (m->method == SIP_METHOD_OTHER &&
	      (m->method_span.len != m->cseq_method_span.len ||
	       memcmp(b + m->method_span.off, b + m->cseq_method_span.off,
		      m->method_span.len)))))
		return fail(m, SIP_ERR_CSEQ_METHOD, m->cseq_method_span.off);

	/*
	 * RFC 3261 18.3: with Content-Length the body is that many bytes
	 * (more bytes are a following message or junk, fewer is an error on
	 * a datagram); without it a datagram's body is the rest.
	 */
	avail = len - p;
	if (m->flags & SIP_F_CL_PRESENT) {
		if (m->clen > avail)
			return fail(m, SIP_ERR_CL_BEYOND, m->clen_span.off);
		m->body_len = m->clen;
		if (m->clen < avail)
			m->flags |= SIP_F_TRAILING;
	} else {
		m->body_len = avail;
	}
	m->msg_len = m->body_off + m->body_len;

	if (m->body_len) {
		if (m->ctype == SIP_CTYPE_SDP) {
			m->flags |= SIP_F_SDP;
			span_set(&m->sdp, m->body_off, m->msg_len);
		} else if (m->ctype == SIP_CTYPE_MULTIPART) {
			find_sdp_part(b, m);
		}
	}
	return 0;
}

/*
 * Stream framing. Walks the header lines once, looking only at
 * Content-Length/l, and never reads past len.
 */
int sip_frame(const char *b, u32 len, u32 *msg_len)
{
	u32 p = 0, ns, ne, vs, ve, next = 0, flags = 0, clen = 0, n;
	bool have = false;
	u64 v;

	*msg_len = 0;
	if (len && IS(b, 0, C_EOL)) {
		/* RFC 5626 3.5.1: CRLFCRLF ping, CRLF pong */
		while (p < len && IS(b, p, C_EOL))
			p++;
		*msg_len = p;
		return SIP_FRAME_KEEPALIVE;
	}
	/* start line */
	p = sip_find_eol(b, p, len);
	if (p >= len)
		return SIP_FRAME_NEED_MORE;
	/* a CR as the last byte may be the first half of a CRLF */
	if (b[p] == '\r' && p + 1 == len)
		return SIP_FRAME_NEED_MORE;
	p += eol_len(b, p, len);
	for (;;) {
		if (p >= len)
			return SIP_FRAME_NEED_MORE;
		n = eol_len(b, p, len);
		if (n) {
			if (b[p] == '\r' && p + 1 == len)
				return SIP_FRAME_NEED_MORE;
			p += n;
			break;
		}
		ns = p;
		p = skip_cls(b, p, len, C_TOKEN);
		ne = p;
		p = skip_cls(b, p, len, C_WS);
		if (p >= len)
			return SIP_FRAME_NEED_MORE;
		if (ne == ns || b[p] != ':')
			return SIP_ERR_HEADER;
		vs = p + 1;
		ve = value_end(b, vs, len, &next, &flags);
		/* the next byte decides whether the line is folded */
		if (ve > len || next >= len)
			return SIP_FRAME_NEED_MORE;
		if (header_id(b + ns, ne - ns) == H_CLEN) {
			vs = skip_lws(b, vs, ve);
			if (vs < ve && b[vs] == '-')
				return SIP_ERR_CL_NEGATIVE;
			if (digits(b, vs, ve, SIP_MAX_CLEN - 1, &v) != ve ||
			    vs == ve)
				return SIP_ERR_CL_SYNTAX;
			if (v >= SIP_MAX_CLEN)
				return SIP_ERR_CL_RANGE;
			if (have && clen != (u32)v)
				return SIP_ERR_CL_DUP;
			have = true;
			clen = (u32)v;
		}
		p = next;
	}
	if (!have)
		return SIP_ERR_CL_ABSENT;
	if (clen > 0xffffffffu - p)
		return SIP_ERR_CL_RANGE;
	/* Known length even when the body continues: TCP keeps its place. */
	*msg_len = p + clen;
	if (clen > len - p)
		return SIP_FRAME_NEED_MORE;
	return SIP_FRAME_COMPLETE;
}
