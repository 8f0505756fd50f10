// SPDX-License-Identifier: MIT
/*
 * Plain-C mirrors of the predicates of core/logic/vm.acsl and
 * core/logic/range_table.acsl (see vm_invariants.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_invariants.h"
#include "vioreq/client.h"

/* client_id_valid(c) */
static int client_id_valid(long c)
{
	return 0 <= c && c < (long)VIOREQ_CLIENTS_PER_VM;
}

/* client_active(vm, c) */
static int client_active(const struct vioreq_vm *vm, long c)
{
	return client_id_valid(c) &&
	       vm->client_state[c] == (int8_t)VIOREQ_CLIENT_ACTIVE;
}

/* No coverage feedback from the checker itself (see fuzz_core_page.c). */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

NO_COVERAGE
const char *vioreq_check_range_table(const struct vioreq_range_table *t)
{
	uint32_t i;

	if (t->count > VIOREQ_RANGES_PER_TYPE)
		return "range_table_wellformed.count";
	/* range_table_entries_valid */
	for (i = 0; i < t->count; i++) {
		if (t->start[i] > t->end[i])
			return "range_table_entries_valid.start_le_end";
		if (t->client[i] >= VIOREQ_CLIENTS_PER_VM)
			return "range_table_entries_valid.client";
	}
	/*
	 * range_table_sorted is pairwise (for all i < j, end[i] < start[j]).
	 * With start <= end for every entry (checked above), the adjacent
	 * form implies it: end[i] < start[i+1] <= end[i+1] < start[i+2]...
	 * so checking neighbours is the same predicate in O(n).
	 */
	for (i = 0; i + 1 < t->count; i++)
		if (!(t->end[i] < t->start[i + 1]))
			return "range_table_sorted";
	return NULL;
}

NO_COVERAGE
const char *vioreq_check_vm(const struct vioreq_vm *vm)
{
	const char *bad;
	uint32_t c, v, ty, i;

	/* vm_clients_valid */
	for (c = 0; c < VIOREQ_CLIENTS_PER_VM; c++)
		if (vm->client_state[c] < 0 ||
		    vm->client_state[c] > (int8_t)VIOREQ_CLIENT_DESTROYING)
			return "vm_clients_valid";
	/* vm_default_valid */
	if (vm->default_client != VIOREQ_CLIENT_NONE &&
	    !client_active(vm, vm->default_client))
		return "vm_default_valid";
	/* vm_owners_valid: a held slot has one active holder */
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		if (vm->slot_owner[v] != VIOREQ_CLIENT_NONE &&
		    !client_active(vm, vm->slot_owner[v]))
			return "vm_owners_valid";
	/* vm_tables_valid */
	for (ty = 0; ty < VIOREQ_TYPE_COUNT; ty++) {
		bad = vioreq_check_range_table(&vm->ranges[ty]);
		if (bad)
			return bad;
	}
	/* vm_wellformed: 0 <= clearing <= 1 */
	if (vm->clearing < 0 || vm->clearing > 1)
		return "vm_wellformed.clearing";
	/*
	 * vm_range_owners_active (REQ-CLIENT-002): every range belongs to an
	 * active client. Not part of vm_wellformed; the functions that assign
	 * a range table or a client state take and keep it.
	 */
	for (ty = 0; ty < VIOREQ_TYPE_COUNT; ty++)
		for (i = 0; i < vm->ranges[ty].count; i++)
			if (!client_active(vm, vm->ranges[ty].client[i]))
				return "vm_range_owners_active";
	return NULL;
}

/* ------------------------------------------------------------ self-test */

struct corruption {
	const char *what;
	const char *expect;	/* prefix of the name the checker must give */
	void (*apply)(struct vioreq_vm *vm);
};

/* The well-formed base: clients 0 (default), 1 and 2 active, client 3
 * destroying; ranges of clients 1 and 2; slots 0 and 5 held. */
static void base_vm(struct vioreq_vm *vm)
{
	struct vioreq_events ev;
	struct vioreq_page *page = calloc(1, sizeof(*page));
	uint32_t i;

	if (!page)
		abort();
	vioreq_vm_init(vm);
	for (i = 0; i < 4; i++)
		if (vioreq_client_create(vm, i == 0, false) != (int32_t)i)
			abort();
	memset(&ev, 0, sizeof(ev));
	if (vioreq_client_destroy(vm, page, 3, &ev) != 0)
		abort();
	if (vioreq_client_add_range(vm, 1, VIOREQ_TYPE_PORTIO, 0x3F8, 0x3FF) ||
	    vioreq_client_add_range(vm, 2, VIOREQ_TYPE_PORTIO, 0x60, 0x64) ||
	    vioreq_client_add_range(vm, 1, VIOREQ_TYPE_MMIO, 0x1000, 0x1FFF) ||
	    vioreq_client_add_range(vm, 2, VIOREQ_TYPE_MMIO, 0x3000, 0x3000) ||
	    vioreq_client_add_range(vm, 2, VIOREQ_TYPE_PCICFG, 0x8000,
				    0x8FFF))
		abort();
	vm->slot_owner[0] = 1;
	vm->slot_owner[5] = 0;
	free(page);
}

static void c_state_range(struct vioreq_vm *vm) { vm->client_state[7] = 3; }
static void c_state_negative(struct vioreq_vm *vm) { vm->client_state[9] = -1; }
static void c_default_free(struct vioreq_vm *vm) { vm->default_client = 5; }
static void c_default_destroying(struct vioreq_vm *vm) { vm->default_client = 3; }
static void c_default_out(struct vioreq_vm *vm) { vm->default_client = 64; }
static void c_owner_destroying(struct vioreq_vm *vm) { vm->slot_owner[2] = 3; }
static void c_owner_free(struct vioreq_vm *vm) { vm->slot_owner[15] = 10; }
static void c_owner_out(struct vioreq_vm *vm) { vm->slot_owner[4] = 64; }
static void c_owner_negative(struct vioreq_vm *vm) { vm->slot_owner[4] = -1; }
static void c_count(struct vioreq_vm *vm)
{
	vm->ranges[VIOREQ_TYPE_PCICFG].count = VIOREQ_RANGES_PER_TYPE + 1;
}
static void c_start_gt_end(struct vioreq_vm *vm)
{
	vm->ranges[VIOREQ_TYPE_MMIO].start[1] = 0x3001;
}
static void c_client_id(struct vioreq_vm *vm)
{
	vm->ranges[VIOREQ_TYPE_PORTIO].client[0] = VIOREQ_CLIENTS_PER_VM;
}
static void c_unsorted(struct vioreq_vm *vm)
{
	struct vioreq_range_table *t = &vm->ranges[VIOREQ_TYPE_PORTIO];
	uint64_t s = t->start[0], e = t->end[0];

	t->start[0] = t->start[1];
	t->end[0] = t->end[1];
	t->start[1] = s;
	t->end[1] = e;
}
static void c_overlap(struct vioreq_vm *vm)
{
	/* [0x60, 0x64] then [0x64, 0x3FF]: sorted by start, but sharing 0x64 */
	vm->ranges[VIOREQ_TYPE_PORTIO].start[1] = 0x64;
}
static void c_overlap_nonadjacent(struct vioreq_vm *vm)
{
	struct vioreq_range_table *t = &vm->ranges[VIOREQ_TYPE_MMIO];

	/* three ranges; the first swallows the third */
	t->start[2] = 0x5000;
	t->end[2] = 0x5FFF;
	t->client[2] = 1;
	t->count = 3;
	t->end[0] = 0x5000;
}
static void c_clearing(struct vioreq_vm *vm) { vm->clearing = 2; }
static void c_range_of_destroyed(struct vioreq_vm *vm)
{
	vm->ranges[VIOREQ_TYPE_PCICFG].client[0] = 3;
}

static const struct corruption corruptions[] = {
	{ "client state 3", "vm_clients_valid", c_state_range },
	{ "client state -1", "vm_clients_valid", c_state_negative },
	{ "default client is free", "vm_default_valid", c_default_free },
	{ "default client is destroying", "vm_default_valid",
	  c_default_destroying },
	{ "default client id 64", "vm_default_valid", c_default_out },
	{ "slot held by a destroying client", "vm_owners_valid",
	  c_owner_destroying },
	{ "slot held by a free client", "vm_owners_valid", c_owner_free },
	{ "slot held by client 64", "vm_owners_valid", c_owner_out },
	{ "slot held by client -1", "vm_owners_valid", c_owner_negative },
	{ "range count over capacity", "range_table_wellformed.count",
	  c_count },
	{ "range with start > end", "range_table_entries_valid.start_le_end",
	  c_start_gt_end },
	{ "range of client 64", "range_table_entries_valid.client",
	  c_client_id },
	{ "ranges out of order", "range_table_sorted", c_unsorted },
	{ "adjacent ranges overlap", "range_table_sorted", c_overlap },
	{ "a range swallows the next one", "range_table_sorted",
	  c_overlap_nonadjacent },
	{ "clearing 2", "vm_wellformed.clearing", c_clearing },
	{ "range of a destroying client", "vm_range_owners_active",
	  c_range_of_destroyed },
};

unsigned vioreq_check_selftest(unsigned *total)
{
	struct vioreq_vm *base = calloc(1, sizeof(*base));
	struct vioreq_vm *vm = calloc(1, sizeof(*vm));
	const char *got;
	unsigned i, caught = 0;

	if (!base || !vm)
		abort();
	base_vm(base);
	got = vioreq_check_vm(base);
	if (got) {
		fprintf(stderr, "checker self-test: base VM reported as %s\n",
			got);
		abort();
	}
	for (i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
		const struct corruption *k = &corruptions[i];

		memcpy(vm, base, sizeof(*vm));
		k->apply(vm);
		got = vioreq_check_vm(vm);
		if (!got || strncmp(got, k->expect, strlen(k->expect)) != 0) {
			fprintf(stderr,
				"checker self-test: \"%s\" not caught (got %s, "
				"expected %s)\n", k->what, got ? got : "nothing",
				k->expect);
			abort();
		}
		caught++;
	}
	free(vm);
	free(base);
	*total = i;
	return caught;
}
