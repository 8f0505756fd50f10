/* SPDX-License-Identifier: MIT */
/* Clearing a VM's requests (contracts in clear.h). */
#include "vioreq/clear.h"

/*
 * Slot v of a clearing VM: complete it when the default client holds it.
 * Returns 1 when another client still holds it, else 0.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev);
    requires apart: \separated(vm, page, ev);
    requires wellformed: vm_wellformed(vm);
    requires vcpu: v < VIOREQ_SLOT_COUNT;
    assigns vm->slot_owner[v], vm->counters.cleared, page->slot[v],
            ev->notify[v];
    ensures wellformed: vm_wellformed(vm);
    ensures others_kept: vm_other_owners_kept{Pre, Post}(vm, v);
    ensures others_released: \forall integer w;
      0 <= w < VIOREQ_SLOT_COUNT && w != v ==>
        slot_released{Pre}(vm, page, w) ==> slot_released(vm, page, w);
    ensures held: \result == (vm->slot_owner[v] != VIOREQ_CLIENT_NONE ? 1 : 0);
    ensures events: events_only_set{Pre, Post}(ev);
    behavior free:
      assumes vm->slot_owner[v] == VIOREQ_CLIENT_NONE;
      assigns \nothing;
      ensures kept: vm->slot_owner[v] == \old(vm->slot_owner[v]) &&
        page->slot[v].processed == \old(page->slot[v].processed);
      ensures not_counted:
        vm->counters.cleared == \old(vm->counters.cleared);
    behavior other_holder:
      assumes vm->slot_owner[v] != VIOREQ_CLIENT_NONE &&
              vm->slot_owner[v] != vm->default_client;
      assigns \nothing;
      ensures kept: vm->slot_owner[v] == \old(vm->slot_owner[v]) &&
        page->slot[v].processed == \old(page->slot[v].processed);
      ensures not_counted:
        vm->counters.cleared == \old(vm->counters.cleared);
    behavior default_holder:
      assumes vm->slot_owner[v] != VIOREQ_CLIENT_NONE &&
              vm->slot_owner[v] == vm->default_client;
      ensures released: slot_released(vm, page, v);
      ensures counted: counted_once(\old(vm->counters.cleared),
                                    vm->counters.cleared);
    complete behaviors;
    disjoint behaviors;
 */
static uint32_t clear_slot(struct vioreq_vm *vm, struct vioreq_page *page,
			   uint32_t v, struct vioreq_events *ev)
{
	if (vm->slot_owner[v] == VIOREQ_CLIENT_NONE)
		return 0;
	if (vm->slot_owner[v] != vm->default_client)
		return 1;
	vioreq_slot_release_held(vm, page, v, ev);
	vioreq_counter_add(&vm->counters.cleared);
	return 0;
}

uint32_t vioreq_clear_begin(struct vioreq_vm *vm, struct vioreq_page *page,
			    struct vioreq_events *ev)
{
	uint32_t held = 0;
	uint32_t v;

	vm->clearing = 1;
	/*@ loop invariant bounds: 0 <= v <= VIOREQ_SLOT_COUNT;
	    loop invariant wellformed: vm_wellformed(vm);
	    loop invariant clearing: vm->clearing == 1;
	    loop invariant counted: held <= v;
	    loop invariant none_held: held == 0 <==>
	      (\forall integer w; 0 <= w < v ==>
	         vm->slot_owner[w] == VIOREQ_CLIENT_NONE);
	    loop invariant released: \forall integer w; 0 <= w < v ==>
	      \at(vm->slot_owner[w], Pre) != VIOREQ_CLIENT_NONE ==>
	      \at(vm->slot_owner[w], Pre) == vm->default_client ==>
	        slot_released(vm, page, w);
	    loop invariant done_kept: \forall integer w; 0 <= w < v ==>
	      \at(vm->slot_owner[w], Pre) == VIOREQ_CLIENT_NONE ||
	      \at(vm->slot_owner[w], Pre) != vm->default_client ==>
	        vm->slot_owner[w] == \at(vm->slot_owner[w], Pre) &&
	        page->slot[w].processed == \at(page->slot[w].processed, Pre);
	    loop invariant rest_kept: \forall integer w;
	      v <= w < VIOREQ_SLOT_COUNT ==>
	        vm->slot_owner[w] == \at(vm->slot_owner[w], Pre) &&
	        page->slot[w].processed == \at(page->slot[w].processed, Pre);
	    loop invariant events: events_only_set{Pre, Here}(ev);
	    loop invariant cleared: counted_times(
	      \at(vm->counters.cleared, Pre), vm->counters.cleared,
	      default_slots_held{Pre}(vm, v));
	    loop assigns v, held, vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1],
	                 vm->counters.cleared,
	                 page->slot[0 .. VIOREQ_SLOT_COUNT - 1],
	                 ev->notify[0 .. VIOREQ_SLOT_COUNT - 1];
	    loop variant VIOREQ_SLOT_COUNT - v;
	 */
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		/* Slot v's part of the count, as it was held before. */
		/*@ assert cleared_step: default_slots_held{Pre}(vm, v + 1) ==
		      default_slots_held{Pre}(vm, v) +
		      (vm->slot_owner[v] != VIOREQ_CLIENT_NONE &&
		       vm->slot_owner[v] == vm->default_client ? 1 : 0); */
		held += clear_slot(vm, page, v, ev);
	}
	return held;
}

void vioreq_clear_end(struct vioreq_vm *vm)
{
	vm->clearing = 0;
}
