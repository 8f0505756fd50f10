/* SPDX-License-Identifier: MIT */
/*
 * Range table: the address ranges of one request type in one VM, each owned
 * by one I/O client (REQ-RANGE-*).
 *
 * Ranges are closed intervals [start, end] kept sorted and pairwise disjoint,
 * in three parallel arrays so that the search touches only end[]. Unlike the
 * Linux HSM, where overlapping ranges are allowed and the first match wins,
 * an add that overlaps any range of the type fails with EBUSY: every address
 * has at most one owner, so routing does not depend on registration order.
 */
#ifndef VIOREQ_RANGE_TABLE_H
#define VIOREQ_RANGE_TABLE_H

#include <stdint.h>
#include "vioreq/spec_gen.h"

/* Returned by vioreq_range_table_lookup when no range covers the access. */
#define VIOREQ_RANGE_NONE 0xFFFFFFFFu

/*
 * The narrow types of count and client are deliberate besides saving
 * cache: WP's typed memory model keeps each integer kind in its own
 * memory, so writes to the shared page (32-bit words) visibly cannot touch
 * the table (proofs/README.md).
 */
struct vioreq_range_table {
	uint16_t count;
	uint64_t start[VIOREQ_RANGES_PER_TYPE];
	uint64_t end[VIOREQ_RANGES_PER_TYPE];
	uint8_t client[VIOREQ_RANGES_PER_TYPE];
};

_Static_assert(VIOREQ_RANGES_PER_TYPE < 65536, "count is 16-bit");
_Static_assert(VIOREQ_CLIENTS_PER_VM < 255, "client ids are 8-bit");

#include "../../logic/range_table.acsl"

/*@ requires valid: \valid(t);
    assigns t->count;
    ensures empty: t->count == 0;
    ensures wellformed: range_table_wellformed(t);
 */
void vioreq_range_table_init(struct vioreq_range_table *t);

/*
 * Index of the first range whose end is >= key (t->count when there is
 * none). Branch-free: the loop body is a conditional move, so the cost does
 * not depend on the key (REQ-RANGE-004).
 */
/*@ requires valid: \valid_read(t);
    requires wellformed: range_table_wellformed(t);
    assigns \nothing;
    ensures in_bounds: 0 <= \result <= t->count;
    ensures before_key: \forall integer i; 0 <= i < \result ==> t->end[i] < key;
    ensures at_or_after_key: \result < t->count ==> key <= t->end[\result];
 */
uint32_t vioreq_range_table_search(const struct vioreq_range_table *t,
				   uint64_t key);

/*
 * The range that contains the whole access [addr, last], or
 * VIOREQ_RANGE_NONE (REQ-RANGE-003). O(log n).
 */
/*@ requires valid: \valid_read(t);
    requires wellformed: range_table_wellformed(t);
    requires access: addr <= last;
    assigns \nothing;
    behavior covered:
      assumes range_table_has_cover(t, addr, last);
      ensures found: 0 <= \result < t->count;
      ensures covers: range_covers(t, \result, addr, last);
    behavior not_covered:
      assumes !range_table_has_cover(t, addr, last);
      ensures none: \result == VIOREQ_RANGE_NONE;
    complete behaviors;
    disjoint behaviors;
 */
uint32_t vioreq_range_table_lookup(const struct vioreq_range_table *t,
				   uint64_t addr, uint64_t last);

/*
 * Add [start, end] for client. Returns the index where it was inserted, or
 * -EINVAL (end < start, client id out of range), -EBUSY (overlaps a range of
 * this table), -ENOSPC (table full) (REQ-RANGE-001, REQ-RANGE-002).
 */
/*@ requires valid: \valid(t);
    requires wellformed: range_table_wellformed(t);
    assigns t->count, t->start[0 .. VIOREQ_RANGES_PER_TYPE - 1],
            t->end[0 .. VIOREQ_RANGES_PER_TYPE - 1],
            t->client[0 .. VIOREQ_RANGES_PER_TYPE - 1];
    ensures wellformed: range_table_wellformed(t);
    ensures owners: range_table_owners_from{Pre, Post}(t, client);
    ensures refused_kept: \result < 0 ==> range_table_same{Pre, Post}(t);
    behavior invalid:
      assumes end < start || client >= VIOREQ_CLIENTS_PER_VM;
      assigns \nothing;
      ensures einval: \result == -VIOREQ_EINVAL;
    behavior overlap:
      assumes start <= end && client < VIOREQ_CLIENTS_PER_VM;
      assumes range_table_has_overlap(t, start, end);
      assigns \nothing;
      ensures ebusy: \result == -VIOREQ_EBUSY;
    behavior full:
      assumes start <= end && client < VIOREQ_CLIENTS_PER_VM;
      assumes !range_table_has_overlap(t, start, end);
      assumes t->count == VIOREQ_RANGES_PER_TYPE;
      assigns \nothing;
      ensures enospc: \result == -VIOREQ_ENOSPC;
    behavior added:
      assumes start <= end && client < VIOREQ_CLIENTS_PER_VM;
      assumes !range_table_has_overlap(t, start, end);
      assumes t->count < VIOREQ_RANGES_PER_TYPE;
      ensures position: 0 <= \result < t->count;
      ensures grown: t->count == \old(t->count) + 1;
      ensures stored: range_is(t, \result, start, end, client);
      ensures left_kept: range_table_moved{Pre, Post}(t, 0, \result, 0);
      ensures right_shifted:
        range_table_moved{Pre, Post}(t, \result, \old(t->count), 1);
      check ensures others_kept: range_table_subset{Pre, Post}(t);
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_range_table_add(struct vioreq_range_table *t, uint64_t start,
			       uint64_t end, uint32_t client);

/*
 * Remove the entry at index pos, closing the gap (REQ-RANGE-006).
 */
/*@ requires valid: \valid(t);
    requires wellformed: range_table_wellformed(t);
    requires position: pos < t->count;
    assigns t->count, t->start[0 .. VIOREQ_RANGES_PER_TYPE - 1],
            t->end[0 .. VIOREQ_RANGES_PER_TYPE - 1],
            t->client[0 .. VIOREQ_RANGES_PER_TYPE - 1];
    ensures wellformed: range_table_wellformed(t);
    ensures shrunk: t->count == \old(t->count) - 1;
    ensures left_kept: range_table_moved{Pre, Post}(t, 0, pos, 0);
    ensures right_shifted:
      range_table_moved{Pre, Post}(t, pos + 1, \old(t->count), -1);
 */
void vioreq_range_table_remove_at(struct vioreq_range_table *t, uint32_t pos);

/*
 * Remove exactly [start, end] of client: -ENOENT when no entry matches all
 * three (REQ-RANGE-006).
 */
/*@ requires valid: \valid(t);
    requires wellformed: range_table_wellformed(t);
    assigns t->count, t->start[0 .. VIOREQ_RANGES_PER_TYPE - 1],
            t->end[0 .. VIOREQ_RANGES_PER_TYPE - 1],
            t->client[0 .. VIOREQ_RANGES_PER_TYPE - 1];
    ensures wellformed: range_table_wellformed(t);
    ensures owners: range_table_no_new_owner{Pre, Post}(t);
    ensures refused_kept: \result < 0 ==> range_table_same{Pre, Post}(t);
    behavior present:
      assumes range_table_has_exact(t, start, end, client);
      ensures removed: \result == 0;
      ensures shrunk: t->count == \old(t->count) - 1;
      ensures gone: !range_table_has_exact(t, start, end, client);
      ensures others_kept: \exists integer p; 0 <= p < \old(t->count) &&
        range_is{Pre}(t, p, start, end, client) &&
        range_table_moved{Pre, Post}(t, 0, p, 0) &&
        range_table_moved{Pre, Post}(t, p + 1, \old(t->count), -1);
    behavior absent:
      assumes !range_table_has_exact(t, start, end, client);
      assigns \nothing;
      ensures enoent: \result == -VIOREQ_ENOENT;
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_range_table_remove(struct vioreq_range_table *t, uint64_t start,
				  uint64_t end, uint32_t client);

/*
 * Index of the first range of client, or t->count when it has none.
 */
/*@ requires valid: \valid_read(t);
    requires wellformed: range_table_wellformed(t);
    assigns \nothing;
    ensures in_bounds: 0 <= \result <= t->count;
    ensures none_before: \forall integer i; 0 <= i < \result ==>
                           t->client[i] != client;
    ensures found: \result < t->count ==> t->client[\result] == client;
 */
uint32_t vioreq_range_table_find_client(const struct vioreq_range_table *t,
					uint32_t client);

/*
 * Remove every range of client; the others stay (in order, as the table is
 * sorted) and nothing else appears. Returns how many were removed
 * (REQ-CLIENT-004).
 */
/*@ requires valid: \valid(t);
    requires wellformed: range_table_wellformed(t);
    assigns t->count, t->start[0 .. VIOREQ_RANGES_PER_TYPE - 1],
            t->end[0 .. VIOREQ_RANGES_PER_TYPE - 1],
            t->client[0 .. VIOREQ_RANGES_PER_TYPE - 1];
    ensures wellformed: range_table_wellformed(t);
    ensures none_left: !range_table_has_client(t, client);
    ensures removed_count: t->count == \old(t->count) - \result;
    ensures others_kept: range_table_others_kept{Pre, Post}(t, client);
    ensures nothing_new: range_table_subset{Post, Pre}(t);
 */
uint32_t vioreq_range_table_remove_client(struct vioreq_range_table *t,
					  uint32_t client);

#endif /* VIOREQ_RANGE_TABLE_H */
