/* SPDX-License-Identifier: MIT */
/*
 * Completion by a client (REQ-COMPLETE-*).
 */
#ifndef VIOREQ_COMPLETION_H
#define VIOREQ_COMPLETION_H

#include <stdbool.h>
#include <stdint.h>
#include "vioreq/vm.h"
#include "vioreq/slot.h"

/*
 * Client `client` has emulated the request in slot `vcpu`. Succeeds only
 * when the core assigned that slot to that client and the page still says
 * PROCESSING; then the slot becomes COMPLETE and *notify tells whether the
 * hypervisor must be notified (it is not when the slot asks for completion
 * polling). Otherwise the slot, its holder and *notify stay as they were:
 * -EINVAL for a vCPU or client id out of range, a slot nobody holds, or a
 * page state that is not PROCESSING (counted in bad_state when it is no
 * state at all); -EPERM for a slot another client holds
 * (REQ-COMPLETE-001/002).
 *
 * The ghost parameters exist for the proof only (C compilers see a
 * comment): `seen` receives the one value read from the slot's state and
 * `polled` the one read from completion_polling, so that the contract can
 * say that the completion, the bad_state count and *notify are decided by
 * those reads.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(notify);
    requires apart: \separated(vm, page, notify);
    requires ghost_valid: \valid(seen) && \valid(polled) &&
                          \separated(seen, polled, vm, page, notify);
    requires wellformed: vm_wellformed(vm);
    assigns vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1],
            vm->counters.completed, vm->counters.bad_state,
            page->slot[0 .. VIOREQ_SLOT_COUNT - 1].processed, *notify,
            *seen, *polled;
    ensures wellformed: vm_wellformed(vm);
    ensures slots_kept: \forall integer w; 0 <= w < VIOREQ_SLOT_COUNT &&
      w != vcpu ==> page->slot[w].processed == \old(page->slot[w].processed);
    behavior bad_args:
      assumes vcpu >= VIOREQ_SLOT_COUNT || client >= VIOREQ_CLIENTS_PER_VM;
      assigns \nothing;
      ensures einval: \result == -VIOREQ_EINVAL;
    behavior not_held:
      assumes vcpu < VIOREQ_SLOT_COUNT && client < VIOREQ_CLIENTS_PER_VM;
      assumes vm->slot_owner[vcpu] == VIOREQ_CLIENT_NONE;
      assigns \nothing;
      ensures einval: \result == -VIOREQ_EINVAL;
    behavior other_client:
      assumes vcpu < VIOREQ_SLOT_COUNT && client < VIOREQ_CLIENTS_PER_VM;
      assumes vm->slot_owner[vcpu] != VIOREQ_CLIENT_NONE &&
              vm->slot_owner[vcpu] != client;
      assigns \nothing;
      ensures eperm: \result == -VIOREQ_EPERM;
    behavior holder:
      assumes vcpu < VIOREQ_SLOT_COUNT && client < VIOREQ_CLIENTS_PER_VM;
      assumes vm->slot_owner[vcpu] == client;
      ensures outcome: \result == 0 || \result == -VIOREQ_EINVAL;
      ensures processing_read: \result == 0 <==>
        *seen == VIOREQ_STATE_PROCESSING;
      ensures done: \result == 0 ==>
        vm->slot_owner[vcpu] == VIOREQ_CLIENT_NONE &&
        page->slot[vcpu].processed == VIOREQ_STATE_COMPLETE;
      ensures refused: \result != 0 ==>
        vm->slot_owner[vcpu] == client &&
        page->slot[vcpu].processed == \old(page->slot[vcpu].processed) &&
        *notify == \old(*notify);
      ensures notify_from_polling: \result == 0 ==>
        (*notify <==> *polled == 0);
      ensures counted: \result == 0 ==>
        counted_once(\old(vm->counters.completed),
                     vm->counters.completed) &&
        vm->counters.bad_state == \old(vm->counters.bad_state);
      ensures counted_refused: \result != 0 ==>
        vm->counters.completed == \old(vm->counters.completed) &&
        (vioreq_state_known(*seen) ?
           vm->counters.bad_state == \old(vm->counters.bad_state) :
           counted_once(\old(vm->counters.bad_state),
                        vm->counters.bad_state));
      ensures others_kept: vm_other_owners_kept{Pre, Post}(vm, vcpu);
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_complete(struct vioreq_vm *vm, struct vioreq_page *page,
			uint32_t vcpu, uint32_t client, bool *notify)
	/*@ ghost (uint32_t \ghost *seen, uint32_t \ghost *polled) */;

#endif /* VIOREQ_COMPLETION_H */
