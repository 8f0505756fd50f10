// SPDX-License-Identifier: MIT
/*
 * The I/O clients of the simulated VM, each on its own thread, in the
 * Linux HSM client loop: attach (block until requests are assigned), read
 * each request, run the device model, notify the request finished; until
 * the client is destroyed (attach returns -ENODEV).
 */
#include <stdio.h>

#include "sim_internal.h"

uint64_t sim_window_salt(uint32_t target)
{
	return 0x5A170000u + target;
}

uint32_t sim_window_owner(const struct sim *sim, uint32_t window)
{
	/* Round robin over the device clients: UART, then the PCI ones. */
	return SIM_TARGET_UART + window % (1u + sim->pci_count);
}

static uint64_t request_key(const struct vioreq_rt_request *r)
{
	if (r->type == VIOREQ_TYPE_PCICFG)
		return (uint64_t)r->pci_bus << VIOREQ_PCI_BUS_SHIFT |
		       (uint64_t)r->pci_dev << VIOREQ_PCI_DEV_SHIFT |
		       (uint64_t)r->pci_func << VIOREQ_PCI_FUNC_SHIFT |
		       r->pci_reg;
	return r->address;
}

static bool in_window(const struct vioreq_rt_request *r)
{
	return r->type == VIOREQ_TYPE_MMIO && r->address >= SIM_WINDOW_BASE &&
	       r->address < SIM_WINDOW_BASE +
				    (uint64_t)SIM_MAX_EXTRA_RANGES *
					    SIM_WINDOW_SIZE;
}

/* Run the device model of client cl on request r; the value read. */
static uint64_t serve(struct sim_client *cl, const struct vioreq_rt_request *r)
{
	struct sim *sim = cl->sim;
	uint32_t size = (uint32_t)r->size;
	uint64_t value = 0;

	if (cl->target == SIM_TARGET_DEFAULT || in_window(r))
		return r->direction == VIOREQ_DIR_READ ?
		       sim_hash_read(cl->salt, r->type, request_key(r),
				     r->size) : 0;
	if (cl->target == SIM_TARGET_UART) {
		pthread_mutex_lock(&sim->uart_lock);
		value = sim_uart_access(&sim->uart, r->direction,
					(uint32_t)(r->address - SIM_UART_BASE),
					(uint32_t)r->value);
		pthread_mutex_unlock(&sim->uart_lock);
		return value;
	}
	{
		uint32_t i = cl->target - SIM_TARGET_PCI0;
		uint64_t bar = SIM_PCI_BAR_BASE + (uint64_t)i * SIM_PCI_BAR_STRIDE;

		pthread_mutex_lock(&sim->pci_lock[i]);
		if (r->type == VIOREQ_TYPE_PCICFG)
			value = sim_pci_config_access(&sim->pci[i],
						      r->direction, r->pci_reg,
						      size, r->value);
		else
			value = sim_pci_bar_access(&sim->pci[i], r->direction,
						   (uint32_t)(r->address - bar),
						   size, r->value);
		pthread_mutex_unlock(&sim->pci_lock[i]);
		return value;
	}
}

static void *client_main(void *arg)
{
	struct sim_client *cl = arg;
	struct vioreq_rt_vm *vm = cl->sim->vm;
	int id = atomic_load(&cl->id);
	struct vioreq_rt_request req;
	uint32_t pending, v;
	int rc;

	for (;;) {
		rc = vioreq_rt_attach(vm, id, &pending);
		if (rc != 0)
			break; /* -ENODEV: destroyed */
		for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
			if (!(pending & (1u << v)))
				continue;
			/* Fails only when the client was destroyed (or the
			 * VM cleared) meanwhile: the core completed it. */
			if (vioreq_rt_request(vm, id, v, &req) != 0)
				continue;
			(void)vioreq_rt_notify_request_finish(
				vm, id, v, serve(cl, &req));
		}
	}
	return NULL;
}

int sim_client_start(struct sim_client *cl)
{
	int id = vioreq_rt_create_client(cl->sim->vm, cl->flags, cl->ranges,
					 cl->range_count);
	int rc;

	if (id < 0)
		return id;
	atomic_store(&cl->id, id);
	rc = pthread_create(&cl->thread, NULL, client_main, cl);
	if (rc != 0) {
		(void)vioreq_rt_destroy_client(cl->sim->vm, id);
		return -rc;
	}
	cl->running = true;
	return 0;
}

void sim_client_stop(struct sim_client *cl)
{
	if (!cl->running)
		return;
	(void)vioreq_rt_destroy_client(cl->sim->vm, atomic_load(&cl->id));
	pthread_join(cl->thread, NULL);
	cl->running = false;
}
