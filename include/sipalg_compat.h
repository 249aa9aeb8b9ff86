/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel API differences are bridged.  The decisions are
 * made by scripts/compat-probe.sh against the target kernel's headers and
 * land in generated_compat.h; this file turns them into the newest API so
 * the rest of the code is written against it alone.
 */
#ifndef _SIPALG_COMPAT_H
#define _SIPALG_COMPAT_H

#include <linux/version.h>
#include <net/netfilter/nf_conntrack.h>
#include "generated_compat.h"

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "sipalg supports Linux 6.1 and newer"
#endif

/* Upstream 6.14 dropped the skb argument; call the new form everywhere. */
#ifdef SIPALG_REFRESH_TAKES_SKB
#define sipalg_ct_refresh(ct, skb, extra) nf_ct_refresh(ct, skb, extra)
#else
#define sipalg_ct_refresh(ct, skb, extra) nf_ct_refresh(ct, extra)
#endif

#include <net/netfilter/nf_conntrack_expect.h>

/*
 * Expectation lifetime: a timer on older kernels, a timestamp checked by the
 * master's GC on newer ones.  Both helpers run under nf_conntrack_expect_lock.
 */
#ifdef SIPALG_EXP_TIMER
static inline void sipalg_exp_remove(struct nf_conntrack_expect *exp)
{
	nf_ct_remove_expect(exp);
}

static inline bool sipalg_exp_refresh(struct nf_conntrack_expect *exp,
				      unsigned int secs)
{
	/* A timer that already fired belongs to an expectation going away. */
	if (!del_timer(&exp->timeout))
		return false;
	exp->timeout.expires = jiffies + secs * HZ;
	add_timer(&exp->timeout);
	return true;
}
#else
static inline void sipalg_exp_remove(struct nf_conntrack_expect *exp)
{
	nf_ct_unlink_expect(exp);
}

static inline bool sipalg_exp_refresh(struct nf_conntrack_expect *exp,
				      unsigned int secs)
{
	WRITE_ONCE(exp->timeout, nfct_time_stamp + secs * HZ);
	return true;
}
#endif

/* The helper a new connection created by @exp gets, on unload checks. */
static inline struct nf_conntrack_helper *
sipalg_exp_assigned_helper(struct nf_conntrack_expect *exp)
{
#ifdef SIPALG_EXP_ASSIGN_HELPER
	return rcu_dereference_raw(exp->assign_helper);
#else
	return rcu_dereference_raw(exp->helper);
#endif
}

/*
 * A new connection created by @exp gets no helper (media).  Before the
 * split, nf_ct_expect_init() copies the master's helper into exp->helper,
 * which is also what the new connection is given: every RTP packet would
 * then run through the SIP parser.
 */
static inline void sipalg_exp_no_helper(struct nf_conntrack_expect *exp)
{
#ifndef SIPALG_EXP_ASSIGN_HELPER
	RCU_INIT_POINTER(exp->helper, NULL);
#endif
}

/* The helper a new connection created by @exp gets. */
static inline void sipalg_exp_assign_helper(struct nf_conntrack_expect *exp,
					    struct nf_conntrack_helper *h)
{
#ifdef SIPALG_EXP_ASSIGN_HELPER
	rcu_assign_pointer(exp->assign_helper, h);
#else
	rcu_assign_pointer(exp->helper, h);
#endif
}

#endif /* _SIPALG_COMPAT_H */
