// SPDX-License-Identifier: MIT
/*
 * Dispatch, completion, client destruction and clear, driven through a
 * page the test fills as the hypervisor (and scribbles on as userspace).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vioreq/clear.h"
#include "vioreq/client.h"
#include "vioreq/completion.h"
#include "vioreq/dispatch.h"

#include "page_fixture.h"

static int setup(void **state)
{
	struct fixture *f = fixture_new();

	f->vmm = (uint32_t)vioreq_client_create(f->vm, true, false);
	f->uart = (uint32_t)vioreq_client_create(f->vm, false, true);
	assert_int_equal(f->vmm, 0);
	assert_int_equal(f->uart, 1);
	assert_int_equal(vioreq_client_add_range(f->vm, f->uart,
						 VIOREQ_TYPE_PORTIO, 0x3F8,
						 0x3FF), 0);
	*state = f;
	return 0;
}

static void test_routes_to_owner_and_default(void **state)
{
	struct fixture *f = *state;

	trap(f, 0, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3FC, 4, 0, 0);
	trap(f, 1, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3FD, 4, 0, 0);
	trap(f, 2, VIOREQ_TYPE_MMIO, VIOREQ_DIR_WRITE, 0xFEE00000, 4, 7, 0);
	assert_int_equal(dispatch(f), 3);
	assert_int_equal(f->vm->slot_owner[0], f->uart);
	/* 0x3FD..0x400 leaves the UART range: the default client takes it. */
	assert_int_equal(f->vm->slot_owner[1], f->vmm);
	assert_int_equal(f->vm->slot_owner[2], f->vmm);
	assert_int_equal(f->page->slot[0].processed, VIOREQ_STATE_PROCESSING);
	assert_int_equal(f->page->slot[0].kernel_handled, 1);
	assert_int_equal(f->page->slot[1].kernel_handled, 0);
	assert_int_equal(f->ev.wake[f->uart], 1);
	assert_int_equal(f->ev.wake[f->vmm], 1);
	assert_int_equal(f->ev.wake[2], 0);
	assert_int_equal(f->vm->counters.dispatched[VIOREQ_TYPE_PORTIO], 2);
	/* Held slots are never dispatched twice, even if rewritten PENDING. */
	f->page->slot[0].processed = VIOREQ_STATE_PENDING;
	assert_int_equal(dispatch(f), 0);
	assert_int_equal(f->vm->slot_owner[0], f->uart);
}

static void test_complete_errors_and_notify(void **state)
{
	struct fixture *f = *state;
	bool notify = true;

	trap(f, 0, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F8, 1, 0, 0);
	trap(f, 1, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F9, 1, 0, 1);
	assert_int_equal(dispatch(f), 2);
	assert_int_equal(vioreq_complete(f->vm, f->page, 16, f->uart, &notify),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_complete(f->vm, f->page, 0, 64, &notify),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_complete(f->vm, f->page, 5, f->uart, &notify),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_complete(f->vm, f->page, 0, f->vmm, &notify),
			 -VIOREQ_EPERM);
	/* A refusal leaves the slot, its holder, the count and *notify. */
	assert_int_equal(f->page->slot[0].processed, VIOREQ_STATE_PROCESSING);
	assert_int_equal(f->vm->slot_owner[0], f->uart);
	assert_int_equal(f->vm->counters.completed, 0);
	assert_true(notify);
	notify = false;
	assert_int_equal(vioreq_complete(f->vm, f->page, 0, f->vmm, &notify),
			 -VIOREQ_EPERM);
	assert_false(notify);
	notify = true;
	/* Userspace scribbles the state: refused, nothing changes. */
	f->page->slot[0].processed = 0xDEADBEEF;
	assert_int_equal(vioreq_complete(f->vm, f->page, 0, f->uart, &notify),
			 -VIOREQ_EINVAL);
	assert_int_equal(f->vm->counters.bad_state, 1);
	assert_int_equal(f->vm->slot_owner[0], f->uart);
	f->page->slot[0].processed = VIOREQ_STATE_PROCESSING;
	assert_int_equal(vioreq_complete(f->vm, f->page, 0, f->uart, &notify),
			 0);
	assert_true(notify);
	assert_int_equal(f->page->slot[0].processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(f->vm->slot_owner[0], VIOREQ_CLIENT_NONE);
	/* Exactly once: a second completion is refused. */
	assert_int_equal(vioreq_complete(f->vm, f->page, 0, f->uart, &notify),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_complete(f->vm, f->page, 1, f->uart, &notify),
			 0);
	assert_false(notify);
	assert_int_equal(f->vm->counters.completed, 2);
}

static void test_malformed_and_unroutable_completed(void **state)
{
	struct fixture *f = *state;
	struct vioreq_events ev;

	trap(f, 0, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0x1000, 3, 0, 0);
	trap(f, 1, 7, VIOREQ_DIR_READ, 0x1000, 4, 0, 1);
	trap(f, 2, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, UINT64_MAX, 2, 0, 0);
	assert_int_equal(dispatch(f), 0);
	assert_int_equal(f->page->slot[0].processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(get_u64(&f->page->slot[0].data[VIOREQ_REQ_VALUE_WORD]),
			 UINT64_MAX);
	assert_int_equal(f->ev.notify[0], 1);
	assert_int_equal(f->ev.notify[1], 0); /* it polls */
	assert_int_equal(f->page->slot[2].processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(f->vm->counters.malformed, 3);
	/* Completed by the core: marked so userspace never takes them. */
	assert_int_equal(f->page->slot[0].kernel_handled, 1);
	assert_int_equal(f->page->slot[1].kernel_handled, 1);
	assert_int_equal(f->page->slot[2].kernel_handled, 1);
	/* Without a default client, an unclaimed address is completed. */
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(vioreq_client_destroy(f->vm, f->page, f->vmm, &ev), 0);
	trap(f, 3, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x60, 1, 0, 0);
	assert_int_equal(dispatch(f), 0);
	assert_int_equal(f->page->slot[3].processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(f->page->slot[3].data[VIOREQ_REQ_VALUE_WORD],
			 0xFFFFFFFFu);
	assert_int_equal(f->vm->counters.unroutable, 1);
	assert_int_equal(f->page->slot[3].kernel_handled, 1);
}

static void test_bad_state_counted(void **state)
{
	struct fixture *f = *state;

	f->page->slot[4].processed = 4;
	f->page->slot[5].processed = UINT32_MAX;
	f->page->slot[6].processed = 0x80000000u;
	assert_int_equal(dispatch(f), 0);
	assert_int_equal(f->vm->counters.bad_state, 3);
	/* Reported, never acted on: the values stay, nobody holds them. */
	assert_int_equal(f->page->slot[4].processed, 4);
	assert_int_equal(f->page->slot[5].processed, UINT32_MAX);
	assert_int_equal(f->page->slot[6].processed, 0x80000000u);
	assert_int_equal(f->vm->slot_owner[4], VIOREQ_CLIENT_NONE);
	assert_int_equal(f->vm->slot_owner[5], VIOREQ_CLIENT_NONE);
	assert_int_equal(f->vm->slot_owner[6], VIOREQ_CLIENT_NONE);
	assert_int_equal(f->page->slot[5].kernel_handled, 0);
}

static void test_conf1(void **state)
{
	struct fixture *f = *state;
	uint32_t nic = (uint32_t)vioreq_client_create(f->vm, false, false);
	uint64_t key = (1ull << 20) | (3ull << 15) | (1ull << 12);
	struct vioreq_slot *s = &f->page->slot[6];

	assert_int_equal(vioreq_client_add_range(f->vm, nic, VIOREQ_TYPE_PCICFG,
						 key, key + 0xFFF), 0);
	/* Enable bit clear: the data port is plain PIO for the default. */
	trap(f, 6, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0xCFC, 4, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[6], f->vmm);
	assert_int_equal(s->type, VIOREQ_TYPE_PORTIO);
	assert_int_equal(s->kernel_handled, 0);
	assert_int_equal(s->processed, VIOREQ_STATE_PROCESSING);
	assert_int_equal(vioreq_complete(f->vm, f->page, 6, f->vmm,
					 &(bool){ false }), 0);
	/* CF8 write: served by the core, never dispatched. */
	trap(f, 6, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_WRITE, 0xCF8, 4,
	     0x80000000u | (1u << 16) | (3u << 11) | (1u << 8) | 0x10, 0);
	assert_int_equal(dispatch(f), 0);
	assert_int_equal(s->processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(s->kernel_handled, 1);
	assert_int_equal(f->vm->conf1_address, 0x80011910u);
	/* CF8 read returns the register. */
	trap(f, 6, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0xCF8, 4, 0, 0);
	assert_int_equal(dispatch(f), 0);
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD], 0x80011910u);
	/* A 2-byte read at 0xCFE becomes PCICFG 01:03.1 reg 0x12. */
	trap(f, 6, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0xCFE, 2, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[6], nic);
	assert_int_equal(s->type, VIOREQ_TYPE_PCICFG);
	assert_int_equal(s->data[VIOREQ_REQ_PCI_BUS_WORD], 1);
	assert_int_equal(s->data[VIOREQ_REQ_PCI_DEV_WORD], 3);
	assert_int_equal(s->data[VIOREQ_REQ_PCI_FUNC_WORD], 1);
	assert_int_equal(s->data[VIOREQ_REQ_PCI_REG_WORD], 0x12);
	assert_int_equal(f->vm->counters.dispatched[VIOREQ_TYPE_PCICFG], 1);
}

static void test_destroy_completes_held(void **state)
{
	struct fixture *f = *state;
	struct vioreq_events ev;

	trap(f, 0, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F8, 1, 0, 0);
	trap(f, 1, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_WRITE, 0x3F8, 1, 5, 1);
	trap(f, 2, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x60, 1, 0, 0);
	assert_int_equal(dispatch(f), 3);
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(vioreq_client_destroy(f->vm, f->page, f->uart, &ev), 0);
	assert_int_equal(f->page->slot[0].processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(f->page->slot[0].data[VIOREQ_REQ_VALUE_WORD],
			 0xFFFFFFFFu);
	assert_int_equal(f->page->slot[1].processed, VIOREQ_STATE_COMPLETE);
	/* The defined result goes in whatever the direction. */
	assert_int_equal(f->page->slot[1].data[VIOREQ_REQ_VALUE_WORD],
			 0xFFFFFFFFu);
	assert_int_equal(f->page->slot[1].data[VIOREQ_REQ_VALUE_WORD + 1],
			 0xFFFFFFFFu);
	assert_int_equal(ev.notify[0], 1);
	assert_int_equal(ev.notify[1], 0);
	assert_int_equal(f->vm->slot_owner[2], f->vmm); /* not the UART's */
	assert_int_equal(f->vm->counters.orphaned, 2);
	assert_int_equal(f->vm->ranges[VIOREQ_TYPE_PORTIO].count, 0);
	assert_int_equal(vioreq_client_destroy(f->vm, f->page, f->uart, &ev),
			 -VIOREQ_ENOENT);
	assert_int_equal(vioreq_client_add_range(f->vm, f->uart,
						 VIOREQ_TYPE_PORTIO, 1, 2),
			 -VIOREQ_ENODEV);
	assert_int_equal(vioreq_client_release(f->vm, f->uart), 0);
	assert_int_equal(vioreq_client_release(f->vm, f->uart), -VIOREQ_ENOENT);
	/* The id is reused. */
	assert_int_equal(vioreq_client_create(f->vm, false, false), f->uart);
	assert_int_equal(vioreq_client_create(f->vm, true, false),
			 -VIOREQ_EEXIST);
}

static void test_clear(void **state)
{
	struct fixture *f = *state;
	struct vioreq_events ev;

	trap(f, 0, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F8, 1, 0, 0);
	trap(f, 1, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x60, 1, 0, 0);
	assert_int_equal(dispatch(f), 2);
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(vioreq_clear_begin(f->vm, f->page, &ev), 1);
	assert_int_equal(f->page->slot[1].processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(f->vm->slot_owner[1], VIOREQ_CLIENT_NONE);
	assert_int_equal(f->vm->slot_owner[0], f->uart);
	assert_int_equal(ev.notify[1], 1);
	/* While clearing, PENDING slots are completed, not dispatched. */
	trap(f, 2, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F9, 1, 0, 0);
	assert_int_equal(dispatch(f), 0);
	assert_int_equal(f->page->slot[2].processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(f->vm->counters.cleared, 2);
	vioreq_clear_end(f->vm);
	trap(f, 2, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F9, 1, 0, 0);
	assert_int_equal(dispatch(f), 1);
}

static void test_client_capacity(void **state)
{
	struct fixture *f = *state;
	uint32_t i;

	for (i = 2; i < VIOREQ_CLIENTS_PER_VM; i++)
		assert_int_equal(vioreq_client_create(f->vm, false, false),
				 (int32_t)i);
	assert_int_equal(vioreq_client_create(f->vm, false, false),
			 -VIOREQ_ENOSPC);
	assert_int_equal(vioreq_client_add_range(f->vm, 2, 3, 0, 1),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_client_add_range(f->vm, VIOREQ_CLIENTS_PER_VM,
						 VIOREQ_TYPE_MMIO, 0, 1),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_client_add_range(f->vm, 2, VIOREQ_TYPE_PORTIO,
						 0x3FF, 0x400), -VIOREQ_EBUSY);
	assert_int_equal(vioreq_client_remove_range(f->vm, 2,
						    VIOREQ_TYPE_PORTIO, 0x3F8,
						    0x3FF), -VIOREQ_ENOENT);
	assert_int_equal(vioreq_client_remove_range(f->vm, f->uart,
						    VIOREQ_TYPE_PORTIO, 0x3F8,
						    0x3FF), 0);
	assert_false(vioreq_client_holds(f->vm, VIOREQ_CLIENT_NONE, 0));
	assert_false(vioreq_client_holds(f->vm, f->uart, 0));
	assert_false(vioreq_client_holds(f->vm, 0, 16));
}

/*
 * The client-level add: each error for its own reason, and a refused add
 * leaves the table as it was (REQ-RANGE-001, -002, -005).
 */
static void test_client_add_range_errors(void **state)
{
	struct fixture *f = *state;
	const struct vioreq_range_table *t = &f->vm->ranges[VIOREQ_TYPE_MMIO];
	uint32_t i;

	assert_int_equal(vioreq_client_add_range(f->vm, f->uart,
						 VIOREQ_TYPE_MMIO, 0x2000,
						 0x1FFF), -VIOREQ_EINVAL);
	assert_int_equal(t->count, 0);
	/* A destroyed client (id 2 never created) is not active. */
	assert_int_equal(vioreq_client_add_range(f->vm, 2, VIOREQ_TYPE_MMIO,
						 0, 0), -VIOREQ_ENODEV);
	/* Fill the table with one-byte ranges at even addresses. */
	for (i = 0; i < VIOREQ_RANGES_PER_TYPE; i++)
		assert_int_equal(vioreq_client_add_range(f->vm, f->uart,
							 VIOREQ_TYPE_MMIO,
							 2ull * i, 2ull * i),
				 0);
	assert_int_equal(t->count, VIOREQ_RANGES_PER_TYPE);
	/* Full, but an overlap is still reported as one. */
	assert_int_equal(vioreq_client_add_range(f->vm, f->vmm,
						 VIOREQ_TYPE_MMIO, 1, 2),
			 -VIOREQ_EBUSY);
	assert_int_equal(vioreq_client_add_range(f->vm, f->vmm,
						 VIOREQ_TYPE_MMIO, 1, 1),
			 -VIOREQ_ENOSPC);
	assert_int_equal(vioreq_client_add_range(f->vm, f->vmm,
						 VIOREQ_TYPE_MMIO, 0x100000,
						 UINT64_MAX), -VIOREQ_ENOSPC);
	assert_int_equal(t->count, VIOREQ_RANGES_PER_TYPE);
	assert_int_equal(t->start[1], 2);
	assert_int_equal(t->client[1], f->uart);
	/* One freed: the gap takes a new range again. */
	assert_int_equal(vioreq_client_remove_range(f->vm, f->uart,
						    VIOREQ_TYPE_MMIO, 2, 2), 0);
	assert_int_equal(vioreq_client_add_range(f->vm, f->vmm,
						 VIOREQ_TYPE_MMIO, 1, 4),
			 -VIOREQ_EBUSY);
	assert_int_equal(vioreq_client_add_range(f->vm, f->vmm,
						 VIOREQ_TYPE_MMIO, 1, 3), 0);
	assert_int_equal(t->count, VIOREQ_RANGES_PER_TYPE);
}

/*
 * Routing at the ends of the address spaces: an access that ends at
 * 2^64 - 1 goes to the range that ends there; one byte further wraps and
 * is malformed (completed with all ones); port 0 routes like any other.
 */
static void test_route_address_edges(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vioreq_client_add_range(f->vm, f->uart,
						 VIOREQ_TYPE_MMIO,
						 UINT64_MAX - 0xFFF,
						 UINT64_MAX), 0);
	assert_int_equal(vioreq_client_add_range(f->vm, f->uart,
						 VIOREQ_TYPE_PORTIO, 0, 0), 0);
	trap(f, 0, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, UINT64_MAX - 7, 8, 0, 0);
	trap(f, 1, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, UINT64_MAX - 6, 8, 0, 0);
	trap(f, 2, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0, 1, 0, 0);
	trap(f, 3, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0, 2, 0, 0);
	assert_int_equal(dispatch(f), 3);
	assert_int_equal(f->vm->slot_owner[0], f->uart);
	assert_int_equal(f->vm->slot_owner[1], VIOREQ_CLIENT_NONE);
	assert_int_equal(f->page->slot[1].processed, VIOREQ_STATE_COMPLETE);
	assert_true(get_u64(&f->page->slot[1].data[VIOREQ_REQ_VALUE_WORD]) ==
		    UINT64_MAX);
	assert_int_equal(f->vm->counters.malformed, 1);
	assert_int_equal(f->vm->slot_owner[2], f->uart);
	/* Ports 0-1 are not all in [0, 0]: the default client's. */
	assert_int_equal(f->vm->slot_owner[3], f->vmm);
}

static void test_counter_saturates(void **state)
{
	int64_t c = INT64_MAX - 1;

	(void)state;
	vioreq_counter_add(&c);
	assert_true(c == INT64_MAX);
	vioreq_counter_add(&c);
	assert_true(c == INT64_MAX);
	c = 0;
	vioreq_counter_add(&c);
	assert_true(c == 1);
}

/* A count of several slots stops at the maximum, as one count does. */
static void test_slot_counts_saturate(void **state)
{
	struct fixture *f = *state;
	struct vioreq_events ev;

	trap(f, 0, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F8, 1, 0, 0);
	trap(f, 1, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3F9, 1, 0, 0);
	trap(f, 2, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x60, 1, 0, 0);
	trap(f, 3, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x61, 1, 0, 0);
	assert_int_equal(dispatch(f), 4);
	memset(&ev, 0, sizeof(ev));
	f->vm->counters.orphaned = INT64_MAX - 1;
	assert_int_equal(vioreq_client_destroy(f->vm, f->page, f->uart, &ev), 0);
	assert_true(f->vm->counters.orphaned == INT64_MAX);
	f->vm->counters.cleared = INT64_MAX - 1;
	assert_int_equal(vioreq_clear_begin(f->vm, f->page, &ev), 0);
	assert_true(f->vm->counters.cleared == INT64_MAX);
	assert_int_equal(f->page->slot[3].processed, VIOREQ_STATE_COMPLETE);
	/* Below the maximum, one per slot. */
	vioreq_clear_end(f->vm);
	f->vm->counters.cleared = 5;
	trap(f, 2, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x60, 1, 0, 0);
	trap(f, 3, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x61, 1, 0, 0);
	assert_int_equal(dispatch(f), 2);
	assert_int_equal(vioreq_clear_begin(f->vm, f->page, &ev), 0);
	assert_true(f->vm->counters.cleared == 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_routes_to_owner_and_default,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete_errors_and_notify,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_malformed_and_unroutable_completed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_state_counted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_conf1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_completes_held,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_capacity, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_add_range_errors,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_address_edges, setup,
						teardown),
		cmocka_unit_test(test_counter_saturates),
		cmocka_unit_test_setup_teardown(test_slot_counts_saturate, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
