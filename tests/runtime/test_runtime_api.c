// SPDX-License-Identifier: MIT
/*
 * libvioreq's API on the local backend: the client lifecycle, its errors,
 * attach, completion, destruction and clear, with the test playing the
 * hypervisor on the page (atomic stores, as the simulator does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "vioreq/runtime.h"
#include "vioreq/runtime_local.h"

struct fixture {
	struct vioreq_page *page;
	struct vioreq_rt_vm *vm;
	_Atomic uint32_t notified[VIOREQ_SLOT_COUNT];
	uint32_t clear_timeout_ms;
	uint32_t spin_ns;	/* the runtime's spin-then-block time */
	/* The thread that ran the pass which last assigned each slot. */
	_Atomic unsigned long assigner[VIOREQ_SLOT_COUNT];
	/* Armed: the next notification makes finish_client read and finish
	 * its request of finish_vcpu, on the notifying thread. */
	atomic_bool finish_armed;
	int finish_client;
	uint32_t finish_vcpu;
	int finish_rc;
};

static _Atomic uint32_t *word(uint32_t *w)
{
	return (_Atomic uint32_t *)w;
}

static void on_notify(void *ctx, uint32_t vcpu)
{
	struct fixture *f = ctx;

	atomic_fetch_add(&f->notified[vcpu], 1);
	if (atomic_exchange(&f->finish_armed, false)) {
		struct vioreq_rt_request req;

		f->finish_rc = vioreq_rt_request(f->vm, f->finish_client,
						 f->finish_vcpu, &req);
		if (f->finish_rc == 0)
			f->finish_rc = vioreq_rt_notify_request_finish(
				f->vm, f->finish_client, f->finish_vcpu, 0x5A);
	}
}

static void on_trace(void *ctx, uint32_t vcpu, uint32_t from, uint32_t to,
		     uint32_t client)
{
	struct fixture *f = ctx;

	(void)client;
	if (from == VIOREQ_STATE_PENDING && to == VIOREQ_STATE_PROCESSING)
		atomic_store(&f->assigner[vcpu], (unsigned long)pthread_self());
}

static void make_vm(struct fixture *f)
{
	struct vioreq_local_config cfg = {
		.notify = on_notify,
		.trace = on_trace,
		.ctx = f,
		.clear_timeout_ms = f->clear_timeout_ms,
		.spin_ns = f->spin_ns,
	};

	assert_int_equal(vioreq_rt_create_vm(&vioreq_local_backend, f->page,
					     &cfg, &f->vm), 0);
}

static int setup_with(void **state, uint32_t spin_ns)
{
	struct fixture *f = calloc(1, sizeof(*f));
	uint32_t v;

	assert_non_null(f);
	f->page = aligned_alloc(VIOREQ_PAGE_SIZE, sizeof(*f->page));
	assert_non_null(f->page);
	memset(f->page, 0, sizeof(*f->page));
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		f->page->slot[v].processed = VIOREQ_STATE_FREE;
	f->clear_timeout_ms = 200;
	f->spin_ns = spin_ns;
	make_vm(f);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, 0);
}

/* The same tests with spin-then-block and inline dispatch (1 ms). */
static int setup_spin(void **state)
{
	return setup_with(state, 1000000);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->vm)
		assert_int_equal(vioreq_rt_destroy_vm(f->vm), 0);
	free(f->page);
	free(f);
	return 0;
}

/* The hypervisor traps an access of vCPU v: fill the slot, PENDING, upcall. */
static void trap(struct fixture *f, uint32_t v, uint32_t type, uint32_t dir,
		 uint64_t addr, uint64_t size, uint64_t value, uint32_t polling)
{
	struct vioreq_slot *s = &f->page->slot[v];

	assert_int_equal(atomic_load(word(&s->processed)), VIOREQ_STATE_FREE);
	atomic_store_explicit(word(&s->type), type, memory_order_relaxed);
	atomic_store_explicit(word(&s->completion_polling), polling,
			      memory_order_relaxed);
	atomic_store_explicit(word(&s->data[VIOREQ_REQ_DIRECTION_WORD]), dir,
			      memory_order_relaxed);
	atomic_store_explicit(word(&s->data[VIOREQ_REQ_ADDRESS_WORD]),
			      (uint32_t)addr, memory_order_relaxed);
	atomic_store_explicit(word(&s->data[VIOREQ_REQ_ADDRESS_WORD + 1]),
			      (uint32_t)(addr >> 32), memory_order_relaxed);
	atomic_store_explicit(word(&s->data[VIOREQ_REQ_SIZE_WORD]),
			      (uint32_t)size, memory_order_relaxed);
	atomic_store_explicit(word(&s->data[VIOREQ_REQ_SIZE_WORD + 1]), 0,
			      memory_order_relaxed);
	atomic_store_explicit(word(&s->data[VIOREQ_REQ_VALUE_WORD]),
			      (uint32_t)value, memory_order_relaxed);
	atomic_store_explicit(word(&s->data[VIOREQ_REQ_VALUE_WORD + 1]),
			      (uint32_t)(value >> 32), memory_order_relaxed);
	atomic_store_explicit(word(&s->processed), VIOREQ_STATE_PENDING,
			      memory_order_release);
	vioreq_local_upcall(f->vm);
}

/* Wait (bounded) until slot v reaches `want`; returns the state seen. */
static uint32_t wait_state(struct fixture *f, uint32_t v, uint32_t want)
{
	uint32_t s = 0;
	int i;

	for (i = 0; i < 2000; i++) {
		s = atomic_load_explicit(word(&f->page->slot[v].processed),
					 memory_order_acquire);
		if (s == want)
			break;
		usleep(1000);
	}
	return s;
}

/* The hypervisor takes the result and frees the slot. */
static uint64_t resume(struct fixture *f, uint32_t v)
{
	struct vioreq_slot *s = &f->page->slot[v];
	uint64_t value;

	assert_int_equal(wait_state(f, v, VIOREQ_STATE_COMPLETE),
			 VIOREQ_STATE_COMPLETE);
	value = atomic_load(word(&s->data[VIOREQ_REQ_VALUE_WORD])) |
		(uint64_t)atomic_load(word(&s->data[VIOREQ_REQ_VALUE_WORD + 1]))
			<< 32;
	atomic_store_explicit(word(&s->processed), VIOREQ_STATE_FREE,
			      memory_order_release);
	return value;
}

static const struct vioreq_rt_range uart_range = {
	VIOREQ_TYPE_PORTIO, 0x3F8, 0x3FF
};

static void test_create_vm_errors(void **state)
{
	struct fixture *f = *state;
	struct vioreq_local_config cfg = { .notify = on_notify, .ctx = f };
	struct vioreq_rt_vm *vm = NULL;
	char *misaligned = (char *)f->page + 64;

	assert_int_equal(vioreq_rt_create_vm(&vioreq_local_backend,
					     (struct vioreq_page *)misaligned,
					     &cfg, &vm), -VIOREQ_EINVAL);
	assert_int_equal(vioreq_rt_create_vm(&vioreq_local_backend, f->page,
					     NULL, &vm), -VIOREQ_EINVAL);
	assert_int_equal(vioreq_rt_create_vm(NULL, f->page, &cfg, &vm),
			 -VIOREQ_EINVAL);
	assert_null(vm);
}

static void test_bad_ranges(void **state)
{
	struct fixture *f = *state;
	const struct vioreq_rt_range bad_type[] = { { 3, 0x10, 0x20 } };
	const struct vioreq_rt_range backwards[] = {
		{ VIOREQ_TYPE_MMIO, 0x2000, 0x1000 }
	};
	const struct vioreq_rt_range self_overlap[] = {
		{ VIOREQ_TYPE_PORTIO, 0x60, 0x64 },
		{ VIOREQ_TYPE_PORTIO, 0x64, 0x70 },
	};
	int uart;

	assert_int_equal(vioreq_rt_create_client(f->vm, 0, bad_type, 1),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_rt_create_client(f->vm, 0, backwards, 1),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_rt_create_client(f->vm, 0, self_overlap, 2),
			 -VIOREQ_EBUSY);
	assert_int_equal(vioreq_rt_create_client(f->vm, 0, NULL, 1),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_rt_create_client(f->vm, 0x80, NULL, 0),
			 -VIOREQ_EINVAL);
	/* All or nothing: the failed client's first range is not kept. */
	assert_true(vioreq_rt_create_client(f->vm, 0, self_overlap, 1) >= 0);
	uart = vioreq_rt_create_client(f->vm, 0, &uart_range, 1);
	assert_true(uart >= 0);
	assert_int_equal(vioreq_rt_create_client(f->vm, 0, &uart_range, 1),
			 -VIOREQ_EBUSY);
	assert_int_equal(vioreq_rt_add_range(f->vm, uart, &backwards[0]),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_rt_remove_range(f->vm, uart, &backwards[0]),
			 -VIOREQ_ENOENT);
	assert_int_equal(vioreq_rt_remove_range(f->vm, uart, &uart_range), 0);
	assert_int_equal(vioreq_rt_add_range(f->vm, uart, &uart_range), 0);
	assert_true(vioreq_rt_create_client(f->vm, VIOREQ_RT_CLIENT_DEFAULT,
					    NULL, 0) >= 0);
	assert_int_equal(vioreq_rt_create_client(f->vm,
						 VIOREQ_RT_CLIENT_DEFAULT,
						 NULL, 0), -VIOREQ_EEXIST);
}

static void test_unknown_and_destroyed_client(void **state)
{
	struct fixture *f = *state;
	uint32_t pending = 0;
	int c, again;

	assert_int_equal(vioreq_rt_attach(f->vm, -1, &pending),
			 -VIOREQ_ENOENT);
	assert_int_equal(vioreq_rt_attach(f->vm, 5, &pending), -VIOREQ_ENOENT);
	assert_int_equal(vioreq_rt_destroy_client(f->vm, 1 << 20),
			 -VIOREQ_ENOENT);
	c = vioreq_rt_create_client(f->vm, 0, &uart_range, 1);
	assert_true(c >= 0);
	assert_int_equal(vioreq_rt_destroy_client(f->vm, c), 0);
	assert_int_equal(vioreq_rt_attach(f->vm, c, &pending), -VIOREQ_ENODEV);
	assert_int_equal(vioreq_rt_destroy_client(f->vm, c), -VIOREQ_ENODEV);
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, c, 0, 0),
			 -VIOREQ_ENODEV);
	assert_int_equal(vioreq_rt_add_range(f->vm, c, &uart_range),
			 -VIOREQ_ENODEV);
	/* Its core id is reused, but the old id never names the new client. */
	again = vioreq_rt_create_client(f->vm, 0, &uart_range, 1);
	assert_true(again >= 0);
	assert_int_not_equal(again, c);
	assert_int_equal(vioreq_rt_attach(f->vm, c, &pending), -VIOREQ_ENODEV);
}

struct attacher {
	struct fixture *f;
	int client;
	uint32_t pending;
	int rc;
	atomic_int tid;		/* its thread id, once running */
	pthread_t thread;
};

static void *attach_main(void *arg)
{
	struct attacher *a = arg;

	atomic_store(&a->tid, (int)syscall(SYS_gettid));
	a->rc = vioreq_rt_attach(a->f->vm, a->client, &a->pending);
	return NULL;
}

/*
 * Wait (at most 10 s) until the attacher sleeps, state S in
 * /proc/self/task/TID/stat: blocked in vioreq_rt_attach, its only call
 * that can sleep. A fixed sleep instead would let the test pass without
 * ever exercising the wake-up of a blocked attacher.
 */
static void wait_attacher_blocked(struct attacher *a)
{
	for (int i = 0; i < 10000; i++) {
		char path[64], buf[256];
		const char *st;
		FILE *fp;
		int tid = atomic_load(&a->tid);

		if (tid) {
			snprintf(path, sizeof(path), "/proc/self/task/%d/stat",
				 tid);
			fp = fopen(path, "r");
			assert_non_null(fp);
			buf[0] = '\0';
			if (!fgets(buf, sizeof(buf), fp))
				buf[0] = '\0';
			fclose(fp);
			st = strrchr(buf, ')');
			if (st && st[1] == ' ' && st[2] == 'S')
				return;
		}
		usleep(1000);
	}
	fail_msg("the attacher did not block within 10 s");
}

static void test_attach_request_finish(void **state)
{
	struct fixture *f = *state;
	struct attacher a = { .f = f };
	struct vioreq_rt_request req;
	int vmm;

	a.client = vioreq_rt_create_client(f->vm, 0, &uart_range, 1);
	vmm = vioreq_rt_create_client(f->vm, VIOREQ_RT_CLIENT_DEFAULT, NULL, 0);
	assert_true(a.client >= 0 && vmm >= 0);
	assert_int_equal(pthread_create(&a.thread, NULL, attach_main, &a), 0);
	wait_attacher_blocked(&a); /* nothing is assigned yet */
	trap(f, 3, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3FD, 1, 0, 0);
	pthread_join(a.thread, NULL);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.pending, 1u << 3);

	assert_int_equal(vioreq_rt_request(f->vm, a.client, 3, &req), 0);
	assert_int_equal(req.vcpu, 3);
	assert_int_equal(req.type, VIOREQ_TYPE_PORTIO);
	assert_int_equal(req.direction, VIOREQ_DIR_READ);
	assert_int_equal(req.address, 0x3FD);
	assert_int_equal(req.size, 1);
	/* Not yours: held by another client, held by nobody, out of range. */
	assert_int_equal(vioreq_rt_request(f->vm, vmm, 3, &req), -VIOREQ_EPERM);
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, vmm, 3, 1),
			 -VIOREQ_EPERM);
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, a.client, 4, 1),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, a.client, 16,
							 1), -VIOREQ_EINVAL);
	assert_int_equal(vioreq_rt_request(f->vm, a.client, 16, &req),
			 -VIOREQ_EINVAL);

	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, a.client, 3,
							 0x60), 0);
	/* Exactly once. */
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, a.client, 3,
							 0x61), -VIOREQ_EINVAL);
	assert_int_equal(resume(f, 3) & 0xFFFFFFFFu, 0x60);
	assert_int_equal(atomic_load(&f->notified[3]), 1);

	/* A polling slot is not notified; MMIO results are 64-bit. */
	trap(f, 5, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0xFEB00000, 8, 0, 1);
	assert_int_equal(vioreq_rt_attach(f->vm, vmm, &a.pending), 0);
	assert_int_equal(a.pending, 1u << 5);
	/* Only the request read can be finished. */
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, vmm, 5, 0),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_rt_request(f->vm, vmm, 5, &req), 0);
	assert_int_equal(vioreq_rt_notify_request_finish(
				 f->vm, vmm, 5, 0x0123456789ABCDEFull), 0);
	assert_true(resume(f, 5) == 0x0123456789ABCDEFull);
	assert_int_equal(atomic_load(&f->notified[5]), 0);
}

static void test_destroy_while_attached(void **state)
{
	struct fixture *f = *state;
	struct attacher a = { .f = f };
	struct attacher held = { .f = f };

	a.client = vioreq_rt_create_client(f->vm, 0, &uart_range, 1);
	assert_true(a.client >= 0);
	assert_int_equal(pthread_create(&a.thread, NULL, attach_main, &a), 0);
	wait_attacher_blocked(&a);
	assert_int_equal(vioreq_rt_destroy_client(f->vm, a.client), 0);
	pthread_join(a.thread, NULL);
	assert_int_equal(a.rc, -VIOREQ_ENODEV);

	/* A destroyed client's slots complete with all ones. */
	held.client = vioreq_rt_create_client(f->vm, 0, &uart_range, 1);
	assert_true(held.client >= 0);
	trap(f, 0, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F8, 1, 0, 0);
	assert_int_equal(vioreq_rt_attach(f->vm, held.client, &held.pending),
			 0);
	assert_int_equal(vioreq_rt_destroy_client(f->vm, held.client), 0);
	assert_int_equal(resume(f, 0) & 0xFFFFFFFFu, 0xFFFFFFFFu);
	assert_int_equal(atomic_load(&f->notified[0]), 1);
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, held.client, 0,
							 7), -VIOREQ_ENODEV);
	/* Unclaimed, no default client: the core completes it. */
	trap(f, 1, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F8, 1, 0, 0);
	assert_int_equal(resume(f, 1) & 0xFFFFFFFFu, 0xFFFFFFFFu);
}

struct finisher {
	struct fixture *f;
	int client;
	uint32_t vcpu;
	pthread_t thread;
};

static void *finish_later(void *arg)
{
	struct finisher *fin = arg;
	struct vioreq_rt_request req;

	assert_int_equal(vioreq_rt_request(fin->f->vm, fin->client, fin->vcpu,
					   &req), 0);
	usleep(30000);
	assert_int_equal(vioreq_rt_notify_request_finish(fin->f->vm,
							 fin->client,
							 fin->vcpu, 0x42), 0);
	return NULL;
}

static void test_clear(void **state)
{
	struct fixture *f = *state;
	struct finisher fin = { .f = f, .vcpu = 0 };
	struct vioreq_rt_request req;
	uint32_t pending;
	int vmm;

	fin.client = vioreq_rt_create_client(f->vm, 0, &uart_range, 1);
	vmm = vioreq_rt_create_client(f->vm, VIOREQ_RT_CLIENT_DEFAULT, NULL, 0);
	trap(f, 0, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F8, 1, 0, 0);
	trap(f, 1, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x60, 1, 0, 0);
	assert_int_equal(vioreq_rt_attach(f->vm, fin.client, &pending), 0);
	assert_int_equal(vioreq_rt_attach(f->vm, vmm, &pending), 0);
	assert_int_equal(pending, 1u << 1);
	/* clear waits for the UART client, which completes after 30 ms; the
	 * default client's slot is completed at once. */
	assert_int_equal(pthread_create(&fin.thread, NULL, finish_later, &fin),
			 0);
	assert_int_equal(vioreq_rt_clear(f->vm), 0);
	pthread_join(fin.thread, NULL);
	assert_int_equal(resume(f, 0) & 0xFFFFFFFFu, 0x42);
	assert_int_equal(resume(f, 1) & 0xFFFFFFFFu, 0xFFFFFFFFu);
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, vmm, 1, 0),
			 -VIOREQ_EINVAL);

	/* A client that never completes: clear gives up with EBUSY. */
	trap(f, 2, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F9, 1, 0, 0);
	assert_int_equal(vioreq_rt_attach(f->vm, fin.client, &pending), 0);
	assert_int_equal(vioreq_rt_clear(f->vm), -VIOREQ_EBUSY);
	assert_int_equal(vioreq_rt_request(f->vm, fin.client, 2, &req), 0);
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, fin.client, 2,
							 9), 0);
	assert_int_equal(resume(f, 2) & 0xFFFFFFFFu, 9);
	/* After clear, requests are dispatched again. */
	trap(f, 2, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F9, 1, 0, 0);
	assert_int_equal(vioreq_rt_attach(f->vm, fin.client, &pending), 0);
	assert_int_equal(pending, 1u << 2);
	assert_int_equal(vioreq_rt_request(f->vm, fin.client, 2, &req), 0);
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, fin.client, 2,
							 3), 0);
	assert_int_equal(resume(f, 2) & 0xFFFFFFFFu, 3);
}

/*
 * The last request another client holds is finished while clear has the
 * VM lock dropped to notify the hypervisor of the default client's slot
 * (here: from that very notification). Its wake-up comes before clear
 * waits, so clear must count what is held again before it sleeps, not
 * wait out its bound and fail with EBUSY (the stress test's flake).
 */
static void test_clear_finish_while_unlocked(void **state)
{
	struct fixture *f = *state;
	uint32_t pending;
	int uart, vmm;

	uart = vioreq_rt_create_client(f->vm, 0, &uart_range, 1);
	vmm = vioreq_rt_create_client(f->vm, VIOREQ_RT_CLIENT_DEFAULT, NULL, 0);
	assert_true(uart >= 0 && vmm >= 0);
	trap(f, 3, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3FA, 1, 0, 0);
	trap(f, 5, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x64, 1, 0, 0);
	assert_int_equal(vioreq_rt_attach(f->vm, uart, &pending), 0);
	assert_int_equal(pending, 1u << 3);
	assert_int_equal(vioreq_rt_attach(f->vm, vmm, &pending), 0);
	assert_int_equal(pending, 1u << 5);
	f->finish_client = uart;
	f->finish_vcpu = 3;
	f->finish_rc = 1;
	atomic_store(&f->finish_armed, true);
	assert_int_equal(vioreq_rt_clear(f->vm), 0);
	/* The finish did run inside clear, on the notification of slot 5. */
	assert_false(atomic_load(&f->finish_armed));
	assert_int_equal(f->finish_rc, 0);
	assert_int_equal(resume(f, 3) & 0xFFFFFFFFu, 0x5A);
	assert_int_equal(resume(f, 5) & 0xFFFFFFFFu, 0xFFFFFFFFu);
}

/*
 * The default client is busy with a request when clear completes it; the
 * vCPU's next request goes to the same client. Its late finish of the old
 * request must not complete the new one.
 */
static void test_stale_finish_after_clear(void **state)
{
	struct fixture *f = *state;
	struct vioreq_rt_request req;
	uint32_t pending;
	int vmm = vioreq_rt_create_client(f->vm, VIOREQ_RT_CLIENT_DEFAULT,
					  NULL, 0);

	assert_true(vmm >= 0);
	trap(f, 4, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x61, 1, 0, 0);
	assert_int_equal(vioreq_rt_attach(f->vm, vmm, &pending), 0);
	assert_int_equal(vioreq_rt_request(f->vm, vmm, 4, &req), 0);
	assert_int_equal(req.address, 0x61);
	assert_int_equal(vioreq_rt_clear(f->vm), 0);
	assert_int_equal(resume(f, 4) & 0xFFFFFFFFu, 0xFFFFFFFFu);
	trap(f, 4, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x71, 1, 0, 0);
	assert_int_equal(vioreq_rt_attach(f->vm, vmm, &pending), 0);
	assert_int_equal(pending, 1u << 4);
	/* The late answer for port 0x61 is refused... */
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, vmm, 4, 0x61),
			 -VIOREQ_EINVAL);
	/* ...and port 0x71 gets its own. */
	assert_int_equal(vioreq_rt_request(f->vm, vmm, 4, &req), 0);
	assert_int_equal(req.address, 0x71);
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, vmm, 4, 0x71),
			 0);
	assert_int_equal(resume(f, 4) & 0xFFFFFFFFu, 0x71);
}

static void test_pci_conf1(void **state)
{
	struct fixture *f = *state;
	const uint64_t key = (0ull << 20) | (3ull << 15);
	const struct vioreq_rt_range pci = { VIOREQ_TYPE_PCICFG, key,
					     key + 0xFFF };
	struct vioreq_rt_request req;
	uint32_t pending;
	int nic = vioreq_rt_create_client(f->vm, 0, &pci, 1);

	assert_true(nic >= 0);
	/* CF8 is served by the core and notified. */
	trap(f, 7, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_WRITE, 0xCF8, 4,
	     0x80000000u | (3u << 11) | 0x40, 0);
	resume(f, 7);
	assert_int_equal(atomic_load(&f->notified[7]), 1);
	trap(f, 7, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0xCFE, 2, 0, 0);
	assert_int_equal(vioreq_rt_attach(f->vm, nic, &pending), 0);
	assert_int_equal(vioreq_rt_request(f->vm, nic, 7, &req), 0);
	assert_int_equal(req.type, VIOREQ_TYPE_PCICFG);
	assert_int_equal(req.pci_dev, 3);
	assert_int_equal(req.pci_reg, 0x42);
	assert_int_equal(req.size, 2);
	assert_int_equal(vioreq_rt_notify_request_finish(f->vm, nic, 7,
							 0xBEEF), 0);
	/* The PCI bus word next to the value is left alone. */
	assert_int_equal(resume(f, 7), 0xBEEF);
}

/* A client thread in the HSM loop; results are address ^ SERVE_SALT. */
#define SERVE_SALT 0x5A5Au

struct server {
	struct fixture *f;
	int client;
	pthread_t thread;
	_Atomic unsigned long self;
	_Atomic uint32_t errors;
};

static void *serve_main(void *arg)
{
	struct server *s = arg;
	struct vioreq_rt_request req;
	uint32_t pending, v;
	int rc;

	atomic_store(&s->self, (unsigned long)pthread_self());
	for (;;) {
		rc = vioreq_rt_attach(s->f->vm, s->client, &pending);
		if (rc == -VIOREQ_ENODEV)
			break;
		if (rc != 0) {
			atomic_fetch_add(&s->errors, 1);
			break;
		}
		for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
			if ((pending & (1u << v)) &&
			    (vioreq_rt_request(s->f->vm, s->client, v,
					       &req) != 0 ||
			     vioreq_rt_notify_request_finish(
				     s->f->vm, s->client, v,
				     req.address ^ SERVE_SALT) != 0))
				atomic_fetch_add(&s->errors, 1);
	}
	return NULL;
}

/* One request of vCPU v, waited for by polling the slot (sched_yield:
 * the machine may have two CPUs); returns the thread that assigned it. */
static unsigned long round_trip(struct fixture *f, uint32_t v, uint32_t type,
				uint64_t addr, uint32_t polling)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	trap(f, v, type, VIOREQ_DIR_READ, addr, 1, 0, polling);
	while (atomic_load_explicit(word(&f->page->slot[v].processed),
				    memory_order_acquire) !=
	       VIOREQ_STATE_COMPLETE) {
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
		assert_true(t.tv_sec - t0.tv_sec < 20);	/* lost */
	}
	assert_true(resume(f, v) == ((addr ^ SERVE_SALT) & 0xFFFFFFFFu));
	return atomic_load(&f->assigner[v]);
}

/*
 * Inline dispatch: with spin_ns, a client thread spinning in attach (or
 * lingering after its completion) runs the dispatch pass itself: for its
 * own requests (back-to-back polling round trips), and for another
 * client's, which must still reach that client, blocked on its condition
 * variable. Without spin, only the worker dispatches. Either way every
 * request completes once, with its client's result.
 */
static void test_inline_dispatch(void **state)
{
	static const struct vioreq_rt_range mmio = {
		VIOREQ_TYPE_MMIO, 0xC0000000, 0xC0000FFF
	};
	struct fixture *f = *state;
	struct server a = { .f = f }, b = { .f = f };
	uint32_t i, own = 0, cross = 0, notify = 0, own_total, cross_total;

	a.client = vioreq_rt_create_client(f->vm, 0, &mmio, 1);
	b.client = vioreq_rt_create_client(f->vm, 0, &uart_range, 1);
	assert_true(a.client >= 0 && b.client >= 0);
	assert_int_equal(pthread_create(&a.thread, NULL, serve_main, &a), 0);
	assert_int_equal(pthread_create(&b.thread, NULL, serve_main, &b), 0);
	while (!atomic_load(&a.self) || !atomic_load(&b.self))
		usleep(1000);

	/* Back to back: the round trip the bench measures. With spin, go on
	 * (bounded) until the inline path was taken at least once: on a
	 * loaded machine the threads may be preempted for longer than the
	 * spin. */
	for (i = 0; i < 2000 || (f->spin_ns && !own && i < 20000); i++)
		own += round_trip(f, 0, VIOREQ_TYPE_MMIO, 0xC0000010 + i % 64,
				  1) == atomic_load(&a.self);
	own_total = i;
	/* B sleeps (its spin ran out); A has just completed, so it watches
	 * when B's request arrives, and dispatches it to B. */
	for (i = 0; i < 50 || (f->spin_ns && !cross && i < 500); i++) {
		usleep(3000);
		(void)round_trip(f, 1, VIOREQ_TYPE_MMIO, 0xC0000100, 1);
		notify += i % 2 == 0;
		cross += round_trip(f, 2, VIOREQ_TYPE_PORTIO, 0x3F8 + i % 8,
				    i % 2) == atomic_load(&a.self);
	}
	cross_total = i;
	assert_int_equal(vioreq_rt_destroy_client(f->vm, a.client), 0);
	assert_int_equal(vioreq_rt_destroy_client(f->vm, b.client), 0);
	pthread_join(a.thread, NULL);
	pthread_join(b.thread, NULL);
	assert_int_equal(atomic_load(&a.errors), 0);
	assert_int_equal(atomic_load(&b.errors), 0);
	/* Notified only for the slots that did not poll, once each. */
	assert_int_equal(atomic_load(&f->notified[0]), 0);
	assert_int_equal(atomic_load(&f->notified[2]), notify);
	print_message("inline dispatch (spin %u ns): %u/%u own, %u/%u "
		      "cross-client\n", f->spin_ns, own, own_total, cross,
		      cross_total);
	if (f->spin_ns != 0) {
		assert_true(own > 0);
		assert_true(cross > 0);
	} else {
		assert_int_equal(own, 0);
		assert_int_equal(cross, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_vm_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_ranges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_unknown_and_destroyed_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_request_finish,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_while_attached,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_finish_while_unlocked,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_finish_after_clear,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pci_conf1, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_inline_dispatch, setup,
						teardown),
		/* Again with spin-then-block and inline dispatch. */
		cmocka_unit_test_setup_teardown(test_create_vm_errors, setup_spin,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_ranges, setup_spin,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_unknown_and_destroyed_client, setup_spin, teardown),
		cmocka_unit_test_setup_teardown(test_attach_request_finish,
						setup_spin, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_while_attached,
						setup_spin, teardown),
		cmocka_unit_test_setup_teardown(test_clear, setup_spin, teardown),
		cmocka_unit_test_setup_teardown(test_clear_finish_while_unlocked,
						setup_spin, teardown),
		cmocka_unit_test_setup_teardown(test_stale_finish_after_clear,
						setup_spin, teardown),
		cmocka_unit_test_setup_teardown(test_pci_conf1, setup_spin,
						teardown),
		cmocka_unit_test_setup_teardown(test_inline_dispatch, setup_spin,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
