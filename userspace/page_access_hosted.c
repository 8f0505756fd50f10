/* SPDX-License-Identifier: MIT */
/*
 * Page access hooks for hosted builds (userspace library, simulator, unit
 * tests): the four hooks of core/include/vioreq/page_access.h implemented
 * with the GCC/Clang __atomic builtins, which have the semantics of C11
 * <stdatomic.h> operations on a plain uint32_t. Each one has the memory
 * order of the kernel primitive that kmod/ uses for the same hook, so the
 * core sees the same guarantees in both builds.
 */
#include <stdint.h>

#include "vioreq/page_access.h"

/*
 * vioreq_page_load; kernel: READ_ONCE. A relaxed atomic load: one access
 * the compiler may not split, repeat or elide, with no ordering.
 */
uint32_t vioreq_page_load(const uint32_t *word)
{
	return __atomic_load_n(word, __ATOMIC_RELAXED);
}

/*
 * vioreq_page_load_acquire; kernel: smp_load_acquire. Reads that follow it
 * (the request body after the state field) see what the writer stored
 * before its release.
 */
uint32_t vioreq_page_load_acquire(const uint32_t *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

/*
 * vioreq_page_store; kernel: WRITE_ONCE. A relaxed atomic store: one
 * untorn access, no ordering.
 */
void vioreq_page_store(uint32_t *word, uint32_t value)
{
	__atomic_store_n(word, value, __ATOMIC_RELAXED);
}

/*
 * vioreq_page_store_release; kernel: smp_store_release. Stores before it
 * (the result written into the slot) are visible before the new state.
 */
void vioreq_page_store_release(uint32_t *word, uint32_t value)
{
	__atomic_store_n(word, value, __ATOMIC_RELEASE);
}
