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

#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#error "sipalg supports Linux 6.1 and newer"
#endif

/* Upstream 6.14 dropped the skb argument; call the new form everywhere. */
#ifdef SIPALG_REFRESH_TAKES_SKB
#define sipalg_ct_refresh(ct, skb, extra) nf_ct_refresh(ct, skb, extra)
#else
#define sipalg_ct_refresh(ct, skb, extra) nf_ct_refresh(ct, extra)
#endif

#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>

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

/* When @exp times out, in jiffies (compared modulo 2^32). */
static inline u32 sipalg_exp_expiry(const struct nf_conntrack_expect *exp)
{
#ifdef SIPALG_EXP_TIMER
	return (u32)exp->timeout.expires;
#else
	return READ_ONCE(exp->timeout);
#endif
}

/*
 * Which side of its master asked for @exp with an SDP.  The NAT fields of
 * an expectation keep the direction the new flow comes from, the other
 * one: nf_nat_sipalg.ko sets it as it maps the expectation, the conntrack
 * side for flows without NAT (no NAT code reads it on those).
 */
static inline void sipalg_exp_set_sender(struct nf_conntrack_expect *exp,
					 enum ip_conntrack_dir dir)
{
#if IS_ENABLED(CONFIG_NF_NAT)
	exp->dir = !dir;
#endif
}

static inline enum ip_conntrack_dir
sipalg_exp_sender(const struct nf_conntrack_expect *exp)
{
#if IS_ENABLED(CONFIG_NF_NAT)
	return !exp->dir;
#else
	return IP_CT_DIR_ORIGINAL;
#endif
}

/*
 * Take back an expectation we registered, at once, so that the same object
 * may be registered again on another port.  With timestamps,
 * nf_ct_unexpect_related() only marks it dead for the GC: registering it
 * again would link it twice.  It may already be gone (a flow matched it in
 * the meantime), so look for it in its master's list first.
 */
static inline void sipalg_exp_unregister(struct nf_conntrack_expect *exp)
{
#ifdef SIPALG_EXP_TIMER
	nf_ct_unexpect_related(exp);
#else
	struct nf_conn_help *help = nfct_help(exp->master);
	struct nf_conntrack_expect *i;

	spin_lock_bh(&nf_conntrack_expect_lock);
	hlist_for_each_entry(i, &help->expectations, lnode) {
		if (i == exp) {
			nf_ct_unlink_expect(exp);
			break;
		}
	}
	spin_unlock_bh(&nf_conntrack_expect_lock);
#endif
}

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
 * A connection just created by a media expectation must not run the SIP
 * helper.  Before the split of exp->helper, the expectation's helper is both
 * what times it (it cannot be cleared) and what the new connection gets:
 * take it off the connection here, from the expectation's callback.
 */
static inline void sipalg_media_detach(struct nf_conn *ct)
{
#ifndef SIPALG_EXP_ASSIGN_HELPER
	struct nf_conn_help *help = nfct_help(ct);

	if (help)
		RCU_INIT_POINTER(help->helper, NULL);
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
