// SPDX-License-Identifier: MIT
/*
 * The local backend's VM: creation, destruction, clear, the upcall, and
 * delivery of the events core calls produce.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "local_vm.h"
#include "vioreq/clear.h"
#include "vioreq/client.h"

#define CLEAR_TIMEOUT_MS_DEFAULT 1000u

void local_wake_clients(struct local_vm *vm, const struct vioreq_events *ev)
{
	uint32_t c;

	for (c = 0; c < VIOREQ_CLIENTS_PER_VM; c++)
		if (ev->wake[c]) {
			/* For a thread spinning in attach, then a sleeping
			 * one. */
			atomic_fetch_add_explicit(&vm->clients[c].wake_seq, 1,
						  memory_order_release);
			pthread_cond_broadcast(&vm->clients[c].assigned);
		}
}

void local_notify_hypervisor(struct local_vm *vm,
			     const struct vioreq_events *ev)
{
	uint32_t v;

	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		if (ev->notify[v] && vm->config.notify)
			vm->config.notify(vm->config.ctx, v);
}

void local_trace_completed(struct local_vm *vm, uint32_t mask,
			   uint32_t from, uint32_t client)
{
	uint32_t v;

	if (!vm->config.trace)
		return;
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		if (mask & (1u << v))
			vm->config.trace(vm->config.ctx, v, from,
					 VIOREQ_STATE_COMPLETE, client);
}

void vioreq_local_upcall(struct vioreq_rt_vm *base)
{
	struct local_vm *vm = local_vm_of(base);

	vioreq_futex_event_bump(&vm->upcall);
	/* A thread watching the upcall serves it, now or when it stops
	 * watching (local_watch_end): no syscall, no worker wake-up. See
	 * local_worker.c for why nothing is lost. */
	if (atomic_load_explicit(&vm->watchers, memory_order_seq_cst) != 0)
		return;
	vioreq_futex_event_wake(&vm->upcall);
}

static int local_create_vm(struct vioreq_page *page, const void *config,
			   struct vioreq_rt_vm **out)
{
	struct local_vm *vm;
	pthread_condattr_t monotonic;
	uint32_t c;
	int rc;

	if (!config)
		return -VIOREQ_EINVAL;
	/* Aligned: the upcall's cache line is _Alignas(64). */
	vm = aligned_alloc(_Alignof(struct local_vm), sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	memset(vm, 0, sizeof(*vm));
	/* The core's VM state is ~200 KiB: on the heap, never the stack. */
	vm->core = calloc(1, sizeof(*vm->core));
	if (!vm->core) {
		free(vm);
		return -ENOMEM;
	}
	vm->base.ops = &vioreq_local_backend;
	vm->config = *(const struct vioreq_local_config *)config;
	if (vm->config.clear_timeout_ms == 0)
		vm->config.clear_timeout_ms = CLEAR_TIMEOUT_MS_DEFAULT;
	vm->page = page;
	vioreq_vm_init(vm->core);
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->clear_lock, NULL);
	for (c = 0; c < VIOREQ_CLIENTS_PER_VM; c++) {
		pthread_cond_init(&vm->clients[c].assigned, NULL);
		atomic_init(&vm->clients[c].wake_seq, 0);
	}
	/* clear waits with a CLOCK_MONOTONIC deadline. */
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->released, &monotonic);
	pthread_condattr_destroy(&monotonic);
	vioreq_futex_event_init(&vm->upcall);
	atomic_init(&vm->watchers, 0);
	atomic_init(&vm->dispatched, 0);
	atomic_init(&vm->stopping, false);
	rc = pthread_create(&vm->worker, NULL, local_worker_main, vm);
	if (rc != 0) {
		free(vm->core);
		free(vm);
		return -rc;
	}
	*out = &vm->base;
	return 0;
}

static int local_destroy_vm(struct vioreq_rt_vm *base)
{
	struct local_vm *vm = local_vm_of(base);
	struct vioreq_events ev;
	uint32_t c;
	bool attached;

	atomic_store_explicit(&vm->stopping, true, memory_order_release);
	vioreq_futex_event_signal(&vm->upcall);
	pthread_join(vm->worker, NULL);

	memset(&ev, 0, sizeof(ev));
	pthread_mutex_lock(&vm->lock);
	for (c = 0; c < VIOREQ_CLIENTS_PER_VM; c++)
		if (vm->clients[c].live)
			local_destroy_client_locked(vm, c, &ev);
	/* Threads woken in attach still touch the VM: wait until they left. */
	do {
		attached = false;
		for (c = 0; c < VIOREQ_CLIENTS_PER_VM; c++)
			attached = attached || vm->clients[c].attached != 0;
		if (attached)
			pthread_cond_wait(&vm->released, &vm->lock);
	} while (attached);
	pthread_mutex_unlock(&vm->lock);
	local_notify_hypervisor(vm, &ev);

	for (c = 0; c < VIOREQ_CLIENTS_PER_VM; c++)
		pthread_cond_destroy(&vm->clients[c].assigned);
	pthread_cond_destroy(&vm->released);
	pthread_mutex_destroy(&vm->lock);
	pthread_mutex_destroy(&vm->clear_lock);
	free(vm->core);
	free(vm);
	return 0;
}

static int local_clear(struct vioreq_rt_vm *base)
{
	struct local_vm *vm = local_vm_of(base);
	struct vioreq_events ev;
	struct timespec deadline;
	uint32_t before, held;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += vm->config.clear_timeout_ms / 1000u;
	deadline.tv_nsec += (long)(vm->config.clear_timeout_ms % 1000u) *
			    1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&vm->clear_lock);
	memset(&ev, 0, sizeof(ev));
	pthread_mutex_lock(&vm->lock);
	/* 0 when there is no default client (VIOREQ_CLIENT_NONE). */
	before = vioreq_client_held_slots(vm->core,
					  (uint32_t)vm->core->default_client);
	(void)vioreq_clear_begin(vm->core, vm->page, &ev);
	local_trace_completed(vm, before, VIOREQ_STATE_PROCESSING,
			      VIOREQ_LOCAL_BY_CORE);
	/* Complete what is PENDING now; the worker does the same for what
	 * comes later, until clear_end. */
	local_dispatch_locked(vm, &ev);
	pthread_mutex_unlock(&vm->lock);
	local_notify_hypervisor(vm, &ev);

	memset(&ev, 0, sizeof(ev));
	pthread_mutex_lock(&vm->lock);
	for (;;) {
		/* Count with the lock held, before every wait: the last
		 * holder may have finished while the lock was dropped above,
		 * and its broadcast of `released` is then gone (a stale count
		 * here once made clear wait out its whole bound and fail
		 * with -EBUSY under load). clear_begin again is the core's
		 * own count of the slots other clients still hold (nothing
		 * new is assigned while clearing, and the default client
		 * holds none). */
		held = vioreq_clear_begin(vm->core, vm->page, &ev);
		if (held == 0)
			break;
		if (pthread_cond_timedwait(&vm->released, &vm->lock,
					   &deadline) == ETIMEDOUT) {
			rc = -VIOREQ_EBUSY;
			break;
		}
	}
	vioreq_clear_end(vm->core);
	pthread_mutex_unlock(&vm->lock);
	pthread_mutex_unlock(&vm->clear_lock);
	local_notify_hypervisor(vm, &ev);
	return rc;
}

const struct vioreq_rt_backend_ops vioreq_local_backend = {
	.name = "local",
	.create_vm = local_create_vm,
	.destroy_vm = local_destroy_vm,
	.create_client = local_create_client,
	.add_range = local_add_range,
	.remove_range = local_remove_range,
	.attach = local_attach,
	.request = local_request,
	.notify_request_finish = local_notify_request_finish,
	.clear = local_clear,
	.destroy_client = local_destroy_client,
};
