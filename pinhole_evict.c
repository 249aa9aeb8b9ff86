// SPDX-License-Identifier: GPL-2.0
/*
 * Fair use of the expectation table: pure decisions (see pinhole_evict.h).
 */
#include "pinhole_evict.h"

static u32 clamp_u32(u32 v, u32 lo, u32 hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * The limits in force: a parameter set by the admin wins (a flow's is
 * still capped by what the kernel can count); unset ones derive from the
 * table's size.  A quarter of the table per flow and per host: one host
 * cannot fill it alone, and the table-full reclaim deals with many.
 */
void ph_limits_default(u32 expect_max, u32 flow_param, u32 host_param,
		       struct ph_limits *out)
{
	u32 quarter = expect_max / 4;

	out->per_flow = clamp_u32(flow_param ? flow_param : quarter,
				  PH_FLOW_MIN, PH_FLOW_MAX);
	out->per_host = host_param ? host_param :
			clamp_u32(quarter, PH_HOST_MIN, 0xffff);
	if (!host_param && out->per_host < out->per_flow)
		out->per_host = out->per_flow;
}

/*
 * How many of the @have pending pinholes of a flow or host to evict so
 * that @need more fit under @limit: none while they fit; otherwise at
 * least @batch, so that the walk that finds them comes once per batch of
 * calls, and never more than it holds.
 */
u32 ph_evict_count(u32 have, u32 need, u32 limit, u32 batch)
{
	u32 keep;

	if (have + need <= limit)
		return 0;
	keep = need < limit ? limit - need : 0;
	if (limit > batch && keep > limit - batch)
		keep = limit - batch;
	return have > keep ? have - keep : 0;
}

void ph_oldest_init(struct ph_oldest *o, u32 cap)
{
	o->n = 0;
	o->cap = cap < PH_OLDEST_MAX ? cap : PH_OLDEST_MAX;
}

static bool stamp_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

/* Keep @stamp if it is among the cap oldest seen (insertion, cap <= 64). */
void ph_oldest_add(struct ph_oldest *o, u32 stamp)
{
	u32 i;

	if (!o->cap)
		return;
	if (o->n == o->cap) {
		if (!stamp_before(stamp, o->stamp[o->n - 1]))
			return;
		o->n--;			/* the newest kept makes room */
	}
	for (i = o->n; i > 0 && stamp_before(stamp, o->stamp[i - 1]); i--)
		o->stamp[i] = o->stamp[i - 1];
	o->stamp[i] = stamp;
	o->n++;
}

/*
 * The stamp of the @k-th oldest kept (all of them if fewer): evicting at
 * most k of what is not newer than it evicts the k oldest (stamps may tie,
 * hence "at most").
 */
bool ph_oldest_cutoff(const struct ph_oldest *o, u32 k, u32 *cutoff)
{
	if (!o->n || !k)
		return false;
	*cutoff = o->stamp[(k < o->n ? k : o->n) - 1];
	return true;
}

bool ph_stamp_within(u32 stamp, u32 cutoff)
{
	return !stamp_before(cutoff, stamp);
}

/* The bucket holding the most (the first of equals); 0 when all are 0. */
u32 ph_heaviest(const u16 *tally, u32 n)
{
	u32 i, best = 0;

	for (i = 1; i < n; i++)
		if (tally[i] > tally[best])
			best = i;
	return best;
}
