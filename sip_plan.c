// SPDX-License-Identifier: GPL-2.0
/*
 * The rewrite planner: from a parsed SIP message (and its SDP) and a
 * translation, the list of byte edits that NAT must apply. Pure: it reads
 * the buffer only to compare and never writes it. The matching rules are
 * documented in include/sip_plan.h.
 */
#include "sip_plan.h"

const char *sip_strerror(int err)
{
	switch (err) {
	case SIP_OK: return "ok";
	case SIP_ERR_EMPTY: return "empty message";
	case SIP_ERR_TRUNCATED: return "headers not terminated";
	case SIP_ERR_START_LINE: return "malformed start line";
	case SIP_ERR_VERSION: return "not SIP/2.0";
	case SIP_ERR_STATUS: return "bad status code";
	case SIP_ERR_RURI: return "bad Request-URI";
	case SIP_ERR_HEADER: return "malformed header line";
	case SIP_ERR_VIA: return "bad Via";
	case SIP_ERR_CONTACT: return "bad Contact";
	case SIP_ERR_FROM: return "bad From";
	case SIP_ERR_TO: return "bad To";
	case SIP_ERR_CALLID: return "bad Call-ID";
	case SIP_ERR_CSEQ: return "bad CSeq";
	case SIP_ERR_CSEQ_METHOD: return "CSeq method mismatch";
	case SIP_ERR_CL_SYNTAX: return "Content-Length not a number";
	case SIP_ERR_CL_NEGATIVE: return "negative Content-Length";
	case SIP_ERR_CL_RANGE: return "Content-Length too large";
	case SIP_ERR_CL_DUP: return "conflicting Content-Length";
	case SIP_ERR_CL_BEYOND: return "Content-Length beyond message";
	case SIP_ERR_CL_ABSENT: return "no Content-Length on stream";
	case SIP_ERR_MISSING: return "mandatory header missing";
	case SIP_ERR_DUP_HEADER: return "single header repeated";
	case SIP_ERR_EXPIRES: return "bad Expires";
	case SIP_ERR_CTYPE: return "Content-Type repeated";
	case SIP_ERR_TOO_MANY: return "too many Via/Contact values";
	case SIP_ERR_BAD_LEN: return "bad length";
	case SDP_ERR_EMPTY: return "empty SDP";
	case SDP_ERR_VERSION: return "SDP without v=0";
	case SDP_ERR_LINE: return "malformed SDP line";
	case SDP_ERR_ORIGIN: return "bad SDP o=";
	case SDP_ERR_CONN: return "bad SDP c=";
	case SDP_ERR_MEDIA: return "bad SDP m=";
	case SDP_ERR_PORT: return "bad SDP media port";
	case SDP_ERR_RTCP: return "bad SDP a=rtcp";
	case SDP_ERR_TOO_MANY: return "too many SDP media";
	case SDP_ERR_BAD_SPAN: return "SDP span outside buffer";
	case SIP_PLAN_ERR_INPUT: return "bad planner input";
	case SIP_PLAN_ERR_TOO_MANY: return "too many edits";
	case SIP_PLAN_ERR_OVERLAP: return "overlapping edits";
	case SIP_PLAN_ERR_FAMILY: return "address family mismatch";
	case SIP_PLAN_ERR_SPACE: return "output buffer too small";
	case SIP_PLAN_ERR_CLEN: return "repeated Content-Length";
	default: return "unknown error";
	}
}

/* The two digits of r < 100 (a multiply each: the divisor is constant). */
static inline void put_pair(char *out, u32 r)
{
	out[0] = (char)('0' + r / 10);
	out[1] = (char)('0' + r % 10);
}

u32 sip_format_u32(u32 v, char *out)
{
	u32 n, i, q;

	/*
	 * Count the digits without dividing, then write them from the last,
	 * two at a time (ports and lengths have 2-5 digits).
	 */
	n = 1 + (v >= 10) + (v >= 100) + (v >= 1000) + (v >= 10000);
	if (v >= 100000)
		n += 1 + (v >= 1000000) + (v >= 10000000) +
		     (v >= 100000000) + (v >= 1000000000);
	i = n;
	while (v >= 100) {
		q = v / 100;
		i -= 2;
		put_pair(out + i, v - q * 100);
		v = q;
	}
	if (v >= 10)
		put_pair(out, v);
	else
		out[0] = (char)('0' + v);
	return n;
}

/* One octet of a dotted quad, without a division loop. */
static inline u32 fmt_u8(u32 v, char *out)
{
	u32 n = 0;

	if (v >= 100) {
		out[n++] = (char)('0' + v / 100);
		v %= 100;
		out[n++] = (char)('0' + v / 10);
	} else if (v >= 10) {
		out[n++] = (char)('0' + v / 10);
	}
	out[n++] = (char)('0' + v % 10);
	return n;
}

static u32 fmt_hex16(u32 w, char *out)
{
	static const char hex[] = "0123456789abcdef";
	u32 n = 0, shift = 12;

	while (shift && !((w >> shift) & 0xf))
		shift -= 4;
	for (;;) {
		out[n++] = hex[(w >> shift) & 0xf];
		if (!shift)
			break;
		shift -= 4;
	}
	return n;
}

static u32 fmt_ipv4(const u8 *b, char *out)
{
	u32 n = 0, i;

	for (i = 0; i < 4; i++) {
		if (i)
			out[n++] = '.';
		n += fmt_u8(b[i], out + n);
	}
	return n;
}

/*
 * RFC 5952 4: lower case, no leading zeros, "::" for the longest run of
 * two or more zero groups (the first on a tie), a single zero group as
 * "0"; 5: IPv4-mapped addresses as ::ffff:a.b.c.d.
 */
u32 sip_format_addr(const struct sip_addr *a, bool brackets, char *out)
{
	u32 w[8], i, n = 0, best = 8, bestlen = 0, run;

	if (a->family == SIP_AF_INET)
		return fmt_ipv4(a->u.b, out);
	if (a->family != SIP_AF_INET6)
		return 0;
	for (i = 0; i < 8; i++)
		w[i] = (u32)a->u.b[2 * i] << 8 | a->u.b[2 * i + 1];
	for (i = 0; i < 8; i += run ? run : 1) {
		for (run = 0; i + run < 8 && !w[i + run]; run++)
			;
		if (run >= 2 && run > bestlen) {
			best = i;
			bestlen = run;
		}
	}
	if (brackets)
		out[n++] = '[';
	if (best == 0 && bestlen == 5 && w[5] == 0xffff) {
		memcpy(out + n, "::ffff:", 7);
		n += 7;
		n += fmt_ipv4(a->u.b + 12, out + n);
	} else {
		for (i = 0; i < 8;) {
			if (i == best) {
				out[n++] = ':';
				out[n++] = ':';
				i += bestlen;
				continue;
			}
			if (i && i != best + bestlen)
				out[n++] = ':';
			n += fmt_hex16(w[i], out + n);
			i++;
		}
	}
	if (brackets)
		out[n++] = ']';
	return n;
}

struct plan_ctx {
	const char *b;
	u32 len;
	const struct sip_xlate *x;
	struct sip_edits *out;
	int err;
	/* the two replacement addresses, formatted once per plan */
	u32 sig_n, sdp_n;
	char sig_txt[SIP_ADDR_STR_MAX];
	char sdp_txt[SIP_ADDR_STR_MAX];
	/* sig_new_port in decimal (when not 0): sent-by ports and rport= */
	u32 port_n;
	char port_txt[8];
};

/* Write a pre-formatted address, bracketed if asked and IPv6. */
static u32 put_addr(char *out, const char *txt, u32 n, u8 family,
		    bool brackets)
{
	if (!brackets || family != SIP_AF_INET6) {
		memcpy(out, txt, n);
		return n;
	}
	out[0] = '[';
	memcpy(out + 1, txt, n);
	out[n + 1] = ']';
	return n + 2;
}

static struct sip_edit *edit_new(struct plan_ctx *c, u32 off, u32 old_len,
				 u8 what)
{
	struct sip_edit *e;

	if (c->err)
		return NULL;
	if (off > c->len || old_len > c->len - off || old_len > 0xffff) {
		c->err = SIP_PLAN_ERR_INPUT;
		return NULL;
	}
	if (c->out->n >= SIP_MAX_EDITS) {
		c->err = SIP_PLAN_ERR_TOO_MANY;
		return NULL;
	}
	e = &c->out->e[c->out->n];
	e->off = off;
	e->old_len = (u16)old_len;
	e->what = what;
	e->new_len = 0;
	return e;
}

/* Keep the edit only if it changes something. */
static void edit_commit(struct plan_ctx *c, struct sip_edit *e, u32 n)
{
	e->new_len = (u8)n;
	if (n == e->old_len && !memcmp(c->b + e->off, e->data, n))
		return;
	c->out->n++;
}

/* Replace a span with the new SIP (sdp false) or SDP address. */
static void replace_addr(struct plan_ctx *c, struct sip_span sp, bool sdp,
			 bool brackets, u8 what)
{
	struct sip_edit *e = edit_new(c, sp.off, sp.len, what);

	if (!e)
		return;
	if (sdp)
		edit_commit(c, e, put_addr(e->data, c->sdp_txt, c->sdp_n,
					   c->x->sdp_new.family, brackets));
	else
		edit_commit(c, e, put_addr(e->data, c->sig_txt, c->sig_n,
					   c->x->sig_new.family, brackets));
}

static void replace_num(struct plan_ctx *c, struct sip_span sp, u32 v,
			u8 what)
{
	struct sip_edit *e = edit_new(c, sp.off, sp.len, what);

	if (e)
		edit_commit(c, e, sip_format_u32(v, e->data));
}

/* Write the new port: sig_new_port's text, else (0: keep it) port. */
static u32 put_port(const struct plan_ctx *c, u16 port, char *out)
{
	if (!c->port_n)
		return sip_format_u32(port, out);
	memcpy(out, c->port_txt, 5);	/* port_txt holds 8 bytes */
	return c->port_n;
}

/*
 * host[:port] of a URI or Via sent-by. defport is what an absent port
 * means (RFC 3261 19.1.2: 5060 for sip:, 5061 for sips:; 18.2.2 for Via).
 * Returns true when it matched the old address (and port).
 */
static bool plan_hostport(struct plan_ctx *c, const struct sip_hostport *hp,
			  u16 defport, u8 what)
{
	const struct sip_xlate *x = c->x;
	struct sip_edit *e;
	u16 port, newport;
	u32 n;

	if (hp->host_type != SIP_HOST_IP4 && hp->host_type != SIP_HOST_IP6)
		return false;
	if (!sip_addr_eq(&hp->addr, &x->sig_old))
		return false;
	port = hp->port_num ? hp->port_num : defport;
	if (x->sig_old_port && port != x->sig_old_port)
		return false;
	newport = x->sig_new_port ? x->sig_new_port : port;
	e = edit_new(c, hp->span.off, hp->span.len, what);
	if (!e)
		return true;
	n = put_addr(e->data, c->sig_txt, c->sig_n, x->sig_new.family, true);
	/* a port is written when there was one, or when it must change */
	if (hp->port.len || newport != defport) {
		e->data[n++] = ':';
		n += put_port(c, newport, e->data + n);
	}
	edit_commit(c, e, n);
	return true;
}

static u16 uri_defport(const struct sip_uri *u)
{
	return u->scheme == SIP_SCHEME_SIPS ? 5061 : 5060;
}

static void plan_uri(struct plan_ctx *c, const struct sip_uri *u, u8 what)
{
	if (u->scheme == SIP_SCHEME_SIP || u->scheme == SIP_SCHEME_SIPS)
		plan_hostport(c, &u->hp, uri_defport(u), what);
}

/* Via received=/maddr= holding the old address (literal, maybe [v6]). */
static void plan_via_addr(struct plan_ctx *c, struct sip_span sp, u8 what)
{
	struct sip_addr a;
	u8 ip4[4];

	if (!sp.len)
		return;
	if (c->x->sig_old.family == SIP_AF_INET) {
		/*
		 * Only a bare dotted quad can equal an IPv4 address (a
		 * bracketed literal is IPv6): the same answer as the general
		 * test below, without filling a whole struct sip_addr.
		 */
		if (!sip_parse_ipv4(c->b + sp.off, sp.len, ip4) ||
		    memcmp(ip4, c->x->sig_old.u.b, 4))
			return;
	} else if (!sip_parse_ipaddr(c->b + sp.off, sp.len, &a) ||
		   !sip_addr_eq(&a, &c->x->sig_old)) {
		return;
	}
	replace_addr(c, sp, false, c->b[sp.off] == '[', what);
}

/* ;rport=N holding sig_old_port: to sig_new_port (never 0 here). */
static void plan_rport(struct plan_ctx *c, struct sip_span sp)
{
	struct sip_edit *e = edit_new(c, sp.off, sp.len, SIP_EK_VIA_RPORT);

	if (e)
		edit_commit(c, e, put_port(c, c->x->sig_new_port, e->data));
}

static void plan_via(struct plan_ctx *c, const struct sip_via *v)
{
	const struct sip_xlate *x = c->x;
	u16 defport = (v->transport_id == SIP_TRANSPORT_TLS ||
		       v->transport_id == SIP_TRANSPORT_WSS) ? 5061 : 5060;

	if (!plan_hostport(c, &v->sent_by, defport, SIP_EK_VIA))
		return;
	if ((x->what & SIP_XF_VIA_RECEIVED) && (v->flags & SIP_VIAF_RECEIVED))
		plan_via_addr(c, v->received, SIP_EK_VIA_RECEIVED);
	if ((x->what & SIP_XF_VIA_MADDR) && (v->flags & SIP_VIAF_MADDR))
		plan_via_addr(c, v->maddr, SIP_EK_VIA_MADDR);
	if ((x->what & SIP_XF_VIA_RPORT) &&
	    (v->flags & SIP_VIAF_RPORT_VALUE) && x->sig_old_port &&
	    x->sig_new_port && v->rport_num == x->sig_old_port)
		plan_rport(c, v->rport);
}

/* SDP address of o=, c= or a=rtcp. Hold (0.0.0.0, ::) is never touched. */
static void plan_sdp_addr(struct plan_ctx *c, const struct sdp_conn *sc,
			  u8 what)
{
	if (sc->addrtype == SDP_ADDRTYPE_NONE || (sc->flags & SDP_CF_HOLD) ||
	    !sip_addr_eq(&sc->ip, &c->x->sdp_old))
		return;
	replace_addr(c, sc->addr, true, false, what);
}

static void plan_sdp(struct plan_ctx *c, const struct sdp_msg *s)
{
	const struct sip_xlate *x = c->x;
	const struct sdp_media *md;
	u32 i;

	if ((x->what & SIP_XF_SDP_ORIGIN) && (s->flags & SDP_F_ORIGIN))
		plan_sdp_addr(c, &s->o_addr, SIP_EK_SDP_ORIGIN);
	if ((x->what & SIP_XF_SDP_CONN) && (s->flags & SDP_F_CONN))
		plan_sdp_addr(c, &s->conn, SIP_EK_SDP_CONN);
	for (i = 0; i < s->n_media && i < SDP_MAX_MEDIA; i++) {
		md = &s->media[i];
		/* a port of 0 rejects/disables the stream: leave it at 0 */
		if ((x->what & SIP_XF_SDP_MPORT) && x->rtp_port[i] &&
		    md->port_num)
			replace_num(c, md->port, x->rtp_port[i],
				    SIP_EK_SDP_MPORT);
		if ((x->what & SIP_XF_SDP_CONN) && (md->flags & SDP_MF_CONN))
			plan_sdp_addr(c, &md->conn, SIP_EK_SDP_CONN);
		if (!(x->what & SIP_XF_SDP_RTCP) || !(md->flags & SDP_MF_RTCP))
			continue;
		if (x->rtcp_port[i] && md->port_num)
			replace_num(c, md->rtcp_port, x->rtcp_port[i],
				    SIP_EK_SDP_RTCP_PORT);
		if (md->flags & SDP_MF_RTCP_ADDR)
			plan_sdp_addr(c, &md->rtcp_conn, SIP_EK_SDP_RTCP_ADDR);
	}
}

/* Insertion sort: the edits are produced nearly in order. */
static void sort_edits(struct sip_edits *ed)
{
	struct sip_edit t;
	u32 i, j;

	for (i = 1; i < ed->n; i++) {
		if (ed->e[i - 1].off <= ed->e[i].off)
			continue;
		t = ed->e[i];
		for (j = i; j > 0 && ed->e[j - 1].off > t.off; j--)
			ed->e[j] = ed->e[j - 1];
		ed->e[j] = t;
	}
}

static bool family_ok(const struct sip_addr *a, const struct sip_addr *b)
{
	return a->family == SIP_AF_NONE || b->family == a->family;
}

/*
 * A replacement of 0.0.0.0 or :: would put calls on hold (RFC 3264 8.4)
 * or, as in CVE-2026-31427, publish an uninitialised address: refuse it.
 */
static bool addr_unspecified(const struct sip_addr *a)
{
	static const u8 zero[16];

	return a->family != SIP_AF_NONE && !memcmp(a->u.b, zero, 16);
}

/*
 * Check the inputs and format the replacement addresses and port once.
 * Returns 0 or the SIP_PLAN_ERR_ that refuses the whole plan.
 */
static int plan_init(struct plan_ctx *c, const struct sip_msg *msg,
		     const struct sdp_msg *sdp)
{
	const struct sip_xlate *x = c->x;

	if (msg->err || !msg->kind || msg->msg_len > c->len ||
	    msg->n_via > SIP_MAX_VIA || msg->n_contact > SIP_MAX_CONTACT)
		return SIP_PLAN_ERR_INPUT;
	if (!family_ok(&x->sig_old, &x->sig_new) ||
	    !family_ok(&x->sdp_old, &x->sdp_new))
		return SIP_PLAN_ERR_FAMILY;
	if (addr_unspecified(&x->sig_new) || addr_unspecified(&x->sdp_new))
		return SIP_PLAN_ERR_INPUT;
	c->sig_n = sip_format_addr(&x->sig_new, false, c->sig_txt);
	memset(c->port_txt, 0, sizeof(c->port_txt));
	c->port_n = x->sig_new_port ? sip_format_u32(x->sig_new_port,
						     c->port_txt) : 0;
	if (sip_addr_eq(&x->sdp_new, &x->sig_new)) {
		memcpy(c->sdp_txt, c->sig_txt, c->sig_n);
		c->sdp_n = c->sig_n;
	} else {
		c->sdp_n = sip_format_addr(&x->sdp_new, false, c->sdp_txt);
	}
	if (sdp && (sdp->err || sdp->body.off < msg->body_off ||
		    sdp->body.len > msg->msg_len - sdp->body.off ||
		    sdp->body.off > msg->msg_len))
		return SIP_PLAN_ERR_INPUT;
	return 0;
}

/* The SIP headers that may carry sig_old, as x->what selects them. */
static void plan_headers(struct plan_ctx *c, const struct sip_msg *msg)
{
	u32 what = c->x->what, i;

	if (c->x->sig_old.family == SIP_AF_NONE)
		return;
	if ((what & SIP_XF_RURI) && msg->kind == SIP_KIND_REQUEST)
		plan_uri(c, &msg->ruri, SIP_EK_RURI);
	if (what & SIP_XF_VIA)
		for (i = 0; i < msg->n_via; i++)
			plan_via(c, &msg->via[i]);
	if (what & SIP_XF_CONTACT)
		for (i = 0; i < msg->n_contact; i++)
			plan_uri(c, &msg->contact[i].uri, SIP_EK_CONTACT);
	if (what & SIP_XF_FROM)
		plan_uri(c, &msg->from, SIP_EK_FROM);
	if (what & SIP_XF_TO)
		plan_uri(c, &msg->to, SIP_EK_TO);
}

/*
 * The body's new length, and a Content-Length edit when it changes: it
 * depends on every edit inside the body, so it is planned last.
 */
static void plan_clen(struct plan_ctx *c, const struct sip_msg *msg)
{
	struct sip_edits *out = c->out;
	s32 body_delta = 0;
	u32 i;

	for (i = 0; i < out->n; i++)
		if (out->e[i].off >= msg->body_off)
			body_delta += (s32)out->e[i].new_len -
				      (s32)out->e[i].old_len;
	if (body_delta && (msg->flags & SIP_F_CL_PRESENT)) {
		/* every copy would have to change: don't guess */
		if (msg->flags & SIP_F_CL_DUP_SAME) {
			c->err = SIP_PLAN_ERR_CLEN;
			return;
		}
		replace_num(c, msg->clen_span,
			    (u32)((s32)msg->body_len + body_delta),
			    SIP_EK_CLEN);
	}
	out->new_body_len = (u32)((s32)msg->body_len + body_delta);
}

/* Sort the edits, refuse overlaps, sum the size change and the kinds. */
static int finish_edits(struct sip_edits *out)
{
	struct sip_edit *e;
	s32 delta = 0;
	u32 i, end = 0, mask = 0;

	sort_edits(out);
	for (i = 0; i < out->n; i++) {
		e = &out->e[i];
		if (e->off < end)
			return SIP_PLAN_ERR_OVERLAP;
		end = e->off + e->old_len;
		delta += (s32)e->new_len - (s32)e->old_len;
		mask |= 1u << e->what;
	}
	out->delta = delta;
	out->what_mask = mask;
	return SIP_PLAN_OK;
}

int sip_plan(const char *buf, u32 len, const struct sip_msg *msg,
	     const struct sdp_msg *sdp, const struct sip_xlate *x,
	     struct sip_edits *out)
{
	struct plan_ctx c;
	int err;

	c.b = buf;
	c.len = len;
	c.x = x;
	c.out = out;
	c.err = 0;
	out->n = 0;
	out->delta = 0;
	out->what_mask = 0;
	out->new_body_len = msg->body_len;
	err = plan_init(&c, msg, sdp);
	if (err)
		return err;

	plan_headers(&c, msg);
	if (sdp)
		plan_sdp(&c, sdp);
	if (!c.err)
		plan_clen(&c, msg);
	err = c.err ? c.err : finish_edits(out);
	if (err) {
		out->n = 0;
		out->delta = 0;
		out->what_mask = 0;
		out->new_body_len = msg->body_len;
	}
	return err;
}

/*
 * The edits are sorted and disjoint, within len, and of bounded size: the
 * planner's contract, checked again here because these two are also used
 * on lists that did not come from it (tests, fuzzing).
 */
static bool edits_valid(u32 len, const struct sip_edits *ed)
{
	u32 p = 0, i;

	if (ed->n > SIP_MAX_EDITS)
		return false;
	for (i = 0; i < ed->n; i++) {
		const struct sip_edit *e = &ed->e[i];

		if (e->off < p || e->off > len || e->old_len > len - e->off ||
		    e->new_len > SIP_EDIT_DATA_MAX)
			return false;
		p = e->off + e->old_len;
	}
	return true;
}

int sip_apply(const char *buf, u32 len, const struct sip_edits *ed,
	      char *out, u32 cap, u32 *out_len)
{
	const struct sip_edit *e;
	u32 p = 0, o = 0, i, n;

	*out_len = 0;
	if (!edits_valid(len, ed))
		return SIP_PLAN_ERR_INPUT;
	for (i = 0; i < ed->n; i++) {
		e = &ed->e[i];
		n = e->off - p;
		if (n > cap - o || e->new_len > cap - o - n)
			return SIP_PLAN_ERR_SPACE;
		memcpy(out + o, buf + p, n);
		o += n;
		memcpy(out + o, e->data, e->new_len);
		o += e->new_len;
		p = e->off + e->old_len;
	}
	n = len - p;
	if (n > cap - o)
		return SIP_PLAN_ERR_SPACE;
	memcpy(out + o, buf + p, n);
	*out_len = o + n;
	return SIP_PLAN_OK;
}


/*
 * Segment i (0..n) is the text between edit i - 1 and edit i; it moves by
 * the size change of the edits before it.  Destinations keep their order,
 * so a segment moving left never lands on the source of one after it, nor
 * one moving right on the source of one before it: moving the left-movers
 * front to back and the right-movers back to front overwrites no source
 * still to be read.  The replacement text goes into the gaps last.
 */
static u32 seg_start(const struct sip_edits *ed, u32 i)
{
	return i ? ed->e[i - 1].off + ed->e[i - 1].old_len : 0;
}

static u32 seg_end(const struct sip_edits *ed, u32 i, u32 len)
{
	return i < ed->n ? ed->e[i].off : len;
}

static s32 edit_delta(const struct sip_edit *e)
{
	return (s32)e->new_len - (s32)e->old_len;
}

int sip_apply_inplace(char *buf, u32 len, u32 cap, const struct sip_edits *ed,
		      u32 *out_len)
{
	s32 shift, total = 0;
	u32 i, from;

	*out_len = 0;
	if (!edits_valid(len, ed))
		return SIP_PLAN_ERR_INPUT;
	for (i = 0; i < ed->n; i++)
		total += edit_delta(&ed->e[i]);
	/* Bounded: at most SIP_MAX_EDITS edits of SIP_EDIT_DATA_MAX bytes. */
	if (total > 0 && (u32)total > cap - len)
		return SIP_PLAN_ERR_SPACE;

	for (i = 0, shift = 0; i <= ed->n; i++) {
		from = seg_start(ed, i);
		if (shift < 0)
			memmove(buf + from + shift, buf + from,
				seg_end(ed, i, len) - from);
		if (i < ed->n)
			shift += edit_delta(&ed->e[i]);
	}
	for (i = ed->n + 1, shift = total; i-- > 0;) {
		from = seg_start(ed, i);
		if (shift > 0)
			memmove(buf + from + shift, buf + from,
				seg_end(ed, i, len) - from);
		if (i)
			shift -= edit_delta(&ed->e[i - 1]);
	}
	for (i = 0, shift = 0; i < ed->n; i++) {
		const struct sip_edit *e = &ed->e[i];

		memcpy(buf + e->off + shift, e->data, e->new_len);
		shift += edit_delta(e);
	}
	*out_len = len + total;
	return SIP_PLAN_OK;
}
