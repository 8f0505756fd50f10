// SPDX-License-Identifier: MIT
/*
 * vioreq-sim: a simulated User VM whose vCPUs trap PIO, MMIO and PCI
 * configuration accesses to a UART, PCI devices and the default client,
 * served through libvioreq, with every result checked. Prints a table per
 * request type and per client and exits 0 only when nothing was lost,
 * duplicated or wrong (1 otherwise, 2 for bad options).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "sim.h"

#define DEFAULT_SECONDS 2.0

static const char usage[] =
	"usage: vioreq-sim [options]\n"
	"  --backend B      local (the runtime in this process, default) or\n"
	"                   kernel (/dev/acrn_hsm of vioreq.ko loaded with\n"
	"                   backend=sim; the vCPUs trap through /dev/vioreq_sim)\n"
	"  --vcpus N        vCPUs, 1-16 (default 4)\n"
	"  --clients N      I/O clients besides the default one, 1-16: the UART,\n"
	"                   then PCI devices (default 2: uart, pci0)\n"
	"  --ranges N       extra 4 KiB MMIO ranges spread over those clients,\n"
	"                   0-1024 (default 0)\n"
	"  --requests N     stop after N requests\n"
	"  --seconds S      stop after S seconds (default 2)\n"
	"  --mode M         poll, notify or mixed: how vCPUs wait for completion\n"
	"                   (default notify)\n"
	"  --seed N         workload seed (default 1)\n"
	"  --spin-us N      the runtime's spin-then-block time, 0-1000000 us:\n"
	"                   threads spin this long (dispatching inline) before\n"
	"                   they sleep (default 0: never spin)\n"
	"  --churn          while traffic runs, destroy and re-create every\n"
	"                   client once and clear the VM once (needs --requests)\n"
	"  --trace          print every slot transition (actor, from, to)\n"
	"  --json           print the results as JSON\n"
	"  --help           this text\n";

static int bad_option(const char *fmt, const char *arg)
{
	fprintf(stderr, "vioreq-sim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'vioreq-sim --help'.\n");
	return 2;
}

static int parse_u64(const char *arg, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!arg || *arg == '\0' || *arg == '-')
		return -1;
	v = strtoull(arg, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * --churn: event k (of `events`) fires once (k + 1) / (events + 1) of the
 * requests have completed: the middle one is a clear, the others restart
 * the default client, the UART, then the PCI devices. Returns how many
 * failed.
 */
static uint32_t churn_step(struct sim *sim, uint64_t requests,
			   uint32_t events, uint32_t *done)
{
	uint32_t failed = 0;

	while (*done < events &&
	       sim_completed(sim) >= requests * (*done + 1) / (events + 1)) {
		uint32_t k = (*done)++;
		const char *what = "clear";
		int r;

		if (k == events / 2) {
			r = sim_clear(sim);
		} else {
			uint32_t target = SIM_TARGET_DEFAULT +
					  (k < events / 2 ? k : k - 1);

			what = sim_target_name(sim, target);
			r = sim_restart_client(sim, target);
		}
		if (r != 0) {
			fprintf(stderr, "vioreq-sim: churn: %s failed: %s\n",
				what, strerror(-r));
			failed++;
		}
	}
	return failed;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ "clients", required_argument, NULL, 'c' },
		{ "ranges", required_argument, NULL, 'r' },
		{ "requests", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'S' },
		{ "spin-us", required_argument, NULL, 'P' },
		{ "churn", no_argument, NULL, 'C' },
		{ "trace", no_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_config cfg = {
		.vcpus = 4, .clients = 2, .mode = SIM_MODE_NOTIFY, .seed = 1,
	};
	double seconds = 0;
	bool json = false, progress;
	struct sim_results res;
	struct sim *sim;
	char err[160];
	uint64_t n;
	int opt, rc;
	bool churn = false;
	uint32_t churn_events = 0, churn_done = 0, churn_failed = 0;
	struct timespec t0, now;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		const char *arg = optarg;

		switch (opt) {
		case 'b':
			if (strcmp(arg, "local") == 0)
				cfg.backend = SIM_BACKEND_LOCAL;
			else if (strcmp(arg, "kernel") == 0)
				cfg.backend = SIM_BACKEND_KERNEL;
			else
				return bad_option("--backend takes local or kernel, not '%s'", arg);
			break;
		case 'v':
			if (parse_u64(arg, 1, SIM_MAX_VCPUS, &n))
				return bad_option("--vcpus takes 1 to 16, not '%s'", arg);
			cfg.vcpus = (uint32_t)n;
			break;
		case 'c':
			if (parse_u64(arg, 1, SIM_MAX_DEVICE_CLIENTS, &n))
				return bad_option("--clients takes 1 to 16, not '%s'", arg);
			cfg.clients = (uint32_t)n;
			break;
		case 'r':
			if (parse_u64(arg, 0, SIM_MAX_EXTRA_RANGES, &n))
				return bad_option("--ranges takes 0 to 1024, not '%s'", arg);
			cfg.ranges = (uint32_t)n;
			break;
		case 'n':
			if (parse_u64(arg, 1, UINT64_MAX / 2, &n))
				return bad_option("--requests takes a positive count, not '%s'", arg);
			cfg.requests = n;
			break;
		case 's': {
			char *end;

			errno = 0;
			seconds = strtod(arg, &end);
			if (errno != 0 || *end != '\0' || !(seconds > 0) ||
			    seconds > 3600)
				return bad_option("--seconds takes a duration in (0, 3600], not '%s'", arg);
			break;
		}
		case 'm':
			if (strcmp(arg, "poll") == 0)
				cfg.mode = SIM_MODE_POLL;
			else if (strcmp(arg, "notify") == 0)
				cfg.mode = SIM_MODE_NOTIFY;
			else if (strcmp(arg, "mixed") == 0)
				cfg.mode = SIM_MODE_MIXED;
			else
				return bad_option("--mode takes poll, notify or mixed, not '%s'", arg);
			break;
		case 'S':
			if (parse_u64(arg, 0, UINT64_MAX, &n))
				return bad_option("--seed takes a number, not '%s'", arg);
			cfg.seed = n;
			break;
		case 'P':
			if (parse_u64(arg, 0, 1000000, &n))
				return bad_option("--spin-us takes 0 to 1000000, not '%s'", arg);
			cfg.spin_ns = (uint32_t)n * 1000u;
			break;
		case 'C':
			churn = true;
			break;
		case 't':
			cfg.trace = stdout;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			if (optopt)
				return bad_option("option '%s' needs an argument", argv[optind - 1]);
			return bad_option("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_option("unexpected argument '%s'", argv[optind]);
	if (cfg.requests && seconds > 0)
		return bad_option("%s", "--requests and --seconds exclude each other");
	if (!cfg.requests && seconds == 0)
		seconds = DEFAULT_SECONDS;
	if (churn && !cfg.requests)
		return bad_option("%s", "--churn needs --requests");
	/* One restart per client (the default one too), and one clear. */
	churn_events = churn ? cfg.clients + 2 : 0;

	rc = sim_create(&cfg, &sim, err, sizeof(err));
	if (rc == -EINVAL)
		return bad_option("%s", err);
	if (rc != 0) {
		fprintf(stderr, "vioreq-sim: %s\n", err);
		return 1;
	}
	rc = sim_start(sim);
	if (rc != 0) {
		fprintf(stderr, "vioreq-sim: starting failed: %s\n",
			strerror(-rc));
		sim_destroy(sim);
		return 1;
	}
	/* The progress line is for people watching: a terminal only, and
	 * not mixed into a trace. */
	progress = isatty(STDERR_FILENO) && !cfg.trace;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!sim_done(sim)) {
		double t;

		sleep_ms(churn_done < churn_events ? 5 : 100);
		churn_failed += churn_step(sim, cfg.requests, churn_events,
					   &churn_done);
		clock_gettime(CLOCK_MONOTONIC, &now);
		t = (double)(now.tv_sec - t0.tv_sec) +
		    (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		if (seconds > 0 && t >= seconds)
			sim_stop(sim);
		if (progress)
			fprintf(stderr, "\r[%5.1f s] %llu requests completed "
				"(%.0f/s)   ", t,
				(unsigned long long)sim_completed(sim),
				t > 0 ? (double)sim_completed(sim) / t : 0.0);
	}
	if (progress)
		fprintf(stderr, "\r%60s\r", "");
	sim_wait(sim);
	sim_results(sim, &res);
	if (json)
		sim_report_json(stdout, sim, &cfg, &res);
	else
		sim_report_table(stdout, sim, &cfg, &res);
	rc = res.lost + res.duplicated + res.wrong == 0 ? 0 : 1;
	if (churn) {
		/* stderr: stdout may be JSON. */
		fprintf(stderr, "vioreq-sim: churn: %u of %u restarts and "
			"clears done, %u failed\n", churn_done, churn_events,
			churn_failed);
		if (churn_failed)
			rc = 1;
	}
	sim_destroy(sim);
	return rc;
}
