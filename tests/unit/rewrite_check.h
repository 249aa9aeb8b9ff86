/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Invariants of a planned and applied rewrite, shared by the unit tests
 * and the parse+plan+apply fuzzer. Written from the rules in sip_plan.h,
 * not from the planner's code:
 * - edits in bounds, sorted, disjoint; the output is the input with
 *   exactly those byte ranges replaced (no other byte changed);
 * - the output re-parses, with the same shape (kind, method, Via and
 *   Contact counts, media count);
 * - every field that matched the old address now holds the new one (and
 *   the expected port), every other field is byte-identical;
 * - Content-Length equals the new body length.
 * Returns NULL when all hold, else a description.
 */
#ifndef _SIPALG_REWRITE_CHECK_H
#define _SIPALG_REWRITE_CHECK_H

#include <stdio.h>
#include <string.h>
#include "sip_parse.h"
#include "sdp_parse.h"
#include "sip_plan.h"

static char rc_why[256];

#define RC_FAIL(...) do { \
	snprintf(rc_why, sizeof(rc_why), __VA_ARGS__); \
	return rc_why; \
} while (0)

static bool rc_span_eq(const char *a, struct sip_span sa, const char *b,
		       struct sip_span sb)
{
	return sa.len == sb.len && !memcmp(a + sa.off, b + sb.off, sa.len);
}

/* Would this host[:port] be translated (rules of sip_plan.h)? */
static bool rc_hp_match(const struct sip_hostport *hp, u16 defport,
			const struct sip_xlate *x)
{
	u16 port = hp->port_num ? hp->port_num : defport;

	if (hp->host_type != SIP_HOST_IP4 && hp->host_type != SIP_HOST_IP6)
		return false;
	if (!sip_addr_eq(&hp->addr, &x->sig_old))
		return false;
	return !x->sig_old_port || port == x->sig_old_port;
}

static const char *rc_hp(const char *what, const char *in,
			 const struct sip_hostport *a, const char *out,
			 const struct sip_hostport *b, u16 defport,
			 bool enabled, const struct sip_xlate *x)
{
	u16 port = a->port_num ? a->port_num : defport;
	u16 want = x->sig_new_port ? x->sig_new_port : port;

	if (enabled && rc_hp_match(a, defport, x)) {
		if (!sip_addr_eq(&b->addr, &x->sig_new))
			RC_FAIL("%s: not translated", what);
		if ((b->port_num ? b->port_num : defport) != want)
			RC_FAIL("%s: port %u, want %u", what, b->port_num,
				want);
	} else if (!rc_span_eq(in, a->span, out, b->span)) {
		RC_FAIL("%s: changed without matching", what);
	}
	return NULL;
}

static u16 rc_uri_defport(const struct sip_uri *u)
{
	return u->scheme == SIP_SCHEME_SIPS ? 5061 : 5060;
}

static const char *rc_uri(const char *what, const char *in,
			  const struct sip_uri *a, const char *out,
			  const struct sip_uri *b, bool enabled,
			  const struct sip_xlate *x)
{
	if (a->scheme != b->scheme)
		RC_FAIL("%s: scheme changed", what);
	if (a->scheme != SIP_SCHEME_SIP && a->scheme != SIP_SCHEME_SIPS)
		return rc_span_eq(in, a->span, out, b->span) ? NULL :
		       (snprintf(rc_why, sizeof(rc_why), "%s: changed", what),
			rc_why);
	return rc_hp(what, in, &a->hp, out, &b->hp, rc_uri_defport(a),
		     enabled, x);
}

static const char *rc_conn(const char *what, const char *in,
			   const struct sdp_conn *a, const char *out,
			   const struct sdp_conn *b, bool enabled,
			   const struct sip_xlate *x)
{
	if (a->addrtype != b->addrtype)
		RC_FAIL("%s: presence/addrtype changed", what);
	if (a->addrtype == SDP_ADDRTYPE_NONE)
		return NULL;
	if (enabled && !(a->flags & SDP_CF_HOLD) &&
	    sip_addr_eq(&a->ip, &x->sdp_old)) {
		if (!sip_addr_eq(&b->ip, &x->sdp_new))
			RC_FAIL("%s: not translated", what);
	} else if (!rc_span_eq(in, a->addr, out, b->addr)) {
		RC_FAIL("%s: changed without matching", what);
	}
	return NULL;
}

static const char *rewrite_check(const char *in, u32 len,
				 const struct sip_msg *m,
				 const struct sdp_msg *s,
				 const struct sip_xlate *x,
				 const struct sip_edits *ed,
				 const char *out, u32 out_len,
				 struct sip_msg *m2, struct sdp_msg *s2)
{
	const char *r;
	u32 i, p = 0, q = 0, w = x->what;
	s32 delta = 0, bdelta = 0;
	int err;

	/* 1. edit list shape */
	for (i = 0; i < ed->n; i++) {
		const struct sip_edit *e = &ed->e[i];

		if (e->off < p || e->off + e->old_len > m->msg_len)
			RC_FAIL("edit %u out of order or bounds", i);
		if (e->new_len > SIP_EDIT_DATA_MAX || !e->what ||
		    e->what > SIP_EK_SDP_RTCP_ADDR)
			RC_FAIL("edit %u malformed", i);
		/* 2. no other byte changed */
		if (memcmp(in + p, out + q, e->off - p))
			RC_FAIL("bytes changed outside edits before %u", e->off);
		q += e->off - p;
		if (memcmp(out + q, e->data, e->new_len))
			RC_FAIL("edit %u not applied", i);
		q += e->new_len;
		p = e->off + e->old_len;
		delta += (s32)e->new_len - (s32)e->old_len;
		if (e->off >= m->body_off)
			bdelta += (s32)e->new_len - (s32)e->old_len;
	}
	if (len - p != out_len - q || memcmp(in + p, out + q, len - p))
		RC_FAIL("tail changed");
	if (delta != ed->delta || (s32)out_len != (s32)len + delta)
		RC_FAIL("delta %d, edits say %d", delta, ed->delta);

	/* 3. re-parse: same shape */
	err = sip_parse(out, out_len, m2);
	if (err)
		RC_FAIL("output does not re-parse: %s", sip_strerror(err));
	if (m2->kind != m->kind || m2->method != m->method ||
	    m2->status != m->status || m2->n_via != m->n_via ||
	    m2->n_contact != m->n_contact)
		RC_FAIL("output shape differs");
	if (m2->msg_len != m->msg_len + (u32)delta)
		RC_FAIL("message length %u, want %u", m2->msg_len,
			m->msg_len + delta);

	/* 4. Content-Length */
	if (m->flags & SIP_F_CL_PRESENT) {
		if (m2->clen != m2->body_len ||
		    m2->body_len != (u32)((s32)m->body_len + bdelta) ||
		    m2->body_len != ed->new_body_len)
			RC_FAIL("Content-Length %u, body %u, want %u", m2->clen,
				m2->body_len, m->body_len + bdelta);
	}

	/* 5. every field: translated if it matched, else identical */
	if (m->kind == SIP_KIND_REQUEST) {
		r = rc_uri("Request-URI", in, &m->ruri, out, &m2->ruri,
			   w & SIP_XF_RURI, x);
		if (r)
			return r;
	}
	for (i = 0; i < m->n_via; i++) {
		const struct sip_via *a = &m->via[i], *b = &m2->via[i];
		u16 dp = (a->transport_id == SIP_TRANSPORT_TLS ||
			  a->transport_id == SIP_TRANSPORT_WSS) ? 5061 : 5060;
		bool hit = (w & SIP_XF_VIA) && rc_hp_match(&a->sent_by, dp, x);
		struct sip_addr ra;

		r = rc_hp("Via", in, &a->sent_by, out, &b->sent_by, dp,
			  w & SIP_XF_VIA, x);
		if (r)
			return r;
		if (a->flags != b->flags)
			RC_FAIL("Via %u params changed", i);
		if (hit && (w & SIP_XF_VIA_RECEIVED) && a->received.len &&
		    sip_parse_ipaddr(in + a->received.off, a->received.len,
				     &ra) && sip_addr_eq(&ra, &x->sig_old)) {
			if (!sip_parse_ipaddr(out + b->received.off,
					      b->received.len, &ra) ||
			    !sip_addr_eq(&ra, &x->sig_new))
				RC_FAIL("Via %u received not translated", i);
		} else if (!rc_span_eq(in, a->received, out, b->received)) {
			RC_FAIL("Via %u received changed", i);
		}
		if (hit && (w & SIP_XF_VIA_RPORT) &&
		    (a->flags & SIP_VIAF_RPORT_VALUE) && x->sig_old_port &&
		    x->sig_new_port && a->rport_num == x->sig_old_port) {
			if (b->rport_num != x->sig_new_port)
				RC_FAIL("Via %u rport not translated", i);
		} else if (!rc_span_eq(in, a->rport, out, b->rport)) {
			RC_FAIL("Via %u rport changed", i);
		}
		if (!rc_span_eq(in, a->branch, out, b->branch))
			RC_FAIL("Via %u branch changed", i);
	}
	for (i = 0; i < m->n_contact; i++) {
		r = rc_uri("Contact", in, &m->contact[i].uri, out,
			   &m2->contact[i].uri, w & SIP_XF_CONTACT, x);
		if (r)
			return r;
	}
	r = rc_uri("From", in, &m->from, out, &m2->from, w & SIP_XF_FROM, x);
	if (r)
		return r;
	r = rc_uri("To", in, &m->to, out, &m2->to, w & SIP_XF_TO, x);
	if (r)
		return r;
	if (!rc_span_eq(in, m->call_id, out, m2->call_id))
		RC_FAIL("Call-ID changed");

	/* 6. SDP */
	if (!s)
		return NULL;
	if (!(m2->flags & SIP_F_SDP))
		RC_FAIL("SDP lost");
	err = sdp_parse(out, out_len, m2->sdp.off, m2->sdp.len, s2);
	if (err)
		RC_FAIL("output SDP does not re-parse: %s", sip_strerror(err));
	if (s2->n_media != s->n_media || s2->flags != s->flags)
		RC_FAIL("SDP shape differs");
	r = rc_conn("o=", in, &s->o_addr, out, &s2->o_addr,
		    w & SIP_XF_SDP_ORIGIN, x);
	if (r)
		return r;
	r = rc_conn("session c=", in, &s->conn, out, &s2->conn,
		    w & SIP_XF_SDP_CONN, x);
	if (r)
		return r;
	for (i = 0; i < s->n_media; i++) {
		const struct sdp_media *a = &s->media[i], *b = &s2->media[i];

		r = rc_conn("media c=", in, &a->conn, out, &b->conn,
			    w & SIP_XF_SDP_CONN, x);
		if (r)
			return r;
		if ((w & SIP_XF_SDP_MPORT) && x->rtp_port[i] && a->port_num) {
			if (b->port_num != x->rtp_port[i])
				RC_FAIL("m=%u port %u, want %u", i, b->port_num,
					x->rtp_port[i]);
		} else if (!rc_span_eq(in, a->port, out, b->port)) {
			RC_FAIL("m=%u port changed", i);
		}
		if (a->flags != b->flags)
			RC_FAIL("m=%u flags changed", i);
		if (!(a->flags & SDP_MF_RTCP))
			continue;
		if ((w & SIP_XF_SDP_RTCP) && x->rtcp_port[i] && a->port_num) {
			if (b->rtcp_port_num != x->rtcp_port[i])
				RC_FAIL("a=rtcp %u port not translated", i);
		} else if (!rc_span_eq(in, a->rtcp_port, out, b->rtcp_port)) {
			RC_FAIL("a=rtcp %u port changed", i);
		}
		r = rc_conn("a=rtcp addr", in, &a->rtcp_conn, out,
			    &b->rtcp_conn, w & SIP_XF_SDP_RTCP, x);
		if (r)
			return r;
	}
	return NULL;
}

#endif /* _SIPALG_REWRITE_CHECK_H */
