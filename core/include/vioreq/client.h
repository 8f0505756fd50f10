/* SPDX-License-Identifier: MIT */
/*
 * I/O clients of a VM: creation, ranges, destruction (REQ-CLIENT-*).
 *
 * A client is FREE, ACTIVE (may own ranges and be assigned slots) or
 * DESTROYING (destroyed, but the platform still has a reference, e.g. a
 * thread waking up from attach). At most one client is the default client,
 * which receives every request no range claims.
 */
#ifndef VIOREQ_CLIENT_H
#define VIOREQ_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include "vioreq/vm.h"
#include "vioreq/slot.h"

/*@ requires valid: \valid(vm);
    assigns *vm;
    ensures wellformed: vm_wellformed(vm);
    ensures no_clients: \forall integer c; client_id_valid(c) ==>
                          vm->client_state[c] == VIOREQ_CLIENT_FREE;
    ensures no_default: vm->default_client == VIOREQ_CLIENT_NONE;
    ensures no_owners: \forall integer v; 0 <= v < VIOREQ_SLOT_COUNT ==>
                         vm->slot_owner[v] == VIOREQ_CLIENT_NONE;
    ensures not_clearing: vm->clearing == 0;
    ensures no_ranges: \forall integer t; 0 <= t < VIOREQ_TYPE_COUNT ==>
                         vm->ranges[t].count == 0;
    ensures owners: vm_range_owners_active(vm);
    ensures not_in_kernel: \forall integer c; client_id_valid(c) ==>
                             vm->client_in_kernel[c] == 0;
    ensures conf1_clear: vm->conf1_address == 0;
    ensures counters_zero: vm->counters.completed == 0 &&
      vm->counters.malformed == 0 && vm->counters.unroutable == 0 &&
      vm->counters.orphaned == 0 && vm->counters.cleared == 0 &&
      vm->counters.conf1_address == 0 && vm->counters.bad_state == 0 &&
      (\forall integer t; 0 <= t < VIOREQ_TYPE_COUNT ==>
         vm->counters.dispatched[t] == 0);
 */
void vioreq_vm_init(struct vioreq_vm *vm);

/*
 * Create a client; returns its id, -EEXIST when a default client is asked
 * for and one exists, -ENOSPC when every id is taken (REQ-CLIENT-001,
 * REQ-CLIENT-003). in_kernel marks the requests it gets as kernel_handled.
 * A new client owns no range, even when its id was used before: only
 * active clients own ranges (vm_range_owners_active, REQ-CLIENT-002).
 */
/*@ requires valid: \valid(vm);
    requires wellformed: vm_wellformed(vm);
    requires owners: vm_range_owners_active(vm);
    assigns vm->client_state[0 .. VIOREQ_CLIENTS_PER_VM - 1],
            vm->client_in_kernel[0 .. VIOREQ_CLIENTS_PER_VM - 1],
            vm->default_client;
    ensures wellformed: vm_wellformed(vm);
    ensures owners: vm_range_owners_active(vm);
    behavior default_exists:
      assumes is_default && vm->default_client != VIOREQ_CLIENT_NONE;
      assigns \nothing;
      ensures eexist: \result == -VIOREQ_EEXIST;
    behavior full:
      assumes !(is_default && vm->default_client != VIOREQ_CLIENT_NONE);
      assumes \forall integer c; client_id_valid(c) ==>
                vm->client_state[c] != VIOREQ_CLIENT_FREE;
      assigns \nothing;
      ensures enospc: \result == -VIOREQ_ENOSPC;
    behavior created:
      assumes !(is_default && vm->default_client != VIOREQ_CLIENT_NONE);
      assumes \exists integer c; client_id_valid(c) &&
                vm->client_state[c] == VIOREQ_CLIENT_FREE;
      ensures id: client_id_valid(\result);
      ensures was_free:
        \old(vm->client_state[\result]) == VIOREQ_CLIENT_FREE;
      ensures fresh: \forall integer t; 0 <= t < VIOREQ_TYPE_COUNT ==>
        !range_table_has_client(&vm->ranges[t], \result);
      ensures active: vm->client_state[\result] == VIOREQ_CLIENT_ACTIVE;
      ensures kernel: vm->client_in_kernel[\result] == (in_kernel ? 1 : 0);
      ensures is_default: is_default ==> vm->default_client == \result;
      ensures default_kept: !is_default ==>
        vm->default_client == \old(vm->default_client);
      ensures others_kept: \forall integer c; client_id_valid(c) &&
        c != \result ==> vm->client_state[c] == \old(vm->client_state[c]) &&
          vm->client_in_kernel[c] == \old(vm->client_in_kernel[c]);
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_client_create(struct vioreq_vm *vm, bool is_default,
			     bool in_kernel);

/*
 * Give an active client the range [start, end] of a request type:
 * -EINVAL (type unknown, client id out of range, end < start), -ENODEV
 * (client not active), -EBUSY (overlaps any range of that type), -ENOSPC
 * (table full). The other types' tables do not change, and a refused range
 * leaves its own table as it was.
 */
/*@ requires valid: \valid(vm);
    requires wellformed: vm_wellformed(vm);
    requires owners: vm_range_owners_active(vm);
    assigns vm->ranges[0 .. VIOREQ_TYPE_COUNT - 1];
    ensures wellformed: vm_wellformed(vm);
    ensures owners: vm_range_owners_active(vm);
    ensures other_types_kept: \forall integer ty;
      0 <= ty < VIOREQ_TYPE_COUNT && ty != type ==>
        range_table_same{Pre, Post}(&vm->ranges[ty]);
    behavior bad_args:
      assumes type >= VIOREQ_TYPE_COUNT || client >= VIOREQ_CLIENTS_PER_VM;
      assigns \nothing;
      ensures einval: \result == -VIOREQ_EINVAL;
    behavior not_active:
      assumes type < VIOREQ_TYPE_COUNT && client < VIOREQ_CLIENTS_PER_VM;
      assumes !client_active(vm, client);
      assigns \nothing;
      ensures enodev: \result == -VIOREQ_ENODEV;
    behavior active:
      assumes type < VIOREQ_TYPE_COUNT && client_active(vm, client);
      ensures outcome: \result == 0 || \result == -VIOREQ_EINVAL ||
                       \result == -VIOREQ_EBUSY || \result == -VIOREQ_ENOSPC;
      ensures einval_iff: \result == -VIOREQ_EINVAL <==> end < start;
      ensures ebusy_iff: \result == -VIOREQ_EBUSY <==> start <= end &&
        \at(range_table_has_overlap(&vm->ranges[type], start, end), Pre);
      ensures enospc_iff: \result == -VIOREQ_ENOSPC <==> start <= end &&
        !\at(range_table_has_overlap(&vm->ranges[type], start, end), Pre) &&
        \at(vm->ranges[type].count, Pre) == VIOREQ_RANGES_PER_TYPE;
      ensures added: \result == 0 ==>
        range_table_has_exact(&vm->ranges[type], start, end, client) &&
        vm->ranges[type].count == \old(vm->ranges[type].count) + 1;
      ensures refused_kept: \result != 0 ==>
        range_table_same{Pre, Post}(&vm->ranges[type]);
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_client_add_range(struct vioreq_vm *vm, uint32_t client,
				uint32_t type, uint64_t start, uint64_t end);

/*
 * Remove a range given earlier: -EINVAL (type), -ENOENT (no exact match).
 * Only that entry goes; the other types' tables do not change, and on
 * -ENOENT neither does its own.
 */
/*@ requires valid: \valid(vm);
    requires wellformed: vm_wellformed(vm);
    requires owners: vm_range_owners_active(vm);
    assigns vm->ranges[0 .. VIOREQ_TYPE_COUNT - 1];
    ensures wellformed: vm_wellformed(vm);
    ensures owners: vm_range_owners_active(vm);
    ensures other_types_kept: \forall integer ty;
      0 <= ty < VIOREQ_TYPE_COUNT && ty != type ==>
        range_table_same{Pre, Post}(&vm->ranges[ty]);
    behavior bad_type:
      assumes type >= VIOREQ_TYPE_COUNT;
      assigns \nothing;
      ensures einval: \result == -VIOREQ_EINVAL;
    behavior present:
      assumes type < VIOREQ_TYPE_COUNT;
      assumes range_table_has_exact(&vm->ranges[type], start, end, client);
      ensures removed: \result == 0;
      ensures shrunk: vm->ranges[type].count ==
                      \old(vm->ranges[type].count) - 1;
      ensures gone:
        !range_table_has_exact(&vm->ranges[type], start, end, client);
      ensures others_kept:
        \exists integer p; 0 <= p < \old(vm->ranges[type].count) &&
          range_is{Pre}(&vm->ranges[type], p, start, end, client) &&
          range_table_moved{Pre, Post}(&vm->ranges[type], 0, p, 0) &&
          range_table_moved{Pre, Post}(&vm->ranges[type], p + 1,
                                       \old(vm->ranges[type].count), -1);
    behavior absent:
      assumes type < VIOREQ_TYPE_COUNT;
      assumes !range_table_has_exact(&vm->ranges[type], start, end, client);
      ensures enoent: \result == -VIOREQ_ENOENT;
      ensures unchanged: range_table_same{Pre, Post}(&vm->ranges[type]);
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_client_remove_range(struct vioreq_vm *vm, uint32_t client,
				   uint32_t type, uint64_t start,
				   uint64_t end);

/*
 * The service module completes a slot it holds without its client (the
 * client is gone, or the VM is being cleared): the value words get all
 * ones (REQ-DISPATCH-005), whatever the page says now. Sets ev->notify[v]
 * unless the hypervisor polls.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev);
    requires apart: \separated(vm, page, ev);
    requires wellformed: vm_wellformed(vm);
    requires vcpu: v < VIOREQ_SLOT_COUNT;
    requires held: vm->slot_owner[v] != VIOREQ_CLIENT_NONE;
    assigns vm->slot_owner[v], page->slot[v].processed,
            page->slot[v].data[VIOREQ_REQ_VALUE_WORD ..
                               VIOREQ_REQ_VALUE_WORD + 1],
            ev->notify[v];
    ensures wellformed: vm_wellformed(vm);
    ensures released: vm->slot_owner[v] == VIOREQ_CLIENT_NONE;
    ensures completed: page->slot[v].processed == VIOREQ_STATE_COMPLETE;
    ensures all_ones:
      page->slot[v].data[VIOREQ_REQ_VALUE_WORD] == 4294967295 &&
      page->slot[v].data[VIOREQ_REQ_VALUE_WORD + 1] == 4294967295;
    ensures events: events_only_set{Pre, Post}(ev);
 */
void vioreq_slot_release_held(struct vioreq_vm *vm, struct vioreq_page *page,
			      uint32_t v, struct vioreq_events *ev);

/*
 * Destroy an active client (REQ-CLIENT-004): its ranges go, it stops being
 * the default client, and every slot it holds is completed with the defined
 * result. Every other client keeps its state, its ranges and its slots, and
 * the default client stays unless it is this one. Each slot it held counts
 * once in orphaned. -ENOENT when the client is not active.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev);
    requires apart: \separated(vm, page, ev);
    requires wellformed: vm_wellformed(vm);
    requires owners: vm_range_owners_active(vm);
    assigns vm->client_state[0 .. VIOREQ_CLIENTS_PER_VM - 1],
            vm->default_client,
            vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1],
            vm->counters.orphaned,
            vm->ranges[0 .. VIOREQ_TYPE_COUNT - 1],
            page->slot[0 .. VIOREQ_SLOT_COUNT - 1],
            ev->notify[0 .. VIOREQ_SLOT_COUNT - 1];
    ensures wellformed: vm_wellformed(vm);
    ensures owners: vm_range_owners_active(vm);
    ensures events: events_only_set{Pre, Post}(ev);
    behavior not_active:
      assumes !client_active(vm, client);
      assigns \nothing;
      ensures enoent: \result == -VIOREQ_ENOENT;
    behavior active:
      assumes client_active(vm, client);
      ensures ok: \result == 0;
      ensures destroying:
        vm->client_state[client] == VIOREQ_CLIENT_DESTROYING;
      ensures not_default: vm->default_client != client;
      ensures default_kept: \old(vm->default_client) != client ==>
        vm->default_client == \old(vm->default_client);
      ensures states_kept: vm_other_states_kept{Pre, Post}(vm, client);
      ensures no_ranges: \forall integer t; 0 <= t < VIOREQ_TYPE_COUNT ==>
        !range_table_has_client(&vm->ranges[t], client);
      ensures ranges_kept: vm_other_ranges_kept{Pre, Post}(vm, client);
      ensures nothing_new: vm_ranges_subset{Post, Pre}(vm);
      ensures released: \forall integer v; 0 <= v < VIOREQ_SLOT_COUNT ==>
        \old(vm->slot_owner[v]) == client ==> slot_released(vm, page, v);
      ensures others_kept: \forall integer v; 0 <= v < VIOREQ_SLOT_COUNT ==>
        \old(vm->slot_owner[v]) != client ==>
          vm->slot_owner[v] == \old(vm->slot_owner[v]) &&
          page->slot[v].processed == \old(page->slot[v].processed);
      ensures orphans_counted: counted_times(\old(vm->counters.orphaned),
        vm->counters.orphaned, slots_held{Pre}(vm, client, VIOREQ_SLOT_COUNT));
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_client_destroy(struct vioreq_vm *vm, struct vioreq_page *page,
			      uint32_t client, struct vioreq_events *ev);

/* DESTROYING -> FREE once the platform drops its last reference. */
/*@ requires valid: \valid(vm);
    requires wellformed: vm_wellformed(vm);
    requires owners: vm_range_owners_active(vm);
    assigns vm->client_state[0 .. VIOREQ_CLIENTS_PER_VM - 1];
    ensures wellformed: vm_wellformed(vm);
    ensures owners: vm_range_owners_active(vm);
    behavior destroying:
      assumes client_id_valid(client) &&
              vm->client_state[client] == VIOREQ_CLIENT_DESTROYING;
      ensures ok: \result == 0;
      ensures freed: vm->client_state[client] == VIOREQ_CLIENT_FREE;
      ensures others_kept: \forall integer c; client_id_valid(c) &&
        c != client ==> vm->client_state[c] == \old(vm->client_state[c]);
    behavior other:
      assumes !(client_id_valid(client) &&
                vm->client_state[client] == VIOREQ_CLIENT_DESTROYING);
      assigns \nothing;
      ensures enoent: \result == -VIOREQ_ENOENT;
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_client_release(struct vioreq_vm *vm, uint32_t client);

/* Whether the client holds slot v: the per-client view of slot_owner. */
/*@ requires valid: \valid_read(vm);
    assigns \nothing;
    ensures holds: \result <==> (v < VIOREQ_SLOT_COUNT &&
                                 client < VIOREQ_CLIENTS_PER_VM &&
                                 vm->slot_owner[v] == client);
 */
bool vioreq_client_holds(const struct vioreq_vm *vm, uint32_t client,
			 uint32_t v);

/*
 * The slots the client holds, as a bitmap with bit v for slot v
 * (REQ-CLIENT-005): what the platform hands to an attached client. 0 for
 * an id out of range; no bit at or above VIOREQ_SLOT_COUNT is ever set.
 */
/*@ requires valid: \valid_read(vm);
    assigns \nothing;
    ensures no_other_bits: \forall integer v;
      VIOREQ_SLOT_COUNT <= v < 32 ==> !mask_has(\result, v);
    behavior bad_id:
      assumes client >= VIOREQ_CLIENTS_PER_VM;
      ensures empty: \result == 0;
    behavior valid_id:
      assumes client < VIOREQ_CLIENTS_PER_VM;
      ensures held: \forall integer v; 0 <= v < VIOREQ_SLOT_COUNT ==>
        (mask_has(\result, v) <==> vm->slot_owner[v] == client);
    complete behaviors;
    disjoint behaviors;
 */
uint32_t vioreq_client_held_slots(const struct vioreq_vm *vm,
				  uint32_t client);

#endif /* VIOREQ_CLIENT_H */
