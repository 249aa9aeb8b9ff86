// SPDX-License-Identifier: GPL-2.0
/*
 * Call records: one per Call-ID and signalling flow, in three tables (by
 * flow and Call-ID, by flow, and the public media ports calls hold), least
 * recently active first on their namespace's list, from which max_calls
 * recycles: a namespace (a container, a VRF-like setup) never recycles
 * another's records.  Each
 * record remembers the pinholes its senders' latest SDPs opened, so that
 * BYE, CANCEL, a failure or a newer SDP removes exactly those.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/jhash.h>
#include <linux/hash.h>
#include <linux/random.h>
#include <linux/log2.h>
#include <net/netfilter/nf_conntrack_expect.h>

#include "sipalg_compat.h"
#include "sipalg.h"

static unsigned int max_calls __read_mostly = 4096;
module_param(max_calls, uint, 0444);
MODULE_PARM_DESC(max_calls,
		 "calls whose media pinholes are tracked at once per network namespace, all its flows together; its least recently active is forgotten beyond it (default: 4096)");

/*
 * Sized from max_calls when the module loads: a bucket per call record (in
 * both tables of calls) and per two pinholes, so that the lookups made for
 * every INVITE stay short when max_calls records are live.
 */
static struct hlist_head *calls_hash __read_mostly;
static struct hlist_head *masters_hash __read_mostly;
static struct hlist_head *ports_hash __read_mostly;
static unsigned int calls_bits __read_mostly;
#define CALLS_BITS_MIN	6
#define CALLS_BITS_MAX	18
#define PORTS_HASH_BITS	(calls_bits + 1)
static struct kmem_cache *call_cache __read_mostly;
static u32 hash_seed __read_mostly;

DEFINE_SPINLOCK(sipalg_calls_lock);

static struct sipalg_net *call_sn(const struct sipalg_call *call)
{
	return net_generic(read_pnet(&call->net), sipalg_net_id);
}

/* Gauges, under sipalg_calls_lock (read without it). */
unsigned int sipalg_calls_active(const struct net *net)
{
	const struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	return READ_ONCE(sn->calls_count);
}

unsigned int sipalg_calls_pinholes(const struct net *net)
{
	const struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	return READ_ONCE(sn->pinholes_count);
}

u32 sipalg_callid_hash(const char *id, u32 len)
{
	return jhash(id, len, hash_seed);
}

static struct hlist_head *call_bucket(const struct nf_conn *ct, u32 id)
{
	u32 h = jhash_2words((u32)(unsigned long)ct, id, hash_seed);

	return &calls_hash[hash_32(h, calls_bits)];
}

static struct hlist_head *master_bucket(const struct nf_conn *ct)
{
	return &masters_hash[hash_ptr(ct, calls_bits)];
}

/* A port pair (2n, 2n + 1) shares a bucket. */
static struct hlist_head *port_bucket(__be16 port)
{
	return &ports_hash[hash_32(ntohs(port) >> 1, PORTS_HASH_BITS)];
}

static bool pinhole_is(const struct sipalg_pinhole *ph,
		       const union nf_inet_addr *addr, __be16 port)
{
	return (ph->port == port ||
		(ph->pair && ntohs(ph->port) + 1 == ntohs(port))) &&
	       nf_inet_addr_cmp(&ph->addr, addr);
}

/*
 * Is @addr:@port the public side of a pinhole a call still holds (in any
 * namespace: see struct sipalg_pinhole)?  The NAT side asks before it
 * hands out a media port.  Called with sipalg_calls_lock held (media
 * pinholes are set up under it).
 */
bool sipalg_port_in_use(const union nf_inet_addr *addr, __be16 port)
{
	struct sipalg_pinhole *ph;

	lockdep_assert_held(&sipalg_calls_lock);
	hlist_for_each_entry(ph, port_bucket(port), pnode)
		if (pinhole_is(ph, addr, port))
			return true;
	return false;
}
EXPORT_SYMBOL_GPL(sipalg_port_in_use);

static struct sipalg_pinhole *call_pinholes(struct sipalg_call *call,
					     enum ip_conntrack_dir dir)
{
	return call->nph[dir] > 1 ? call->ph[dir].many : &call->ph[dir].one;
}

static void call_forget_pinholes(struct sipalg_call *call,
				 enum ip_conntrack_dir dir)
{
	struct sipalg_pinhole *ph = call_pinholes(call, dir);
	unsigned int i, n = call->nph[dir];
	struct sipalg_net *sn = call_sn(call);

	for (i = 0; i < n; i++) {
		hlist_del(&ph[i].pnode);
		sn->pinholes_count -= 1 + ph[i].pair;
	}
	if (n > 1)
		kfree(ph);
	call->nph[dir] = 0;
}

/* Track the @n pinholes @src that an SDP from @dir opened, in @call. */
void sipalg_call_keep_pinholes(struct sipalg_call *call,
			       enum ip_conntrack_dir dir,
			       const struct sipalg_pinhole *src, unsigned int n)
{
	struct sipalg_pinhole *ph = &call->ph[dir].one;
	struct sipalg_net *sn = call_sn(call);
	unsigned int i;

	if (n > 1) {
		ph = kmalloc_array(n, sizeof(*ph), GFP_ATOMIC);
		/* Then they are just not removed early or kept from reuse. */
		if (!ph)
			return;
		call->ph[dir].many = ph;
	}
	memcpy(ph, src, n * sizeof(*ph));
	for (i = 0; i < n; i++) {
		hlist_add_head(&ph[i].pnode, port_bucket(ph[i].port));
		sn->pinholes_count += 1 + ph[i].pair;
	}
	call->nph[dir] = n;
}

static void call_unlink(struct sipalg_call *call)
{
	call_forget_pinholes(call, IP_CT_DIR_ORIGINAL);
	call_forget_pinholes(call, IP_CT_DIR_REPLY);
	hlist_del(&call->hnode);
	hlist_del(&call->mnode);
	list_del(&call->lru);
	call_sn(call)->calls_count--;
}

static void call_free(struct sipalg_call *call)
{
	call_unlink(call);
	kmem_cache_free(call_cache, call);
}

struct sipalg_call *sipalg_call_find(const struct nf_conn *ct, u32 id)
{
	struct sipalg_call *call;

	hlist_for_each_entry(call, call_bucket(ct, id), hnode)
		if (call->master == ct && call->id == id)
			return call;
	return NULL;
}

/* A call was active: it is the last to be recycled. */
struct sipalg_call *sipalg_call_touch(struct sipalg_call *call)
{
	list_move_tail(&call->lru, &call_sn(call)->calls_lru);
	call->active = jiffies;
	return call;
}

struct sipalg_call *sipalg_call_new(struct net *net, const struct nf_conn *ct,
				    u32 id)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);
	struct sipalg_call *call;

	if (sn->calls_count >= READ_ONCE(max_calls)) {
		/*
		 * Forget the namespace's least recently active call, and reuse
		 * its record.  Its pinholes stay and expire on their own; only
		 * their early removal is lost.
		 */
		if (list_empty(&sn->calls_lru))
			return NULL;
		call = list_first_entry(&sn->calls_lru, struct sipalg_call,
					lru);
		call_unlink(call);
		memset(call, 0, sizeof(*call));
		SIPALG_INC(net, calls_recycled);
	} else {
		call = kmem_cache_zalloc(call_cache, GFP_ATOMIC);
		if (!call)
			return NULL;
	}
	call->master = ct;
	call->id = id;
	call->created = jiffies;
	call->active = call->created;
	write_pnet(&call->net, net);
	hlist_add_head(&call->hnode, call_bucket(ct, id));
	hlist_add_head(&call->mnode, master_bucket(ct));
	list_add_tail(&call->lru, &sn->calls_lru);
	sn->calls_count++;
	return call;
}

struct sipalg_call *sipalg_call_get(struct net *net, const struct nf_conn *ct,
				    u32 id)
{
	struct sipalg_call *call = sipalg_call_find(ct, id);

	return call ? sipalg_call_touch(call) : sipalg_call_new(net, ct, id);
}

/* Keep the start of the call's Call-ID, once, to be shown. */
void sipalg_call_name(struct sipalg_call *call, const char *cid, u32 len)
{
	if (!call || call->cid_len)
		return;
	call->cid_len = min_t(u32, len, SIPALG_CID_MAX);
	memcpy(call->cid, cid, call->cid_len);
}

/*
 * Remove @ct's media pinhole at @port of @t's destination, if it is still
 * pending.  Looked up in the expectation table by the tuple media would
 * arrive with (@t), not by a walk of the flow's list: a trunk's is long.
 * Under nf_conntrack_expect_lock.
 */
static bool pinhole_remove(struct nf_conn *ct, struct nf_conntrack_tuple *t,
			   __be16 port)
{
	struct nf_conntrack_expect *exp;

	t->dst.u.udp.port = port;
	exp = __nf_ct_expect_find(nf_ct_net(ct), nf_ct_zone(ct), t);
	if (!exp || exp->master != ct || exp->class != SIPALG_EXPECT_MEDIA)
		return false;
	sipalg_media_remove(nf_ct_net(ct), exp);
	return true;
}

/* Remove the media pinholes of @call that the sender in @dir asked for. */
void sipalg_call_remove_pinholes(struct net *net, struct nf_conn *ct,
				 struct sipalg_call *call,
				 enum ip_conntrack_dir dir)
{
	const struct sipalg_pinhole *ph = call_pinholes(call, dir);
	unsigned int i, n = call->nph[dir], removed = 0;
	struct nf_conntrack_tuple t;

	if (!n)
		return;
	/* Media from the peer (the only source unless direct_media). */
	memset(&t, 0, sizeof(t));
	t.src.l3num = nf_ct_l3num(ct);
	t.src.u3 = ct->tuplehash[!dir].tuple.src.u3;
	t.dst.protonum = IPPROTO_UDP;
	spin_lock_bh(&nf_conntrack_expect_lock);
	for (i = 0; i < n; i++) {
		t.dst.u3 = ph[i].addr;
		removed += pinhole_remove(ct, &t, ph[i].port);
		if (ph[i].pair)
			removed += pinhole_remove(ct, &t,
						  htons(ntohs(ph[i].port) + 1));
	}
	spin_unlock_bh(&nf_conntrack_expect_lock);
	call_forget_pinholes(call, dir);
	sipalg_stat_add(net, SIPALG_STAT_media_removed, removed);
}

/* The call is over: its pending pinholes go, then its record. */
void sipalg_call_end(struct net *net, struct nf_conn *ct,
		     struct sipalg_call *call)
{
	sipalg_call_remove_pinholes(net, ct, call, IP_CT_DIR_ORIGINAL);
	sipalg_call_remove_pinholes(net, ct, call, IP_CT_DIR_REPLY);
	call_free(call);
}

/* The flow is going away: forget its calls (the core drops expectations). */
void sipalg_calls_destroy(const struct nf_conn *ct)
{
	struct sipalg_call *call;
	struct hlist_node *tmp;

	spin_lock_bh(&sipalg_calls_lock);
	hlist_for_each_entry_safe(call, tmp, master_bucket(ct), mnode)
		if (call->master == ct)
			call_free(call);
	spin_unlock_bh(&sipalg_calls_lock);
}

/*
 * Module unload: no flow runs the helper or its destroy any more.  Every
 * record is in the table by flow.
 */
void sipalg_calls_flush(void)
{
	struct sipalg_call *call;
	struct hlist_node *tmp;
	unsigned int i;

	spin_lock_bh(&sipalg_calls_lock);
	for (i = 0; i < (1U << calls_bits); i++)
		hlist_for_each_entry_safe(call, tmp, &masters_hash[i], mnode)
			call_free(call);
	spin_unlock_bh(&sipalg_calls_lock);
}

void sipalg_calls_net_init(struct net *net)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	INIT_LIST_HEAD(&sn->calls_lru);
}

/*
 * The namespace is going away: its flows are destroyed after this, but a
 * record whose flow was never confirmed (its first packet dropped) has no
 * destroy to remove it, and must not outlive the list it is on.
 */
void sipalg_calls_net_exit(struct net *net)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);
	struct sipalg_call *call, *tmp;

	spin_lock_bh(&sipalg_calls_lock);
	list_for_each_entry_safe(call, tmp, &sn->calls_lru, lru)
		call_free(call);
	spin_unlock_bh(&sipalg_calls_lock);
}

/*
 * Copy what the listing shows of @call's pinholes from @dir, and whether
 * each is still pending, into @v.  Under sipalg_calls_lock: the flow is
 * alive while its records are in the table.
 */
static void call_view_pinholes(const struct sipalg_call *call,
			       enum ip_conntrack_dir dir,
			       struct sipalg_call_view *v)
{
	const struct sipalg_pinhole *ph = call->nph[dir] > 1 ?
		call->ph[dir].many : &call->ph[dir].one;
	const struct nf_conn *ct = call->master;
	struct nf_conntrack_expect *exp;
	struct sipalg_pinhole_view *pv;
	struct nf_conntrack_tuple t;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	t.src.l3num = nf_ct_l3num(ct);
	t.src.u3 = ct->tuplehash[!dir].tuple.src.u3;
	t.dst.protonum = IPPROTO_UDP;
	for (i = 0; i < call->nph[dir] && v->nph < SIPALG_VIEW_PH; i++) {
		pv = &v->ph[v->nph++];
		pv->addr = ph[i].addr;
		pv->port = ph[i].port;
		pv->priv_addr = ph[i].priv_addr;
		pv->priv_port = ph[i].priv_port;
		pv->pair = ph[i].pair;
		t.dst.u3 = ph[i].addr;
		t.dst.u.udp.port = ph[i].port;
		exp = __nf_ct_expect_find(nf_ct_net(ct), nf_ct_zone(ct), &t);
		pv->pending = exp && exp->master == ct;
	}
}

static void call_view(const struct sipalg_call *call,
		      struct sipalg_call_view *v)
{
	const struct nf_conn *ct = call->master;

	v->tuple[IP_CT_DIR_ORIGINAL] = ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	v->tuple[IP_CT_DIR_REPLY] = ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	v->created = call->created;
	v->active = call->active;
	v->established = call->established;
	v->cid_len = call->cid_len;
	memcpy(v->cid, call->cid, call->cid_len);
	v->nph = 0;
	/*
	 * The listing runs in process context: __nf_ct_expect_find() walks
	 * an RCU list, so take the read lock as the packet path has it.
	 */
	rcu_read_lock();
	spin_lock(&nf_conntrack_expect_lock);
	call_view_pinholes(call, IP_CT_DIR_ORIGINAL, v);
	call_view_pinholes(call, IP_CT_DIR_REPLY, v);
	spin_unlock(&nf_conntrack_expect_lock);
	rcu_read_unlock();
}

/*
 * The listing's walk: copy at most @max of @net's records into @v, from the
 * table by flow, one bucket under the lock at a time.  *@bucket and *@skip
 * (records of the bucket already seen) say where to go on; *@bucket is past
 * the table's end once all were seen.  A bucket that changes between two
 * calls may have a record shown twice or not at all, never a stale one.
 */
unsigned int sipalg_calls_copy(const struct net *net, unsigned int *bucket,
			       unsigned int *skip, struct sipalg_call_view *v,
			       unsigned int max)
{
	const struct sipalg_call *call;
	unsigned int n = 0, seen;

	while (n < max && *bucket < (1U << calls_bits)) {
		seen = 0;
		spin_lock_bh(&sipalg_calls_lock);
		hlist_for_each_entry(call, &masters_hash[*bucket], mnode) {
			if (seen++ < *skip)
				continue;
			if (n == max) {
				seen--;
				break;
			}
			if (net_eq(read_pnet(&call->net), net))
				call_view(call, &v[n++]);
		}
		spin_unlock_bh(&sipalg_calls_lock);
		if (n == max && call) {
			*skip = seen;
		} else {
			++*bucket;
			*skip = 0;
		}
	}
	return n;
}

static void calls_tables_free(void)
{
	kvfree(calls_hash);
	kvfree(masters_hash);
	kvfree(ports_hash);
}

int sipalg_calls_init(void)
{
	hash_seed = get_random_u32();
	calls_bits = clamp_t(unsigned int, order_base_2(max_calls),
			     CALLS_BITS_MIN, CALLS_BITS_MAX);
	calls_hash = kvcalloc(1U << calls_bits, sizeof(*calls_hash),
			      GFP_KERNEL);
	masters_hash = kvcalloc(1U << calls_bits, sizeof(*masters_hash),
				GFP_KERNEL);
	ports_hash = kvcalloc(1U << PORTS_HASH_BITS, sizeof(*ports_hash),
			      GFP_KERNEL);
	if (!calls_hash || !masters_hash || !ports_hash)
		goto err_tables;
	call_cache = KMEM_CACHE(sipalg_call, 0);
	if (!call_cache)
		goto err_tables;
	return 0;

err_tables:
	calls_tables_free();
	return -ENOMEM;
}

void sipalg_calls_exit(void)
{
	kmem_cache_destroy(call_cache);
	calls_tables_free();
}
