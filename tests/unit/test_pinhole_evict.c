// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pinhole_evict.c: the limits derived from the expectation
 * table's size, how many pinholes a flow or host over its limit gives up,
 * and the choice of the oldest pinholes and of the heaviest host, with
 * stamps on both sides of the 2^32 wrap.
 */
#include "t.h"
#include "pinhole_evict.h"

struct limits_case {
	const char *name;
	u32 expect_max, flow_param, host_param;
	u32 want_flow, want_host;
};

static const struct limits_case limits_cases[] = {
	{ "vm_table_of_1024_gives_240_a_flow_256_a_host",
	  1024, 0, 0, 240, 256 },
	{ "small_table_of_256_gives_64_a_flow_and_a_host", 256, 0, 0, 64, 64 },
	{ "large_table_keeps_flows_at_what_the_kernel_counts",
	  65536, 0, 0, 240, 16384 },
	{ "tiny_table_keeps_the_minimums", 16, 0, 0, 8, 16 },
	{ "host_default_never_below_the_flow_limit", 40, 20, 0, 20, 20 },
	{ "flow_parameter_wins", 1024, 100, 0, 100, 256 },
	{ "flow_parameter_capped_by_the_u8_count", 1024, 1000, 0, 240, 256 },
	{ "host_parameter_wins_even_below_a_flow", 1024, 0, 50, 240, 50 },
	{ "huge_table_host_default_fits_a_u16_count", 1U << 20, 0, 0, 240,
	  0xffff },
};

static bool limits_case(const struct limits_case *c)
{
	struct ph_limits l;

	ph_limits_default(c->expect_max, c->flow_param, c->host_param, &l);
	T_EQ(l.per_flow, c->want_flow);
	T_EQ(l.per_host, c->want_host);
	return true;
}

struct count_case {
	const char *name;
	u32 have, need, limit, batch, want;
};

static const struct count_case count_cases[] = {
	{ "fits_evicts_nothing", 100, 8, 240, 32, 0 },
	{ "exactly_full_after_evicts_nothing", 232, 8, 240, 32, 0 },
	{ "one_over_evicts_a_whole_batch", 233, 8, 240, 32, 25 },
	{ "at_the_limit_keeps_limit_minus_batch", 240, 2, 240, 32, 32 },
	{ "big_need_keeps_limit_minus_need", 240, 64, 240, 32, 64 },
	{ "need_beyond_limit_evicts_all", 10, 300, 240, 32, 10 },
	{ "limit_below_batch_keeps_limit_minus_need", 16, 2, 16, 32, 2 },
	{ "nothing_held_nothing_evicted", 0, 300, 240, 32, 0 },
};

static bool count_case(const struct count_case *c)
{
	T_EQ(ph_evict_count(c->have, c->need, c->limit, c->batch), c->want);
	return true;
}

struct oldest_case {
	const char *name;
	u32 cap;
	u32 n;
	u32 stamps[8];
	u32 k;
	bool want_ok;
	u32 want_cutoff;
	u32 want_kept;
};

static const struct oldest_case oldest_cases[] = {
	{ "nothing_seen_no_cutoff", 4, 0, { 0 }, 4, false, 0, 0 },
	{ "cap_zero_keeps_nothing", 0, 3, { 5, 6, 7 }, 3, false, 0, 0 },
	{ "k_zero_no_cutoff", 4, 3, { 5, 6, 7 }, 0, false, 0, 3 },
	{ "fewer_than_cap_cutoff_is_newest", 4, 3, { 30, 10, 20 }, 4, true, 30,
	  3 },
	{ "keeps_the_cap_oldest_in_any_order", 3, 6,
	  { 60, 10, 50, 20, 40, 30 }, 3, true, 30, 3 },
	{ "k_below_kept_cuts_at_the_kth_oldest", 4, 6,
	  { 60, 10, 50, 20, 40, 30 }, 2, true, 20, 4 },
	{ "newer_than_all_kept_is_ignored", 2, 3, { 10, 20, 99 }, 2, true, 20,
	  2 },
	{ "ties_are_kept_up_to_cap", 2, 4, { 7, 7, 7, 7 }, 2, true, 7, 2 },
	{ "stamps_across_the_wrap_oldest_before_zero", 2, 4,
	  { 5, 0xfffffff0u, 0xfffffff8u, 10 }, 2, true, 0xfffffff8u, 2 },
	{ "after_the_wrap_is_newer", 1, 2, { 3, 0xffffff00u }, 1, true,
	  0xffffff00u, 1 },
};

static bool oldest_case(const struct oldest_case *c)
{
	struct ph_oldest o;
	u32 i, cut = 0;
	bool ok;

	ph_oldest_init(&o, c->cap);
	for (i = 0; i < c->n; i++)
		ph_oldest_add(&o, c->stamps[i]);
	ok = ph_oldest_cutoff(&o, c->k, &cut);
	T_EQ(ok, c->want_ok);
	T_EQ(o.n, c->want_kept);
	if (ok)
		T_EQ(cut, c->want_cutoff);
	for (i = 1; i < o.n; i++)
		T_OK((s32)(o.stamp[i - 1] - o.stamp[i]) <= 0);
	return true;
}

struct within_case {
	const char *name;
	u32 stamp, cutoff;
	bool want;
};

static const struct within_case within_cases[] = {
	{ "older_than_cutoff_is_within", 10, 20, true },
	{ "equal_to_cutoff_is_within", 20, 20, true },
	{ "newer_than_cutoff_is_not", 21, 20, false },
	{ "before_the_wrap_is_within_a_cutoff_after_it", 0xfffffff0u, 5, true },
	{ "after_the_wrap_is_not_within_a_cutoff_before", 5, 0xfffffff0u,
	  false },
};

static bool within_case(const struct within_case *c)
{
	T_EQ(ph_stamp_within(c->stamp, c->cutoff), c->want);
	return true;
}

struct heavy_case {
	const char *name;
	u32 n;
	u16 tally[6];
	u32 want;
};

static const struct heavy_case heavy_cases[] = {
	{ "all_zero_is_bucket_zero", 4, { 0, 0, 0, 0 }, 0 },
	{ "the_largest_wins", 5, { 3, 9, 2, 9, 1 }, 1 },
	{ "last_bucket_can_win", 6, { 1, 2, 3, 4, 5, 600 }, 5 },
	{ "one_bucket", 1, { 7 }, 0 },
};

static bool heavy_case(const struct heavy_case *c)
{
	T_EQ(ph_heaviest(c->tally, c->n), c->want);
	return true;
}

int main(void)
{
	T_TABLE(limits_cases, limits_case);
	T_TABLE(count_cases, count_case);
	T_TABLE(oldest_cases, oldest_case);
	T_TABLE(within_cases, within_case);
	T_TABLE(heavy_cases, heavy_case);
	return t_exit();
}
