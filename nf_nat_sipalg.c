// SPDX-License-Identifier: GPL-2.0
/*
 * sipalg: SIP application layer gateway, NAT side.
 *
 * Applies the edit lists the planner computes for NATed flows, maps media
 * and signalling expectations through the NAT, and keeps TCP sequence
 * numbers right.  It is reached only through the RCU hook pointer exported
 * by nf_conntrack_sipalg.ko.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/rcupdate.h>
#include <linux/tcp.h>

#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_helper.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_seqadj.h>

#include "sipalg_compat.h"
#include "nf_conntrack_sipalg.h"
#include "version.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SIP application layer gateway (NAT)");
MODULE_VERSION(SIPALG_VERSION);
MODULE_ALIAS_NF_NAT_HELPER(SIPALG_HELPER_NAME);

static struct nf_conntrack_nat_helper sipalg_nat_helper =
	NF_CT_NAT_HELPER_INIT(SIPALG_HELPER_NAME);

/*
 * Port searches run in softirq context: bound them.  A stream that finds no
 * free port pair in this many tries gets no pinhole (and is counted).
 */
#define SIPALG_PORT_TRIES	64

/*
 * A new flow matched one of our expectations: send it where the SIP message
 * said (DNAT to the saved address), and make media from the private side
 * leave from the public port that side announced (SNAT to its own
 * expectation), so that symmetric-RTP peers see one address per stream.
 */
static void sipalg_nat_expected(struct nf_conn *ct,
				struct nf_conntrack_expect *exp)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct nf_conn_help *help = nfct_help(ct->master);
	struct nf_conntrack_expect *pair;
	struct nf_nat_range2 range = {};
	bool snat = false;

	if (exp->class == SIPALG_EXPECT_MEDIA)
		sipalg_media_matched(ct, exp);

	range.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	range.min_addr = range.max_addr = exp->saved_addr;
	range.min_proto = range.max_proto = exp->saved_proto;
	nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);

	if (exp->class == SIPALG_EXPECT_MEDIA && help) {
		spin_lock_bh(&nf_conntrack_expect_lock);
		hlist_for_each_entry(pair, &help->expectations, lnode) {
			if (pair->class != SIPALG_EXPECT_MEDIA ||
			    pair->tuple.src.l3num != nf_ct_l3num(ct) ||
			    pair->tuple.dst.protonum != t->dst.protonum ||
			    !nf_inet_addr_cmp(&pair->saved_addr, &t->src.u3) ||
			    pair->saved_proto.all != t->src.u.all)
				continue;
			memset(&range, 0, sizeof(range));
			range.flags = NF_NAT_RANGE_MAP_IPS |
				      NF_NAT_RANGE_PROTO_SPECIFIED;
			range.min_addr = range.max_addr = pair->tuple.dst.u3;
			range.min_proto.all = pair->tuple.dst.u.all;
			range.max_proto.all = pair->tuple.dst.u.all;
			snat = true;
			break;
		}
		spin_unlock_bh(&nf_conntrack_expect_lock);
	}

	/*
	 * No expectation of its own (e.g. rtcp-mux): a flow from the host
	 * behind the NAT still leaves from the public address.
	 */
	if (!snat &&
	    nf_inet_addr_cmp(&t->src.u3,
			     &ct->master->tuplehash[exp->dir].tuple.src.u3)) {
		memset(&range, 0, sizeof(range));
		range.flags = NF_NAT_RANGE_MAP_IPS;
		range.min_addr = range.max_addr =
			ct->master->tuplehash[!exp->dir].tuple.dst.u3;
		snat = true;
	}
	if (snat)
		nf_nat_setup_info(ct, &range, NF_NAT_MANIP_SRC);
}

/* Named for ctnetlink, and so that unloading removes what points here. */
static struct nf_ct_helper_expectfn sipalg_nat_expectfn = {
	.name		= "sipalg",
	.expectfn	= sipalg_nat_expected,
};

/*
 * Mapped before: a second try, once the conntrack side made room in a full
 * table.  Start again from what the SDP said.
 */
static void nat_exp_restore(struct nf_conntrack_expect *exp)
{
	if (exp && exp->expectfn == sipalg_nat_expected) {
		exp->tuple.dst.u3 = exp->saved_addr;
		exp->tuple.dst.u.all = exp->saved_proto.all;
	}
}

static void nat_exp_prepare(struct nf_conntrack_expect *exp,
			    enum ip_conntrack_dir dir,
			    const union nf_inet_addr *newaddr)
{
	exp->saved_addr = exp->tuple.dst.u3;
	exp->saved_proto.all = exp->tuple.dst.u.all;
	exp->tuple.dst.u3 = *newaddr;
	exp->dir = !dir;
	exp->expectfn = sipalg_nat_expected;
}

/*
 * May media wait on @port?  Not when a call still holds it: its pinhole may
 * have become a flow already, which the expectation table no longer shows.
 */
static bool port_free(const struct nf_conntrack_expect *exp, u16 port)
{
	return exp->class != SIPALG_EXPECT_MEDIA ||
	       !sipalg_port_in_use(&exp->tuple.dst.u3, htons(port));
}

/*
 * One expectation: the wanted port if free, else the next free ones.  0 and
 * the port in *got, or the error that ended the search (-EMFILE: the
 * table is full, which the conntrack side can make room in).
 */
static int nat_register_one(struct nf_conntrack_expect *exp, u16 port,
			    u16 *got)
{
	unsigned int tries;
	int err;

	for (tries = 0; tries < SIPALG_PORT_TRIES && port; tries++, port++) {
		if (!port_free(exp, port))
			continue;
		exp->tuple.dst.u.udp.port = htons(port);
		err = nf_ct_expect_related(exp, 0);
		if (!err) {
			*got = port;
			return 0;
		}
		if (err != -EBUSY)
			return err;
	}
	return -EBUSY;
}

/* RTP and RTCP on adjacent ports, moved together in steps of two. */
static int nat_register_pair(struct nf_conntrack_expect *rtp,
			     struct nf_conntrack_expect *rtcp, u16 port,
			     u16 *got)
{
	unsigned int tries;
	int err;

	for (tries = 0; tries < SIPALG_PORT_TRIES && port && port < 65535;
	     tries++, port += 2) {
		if (!port_free(rtp, port) || !port_free(rtcp, port + 1))
			continue;
		rtp->tuple.dst.u.udp.port = htons(port);
		err = nf_ct_expect_related(rtp, 0);
		if (err == -EBUSY)
			continue;
		if (err < 0)
			return err;
		rtcp->tuple.dst.u.udp.port = htons(port + 1);
		err = nf_ct_expect_related(rtcp, 0);
		if (!err) {
			*got = port;
			return 0;
		}
		sipalg_exp_unregister(rtp);
		if (err != -EBUSY)
			return err;
	}
	return -EBUSY;
}

static int sipalg_nat_expect(struct nf_conn *ct, enum ip_conntrack_dir dir,
			     const union nf_inet_addr *newaddr,
			     struct nf_conntrack_expect *exp,
			     struct nf_conntrack_expect *pair,
			     u16 *port, u16 *pair_port)
{
	u16 want;
	int err;

	nat_exp_restore(exp);
	nat_exp_restore(pair);
	want = ntohs(exp->tuple.dst.u.all);

	/*
	 * A Contact on the port the phone signals from is reached through
	 * the public port the NAT gave that flow: the pinhole waits there.
	 */
	if (exp->class == SIPALG_EXPECT_SIGNALLING &&
	    exp->tuple.dst.u.all == ct->tuplehash[dir].tuple.src.u.all)
		want = ntohs(ct->tuplehash[!dir].tuple.dst.u.all);

	nat_exp_prepare(exp, dir, newaddr);
	if (!pair)
		return nat_register_one(exp, want, port);

	nat_exp_prepare(pair, dir, newaddr);
	if (nf_inet_addr_cmp(&pair->saved_addr, &exp->saved_addr) &&
	    ntohs(pair->saved_proto.all) == want + 1) {
		err = nat_register_pair(exp, pair, want, port);
		*pair_port = *port + 1;
		return err;
	}

	/* An explicit a=rtcp port elsewhere: two independent searches. */
	err = nat_register_one(exp, want, port);
	if (err)
		return err;
	err = nat_register_one(pair, ntohs(pair->saved_proto.all), pair_port);
	if (err)
		sipalg_exp_unregister(exp);
	return err;
}

static bool sipalg_nat_mangle(struct sk_buff *skb, unsigned int protoff,
			      unsigned int dataoff, struct nf_conn *ct,
			      enum ip_conntrack_info ctinfo, unsigned int off,
			      unsigned int len, const char *rep,
			      unsigned int rep_len)
{
	/* Offsets are relative to the transport payload. */
	if (nf_ct_protonum(ct) == IPPROTO_TCP)
		return __nf_nat_mangle_tcp_packet(skb, ct, ctinfo, protoff, off,
						  len, rep, rep_len, false);
	return nf_nat_mangle_udp_packet(skb, ct, ctinfo, protoff, off, len,
					rep, rep_len);
}

static void sipalg_nat_seq_adjust(struct sk_buff *skb, unsigned int protoff,
				  struct nf_conn *ct,
				  enum ip_conntrack_info ctinfo, s32 off)
{
	const struct tcphdr *th;

	if (nf_ct_protonum(ct) != IPPROTO_TCP || off == 0)
		return;
	th = (const struct tcphdr *)(skb->data + protoff);
	nf_ct_seqadj_set(ct, ctinfo, th->seq, off);
}

static const struct sipalg_nat_hooks sipalg_hooks = {
	.expect		= sipalg_nat_expect,
	.mangle		= sipalg_nat_mangle,
	.seq_adjust	= sipalg_nat_seq_adjust,
};

static int __init nf_nat_sipalg_init(void)
{
	if (WARN_ON_ONCE(rcu_access_pointer(sipalg_nat_hooks)))
		return -EBUSY;

	nf_nat_helper_register(&sipalg_nat_helper);
	nf_ct_helper_expectfn_register(&sipalg_nat_expectfn);
	rcu_assign_pointer(sipalg_nat_hooks, &sipalg_hooks);
	pr_info("SIP ALG NAT %s loaded\n", SIPALG_VERSION);
	return 0;
}

static void __exit nf_nat_sipalg_fini(void)
{
	RCU_INIT_POINTER(sipalg_nat_hooks, NULL);
	nf_nat_helper_unregister(&sipalg_nat_helper);
	nf_ct_helper_expectfn_unregister(&sipalg_nat_expectfn);
	/*
	 * No packet may still be inside a hook, and no expectation may still
	 * point at sipalg_nat_expected, when the module text goes.
	 */
	synchronize_rcu();
	nf_ct_helper_expectfn_destroy(&sipalg_nat_expectfn);
}

module_init(nf_nat_sipalg_init);
module_exit(nf_nat_sipalg_fini);
