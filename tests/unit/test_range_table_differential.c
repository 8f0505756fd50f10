/* SPDX-License-Identifier: MIT */
/*
 * Randomized differential test of the range table against a reference
 * model (REQ-RANGE-001..006, REQ-CLIENT-004).
 *
 * The model is the contract of core/include/vioreq/range_table.h written
 * the plain way: an unsorted array with linear scans. add rejects, in this
 * order, an invalid range or client (EINVAL), an overlap with any stored
 * range (EBUSY) and a full table (ENOSPC); remove needs an exact
 * (start, end, client) match (ENOENT); remove_client drops every range of
 * the client and counts them; lookup finds the range covering the whole
 * access, or none.
 *
 * Every call goes to both; every return code, every lookup answer (the
 * covering range and its client) and the count are compared, the table's
 * invariant is checked after every successful mutation, and the table's
 * contents are compared with the model's at regular intervals. A fixed
 * seed and an own xorshift64 make every run the same.
 *
 * Address mix: two small windows ([0, 4096) and [0, 65536), sizes 1..64)
 * where overlaps are frequent, adds placed relative to a stored range
 * (touching either side, one byte of overlap either side, inside, around),
 * ranges near 0 and near UINT64_MAX, rare huge ranges, and invalid
 * arguments. The table wanders between 0 and ~600 ranges after a moving
 * target; two phases fill it to VIOREQ_RANGES_PER_TYPE.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "vioreq/range_table.h"

#define CAP VIOREQ_RANGES_PER_TYPE
#define NONE VIOREQ_RANGE_NONE
#define MAX64 UINT64_MAX
#define CLIENTS VIOREQ_CLIENTS_PER_VM

#define SEED 0x9E3779B97F4A7C15ull
#define MAIN_OPS 1200000u		/* operations of the main phase */
#define TARGET_PERIOD 40000u		/* ops between target changes */
#define TARGET_MAX 600u
#define CHECK_PERIOD 1024u		/* ops between full comparisons */
#define FILL_AT_1 300000u		/* main-phase ops before fill phases */
#define FILL_AT_2 800000u
#define FILL_BASE 0x40000000000ull	/* the fill phase's region */
#define FILL_END (FILL_BASE + 32ull * CAP + 32)
#define FULL_OPS 20000u			/* ops on the (nearly) full table */

/* ---------------------------------------------------------------- PRNG */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

/* Uniform enough in [0, n); n == 0 stands for 2^64 (a span that wrapped). */
static uint64_t below(uint64_t n)
{
	return n == 0 ? rnd() : rnd() % n;
}

/* ----------------------------------------------------------- the model */

struct model {
	uint32_t n;
	uint64_t start[CAP];
	uint64_t end[CAP];
	uint32_t client[CAP];
};

static int32_t model_add(struct model *m, uint64_t start, uint64_t end,
			 uint32_t client)
{
	uint32_t i;

	if (end < start || client >= CLIENTS)
		return -VIOREQ_EINVAL;
	for (i = 0; i < m->n; i++)
		if (m->start[i] <= end && start <= m->end[i])
			return -VIOREQ_EBUSY;
	if (m->n == CAP)
		return -VIOREQ_ENOSPC;
	m->start[m->n] = start;
	m->end[m->n] = end;
	m->client[m->n] = client;
	m->n++;
	return 0;
}

static void model_drop(struct model *m, uint32_t i)
{
	m->n--;
	m->start[i] = m->start[m->n];
	m->end[i] = m->end[m->n];
	m->client[i] = m->client[m->n];
}

static int32_t model_remove(struct model *m, uint64_t start, uint64_t end,
			    uint32_t client)
{
	uint32_t i;

	for (i = 0; i < m->n; i++) {
		if (m->start[i] == start && m->end[i] == end &&
		    m->client[i] == client) {
			model_drop(m, i);
			return 0;
		}
	}
	return -VIOREQ_ENOENT;
}

static uint32_t model_remove_client(struct model *m, uint32_t client)
{
	uint32_t i = 0, removed = 0;

	while (i < m->n) {
		if (m->client[i] == client) {
			model_drop(m, i);
			removed++;
		} else {
			i++;
		}
	}
	return removed;
}

/* The index in the model of the range covering [addr, last], or NONE. */
static uint32_t model_lookup(const struct model *m, uint64_t addr,
			     uint64_t last)
{
	uint32_t i;

	for (i = 0; i < m->n; i++)
		if (m->start[i] <= addr && last <= m->end[i])
			return i;
	return NONE;
}

/* Whether [start, end] touches a stored range (end + 1 == its start or
 * its end + 1 == start): for the coverage statistics only. */
static bool model_touches(const struct model *m, uint64_t start, uint64_t end)
{
	uint32_t i;

	for (i = 0; i < m->n; i++)
		if ((end != MAX64 && end + 1 == m->start[i]) ||
		    (m->end[i] != MAX64 && m->end[i] + 1 == start))
			return true;
	return false;
}

/* Whether [start, end] overlaps exactly one stored range in exactly one
 * address: for the coverage statistics only. */
static bool model_one_byte_overlap(const struct model *m, uint64_t start,
				   uint64_t end)
{
	uint32_t i, hits = 0;
	bool one = false;

	for (i = 0; i < m->n; i++) {
		if (m->start[i] <= end && start <= m->end[i]) {
			uint64_t lo = start > m->start[i] ? start : m->start[i];
			uint64_t hi = end < m->end[i] ? end : m->end[i];

			hits++;
			one = lo == hi;
		}
	}
	return hits == 1 && one;
}

/* ------------------------------------------------------------ harness */

struct stats {
	uint64_t ops;
	uint64_t add_ok, add_einval, add_ebusy, add_enospc;
	uint64_t add_touching;		/* accepted adds touching a range */
	uint64_t busy_one_byte;		/* EBUSY for a one-byte overlap */
	uint64_t busy_when_full;	/* EBUSY (not ENOSPC) when full */
	uint64_t remove_ok, remove_enoent;
	uint64_t remove_client_calls, remove_client_ranges;
	uint64_t lookup_hit, lookup_miss;
	uint64_t full_hits;		/* times the table reached CAP */
	uint64_t sum_count;		/* for the mean count */
	uint32_t max_count;
};

static struct vioreq_range_table *table;
static struct model *model;
static struct stats st;

static void check_wellformed(const struct vioreq_range_table *t)
{
	uint32_t i;

	if (t->count > CAP)
		fail_msg("op %" PRIu64 ": count %" PRIu32 " > capacity",
			 st.ops, t->count);
	for (i = 0; i < t->count; i++) {
		if (t->start[i] > t->end[i] || t->client[i] >= CLIENTS ||
		    (i + 1 < t->count && !(t->end[i] < t->start[i + 1])))
			fail_msg("op %" PRIu64 ": table not well formed at "
				 "entry %" PRIu32, st.ops, i);
	}
}

static uint32_t sort_keys[CAP];

static int cmp_by_start(const void *a, const void *b)
{
	uint64_t x = model->start[*(const uint32_t *)a];
	uint64_t y = model->start[*(const uint32_t *)b];

	return x < y ? -1 : x > y ? 1 : 0;
}

/* The table holds exactly the model's ranges, sorted. */
static void compare_contents(void)
{
	uint32_t i;

	check_wellformed(table);
	assert_int_equal(table->count, model->n);
	for (i = 0; i < model->n; i++)
		sort_keys[i] = i;
	qsort(sort_keys, model->n, sizeof(sort_keys[0]), cmp_by_start);
	for (i = 0; i < model->n; i++) {
		uint32_t k = sort_keys[i];

		if (table->start[i] != model->start[k] ||
		    table->end[i] != model->end[k] ||
		    table->client[i] != model->client[k])
			fail_msg("op %" PRIu64 ": entry %" PRIu32 " differs: "
				 "table [%#" PRIx64 ", %#" PRIx64 "] client %"
				 PRIu32 ", model [%#" PRIx64 ", %#" PRIx64
				 "] client %" PRIu32, st.ops, i,
				 table->start[i], table->end[i],
				 table->client[i], model->start[k],
				 model->end[k], model->client[k]);
	}
}

static void after_op(void)
{
	st.ops++;
	if (table->count != model->n)
		fail_msg("op %" PRIu64 ": count %" PRIu32 ", model %" PRIu32,
			 st.ops, table->count, model->n);
	st.sum_count += table->count;
	if (table->count > st.max_count)
		st.max_count = table->count;
	if (st.ops % CHECK_PERIOD == 0)
		compare_contents();
}

static int32_t do_add(uint64_t start, uint64_t end, uint32_t client)
{
	bool touching = model_touches(model, start, end);
	bool was_full = model->n == CAP;
	int32_t want = model_add(model, start, end, client);
	int32_t got = vioreq_range_table_add(table, start, end, client);

	if (want < 0) {
		if (got != want)
			fail_msg("op %" PRIu64 ": add [%#" PRIx64 ", %#" PRIx64
				 "] client %" PRIu32 ": got %" PRId32
				 ", model %" PRId32, st.ops, start, end,
				 client, got, want);
		if (want == -VIOREQ_EINVAL)
			st.add_einval++;
		else if (want == -VIOREQ_ENOSPC)
			st.add_enospc++;
		else
			st.add_ebusy++;
		if (want == -VIOREQ_EBUSY) {
			if (model_one_byte_overlap(model, start, end))
				st.busy_one_byte++;
			if (was_full)
				st.busy_when_full++;
		}
	} else {
		if (got < 0 || (uint32_t)got >= table->count)
			fail_msg("op %" PRIu64 ": add [%#" PRIx64 ", %#" PRIx64
				 "] client %" PRIu32 ": got %" PRId32
				 ", model accepted it", st.ops, start, end,
				 client, got);
		if (table->start[got] != start || table->end[got] != end ||
		    table->client[got] != client)
			fail_msg("op %" PRIu64 ": add stored something else at "
				 "%" PRId32, st.ops, got);
		check_wellformed(table);
		st.add_ok++;
		if (touching)
			st.add_touching++;
		if (model->n == CAP)
			st.full_hits++;
	}
	after_op();
	return got;
}

static void do_remove(uint64_t start, uint64_t end, uint32_t client)
{
	int32_t want = model_remove(model, start, end, client);
	int32_t got = vioreq_range_table_remove(table, start, end, client);

	if (got != want)
		fail_msg("op %" PRIu64 ": remove [%#" PRIx64 ", %#" PRIx64
			 "] client %" PRIu32 ": got %" PRId32 ", model %"
			 PRId32, st.ops, start, end, client, got, want);
	if (want == 0) {
		check_wellformed(table);
		st.remove_ok++;
	} else {
		st.remove_enoent++;
	}
	after_op();
}

static void do_remove_client(uint32_t client)
{
	uint32_t want = model_remove_client(model, client);
	uint32_t got = vioreq_range_table_remove_client(table, client);

	if (got != want)
		fail_msg("op %" PRIu64 ": remove_client %" PRIu32 ": got %"
			 PRIu32 ", model %" PRIu32, st.ops, client, got, want);
	if (vioreq_range_table_find_client(table, client) != table->count)
		fail_msg("op %" PRIu64 ": client %" PRIu32 " still has ranges",
			 st.ops, client);
	check_wellformed(table);
	st.remove_client_calls++;
	st.remove_client_ranges += want;
	after_op();
}

static void do_lookup(uint64_t addr, uint64_t last)
{
	uint32_t want = model_lookup(model, addr, last);
	uint32_t got = vioreq_range_table_lookup(table, addr, last);

	if (want == NONE) {
		if (got != NONE)
			fail_msg("op %" PRIu64 ": lookup [%#" PRIx64 ", %#"
				 PRIx64 "]: got %" PRIu32 ", model none",
				 st.ops, addr, last, got);
		st.lookup_miss++;
	} else {
		if (got >= table->count)
			fail_msg("op %" PRIu64 ": lookup [%#" PRIx64 ", %#"
				 PRIx64 "]: got %#" PRIx32 ", model client %"
				 PRIu32, st.ops, addr, last, got,
				 model->client[want]);
		if (table->client[got] != model->client[want] ||
		    table->start[got] != model->start[want] ||
		    table->end[got] != model->end[want])
			fail_msg("op %" PRIu64 ": lookup [%#" PRIx64 ", %#"
				 PRIx64 "]: client %" PRIu32 ", model %"
				 PRIu32, st.ops, addr, last,
				 table->client[got], model->client[want]);
		st.lookup_hit++;
	}
	/* The search behind it: the first range whose end is >= addr. */
	if ((st.ops & 63) == 0) {
		uint32_t s = vioreq_range_table_search(table, addr);

		if (s > table->count || (s < table->count &&
					 table->end[s] < addr) ||
		    (s > 0 && table->end[s - 1] >= addr))
			fail_msg("op %" PRIu64 ": search %#" PRIx64 " -> %"
				 PRIu32, st.ops, addr, s);
	}
	after_op();
}

/* ------------------------------------------------------- generators */

static uint32_t gen_client(void)
{
	uint64_t p = below(1000);

	if (p < 700)
		return (uint32_t)below(8);	/* a few busy clients */
	if (p < 990)
		return (uint32_t)below(CLIENTS);
	if (p < 995)
		return CLIENTS + (uint32_t)below(8);
	return UINT32_MAX;
}

/* [s, s + size - 1] with size in 1..max_size, cut at UINT64_MAX. */
static void sized(uint64_t s, uint64_t max_size, uint64_t *start,
		  uint64_t *end)
{
	uint64_t extra = below(max_size);

	*start = s;
	*end = extra > MAX64 - s ? MAX64 : s + extra;
}

/* A range placed relative to stored range i. */
static void gen_relative(uint32_t i, uint64_t *start, uint64_t *end)
{
	uint64_t s = model->start[i], e = model->end[i];
	uint64_t len = 1 + below(64);

	switch (below(8)) {
	case 0:	/* touching on the right */
		if (e == MAX64)
			break;
		sized(e + 1, len, start, end);
		return;
	case 1:	/* touching on the left */
		if (s == 0)
			break;
		*end = s - 1;
		*start = *end >= len ? *end - (len - 1) : 0;
		return;
	case 2:	/* one byte over the end */
		sized(e, len, start, end);
		return;
	case 3:	/* one byte over the start */
		*end = s;
		*start = s >= len ? s - (len - 1) : 0;
		return;
	case 4:	/* identical */
		*start = s;
		*end = e;
		return;
	case 5:	/* inside */
		*start = s + below(e - s + 1);
		*end = *start + below(e - *start + 1);
		return;
	case 6:	/* around */
		*start = s >= len ? s - len : 0;
		*end = e <= MAX64 - len ? e + len : MAX64;
		return;
	default:
		break;
	}
	/* the gap right after the range, maybe filling it exactly */
	if (e == MAX64) {
		*start = *end = MAX64;
		return;
	}
	*start = e + 1;
	*end = *start + below(128);
	if (*end < *start)
		*end = MAX64;
}

static void gen_range(uint64_t *start, uint64_t *end)
{
	uint64_t p = below(1000);

	if (p < 400) {				/* [0, 65536) */
		sized(below(65536), 64, start, end);
	} else if (p < 600) {			/* [0, 4096): dense */
		sized(below(4096), 64, start, end);
	} else if (p < 850 && model->n > 0) {	/* next to a range */
		gen_relative((uint32_t)below(model->n), start, end);
	} else if (p < 930) {			/* near UINT64_MAX */
		sized(MAX64 - below(4096), 64, start, end);
		if (below(4) == 0)
			*end = MAX64;
	} else if (p < 960) {			/* from 0 */
		*start = 0;
		*end = below(below(3) == 0 ? 65536 : 16);
	} else if (p < 985) {			/* huge, high up */
		*start = rnd() | (1ull << 63);
		*end = *start + below(MAX64 - *start + 1);
	} else if (p < 990) {			/* huge, over everything */
		*start = below(4096);
		*end = MAX64 - below(1u << 20);
	} else {				/* end < start */
		*end = below(65536);
		*start = *end + 1 + below(64);
	}
}

static void gen_access(uint64_t *addr, uint64_t *last)
{
	uint64_t p = below(100);

	if (p < 45 && model->n > 0) {
		uint32_t i = (uint32_t)below(model->n);
		uint64_t s = model->start[i], e = model->end[i];

		switch (below(6)) {
		case 0:	/* exactly the range */
			*addr = s;
			*last = e;
			return;
		case 1:	/* inside */
			*addr = s + below(e - s + 1);
			*last = *addr + below(e - *addr + 1);
			return;
		case 2:	/* one byte past the end */
			if (e == MAX64)
				break;
			*addr = s + below(e - s + 1);
			*last = e + 1;
			return;
		case 3:	/* one byte before the start */
			if (s == 0)
				break;
			*addr = s - 1;
			*last = s + below(e - s + 1);
			return;
		case 4:	/* the first byte after it: a neighbour or a gap */
			if (e == MAX64)
				break;
			*addr = e + 1;
			*last = *addr + below(8);
			if (*last < *addr)
				*last = MAX64;
			return;
		default:
			break;
		}
		*addr = *last = s;
		return;
	}
	if (p < 75) {
		*addr = below(65536);
	} else if (p < 90) {
		*addr = below(4096);
	} else if (p < 94) {
		*addr = MAX64 - below(64);
	} else if (p < 97) {
		*addr = below(4);
	} else if (p < 98) {
		*addr = 0;
		*last = MAX64;
		return;
	} else {
		*addr = rnd();
	}
	*last = *addr + below(below(2) ? 8 : 128);
	if (*last < *addr)
		*last = MAX64;
}

static void random_remove(void)
{
	uint64_t start, end;
	uint32_t client;

	if (model->n > 0 && below(10) < 9) {
		uint32_t i = (uint32_t)below(model->n);

		start = model->start[i];
		end = model->end[i];
		client = model->client[i];
		switch (below(10)) {	/* 70% exact, 30% a near miss */
		case 0:
			client = (client + 1 + (uint32_t)below(CLIENTS - 1)) %
				 CLIENTS;
			break;
		case 1:
			if (start < end)
				start++;
			else
				client = UINT32_MAX;
			break;
		case 2:
			if (end != MAX64)
				end++;
			else
				start--;
			break;
		default:
			break;
		}
	} else {
		gen_range(&start, &end);
		client = gen_client();
	}
	do_remove(start, end, client);
}

static void random_add(void)
{
	uint64_t start, end;

	gen_range(&start, &end);
	do_add(start, end, gen_client());
}

/* One operation on a table that wanders after target. */
static void random_op(uint32_t target)
{
	uint64_t p = below(1000);
	bool grow = model->n < target;

	if (p < 450) {
		uint64_t addr, last;

		gen_access(&addr, &last);
		do_lookup(addr, last);
	} else if (p < 452) {
		do_remove_client(below(50) ? (uint32_t)below(8) :
			       (uint32_t)below(CLIENTS + 8));
	} else if (p < (grow ? 880u : 650u)) {
		random_add();
	} else {
		random_remove();
	}
}

/*
 * Fill the table to capacity: add disjoint 1..8-byte ranges in a region
 * of their own, in random order, until the count reaches CAP; then hammer
 * the full table; then drain it back down to `keep` ranges.
 */
static void fill_phase(uint32_t keep)
{
	uint64_t before_enospc = st.add_enospc;
	uint32_t k, i;

	/* Clear the fill region of the main phase's huge ranges. */
	for (i = 0; i < model->n;) {
		if (model->start[i] <= FILL_END && FILL_BASE <= model->end[i])
			do_remove(model->start[i], model->end[i],
				  model->client[i]);
		else
			i++;
	}
	while (model->n < CAP) {
		/* Slots of 16 bytes: at most one range per slot, so this
		 * is disjoint from every other fill range. */
		uint64_t s, e;

		k = (uint32_t)below(2 * CAP);
		s = FILL_BASE + 16ull * k + below(8);
		e = s + below(8);
		do_add(s, e, (uint32_t)below(CLIENTS));
	}
	assert_int_equal(table->count, CAP);
	compare_contents();

	for (i = 0; i < FULL_OPS; i++) {
		uint64_t p = below(100);

		if (p < 30) {			/* a fill-region gap or range */
			uint64_t s = FILL_BASE + below(32ull * CAP);

			do_add(s, s + below(16), (uint32_t)below(CLIENTS));
		} else if (p < 50) {
			random_add();
		} else if (p < 85) {
			uint64_t addr, last;

			gen_access(&addr, &last);
			do_lookup(addr, last);
		} else if (p < 95) {
			/* make room, then (usually) take it again */
			if (model->n == CAP)
				random_remove();
			random_add();
		} else {
			uint64_t s = FILL_BASE + below(32ull * CAP);

			do_lookup(s, s + below(8));
		}
	}
	compare_contents();
	/* The full table must have refused disjoint adds. */
	assert_true(st.add_enospc > before_enospc);

	/* Drain: whole clients first, then single ranges. */
	while (model->n > keep + 512) {
		uint32_t n = model->n;

		do_remove_client((uint32_t)below(CLIENTS));
		if (model->n == n)
			random_remove();
	}
	while (model->n > keep)
		random_remove();
	compare_contents();
}

static void test_differential(void **state)
{
	clock_t t0 = clock();
	uint32_t target = 0;
	uint32_t i;
	double secs;

	table = malloc(sizeof(*table));
	model = malloc(sizeof(*model));
	assert_non_null(table);
	assert_non_null(model);
	memset(table, 0x5A, sizeof(*table));
	memset(model, 0, sizeof(*model));
	memset(&st, 0, sizeof(st));
	rng_state = SEED;
	vioreq_range_table_init(table);

	for (i = 0; i < MAIN_OPS; i++) {
		if (i % TARGET_PERIOD == 0)
			target = (uint32_t)below(TARGET_MAX + 1);
		if (i == FILL_AT_1 || i == FILL_AT_2)
			fill_phase(target);
		random_op(target);
	}
	compare_contents();
	/* Empty it through remove_client, then one more comparison. */
	for (i = 0; i < CLIENTS; i++)
		do_remove_client(i);
	assert_int_equal(table->count, 0);
	compare_contents();

	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	print_message("differential: %" PRIu64 " operations in %.2f s CPU "
		      "(seed %#llx)\n", st.ops, secs, SEED);
	print_message("  add: %" PRIu64 " ok (%" PRIu64 " touching), %" PRIu64
		      " EBUSY (%" PRIu64 " by one byte), %" PRIu64 " ENOSPC, %"
		      PRIu64 " EINVAL\n", st.add_ok, st.add_touching,
		      st.add_ebusy, st.busy_one_byte, st.add_enospc,
		      st.add_einval);
	print_message("  remove: %" PRIu64 " ok, %" PRIu64 " ENOENT; "
		      "remove_client: %" PRIu64 " calls, %" PRIu64
		      " ranges\n", st.remove_ok, st.remove_enoent,
		      st.remove_client_calls, st.remove_client_ranges);
	print_message("  lookup: %" PRIu64 " hit, %" PRIu64 " miss\n",
		      st.lookup_hit, st.lookup_miss);
	print_message("  count: mean %" PRIu64 ", max %" PRIu32 "; full %"
		      PRIu64 " times, EBUSY when full %" PRIu64 "\n",
		      st.sum_count / st.ops, st.max_count, st.full_hits,
		      st.busy_when_full);

	/* The run covered what it claims to. */
	assert_true(st.ops >= 1000000u);
	assert_true(st.add_ok >= 10000u);
	assert_true(st.add_touching >= 1000u);
	assert_true(st.add_ebusy >= 10000u);
	assert_true(st.busy_one_byte >= 1000u);
	assert_true(st.add_enospc >= 100u);
	assert_true(st.add_einval >= 1000u);
	assert_true(st.remove_ok >= 10000u);
	assert_true(st.remove_enoent >= 10000u);
	assert_true(st.remove_client_ranges >= 1000u);
	assert_true(st.lookup_hit >= 100000u);
	assert_true(st.lookup_miss >= 100000u);
	assert_true(st.full_hits >= 2u);
	assert_true(st.busy_when_full >= 100u);
	assert_int_equal(st.max_count, CAP);

	free(table);
	free(model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
