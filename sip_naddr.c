// SPDX-License-Identifier: GPL-2.0
/*
 * SIP parser: header parameters (generic-param, quoted-string) and the
 * name-addr / addr-spec values of From, To and Contact with their tag and
 * expires parameters, RFC 3261 20.10, 20.20, 20.39, 25.1.
 */
#include "sip_parse_int.h"

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
int sip_parse_gparam(const char *b, u32 *pp, u32 e, struct sip_span *name,
			struct sip_span *val, bool *has_eq)
{
	u32 p = sip_skip_lws(b, *pp, e), s = p;

	p = sip_skip_cls(b, p, e, C_TOKEN);
	if (p == s)
		return -1;
	sip_span_set(name, s, p);
	val->off = p;
	val->len = 0;
	*has_eq = false;
	p = sip_skip_lws(b, p, e);
	if (p < e && b[p] == '=') {
		*has_eq = true;
		p = sip_skip_lws(b, p + 1, e);
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
		sip_span_set(val, s, p);
	} else {
		/* keep p right after the name: ";rport" insertion point */
		p = name->off + name->len;
	}
	*pp = p;
	return 0;
}

/*
 * The URI of a name-addr ([display-name] "<" URI ">") or of a bare
 * addr-spec at *pp; *pp moves past it. *angle tells which it was.
 */
static inline int naddr_uri(const char *b, u32 *pp, u32 e, struct sip_uri *u,
			    bool *angle)
{
	u32 p = sip_skip_lws(b, *pp, e), q, us;

	*angle = false;
	if (p >= e)
		return -1;
	if (b[p] == '"') {
		p = skip_quoted(b, p, e);
		if (p > e)
			return -1;
		p = sip_skip_lws(b, p, e);
		if (p >= e || b[p] != '<')
			return -1;
		*angle = true;
	} else if (b[p] == '<') {
		*angle = true;
	} else {
		q = sip_skip_cls(b, p, e, C_TOKEN | C_LWS);
		if (q < e && b[q] == '<') {
			p = q;
			*angle = true;
		}
	}
	if (*angle) {
		/* LAQUOT = SWS "<", RAQUOT = ">" SWS: no LWS inside */
		us = ++p;
		/* up to '>' or LWS; other controls are part of the URI */
		for (;;) {
			p = sip_scan_ctl_or(b, p, e, 1, '>', 0, 0);
			if (p >= e || b[p] == '>' || IS(b, p, C_LWS))
				break;
			p++;
		}
		if (p >= e || b[p] != '>' || sip_parse_uri(b, us, p, u))
			return -1;
		*pp = p + 1;
		return 0;
	}
	us = p;
	while (p < e && !IS(b, p, C_LWS) && b[p] != ';' && b[p] != ',')
		p++;
	if (sip_parse_uri(b, us, p, u) || (u->flags & SIP_URIF_HEADERS))
		return -1;
	*pp = p;
	return 0;
}

/* Contact ;expires= delta-seconds; > 2^32-1 is clamped, as for Expires. */
static inline int contact_expires(const char *b, struct sip_span val,
				  struct sip_contact *ct)
{
	u64 v;

	if (!val.len ||
	    sip_digits(b, val.off, val.off + val.len, 0xffffffffu, &v) !=
	    val.off + val.len)
		return -1;
	ct->flags |= SIP_CONTF_EXPIRES;
	if (v > 0xffffffffu) {
		ct->flags |= SIP_CONTF_CLAMPED;
		v = 0xffffffffu;
	}
	ct->expires = (u32)v;
	ct->expires_span = val;
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
int sip_parse_naddr(const char *b, u32 *pp, u32 e, bool list,
		    struct sip_uri *u, struct sip_span *tag,
		    struct sip_contact *ct)
{
	struct sip_span name, val;
	u32 p = *pp;
	bool has_eq, angle;

	if (naddr_uri(b, &p, e, u, &angle))
		return -1;
	if (angle && ct)
		ct->flags |= SIP_CONTF_NAME_ADDR;
	for (;;) {
		p = sip_skip_lws(b, p, e);
		if (p >= e || b[p] != ';')
			break;
		p++;
		if (sip_parse_gparam(b, &p, e, &name, &val, &has_eq))
			return -1;
		if (tag && IEQ(b + name.off, name.len, "tag"))
			*tag = val;
		else if (ct && IEQ(b + name.off, name.len, "expires") &&
			 contact_expires(b, val, ct))
			return -1;
	}
	if (p < e && !(list && b[p] == ','))
		return -1;
	*pp = p;
	return 0;
}

int sip_parse_contacts(const char *b, u32 s, u32 e, struct sip_msg *m)
{
	struct sip_contact *ct;
	u32 p = sip_skip_lws(b, s, e), cs;

	/* Contact: "*" (RFC 3261 20.10), only in REGISTER */
	if (p < e && b[p] == '*' && sip_skip_lws(b, p + 1, e) == e) {
		m->flags |= SIP_F_CONTACT_STAR;
		return 0;
	}
	for (;;) {
		if (m->n_contact >= SIP_MAX_CONTACT)
			return SIP_ERR_TOO_MANY;
		ct = &m->contact[m->n_contact];
		memset(ct, 0, sizeof(*ct));
		cs = sip_skip_lws(b, p, e);
		if (sip_parse_naddr(b, &p, e, true, &ct->uri, NULL, ct))
			return SIP_ERR_CONTACT;
		sip_span_set(&ct->span, cs, sip_rtrim(b, cs, p));
		m->n_contact++;
		if (p >= e)
			return 0;
		p++;	/* ',' */
	}
}
