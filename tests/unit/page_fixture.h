/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the unit tests that drive the core through a page: a VM
 * and a page-aligned request page on the heap, every slot FREE, and
 * helpers that play the hypervisor (trap: fill a slot and mark it
 * PENDING) and the platform (dispatch). Include after <cmocka.h> and the
 * core headers.
 */
#ifndef VIOREQ_TESTS_PAGE_FIXTURE_H
#define VIOREQ_TESTS_PAGE_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vioreq/dispatch.h"

struct fixture {
	struct vioreq_vm *vm;
	struct vioreq_page *page;
	struct vioreq_events ev;
	uint32_t vmm;	/* test_dispatch.c: the default client */
	uint32_t uart;	/* test_dispatch.c: a client with 0x3F8-0x3FF */
};

static inline void set_u64(uint32_t *w, uint64_t v)
{
	w[0] = (uint32_t)v;
	w[1] = (uint32_t)(v >> 32);
}

static inline uint64_t get_u64(const uint32_t *w)
{
	return w[0] | ((uint64_t)w[1] << 32);
}

/* The hypervisor traps an access of vCPU v into its slot. */
static inline void trap(struct fixture *f, uint32_t v, uint32_t type,
			uint32_t dir, uint64_t addr, uint64_t size,
			uint64_t value, uint32_t polling)
{
	struct vioreq_slot *s = &f->page->slot[v];

	memset(s, 0, sizeof(*s));
	s->type = type;
	s->completion_polling = polling;
	s->data[VIOREQ_REQ_DIRECTION_WORD] = dir;
	set_u64(&s->data[VIOREQ_REQ_ADDRESS_WORD], addr);
	set_u64(&s->data[VIOREQ_REQ_SIZE_WORD], size);
	set_u64(&s->data[VIOREQ_REQ_VALUE_WORD], value);
	s->processed = VIOREQ_STATE_PENDING;
}

/* A fresh VM with no client and a page of FREE slots. */
static inline struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	uint32_t v;

	assert_non_null(f);
	f->vm = calloc(1, sizeof(*f->vm));
	f->page = aligned_alloc(VIOREQ_PAGE_SIZE, sizeof(*f->page));
	assert_non_null(f->vm);
	assert_non_null(f->page);
	memset(f->page, 0, sizeof(*f->page));
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		f->page->slot[v].processed = VIOREQ_STATE_FREE;
	vioreq_vm_init(f->vm);
	return f;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->page);
	free(f->vm);
	free(f);
	return 0;
}

/* One dispatch pass, events cleared first. */
static inline uint32_t dispatch(struct fixture *f)
{
	memset(&f->ev, 0, sizeof(f->ev));
	return vioreq_dispatch(f->vm, f->page, &f->ev);
}

#endif
