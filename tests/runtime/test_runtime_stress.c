// SPDX-License-Identifier: MIT
/*
 * Stress: 8 vCPUs push at least 10^6 requests (VIOREQ_STRESS_REQUESTS
 * overrides; the sanitizer builds use fewer) through libvioreq to the
 * UART, two PCI devices, 16 extra MMIO ranges and the default client,
 * while every client is destroyed and re-created and the VM is cleared
 * mid-run. Nothing may be lost, duplicated or wrong. Twice: with the
 * runtime's threads blocking at once (spin_ns 0), and with spin-then-block
 * (spin_ns 20 us), where client threads run the dispatch inline and race
 * the worker, each other, the restarts and the clear.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "sim.h"

#define DEFAULT_REQUESTS 1000000ull

static uint64_t requests_wanted(void)
{
	const char *s = getenv("VIOREQ_STRESS_REQUESTS");

	return s && *s ? strtoull(s, NULL, 10) : DEFAULT_REQUESTS;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void stress_churn_and_clear(uint32_t spin_ns)
{
	static const uint32_t restart_order[] = {
		SIM_TARGET_UART, SIM_TARGET_PCI0, SIM_TARGET_DEFAULT,
		SIM_TARGET_PCI0 + 1, SIM_TARGET_UART, SIM_TARGET_DEFAULT,
		SIM_TARGET_PCI0, SIM_TARGET_PCI0 + 1,
	};
	const uint32_t restarts = sizeof(restart_order) /
				  sizeof(restart_order[0]);
	struct sim_config cfg = {
		.vcpus = 8, .clients = 3, .ranges = 16,
		.requests = requests_wanted(), .mode = SIM_MODE_MIXED,
		.seed = 42, .lost_timeout_ms = 20000, .spin_ns = spin_ns,
	};
	struct sim_results res;
	struct sim *sim;
	char err[160];
	uint32_t event = 0, cleared = 0;
	/* Restarts spread over 10%..85% of the run, the clear at 50%. */
	const uint32_t events = restarts + 1;

	assert_int_equal(sim_create(&cfg, &sim, err, sizeof(err)), 0);
	assert_int_equal(sim_start(sim), 0);
	while (!sim_done(sim)) {
		uint64_t done = sim_completed(sim);
		uint64_t due = cfg.requests / 10 +
			       cfg.requests * 3 / 4 * event / events;

		if (event < events && done >= due) {
			if (event == events / 2 && !cleared) {
				assert_int_equal(sim_clear(sim), 0);
				cleared = 1;
			} else {
				assert_int_equal(sim_restart_client(
					sim, restart_order[event - cleared]), 0);
			}
			event++;
			continue;
		}
		sleep_ms(2);
	}
	sim_wait(sim);
	sim_results(sim, &res);
	printf("stress (spin %u ns): %llu requests in %.2f s (%.0f/s), %llu overlapped "
	       "%u restarts and %u clear; lost %llu, duplicated %llu, "
	       "wrong %llu\n", spin_ns, (unsigned long long)res.completed,
	       res.elapsed_s, (double)res.completed / res.elapsed_s,
	       (unsigned long long)res.disrupted, event - cleared, cleared,
	       (unsigned long long)res.lost,
	       (unsigned long long)res.duplicated,
	       (unsigned long long)res.wrong);
	fflush(stdout);
	assert_int_equal(event, events);
	assert_int_equal(cleared, 1);
	assert_true(res.requests >= cfg.requests);
	assert_true(res.completed == res.requests);
	assert_true(res.lost == 0);
	assert_true(res.duplicated == 0);
	assert_true(res.wrong == 0);
	sim_destroy(sim);
}

static void test_stress_churn_and_clear(void **state)
{
	(void)state;
	stress_churn_and_clear(0);
}

static void test_stress_churn_and_clear_spin(void **state)
{
	(void)state;
	stress_churn_and_clear(20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_churn_and_clear),
		cmocka_unit_test(test_stress_churn_and_clear_spin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
