/* SPDX-License-Identifier: MIT */
/*
 * Latency histograms: log-linear buckets (16 per power of two, so about
 * 6 % resolution) from 1 ns to hours, one set per vCPU so that recording
 * takes no lock; merged when the run ends.
 */
#ifndef VIOREQ_SIM_LATENCY_H
#define VIOREQ_SIM_LATENCY_H

#include <stdint.h>

#include "sim.h"

#define SIM_LATENCY_BUCKETS 1024u

struct sim_histogram {
	uint64_t count;
	uint32_t bucket[SIM_LATENCY_BUCKETS];
};

struct sim_latency {
	struct sim_histogram total;
	struct sim_histogram by_type[VIOREQ_TYPE_COUNT];
	struct sim_histogram by_target[SIM_TARGET_COUNT];
};

void sim_histogram_add(struct sim_histogram *h, uint64_t ns);
void sim_histogram_merge(struct sim_histogram *into,
			 const struct sim_histogram *from);
/* count, p50 and p99 in microseconds. */
void sim_histogram_summary(const struct sim_histogram *h,
			   struct sim_latency_summary *out);

#endif /* VIOREQ_SIM_LATENCY_H */
