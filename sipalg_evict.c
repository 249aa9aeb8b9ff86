// SPDX-License-Identifier: GPL-2.0
/*
 * Fair use of the kernel's expectation table (nf_conntrack_expect_max
 * entries per namespace, 1,024 on a router with 1 GB): limits on the media
 * pinholes a flow and a host may keep pending, and room made from this
 * module's own pending media pinholes when the kernel refuses one because
 * the table is full.  Without them one host flooding never-answered
 * INVITEs fills the table and every later call is left without audio.
 * The decisions are pure, in pinhole_evict.c; this file walks the tables.
 *
 * "Pending" is what the expectation table holds: a media pinhole leaves it
 * once media used it (it became a flow) or it timed out, so every pinhole
 * evicted here is one that no media ever used.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/jhash.h>
#include <linux/hash.h>
#include <linux/random.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "sipalg_compat.h"
#include "sipalg.h"
#include "pinhole_evict.h"

static unsigned int max_media_per_flow __read_mostly;
module_param(max_media_per_flow, uint, 0444);
MODULE_PARM_DESC(max_media_per_flow,
		 "media pinholes one signalling flow may keep pending; its oldest are evicted beyond it (default: a quarter of nf_conntrack_expect_max at load, 8 to 240)");

static unsigned int max_media_per_host __read_mostly;
module_param(max_media_per_host, uint, 0444);
MODULE_PARM_DESC(max_media_per_host,
		 "media pinholes the SDPs of one host may keep pending, all its flows together (default: a quarter of nf_conntrack_expect_max at load, at least max_media_per_flow)");

static struct ph_limits limits __read_mostly;
static u32 host_seed __read_mostly;

/*
 * The limits in force, shown in the parameters the admin reads.  The
 * table's size is not exported; the kernel sets it to four entries per
 * bucket of the expectation hash, which is (a later sysctl change of
 * nf_conntrack_expect_max is not seen: set the parameters then).
 */
void sipalg_evict_init(void)
{
	ph_limits_default(nf_ct_expect_hsize * 4, max_media_per_flow,
			  max_media_per_host, &limits);
	max_media_per_flow = limits.per_flow;
	max_media_per_host = limits.per_host;
	host_seed = get_random_u32();
}

static u32 host_bucket(const union nf_inet_addr *addr)
{
	return hash_32(jhash2(addr->all, ARRAY_SIZE(addr->all), host_seed),
		       PH_HOST_BITS);
}

/* The host whose SDP asked for @exp (see sipalg_exp_set_sender). */
static u32 exp_host_bucket(const struct nf_conntrack_expect *exp)
{
	return host_bucket(&exp->master->tuplehash[sipalg_exp_sender(exp)]
			   .tuple.src.u3);
}

static void host_add(struct sipalg_net *sn, u32 b, unsigned int n)
{
	sn->host_pending[b] = min_t(unsigned int, sn->host_pending[b] + n,
				    U16_MAX);
}

static void host_sub(struct sipalg_net *sn, u32 b, unsigned int n)
{
	sn->host_pending[b] -= min_t(unsigned int, sn->host_pending[b], n);
}

/* @n pinholes were registered for the sender of this message. */
void sipalg_host_count(struct sipalg_ctx *c, unsigned int n)
{
	struct sipalg_net *sn = net_generic(c->net, sipalg_net_id);

	lockdep_assert_held(&sipalg_calls_lock);
	host_add(sn, host_bucket(&c->ct->tuplehash[c->dir].tuple.src.u3), n);
}

/* @exp left the table (removed by us, or used by media): uncount it. */
void sipalg_host_uncount(struct net *net,
			 const struct nf_conntrack_expect *exp)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	lockdep_assert_held(&sipalg_calls_lock);
	if (exp->class == SIPALG_EXPECT_MEDIA)
		host_sub(sn, exp_host_bucket(exp), 1);
}

/* Remove a pending media pinhole.  Under both locks. */
void sipalg_media_remove(struct net *net, struct nf_conntrack_expect *exp)
{
	sipalg_host_uncount(net, exp);
	sipalg_exp_remove(exp);
}

/*
 * A flow may keep limits.per_flow media pinholes pending (a trunk carries
 * many ringing calls).  Past SIPALG_MEDIA_MAX the core would evict the
 * oldest itself, but it finds it by walking the flow's whole expectation
 * list, for every new pinhole.  Make room before that instead, with one
 * walk that drops at least PH_EVICT_BATCH of the oldest, so that a walk
 * comes once per batch of calls.
 */
void sipalg_flow_make_room(struct sipalg_ctx *c, unsigned int need)
{
	struct nf_conn_help *help = nfct_help(c->ct);
	struct nf_conntrack_expect *exp;
	struct hlist_node *next;
	unsigned int evict, seen = 0, keep, evicted = 0;

	if (!help ||
	    READ_ONCE(help->expecting[SIPALG_EXPECT_MEDIA]) + need <=
	    limits.per_flow)
		return;
	spin_lock_bh(&nf_conntrack_expect_lock);
	evict = ph_evict_count(help->expecting[SIPALG_EXPECT_MEDIA], need,
			       limits.per_flow, PH_EVICT_BATCH);
	keep = help->expecting[SIPALG_EXPECT_MEDIA] - evict;
	/* The core adds new expectations at the head: the oldest are last. */
	hlist_for_each_entry_safe(exp, next, &help->expectations, lnode) {
		if (!evict || exp->class != SIPALG_EXPECT_MEDIA ||
		    ++seen <= keep)
			continue;
		sipalg_media_remove(c->net, exp);
		evicted++;
	}
	spin_unlock_bh(&nf_conntrack_expect_lock);
	if (evicted)
		sipalg_stat_add(c->net, SIPALG_STAT_media_evicted, evicted);
}

/*
 * One walk of a namespace's expectation table (nf_ct_expect_iterate_net,
 * which holds nf_conntrack_expect_lock): count this module's pending
 * media pinholes per host and keep the oldest of one host, or remove at
 * most @left of that host's not newer than @cutoff.
 */
struct evict_walk {
	struct sipalg_net *sn;
	int bucket;		/* the host, -1: every host */
	bool tally;		/* recount sn->host_pending as we go */
	bool evict;
	u32 cutoff, left;
	u32 count;		/* of the host: seen, or removed */
	struct ph_oldest oldest;
};

static bool media_ours(const struct nf_conntrack_expect *exp)
{
	const struct nf_conn_help *help = nfct_help(exp->master);

	return exp->class == SIPALG_EXPECT_MEDIA && help &&
	       sipalg_helper_ours(rcu_dereference_raw(help->helper));
}

static bool evict_iter(struct nf_conntrack_expect *exp, void *data)
{
	struct evict_walk *w = data;
	u32 b, stamp;

	if (!media_ours(exp))
		return false;
	b = exp_host_bucket(exp);
	if (w->tally)
		host_add(w->sn, b, 1);
	if (w->bucket >= 0 && b != w->bucket)
		return false;
	stamp = sipalg_exp_expiry(exp);
	if (!w->evict) {
		w->count++;
		ph_oldest_add(&w->oldest, stamp);
		return false;
	}
	if (!w->left || !ph_stamp_within(stamp, w->cutoff))
		return false;
	w->left--;
	w->count++;
	host_sub(w->sn, b, 1);
	return true;
}

/* Count host @b's pending media pinholes again, keeping its oldest. */
static void host_recount(struct net *net, struct evict_walk *w, int b)
{
	memset(w, 0, sizeof(*w));
	w->sn = net_generic(net, sipalg_net_id);
	w->bucket = b;
	ph_oldest_init(&w->oldest, PH_OLDEST_MAX);
	nf_ct_expect_iterate_net(net, evict_iter, w, 0, 0);
	w->sn->host_pending[b] = min_t(u32, w->count, U16_MAX);
}

/* Remove the @n oldest that host_recount() found; how many went. */
static u32 host_evict(struct net *net, struct evict_walk *w, u32 n)
{
	if (!ph_oldest_cutoff(&w->oldest, n, &w->cutoff))
		return 0;
	w->evict = true;
	w->left = n;
	w->count = 0;
	nf_ct_expect_iterate_net(net, evict_iter, w, 0, 0);
	return w->count;
}

/*
 * Before an SDP's @need pinholes: keep its sender within limits.per_host,
 * by evicting the sender's own oldest pending ones.  The count kept per
 * host misses pinholes that expired or were flushed, so it can only be
 * too high: it is checked by a walk before anything is evicted.  Under
 * sipalg_calls_lock.
 */
void sipalg_host_make_room(struct sipalg_ctx *c, unsigned int need)
{
	struct sipalg_net *sn = net_generic(c->net, sipalg_net_id);
	u32 b = host_bucket(&c->ct->tuplehash[c->dir].tuple.src.u3);
	struct evict_walk w;
	u32 evict, gone;

	lockdep_assert_held(&sipalg_calls_lock);
	if (sn->host_pending[b] + need <= limits.per_host)
		return;
	host_recount(c->net, &w, b);
	evict = ph_evict_count(w.count, need, limits.per_host,
			       PH_EVICT_BATCH);
	if (!evict)
		return;
	gone = host_evict(c->net, &w, evict);
	sipalg_stat_add(c->net, SIPALG_STAT_media_evicted_host, gone);
}

/*
 * The kernel refused a pinhole: its expectation table is full.  Free room
 * from this module's pending media pinholes: the oldest of the host that
 * holds the most, a batch at once.  False when there were none of ours to
 * free (the table is full of other helpers' expectations).  Under
 * sipalg_calls_lock.
 */
bool sipalg_table_reclaim(struct sipalg_ctx *c)
{
	struct sipalg_net *sn = net_generic(c->net, sipalg_net_id);
	struct evict_walk w;
	u32 b, gone;

	lockdep_assert_held(&sipalg_calls_lock);
	/* One walk counts every host anew, a second finds the oldest. */
	memset(&w, 0, sizeof(w));
	w.sn = sn;
	w.bucket = -1;
	w.tally = true;
	memset(sn->host_pending, 0, sizeof(sn->host_pending));
	nf_ct_expect_iterate_net(c->net, evict_iter, &w, 0, 0);
	b = ph_heaviest(sn->host_pending, PH_HOSTS);
	if (!sn->host_pending[b]) {
		SIPALG_INC(c->net, media_table_full);
		return false;
	}
	host_recount(c->net, &w, b);
	gone = host_evict(c->net, &w, min_t(u32, w.count, PH_EVICT_BATCH));
	sipalg_stat_add(c->net, SIPALG_STAT_media_reclaimed, gone);
	return gone > 0;
}
