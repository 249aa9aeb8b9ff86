// SPDX-License-Identifier: GPL-2.0
/*
 * sipalg: SIP application layer gateway, connection tracking side.
 *
 * Parses SIP and SDP on flows that carry the "sipalg" helper, opens the media
 * pinholes (expectations) every call needs, keeps signalling flows alive and
 * hands NATed flows to nf_nat_sipalg.ko for rewriting.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv6.h>
#include <linux/jhash.h>
#include <linux/hash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/route.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>

#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_seqadj.h>

#include "sipalg_compat.h"
#include "nf_conntrack_sipalg.h"
#include "sip_parse.h"
#include "sdp_parse.h"
#include "sip_plan.h"
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

/* ---------------------------------------------------------------------------
 * Parameters
 */

static u16 ports[SIPALG_MAX_PORTS] __read_mostly = { 5060, 5061 };
static unsigned int ports_c __read_mostly = 2;

/*
 * "ports" is parsed by hand rather than with module_param_array() so that a
 * bad list is refused naming the offending value, not just the parameter.
 */
static int ports_set(const char *val, const struct kernel_param *kp)
{
	u16 parsed[SIPALG_MAX_PORTS];
	unsigned int n = 0, i;
	char buf[128];
	char *cur, *tok;
	int err;

	if (strscpy(buf, val, sizeof(buf)) < 0) {
		pr_err("ports: list too long: \"%s\"\n", val);
		return -EINVAL;
	}
	cur = strim(buf);
	while ((tok = strsep(&cur, ",")) != NULL) {
		tok = strim(tok);
		if (n == SIPALG_MAX_PORTS) {
			pr_err("ports: at most %d ports; \"%s\" is one too many\n",
			       SIPALG_MAX_PORTS, tok);
			return -EINVAL;
		}
		err = kstrtou16(tok, 10, &parsed[n]);
		if (err || parsed[n] == 0) {
			pr_err("ports: \"%s\" is not a port number (1-65535)\n",
			       tok);
			return -EINVAL;
		}
		for (i = 0; i < n; i++) {
			if (parsed[i] == parsed[n]) {
				pr_err("ports: port %u is listed twice\n",
				       parsed[n]);
				return -EINVAL;
			}
		}
		n++;
	}
	if (n == 0) {
		pr_err("ports: the list is empty\n");
		return -EINVAL;
	}
	memcpy(ports, parsed, n * sizeof(parsed[0]));
	ports_c = n;
	return 0;
}

static int ports_format(char *buf, size_t size)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < ports_c; i++)
		len += scnprintf(buf + len, size - len, "%s%u",
				 i ? "," : "", ports[i]);
	return len;
}

static int ports_get(char *buffer, const struct kernel_param *kp)
{
	int len = ports_format(buffer, PAGE_SIZE);

	return len + scnprintf(buffer + len, PAGE_SIZE - len, "\n");
}

static const struct kernel_param_ops ports_ops = {
	.set = ports_set,
	.get = ports_get,
};
module_param_cb(ports, &ports_ops, NULL, 0444);
MODULE_PARM_DESC(ports,
		 "SIP ports, comma separated, at most 8 (default: 5060,5061)");

/* The longest timeout nf_ct_refresh() can take in jiffies without overflow. */
#define SIPALG_TIMEOUT_MAX	(INT_MAX / HZ)

static unsigned int sip_timeout __read_mostly = 3600;

static int sip_timeout_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 10, &v) || v == 0 || v > SIPALG_TIMEOUT_MAX) {
		pr_err("sip_timeout: \"%s\" is not a timeout in seconds (1-%d)\n",
		       strim((char *)val), SIPALG_TIMEOUT_MAX);
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

static bool direct_media __read_mostly = true;
module_param(direct_media, bool, 0644);
MODULE_PARM_DESC(direct_media,
		 "1: media may come from the address the SDP names; 0: only from the signalling peer (default: 1)");


static bool drop_malformed __read_mostly;
module_param(drop_malformed, bool, 0444);
MODULE_PARM_DESC(drop_malformed,
		 "drop SIP messages that cannot be parsed instead of passing them untouched (default: 0)");

static unsigned int max_calls __read_mostly = 4096;
module_param(max_calls, uint, 0444);
MODULE_PARM_DESC(max_calls,
		 "calls whose media pinholes are tracked at once, all flows together; the least recently active is forgotten beyond it (default: 4096)");

static bool auto_assign __read_mostly;
module_param(auto_assign, bool, 0444);
MODULE_PARM_DESC(auto_assign,
		 "attach the helper to every new UDP/TCP flow to one of \"ports\" without a firewall rule; the helper then inspects all traffic to those ports (default: 0)");

/* ---------------------------------------------------------------------------
 * Counters: per network namespace, per CPU, summed when read
 * (/proc/net/stat/sipalg).
 */

#define SIPALG_STATS(X)							\
	X(messages)		/* SIP messages parsed */		\
	X(requests)							\
	X(responses)							\
	/* requests by method: the order of enum sip_method */		\
	X(req_other)							\
	X(req_invite)							\
	X(req_ack)							\
	X(req_bye)							\
	X(req_cancel)							\
	X(req_register)							\
	X(req_options)							\
	X(req_update)							\
	X(req_prack)							\
	X(req_info)							\
	X(req_message)							\
	X(req_subscribe)						\
	X(req_notify)							\
	X(req_refer)							\
	X(req_publish)							\
	/* responses by class */					\
	X(resp_1xx)							\
	X(resp_2xx)							\
	X(resp_3xx)							\
	X(resp_4xx)							\
	X(resp_5xx)							\
	X(resp_6xx)							\
	X(malformed)		/* passed untouched: cannot parse SIP */\
	X(sdp_malformed)	/* passed untouched: cannot parse SDP */\
	X(dropped)		/* dropped by drop_malformed */		\
	X(not_linear)		/* could not linearize */		\
	X(tcp_partial)		/* passed untouched: TCP message split */ \
	X(tcp_continuation)	/* segment inside a split message */	\
	X(tcp_unsynced)		/* TCP position lost: waiting for a start */ \
	X(tcp_held)		/* split message: first part held back */ \
	X(tcp_joined)		/* ... sent on with the rest, rewritten */ \
	X(tcp_rejoined)		/* ... sent again: the rest was resent */ \
	X(tcp_joined_gso)	/* ... larger than the MTU: sent as GSO */ \
	X(tcp_hold_resent)	/* held bytes sent again: dropped, re-ACKed */ \
	X(tcp_hold_gap)		/* segment after a gap behind held bytes */ \
	X(tcp_hold_failed)	/* could not hold (memory, budget, size) */ \
	X(tcp_peeked)		/* no NAT: split message parsed whole */ \
	X(tcp_acks)		/* ACKs sent for held bytes */		\
	X(tcp_ack_deferred)	/* ... waiting for the receiver's ACK */ \
	X(tcp_ack_failed)	/* ... that could not be sent */	\
	X(rewritten)		/* messages changed by NAT */		\
	X(rewrite_failed)						\
	X(media_pinholes)	/* media expectations registered */	\
	X(media_matched)	/* ... that media then arrived on */	\
	X(media_refused)	/* policy: media address not allowed */\
	X(media_failed)		/* registration failed */		\
	X(media_removed)	/* by BYE, CANCEL, failure or new SDP */\
	X(media_evicted)	/* oldest of a flow at SIPALG_MEDIA_MAX */ \
	X(signalling_pinholes)						\
	X(signalling_removed)						\
	X(calls_recycled)	/* max_calls reached */			\
	X(unreplied_kept_short)	/* refresh skipped: flow never answered */ \
	X(auto_assigned)	/* flows given the helper by auto_assign */ \
	X(wrong_transport)	/* flow of another transport: not read */

enum sipalg_stat {
#define SIPALG_STAT_ENUM(name) SIPALG_STAT_##name,
	SIPALG_STATS(SIPALG_STAT_ENUM)
	__SIPALG_STAT_MAX
};

static const char *const sipalg_stat_names[] = {
#define SIPALG_STAT_NAME(name) #name,
	SIPALG_STATS(SIPALG_STAT_NAME)
};

struct sipalg_stats {
	u64 v[__SIPALG_STAT_MAX];
};

struct sipalg_net {
	struct sipalg_stats __percpu *stats;
};

static unsigned int sipalg_net_id __read_mostly;

static inline void sipalg_stat_add(const struct net *net, enum sipalg_stat s,
				   unsigned int n)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	this_cpu_add(sn->stats->v[s], n);
}
#define SIPALG_INC(net, name) sipalg_stat_add(net, SIPALG_STAT_##name, 1)

static unsigned int sipalg_calls_count;
static unsigned int sipalg_pinholes_count;
static unsigned int sipalg_hold_bytes;	/* TCP bytes held back, all flows */

static int sipalg_stats_show(struct seq_file *seq, void *v)
{
	struct sipalg_net *sn = net_generic(seq_file_single_net(seq), sipalg_net_id);
	unsigned int i;
	int cpu;

	for (i = 0; i < __SIPALG_STAT_MAX; i++) {
		u64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(sn->stats, cpu)->v[i];
		seq_printf(seq, "%-24s %llu\n", sipalg_stat_names[i], sum);
	}
	/* Gauges of the call table, which all namespaces share. */
	seq_printf(seq, "%-24s %u\n", "calls_active",
		   READ_ONCE(sipalg_calls_count));
	seq_printf(seq, "%-24s %u\n", "call_pinholes",
		   READ_ONCE(sipalg_pinholes_count));
	seq_printf(seq, "%-24s %u\n", "tcp_held_bytes",
		   READ_ONCE(sipalg_hold_bytes));
	return 0;
}

#define SIPALG_AUTO_OPS	4
static const struct nf_hook_ops sipalg_auto_ops[SIPALG_AUTO_OPS];

/*
 * Two sets of per-namespace state, because they must go at different
 * times on unload: the auto_assign hooks before the helpers (no new flow
 * may be given a helper that is going away), the counters after them (a
 * packet still in the helper counts).
 */
static int __net_init sipalg_net_init(struct net *net)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	sn->stats = alloc_percpu(struct sipalg_stats);
	if (!sn->stats)
		return -ENOMEM;
	if (!proc_create_net_single("sipalg", 0444, net->proc_net_stat,
				    sipalg_stats_show, NULL)) {
		free_percpu(sn->stats);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit sipalg_net_exit(struct net *net)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	remove_proc_entry("sipalg", net->proc_net_stat);
	free_percpu(sn->stats);
}

static int __net_init sipalg_hooks_net_init(struct net *net)
{
	return nf_register_net_hooks(net, sipalg_auto_ops, SIPALG_AUTO_OPS);
}

static void __net_exit sipalg_hooks_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, sipalg_auto_ops, SIPALG_AUTO_OPS);
}

static struct pernet_operations sipalg_hooks_net_ops = {
	.init	= sipalg_hooks_net_init,
	.exit	= sipalg_hooks_net_exit,
};

static struct pernet_operations sipalg_net_ops = {
	.init	= sipalg_net_init,
	.exit	= sipalg_net_exit,
	.id	= &sipalg_net_id,
	.size	= sizeof(struct sipalg_net),
};

/* ---------------------------------------------------------------------------
 * NAT coupling
 */

const struct sipalg_nat_hooks __rcu *sipalg_nat_hooks __read_mostly;
EXPORT_SYMBOL_GPL(sipalg_nat_hooks);


static struct nf_conntrack_helper *sipalg_helper_for(u16 l3num, u8 l4num);

/* ---------------------------------------------------------------------------
 * Per-flow state and per-call media pinholes
 */

/*
 * Where a TCP direction's next SIP message starts, in the sender's sequence
 * space (the helper sees sequence numbers before seqadj).  Without it a
 * segment that continues a message body would be read as a new message.
 */
struct sipalg_stream {
	u32 next_seq;
	bool sync;		/* next_seq is known */
};

struct sipalg_hold;

/* Pending media pinholes per flow (nf_conn_help counts them in a u8). */
#define SIPALG_MEDIA_MAX	240
#define SIPALG_EVICT_BATCH	32

/* In the helper's private area of every signalling flow: 32 bytes at most. */
struct sipalg_master {
	u32 register_cseq;	/* REGISTER that asked for a pinhole, 0: none */
	struct sipalg_stream tcp[IP_CT_DIR_MAX];
	/* TCP bytes held back; under sipalg_hold_lock, NULL: none */
	struct sipalg_hold *hold;
};

/*
 * Calls are told apart by Call-ID so that a trunk (one signalling flow, many
 * calls) keeps every call's pinholes: a new SDP replaces the pinholes of the
 * same call and the same sender only.  Each pinhole is remembered by the
 * tuple it was registered with, which is how it is found again to remove it.
 */
struct sipalg_pinhole {
	/*
	 * In sipalg_ports_hash: a public port a call's media uses stays
	 * taken, even once its expectation became a flow, until the call
	 * ends.  Otherwise a second phone with the same media port would be
	 * given the same public port and a peer could cross the audio.
	 * Namespaces are not told apart: one that shares a public address
	 * and port with another only makes the NAT side pick another port.
	 */
	struct hlist_node pnode;
	union nf_inet_addr addr;
	__be16 port;
	/*
	 * RTCP waits on the next port of the same address: one entry stands
	 * for both (port is even then, so both hash to one bucket).
	 */
	bool pair;
};

struct sipalg_call {
	struct hlist_node hnode;	/* sipalg_calls_hash: by flow + id */
	struct hlist_node mnode;	/* sipalg_masters_hash: by flow */
	struct list_head lru;		/* sipalg_calls_lru, oldest first */
	/* Lookup key only: never dereferenced (the flow may be gone). */
	const struct nf_conn *master;
	u32 id;				/* hash of the Call-ID */
	u32 invite_cseq;
	bool established;		/* 2xx to an INVITE seen */
	/*
	 * The pinholes each sender's latest SDP opened.  The usual one (one
	 * stream, RTCP on the next port) fits in the record; more take a
	 * list of their own.
	 */
	u8 nph[IP_CT_DIR_MAX];
	union {
		struct sipalg_pinhole one;	/* nph 1 */
		struct sipalg_pinhole *many;	/* nph > 1, kmalloc'd */
	} ph[IP_CT_DIR_MAX];
};

/*
 * Sized from max_calls when the module loads: a bucket per call record (in
 * both tables of calls) and per two pinholes, so that the lookups made for
 * every INVITE stay short when max_calls records are live.
 */
static struct hlist_head *sipalg_calls_hash __read_mostly;
static struct hlist_head *sipalg_masters_hash __read_mostly;
static struct hlist_head *sipalg_ports_hash __read_mostly;
static unsigned int sipalg_calls_bits __read_mostly;
#define SIPALG_CALLS_BITS_MIN	6
#define SIPALG_CALLS_BITS_MAX	18
#define SIPALG_PORTS_HASH_BITS	(sipalg_calls_bits + 1)
static LIST_HEAD(sipalg_calls_lru);
static struct kmem_cache *sipalg_call_cache __read_mostly;
/*
 * One lock for the call table.  Taken before nf_conntrack_expect_lock (the
 * expectation calls made under it take that one), never after it.
 */
static DEFINE_SPINLOCK(sipalg_calls_lock);
static u32 sipalg_hash_seed __read_mostly;

static struct hlist_head *call_bucket(const struct nf_conn *ct, u32 id)
{
	u32 h = jhash_2words((u32)(unsigned long)ct, id, sipalg_hash_seed);

	return &sipalg_calls_hash[hash_32(h, sipalg_calls_bits)];
}

/* A port pair (2n, 2n + 1) shares a bucket. */
static struct hlist_head *port_bucket(__be16 port)
{
	return &sipalg_ports_hash[hash_32(ntohs(port) >> 1,
					  SIPALG_PORTS_HASH_BITS)];
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
 * hands out a media port.
 * Called with sipalg_calls_lock held (media pinholes are set up under it).
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

static struct hlist_head *master_bucket(const struct nf_conn *ct)
{
	return &sipalg_masters_hash[hash_ptr(ct, sipalg_calls_bits)];
}

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

	for (i = 0; i < n; i++) {
		hlist_del(&ph[i].pnode);
		sipalg_pinholes_count -= 1 + ph[i].pair;
	}
	if (n > 1)
		kfree(ph);
	call->nph[dir] = 0;
}

/* Track the @n pinholes @src that an SDP from @dir opened, in @call. */
static void call_keep_pinholes(struct sipalg_call *call,
			       enum ip_conntrack_dir dir,
			       const struct sipalg_pinhole *src, unsigned int n)
{
	struct sipalg_pinhole *ph = &call->ph[dir].one;
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
		sipalg_pinholes_count += 1 + ph[i].pair;
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
	sipalg_calls_count--;
}

static void call_free(struct sipalg_call *call)
{
	call_unlink(call);
	kmem_cache_free(sipalg_call_cache, call);
}

static struct sipalg_call *call_find(const struct nf_conn *ct, u32 id)
{
	struct sipalg_call *call;

	hlist_for_each_entry(call, call_bucket(ct, id), hnode)
		if (call->master == ct && call->id == id)
			return call;
	return NULL;
}

/* A call was active: it is the last to be recycled. */
static struct sipalg_call *call_touch(struct sipalg_call *call)
{
	list_move_tail(&call->lru, &sipalg_calls_lru);
	return call;
}

static struct sipalg_call *call_new(struct net *net, const struct nf_conn *ct,
				    u32 id)
{
	struct sipalg_call *call;

	if (sipalg_calls_count >= READ_ONCE(max_calls)) {
		/*
		 * Forget the least recently active call, and reuse its record.
		 * Its pinholes stay and expire on their own; only their early
		 * removal is lost.
		 */
		if (list_empty(&sipalg_calls_lru))
			return NULL;
		call = list_first_entry(&sipalg_calls_lru, struct sipalg_call,
					lru);
		call_unlink(call);
		memset(call, 0, sizeof(*call));
		SIPALG_INC(net, calls_recycled);
	} else {
		call = kmem_cache_zalloc(sipalg_call_cache, GFP_ATOMIC);
		if (!call)
			return NULL;
	}
	call->master = ct;
	call->id = id;
	hlist_add_head(&call->hnode, call_bucket(ct, id));
	hlist_add_head(&call->mnode, master_bucket(ct));
	list_add_tail(&call->lru, &sipalg_calls_lru);
	sipalg_calls_count++;
	return call;
}

static struct sipalg_call *call_get(struct net *net, const struct nf_conn *ct,
				    u32 id)
{
	struct sipalg_call *call = call_find(ct, id);

	return call ? call_touch(call) : call_new(net, ct, id);
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
	sipalg_exp_remove(exp);
	return true;
}

/* Remove the media pinholes of @call that the sender in @dir asked for. */
static void call_remove_pinholes(struct net *net, struct nf_conn *ct,
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

static void call_end(struct net *net, struct nf_conn *ct,
		     struct sipalg_call *call)
{
	call_remove_pinholes(net, ct, call, IP_CT_DIR_ORIGINAL);
	call_remove_pinholes(net, ct, call, IP_CT_DIR_REPLY);
	call_free(call);
}

/*
 * TCP: the first part of a message split across segments, held back until
 * the rest arrives (see sipalg_help_tcp).  After it was sent on with the
 * rest ("emitted"), the copy stays until the receiver acknowledges that
 * segment, so that a resent rest can be joined to it again.
 */
#define SIPALG_HOLD_MAX		16384		/* bytes per flow and direction */
#define SIPALG_HOLD_BUDGET	(4U << 20)	/* bytes held in all */

struct sipalg_hold_dir {
	char *buf;
	u32 seq;	/* sender's sequence number of buf[0] */
	u32 len;
	u32 mark;	/* emitted: an ACK after this one releases it */
	bool emitted;
	bool ack_due;	/* ACK it once the receiver has all before seq */
	bool passive;	/* no NAT: a copy only, the bytes went on */
};

struct sipalg_hold {
	struct list_head list;		/* sipalg_holds */
	struct sipalg_hold_dir d[IP_CT_DIR_MAX];
};

/* Rarely taken: only by flows that hold bytes, and to set that up. */
static DEFINE_SPINLOCK(sipalg_hold_lock);
static LIST_HEAD(sipalg_holds);

static void hold_dir_clear(struct sipalg_hold_dir *hd)
{
	lockdep_assert_held(&sipalg_hold_lock);
	sipalg_hold_bytes -= hd->len;
	kfree(hd->buf);
	memset(hd, 0, sizeof(*hd));
}

static void hold_free(struct sipalg_hold *h)
{
	hold_dir_clear(&h->d[IP_CT_DIR_ORIGINAL]);
	hold_dir_clear(&h->d[IP_CT_DIR_REPLY]);
	list_del(&h->list);
	kfree(h);
}

/* Free the flow's hold once both directions are empty (or @all). */
static void hold_put(struct sipalg_master *priv, bool all)
{
	struct sipalg_hold *h = priv->hold;

	lockdep_assert_held(&sipalg_hold_lock);
	if (!h)
		return;
	if (!all && (h->d[IP_CT_DIR_ORIGINAL].len || h->d[IP_CT_DIR_REPLY].len))
		return;
	hold_free(h);
	WRITE_ONCE(priv->hold, NULL);
}

static void sipalg_holds_flush(void)
{
	struct sipalg_hold *h, *tmp;

	/* Module unload: no flow runs the helper or its destroy any more. */
	spin_lock_bh(&sipalg_hold_lock);
	list_for_each_entry_safe(h, tmp, &sipalg_holds, list)
		hold_free(h);
	spin_unlock_bh(&sipalg_hold_lock);
}

/* The flow is going away: forget its calls (the core drops expectations). */
static void sipalg_destroy(struct nf_conn *ct)
{
	struct sipalg_master *priv = nfct_help_data(ct);
	struct sipalg_call *call;
	struct hlist_node *tmp;

	spin_lock_bh(&sipalg_calls_lock);
	hlist_for_each_entry_safe(call, tmp, master_bucket(ct), mnode)
		if (call->master == ct)
			call_free(call);
	spin_unlock_bh(&sipalg_calls_lock);

	if (READ_ONCE(priv->hold)) {
		spin_lock_bh(&sipalg_hold_lock);
		hold_put(priv, true);
		spin_unlock_bh(&sipalg_hold_lock);
	}
}

/* ---------------------------------------------------------------------------
 * Message handling
 */

/* Everything one message needs; the big parts live in per-CPU scratch. */
struct sipalg_scratch {
	struct sip_msg msg;
	struct sdp_msg sdp;
	struct sip_xlate x;
	struct sip_edits edits;
	/* What a message may grow by: the packet is made longer with it. */
	char room[SIP_MAX_EDITS * SIP_EDIT_DATA_MAX];
	struct sipalg_pinhole ph[2 * SDP_MAX_MEDIA];	/* this SDP's */
};

static struct sipalg_scratch __percpu *sipalg_scratch __read_mostly;

struct sipalg_ctx {
	struct sk_buff *skb;
	unsigned int protoff;
	unsigned int dataoff;
	struct nf_conn *ct;
	enum ip_conntrack_info ctinfo;
	enum ip_conntrack_dir dir;
	struct net *net;
	const struct sipalg_nat_hooks *hooks;	/* NULL: flow not NATed */
	const char *data;	/* the message */
	u32 len;
	u32 msgoff;		/* of the message in the transport payload */
	struct sipalg_scratch *s;
	/* Per message, set once it is parsed: */
	u32 callid;		/* hash of its Call-ID */
	bool direct_media;	/* the parameter, one value for all streams */
	unsigned int nph;	/* pinholes noted in s->ph */
};

static inline bool addr_is(const struct sip_addr *a, const struct nf_conn *ct)
{
	return a->family == nf_ct_l3num(ct);
}

static inline void addr_to_inet(const struct sip_addr *a,
				union nf_inet_addr *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, a->u.b, a->family == SIP_AF_INET ? 4 : 16);
}

static inline void inet_to_addr(u8 family, const union nf_inet_addr *in,
				struct sip_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->u.b, in, family == SIP_AF_INET ? 4 : 16);
}

static u32 callid_hash(const struct sipalg_ctx *c)
{
	const struct sip_span *id = &c->s->msg.call_id;

	return jhash(c->data + id->off, id->len, sipalg_hash_seed);
}

/*
 * May a pinhole be opened toward @addr, named in an SDP written by the
 * sender of this message?  Its own address always.  Another one (a media
 * gateway) only with direct_media, and never a host on the side the message
 * is being delivered to: otherwise anyone on the far side could open the
 * router toward any host behind it by naming it in an SDP.
 */
static bool media_dst_allowed(struct sipalg_ctx *c,
			      const union nf_inet_addr *addr)
{
	const struct dst_entry *this_dst = skb_dst(c->skb);
	struct dst_entry *dst = NULL;
	struct flowi fl;
	bool same_side;

	if (nf_inet_addr_cmp(addr, &c->ct->tuplehash[c->dir].tuple.src.u3))
		return true;
	if (!c->direct_media || !this_dst)
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
	same_side = dst->dev == this_dst->dev;
	dst_release(dst);
	return !same_side;
}

/*
 * A media flow was just created from one of our expectations (from its
 * callback, here or on the NAT side): count it and keep the SIP parser off
 * it.
 */
void sipalg_media_matched(struct nf_conn *ct)
{
	sipalg_media_detach(ct);
	SIPALG_INC(nf_ct_net(ct), media_matched);
}
EXPORT_SYMBOL_GPL(sipalg_media_matched);

static void sipalg_media_expected(struct nf_conn *ct,
				  struct nf_conntrack_expect *exp)
{
	sipalg_media_matched(ct);
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
		/* The NAT side replaces it with its own, which does the same. */
		exp->expectfn = sipalg_media_expected;
	}
	return exp;
}

static int register_exps(struct sipalg_ctx *c,
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

/* Note a pinhole this SDP opened; call_keep_pinholes() tracks them. */
static void remember(struct sipalg_ctx *c,
		     const struct nf_conntrack_expect *exp, bool pair)
{
	struct sipalg_pinhole *ph;

	if (c->nph >= ARRAY_SIZE(c->s->ph))
		return;
	ph = &c->s->ph[c->nph++];
	ph->addr = exp->tuple.dst.u3;
	ph->port = exp->tuple.dst.u.udp.port;
	ph->pair = pair;
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

/* RTP and RTCP pinholes for one m= line. */
static void media_stream(struct sipalg_ctx *c, unsigned int i)
{
	const struct sdp_media *m = &c->s->sdp.media[i];
	struct nf_conntrack_expect *rtp, *rtcp = NULL;
	const union nf_inet_addr *newaddr = media_newaddr(c);
	union nf_inet_addr daddr, rtcp_daddr;
	u16 rtcp_port, port = 0, pair_port = 0;
	bool pair;

	if (m->flags & (SDP_MF_PORT_ZERO | SDP_MF_HOLD | SDP_MF_NO_ADDR) ||
	    !addr_is(&m->addr, c->ct) ||
	    (m->conn.flags & SDP_CF_MULTICAST))
		return;
	addr_to_inet(&m->addr, &daddr);
	if (!media_dst_allowed(c, &daddr)) {
		SIPALG_INC(c->net, media_refused);
		return;
	}

	rtp = media_exp(c, &daddr, m->port_num);
	if (!rtp)
		goto err;

	/* RFC 5761: with rtcp-mux RTCP shares the RTP port. */
	if (!(m->flags & SDP_MF_RTCP_MUX)) {
		rtcp_daddr = daddr;
		rtcp_port = m->port_num + 1;
		/* RFC 3605: a=rtcp:port [nettype addrtype address] */
		if (m->flags & SDP_MF_RTCP) {
			rtcp_port = m->rtcp_port_num;
			if ((m->flags & SDP_MF_RTCP_ADDR) &&
			    addr_is(&m->rtcp_conn.ip, c->ct)) {
				addr_to_inet(&m->rtcp_conn.ip, &rtcp_daddr);
				if (!media_dst_allowed(c, &rtcp_daddr)) {
					SIPALG_INC(c->net, media_refused);
					goto out;
				}
			}
		}
		if (rtcp_port) {
			rtcp = media_exp(c, &rtcp_daddr, rtcp_port);
			if (!rtcp)
				goto err;
		}
	}

	if (register_exps(c, newaddr ?: &daddr, rtp, rtcp, &port,
			  &pair_port) < 0)
		goto err;

	sipalg_stat_add(c->net, SIPALG_STAT_media_pinholes, rtcp ? 2 : 1);
	pair = rtcp && pair_port == port + 1 && !(port & 1) &&
	       nf_inet_addr_cmp(&rtcp->tuple.dst.u3, &rtp->tuple.dst.u3);
	remember(c, rtp, pair);
	if (rtcp && !pair)
		remember(c, rtcp, false);
	if (port != m->port_num)
		c->s->x.rtp_port[i] = port;
	if (rtcp && (m->flags & SDP_MF_RTCP) && pair_port != m->rtcp_port_num)
		c->s->x.rtcp_port[i] = pair_port;
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
 * A flow may keep SIPALG_MEDIA_MAX media pinholes pending (a trunk carries
 * many ringing calls).  Past that the core evicts the oldest itself, but it
 * finds it by walking the flow's whole expectation list, for every new
 * pinhole: a busy trunk at the limit would pay that walk twice per call.
 * Make room before the core has to instead, with one walk that drops at
 * least SIPALG_EVICT_BATCH of the oldest, so that a walk comes once per
 * batch of calls.  The flow keeps at least SIPALG_MEDIA_MAX minus the batch.
 */
static void media_make_room(struct sipalg_ctx *c, unsigned int need)
{
	struct nf_conn_help *help = nfct_help(c->ct);
	struct nf_conntrack_expect *exp;
	struct hlist_node *next;
	unsigned int have, keep, seen = 0, evicted = 0;

	if (!help ||
	    READ_ONCE(help->expecting[SIPALG_EXPECT_MEDIA]) + need <=
	    SIPALG_MEDIA_MAX)
		return;
	spin_lock_bh(&nf_conntrack_expect_lock);
	have = help->expecting[SIPALG_EXPECT_MEDIA];
	if (have + need <= SIPALG_MEDIA_MAX)
		goto out;
	keep = SIPALG_MEDIA_MAX - min_t(unsigned int, need, SIPALG_MEDIA_MAX);
	keep = min_t(unsigned int, keep, SIPALG_MEDIA_MAX - SIPALG_EVICT_BATCH);
	/* The core adds new expectations at the head: the oldest are last. */
	hlist_for_each_entry_safe(exp, next, &help->expectations, lnode) {
		if (exp->class != SIPALG_EXPECT_MEDIA || ++seen <= keep)
			continue;
		sipalg_exp_remove(exp);
		evicted++;
	}
out:
	spin_unlock_bh(&nf_conntrack_expect_lock);
	if (evicted)
		sipalg_stat_add(c->net, SIPALG_STAT_media_evicted, evicted);
}

/*
 * An SDP from the sender in c->dir: it replaces that sender's pinholes in
 * @call (NULL: no record could be had).  Under sipalg_calls_lock.
 */
static void sdp_pinholes(struct sipalg_ctx *c, struct sipalg_call *call)
{
	const struct sdp_msg *sdp = &c->s->sdp;
	unsigned int i;

	if (!call) {
		SIPALG_INC(c->net, media_failed);
		return;
	}
	call_remove_pinholes(c->net, c->ct, call, c->dir);
	media_make_room(c, 2 * sdp->n_media);
	c->nph = 0;
	for (i = 0; i < sdp->n_media; i++)
		media_stream(c, i);
	call_keep_pinholes(call, c->dir, c->s->ph, c->nph);
}

/* An SDP in any other message than an INVITE or its 2xx. */
static void process_sdp(struct sipalg_ctx *c)
{
	spin_lock_bh(&sipalg_calls_lock);
	sdp_pinholes(c, call_get(c->net, c->ct, c->callid));
	spin_unlock_bh(&sipalg_calls_lock);
}

/* The call is over (BYE, CANCEL) or never started (final failure). */
static void process_call_end(struct sipalg_ctx *c, bool only_if_unanswered)
{
	const struct sip_msg *msg = &c->s->msg;
	struct sipalg_call *call;

	spin_lock_bh(&sipalg_calls_lock);
	call = call_find(c->ct, c->callid);
	if (call && only_if_unanswered &&
	    (call->established || call->invite_cseq != msg->cseq))
		call = NULL;
	if (call)
		call_end(c->net, c->ct, call);
	spin_unlock_bh(&sipalg_calls_lock);
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
		call = call_get(c->net, c->ct, c->callid);
		if (call)
			call->invite_cseq = msg->cseq;
	} else {
		call = call_find(c->ct, c->callid);
		if (call && msg->cseq == call->invite_cseq)
			call->established = true;
		/* Only an SDP makes a record of a call not seen before. */
		if (sdp)
			call = call ? call_touch(call) :
				      call_new(c->net, c->ct, c->callid);
	}
	if (sdp)
		sdp_pinholes(c, call);
	spin_unlock_bh(&sipalg_calls_lock);
}

/*
 * REGISTER: the phone wants calls sent to its Contact.  Open a signalling
 * pinhole from the registrar toward it, inactive until the registrar says
 * 2xx, so that a registrar sending from another port still reaches it.
 */
static void process_register(struct sipalg_ctx *c)
{
	const struct sip_msg *msg = &c->s->msg;
	struct sipalg_master *priv = nfct_help_data(c->ct);
	const struct nf_conntrack_tuple *t = &c->ct->tuplehash[c->dir].tuple;
	const struct sip_contact *ct_hdr = NULL;
	struct nf_conntrack_helper *helper;
	struct nf_conntrack_expect *exp;
	union nf_inet_addr daddr;
	unsigned int i, expires;
	u16 port, newport;
	__be16 p;
	u8 proto;

	for (i = 0; i < msg->n_contact; i++) {
		const struct sip_uri *u = &msg->contact[i].uri;

		/* Third-party registrations open nothing. */
		if (addr_is(&u->hp.addr, c->ct) &&
		    !memcmp(u->hp.addr.u.b, &t->src.u3,
			    nf_ct_l3num(c->ct) == NFPROTO_IPV4 ? 4 : 16)) {
			ct_hdr = &msg->contact[i];
			break;
		}
	}
	if (!ct_hdr)
		return;

	if (ct_hdr->flags & SIP_CONTF_EXPIRES)
		expires = ct_hdr->expires;
	else if (msg->flags & SIP_F_EXPIRES)
		expires = msg->expires;
	else
		expires = 3600;	/* RFC 3261 10.2.1.1: the registrar's choice */

	if (expires == 0) {
		priv->register_cseq = 0;
		return;		/* the 2xx removes the pinhole */
	}

	port = ct_hdr->uri.hp.port_num ?: 5060;
	proto = nf_ct_protonum(c->ct);
	if (ct_hdr->uri.transport.len == 3 &&
	    !strncasecmp(c->data + ct_hdr->uri.transport.off, "udp", 3))
		proto = IPPROTO_UDP;
	else if (ct_hdr->uri.transport.len == 3 &&
		 !strncasecmp(c->data + ct_hdr->uri.transport.off, "tcp", 3))
		proto = IPPROTO_TCP;

	/*
	 * The flow the pinhole admits runs the helper of its own transport:
	 * a UDP flow handed to the TCP code would have UDP payload read as
	 * TCP sequence numbers and data offset.
	 */
	helper = sipalg_helper_for(nf_ct_l3num(c->ct), proto);
	exp = nf_ct_expect_alloc(c->ct);
	if (!exp)
		goto err;
	addr_to_inet(&ct_hdr->uri.hp.addr, &daddr);
	p = htons(port);
	nf_ct_expect_init(exp, SIPALG_EXPECT_SIGNALLING, nf_ct_l3num(c->ct),
			  &c->ct->tuplehash[!c->dir].tuple.src.u3, &daddr,
			  proto, NULL, &p);
	sipalg_exp_assign_helper(exp, helper);
	exp->flags = NF_CT_EXPECT_PERMANENT | NF_CT_EXPECT_INACTIVE;

	if (register_exps(c, media_newaddr(c) ?: &daddr, exp, NULL, &newport,
			  &newport) < 0) {
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

/* The registrar's answer: activate and time the pinhole, or remove it. */
static void process_register_response(struct sipalg_ctx *c)
{
	const struct sip_msg *msg = &c->s->msg;
	struct sipalg_master *priv = nfct_help_data(c->ct);
	struct nf_conn_help *help = nfct_help(c->ct);
	struct nf_conntrack_expect *exp;
	struct hlist_node *next;
	unsigned int expires = 0, i;
	bool keep;

	if (msg->status < 200)
		return;
	keep = msg->status < 300 && priv->register_cseq &&
	       msg->cseq == priv->register_cseq;
	if (keep) {
		/* The registrar's granted lifetime (RFC 3261 10.3 step 8). */
		for (i = 0; i < msg->n_contact; i++)
			if (msg->contact[i].flags & SIP_CONTF_EXPIRES)
				expires = max(expires, msg->contact[i].expires);
		if (!expires)
			expires = (msg->flags & SIP_F_EXPIRES) ?
				  msg->expires : 3600;
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

/*
 * One SIP message at c->data.  Returns NF_ACCEPT, or NF_DROP only where a
 * policy says so; c->len is updated when NAT changed the message's size.
 */
static unsigned int process_msg(struct sipalg_ctx *c)
{
	struct sip_msg *msg = &c->s->msg;
	struct sip_edits *ed = &c->s->edits;
	bool have_sdp = false, sdp_pending;
	int err;

	err = sip_parse(c->data, c->len, msg);
	if (err) {
		SIPALG_INC(c->net, malformed);
		net_dbg_ratelimited("sipalg: cannot parse SIP: %s at %u\n",
				    sip_strerror(err), msg->err_off);
		goto malformed;
	}
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

	if (msg->flags & SIP_F_SDP) {
		err = sdp_parse(c->data, c->len, msg->sdp.off, msg->sdp.len,
				&c->s->sdp);
		if (err) {
			SIPALG_INC(c->net, sdp_malformed);
			net_dbg_ratelimited("sipalg: cannot parse SDP: %s\n",
					    sip_strerror(err));
			goto malformed;
		}
		have_sdp = true;
	}

	memset(&c->s->x, 0, sizeof(c->s->x));
	c->callid = callid_hash(c);
	/* A write in between must not give one SDP's streams mixed policy. */
	c->direct_media = READ_ONCE(direct_media);
	sdp_pending = have_sdp && has_answerable_sdp(msg);

	if (msg->kind == SIP_KIND_REQUEST) {
		switch (msg->method) {
		case SIP_METHOD_INVITE:
			process_invite_state(c, sdp_pending);
			sdp_pending = false;
			break;
		case SIP_METHOD_BYE:
		case SIP_METHOD_CANCEL:
			process_call_end(c, false);
			break;
		case SIP_METHOD_REGISTER:
			process_register(c);
			break;
		default:
			break;
		}
	} else if (msg->cseq_method == SIP_METHOD_REGISTER) {
		process_register_response(c);
	} else if (msg->cseq_method == SIP_METHOD_INVITE) {
		if (msg->status >= 200 && msg->status < 300) {
			process_invite_state(c, sdp_pending);
			sdp_pending = false;
		} else if (msg->status >= 300) {
			process_call_end(c, true);
		}
	}
	if (sdp_pending)
		process_sdp(c);

	if (!c->hooks || !build_xlate(c))
		return NF_ACCEPT;

	err = sip_plan(c->data, c->len, msg, have_sdp ? &c->s->sdp : NULL,
		       &c->s->x, ed);
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

malformed:
	/*
	 * Never on TCP: every retransmission carries the same bytes, so a
	 * dropped segment would stall the connection for good.
	 */
	if (nf_ct_protonum(c->ct) == IPPROTO_UDP && READ_ONCE(drop_malformed)) {
		SIPALG_INC(c->net, dropped);
		nf_ct_helper_log(c->skb, c->ct, "cannot parse SIP message");
		return NF_DROP;
	}
	return NF_ACCEPT;
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

/*
 * A flow whose transport is not the one this help function parses (only a
 * helper assigned by mistake could bring one): its bytes are not read.
 */
static int sipalg_wrong_transport(struct nf_conn *ct)
{
	SIPALG_INC(nf_ct_net(ct), wrong_transport);
	net_dbg_ratelimited("sipalg: helper of another transport on a flow of protocol %u: passed untouched\n",
			    nf_ct_protonum(ct));
	return NF_ACCEPT;
}

static void ctx_init(struct sipalg_ctx *c, struct sk_buff *skb,
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

static int sipalg_help_udp(struct sk_buff *skb, unsigned int protoff,
			   struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	unsigned int dataoff = protoff + sizeof(struct udphdr);
	struct sipalg_ctx c;
	unsigned int ret;

	if (unlikely(nf_ct_protonum(ct) != IPPROTO_UDP))
		return sipalg_wrong_transport(ct);
	if (dataoff >= skb->len)
		return NF_ACCEPT;
	ctx_init(&c, skb, protoff, dataoff, ct, ctinfo);
	refresh_flow(&c);

	if (unlikely(skb_linearize(skb))) {
		SIPALG_INC(c.net, not_linear);
		return NF_ACCEPT;
	}
	c.data = skb->data + dataoff;
	c.len = skb->len - dataoff;

	/* Per-CPU scratch: no softirq may interleave on this CPU. */
	local_bh_disable();
	c.s = this_cpu_ptr(sipalg_scratch);
	ret = process_msg(&c);
	local_bh_enable();
	return ret;
}

/*
 * Does a segment start with a SIP start line?  A request line ends in
 * "SIP/2.0" (RFC 3261 7.1), a status line starts with it (7.2).  Used to
 * recognise a retransmitted message start behind the stream position.
 */
static bool starts_message(const char *p, u32 n)
{
	u32 s = 0, i, lim = min_t(u32, n, 1024);

	/* RFC 5626 keep-alives may come first. */
	while (s < lim && (p[s] == '\r' || p[s] == '\n'))
		s++;
	if (n - s >= 8 && !memcmp(p + s, "SIP/2.0 ", 8))
		return true;
	for (i = s; i < lim; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			return i - s >= 8 && !memcmp(p + i - 8, " SIP/2.0", 8);
	}
	return false;
}

/*
 * TCP: holding back the first part of a message split across segments.
 *
 * The part is copied out of the stream and its segment dropped (or cut
 * where the part starts), and the router acknowledges it to the sender as
 * if the receiver had (a sender with Nagle on sends nothing more until
 * then), but only once the receiver has acknowledged all that came before
 * it.  The next segment in order gets the held bytes put in front of its
 * own and its sequence number set back to where they start (the bytes keep
 * their sequence numbers: nothing for seqadj); then it is handled like any
 * other, so the whole message is rewritten once and its size change
 * recorded once in seqadj.  The held copy stays until the receiver
 * acknowledges that segment: if the rest is sent again, it is joined
 * again, identically.
 */
enum { HOLD_PASS, HOLD_JOINED, HOLD_DROP };

/*
 * Lock held.  @replace: the held bytes are part of @data.  @passive: a copy
 * only, the bytes went on (see tcp_tail); nothing to acknowledge.
 */
static bool hold_store(struct nf_conn *ct, struct sipalg_master *priv,
		       enum ip_conntrack_dir dir, const char *data, u32 len,
		       u32 seq, bool replace, bool passive)
{
	struct sipalg_hold *h = priv->hold;
	struct sipalg_hold_dir *hd;
	char *buf;

	lockdep_assert_held(&sipalg_hold_lock);
	if (nf_ct_is_dying(ct) || !len || len > SIPALG_HOLD_MAX)
		return false;
	if (!h) {
		h = kzalloc(sizeof(*h), GFP_ATOMIC);
		if (!h)
			return false;
		list_add(&h->list, &sipalg_holds);
		WRITE_ONCE(priv->hold, h);
	}
	hd = &h->d[dir];
	if ((hd->len && !replace) ||
	    sipalg_hold_bytes - hd->len + len > SIPALG_HOLD_BUDGET)
		goto err_put;
	buf = kmalloc(len, GFP_ATOMIC);
	if (!buf)
		goto err_put;
	memcpy(buf, data, len);
	hold_dir_clear(hd);
	hd->buf = buf;
	hd->len = len;
	hd->seq = seq;
	hd->ack_due = !passive;
	hd->passive = passive;
	sipalg_hold_bytes += len;
	return true;

err_put:
	hold_put(priv, false);
	return false;
}

/*
 * Hold the unfinished message at @p (sender sequence number @seq), or with
 * @passive keep a copy of it beside the stream (peek_join).
 */
static bool hold_tail(struct sipalg_ctx *c, struct sipalg_master *priv,
		      const char *p, u32 len, u32 seq, u32 msglen, bool replace,
		      bool passive)
{
	bool ok = false;

	if (msglen <= SIPALG_HOLD_MAX) {
		spin_lock_bh(&sipalg_hold_lock);
		ok = hold_store(c->ct, priv, c->dir, p, len, seq, replace,
				passive);
		spin_unlock_bh(&sipalg_hold_lock);
	}
	sipalg_stat_add(c->net, !ok ? SIPALG_STAT_tcp_hold_failed :
			passive ? SIPALG_STAT_tcp_peeked :
			SIPALG_STAT_tcp_held, 1);
	return ok;
}

/* Does @dir hold bytes that the next segment must carry? */
static bool hold_pending(struct sipalg_master *priv, enum ip_conntrack_dir dir)
{
	bool ret = false;

	if (!READ_ONCE(priv->hold))
		return false;
	spin_lock_bh(&sipalg_hold_lock);
	if (priv->hold)
		ret = priv->hold->d[dir].len && !priv->hold->d[dir].passive;
	spin_unlock_bh(&sipalg_hold_lock);
	return ret;
}

static void hold_forget(struct sipalg_master *priv, enum ip_conntrack_dir dir)
{
	spin_lock_bh(&sipalg_hold_lock);
	if (priv->hold) {
		hold_dir_clear(&priv->hold->d[dir]);
		hold_put(priv, false);
	}
	spin_unlock_bh(&sipalg_hold_lock);
}

/*
 * Has the receiver acknowledged everything the sender in @dir sent before
 * @seq?  Our ACK also acknowledges all that (it is cumulative): sent any
 * earlier, it could tell the sender that bytes still lost on the way to
 * the receiver arrived, and they would never be sent again.  conntrack
 * keeps the receiver's highest ACK in the sender's sequence space.
 */
static bool hold_may_ack(struct nf_conn *ct, enum ip_conntrack_dir dir,
			 u32 seq)
{
	const struct ip_ct_tcp_state *rcv = &ct->proto.tcp.seen[!dir];
	bool ok;

	spin_lock_bh(&ct->lock);
	ok = (rcv->flags & IP_CT_TCP_FLAG_MAXACK_SET) &&
	     !before(rcv->td_maxack, seq);
	spin_unlock_bh(&ct->lock);
	return ok;
}

/*
 * A packet from the receiver of @dir's data, which acknowledged @ack (in
 * its view).  Returns true, with *ack_end set, when the held bytes can now
 * be acknowledged to the sender.
 */
static bool hold_acked(struct nf_conn *ct, struct sipalg_master *priv,
		       enum ip_conntrack_dir dir, u32 ack, u32 *ack_end)
{
	struct sipalg_hold_dir *hd;
	bool send = false;

	spin_lock_bh(&sipalg_hold_lock);
	if (priv->hold) {
		hd = &priv->hold->d[dir];
		if (hd->emitted && after(ack, hd->mark)) {
			hold_dir_clear(hd);
			hold_put(priv, false);
		} else if (hd->len && hd->ack_due &&
			   hold_may_ack(ct, dir, hd->seq)) {
			hd->ack_due = false;
			*ack_end = hd->seq + hd->len;
			send = true;
		}
	}
	spin_unlock_bh(&sipalg_hold_lock);
	return send;
}

/* Just held what starts at @seq: may the ACK for it go now? */
static bool hold_ack_now(struct nf_conn *ct, struct sipalg_master *priv,
			 enum ip_conntrack_dir dir, u32 seq)
{
	struct sipalg_hold_dir *hd;
	bool send = false;

	if (!hold_may_ack(ct, dir, seq)) {
		/* When the receiver has caught up (hold_acked). */
		SIPALG_INC(nf_ct_net(ct), tcp_ack_deferred);
		return false;
	}
	spin_lock_bh(&sipalg_hold_lock);
	if (priv->hold) {
		hd = &priv->hold->d[dir];
		if (hd->len && hd->ack_due && hd->seq == seq) {
			hd->ack_due = false;
			send = true;
		}
	}
	spin_unlock_bh(&sipalg_hold_lock);
	return send;
}

/*
 * A segment in a direction that holds bytes.  *seq and *seglen describe
 * the segment and are updated when it changes; *ack is set when the held
 * bytes must be acknowledged again.
 */
static int hold_join(struct sipalg_ctx *c, struct sipalg_master *priv,
		     bool fin, u32 *seq, u32 *seglen, bool *send_ack, u32 *ack)
{
	u32 h0, h1, end = *seq + *seglen, pre;
	struct sipalg_hold_dir *hd;
	int ret = HOLD_PASS;
	struct tcphdr *th;

	spin_lock_bh(&sipalg_hold_lock);
	if (!priv->hold || !priv->hold->d[c->dir].len)
		goto out;
	hd = &priv->hold->d[c->dir];
	if (hd->passive) {
		/* Copied while nf_nat_sipalg was away: those bytes went on. */
		hold_dir_clear(hd);
		hold_put(priv, false);
		goto out;
	}
	h0 = hd->seq;
	h1 = h0 + hd->len;

	if (before(*seq, h0)) {
		/* Bytes from before the held ones, sent again. */
		if (!after(end, h0))
			goto out;
		if (!before(end, h1)) {
			/* With all the held ones: hold nothing any more. */
			if (!hd->emitted) {
				hold_dir_clear(hd);
				hold_put(priv, false);
			}
			goto out;
		}
		/* Cut where the held bytes start: they go with the rest. */
		if (!c->hooks->mangle(c->skb, c->protoff, c->dataoff, c->ct,
				      c->ctinfo, h0 - *seq, end - h0, "", 0)) {
			ret = HOLD_DROP;
			goto out;
		}
		*seglen = h0 - *seq;
		goto out;
	}
	if (after(*seq, h1)) {
		if (hd->emitted)
			goto out;
		/* A gap: the missing bytes must come first (they are resent). */
		SIPALG_INC(c->net, tcp_hold_gap);
		ret = HOLD_DROP;
		goto out;
	}
	if (!after(end, h1) && !(fin && end == h1)) {
		/* Held bytes sent again: the sender missed our ACK. */
		SIPALG_INC(c->net, tcp_hold_resent);
		if (hold_may_ack(c->ct, c->dir, h0)) {
			hd->ack_due = false;
			*send_ack = true;
			*ack = h1;
		} else {
			hd->ack_due = true;
			SIPALG_INC(c->net, tcp_ack_deferred);
		}
		ret = HOLD_DROP;
		goto out;
	}
	pre = *seq - h0;
	if (!pre) {
		/* The segment starts with the held bytes itself. */
		if (!hd->emitted) {
			hold_dir_clear(hd);
			hold_put(priv, false);
		}
		goto out;
	}
	if (!c->hooks->mangle(c->skb, c->protoff, c->dataoff, c->ct,
			      c->ctinfo, 0, 0, hd->buf, pre)) {
		/* Not delivered: the sender sends the rest again. */
		SIPALG_INC(c->net, tcp_hold_failed);
		ret = HOLD_DROP;
		goto out;
	}
	th = (struct tcphdr *)(c->skb->data + c->protoff);
	inet_proto_csum_replace4(&th->check, c->skb, th->seq, htonl(h0), false);
	th->seq = htonl(h0);
	*seq = h0;
	*seglen += pre;
	hd->ack_due = false;	/* the receiver acknowledges it now */
	if (hd->emitted) {
		SIPALG_INC(c->net, tcp_rejoined);
	} else {
		SIPALG_INC(c->net, tcp_joined);
		hd->emitted = true;
		/* Where the joined segment starts for the receiver. */
		spin_lock_bh(&c->ct->lock);
		hd->mark = h0 + nf_ct_seq_offset(c->ct, c->dir, h0);
		spin_unlock_bh(&c->ct->lock);
	}
	ret = HOLD_JOINED;
out:
	spin_unlock_bh(&sipalg_hold_lock);
	return ret;
}

/*
 * A pure ACK up to @ack for the sender in @dir, as the receiver would send
 * it: addressed as the sender sees the flow (tuplehash[dir], before NAT),
 * the receiver's next sequence number as the sender knows it (through
 * seqadj), and the window's right edge the receiver last announced.  It is
 * sent untracked: conntrack would check its sequence numbers in OUTPUT
 * before seqadj runs, and an ACK it found out of window would leave
 * without NAT.
 */
/*
 * RFC 7323 timestamps for the router's ACK.  Once a connection uses them,
 * a segment without them may be dropped ("SHOULD silently drop", 3.2), and
 * one whose TSval is older than the last the sender took fails PAWS.  They
 * are taken from the segment that the ACK answers: sent on the sender's
 * segment, its TSecr (the receiver's latest TSval the sender saw) and its
 * TSval; sent on the receiver's ACK, that segment's own pair.
 */
struct sipalg_tcp_ts {
	bool ok;
	__be32 val, ecr;
};

static void tcp_ts_for_ack(const struct sk_buff *skb, unsigned int protoff,
			   bool from_sender, struct sipalg_tcp_ts *ts)
{
	u8 buf[MAX_TCP_OPTION_SPACE];
	const struct tcphdr *th;
	struct tcphdr _th;
	unsigned int len, i = 0;
	const u8 *o;

	ts->ok = false;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th || th->doff * 4 <= sizeof(*th))
		return;
	len = th->doff * 4 - sizeof(*th);
	o = skb_header_pointer(skb, protoff + sizeof(*th), len, buf);
	if (!o)
		return;
	while (i < len && o[i] != TCPOPT_EOL) {
		if (o[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || o[i + 1] < 2 || o[i + 1] > len - i)
			return;
		if (o[i] == TCPOPT_TIMESTAMP && o[i + 1] == TCPOLEN_TIMESTAMP) {
			memcpy(from_sender ? &ts->ecr : &ts->val, o + i + 2, 4);
			memcpy(from_sender ? &ts->val : &ts->ecr, o + i + 6, 4);
			ts->ok = true;
			return;
		}
		i += o[i + 1];
	}
}

static void hold_ack(struct nf_conn *ct, enum ip_conntrack_dir dir, u32 ack,
		     const struct sipalg_tcp_ts *ts)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[dir].tuple;
	unsigned int tcplen = sizeof(struct tcphdr) +
			      (ts->ok ? TCPOLEN_TSTAMP_ALIGNED : 0);
	struct net *net = nf_ct_net(ct);
	u32 seq, right, maxwin, win;
	struct sk_buff *skb;
	struct tcphdr *th;
	int err = -EINVAL;
	u8 scale;

	spin_lock_bh(&ct->lock);
	seq = ct->proto.tcp.seen[!dir].td_end;
	maxwin = ct->proto.tcp.seen[!dir].td_maxwin;
	scale = ct->proto.tcp.seen[!dir].td_scale;
	right = ct->proto.tcp.seen[dir].td_maxend;
	seq += nf_ct_seq_offset(ct, !dir, seq);
	spin_unlock_bh(&ct->lock);
	win = after(right, ack) ? right - ack : maxwin;
	win = clamp_t(u32, win >> min_t(u8, scale, 14), 1, 65535);

	skb = alloc_skb(LL_MAX_HEADER + sizeof(struct ipv6hdr) + tcplen,
			GFP_ATOMIC);
	if (!skb)
		goto err_count;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	if (nf_ct_l3num(ct) == NFPROTO_IPV4)
		skb_put_zero(skb, sizeof(struct iphdr));
	else
		skb_put_zero(skb, sizeof(struct ipv6hdr));
	skb_set_transport_header(skb, skb->len);
	th = skb_put_zero(skb, tcplen);
	th->source = t->dst.u.tcp.port;
	th->dest = t->src.u.tcp.port;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = tcplen / 4;
	th->ack = 1;
	th->window = htons(win);
	if (ts->ok) {
		__be32 *opt = (__be32 *)(th + 1);

		*opt++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
			       (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP);
		*opt++ = ts->val;
		*opt = ts->ecr;
	}
	skb->ip_summed = CHECKSUM_NONE;
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);

	if (nf_ct_l3num(ct) == NFPROTO_IPV4) {
		struct iphdr *iph = ip_hdr(skb);
		struct flowi4 fl4 = {};
		struct rtable *rt;

		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->frag_off = htons(IP_DF);
		iph->protocol = IPPROTO_TCP;
		iph->saddr = t->dst.u3.ip;
		iph->daddr = t->src.u3.ip;
		th->check = tcp_v4_check(tcplen, iph->saddr, iph->daddr,
					 csum_partial(th, tcplen, 0));
		/* The source is the receiver's, not ours. */
		fl4.daddr = iph->daddr;
		fl4.saddr = iph->saddr;
		fl4.flowi4_proto = IPPROTO_TCP;
		fl4.flowi4_flags = FLOWI_FLAG_ANYSRC;
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			goto err_free;
		skb_dst_set(skb, &rt->dst);
		iph->ttl = ip4_dst_hoplimit(&rt->dst);
		skb->protocol = htons(ETH_P_IP);
		err = ip_local_out(net, NULL, skb);
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct flowi6 fl6 = {};
		struct dst_entry *dst;

		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->saddr = t->dst.u3.in6;
		ip6h->daddr = t->src.u3.in6;
		th->check = tcp_v6_check(tcplen, &ip6h->saddr, &ip6h->daddr,
					 csum_partial(th, tcplen, 0));
		fl6.daddr = ip6h->daddr;
		fl6.saddr = ip6h->saddr;
		fl6.flowi6_proto = IPPROTO_TCP;
		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			dst_release(dst);
			goto err_free;
		}
		skb_dst_set(skb, dst);
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		skb->protocol = htons(ETH_P_IPV6);
		err = ip6_local_out(net, NULL, skb);
#else
		goto err_free;
#endif
	}
	if (net_xmit_eval(err))
		goto err_count;
	SIPALG_INC(net, tcp_acks);
	return;

err_free:
	kfree_skb(skb);
err_count:
	net_dbg_ratelimited("sipalg: cannot send an ACK for held bytes: %d\n",
			    err);
	SIPALG_INC(net, tcp_ack_failed);
}

/*
 * A joined segment larger than the path would be fragmented, or refused
 * with DF set: have the output path cut it (GSO) at the path's MSS.
 */
static bool tcp_make_gso(struct sk_buff *skb, u8 family, unsigned int protoff,
			 unsigned int dataoff)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + protoff);
	const struct dst_entry *dst = skb_dst(skb);
	unsigned int mtu, mss, len = skb->len - protoff;

	if (skb_is_gso(skb)) {
		/* Was one already: only the segment count changed. */
		skb_shinfo(skb)->gso_segs =
			DIV_ROUND_UP(skb->len - dataoff,
				     skb_shinfo(skb)->gso_size);
		return false;
	}
	if (!dst)
		return false;
	mtu = dst_mtu(dst);
	if (skb->len <= mtu || mtu < dataoff + 64)
		return false;
	mss = mtu - dataoff;
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) + protoff;
	skb->csum_offset = offsetof(struct tcphdr, check);
	if (family == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		th->check = ~tcp_v4_check(len, iph->saddr, iph->daddr, 0);
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		th->check = ~tcp_v6_check(len, &ip6h->saddr, &ip6h->daddr, 0);
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV6;
	}
	skb_shinfo(skb)->gso_size = mss;
	skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(skb->len - dataoff, mss);
	return true;
}

/*
 * Where a walk over the messages of a TCP payload stands (tcp_walk_msgs).
 * @buf: a copy of the payload, never rewritten (flows without NAT only), or
 * NULL for c->skb's own payload, which NAT may resize as it goes.
 */
struct sipalg_tcp_walk {
	const char *buf;
	u32 len;	/* of the payload, as it is now */
	u32 cur;	/* offset in the payload as it is now */
	u32 orig;	/* the same offset as the payload was sent */
	u32 msglen;	/* of the message at cur, as sip_frame() found it */
	s32 delta;	/* size change by NAT so far */
	int fr;		/* sip_frame() for the message at cur */
};

/*
 * Handle every complete message from w->cur on, each framed by its
 * Content-Length; CR/LF keep-alives between them are skipped.  Stops at
 * the end, at a message that is not complete (w->cur < w->len: w->fr and
 * w->msglen say why) or at a verdict other than NF_ACCEPT, which is
 * returned.  Bottom halves off, c->s set.
 */
static unsigned int tcp_walk_msgs(struct sipalg_ctx *c,
				  struct sipalg_tcp_walk *w)
{
	unsigned int ret;

	for (; w->cur < w->len; w->cur += c->len, w->orig += w->msglen) {
		/* Recomputed: a rewrite may move the skb's data. */
		const char *p = (w->buf ?: (const char *)c->skb->data +
				 c->dataoff) + w->cur;

		w->fr = sip_frame(p, w->len - w->cur, &w->msglen);
		if (w->fr == SIP_FRAME_KEEPALIVE) {
			c->len = w->msglen;
			continue;
		}
		if (w->fr != SIP_FRAME_COMPLETE)
			break;
		c->data = p;
		c->len = w->msglen;
		c->msgoff = w->cur;
		ret = process_msg(c);
		if (ret != NF_ACCEPT)
			return ret;
		if (!w->buf) {
			w->delta += (s32)c->len - (s32)w->msglen;
			w->len = c->skb->len - c->dataoff;
		}
	}
	return NF_ACCEPT;
}

/*
 * Flows without NAT: nothing is rewritten, so nothing is held back, but a
 * split message must still open its pinholes.  A copy of its first part is
 * kept beside the stream (hold_tail, passive; the segment itself passes
 * untouched), and the next segment in order is parsed together with it.
 * No ACK, no drop: the stream is never touched.
 */
enum { PEEK_NONE, PEEK_RESENT, PEEK_DONE };

/*
 * A segment of a flow without NAT while a copy is kept: if it continues
 * the copy, parse the two together (PEEK_DONE); if it ends within the copy
 * or before it, it is a retransmission and the copy stays (PEEK_RESENT);
 * anything else (a gap, a resend that overlaps the copy's end) drops the
 * copy and the segment is handled as usual: a resend that starts with the
 * message is parsed whole.
 */
static int peek_join(struct sipalg_ctx *c, struct sipalg_master *priv,
		     u32 seq, const char *data, u32 len)
{
	struct sipalg_stream *st = &priv->tcp[c->dir];
	struct sipalg_tcp_walk w = { .fr = SIP_FRAME_COMPLETE };
	struct sipalg_hold_dir *hd;
	u32 hseq = 0, end;
	char *buf = NULL;

	spin_lock_bh(&sipalg_hold_lock);
	if (!priv->hold || !priv->hold->d[c->dir].passive) {
		spin_unlock_bh(&sipalg_hold_lock);
		return PEEK_NONE;
	}
	hd = &priv->hold->d[c->dir];
	end = hd->seq + hd->len;
	if (!after(seq + len, end)) {
		/* Nothing past the copy: a retransmission. */
		spin_unlock_bh(&sipalg_hold_lock);
		return PEEK_RESENT;
	}
	if (seq == end) {
		buf = kmalloc(hd->len + len, GFP_ATOMIC);
		if (buf) {
			memcpy(buf, hd->buf, hd->len);
			memcpy(buf + hd->len, data, len);
			w.len = hd->len + len;
			hseq = hd->seq;
		}
	}
	hold_dir_clear(hd);
	hold_put(priv, false);
	spin_unlock_bh(&sipalg_hold_lock);
	if (!buf) {
		SIPALG_INC(c->net, tcp_partial);
		st->sync = false;
		return PEEK_NONE;
	}

	w.buf = buf;
	local_bh_disable();
	c->s = this_cpu_ptr(sipalg_scratch);
	/* No NAT: nothing to rewrite, never a drop on TCP. */
	tcp_walk_msgs(c, &w);
	local_bh_enable();
	if (w.cur < w.len &&
	    !(w.fr == SIP_FRAME_NEED_MORE &&
	      hold_tail(c, priv, buf + w.cur, w.len - w.cur, hseq + w.cur,
			w.msglen, true, true))) {
		sipalg_stat_add(c->net, w.fr == SIP_FRAME_NEED_MORE ?
				SIPALG_STAT_tcp_partial :
				SIPALG_STAT_malformed, 1);
		/* Its end may be unknown: wait for a start line. */
		st->sync = w.fr == SIP_FRAME_NEED_MORE && w.msglen;
		st->next_seq = hseq + w.cur + w.msglen;
	} else {
		st->next_seq = seq + len;
		st->sync = true;
	}
	kfree(buf);
	return PEEK_DONE;
}

/* A TCP segment as sipalg_help_tcp handles it. */
struct sipalg_tcp_seg {
	u32 seq;	/* sender's sequence number of the payload's start */
	u32 len;	/* payload bytes */
	bool can_hold;	/* a message it ends within may be held back */
	bool joined;	/* held bytes were put in front of it */
	bool send_ack;	/* acknowledge up to ack to the sender */
	u32 ack;
};

/*
 * A packet of a flow that holds bytes: a RST frees them; an ACK from the
 * receiver may release them, or let our ACK for them go to the sender.
 */
static void hold_track(struct sipalg_ctx *c, struct sipalg_master *priv,
		       const struct tcphdr *th)
{
	u32 ack;

	if (th->rst) {
		spin_lock_bh(&sipalg_hold_lock);
		hold_put(priv, true);
		spin_unlock_bh(&sipalg_hold_lock);
	} else if (th->ack &&
		   hold_acked(c->ct, priv, !c->dir, ntohl(th->ack_seq), &ack)) {
		struct sipalg_tcp_ts ts;

		/* The receiver caught up: ACK what the sender holds. */
		tcp_ts_for_ack(c->skb, c->protoff, false, &ts);
		hold_ack(c->ct, !c->dir, ack, &ts);
	}
}

/*
 * Where in the segment does a message start?  False when none does: it
 * continues one, or the stream position is lost.
 */
static bool tcp_first_msg(struct sipalg_ctx *c, struct sipalg_stream *st,
			  const struct sipalg_tcp_seg *sg, u32 *start)
{
	s32 d;

	*start = 0;
	if (sg->joined || starts_message(c->skb->data + c->dataoff, sg->len))
		return true;
	d = (s32)(st->next_seq - sg->seq);
	if (!st->sync || d < 0) {
		/* Lost our place (or a gap): wait for a start line. */
		SIPALG_INC(c->net, tcp_unsynced);
		st->sync = false;
		return false;
	}
	if ((u32)d >= sg->len) {
		SIPALG_INC(c->net, tcp_continuation);
		return false;
	}
	*start = d;
	return true;
}

enum { TAIL_PASS, TAIL_HELD, TAIL_LOST };

/*
 * The segment ends within the message at w->cur, or that cannot be framed:
 * hold it back (TAIL_HELD), or let it pass, with a copy kept on a flow
 * without NAT.  TAIL_PASS: w->orig is where the next message starts;
 * TAIL_LOST: that is unknown.
 */
static int tcp_tail(struct sipalg_ctx *c, struct sipalg_master *priv,
		    const struct sipalg_tcp_seg *sg,
		    struct sipalg_tcp_walk *w)
{
	const char *p = c->skb->data + c->dataoff + w->cur;
	u32 left = w->len - w->cur, seq = sg->seq + w->orig;

	if (w->fr == SIP_FRAME_NEED_MORE) {
		/*
		 * Hold it, unless it would need a second buffer (bytes
		 * joined in front are kept until acknowledged).
		 */
		if (sg->can_hold && (!sg->joined || !w->cur) &&
		    hold_tail(c, priv, p, left, seq, w->msglen, sg->joined,
			      false))
			return TAIL_HELD;
		if (!c->hooks &&
		    hold_tail(c, priv, p, left, seq, w->msglen, true, true)) {
			/* Passes; the rest is parsed with the copy. */
			w->orig = w->len;
			return TAIL_PASS;
		}
		if (w->msglen) {
			/* Headers seen: the end of the body is known. */
			SIPALG_INC(c->net, tcp_partial);
			w->orig += w->msglen;
			return TAIL_PASS;
		}
	}
	sipalg_stat_add(c->net, w->fr == SIP_FRAME_NEED_MORE ?
			SIPALG_STAT_tcp_partial : SIPALG_STAT_malformed, 1);
	return TAIL_LOST;
}

/*
 * The messages of the segment from @start on; then the stream position is
 * moved past them, the size change by NAT recorded in seqadj, and a held
 * tail cut off (the next segment carries it) and acknowledged to the
 * sender.
 */
static unsigned int tcp_messages(struct sipalg_ctx *c,
				 struct sipalg_master *priv,
				 struct sipalg_tcp_seg *sg, u32 start)
{
	struct sipalg_tcp_walk w = {
		.len = sg->len, .cur = start, .orig = start,
	};
	struct sipalg_stream *st = &priv->tcp[c->dir];
	int tail = TAIL_PASS;
	unsigned int ret;

	local_bh_disable();
	c->s = this_cpu_ptr(sipalg_scratch);
	ret = tcp_walk_msgs(c, &w);
	if (ret != NF_ACCEPT)
		goto out;
	if (w.cur < w.len)
		tail = tcp_tail(c, priv, sg, &w);
	if (tail == TAIL_LOST) {
		st->sync = false;
		goto out;
	}
	if (tail == TAIL_HELD && !w.cur) {
		/* Nothing else in the segment. */
		ret = NF_DROP;
	} else if (tail == TAIL_HELD &&
		   !c->hooks->mangle(c->skb, c->protoff, c->dataoff, c->ct,
				     c->ctinfo, w.cur, w.len - w.cur, "", 0)) {
		/* Cannot cut it off: it passes, so hold nothing. */
		hold_forget(priv, c->dir);
		SIPALG_INC(c->net, rewrite_failed);
		tail = TAIL_LOST;
		st->sync = false;
		goto out;
	}
	/* Never move backwards: a retransmission ends before our position. */
	if (!st->sync || (s32)(sg->seq + w.orig - st->next_seq) > 0) {
		st->next_seq = sg->seq + w.orig;
		st->sync = true;
	}
out:
	/*
	 * Only for a segment that goes on: seqadj keeps the first size
	 * change recorded at a sequence number, so a delta recorded for a
	 * dropped segment would stand in for its retransmission's, which
	 * may differ (it is rewritten whole, e.g. with the message whose
	 * rewrite failed here).
	 */
	if (w.delta && c->hooks && ret == NF_ACCEPT)
		c->hooks->seq_adjust(c->skb, c->protoff, c->ct, c->ctinfo,
				     w.delta);
	if (sg->joined && ret == NF_ACCEPT &&
	    tcp_make_gso(c->skb, nf_ct_l3num(c->ct), c->protoff, c->dataoff))
		SIPALG_INC(c->net, tcp_joined_gso);
	local_bh_enable();
	if (tail == TAIL_HELD) {
		sg->ack = sg->seq + w.orig + w.len - w.cur;
		sg->send_ack = hold_ack_now(c->ct, priv, c->dir,
					    sg->seq + w.orig);
	}
	return ret;
}

/*
 * TCP: every complete message in the segment is handled like a datagram,
 * several per segment included.  A message that continues in a later
 * segment is held back and joined to the rest (see hold_join above) on
 * NATed flows when the segment is plain (no GSO, FIN, RST, SYN or URG), the
 * message is at most SIPALG_HOLD_MAX bytes, no earlier joined copy of this
 * direction awaits its ACK and the budget allows; on flows without NAT a
 * copy is parsed with the rest instead (peek_join).  Otherwise it passes
 * untouched and is counted, and the stream position is kept so that its
 * continuation is not mistaken for a message.  Bytes once held always
 * reach the receiver: the next segment in order carries them, rewritten or
 * not.  A retransmitted segment that starts a message is handled again and
 * gets the same edits, which seqadj then finds already accounted for.
 */
static int sipalg_help_tcp(struct sk_buff *skb, unsigned int protoff,
			   struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct sipalg_master *priv = nfct_help_data(ct);
	unsigned int dataoff, ret = NF_ACCEPT;
	struct sipalg_tcp_seg sg = {};
	const struct tcphdr *th;
	struct sipalg_ctx c;
	struct tcphdr _th;
	u32 start;
	bool fin;

	if (unlikely(nf_ct_protonum(ct) != IPPROTO_TCP))
		return sipalg_wrong_transport(ct);
	if (ctinfo != IP_CT_ESTABLISHED && ctinfo != IP_CT_ESTABLISHED_REPLY)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	dataoff = protoff + th->doff * 4;
	sg.seq = ntohl(th->seq);
	fin = th->fin;
	/* No refresh: the TCP state machine owns a stream's lifetime. */
	ctx_init(&c, skb, protoff, dataoff, ct, ctinfo);
	sg.can_hold = c.hooks && !(th->fin || th->rst || th->syn || th->urg) &&
		      !skb_is_gso(skb);

	if (READ_ONCE(priv->hold))
		hold_track(&c, priv, th);
	if (dataoff > skb->len ||
	    (dataoff == skb->len && !(fin && READ_ONCE(priv->hold))))
		return NF_ACCEPT;

	if (unlikely(skb_linearize(skb))) {
		SIPALG_INC(c.net, not_linear);
		/* Never without the held bytes: it is sent again. */
		return hold_pending(priv, c.dir) ? NF_DROP : NF_ACCEPT;
	}
	sg.len = skb->len - dataoff;

	if (READ_ONCE(priv->hold) && c.hooks) {
		switch (hold_join(&c, priv, fin, &sg.seq, &sg.len,
				  &sg.send_ack, &sg.ack)) {
		case HOLD_DROP:
			ret = NF_DROP;
			goto ack;
		case HOLD_JOINED:
			sg.joined = true;
			break;
		}
	} else if (READ_ONCE(priv->hold) && sg.len) {
		switch (peek_join(&c, priv, sg.seq, skb->data + dataoff,
				  sg.len)) {
		case PEEK_RESENT:
			SIPALG_INC(c.net, tcp_continuation);
			return NF_ACCEPT;
		case PEEK_DONE:
			return NF_ACCEPT;
		}
	}
	if (!sg.len || !tcp_first_msg(&c, &priv->tcp[c.dir], &sg, &start))
		return NF_ACCEPT;
	ret = tcp_messages(&c, priv, &sg, start);
ack:
	if (sg.send_ack) {
		struct sipalg_tcp_ts ts;

		tcp_ts_for_ack(skb, protoff, true, &ts);
		hold_ack(ct, c.dir, sg.ack, &ts);
	}
	return ret;
}

/* ---------------------------------------------------------------------------
 * Registration
 */

static const struct nf_conntrack_expect_policy
sipalg_exp_policy[__SIPALG_EXPECT_MAX] = {
	[SIPALG_EXPECT_SIGNALLING] = {
		.name		= "signalling",
		.max_expected	= 1,
		.timeout	= 3 * 60,
	},
	/*
	 * A trunk sets up many calls on one flow: room for 60 calls of one
	 * stream each way (4 pinholes each).  media_make_room() keeps a flow
	 * below this; the core's own eviction is the backstop.
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
 * we must coexist with.  "ports" names the SIP ports for auto-attaching.
 */
static struct nf_conntrack_helper sipalg_helpers[4] __read_mostly;

/* Ours for @l3num and @l4num (UDP or TCP), in sipalg_helper_setup order. */
static struct nf_conntrack_helper *sipalg_helper_for(u16 l3num, u8 l4num)
{
	return &sipalg_helpers[(l3num == NFPROTO_IPV6) * 2 +
			       (l4num == IPPROTO_TCP)];
}

static void sipalg_helper_setup(struct nf_conntrack_helper *h, u16 l3num,
				u8 l4num)
{
	strscpy(h->name, SIPALG_HELPER_NAME, sizeof(h->name));
	strscpy(h->nat_mod_name, NF_NAT_HELPER_NAME(SIPALG_HELPER_NAME),
		sizeof(h->nat_mod_name));
	h->me = THIS_MODULE;
	h->tuple.src.l3num = l3num;
	h->tuple.dst.protonum = l4num;
	h->expect_policy = sipalg_exp_policy;
	h->expect_class_max = __SIPALG_EXPECT_MAX - 1;
	h->help = l4num == IPPROTO_TCP ? sipalg_help_tcp : sipalg_help_udp;
	h->destroy = sipalg_destroy;
}

static bool port_configured(u16 port)
{
	unsigned int i;

	for (i = 0; i < ports_c; i++)
		if (ports[i] == port)
			return true;
	return false;
}

/*
 * auto_assign: give a new flow to a SIP port our helper, as the kernel did
 * before 6.0 and vendor ALGs do.  This runs after the filter and NAT hooks
 * and just before the conntrack is confirmed, so a firewall rule that chose
 * a helper (or none) for the flow wins.
 */
static unsigned int sipalg_auto_assign(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	const struct nf_conntrack_tuple *t;
	enum ip_conntrack_info ctinfo;
	struct nf_conn_help *help;
	struct nf_conn *ct;
	unsigned int idx;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW || nf_ct_is_confirmed(ct) ||
	    nf_ct_is_template(ct) || ct->master || nfct_help(ct))
		return NF_ACCEPT;
	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	if (t->dst.protonum == IPPROTO_UDP)
		idx = 0;
	else if (t->dst.protonum == IPPROTO_TCP)
		idx = 1;
	else
		return NF_ACCEPT;
	if (!port_configured(ntohs(t->dst.u.all)))
		return NF_ACCEPT;
	if (nf_ct_l3num(ct) == NFPROTO_IPV6)
		idx += 2;

	help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help)
		return NF_ACCEPT;
	rcu_assign_pointer(help->helper, &sipalg_helpers[idx]);
	/* NAT was set up before the flow had a helper: TCP needs seqadj. */
	if ((ct->status & IPS_NAT_MASK) && !nfct_seqadj(ct) &&
	    !nfct_seqadj_ext_add(ct))
		return NF_DROP;
	SIPALG_INC(state->net, auto_assigned);
	return NF_ACCEPT;
}

static const struct nf_hook_ops sipalg_auto_ops[SIPALG_AUTO_OPS] = {
	{
		.hook		= sipalg_auto_assign,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK_HELPER - 1,
	},
	{
		.hook		= sipalg_auto_assign,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_CONNTRACK_HELPER - 1,
	},
	{
		.hook		= sipalg_auto_assign,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK_HELPER - 1,
	},
	{
		.hook		= sipalg_auto_assign,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP6_PRI_CONNTRACK_HELPER - 1,
	},
};

static void sipalg_hashes_free(void)
{
	kvfree(sipalg_calls_hash);
	kvfree(sipalg_masters_hash);
	kvfree(sipalg_ports_hash);
}

static void sipalg_calls_flush(void)
{
	struct sipalg_call *call, *tmp;

	spin_lock_bh(&sipalg_calls_lock);
	list_for_each_entry_safe(call, tmp, &sipalg_calls_lru, lru)
		call_free(call);
	spin_unlock_bh(&sipalg_calls_lock);
}

static int __init nf_conntrack_sipalg_init(void)
{
	char portlist[SIPALG_MAX_PORTS * 6 + 1];
	int err;

	NF_CT_HELPER_BUILD_BUG_ON(sizeof(struct sipalg_master));
	BUILD_BUG_ON(sizeof(struct sipalg_master) > 32);
	BUILD_BUG_ON(SIPALG_STAT_req_publish - SIPALG_STAT_req_other !=
		     SIP_METHOD_PUBLISH);
	BUILD_BUG_ON(SIP_METHOD__COUNT != SIP_METHOD_PUBLISH + 1);

	sipalg_hash_seed = get_random_u32();
	sipalg_calls_bits = clamp_t(unsigned int, order_base_2(max_calls),
				    SIPALG_CALLS_BITS_MIN, SIPALG_CALLS_BITS_MAX);
	sipalg_calls_hash = kvcalloc(1U << sipalg_calls_bits,
				     sizeof(*sipalg_calls_hash), GFP_KERNEL);
	sipalg_masters_hash = kvcalloc(1U << sipalg_calls_bits,
				       sizeof(*sipalg_masters_hash), GFP_KERNEL);
	sipalg_ports_hash = kvcalloc(1U << SIPALG_PORTS_HASH_BITS,
				     sizeof(*sipalg_ports_hash), GFP_KERNEL);
	if (!sipalg_calls_hash || !sipalg_masters_hash || !sipalg_ports_hash) {
		err = -ENOMEM;
		goto err_hash;
	}
	sipalg_call_cache = KMEM_CACHE(sipalg_call, 0);
	if (!sipalg_call_cache) {
		err = -ENOMEM;
		goto err_cache;
	}
	sipalg_scratch = alloc_percpu(struct sipalg_scratch);
	if (!sipalg_scratch) {
		err = -ENOMEM;
		goto err_cache;
	}
	sipalg_helper_setup(&sipalg_helpers[0], NFPROTO_IPV4, IPPROTO_UDP);
	sipalg_helper_setup(&sipalg_helpers[1], NFPROTO_IPV4, IPPROTO_TCP);
	sipalg_helper_setup(&sipalg_helpers[2], NFPROTO_IPV6, IPPROTO_UDP);
	sipalg_helper_setup(&sipalg_helpers[3], NFPROTO_IPV6, IPPROTO_TCP);
	err = register_pernet_subsys(&sipalg_net_ops);
	if (err < 0)
		goto err_pernet;
	err = nf_conntrack_helpers_register(sipalg_helpers,
					    ARRAY_SIZE(sipalg_helpers));
	if (err < 0) {
		pr_err("cannot register the \"%s\" helpers: %d\n",
		       SIPALG_HELPER_NAME, err);
		goto err_helpers;
	}
	if (auto_assign) {
		err = register_pernet_subsys(&sipalg_hooks_net_ops);
		if (err < 0)
			goto err_hooks;
	}

	ports_format(portlist, sizeof(portlist));
	pr_info("SIP ALG %s loaded, ports %s%s\n", SIPALG_VERSION, portlist,
		auto_assign ? ", auto_assign" : "");
	return 0;

err_hooks:
	nf_conntrack_helpers_unregister(sipalg_helpers,
					ARRAY_SIZE(sipalg_helpers));
err_helpers:
	unregister_pernet_subsys(&sipalg_net_ops);
err_pernet:
	free_percpu(sipalg_scratch);
err_cache:
	kmem_cache_destroy(sipalg_call_cache);
err_hash:
	sipalg_hashes_free();
	return err;
}

static bool is_ours(const struct nf_conntrack_helper *h)
{
	return h >= sipalg_helpers &&
	       h < sipalg_helpers + ARRAY_SIZE(sipalg_helpers);
}

static bool sipalg_exp_ours(struct nf_conntrack_expect *exp, void *data)
{
	const struct nf_conn_help *help = nfct_help(exp->master);

	return is_ours(rcu_dereference_raw(exp->helper)) ||
	       is_ours(sipalg_exp_assigned_helper(exp)) ||
	       (help && is_ours(rcu_dereference_raw(help->helper)));
}

static int sipalg_unhelp(struct nf_conn *ct, void *data)
{
	struct nf_conn_help *help = nfct_help(ct);

	if (help && is_ours(rcu_dereference_raw(help->helper)))
		RCU_INIT_POINTER(help->helper, NULL);
	return 0;	/* detach, never delete */
}

static void __exit nf_conntrack_sipalg_fini(void)
{
	if (auto_assign)
		unregister_pernet_subsys(&sipalg_hooks_net_ops);
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
	unregister_pernet_subsys(&sipalg_net_ops);
	free_percpu(sipalg_scratch);
	kmem_cache_destroy(sipalg_call_cache);
	sipalg_hashes_free();
}

module_init(nf_conntrack_sipalg_init);
module_exit(nf_conntrack_sipalg_fini);
