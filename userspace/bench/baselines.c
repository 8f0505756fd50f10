/* SPDX-License-Identifier: MIT */
/*
 * Baselines for the range lookup (see baselines.h). Kept in their own
 * translation unit, like the core's lookup is in its library, so that
 * neither side gets inlined into the benchmark loop.
 */
#include <stdlib.h>

#include "baselines.h"

void hsm_vm_init(struct hsm_vm *vm)
{
	vm->clients = NULL;
	vm->clients_tail = NULL;
}

struct hsm_client *hsm_client_create(struct hsm_vm *vm, uint32_t id,
				     int is_default)
{
	struct hsm_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->id = id;
	c->is_default = is_default;
	if (vm->clients_tail)
		vm->clients_tail->next = c;
	else
		vm->clients = c;
	vm->clients_tail = c;
	return c;
}

int hsm_range_add(struct hsm_client *c, uint32_t type, uint64_t start,
		  uint64_t end)
{
	struct hsm_range *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	r->type = type;
	r->start = start;
	r->end = end;
	if (c->ranges_tail)
		c->ranges_tail->next = r;
	else
		c->ranges = r;
	c->ranges_tail = r;
	return 0;
}

void hsm_vm_free(struct hsm_vm *vm)
{
	struct hsm_client *c = vm->clients;

	while (c) {
		struct hsm_client *next_client = c->next;
		struct hsm_range *r = c->ranges;

		while (r) {
			struct hsm_range *next_range = r->next;

			free(r);
			r = next_range;
		}
		free(c);
		c = next_client;
	}
	hsm_vm_init(vm);
}

uint32_t hsm_lookup(const struct hsm_vm *vm, uint32_t type, uint64_t addr,
		    uint64_t last)
{
	const struct hsm_client *c;
	const struct hsm_client *fallback = NULL;

	for (c = vm->clients; c; c = c->next) {
		const struct hsm_range *r;

		/* The default client takes what no range claims. */
		if (c->is_default) {
			fallback = c;
			continue;
		}
		for (r = c->ranges; r; r = r->next) {
			if (r->type == type && r->start <= addr &&
			    last <= r->end)
				return c->id;
		}
	}
	return fallback ? fallback->id : BASELINE_NONE;
}

uint32_t bsearch_lookup(const struct bsearch_table *t, uint64_t addr,
			uint64_t last)
{
	uint32_t lo = 0;
	uint32_t hi = t->count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct bsearch_range *r = &t->r[mid];

		if (addr < r->start) {
			hi = mid;
		} else if (addr > r->end) {
			lo = mid + 1;
		} else {
			return last <= r->end ? r->client : BASELINE_NONE;
		}
	}
	return BASELINE_NONE;
}
