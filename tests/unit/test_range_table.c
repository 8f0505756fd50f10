/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the range table (core/include/vioreq/range_table.h,
 * REQ-RANGE-*, REQ-CLIENT-004): the edges of every behavior of the ACSL
 * contracts, checked at run time.
 *
 * Every mutation goes through a helper that checks the contract of the call
 * against a copy of the table taken before it (result, count, the stored
 * entry, the entries left in place and the ones shifted, or "table
 * unchanged" for the failing behaviors, which assign nothing) and then the
 * well-formedness invariant of core/logic/range_table.acsl.
 *
 * A table is about 100 KiB: tables live on the heap, never on the stack.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vioreq/range_table.h"

#define CAP VIOREQ_RANGES_PER_TYPE
#define NONE VIOREQ_RANGE_NONE
#define MAX64 UINT64_MAX

/* ------------------------------------------------------------ helpers */

/* range_table_wellformed: count in bounds, start <= end, client id in the
 * registry, and sorted pairwise disjoint (end[i] < start[i+1] plus
 * start <= end gives the pairwise form by transitivity). */
static void check_wellformed(const struct vioreq_range_table *t)
{
	uint32_t i;

	if (t->count > CAP)
		fail_msg("count %" PRIu32 " > capacity %u", t->count, CAP);
	for (i = 0; i < t->count; i++) {
		if (t->start[i] > t->end[i])
			fail_msg("entry %" PRIu32 ": start %#" PRIx64
				 " > end %#" PRIx64, i, t->start[i], t->end[i]);
		if (t->client[i] >= VIOREQ_CLIENTS_PER_VM)
			fail_msg("entry %" PRIu32 ": client %" PRIu32
				 " out of range", i, t->client[i]);
		if (i + 1 < t->count && !(t->end[i] < t->start[i + 1]))
			fail_msg("entries %" PRIu32 ", %" PRIu32
				 " not sorted/disjoint: end %#" PRIx64
				 " >= start %#" PRIx64, i, i + 1, t->end[i],
				 t->start[i + 1]);
	}
}

static struct vioreq_range_table *table_new(void)
{
	struct vioreq_range_table *t = malloc(sizeof(*t));

	assert_non_null(t);
	/* Garbage first: init must not rely on zeroed memory. */
	memset(t, 0xA5, sizeof(*t));
	vioreq_range_table_init(t);
	assert_int_equal(t->count, 0);
	check_wellformed(t);
	return t;
}

static struct vioreq_range_table *table_copy(const struct vioreq_range_table *t)
{
	struct vioreq_range_table *c = malloc(sizeof(*c));

	assert_non_null(c);
	memcpy(c, t, sizeof(*c));
	return c;
}

/* "assigns \nothing": count and every array element, live or not. */
static void assert_unchanged(const struct vioreq_range_table *before,
			     const struct vioreq_range_table *after)
{
	assert_int_equal(after->count, before->count);
	assert_memory_equal(after->start, before->start, sizeof(after->start));
	assert_memory_equal(after->end, before->end, sizeof(after->end));
	assert_memory_equal(after->client, before->client,
			    sizeof(after->client));
}

static void assert_entry(const struct vioreq_range_table *t, uint32_t i,
			 uint64_t start, uint64_t end, uint32_t client)
{
	assert_true(i < t->count);
	assert_int_equal(t->start[i], start);
	assert_int_equal(t->end[i], end);
	assert_int_equal(t->client[i], client);
}

/* Entries [from, to) of a equal entries [from + shift, to + shift) of b. */
static void assert_moved(const struct vioreq_range_table *a,
			 const struct vioreq_range_table *b, uint32_t from,
			 uint32_t to, int shift)
{
	uint32_t i;

	for (i = from; i < to; i++) {
		uint32_t j = (uint32_t)((int64_t)i + shift);

		if (a->start[i] != b->start[j] || a->end[i] != b->end[j] ||
		    a->client[i] != b->client[j])
			fail_msg("entry %" PRIu32 " not moved to %" PRIu32, i, j);
	}
}

/* Behavior "added": returns the insertion index; checks the whole
 * postcondition against the table as it was. */
static uint32_t add_ok(struct vioreq_range_table *t, uint64_t start,
		       uint64_t end, uint32_t client)
{
	struct vioreq_range_table *old = table_copy(t);
	int32_t r = vioreq_range_table_add(t, start, end, client);
	uint32_t pos;

	if (r < 0)
		fail_msg("add [%#" PRIx64 ", %#" PRIx64 "] client %" PRIu32
			 " failed with %" PRId32, start, end, client, r);
	pos = (uint32_t)r;
	assert_int_equal(t->count, old->count + 1);
	assert_entry(t, pos, start, end, client);
	assert_moved(old, t, 0, pos, 0);
	assert_moved(old, t, pos, old->count, 1);
	check_wellformed(t);
	free(old);
	return pos;
}

/* Behaviors invalid/overlap/full: the error, and nothing assigned. */
static void add_err(struct vioreq_range_table *t, uint64_t start,
		    uint64_t end, uint32_t client, int32_t err)
{
	struct vioreq_range_table *old = table_copy(t);
	int32_t r = vioreq_range_table_add(t, start, end, client);

	if (r != -err)
		fail_msg("add [%#" PRIx64 ", %#" PRIx64 "] client %" PRIu32
			 ": got %" PRId32 ", want %" PRId32, start, end,
			 client, r, -err);
	assert_unchanged(old, t);
	check_wellformed(t);
	free(old);
}

static bool has_exact(const struct vioreq_range_table *t, uint64_t start,
		      uint64_t end, uint32_t client)
{
	uint32_t i;

	for (i = 0; i < t->count; i++)
		if (t->start[i] == start && t->end[i] == end &&
		    t->client[i] == client)
			return true;
	return false;
}

/* Behavior "present": 0, one entry fewer, the others in order. */
static void remove_ok(struct vioreq_range_table *t, uint64_t start,
		      uint64_t end, uint32_t client)
{
	struct vioreq_range_table *old = table_copy(t);
	uint32_t pos;
	int32_t r;

	for (pos = 0; pos < old->count; pos++)
		if (old->start[pos] == start && old->end[pos] == end &&
		    old->client[pos] == client)
			break;
	assert_true(pos < old->count); /* the test's own precondition */
	r = vioreq_range_table_remove(t, start, end, client);
	assert_int_equal(r, 0);
	assert_int_equal(t->count, old->count - 1);
	assert_false(has_exact(t, start, end, client));
	assert_moved(old, t, 0, pos, 0);
	assert_moved(old, t, pos + 1, old->count, -1);
	check_wellformed(t);
	free(old);
}

/* Behavior "absent": -ENOENT and nothing assigned. */
static void remove_err(struct vioreq_range_table *t, uint64_t start,
		       uint64_t end, uint32_t client)
{
	struct vioreq_range_table *old = table_copy(t);
	int32_t r = vioreq_range_table_remove(t, start, end, client);

	assert_int_equal(r, -VIOREQ_ENOENT);
	assert_unchanged(old, t);
	check_wellformed(t);
	free(old);
}

/* remove_client: the count, no range of client left, the others' ranges
 * kept in their order. */
static void remove_client_ok(struct vioreq_range_table *t, uint32_t client,
			     uint32_t expected)
{
	struct vioreq_range_table *old = table_copy(t);
	uint32_t r = vioreq_range_table_remove_client(t, client);
	uint32_t i, j = 0;

	assert_int_equal(r, expected);
	assert_int_equal(t->count, old->count - expected);
	for (i = 0; i < old->count; i++) {
		if (old->client[i] == client)
			continue;
		assert_true(j < t->count);
		assert_entry(t, j, old->start[i], old->end[i], old->client[i]);
		j++;
	}
	assert_int_equal(j, t->count);
	assert_int_equal(vioreq_range_table_find_client(t, client), t->count);
	check_wellformed(t);
	free(old);
}

/* Lookup against the expected index, cross-checked by a linear scan of
 * the contract's range_table_has_cover. */
static void expect_lookup(const struct vioreq_range_table *t, uint64_t addr,
			  uint64_t last, uint32_t expected)
{
	uint32_t r = vioreq_range_table_lookup(t, addr, last);
	uint32_t scan = NONE;
	uint32_t i;

	for (i = 0; i < t->count; i++)
		if (t->start[i] <= addr && last <= t->end[i])
			scan = i;
	assert_int_equal(expected, scan); /* the test's table is right */
	if (r != expected)
		fail_msg("lookup [%#" PRIx64 ", %#" PRIx64 "]: got %#" PRIx32
			 ", want %#" PRIx32, addr, last, r, expected);
	if (r != NONE) {
		assert_true(r < t->count);
		assert_true(t->start[r] <= addr && last <= t->end[r]);
	}
}

/* ------------------------------------------------------------ tests */

static void test_init_empty(void **state)
{
	struct vioreq_range_table *t = table_new();

	/* Empty: nothing covers, nothing to remove, no client. */
	expect_lookup(t, 0, 0, NONE);
	expect_lookup(t, 0, MAX64, NONE);
	expect_lookup(t, MAX64, MAX64, NONE);
	assert_int_equal(vioreq_range_table_search(t, 0), 0);
	assert_int_equal(vioreq_range_table_search(t, MAX64), 0);
	assert_int_equal(vioreq_range_table_find_client(t, 0), 0);
	remove_client_ok(t, 0, 0);
	remove_err(t, 0, 0, 0);

	/* Init also empties a table that held ranges. */
	add_ok(t, 10, 20, 1);
	add_ok(t, 30, 40, 2);
	vioreq_range_table_init(t);
	assert_int_equal(t->count, 0);
	expect_lookup(t, 10, 20, NONE);
	add_ok(t, 10, 20, 1);
	free(t);
}

static void test_add_returns_insertion_index(void **state)
{
	struct vioreq_range_table *t = table_new();

	assert_int_equal(add_ok(t, 100, 199, 1), 0);
	assert_int_equal(add_ok(t, 300, 399, 2), 1);	/* after */
	assert_int_equal(add_ok(t, 0, 49, 3), 0);	/* before all */
	assert_int_equal(add_ok(t, 200, 249, 4), 2);	/* between */
	assert_int_equal(add_ok(t, 1000, 1000, 5), 4);	/* last */
	assert_int_equal(add_ok(t, 60, 60, 6), 1);	/* single byte */
	assert_int_equal(t->count, 6);
	assert_entry(t, 0, 0, 49, 3);
	assert_entry(t, 1, 60, 60, 6);
	assert_entry(t, 2, 100, 199, 1);
	assert_entry(t, 3, 200, 249, 4);
	assert_entry(t, 4, 300, 399, 2);
	assert_entry(t, 5, 1000, 1000, 5);
	/* The highest client id is accepted. */
	assert_int_equal(add_ok(t, 500, 599, VIOREQ_CLIENTS_PER_VM - 1), 5);
	assert_int_equal(add_ok(t, 2000, 2999, 0), 7);
	free(t);
}

static void test_add_whole_space(void **state)
{
	struct vioreq_range_table *t = table_new();

	assert_int_equal(add_ok(t, 0, MAX64, 7), 0);
	/* [0, UINT64_MAX] takes every address. */
	add_err(t, 0, 0, 1, VIOREQ_EBUSY);
	add_err(t, MAX64, MAX64, 1, VIOREQ_EBUSY);
	add_err(t, 12345, 67890, 1, VIOREQ_EBUSY);
	add_err(t, 0, MAX64, 7, VIOREQ_EBUSY);
	add_err(t, MAX64 - 1, MAX64, 7, VIOREQ_EBUSY);
	expect_lookup(t, 0, 0, 0);
	expect_lookup(t, MAX64, MAX64, 0);
	expect_lookup(t, 0, MAX64, 0);
	expect_lookup(t, 0x8000000000000000ull, 0x8000000000000007ull, 0);
	assert_int_equal(vioreq_range_table_search(t, MAX64), 0);
	remove_err(t, 0, MAX64 - 1, 7);
	remove_err(t, 1, MAX64, 7);
	remove_ok(t, 0, MAX64, 7);
	expect_lookup(t, 0, 0, NONE);
	free(t);
}

static void test_add_extreme_addresses(void **state)
{
	struct vioreq_range_table *t = table_new();

	assert_int_equal(add_ok(t, MAX64, MAX64, 1), 0);
	assert_int_equal(add_ok(t, 0, 0, 2), 0);
	/* The gap between them, touching both. */
	assert_int_equal(add_ok(t, 1, MAX64 - 1, 3), 1);
	assert_entry(t, 0, 0, 0, 2);
	assert_entry(t, 1, 1, MAX64 - 1, 3);
	assert_entry(t, 2, MAX64, MAX64, 1);
	add_err(t, MAX64 - 1, MAX64, 4, VIOREQ_EBUSY);
	add_err(t, 0, 1, 4, VIOREQ_EBUSY);
	add_err(t, MAX64, MAX64, 4, VIOREQ_EBUSY);
	add_err(t, 0, 0, 4, VIOREQ_EBUSY);

	expect_lookup(t, 0, 0, 0);
	expect_lookup(t, MAX64, MAX64, 2);
	expect_lookup(t, 1, 1, 1);
	expect_lookup(t, MAX64 - 1, MAX64 - 1, 1);
	expect_lookup(t, 1, MAX64 - 1, 1);
	expect_lookup(t, 0, 1, NONE);		/* straddles [0,0] and [1,..] */
	expect_lookup(t, MAX64 - 1, MAX64, NONE);
	expect_lookup(t, 0, MAX64, NONE);
	assert_int_equal(vioreq_range_table_search(t, MAX64), 2);
	assert_int_equal(vioreq_range_table_search(t, 0), 0);
	assert_int_equal(vioreq_range_table_search(t, 1), 1);

	remove_ok(t, 1, MAX64 - 1, 3);
	expect_lookup(t, 1, 1, NONE);
	expect_lookup(t, MAX64, MAX64, 1);
	remove_ok(t, MAX64, MAX64, 1);
	remove_ok(t, 0, 0, 2);
	assert_int_equal(t->count, 0);

	/* [x, UINT64_MAX] and [0, x] as the first and last range. */
	assert_int_equal(add_ok(t, 0x1000, MAX64, 5), 0);
	assert_int_equal(add_ok(t, 0, 0xFFF, 6), 0);
	expect_lookup(t, 0xFFF, 0x1000, NONE);
	expect_lookup(t, 0x1000, MAX64, 1);
	expect_lookup(t, 0, 0xFFF, 0);
	free(t);
}

static void test_add_invalid(void **state)
{
	struct vioreq_range_table *t = table_new();

	/* end < start */
	add_err(t, 1, 0, 0, VIOREQ_EINVAL);
	add_err(t, MAX64, 0, 0, VIOREQ_EINVAL);
	add_err(t, MAX64, MAX64 - 1, 0, VIOREQ_EINVAL);
	add_err(t, 0x2000, 0x1FFF, 0, VIOREQ_EINVAL);
	/* client id out of the registry */
	add_err(t, 0, 0, VIOREQ_CLIENTS_PER_VM, VIOREQ_EINVAL);
	add_err(t, 0, 0, VIOREQ_CLIENTS_PER_VM + 1, VIOREQ_EINVAL);
	add_err(t, 0, MAX64, UINT32_MAX, VIOREQ_EINVAL);
	assert_int_equal(t->count, 0);

	/* Invalid wins over overlap: behavior invalid, not overlap. */
	add_ok(t, 100, 199, 1);
	add_err(t, 150, 140, 1, VIOREQ_EINVAL);
	add_err(t, 100, 199, VIOREQ_CLIENTS_PER_VM, VIOREQ_EINVAL);
	add_err(t, 199, 100, 1, VIOREQ_EINVAL);
	assert_int_equal(t->count, 1);
	free(t);
}

static void test_add_touching(void **state)
{
	struct vioreq_range_table *t = table_new();

	assert_int_equal(add_ok(t, 100, 199, 1), 0);
	/* end + 1 == next start, on the right and on the left */
	assert_int_equal(add_ok(t, 200, 299, 2), 1);
	assert_int_equal(add_ok(t, 0, 99, 3), 0);
	/* Single bytes touching on both sides at once. */
	assert_int_equal(add_ok(t, 301, 301, 4), 3);
	assert_int_equal(add_ok(t, 300, 300, 5), 3);
	assert_entry(t, 0, 0, 99, 3);
	assert_entry(t, 1, 100, 199, 1);
	assert_entry(t, 2, 200, 299, 2);
	assert_entry(t, 3, 300, 300, 5);
	assert_entry(t, 4, 301, 301, 4);
	/* Each boundary address has its own owner. */
	expect_lookup(t, 99, 99, 0);
	expect_lookup(t, 100, 100, 1);
	expect_lookup(t, 199, 199, 1);
	expect_lookup(t, 200, 200, 2);
	expect_lookup(t, 299, 299, 2);
	expect_lookup(t, 300, 300, 3);
	expect_lookup(t, 301, 301, 4);
	expect_lookup(t, 302, 302, NONE);
	free(t);
}

static void test_add_overlap_one_byte(void **state)
{
	struct vioreq_range_table *t = table_new();

	add_ok(t, 100, 199, 1);
	add_ok(t, 300, 399, 2);
	/* One byte on either side of each range. */
	add_err(t, 199, 250, 3, VIOREQ_EBUSY);
	add_err(t, 0, 100, 3, VIOREQ_EBUSY);
	add_err(t, 250, 300, 3, VIOREQ_EBUSY);
	add_err(t, 399, 500, 3, VIOREQ_EBUSY);
	add_err(t, 199, 199, 3, VIOREQ_EBUSY);
	add_err(t, 100, 100, 3, VIOREQ_EBUSY);
	add_err(t, 300, 300, 3, VIOREQ_EBUSY);
	add_err(t, 399, 399, 3, VIOREQ_EBUSY);
	/* The gap plus one byte of either neighbour. */
	add_err(t, 199, 299, 3, VIOREQ_EBUSY);
	add_err(t, 200, 300, 3, VIOREQ_EBUSY);
	add_err(t, 199, 300, 3, VIOREQ_EBUSY);
	/* Same client: still busy, ranges are never merged. */
	add_err(t, 199, 250, 1, VIOREQ_EBUSY);
	assert_int_equal(t->count, 2);
	/* The exact gap fits. */
	assert_int_equal(add_ok(t, 200, 299, 3), 1);
	free(t);
}

static void test_add_contained_containing(void **state)
{
	struct vioreq_range_table *t = table_new();

	add_ok(t, 100, 199, 1);
	add_ok(t, 300, 399, 2);
	add_err(t, 120, 130, 3, VIOREQ_EBUSY);	/* inside */
	add_err(t, 100, 199, 3, VIOREQ_EBUSY);	/* identical */
	add_err(t, 100, 199, 1, VIOREQ_EBUSY);	/* identical, same client */
	add_err(t, 101, 198, 3, VIOREQ_EBUSY);
	add_err(t, 99, 200, 3, VIOREQ_EBUSY);	/* around one */
	add_err(t, 0, 1000, 3, VIOREQ_EBUSY);	/* around both */
	add_err(t, 150, 350, 3, VIOREQ_EBUSY);	/* across both */
	add_err(t, 0, MAX64, 3, VIOREQ_EBUSY);
	add_err(t, 250, MAX64, 3, VIOREQ_EBUSY);	/* around the last */
	add_err(t, 0, 250, 3, VIOREQ_EBUSY);	/* around the first */
	assert_int_equal(t->count, 2);
	free(t);
}

/* 1237 is odd, so k * 1237 mod CAP is a permutation of 0..CAP-1. */
#define FILL_STRIDE 1237u

static void fill_table(struct vioreq_range_table *t)
{
	static bool present[CAP];
	uint32_t n;

	memset(present, 0, sizeof(present));
	for (n = 0; n < CAP; n++) {
		uint32_t k = (n * FILL_STRIDE) % CAP;
		uint32_t before = 0, j;

		for (j = 0; j < k; j++)
			before += present[j] ? 1u : 0u;
		/* [10k, 10k + 4], client k mod 64 */
		assert_int_equal(add_ok(t, 10ull * k, 10ull * k + 4,
					k % VIOREQ_CLIENTS_PER_VM),
				 before);
		present[k] = true;
	}
	assert_int_equal(t->count, CAP);
}

static void test_full_table(void **state)
{
	struct vioreq_range_table *t = table_new();
	uint64_t top = 10ull * (CAP - 1) + 4;	/* end of the last range */

	fill_table(t);
	/* Disjoint from everything: no space. */
	add_err(t, 5, 9, 0, VIOREQ_ENOSPC);
	add_err(t, top + 1, top + 1, 0, VIOREQ_ENOSPC);
	add_err(t, top + 1, MAX64, 0, VIOREQ_ENOSPC);
	add_err(t, MAX64, MAX64, 0, VIOREQ_ENOSPC);
	/* Overlap is decided before capacity. */
	add_err(t, 4, 5, 0, VIOREQ_EBUSY);
	add_err(t, 9, 10, 0, VIOREQ_EBUSY);
	add_err(t, 0, 0, 0, VIOREQ_EBUSY);
	add_err(t, top, MAX64, 0, VIOREQ_EBUSY);
	add_err(t, 0, MAX64, 0, VIOREQ_EBUSY);
	add_err(t, 10ull * 2000 + 2, 10ull * 2000 + 2, 0, VIOREQ_EBUSY);
	/* And validity before both. */
	add_err(t, 5, 9, VIOREQ_CLIENTS_PER_VM, VIOREQ_EINVAL);
	add_err(t, 9, 5, 0, VIOREQ_EINVAL);
	add_err(t, 4, 5, VIOREQ_CLIENTS_PER_VM, VIOREQ_EINVAL);

	/* Lookups still work on a full table. */
	expect_lookup(t, 0, 4, 0);
	expect_lookup(t, top - 4, top, CAP - 1);
	expect_lookup(t, 10ull * 1234 + 1, 10ull * 1234 + 3, 1234);
	expect_lookup(t, 5, 5, NONE);
	expect_lookup(t, 4, 5, NONE);
	expect_lookup(t, top, top + 1, NONE);
	assert_int_equal(vioreq_range_table_search(t, top + 1), CAP);

	/* One removal makes room for exactly one more. */
	remove_ok(t, 20, 24, 2);
	assert_int_equal(add_ok(t, 5, 9, 2), 1);
	assert_int_equal(t->count, CAP);
	add_err(t, 20, 24, 2, VIOREQ_ENOSPC);
	/* Removing the last one, then adding at the very top. */
	remove_ok(t, top - 4, top, (CAP - 1) % VIOREQ_CLIENTS_PER_VM);
	assert_int_equal(add_ok(t, MAX64, MAX64, 0), CAP - 1);
	add_err(t, top - 4, top, 0, VIOREQ_ENOSPC);
	free(t);
}

static void test_remove(void **state)
{
	struct vioreq_range_table *t = table_new();

	remove_err(t, 0, 0, 0);			/* from empty */
	remove_err(t, 0, MAX64, 0);
	add_ok(t, 100, 199, 3);
	remove_err(t, 101, 199, 3);		/* wrong start */
	remove_err(t, 99, 199, 3);
	remove_err(t, 100, 198, 3);		/* wrong end */
	remove_err(t, 100, 200, 3);
	remove_err(t, 100, 199, 4);		/* wrong client */
	remove_err(t, 100, 199, VIOREQ_CLIENTS_PER_VM + 3);
	remove_err(t, 120, 130, 3);		/* inside */
	remove_err(t, 0, MAX64, 3);		/* around */
	remove_ok(t, 100, 199, 3);
	assert_int_equal(t->count, 0);
	remove_err(t, 100, 199, 3);		/* twice */

	/* Middle, first, last of several; the rest keeps its order. */
	add_ok(t, 100, 199, 1);
	add_ok(t, 200, 299, 2);
	add_ok(t, 300, 399, 3);
	add_ok(t, 400, 499, 4);
	add_ok(t, 500, 599, 5);
	remove_err(t, 199, 299, 2);		/* a neighbour's end */
	remove_err(t, 100, 299, 1);		/* spans two */
	remove_err(t, 200, 299, 1);		/* the neighbour's client */
	remove_ok(t, 300, 399, 3);
	remove_ok(t, 100, 199, 1);
	remove_ok(t, 500, 599, 5);
	assert_int_equal(t->count, 2);
	assert_entry(t, 0, 200, 299, 2);
	assert_entry(t, 1, 400, 499, 4);
	/* The freed space can be taken again. */
	assert_int_equal(add_ok(t, 300, 399, 9), 1);
	free(t);
}

static void test_remove_at(void **state)
{
	struct vioreq_range_table *t = table_new();
	struct vioreq_range_table *old;
	uint32_t pos[] = { 2, 0, 2, 0, 0 };
	uint32_t i, k;

	for (i = 0; i < 5; i++)
		add_ok(t, 100ull * i, 100ull * i + 9, i);
	for (k = 0; k < 5; k++) {
		old = table_copy(t);
		vioreq_range_table_remove_at(t, pos[k]);
		assert_int_equal(t->count, old->count - 1);
		assert_moved(old, t, 0, pos[k], 0);
		assert_moved(old, t, pos[k] + 1, old->count, -1);
		check_wellformed(t);
		free(old);
	}
	assert_int_equal(t->count, 0);
	free(t);
}

static void test_lookup(void **state)
{
	struct vioreq_range_table *t = table_new();

	add_ok(t, 100, 199, 1);
	add_ok(t, 200, 299, 2);		/* touches the first */
	add_ok(t, 1000, 1007, 3);
	/* Fully inside. */
	expect_lookup(t, 100, 199, 0);
	expect_lookup(t, 100, 100, 0);
	expect_lookup(t, 150, 157, 0);
	expect_lookup(t, 198, 199, 0);
	expect_lookup(t, 200, 203, 1);
	expect_lookup(t, 1000, 1007, 2);
	expect_lookup(t, 1007, 1007, 2);
	/* Straddling an end of a range by one byte. */
	expect_lookup(t, 99, 100, NONE);
	expect_lookup(t, 99, 199, NONE);
	expect_lookup(t, 299, 300, NONE);
	expect_lookup(t, 999, 1000, NONE);
	expect_lookup(t, 1000, 1008, NONE);
	expect_lookup(t, 1004, 1011, NONE);
	/* Straddling two touching ranges: no single owner. */
	expect_lookup(t, 199, 200, NONE);
	expect_lookup(t, 100, 299, NONE);
	expect_lookup(t, 190, 210, NONE);
	/* Gaps and ends of the address space. */
	expect_lookup(t, 0, 0, NONE);
	expect_lookup(t, 0, 99, NONE);
	expect_lookup(t, 300, 999, NONE);
	expect_lookup(t, 1008, 1008, NONE);
	expect_lookup(t, MAX64, MAX64, NONE);
	expect_lookup(t, 0, MAX64, NONE);
	expect_lookup(t, 1000, MAX64, NONE);

	/* search: the first range whose end is >= key. */
	assert_int_equal(vioreq_range_table_search(t, 0), 0);
	assert_int_equal(vioreq_range_table_search(t, 199), 0);
	assert_int_equal(vioreq_range_table_search(t, 200), 1);
	assert_int_equal(vioreq_range_table_search(t, 300), 2);
	assert_int_equal(vioreq_range_table_search(t, 1007), 2);
	assert_int_equal(vioreq_range_table_search(t, 1008), 3);
	assert_int_equal(vioreq_range_table_search(t, MAX64), 3);

	/* With ranges at both ends of the space. */
	add_ok(t, 0, 9, 4);
	add_ok(t, MAX64 - 9, MAX64, 5);
	expect_lookup(t, 0, 0, 0);
	expect_lookup(t, 0, 9, 0);
	expect_lookup(t, 0, 10, NONE);
	expect_lookup(t, MAX64, MAX64, 4);
	expect_lookup(t, MAX64 - 9, MAX64, 4);
	expect_lookup(t, MAX64 - 10, MAX64, NONE);
	expect_lookup(t, 0, MAX64, NONE);
	free(t);
}

/* Lookup on many ranges: every range found at its ends and middle, every
 * one-byte straddle and every gap address not found. */
static void test_lookup_many(void **state)
{
	struct vioreq_range_table *t = table_new();
	uint32_t i;

	/* [16i, 16i + 7]: 8-byte ranges, 8-byte gaps; every 4th touches a
	 * 4-byte range [16i + 8, 16i + 11]. */
	for (i = 0; i < 1000; i++)
		assert_int_equal(add_ok(t, 16ull * i, 16ull * i + 7, i % 64), i);
	for (i = 0; i < 1000; i += 4)
		assert_int_equal(add_ok(t, 16ull * i + 8, 16ull * i + 11, 63),
				 i + i / 4 + 1);
	assert_int_equal(t->count, 1250);
	for (i = 0; i < t->count; i++) {
		uint64_t s = t->start[i], e = t->end[i];

		expect_lookup(t, s, e, i);
		expect_lookup(t, s, s, i);
		expect_lookup(t, e, e, i);
		expect_lookup(t, s + 1, e - 1, i);
		if (s > 0)
			expect_lookup(t, s - 1, s, NONE);
		expect_lookup(t, e, e + 1, NONE);
		expect_lookup(t, s, e + 1, NONE);
	}
	for (i = 0; i < 1000; i++)
		if (i % 4 != 0)
			expect_lookup(t, 16ull * i + 8, 16ull * i + 8, NONE);
	free(t);
}

static void test_find_and_remove_client(void **state)
{
	struct vioreq_range_table *t = table_new();
	static const uint32_t clients[] = { 5, 9, 5, 2, 9, 5, 7 };
	uint32_t i;

	/* Sorted insertion order is scrambled on purpose: 6,0,3,1,5,2,4. */
	static const uint32_t order[] = { 6, 0, 3, 1, 5, 2, 4 };

	for (i = 0; i < 7; i++) {
		uint32_t k = order[i];

		add_ok(t, 100ull * k, 100ull * k + 49, clients[k]);
	}
	for (i = 0; i < 7; i++)
		assert_entry(t, i, 100ull * i, 100ull * i + 49, clients[i]);

	assert_int_equal(vioreq_range_table_find_client(t, 5), 0);
	assert_int_equal(vioreq_range_table_find_client(t, 9), 1);
	assert_int_equal(vioreq_range_table_find_client(t, 2), 3);
	assert_int_equal(vioreq_range_table_find_client(t, 7), 6);
	assert_int_equal(vioreq_range_table_find_client(t, 0), 7);
	assert_int_equal(vioreq_range_table_find_client(t, 63), 7);
	assert_int_equal(vioreq_range_table_find_client(t, UINT32_MAX), 7);

	remove_client_ok(t, 0, 0);		/* has none */
	remove_client_ok(t, VIOREQ_CLIENTS_PER_VM, 0);
	remove_client_ok(t, UINT32_MAX, 0);
	remove_client_ok(t, 5, 3);		/* first, middle, middle */
	assert_int_equal(t->count, 4);
	assert_entry(t, 0, 100, 149, 9);
	assert_entry(t, 1, 300, 349, 2);
	assert_entry(t, 2, 400, 449, 9);
	assert_entry(t, 3, 600, 649, 7);
	assert_int_equal(vioreq_range_table_find_client(t, 5), 4);
	assert_int_equal(vioreq_range_table_find_client(t, 2), 1);
	remove_client_ok(t, 5, 0);		/* again: nothing */
	expect_lookup(t, 0, 0, NONE);		/* its ranges are free */
	add_ok(t, 0, 49, 1);
	remove_client_ok(t, 7, 1);		/* the last entry */
	remove_client_ok(t, 9, 2);
	assert_int_equal(t->count, 2);
	assert_entry(t, 0, 0, 49, 1);
	assert_entry(t, 1, 300, 349, 2);
	remove_client_ok(t, 1, 1);
	remove_client_ok(t, 2, 1);
	assert_int_equal(t->count, 0);
	free(t);
}

static void test_remove_client_full_table(void **state)
{
	struct vioreq_range_table *t = table_new();
	uint32_t c;

	fill_table(t);
	/* Clients are k mod 64: each owns CAP / 64 ranges, interleaved. */
	assert_int_equal(vioreq_range_table_find_client(t, 17), 17);
	remove_client_ok(t, 17, CAP / VIOREQ_CLIENTS_PER_VM);
	/* Its addresses are unowned now, the neighbours' are not. */
	for (c = 17; c < CAP; c += VIOREQ_CLIENTS_PER_VM) {
		uint32_t idx = c - c / VIOREQ_CLIENTS_PER_VM;

		assert_int_equal(vioreq_range_table_lookup(t, 10ull * c,
							   10ull * c), NONE);
		expect_lookup(t, 10ull * (c + 1), 10ull * (c + 1), idx);
	}
	assert_int_equal(add_ok(t, 10ull * 17, 10ull * 17 + 4, 1), 17);
	for (c = 0; c < VIOREQ_CLIENTS_PER_VM; c++) {
		uint32_t n = 0, i;

		for (i = 0; i < t->count; i++)
			n += t->client[i] == c ? 1u : 0u;
		remove_client_ok(t, c, n);
	}
	assert_int_equal(t->count, 0);

	/* One client holding the whole table. */
	for (c = 0; c < CAP; c++)
		add_ok(t, 2ull * c, 2ull * c, 42);
	remove_client_ok(t, 41, 0);
	remove_client_ok(t, 42, CAP);
	assert_int_equal(t->count, 0);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_empty),
		cmocka_unit_test(test_add_returns_insertion_index),
		cmocka_unit_test(test_add_whole_space),
		cmocka_unit_test(test_add_extreme_addresses),
		cmocka_unit_test(test_add_invalid),
		cmocka_unit_test(test_add_touching),
		cmocka_unit_test(test_add_overlap_one_byte),
		cmocka_unit_test(test_add_contained_containing),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_remove_at),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_lookup_many),
		cmocka_unit_test(test_find_and_remove_client),
		cmocka_unit_test(test_remove_client_full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
