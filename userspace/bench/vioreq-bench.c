/* SPDX-License-Identifier: MIT */
/*
 * vioreq-bench: how fast the verified core routes, dispatches and completes
 * I/O requests, measured against baselines run in the same process.
 *
 *   vioreq-bench [--json | --markdown] [--quick]
 *   vioreq-bench --only lookup --ranges 4096 --iterations N [--impl core]
 *
 * Sections (--only NAME runs one): lookup, dispatch, roundtrip, memory.
 * Timings are the median of several repetitions; nothing is asserted, the
 * targets are reported with met true/false (speed is a benchmark, never a
 * timed test). userspace/README.md, section "Benchmarks", explains the
 * fields and the callgrind recipe.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "vioreq/client.h"
#include "vioreq/completion.h"
#include "vioreq/dispatch.h"
#include "vioreq/range_table.h"

#include "baselines.h"
#ifdef VIOREQ_BENCH_RUNTIME
#include "roundtrip_runtime.h"
#endif

#ifndef VIOREQ_BENCH_BUILD
#define VIOREQ_BENCH_BUILD "unknown"
#endif
#ifdef __clang__
#define BENCH_COMPILER "clang " __clang_version__
#else
#define BENCH_COMPILER "gcc " __VERSION__
#endif

#define CACHE_LINE 64
/*
 * Random addresses per table size; a power of two, to index with a mask.
 * Large on purpose: with 8192 addresses, replayed in a loop, this CPU's
 * branch predictor learned the branchy searches' paths (the 8-range
 * binary search measured 2.9 ns instead of 15 ns).
 */
#ifndef ADDRESS_COUNT
#define ADDRESS_COUNT 65536u
#endif
#define RANGE_BASE 0xC0000000ull
#define RANGE_STRIDE 0x1000ull	/* one range per 4 KiB ... */
#define RANGE_SIZE 0xC00ull	/* ... covering 3/4 of it: ~75 % hits */
#define LOOKUP_SIZES 4

static const uint32_t lookup_sizes[LOOKUP_SIZES] = { 8, 64, 512, 4096 };

/* Read once at run time, so the compiler cannot fold it: always zero. */
static volatile uint32_t runtime_zero;
/* Anti-dead-code sink: every measured loop's result ends up here. */
static volatile uint64_t sink;
/* The CPUs the process may use, as found at start. */
static cpu_set_t start_affinity;

struct options {
	bool json;
	bool markdown;
	bool quick;
	const char *only;	/* NULL: every section */
	uint32_t ranges;	/* lookup sizes: 0 = all four */
	uint64_t iterations;	/* 0 = calibrate */
	const char *impl;	/* lookup implementation, NULL = all */
	uint32_t reps;
	double rep_ms;		/* target duration of one repetition */
};

/* ------------------------------------------------------------ helpers */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

/* splitmix64: reproducible, good enough for uniform addresses. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, uint32_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void *xaligned(size_t align, size_t size)
{
	void *p = aligned_alloc(align, (size + align - 1) / align * align);

	if (!p) {
		fprintf(stderr, "vioreq-bench: out of memory\n");
		exit(2);
	}
	memset(p, 0, size);
	return p;
}

static void die(const char *what)
{
	fprintf(stderr, "vioreq-bench: %s\n", what);
	exit(2);
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* How many CPUs we may run on, and the first two of them. */
static int allowed_cpus(int *first, int *second)
{
	cpu_set_t set;
	int n = 0;
	int c;

	*first = -1;
	*second = -1;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET((size_t)c, &set))
			continue;
		if (n == 0)
			*first = c;
		else if (n == 1)
			*second = c;
		n++;
	}
	return n;
}

/* Pin the calling thread to cpu; false when it may not be pinned. */
static bool pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return false;
	CPU_ZERO(&set);
	CPU_SET((size_t)cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

/* Let the calling thread run on every CPU it was allowed at start. */
static void unpin_self(const cpu_set_t *allowed)
{
	pthread_setaffinity_np(pthread_self(), sizeof(*allowed), allowed);
}

/* ------------------------------------------------------------- lookup */

struct lookup_setup {
	uint32_t ranges;
	uint32_t clients;
	struct vioreq_vm *vm;
	struct hsm_vm hsm;
	struct bsearch_table bs;
	uint64_t *addrs;
	double hit_fraction;
};

/* 4-byte aligned addresses, uniform over the span of `ranges` ranges. */
static void fill_addresses(uint64_t *addrs, uint32_t ranges)
{
	uint64_t span = (uint64_t)ranges * RANGE_STRIDE;
	uint32_t i;

	for (i = 0; i < ADDRESS_COUNT; i++)
		addrs[i] = RANGE_BASE + (rng_next() % span & ~3ull);
}

/* The decoded request the core routes: a 4-byte MMIO read at addr. */
static struct vioreq_request mmio_read(uint64_t addr)
{
	struct vioreq_request r = {
		.type = VIOREQ_TYPE_MMIO, .direction = VIOREQ_DIR_READ,
		.size = 4, .addr = addr, .last = addr + 3, .value = 0,
	};

	return r;
}

/*
 * `ranges` MMIO ranges of 3 KiB every 4 KiB, owned round-robin by up to 64
 * clients, in the core, in the HSM-style lists and in the sorted array; the
 * addresses are drawn uniformly over the whole span, gaps included.
 */
static void lookup_setup_build(struct lookup_setup *s, uint32_t ranges,
			       uint32_t verify)
{
	uint32_t clients = ranges < VIOREQ_CLIENTS_PER_VM ?
			   ranges : VIOREQ_CLIENTS_PER_VM;
	struct hsm_client *hc[VIOREQ_CLIENTS_PER_VM];
	uint32_t i;
	uint32_t hits = 0;

	s->ranges = ranges;
	s->clients = clients;
	s->vm = xaligned(CACHE_LINE, sizeof(*s->vm));
	vioreq_vm_init(s->vm);
	hsm_vm_init(&s->hsm);
	for (i = 0; i < clients; i++) {
		if (vioreq_client_create(s->vm, false, false) != (int32_t)i)
			die("core client_create failed");
		hc[i] = hsm_client_create(&s->hsm, i, 0);
		if (!hc[i])
			die("out of memory");
	}
	s->bs.count = ranges;
	s->bs.r = xaligned(CACHE_LINE, ranges * sizeof(*s->bs.r));
	for (i = 0; i < ranges; i++) {
		uint64_t start = RANGE_BASE + i * RANGE_STRIDE;
		uint64_t end = start + RANGE_SIZE - 1;
		uint32_t c = i % clients;

		if (vioreq_client_add_range(s->vm, c, VIOREQ_TYPE_MMIO, start,
					    end) != 0)
			die("core add_range failed");
		if (hsm_range_add(hc[c], VIOREQ_TYPE_MMIO, start, end) != 0)
			die("out of memory");
		s->bs.r[i].start = start;
		s->bs.r[i].end = end;
		s->bs.r[i].client = c;
	}
	s->addrs = xaligned(CACHE_LINE, ADDRESS_COUNT * sizeof(*s->addrs));
	fill_addresses(s->addrs, ranges);
	/* The three must agree on every request before any is timed (on the
	 * first `verify` only, under valgrind). */
	for (i = 0; i < verify; i++) {
		struct vioreq_request r = mmio_read(s->addrs[i]);
		uint32_t core = vioreq_route(s->vm, &r);
		uint32_t hsm = hsm_lookup(&s->hsm, r.type, r.addr, r.last);
		uint32_t bs = bsearch_lookup(&s->bs, r.addr, r.last);

		if (core == VIOREQ_CLIENT_NONE)
			core = BASELINE_NONE;
		if (core != hsm || core != bs)
			die("lookup implementations disagree");
		hits += core != BASELINE_NONE;
	}
	s->hit_fraction = (double)hits / verify;
}

static void lookup_setup_free(struct lookup_setup *s)
{
	hsm_vm_free(&s->hsm);
	free(s->bs.r);
	free(s->addrs);
	free(s->vm);
}

enum lookup_impl { IMPL_CORE, IMPL_HSM, IMPL_BSEARCH, IMPL_COUNT };
static const char *const impl_names[IMPL_COUNT] = { "core", "hsm", "bsearch" };

/* One lookup by impl; the switch is loop-invariant, so it predicts. */
static inline uint32_t lookup_one(const struct lookup_setup *s,
				  enum lookup_impl impl, uint64_t addr)
{
	struct vioreq_request r;

	switch (impl) {
	case IMPL_CORE:
		r = mmio_read(addr);
		return vioreq_route(s->vm, &r);
	case IMPL_HSM:
		return hsm_lookup(&s->hsm, VIOREQ_TYPE_MMIO, addr, addr + 3);
	default:
		return bsearch_lookup(&s->bs, addr, addr + 3);
	}
}

/*
 * Independent lookups (throughput: the CPU may overlap consecutive ones)
 * or, with chained, each request index depending on the previous result
 * (latency: one lookup at a time, as when each request arrives alone).
 * Two separate loops: with one loop and a `chained ? prev & zero : 0`
 * index, gcc made the index depend on prev in both modes (a cmov).
 */
__attribute__((noinline)) static uint64_t
lookup_loop(const struct lookup_setup *s, enum lookup_impl impl, uint64_t iters,
	    bool chained)
{
	const uint64_t *addrs = s->addrs;
	const uint32_t mask = ADDRESS_COUNT - 1;
	uint64_t acc = 0;
	uint64_t i;

	if (chained) {
		const uint32_t zero = runtime_zero;
		uint32_t prev = 0;

		for (i = 0; i < iters; i++) {
			uint32_t j = ((uint32_t)i + (prev & zero)) & mask;

			prev = lookup_one(s, impl, addrs[j]);
			acc += prev;
		}
	} else {
		for (i = 0; i < iters; i++)
			acc += lookup_one(s, impl, addrs[i & mask]);
	}
	return acc;
}

/* Loop iterations so that one repetition lasts about rep_ms. */
static uint64_t calibrate(uint64_t (*run)(void *, uint64_t), void *arg,
			  double rep_ms)
{
	uint64_t iters = 256;

	for (;;) {
		uint64_t t0 = now_ns();
		uint64_t dt;

		sink += run(arg, iters);
		dt = now_ns() - t0;
		if (dt >= 5000000ull || iters >= (1ull << 40)) {
			double per = (double)dt / (double)iters;
			double want = rep_ms * 1e6 / per;

			return want < 64 ? 64 : (uint64_t)want;
		}
		iters *= 4;
	}
}

/* Median ns per iteration over reps repetitions of iters iterations. */
static double measure(uint64_t (*run)(void *, uint64_t), void *arg,
		      uint64_t iters, uint32_t reps)
{
	double v[64];
	uint32_t r;

	if (reps > 64)
		reps = 64;
	sink += run(arg, iters < 4096 ? iters : 4096); /* warm caches */
	for (r = 0; r < reps; r++) {
		uint64_t t0 = now_ns();

		sink += run(arg, iters);
		v[r] = (double)(now_ns() - t0) / (double)iters;
	}
	return median(v, reps);
}

struct lookup_arg {
	const struct lookup_setup *s;
	enum lookup_impl impl;
	bool chained;
};

static uint64_t lookup_run(void *p, uint64_t iters)
{
	const struct lookup_arg *a = p;

	return lookup_loop(a->s, a->impl, iters, a->chained);
}

struct lookup_result {
	uint32_t ranges;
	uint32_t clients;
	double hit_fraction;
	double ns[IMPL_COUNT];		/* independent lookups */
	double chained_ns[IMPL_COUNT];	/* dependent lookups */
	uint64_t iterations[IMPL_COUNT];
};

static bool impl_selected(const struct options *o, enum lookup_impl impl)
{
	return !o->impl || strcmp(o->impl, "all") == 0 ||
	       strcmp(o->impl, impl_names[impl]) == 0;
}

static void bench_lookup(const struct options *o, uint32_t ranges,
			 struct lookup_result *res)
{
	struct lookup_setup s;
	int impl;

	lookup_setup_build(&s, ranges,
			   o->iterations ? 1024u : ADDRESS_COUNT);
	res->ranges = ranges;
	res->clients = s.clients;
	res->hit_fraction = s.hit_fraction;
	for (impl = 0; impl < IMPL_COUNT; impl++) {
		struct lookup_arg a = { &s, (enum lookup_impl)impl, false };
		uint64_t iters;

		res->ns[impl] = -1;
		res->chained_ns[impl] = -1;
		if (!impl_selected(o, (enum lookup_impl)impl))
			continue;
		if (o->iterations) {
			/* Fixed count, one pass, no warm-up: for callgrind. */
			uint64_t t0 = now_ns();

			sink += lookup_run(&a, o->iterations);
			res->ns[impl] = (double)(now_ns() - t0) /
					(double)o->iterations;
			res->iterations[impl] = o->iterations;
			continue;
		}
		iters = calibrate(lookup_run, &a, o->rep_ms);
		res->iterations[impl] = iters;
		res->ns[impl] = measure(lookup_run, &a, iters, o->reps);
		a.chained = true;
		res->chained_ns[impl] = measure(lookup_run, &a, iters, o->reps);
	}
	lookup_setup_free(&s);
}

/* ----------------------------------------------------------- dispatch */

static void set_u64(uint32_t *w, uint64_t v)
{
	w[0] = (uint32_t)v;
	w[1] = (uint32_t)(v >> 32);
}

/* The hypervisor traps an access: fill the slot, then publish PENDING. */
static void hv_trap(struct vioreq_slot *s, const struct vioreq_request *r,
		    uint32_t polling)
{
	s->type = r->type;
	s->completion_polling = polling;
	s->data[VIOREQ_REQ_DIRECTION_WORD] = r->direction;
	set_u64(&s->data[VIOREQ_REQ_ADDRESS_WORD], r->addr);
	set_u64(&s->data[VIOREQ_REQ_SIZE_WORD], r->size);
	set_u64(&s->data[VIOREQ_REQ_VALUE_WORD], r->value);
	__atomic_store_n(&s->processed, VIOREQ_STATE_PENDING, __ATOMIC_RELEASE);
}

/* The hypervisor takes a COMPLETE slot back: read the result, FREE it. */
static uint64_t hv_retire(struct vioreq_slot *s)
{
	uint32_t state = __atomic_load_n(&s->processed, __ATOMIC_ACQUIRE);
	uint64_t value = s->data[VIOREQ_REQ_VALUE_WORD];

	__atomic_store_n(&s->processed, VIOREQ_STATE_FREE, __ATOMIC_RELAXED);
	return value + state;
}

struct dispatch_setup {
	struct vioreq_vm *vm;
	struct vioreq_page *page;
	uint64_t *addrs;
	struct vioreq_events ev;
	uint64_t errors;
};

/*
 * A default client (id 0) and 63 others owning 64 MMIO ranges; every
 * request is assigned (a gap goes to the default client).
 */
static void dispatch_setup_build(struct dispatch_setup *d)
{
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->vm = xaligned(CACHE_LINE, sizeof(*d->vm));
	d->page = xaligned(VIOREQ_PAGE_SIZE, sizeof(*d->page));
	vioreq_vm_init(d->vm);
	if (vioreq_client_create(d->vm, true, false) != 0)
		die("default client_create failed");
	for (i = 1; i < VIOREQ_CLIENTS_PER_VM; i++) {
		if (vioreq_client_create(d->vm, false, false) != (int32_t)i)
			die("client_create failed");
	}
	for (i = 0; i < 64; i++) {
		uint64_t start = RANGE_BASE + i * RANGE_STRIDE;

		if (vioreq_client_add_range(d->vm, 1 + i % 63, VIOREQ_TYPE_MMIO,
					    start, start + RANGE_SIZE - 1) != 0)
			die("add_range failed");
	}
	for (i = 0; i < VIOREQ_SLOT_COUNT; i++)
		d->page->slot[i].processed = VIOREQ_STATE_FREE;
	d->addrs = xaligned(CACHE_LINE, ADDRESS_COUNT * sizeof(*d->addrs));
	fill_addresses(d->addrs, 64);
}

enum dispatch_mode { DM_SLOT, DM_ALL, DM_HV_ONLY };

__attribute__((noinline)) static uint64_t
dispatch_loop(struct dispatch_setup *d, enum dispatch_mode mode, uint64_t iters)
{
	uint64_t acc = 0;
	uint64_t i;

	for (i = 0; i < iters; i++) {
		uint32_t v = (uint32_t)i % VIOREQ_SLOT_COUNT;
		struct vioreq_slot *s = &d->page->slot[v];
		uint32_t client;
		bool notify = false;

		struct vioreq_request r = mmio_read(d->addrs[i % ADDRESS_COUNT]);

		hv_trap(s, &r, 1);
		if (mode != DM_HV_ONLY) {
			if (mode == DM_SLOT) {
				if (vioreq_dispatch_slot(d->vm, d->page, v,
							 &d->ev) !=
				    VIOREQ_OUTCOME_ASSIGNED)
					d->errors++;
			} else if (vioreq_dispatch(d->vm, d->page, &d->ev) != 1) {
				d->errors++;
			}
			/* The worker wakes the client named by the event. */
			client = (uint32_t)d->vm->slot_owner[v];
			d->ev.wake[client % VIOREQ_CLIENTS_PER_VM] = 0;
			if (vioreq_complete(d->vm, d->page, v, client,
					    &notify) != 0)
				d->errors++;
			acc += notify;
		} else {
			__atomic_store_n(&s->processed, VIOREQ_STATE_COMPLETE,
					 __ATOMIC_RELEASE);
		}
		acc += hv_retire(s);
	}
	return acc;
}

struct dispatch_arg {
	struct dispatch_setup *d;
	enum dispatch_mode mode;
};

static uint64_t dispatch_run(void *p, uint64_t iters)
{
	struct dispatch_arg *a = p;

	return dispatch_loop(a->d, a->mode, iters);
}

struct dispatch_result {
	double slot_ns;		/* trap + dispatch_slot + complete + FREE */
	double all_ns;		/* same with vioreq_dispatch over 16 slots */
	double hv_ns;		/* trap + FREE only: the hypervisor's part */
	uint64_t errors;
};

static void bench_dispatch(const struct options *o, struct dispatch_result *res)
{
	struct dispatch_setup d;
	struct dispatch_arg a = { &d, DM_SLOT };
	uint64_t iters;

	dispatch_setup_build(&d);
	if (o->iterations) {
		/* Fixed count, one pass per mode (--impl slot|dispatch|hv:
		 * that mode only): for callgrind. */
		bool all = !o->impl || strcmp(o->impl, "all") == 0;

		iters = o->iterations;
		res->slot_ns = res->all_ns = res->hv_ns = -1;
		if (all || strcmp(o->impl, "slot") == 0)
			res->slot_ns = measure(dispatch_run, &a, iters, 1);
		a.mode = DM_ALL;
		if (all || strcmp(o->impl, "dispatch") == 0)
			res->all_ns = measure(dispatch_run, &a, iters, 1);
		a.mode = DM_HV_ONLY;
		if (all || strcmp(o->impl, "hv") == 0)
			res->hv_ns = measure(dispatch_run, &a, iters, 1);
	} else {
		iters = calibrate(dispatch_run, &a, o->rep_ms);
		res->slot_ns = measure(dispatch_run, &a, iters, o->reps);
		a.mode = DM_ALL;
		res->all_ns = measure(dispatch_run, &a, iters, o->reps);
		a.mode = DM_HV_ONLY;
		res->hv_ns = measure(dispatch_run, &a, iters, o->reps);
	}
	res->errors = d.errors;
	free(d.addrs);
	free(d.page);
	free(d.vm);
}

/* ---------------------------------------------------------- roundtrip */

/*
 * The bench's own minimal harness (JSON roundtrip_minimal; the primary
 * round trip fields come from roundtrip_runtime.c when vioreq_runtime is
 * built). Three threads play the parts: the vCPU (hypervisor side: traps, "upcall",
 * waits for COMPLETE by polling or for a notification), the dispatch
 * worker (core vioreq_dispatch under a spinlock, then wakes the client)
 * and the client (emulates, core vioreq_complete under the same lock,
 * notifies the vCPU unless the slot polls).
 */
struct roundtrip {
	struct vioreq_vm *vm;
	struct vioreq_page *page;
	bool poll;
	bool fused;	/* the worker completes too: no client thread */
	int cpu_vcpu;
	int cpu_service;
	uint64_t errors;
	_Alignas(CACHE_LINE) uint32_t lock;
	_Alignas(CACHE_LINE) uint32_t upcall;	/* vCPU -> worker */
	_Alignas(CACHE_LINE) uint32_t wake;	/* worker -> client */
	_Alignas(CACHE_LINE) uint32_t notify;	/* client -> vCPU (futex) */
	_Alignas(CACHE_LINE) uint32_t stop;
};

static void spin_lock(uint32_t *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			cpu_relax();
	}
}

static void spin_unlock(uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/*
 * Wait until *word differs from seen. The worker and the client share a
 * CPU on this 2-core machine, so they give it up after every miss.
 */
static uint32_t wait_change_yield(const struct roundtrip *rt,
				  const uint32_t *word, uint32_t seen)
{
	uint32_t now;

	while ((now = __atomic_load_n(word, __ATOMIC_ACQUIRE)) == seen) {
		if (__atomic_load_n(&rt->stop, __ATOMIC_RELAXED))
			return seen;
		sched_yield();
	}
	return now;
}

static long futex(uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static void service_complete(struct roundtrip *rt, uint32_t client)
{
	uint32_t notify_count = 0;
	uint32_t v;

	spin_lock(&rt->lock);
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		bool notify = false;

		if (!vioreq_client_holds(rt->vm, client, v))
			continue;
		/* Emulate: a read of the device returns a constant. */
		set_u64(&rt->page->slot[v].data[VIOREQ_REQ_VALUE_WORD],
			0x1234u + v);
		if (vioreq_complete(rt->vm, rt->page, v, client, &notify) != 0)
			rt->errors++;
		notify_count += notify;
	}
	spin_unlock(&rt->lock);
	if (notify_count) {
		__atomic_fetch_add(&rt->notify, 1, __ATOMIC_RELEASE);
		futex(&rt->notify, FUTEX_WAKE_PRIVATE, 1);
	}
}

static void *worker_main(void *p)
{
	struct roundtrip *rt = p;
	uint32_t seen = 0;

	pin_self(rt->cpu_service);
	while (!__atomic_load_n(&rt->stop, __ATOMIC_RELAXED)) {
		struct vioreq_events ev;
		uint32_t c;

		seen = wait_change_yield(rt, &rt->upcall, seen);
		memset(&ev, 0, sizeof(ev));
		spin_lock(&rt->lock);
		vioreq_dispatch(rt->vm, rt->page, &ev);
		spin_unlock(&rt->lock);
		for (c = 0; c < VIOREQ_CLIENTS_PER_VM; c++) {
			if (!ev.wake[c])
				continue;
			if (rt->fused)
				service_complete(rt, c);
			else
				__atomic_fetch_add(&rt->wake, 1,
						   __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

static void *client_main(void *p)
{
	struct roundtrip *rt = p;
	uint32_t seen = 0;

	pin_self(rt->cpu_service);
	while (!__atomic_load_n(&rt->stop, __ATOMIC_RELAXED)) {
		seen = wait_change_yield(rt, &rt->wake, seen);
		service_complete(rt, 0);
	}
	return NULL;
}

/* One vCPU (slot 0) traps iters times; returns ns per round trip. */
static double vcpu_run(struct roundtrip *rt, uint64_t iters)
{
	struct vioreq_slot *s = &rt->page->slot[0];
	struct vioreq_request r = {
		.type = VIOREQ_TYPE_MMIO, .direction = VIOREQ_DIR_READ,
		.size = 4, .addr = RANGE_BASE + 0x10, .last = RANGE_BASE + 0x13,
	};
	uint64_t t0 = now_ns();
	uint64_t acc = 0;
	uint64_t i;

	for (i = 0; i < iters; i++) {
		uint32_t notified = __atomic_load_n(&rt->notify,
						    __ATOMIC_ACQUIRE);

		hv_trap(s, &r, rt->poll ? 1u : 0u);
		__atomic_fetch_add(&rt->upcall, 1, __ATOMIC_RELEASE);
		if (rt->poll) {
			while (__atomic_load_n(&s->processed,
					       __ATOMIC_ACQUIRE) !=
			       VIOREQ_STATE_COMPLETE)
				cpu_relax();
		} else {
			while (__atomic_load_n(&rt->notify,
					       __ATOMIC_ACQUIRE) == notified)
				futex(&rt->notify, FUTEX_WAIT_PRIVATE,
				      notified);
		}
		acc += hv_retire(s);
	}
	sink += acc;
	return (double)(now_ns() - t0) / (double)iters;
}

static double bench_roundtrip(const struct options *o, bool poll, bool fused,
			      uint64_t *errors)
{
	struct roundtrip *rt = xaligned(CACHE_LINE, sizeof(*rt));
	pthread_t worker, client;
	double v[64];
	uint64_t iters = o->quick ? 2000 : 20000;
	uint32_t reps = o->reps > 64 ? 64 : o->reps;
	uint32_t r;
	int cpus = allowed_cpus(&rt->cpu_vcpu, &rt->cpu_service);

	if (cpus < 2)
		rt->cpu_service = rt->cpu_vcpu = -1;
	rt->vm = xaligned(CACHE_LINE, sizeof(*rt->vm));
	rt->page = xaligned(VIOREQ_PAGE_SIZE, sizeof(*rt->page));
	rt->poll = poll;
	rt->fused = fused;
	vioreq_vm_init(rt->vm);
	if (vioreq_client_create(rt->vm, true, false) != 0)
		die("client_create failed");
	if (vioreq_client_add_range(rt->vm, 0, VIOREQ_TYPE_MMIO, RANGE_BASE,
				    RANGE_BASE + RANGE_SIZE - 1) != 0)
		die("add_range failed");
	for (r = 0; r < VIOREQ_SLOT_COUNT; r++)
		rt->page->slot[r].processed = VIOREQ_STATE_FREE;
	if (pthread_create(&worker, NULL, worker_main, rt) != 0)
		die("pthread_create failed");
	if (!fused && pthread_create(&client, NULL, client_main, rt) != 0)
		die("pthread_create failed");
	pin_self(rt->cpu_vcpu);
	vcpu_run(rt, iters / 10 + 1);	/* warm up */
	for (r = 0; r < reps; r++)
		v[r] = vcpu_run(rt, iters);
	__atomic_store_n(&rt->stop, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&rt->upcall, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&rt->wake, 1, __ATOMIC_RELEASE);
	pthread_join(worker, NULL);
	if (!fused)
		pthread_join(client, NULL);
	unpin_self(&start_affinity);
	*errors += rt->errors;
	free(rt->page);
	free(rt->vm);
	free(rt);
	return median(v, reps);
}

/* The physical floor: two pinned threads bouncing one cache line. */
struct pingpong {
	_Alignas(CACHE_LINE) uint32_t ball;
	int cpu;
	uint64_t iters;
};

static void *pong_main(void *p)
{
	struct pingpong *pp = p;
	uint64_t i;

	pin_self(pp->cpu);
	for (i = 0; i < pp->iters; i++) {
		uint32_t want = (uint32_t)(2 * i + 1);

		while (__atomic_load_n(&pp->ball, __ATOMIC_ACQUIRE) != want)
			cpu_relax();
		__atomic_store_n(&pp->ball, want + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static double bench_pingpong(const struct options *o)
{
	struct pingpong *pp = xaligned(CACHE_LINE, sizeof(*pp));
	uint64_t iters = o->quick ? 20000 : 200000;
	uint32_t reps = o->reps > 64 ? 64 : o->reps;
	double v[64];
	int first, second;
	uint32_t r;

	if (allowed_cpus(&first, &second) < 2)
		first = second = -1;
	pin_self(first);
	for (r = 0; r < reps; r++) {
		pthread_t pong;
		uint64_t t0;
		uint64_t i;

		pp->ball = 0;
		pp->iters = iters;
		pp->cpu = second;
		if (pthread_create(&pong, NULL, pong_main, pp) != 0)
			die("pthread_create failed");
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			uint32_t serve = (uint32_t)(2 * i + 1);

			__atomic_store_n(&pp->ball, serve, __ATOMIC_RELEASE);
			while (__atomic_load_n(&pp->ball, __ATOMIC_ACQUIRE) !=
			       serve + 1)
				cpu_relax();
		}
		v[r] = (double)(now_ns() - t0) / (double)iters;
		pthread_join(pong, NULL);
	}
	unpin_self(&start_affinity);
	free(pp);
	return median(v, reps);
}

/* ------------------------------------------------------------- report */

struct results {
	bool have_lookup, have_dispatch, have_roundtrip, have_memory;
	struct lookup_result lookup[LOOKUP_SIZES];
	uint32_t lookup_count;
	struct dispatch_result dispatch;
	double roundtrip_poll_ns;	/* the primary: runtime if built */
	double roundtrip_notify_ns;
	bool roundtrip_runtime;		/* primary from vioreq_runtime */
	double minimal_poll_ns;		/* the bench's own harness */
	double minimal_notify_ns;
	double roundtrip_poll_fused_ns;
	double pingpong_ns;
	uint64_t roundtrip_errors;
	int cpus;
	bool pinned;
	size_t vm_bytes;
	size_t page_bytes;
	double seconds;
};

static const struct lookup_result *lookup_at(const struct results *r,
					     uint32_t ranges)
{
	uint32_t i;

	for (i = 0; i < r->lookup_count; i++) {
		if (r->lookup[i].ranges == ranges)
			return &r->lookup[i];
	}
	return NULL;
}

static double ratio(double a, double b)
{
	return (a > 0 && b > 0) ? a / b : -1;
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon) {
			colon++;
			while (*colon == ' ')
				colon++;
			colon[strcspn(colon, "\n")] = 0;
			snprintf(buf, len, "%s", colon);
			break;
		}
	}
	fclose(f);
}

/* The 1-minute load average when the run started: others' work skews
 * every timing on a shared machine. */
static double load_at_start = -1;

static void read_loadavg(void)
{
	FILE *f = fopen("/proc/loadavg", "r");

	if (!f)
		return;
	if (fscanf(f, "%lf", &load_at_start) != 1)
		load_at_start = -1;
	fclose(f);
}

/* JSON-safe copy: drop quotes, backslashes and control characters. */
static void json_clean(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
			*w++ = *s;
	}
	*w = 0;
}

struct target {
	const char *name;
	const char *rule;
	double value;
	double bound;
	bool at_least;	/* value >= bound, else value <= bound */
};

static uint32_t targets_of(const struct results *r, struct target *t)
{
	const struct lookup_result *l8 = lookup_at(r, 8);
	const struct lookup_result *l4096 = lookup_at(r, 4096);
	uint32_t n = 0;

	if (l4096) {
		t[n++] = (struct target){ "lookup_speedup_4096", ">= 100",
			ratio(l4096->ns[IMPL_HSM], l4096->ns[IMPL_CORE]), 100,
			true };
		t[n++] = (struct target){ "lookup_vs_bsearch_4096", "<= 0.7",
			ratio(l4096->ns[IMPL_CORE], l4096->ns[IMPL_BSEARCH]),
			0.7, false };
	}
	if (l8)
		t[n++] = (struct target){ "lookup_speedup_8", ">= 1.0",
			ratio(l8->ns[IMPL_HSM], l8->ns[IMPL_CORE]), 1.0, true };
	/* Informational: the same ratios for one lookup at a time. */
	if (l4096) {
		t[n++] = (struct target){ "lookup_chained_speedup_4096",
			">= 100", ratio(l4096->chained_ns[IMPL_HSM],
					l4096->chained_ns[IMPL_CORE]), 100, true };
		t[n++] = (struct target){ "lookup_chained_vs_bsearch_4096",
			"<= 0.7", ratio(l4096->chained_ns[IMPL_CORE],
					l4096->chained_ns[IMPL_BSEARCH]), 0.7,
			false };
	}
	if (l8)
		t[n++] = (struct target){ "lookup_chained_speedup_8", ">= 1.0",
			ratio(l8->chained_ns[IMPL_HSM],
			      l8->chained_ns[IMPL_CORE]), 1.0, true };
	if (r->have_dispatch)
		t[n++] = (struct target){ "dispatch_complete_ns", "<= 50",
			r->dispatch.slot_ns, 50, false };
	if (r->have_roundtrip)
		t[n++] = (struct target){ "roundtrip_poll_over_floor", "<= 3",
			ratio(r->roundtrip_poll_ns, r->pingpong_ns), 3, false };
	return n;
}

static bool target_met(const struct target *t)
{
	if (t->value < 0)
		return false;
	return t->at_least ? t->value >= t->bound : t->value <= t->bound;
}

static const char *harness_text =
	"bench-internal minimal three-thread harness (no vioreq_runtime): "
	"vCPU thread plays the hypervisor with C11 atomics on the page; "
	"worker thread runs core vioreq_dispatch under a spinlock; client "
	"thread runs core vioreq_complete under the same lock";

static const char *runtime_harness_text =
	"vioreq_runtime local backend: vCPU thread plays the hypervisor "
	"(fills slot 0, PENDING, vioreq_local_upcall, polls for COMPLETE or "
	"waits for the notify callback); a client thread in vioreq_rt_attach "
	"/ vioreq_rt_request / vioreq_rt_notify_request_finish, with "
	"spin_ns = VIOREQ_LOCAL_SPIN_NS_SUGGESTED: it dispatches inline while "
	"it spins, the runtime's dispatch worker being the fallback. "
	"roundtrip_minimal has the bench's own harness";

static void print_json(const struct options *o, const struct results *r)
{
	char model[256];
	struct utsname u;
	struct target t[12];
	uint32_t nt = targets_of(r, t);
	uint32_t i;
	int impl;
	time_t now = time(NULL);
	char date[64];

	cpu_model(model, sizeof(model));
	json_clean(model);
	if (uname(&u) != 0)
		snprintf(u.release, sizeof(u.release), "unknown");
	json_clean(u.release);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

	printf("{\n");
	printf("  \"schema\": \"vioreq-bench/1\",\n");
	printf("  \"machine\": {\"cpu\": \"%s\", \"online_cpus\": %ld, "
	       "\"allowed_cpus\": %d, \"kernel\": \"%s\", "
	       "\"compiler\": \"%s\", \"build\": \"%s\", \"date\": \"%s\", "
	       "\"loadavg_at_start\": %.2f},\n",
	       model, sysconf(_SC_NPROCESSORS_ONLN), r->cpus, u.release,
	       BENCH_COMPILER, VIOREQ_BENCH_BUILD, date, load_at_start);
	printf("  \"config\": {\"quick\": %s, \"repetitions\": %u, "
	       "\"rep_ms\": %.0f, \"addresses\": %u, \"range_stride\": %llu, "
	       "\"range_size\": %llu, \"statistic\": \"median\"},\n",
	       o->quick ? "true" : "false", o->reps, o->rep_ms, ADDRESS_COUNT,
	       (unsigned long long)RANGE_STRIDE,
	       (unsigned long long)RANGE_SIZE);
	if (r->have_lookup) {
		printf("  \"lookup\": {\n");
		printf("    \"core_function\": \"vioreq_route\",\n");
		printf("    \"mode\": \"*_ns: ns per lookup, consecutive lookups "
		       "independent (throughput; the targets use these); "
		       "*_chained_ns: each request index depends on the previous "
		       "result (latency, one lookup at a time)\",\n");
		printf("    \"sizes\": [\n");
		for (i = 0; i < r->lookup_count; i++) {
			const struct lookup_result *l = &r->lookup[i];

			printf("      {\"ranges\": %u, \"clients\": %u, "
			       "\"hit_fraction\": %.3f",
			       l->ranges, l->clients, l->hit_fraction);
			for (impl = 0; impl < IMPL_COUNT; impl++)
				printf(", \"%s_ns\": %.2f", impl_names[impl],
				       l->ns[impl]);
			for (impl = 0; impl < IMPL_COUNT; impl++)
				printf(", \"%s_chained_ns\": %.2f",
				       impl_names[impl], l->chained_ns[impl]);
			for (impl = 0; impl < IMPL_COUNT; impl++)
				printf(", \"%s_iterations\": %llu",
				       impl_names[impl],
				       (unsigned long long)l->iterations[impl]);
			printf("}%s\n", i + 1 < r->lookup_count ? "," : "");
		}
		printf("    ]\n  },\n");
		{
			const struct lookup_result *l8 = lookup_at(r, 8);
			const struct lookup_result *l4 = lookup_at(r, 4096);

			printf("  \"lookup_speedup_4096\": %.2f,\n",
			       l4 ? ratio(l4->ns[IMPL_HSM], l4->ns[IMPL_CORE])
				  : -1);
			printf("  \"lookup_speedup_8\": %.3f,\n",
			       l8 ? ratio(l8->ns[IMPL_HSM], l8->ns[IMPL_CORE])
				  : -1);
			printf("  \"lookup_vs_bsearch_4096\": %.3f,\n",
			       l4 ? ratio(l4->ns[IMPL_CORE],
					  l4->ns[IMPL_BSEARCH]) : -1);
			printf("  \"lookup_chained_vs_bsearch_4096\": %.3f,\n",
			       l4 ? ratio(l4->chained_ns[IMPL_CORE],
					  l4->chained_ns[IMPL_BSEARCH]) : -1);
			printf("  \"lookup_chained_speedup_4096\": %.2f,\n",
			       l4 ? ratio(l4->chained_ns[IMPL_HSM],
					  l4->chained_ns[IMPL_CORE]) : -1);
			printf("  \"lookup_chained_speedup_8\": %.3f,\n",
			       l8 ? ratio(l8->chained_ns[IMPL_HSM],
					  l8->chained_ns[IMPL_CORE]) : -1);
		}
	}
	if (r->have_dispatch) {
		printf("  \"dispatch_complete_ns\": %.2f,\n", r->dispatch.slot_ns);
		printf("  \"dispatch\": {\"what\": \"single thread, page in "
		       "cache, 64 ranges: hypervisor trap (fill slot, PENDING) + "
		       "vioreq_dispatch_slot + vioreq_complete + hypervisor "
		       "FREE\", \"slot_ns\": %.2f, \"all_slots_ns\": %.2f, "
		       "\"hypervisor_only_ns\": %.2f, \"core_only_ns\": %.2f, "
		       "\"errors\": %llu},\n",
		       r->dispatch.slot_ns, r->dispatch.all_ns,
		       r->dispatch.hv_ns, r->dispatch.slot_ns - r->dispatch.hv_ns,
		       (unsigned long long)r->dispatch.errors);
	}
	if (r->have_roundtrip) {
		printf("  \"roundtrip_poll_ns\": %.1f,\n", r->roundtrip_poll_ns);
		printf("  \"roundtrip_notify_ns\": %.1f,\n",
		       r->roundtrip_notify_ns);
		printf("  \"pingpong_ns\": %.1f,\n", r->pingpong_ns);
		printf("  \"roundtrip_poll_over_floor\": %.2f,\n",
		       ratio(r->roundtrip_poll_ns, r->pingpong_ns));
		printf("  \"roundtrip_poll_fused_ns\": %.1f,\n",
		       r->roundtrip_poll_fused_ns);
		printf("  \"roundtrip_harness\": \"%s\",\n",
		       r->roundtrip_runtime ? runtime_harness_text
					    : harness_text);
		printf("  \"roundtrip_minimal\": {\"harness\": \"%s\", "
		       "\"poll_ns\": %.1f, \"notify_ns\": %.1f, "
		       "\"poll_fused_ns\": %.1f, \"poll_over_floor\": %.2f, "
		       "\"poll_fused_over_floor\": %.2f},\n", harness_text,
		       r->minimal_poll_ns, r->minimal_notify_ns,
		       r->roundtrip_poll_fused_ns,
		       ratio(r->minimal_poll_ns, r->pingpong_ns),
		       ratio(r->roundtrip_poll_fused_ns, r->pingpong_ns));
		printf("  \"roundtrip_threads\": {\"cpus\": %d, "
		       "\"runtime\": \"%s\", "
		       "\"minimal_pinned\": %s, \"minimal_poll\": \"3 "
		       "threads, all spinning: vCPU pure spin on the slot state "
		       "(own CPU); worker and client spin with sched_yield after "
		       "each miss, sharing the other CPU\", \"minimal_notify\": "
		       "\"3 threads: vCPU sleeps on a futex (notification = "
		       "FUTEX_WAKE); worker and client spin with sched_yield, "
		       "sharing a CPU\", \"minimal_fused\": \"2 threads, both "
		       "spinning: vCPU pure spin; one service thread dispatches "
		       "and completes\", \"pingpong\": \"2 threads, both pure "
		       "spin, one per CPU\", \"errors\": %llu},\n",
		       r->cpus,
		       r->roundtrip_runtime ? "3 threads, unpinned, runtime "
		       "spin_ns = VIOREQ_LOCAL_SPIN_NS_SUGGESTED (50 us): the "
		       "vCPU spins on the slot state (poll) or sleeps on a "
		       "futex (notify); the client thread spins in "
		       "vioreq_rt_attach (and lingers after its completion) "
		       "watching the upcall and runs the core dispatch itself "
		       "(inline dispatch); the runtime's dispatch worker "
		       "sleeps on its upcall futex while a client watches. 2 "
		       "threads spin (poll) or 1 (notify)" : "not built",
		       r->pinned ? "true" : "false",
		       (unsigned long long)r->roundtrip_errors);
	}
	if (r->have_memory) {
		printf("  \"memory_per_vm_bytes\": %zu,\n",
		       r->vm_bytes + r->page_bytes);
		printf("  \"memory\": {\"vm_struct_bytes\": %zu, "
		       "\"page_bytes\": %zu},\n", r->vm_bytes, r->page_bytes);
	}
	printf("  \"targets\": {");
	for (i = 0; i < nt; i++)
		printf("%s\n    \"%s\": {\"target\": \"%s\", \"value\": %.3f, "
		       "\"met\": %s}", i ? "," : "", t[i].name, t[i].rule,
		       t[i].value, target_met(&t[i]) ? "true" : "false");
	printf("%s},\n", nt ? "\n  " : "");
	printf("  \"seconds\": %.1f\n", r->seconds);
	printf("}\n");
}

static void print_markdown(const struct results *r)
{
	struct target t[12];
	uint32_t nt = targets_of(r, t);
	uint32_t i;

	if (r->have_lookup) {
		printf("| ranges | hit | core ns | HSM list ns | bsearch ns | "
		       "HSM/core | core/bsearch | core chained ns | "
		       "bsearch chained ns |\n");
		printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (i = 0; i < r->lookup_count; i++) {
			const struct lookup_result *l = &r->lookup[i];

			printf("| %u | %.2f | %.2f | %.2f | %.2f | %.1f | "
			       "%.2f | %.2f | %.2f |\n", l->ranges,
			       l->hit_fraction, l->ns[IMPL_CORE],
			       l->ns[IMPL_HSM], l->ns[IMPL_BSEARCH],
			       ratio(l->ns[IMPL_HSM], l->ns[IMPL_CORE]),
			       ratio(l->ns[IMPL_CORE], l->ns[IMPL_BSEARCH]),
			       l->chained_ns[IMPL_CORE],
			       l->chained_ns[IMPL_BSEARCH]);
		}
		printf("\n");
	}
	printf("| measure | value |\n|---|---:|\n");
	if (r->have_dispatch) {
		printf("| dispatch+complete ns (dispatch_slot) | %.2f |\n",
		       r->dispatch.slot_ns);
		printf("| dispatch+complete ns (dispatch, 16 slots) | %.2f |\n",
		       r->dispatch.all_ns);
		printf("| hypervisor side only ns | %.2f |\n", r->dispatch.hv_ns);
	}
	if (r->have_roundtrip) {
		printf("| round trip (%s), poll ns | %.1f |\n",
		       r->roundtrip_runtime ? "runtime" : "minimal harness",
		       r->roundtrip_poll_ns);
		printf("| round trip (%s), notify ns | %.1f |\n",
		       r->roundtrip_runtime ? "runtime" : "minimal harness",
		       r->roundtrip_notify_ns);
		printf("| round trip, minimal harness, poll ns | %.1f |\n",
		       r->minimal_poll_ns);
		printf("| round trip, minimal harness, notify ns | %.1f |\n",
		       r->minimal_notify_ns);
		printf("| round trip, poll, fused worker+client ns | %.1f |\n",
		       r->roundtrip_poll_fused_ns);
		printf("| cache-line ping-pong ns (floor) | %.1f |\n",
		       r->pingpong_ns);
	}
	if (r->have_memory)
		printf("| memory per VM bytes | %zu |\n",
		       r->vm_bytes + r->page_bytes);
	printf("\n| target | rule | value | met |\n|---|---|---:|---|\n");
	for (i = 0; i < nt; i++)
		printf("| %s | %s | %.3f | %s |\n", t[i].name, t[i].rule,
		       t[i].value, target_met(&t[i]) ? "yes" : "no");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vioreq-bench [--json|--markdown] [--quick] "
		"[--only lookup|dispatch|roundtrip|memory]\n"
		"                    [--ranges 8|64|512|4096] [--iterations N] "
		"[--impl core|hsm|bsearch|all] [--reps N]\n"
		"  with --only dispatch --iterations N: --impl slot|dispatch|hv\n");
	exit(2);
}

static bool section(const struct options *o, const char *name)
{
	return !o->only || strcmp(o->only, name) == 0;
}

int main(int argc, char **argv)
{
	struct options o = { .reps = 7, .rep_ms = 60 };
	static struct results r;
	uint64_t t0 = now_ns();
	int first, second;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--json") == 0) {
			o.json = true;
		} else if (strcmp(a, "--markdown") == 0) {
			o.markdown = true;
		} else if (strcmp(a, "--quick") == 0) {
			o.quick = true;
		} else if (strcmp(a, "--only") == 0 && val) {
			o.only = val;
			i++;
		} else if (strcmp(a, "--ranges") == 0 && val) {
			o.ranges = (uint32_t)strtoul(val, NULL, 0);
			i++;
		} else if (strcmp(a, "--iterations") == 0 && val) {
			o.iterations = strtoull(val, NULL, 0);
			i++;
		} else if (strcmp(a, "--impl") == 0 && val) {
			o.impl = val;
			i++;
		} else if (strcmp(a, "--reps") == 0 && val) {
			o.reps = (uint32_t)strtoul(val, NULL, 0);
			i++;
		} else {
			usage();
		}
	}
	if (o.quick) {
		o.reps = o.reps == 7 ? 3 : o.reps;
		o.rep_ms = 10;
	}
	if (o.reps == 0)
		o.reps = 1;
	if (o.ranges && (o.ranges > VIOREQ_RANGES_PER_TYPE))
		usage();
	if (o.only && strcmp(o.only, "lookup") && strcmp(o.only, "dispatch") &&
	    strcmp(o.only, "roundtrip") && strcmp(o.only, "memory"))
		usage();
	if (!o.json && !o.markdown)
		o.json = true;

	read_loadavg();
	sched_getaffinity(0, sizeof(start_affinity), &start_affinity);
	r.cpus = allowed_cpus(&first, &second);
	r.pinned = r.cpus >= 2;
	if (section(&o, "lookup")) {
		uint32_t k;

		r.have_lookup = true;
		if (o.ranges) {
			bench_lookup(&o, o.ranges, &r.lookup[0]);
			r.lookup_count = 1;
		} else {
			for (k = 0; k < LOOKUP_SIZES; k++)
				bench_lookup(&o, lookup_sizes[k], &r.lookup[k]);
			r.lookup_count = LOOKUP_SIZES;
		}
	}
	if (section(&o, "dispatch")) {
		r.have_dispatch = true;
		bench_dispatch(&o, &r.dispatch);
	}
	if (section(&o, "roundtrip")) {
		r.have_roundtrip = true;
		r.pingpong_ns = bench_pingpong(&o);
		r.minimal_poll_ns = bench_roundtrip(&o, true, false,
						    &r.roundtrip_errors);
		r.minimal_notify_ns = bench_roundtrip(&o, false, false,
						      &r.roundtrip_errors);
		r.roundtrip_poll_fused_ns = bench_roundtrip(&o, true, true,
							&r.roundtrip_errors);
		r.roundtrip_poll_ns = r.minimal_poll_ns;
		r.roundtrip_notify_ns = r.minimal_notify_ns;
#ifdef VIOREQ_BENCH_RUNTIME
		{
			uint64_t iters = o.quick ? 1000 : 10000;
			double poll, notify;

			if (runtime_roundtrip(true, iters, o.reps, &poll,
					      &r.roundtrip_errors) == 0 &&
			    runtime_roundtrip(false, iters, o.reps, &notify,
					      &r.roundtrip_errors) == 0) {
				r.roundtrip_runtime = true;
				r.roundtrip_poll_ns = poll;
				r.roundtrip_notify_ns = notify;
			}
		}
#endif
	}
	if (section(&o, "memory")) {
		r.have_memory = true;
		r.vm_bytes = sizeof(struct vioreq_vm);
		r.page_bytes = sizeof(struct vioreq_page);
	}
	r.seconds = (double)(now_ns() - t0) / 1e9;
	if (o.json)
		print_json(&o, &r);
	if (o.markdown) {
		if (o.json)
			printf("\n");
		print_markdown(&r);
	}
	return 0;
}
