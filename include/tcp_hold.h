/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decisions behind holding back the first part of a SIP message split
 * across TCP segments: sequence arithmetic only, pure C (no kernel types), so
 * that the same code runs in nf_conntrack_sipalg.ko and in the userspace
 * unit tests (tests/unit/test_tcp_hold.c).  The kernel side (sipalg_hold.c,
 * sipalg_tcp.c, sipalg_ack.c) does what these decide.
 *
 * All sequence numbers are the sender's, before seqadj, and compare modulo
 * 2^32 (RFC 9293 3.4: "a < b" means "a comes before b" in the window).
 */
#ifndef _TCP_HOLD_H
#define _TCP_HOLD_H

#include "sipalg_types.h"

static inline bool tcp_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool tcp_seq_after(u32 a, u32 b)
{
	return tcp_seq_before(b, a);
}

/* The bytes a direction holds: [seq, seq + len). */
struct tcp_hold_range {
	u32 seq;
	u32 len;
	/*
	 * Already sent on in front of the rest ("joined"); the copy stays
	 * until the receiver acknowledges that segment.
	 */
	bool emitted;
};

/* What a segment of a direction that holds bytes does to them. */
enum tcp_hold_action {
	TCP_HOLD_PASS,		/* unrelated: handle it as usual */
	TCP_HOLD_RELEASE,	/* it carries them itself: forget them, pass */
	TCP_HOLD_CUT,		/* resent from before them: cut it at *n */
	TCP_HOLD_GAP,		/* bytes are missing before it: drop it */
	TCP_HOLD_RESENT,	/* held bytes only, resent: drop, ACK again */
	TCP_HOLD_JOIN,		/* it continues them: put *n of them in front */
};

enum tcp_hold_action tcp_hold_classify(const struct tcp_hold_range *h,
				       u32 seq, u32 len, bool fin, u32 *n);

/*
 * The receiver acknowledged @ack (in the sender's sequence space after
 * seqadj, as @mark is): may the copy of joined bytes go?
 */
static inline bool tcp_hold_released(const struct tcp_hold_range *h, u32 mark,
				     u32 ack)
{
	return h->emitted && tcp_seq_after(ack, mark);
}

/*
 * May the router acknowledge bytes from @seq on to the sender?  Only when
 * the receiver has acknowledged everything before them (@maxack, valid when
 * @maxack_set): an ACK is cumulative, and one sent earlier would tell the
 * sender that bytes still on their way had arrived.
 */
static inline bool tcp_hold_may_ack(bool maxack_set, u32 maxack, u32 seq)
{
	return maxack_set && !tcp_seq_before(maxack, seq);
}

/* Does holding @len bytes instead of @old keep the total within @budget? */
static inline bool tcp_hold_fits(u32 total, u32 old, u32 len, u32 budget)
{
	return total - old + len <= budget;
}

/* The no-NAT copy [hseq, hseq + hlen) and a segment [seq, seq + len). */
enum tcp_peek_action {
	TCP_PEEK_DROP,		/* a gap or an overlap: forget the copy */
	TCP_PEEK_RESENT,	/* nothing past the copy: keep it */
	TCP_PEEK_JOIN,		/* it continues the copy: parse both */
};

enum tcp_peek_action tcp_peek_classify(u32 hseq, u32 hlen, u32 seq, u32 len);

/* Where a segment stands against the stream position. */
enum tcp_pos {
	TCP_POS_START,		/* a message starts at *start */
	TCP_POS_CONTINUATION,	/* it lies inside a message */
	TCP_POS_UNSYNCED,	/* position unknown, or a gap before it */
};

/* A direction's stream: where its next message starts, how far data went. */
struct tcp_stream {
	u32 next_seq;	/* valid with sync */
	u32 edge;	/* the end of the furthest data seen, valid with seen */
	bool sync;
	bool seen;
};

/*
 * Where does a message start in the segment [seq, seq + len)?  @start_line:
 * the segment begins with what looks like a SIP start line.  For new data
 * in order (it starts at the edge) the position alone decides: body text
 * that looks like a start line is not a message ("smuggling").  A start
 * line is believed where the position cannot say: data sent again (the
 * original may have been rewritten and lost after the router: it must be
 * rewritten again, identically), after a gap, or with the position lost.
 */
enum tcp_pos tcp_stream_pos(const struct tcp_stream *st, u32 seq, u32 len,
			    bool start_line, u32 *start);

/* A segment [seq, seq + len) went by: move the edge. */
static inline void tcp_stream_saw(struct tcp_stream *st, u32 seq, u32 len)
{
	if (!st->seen || tcp_seq_after(seq + len, st->edge))
		st->edge = seq + len;
	st->seen = true;
}

/* Move the stream position to @next?  Never backwards (retransmissions). */
static inline bool tcp_stream_advance(bool sync, u32 next_seq, u32 next)
{
	return !sync || tcp_seq_after(next, next_seq);
}

/*
 * The window field of the router's ACK up to @ack: what the receiver last
 * offered (right edge @right), scaled by its window scale @scale, at least 1
 * and at most 65535; @maxwin when the edge is already behind @ack.
 */
u16 tcp_ack_window(u32 right, u32 ack, u32 maxwin, u8 scale);

#endif /* _TCP_HOLD_H */
