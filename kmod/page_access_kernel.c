// SPDX-License-Identifier: GPL-2.0
/*
 * The core's page access hooks (core/include/vioreq/page_access.h) for the
 * kernel: the shared page is written by the hypervisor and by userspace at
 * any time, so every access is a single, untorn, non-repeated one
 * (READ_ONCE / WRITE_ONCE), and the state field is read with acquire and
 * written with release order, so that the request body is read after the
 * PENDING state and the result is visible before COMPLETE.
 */
#include <linux/compiler.h>
#include <asm/barrier.h>

#include "vioreq/page_access.h"

uint32_t vioreq_page_load(const uint32_t *word)
{
	return READ_ONCE(*word);
}

uint32_t vioreq_page_load_acquire(const uint32_t *word)
{
	return smp_load_acquire(word);
}

void vioreq_page_store(uint32_t *word, uint32_t value)
{
	WRITE_ONCE(*word, value);
}

void vioreq_page_store_release(uint32_t *word, uint32_t value)
{
	smp_store_release(word, value);
}
