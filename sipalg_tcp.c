// SPDX-License-Identifier: GPL-2.0
/*
 * TCP: the messages of a segment.  Every complete message is handled like a
 * datagram, several per segment included, each framed by its
 * Content-Length; the stream position (where the next message starts) is
 * kept per direction so that a segment continuing a message body is not
 * read as a new message.  A message that continues in a later segment is
 * held back (sipalg_hold.c) on NATed flows, or parsed from a copy joined to
 * the rest on flows without NAT.
 */
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "sipalg.h"
#include "tcp_hold.h"

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
 * Handle every complete message from w->cur on; CR/LF keep-alives between
 * them are skipped.  Stops at the end, at a message that is not complete
 * (w->cur < w->len: w->fr and w->msglen say why) or at a verdict other
 * than NF_ACCEPT, which is returned.  Bottom halves off, c->s set.
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
		ret = sipalg_process_msg(c);
		if (ret != NF_ACCEPT)
			return ret;
		if (!w->buf) {
			w->delta += (s32)c->len - (s32)w->msglen;
			w->len = c->skb->len - c->dataoff;
		}
	}
	return NF_ACCEPT;
}

/* Walk the messages of @len bytes at @buf, a copy: nothing is rewritten. */
static void peek_walk(struct sipalg_ctx *c, struct sipalg_tcp_walk *w,
		      const char *buf, u32 len)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->len = len;
	w->fr = SIP_FRAME_COMPLETE;
	local_bh_disable();
	c->s = sipalg_scratch_get();
	/* No NAT: nothing to rewrite, never a drop on TCP. */
	tcp_walk_msgs(c, w);
	local_bh_enable();
}

/*
 * Flows without NAT: nothing is rewritten, so nothing is held back, but a
 * split message must still open its pinholes.  A copy of its first part is
 * kept beside the stream (passive; the segment itself passes untouched),
 * and the next segment in order is parsed together with it.  No ACK, no
 * drop: the stream is never touched.  True: the segment was dealt with.
 */
static bool peek_join(struct sipalg_ctx *c, struct sipalg_master *priv,
		      struct sipalg_tcp_seg *sg, const char *data)
{
	struct tcp_stream *st = &sg->st;
	struct sipalg_tcp_walk w;
	struct sipalg_peek pk;
	const char *base;
	u32 seq, off;

	switch (sipalg_peek_take(priv, c->dir, sg->seq, data, sg->len, &pk)) {
	case SIPALG_PEEK_NONE:
		return false;
	case SIPALG_PEEK_RESENT:
		SIPALG_INC(c->net, tcp_continuation);
		return true;
	case SIPALG_PEEK_LOST:
		SIPALG_INC(c->net, tcp_partial);
		st->sync = false;
		return false;
	}

	tcp_stream_saw(st, sg->seq, sg->len);
	base = pk.buf;
	seq = pk.seq;
	peek_walk(c, &w, base, pk.len);
	if (w.cur < w.len && w.fr == SIP_FRAME_NEED_MORE && w.cur >= pk.held &&
	    pk.len - pk.held < sg->len) {
		/*
		 * The join took only the segment's first bytes: the messages
		 * from here on lie whole in the segment itself.
		 */
		off = w.cur - pk.held;
		base = data + off;
		seq = sg->seq + off;
		peek_walk(c, &w, base, sg->len - off);
	}
	if (w.cur < w.len &&
	    !(w.fr == SIP_FRAME_NEED_MORE &&
	      sipalg_hold_tail(c, priv, base + w.cur, w.len - w.cur,
			       seq + w.cur, w.msglen, true, true))) {
		sipalg_stat_add(c->net, w.fr == SIP_FRAME_NEED_MORE ?
				SIPALG_STAT_tcp_partial :
				SIPALG_STAT_malformed, 1);
		/* Its end may be unknown: wait for a start line. */
		st->sync = w.fr == SIP_FRAME_NEED_MORE && w.msglen;
		st->next_seq = seq + w.cur + w.msglen;
	} else {
		st->next_seq = sg->seq + sg->len;
		st->sync = true;
	}
	kfree(pk.buf);
	return true;
}

/*
 * A packet of a flow that holds bytes: a RST frees them; an ACK from the
 * receiver may release them, or let our ACK for them go to the sender.
 */
static void hold_track(struct sipalg_ctx *c, struct sipalg_master *priv,
		       const struct tcphdr *th)
{
	struct sipalg_tcp_ts ts;
	int oif;
	u32 ack;

	if (th->rst) {
		sipalg_hold_reset(priv);
	} else if (th->ack &&
		   sipalg_hold_acked(c->ct, priv, !c->dir, ntohl(th->ack_seq),
				     &ack, &oif)) {
		/* The receiver caught up: ACK what the sender holds. */
		sipalg_ack_ts(c->skb, c->protoff, false, &ts);
		ts.oif = oif;
		sipalg_ack_send(c->ct, !c->dir, ack, &ts);
	}
}

/*
 * Where in the segment does a message start?  False when none does: it
 * continues one, or the stream position is lost.
 */
static bool tcp_first_msg(struct sipalg_ctx *c, struct sipalg_tcp_seg *sg,
			  u32 *start)
{
	struct tcp_stream *st = &sg->st;
	enum tcp_pos pos;

	*start = 0;
	pos = sg->joined ? TCP_POS_START :
	      tcp_stream_pos(st, sg->seq, sg->len,
			     starts_message(c->skb->data + c->dataoff, sg->len),
			     start);
	tcp_stream_saw(st, sg->seq, sg->len);
	switch (pos) {
	case TCP_POS_START:
		return true;
	case TCP_POS_CONTINUATION:
		SIPALG_INC(c->net, tcp_continuation);
		return false;
	case TCP_POS_UNSYNCED:
		break;
	}
	/* Lost our place (or a gap): wait for a start line. */
	SIPALG_INC(c->net, tcp_unsynced);
	st->sync = false;
	return false;
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
		    sipalg_hold_tail(c, priv, p, left, seq, w->msglen,
				     sg->joined, false))
			return TAIL_HELD;
		if (!c->hooks &&
		    sipalg_hold_tail(c, priv, p, left, seq, w->msglen, true,
				     true)) {
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
 * A tail was held: cut it off the segment (the next one carries it), or
 * drop a segment that is nothing else.  False: it could not be cut, so it
 * passes and nothing is held.
 */
static bool tcp_cut_held(struct sipalg_ctx *c, struct sipalg_master *priv,
			 const struct sipalg_tcp_walk *w, unsigned int *ret)
{
	if (!w->cur) {
		*ret = NF_DROP;
		return true;
	}
	if (c->hooks->mangle(c->skb, c->protoff, c->dataoff, c->ct,
			     c->ctinfo, w->cur, w->len - w->cur, "", 0))
		return true;
	sipalg_hold_forget(priv, c->dir);
	SIPALG_INC(c->net, rewrite_failed);
	return false;
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
	struct tcp_stream *st = &sg->st;
	int tail = TAIL_PASS;
	unsigned int ret;

	local_bh_disable();
	c->s = sipalg_scratch_get();
	ret = tcp_walk_msgs(c, &w);
	if (ret != NF_ACCEPT)
		goto out;
	if (w.cur < w.len)
		tail = tcp_tail(c, priv, sg, &w);
	if (tail == TAIL_HELD && !tcp_cut_held(c, priv, &w, &ret))
		tail = TAIL_LOST;
	if (tail == TAIL_LOST) {
		st->sync = false;
		goto out;
	}
	/* Never move backwards: a retransmission ends before our position. */
	if (tcp_stream_advance(st->sync, st->next_seq, sg->seq + w.orig)) {
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
	if (sg->joined && ret == NF_ACCEPT)
		sipalg_hold_joined(priv, c->dir, c->skb->len - c->dataoff);
	/* A joined segment may need GSO; a GSO one, its count of segments. */
	if ((sg->joined || skb_is_gso(c->skb)) && ret == NF_ACCEPT &&
	    sipalg_tcp_make_gso(c->skb, nf_ct_l3num(c->ct), c->protoff,
				c->dataoff) && sg->joined)
		SIPALG_INC(c->net, tcp_joined_gso);
	local_bh_enable();
	if (tail == TAIL_HELD) {
		sg->ack = sg->seq + w.orig + w.len - w.cur;
		sg->send_ack = sipalg_hold_ack_now(c->ct, priv, c->dir,
						   sg->seq + w.orig);
	}
	return ret;
}

/*
 * Held bytes, if any, meet this segment: joined to it on a NATed flow
 * (sipalg_hold_join), parsed with it from a copy otherwise (peek_join).
 * True, with *ret set, when the segment is dealt with.
 */
static bool tcp_held(struct sipalg_ctx *c, struct sipalg_master *priv,
		     struct sipalg_tcp_seg *sg, unsigned int *ret)
{
	if (!READ_ONCE(priv->hold))
		return false;
	if (c->hooks) {
		switch (sipalg_hold_join(c, priv, sg)) {
		case SIPALG_HOLD_DROP:
			*ret = NF_DROP;
			return true;
		case SIPALG_HOLD_JOINED:
			sg->joined = true;
			break;
		}
		return false;
	}
	*ret = NF_ACCEPT;
	return sg->len && peek_join(c, priv, sg, c->skb->data + c->dataoff);
}

/*
 * TCP: a message that continues in a later segment is held back and joined
 * to the rest on NATed flows when the segment is plain (no FIN, RST, SYN or
 * URG), the message is at most SIPALG_HOLD_MAX bytes, no earlier
 * joined copy of this direction awaits its ACK and the budget allows; on
 * flows without NAT a copy is parsed with the rest instead.  Otherwise it
 * passes untouched and is counted, and the stream position is kept so
 * that its continuation is not mistaken for a message.  Bytes once held
 * always reach the receiver: the next segment in order carries them,
 * rewritten or not.  A retransmitted segment that starts a message is
 * handled again and gets the same edits, which seqadj then finds already
 * accounted for.
 */
static void stream_load(const struct sipalg_master *priv,
			enum ip_conntrack_dir dir, struct tcp_stream *st)
{
	st->next_seq = priv->tcp[dir].next_seq;
	st->edge = priv->tcp[dir].edge;
	st->sync = priv->tcp_sync[dir];
	st->seen = priv->tcp_seen[dir];
}

static void stream_store(struct sipalg_master *priv, enum ip_conntrack_dir dir,
			 const struct tcp_stream *st)
{
	priv->tcp[dir].next_seq = st->next_seq;
	priv->tcp[dir].edge = st->edge;
	priv->tcp_sync[dir] = st->sync;
	priv->tcp_seen[dir] = st->seen;
}

/* A segment with payload: held bytes, then its messages. */
static unsigned int tcp_segment(struct sipalg_ctx *c,
				struct sipalg_master *priv,
				struct sipalg_tcp_seg *sg)
{
	unsigned int ret = NF_ACCEPT;
	u32 start;

	if (tcp_held(c, priv, sg, &ret))
		return ret;
	if (!sg->len || !tcp_first_msg(c, sg, &start))
		return NF_ACCEPT;
	return tcp_messages(c, priv, sg, start);
}

int sipalg_help_tcp(struct sk_buff *skb, unsigned int protoff,
		    struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct sipalg_master *priv = nfct_help_data(ct);
	struct sipalg_tcp_seg sg = {};
	struct sipalg_tcp_ts ts;
	const struct tcphdr *th;
	struct sipalg_ctx c;
	struct tcphdr _th;
	unsigned int dataoff, ret;

	if (unlikely(nf_ct_protonum(ct) != IPPROTO_TCP))
		return sipalg_wrong_transport(ct);
	if (ctinfo != IP_CT_ESTABLISHED && ctinfo != IP_CT_ESTABLISHED_REPLY)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	dataoff = protoff + th->doff * 4;
	sg.seq = ntohl(th->seq);
	sg.fin = th->fin;
	/* No refresh: the TCP state machine owns a stream's lifetime. */
	sipalg_ctx_init(&c, skb, protoff, dataoff, ct, ctinfo);
	/*
	 * A GSO packet (the sender's segments received as one, or passed
	 * whole by a virtual link) may be held too: it is dropped or cut like
	 * a segment, and the ACK acknowledges the bytes, not the segments.
	 */
	sg.can_hold = c.hooks && !(th->fin || th->rst || th->syn || th->urg);
	if (sg.can_hold && th->doff > sizeof(*th) / 4) {
		sipalg_ack_ts(skb, protoff, true, &ts);
		if (ts.sig) {
			sg.can_hold = false;
			SIPALG_INC(c.net, tcp_signed);
		}
	}

	if (READ_ONCE(priv->hold))
		hold_track(&c, priv, th);
	if (dataoff > skb->len ||
	    (dataoff == skb->len && !(sg.fin && READ_ONCE(priv->hold))))
		return NF_ACCEPT;
	if (unlikely(skb_linearize(skb))) {
		SIPALG_INC(c.net, not_linear);
		/* Never without the held bytes: it is sent again. */
		return sipalg_hold_pending(priv, c.dir) ? NF_DROP : NF_ACCEPT;
	}
	sg.len = skb->len - dataoff;

	/*
	 * Loaded and stored whole: as before, the packets of one direction
	 * are taken to be handled one at a time (a flow hashes to one queue).
	 */
	stream_load(priv, c.dir, &sg.st);
	ret = tcp_segment(&c, priv, &sg);
	stream_store(priv, c.dir, &sg.st);
	if (sg.send_ack) {
		sipalg_ack_ts(skb, protoff, true, &ts);
		ts.oif = skb->skb_iif;
		sipalg_ack_send(ct, c.dir, sg.ack, &ts);
	}
	return ret;
}
