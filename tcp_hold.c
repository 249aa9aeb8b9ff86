// SPDX-License-Identifier: GPL-2.0
/*
 * Sequence arithmetic of held bytes: which segment releases, cuts, joins or
 * repeats what a direction holds; where the stream position puts a segment;
 * the window of the router's ACK.  Pure C (see include/tcp_hold.h).
 */
#include "tcp_hold.h"

/*
 * A segment [seq, end) of a direction holding [h0, h1):
 *
 *   starts before h0, ends by h0        unrelated (older data resent)
 *   starts before h0, ends at/after h1  carries the held bytes itself
 *   starts before h0, ends inside       cut where the held bytes start
 *   starts after h1                     a gap (unless already emitted)
 *   ends by h1 (not a FIN at h1)        the held bytes resent
 *   starts at h0                        carries them itself
 *   starts inside, ends after h1        continues them: join
 *
 * Once the held bytes were emitted in front of a segment, only a resent
 * rest is joined again; everything else passes (the copy waits for the
 * receiver's ACK).
 */
enum tcp_hold_action tcp_hold_classify(const struct tcp_hold_range *h,
				       u32 seq, u32 len, bool fin, u32 *n)
{
	u32 h0 = h->seq, h1 = h->seq + h->len, end = seq + len;

	*n = 0;
	if (tcp_seq_before(seq, h0)) {
		if (!tcp_seq_after(end, h0))
			return TCP_HOLD_PASS;
		if (!tcp_seq_before(end, h1))
			return h->emitted ? TCP_HOLD_PASS : TCP_HOLD_RELEASE;
		*n = h0 - seq;
		return TCP_HOLD_CUT;
	}
	if (tcp_seq_after(seq, h1))
		return h->emitted ? TCP_HOLD_PASS : TCP_HOLD_GAP;
	if (!tcp_seq_after(end, h1) && !(fin && end == h1))
		return TCP_HOLD_RESENT;
	if (seq == h0)
		return h->emitted ? TCP_HOLD_PASS : TCP_HOLD_RELEASE;
	*n = seq - h0;
	return TCP_HOLD_JOIN;
}

enum tcp_peek_action tcp_peek_classify(u32 hseq, u32 hlen, u32 seq, u32 len)
{
	u32 end = hseq + hlen;

	if (!tcp_seq_after(seq + len, end))
		return TCP_PEEK_RESENT;
	return seq == end ? TCP_PEEK_JOIN : TCP_PEEK_DROP;
}

enum tcp_pos tcp_stream_pos(const struct tcp_stream *st, u32 seq, u32 len,
			    bool start_line, u32 *start)
{
	s32 d = (s32)(st->next_seq - seq);

	*start = 0;
	if (st->sync && st->seen && seq == st->edge && d >= 0) {
		/* New data in order: the position decides. */
		if ((u32)d >= len)
			return TCP_POS_CONTINUATION;
		*start = d;
		return TCP_POS_START;
	}
	if (start_line)
		return TCP_POS_START;
	if (!st->sync || d < 0)
		return TCP_POS_UNSYNCED;
	if ((u32)d >= len)
		return TCP_POS_CONTINUATION;
	*start = d;
	return TCP_POS_START;
}

u16 tcp_ack_window(u32 right, u32 ack, u32 maxwin, u8 scale)
{
	u32 win = tcp_seq_after(right, ack) ? right - ack : maxwin;

	win >>= scale < 14 ? scale : 14;	/* RFC 7323 2.3: at most 14 */
	if (win < 1)
		return 1;
	return win > 65535 ? 65535 : win;
}
