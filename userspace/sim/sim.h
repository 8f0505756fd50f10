/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor simulator: a User VM whose vCPU threads trap accesses of
 * a workload into the request page, driving each slot as the hypervisor
 * does, served through libvioreq (local or kernel backend) by I/O client
 * threads that run device models; every read result is checked.
 *
 *   sim_create -> sim_start -> [sim_restart_client, sim_clear, sim_stop]
 *   -> sim_wait -> sim_results -> sim_destroy
 */
#ifndef VIOREQ_SIM_H
#define VIOREQ_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vioreq/spec_gen.h"

#define SIM_MAX_VCPUS VIOREQ_SLOT_COUNT
#define SIM_MAX_DEVICE_CLIENTS 16u	/* besides the default client */
#define SIM_MAX_EXTRA_RANGES 1024u

/* How vCPUs wait for completion. */
enum sim_mode {
	SIM_MODE_NOTIFY,	/* completion_polling = 0: notified */
	SIM_MODE_POLL,		/* completion_polling = 1: poll the slot */
	SIM_MODE_MIXED,		/* odd vCPUs poll, even ones are notified */
};

/* Which libvioreq backend serves the VM. */
enum sim_backend {
	SIM_BACKEND_LOCAL,	/* in-process; the vCPU threads write the page */
	SIM_BACKEND_KERNEL,	/* /dev/acrn_hsm (vioreq.ko backend=sim); the
				 * vCPUs inject and wait through
				 * /dev/vioreq_sim */
};

struct sim_config {
	uint32_t vcpus;		/* 1 .. SIM_MAX_VCPUS */
	uint32_t clients;	/* device clients: 1 = UART, 2 = + one PCI
				 * device, n = + n - 1 PCI devices */
	uint32_t ranges;	/* extra 4 KiB MMIO windows of the clients */
	uint64_t requests;	/* total requests; 0: run until sim_stop */
	enum sim_mode mode;
	uint64_t seed;
	uint32_t lost_timeout_ms; /* a request not complete after this is lost */
	uint32_t spin_ns;	/* the runtime's spin_ns (runtime_local.h):
				 * 0 = never spin */
	FILE *trace;		/* every slot transition, or NULL */
	enum sim_backend backend;	/* default (0): local */
};

/* Targets: who serves an access, the rows of the per-client table. */
#define SIM_TARGET_CORE 0u	/* CF8, served by the core itself */
#define SIM_TARGET_DEFAULT 1u
#define SIM_TARGET_UART 2u
#define SIM_TARGET_PCI0 3u	/* SIM_TARGET_PCI0 + i: PCI device i */
#define SIM_TARGET_COUNT (SIM_TARGET_PCI0 + SIM_MAX_DEVICE_CLIENTS)

struct sim_latency_summary {
	uint64_t count;
	double p50_us;
	double p99_us;
};

struct sim_results {
	double elapsed_s;
	uint64_t requests;	/* issued by the vCPUs */
	uint64_t completed;	/* seen COMPLETE and freed */
	uint64_t lost;		/* never completed within the timeout */
	uint64_t duplicated;	/* extra notifications, slots not FREE */
	uint64_t wrong;		/* read results the device model disagrees with */
	uint64_t disrupted;	/* requests overlapping a client restart or a
				 * clear, checked against the set of results
				 * allowed then */
	struct sim_latency_summary total;
	struct sim_latency_summary by_type[VIOREQ_TYPE_COUNT];
	struct sim_latency_summary by_target[SIM_TARGET_COUNT];
	uint32_t target_count;	/* rows of by_target in use */
};

struct sim;

/* Validate the config and set everything up (nothing runs yet); returns 0
 * or a negative errno, with a message in err (size errlen). */
int sim_create(const struct sim_config *config, struct sim **out,
	       char *err, size_t errlen);
int sim_start(struct sim *sim);
/* Ask the vCPUs to stop after their current operation. */
void sim_stop(struct sim *sim);
/* Whether every vCPU has finished. */
bool sim_done(struct sim *sim);
/* Requests completed so far (for progress lines). */
uint64_t sim_completed(struct sim *sim);
/* Destroy client `target` (SIM_TARGET_DEFAULT, _UART, _PCI0 + i) and
 * create it again with the same ranges, while traffic runs. */
int sim_restart_client(struct sim *sim, uint32_t target);
/* VIOREQ clear while traffic runs. */
int sim_clear(struct sim *sim);
/* Join the vCPUs, then stop the clients and the VM. */
void sim_wait(struct sim *sim);
void sim_results(struct sim *sim, struct sim_results *res);
const char *sim_target_name(const struct sim *sim, uint32_t target);
void sim_destroy(struct sim *sim);

#endif /* VIOREQ_SIM_H */
