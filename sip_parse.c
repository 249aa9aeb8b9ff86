// SPDX-License-Identifier: GPL-2.0
/*
 * One-pass SIP message indexer (RFC 3261), shared by the kernel modules,
 * the unit tests, the fuzzers and the benchmark. This file owns the
 * message: framing (sip_parse(), sip_frame()), the start line, header
 * names and their dispatch, and the single-value headers (CSeq,
 * Content-Length, Expires, Call-ID). URIs, name-addr, Via and the body
 * are parsed in the files listed in include/sip_parse_int.h.
 *
 * Rules every file of the parser keeps, because it reads packets from the
 * internet in softirq context:
 * - every index is checked against the end of the span it walks; no
 *   C-string function is used (bodies and quoted strings may hold NULs);
 * - every header line is visited once: its name is looked up, the value is
 *   delimited (following folds) and, if the ALG needs it, parsed right
 *   there; nothing is searched for again later;
 * - numbers are accumulated with an explicit cap, never with strtoul;
 * - no recursion, no allocation, nothing large on the stack.
 */
#include "sip_parse_int.h"

/* Character classes (RFC 3261 25.1): see C_TOKEN and the others. */
const u8 sip_cls[256] = {
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
 * CSeq = 1*DIGIT LWS Method; "the sequence number MUST be ... less than 2**31"
 * for new requests but "expressible as a 32-bit unsigned integer" (8.1.1.5).
 */
static int parse_cseq(const char *b, u32 s, u32 e, struct sip_msg *m)
{
	u32 p, q;
	u64 v;

	p = sip_digits(b, s, e, 0xffffffffu, &v);
	if (p == s || v > 0xffffffffu || p >= e || !IS(b, p, C_LWS))
		return SIP_ERR_CSEQ;
	sip_span_set(&m->cseq_num_span, s, p);
	m->cseq = (u32)v;
	p = sip_skip_lws(b, p, e);
	q = sip_skip_cls(b, p, e, C_TOKEN);
	if (q == p || q != e)
		return SIP_ERR_CSEQ;
	sip_span_set(&m->cseq_method_span, p, q);
	m->cseq_method = sip_method_id(b + p, q - p);
	return 0;
}

/*
 * Content-Length = 1*DIGIT. Absent, negative, non-numeric, >= 2^31 and
 * repeated with a different value are told apart (RFC 4475 3.1.2.2-3,
 * mcl01): the kernel logs them differently and TCP framing depends on it.
 */
static inline int clen_value(const char *b, u32 s, u32 e, u32 *clen)
{
	u64 v;

	if (s < e && b[s] == '-')
		return SIP_ERR_CL_NEGATIVE;
	if (sip_digits(b, s, e, SIP_MAX_CLEN - 1, &v) != e || s == e)
		return SIP_ERR_CL_SYNTAX;
	if (v >= SIP_MAX_CLEN)
		return SIP_ERR_CL_RANGE;
	*clen = (u32)v;
	return 0;
}

/* The message's Content-Length, once or repeated with the same value. */
static int parse_clen(const char *b, u32 s, u32 e, struct sip_msg *m)
{
	u32 v;
	int err = clen_value(b, s, e, &v);

	if (err)
		return err;
	if (m->flags & SIP_F_CL_PRESENT) {
		if (m->clen != v)
			return SIP_ERR_CL_DUP;
		m->flags |= SIP_F_CL_DUP_SAME;
		return 0;
	}
	m->flags |= SIP_F_CL_PRESENT;
	m->clen = v;
	sip_span_set(&m->clen_span, s, e);
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

	if (sip_digits(b, s, e, 0xffffffffu, &v) != e || s == e)
		return;
	m->flags |= SIP_F_EXPIRES;
	if (v > 0xffffffffu) {
		m->flags |= SIP_F_EXPIRES_CLAMPED;
		v = 0xffffffffu;
	}
	m->expires = (u32)v;
	sip_span_set(&m->expires_span, s, e);
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
		switch (sip_lower((u8)s[0])) {
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
		switch (sip_lower((u8)s[0])) {
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

	return e > len ? e : sip_rtrim(b, p, e);
}

/* Is @lit, directly followed by ':', at b[p] (@r bytes left)?  Its length. */
static inline u32 known_is(const char *b, u32 p, u32 r, const char *lit,
			   u32 n)
{
	return r > n && b[p + n] == ':' && sip_ieq(b + p, n, lit, n) ? n : 0;
}

/* A constant @lit: the compare is inlined with a constant length. */
#define KNOWN(lit)	known_is(b, p, r, lit, sizeof(lit) - 1)

/* The known names that start with 'c', most frequent first. */
static inline u32 known_c(const char *b, u32 p, u32 r, u8 *id)
{
	u32 n;

	n = KNOWN("cseq");
	*id = H_CSEQ;
	if (n)
		return n;
	n = KNOWN("contact");
	*id = H_CONTACT;
	if (n)
		return n;
	n = KNOWN("call-id");
	*id = H_CALLID;
	if (n)
		return n;
	n = KNOWN("content-type");
	*id = H_CTYPE;
	if (n)
		return n;
	*id = H_CLEN;
	return KNOWN("content-length");
}

/*
 * The headers the ALG reads, spelt as nearly every sender does: the name
 * (long or compact form, any case) directly followed by ':'. Returns the
 * name's length with *id set, or 0 and the line goes the general way (a
 * scan for the end of the name, whitespace, ':'). For a line it accepts,
 * the general way would find the same name and id: the name is made of
 * token characters and ends at the ':'.
 */
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
		*id = H_VIA;
		return KNOWN("via");
	case 'f':
		*id = H_FROM;
		return KNOWN("from");
	case 't':
		*id = H_TO;
		return KNOWN("to");
	case 'e':
		*id = H_EXPIRES;
		return KNOWN("expires");
	case 'c':
		return known_c(b, p, r, id);
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

	sip_span_set(&m->start_line, s, e);
	if (e - s >= 8 && memcmp(b + s, "SIP/", 4) == 0) {
		if (memcmp(b + s, "SIP/2.0 ", 8) != 0)
			return SIP_ERR_VERSION;
		m->kind = SIP_KIND_RESPONSE;
		p = s + 8;
		q = sip_digits(b, p, e, 999, &v);
		if (q - p != 3 || v < 100 || v > 699)
			return SIP_ERR_STATUS;
		if (q < e && b[q] != ' ')
			return SIP_ERR_STATUS;
		m->status = (u16)v;
		q = q < e ? q + 1 : q;
		sip_span_set(&m->reason, q, e);
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
	if (sip_skip_cls(b, t[0][0], t[0][1], C_TOKEN) != t[0][1])
		return SIP_ERR_START_LINE;
	sip_span_set(&m->method_span, t[0][0], t[0][1]);
	m->method = sip_method_id(b + t[0][0], t[0][1] - t[0][0]);
	if (t[2][1] - t[2][0] != 7 || memcmp(b + t[2][0], "SIP/2.0", 7))
		return SIP_ERR_VERSION;
	/* RFC 3261 19.1.1 table: headers are not allowed in a Request-URI */
	if (sip_parse_uri(b, t[1][0], t[1][1], &m->ruri) ||
	    (m->ruri.flags & SIP_URIF_HEADERS))
		return SIP_ERR_RURI;
	return 0;
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
		err = sip_parse_vias(b, vs, ve, m);
		break;
	case H_CONTACT:
		err = sip_parse_contacts(b, vs, ve, m);
		break;
	case H_FROM:
		if (sip_parse_naddr(b, &vs, ve, false, &m->from, &m->from_tag,
				NULL))
			err = SIP_ERR_FROM;
		break;
	case H_TO:
		if (sip_parse_naddr(b, &vs, ve, false, &m->to, &m->to_tag,
				    NULL))
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
			sip_span_set(&m->call_id, vs, ve);
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
		sip_span_set(&m->ctype_span, vs, ve);
		m->ctype = sip_classify_ctype(b, vs, ve, &m->boundary);
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

/*
 * Leading CRLFs (ignored, RFC 3261 7.5), the start line and its line end;
 * *pp is then the start of the first header line.
 */
static int parse_first_line(const char *b, u32 *pp, u32 len,
			    struct sip_msg *m)
{
	u32 p = *pp, ls, n;
	int err;

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
	n = sip_eol_len(b, p, len);
	if (n == 1)
		m->flags |= SIP_F_BARE_EOL;
	*pp = p + n;
	return 0;
}

/*
 * field-name HCOLON at *pp, HCOLON = *( SP / HTAB ) ":" SWS: *id is the
 * header's kind and *pp moves to just after the ':'.
 */
static inline int header_name(const char *b, u32 *pp, u32 len, u8 *id)
{
	u32 p = *pp, name_end, n;

	n = known_name(b, p, len, id);
	if (n) {
		*pp = p + n + 1;
		return 0;
	}
	p = sip_skip_cls(b, p, len, C_TOKEN);
	name_end = p;
	if (p < len && b[p] != ':')
		p = sip_skip_cls(b, p, len, C_WS);
	if (p >= len)
		return SIP_ERR_TRUNCATED;
	if (name_end == *pp || b[p] != ':')
		return SIP_ERR_HEADER;
	*id = header_id(b + *pp, name_end - *pp);
	*pp = p + 1;
	return 0;
}

/*
 * The header lines at *pp, each visited once, and the empty line that ends
 * them; *pp is then the start of the body. *seen collects SEEN() bits.
 */
static int parse_headers(const char *b, u32 *pp, u32 len, struct sip_msg *m,
			 u32 *seen)
{
	u32 p = *pp, line, vs, ve, next = 0, n;
	u8 id;
	int err;

	for (;;) {
		if (p >= len)
			return fail(m, SIP_ERR_TRUNCATED, p);
		n = sip_eol_len(b, p, len);
		if (n) {
			*pp = p + n;
			return 0;
		}
		line = p;
		vs = p;
		err = header_name(b, &vs, len, &id);
		if (err)
			return fail(m, err, line);
		/* a header the ALG does not read: only its end matters */
		ve = line_end(b, vs, len, &next, &m->flags);
		if (ve > len)
			return fail(m, SIP_ERR_TRUNCATED, line);
		if (id != H_OTHER) {
			ve = sip_rtrim(b, vs, ve);
			vs = sip_skip_lws(b, vs, ve);
			err = parse_header(b, id, vs, ve, m, seen);
			if (err)
				return fail(m, err, line);
		}
		p = next;
	}
}

#define SEEN_MANDATORY	(SEEN(H_VIA) | SEEN(H_FROM) | SEEN(H_TO) | \
			 SEEN(H_CALLID) | SEEN(H_CSEQ))

/* What every message must carry (RFC 3261 8.1.1), checked at offset p. */
static int check_mandatory(const char *b, u32 p, struct sip_msg *m,
			   u32 seen)
{
	if ((seen & SEEN_MANDATORY) != SEEN_MANDATORY || !m->n_via)
		return fail(m, SIP_ERR_MISSING, p);
	/* RFC 3261 8.1.1.5: the CSeq method MUST match the request's */
	if (m->kind == SIP_KIND_REQUEST &&
	    (m->method != m->cseq_method ||
	     (m->method == SIP_METHOD_OTHER &&
	      (m->method_span.len != m->cseq_method_span.len ||
	       memcmp(b + m->method_span.off, b + m->cseq_method_span.off,
		      m->method_span.len)))))
		return fail(m, SIP_ERR_CSEQ_METHOD, m->cseq_method_span.off);
	return 0;
}

/*
 * The body from p, and the SDP in it. RFC 3261 18.3: with Content-Length
 * the body is that many bytes (more bytes are a following message or
 * junk, fewer is an error on a datagram); without it a datagram's body is
 * the rest.
 */
static int delimit_body(const char *b, u32 p, u32 len, struct sip_msg *m)
{
	u32 avail = len - p;

	m->hdr_len = p;
	m->body_off = p;
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
			sip_span_set(&m->sdp, m->body_off, m->msg_len);
		} else if (m->ctype == SIP_CTYPE_MULTIPART) {
			sip_find_sdp_part(b, m);
		}
	}
	return 0;
}

int sip_parse(const char *b, u32 len, struct sip_msg *m)
{
	u32 p = 0, seen = 0;
	int err;

	/* via[] and contact[] entries are cleared as they are filled */
	memset(m, 0, offsetof(struct sip_msg, via));
	memset((char *)m + offsetof(struct sip_msg, from), 0,
	       sizeof(*m) - offsetof(struct sip_msg, from));
	if (len == 0 || len >= SIP_MAX_CLEN)
		return fail(m, SIP_ERR_BAD_LEN, 0);
	err = parse_first_line(b, &p, len, m);
	if (err)
		return err;
	err = parse_headers(b, &p, len, m, &seen);
	if (err)
		return err;
	err = check_mandatory(b, p, m, seen);
	if (err)
		return err;
	return delimit_body(b, p, len, m);
}

/*
 * RFC 5626 3.5.1 keep-alives: CRLFCRLF ping, CRLF pong. The whole run of
 * line-end bytes at the start is skipped.
 */
static int frame_keepalive(const char *b, u32 len, u32 *msg_len)
{
	u32 p = 0;

	while (p < len && IS(b, p, C_EOL))
		p++;
	*msg_len = p;
	return SIP_FRAME_KEEPALIVE;
}

/*
 * Stream framing. Walks the header lines once, looking only at
 * Content-Length/l, and never reads past len.
 */
int sip_frame(const char *b, u32 len, u32 *msg_len)
{
	u32 p = 0, ns, ne, vs, ve, next = 0, flags = 0, clen = 0, n, v;
	bool have = false;
	int err;

	*msg_len = 0;
	if (len && IS(b, 0, C_EOL))
		return frame_keepalive(b, len, msg_len);
	/* start line */
	p = sip_find_eol(b, p, len);
	if (p >= len)
		return SIP_FRAME_NEED_MORE;
	/* a CR as the last byte may be the first half of a CRLF */
	if (b[p] == '\r' && p + 1 == len)
		return SIP_FRAME_NEED_MORE;
	p += sip_eol_len(b, p, len);
	for (;;) {
		if (p >= len)
			return SIP_FRAME_NEED_MORE;
		n = sip_eol_len(b, p, len);
		if (n) {
			if (b[p] == '\r' && p + 1 == len)
				return SIP_FRAME_NEED_MORE;
			p += n;
			break;
		}
		ns = p;
		p = sip_skip_cls(b, p, len, C_TOKEN);
		ne = p;
		p = sip_skip_cls(b, p, len, C_WS);
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
			vs = sip_skip_lws(b, vs, ve);
			err = clen_value(b, vs, ve, &v);
			if (err)
				return err;
			if (have && clen != v)
				return SIP_ERR_CL_DUP;
			have = true;
			clen = v;
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
