// SPDX-License-Identifier: GPL-2.0
/*
 * SIP parser: the body. Content-Type classification (application/sdp,
 * multipart with a boundary) and, in a multipart body, the part that
 * holds the SDP (RFC 2046 5.1.1).
 */
#include "sip_parse_int.h"

/*
 * Content-Type = media-type; media-type = m-type SLASH m-subtype
 * *(SEMI m-parameter). Only application/sdp and multipart/ with a
 * boundary (RFC 2046 5.1.1, possibly quoted) matter; anything else is
 * OTHER and the body is left alone. Used for the message and for the
 * parts of a multipart body.
 */
u8 sip_classify_ctype(const char *b, u32 s, u32 e, struct sip_span *bnd)
{
	struct sip_span name, val, ty, sub;
	u32 p = s;
	bool has_eq;

	p = sip_skip_cls(b, p, e, C_TOKEN);
	sip_span_set(&ty, s, p);
	p = sip_skip_lws(b, p, e);
	if (p >= e || b[p] != '/')
		return SIP_CTYPE_OTHER;
	p = sip_skip_lws(b, p + 1, e);
	sub.off = p;
	p = sip_skip_cls(b, p, e, C_TOKEN);
	sub.len = p - sub.off;
	if (IEQ(b + ty.off, ty.len, "application") &&
	    IEQ(b + sub.off, sub.len, "sdp"))
		return SIP_CTYPE_SDP;
	if (!IEQ(b + ty.off, ty.len, "multipart") || !sub.len || !bnd)
		return SIP_CTYPE_OTHER;
	for (;;) {
		p = sip_skip_lws(b, p, e);
		if (p >= e || b[p] != ';')
			return SIP_CTYPE_OTHER;
		p++;
		if (sip_parse_gparam(b, &p, e, &name, &val, &has_eq))
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

/* A part's Content-Type value at [s, e), blanks around it, is SDP. */
static bool ctype_is_sdp(const char *b, u32 s, u32 e)
{
	u32 ve = sip_rtrim(b, s, e);

	/* a value of only blanks is empty (sip_skip_lws() would pass ve) */
	s = sip_skip_lws(b, s, ve);
	return sip_classify_ctype(b, s, ve, NULL) == SIP_CTYPE_SDP;
}

/*
 * The line [ls, le) is a delimiter line: "--" boundary, then "--" for the
 * close-delimiter (*close), then only transport padding (LWSP).
 */
static inline bool is_delimiter(const char *b, u32 ls, u32 le,
				const struct sip_msg *m, bool *close)
{
	u32 p = ls + 2 + m->boundary.len;

	if (le < p || b[ls] != '-' || b[ls + 1] != '-' ||
	    memcmp(b + ls + 2, b + m->boundary.off, m->boundary.len) != 0)
		return false;
	*close = p + 2 <= le && b[p] == '-' && b[p + 1] == '-';
	if (*close)
		p += 2;
	return sip_skip_cls(b, p, le, C_WS) == le;
}

/*
 * A part's headers from *pp up to the empty line that ends them; *pp is
 * then the start of the part's content. True when they end and one of
 * them says application/sdp.
 */
static inline bool part_headers_say_sdp(const char *b, u32 *pp, u32 e)
{
	u32 p = *pp, hs, n, q;
	bool is_sdp = false;

	while (p < e) {
		n = sip_eol_len(b, p, e);
		if (n) {
			*pp = p + n;
			return is_sdp;
		}
		hs = p;
		while (p < e && !IS(b, p, C_EOL))
			p++;
		q = sip_skip_cls(b, hs, p, C_TOKEN);
		if (IEQ(b + hs, q - hs, "content-type")) {
			q = sip_skip_cls(b, q, p, C_WS);
			if (q < p && b[q] == ':' && ctype_is_sdp(b, q + 1, p))
				is_sdp = true;
		}
		p += sip_eol_len(b, p, e);
	}
	*pp = p;
	return false;
}

/* The part [start, end) is SDP: the first is used, more are flagged. */
static inline void sdp_part_found(struct sip_msg *m, u32 start, u32 end)
{
	if (m->flags & SIP_F_SDP) {
		m->flags |= SIP_F_MULTI_SDP;
		return;
	}
	m->flags |= SIP_F_SDP;
	sip_span_set(&m->sdp, start, end > start ? end : start);
}

/*
 * Multipart body (RFC 2046 5.1.1): find the first part whose Content-Type
 * is application/sdp. A delimiter line is "--" boundary at the start of
 * the body or of a line. "The CRLF preceding the boundary delimiter line
 * is conceptually attached to the boundary", so a part's content ends
 * before it. Nested multiparts are not entered (no recursion): their SDP
 * is not found and the body stays as it is. Parts are only trusted once
 * their closing delimiter has been seen.
 */
void sip_find_sdp_part(const char *b, struct sip_msg *m)
{
	u32 e = m->body_off + m->body_len;
	u32 p = m->body_off, ls, part = 0, last_eol = 0;
	bool part_is_sdp = false, close;

	while (p < e) {
		ls = p;
		p = sip_find_eol(b, p, e);
		if (!is_delimiter(b, ls, p, m, &close)) {
			last_eol = p;
			p += sip_eol_len(b, p, e);
			continue;
		}
		if (part_is_sdp)
			sdp_part_found(m, part, last_eol);
		if (close)
			return;
		p += sip_eol_len(b, p, e);
		part_is_sdp = part_headers_say_sdp(b, &p, e);
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
