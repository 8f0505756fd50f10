// SPDX-License-Identifier: MIT
/*
 * The local backend's I/O clients: the Linux HSM lifecycle (create with
 * ranges, attach, request, notify finish, destroy) on the core's client
 * functions, each called with the VM lock held.
 */
#include <string.h>

#include "local_vm.h"
#include "request_copy.h"
#include "vioreq/client.h"
#include "vioreq/completion.h"

/* Resolve a caller's client id to its core id (lock held). */
static int client_lookup(const struct local_vm *vm, int client,
			 uint32_t *core_id)
{
	uint32_t id, generation;
	const struct local_client *rec;

	if (client < 0)
		return -VIOREQ_ENOENT;
	id = (uint32_t)client & LOCAL_ID_MASK;
	generation = (uint32_t)client >> LOCAL_ID_BITS;
	rec = &vm->clients[id];
	if (generation == 0 || generation > rec->generation)
		return -VIOREQ_ENOENT;
	if (generation < rec->generation || !rec->live)
		return -VIOREQ_ENODEV;
	*core_id = id;
	return 0;
}

static int client_id_of(const struct local_vm *vm, uint32_t core_id)
{
	return (int)(vm->clients[core_id].generation << LOCAL_ID_BITS |
		     core_id);
}

/* The holder check of vioreq_complete, for operations that must not touch
 * a slot the client does not hold (lock held). */
static int slot_check_held(const struct local_vm *vm, uint32_t core_id,
			   uint32_t vcpu)
{
	if (vcpu >= VIOREQ_SLOT_COUNT ||
	    vm->core->slot_owner[vcpu] == VIOREQ_CLIENT_NONE)
		return -VIOREQ_EINVAL;
	if (!vioreq_client_holds(vm->core, core_id, vcpu))
		return -VIOREQ_EPERM;
	return 0;
}

int local_create_client(struct vioreq_rt_vm *base, uint32_t flags,
			const struct vioreq_rt_range *ranges,
			size_t range_count)
{
	struct local_vm *vm = local_vm_of(base);
	struct local_client *rec;
	int32_t id;
	size_t i;
	int rc;

	pthread_mutex_lock(&vm->lock);
	id = vioreq_client_create(vm->core,
				  (flags & VIOREQ_RT_CLIENT_DEFAULT) != 0,
				  false);
	if (id < 0) {
		pthread_mutex_unlock(&vm->lock);
		return id;
	}
	for (i = 0; i < range_count; i++) {
		rc = vioreq_client_add_range(vm->core, (uint32_t)id,
					     ranges[i].type, ranges[i].start,
					     ranges[i].end);
		if (rc != 0) {
			struct vioreq_events ev;

			/* All or nothing: the client was never visible and
			 * holds no slot, so it goes at once. */
			memset(&ev, 0, sizeof(ev));
			(void)vioreq_client_destroy(vm->core, vm->page,
						    (uint32_t)id, &ev);
			(void)vioreq_client_release(vm->core, (uint32_t)id);
			pthread_mutex_unlock(&vm->lock);
			return rc;
		}
	}
	rec = &vm->clients[id];
	rec->generation = rec->generation >= LOCAL_GENERATION_MAX ?
			  1u : rec->generation + 1u;
	rec->live = true;
	memset(rec->read_epoch, 0, sizeof(rec->read_epoch));
	rc = client_id_of(vm, (uint32_t)id);
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

int local_add_range(struct vioreq_rt_vm *base, int client,
		    const struct vioreq_rt_range *range)
{
	struct local_vm *vm = local_vm_of(base);
	uint32_t id;
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = client_lookup(vm, client, &id);
	if (rc == 0)
		rc = vioreq_client_add_range(vm->core, id, range->type,
					     range->start, range->end);
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

int local_remove_range(struct vioreq_rt_vm *base, int client,
		       const struct vioreq_rt_range *range)
{
	struct local_vm *vm = local_vm_of(base);
	uint32_t id;
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = client_lookup(vm, client, &id);
	if (rc == 0)
		rc = vioreq_client_remove_range(vm->core, id, range->type,
						range->start, range->end);
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

/*
 * The core keeps a destroyed client's id DESTROYING while threads of the
 * platform still use it; the last one to leave attach frees it (lock
 * held).
 */
static void client_leave(struct local_vm *vm, uint32_t id)
{
	struct local_client *rec = &vm->clients[id];

	if (rec->live || rec->attached != 0)
		return;
	(void)vioreq_client_release(vm->core, id);
	pthread_cond_broadcast(&vm->released);
}

static bool notify_pending(const struct vioreq_events *ev)
{
	uint32_t v;

	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		if (ev->notify[v])
			return true;
	return false;
}

/* One inline dispatch pass with the lock held: wake the clients it
 * assigned to now; collect its notifications in *notify_ev, to deliver
 * once the lock is dropped. */
static void dispatch_pass_locked(struct local_vm *vm,
				 struct vioreq_events *notify_ev)
{
	struct vioreq_events ev;
	uint32_t v;

	memset(&ev, 0, sizeof(ev));
	local_dispatch_locked(vm, &ev);
	local_wake_clients(vm, &ev);
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		notify_ev->notify[v] |= ev.notify[v];
}

/*
 * Spin in attach (lock held on entry and on return; dropped meanwhile)
 * until the client is woken (a slot assigned, or destroyed), or the
 * deadline. While spinning the thread watches the upcall and runs the
 * dispatch pass itself (inline dispatch, local_worker.c); when its own
 * pass assigned to this client it keeps the lock, so attach returns
 * without taking it again. attached is held so that the core id stays
 * ours (DESTROYING) and destroy_vm waits for us. Notifications of slots
 * the core completed itself go to *notify_ev, for after the unlock.
 */
static void attach_spin(struct local_vm *vm, uint32_t id, uint64_t deadline,
			struct vioreq_events *notify_ev)
{
	struct local_client *rec = &vm->clients[id];
	uint32_t seen = atomic_load_explicit(&rec->wake_seq,
					     memory_order_relaxed);
	uint32_t i;

	rec->attached++;
	local_watch_begin(vm);
	pthread_mutex_unlock(&vm->lock);
	for (i = 1;; i++) {
		/* Bumped under the lock by every assignment to us and by
		 * destroy: the caller re-checks under the lock. */
		if (atomic_load_explicit(&rec->wake_seq,
					 memory_order_acquire) != seen) {
			pthread_mutex_lock(&vm->lock);
			break;
		}
		/* The deadline bounds the spin even while upcalls keep
		 * coming: a spinner is not a second worker. */
		if (i % 16 == 0 && local_now_ns() >= deadline) {
			pthread_mutex_lock(&vm->lock);
			break;
		}
		/* trylock: spinners that queue on the mutex behind each
		 * other (a clear makes upcalls come back to back) starve
		 * the clients that need it to finish their requests. A
		 * busy lock is left alone; what stays pending is served
		 * at the next look, or at the end below. */
		if (local_upcall_pending(vm) &&
		    pthread_mutex_trylock(&vm->lock) == 0) {
			if (local_upcall_pending(vm))
				dispatch_pass_locked(vm, notify_ev);
			if (atomic_load_explicit(&rec->wake_seq,
						 memory_order_relaxed) != seen)
				break;	/* ours: keep the lock */
			pthread_mutex_unlock(&vm->lock);
			local_notify_hypervisor(vm, notify_ev);
			memset(notify_ev->notify, 0,
			       sizeof(notify_ev->notify));
			continue;
		}
		local_cpu_relax();
	}
	/* local_watch_end, with the lock held: an upcall that saw us
	 * watching woke nobody, so serve it. */
	atomic_fetch_sub_explicit(&vm->watchers, 1, memory_order_seq_cst);
	if (local_upcall_pending(vm))
		dispatch_pass_locked(vm, notify_ev);
	rec->attached--;
	client_leave(vm, id);
}

int local_attach(struct vioreq_rt_vm *base, int client, uint32_t *pending)
{
	struct local_vm *vm = local_vm_of(base);
	struct local_client *rec;
	struct vioreq_events notify_ev;
	uint64_t deadline = 0;
	uint32_t id, mask;
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = client_lookup(vm, client, &id);
	if (rc != 0) {
		pthread_mutex_unlock(&vm->lock);
		return rc;
	}
	memset(&notify_ev, 0, sizeof(notify_ev));
	rec = &vm->clients[id];
	for (;;) {
		/* The id cannot be reused while we are attached (the core
		 * keeps it DESTROYING), so live says it all. */
		if (!rec->live) {
			rc = -VIOREQ_ENODEV;
			break;
		}
		mask = vioreq_client_held_slots(vm->core, id);
		if (mask != 0) {
			*pending = mask;
			break;
		}
		/* Spin first, up to spin_ns in all; then block. */
		if (vm->config.spin_ns != 0) {
			uint64_t now = local_now_ns();

			if (deadline == 0)
				deadline = now + vm->config.spin_ns;
			if (now < deadline) {
				attach_spin(vm, id, deadline, &notify_ev);
				continue;
			}
		}
		/* Deliver the notifications of our inline passes before we
		 * block: a notified vCPU waits for them (the stress test
		 * lost requests to this). */
		if (notify_pending(&notify_ev)) {
			pthread_mutex_unlock(&vm->lock);
			local_notify_hypervisor(vm, &notify_ev);
			memset(&notify_ev, 0, sizeof(notify_ev));
			pthread_mutex_lock(&vm->lock);
			continue;
		}
		rec->attached++;
		pthread_cond_wait(&rec->assigned, &vm->lock);
		rec->attached--;
		client_leave(vm, id);
	}
	pthread_mutex_unlock(&vm->lock);
	local_notify_hypervisor(vm, &notify_ev);
	return rc;
}

int local_request(struct vioreq_rt_vm *base, int client, uint32_t vcpu,
		  struct vioreq_rt_request *req)
{
	struct local_vm *vm = local_vm_of(base);
	struct vioreq_slot_snapshot snap;
	uint32_t id;
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = client_lookup(vm, client, &id);
	if (rc == 0)
		rc = slot_check_held(vm, id, vcpu);
	if (rc == 0) {
		vioreq_slot_snapshot(&vm->page->slot[vcpu], &snap);
		vm->clients[id].read_epoch[vcpu] = vm->slot_epoch[vcpu];
	}
	pthread_mutex_unlock(&vm->lock);
	if (rc != 0)
		return rc;
	vioreq_rt_request_from_snapshot(&snap, vcpu, req);
	return 0;
}

int local_notify_request_finish(struct vioreq_rt_vm *base, int client,
				uint32_t vcpu, uint64_t value)
{
	struct local_vm *vm = local_vm_of(base);
	struct vioreq_slot *slot;
	bool notify = false;
	bool linger = false;
	uint32_t id;
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = client_lookup(vm, client, &id);
	if (rc == 0)
		rc = slot_check_held(vm, id, vcpu);
	/*
	 * The client must finish the request it read. A client still busy
	 * with a request that clear completed for it (the default client's)
	 * would otherwise complete the vCPU's next request, assigned to it
	 * meanwhile, with the old result.
	 */
	if (rc == 0 &&
	    vm->clients[id].read_epoch[vcpu] != vm->slot_epoch[vcpu])
		rc = -VIOREQ_EINVAL;
	if (rc != 0) {
		pthread_mutex_unlock(&vm->lock);
		return rc;
	}
	/*
	 * Linger (spin_ns > 0): when this completes the last slot the client
	 * holds, its thread has nothing left to do in the runtime but come
	 * back to attach; the vCPU, once it sees COMPLETE, may trap again
	 * at once. Watching from before COMPLETE is published, this thread
	 * is there to serve that upcall inline instead of the worker being
	 * woken for it.
	 */
	if (vm->config.spin_ns != 0 &&
	    (vioreq_client_held_slots(vm->core, id) & ~(1u << vcpu)) == 0) {
		linger = true;
		local_watch_begin(vm);
	}
	slot = &vm->page->slot[vcpu];
	/* The result goes in while the core says we hold the slot, so it can
	 * never land in a later request of that vCPU. Its relaxed stores are
	 * ordered before COMPLETE by the release in vioreq_complete. */
	if (vioreq_page_load(&slot->data[VIOREQ_REQ_DIRECTION_WORD]) ==
	    VIOREQ_DIR_READ) {
		vioreq_page_store(&slot->data[VIOREQ_REQ_VALUE_WORD],
				  (uint32_t)value);
		/* Only MMIO has a 64-bit value; for PCICFG the next word is
		 * the bus number. */
		if (vioreq_page_load(&slot->type) == VIOREQ_TYPE_MMIO)
			vioreq_page_store(
				&slot->data[VIOREQ_REQ_VALUE_WORD + 1],
				(uint32_t)(value >> 32));
	}
	rc = vioreq_complete(vm->core, vm->page, vcpu, id, &notify);
	if (rc == 0) {
		local_trace_completed(vm, 1u << vcpu, VIOREQ_STATE_PROCESSING,
				      (uint32_t)client);
		pthread_cond_broadcast(&vm->released);
	}
	pthread_mutex_unlock(&vm->lock);
	if (rc == 0 && notify && vm->config.notify)
		vm->config.notify(vm->config.ctx, vcpu);
	if (linger) {
		uint32_t ns = vm->config.spin_ns < VIOREQ_LOCAL_LINGER_MAX_NS ?
			      vm->config.spin_ns : VIOREQ_LOCAL_LINGER_MAX_NS;
		uint64_t deadline = local_now_ns() + ns;
		uint32_t i;

		/* One upcall served, or the deadline: then back to the
		 * caller (attach, typically, spins on). */
		for (i = 1;; i++) {
			if (local_upcall_pending(vm)) {
				local_dispatch_inline(vm);
				break;
			}
			if (i % 16 == 0 && local_now_ns() >= deadline)
				break;
			local_cpu_relax();
		}
		local_watch_end(vm);
	}
	return rc;
}

void local_destroy_client_locked(struct local_vm *vm, uint32_t core_id,
				 struct vioreq_events *ev)
{
	struct local_client *rec = &vm->clients[core_id];
	uint32_t held = vioreq_client_held_slots(vm->core, core_id);

	(void)vioreq_client_destroy(vm->core, vm->page, core_id, ev);
	local_trace_completed(vm, held, VIOREQ_STATE_PROCESSING,
			      VIOREQ_LOCAL_BY_CORE);
	rec->live = false;
	atomic_fetch_add_explicit(&rec->wake_seq, 1, memory_order_release);
	pthread_cond_broadcast(&rec->assigned);
	client_leave(vm, core_id);
	pthread_cond_broadcast(&vm->released);
}

int local_destroy_client(struct vioreq_rt_vm *base, int client)
{
	struct local_vm *vm = local_vm_of(base);
	struct vioreq_events ev;
	uint32_t id;
	int rc;

	memset(&ev, 0, sizeof(ev));
	pthread_mutex_lock(&vm->lock);
	rc = client_lookup(vm, client, &id);
	if (rc == 0)
		local_destroy_client_locked(vm, id, &ev);
	pthread_mutex_unlock(&vm->lock);
	local_notify_hypervisor(vm, &ev);
	return rc;
}
