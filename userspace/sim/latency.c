// SPDX-License-Identifier: MIT
/* Log-linear latency histograms (latency.h). */
#include "latency.h"

static uint32_t bucket_of(uint64_t ns)
{
	uint32_t msb;

	if (ns < 16)
		return (uint32_t)ns;
	msb = 63u - (uint32_t)__builtin_clzll(ns);
	return (msb - 3u) * 16u + (uint32_t)((ns >> (msb - 4u)) & 15u);
}

/* The middle of a bucket, in ns. */
static double bucket_value(uint32_t b)
{
	uint32_t msb, sub;
	double width;

	if (b < 16)
		return b;
	msb = b / 16u + 3u;
	sub = b % 16u;
	width = (double)(1ull << (msb - 4u));
	return (16.0 + sub) * width + width / 2.0;
}

void sim_histogram_add(struct sim_histogram *h, uint64_t ns)
{
	uint32_t b = bucket_of(ns);

	h->bucket[b < SIM_LATENCY_BUCKETS ? b : SIM_LATENCY_BUCKETS - 1]++;
	h->count++;
}

void sim_histogram_merge(struct sim_histogram *into,
			 const struct sim_histogram *from)
{
	uint32_t b;

	for (b = 0; b < SIM_LATENCY_BUCKETS; b++)
		into->bucket[b] += from->bucket[b];
	into->count += from->count;
}

static double percentile_us(const struct sim_histogram *h, double p)
{
	uint64_t rank = (uint64_t)(p * (double)h->count);
	uint64_t seen = 0;
	uint32_t b;

	if (h->count == 0)
		return 0;
	if (rank >= h->count)
		rank = h->count - 1;
	for (b = 0; b < SIM_LATENCY_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen > rank)
			return bucket_value(b) / 1000.0;
	}
	return bucket_value(SIM_LATENCY_BUCKETS - 1) / 1000.0;
}

void sim_histogram_summary(const struct sim_histogram *h,
			   struct sim_latency_summary *out)
{
	out->count = h->count;
	out->p50_us = percentile_us(h, 0.50);
	out->p99_us = percentile_us(h, 0.99);
}
