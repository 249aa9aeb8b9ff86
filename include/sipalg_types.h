/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only environment header of the pure parsers and planner: integer types
 * and mem*() in the kernel and in userspace. Nothing else may be added here:
 * the parser and planner sources (parsers.mk) must build unchanged in the
 * modules, the unit tests, the fuzzers and the benchmark.
 */
#ifndef _SIPALG_TYPES_H
#define _SIPALG_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdbool.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
#endif

#endif /* _SIPALG_TYPES_H */
