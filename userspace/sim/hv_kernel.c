// SPDX-License-Identifier: MIT
/*
 * The simulated hypervisor for the kernel backend: the VM lives in
 * vioreq.ko (backend=sim), whose in-kernel simulator owns the
 * hypervisor's side of the request page. A vCPU thread traps an access by
 * VIOREQ_SIM_INJECT (the module writes the slot, stores PENDING with
 * release order and fires the upcall) and waits with VIOREQ_SIM_WAIT for
 * the slot to be COMPLETE and, unless the request asked for completion
 * polling, notified by a NOTIFY_REQUEST_FINISH hypercall; the wait reads
 * the result and sets the slot FREE (kmod/include/uapi/vioreq_sim.h).
 *
 * Checks as with the local backend: a slot found not FREE before an
 * injection, and every notification beyond one per notified request, are
 * duplicates (the wait reports the notifications since the injection); a
 * request not complete within lost_timeout_ms is lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sim_internal.h"
#include "vioreq_sim.h"

int sim_hv_kernel_open(struct sim *sim, char *err, size_t errlen)
{
	sim->hv_fd = open(VIOREQ_SIM_DEVICE, O_RDWR | O_CLOEXEC);
	if (sim->hv_fd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "%s: %s (the kernel backend needs "
			 "vioreq.ko loaded with backend=sim)",
			 VIOREQ_SIM_DEVICE, strerror(-rc));
		return rc;
	}
	return 0;
}

static int inject(struct sim_vcpu *c, const struct sim_access *a,
		  uint32_t flags)
{
	struct sim *sim = c->sim;
	struct vioreq_sim_inject in;

	memset(&in, 0, sizeof(in));
	in.vmid = sim->vmid;
	in.vcpu = c->index;
	in.flags = flags;
	in.completion_polling = c->polling ? 1u : 0u;
	in.type = a->type;
	in.direction = a->dir;
	in.size = a->size;
	in.value = a->value;
	if (a->type == VIOREQ_TYPE_PCICFG) {
		in.pci_bus = a->bus;
		in.pci_dev = a->dev;
		in.pci_func = a->func;
		in.pci_reg = a->reg;
	} else {
		in.address = a->address;
	}
	if (ioctl(sim->hv_fd, VIOREQ_SIM_INJECT, &in) < 0)
		return -errno;
	return 0;
}

int sim_hv_kernel_access(struct sim_vcpu *c, struct sim_access *a,
			 uint64_t *result)
{
	struct sim *sim = c->sim;
	struct vioreq_sim_wait w;
	uint64_t start, end;
	int rc;

	c->requests++;
	start = sim_now_ns();
	sim_trace_hv(sim, c->index, VIOREQ_STATE_FREE, VIOREQ_STATE_PENDING);
	rc = inject(c, a, 0);
	if (rc == -EBUSY) {
		/* Someone moved our free slot. */
		c->duplicated++;
		rc = inject(c, a, VIOREQ_SIM_INJECT_FORCE);
	}
	if (rc != 0) {
		fprintf(stderr, "vioreq-sim: vCPU %u: VIOREQ_SIM_INJECT: %s\n",
			c->index, strerror(-rc));
		c->lost++;
		return rc;
	}

	/* The module's wait sleeps until a notification, or looks again
	 * every few milliseconds for a polled completion; EINTR only
	 * without SA_RESTART. */
	do {
		memset(&w, 0, sizeof(w));
		w.vmid = sim->vmid;
		w.vcpu = c->index;
		w.timeout_ms = sim->cfg.lost_timeout_ms;
		rc = ioctl(sim->hv_fd, VIOREQ_SIM_WAIT, &w) < 0 ? -errno : 0;
	} while (rc == -EINTR);
	if (rc == 0 || rc == -ETIMEDOUT)
		atomic_fetch_add_explicit(&c->notifications, w.notified,
					  memory_order_relaxed);
	if (rc != 0) {
		if (rc != -ETIMEDOUT)
			fprintf(stderr, "vioreq-sim: vCPU %u: "
				"VIOREQ_SIM_WAIT: %s\n", c->index,
				strerror(-rc));
		c->lost++;
		return rc;
	}
	end = sim_now_ns();
	/* PIO and PCI results are the low word; the next one is not
	 * theirs (for PCI it holds the bus). */
	*result = a->type == VIOREQ_TYPE_MMIO ? w.value :
		  (w.value & 0xFFFFFFFFu);
	sim_trace_hv(sim, c->index, VIOREQ_STATE_COMPLETE, VIOREQ_STATE_FREE);
	/*
	 * A request the core completes itself carries kernel_handled 1
	 * (REQ-DISPATCH-007): CF8 always, any other only when a clear or a
	 * client restart overlapped it (its result is then checked as
	 * such). One a userspace device served carries 0.
	 */
	if ((w.kernel_handled != 0) != (a->target == SIM_TARGET_CORE) &&
	    !(w.kernel_handled != 0 && sim_op_disrupted(c)) &&
	    c->wrong++ < 5)
		fprintf(stderr, "vioreq-sim: vCPU %u: request for %s came "
			"back with kernel_handled %u\n", c->index,
			sim_target_name(sim, a->target), w.kernel_handled);

	if (!c->polling)
		c->notify_completions++;
	atomic_fetch_add_explicit(&c->completed, 1, memory_order_relaxed);
	sim_histogram_add(&c->latency->total, end - start);
	sim_histogram_add(&c->latency->by_type[a->type], end - start);
	sim_histogram_add(&c->latency->by_target[a->target], end - start);
	return 0;
}
