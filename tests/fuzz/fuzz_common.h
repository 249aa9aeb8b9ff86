/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer targets share: the entry point's prototype (the file
 * defines it; -Wmissing-prototypes wants a declaration) and the invariant
 * checks, which trap so that libFuzzer records the input.
 */
#ifndef SIPALG_FUZZ_COMMON_H
#define SIPALG_FUZZ_COMMON_H

#include <stddef.h>
#include "sip_parse.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

/* A span the parser returns lies inside the buffer. */
static inline void span_ok(struct sip_span sp, u32 len)
{
	CHECK(sp.off <= len && sp.len <= len - sp.off);
}

#endif
