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
 * The ghost parameter `polled` exists for the proof only (C compilers see
 * a comment): it receives the one value read from completion_polling, so
 * that the contract can say that *notify is decided by that read.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(notify);
    requires apart: \separated(vm, page, notify);
    requires ghost_valid: \valid(polled) &&
                          \separated(polled, vm, page, notify);
    requires wellformed: vm_wellformed(vm);
    assigns vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1],
            vm->counters.completed, vm->counters.bad_state,
            page->slot[0 .. VIOREQ_SLOT_COUNT - 1].processed, *notify,
            *polled;
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
      ensures done: \result == 0 ==>
        vm->slot_owner[vcpu] == VIOREQ_CLIENT_NONE &&
        page->slot[vcpu].processed == VIOREQ_STATE_COMPLETE;
      ensures refused: \result != 0 ==>
        vm->slot_owner[vcpu] == client &&
        page->slot[vcpu].processed == \old(page->slot[vcpu].processed) &&
        vm->counters.completed == \old(vm->counters.completed) &&
        *notify == \old(*notify);
      ensures notify_from_polling: \result == 0 ==>
        (*notify <==> *polled == 0);
      ensures counted: \result == 0 ==>
        \old(vm->counters.completed) < INT64_MAX ==>
          vm->counters.completed == \old(vm->counters.completed) + 1;
      ensures others_kept: vm_other_owners_kept{Pre, Post}(vm, vcpu);
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_complete(struct vioreq_vm *vm, struct vioreq_page *page,
			uint32_t vcpu, uint32_t client, bool *notify)
	/*@ ghost (uint32_t \ghost *polled) */;

#endif /* VIOREQ_COMPLETION_H */
