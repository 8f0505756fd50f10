/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel shim for the freestanding core (../../core): the core includes
 * <stdint.h>; Kbuild compiles with -nostdinc, so this file, first on the
 * include path (kmod/Kbuild), maps it to the kernel's own types and limits.
 */
#ifndef VIOREQ_SHIM_STDINT_H
#define VIOREQ_SHIM_STDINT_H

#include <linux/types.h>
#include <linux/limits.h>

#define INT8_MAX	S8_MAX
#define INT8_MIN	S8_MIN
#define UINT8_MAX	U8_MAX
#define INT16_MAX	S16_MAX
#define INT16_MIN	S16_MIN
#define UINT16_MAX	U16_MAX
#define INT32_MAX	S32_MAX
#define INT32_MIN	S32_MIN
#define UINT32_MAX	U32_MAX
#define INT64_MAX	S64_MAX
#define INT64_MIN	S64_MIN
#define UINT64_MAX	U64_MAX

#endif /* VIOREQ_SHIM_STDINT_H */
