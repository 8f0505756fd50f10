/* SPDX-License-Identifier: MIT */
/* The round trip through vioreq_runtime (roundtrip_runtime.c). */
#ifndef VIOREQ_BENCH_ROUNDTRIP_RUNTIME_H
#define VIOREQ_BENCH_ROUNDTRIP_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

/* Median ns per round trip over reps runs of iters; -1 if it cannot run. */
int runtime_roundtrip(bool poll, uint64_t iters, uint32_t reps,
		      double *ns_out, uint64_t *errors);

#endif /* VIOREQ_BENCH_ROUNDTRIP_RUNTIME_H */
