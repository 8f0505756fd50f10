// SPDX-License-Identifier: MIT
/*
 * --trace: one line per slot transition, with the time, the vCPU, the
 * actor (hypervisor, or the service module on behalf of a client or of the
 * core itself), and the states.
 */
#include "sim_internal.h"
#include "vioreq/runtime_local.h"

static const char *state_name(uint32_t s)
{
	switch (s) {
	case VIOREQ_STATE_PENDING: return "PENDING";
	case VIOREQ_STATE_COMPLETE: return "COMPLETE";
	case VIOREQ_STATE_PROCESSING: return "PROCESSING";
	case VIOREQ_STATE_FREE: return "FREE";
	default: return "INVALID";
	}
}

static void trace_line(struct sim *sim, uint32_t vcpu, const char *actor,
		       const char *client, uint32_t from, uint32_t to)
{
	struct timespec now;
	double t;

	clock_gettime(CLOCK_MONOTONIC, &now);
	t = (double)(now.tv_sec - sim->t_start.tv_sec) +
	    (double)(now.tv_nsec - sim->t_start.tv_nsec) / 1e9;
	pthread_mutex_lock(&sim->trace_lock);
	fprintf(sim->cfg.trace, "%.6f vcpu %u %s%s%s %s -> %s\n", t, vcpu,
		actor, client ? " " : "", client ? client : "",
		state_name(from), state_name(to));
	pthread_mutex_unlock(&sim->trace_lock);
}

void sim_trace_hv(struct sim *sim, uint32_t vcpu, uint32_t from, uint32_t to)
{
	if (sim->cfg.trace)
		trace_line(sim, vcpu, "hypervisor", NULL, from, to);
}

/* The runtime's trace hook (called with the VM lock held). */
void sim_trace_service(void *ctx, uint32_t vcpu, uint32_t from, uint32_t to,
		       uint32_t client)
{
	struct sim *sim = ctx;
	const char *name = "core";
	uint32_t t;

	if (!sim->cfg.trace)
		return;
	if (client != VIOREQ_LOCAL_BY_CORE) {
		name = "client?";
		for (t = 0; t < SIM_TARGET_COUNT; t++)
			if (sim->clients[t].present &&
			    (uint32_t)atomic_load(&sim->clients[t].id) == client)
				name = sim_target_name(sim, t);
	}
	trace_line(sim, vcpu, "service", name, from, to);
}
