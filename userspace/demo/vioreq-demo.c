// SPDX-License-Identifier: MIT
/*
 * vioreq-demo: drive the verified core through full request cycles, one per
 * request type, playing the hypervisor and the I/O clients in one thread,
 * and print every slot transition. (The threaded simulator is vioreq-sim.)
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vioreq/clear.h"
#include "vioreq/client.h"
#include "vioreq/completion.h"
#include "vioreq/dispatch.h"

static const char *const state_names[] = {
	[VIOREQ_STATE_PENDING] = "PENDING",
	[VIOREQ_STATE_COMPLETE] = "COMPLETE",
	[VIOREQ_STATE_PROCESSING] = "PROCESSING",
	[VIOREQ_STATE_FREE] = "FREE",
};

static const char *const type_names[] = {
	[VIOREQ_TYPE_PORTIO] = "PORTIO",
	[VIOREQ_TYPE_MMIO] = "MMIO",
	[VIOREQ_TYPE_PCICFG] = "PCICFG",
};

static const char *state_name(uint32_t s)
{
	return s < VIOREQ_STATE_COUNT ? state_names[s] : "INVALID";
}

static int failures;

static void expect_state(const struct vioreq_slot *slot, uint32_t want,
			 const char *who)
{
	uint32_t got = slot->processed;

	printf("    %-10s -> %-10s (%s)\n", "", state_name(got), who);
	if (got != want) {
		printf("    ERROR: expected %s\n", state_name(want));
		failures++;
	}
}

static void set_u64(uint32_t *words, uint64_t v)
{
	words[0] = (uint32_t)v;
	words[1] = (uint32_t)(v >> 32);
}

static uint64_t get_u64(const uint32_t *words)
{
	return words[0] | ((uint64_t)words[1] << 32);
}

/* The hypervisor side: fill the slot of vCPU v and make it PENDING. */
static void hv_trap(struct vioreq_page *page, uint32_t v, uint32_t type,
		    uint32_t dir, uint64_t addr, uint64_t size, uint64_t value)
{
	struct vioreq_slot *slot = &page->slot[v];

	memset(slot, 0, sizeof(*slot));
	slot->processed = VIOREQ_STATE_FREE;
	slot->type = type;
	slot->data[VIOREQ_REQ_DIRECTION_WORD] = dir;
	set_u64(&slot->data[VIOREQ_REQ_ADDRESS_WORD], addr);
	set_u64(&slot->data[VIOREQ_REQ_SIZE_WORD], size);
	set_u64(&slot->data[VIOREQ_REQ_VALUE_WORD], value);
	if (vioreq_slot_transition(slot, VIOREQ_STATE_FREE, VIOREQ_STATE_PENDING,
				   VIOREQ_ACTOR_HYPERVISOR) != 0)
		failures++;
	expect_state(slot, VIOREQ_STATE_PENDING, "hypervisor traps the access");
}

/* The hypervisor consumes the result and frees the slot. */
static uint64_t hv_resume(struct vioreq_page *page, uint32_t v)
{
	struct vioreq_slot *slot = &page->slot[v];
	uint64_t value = get_u64(&slot->data[VIOREQ_REQ_VALUE_WORD]);

	if (vioreq_slot_transition(slot, VIOREQ_STATE_COMPLETE, VIOREQ_STATE_FREE,
				   VIOREQ_ACTOR_HYPERVISOR) != 0)
		failures++;
	expect_state(slot, VIOREQ_STATE_FREE, "hypervisor resumes the vCPU");
	return value;
}

static void run_cycle(struct vioreq_vm *vm, struct vioreq_page *page,
		      uint32_t v, uint32_t type, uint32_t dir, uint64_t addr,
		      uint64_t size, uint64_t result, const char *what)
{
	struct vioreq_events ev;
	struct vioreq_slot *slot = &page->slot[v];
	int owner;
	bool notify = false;
	uint64_t value;

	printf("%s\n", what);
	printf("    %-10s    %-10s\n", "FREE", "");
	hv_trap(page, v, type, dir, addr, size, 0);
	memset(&ev, 0, sizeof(ev));
	if (vioreq_dispatch(vm, page, &ev) != 1)
		failures++;
	owner = vm->slot_owner[v];
	expect_state(slot, VIOREQ_STATE_PROCESSING, "dispatch routes it");
	printf("    routed to client %d as %s\n", owner,
	       slot->type < VIOREQ_TYPE_COUNT ? type_names[slot->type] : "?");
	/* The client emulates the access: a read gets its value. */
	if (dir == VIOREQ_DIR_READ)
		set_u64(&slot->data[VIOREQ_REQ_VALUE_WORD], result);
	if (vioreq_complete(vm, page, v, (uint32_t)owner, &notify) != 0)
		failures++;
	expect_state(slot, VIOREQ_STATE_COMPLETE, "client completes it");
	printf("    hypervisor %s\n", notify ? "notified by hypercall"
					    : "polls for completion");
	value = hv_resume(page, v);
	if (dir == VIOREQ_DIR_READ) {
		printf("    read returned 0x%" PRIx64 "\n", value);
		if (value != result)
			failures++;
	}
}

int main(void)
{
	struct vioreq_vm *vm = calloc(1, sizeof(*vm));
	struct vioreq_page *page = aligned_alloc(VIOREQ_PAGE_SIZE,
						 sizeof(*page));
	struct vioreq_events ev;
	int32_t vmm, uart, hpet, nic;
	uint64_t nic_key = (uint64_t)3 << VIOREQ_PCI_DEV_SHIFT;
	uint32_t v;

	if (!vm || !page) {
		fprintf(stderr, "vioreq-demo: out of memory\n");
		return 1;
	}
	memset(page, 0, sizeof(*page));
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		page->slot[v].processed = VIOREQ_STATE_FREE;
	vioreq_vm_init(vm);
	vmm = vioreq_client_create(vm, true, false);
	uart = vioreq_client_create(vm, false, false);
	hpet = vioreq_client_create(vm, false, true);
	nic = vioreq_client_create(vm, false, false);
	if (vmm < 0 || uart < 0 || hpet < 0 || nic < 0 ||
	    vioreq_client_add_range(vm, (uint32_t)uart, VIOREQ_TYPE_PORTIO,
				    0x3F8, 0x3FF) ||
	    vioreq_client_add_range(vm, (uint32_t)hpet, VIOREQ_TYPE_MMIO,
				    0xFED00000, 0xFED003FF) ||
	    vioreq_client_add_range(vm, (uint32_t)nic, VIOREQ_TYPE_PCICFG,
				    nic_key, nic_key + 0xFFF)) {
		fprintf(stderr, "vioreq-demo: setting up clients failed\n");
		return 1;
	}
	printf("clients: default(VMM)=%d uart=%d hpet=%d nic=%d\n", vmm, uart,
	       hpet, nic);
	printf("ranges: PIO 0x3F8-0x3FF -> uart, MMIO 0xFED00000-0xFED003FF -> hpet,\n"
	       "        PCI 00:03.0 -> nic; everything else -> default\n\n");

	run_cycle(vm, page, 0, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0x3FD, 1,
		  0x60, "vCPU 0: PORTIO read of port 0x3FD (UART line status)");
	run_cycle(vm, page, 1, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0xFED000F0,
		  8, 0x123456789ABCDEF0ull,
		  "vCPU 1: MMIO 8-byte read at 0xFED000F0 (HPET counter)");
	run_cycle(vm, page, 2, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_WRITE, 0x70, 1,
		  0, "vCPU 2: PORTIO write to port 0x70 (unclaimed: default client)");

	/* PCI through mechanism #1: CF8 is served by the core itself. */
	printf("vCPU 3: PORTIO write 0x80001800 to 0xCF8 (select 00:03.0)\n");
	printf("    %-10s    %-10s\n", "FREE", "");
	hv_trap(page, 3, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_WRITE, 0xCF8, 4,
		0x80001800u);
	memset(&ev, 0, sizeof(ev));
	vioreq_dispatch(vm, page, &ev);
	expect_state(&page->slot[3], VIOREQ_STATE_COMPLETE,
		     "core serves CF8 (PENDING -> PROCESSING -> COMPLETE)");
	hv_resume(page, 3);
	run_cycle(vm, page, 3, VIOREQ_TYPE_PORTIO, VIOREQ_DIR_READ, 0xCFC, 4,
		  0x10008086,
		  "vCPU 3: PORTIO read of 0xCFC (vendor/device of 00:03.0)");

	/* A malformed request is completed, never dropped. */
	printf("vCPU 4: MMIO read with size 3 (malformed)\n");
	printf("    %-10s    %-10s\n", "FREE", "");
	hv_trap(page, 4, VIOREQ_TYPE_MMIO, VIOREQ_DIR_READ, 0x1000, 3, 0);
	memset(&ev, 0, sizeof(ev));
	vioreq_dispatch(vm, page, &ev);
	expect_state(&page->slot[4], VIOREQ_STATE_COMPLETE,
		     "core completes it with all ones");
	if (hv_resume(page, 4) != VIOREQ_READ_ALL_ONES)
		failures++;

	printf("\ncounters: dispatched PIO %" PRId64 " MMIO %" PRId64
	       " PCICFG %" PRId64 ", completed %" PRId64
	       ", malformed %" PRId64 ", CF8 served %" PRId64 "\n",
	       vm->counters.dispatched[VIOREQ_TYPE_PORTIO],
	       vm->counters.dispatched[VIOREQ_TYPE_MMIO],
	       vm->counters.dispatched[VIOREQ_TYPE_PCICFG],
	       vm->counters.completed, vm->counters.malformed,
	       vm->counters.conf1_address);
	printf("%s\n", failures ? "demo: FAILED" : "demo: every request completed exactly once");
	free(page);
	free(vm);
	return failures ? 1 : 0;
}
