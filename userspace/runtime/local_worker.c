// SPDX-License-Identifier: MIT
/*
 * The dispatch worker of a local VM: woken by the hypervisor's upcall, it
 * runs the core's dispatch over every slot under the VM lock, wakes the
 * clients that got requests and notifies the hypervisor of the slots the
 * core completed itself (CF8, malformed, unroutable, clearing).
 *
 * Spin-then-block and inline dispatch (config.spin_ns > 0). Each futex or
 * condition-variable handoff costs microseconds (a syscall to wake, a
 * context switch to run), and the worker path has two per round trip
 * (upcall -> worker, worker -> client). So threads that wait spin first,
 * and a client thread spinning in attach (or lingering after its last
 * completion, local_client.c) "watches" the upcall and runs the same
 * dispatch pass the worker runs, under the same lock, when it sees one:
 * the vCPU and the client thread alone complete the round trip. Requests
 * the pass assigns to other clients wake those clients as the worker's
 * pass does (local_wake_clients); the pass is the core's, under the VM
 * lock, whoever runs it, so a request is dispatched exactly once.
 *
 * The worker stays the fallback; the protocol that keeps upcalls from
 * being lost when nobody sleeps where the upcall looks:
 *  - vioreq_local_upcall: bump upcall.seq (seq_cst); if watchers == 0,
 *    wake the worker if it sleeps; else wake nobody.
 *  - a watcher: watchers++ (seq_cst); while watching, whenever
 *    upcall.seq != dispatched, run a pass; to stop: watchers-- (seq_cst),
 *    then if upcall.seq != dispatched, run a pass itself.
 * Both sides write one word then read the other's, all seq_cst: either
 * the upcall sees the watcher count (then the watcher, when it stops, sees
 * the bump and serves it), or it sees no watcher and wakes the worker
 * (whose futex wait re-reads seq after counting itself a sleeper, as
 * before). `dispatched` is advanced only after a pass that read upcall.seq
 * (acquire, after the vCPU's release of PENDING) before it scanned the
 * page, so seq == dispatched means every published request was seen.
 * Redundant passes are harmless: dispatch takes only PENDING slots.
 *
 * The worker spins after a pass only while nobody watches (a spinning
 * client already covers the upcall, and on two CPUs a third spinner would
 * take the client's CPU), then sleeps on the futex.
 */
#include <string.h>
#include <time.h>

#include "local_vm.h"
#include "vioreq/dispatch.h"

void local_dispatch_locked(struct local_vm *vm, struct vioreq_events *ev)
{
	/* Read before the scan: the requests published before this upcall
	 * count are seen by it (see the protocol above). */
	uint32_t seq = vioreq_futex_event_read(&vm->upcall);
	uint32_t done;
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
	/* Only forward (the lock orders the passes, but a pass may have
	 * read an older seq than the last one): wrap-safe max. */
	done = atomic_load_explicit(&vm->dispatched, memory_order_relaxed);
	if ((int32_t)(seq - done) > 0)
		atomic_store_explicit(&vm->dispatched, seq,
				      memory_order_release);
}

uint64_t local_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool local_upcall_pending(struct local_vm *vm)
{
	return atomic_load_explicit(&vm->upcall.seq, memory_order_seq_cst) !=
	       atomic_load_explicit(&vm->dispatched, memory_order_acquire);
}

void local_dispatch_inline(struct local_vm *vm)
{
	struct vioreq_events ev;

	memset(&ev, 0, sizeof(ev));
	pthread_mutex_lock(&vm->lock);
	/* Several watchers may have seen the same upcall: the first pass
	 * serves it, the others find nothing left. */
	if (local_upcall_pending(vm)) {
		local_dispatch_locked(vm, &ev);
		local_wake_clients(vm, &ev);
	}
	pthread_mutex_unlock(&vm->lock);
	local_notify_hypervisor(vm, &ev);
}

void local_watch_begin(struct local_vm *vm)
{
	atomic_fetch_add_explicit(&vm->watchers, 1, memory_order_seq_cst);
}

void local_watch_end(struct local_vm *vm)
{
	atomic_fetch_sub_explicit(&vm->watchers, 1, memory_order_seq_cst);
	/* An upcall that saw us watching woke nobody: serve it. */
	if (local_upcall_pending(vm))
		local_dispatch_inline(vm);
}

/* Wait for an upcall after `seen`: spin while nobody else watches, then
 * sleep on the futex. */
static void worker_wait(struct local_vm *vm, uint32_t seen)
{
	if (vm->config.spin_ns != 0) {
		uint64_t deadline = local_now_ns() + vm->config.spin_ns;
		uint32_t i;

		for (i = 1;; i++) {
			if (vioreq_futex_event_read(&vm->upcall) != seen)
				return;
			if (atomic_load_explicit(&vm->watchers,
						 memory_order_relaxed) != 0)
				break;
			if (i % 16 == 0 && local_now_ns() >= deadline)
				break;
			local_cpu_relax();
		}
	}
	vioreq_futex_event_wait(&vm->upcall, seen, NULL);
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
		worker_wait(vm, seen);
	}
	return NULL;
}
