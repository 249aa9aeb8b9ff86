// SPDX-License-Identifier: GPL-2.0
/*
 * One SIP message: parse it (SIP, then SDP), count it, let its method move
 * the call's state and pinholes, and on a NATed flow plan and apply the
 * rewrite.  Also the UDP help function (one datagram, one message) and the
 * refresh of signalling flows.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "sipalg_compat.h"
#include "sipalg.h"

static unsigned int sip_timeout __read_mostly = 3600;

static int sip_timeout_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 10, &v) || v == 0 || v > SIPALG_SECS_MAX) {
		pr_err("sip_timeout: \"%s\" is not a timeout in seconds (1-%d)\n",
		       strim((char *)val), SIPALG_SECS_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(sip_timeout, v);
	return 0;
}

static const struct kernel_param_ops sip_timeout_ops = {
	.set = sip_timeout_set,
	.get = param_get_uint,
};
module_param_cb(sip_timeout, &sip_timeout_ops, &sip_timeout, 0644);
MODULE_PARM_DESC(sip_timeout,
		 "seconds a SIP flow that has seen replies is kept alive (default: 3600)");

static bool drop_malformed __read_mostly;
module_param(drop_malformed, bool, 0444);
MODULE_PARM_DESC(drop_malformed,
		 "drop SIP messages that cannot be parsed instead of passing them untouched (default: 0)");

static struct sipalg_scratch __percpu *sipalg_scratch __read_mostly;

struct sipalg_scratch *sipalg_scratch_get(void)
{
	return this_cpu_ptr(sipalg_scratch);
}

int sipalg_msg_init(void)
{
	sipalg_scratch = alloc_percpu(struct sipalg_scratch);
	return sipalg_scratch ? 0 : -ENOMEM;
}

void sipalg_msg_exit(void)
{
	free_percpu(sipalg_scratch);
}

static inline void inet_to_addr(u8 family, const union nf_inet_addr *in,
				struct sip_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->u.b, in, family == SIP_AF_INET ? 4 : 16);
}

/* The call is over (BYE, CANCEL) or never started (final failure). */
static void process_call_end(struct sipalg_ctx *c, bool only_if_unanswered)
{
	const struct sip_msg *msg = &c->s->msg;
	struct sipalg_call *call;

	spin_lock_bh(&sipalg_calls_lock);
	call = sipalg_call_find(c->ct, c->callid);
	if (call && only_if_unanswered &&
	    (call->established || call->invite_cseq != msg->cseq))
		call = NULL;
	if (call)
		sipalg_call_end(c->net, c->ct, call);
	spin_unlock_bh(&sipalg_calls_lock);
}

static void call_name(const struct sipalg_ctx *c, struct sipalg_call *call)
{
	const struct sip_msg *msg = &c->s->msg;

	sipalg_call_name(call, c->data + msg->call_id.off, msg->call_id.len);
}

/*
 * An INVITE or its 2xx: the call's state and, with @sdp, its pinholes,
 * under one lookup of the call.
 */
static void process_invite_state(struct sipalg_ctx *c, bool sdp)
{
	const struct sip_msg *msg = &c->s->msg;
	struct sipalg_call *call;

	spin_lock_bh(&sipalg_calls_lock);
	if (msg->kind == SIP_KIND_REQUEST) {
		call = sipalg_call_get(c->net, c->ct, c->callid);
		if (call)
			call->invite_cseq = msg->cseq;
	} else {
		call = sipalg_call_find(c->ct, c->callid);
		if (call && msg->cseq == call->invite_cseq) {
			call->established = true;
			call->active = jiffies;
		}
		/* Only an SDP makes a record of a call not seen before. */
		if (sdp)
			call = call ? sipalg_call_touch(call) :
				      sipalg_call_new(c->net, c->ct, c->callid);
	}
	call_name(c, call);
	if (sdp)
		sipalg_sdp_pinholes(c, call);
	spin_unlock_bh(&sipalg_calls_lock);
}

/* An SDP in any other message than an INVITE or its 2xx. */
static void process_sdp(struct sipalg_ctx *c)
{
	struct sipalg_call *call;

	spin_lock_bh(&sipalg_calls_lock);
	call = sipalg_call_get(c->net, c->ct, c->callid);
	call_name(c, call);
	sipalg_sdp_pinholes(c, call);
	spin_unlock_bh(&sipalg_calls_lock);
}

/*
 * The translation this message needs, from the flow's two tuples: whichever
 * end of this direction the NAT changed.  A sender behind a source NAT gets
 * its own address replaced by the public one; a message toward a translated
 * destination (replies back to the phone, or requests to a port-forwarded
 * PBX) gets the public one replaced by the private one.
 */
static bool build_xlate(struct sipalg_ctx *c)
{
	const struct nf_conntrack_tuple *o = &c->ct->tuplehash[c->dir].tuple;
	const struct nf_conntrack_tuple *r = &c->ct->tuplehash[!c->dir].tuple;
	u8 fam = nf_ct_l3num(c->ct);
	struct sip_xlate *x = &c->s->x;

	x->what = 0;
	if (!nf_inet_addr_cmp(&o->src.u3, &r->dst.u3) ||
	    o->src.u.all != r->dst.u.all) {
		inet_to_addr(fam, &o->src.u3, &x->sig_old);
		inet_to_addr(fam, &r->dst.u3, &x->sig_new);
		x->sig_old_port = ntohs(o->src.u.all);
		x->sig_new_port = ntohs(r->dst.u.all);
		x->what |= SIP_XF_ALL_SIP;
	} else if (!nf_inet_addr_cmp(&o->dst.u3, &r->src.u3) ||
		   o->dst.u.all != r->src.u.all) {
		inet_to_addr(fam, &o->dst.u3, &x->sig_old);
		inet_to_addr(fam, &r->src.u3, &x->sig_new);
		x->sig_old_port = ntohs(o->dst.u.all);
		x->sig_new_port = ntohs(r->src.u.all);
		x->what |= SIP_XF_ALL_SIP;
	}
	if (!nf_inet_addr_cmp(&o->src.u3, &r->dst.u3)) {
		inet_to_addr(fam, &o->src.u3, &x->sdp_old);
		inet_to_addr(fam, &r->dst.u3, &x->sdp_new);
		x->what |= SIP_XF_ALL_SDP;
	} else {
		/* Ports of pinholes may still move: rewrite those only. */
		memset(&x->sdp_old, 0, sizeof(x->sdp_old));
		memset(&x->sdp_new, 0, sizeof(x->sdp_new));
		x->what |= SIP_XF_SDP_MPORT | SIP_XF_SDP_RTCP;
	}
	return x->what != 0;
}

static const char *const sipalg_edit_names[] = {
	[SIP_EK_RURI]		= "Request-URI",
	[SIP_EK_VIA]		= "Via",
	[SIP_EK_VIA_RECEIVED]	= "Via received",
	[SIP_EK_VIA_RPORT]	= "Via rport",
	[SIP_EK_VIA_MADDR]	= "Via maddr",
	[SIP_EK_CONTACT]	= "Contact",
	[SIP_EK_FROM]		= "From",
	[SIP_EK_TO]		= "To",
	[SIP_EK_CLEN]		= "Content-Length",
	[SIP_EK_SDP_ORIGIN]	= "SDP o=",
	[SIP_EK_SDP_CONN]	= "SDP c=",
	[SIP_EK_SDP_MPORT]	= "SDP m= port",
	[SIP_EK_SDP_RTCP_PORT]	= "SDP a=rtcp port",
	[SIP_EK_SDP_RTCP_ADDR]	= "SDP a=rtcp address",
};

/*
 * Dynamic debug (off by default; "echo 'module nf_conntrack_sipalg +p' >
 * /proc/dynamic_debug/control"): every rewrite, old -> new, with its flow.
 */
static void trace_edits(const struct sipalg_ctx *c, const struct sip_edits *ed)
{
	const struct nf_conntrack_tuple *t = &c->ct->tuplehash[c->dir].tuple;
	unsigned int i;

	for (i = 0; i < ed->n; i++) {
		const struct sip_edit *e = &ed->e[i];
		const char *what = e->what < ARRAY_SIZE(sipalg_edit_names) &&
				   sipalg_edit_names[e->what] ?
				   sipalg_edit_names[e->what] : "?";

		if (nf_ct_l3num(c->ct) == NFPROTO_IPV4)
			net_dbg_ratelimited("%pI4:%u->%pI4:%u %s: \"%.*s\" -> \"%.*s\"\n",
					    &t->src.u3.ip, ntohs(t->src.u.all),
					    &t->dst.u3.ip, ntohs(t->dst.u.all),
					    what, min_t(int, e->old_len, 64),
					    c->data + e->off, e->new_len,
					    e->data);
		else
			net_dbg_ratelimited("[%pI6c]:%u->[%pI6c]:%u %s: \"%.*s\" -> \"%.*s\"\n",
					    &t->src.u3.in6, ntohs(t->src.u.all),
					    &t->dst.u3.in6, ntohs(t->dst.u.all),
					    what, min_t(int, e->old_len, 64),
					    c->data + e->off, e->new_len,
					    e->data);
	}
}

/*
 * Apply the planned edits to the message where it lies in the packet, each
 * byte moved at most once (sip_apply_inplace).  The NAT side only makes the
 * packet longer or shorter at the message's end, which also fixes the IP
 * and transport lengths and leaves the checksum to be computed on the way
 * out, over the edited bytes.  False: the packet is not fit to go on.
 */
static bool apply_edits(struct sipalg_ctx *c, const struct sip_edits *ed)
{
	struct sk_buff *skb = c->skb;
	u32 end = c->msgoff + c->len, n;
	char *msg;

	if (ed->delta > 0) {
		/* Its bytes are overwritten: where they come from is moot. */
		if (!c->hooks->mangle(skb, c->protoff, c->dataoff, c->ct,
				      c->ctinfo, end, 0, c->s->room, ed->delta))
			return false;
	} else if (skb_ensure_writable(skb, skb->len)) {
		return false;
	}
	msg = skb->data + c->dataoff + c->msgoff;
	/* Cannot fail on the planner's edits; a drop if it ever did. */
	if (sip_apply_inplace(msg, c->len, c->len + max(ed->delta, 0), ed, &n))
		return false;
	if (ed->delta > 0)
		return true;
	/* Cut what the message shrank by; or nothing, for the checksum. */
	if (ed->delta < 0)
		end += ed->delta;
	else
		end = skb->len - c->dataoff;
	return c->hooks->mangle(skb, c->protoff, c->dataoff, c->ct, c->ctinfo,
				end, -ed->delta, c->s->room, 0);
}

static bool has_answerable_sdp(const struct sip_msg *msg)
{
	if (!(msg->flags & SIP_F_SDP))
		return false;
	if (msg->kind == SIP_KIND_REQUEST)
		return msg->method == SIP_METHOD_INVITE ||
		       msg->method == SIP_METHOD_UPDATE ||
		       msg->method == SIP_METHOD_PRACK ||
		       msg->method == SIP_METHOD_ACK;
	/* Offers and answers ride on 1xx and 2xx (RFC 3261 13.2.1, 3262). */
	return msg->status >= 100 && msg->status < 300 &&
	       (msg->cseq_method == SIP_METHOD_INVITE ||
		msg->cseq_method == SIP_METHOD_UPDATE ||
		msg->cseq_method == SIP_METHOD_PRACK);
}

static void count_msg(struct sipalg_ctx *c, const struct sip_msg *msg)
{
	SIPALG_INC(c->net, messages);
	if (msg->kind == SIP_KIND_REQUEST) {
		SIPALG_INC(c->net, requests);
		sipalg_stat_add(c->net, SIPALG_STAT_req_other +
				(msg->method < SIP_METHOD__COUNT ?
				 msg->method : 0), 1);
	} else {
		SIPALG_INC(c->net, responses);
		/* The parser accepts 100-699 only; clamp all the same. */
		sipalg_stat_add(c->net, SIPALG_STAT_resp_1xx +
				clamp_t(unsigned int, msg->status / 100, 1, 6) - 1,
				1);
	}
}

/* Parse and count the message; false if it cannot be parsed (counted). */
static bool parse_msg(struct sipalg_ctx *c, bool *have_sdp)
{
	struct sip_msg *msg = &c->s->msg;
	int err;

	*have_sdp = false;
	err = sip_parse(c->data, c->len, msg);
	if (err) {
		SIPALG_INC(c->net, malformed);
		net_dbg_ratelimited("sipalg: cannot parse SIP: %s at %u\n",
				    sip_strerror(err), msg->err_off);
		return false;
	}
	count_msg(c, msg);
	if (!(msg->flags & SIP_F_SDP))
		return true;
	err = sdp_parse(c->data, c->len, msg->sdp.off, msg->sdp.len,
			&c->s->sdp);
	if (err) {
		SIPALG_INC(c->net, sdp_malformed);
		net_dbg_ratelimited("sipalg: cannot parse SDP: %s\n",
				    sip_strerror(err));
		return false;
	}
	*have_sdp = true;
	return true;
}

/* What the message does to its call: state, pinholes, registration. */
static void dispatch_msg(struct sipalg_ctx *c, bool sdp_pending)
{
	const struct sip_msg *msg = &c->s->msg;

	if (msg->kind == SIP_KIND_REQUEST) {
		switch (msg->method) {
		case SIP_METHOD_INVITE:
			process_invite_state(c, sdp_pending);
			return;
		case SIP_METHOD_BYE:
		case SIP_METHOD_CANCEL:
			process_call_end(c, false);
			break;
		case SIP_METHOD_REGISTER:
			sipalg_register_pinhole(c);
			break;
		default:
			break;
		}
	} else if (msg->cseq_method == SIP_METHOD_REGISTER) {
		sipalg_register_answered(c);
	} else if (msg->cseq_method == SIP_METHOD_INVITE) {
		if (msg->status >= 200 && msg->status < 300) {
			process_invite_state(c, sdp_pending);
			return;
		}
		if (msg->status >= 300)
			process_call_end(c, true);
	}
	if (sdp_pending)
		process_sdp(c);
}

/* A NATed flow: plan the translation and apply it.  NF_DROP on failure. */
static unsigned int rewrite_msg(struct sipalg_ctx *c, bool have_sdp)
{
	struct sip_edits *ed = &c->s->edits;
	int err;

	err = sip_plan(c->data, c->len, &c->s->msg,
		       have_sdp ? &c->s->sdp : NULL, &c->s->x, ed);
	if (err) {
		SIPALG_INC(c->net, rewrite_failed);
		net_dbg_ratelimited("sipalg: cannot plan rewrite: %s\n",
				    sip_strerror(err));
		return NF_ACCEPT;
	}
	if (!ed->n)
		return NF_ACCEPT;
	/*
	 * A packet cannot grow past 64 KB: leave it untouched rather than
	 * fail half-way through the edits.
	 */
	if (ed->delta > 0 && c->skb->len + ed->delta > 65535) {
		SIPALG_INC(c->net, rewrite_failed);
		return NF_ACCEPT;
	}
	trace_edits(c, ed);
	if (!apply_edits(c, ed)) {
		SIPALG_INC(c->net, rewrite_failed);
		nf_ct_helper_log(c->skb, c->ct, "cannot rewrite SIP message");
		return NF_DROP;
	}
	SIPALG_INC(c->net, rewritten);
	c->len += ed->delta;
	return NF_ACCEPT;
}

/*
 * One SIP message at c->data.  Returns NF_ACCEPT, or NF_DROP only where a
 * policy says so; c->len is updated when NAT changed the message's size.
 */
unsigned int sipalg_process_msg(struct sipalg_ctx *c)
{
	const struct sip_msg *msg = &c->s->msg;
	bool have_sdp;

	if (!parse_msg(c, &have_sdp)) {
		/*
		 * Never on TCP: every retransmission carries the same bytes,
		 * so a dropped segment would stall the connection for good.
		 */
		if (nf_ct_protonum(c->ct) == IPPROTO_UDP &&
		    READ_ONCE(drop_malformed)) {
			SIPALG_INC(c->net, dropped);
			nf_ct_helper_log(c->skb, c->ct,
					 "cannot parse SIP message");
			return NF_DROP;
		}
		return NF_ACCEPT;
	}
	memset(&c->s->x, 0, sizeof(c->s->x));
	c->callid = sipalg_callid_hash(c->data + msg->call_id.off,
				       msg->call_id.len);
	/* A write in between must not give one SDP's streams mixed policy. */
	c->direct_media = sipalg_direct_media();
	dispatch_msg(c, have_sdp && has_answerable_sdp(msg));

	if (!c->hooks || !build_xlate(c))
		return NF_ACCEPT;
	return rewrite_msg(c, have_sdp);
}

/*
 * Keep a signalling flow alive for sip_timeout, but only once it has been
 * answered.  A flow that never saw a reply (uplink down, server gone) keeps
 * the short unreplied timeout, so the phone's next packet after an outage
 * builds a fresh, correct NAT mapping instead of refreshing a dead one.
 */
static void refresh_flow(struct sipalg_ctx *c)
{
	if (test_bit(IPS_SEEN_REPLY_BIT, &c->ct->status))
		sipalg_ct_refresh(c->ct, c->skb,
				  READ_ONCE(sip_timeout) * HZ);
	else
		SIPALG_INC(c->net, unreplied_kept_short);
}

void sipalg_ctx_init(struct sipalg_ctx *c, struct sk_buff *skb,
		     unsigned int protoff, unsigned int dataoff,
		     struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	const struct sipalg_nat_hooks *hooks;

	c->skb = skb;
	c->protoff = protoff;
	c->dataoff = dataoff;
	c->ct = ct;
	c->ctinfo = ctinfo;
	c->dir = CTINFO2DIR(ctinfo);
	c->net = nf_ct_net(ct);
	hooks = rcu_dereference(sipalg_nat_hooks);
	c->hooks = (hooks && (ct->status & IPS_NAT_MASK)) ? hooks : NULL;
	c->msgoff = 0;
}

/*
 * A flow whose transport is not the one this help function parses (only a
 * helper assigned by mistake could bring one): its bytes are not read.
 */
int sipalg_wrong_transport(struct nf_conn *ct)
{
	SIPALG_INC(nf_ct_net(ct), wrong_transport);
	net_dbg_ratelimited("sipalg: helper of another transport on a flow of protocol %u: passed untouched\n",
			    nf_ct_protonum(ct));
	return NF_ACCEPT;
}

/* UDP: a datagram carries one message (RFC 3261 18.1.1). */
int sipalg_help_udp(struct sk_buff *skb, unsigned int protoff,
		    struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	unsigned int dataoff = protoff + sizeof(struct udphdr);
	struct sipalg_ctx c;
	unsigned int ret;

	if (unlikely(nf_ct_protonum(ct) != IPPROTO_UDP))
		return sipalg_wrong_transport(ct);
	if (dataoff >= skb->len)
		return NF_ACCEPT;
	sipalg_ctx_init(&c, skb, protoff, dataoff, ct, ctinfo);
	refresh_flow(&c);

	if (unlikely(skb_linearize(skb))) {
		SIPALG_INC(c.net, not_linear);
		return NF_ACCEPT;
	}
	c.data = skb->data + dataoff;
	c.len = skb->len - dataoff;

	/* Per-CPU scratch: no softirq may interleave on this CPU. */
	local_bh_disable();
	c.s = sipalg_scratch_get();
	ret = sipalg_process_msg(&c);
	local_bh_enable();
	return ret;
}
