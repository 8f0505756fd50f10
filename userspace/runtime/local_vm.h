/* SPDX-License-Identifier: MIT */
/*
 * Internals of the local backend, shared by its files: the VM (core state,
 * lock, worker) and the runtime's record of each core client id.
 */
#ifndef VIOREQ_LOCAL_VM_H
#define VIOREQ_LOCAL_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vioreq/futex_event.h"
#include "vioreq/runtime_local.h"
#include "vioreq/vm.h"

/*
 * Client ids handed to callers are generation << 6 | core id, so that an
 * id kept after its client was destroyed never names a later client that
 * got the same core id: calls on it fail with -ENODEV instead of acting on
 * the new client's slots.
 */
#define LOCAL_ID_BITS 6u
#define LOCAL_ID_MASK ((1u << LOCAL_ID_BITS) - 1u)
#define LOCAL_GENERATION_MAX ((uint32_t)INT32_MAX >> LOCAL_ID_BITS)
_Static_assert(VIOREQ_CLIENTS_PER_VM == 1u << LOCAL_ID_BITS,
	       "client ids fill LOCAL_ID_BITS bits");

struct local_client {
	uint32_t generation;	/* of the current or last client; 0: never */
	bool live;		/* created and not destroyed */
	uint32_t attached;	/* threads blocked in attach */
	pthread_cond_t assigned; /* a slot was assigned, or it was destroyed */
	/* Bumped (lock held, release) whenever `assigned` is signalled:
	 * what a thread spinning in attach watches instead of sleeping. */
	_Atomic uint32_t wake_seq;
	/* slot_epoch of the request it last read from each slot: it may
	 * finish only that one (see local_notify_request_finish). */
	uint32_t read_epoch[VIOREQ_SLOT_COUNT];
};

struct local_vm {
	struct vioreq_rt_vm base;
	struct vioreq_local_config config;
	struct vioreq_page *page;
	/* The VM lock: every core call on `core` is made holding it. */
	pthread_mutex_t lock;
	struct vioreq_vm *core;
	struct local_client clients[VIOREQ_CLIENTS_PER_VM];
	/* Bumped each time the core assigns a slot to a client (never 0
	 * once assigned): tells one request of a vCPU from the next. */
	uint32_t slot_epoch[VIOREQ_SLOT_COUNT];
	pthread_cond_t released;	/* a held slot completed, or a client
					 * left attach: clear and destroy_vm
					 * wait on it */
	/* One clear at a time: clear_end must not end another's clear. */
	pthread_mutex_t clear_lock;
	/*
	 * The upcall and who watches it, on one cache line (the vCPU bumps
	 * seq and reads watchers in one go):
	 *  - upcall.seq: bumped by every vioreq_local_upcall;
	 *  - watchers: threads spinning in the runtime that will run the
	 *    dispatch themselves for any upcall they see (inline dispatch,
	 *    local_watch_begin/end); while nonzero, the upcall wakes nobody;
	 *  - dispatched: the highest upcall.seq read before a dispatch pass
	 *    that has ended (lock held, release): every slot made PENDING
	 *    before that upcall has been dispatched. upcall.seq != dispatched
	 *    means an upcall may still be unserved.
	 */
	struct {
		_Alignas(64) struct vioreq_futex_event upcall;
		_Atomic uint32_t watchers;
		_Atomic uint32_t dispatched;
	};
	atomic_bool stopping;
	pthread_t worker;
};

static inline struct local_vm *local_vm_of(struct vioreq_rt_vm *vm)
{
	return (struct local_vm *)vm;
}

/* Hand the events a core call produced to the platform: wake the clients
 * that got slots (lock held), notify the hypervisor (lock not held). */
void local_wake_clients(struct local_vm *vm, const struct vioreq_events *ev);
void local_notify_hypervisor(struct local_vm *vm,
			     const struct vioreq_events *ev);

/* Trace the slots whose bit is in `mask` as completed by `client`. */
void local_trace_completed(struct local_vm *vm, uint32_t mask,
			   uint32_t from, uint32_t client);

/* One dispatch pass over every slot (lock held), as the worker and clear
 * make it: counts assignments in slot_epoch, traces (local_worker.c). */
void local_dispatch_locked(struct local_vm *vm, struct vioreq_events *ev);

/* The dispatch worker (local_worker.c). */
void *local_worker_main(void *arg);

/* Spin-then-block and inline dispatch (local_worker.c; see the comment
 * there for the protocol). */
uint64_t local_now_ns(void);
static inline void local_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}
/* An upcall may be unserved (no lock needed). */
bool local_upcall_pending(struct local_vm *vm);
/* Lock, one dispatch pass, wake the clients, unlock, notify. */
void local_dispatch_inline(struct local_vm *vm);
/* Start / stop watching the upcall (lock not held). Between the two the
 * caller must run local_dispatch_inline whenever local_upcall_pending;
 * local_watch_end hands over what arrived meanwhile. */
void local_watch_begin(struct local_vm *vm);
void local_watch_end(struct local_vm *vm);

/* Client operations (local_client.c). */
int local_create_client(struct vioreq_rt_vm *vm, uint32_t flags,
			const struct vioreq_rt_range *ranges,
			size_t range_count);
int local_add_range(struct vioreq_rt_vm *vm, int client,
		    const struct vioreq_rt_range *range);
int local_remove_range(struct vioreq_rt_vm *vm, int client,
		       const struct vioreq_rt_range *range);
int local_attach(struct vioreq_rt_vm *vm, int client, uint32_t *pending);
int local_request(struct vioreq_rt_vm *vm, int client, uint32_t vcpu,
		  struct vioreq_rt_request *req);
int local_notify_request_finish(struct vioreq_rt_vm *vm, int client,
				uint32_t vcpu, uint64_t value);
int local_destroy_client(struct vioreq_rt_vm *vm, int client);
/* With the lock held: destroy a live client by core id. */
void local_destroy_client_locked(struct local_vm *vm, uint32_t core_id,
				 struct vioreq_events *ev);

#endif /* VIOREQ_LOCAL_VM_H */
