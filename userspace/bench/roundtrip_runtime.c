/* SPDX-License-Identifier: MIT */
/*
 * The round trip driven through libvioreq's local backend (vioreq_runtime):
 * a client thread in vioreq_rt_attach, which reads its request and
 * finishes it, with spin-then-block on (config.spin_ns): the client spins
 * in attach and runs the dispatch itself when the upcall comes, the
 * runtime's dispatch worker (woken by vioreq_local_upcall when no client
 * watches) being the fallback. The vCPU thread here plays the hypervisor: it fills slot 0,
 * publishes PENDING, calls the upcall, then polls for COMPLETE or sleeps
 * until the runtime's notify callback (the notification hypercall).
 * Built only when the vioreq_runtime target exists (VIOREQ_BENCH_RUNTIME).
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vioreq/runtime.h"
#include "vioreq/runtime_local.h"

#include "roundtrip_runtime.h"

#define RT_ADDR 0xC0000010ull

struct rt_bench {
	struct vioreq_rt_vm *vm;
	struct vioreq_page *page;
	int client;
	uint64_t errors;
	_Alignas(64) uint32_t notified;	/* futex word of the notify callback */
};

static uint64_t rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void rt_notify(void *ctx, uint32_t vcpu)
{
	struct rt_bench *b = ctx;

	(void)vcpu;
	__atomic_fetch_add(&b->notified, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &b->notified, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *rt_client_main(void *p)
{
	struct rt_bench *b = p;

	for (;;) {
		uint32_t pending = 0;
		uint32_t v;
		int rc = vioreq_rt_attach(b->vm, b->client, &pending);

		if (rc == -VIOREQ_ENODEV)
			break;
		if (rc != 0) {
			b->errors++;
			break;
		}
		for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
			struct vioreq_rt_request req;

			if (!(pending & (1u << v)))
				continue;
			if (vioreq_rt_request(b->vm, b->client, v, &req) != 0 ||
			    vioreq_rt_notify_request_finish(b->vm, b->client, v,
							    req.address) != 0)
				b->errors++;
		}
	}
	return NULL;
}

static void rt_set_u64(uint32_t *w, uint64_t v)
{
	w[0] = (uint32_t)v;
	w[1] = (uint32_t)(v >> 32);
}

static double rt_vcpu_run(struct rt_bench *b, bool poll, uint64_t iters)
{
	struct vioreq_slot *s = &b->page->slot[0];
	uint64_t t0 = rt_now_ns();
	uint64_t i;

	for (i = 0; i < iters; i++) {
		uint32_t seen = __atomic_load_n(&b->notified, __ATOMIC_ACQUIRE);

		s->type = VIOREQ_TYPE_MMIO;
		s->completion_polling = poll ? 1u : 0u;
		s->data[VIOREQ_REQ_DIRECTION_WORD] = VIOREQ_DIR_READ;
		rt_set_u64(&s->data[VIOREQ_REQ_ADDRESS_WORD], RT_ADDR);
		rt_set_u64(&s->data[VIOREQ_REQ_SIZE_WORD], 4);
		rt_set_u64(&s->data[VIOREQ_REQ_VALUE_WORD], 0);
		__atomic_store_n(&s->processed, VIOREQ_STATE_PENDING,
				 __ATOMIC_RELEASE);
		vioreq_local_upcall(b->vm);
		if (poll) {
			while (__atomic_load_n(&s->processed,
					       __ATOMIC_ACQUIRE) !=
			       VIOREQ_STATE_COMPLETE) {
				/* Pure spin, as the hypervisor polls. On two
				 * CPUs it leaves the worker and the client
				 * one CPU (sched_yield here measured 13-23 us
				 * instead of 35-49 us, under load). */
#if defined(__x86_64__) || defined(__i386__)
				__builtin_ia32_pause();
#endif
			}
		} else {
			while (__atomic_load_n(&b->notified,
					       __ATOMIC_ACQUIRE) == seen)
				syscall(SYS_futex, &b->notified,
					FUTEX_WAIT_PRIVATE, seen, NULL, NULL,
					0);
			if (__atomic_load_n(&s->processed, __ATOMIC_ACQUIRE) !=
			    VIOREQ_STATE_COMPLETE)
				b->errors++;
		}
		if (s->data[VIOREQ_REQ_VALUE_WORD] != (uint32_t)RT_ADDR)
			b->errors++;
		__atomic_store_n(&s->processed, VIOREQ_STATE_FREE,
				 __ATOMIC_RELAXED);
	}
	return (double)(rt_now_ns() - t0) / (double)iters;
}

int runtime_roundtrip(bool poll, uint64_t iters, uint32_t reps,
		      double *ns_out, uint64_t *errors)
{
	struct rt_bench *b = calloc(1, sizeof(*b));
	struct vioreq_local_config config;
	struct vioreq_rt_range range = {
		.type = VIOREQ_TYPE_MMIO, .start = 0xC0000000ull,
		.end = 0xC0000BFFull,
	};
	pthread_t client;
	double *v = calloc(reps, sizeof(*v));
	uint32_t r;
	int rc = -1;

	if (!b || !v)
		goto out;
	b->page = aligned_alloc(VIOREQ_PAGE_SIZE, sizeof(*b->page));
	if (!b->page)
		goto out;
	memset(b->page, 0, sizeof(*b->page));
	for (r = 0; r < VIOREQ_SLOT_COUNT; r++)
		b->page->slot[r].processed = VIOREQ_STATE_FREE;
	memset(&config, 0, sizeof(config));
	config.notify = rt_notify;
	config.ctx = b;
	/* Spin-then-block with inline dispatch: the client thread spinning
	 * in attach serves the upcall itself (runtime_local.h). */
	config.spin_ns = VIOREQ_LOCAL_SPIN_NS_SUGGESTED;
	if (vioreq_rt_create_vm(&vioreq_local_backend, b->page, &config,
				&b->vm) != 0)
		goto out;
	b->client = vioreq_rt_create_client(b->vm, 0, &range, 1);
	if (b->client < 0 ||
	    pthread_create(&client, NULL, rt_client_main, b) != 0) {
		vioreq_rt_destroy_vm(b->vm);
		goto out;
	}
	rt_vcpu_run(b, poll, iters / 10 + 1);	/* warm up */
	for (r = 0; r < reps; r++)
		v[r] = rt_vcpu_run(b, poll, iters);
	vioreq_rt_destroy_client(b->vm, b->client);
	pthread_join(client, NULL);
	vioreq_rt_destroy_vm(b->vm);
	/* Median: insertion sort, reps is small. */
	for (r = 1; r < reps; r++) {
		double x = v[r];
		uint32_t k = r;

		for (; k > 0 && v[k - 1] > x; k--)
			v[k] = v[k - 1];
		v[k] = x;
	}
	*ns_out = reps % 2 ? v[reps / 2] : (v[reps / 2 - 1] + v[reps / 2]) / 2;
	*errors += b->errors;
	rc = 0;
out:
	if (b)
		free(b->page);
	free(b);
	free(v);
	return rc;
}
