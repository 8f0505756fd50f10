/* SPDX-License-Identifier: MIT */
/*
 * The local backend of libvioreq: the verified core runs in this process,
 * under one mutex per VM (the core is not thread-safe), with a dispatch
 * worker thread woken by the hypervisor's upcall.
 *
 * The hypervisor side is whoever writes the page's FREE -> PENDING and
 * COMPLETE -> FREE transitions (the simulator, in tests): it calls
 * vioreq_local_upcall() after making slots PENDING, and receives the
 * completion notifications (the "notify request finish" hypercall) through
 * config->notify for slots that do not ask for completion polling.
 */
#ifndef VIOREQ_RUNTIME_LOCAL_H
#define VIOREQ_RUNTIME_LOCAL_H

#include <stdint.h>

#include "vioreq/runtime.h"

/* Who moved a slot, for tracing. */
#define VIOREQ_LOCAL_BY_CORE 0xFFFFFFFFu	/* the core completed it itself */

struct vioreq_local_config {
	/* The notification hypercall: slot vcpu is COMPLETE. Called without
	 * the VM lock held, from the worker or a client's thread. */
	void (*notify)(void *ctx, uint32_t vcpu);
	/* Optional: a slot moved from -> to as the service module; client is
	 * the client's id, or VIOREQ_LOCAL_BY_CORE. Called with the VM lock
	 * held: keep it short, and make no runtime calls from it. */
	void (*trace)(void *ctx, uint32_t vcpu, uint32_t from, uint32_t to,
		      uint32_t client);
	void *ctx;
	/* How long clear waits for clients to complete their slots (ms);
	 * 0: the default, 1000. */
	uint32_t clear_timeout_ms;
	/*
	 * Spin-then-block (ns): how long a waiting thread spins before it
	 * sleeps. 0: never spin (every wait is a futex / condition variable
	 * sleep). With spin_ns > 0, the dispatch worker spins this long on
	 * the upcall count after each pass, and a thread in attach spins
	 * this long on its client's assignments before blocking; while it
	 * spins it runs the core's dispatch itself when an upcall arrives
	 * (inline dispatch), and the upcall then skips waking the worker.
	 * A client that completes the last slot it holds also lingers up to
	 * min(spin_ns, VIOREQ_LOCAL_LINGER_MAX_NS) in
	 * notify_request_finish for the vCPU's next upcall. Pays off when
	 * round trips are short and a CPU is free to spin; costs CPU time
	 * otherwise. VIOREQ_LOCAL_SPIN_NS_SUGGESTED is a starting point.
	 */
	uint32_t spin_ns;
};

#define VIOREQ_LOCAL_SPIN_NS_SUGGESTED 50000u
#define VIOREQ_LOCAL_LINGER_MAX_NS 10000u

extern const struct vioreq_rt_backend_ops vioreq_local_backend;

/* The hypervisor's upcall: slots may have become PENDING. Async-safe and
 * lock-free: one atomic add, and a futex wake only if the worker sleeps. */
void vioreq_local_upcall(struct vioreq_rt_vm *vm);

#endif /* VIOREQ_RUNTIME_LOCAL_H */
