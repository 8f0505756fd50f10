// SPDX-License-Identifier: MIT
/* End-of-run report (report.h). */
#include "report.h"

static const char *const type_names[VIOREQ_TYPE_COUNT] = {
	[VIOREQ_TYPE_PORTIO] = "PORTIO",
	[VIOREQ_TYPE_MMIO] = "MMIO",
	[VIOREQ_TYPE_PCICFG] = "PCICFG",
};

const char *sim_mode_name(enum sim_mode mode)
{
	switch (mode) {
	case SIM_MODE_NOTIFY: return "notify";
	case SIM_MODE_POLL: return "poll";
	default: return "mixed";
	}
}

const char *sim_backend_name(enum sim_backend backend)
{
	return backend == SIM_BACKEND_KERNEL ? "kernel" : "local";
}

static double rate(uint64_t count, double seconds)
{
	return seconds > 0 ? (double)count / seconds : 0;
}

static void table_row(FILE *out, const char *name,
		      const struct sim_latency_summary *s, double seconds)
{
	fprintf(out, "  %-12s %10llu %12.0f %10.1f %10.1f\n", name,
		(unsigned long long)s->count, rate(s->count, seconds),
		s->p50_us, s->p99_us);
}

void sim_report_table(FILE *out, const struct sim *sim,
		      const struct sim_config *cfg,
		      const struct sim_results *res)
{
	uint32_t t;

	fprintf(out, "vioreq-sim: %s backend, %u vCPUs, %u I/O clients + "
		"default, %u extra ranges, mode %s, %.2f s\n",
		sim_backend_name(cfg->backend), cfg->vcpus, cfg->clients,
		cfg->ranges, sim_mode_name(cfg->mode), res->elapsed_s);
	fprintf(out, "  %-12s %10s %12s %10s %10s\n", "request type", "count",
		"req/s", "p50 us", "p99 us");
	for (t = 0; t < VIOREQ_TYPE_COUNT; t++)
		table_row(out, type_names[t], &res->by_type[t], res->elapsed_s);
	fprintf(out, "  %-12s %10s %12s %10s %10s\n", "client", "count",
		"req/s", "p50 us", "p99 us");
	for (t = 0; t < res->target_count; t++)
		table_row(out, sim_target_name(sim, t), &res->by_target[t],
			  res->elapsed_s);
	table_row(out, "total", &res->total, res->elapsed_s);
	if (res->disrupted)
		fprintf(out, "  %llu requests overlapped a client restart or "
			"a clear\n", (unsigned long long)res->disrupted);
	fprintf(out, "lost %llu, duplicated %llu, wrong %llu\n",
		(unsigned long long)res->lost,
		(unsigned long long)res->duplicated,
		(unsigned long long)res->wrong);
}

static void json_summary(FILE *out, const char *name,
			 const struct sim_latency_summary *s, double seconds,
			 const char *sep)
{
	fprintf(out, "    {\"name\": \"%s\", \"count\": %llu, "
		"\"per_second\": %.1f, \"p50_us\": %.2f, \"p99_us\": %.2f}%s\n",
		name, (unsigned long long)s->count, rate(s->count, seconds),
		s->p50_us, s->p99_us, sep);
}

void sim_report_json(FILE *out, const struct sim *sim,
		     const struct sim_config *cfg,
		     const struct sim_results *res)
{
	uint32_t t;

	fprintf(out, "{\n  \"config\": {\"backend\": \"%s\", "
		"\"vcpus\": %u, \"clients\": %u, "
		"\"ranges\": %u, \"mode\": \"%s\", \"requests\": %llu, "
		"\"seed\": %llu},\n", sim_backend_name(cfg->backend),
		cfg->vcpus, cfg->clients, cfg->ranges,
		sim_mode_name(cfg->mode), (unsigned long long)cfg->requests,
		(unsigned long long)cfg->seed);
	fprintf(out, "  \"elapsed_s\": %.3f,\n  \"types\": [\n",
		res->elapsed_s);
	for (t = 0; t < VIOREQ_TYPE_COUNT; t++)
		json_summary(out, type_names[t], &res->by_type[t],
			     res->elapsed_s,
			     t + 1 < VIOREQ_TYPE_COUNT ? "," : "");
	fprintf(out, "  ],\n  \"clients\": [\n");
	for (t = 0; t < res->target_count; t++)
		json_summary(out, sim_target_name(sim, t), &res->by_target[t],
			     res->elapsed_s,
			     t + 1 < res->target_count ? "," : "");
	fprintf(out, "  ],\n  \"total\":\n");
	json_summary(out, "total", &res->total, res->elapsed_s, ",");
	fprintf(out, "  \"requests\": %llu, \"completed\": %llu, "
		"\"disrupted\": %llu,\n  \"lost\": %llu, \"duplicated\": %llu, "
		"\"wrong\": %llu,\n  \"ok\": %s\n}\n",
		(unsigned long long)res->requests,
		(unsigned long long)res->completed,
		(unsigned long long)res->disrupted,
		(unsigned long long)res->lost,
		(unsigned long long)res->duplicated,
		(unsigned long long)res->wrong,
		res->lost + res->duplicated + res->wrong == 0 ? "true" : "false");
}
