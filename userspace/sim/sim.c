// SPDX-License-Identifier: MIT
/*
 * The simulator's lifetime: the VM and its page, the device clients, the
 * vCPU threads, restarts and clears while traffic runs, and the results.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_internal.h"
#include "vioreq/runtime_kernel.h"
#include "vioreq/runtime_local.h"

static const char *const fixed_names[] = {
	[SIM_TARGET_CORE] = "core (CF8)",
	[SIM_TARGET_DEFAULT] = "default",
	[SIM_TARGET_UART] = "uart",
};

static const char *const pci_names[SIM_MAX_DEVICE_CLIENTS] = {
	"pci0", "pci1", "pci2", "pci3", "pci4", "pci5", "pci6", "pci7",
	"pci8", "pci9", "pci10", "pci11", "pci12", "pci13", "pci14", "pci15",
};

const char *sim_target_name(const struct sim *sim, uint32_t target)
{
	(void)sim;
	if (target < SIM_TARGET_PCI0)
		return fixed_names[target];
	if (target < SIM_TARGET_COUNT)
		return pci_names[target - SIM_TARGET_PCI0];
	return "?";
}

static int config_check(const struct sim_config *cfg, char *err,
			size_t errlen)
{
	if (cfg->vcpus < 1 || cfg->vcpus > SIM_MAX_VCPUS) {
		snprintf(err, errlen, "vcpus must be 1 to %u", SIM_MAX_VCPUS);
		return -EINVAL;
	}
	if (cfg->clients < 1 || cfg->clients > SIM_MAX_DEVICE_CLIENTS) {
		snprintf(err, errlen, "clients must be 1 to %u",
			 SIM_MAX_DEVICE_CLIENTS);
		return -EINVAL;
	}
	if (cfg->ranges > SIM_MAX_EXTRA_RANGES) {
		snprintf(err, errlen, "ranges must be 0 to %u",
			 SIM_MAX_EXTRA_RANGES);
		return -EINVAL;
	}
	if (cfg->backend != SIM_BACKEND_LOCAL &&
	    cfg->backend != SIM_BACKEND_KERNEL) {
		snprintf(err, errlen, "unknown backend");
		return -EINVAL;
	}
	if (cfg->mode != SIM_MODE_NOTIFY && cfg->mode != SIM_MODE_POLL &&
	    cfg->mode != SIM_MODE_MIXED) {
		snprintf(err, errlen, "unknown mode");
		return -EINVAL;
	}
	return 0;
}

/* The ranges of each device client: its own, plus its extra windows. */
static int client_ranges(struct sim *sim, struct sim_client *cl)
{
	uint32_t max = 2 + sim->cfg.ranges, w;

	cl->ranges = calloc(max, sizeof(*cl->ranges));
	if (!cl->ranges)
		return -ENOMEM;
	if (cl->target == SIM_TARGET_UART) {
		cl->ranges[cl->range_count++] = (struct vioreq_rt_range){
			VIOREQ_TYPE_PORTIO, SIM_UART_BASE,
			SIM_UART_BASE + SIM_UART_PORTS - 1
		};
	} else if (cl->target >= SIM_TARGET_PCI0) {
		uint32_t i = cl->target - SIM_TARGET_PCI0;
		uint64_t key = (uint64_t)(SIM_PCI_FIRST_DEV + i)
			       << VIOREQ_PCI_DEV_SHIFT;
		uint64_t bar = SIM_PCI_BAR_BASE + (uint64_t)i * SIM_PCI_BAR_STRIDE;

		cl->ranges[cl->range_count++] = (struct vioreq_rt_range){
			VIOREQ_TYPE_PCICFG, key, key + 0xFFF
		};
		cl->ranges[cl->range_count++] = (struct vioreq_rt_range){
			VIOREQ_TYPE_MMIO, bar, bar + SIM_PCI_BAR_SIZE - 1
		};
	}
	if (cl->target == SIM_TARGET_DEFAULT)
		return 0;
	for (w = 0; w < sim->cfg.ranges; w++) {
		uint64_t start = SIM_WINDOW_BASE + (uint64_t)w * SIM_WINDOW_SIZE;

		if (sim_window_owner(sim, w) == cl->target)
			cl->ranges[cl->range_count++] = (struct vioreq_rt_range){
				VIOREQ_TYPE_MMIO, start,
				start + SIM_WINDOW_SIZE - 1
			};
	}
	return 0;
}

int sim_create(const struct sim_config *config, struct sim **out, char *err,
	       size_t errlen)
{
	struct vioreq_local_config local = { 0 };
	struct vioreq_kernel_config kernel = { 0 };
	struct sim *sim;
	uint32_t t, v, i;
	int rc;

	rc = config_check(config, err, errlen);
	if (rc != 0)
		return rc;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	sim->cfg = *config;
	sim->hv_fd = -1;
	if (sim->cfg.lost_timeout_ms == 0)
		sim->cfg.lost_timeout_ms = 5000;
	sim->pci_count = config->clients - 1;
	sim->page = aligned_alloc(VIOREQ_PAGE_SIZE, sizeof(*sim->page));
	sim->pci = calloc(sim->pci_count + 1, sizeof(*sim->pci));
	if (!sim->page || !sim->pci) {
		snprintf(err, errlen, "out of memory");
		sim_destroy(sim);
		return -ENOMEM;
	}
	memset(sim->page, 0, sizeof(*sim->page));
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		sim->page->slot[v].processed = VIOREQ_STATE_FREE;

	sim_uart_init(&sim->uart);
	pthread_mutex_init(&sim->uart_lock, NULL);
	for (i = 0; i < SIM_MAX_DEVICE_CLIENTS; i++)
		pthread_mutex_init(&sim->pci_lock[i], NULL);
	for (i = 0; i < sim->pci_count; i++)
		sim_pci_dev_init(&sim->pci[i], i,
				 SIM_PCI_BAR_BASE + i * SIM_PCI_BAR_STRIDE);
	pthread_mutex_init(&sim->guest_pci_lock, NULL);
	pthread_mutex_init(&sim->control_lock, NULL);
	pthread_mutex_init(&sim->trace_lock, NULL);
	atomic_init(&sim->disruption, 0);
	atomic_init(&sim->stop, false);
	atomic_init(&sim->vcpus_running, 0);

	if (config->backend == SIM_BACKEND_KERNEL) {
		/* The hypervisor is vioreq.ko's simulator; the VM is made
		 * on /dev/acrn_hsm, which pins the page. */
		rc = sim_hv_kernel_open(sim, err, errlen);
		if (rc != 0) {
			sim_destroy(sim);
			return rc == -EINVAL ? -EIO : rc;
		}
		kernel.trace = config->trace ? sim_trace_service : NULL;
		kernel.ctx = sim;
		kernel.clear_timeout_ms = SIM_CLEAR_TIMEOUT_MS;
		rc = vioreq_rt_create_vm(&vioreq_kernel_backend, sim->page,
					 &kernel, &sim->vm);
	} else {
		local.notify = sim_hv_notify;
		local.trace = config->trace ? sim_trace_service : NULL;
		local.ctx = sim;
		local.clear_timeout_ms = SIM_CLEAR_TIMEOUT_MS;
		local.spin_ns = config->spin_ns;
		rc = vioreq_rt_create_vm(&vioreq_local_backend, sim->page,
					 &local, &sim->vm);
	}
	if (rc != 0) {
		snprintf(err, errlen, "creating the VM (%s backend) failed: %s",
			 config->backend == SIM_BACKEND_KERNEL ? "kernel" :
			 "local", strerror(-rc));
		sim_destroy(sim);
		/* -EINVAL means bad options to the caller (exit 2). */
		return rc == -EINVAL ? -EIO : rc;
	}
	if (config->backend == SIM_BACKEND_KERNEL) {
		uint16_t vcpu_num = 0;

		(void)vioreq_kernel_vm_info(sim->vm, &sim->vmid, &vcpu_num);
		if (vcpu_num < config->vcpus) {
			snprintf(err, errlen, "the kernel's VM has %u vCPUs, "
				 "fewer than %u", vcpu_num, config->vcpus);
			sim_destroy(sim);
			return -EIO;
		}
	}

	for (t = SIM_TARGET_DEFAULT; t < SIM_TARGET_PCI0 + sim->pci_count; t++) {
		struct sim_client *cl = &sim->clients[t];

		cl->sim = sim;
		cl->target = t;
		cl->present = true;
		cl->flags = t == SIM_TARGET_DEFAULT ? VIOREQ_RT_CLIENT_DEFAULT : 0;
		cl->salt = t == SIM_TARGET_DEFAULT ? SIM_DEFAULT_SALT :
			   sim_window_salt(t);
		atomic_init(&cl->id, -1);
		if (client_ranges(sim, cl) != 0) {
			snprintf(err, errlen, "out of memory");
			sim_destroy(sim);
			return -ENOMEM;
		}
	}

	for (v = 0; v < config->vcpus; v++) {
		struct sim_vcpu *c = &sim->vcpus[v];

		c->sim = sim;
		c->index = v;
		c->polling = config->mode == SIM_MODE_POLL ||
			     (config->mode == SIM_MODE_MIXED && (v & 1u));
		if (config->requests)
			c->quota = config->requests / config->vcpus +
				   (v < config->requests % config->vcpus);
		vioreq_futex_event_init(&c->notified);
		atomic_init(&c->notifications, 0);
		atomic_init(&c->completed, 0);
		c->latency = calloc(1, sizeof(*c->latency));
		c->pci = calloc(sim->pci_count + 1, sizeof(*c->pci));
		if (!c->latency || !c->pci) {
			snprintf(err, errlen, "out of memory");
			sim_destroy(sim);
			return -ENOMEM;
		}
		sim_workload_init(c);
	}
	*out = sim;
	return 0;
}

int sim_start(struct sim *sim)
{
	uint32_t t, v;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &sim->t_start);
	for (t = 0; t < SIM_TARGET_COUNT; t++) {
		if (!sim->clients[t].present)
			continue;
		rc = sim_client_start(&sim->clients[t]);
		if (rc != 0) {
			while (t-- > 0)
				sim_client_stop(&sim->clients[t]);
			return rc;
		}
	}
	sim->started = true;
	for (v = 0; v < sim->cfg.vcpus; v++) {
		atomic_fetch_add(&sim->vcpus_running, 1);
		rc = pthread_create(&sim->vcpus[v].thread, NULL, sim_vcpu_main,
				    &sim->vcpus[v]);
		if (rc != 0) {
			/* The ones started stop at once; sim_wait joins them. */
			atomic_fetch_sub(&sim->vcpus_running,
					 sim->cfg.vcpus - v);
			sim->cfg.vcpus = v;
			sim_stop(sim);
			return -rc;
		}
	}
	return 0;
}

void sim_stop(struct sim *sim)
{
	atomic_store(&sim->stop, true);
}

bool sim_done(struct sim *sim)
{
	return atomic_load_explicit(&sim->vcpus_running,
				    memory_order_acquire) == 0;
}

uint64_t sim_completed(struct sim *sim)
{
	uint64_t n = 0;
	uint32_t v;

	for (v = 0; v < sim->cfg.vcpus; v++)
		n += atomic_load_explicit(&sim->vcpus[v].completed,
					  memory_order_relaxed);
	return n;
}

int sim_restart_client(struct sim *sim, uint32_t target)
{
	struct sim_client *cl;
	int rc;

	if (target >= SIM_TARGET_COUNT || !sim->clients[target].present)
		return -EINVAL;
	cl = &sim->clients[target];
	pthread_mutex_lock(&sim->control_lock);
	/* Odd from before the destroy until the new client serves, and the
	 * old thread is gone (so it cannot write a device after a vCPU's
	 * reinit that follows). */
	atomic_fetch_add(&sim->disruption, 1);
	sim_client_stop(cl);
	rc = sim_client_start(cl);
	atomic_fetch_add(&sim->disruption, 1);
	pthread_mutex_unlock(&sim->control_lock);
	return rc;
}

int sim_clear(struct sim *sim)
{
	int rc;

	pthread_mutex_lock(&sim->control_lock);
	atomic_fetch_add(&sim->disruption, 1);
	/* No guest CF8/CFC sequence straddles the clear: a CF8 write that
	 * clear completes unapplied would send the CFC access that follows
	 * to another vCPU's register. */
	pthread_mutex_lock(&sim->guest_pci_lock);
	rc = vioreq_rt_clear(sim->vm);
	pthread_mutex_unlock(&sim->guest_pci_lock);
	atomic_fetch_add(&sim->disruption, 1);
	pthread_mutex_unlock(&sim->control_lock);
	return rc;
}

void sim_wait(struct sim *sim)
{
	uint32_t v, t;

	if (!sim->started || sim->waited)
		return;
	for (v = 0; v < sim->cfg.vcpus; v++)
		pthread_join(sim->vcpus[v].thread, NULL);
	for (t = 0; t < SIM_TARGET_COUNT; t++)
		sim_client_stop(&sim->clients[t]);
	sim->waited = true;
}

void sim_results(struct sim *sim, struct sim_results *res)
{
	struct sim_latency *all = calloc(1, sizeof(*all));
	uint64_t tx_certain = 0, tx_sum = 0, tx_uncertain = 0;
	uint32_t v, t;

	uint64_t start_ns = (uint64_t)sim->t_start.tv_sec * 1000000000ull +
			    (uint64_t)sim->t_start.tv_nsec;
	uint64_t end_ns = start_ns;

	memset(res, 0, sizeof(*res));
	/* Until the last vCPU finished, not until someone noticed. */
	for (v = 0; v < sim->cfg.vcpus; v++)
		if (sim->vcpus[v].finished_ns > end_ns)
			end_ns = sim->vcpus[v].finished_ns;
	res->elapsed_s = (double)(end_ns - start_ns) / 1e9;
	for (v = 0; v < sim->cfg.vcpus; v++) {
		struct sim_vcpu *c = &sim->vcpus[v];
		uint64_t notes = atomic_load(&c->notifications);

		res->requests += c->requests;
		res->completed += atomic_load(&c->completed);
		res->lost += c->lost;
		res->wrong += c->wrong;
		res->disrupted += c->disrupted;
		res->duplicated += c->duplicated;
		/* Exactly one notification per notified completion; a lost
		 * request may still be notified late. */
		if (notes > c->notify_completions + c->lost)
			res->duplicated += notes - c->notify_completions -
					   c->lost;
		tx_certain += c->tx_certain;
		tx_sum += c->tx_certain_sum;
		tx_uncertain += c->tx_uncertain;
		if (all) {
			sim_histogram_merge(&all->total, &c->latency->total);
			for (t = 0; t < VIOREQ_TYPE_COUNT; t++)
				sim_histogram_merge(&all->by_type[t],
						    &c->latency->by_type[t]);
			for (t = 0; t < SIM_TARGET_COUNT; t++)
				sim_histogram_merge(&all->by_target[t],
						    &c->latency->by_target[t]);
		}
	}
	/* The UART transmitted exactly what vCPU 0 wrote to THR (give or
	 * take the writes a restart may have dropped). */
	if (sim->uart.tx_count < tx_certain ||
	    sim->uart.tx_count > tx_certain + tx_uncertain ||
	    (tx_uncertain == 0 && sim->uart.tx_sum != tx_sum)) {
		fprintf(stderr, "vioreq-sim: UART sent %llu bytes, vCPU 0 "
			"wrote %llu (+%llu unsure)\n",
			(unsigned long long)sim->uart.tx_count,
			(unsigned long long)tx_certain,
			(unsigned long long)tx_uncertain);
		res->wrong++;
	}
	res->target_count = SIM_TARGET_PCI0 + sim->pci_count;
	if (all) {
		sim_histogram_summary(&all->total, &res->total);
		for (t = 0; t < VIOREQ_TYPE_COUNT; t++)
			sim_histogram_summary(&all->by_type[t],
					      &res->by_type[t]);
		for (t = 0; t < SIM_TARGET_COUNT; t++)
			sim_histogram_summary(&all->by_target[t],
					      &res->by_target[t]);
		free(all);
	}
}

void sim_destroy(struct sim *sim)
{
	uint32_t t, v;

	if (!sim)
		return;
	sim_stop(sim);
	sim_wait(sim);
	if (sim->vm)
		vioreq_rt_destroy_vm(sim->vm);
	if (sim->hv_fd >= 0)
		close(sim->hv_fd);
	for (t = 0; t < SIM_TARGET_COUNT; t++)
		free(sim->clients[t].ranges);
	for (v = 0; v < SIM_MAX_VCPUS; v++) {
		free(sim->vcpus[v].latency);
		free(sim->vcpus[v].pci);
	}
	free(sim->pci);
	free(sim->page);
	free(sim);
}
