// SPDX-License-Identifier: MIT
/*
 * The dispatch worker of a local VM: woken by the hypervisor's upcall, it
 * runs the core's dispatch over every slot under the VM lock, wakes the
 * clients that got requests and notifies the hypervisor of the slots the
 * core completed itself (CF8, malformed, unroutable, clearing).
 */
#include <string.h>

#include "local_vm.h"
#include "vioreq/dispatch.h"

void local_dispatch_locked(struct local_vm *vm, struct vioreq_events *ev)
{
	uint32_t v;

	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		/* The core's per-slot dispatch (what vioreq_dispatch loops
		 * over), so that each outcome can be traced. */
		uint32_t outcome = vioreq_dispatch_slot(vm->core, vm->page, v,
							ev);

		if (outcome == VIOREQ_OUTCOME_ASSIGNED &&
		    ++vm->slot_epoch[v] == 0)
			vm->slot_epoch[v] = 1;
		if (!vm->config.trace || outcome == VIOREQ_OUTCOME_IDLE)
			continue;
		if (outcome == VIOREQ_OUTCOME_ASSIGNED) {
			uint32_t id = (uint32_t)vm->core->slot_owner[v];

			vm->config.trace(vm->config.ctx, v,
					 VIOREQ_STATE_PENDING,
					 VIOREQ_STATE_PROCESSING,
					 vm->clients[id].generation
						 << LOCAL_ID_BITS | id);
		} else {
			vm->config.trace(vm->config.ctx, v,
					 VIOREQ_STATE_PENDING,
					 VIOREQ_STATE_COMPLETE,
					 VIOREQ_LOCAL_BY_CORE);
		}
	}
}

void *local_worker_main(void *arg)
{
	struct local_vm *vm = arg;
	struct vioreq_events ev;

	for (;;) {
		/* Read the upcall count before looking at the page: a slot
		 * made PENDING after this read comes with a later upcall,
		 * which ends the wait below at once. */
		uint32_t seen = vioreq_futex_event_read(&vm->upcall);

		if (atomic_load_explicit(&vm->stopping, memory_order_acquire))
			break;
		memset(&ev, 0, sizeof(ev));
		pthread_mutex_lock(&vm->lock);
		local_dispatch_locked(vm, &ev);
		local_wake_clients(vm, &ev);
		pthread_mutex_unlock(&vm->lock);
		local_notify_hypervisor(vm, &ev);
		vioreq_futex_event_wait(&vm->upcall, seen, NULL);
	}
	return NULL;
}
