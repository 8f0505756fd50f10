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
    ensures events: events_only_set{Pre, Post}(ev);
    ensures outcome: \result == VIOREQ_OUTCOME_COMPLETED;
    behavior read:
      assumes is_read;
      ensures low_word:
        page->slot[v].data[VIOREQ_REQ_VALUE_WORD] == value % 4294967296;
      ensures high_word: wide ==>
        page->slot[v].data[VIOREQ_REQ_VALUE_WORD + 1] == value / 4294967296;
      ensures high_kept: !wide ==>
        page->slot[v].data[VIOREQ_REQ_VALUE_WORD + 1] ==
          \old(page->slot[v].data[VIOREQ_REQ_VALUE_WORD + 1]);
    behavior write:
      assumes !is_read;
      ensures value_kept:
        page->slot[v].data[VIOREQ_REQ_VALUE_WORD] ==
          \old(page->slot[v].data[VIOREQ_REQ_VALUE_WORD]) &&
        page->slot[v].data[VIOREQ_REQ_VALUE_WORD + 1] ==
          \old(page->slot[v].data[VIOREQ_REQ_VALUE_WORD + 1]);
    complete behaviors;
    disjoint behaviors;
 */
static uint32_t dispatch_complete_now(struct vioreq_page *page, uint32_t v,
				      struct vioreq_events *ev, bool is_read,
				      uint64_t value, bool wide)
{
	//@ ghost uint32_t polled;
	vioreq_page_store(&page->slot[v].kernel_handled, 1u);
	if (vioreq_slot_finish(&page->slot[v], VIOREQ_STATE_PENDING, is_read,
			       value, wide) /*@ ghost (&polled) */)
		ev->notify[v] = 1;
	return VIOREQ_OUTCOME_COMPLETED;
}

/*
 * Give slot v to client, which owns the request's address: record the
 * owner, mark the slot PROCESSING and ask for the client to be woken.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev);
    requires apart: \separated(vm, page, ev);
    requires wellformed: vm_wellformed(vm);
    requires vcpu: v < VIOREQ_SLOT_COUNT;
    requires free: vm->slot_owner[v] == VIOREQ_CLIENT_NONE;
    requires open: vm->clearing == 0;
    requires client: client_active(vm, client);
    requires type: type < VIOREQ_TYPE_COUNT;
    assigns vm->slot_owner[v], vm->counters.dispatched[type],
            page->slot[v].kernel_handled, page->slot[v].processed,
            ev->wake[client];
    ensures wellformed: vm_wellformed(vm);
    ensures others_kept: vm_other_owners_kept{Pre, Post}(vm, v);
    ensures owner: vm->slot_owner[v] == client;
    ensures processing: page->slot[v].processed == VIOREQ_STATE_PROCESSING;
    ensures kernel_handled: page->slot[v].kernel_handled ==
      (vm->client_in_kernel[client] != 0 ? 1 : 0);
    ensures woken: ev->wake[client] == 1;
    ensures events: events_only_set{Pre, Post}(ev);
    ensures counted: counted_as{Pre, Post}(vm, type);
    ensures outcome: \result == VIOREQ_OUTCOME_ASSIGNED;
 */
static uint32_t dispatch_assign(struct vioreq_vm *vm, struct vioreq_page *page,
				uint32_t v, struct vioreq_events *ev,
				uint32_t client, uint32_t type)
{
	int32_t ret;

	vm->slot_owner[v] = (int8_t)client;
	vioreq_page_store(&page->slot[v].kernel_handled,
			  vm->client_in_kernel[client] != 0 ? 1u : 0u);
	ret = vioreq_slot_transition(&page->slot[v], VIOREQ_STATE_PENDING,
				     VIOREQ_STATE_PROCESSING,
				     VIOREQ_ACTOR_SERVICE);
	//@ assert allowed: ret == 0;
	(void)ret;
	vioreq_counter_add(&vm->counters.dispatched[type]);
	ev->wake[client] = 1;
	return VIOREQ_OUTCOME_ASSIGNED;
}

/*
 * A 4-byte access to port 0xCF8: the core serves it from the VM's copy of
 * CONFIG_ADDRESS, which a write replaces with its value and a read returns
 * (REQ-DISPATCH-004).
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev);
    requires apart: \separated(vm, page, ev);
    requires wellformed: vm_wellformed(vm);
    requires vcpu: v < VIOREQ_SLOT_COUNT;
    requires free: vm->slot_owner[v] == VIOREQ_CLIENT_NONE;
    assigns vm->conf1_address, vm->counters.conf1_address,
            page->slot[v].processed, page->slot[v].kernel_handled,
            page->slot[v].data[VIOREQ_REQ_VALUE_WORD ..
                               VIOREQ_REQ_VALUE_WORD + 1],
            ev->notify[v];
    ensures completed: page->slot[v].processed == VIOREQ_STATE_COMPLETE &&
                       page->slot[v].kernel_handled == 1;
    ensures events: events_only_set{Pre, Post}(ev);
    ensures counted: counted_as{Pre, Post}(vm, COUNTED_CONF1_ADDRESS);
    ensures outcome: \result == VIOREQ_OUTCOME_COMPLETED;
    behavior read:
      assumes is_read;
      ensures address_kept: vm->conf1_address == \old(vm->conf1_address);
      ensures returned:
        page->slot[v].data[VIOREQ_REQ_VALUE_WORD] == vm->conf1_address;
    behavior write:
      assumes !is_read;
      ensures stored: vm->conf1_address == value % 4294967296;
    complete behaviors;
    disjoint behaviors;
 */
static uint32_t dispatch_conf1_address(struct vioreq_vm *vm,
				       struct vioreq_page *page, uint32_t v,
				       struct vioreq_events *ev, bool is_read,
				       uint64_t value)
{
	vioreq_counter_add(&vm->counters.conf1_address);
	if (!is_read)
		vm->conf1_address = (uint32_t)(value % 4294967296u);
	return dispatch_complete_now(page, v, ev, is_read, vm->conf1_address,
				     false);
}

/*
 * Route a valid request: to the client that owns its address, else to the
 * default client; with neither, complete it as unroutable. Only active
 * clients own ranges, so an owner always takes it.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev) &&
                    \valid_read(req);
    requires apart: \separated(vm, page, ev, req);
    requires wellformed: vm_wellformed(vm);
    requires owners: vm_range_owners_active(vm);
    requires vcpu: v < VIOREQ_SLOT_COUNT;
    requires free: vm->slot_owner[v] == VIOREQ_CLIENT_NONE;
    requires open: vm->clearing == 0;
    requires request: request_valid(req);
    assigns vm->slot_owner[v], vm->counters.unroutable,
            vm->counters.dispatched[0 .. VIOREQ_TYPE_COUNT - 1],
            page->slot[v], ev->wake[0 .. VIOREQ_CLIENTS_PER_VM - 1],
            ev->notify[v];
    ensures wellformed: vm_wellformed(vm);
    ensures others_kept: vm_other_owners_kept{Pre, Post}(vm, v);
    ensures outcome: \result == VIOREQ_OUTCOME_ASSIGNED ||
                     \result == VIOREQ_OUTCOME_COMPLETED;
    ensures assigned: \result == VIOREQ_OUTCOME_ASSIGNED ==>
      slot_assigned(vm, page, ev, v);
    ensures completed: \result == VIOREQ_OUTCOME_COMPLETED ==>
      slot_completed_by_core(vm, page, v);
    ensures events: events_only_set{Pre, Post}(ev);
    behavior covered:
      assumes range_table_has_cover(&vm->ranges[req->type], req->addr,
                                    req->last);
      ensures assigned: \result == VIOREQ_OUTCOME_ASSIGNED;
      ensures counted: counted_as{Pre, Post}(vm, \old(req->type));
      ensures owner: \exists integer i;
        0 <= i < vm->ranges[\old(req->type)].count &&
        range_covers(&vm->ranges[\old(req->type)], i, \old(req->addr),
                     \old(req->last)) &&
        vm->slot_owner[v] == vm->ranges[\old(req->type)].client[i];
    behavior to_default:
      assumes !range_table_has_cover(&vm->ranges[req->type], req->addr,
                                     req->last);
      assumes vm->default_client != VIOREQ_CLIENT_NONE;
      ensures assigned: \result == VIOREQ_OUTCOME_ASSIGNED;
      ensures counted: counted_as{Pre, Post}(vm, \old(req->type));
      ensures default: vm->slot_owner[v] == vm->default_client;
    behavior unroutable:
      assumes !range_table_has_cover(&vm->ranges[req->type], req->addr,
                                     req->last);
      assumes vm->default_client == VIOREQ_CLIENT_NONE;
      ensures completed: \result == VIOREQ_OUTCOME_COMPLETED;
      ensures counted: counted_as{Pre, Post}(vm, COUNTED_UNROUTABLE);
    complete behaviors;
    disjoint behaviors;
 */
static uint32_t dispatch_route(struct vioreq_vm *vm, struct vioreq_page *page,
			       uint32_t v, struct vioreq_events *ev,
			       const struct vioreq_request *req, bool is_read)
{
	uint32_t client = vioreq_route(vm, req);

	/* The owner of a covering range is active (vm_range_owners_active):
	 * only a request for the default client, when there is none, is
	 * unroutable. */
	/*@ assert type_owners:
	      range_owners_active(vm, &vm->ranges[req->type]); */
	/*@ assert owner_active: range_table_has_cover(&vm->ranges[req->type],
	      req->addr, req->last) ==> client_active(vm, client); */
	if (client == VIOREQ_CLIENT_NONE ||
	    vm->client_state[client] != VIOREQ_CLIENT_ACTIVE) {
		vioreq_counter_add(&vm->counters.unroutable);
		return dispatch_complete_now(page, v, ev, is_read,
					     VIOREQ_READ_ALL_ONES,
					     req->type == VIOREQ_TYPE_MMIO);
	}
	return dispatch_assign(vm, page, v, ev, client, req->type);
}

/*
 * A valid request of a VM that is not clearing: serve a CF8 access, turn a
 * CFC-CFF access into PCICFG, then route it.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev) && \valid(req);
    requires apart: \separated(vm, page, ev, req);
    requires wellformed: vm_wellformed(vm);
    requires owners: vm_range_owners_active(vm);
    requires vcpu: v < VIOREQ_SLOT_COUNT;
    requires free: vm->slot_owner[v] == VIOREQ_CLIENT_NONE;
    requires open: vm->clearing == 0;
    requires request: request_valid(req);
    assigns vm->slot_owner[v], vm->conf1_address, vm->counters,
            page->slot[v], ev->wake[0 .. VIOREQ_CLIENTS_PER_VM - 1],
            ev->notify[v], *req;
    ensures wellformed: vm_wellformed(vm);
    ensures others_kept: vm_other_owners_kept{Pre, Post}(vm, v);
    ensures outcome: \result == VIOREQ_OUTCOME_ASSIGNED ||
                     \result == VIOREQ_OUTCOME_COMPLETED;
    ensures assigned: \result == VIOREQ_OUTCOME_ASSIGNED ==>
      slot_assigned(vm, page, ev, v);
    ensures completed: \result == VIOREQ_OUTCOME_COMPLETED ==>
      slot_completed_by_core(vm, page, v);
    ensures events: events_only_set{Pre, Post}(ev);
    behavior conf1_address:
      assumes req->type == VIOREQ_TYPE_PORTIO && conf1_address_access(req);
      ensures served: \result == VIOREQ_OUTCOME_COMPLETED;
      ensures counted: counted_as{Pre, Post}(vm, COUNTED_CONF1_ADDRESS);
    behavior conf1_data:
      assumes req->type == VIOREQ_TYPE_PORTIO && !conf1_address_access(req);
      assumes conf1_data_access(req, vm->conf1_address);
      ensures routed: slot_routed(vm, page, ev, v, VIOREQ_TYPE_PCICFG,
        conf1_key(\old(vm->conf1_address), \old(req->addr)),
        conf1_key(\old(vm->conf1_address), \old(req->addr)) +
          \old(req->size) - 1);
      ensures counted_assigned: \result == VIOREQ_OUTCOME_ASSIGNED ==>
        counted_as{Pre, Post}(vm, VIOREQ_TYPE_PCICFG);
      ensures counted_completed: \result == VIOREQ_OUTCOME_COMPLETED ==>
        counted_as{Pre, Post}(vm, COUNTED_UNROUTABLE);
    behavior other:
      assumes !(req->type == VIOREQ_TYPE_PORTIO &&
                (conf1_address_access(req) ||
                 conf1_data_access(req, vm->conf1_address)));
      ensures routed: slot_routed(vm, page, ev, v, \old(req->type),
                                  \old(req->addr), \old(req->last));
      ensures counted_assigned: \result == VIOREQ_OUTCOME_ASSIGNED ==>
        counted_as{Pre, Post}(vm, \old(req->type));
      ensures counted_completed: \result == VIOREQ_OUTCOME_COMPLETED ==>
        counted_as{Pre, Post}(vm, COUNTED_UNROUTABLE);
    complete behaviors;
    disjoint behaviors;
 */
static uint32_t dispatch_request(struct vioreq_vm *vm,
				 struct vioreq_page *page, uint32_t v,
				 struct vioreq_events *ev,
				 struct vioreq_request *req, bool is_read)
{
	if (req->type == VIOREQ_TYPE_PORTIO) {
		uint32_t kind = vioreq_conf1_classify(req, vm->conf1_address);

		if (kind == VIOREQ_CONF1_ADDRESS)
			return dispatch_conf1_address(vm, page, v, ev, is_read,
						      req->value);
		if (kind == VIOREQ_CONF1_DATA) {
			vioreq_conf1_to_pcicfg(req, &page->slot[v],
					       vm->conf1_address);
			/* The rewrite of the slot left the events alone. */
			/*@ assert events_kept: events_same{Pre, Here}(ev); */
		}
	}
	return dispatch_route(vm, page, v, ev, req, is_read);
}

/*
 * A PENDING slot that no client holds: snapshot and decode it, complete it
 * when the VM is clearing or the request is malformed, else route it.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev);
    requires apart: \separated(vm, page, ev);
    requires wellformed: vm_wellformed(vm);
    requires owners: vm_range_owners_active(vm);
    requires vcpu: v < VIOREQ_SLOT_COUNT;
    requires free: vm->slot_owner[v] == VIOREQ_CLIENT_NONE;
    assigns vm->slot_owner[v], vm->conf1_address, vm->counters,
            page->slot[v], ev->wake[0 .. VIOREQ_CLIENTS_PER_VM - 1],
            ev->notify[v];
    ensures wellformed: vm_wellformed(vm);
    ensures others_kept: vm_other_owners_kept{Pre, Post}(vm, v);
    ensures outcome: \result == VIOREQ_OUTCOME_ASSIGNED ||
                     \result == VIOREQ_OUTCOME_COMPLETED;
    ensures events: events_only_set{Pre, Post}(ev);
    behavior clearing:
      assumes vm->clearing != 0;
      ensures completed: \result == VIOREQ_OUTCOME_COMPLETED &&
        slot_completed_by_core(vm, page, v);
      ensures counted: counted_as{Pre, Post}(vm, COUNTED_CLEARED);
    behavior open:
      assumes vm->clearing == 0;
      ensures assigned: \result == VIOREQ_OUTCOME_ASSIGNED ==>
        vm->clearing == 0 && slot_assigned(vm, page, ev, v);
      ensures completed: \result == VIOREQ_OUTCOME_COMPLETED ==>
        slot_completed_by_core(vm, page, v);
      ensures counted_assigned: \result == VIOREQ_OUTCOME_ASSIGNED ==>
        counted_dispatched{Pre, Post}(vm);
      ensures counted_completed: \result == VIOREQ_OUTCOME_COMPLETED ==>
        counted_core_completed{Pre, Post}(vm);
    complete behaviors;
    disjoint behaviors;
 */
static uint32_t dispatch_pending(struct vioreq_vm *vm,
				 struct vioreq_page *page, uint32_t v,
				 struct vioreq_events *ev)
{
	struct vioreq_slot_snapshot snap;
	struct vioreq_request req;
	bool is_read;

	vioreq_slot_snapshot(&page->slot[v], &snap);
	/* snap and req live in memory WP shares with the range tables: after
	 * each write to them, the invariant part by part, one goal each. */
	/*@ assert kept: vm_clients_valid(vm) && vm_default_valid(vm) &&
	      vm_owners_valid(vm) && range_table_wellformed(&vm->ranges[0]) &&
	      range_table_wellformed(&vm->ranges[1]) &&
	      range_table_wellformed(&vm->ranges[2]); */
	is_read = snap.direction != VIOREQ_DIR_WRITE;
	if (vm->clearing != 0) {
		vioreq_counter_add(&vm->counters.cleared);
		return dispatch_complete_now(page, v, ev, is_read,
					     VIOREQ_READ_ALL_ONES,
					     snap.type == VIOREQ_TYPE_MMIO);
	}
	if (vioreq_request_decode(&snap, &req) != 0) {
		vioreq_counter_add(&vm->counters.malformed);
		return dispatch_complete_now(page, v, ev, is_read,
					     VIOREQ_READ_ALL_ONES,
					     snap.type == VIOREQ_TYPE_MMIO);
	}
	/*@ assert decoded_kept: vm_clients_valid(vm) && vm_default_valid(vm) &&
	      vm_owners_valid(vm) && range_table_wellformed(&vm->ranges[0]) &&
	      range_table_wellformed(&vm->ranges[1]) &&
	      range_table_wellformed(&vm->ranges[2]); */
	/*@ assert decoded_events: events_same{Pre, Here}(ev); */
	return dispatch_request(vm, page, v, ev, &req, is_read);
}

uint32_t vioreq_dispatch_slot(struct vioreq_vm *vm, struct vioreq_page *page,
			      uint32_t v, struct vioreq_events *ev)
	/*@ ghost (uint32_t \ghost *seen) */
{
	uint32_t state;

	/* A slot we hold is never dispatched twice, whatever the page says. */
	if (vm->slot_owner[v] != VIOREQ_CLIENT_NONE)
		return VIOREQ_OUTCOME_IDLE;
	state = vioreq_page_load_acquire(&page->slot[v].processed);
	//@ ghost *seen = state;
	if (state != VIOREQ_STATE_PENDING) {
		if (!vioreq_state_is_known(state))
			vioreq_counter_add(&vm->counters.bad_state);
		return VIOREQ_OUTCOME_IDLE;
	}
	return dispatch_pending(vm, page, v, ev);
}

uint32_t vioreq_dispatch(struct vioreq_vm *vm, struct vioreq_page *page,
			 struct vioreq_events *ev)
{
	uint32_t assigned = 0;
	uint32_t v;
	//@ ghost uint32_t seen;

	/*@ loop invariant bounds: 0 <= v <= VIOREQ_SLOT_COUNT;
	    loop invariant wellformed: vm_wellformed(vm);
	    loop invariant owners: vm_range_owners_active(vm);
	    loop invariant counted: assigned <= v;
	    loop invariant held_kept: \forall integer w;
	      0 <= w < VIOREQ_SLOT_COUNT ==>
	        \at(vm->slot_owner[w], Pre) != VIOREQ_CLIENT_NONE ==>
	          vm->slot_owner[w] == \at(vm->slot_owner[w], Pre);
	    loop invariant rest_kept: \forall integer w;
	      v <= w < VIOREQ_SLOT_COUNT ==>
	        vm->slot_owner[w] == \at(vm->slot_owner[w], Pre) &&
	        page->slot[w].processed == \at(page->slot[w].processed, Pre);
	    loop invariant done: \forall integer w; 0 <= w < v ==>
	      \at(vm->slot_owner[w], Pre) == VIOREQ_CLIENT_NONE ==>
	        slot_dispatched{Pre, Here}(vm, page, ev, w);
	    loop invariant events: events_only_set{Pre, Here}(ev);
	    loop assigns v, assigned, seen,
	                 vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1],
	                 vm->conf1_address, vm->counters,
	                 page->slot[0 .. VIOREQ_SLOT_COUNT - 1],
	                 ev->wake[0 .. VIOREQ_CLIENTS_PER_VM - 1],
	                 ev->notify[0 .. VIOREQ_SLOT_COUNT - 1];
	    loop variant VIOREQ_SLOT_COUNT - v;
	 */
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		uint32_t outcome = vioreq_dispatch_slot(vm, page, v, ev)
			/*@ ghost (&seen) */;

		if (outcome == VIOREQ_OUTCOME_ASSIGNED)
			assigned++;
	}
	return assigned;
}
