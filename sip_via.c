// SPDX-License-Identifier: GPL-2.0
/*
 * SIP parser: the Via header, RFC 3261 20.42 and RFC 3581 (rport): the
 * sent-protocol, sent-by and the parameters the ALG rewrites (received,
 * rport, maddr) or reads (branch).
 */
#include "sip_parse_int.h"

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

/*
 * sent-protocol LWS at *pp: "SIP" SLASH "2.0" SLASH transport, then the
 * LWS before sent-by.
 */
static inline int via_protocol(const char *b, u32 *pp, u32 e,
			       struct sip_via *v)
{
	u32 p = *pp, s, i;

	/*
	 * Written without SWS (as it nearly always is), the first eight
	 * bytes say it at once; the general loop accepts exactly those too.
	 */
	if (e - p > 8 && IEQ(b + p, 8, "sip/2.0/")) {
		p = sip_skip_lws(b, p + 8, e);
	} else {
		for (i = 0; i < 2; i++) {
			s = p;
			p = sip_skip_cls(b, p, e, C_TOKEN);
			if (i == 0 ? !IEQ(b + s, p - s, "sip") :
				     !IEQ(b + s, p - s, "2.0"))
				return -1;
			p = sip_skip_lws(b, p, e);
			if (p >= e || b[p] != '/')
				return -1;
			p = sip_skip_lws(b, p + 1, e);
		}
	}
	s = p;
	p = sip_skip_cls(b, p, e, C_TOKEN);
	if (p == s || p >= e || !IS(b, p, C_LWS))
		return -1;
	sip_span_set(&v->transport, s, p);
	v->transport_id = transport_id(b + s, p - s);
	*pp = sip_skip_lws(b, p, e);
	return 0;
}

/* sent-by = host [ COLON port ] at *pp. */
static inline int via_sent_by(const char *b, u32 *pp, u32 e,
			      struct sip_via *v)
{
	struct sip_hostport *hp = &v->sent_by;
	u32 p = *pp, port;

	if (sip_parse_host(b, &p, e, hp))
		return -1;
	port = sip_skip_lws(b, p, e);
	if (port < e && b[port] == ':') {
		port = sip_skip_lws(b, port + 1, e);
		p = sip_skip_cls(b, port, e, C_DIGIT);
		hp->port_num = sip_parse_port(b + port, p - port);
		if (!hp->port_num)
			return -1;
		sip_span_set(&hp->port, port, p);
	}
	sip_span_set(&hp->span, hp->host.off, p);
	*pp = p;
	return 0;
}

/* One via-params entry: name and value as sip_parse_gparam() found them. */
static inline int via_param(const char *b, struct sip_span name,
			    struct sip_span val, bool has_eq,
			    struct sip_via *v)
{
	u8 f = via_param_flag(b + name.off, name.len);

	/*
	 * A parameter we act on given twice is ambiguous: a receiver
	 * may honour either copy, and a rewrite of one would leave
	 * the other pointing at the private side.  RFC 3261 forbids
	 * repeats in URIs (19.1.1) and no implementation sends them
	 * in a Via, so treat the Via as malformed.
	 */
	if (v->flags & f)
		return -1;
	v->flags |= f;
	if (f == SIP_VIAF_BRANCH) {
		v->branch = val;
	} else if (f == SIP_VIAF_RECEIVED) {
		v->received = val;
	} else if (f == SIP_VIAF_RPORT) {
		/* RFC 3581: response-port = "rport" [EQUAL 1*DIGIT] */
		v->rport = val;
		if (has_eq) {
			v->rport_num = sip_parse_port(b + val.off, val.len);
			if (!v->rport_num)
				return -1;
			v->flags |= SIP_VIAF_RPORT_VALUE;
		}
	} else if (f == SIP_VIAF_MADDR) {
		v->maddr = val;
	}
	return 0;
}

/*
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params )
 * sent-protocol = protocol-name SLASH protocol-version SLASH transport
 * sent-by = host [ COLON port ], with SLASH/COLON/SEMI/EQUAL all allowing
 * SWS around them (RFC 3261 20.42, 25.1; RFC 4475 3.1.1.1 folds them).
 */
static int parse_one_via(const char *b, u32 *pp, u32 e, struct sip_via *v)
{
	struct sip_span name, val;
	u32 p = *pp;
	bool has_eq;

	if (via_protocol(b, &p, e, v) || via_sent_by(b, &p, e, v))
		return -1;
	for (;;) {
		p = sip_skip_lws(b, p, e);
		if (p >= e || b[p] != ';')
			break;
		p++;
		if (sip_parse_gparam(b, &p, e, &name, &val, &has_eq) ||
		    via_param(b, name, val, has_eq, v))
			return -1;
	}
	*pp = p;
	return 0;
}

int sip_parse_vias(const char *b, u32 s, u32 e, struct sip_msg *m)
{
	struct sip_via *v;
	u32 p = s, vs;

	for (;;) {
		if (m->n_via >= SIP_MAX_VIA)
			return SIP_ERR_TOO_MANY;
		v = &m->via[m->n_via];
		memset(v, 0, sizeof(*v));
		vs = p = sip_skip_lws(b, p, e);
		if (parse_one_via(b, &p, e, v))
			return SIP_ERR_VIA;
		sip_span_set(&v->span, vs, sip_rtrim(b, vs, p));
		m->n_via++;
		p = sip_skip_lws(b, p, e);
		if (p >= e)
			return 0;
		if (b[p] != ',')
			return SIP_ERR_VIA;
		p++;
	}
}
