/* SPDX-License-Identifier: MIT */
/* Range table: sorted, pairwise-disjoint ranges (contracts in the header). */
#include "vioreq/range_table.h"

void vioreq_range_table_init(struct vioreq_range_table *t)
{
	t->count = 0;
}

/*@ // 2^k: the search's step count is proved logarithmic with it
    // (REQ-RANGE-004). Only this file needs it.
    logic integer range_search_pow2(integer k) =
      k <= 0 ? 1 : 2 * range_search_pow2(k - 1);
 */

uint32_t vioreq_range_table_search(const struct vioreq_range_table *t,
				   uint64_t key)
{
	uint32_t base = 0;
	uint32_t n = t->count;
	/* Halving steps taken: the proof that there are O(log n) of them. */
	//@ ghost uint32_t steps = 0;

	if (n == 0)
		return 0;
	/*@ loop invariant window: 1 <= n && base + n <= t->count;
	    loop invariant below: \forall integer i; 0 <= i < base ==>
	                            t->end[i] < key;
	    loop invariant above: \forall integer i; base + n <= i < t->count ==>
	                            key <= t->end[i];
	    loop invariant steps_counted: steps + n <= t->count &&
	                                  1 <= range_search_pow2(steps);
	    loop invariant halved: (n - 1) * range_search_pow2(steps) <=
	                           t->count - 1;
	    loop invariant logarithmic: range_search_pow2(steps) <=
	                                2 * t->count;
	    loop assigns base, n, steps;
	    loop variant n;
	 */
	while (n > 1) {
		uint32_t half = n / 2;

		/* A conditional move, not a branch: see the header. */
		base = (t->end[base + half] < key) ? base + half : base;
		/*@ assert window_halved: 2 * (n - half - 1) <= n - 1; */
		/*@ assert step_fits: range_search_pow2(steps) <= t->count - 1; */
		/*@ assert scaled: 2 * (n - half - 1) * range_search_pow2(steps) <=
		                   (n - 1) * range_search_pow2(steps); */
		n -= half;
		/*@ ghost steps = steps + 1; */
		/*@ assert pow2_step: range_search_pow2(steps) ==
		                      2 * range_search_pow2(steps - 1); */
	}
	/* At most ceil(log2(count)) steps: 2^steps < 2 * count. */
	/*@ assert log_steps: range_search_pow2(steps) <= 2 * t->count; */
	return base + (t->end[base] < key ? 1u : 0u);
}

uint32_t vioreq_range_table_lookup(const struct vioreq_range_table *t,
				   uint64_t addr, uint64_t last)
{
	uint32_t i = vioreq_range_table_search(t, addr);

	if (i < t->count && t->start[i] <= addr && last <= t->end[i])
		return i;
	return VIOREQ_RANGE_NONE;
}

/*
 * Move entries [pos, count) one place right, leaving entry pos as it was.
 * One loop per array keeps each loop invariant about one array.
 */
/*@ requires valid: \valid(t);
    requires room: pos <= t->count < VIOREQ_RANGES_PER_TYPE;
    assigns t->start[pos + 1 .. t->count], t->end[pos + 1 .. t->count],
            t->client[pos + 1 .. t->count];
    ensures kept: range_table_moved{Pre, Post}(t, 0, pos + 1, 0);
    ensures shifted: range_table_moved{Pre, Post}(t, pos, t->count, 1);
 */
static void range_table_open_gap(struct vioreq_range_table *t, uint32_t pos)
{
	uint32_t i;

	/*@ loop invariant bounds: pos <= i <= t->count;
	    loop invariant kept: starts_moved{Pre, Here}(t, 0, i + 1, 0);
	    loop invariant shifted: starts_moved{Pre, Here}(t, i, t->count, 1);
	    loop assigns i, t->start[pos + 1 .. t->count];
	    loop variant i;
	 */
	for (i = t->count; i > pos; i--)
		t->start[i] = t->start[i - 1];
	/*@ loop invariant bounds: pos <= i <= t->count;
	    loop invariant kept: ends_moved{Pre, Here}(t, 0, i + 1, 0);
	    loop invariant shifted: ends_moved{Pre, Here}(t, i, t->count, 1);
	    loop assigns i, t->end[pos + 1 .. t->count];
	    loop variant i;
	 */
	for (i = t->count; i > pos; i--)
		t->end[i] = t->end[i - 1];
	/*@ loop invariant bounds: pos <= i <= t->count;
	    loop invariant kept: clients_moved{Pre, Here}(t, 0, i + 1, 0);
	    loop invariant shifted: clients_moved{Pre, Here}(t, i, t->count, 1);
	    loop assigns i, t->client[pos + 1 .. t->count];
	    loop variant i;
	 */
	for (i = t->count; i > pos; i--)
		t->client[i] = t->client[i - 1];
}

/*
 * Insert [start, end] for client at pos, where it keeps the table sorted:
 * every range before pos ends below start and every range from pos on
 * starts above end.
 */
/*@ requires valid: \valid(t);
    requires wellformed: range_table_wellformed(t);
    requires room: pos <= t->count < VIOREQ_RANGES_PER_TYPE;
    requires entry: start <= end && client < VIOREQ_CLIENTS_PER_VM;
    requires left_clear: \forall integer k; 0 <= k < pos ==>
                           t->end[k] < start;
    requires right_clear: \forall integer k; pos <= k < t->count ==>
                            end < t->start[k];
    assigns t->count, t->start[pos .. t->count], t->end[pos .. t->count],
            t->client[pos .. t->count];
    ensures wellformed: range_table_wellformed(t);
    ensures grown: t->count == \old(t->count) + 1;
    ensures stored: range_is(t, pos, start, end, client);
    ensures left_kept: range_table_moved{Pre, Post}(t, 0, pos, 0);
    ensures right_shifted:
      range_table_moved{Pre, Post}(t, pos, \old(t->count), 1);
    ensures others_kept: range_table_subset{Pre, Post}(t);
    ensures owners: range_table_owners_from{Pre, Post}(t, client);
 */
static void range_table_insert_at(struct vioreq_range_table *t, uint32_t pos,
				  uint64_t start, uint64_t end,
				  uint32_t client)
{
	range_table_open_gap(t, pos);
	t->start[pos] = start;
	t->end[pos] = end;
	t->client[pos] = (uint8_t)client;
	t->count = (uint16_t)(t->count + 1);
	/* Scaffolding for the sortedness proof, one piece at a time. */
	/*@ assert left_start: \forall integer k; 0 <= k < pos ==>
	      t->start[k] == \at(t->start[k], Pre); */
	/*@ assert left_end: \forall integer k; 0 <= k < pos ==>
	      t->end[k] == \at(t->end[k], Pre); */
	/*@ assert left_client: \forall integer k; 0 <= k < pos ==>
	      t->client[k] == \at(t->client[k], Pre); */
	/*@ assert right_start: \forall integer k; pos < k < t->count ==>
	      t->start[k] == \at(t->start[k - 1], Pre); */
	/*@ assert right_end: \forall integer k; pos < k < t->count ==>
	      t->end[k] == \at(t->end[k - 1], Pre); */
	/*@ assert right_client: \forall integer k; pos < k < t->count ==>
	      t->client[k] == \at(t->client[k - 1], Pre); */
	/*@ assert left_below: \forall integer a; 0 <= a < pos ==>
	      t->end[a] < start; */
	/*@ assert right_above: \forall integer b; pos < b < t->count ==>
	      end < t->start[b]; */
	/*@ assert left_sorted: \forall integer a, b;
	      0 <= a < b < pos ==> t->end[a] < t->start[b]; */
	/*@ assert right_sorted: \forall integer a, b;
	      pos < a < b < t->count ==> t->end[a] < t->start[b]; */
	/*@ assert left_right: \forall integer a, b;
	      0 <= a < pos < b < t->count ==> t->end[a] < t->start[b]; */
	/*@ assert sorted: range_table_sorted(t); */
	/*@ assert entries: range_table_entries_valid(t); */
	/*@ assert kept_left: \forall integer k; 0 <= k < pos ==>
	      range_is(t, k, \at(t->start[k], Pre), \at(t->end[k], Pre),
	               \at(t->client[k], Pre)); */
	/*@ assert kept_right: \forall integer k;
	      pos <= k < \at(t->count, Pre) ==>
	      range_is(t, k + 1, \at(t->start[k], Pre), \at(t->end[k], Pre),
	               \at(t->client[k], Pre)); */
}

int32_t vioreq_range_table_add(struct vioreq_range_table *t, uint64_t start,
			       uint64_t end, uint32_t client)
{
	uint32_t pos;

	if (end < start || client >= VIOREQ_CLIENTS_PER_VM)
		return -VIOREQ_EINVAL;
	pos = vioreq_range_table_search(t, start);
	/* Every range before pos ends before start; pos itself decides. */
	if (pos < t->count && t->start[pos] <= end)
		return -VIOREQ_EBUSY;
	/*@ assert left_clear: \forall integer k; 0 <= k < pos ==>
	                         t->end[k] < start; */
	/*@ assert right_clear: \forall integer k; pos <= k < t->count ==>
	                          end < t->start[k]; */
	/*@ assert no_overlap: !range_table_has_overlap(t, start, end); */
	if (t->count == VIOREQ_RANGES_PER_TYPE)
		return -VIOREQ_ENOSPC;

	range_table_insert_at(t, pos, start, end, client);
	return (int32_t)pos;
}

/*
 * Move entries (pos, count) one place left, over entry pos.
 */
/*@ requires valid: \valid(t);
    requires position: pos < t->count <= VIOREQ_RANGES_PER_TYPE;
    assigns t->start[pos .. t->count - 2], t->end[pos .. t->count - 2],
            t->client[pos .. t->count - 2];
    ensures kept: range_table_moved{Pre, Post}(t, 0, pos, 0);
    ensures shifted: range_table_moved{Pre, Post}(t, pos + 1, t->count, -1);
 */
static void range_table_close_gap(struct vioreq_range_table *t, uint32_t pos)
{
	uint32_t i;

	/*@ loop invariant bounds: pos <= i < t->count;
	    loop invariant kept: starts_moved{Pre, Here}(t, 0, pos, 0);
	    loop invariant shifted: starts_moved{Pre, Here}(t, pos + 1, i + 1, -1);
	    loop invariant rest: starts_moved{Pre, Here}(t, i, t->count, 0);
	    loop assigns i, t->start[pos .. t->count - 2];
	    loop variant t->count - i;
	 */
	for (i = pos; i + 1 < t->count; i++)
		t->start[i] = t->start[i + 1];
	/*@ loop invariant bounds: pos <= i < t->count;
	    loop invariant kept: ends_moved{Pre, Here}(t, 0, pos, 0);
	    loop invariant shifted: ends_moved{Pre, Here}(t, pos + 1, i + 1, -1);
	    loop invariant rest: ends_moved{Pre, Here}(t, i, t->count, 0);
	    loop assigns i, t->end[pos .. t->count - 2];
	    loop variant t->count - i;
	 */
	for (i = pos; i + 1 < t->count; i++)
		t->end[i] = t->end[i + 1];
	/*@ loop invariant bounds: pos <= i < t->count;
	    loop invariant kept: clients_moved{Pre, Here}(t, 0, pos, 0);
	    loop invariant shifted: clients_moved{Pre, Here}(t, pos + 1, i + 1, -1);
	    loop invariant rest: clients_moved{Pre, Here}(t, i, t->count, 0);
	    loop assigns i, t->client[pos .. t->count - 2];
	    loop variant t->count - i;
	 */
	for (i = pos; i + 1 < t->count; i++)
		t->client[i] = t->client[i + 1];
}

void vioreq_range_table_remove_at(struct vioreq_range_table *t, uint32_t pos)
{
	range_table_close_gap(t, pos);
	t->count = (uint16_t)(t->count - 1);
	/*@ assert left_start: \forall integer k; 0 <= k < pos ==>
	      t->start[k] == \at(t->start[k], Pre); */
	/*@ assert left_end: \forall integer k; 0 <= k < pos ==>
	      t->end[k] == \at(t->end[k], Pre); */
	/*@ assert left_client: \forall integer k; 0 <= k < pos ==>
	      t->client[k] == \at(t->client[k], Pre); */
	/*@ assert right_start: \forall integer k; pos <= k < t->count ==>
	      t->start[k] == \at(t->start[k + 1], Pre); */
	/*@ assert right_end: \forall integer k; pos <= k < t->count ==>
	      t->end[k] == \at(t->end[k + 1], Pre); */
	/*@ assert right_client: \forall integer k; pos <= k < t->count ==>
	      t->client[k] == \at(t->client[k + 1], Pre); */
	/*@ assert left_sorted: \forall integer a, b;
	      0 <= a < b < pos ==> t->end[a] < t->start[b]; */
	/*@ assert right_sorted: \forall integer a, b;
	      pos <= a < b < t->count ==> t->end[a] < t->start[b]; */
	/*@ assert left_right: \forall integer a, b;
	      0 <= a < pos <= b < t->count ==> t->end[a] < t->start[b]; */
	/*@ assert sorted: range_table_sorted(t); */
	/*@ assert entries: range_table_entries_valid(t); */
}

int32_t vioreq_range_table_remove(struct vioreq_range_table *t, uint64_t start,
				  uint64_t end, uint32_t client)
{
	uint32_t pos = vioreq_range_table_search(t, start);

	if (pos >= t->count || t->start[pos] != start || t->end[pos] != end ||
	    t->client[pos] != client)
		return -VIOREQ_ENOENT;
	/*@ assert left_end: \forall integer k; 0 <= k < pos ==>
	      t->end[k] < start; */
	/*@ assert right_start: \forall integer k; pos < k < t->count ==>
	      end < t->start[k]; */
	vioreq_range_table_remove_at(t, pos);
	/*@ assert removed_at: range_is{Pre}(t, pos, start, end, client) &&
	      range_table_moved{Pre, Here}(t, 0, pos, 0) &&
	      range_table_moved{Pre, Here}(t, pos + 1, \at(t->count, Pre), -1);
	 */
	/*@ assert right_moved: \forall integer k; pos <= k < t->count ==>
	      t->start[k] == \at(t->start[k + 1], Pre); */
	/*@ assert left_gone: \forall integer k; 0 <= k < pos ==>
	      t->end[k] < start; */
	/*@ assert right_gone: \forall integer k; pos <= k < t->count ==>
	      end < t->start[k]; */
	return 0;
}

uint32_t vioreq_range_table_find_client(const struct vioreq_range_table *t,
					uint32_t client)
{
	uint32_t i;

	/*@ loop invariant bounds: 0 <= i <= t->count;
	    loop invariant none_before: \forall integer k; 0 <= k < i ==>
	                                  t->client[k] != client;
	    loop assigns i;
	    loop variant t->count - i;
	 */
	for (i = 0; i < t->count; i++) {
		if (t->client[i] == client)
			break;
	}
	return i;
}

/*
 * One pass, O(n): r reads every entry, w writes the next kept one; the
 * table stays sorted because the kept entries keep their order. (Removing
 * them one by one with remove_at was O(n^2): ~16 M moves to destroy a
 * client owning all 4096 ranges.) from[] is ghost: the index each kept
 * entry came from, the witness that nothing new appears.
 */
uint32_t vioreq_range_table_remove_client(struct vioreq_range_table *t,
					  uint32_t client)
{
	uint32_t n = t->count;
	uint32_t w = 0;
	uint32_t r;
	//@ ghost uint32_t from[VIOREQ_RANGES_PER_TYPE];

	/*@ loop invariant bounds: w <= r <= n && n == t->count;
	    loop invariant unread: \forall integer k; r <= k < n ==>
	      range_is(t, k, \at(t->start[k], Pre), \at(t->end[k], Pre),
	               \at(t->client[k], Pre));
	    loop invariant kept_valid: \forall integer k; 0 <= k < w ==>
	      t->start[k] <= t->end[k] &&
	      t->client[k] < VIOREQ_CLIENTS_PER_VM && t->client[k] != client;
	    loop invariant kept_sorted: \forall integer a, b; 0 <= a < b < w ==>
	      t->end[a] < t->start[b];
	    loop invariant kept_before_unread: \forall integer a, b;
	      0 <= a < w && r <= b < n ==> t->end[a] < \at(t->start[b], Pre);
	    loop invariant kept_all: \forall integer i;
	      0 <= i < r && \at(t->client[i], Pre) != client ==>
	      \exists integer k; 0 <= k < w &&
	        range_is(t, k, \at(t->start[i], Pre), \at(t->end[i], Pre),
	                 \at(t->client[i], Pre));
	    loop invariant kept_only: \forall integer k; 0 <= k < w ==>
	      0 <= from[k] < r &&
	      \let i = from[k]; range_is(t, k, \at(t->start[i], Pre),
	                                 \at(t->end[i], Pre),
	                                 \at(t->client[i], Pre));
	    loop assigns r, w, t->start[0 .. n - 1], t->end[0 .. n - 1],
	                 t->client[0 .. n - 1], from[0 .. n - 1];
	    loop variant n - r;
	 */
	for (r = 0; r < n; r++) {
		if (t->client[r] != client) {
keeping: __attribute__((unused));
			t->start[w] = t->start[r];
			t->end[w] = t->end[r];
			t->client[w] = t->client[r];
			/*@ assert moved: \let i = r; range_is(t, w,
			      \at(t->start[i], Pre), \at(t->end[i], Pre),
			      \at(t->client[i], Pre)); */
			/*@ assert prefix_unchanged: \forall integer k; 0 <= k < w ==>
			      range_is(t, k, \at(t->start[k], keeping),
			               \at(t->end[k], keeping),
			               \at(t->client[k], keeping)); */
			/*@ assert kept_all_before: \forall integer i;
			      0 <= i < r && \at(t->client[i], Pre) != client ==>
			      \exists integer k; 0 <= k < w &&
			        range_is(t, k, \at(t->start[i], Pre),
			                 \at(t->end[i], Pre),
			                 \at(t->client[i], Pre)); */
			//@ ghost from[w] = r;
			w++;
		}
	}
	/*@ assert all_read: r == n && n == \at(t->count, Pre); */
	/*@ assert kept_only_all: \forall integer k; 0 <= k < w ==>
	      \let i = from[k]; 0 <= i < n &&
	      range_is(t, k, \at(t->start[i], Pre), \at(t->end[i], Pre),
	               \at(t->client[i], Pre)); */
	t->count = (uint16_t)w;
	/*@ assert subset_witness: \forall integer k; 0 <= k < t->count ==>
	      \let i = from[k]; 0 <= i < \at(t->count, Pre) &&
	      range_is{Pre}(t, i, t->start[k], t->end[k], t->client[k]); */
	return n - w;
}
