// SPDX-License-Identifier: MIT
/*
 * The simulated hypervisor: each vCPU thread traps its workload's accesses
 * into its slot of the request page and drives the slot as the spec says:
 * FREE -> PENDING and an upcall; wait for COMPLETE, by polling when the
 * slot asks for completion polling, else for the notification; read the
 * result; COMPLETE -> FREE.
 *
 * The hypervisor writes the page directly, with C11 atomics in the orders
 * the core's page-access hooks pair with: fields relaxed, then the state
 * with release (the core's acquire load of `processed` in dispatch then
 * sees the fields); COMPLETE read with acquire (pairs with the core's
 * release store in vioreq_slot_transition / vioreq_slot_finish), then the
 * result relaxed.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "sim_internal.h"
#include "vioreq/runtime_local.h"

/* The page's words are plain uint32_t (the ABI struct); the hypervisor
 * accesses them as atomics of the same size and alignment. */
_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t) &&
	       _Alignof(_Atomic uint32_t) == _Alignof(uint32_t),
	       "page words can be accessed as atomics");

static _Atomic uint32_t *page_word(uint32_t *word)
{
	return (_Atomic uint32_t *)word;
}

/* A request field. Relaxed: the core reads fields with vioreq_page_load
 * (READ_ONCE) only after its vioreq_page_load_acquire of `processed` has
 * seen the PENDING that publish_state() stores with release. */
static void put(uint32_t *word, uint32_t value)
{
	atomic_store_explicit(page_word(word), value, memory_order_relaxed);
}

/* A result word. Relaxed: written by the client through vioreq_page_store,
 * or by the core's vioreq_slot_finish, before the core's
 * vioreq_page_store_release of COMPLETE, which state_acquire() saw. */
static uint32_t get(uint32_t *word)
{
	return atomic_load_explicit(page_word(word), memory_order_relaxed);
}

/* The state, acquire: pairs with vioreq_page_store_release of COMPLETE
 * (vioreq_slot_transition in vioreq_complete, vioreq_slot_finish). */
static uint32_t state_acquire(struct vioreq_slot *slot)
{
	return atomic_load_explicit(page_word(&slot->processed),
				    memory_order_acquire);
}

/* The hypervisor's own transitions, release: FREE -> PENDING pairs with
 * the core's vioreq_page_load_acquire in vioreq_dispatch_slot, so the
 * fields are seen; COMPLETE -> FREE orders our reads of the result before
 * the slot can be reused. */
static void publish_state(struct vioreq_slot *slot, uint32_t state)
{
	atomic_store_explicit(page_word(&slot->processed), state,
			      memory_order_release);
}

static void write_request(struct vioreq_slot *slot, const struct sim_access *a,
			  uint32_t polling)
{
	put(&slot->type, a->type);
	put(&slot->completion_polling, polling);
	put(&slot->kernel_handled, 0);
	put(&slot->data[VIOREQ_REQ_DIRECTION_WORD], a->dir);
	put(&slot->data[VIOREQ_REQ_SIZE_WORD], a->size);
	put(&slot->data[VIOREQ_REQ_SIZE_WORD + 1], 0);
	put(&slot->data[VIOREQ_REQ_VALUE32_WORD], (uint32_t)a->value);
	if (a->type == VIOREQ_TYPE_PCICFG) {
		/* acrn_pci_request: no address; bus/dev/func/reg after the
		 * 32-bit value. */
		put(&slot->data[VIOREQ_REQ_ADDRESS_WORD], 0);
		put(&slot->data[VIOREQ_REQ_ADDRESS_WORD + 1], 0);
		put(&slot->data[VIOREQ_REQ_PCI_BUS_WORD], a->bus);
		put(&slot->data[VIOREQ_REQ_PCI_DEV_WORD], a->dev);
		put(&slot->data[VIOREQ_REQ_PCI_FUNC_WORD], a->func);
		put(&slot->data[VIOREQ_REQ_PCI_REG_WORD], a->reg);
	} else {
		put(&slot->data[VIOREQ_REQ_ADDRESS_WORD], (uint32_t)a->address);
		put(&slot->data[VIOREQ_REQ_ADDRESS_WORD + 1],
		    (uint32_t)(a->address >> 32));
		put(&slot->data[VIOREQ_REQ_VALUE_WORD + 1],
		    (uint32_t)(a->value >> 32));
	}
}

/* Poll for COMPLETE; -ETIMEDOUT at the deadline. */
static int wait_polling(struct vioreq_slot *slot, uint64_t deadline_ns)
{
	uint32_t spins = 0;

	while (state_acquire(slot) != VIOREQ_STATE_COMPLETE) {
		if (++spins < 128) {
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#endif
			continue;
		}
		/* A polling vCPU owns its pCPU in ACRN; here it shares two
		 * cores with everyone, so it gives the CPU up between reads. */
		sched_yield();
		if ((spins & 255u) == 0 && sim_now_ns() > deadline_ns)
			return -ETIMEDOUT;
	}
	return 0;
}

/* Wait for the notification of COMPLETE; -ETIMEDOUT at the deadline. */
static int wait_notified(struct sim_vcpu *c, struct vioreq_slot *slot,
			 uint32_t seen, uint64_t deadline_ns)
{
	struct timespec deadline = {
		.tv_sec = (time_t)(deadline_ns / 1000000000ull),
		.tv_nsec = (long)(deadline_ns % 1000000000ull),
	};

	for (;;) {
		if (vioreq_futex_event_wait(&c->notified, seen, &deadline) != 0)
			return -ETIMEDOUT;
		seen = vioreq_futex_event_read(&c->notified);
		/* The notifier stored COMPLETE (release) before notifying: a
		 * notification without it belongs to no request of ours; the
		 * final count of notifications reports it. */
		if (state_acquire(slot) == VIOREQ_STATE_COMPLETE)
			return 0;
	}
}

int sim_hv_access(struct sim_vcpu *c, struct sim_access *a, uint64_t *result)
{
	struct sim *sim = c->sim;
	struct vioreq_slot *slot = &sim->page->slot[c->index];
	uint64_t start, end;
	uint32_t seen;
	int rc;

	if (sim->cfg.backend == SIM_BACKEND_KERNEL)
		return sim_hv_kernel_access(c, a, result);
	if (state_acquire(slot) != VIOREQ_STATE_FREE)
		c->duplicated++; /* someone moved our free slot */
	write_request(slot, a, c->polling ? 1u : 0u);
	seen = vioreq_futex_event_read(&c->notified);
	c->requests++;
	start = sim_now_ns();
	sim_trace_hv(sim, c->index, VIOREQ_STATE_FREE, VIOREQ_STATE_PENDING);
	publish_state(slot, VIOREQ_STATE_PENDING);
	vioreq_local_upcall(sim->vm);

	if (c->polling)
		rc = wait_polling(slot, start + sim->cfg.lost_timeout_ms *
						1000000ull);
	else
		rc = wait_notified(c, slot, seen,
				   start + sim->cfg.lost_timeout_ms *
						   1000000ull);
	if (rc != 0) {
		c->lost++;
		return rc;
	}
	end = sim_now_ns();
	*result = get(&slot->data[VIOREQ_REQ_VALUE_WORD]);
	if (a->type == VIOREQ_TYPE_MMIO)
		*result |= (uint64_t)get(&slot->data[VIOREQ_REQ_VALUE_WORD + 1])
			   << 32;
	sim_trace_hv(sim, c->index, VIOREQ_STATE_COMPLETE, VIOREQ_STATE_FREE);
	publish_state(slot, VIOREQ_STATE_FREE);

	if (!c->polling)
		c->notify_completions++;
	atomic_fetch_add_explicit(&c->completed, 1, memory_order_relaxed);
	sim_histogram_add(&c->latency->total, end - start);
	sim_histogram_add(&c->latency->by_type[a->type], end - start);
	sim_histogram_add(&c->latency->by_target[a->target], end - start);
	return 0;
}

/* The runtime's notify hook: the "request finished" hypercall. */
void sim_hv_notify(void *ctx, uint32_t vcpu)
{
	struct sim *sim = ctx;
	struct sim_vcpu *c;

	if (vcpu >= sim->cfg.vcpus)
		return;
	c = &sim->vcpus[vcpu];
	atomic_fetch_add_explicit(&c->notifications, 1, memory_order_relaxed);
	vioreq_futex_event_signal(&c->notified);
}

void *sim_vcpu_main(void *arg)
{
	struct sim_vcpu *c = arg;
	struct sim *sim = c->sim;

	while (!atomic_load_explicit(&sim->stop, memory_order_relaxed) &&
	       (c->quota == 0 || c->requests < c->quota)) {
		if (sim_workload_step(c) < 0)
			break; /* a request was lost: the slot is stuck */
	}
	c->finished_ns = sim_now_ns();
	atomic_fetch_sub_explicit(&sim->vcpus_running, 1, memory_order_release);
	return NULL;
}
