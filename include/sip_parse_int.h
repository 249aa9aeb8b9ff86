/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the SIP parser, shared by its files and by nothing else
 * (the modules, tests and planner use sip_parse.h):
 *   sip_parse.c   message framing, start line, header dispatch, the
 *                 single-value headers (CSeq, Content-Length, Expires)
 *   sip_uri.c     IP literals, host[:port], SIP/SIPS/tel URIs
 *   sip_naddr.c   generic parameters, name-addr (From, To), Contact
 *   sip_via.c     Via
 *   sip_body.c    Content-Type, the SDP part of a multipart body
 * The character classes and the small scanning helpers are here as static
 * inline functions: they are the innermost loops of every file, and a call
 * per byte run would cost more than the run (make bench).
 */
#ifndef _SIP_PARSE_INT_H
#define _SIP_PARSE_INT_H

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

extern const u8 sip_cls[256];	/* in sip_parse.c */

#define CLS(b, i)	(sip_cls[(u8)(b)[i]])
#define IS(b, i, c)	(CLS(b, i) & (c))
#define C_LWS		(C_WS | C_EOL)

static inline u8 sip_lower(u8 c)
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
static inline u64 sip_ieq_d8(const char *s, const char *lit)
{
	u64 a, l;

	memcpy(&a, s, 8);
	memcpy(&l, lit, 8);
	return (a | ((l & 0x4040404040404040ULL) >> 1)) ^ l;
}

static inline u32 sip_ieq_d4(const char *s, const char *lit)
{
	u32 a, l;

	memcpy(&a, s, 4);
	memcpy(&l, lit, 4);
	return (a | ((l & 0x40404040u) >> 1)) ^ l;
}

static inline u32 sip_ieq_d2(const char *s, const char *lit)
{
	u16 a, l;

	memcpy(&a, s, 2);
	memcpy(&l, lit, 2);
	return (u16)((a | ((l & 0x4040u) >> 1)) ^ l);
}

/* The ieq_dN() give the bits that differ: none means equal. */
static inline bool sip_ieq(const char *s, u32 n, const char *lit, u32 litn)
{
	u32 i;

	if (n != litn)
		return false;
	if (litn >= 8 && litn <= 16)
		return !(sip_ieq_d8(s, lit) |
			 sip_ieq_d8(s + litn - 8, lit + litn - 8));
	if (litn >= 4 && litn < 8)
		return !(sip_ieq_d4(s, lit) |
			 sip_ieq_d4(s + litn - 4, lit + litn - 4));
	if (litn >= 2 && litn < 4)
		return !(sip_ieq_d2(s, lit) |
			 sip_ieq_d2(s + litn - 2, lit + litn - 2));
	for (i = 0; i < n; i++)
		if (sip_lower((u8)s[i]) != (u8)lit[i])
			return false;
	return true;
}

#define IEQ(s, n, lit)	sip_ieq(s, n, lit, sizeof(lit) - 1)

/*
 * Inside a header value, CR and LF only occur as part of a fold
 * (RFC 3261 7.3.1: LWS = [*WSP CRLF] 1*WSP), so all four are whitespace.
 */
static inline u32 sip_skip_lws(const char *b, u32 p, u32 e)
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
static inline sip_word sip_w_not_alnum_dd(sip_word v)
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

static inline u32 sip_skip_cls(const char *b, u32 p, u32 e, u8 c)
{
#ifdef SIP_WORD_SCAN
	sip_word v, t;
#endif

	/*
	 * Callers may hand an empty span as p > e (a value of nothing but
	 * LWS: sip_skip_lws() from the left passes sip_rtrim() from the
	 * right); the "e - p" tests below need p <= e.
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
			t = sip_w_not_alnum_dd(v);
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

static inline u32 sip_rtrim(const char *b, u32 s, u32 e)
{
	while (e > s && IS(b, e - 1, C_LWS))
		e--;
	return e;
}

static inline void sip_span_set(struct sip_span *sp, u32 s, u32 e)
{
	sp->off = s;
	sp->len = e - s;
}

/*
 * Decimal 1*DIGIT at p with a cap: *val saturates at cap + 1 so callers can
 * tell "too large" from any valid value. Returns the first non-digit.
 */
static inline u32 sip_digits(const char *b, u32 p, u32 e, u64 cap, u64 *val)
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

/*
 * Line ends: CRLF, or a bare LF or CR (what nf_conntrack_sip accepts).
 * Returns the length of the line end at p (0 if none).
 */
static inline u32 sip_eol_len(const char *b, u32 p, u32 len)
{
	if (p >= len)
		return 0;
	if (b[p] == '\n')
		return 1;
	if (b[p] == '\r')
		return (p + 1 < len && b[p + 1] == '\n') ? 2 : 1;
	return 0;
}

/* sip_uri.c: host[:port] and URIs. */
int sip_parse_host(const char *b, u32 *pp, u32 e, struct sip_hostport *hp);
int sip_parse_uri(const char *b, u32 s, u32 e, struct sip_uri *u);

/* sip_naddr.c: header parameters, name-addr (From, To, Contact). */
int sip_parse_gparam(const char *b, u32 *pp, u32 e, struct sip_span *name,
		     struct sip_span *val, bool *has_eq);
int sip_parse_naddr(const char *b, u32 *pp, u32 e, bool list,
		    struct sip_uri *u, struct sip_span *tag,
		    struct sip_contact *ct);
int sip_parse_contacts(const char *b, u32 s, u32 e, struct sip_msg *m);

/* sip_via.c */
int sip_parse_vias(const char *b, u32 s, u32 e, struct sip_msg *m);

/* sip_body.c: Content-Type and multipart bodies. */
u8 sip_classify_ctype(const char *b, u32 s, u32 e, struct sip_span *bnd);
void sip_find_sdp_part(const char *b, struct sip_msg *m);

#endif /* _SIP_PARSE_INT_H */
