// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tcp_hold.c: the sequence arithmetic that decides what a TCP
 * segment does to the bytes held for a split message, where the stream
 * position puts a segment, and the window of the router's ACK.  Every table
 * has cases on both sides of the 2^32 wrap.
 */
#include "t.h"
#include "tcp_hold.h"

#define H0	1000u
#define HL	100u		/* held: [1000, 1100) */
#define W0	0xffffffc0u	/* held across the wrap: [W0, W0 + 0x80) */

struct classify_case {
	const char *name;
	u32 hseq, hlen;
	bool emitted;
	u32 seq, len;
	bool fin;
	enum tcp_hold_action want;
	u32 want_n;
};

static const struct classify_case classify_cases[] = {
	{ "older_data_resent_before_held_passes",
	  H0, HL, false, 900, 100, false, TCP_HOLD_PASS, 0 },
	{ "resend_covering_held_releases_them",
	  H0, HL, false, 900, 200, false, TCP_HOLD_RELEASE, 0 },
	{ "resend_covering_emitted_copy_passes_copy_stays",
	  H0, HL, true, 900, 200, false, TCP_HOLD_PASS, 0 },
	{ "resend_ending_inside_held_is_cut_where_they_start",
	  H0, HL, false, 900, 150, false, TCP_HOLD_CUT, 100 },
	{ "segment_after_a_gap_is_dropped",
	  H0, HL, false, 1101, 10, false, TCP_HOLD_GAP, 0 },
	{ "segment_after_a_gap_behind_emitted_copy_passes",
	  H0, HL, true, 1200, 10, false, TCP_HOLD_PASS, 0 },
	{ "held_bytes_resent_whole_are_dropped_and_acked",
	  H0, HL, false, 1000, 100, false, TCP_HOLD_RESENT, 0 },
	{ "held_bytes_resent_in_part_are_dropped_and_acked",
	  H0, HL, false, 1020, 30, false, TCP_HOLD_RESENT, 0 },
	{ "held_bytes_resent_after_emission_are_acked_again",
	  H0, HL, true, 1000, 100, false, TCP_HOLD_RESENT, 0 },
	{ "held_bytes_resent_with_fin_release_them",
	  H0, HL, false, 1000, 100, true, TCP_HOLD_RELEASE, 0 },
	{ "bare_fin_after_held_bytes_joins_them",
	  H0, HL, false, 1100, 0, true, TCP_HOLD_JOIN, 100 },
	{ "segment_starting_with_held_bytes_releases_them",
	  H0, HL, false, 1000, 150, false, TCP_HOLD_RELEASE, 0 },
	{ "rest_right_after_held_bytes_joins_all_of_them",
	  H0, HL, false, 1100, 50, false, TCP_HOLD_JOIN, 100 },
	{ "rest_overlapping_held_bytes_joins_the_part_before_it",
	  H0, HL, false, 1050, 100, false, TCP_HOLD_JOIN, 50 },
	{ "resent_rest_joins_emitted_copy_again",
	  H0, HL, true, 1100, 50, false, TCP_HOLD_JOIN, 100 },
	{ "rest_after_held_bytes_across_the_wrap_joins",
	  W0, 0x80, false, 0x40, 10, false, TCP_HOLD_JOIN, 0x80 },
	{ "data_before_held_bytes_across_the_wrap_passes",
	  W0, 0x80, false, 0xffffff00u, 0xc0, false, TCP_HOLD_PASS, 0 },
	{ "gap_across_the_wrap_is_dropped",
	  W0, 0x80, false, 0x41, 10, false, TCP_HOLD_GAP, 0 },
	{ "cut_across_the_wrap_keeps_the_bytes_before",
	  W0, 0x80, false, 0xffffff80u, 0x50, false, TCP_HOLD_CUT, 0x40 },
};

static bool classify_case(const struct classify_case *c)
{
	struct tcp_hold_range h = { c->hseq, c->hlen, c->emitted };
	u32 n = 12345;

	T_EQ(tcp_hold_classify(&h, c->seq, c->len, c->fin, &n), c->want);
	T_EQ(n, c->want_n);
	return true;
}

struct peek_case {
	const char *name;
	u32 hseq, hlen, seq, len;
	enum tcp_peek_action want;
};

static const struct peek_case peek_cases[] = {
	{ "copy_resent_whole_is_kept", H0, HL, 1000, 100, TCP_PEEK_RESENT },
	{ "copy_resent_in_part_is_kept", H0, HL, 1050, 50, TCP_PEEK_RESENT },
	{ "older_data_keeps_the_copy", H0, HL, 900, 50, TCP_PEEK_RESENT },
	{ "rest_right_after_copy_is_joined", H0, HL, 1100, 10, TCP_PEEK_JOIN },
	{ "resend_past_copy_end_drops_it", H0, HL, 1050, 100, TCP_PEEK_DROP },
	{ "gap_after_copy_drops_it", H0, HL, 1200, 10, TCP_PEEK_DROP },
	{ "rest_across_the_wrap_is_joined", W0, 0x80, 0x40, 10, TCP_PEEK_JOIN },
	{ "resend_across_the_wrap_is_kept", W0, 0x80, W0, 0x80,
	  TCP_PEEK_RESENT },
};

static bool peek_case(const struct peek_case *c)
{
	T_EQ(tcp_peek_classify(c->hseq, c->hlen, c->seq, c->len), c->want);
	return true;
}

struct pos_case {
	const char *name;
	bool sync, seen;
	u32 next, edge, seq, len;
	bool start_line;
	enum tcp_pos want;
	u32 want_start;
};

static const struct pos_case pos_cases[] = {
	{ "unknown_position_waits_for_a_start_line",
	  false, true, 0, 1000, 1000, 10, false, TCP_POS_UNSYNCED, 0 },
	{ "unknown_position_resyncs_on_a_start_line",
	  false, true, 0, 1000, 1000, 10, true, TCP_POS_START, 0 },
	{ "message_at_segment_start",
	  true, true, 1000, 1000, 1000, 10, false, TCP_POS_START, 0 },
	{ "message_inside_segment",
	  true, true, 1005, 1000, 1000, 10, false, TCP_POS_START, 5 },
	{ "message_inside_segment_even_if_segment_looks_like_a_start",
	  true, true, 1005, 1000, 1000, 10, true, TCP_POS_START, 5 },
	{ "segment_ending_where_next_message_starts_is_continuation",
	  true, true, 1010, 1000, 1000, 10, false, TCP_POS_CONTINUATION, 0 },
	{ "segment_inside_a_long_body_is_continuation",
	  true, true, 1500, 1000, 1000, 10, false, TCP_POS_CONTINUATION, 0 },
	{ "body_text_that_looks_like_a_start_line_is_not_a_message",
	  true, true, 1500, 1000, 1000, 10, true, TCP_POS_CONTINUATION, 0 },
	{ "retransmitted_message_start_is_parsed_again",
	  true, true, 1500, 1400, 1000, 100, true, TCP_POS_START, 0 },
	{ "retransmitted_body_is_continuation",
	  true, true, 1500, 1400, 1000, 100, false, TCP_POS_CONTINUATION, 0 },
	{ "retransmission_across_a_message_start_starts_there",
	  true, true, 1050, 1400, 1000, 100, false, TCP_POS_START, 50 },
	{ "gap_before_segment_loses_position",
	  true, true, 990, 1000, 1010, 10, false, TCP_POS_UNSYNCED, 0 },
	{ "start_line_after_a_gap_resyncs",
	  true, true, 990, 1000, 1010, 10, true, TCP_POS_START, 0 },
	{ "first_segment_of_a_stream_with_a_start_line",
	  false, false, 0, 0, 5000, 10, true, TCP_POS_START, 0 },
	{ "message_start_across_the_wrap",
	  true, true, 0x10, 0xfffffff0u, 0xfffffff0u, 0x40, false,
	  TCP_POS_START, 0x20 },
	{ "body_across_the_wrap_is_continuation",
	  true, true, 0x100, 0xfffffff0u, 0xfffffff0u, 0x40, true,
	  TCP_POS_CONTINUATION, 0 },
};

static bool pos_case(const struct pos_case *c)
{
	struct tcp_stream st = { c->next, c->edge, c->sync, c->seen };
	u32 start = 777;

	T_EQ(tcp_stream_pos(&st, c->seq, c->len, c->start_line, &start),
	     c->want);
	T_EQ(start, c->want_start);
	return true;
}

/* The edge after a segment [seq, seq + len) of a stream at @edge. */
static u32 saw(u32 edge, u32 seq, u32 len)
{
	struct tcp_stream st = { .edge = edge, .seen = true };

	tcp_stream_saw(&st, seq, len);
	return st.edge;
}

struct bool_case {
	const char *name;
	bool got, want;
};

static bool bool_case(const struct bool_case *c)
{
	T_EQ(c->got, c->want);
	return true;
}

static void run_bool_cases(void)
{
	const struct tcp_hold_range copy = { H0, HL, false };
	const struct tcp_hold_range sent = { H0, HL, true };
	const struct bool_case cases[] = {
		{ "advance_from_unknown_position",
		  tcp_stream_advance(false, 5000, 1000), true },
		{ "advance_forward", tcp_stream_advance(true, 1000, 1010), true },
		{ "no_advance_to_same_position",
		  tcp_stream_advance(true, 1000, 1000), false },
		{ "no_advance_backwards_on_retransmission",
		  tcp_stream_advance(true, 1000, 990), false },
		{ "advance_across_the_wrap",
		  tcp_stream_advance(true, 0xfffffff0u, 0x10), true },
		{ "edge_moves_with_new_data", saw(1000, 1000, 50) == 1050, true },
		{ "edge_stays_on_retransmission", saw(1000, 900, 50) == 1000,
		  true },
		{ "edge_moves_across_the_wrap",
		  saw(0xfffffff0u, 0xfffffff0u, 0x20) == 0x10, true },
		{ "no_ack_before_receiver_acked_anything",
		  tcp_hold_may_ack(false, 1000, 1000), false },
		{ "ack_once_receiver_has_all_before_held",
		  tcp_hold_may_ack(true, 1000, 1000), true },
		{ "no_ack_while_bytes_before_held_are_unacked",
		  tcp_hold_may_ack(true, 999, 1000), false },
		{ "ack_across_the_wrap",
		  tcp_hold_may_ack(true, 0x10, 0xfffffff0u), true },
		{ "copy_never_emitted_is_not_released",
		  tcp_hold_released(&copy, 900, 5000), false },
		{ "emitted_copy_kept_until_ack_passes_its_mark",
		  tcp_hold_released(&sent, 5000, 5000), false },
		{ "emitted_copy_released_by_ack_past_its_mark",
		  tcp_hold_released(&sent, 5000, 5001), true },
		{ "hold_fits_empty_budget",
		  tcp_hold_fits(0, 0, 16384, 4u << 20), true },
		{ "hold_refused_past_budget",
		  tcp_hold_fits((4u << 20) - 10, 0, 11, 4u << 20), false },
		{ "replacing_held_bytes_counts_only_the_difference",
		  tcp_hold_fits((4u << 20) - 10, 10, 20, 4u << 20), true },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		t_report(cases[i].name, bool_case(&cases[i]));
}

struct win_case {
	const char *name;
	u32 right, ack, maxwin;
	u8 scale;
	u16 want;
};

static const struct win_case win_cases[] = {
	{ "window_is_receivers_right_edge_minus_ack", 2000, 1000, 9, 0, 1000 },
	{ "window_is_scaled_down", 2000, 1000, 9, 7, 7 },
	{ "edge_behind_ack_takes_max_window_clamped", 500, 1000, 70000, 0,
	  65535 },
	{ "window_never_zero", 1000, 1000, 0, 0, 1 },
	{ "scale_above_14_is_14", 0x40000000u, 0, 0, 20, 65535 },
	{ "scale_14_shifts_by_14", 1u << 20, 0, 0, 14, 64 },
};

static bool win_case(const struct win_case *c)
{
	T_EQ(tcp_ack_window(c->right, c->ack, c->maxwin, c->scale), c->want);
	return true;
}

int main(void)
{
	T_TABLE(classify_cases, classify_case);
	T_TABLE(peek_cases, peek_case);
	T_TABLE(pos_cases, pos_case);
	T_TABLE(win_cases, win_case);
	run_bool_cases();
	return t_exit();
}
