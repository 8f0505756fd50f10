/* SPDX-License-Identifier: MIT */
/*
 * The two range-lookup baselines vioreq-bench measures the core against.
 * Both are written for this benchmark from the published facts of the
 * algorithms only; neither is derived from the Linux or KVM sources.
 */
#ifndef VIOREQ_BENCH_BASELINES_H
#define VIOREQ_BENCH_BASELINES_H

#include <stdint.h>

#define BASELINE_NONE 0xFFFFFFFFu

/*
 * (a) The Linux ACRN HSM shape: a linked list of clients, each with a
 * linked list of ranges; a lookup walks clients and their ranges in order
 * and the first range covering the access wins. Nodes are heap-allocated
 * one by one, as the kernel does.
 */
struct hsm_range {
	struct hsm_range *next;
	uint32_t type;
	uint64_t start;
	uint64_t end;
};

struct hsm_client {
	struct hsm_client *next;
	struct hsm_range *ranges;	/* in the order they were added */
	struct hsm_range *ranges_tail;
	uint32_t id;
	int is_default;
};

struct hsm_vm {
	struct hsm_client *clients;	/* in the order they were created */
	struct hsm_client *clients_tail;
};

void hsm_vm_init(struct hsm_vm *vm);
struct hsm_client *hsm_client_create(struct hsm_vm *vm, uint32_t id,
				     int is_default);
int hsm_range_add(struct hsm_client *c, uint32_t type, uint64_t start,
		  uint64_t end);
void hsm_vm_free(struct hsm_vm *vm);
/* Client id of the first range covering [addr, last], or BASELINE_NONE. */
uint32_t hsm_lookup(const struct hsm_vm *vm, uint32_t type, uint64_t addr,
		    uint64_t last);

/*
 * (b) The KVM io-bus shape: one sorted array of ranges, searched with a
 * plain (branchy) binary search that stops as soon as a range contains
 * the address.
 */
struct bsearch_range {
	uint64_t start;
	uint64_t end;
	uint32_t client;
};

struct bsearch_table {
	uint32_t count;
	struct bsearch_range *r;	/* sorted by start, disjoint */
};

/* Client id of the range covering [addr, last], or BASELINE_NONE. */
uint32_t bsearch_lookup(const struct bsearch_table *t, uint64_t addr,
			uint64_t last);

#endif /* VIOREQ_BENCH_BASELINES_H */
