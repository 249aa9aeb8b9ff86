// SPDX-License-Identifier: GPL-2.0
/*
 * TCP: the first part of a message split across segments, held back until
 * the rest arrives.
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
 *
 * Flows without NAT keep a passive copy instead (nothing is rewritten, so
 * nothing is held back): see sipalg_peek_take().
 *
 * The decisions are pure sequence arithmetic in tcp_hold.c; this file keeps
 * the copies, their budget and their lock.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_seqadj.h>

#include "sipalg.h"
#include "tcp_hold.h"

struct sipalg_hold_dir {
	char *buf;
	struct tcp_hold_range r;	/* sender's sequence numbers of buf */
	/*
	 * Emitted: an ACK after this one releases the copy.  Where the joined
	 * segment ends for the receiver, less one: an ACK of its first GSO
	 * piece only must not release held bytes that the rest still carries
	 * (the sender was told they arrived and will not send them again).
	 */
	u32 mark;
	bool mark_open;	/* joined, its end not yet known */
	bool ack_due;	/* ACK it once the receiver has all before r.seq */
	bool passive;	/* no NAT: a copy only, the bytes went on */
	int iif;	/* where the sender's segment came in: toward it */
	/* The flow's namespace: its budget counts these bytes. */
	struct sipalg_net *sn;
};

struct sipalg_hold {
	struct list_head list;		/* holds */
	struct sipalg_hold_dir d[IP_CT_DIR_MAX];
};

/* Rarely taken: only by flows that hold bytes, and to set that up. */
static DEFINE_SPINLOCK(hold_lock);
static LIST_HEAD(holds);
/*
 * TCP bytes held back by a namespace's flows, under hold_lock: each
 * namespace has SIPALG_HOLD_BUDGET of its own, so a container's flows
 * cannot take every other namespace's.
 */
unsigned int sipalg_hold_bytes(const struct net *net)
{
	const struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	return READ_ONCE(sn->hold_bytes);
}

static void hold_dir_clear(struct sipalg_hold_dir *hd)
{
	struct sipalg_net *sn = hd->sn;

	lockdep_assert_held(&hold_lock);
	sn->hold_bytes -= hd->r.len;
	kfree(hd->buf);
	memset(hd, 0, sizeof(*hd));
	hd->sn = sn;
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

	lockdep_assert_held(&hold_lock);
	if (!h)
		return;
	if (!all && (h->d[IP_CT_DIR_ORIGINAL].r.len ||
		     h->d[IP_CT_DIR_REPLY].r.len))
		return;
	hold_free(h);
	WRITE_ONCE(priv->hold, NULL);
}

/* Forget what @hd holds, and the flow's hold if nothing else is held. */
static void hold_dir_drop(struct sipalg_master *priv,
			  struct sipalg_hold_dir *hd)
{
	hold_dir_clear(hd);
	hold_put(priv, false);
}

/* Module unload: no flow runs the helper or its destroy any more. */
void sipalg_holds_flush(void)
{
	struct sipalg_hold *h, *tmp;

	spin_lock_bh(&hold_lock);
	list_for_each_entry_safe(h, tmp, &holds, list)
		hold_free(h);
	spin_unlock_bh(&hold_lock);
}

/* The flow is going away, or was reset: everything it held goes. */
void sipalg_hold_reset(struct sipalg_master *priv)
{
	if (!READ_ONCE(priv->hold))
		return;
	spin_lock_bh(&hold_lock);
	hold_put(priv, true);
	spin_unlock_bh(&hold_lock);
}

/* The flow's hold, made on first use. */
static struct sipalg_hold *hold_get(struct nf_conn *ct,
				    struct sipalg_master *priv)
{
	struct sipalg_hold *h = priv->hold;

	lockdep_assert_held(&hold_lock);
	if (h)
		return h;
	h = kzalloc(sizeof(*h), GFP_ATOMIC);
	if (!h)
		return NULL;
	h->d[IP_CT_DIR_ORIGINAL].sn = net_generic(nf_ct_net(ct), sipalg_net_id);
	h->d[IP_CT_DIR_REPLY].sn = h->d[IP_CT_DIR_ORIGINAL].sn;
	list_add(&h->list, &holds);
	WRITE_ONCE(priv->hold, h);
	return h;
}

/*
 * Lock held.  @replace: the held bytes are part of @data.  @passive: a copy
 * only, the bytes went on (no NAT); nothing to acknowledge.
 */
static bool hold_store(struct nf_conn *ct, struct sipalg_master *priv,
		       enum ip_conntrack_dir dir, const char *data, u32 len,
		       u32 seq, bool replace, bool passive, int iif)
{
	struct sipalg_hold_dir *hd;
	struct sipalg_hold *h;
	char *buf;

	if (nf_ct_is_dying(ct) || !len || len > SIPALG_HOLD_MAX)
		return false;
	h = hold_get(ct, priv);
	if (!h)
		return false;
	hd = &h->d[dir];
	if ((hd->r.len && !replace) ||
	    !tcp_hold_fits(hd->sn->hold_bytes, hd->r.len, len,
			   SIPALG_HOLD_BUDGET))
		goto err_put;
	buf = kmalloc(len, GFP_ATOMIC);
	if (!buf)
		goto err_put;
	memcpy(buf, data, len);
	hold_dir_clear(hd);
	hd->buf = buf;
	hd->r.seq = seq;
	hd->r.len = len;
	hd->ack_due = !passive;
	hd->passive = passive;
	hd->iif = iif;
	hd->sn->hold_bytes += len;
	return true;

err_put:
	hold_put(priv, false);
	return false;
}

/*
 * Hold the unfinished message at @p (sender sequence number @seq), or with
 * @passive keep a copy of it beside the stream.
 */
bool sipalg_hold_tail(struct sipalg_ctx *c, struct sipalg_master *priv,
		      const char *p, u32 len, u32 seq, u32 msglen, bool replace,
		      bool passive)
{
	bool ok = false;

	if (msglen <= SIPALG_HOLD_MAX) {
		spin_lock_bh(&hold_lock);
		ok = hold_store(c->ct, priv, c->dir, p, len, seq, replace,
				passive, c->skb->skb_iif);
		spin_unlock_bh(&hold_lock);
	}
	sipalg_stat_add(c->net, !ok ? SIPALG_STAT_tcp_hold_failed :
			passive ? SIPALG_STAT_tcp_peeked :
			SIPALG_STAT_tcp_held, 1);
	return ok;
}

/* Does @dir hold bytes that the next segment must carry? */
bool sipalg_hold_pending(struct sipalg_master *priv, enum ip_conntrack_dir dir)
{
	bool ret = false;

	if (!READ_ONCE(priv->hold))
		return false;
	spin_lock_bh(&hold_lock);
	if (priv->hold)
		ret = priv->hold->d[dir].r.len && !priv->hold->d[dir].passive;
	spin_unlock_bh(&hold_lock);
	return ret;
}

void sipalg_hold_forget(struct sipalg_master *priv, enum ip_conntrack_dir dir)
{
	spin_lock_bh(&hold_lock);
	if (priv->hold)
		hold_dir_drop(priv, &priv->hold->d[dir]);
	spin_unlock_bh(&hold_lock);
}

/*
 * Has the receiver acknowledged everything the sender in @dir sent before
 * @seq?  conntrack keeps the receiver's highest ACK in the sender's
 * sequence space.
 */
static bool hold_may_ack(struct nf_conn *ct, enum ip_conntrack_dir dir,
			 u32 seq)
{
	const struct ip_ct_tcp_state *rcv = &ct->proto.tcp.seen[!dir];
	bool ok;

	spin_lock_bh(&ct->lock);
	ok = tcp_hold_may_ack(rcv->flags & IP_CT_TCP_FLAG_MAXACK_SET,
			      rcv->td_maxack, seq);
	spin_unlock_bh(&ct->lock);
	return ok;
}

/*
 * A packet from the receiver of @dir's data, which acknowledged @ack (in
 * its view).  Returns true, with *ack_end and the interface toward the
 * sender (*oif) set, when the held bytes can now be acknowledged to it.
 */
bool sipalg_hold_acked(struct nf_conn *ct, struct sipalg_master *priv,
		       enum ip_conntrack_dir dir, u32 ack, u32 *ack_end,
		       int *oif)
{
	struct sipalg_hold_dir *hd;
	bool send = false;

	spin_lock_bh(&hold_lock);
	if (priv->hold) {
		hd = &priv->hold->d[dir];
		if (!hd->mark_open && tcp_hold_released(&hd->r, hd->mark, ack)) {
			hold_dir_drop(priv, hd);
		} else if (hd->r.len && hd->ack_due &&
			   hold_may_ack(ct, dir, hd->r.seq)) {
			hd->ack_due = false;
			*ack_end = hd->r.seq + hd->r.len;
			*oif = hd->iif;
			send = true;
		}
	}
	spin_unlock_bh(&hold_lock);
	return send;
}

/* Just held what starts at @seq: may the ACK for it go now? */
bool sipalg_hold_ack_now(struct nf_conn *ct, struct sipalg_master *priv,
			 enum ip_conntrack_dir dir, u32 seq)
{
	struct sipalg_hold_dir *hd;
	bool send = false;

	if (!hold_may_ack(ct, dir, seq)) {
		/* When the receiver has caught up (sipalg_hold_acked). */
		SIPALG_INC(nf_ct_net(ct), tcp_ack_deferred);
		return false;
	}
	spin_lock_bh(&hold_lock);
	if (priv->hold) {
		hd = &priv->hold->d[dir];
		if (hd->r.len && hd->ack_due && hd->r.seq == seq) {
			hd->ack_due = false;
			send = true;
		}
	}
	spin_unlock_bh(&hold_lock);
	return send;
}

/*
 * The joined segment went on with @len payload bytes, rewritten: the copy
 * is kept until the receiver acknowledges all of them.
 */
void sipalg_hold_joined(struct sipalg_master *priv, enum ip_conntrack_dir dir,
			u32 len)
{
	struct sipalg_hold_dir *hd;

	spin_lock_bh(&hold_lock);
	if (priv->hold) {
		hd = &priv->hold->d[dir];
		if (hd->mark_open && len) {
			hd->mark += len - 1;
			hd->mark_open = false;
		}
	}
	spin_unlock_bh(&hold_lock);
}

/* The held bytes again, alone: the sender missed our ACK. */
static int hold_resent(struct sipalg_ctx *c, struct sipalg_hold_dir *hd,
		       struct sipalg_tcp_seg *sg)
{
	SIPALG_INC(c->net, tcp_hold_resent);
	if (hold_may_ack(c->ct, c->dir, hd->r.seq)) {
		hd->ack_due = false;
		sg->send_ack = true;
		sg->ack = hd->r.seq + hd->r.len;
	} else {
		hd->ack_due = true;
		SIPALG_INC(c->net, tcp_ack_deferred);
	}
	return SIPALG_HOLD_DROP;
}

/* Put the first @pre held bytes in front of the segment. */
static int hold_prepend(struct sipalg_ctx *c, struct sipalg_hold_dir *hd,
			struct sipalg_tcp_seg *sg, u32 pre)
{
	struct tcphdr *th;

	if (!c->hooks->mangle(c->skb, c->protoff, c->dataoff, c->ct,
			      c->ctinfo, 0, 0, hd->buf, pre)) {
		/* Not delivered: the sender sends the rest again. */
		SIPALG_INC(c->net, tcp_hold_failed);
		return SIPALG_HOLD_DROP;
	}
	th = (struct tcphdr *)(c->skb->data + c->protoff);
	inet_proto_csum_replace4(&th->check, c->skb, th->seq,
				 htonl(hd->r.seq), false);
	th->seq = htonl(hd->r.seq);
	sg->seq = hd->r.seq;
	sg->len += pre;
	hd->ack_due = false;	/* the receiver acknowledges it now */
	if (hd->r.emitted) {
		SIPALG_INC(c->net, tcp_rejoined);
	} else {
		SIPALG_INC(c->net, tcp_joined);
		hd->r.emitted = true;
		/*
		 * Where the joined segment starts for the receiver; its end
		 * once it is rewritten (sipalg_hold_joined).
		 */
		spin_lock_bh(&c->ct->lock);
		hd->mark = hd->r.seq + nf_ct_seq_offset(c->ct, c->dir,
							hd->r.seq);
		spin_unlock_bh(&c->ct->lock);
		hd->mark_open = true;
	}
	return SIPALG_HOLD_JOINED;
}

/*
 * A segment of a NATed flow in a direction that may hold bytes: join it to
 * them, cut it, drop it or let it pass (tcp_hold_classify decides).  @sg
 * is updated when the segment changes; sg->send_ack is set when the held
 * bytes must be acknowledged again.
 */
int sipalg_hold_join(struct sipalg_ctx *c, struct sipalg_master *priv,
		     struct sipalg_tcp_seg *sg)
{
	struct sipalg_hold_dir *hd;
	int ret = SIPALG_HOLD_PASS;
	u32 n;

	spin_lock_bh(&hold_lock);
	if (!priv->hold || !priv->hold->d[c->dir].r.len)
		goto out;
	hd = &priv->hold->d[c->dir];
	if (hd->passive) {
		/* Copied while nf_nat_sipalg was away: those bytes went on. */
		hold_dir_drop(priv, hd);
		goto out;
	}
	switch (tcp_hold_classify(&hd->r, sg->seq, sg->len, sg->fin, &n)) {
	case TCP_HOLD_PASS:
		break;
	case TCP_HOLD_RELEASE:
		hold_dir_drop(priv, hd);
		break;
	case TCP_HOLD_CUT:
		/* Cut where the held bytes start: they go with the rest. */
		if (!c->hooks->mangle(c->skb, c->protoff, c->dataoff, c->ct,
				      c->ctinfo, n, sg->len - n, "", 0))
			ret = SIPALG_HOLD_DROP;
		else
			sg->len = n;
		break;
	case TCP_HOLD_GAP:
		/* The missing bytes must come first (they are resent). */
		SIPALG_INC(c->net, tcp_hold_gap);
		ret = SIPALG_HOLD_DROP;
		break;
	case TCP_HOLD_RESENT:
		ret = hold_resent(c, hd, sg);
		break;
	case TCP_HOLD_JOIN:
		ret = hold_prepend(c, hd, sg, n);
		break;
	}
out:
	spin_unlock_bh(&hold_lock);
	return ret;
}

/*
 * A segment of a flow without NAT while a passive copy is kept: if it
 * continues the copy, hand the copy and the segment's first bytes joined in
 * @pk (SIPALG_PEEK_JOIN, at most SIPALG_HOLD_MAX bytes; the copy is gone;
 * kfree(pk->buf) after use); if it ends within the copy or before
 * it, it is a retransmission and the copy stays (SIPALG_PEEK_RESENT);
 * anything else (a gap, a resend that overlaps the copy's end, or no memory
 * to join them) drops the copy (SIPALG_PEEK_LOST: the message is lost to
 * the parser, handle the segment as usual).  SIPALG_PEEK_NONE: no copy.
 */
int sipalg_peek_take(struct sipalg_master *priv, enum ip_conntrack_dir dir,
		     u32 seq, const char *data, u32 len,
		     struct sipalg_peek *pk)
{
	struct sipalg_hold_dir *hd;
	int ret = SIPALG_PEEK_NONE;

	pk->buf = NULL;
	spin_lock_bh(&hold_lock);
	if (!priv->hold || !priv->hold->d[dir].passive)
		goto out;
	hd = &priv->hold->d[dir];
	switch (tcp_peek_classify(hd->r.seq, hd->r.len, seq, len)) {
	case TCP_PEEK_RESENT:
		ret = SIPALG_PEEK_RESENT;
		goto out;
	case TCP_PEEK_JOIN:
		/* Stored copies are at most SIPALG_HOLD_MAX bytes. */
		len = min_t(u32, len, SIPALG_HOLD_MAX - hd->r.len);
		pk->buf = kmalloc(hd->r.len + len, GFP_ATOMIC);
		ret = pk->buf ? SIPALG_PEEK_JOIN : SIPALG_PEEK_LOST;
		if (!pk->buf)
			break;
		memcpy(pk->buf, hd->buf, hd->r.len);
		memcpy(pk->buf + hd->r.len, data, len);
		pk->len = hd->r.len + len;
		pk->held = hd->r.len;
		pk->seq = hd->r.seq;
		break;
	case TCP_PEEK_DROP:
		ret = SIPALG_PEEK_LOST;
		break;
	}
	hold_dir_drop(priv, hd);
out:
	spin_unlock_bh(&hold_lock);
	return ret;
}
