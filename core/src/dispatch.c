/* SPDX-License-Identifier: MIT */
/* Dispatch of PENDING slots (contracts in dispatch.h). */
#include "vioreq/dispatch.h"

uint32_t vioreq_route(const struct vioreq_vm *vm,
		      const struct vioreq_request *req)
{
	const struct vioreq_range_table *t = &vm->ranges[req->type];
	uint32_t i = vioreq_range_table_lookup(t, req->addr, req->last);

	if (i == VIOREQ_RANGE_NONE)
		return (uint32_t)vm->default_client;
	return t->client[i];
}

/*
 * The core completes a PENDING slot itself: value is the result for a read
 * (all ones unless it served the access). The slot passes through
 * PROCESSING, which userspace can see: kernel_handled is set first so that
 * a userspace default client scanning the page skips it (REQ-DISPATCH-007).
 */
/*@ requires valid: \valid(page) && \valid(ev);
    requires apart: \separated(page, ev);
    requires vcpu: v < VIOREQ_SLOT_COUNT;
    assigns page->slot[v].processed, page->slot[v].kernel_handled,
            page->slot[v].data[VIOREQ_REQ_VALUE_WORD ..
                               VIOREQ_REQ_VALUE_WORD + 1],
            ev->notify[v];
    ensures completed: page->slot[v].processed == VIOREQ_STATE_COMPLETE;
    ensures kernel_handled: page->slot[v].kernel_handled == 1;
    ensures outcome: \result == VIOREQ_OUTCOME_COMPLETED;
 */
static uint32_t dispatch_complete_now(struct vioreq_page *page, uint32_t v,
				      struct vioreq_events *ev, bool is_read,
				      uint64_t value, bool wide)
{
	vioreq_page_store(&page->slot[v].kernel_handled, 1u);
	if (vioreq_slot_finish(&page->slot[v], VIOREQ_STATE_PENDING, is_read,
			       value, wide))
		ev->notify[v] = 1;
	return VIOREQ_OUTCOME_COMPLETED;
}

uint32_t vioreq_dispatch_slot(struct vioreq_vm *vm, struct vioreq_page *page,
			      uint32_t v, struct vioreq_events *ev)
{
	struct vioreq_slot *slot = &page->slot[v];
	struct vioreq_slot_snapshot snap;
	struct vioreq_request req;
	uint32_t state;
	uint32_t client;
	bool is_read;
	int32_t ret;

	/* A slot we hold is never dispatched twice, whatever the page says. */
	if (vm->slot_owner[v] != VIOREQ_CLIENT_NONE)
		return VIOREQ_OUTCOME_IDLE;
	state = vioreq_page_load_acquire(&slot->processed);
	if (state != VIOREQ_STATE_PENDING) {
		if (!vioreq_state_is_known(state))
			vioreq_counter_add(&vm->counters.bad_state);
		return VIOREQ_OUTCOME_IDLE;
	}
	vioreq_slot_snapshot(slot, &snap);
	/* The snapshot is written in memory WP shares with the tables: restate
	 * the invariant part by part (proofs/README.md). */
	/*@ assert clients_kept: vm_clients_valid(vm); */
	/*@ assert default_kept: vm_default_valid(vm); */
	/*@ assert owners_kept: vm_owners_valid(vm); */
	/*@ assert pio_valid: range_table_wellformed(&vm->ranges[0]); */
	/*@ assert mmio_valid: range_table_wellformed(&vm->ranges[1]); */
	/*@ assert pci_valid: range_table_wellformed(&vm->ranges[2]); */
	is_read = snap.direction != VIOREQ_DIR_WRITE;
	if (vm->clearing != 0) {
		vioreq_counter_add(&vm->counters.cleared);
		return dispatch_complete_now(page, v, ev, is_read,
					     VIOREQ_READ_ALL_ONES,
					     snap.type == VIOREQ_TYPE_MMIO);
	}
	ret = vioreq_request_decode(&snap, &req);
	/*@ assert clients_kept: vm_clients_valid(vm); */
	/*@ assert default_kept: vm_default_valid(vm); */
	/*@ assert owners_kept: vm_owners_valid(vm); */
	/*@ assert pio_valid: range_table_wellformed(&vm->ranges[0]); */
	/*@ assert mmio_valid: range_table_wellformed(&vm->ranges[1]); */
	/*@ assert pci_valid: range_table_wellformed(&vm->ranges[2]); */
	if (ret != 0) {
		vioreq_counter_add(&vm->counters.malformed);
		return dispatch_complete_now(page, v, ev, is_read,
					     VIOREQ_READ_ALL_ONES,
					     snap.type == VIOREQ_TYPE_MMIO);
	}
	if (req.type == VIOREQ_TYPE_PORTIO) {
		uint32_t kind = vioreq_conf1_classify(&req, vm->conf1_address);

		if (kind == VIOREQ_CONF1_ADDRESS) {
			vioreq_counter_add(&vm->counters.conf1_address);
			if (!is_read)
				vm->conf1_address =
					(uint32_t)(req.value % 4294967296u);
			return dispatch_complete_now(page, v, ev, is_read,
						     vm->conf1_address, false);
		}
		if (kind == VIOREQ_CONF1_DATA)
			vioreq_conf1_to_pcicfg(&req, slot, vm->conf1_address);
	}
	/*@ assert clients_kept: vm_clients_valid(vm); */
	/*@ assert default_kept: vm_default_valid(vm); */
	/*@ assert owners_kept: vm_owners_valid(vm); */
	/*@ assert pio_valid: range_table_wellformed(&vm->ranges[0]); */
	/*@ assert mmio_valid: range_table_wellformed(&vm->ranges[1]); */
	/*@ assert pci_valid: range_table_wellformed(&vm->ranges[2]); */

	client = vioreq_route(vm, &req);
	if (client == VIOREQ_CLIENT_NONE ||
	    vm->client_state[client] != VIOREQ_CLIENT_ACTIVE) {
		vioreq_counter_add(&vm->counters.unroutable);
		return dispatch_complete_now(page, v, ev, is_read,
					     VIOREQ_READ_ALL_ONES,
					     req.type == VIOREQ_TYPE_MMIO);
	}
	vm->slot_owner[v] = (int8_t)client;
	vioreq_page_store(&slot->kernel_handled,
			  vm->client_in_kernel[client] != 0 ? 1u : 0u);
	ret = vioreq_slot_transition(slot, VIOREQ_STATE_PENDING,
				     VIOREQ_STATE_PROCESSING,
				     VIOREQ_ACTOR_SERVICE);
	//@ assert allowed: ret == 0;
	(void)ret;
	vioreq_counter_add(&vm->counters.dispatched[req.type]);
	ev->wake[client] = 1;
	return VIOREQ_OUTCOME_ASSIGNED;
}

uint32_t vioreq_dispatch(struct vioreq_vm *vm, struct vioreq_page *page,
			 struct vioreq_events *ev)
{
	uint32_t assigned = 0;
	uint32_t v;

	/*@ loop invariant bounds: 0 <= v <= VIOREQ_SLOT_COUNT;
	    loop invariant wellformed: vm_wellformed(vm);
	    loop invariant counted: assigned <= v;
	    loop invariant held_kept: \forall integer w;
	      0 <= w < VIOREQ_SLOT_COUNT ==>
	        \at(vm->slot_owner[w], Pre) != VIOREQ_CLIENT_NONE ==>
	          vm->slot_owner[w] == \at(vm->slot_owner[w], Pre);
	    loop invariant rest_kept: \forall integer w;
	      v <= w < VIOREQ_SLOT_COUNT ==>
	        vm->slot_owner[w] == \at(vm->slot_owner[w], Pre);
	    loop assigns v, assigned,
	                 vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1],
	                 vm->conf1_address, vm->counters,
	                 page->slot[0 .. VIOREQ_SLOT_COUNT - 1],
	                 ev->wake[0 .. VIOREQ_CLIENTS_PER_VM - 1],
	                 ev->notify[0 .. VIOREQ_SLOT_COUNT - 1];
	    loop variant VIOREQ_SLOT_COUNT - v;
	 */
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		if (vioreq_dispatch_slot(vm, page, v, ev) ==
		    VIOREQ_OUTCOME_ASSIGNED)
			assigned++;
	}
	return assigned;
}
