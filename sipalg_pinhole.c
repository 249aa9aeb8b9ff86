// SPDX-License-Identifier: GPL-2.0
/*
 * Pinholes: the RTP/RTCP expectations an SDP asks for (with the media policy
 * that decides which may be opened; sipalg_evict.c bounds them), and the
 * signalling pinhole a REGISTER opens toward the phone.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv6.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "sipalg_compat.h"
#include "sipalg.h"

static bool direct_media __read_mostly = true;
module_param(direct_media, bool, 0644);
MODULE_PARM_DESC(direct_media,
		 "1: media may come from the address the SDP names; 0: only from the signalling peer (default: 1)");

/* Read once per message: one SDP's streams never get mixed policy. */
bool sipalg_direct_media(void)
{
	return READ_ONCE(direct_media);
}

/*
 * May a pinhole be opened toward @addr, named in an SDP written by the
 * sender of this message?  Its own address always.  Another one (a media
 * gateway) only with direct_media, and only a host on the side the message
 * came from: the route toward it leaves through the interface the message
 * arrived on.  Otherwise a peer on one side could open the router toward
 * any host on another (the LAN, a DMZ) by naming it in an SDP.  A message
 * the router sent itself came from no side: for it, any host but one on
 * the side it is delivered to.
 */
static bool media_dst_allowed(struct sipalg_ctx *c,
			      const union nf_inet_addr *addr)
{
	const struct dst_entry *this_dst = skb_dst(c->skb);
	int iif = c->skb->skb_iif;
	struct dst_entry *dst = NULL;
	struct flowi fl;
	bool ok;

	if (nf_inet_addr_cmp(addr, &c->ct->tuplehash[c->dir].tuple.src.u3))
		return true;
	if (!c->direct_media || (!iif && !this_dst))
		return false;

	memset(&fl, 0, sizeof(fl));
	if (nf_ct_l3num(c->ct) == NFPROTO_IPV4) {
		fl.u.ip4.daddr = addr->ip;
		nf_ip_route(c->net, &dst, &fl, false);
	} else {
		fl.u.ip6.daddr = addr->in6;
		nf_ip6_route(c->net, &dst, &fl, false);
	}
	if (!dst)
		return false;
	ok = iif ? dst->dev->ifindex == iif : dst->dev != this_dst->dev;
	dst_release(dst);
	return ok;
}

/*
 * Multicast media (RFC 8866 5.7, "c=IN IP4 224.2.1.1/127") is not a
 * conversation through NAT: a pinhole toward a group address, from the
 * session's c= or the stream's own, is refused.
 */
static bool media_multicast(const struct sdp_msg *sdp,
			    const struct sdp_media *m)
{
	const struct sdp_conn *conn = (m->flags & SDP_MF_CONN) ? &m->conn :
				      &sdp->conn;

	return conn->flags & SDP_CF_MULTICAST;
}

/*
 * A media flow was just created from one of our expectations (from its
 * callback, here or on the NAT side): count it and keep the SIP parser off
 * it.
 */
void sipalg_media_matched(struct nf_conn *ct,
			  const struct nf_conntrack_expect *exp)
{
	sipalg_media_detach(ct);
	spin_lock_bh(&sipalg_calls_lock);
	sipalg_host_uncount(nf_ct_net(ct), exp);
	spin_unlock_bh(&sipalg_calls_lock);
	SIPALG_INC(nf_ct_net(ct), media_matched);
}
EXPORT_SYMBOL_GPL(sipalg_media_matched);

static void media_expected(struct nf_conn *ct, struct nf_conntrack_expect *exp)
{
	sipalg_media_matched(ct, exp);
}

static struct nf_conntrack_expect *
media_exp(struct sipalg_ctx *c, const union nf_inet_addr *daddr, u16 port)
{
	const union nf_inet_addr *saddr = NULL;
	struct nf_conntrack_expect *exp;
	__be16 p = htons(port);

	if (!c->direct_media)
		saddr = &c->ct->tuplehash[!c->dir].tuple.src.u3;
	exp = nf_ct_expect_alloc(c->ct);
	if (exp) {
		nf_ct_expect_init(exp, SIPALG_EXPECT_MEDIA, nf_ct_l3num(c->ct),
				  saddr, daddr, IPPROTO_UDP, NULL, &p);
		sipalg_exp_set_sender(exp, c->dir);
		/* The NAT side replaces it with its own, which does the same. */
		exp->expectfn = media_expected;
	}
	return exp;
}

/*
 * Register @exp (and @pair, RTCP beside RTP, or NULL): through the NAT side
 * on a NATed flow, which may move their ports; *port and *pair_port are the
 * ports they got.
 */
static int register_once(struct sipalg_ctx *c,
			 const union nf_inet_addr *newaddr,
			 struct nf_conntrack_expect *exp,
			 struct nf_conntrack_expect *pair,
			 u16 *port, u16 *pair_port)
{
	int err;

	if (c->hooks)
		return c->hooks->expect(c->ct, c->dir, newaddr, exp, pair,
					port, pair_port);

	err = nf_ct_expect_related(exp, 0);
	if (err)
		return err;
	*port = ntohs(exp->tuple.dst.u.udp.port);
	if (pair) {
		err = nf_ct_expect_related(pair, 0);
		if (err) {
			sipalg_exp_unregister(exp);
			return err;
		}
		*pair_port = ntohs(pair->tuple.dst.u.udp.port);
	}
	return 0;
}

/*
 * As register_once(); when the kernel's table is full (-EMFILE), once
 * more after room was made from our own pinholes that no media used.
 */
static int register_exps(struct sipalg_ctx *c,
			 const union nf_inet_addr *newaddr,
			 struct nf_conntrack_expect *exp,
			 struct nf_conntrack_expect *pair,
			 u16 *port, u16 *pair_port)
{
	int err = register_once(c, newaddr, exp, pair, port, pair_port);

	if (err == -EMFILE && sipalg_table_reclaim(c))
		err = register_once(c, newaddr, exp, pair, port, pair_port);
	return err;
}

/* Note a pinhole this SDP opened; sipalg_call_keep_pinholes() tracks it. */
static void remember(struct sipalg_ctx *c,
		     const struct nf_conntrack_expect *exp, bool pair,
		     const struct sip_addr *priv, u16 priv_port)
{
	struct sipalg_pinhole *ph;

	if (c->nph >= ARRAY_SIZE(c->s->ph))
		return;
	ph = &c->s->ph[c->nph++];
	ph->addr = exp->tuple.dst.u3;
	ph->port = exp->tuple.dst.u.udp.port;
	ph->pair = pair;
	sipalg_addr_to_inet(priv, &ph->priv_addr);
	ph->priv_port = htons(priv_port);
}

/*
 * Where the expectations of this sender's media wait: behind a NAT that
 * translates the sender, on the sender's translated address; otherwise on
 * the address the SDP names (passed as NULL).
 */
static const union nf_inet_addr *media_newaddr(const struct sipalg_ctx *c)
{
	const struct nf_conn *ct = c->ct;

	if (!nf_inet_addr_cmp(&ct->tuplehash[c->dir].tuple.src.u3,
			      &ct->tuplehash[!c->dir].tuple.dst.u3))
		return &ct->tuplehash[!c->dir].tuple.dst.u3;
	return NULL;
}

/*
 * The RTCP expectation of stream @m, or NULL when it needs none (rtcp-mux,
 * RFC 5761) or *refused when policy refuses its address.  RTCP is on the
 * next port of RTP's address unless a=rtcp says otherwise (RFC 3605:
 * "a=rtcp:port [nettype addrtype connection-address]").
 */
static struct nf_conntrack_expect *
media_rtcp_exp(struct sipalg_ctx *c, const struct sdp_media *m,
	       const union nf_inet_addr *daddr, bool *refused, bool *nomem)
{
	union nf_inet_addr rtcp_daddr = *daddr;
	struct nf_conntrack_expect *rtcp;
	u16 rtcp_port = m->port_num + 1;

	*refused = *nomem = false;
	if (m->flags & SDP_MF_RTCP_MUX)
		return NULL;
	if (m->flags & SDP_MF_RTCP) {
		rtcp_port = m->rtcp_port_num;
		if ((m->flags & SDP_MF_RTCP_ADDR) &&
		    sipalg_addr_is(&m->rtcp_conn.ip, c->ct)) {
			sipalg_addr_to_inet(&m->rtcp_conn.ip, &rtcp_daddr);
			if (!media_dst_allowed(c, &rtcp_daddr)) {
				*refused = true;
				return NULL;
			}
		}
	}
	if (!rtcp_port)
		return NULL;
	rtcp = media_exp(c, &rtcp_daddr, rtcp_port);
	*nomem = !rtcp;
	return rtcp;
}

/* Both registered: note them, and the ports the NAT gave them. */
static void media_registered(struct sipalg_ctx *c, unsigned int i,
			     const struct nf_conntrack_expect *rtp,
			     const struct nf_conntrack_expect *rtcp,
			     u16 port, u16 pair_port)
{
	const struct sdp_media *m = &c->s->sdp.media[i];
	bool pair;

	sipalg_stat_add(c->net, SIPALG_STAT_media_pinholes, rtcp ? 2 : 1);
	sipalg_host_count(c, rtcp ? 2 : 1);
	pair = rtcp && pair_port == port + 1 && !(port & 1) &&
	       nf_inet_addr_cmp(&rtcp->tuple.dst.u3, &rtp->tuple.dst.u3);
	remember(c, rtp, pair, &m->addr, m->port_num);
	if (rtcp && !pair)
		remember(c, rtcp, false,
			 m->flags & SDP_MF_RTCP_ADDR ? &m->rtcp_conn.ip :
						       &m->addr,
			 m->flags & SDP_MF_RTCP ? m->rtcp_port_num :
						  m->port_num + 1);
	if (port != m->port_num)
		c->s->x.rtp_port[i] = port;
	if (rtcp && (m->flags & SDP_MF_RTCP) && pair_port != m->rtcp_port_num)
		c->s->x.rtcp_port[i] = pair_port;
}

/* RTP and RTCP pinholes for the m= line @i. */
static void media_stream(struct sipalg_ctx *c, unsigned int i)
{
	const struct sdp_media *m = &c->s->sdp.media[i];
	struct nf_conntrack_expect *rtp, *rtcp = NULL;
	const union nf_inet_addr *newaddr = media_newaddr(c);
	union nf_inet_addr daddr;
	u16 port = 0, pair_port = 0;
	bool refused, nomem;

	if (m->flags & (SDP_MF_PORT_ZERO | SDP_MF_HOLD | SDP_MF_NO_ADDR) ||
	    !sipalg_addr_is(&m->addr, c->ct))
		return;
	sipalg_addr_to_inet(&m->addr, &daddr);
	if (media_multicast(&c->s->sdp, m) || !media_dst_allowed(c, &daddr)) {
		SIPALG_INC(c->net, media_refused);
		return;
	}
	rtp = media_exp(c, &daddr, m->port_num);
	if (!rtp)
		goto err;
	rtcp = media_rtcp_exp(c, m, &daddr, &refused, &nomem);
	if (refused) {
		SIPALG_INC(c->net, media_refused);
		goto out;
	}
	if (nomem ||
	    register_exps(c, newaddr ?: &daddr, rtp, rtcp, &port,
			  &pair_port) < 0)
		goto err;
	media_registered(c, i, rtp, rtcp, port, pair_port);
	goto out;

err:
	SIPALG_INC(c->net, media_failed);
	nf_ct_helper_log(c->skb, c->ct, "cannot open media pinhole");
out:
	if (rtcp)
		nf_ct_expect_put(rtcp);
	if (rtp)
		nf_ct_expect_put(rtp);
}

/*
 * An SDP from the sender in c->dir: it replaces that sender's pinholes in
 * @call (NULL: no record could be had).  Under sipalg_calls_lock.
 */
void sipalg_sdp_pinholes(struct sipalg_ctx *c, struct sipalg_call *call)
{
	const struct sdp_msg *sdp = &c->s->sdp;
	unsigned int i;

	if (!call) {
		SIPALG_INC(c->net, media_failed);
		return;
	}
	sipalg_call_remove_pinholes(c->net, c->ct, call, c->dir);
	sipalg_flow_make_room(c, 2 * sdp->n_media);
	sipalg_host_make_room(c, 2 * sdp->n_media);
	c->nph = 0;
	for (i = 0; i < sdp->n_media; i++)
		media_stream(c, i);
	sipalg_call_keep_pinholes(call, c->dir, c->s->ph, c->nph);
}

/* The Contact of a REGISTER that names the sender itself, or NULL. */
static const struct sip_contact *register_contact(const struct sipalg_ctx *c)
{
	const struct sip_msg *msg = &c->s->msg;
	const struct nf_conntrack_tuple *t = &c->ct->tuplehash[c->dir].tuple;
	unsigned int i;

	for (i = 0; i < msg->n_contact; i++) {
		const struct sip_uri *u = &msg->contact[i].uri;

		/* Third-party registrations open nothing. */
		if (sipalg_addr_is(&u->hp.addr, c->ct) &&
		    !memcmp(u->hp.addr.u.b, &t->src.u3,
			    nf_ct_l3num(c->ct) == NFPROTO_IPV4 ? 4 : 16))
			return &msg->contact[i];
	}
	return NULL;
}

/*
 * The lifetime a REGISTER asks for: its Contact's expires parameter, else
 * its Expires header, else the registrar's choice (RFC 3261 10.2.1.1).
 */
static unsigned int register_asked(const struct sip_msg *msg,
				   const struct sip_contact *hdr)
{
	if (hdr->flags & SIP_CONTF_EXPIRES)
		return hdr->expires;
	if (msg->flags & SIP_F_EXPIRES)
		return msg->expires;
	return 3600;
}

/* The transport a Contact asks to be reached on (RFC 3261 19.1.1). */
static u8 contact_transport(const struct sipalg_ctx *c,
			    const struct sip_contact *hdr)
{
	const struct sip_span *tr = &hdr->uri.transport;

	if (tr->len == 3 && !strncasecmp(c->data + tr->off, "udp", 3))
		return IPPROTO_UDP;
	if (tr->len == 3 && !strncasecmp(c->data + tr->off, "tcp", 3))
		return IPPROTO_TCP;
	return nf_ct_protonum(c->ct);
}

/*
 * REGISTER: the phone wants calls sent to its Contact.  Open a signalling
 * pinhole from the registrar toward it, inactive until the registrar says
 * 2xx, so that a registrar sending from another port still reaches it.
 */
void sipalg_register_pinhole(struct sipalg_ctx *c)
{
	const struct sip_msg *msg = &c->s->msg;
	struct sipalg_master *priv = nfct_help_data(c->ct);
	const struct sip_contact *hdr = register_contact(c);
	struct nf_conntrack_expect *exp;
	union nf_inet_addr daddr;
	u16 newport;
	__be16 p;
	u8 proto;
	int err;

	if (!hdr)
		return;
	if (!register_asked(msg, hdr)) {
		priv->register_cseq = 0;
		return;		/* the 2xx removes the pinhole */
	}
	proto = contact_transport(c, hdr);
	exp = nf_ct_expect_alloc(c->ct);
	if (!exp)
		goto err;
	sipalg_addr_to_inet(&hdr->uri.hp.addr, &daddr);
	p = htons(hdr->uri.hp.port_num ?: 5060);
	nf_ct_expect_init(exp, SIPALG_EXPECT_SIGNALLING, nf_ct_l3num(c->ct),
			  &c->ct->tuplehash[!c->dir].tuple.src.u3, &daddr,
			  proto, NULL, &p);
	/*
	 * The flow the pinhole admits runs the helper of its own transport:
	 * a UDP flow handed to the TCP code would have UDP payload read as
	 * TCP sequence numbers and data offset.
	 */
	sipalg_exp_assign_helper(exp,
				 sipalg_helper_for(nf_ct_l3num(c->ct), proto));
	exp->flags = NF_CT_EXPECT_PERMANENT | NF_CT_EXPECT_INACTIVE;
	/* A full table is made room in under the call table's lock. */
	spin_lock_bh(&sipalg_calls_lock);
	err = register_exps(c, media_newaddr(c) ?: &daddr, exp, NULL, &newport,
			    &newport);
	spin_unlock_bh(&sipalg_calls_lock);
	if (err < 0) {
		nf_ct_expect_put(exp);
		goto err;
	}
	nf_ct_expect_put(exp);
	priv->register_cseq = msg->cseq;
	SIPALG_INC(c->net, signalling_pinholes);
	return;
err:
	nf_ct_helper_log(c->skb, c->ct, "cannot open signalling pinhole");
}

/* The lifetime a registrar granted (RFC 3261 10.3 step 8), in seconds. */
static unsigned int register_granted(const struct sip_msg *msg)
{
	unsigned int expires = 0, i;

	for (i = 0; i < msg->n_contact; i++)
		if (msg->contact[i].flags & SIP_CONTF_EXPIRES)
			expires = max(expires, msg->contact[i].expires);
	if (!expires)
		expires = (msg->flags & SIP_F_EXPIRES) ? msg->expires : 3600;
	/* Up to 2^32 - 1 on the wire: it becomes jiffies. */
	return min_t(unsigned int, expires, SIPALG_SECS_MAX);
}

/* The registrar's answer: activate and time the pinhole, or remove it. */
void sipalg_register_answered(struct sipalg_ctx *c)
{
	const struct sip_msg *msg = &c->s->msg;
	struct sipalg_master *priv = nfct_help_data(c->ct);
	struct nf_conn_help *help = nfct_help(c->ct);
	struct nf_conntrack_expect *exp;
	struct hlist_node *next;
	unsigned int expires = 0;
	bool keep;

	if (msg->status < 200)
		return;
	keep = msg->status < 300 && priv->register_cseq &&
	       msg->cseq == priv->register_cseq;
	if (keep) {
		expires = register_granted(msg);
		keep = expires != 0;
	}

	spin_lock_bh(&nf_conntrack_expect_lock);
	hlist_for_each_entry_safe(exp, next, &help->expectations, lnode) {
		if (exp->class != SIPALG_EXPECT_SIGNALLING)
			continue;
		if (keep && sipalg_exp_refresh(exp, expires)) {
			WRITE_ONCE(exp->flags,
				   exp->flags & ~NF_CT_EXPECT_INACTIVE);
			continue;
		}
		if (!keep && msg->status < 300 && priv->register_cseq)
			continue;	/* another REGISTER is in flight */
		sipalg_exp_remove(exp);
		SIPALG_INC(c->net, signalling_removed);
	}
	spin_unlock_bh(&nf_conntrack_expect_lock);
	if (!keep)
		priv->register_cseq = 0;
}
