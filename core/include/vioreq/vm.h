/* SPDX-License-Identifier: MIT */
/*
 * The per-VM state of the I/O request core: clients, range tables, which
 * client holds which slot, and counters. The caller allocates it (about
 * 200 KiB: keep it off the stack) and passes it to every core function
 * with the VM's lock held; the core keeps no state of its own.
 */
#ifndef VIOREQ_VM_H
#define VIOREQ_VM_H

#include <stdbool.h>
#include <stdint.h>
#include "vioreq/spec_gen.h"
#include "vioreq/range_table.h"

/* No client: a free slot owner, no default client. */
#define VIOREQ_CLIENT_NONE 127

/* Client lifecycle (REQ-CLIENT-002): FREE -> ACTIVE -> DESTROYING -> FREE. */
#define VIOREQ_CLIENT_FREE 0u
#define VIOREQ_CLIENT_ACTIVE 1u
#define VIOREQ_CLIENT_DESTROYING 2u

struct vioreq_counters {
	int64_t dispatched[VIOREQ_TYPE_COUNT];	/* handed to a client, by type */
	int64_t completed;		/* completed by their client */
	int64_t malformed;		/* failed validation, completed by the core */
	int64_t unroutable;		/* no client took it, completed by the core */
	int64_t orphaned;		/* client destroyed while holding it */
	int64_t cleared;		/* completed because the VM was clearing */
	int64_t conf1_address;		/* CF8 accesses served by the core */
	int64_t bad_state;		/* state value outside the spec seen */
};

/*
 * Field types are chosen per concern, on purpose: WP's typed memory model
 * keeps each integer kind in its own memory, so the provers see at once
 * that a write of one concern cannot change another. Client bookkeeping is
 * int8_t, counters int64_t, the range tables uint8/16/64_t, and the shared
 * page and the events uint32_t (proofs/README.md).
 */
struct vioreq_vm {
	int8_t client_state[VIOREQ_CLIENTS_PER_VM];
	int8_t client_in_kernel[VIOREQ_CLIENTS_PER_VM];
	int8_t default_client;
	int8_t slot_owner[VIOREQ_SLOT_COUNT];
	int8_t clearing;	/* 1 between clear_begin and clear_end */
	uint32_t conf1_address;	/* last value written to port 0xCF8 */
	struct vioreq_counters counters;
	struct vioreq_range_table ranges[VIOREQ_TYPE_COUNT];
};

/*
 * What a core operation asks the platform to do afterwards: wake the
 * clients that got requests, notify the hypervisor of completed slots. The
 * caller zeroes it; the core only sets entries to 1.
 */
struct vioreq_events {
	uint32_t wake[VIOREQ_CLIENTS_PER_VM];
	uint32_t notify[VIOREQ_SLOT_COUNT];
};

_Static_assert(VIOREQ_TYPE_COUNT == 3,
	       "logic/vm.acsl states vm_tables_valid for three types");

#include "../../logic/vm.acsl"

/* Count one event; a counter stops at its maximum instead of wrapping. */
/*@ requires valid: \valid(counter);
    assigns *counter;
    behavior below_max:
      assumes *counter < INT64_MAX;
      ensures counted: *counter == \old(*counter) + 1;
    behavior at_max:
      assumes *counter >= INT64_MAX;
      assigns \nothing;
      ensures saturated: *counter == \old(*counter);
    complete behaviors;
    disjoint behaviors;
 */
void vioreq_counter_add(int64_t *counter);

#endif /* VIOREQ_VM_H */
