/* SPDX-License-Identifier: MIT */
/*
 * Page access hooks: the only way core/ touches the shared I/O request page.
 *
 * The page is shared with the hypervisor and mapped writable by the VMM in
 * userspace, which may write any byte at any time. The core therefore reads
 * every field exactly once per decision through these hooks and treats the
 * value as untrusted input. Each platform implements them:
 *   - kernel (kmod/): READ_ONCE, smp_load_acquire, WRITE_ONCE,
 *     smp_store_release;
 *   - hosted (userspace/): C11 atomics with the same orders.
 *
 * Their contracts are assumptions of the proof (proofs/ASSUMPTIONS.md, A1-A4):
 * a load returns an arbitrary value (nothing about the page is assumed), a
 * store writes the value it is given.
 */
#ifndef VIOREQ_PAGE_ACCESS_H
#define VIOREQ_PAGE_ACCESS_H

#include <stdint.h>

/*@ requires readable: \valid_read(word);
    assigns \nothing;
 */
uint32_t vioreq_page_load(const uint32_t *word);

/*@ requires readable: \valid_read(word);
    assigns \nothing;
 */
uint32_t vioreq_page_load_acquire(const uint32_t *word);

/*@ requires writable: \valid(word);
    assigns *word;
    ensures stored: *word == value;
 */
void vioreq_page_store(uint32_t *word, uint32_t value);

/*@ requires writable: \valid(word);
    assigns *word;
    ensures stored: *word == value;
 */
void vioreq_page_store_release(uint32_t *word, uint32_t value);

#endif /* VIOREQ_PAGE_ACCESS_H */
