/* SPDX-License-Identifier: MIT */
/*
 * The fuzzers' input: a byte string read front to back as little-endian
 * integers. Past its end every read gives 0, so any input is a complete
 * program for the harness.
 */
#ifndef VIOREQ_FUZZ_INPUT_H
#define VIOREQ_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct reader {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t u8(struct reader *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static inline uint16_t u16(struct reader *r)
{
	uint16_t lo = u8(r);

	return (uint16_t)(lo | u8(r) << 8);
}

static inline uint32_t u32(struct reader *r)
{
	uint32_t lo = u16(r);

	return lo | (uint32_t)u16(r) << 16;
}

static inline uint64_t u64(struct reader *r)
{
	uint64_t lo = u32(r);

	return lo | (uint64_t)u32(r) << 32;
}

#endif
