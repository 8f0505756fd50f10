// SPDX-License-Identifier: MIT
/*
 * Boundaries of the VM, client, completion, dispatch and PCI mechanism #1
 * code: the last valid client id, vCPU and request type next to the first
 * invalid one, every type's own range table, the last slot of every loop
 * over the page, the edges of the 0xCFC-0xCFF data window and of the
 * enable bit, and the order in which the core stores a slot's state.
 *
 * This test defines the four page access hooks itself (instead of linking
 * userspace/page_access_hosted.c): they do what the hosted ones do and
 * also log every store, so that a state the slot passes through on its
 * way to COMPLETE is seen, not only the state it ends in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vioreq/clear.h"
#include "vioreq/client.h"
#include "vioreq/completion.h"
#include "vioreq/dispatch.h"
#include "vioreq/pci_conf1.h"

#include "page_fixture.h"

#define LAST_CLIENT (VIOREQ_CLIENTS_PER_VM - 1)
#define LAST_SLOT (VIOREQ_SLOT_COUNT - 1)
#define ENABLE VIOREQ_CONF1_ENABLE_BIT

/* ------------------------------------------------- recording page hooks */

struct store {
	const uint32_t *word;
	uint32_t value;
	bool release;
};

#define STORE_LOG_SIZE 256
static struct store store_log[STORE_LOG_SIZE];
static unsigned int store_count;

static void log_store(const uint32_t *word, uint32_t value, bool release)
{
	if (store_count < STORE_LOG_SIZE)
		store_log[store_count] = (struct store){ word, value, release };
	store_count++;
}

uint32_t vioreq_page_load(const uint32_t *word)
{
	return __atomic_load_n(word, __ATOMIC_RELAXED);
}

uint32_t vioreq_page_load_acquire(const uint32_t *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

void vioreq_page_store(uint32_t *word, uint32_t value)
{
	log_store(word, value, false);
	__atomic_store_n(word, value, __ATOMIC_RELAXED);
}

void vioreq_page_store_release(uint32_t *word, uint32_t value)
{
	log_store(word, value, true);
	__atomic_store_n(word, value, __ATOMIC_RELEASE);
}

static void log_reset(void)
{
	store_count = 0;
}

/* The values stored to one word, in order; returns how many. */
static unsigned int stores_to(const uint32_t *word, uint32_t *values,
			      unsigned int max)
{
	unsigned int i, n = 0;

	assert_true(store_count <= STORE_LOG_SIZE);
	for (i = 0; i < store_count; i++) {
		if (store_log[i].word != word)
			continue;
		if (n < max)
			values[n] = store_log[i].value;
		n++;
	}
	return n;
}

/* Position in the log of the first store to word, or -1. */
static int first_store(const uint32_t *word)
{
	unsigned int i;

	for (i = 0; i < store_count && i < STORE_LOG_SIZE; i++)
		if (store_log[i].word == word)
			return (int)i;
	return -1;
}

/* Position in the log of the last store to word, or -1. */
static int last_store(const uint32_t *word)
{
	int i;

	for (i = (int)(store_count < STORE_LOG_SIZE ? store_count :
						       STORE_LOG_SIZE) - 1;
	     i >= 0; i--)
		if (store_log[i].word == word)
			return i;
	return -1;
}

/* ------------------------------------------------------------ fixture */

/* A VM with no client at all. */
static int setup(void **state)
{
	struct fixture *f = fixture_new();

	log_reset();
	*state = f;
	return 0;
}

static uint32_t create(struct fixture *f, bool is_default, bool in_kernel)
{
	int32_t c = vioreq_client_create(f->vm, is_default, in_kernel);

	assert_true(c >= 0);
	return (uint32_t)c;
}

/* Every id taken: client i is i, client 0 is the default. */
static void create_all(struct fixture *f)
{
	uint32_t i;

	for (i = 0; i < VIOREQ_CLIENTS_PER_VM; i++)
		assert_int_equal(create(f, i == 0, false), i);
}

static bool table_has(const struct vioreq_vm *vm, uint32_t type,
		      uint64_t start, uint64_t end, uint32_t client)
{
	uint32_t i = vioreq_range_table_lookup(&vm->ranges[type], start, end);

	return i != VIOREQ_RANGE_NONE && vm->ranges[type].start[i] == start &&
	       vm->ranges[type].end[i] == end &&
	       vm->ranges[type].client[i] == client;
}

/* ------------------------------------------------------------ vm_init */

/* The VM and what lies right after it in memory, all 0xFF before init. */
struct vm_and_guard {
	struct vioreq_vm vm;
	unsigned char guard[64];
};

static void test_vm_init_from_garbage(void **state)
{
	struct vm_and_guard *g = malloc(sizeof(*g));
	struct vioreq_vm *vm;
	uint32_t i, v, t;

	(void)state;
	assert_non_null(g);
	memset(g, 0xFF, sizeof(*g));
	vm = &g->vm;
	vioreq_vm_init(vm);
	for (i = 0; i < VIOREQ_CLIENTS_PER_VM; i++) {
		assert_int_equal(vm->client_state[i], VIOREQ_CLIENT_FREE);
		assert_int_equal(vm->client_in_kernel[i], 0);
	}
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		assert_int_equal(vm->slot_owner[v], VIOREQ_CLIENT_NONE);
	for (t = 0; t < VIOREQ_TYPE_COUNT; t++) {
		assert_int_equal(vm->ranges[t].count, 0);
		assert_true(vm->counters.dispatched[t] == 0);
	}
	assert_true(vm->counters.completed == 0);
	assert_true(vm->counters.malformed == 0);
	assert_true(vm->counters.unroutable == 0);
	assert_true(vm->counters.orphaned == 0);
	assert_true(vm->counters.cleared == 0);
	assert_true(vm->counters.conf1_address == 0);
	assert_true(vm->counters.bad_state == 0);
	assert_int_equal(vm->default_client, VIOREQ_CLIENT_NONE);
	assert_int_equal(vm->conf1_address, 0);
	assert_int_equal(vm->clearing, 0);
	/* Nothing is written past the VM (assigns *vm). */
	for (i = 0; i < sizeof(g->guard); i++)
		assert_int_equal(g->guard[i], 0xFF);

	/* Through the API: nobody holds a slot, every type's table is empty
	 * and takes a first range, and every id can be created. */
	for (i = 0; i < VIOREQ_CLIENTS_PER_VM; i++)
		for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
			assert_false(vioreq_client_holds(vm, i, v));
	for (i = 0; i < VIOREQ_CLIENTS_PER_VM; i++)
		assert_int_equal(vioreq_client_create(vm, false, false),
				 (int32_t)i);
	assert_int_equal(vioreq_client_create(vm, false, false),
			 -VIOREQ_ENOSPC);
	for (t = 0; t < VIOREQ_TYPE_COUNT; t++) {
		assert_int_equal(vioreq_range_table_lookup(&vm->ranges[t], 0,
							   0),
				 VIOREQ_RANGE_NONE);
		assert_int_equal(vioreq_client_add_range(vm, LAST_CLIENT, t,
							 0x10, 0x1F), 0);
		assert_int_equal(vm->ranges[t].count, 1);
	}
	free(g);
}

/* ------------------------------------------------------------ clients */

static void test_create_in_kernel_flag(void **state)
{
	struct fixture *f = *state;
	uint32_t a = create(f, false, true);
	uint32_t b = create(f, false, false);

	assert_int_equal(f->vm->client_in_kernel[a], 1);
	assert_int_equal(f->vm->client_in_kernel[b], 0);
}

/* Client id VIOREQ_CLIENTS_PER_VM - 1 works everywhere an id is taken. */
static void test_last_client_id(void **state)
{
	struct fixture *f = *state;
	bool notify = false;
	uint32_t t;

	create_all(f);
	for (t = 0; t < VIOREQ_TYPE_COUNT; t++)
		assert_int_equal(vioreq_client_add_range(f->vm, LAST_CLIENT, t,
							 0x100, 0x1FF), 0);
	assert_int_equal(vioreq_client_add_range(f->vm, VIOREQ_CLIENTS_PER_VM,
						 VIOREQ_TYPE_PORTIO, 0x200,
						 0x2FF), -VIOREQ_EINVAL);
	assert_int_equal(vioreq_client_add_range(f->vm, LAST_CLIENT,
						 VIOREQ_TYPE_COUNT, 0x200,
						 0x2FF), -VIOREQ_EINVAL);

	/* The last client gets a request in the last slot, and completes it. */
	trap(f, LAST_SLOT, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x100, 4, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], LAST_CLIENT);
	assert_int_equal(f->ev.wake[LAST_CLIENT], 1);
	assert_true(vioreq_client_holds(f->vm, LAST_CLIENT, LAST_SLOT));
	assert_false(vioreq_client_holds(f->vm, LAST_CLIENT, LAST_SLOT - 1));
	assert_false(vioreq_client_holds(f->vm, LAST_CLIENT,
					 VIOREQ_SLOT_COUNT));
	assert_false(vioreq_client_holds(f->vm, 0, LAST_SLOT));
	assert_int_equal(vioreq_complete(f->vm, f->page, VIOREQ_SLOT_COUNT,
					 LAST_CLIENT, &notify), -VIOREQ_EINVAL);
	assert_int_equal(vioreq_complete(f->vm, f->page, LAST_SLOT,
					 VIOREQ_CLIENTS_PER_VM, &notify),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_complete(f->vm, f->page, LAST_SLOT,
					 LAST_CLIENT, &notify), 0);
	assert_true(notify);
	assert_int_equal(f->page->slot[LAST_SLOT].processed,
			 VIOREQ_STATE_COMPLETE);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], VIOREQ_CLIENT_NONE);
	assert_false(vioreq_client_holds(f->vm, LAST_CLIENT, LAST_SLOT));

	/* Destroyed, its ranges gone, then released and reused. */
	memset(&f->ev, 0, sizeof(f->ev));
	assert_int_equal(vioreq_client_destroy(f->vm, f->page,
					       VIOREQ_CLIENTS_PER_VM, &f->ev),
			 -VIOREQ_ENOENT);
	assert_int_equal(vioreq_client_release(f->vm, LAST_CLIENT),
			 -VIOREQ_ENOENT);
	assert_int_equal(vioreq_client_destroy(f->vm, f->page, LAST_CLIENT,
					       &f->ev), 0);
	assert_int_equal(f->vm->client_state[LAST_CLIENT],
			 VIOREQ_CLIENT_DESTROYING);
	for (t = 0; t < VIOREQ_TYPE_COUNT; t++)
		assert_int_equal(f->vm->ranges[t].count, 0);
	assert_int_equal(vioreq_client_release(f->vm, VIOREQ_CLIENTS_PER_VM),
			 -VIOREQ_ENOENT);
	assert_int_equal(vioreq_client_release(f->vm, LAST_CLIENT), 0);
	assert_int_equal(f->vm->client_state[LAST_CLIENT], VIOREQ_CLIENT_FREE);
	assert_int_equal(vioreq_client_release(f->vm, LAST_CLIENT),
			 -VIOREQ_ENOENT);
	assert_int_equal(vioreq_client_create(f->vm, false, false),
			 (int32_t)LAST_CLIENT);
}

/*
 * Id VIOREQ_CLIENTS_PER_VM is one past client_state[]: the byte there is
 * client_in_kernel[0], which is 1 (VIOREQ_CLIENT_ACTIVE) for an in-kernel
 * client 0. Destroying id 64 must still fail and leave client 0 alone.
 */
static void test_destroy_first_bad_id(void **state)
{
	struct fixture *f = *state;
	uint32_t k = create(f, true, true);

	assert_int_equal(k, 0);
	assert_int_equal(vioreq_client_add_range(f->vm, k, VIOREQ_TYPE_MMIO,
						 0x1000, 0x1FFF), 0);
	assert_int_equal(vioreq_client_destroy(f->vm, f->page,
					       VIOREQ_CLIENTS_PER_VM, &f->ev),
			 -VIOREQ_ENOENT);
	assert_int_equal(f->vm->client_in_kernel[k], 1);
	assert_int_equal(f->vm->client_state[k], VIOREQ_CLIENT_ACTIVE);
	assert_int_equal(f->vm->default_client, k);
	assert_int_equal(f->vm->ranges[VIOREQ_TYPE_MMIO].count, 1);
}

/*
 * vioreq_client_release takes any well-formed VM (client_in_kernel is
 * outside vm_wellformed) and must refuse an id out of range whatever the
 * bytes after client_state[] hold; the API itself only ever stores 0 or 1
 * into client_in_kernel[].
 */
static void test_release_first_bad_id(void **state)
{
	struct fixture *f = *state;

	f->vm->client_in_kernel[0] = VIOREQ_CLIENT_DESTROYING;
	assert_int_equal(vioreq_client_release(f->vm, VIOREQ_CLIENTS_PER_VM),
			 -VIOREQ_ENOENT);
	assert_int_equal(f->vm->client_in_kernel[0], VIOREQ_CLIENT_DESTROYING);
}

/*
 * vioreq_client_holds requires only a readable VM: for an id out of range
 * it says false whatever slot_owner[] holds (its contract's "client <
 * VIOREQ_CLIENTS_PER_VM").
 */
static void test_holds_first_bad_id(void **state)
{
	struct fixture *f = *state;

	f->vm->slot_owner[3] = (int8_t)VIOREQ_CLIENTS_PER_VM;
	assert_false(vioreq_client_holds(f->vm, VIOREQ_CLIENTS_PER_VM, 3));
	f->vm->slot_owner[3] = (int8_t)LAST_CLIENT;
	assert_true(vioreq_client_holds(f->vm, LAST_CLIENT, 3));
}

/* The bitmap agrees with vioreq_client_holds for every id and slot. */
static void assert_held_matches_holds(const struct vioreq_vm *vm)
{
	uint32_t c, v;

	for (c = 0; c <= VIOREQ_CLIENTS_PER_VM; c++) {
		uint32_t mask = vioreq_client_held_slots(vm, c);

		assert_int_equal(mask >> VIOREQ_SLOT_COUNT, 0);
		for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
			assert_int_equal((mask >> v) & 1u,
					 vioreq_client_holds(vm, c, v) ? 1 : 0);
	}
}

/* REQ-CLIENT-005. Slot 0 and the last slot, client 0 and the last client,
 * the first invalid id and VIOREQ_CLIENT_NONE, which must never match a
 * free slot. */
static void test_held_slots_bitmap(void **state)
{
	struct fixture *f = *state;
	uint32_t v;

	assert_held_matches_holds(f->vm);
	assert_int_equal(vioreq_client_held_slots(f->vm, VIOREQ_CLIENT_NONE),
			 0);
	f->vm->slot_owner[0] = 0;
	f->vm->slot_owner[LAST_SLOT] = 0;
	f->vm->slot_owner[5] = (int8_t)LAST_CLIENT;
	assert_int_equal(vioreq_client_held_slots(f->vm, 0),
			 1u | 1u << LAST_SLOT);
	assert_int_equal(vioreq_client_held_slots(f->vm, LAST_CLIENT),
			 1u << 5);
	assert_int_equal(vioreq_client_held_slots(f->vm, 1), 0);
	assert_held_matches_holds(f->vm);
	/* An owner id out of range in the record is nobody's slot. */
	f->vm->slot_owner[7] = (int8_t)VIOREQ_CLIENTS_PER_VM;
	assert_int_equal(vioreq_client_held_slots(f->vm,
						  VIOREQ_CLIENTS_PER_VM), 0);
	assert_int_equal(vioreq_client_held_slots(f->vm, UINT32_MAX), 0);
	/* Every slot held by one client: all VIOREQ_SLOT_COUNT bits. */
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		f->vm->slot_owner[v] = 1;
	assert_int_equal(vioreq_client_held_slots(f->vm, 1),
			 (uint32_t)((1ull << VIOREQ_SLOT_COUNT) - 1));
	assert_int_equal(vioreq_client_held_slots(f->vm, 0), 0);
	assert_held_matches_holds(f->vm);
}

static void test_destroy_default_client(void **state)
{
	struct fixture *f = *state;
	uint32_t d = create(f, true, false);
	uint32_t other = create(f, false, false);

	assert_int_equal(vioreq_client_create(f->vm, true, false),
			 -VIOREQ_EEXIST);
	assert_int_equal(vioreq_client_destroy(f->vm, f->page, d, &f->ev), 0);
	assert_int_equal(f->vm->default_client, VIOREQ_CLIENT_NONE);
	/* A new default client may be created at once. */
	assert_int_equal(vioreq_client_create(f->vm, true, false), 2);
	assert_int_equal(f->vm->default_client, 2);
	/* Destroying a client that is not the default keeps the default. */
	assert_int_equal(vioreq_client_destroy(f->vm, f->page, other, &f->ev),
			 0);
	assert_int_equal(f->vm->default_client, 2);
}

/* The same bounds in each type: add and remove touch that type only. */
static void test_ranges_per_type(void **state)
{
	struct fixture *f = *state;
	struct vioreq_vm *vm;
	uint32_t c;

	c = create(f, false, false);
	vm = f->vm;
	assert_int_equal(vioreq_client_add_range(vm, c, VIOREQ_TYPE_MMIO,
						 0x100, 0x1FF), 0);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_MMIO].count, 1);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_PORTIO].count, 0);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_PCICFG].count, 0);
	assert_true(table_has(vm, VIOREQ_TYPE_MMIO, 0x100, 0x1FF, c));
	assert_int_equal(vioreq_client_add_range(vm, c, VIOREQ_TYPE_PCICFG,
						 0x100, 0x1FF), 0);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_PCICFG].count, 1);
	assert_int_equal(vioreq_client_add_range(vm, c, VIOREQ_TYPE_PORTIO,
						 0x100, 0x1FF), 0);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_PORTIO].count, 1);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_MMIO].count, 1);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_PCICFG].count, 1);

	/* Type 3 is the first unknown one: refused, no table changes. */
	assert_int_equal(vioreq_client_remove_range(vm, c, VIOREQ_TYPE_COUNT,
						    0x100, 0x1FF),
			 -VIOREQ_EINVAL);
	assert_int_equal(vioreq_client_remove_range(vm, c, UINT32_MAX, 0x100,
						    0x1FF), -VIOREQ_EINVAL);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_PORTIO].count, 1);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_MMIO].count, 1);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_PCICFG].count, 1);

	/* MMIO goes from the MMIO table only. */
	assert_int_equal(vioreq_client_remove_range(vm, c, VIOREQ_TYPE_MMIO,
						    0x100, 0x1FF), 0);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_MMIO].count, 0);
	assert_true(table_has(vm, VIOREQ_TYPE_PORTIO, 0x100, 0x1FF, c));
	assert_true(table_has(vm, VIOREQ_TYPE_PCICFG, 0x100, 0x1FF, c));
	assert_int_equal(vioreq_client_remove_range(vm, c, VIOREQ_TYPE_MMIO,
						    0x100, 0x1FF),
			 -VIOREQ_ENOENT);

	/* PCICFG (the last known type) from the PCICFG table only. */
	assert_int_equal(vioreq_client_remove_range(vm, c, VIOREQ_TYPE_PCICFG,
						    0x100, 0x1FF), 0);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_PCICFG].count, 0);
	assert_true(table_has(vm, VIOREQ_TYPE_PORTIO, 0x100, 0x1FF, c));

	/* MMIO and PCICFG again, then PIO goes from the PIO table only. */
	assert_int_equal(vioreq_client_add_range(vm, c, VIOREQ_TYPE_MMIO,
						 0x100, 0x1FF), 0);
	assert_int_equal(vioreq_client_add_range(vm, c, VIOREQ_TYPE_PCICFG,
						 0x100, 0x1FF), 0);
	assert_int_equal(vioreq_client_remove_range(vm, c, VIOREQ_TYPE_PORTIO,
						    0x100, 0x1FF), 0);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_PORTIO].count, 0);
	assert_true(table_has(vm, VIOREQ_TYPE_MMIO, 0x100, 0x1FF, c));
	assert_true(table_has(vm, VIOREQ_TYPE_PCICFG, 0x100, 0x1FF, c));
	/* PCICFG removed while MMIO still has the same bounds. */
	assert_int_equal(vioreq_client_remove_range(vm, c, VIOREQ_TYPE_PCICFG,
						    0x100, 0x1FF), 0);
	assert_int_equal(vm->ranges[VIOREQ_TYPE_PCICFG].count, 0);
	assert_true(table_has(vm, VIOREQ_TYPE_MMIO, 0x100, 0x1FF, c));
}

/* ------------------------------------------------------ the last slot */

static void test_last_slot_dispatched(void **state)
{
	struct fixture *f = *state;
	uint32_t d = create(f, true, false);

	trap(f, LAST_SLOT, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0x1000, 4, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], d);
	assert_int_equal(f->page->slot[LAST_SLOT].processed,
			 VIOREQ_STATE_PROCESSING);
	assert_int_equal(f->ev.wake[d], 1);
}

static void test_last_slot_destroy(void **state)
{
	struct fixture *f = *state;
	uint32_t d = create(f, true, false);
	uint32_t c = create(f, false, false);

	assert_int_equal(vioreq_client_add_range(f->vm, c, VIOREQ_TYPE_PORTIO,
						 0x60, 0x64), 0);
	trap(f, LAST_SLOT, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x60, 1, 0, 0);
	trap(f, 0, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x70, 1, 0, 0);
	assert_int_equal(dispatch(f), 2);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], c);
	memset(&f->ev, 0, sizeof(f->ev));
	assert_int_equal(vioreq_client_destroy(f->vm, f->page, c, &f->ev), 0);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], VIOREQ_CLIENT_NONE);
	assert_int_equal(f->page->slot[LAST_SLOT].processed,
			 VIOREQ_STATE_COMPLETE);
	assert_int_equal(f->page->slot[LAST_SLOT].data[VIOREQ_REQ_VALUE_WORD],
			 0xFFFFFFFFu);
	assert_int_equal(f->ev.notify[LAST_SLOT], 1);
	assert_true(f->vm->counters.orphaned == 1);
	assert_int_equal(f->vm->slot_owner[0], d);
}

static void test_last_slot_clear(void **state)
{
	struct fixture *f = *state;
	uint32_t d = create(f, true, false);
	uint32_t c = create(f, false, false);

	assert_int_equal(vioreq_client_add_range(f->vm, c, VIOREQ_TYPE_PORTIO,
						 0x60, 0x64), 0);
	/* Only the default client holds a slot, the last one. */
	trap(f, LAST_SLOT, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x70, 1, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], d);
	memset(&f->ev, 0, sizeof(f->ev));
	assert_int_equal(vioreq_clear_begin(f->vm, f->page, &f->ev), 0);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], VIOREQ_CLIENT_NONE);
	assert_int_equal(f->page->slot[LAST_SLOT].processed,
			 VIOREQ_STATE_COMPLETE);
	assert_int_equal(f->ev.notify[LAST_SLOT], 1);
	assert_true(f->vm->counters.cleared == 1);
	vioreq_clear_end(f->vm);

	/* Only another client holds a slot, the last one: still held. */
	trap(f, LAST_SLOT, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x60, 1, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], c);
	assert_int_equal(vioreq_clear_begin(f->vm, f->page, &f->ev), 1);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], c);
	assert_int_equal(f->page->slot[LAST_SLOT].processed,
			 VIOREQ_STATE_PROCESSING);
}

/* -------------------------------------------------------- completion */

/* A known state other than PROCESSING is refused without being counted. */
static void test_complete_known_states_not_counted(void **state)
{
	static const uint32_t known[] = {
		VIOREQ_STATE_PENDING, VIOREQ_STATE_COMPLETE, VIOREQ_STATE_FREE,
	};
	struct fixture *f = *state;
	uint32_t d = create(f, true, false);
	bool notify = false;
	unsigned int i;

	trap(f, 2, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x70, 1, 0, 0);
	assert_int_equal(dispatch(f), 1);
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		f->page->slot[2].processed = known[i];
		assert_int_equal(vioreq_complete(f->vm, f->page, 2, d,
						 &notify), -VIOREQ_EINVAL);
		assert_true(f->vm->counters.bad_state == 0);
		assert_int_equal(f->vm->slot_owner[2], d);
	}
	f->page->slot[2].processed = VIOREQ_STATE_COUNT;
	assert_int_equal(vioreq_complete(f->vm, f->page, 2, d, &notify),
			 -VIOREQ_EINVAL);
	assert_true(f->vm->counters.bad_state == 1);
	f->page->slot[2].processed = VIOREQ_STATE_PROCESSING;
	assert_int_equal(vioreq_complete(f->vm, f->page, 2, d, &notify), 0);
	assert_true(f->vm->counters.bad_state == 1);
}

/* ---------------------------------------- results written by the core */

/*
 * A read the core completes itself gets all ones: both value words for
 * MMIO (64-bit value), the low word only for PIO, whose high word is the
 * PCI bus word of the request union.
 */
static void check_all_ones(struct fixture *f, uint32_t v, bool wide)
{
	const uint32_t *w = f->page->slot[v].data;

	assert_int_equal(f->page->slot[v].processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(f->page->slot[v].kernel_handled, 1);
	assert_int_equal(w[VIOREQ_REQ_VALUE_WORD], 0xFFFFFFFFu);
	assert_int_equal(w[VIOREQ_REQ_VALUE_WORD + 1], wide ? 0xFFFFFFFFu : 0);
}

static void test_clearing_result_width(void **state)
{
	struct fixture *f = *state;

	(void)create(f, true, false);
	assert_int_equal(vioreq_clear_begin(f->vm, f->page, &f->ev), 0);
	trap(f, 0, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0x1000, 8, 0, 0);
	trap(f, 1, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x70, 4, 0, 0);
	trap(f, 2, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0x2000, 4, 0, 0);
	assert_int_equal(dispatch(f), 0);
	check_all_ones(f, 0, true);
	check_all_ones(f, 1, false);
	check_all_ones(f, 2, true);
	assert_true(f->vm->counters.cleared == 3);
}

static void test_unroutable_result_width(void **state)
{
	struct fixture *f = *state;

	/* No default client: nothing claims these. */
	trap(f, 0, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0x1000, 8, 0, 0);
	trap(f, 1, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x70, 4, 0, 0);
	trap(f, 2, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0x2000, 2, 0, 0);
	assert_int_equal(dispatch(f), 0);
	check_all_ones(f, 0, true);
	check_all_ones(f, 1, false);
	check_all_ones(f, 2, true);
	assert_true(f->vm->counters.unroutable == 3);
}

/* ----------------------------------------------- PCI mechanism #1 */

static struct vioreq_request pio(uint64_t addr, uint64_t size)
{
	struct vioreq_request r = {
		.type = VIOREQ_TYPE_PORTIO,
		.direction = VIOREQ_DIR_READ,
		.size = size,
		.addr = addr,
		.last = addr + size - 1,
		.value = 0,
	};

	return r;
}

static uint32_t classify(uint64_t addr, uint64_t size, uint32_t address)
{
	struct vioreq_request r = pio(addr, size);

	return vioreq_conf1_classify(&r, address);
}

static void test_conf1_window_edges(void **state)
{
	static const uint64_t sizes[] = { 1, 2, 4 };
	unsigned int i;
	uint64_t a;

	(void)state;
	for (i = 0; i < 3; i++) {
		uint64_t size = sizes[i];

		for (a = 0xCF0; a < 0xD08; a++) {
			uint32_t want;

			if (a == VIOREQ_CONF1_ADDRESS_PORT && size == 4)
				want = VIOREQ_CONF1_ADDRESS;
			else if (a >= 0xCFC && a + size - 1 <= 0xCFF)
				want = VIOREQ_CONF1_DATA;
			else
				want = VIOREQ_CONF1_OTHER;
			assert_int_equal(classify(a, size, ENABLE), want);
			/* Without the enable bit the window is plain PIO. */
			assert_int_equal(classify(a, size, ENABLE - 1),
					 want == VIOREQ_CONF1_DATA ?
						 VIOREQ_CONF1_OTHER : want);
		}
	}
	/* The edges named: first and last byte in, one out on each side. */
	assert_int_equal(classify(0xCFB, 1, ENABLE), VIOREQ_CONF1_OTHER);
	assert_int_equal(classify(0xCFB, 2, ENABLE), VIOREQ_CONF1_OTHER);
	assert_int_equal(classify(0xCFC, 1, ENABLE), VIOREQ_CONF1_DATA);
	assert_int_equal(classify(0xCFC, 4, ENABLE), VIOREQ_CONF1_DATA);
	assert_int_equal(classify(0xCFF, 1, ENABLE), VIOREQ_CONF1_DATA);
	assert_int_equal(classify(0xCFE, 2, ENABLE), VIOREQ_CONF1_DATA);
	assert_int_equal(classify(0xCFF, 2, ENABLE), VIOREQ_CONF1_OTHER);
	assert_int_equal(classify(0xCFD, 4, ENABLE), VIOREQ_CONF1_OTHER);
	assert_int_equal(classify(0xD00, 1, ENABLE), VIOREQ_CONF1_OTHER);
}

static void test_conf1_enable_edge(void **state)
{
	(void)state;
	assert_int_equal(classify(0xCFC, 4, 0x7FFFFFFFu), VIOREQ_CONF1_OTHER);
	assert_int_equal(classify(0xCFC, 4, 0x80000000u), VIOREQ_CONF1_DATA);
	assert_int_equal(classify(0xCFC, 4, 0x80000001u), VIOREQ_CONF1_DATA);
	assert_int_equal(classify(0xCFF, 1, 0xFFFFFFFFu), VIOREQ_CONF1_DATA);
	assert_int_equal(classify(0xCFF, 1, 0), VIOREQ_CONF1_OTHER);
	/* The address register is the core's whatever the enable bit. */
	assert_int_equal(classify(0xCF8, 4, 0), VIOREQ_CONF1_ADDRESS);
	assert_int_equal(classify(0xCF8, 4, 0x7FFFFFFFu), VIOREQ_CONF1_ADDRESS);
}

static void test_conf1_to_pcicfg_last(void **state)
{
	static const uint64_t sizes[] = { 1, 2, 4 };
	struct vioreq_slot slot;
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct vioreq_request r = pio(0xCFC, sizes[i]);
		/* 00:1f.3, register 0x40: key 0xFB040. */
		uint32_t address = ENABLE | (31u << 11) | (3u << 8) | 0x40;
		uint64_t key = (31ull << 15) | (3ull << 12) | 0x40;

		memset(&slot, 0, sizeof(slot));
		vioreq_conf1_to_pcicfg(&r, &slot, address);
		assert_int_equal(r.type, VIOREQ_TYPE_PCICFG);
		assert_true(r.addr == key);
		assert_true(r.last == key + sizes[i] - 1);
		assert_true(r.size == sizes[i]);
		assert_int_equal(slot.type, VIOREQ_TYPE_PCICFG);
		assert_int_equal(slot.data[VIOREQ_REQ_PCI_BUS_WORD], 0);
		assert_int_equal(slot.data[VIOREQ_REQ_PCI_DEV_WORD], 31);
		assert_int_equal(slot.data[VIOREQ_REQ_PCI_FUNC_WORD], 3);
		assert_int_equal(slot.data[VIOREQ_REQ_PCI_REG_WORD], 0x40);
	}
}

/*
 * Through dispatch: the enable bit exactly set opens the window, a range
 * that ends at the last byte of the access takes it, and 0xCFF with two
 * bytes stays plain PIO.
 */
static void test_conf1_dispatch_edges(void **state)
{
	struct fixture *f = *state;
	uint32_t d = create(f, true, false);
	uint32_t nic = create(f, false, false);
	struct vioreq_slot *s = &f->page->slot[LAST_SLOT];

	/* Exactly the 4 bytes of 00:00.0 registers 0x00-0x03. */
	assert_int_equal(vioreq_client_add_range(f->vm, nic,
						 VIOREQ_TYPE_PCICFG, 0, 3), 0);
	trap(f, LAST_SLOT, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_WRITE, 0xCF8, 4,
	     0x80000000u, 0);
	assert_int_equal(dispatch(f), 0);
	assert_int_equal(f->vm->conf1_address, 0x80000000u);

	trap(f, LAST_SLOT, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0xCFC, 4, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], nic);
	assert_int_equal(s->type, VIOREQ_TYPE_PCICFG);
	assert_int_equal(s->data[VIOREQ_REQ_PCI_REG_WORD], 0);
	assert_int_equal(s->processed, VIOREQ_STATE_PROCESSING);
	assert_int_equal(vioreq_complete(f->vm, f->page, LAST_SLOT, nic,
					 &(bool){ false }), 0);

	trap(f, LAST_SLOT, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0xCFF, 2, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], d);
	assert_int_equal(s->type, VIOREQ_TYPE_PORTIO);
	assert_int_equal(vioreq_complete(f->vm, f->page, LAST_SLOT, d,
					 &(bool){ false }), 0);

	/* One below the enable bit: the data port is plain PIO again. */
	trap(f, LAST_SLOT, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_WRITE, 0xCF8, 4,
	     0x7FFFFFFFu, 0);
	assert_int_equal(dispatch(f), 0);
	trap(f, LAST_SLOT, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0xCFC, 4, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[LAST_SLOT], d);
	assert_int_equal(s->type, VIOREQ_TYPE_PORTIO);
}

/* Mechanism #1 is port I/O only: MMIO at 0xCF8 and 0xCFC is plain MMIO. */
static void test_conf1_not_mmio(void **state)
{
	struct fixture *f = *state;
	uint32_t d = create(f, true, false);
	uint32_t nic = create(f, false, false);

	assert_int_equal(vioreq_client_add_range(f->vm, nic,
						 VIOREQ_TYPE_PCICFG, 0, 0xFFF),
			 0);
	trap(f, 0, VIOREQ_TYPE_MMIO, VIOREQ_DIR_WRITE, 0xCF8, 4, 0x80000000u,
	     0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[0], d);
	assert_int_equal(f->vm->conf1_address, 0);
	assert_true(f->vm->counters.conf1_address == 0);
	assert_int_equal(f->page->slot[0].kernel_handled, 0);

	/* With the window enabled by a real CF8 write, MMIO 0xCFC still goes
	 * to the default client, unchanged. */
	trap(f, 1, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_WRITE, 0xCF8, 4, 0x80000000u,
	     0);
	assert_int_equal(dispatch(f), 0);
	assert_int_equal(f->vm->conf1_address, 0x80000000u);
	trap(f, 2, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0xCFC, 4, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[2], d);
	assert_int_equal(f->page->slot[2].type, VIOREQ_TYPE_MMIO);
	assert_true(f->vm->counters.dispatched[VIOREQ_TYPE_MMIO] == 2);
	assert_true(f->vm->counters.dispatched[VIOREQ_TYPE_PCICFG] == 0);
}

/* ------------------------------------------------ stored state order */

/*
 * vioreq_slot_finish from PENDING stores PROCESSING, then the value, then
 * COMPLETE (with release); from PROCESSING only the value and COMPLETE.
 */
static void test_finish_store_order(void **state)
{
	struct fixture *f = *state;
	struct vioreq_slot *s = &f->page->slot[4];
	uint32_t seq[4];
	int value_at;

	s->processed = VIOREQ_STATE_PENDING;
	log_reset();
	assert_true(vioreq_slot_finish(s, VIOREQ_STATE_PENDING, true,
				       0x0000000500000006ull, true));
	assert_int_equal(stores_to(&s->processed, seq, 4), 2);
	assert_int_equal(seq[0], VIOREQ_STATE_PROCESSING);
	assert_int_equal(seq[1], VIOREQ_STATE_COMPLETE);
	value_at = first_store(&s->data[VIOREQ_REQ_VALUE_WORD]);
	assert_true(value_at > first_store(&s->processed));
	assert_true(value_at < last_store(&s->processed));
	assert_true(store_log[last_store(&s->processed)].release);
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD], 6);
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD + 1], 5);

	s->processed = VIOREQ_STATE_PROCESSING;
	s->completion_polling = 1;
	log_reset();
	assert_false(vioreq_slot_finish(s, VIOREQ_STATE_PROCESSING, true,
					0x7ull, false));
	assert_int_equal(stores_to(&s->processed, seq, 4), 1);
	assert_int_equal(seq[0], VIOREQ_STATE_COMPLETE);
	assert_true(first_store(&s->data[VIOREQ_REQ_VALUE_WORD]) <
		    last_store(&s->processed));
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD], 7);
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD + 1], 5);
}

/*
 * A request the core completes itself at dispatch: kernel_handled first,
 * then PENDING -> PROCESSING -> COMPLETE, the result stored in between.
 */
static void test_dispatch_complete_store_order(void **state)
{
	struct fixture *f = *state;
	struct vioreq_slot *s = &f->page->slot[LAST_SLOT];
	uint32_t seq[4];
	int kh;

	/* Malformed: MMIO of size 3. */
	trap(f, LAST_SLOT, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0x1000, 3, 0, 0);
	log_reset();
	assert_int_equal(vioreq_dispatch_slot(f->vm, f->page, LAST_SLOT,
					      &f->ev),
			 VIOREQ_OUTCOME_COMPLETED);
	assert_int_equal(stores_to(&s->processed, seq, 4), 2);
	assert_int_equal(seq[0], VIOREQ_STATE_PROCESSING);
	assert_int_equal(seq[1], VIOREQ_STATE_COMPLETE);
	kh = first_store(&s->kernel_handled);
	assert_true(kh >= 0);
	assert_int_equal(store_log[kh].value, 1);
	assert_true(kh < first_store(&s->processed));
	assert_true(first_store(&s->data[VIOREQ_REQ_VALUE_WORD]) >
		    first_store(&s->processed));
	assert_true(first_store(&s->data[VIOREQ_REQ_VALUE_WORD]) <
		    last_store(&s->processed));
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD], 0xFFFFFFFFu);
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD + 1], 0xFFFFFFFFu);
	assert_int_equal(f->ev.notify[LAST_SLOT], 1);

	/* The CF8 read the core serves: same order, the register as result. */
	f->vm->conf1_address = 0x80000010u;
	trap(f, 0, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0xCF8, 4, 0, 1);
	s = &f->page->slot[0];
	memset(&f->ev, 0, sizeof(f->ev));
	log_reset();
	assert_int_equal(vioreq_dispatch_slot(f->vm, f->page, 0, &f->ev),
			 VIOREQ_OUTCOME_COMPLETED);
	assert_int_equal(stores_to(&s->processed, seq, 4), 2);
	assert_int_equal(seq[0], VIOREQ_STATE_PROCESSING);
	assert_int_equal(seq[1], VIOREQ_STATE_COMPLETE);
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD], 0x80000010u);
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD + 1], 0);
	assert_int_equal(f->ev.notify[0], 0); /* it polls */
}

/* A held slot the service completes without its client: COMPLETE only. */
static void test_release_held_store_order(void **state)
{
	struct fixture *f = *state;
	uint32_t c = create(f, true, false);
	struct vioreq_slot *s = &f->page->slot[7];
	uint32_t seq[4];

	trap(f, 7, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0x1000, 4, 0, 0);
	assert_int_equal(dispatch(f), 1);
	assert_int_equal(f->vm->slot_owner[7], c);
	memset(&f->ev, 0, sizeof(f->ev));
	log_reset();
	assert_int_equal(vioreq_client_destroy(f->vm, f->page, c, &f->ev), 0);
	assert_int_equal(stores_to(&s->processed, seq, 4), 1);
	assert_int_equal(seq[0], VIOREQ_STATE_COMPLETE);
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD], 0xFFFFFFFFu);
	assert_int_equal(s->data[VIOREQ_REQ_VALUE_WORD + 1], 0xFFFFFFFFu);
	assert_int_equal(f->ev.notify[7], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_init_from_garbage),
		cmocka_unit_test_setup_teardown(test_create_in_kernel_flag,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_client_id, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_destroy_first_bad_id,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_first_bad_id,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_holds_first_bad_id, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_held_slots_bitmap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_destroy_default_client,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranges_per_type, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_last_slot_dispatched,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_slot_destroy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_last_slot_clear, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_complete_known_states_not_counted, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_clearing_result_width,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unroutable_result_width,
						setup, teardown),
		cmocka_unit_test(test_conf1_window_edges),
		cmocka_unit_test(test_conf1_enable_edge),
		cmocka_unit_test(test_conf1_to_pcicfg_last),
		cmocka_unit_test_setup_teardown(test_conf1_dispatch_edges,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_conf1_not_mmio, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_finish_store_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_dispatch_complete_store_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_held_store_order,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
