/* SPDX-License-Identifier: MIT */
/*
 * Dispatch (REQ-DISPATCH-*): move PENDING slots to the clients that own
 * the accessed addresses.
 */
#ifndef VIOREQ_DISPATCH_H
#define VIOREQ_DISPATCH_H

#include <stdint.h>
#include "vioreq/vm.h"
#include "vioreq/slot.h"
#include "vioreq/pci_conf1.h"
#include "vioreq/client.h"

/* What vioreq_dispatch_slot did with the slot. */
#define VIOREQ_OUTCOME_IDLE 0u		/* nothing: not PENDING, or already held */
#define VIOREQ_OUTCOME_ASSIGNED 1u	/* PROCESSING, held by a client */
#define VIOREQ_OUTCOME_COMPLETED 2u	/* completed by the core itself */

#include "../../logic/dispatch.acsl"

/*
 * The client a valid request goes to: the owner of the range that covers
 * the whole access, else the default client (REQ-RANGE-003). May be
 * VIOREQ_CLIENT_NONE when there is no default client.
 */
/*@ requires valid: \valid_read(vm) && \valid_read(req);
    requires wellformed: vm_wellformed(vm);
    requires request: request_valid(req);
    assigns \nothing;
    ensures id: \result == VIOREQ_CLIENT_NONE || client_id_valid(\result);
    behavior covered:
      assumes range_table_has_cover(&vm->ranges[req->type], req->addr,
                                    req->last);
      ensures owner: \exists integer i; 0 <= i < vm->ranges[req->type].count &&
        range_covers(&vm->ranges[req->type], i, req->addr, req->last) &&
        \result == vm->ranges[req->type].client[i];
    behavior not_covered:
      assumes !range_table_has_cover(&vm->ranges[req->type], req->addr,
                                     req->last);
      ensures default: \result == vm->default_client;
    complete behaviors;
    disjoint behaviors;
 */
uint32_t vioreq_route(const struct vioreq_vm *vm,
		      const struct vioreq_request *req);

/*
 * Dispatch slot v (REQ-DISPATCH-001): when it is PENDING and not already
 * held, snapshot it, validate it, route it, record the client, mark it
 * PROCESSING and ask for that client to be woken. A malformed or
 * unroutable request, a CF8 access, and any request while the VM is
 * clearing are completed by the core instead (REQ-DISPATCH-005/006), marked
 * kernel_handled so that userspace never takes it (REQ-DISPATCH-007).
 * Each request is counted once, in the counter of what became of it; a
 * state that is no state at all is counted in bad_state (REQ-STATE-003).
 *
 * The ghost parameter `seen` exists for the proof only (C compilers see a
 * comment): it receives the one value read from the slot's state, so that
 * the contract can say that only a PENDING read starts a dispatch.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev);
    requires apart: \separated(vm, page, ev);
    requires ghost_valid: \valid(seen) && \separated(seen, vm, page, ev);
    requires wellformed: vm_wellformed(vm);
    requires owners: vm_range_owners_active(vm);
    requires vcpu: v < VIOREQ_SLOT_COUNT;
    assigns vm->slot_owner[v], vm->conf1_address, vm->counters,
            page->slot[v], ev->wake[0 .. VIOREQ_CLIENTS_PER_VM - 1],
            ev->notify[v], *seen;
    ensures wellformed: vm_wellformed(vm);
    ensures others_kept: vm_other_owners_kept{Pre, Post}(vm, v);
    ensures outcome: \result == VIOREQ_OUTCOME_IDLE ||
                     \result == VIOREQ_OUTCOME_ASSIGNED ||
                     \result == VIOREQ_OUTCOME_COMPLETED;
    ensures events: events_only_set{Pre, Post}(ev);
    ensures slots_kept: \forall integer w; 0 <= w < VIOREQ_SLOT_COUNT &&
      w != v ==>
        page->slot[w].processed == \old(page->slot[w].processed) &&
        page->slot[w].kernel_handled == \old(page->slot[w].kernel_handled);
    behavior held:
      assumes vm->slot_owner[v] != VIOREQ_CLIENT_NONE;
      assigns \nothing;
      ensures idle: \result == VIOREQ_OUTCOME_IDLE;
      ensures kept: vm->slot_owner[v] == \old(vm->slot_owner[v]);
    behavior not_held:
      assumes vm->slot_owner[v] == VIOREQ_CLIENT_NONE;
      ensures assigned: \result == VIOREQ_OUTCOME_ASSIGNED ==>
        vm->clearing == 0 && slot_assigned(vm, page, ev, v);
      ensures completed: \result == VIOREQ_OUTCOME_COMPLETED ==>
        slot_completed_by_core(vm, page, v);
      ensures idle: \result == VIOREQ_OUTCOME_IDLE ==>
        vm->slot_owner[v] == VIOREQ_CLIENT_NONE &&
        page->slot[v].processed == \old(page->slot[v].processed);
      ensures pending_read: \result != VIOREQ_OUTCOME_IDLE <==>
        *seen == VIOREQ_STATE_PENDING;
      ensures counted_idle: \result == VIOREQ_OUTCOME_IDLE ==>
        (vioreq_state_known(*seen) ?
           counted_as{Pre, Post}(vm, COUNTED_NOTHING) :
           counted_as{Pre, Post}(vm, COUNTED_BAD_STATE));
      ensures counted_assigned: \result == VIOREQ_OUTCOME_ASSIGNED ==>
        counted_dispatched{Pre, Post}(vm);
      ensures counted_cleared: \result == VIOREQ_OUTCOME_COMPLETED ==>
        vm->clearing != 0 ==> counted_as{Pre, Post}(vm, COUNTED_CLEARED);
      ensures counted_completed: \result == VIOREQ_OUTCOME_COMPLETED ==>
        vm->clearing == 0 ==> counted_core_completed{Pre, Post}(vm);
    complete behaviors;
    disjoint behaviors;
 */
uint32_t vioreq_dispatch_slot(struct vioreq_vm *vm, struct vioreq_page *page,
			      uint32_t v, struct vioreq_events *ev)
	/*@ ghost (uint32_t \ghost *seen) */;

/*
 * Dispatch every slot once; returns how many were assigned to clients.
 * Each slot that no client held is left untouched (not PENDING), completed
 * by the core, or assigned; no wake-up or notification is withdrawn.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev);
    requires apart: \separated(vm, page, ev);
    requires wellformed: vm_wellformed(vm);
    requires owners: vm_range_owners_active(vm);
    assigns vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1], vm->conf1_address,
            vm->counters, page->slot[0 .. VIOREQ_SLOT_COUNT - 1],
            ev->wake[0 .. VIOREQ_CLIENTS_PER_VM - 1],
            ev->notify[0 .. VIOREQ_SLOT_COUNT - 1];
    ensures wellformed: vm_wellformed(vm);
    ensures held_kept: \forall integer v; 0 <= v < VIOREQ_SLOT_COUNT ==>
      \old(vm->slot_owner[v]) != VIOREQ_CLIENT_NONE ==>
        vm->slot_owner[v] == \old(vm->slot_owner[v]);
    ensures dispatched: \forall integer v; 0 <= v < VIOREQ_SLOT_COUNT ==>
      \old(vm->slot_owner[v]) == VIOREQ_CLIENT_NONE ==>
        slot_dispatched{Pre, Post}(vm, page, ev, v);
    ensures events: events_only_set{Pre, Post}(ev);
    ensures count: \result <= VIOREQ_SLOT_COUNT;
 */
uint32_t vioreq_dispatch(struct vioreq_vm *vm, struct vioreq_page *page,
			 struct vioreq_events *ev);

#endif /* VIOREQ_DISPATCH_H */
