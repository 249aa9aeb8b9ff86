/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private header of nf_conntrack_sipalg.ko: what its files share.  The
 * packet's way through them:
 *
 *   sipalg_msg.c (UDP) / sipalg_tcp.c (TCP, with sipalg_hold.c and
 *   sipalg_ack.c for messages split across segments)
 *     -> sipalg_msg.c: parse, count, dispatch by method
 *        -> sipalg_call.c: the call's record
 *        -> sipalg_pinhole.c: media and REGISTER pinholes
 *     -> sipalg_msg.c: plan and apply the rewrite (NATed flows)
 *
 * nf_conntrack_sipalg.c registers the helpers and owns load and unload;
 * sipalg_stats.c the counters, sipalg_auto.c the ports and auto_assign.
 */
#ifndef _SIPALG_H
#define _SIPALG_H

#include <linux/types.h>
#include <linux/limits.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "nf_conntrack_sipalg.h"
#include "sip_parse.h"
#include "sdp_parse.h"
#include "sip_plan.h"
#include "tcp_hold.h"
#include "pinhole_evict.h"

/* ---------------------------------------------------------------------------
 * Counters (sipalg_stats.c): per network namespace, per CPU.
 */
enum sipalg_stat {
#define SIPALG_STAT(name) SIPALG_STAT_##name,
#include "sipalg_stats_list.h"
#undef SIPALG_STAT
	__SIPALG_STAT_MAX
};

struct sipalg_stats {
	u64 v[__SIPALG_STAT_MAX];
};

struct sipalg_net {
	struct sipalg_stats __percpu *stats;
	/* The namespace's call records (sipalg_call.c), under sipalg_calls_lock */
	struct list_head calls_lru;	/* least recently active first */
	unsigned int calls_count;
	unsigned int pinholes_count;
	/*
	 * Pending media pinholes per host bucket (sipalg_evict.c), under
	 * sipalg_calls_lock: never too low, checked by a walk when too high.
	 */
	u16 host_pending[PH_HOSTS];
	unsigned int hold_bytes;	/* sipalg_hold.c, under its lock */
};

extern unsigned int sipalg_net_id;

static inline void sipalg_stat_add(const struct net *net, enum sipalg_stat s,
				   unsigned int n)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	this_cpu_add(sn->stats->v[s], n);
}

#define SIPALG_INC(net, name) sipalg_stat_add(net, SIPALG_STAT_##name, 1)

int sipalg_stats_init(void);
void sipalg_stats_exit(void);

/* ---------------------------------------------------------------------------
 * The helpers (nf_conntrack_sipalg.c) and auto_assign (sipalg_auto.c).
 */
struct nf_conntrack_helper *sipalg_helper_for(u16 l3num, u8 l4num);
bool sipalg_helper_ours(const struct nf_conntrack_helper *h);

int sipalg_auto_init(void);
void sipalg_auto_exit(void);
int sipalg_ports_format(char *buf, size_t size);
bool sipalg_auto_assign_on(void);

/* ---------------------------------------------------------------------------
 * Per-flow state: in the helper's private area of every signalling flow,
 * 32 bytes at most.
 */

/*
 * Where a TCP direction's next SIP message starts, and how far its data
 * went, in the sender's sequence space (the helper sees sequence numbers
 * before seqadj): without it a segment that continues a message body would
 * be read as a new message (tcp_stream_pos in tcp_hold.c).
 */
struct sipalg_stream {
	u32 next_seq;
	u32 edge;
};

struct sipalg_hold;

struct sipalg_master {
	u32 register_cseq;	/* REGISTER that asked for a pinhole, 0: none */
	struct sipalg_stream tcp[IP_CT_DIR_MAX];
	bool tcp_sync[IP_CT_DIR_MAX];	/* tcp[].next_seq is known */
	bool tcp_seen[IP_CT_DIR_MAX];	/* tcp[].edge is known */
	/* TCP bytes held back; under the hold lock, NULL: none */
	struct sipalg_hold *hold;
};

/* ---------------------------------------------------------------------------
 * Call records (sipalg_call.c).
 */

/*
 * A pinhole a call holds, by the tuple it was registered with: how it is
 * found again to remove it, and which public port stays taken.
 */
struct sipalg_pinhole {
	/*
	 * In the table of public ports: a public port a call's media uses
	 * stays taken, even once its expectation became a flow, until the
	 * call ends.  Otherwise a second phone with the same media port
	 * would be given the same public port and a peer could cross the
	 * audio.  Namespaces are not told apart: one that shares a public
	 * address and port with another only makes the NAT side pick
	 * another port.
	 */
	struct hlist_node pnode;
	union nf_inet_addr addr;
	/* What the SDP named, before NAT (/proc/net/sipalg_calls only) */
	union nf_inet_addr priv_addr;
	__be16 port;
	__be16 priv_port;
	/*
	 * RTCP waits on the next port of the same address: one entry stands
	 * for both (port is even then, so both hash to one bucket).
	 */
	bool pair;
};

/* Bytes of a Call-ID a record keeps to be shown. */
#define SIPALG_CID_MAX		48

/*
 * Calls are told apart by Call-ID so that a trunk (one signalling flow, many
 * calls) keeps every call's pinholes: a new SDP replaces the pinholes of the
 * same call and the same sender only.
 */
struct sipalg_call {
	struct hlist_node hnode;	/* by flow + id */
	struct hlist_node mnode;	/* by flow */
	struct list_head lru;		/* its namespace's, oldest first */
	possible_net_t net;
	/* Lookup key only: never dereferenced (the flow may be gone). */
	const struct nf_conn *master;
	u32 id;				/* hash of the Call-ID */
	u32 invite_cseq;
	bool established;		/* 2xx to an INVITE seen */
	u8 cid_len;			/* bytes of cid kept */
	unsigned long created;		/* jiffies */
	unsigned long active;		/* jiffies of the last message */
	char cid[SIPALG_CID_MAX];	/* the Call-ID's start, for the listing */
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
 * The call table's lock.  Taken before nf_conntrack_expect_lock (the
 * expectation calls made under it take that one), never after it.
 */
extern spinlock_t sipalg_calls_lock;

int sipalg_calls_init(void);
void sipalg_calls_exit(void);
void sipalg_calls_flush(void);
void sipalg_calls_destroy(const struct nf_conn *ct);
u32 sipalg_callid_hash(const char *id, u32 len);
unsigned int sipalg_calls_active(const struct net *net);
unsigned int sipalg_calls_pinholes(const struct net *net);
void sipalg_calls_net_init(struct net *net);
void sipalg_calls_net_exit(struct net *net);

struct sipalg_call *sipalg_call_find(const struct nf_conn *ct, u32 id);
struct sipalg_call *sipalg_call_touch(struct sipalg_call *call);
struct sipalg_call *sipalg_call_new(struct net *net, const struct nf_conn *ct,
				    u32 id);
struct sipalg_call *sipalg_call_get(struct net *net, const struct nf_conn *ct,
				    u32 id);
void sipalg_call_keep_pinholes(struct sipalg_call *call,
			       enum ip_conntrack_dir dir,
			       const struct sipalg_pinhole *src,
			       unsigned int n);
void sipalg_call_remove_pinholes(struct net *net, struct nf_conn *ct,
				 struct sipalg_call *call,
				 enum ip_conntrack_dir dir);
void sipalg_call_end(struct net *net, struct nf_conn *ct,
		     struct sipalg_call *call);
void sipalg_call_name(struct sipalg_call *call, const char *cid, u32 len);

/*
 * A call as /proc/net/sipalg_calls shows it (sipalg_calls_proc.c): a copy
 * taken under sipalg_calls_lock, printed without it.
 */
#define SIPALG_VIEW_PH		8	/* pinholes shown per call */

struct sipalg_pinhole_view {
	union nf_inet_addr addr, priv_addr;
	__be16 port, priv_port;
	bool pair;
	bool pending;		/* its expectation is still in the table */
};

struct sipalg_call_view {
	struct nf_conntrack_tuple tuple[IP_CT_DIR_MAX];
	unsigned long created, active;
	bool established;
	u8 cid_len;
	u8 nph;
	char cid[SIPALG_CID_MAX];
	struct sipalg_pinhole_view ph[SIPALG_VIEW_PH];
};

unsigned int sipalg_calls_copy(const struct net *net, unsigned int *bucket,
			       unsigned int *skip, struct sipalg_call_view *v,
			       unsigned int max);
int sipalg_calls_proc_init(struct net *net);
void sipalg_calls_proc_exit(struct net *net);

/* ---------------------------------------------------------------------------
 * One message (sipalg_msg.c).
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

int sipalg_msg_init(void);
void sipalg_msg_exit(void);
void sipalg_ctx_init(struct sipalg_ctx *c, struct sk_buff *skb,
		     unsigned int protoff, unsigned int dataoff,
		     struct nf_conn *ct, enum ip_conntrack_info ctinfo);
/* Bottom halves off: the per-CPU scratch is this CPU's until enabled. */
struct sipalg_scratch *sipalg_scratch_get(void);
unsigned int sipalg_process_msg(struct sipalg_ctx *c);
int sipalg_wrong_transport(struct nf_conn *ct);
int sipalg_help_udp(struct sk_buff *skb, unsigned int protoff,
		    struct nf_conn *ct, enum ip_conntrack_info ctinfo);

static inline bool sipalg_addr_is(const struct sip_addr *a,
				  const struct nf_conn *ct)
{
	return a->family == nf_ct_l3num(ct);
}

static inline void sipalg_addr_to_inet(const struct sip_addr *a,
				       union nf_inet_addr *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, a->u.b, a->family == SIP_AF_INET ? 4 : 16);
}

/* ---------------------------------------------------------------------------
 * Pinholes (sipalg_pinhole.c).
 */

/*
 * The longest time in seconds that becomes jiffies without overflowing a
 * signed 32-bit count (timers, expectation timestamps, nf_ct_refresh).
 */
#define SIPALG_SECS_MAX		(INT_MAX / HZ)

/* Pending media pinholes per flow (nf_conn_help counts them in a u8). */
#define SIPALG_MEDIA_MAX	PH_FLOW_MAX

bool sipalg_direct_media(void);
void sipalg_sdp_pinholes(struct sipalg_ctx *c, struct sipalg_call *call);
void sipalg_register_pinhole(struct sipalg_ctx *c);
void sipalg_register_answered(struct sipalg_ctx *c);

/* Fair use of the expectation table (sipalg_evict.c). */
void sipalg_evict_init(void);
void sipalg_host_count(struct sipalg_ctx *c, unsigned int n);
void sipalg_host_uncount(struct net *net,
			 const struct nf_conntrack_expect *exp);
void sipalg_media_remove(struct net *net, struct nf_conntrack_expect *exp);
void sipalg_flow_make_room(struct sipalg_ctx *c, unsigned int need);
void sipalg_host_make_room(struct sipalg_ctx *c, unsigned int need);
bool sipalg_table_reclaim(struct sipalg_ctx *c);

/* ---------------------------------------------------------------------------
 * TCP (sipalg_tcp.c, sipalg_hold.c, sipalg_ack.c).
 */
int sipalg_help_tcp(struct sk_buff *skb, unsigned int protoff,
		    struct nf_conn *ct, enum ip_conntrack_info ctinfo);

#define SIPALG_HOLD_MAX		16384		/* bytes per flow and direction */
#define SIPALG_HOLD_BUDGET	(4U << 20)	/* bytes held per namespace */

/* What hold_join makes of a segment (sipalg_hold_join). */
enum { SIPALG_HOLD_PASS, SIPALG_HOLD_JOINED, SIPALG_HOLD_DROP };

/* A TCP segment as sipalg_help_tcp handles it. */
struct sipalg_tcp_seg {
	struct tcp_stream st;	/* its direction's, written back after */
	u32 seq;	/* sender's sequence number of the payload's start */
	u32 len;	/* payload bytes */
	bool fin;
	bool can_hold;	/* a message it ends within may be held back */
	bool joined;	/* held bytes were put in front of it */
	bool send_ack;	/* acknowledge up to ack to the sender */
	u32 ack;
};

/*
 * The no-NAT copy of a split message, taken to be parsed with the rest: the
 * copy and the start of the segment, at most SIPALG_HOLD_MAX bytes in all
 * (what a message that may be held can take).
 */
struct sipalg_peek {
	char *buf;	/* kmalloc'd */
	u32 len;
	u32 held;	/* bytes of the copy, before the segment's */
	u32 seq;	/* sender's sequence number of buf[0] */
};

enum {
	SIPALG_PEEK_NONE,
	SIPALG_PEEK_RESENT,
	SIPALG_PEEK_JOIN,
	SIPALG_PEEK_LOST,
};

bool sipalg_hold_tail(struct sipalg_ctx *c, struct sipalg_master *priv,
		      const char *p, u32 len, u32 seq, u32 msglen,
		      bool replace, bool passive);
bool sipalg_hold_pending(struct sipalg_master *priv,
			 enum ip_conntrack_dir dir);
void sipalg_hold_forget(struct sipalg_master *priv, enum ip_conntrack_dir dir);
void sipalg_hold_reset(struct sipalg_master *priv);
bool sipalg_hold_acked(struct nf_conn *ct, struct sipalg_master *priv,
		       enum ip_conntrack_dir dir, u32 ack, u32 *ack_end,
		       int *oif);
bool sipalg_hold_ack_now(struct nf_conn *ct, struct sipalg_master *priv,
			 enum ip_conntrack_dir dir, u32 seq);
int sipalg_hold_join(struct sipalg_ctx *c, struct sipalg_master *priv,
		     struct sipalg_tcp_seg *sg);
void sipalg_hold_joined(struct sipalg_master *priv, enum ip_conntrack_dir dir,
			u32 len);
int sipalg_peek_take(struct sipalg_master *priv, enum ip_conntrack_dir dir,
		     u32 seq, const char *data, u32 len,
		     struct sipalg_peek *pk);
void sipalg_holds_flush(void);
unsigned int sipalg_hold_bytes(const struct net *net);

/*
 * What the router's ACK carries besides its numbers (sipalg_ack.c): RFC 7323
 * timestamps, and the interface toward the sender (0: routing decides).
 */
struct sipalg_tcp_ts {
	bool ok;
	/*
	 * Signed (TCP-MD5, RFC 2385; TCP-AO, RFC 5925): the router cannot
	 * sign an ACK of its own, so such a segment is never held.
	 */
	bool sig;
	__be32 val, ecr;
	int oif;
};

#define SIPALG_TCPOPT_AO	29	/* RFC 5925; not in every kernel's tcp.h */

void sipalg_ack_ts(const struct sk_buff *skb, unsigned int protoff,
		   bool from_sender, struct sipalg_tcp_ts *ts);
void sipalg_ack_send(struct nf_conn *ct, enum ip_conntrack_dir dir, u32 ack,
		     const struct sipalg_tcp_ts *ts);
bool sipalg_tcp_make_gso(struct sk_buff *skb, u8 family, unsigned int protoff,
			 unsigned int dataoff);

#endif /* _SIPALG_H */
