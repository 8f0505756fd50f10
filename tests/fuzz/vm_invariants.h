/* SPDX-License-Identifier: MIT */
/*
 * Executable forms of the ACSL predicates of core/logic/ (vm.acsl,
 * range_table.acsl), for the fuzzers: WP proves each function keeps
 * vm_wellformed; the fuzzers check it after every operation of a whole
 * sequence, on the real struct vioreq_vm.
 *
 * Each checker returns NULL when the predicate holds, else the name of
 * the first predicate found false (the ACSL name, or a name ending in
 * "_extra" for a check the ACSL does not state; see vm_invariants.c).
 */
#ifndef VIOREQ_FUZZ_VM_INVARIANTS_H
#define VIOREQ_FUZZ_VM_INVARIANTS_H

#include "vioreq/vm.h"

/* range_table_wellformed: count <= capacity, entries valid, sorted. */
const char *vioreq_check_range_table(const struct vioreq_range_table *t);

/*
 * vm_wellformed: vm_clients_valid, vm_default_valid, vm_owners_valid,
 * vm_tables_valid, 0 <= clearing <= 1; then the _extra checks.
 */
const char *vioreq_check_vm(const struct vioreq_vm *vm);

/*
 * Feed the checker corrupted copies of a well-formed VM and return how
 * many corruptions it reported by the expected name; aborts (after
 * printing which) when one goes unnoticed. *total gets the number tried.
 */
unsigned vioreq_check_selftest(unsigned *total);

#endif /* VIOREQ_FUZZ_VM_INVARIANTS_H */
