// SPDX-License-Identifier: GPL-2.0
/*
 * sipalg: SIP application layer gateway, connection tracking side.
 *
 * Parses SIP and SDP on flows that carry the "sipalg" helper, opens the media
 * pinholes (expectations) every call needs, keeps signalling flows alive and
 * hands NATed flows to nf_nat_sipalg.ko for rewriting.
 *
 * This file is the module: its metadata, the four helpers, load, and the
 * unload sweeps.  include/sipalg.h says which file owns what.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "sipalg_compat.h"
#include "sipalg.h"
#include "version.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SIP application layer gateway (connection tracking)");
MODULE_VERSION(SIPALG_VERSION);
MODULE_ALIAS_NFCT_HELPER(SIPALG_HELPER_NAME);
/*
 * The core never loads a helper's NAT half for nft/iptables rules; without
 * it a NATed flow is tracked but not rewritten.  Have modprobe bring it.
 */
MODULE_SOFTDEP("post: nf_nat_sipalg");

/* Published by nf_nat_sipalg.ko: see include/nf_conntrack_sipalg.h. */
const struct sipalg_nat_hooks __rcu *sipalg_nat_hooks __read_mostly;
EXPORT_SYMBOL_GPL(sipalg_nat_hooks);

static const struct nf_conntrack_expect_policy
sipalg_exp_policy[__SIPALG_EXPECT_MAX] = {
	[SIPALG_EXPECT_SIGNALLING] = {
		.name		= "signalling",
		.max_expected	= 1,
		.timeout	= 3 * 60,
	},
	/*
	 * A trunk sets up many calls on one flow: room for 60 calls of one
	 * stream each way (4 pinholes each).  The flow is kept below this
	 * by sipalg_pinhole.c; the core's own eviction is the backstop.
	 */
	[SIPALG_EXPECT_MEDIA] = {
		.name		= "media",
		.max_expected	= SIPALG_MEDIA_MAX,
		.timeout	= 3 * 60,
	},
};

/*
 * One helper per address family and transport, all named "sipalg".  Since
 * Linux 6.0 helpers are attached by rules (nft "ct helper", iptables CT),
 * never by port, and the core refuses two helpers of one name for the same
 * family and transport; so the port list cannot be part of the helper's
 * identity.  The tuple port is left 0: the core also refuses a helper whose
 * tuple equals another's, and in-tree nf_conntrack_sip registers 5060, which
 * we must coexist with.  "ports" names the SIP ports for auto_assign.
 */
static struct nf_conntrack_helper sipalg_helpers[4] __read_mostly;

/* Ours for @l3num and @l4num (UDP or TCP), in sipalg_helpers_init order. */
struct nf_conntrack_helper *sipalg_helper_for(u16 l3num, u8 l4num)
{
	return &sipalg_helpers[(l3num == NFPROTO_IPV6) * 2 +
			       (l4num == IPPROTO_TCP)];
}

/* The flow is going away: its calls and held bytes go with it. */
static void sipalg_destroy(struct nf_conn *ct)
{
	sipalg_calls_destroy(ct);
	sipalg_hold_reset(nfct_help_data(ct));
}

static void sipalg_helpers_init(void)
{
	static const u16 l3[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	static const u8 l4[] = { IPPROTO_UDP, IPPROTO_TCP };
	struct nf_conntrack_helper *h;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(l3); i++) {
		for (j = 0; j < ARRAY_SIZE(l4); j++) {
			h = sipalg_helper_for(l3[i], l4[j]);
			nf_ct_helper_init(h, l3[i], l4[j], SIPALG_HELPER_NAME,
					  0, 0, 0, sipalg_exp_policy,
					  __SIPALG_EXPECT_MAX - 1,
					  l4[j] == IPPROTO_TCP ?
					  sipalg_help_tcp : sipalg_help_udp,
					  NULL, THIS_MODULE);
			h->destroy = sipalg_destroy;
		}
	}
}

static int __init nf_conntrack_sipalg_init(void)
{
	char portlist[SIPALG_MAX_PORTS * 6 + 1];
	int err;

	NF_CT_HELPER_BUILD_BUG_ON(sizeof(struct sipalg_master));
	BUILD_BUG_ON(sizeof(struct sipalg_master) > 32);

	err = sipalg_calls_init();
	if (err)
		return err;
	sipalg_evict_init();
	err = sipalg_msg_init();
	if (err)
		goto err_msg;
	sipalg_helpers_init();
	err = sipalg_stats_init();
	if (err < 0)
		goto err_stats;
	err = nf_conntrack_helpers_register(sipalg_helpers,
					    ARRAY_SIZE(sipalg_helpers));
	if (err < 0) {
		pr_err("cannot register the \"%s\" helpers: %d\n",
		       SIPALG_HELPER_NAME, err);
		goto err_helpers;
	}
	err = sipalg_auto_init();
	if (err < 0)
		goto err_auto;

	sipalg_ports_format(portlist, sizeof(portlist));
	pr_info("SIP ALG %s loaded, ports %s%s\n", SIPALG_VERSION, portlist,
		sipalg_auto_assign_on() ? ", auto_assign" : "");
	return 0;

err_auto:
	nf_conntrack_helpers_unregister(sipalg_helpers,
					ARRAY_SIZE(sipalg_helpers));
err_helpers:
	sipalg_stats_exit();
err_stats:
	sipalg_msg_exit();
err_msg:
	sipalg_calls_exit();
	return err;
}

bool sipalg_helper_ours(const struct nf_conntrack_helper *h)
{
	return h >= sipalg_helpers &&
	       h < sipalg_helpers + ARRAY_SIZE(sipalg_helpers);
}

static bool sipalg_exp_ours(struct nf_conntrack_expect *exp, void *data)
{
	const struct nf_conn_help *help = nfct_help(exp->master);

	return sipalg_helper_ours(rcu_dereference_raw(exp->helper)) ||
	       sipalg_helper_ours(sipalg_exp_assigned_helper(exp)) ||
	       (help && sipalg_helper_ours(rcu_dereference_raw(help->helper)));
}

static int sipalg_unhelp(struct nf_conn *ct, void *data)
{
	struct nf_conn_help *help = nfct_help(ct);

	if (help && sipalg_helper_ours(rcu_dereference_raw(help->helper)))
		RCU_INIT_POINTER(help->helper, NULL);
	return 0;	/* detach, never delete */
}

static void __exit nf_conntrack_sipalg_fini(void)
{
	/* No new flow may be given a helper that is going away. */
	sipalg_auto_exit();
	/*
	 * The core waits for packets in the helper, removes its pinholes and
	 * detaches it from every flow in the table.  A flow whose first
	 * packet was in the helper meanwhile is confirmed only after that
	 * sweep, with its pinholes: without a second sweep it would keep
	 * pointing at this module's text (conntrack -L expect would oops).
	 */
	nf_conntrack_helpers_unregister(sipalg_helpers,
					ARRAY_SIZE(sipalg_helpers));
	nf_ct_expect_iterate_destroy(sipalg_exp_ours, NULL);
	nf_ct_iterate_destroy(sipalg_unhelp, NULL);	/* ends in an RCU sync */
	sipalg_calls_flush();
	sipalg_holds_flush();
	/* A packet still in the helper counted: the counters go last. */
	sipalg_stats_exit();
	sipalg_msg_exit();
	sipalg_calls_exit();
}

module_init(nf_conntrack_sipalg_init);
module_exit(nf_conntrack_sipalg_fini);
