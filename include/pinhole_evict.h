/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fair use of the kernel's expectation table: the decisions behind the
 * per-flow and per-host limits on pending media pinholes and behind the
 * room made when the table is full.  Pure C (no kernel types), so that the
 * same code runs in nf_conntrack_sipalg.ko (sipalg_evict.c does what these
 * decide) and in the userspace unit tests (tests/unit/test_pinhole_evict.c).
 */
#ifndef _PINHOLE_EVICT_H
#define _PINHOLE_EVICT_H

#include "sipalg_types.h"

/*
 * Hosts are counted in 2^PH_HOST_BITS buckets by a keyed hash of their
 * address: a fixed table per namespace, nothing allocated per host.
 */
#define PH_HOST_BITS		10
#define PH_HOSTS		(1U << PH_HOST_BITS)

/* Pending media pinholes of one flow: nf_conn_help counts them in a u8. */
#define PH_FLOW_MAX		240
#define PH_FLOW_MIN		8
#define PH_HOST_MIN		16

/* Evicted at once, at least: one walk serves a batch of calls. */
#define PH_EVICT_BATCH		32

/* The oldest pinholes one walk can pick (bounds ph_oldest). */
#define PH_OLDEST_MAX		64

struct ph_limits {
	u32 per_flow;
	u32 per_host;
};

void ph_limits_default(u32 expect_max, u32 flow_param, u32 host_param,
		       struct ph_limits *out);

u32 ph_evict_count(u32 have, u32 need, u32 limit, u32 batch);

/*
 * The @cap oldest of a stream of pinholes, by a stamp that grows with
 * their age's opposite (the jiffy their expectation times out: all media
 * pinholes get the same lifetime, so the earliest to expire is the oldest).
 * Stamps compare modulo 2^32.
 */
struct ph_oldest {
	u32 n;
	u32 cap;
	u32 stamp[PH_OLDEST_MAX];	/* ascending: oldest first */
};

void ph_oldest_init(struct ph_oldest *o, u32 cap);
void ph_oldest_add(struct ph_oldest *o, u32 stamp);
bool ph_oldest_cutoff(const struct ph_oldest *o, u32 k, u32 *cutoff);
bool ph_stamp_within(u32 stamp, u32 cutoff);

u32 ph_heaviest(const u16 *tally, u32 n);

#endif /* _PINHOLE_EVICT_H */
