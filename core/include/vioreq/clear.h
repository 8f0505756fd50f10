/* SPDX-License-Identifier: MIT */
/*
 * Clearing a VM's requests (REQ-CLEAR-001), as before a reset or teardown.
 */
#ifndef VIOREQ_CLEAR_H
#define VIOREQ_CLEAR_H

#include <stdint.h>
#include "vioreq/vm.h"
#include "vioreq/client.h"

/*
 * Mark the VM clearing (dispatch then completes PENDING slots itself
 * instead of handing them out), complete every slot the default client
 * holds (with the defined result, each counted once in cleared), and
 * return how many slots other clients still hold: 0 exactly when no slot
 * is held any more, so the clear is over. Every other slot keeps its owner
 * and its state.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev);
    requires apart: \separated(vm, page, ev);
    requires wellformed: vm_wellformed(vm);
    assigns vm->clearing, vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1],
            vm->counters.cleared, page->slot[0 .. VIOREQ_SLOT_COUNT - 1],
            ev->notify[0 .. VIOREQ_SLOT_COUNT - 1];
    ensures wellformed: vm_wellformed(vm);
    ensures clearing: vm->clearing == 1;
    ensures default_released: \forall integer v;
      0 <= v < VIOREQ_SLOT_COUNT ==>
        \old(vm->slot_owner[v]) != VIOREQ_CLIENT_NONE ==>
        \old(vm->slot_owner[v]) == vm->default_client ==>
          slot_released(vm, page, v);
    ensures others_kept: \forall integer v; 0 <= v < VIOREQ_SLOT_COUNT ==>
      \old(vm->slot_owner[v]) == VIOREQ_CLIENT_NONE ||
      \old(vm->slot_owner[v]) != vm->default_client ==>
        vm->slot_owner[v] == \old(vm->slot_owner[v]) &&
        page->slot[v].processed == \old(page->slot[v].processed);
    ensures events: events_only_set{Pre, Post}(ev);
    ensures counted: counted_times(\old(vm->counters.cleared),
      vm->counters.cleared, default_slots_held{Pre}(vm, VIOREQ_SLOT_COUNT));
    ensures held_by_others: \result <= VIOREQ_SLOT_COUNT;
    ensures all_released: \result == 0 <==>
      (\forall integer v; 0 <= v < VIOREQ_SLOT_COUNT ==>
         vm->slot_owner[v] == VIOREQ_CLIENT_NONE);
 */
uint32_t vioreq_clear_begin(struct vioreq_vm *vm, struct vioreq_page *page,
			    struct vioreq_events *ev);

/*@ requires valid: \valid(vm);
    requires wellformed: vm_wellformed(vm);
    assigns vm->clearing;
    ensures wellformed: vm_wellformed(vm);
    ensures not_clearing: vm->clearing == 0;
 */
void vioreq_clear_end(struct vioreq_vm *vm);

#endif /* VIOREQ_CLEAR_H */
