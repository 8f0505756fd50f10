/* SPDX-License-Identifier: MIT */
/* VM state and I/O client lifecycle (contracts in client.h). */
#include "vioreq/client.h"

void vioreq_vm_init(struct vioreq_vm *vm)
{
	uint32_t i;

	/*@ loop invariant bounds: 0 <= i <= VIOREQ_CLIENTS_PER_VM;
	    loop invariant free: \forall integer c; 0 <= c < i ==>
	      vm->client_state[c] == VIOREQ_CLIENT_FREE &&
	      vm->client_in_kernel[c] == 0;
	    loop assigns i, vm->client_state[0 .. VIOREQ_CLIENTS_PER_VM - 1],
	                 vm->client_in_kernel[0 .. VIOREQ_CLIENTS_PER_VM - 1];
	    loop variant VIOREQ_CLIENTS_PER_VM - i;
	 */
	for (i = 0; i < VIOREQ_CLIENTS_PER_VM; i++) {
		vm->client_state[i] = VIOREQ_CLIENT_FREE;
		vm->client_in_kernel[i] = 0;
	}
	/*@ loop invariant bounds: 0 <= i <= VIOREQ_SLOT_COUNT;
	    loop invariant none: \forall integer v; 0 <= v < i ==>
	      vm->slot_owner[v] == VIOREQ_CLIENT_NONE;
	    loop assigns i, vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1];
	    loop variant VIOREQ_SLOT_COUNT - i;
	 */
	for (i = 0; i < VIOREQ_SLOT_COUNT; i++)
		vm->slot_owner[i] = VIOREQ_CLIENT_NONE;
	/*@ loop invariant bounds: 0 <= i <= VIOREQ_TYPE_COUNT;
	    loop invariant empty: \forall integer t; 0 <= t < i ==>
	      vm->ranges[t].count == 0;
	    loop assigns i, vm->ranges[0 .. VIOREQ_TYPE_COUNT - 1].count;
	    loop variant VIOREQ_TYPE_COUNT - i;
	 */
	for (i = 0; i < VIOREQ_TYPE_COUNT; i++)
		vioreq_range_table_init(&vm->ranges[i]);
	/*@ loop invariant bounds: 0 <= i <= VIOREQ_TYPE_COUNT;
	    loop invariant zero: \forall integer t; 0 <= t < i ==>
	      vm->counters.dispatched[t] == 0;
	    loop assigns i, vm->counters.dispatched[0 .. VIOREQ_TYPE_COUNT - 1];
	    loop variant VIOREQ_TYPE_COUNT - i;
	 */
	for (i = 0; i < VIOREQ_TYPE_COUNT; i++)
		vm->counters.dispatched[i] = 0;
	vm->counters.completed = 0;
	vm->counters.malformed = 0;
	vm->counters.unroutable = 0;
	vm->counters.orphaned = 0;
	vm->counters.cleared = 0;
	vm->counters.conf1_address = 0;
	vm->counters.bad_state = 0;
	vm->default_client = VIOREQ_CLIENT_NONE;
	vm->conf1_address = 0;
	vm->clearing = 0;
}

int32_t vioreq_client_create(struct vioreq_vm *vm, bool is_default,
			     bool in_kernel)
{
	uint32_t c;

	if (is_default && vm->default_client != VIOREQ_CLIENT_NONE)
		return -VIOREQ_EEXIST;
	/*@ loop invariant bounds: 0 <= c <= VIOREQ_CLIENTS_PER_VM;
	    loop invariant taken: \forall integer k; 0 <= k < c ==>
	      vm->client_state[k] != VIOREQ_CLIENT_FREE;
	    loop assigns c;
	    loop variant VIOREQ_CLIENTS_PER_VM - c;
	 */
	for (c = 0; c < VIOREQ_CLIENTS_PER_VM; c++) {
		if (vm->client_state[c] == VIOREQ_CLIENT_FREE)
			break;
	}
	if (c == VIOREQ_CLIENTS_PER_VM)
		return -VIOREQ_ENOSPC;
	/* Only active clients own ranges: a free id has none. */
	/*@ assert pio_fresh: !range_table_has_client(&vm->ranges[0], c); */
	/*@ assert mmio_fresh: !range_table_has_client(&vm->ranges[1], c); */
	/*@ assert pci_fresh: !range_table_has_client(&vm->ranges[2], c); */
	vm->client_state[c] = VIOREQ_CLIENT_ACTIVE;
	vm->client_in_kernel[c] = in_kernel ? 1 : 0;
	if (is_default)
		vm->default_client = (int8_t)c;
	return (int32_t)c;
}

int32_t vioreq_client_add_range(struct vioreq_vm *vm, uint32_t client,
				uint32_t type, uint64_t start, uint64_t end)
{
	int32_t ret;

	if (type >= VIOREQ_TYPE_COUNT || client >= VIOREQ_CLIENTS_PER_VM)
		return -VIOREQ_EINVAL;
	if (vm->client_state[client] != VIOREQ_CLIENT_ACTIVE)
		return -VIOREQ_ENODEV;
	/* Constant indices: with a symbolic one the provers lose track of
	 * which tables the change leaves alone. */
	if (type == VIOREQ_TYPE_PORTIO)
		ret = vioreq_range_table_add(&vm->ranges[VIOREQ_TYPE_PORTIO],
					     start, end, client);
	else if (type == VIOREQ_TYPE_MMIO)
		ret = vioreq_range_table_add(&vm->ranges[VIOREQ_TYPE_MMIO],
					     start, end, client);
	else
		ret = vioreq_range_table_add(&vm->ranges[VIOREQ_TYPE_PCICFG],
					     start, end, client);
	/* The tables the call did not touch are as they were: well formed
	 * and with active owners because they were, not through WP's memory
	 * model after the call. Field by field first: each is one small
	 * goal, where the whole table at once is a slow one. */
	/*@ assert pio_fields: type != VIOREQ_TYPE_PORTIO ==>
	      vm->ranges[0].count == \at(vm->ranges[0].count, Pre) &&
	      range_starts_same{Pre, Here}(&vm->ranges[0]) &&
	      range_ends_same{Pre, Here}(&vm->ranges[0]) &&
	      range_clients_same{Pre, Here}(&vm->ranges[0]); */
	/*@ assert mmio_fields: type != VIOREQ_TYPE_MMIO ==>
	      vm->ranges[1].count == \at(vm->ranges[1].count, Pre) &&
	      range_starts_same{Pre, Here}(&vm->ranges[1]) &&
	      range_ends_same{Pre, Here}(&vm->ranges[1]) &&
	      range_clients_same{Pre, Here}(&vm->ranges[1]); */
	/*@ assert pci_fields: type != VIOREQ_TYPE_PCICFG ==>
	      vm->ranges[2].count == \at(vm->ranges[2].count, Pre) &&
	      range_starts_same{Pre, Here}(&vm->ranges[2]) &&
	      range_ends_same{Pre, Here}(&vm->ranges[2]) &&
	      range_clients_same{Pre, Here}(&vm->ranges[2]); */
	/*@ assert pio_same: type != VIOREQ_TYPE_PORTIO ==>
	      range_table_same{Pre, Here}(&vm->ranges[0]); */
	/*@ assert mmio_same: type != VIOREQ_TYPE_MMIO ==>
	      range_table_same{Pre, Here}(&vm->ranges[1]); */
	/*@ assert pci_same: type != VIOREQ_TYPE_PCICFG ==>
	      range_table_same{Pre, Here}(&vm->ranges[2]); */
	/* The invariant, part by part: each is one small goal. */
	/*@ assert clients_kept: vm_clients_valid(vm); */
	/*@ assert default_kept: vm_default_valid(vm); */
	/*@ assert owners_kept: vm_owners_valid(vm); */
	/*@ assert pio_valid: range_table_wellformed(&vm->ranges[0]); */
	/*@ assert mmio_valid: range_table_wellformed(&vm->ranges[1]); */
	/*@ assert pci_valid: range_table_wellformed(&vm->ranges[2]); */
	/*@ assert pio_owners: range_owners_active(vm, &vm->ranges[0]); */
	/*@ assert mmio_owners: range_owners_active(vm, &vm->ranges[1]); */
	/*@ assert pci_owners: range_owners_active(vm, &vm->ranges[2]); */
	return ret < 0 ? ret : 0;
}

int32_t vioreq_client_remove_range(struct vioreq_vm *vm, uint32_t client,
				   uint32_t type, uint64_t start,
				   uint64_t end)
{
	int32_t ret;

	if (type >= VIOREQ_TYPE_COUNT)
		return -VIOREQ_EINVAL;
	/* Constant indices, as in vioreq_client_add_range. */
	if (type == VIOREQ_TYPE_PORTIO)
		ret = vioreq_range_table_remove(
			&vm->ranges[VIOREQ_TYPE_PORTIO], start, end, client);
	else if (type == VIOREQ_TYPE_MMIO)
		ret = vioreq_range_table_remove(&vm->ranges[VIOREQ_TYPE_MMIO],
						start, end, client);
	else
		ret = vioreq_range_table_remove(
			&vm->ranges[VIOREQ_TYPE_PCICFG], start, end, client);
	/* As in vioreq_client_add_range: the untouched tables first. */
	/*@ assert pio_fields: type != VIOREQ_TYPE_PORTIO ==>
	      vm->ranges[0].count == \at(vm->ranges[0].count, Pre) &&
	      range_starts_same{Pre, Here}(&vm->ranges[0]) &&
	      range_ends_same{Pre, Here}(&vm->ranges[0]) &&
	      range_clients_same{Pre, Here}(&vm->ranges[0]); */
	/*@ assert mmio_fields: type != VIOREQ_TYPE_MMIO ==>
	      vm->ranges[1].count == \at(vm->ranges[1].count, Pre) &&
	      range_starts_same{Pre, Here}(&vm->ranges[1]) &&
	      range_ends_same{Pre, Here}(&vm->ranges[1]) &&
	      range_clients_same{Pre, Here}(&vm->ranges[1]); */
	/*@ assert pci_fields: type != VIOREQ_TYPE_PCICFG ==>
	      vm->ranges[2].count == \at(vm->ranges[2].count, Pre) &&
	      range_starts_same{Pre, Here}(&vm->ranges[2]) &&
	      range_ends_same{Pre, Here}(&vm->ranges[2]) &&
	      range_clients_same{Pre, Here}(&vm->ranges[2]); */
	/*@ assert pio_same: type != VIOREQ_TYPE_PORTIO ==>
	      range_table_same{Pre, Here}(&vm->ranges[0]); */
	/*@ assert mmio_same: type != VIOREQ_TYPE_MMIO ==>
	      range_table_same{Pre, Here}(&vm->ranges[1]); */
	/*@ assert pci_same: type != VIOREQ_TYPE_PCICFG ==>
	      range_table_same{Pre, Here}(&vm->ranges[2]); */
	/* The invariant, part by part, as in vioreq_client_add_range. */
	/*@ assert clients_kept: vm_clients_valid(vm); */
	/*@ assert default_kept: vm_default_valid(vm); */
	/*@ assert owners_kept: vm_owners_valid(vm); */
	/*@ assert pio_valid: range_table_wellformed(&vm->ranges[0]); */
	/*@ assert mmio_valid: range_table_wellformed(&vm->ranges[1]); */
	/*@ assert pci_valid: range_table_wellformed(&vm->ranges[2]); */
	/*@ assert pio_owners: range_owners_active(vm, &vm->ranges[0]); */
	/*@ assert mmio_owners: range_owners_active(vm, &vm->ranges[1]); */
	/*@ assert pci_owners: range_owners_active(vm, &vm->ranges[2]); */
	return ret;
}

void vioreq_slot_release_held(struct vioreq_vm *vm, struct vioreq_page *page,
			      uint32_t v, struct vioreq_events *ev)
{
	/*
	 * Completed on the core's own record (the slot is PROCESSING), with no
	 * decision taken on what the page says now: the defined result goes
	 * into both value words whatever the direction (a write's result is
	 * not read by the hypervisor).
	 */
	//@ ghost uint32_t polled;
	if (vioreq_slot_finish(&page->slot[v], VIOREQ_STATE_PROCESSING, true,
			       VIOREQ_READ_ALL_ONES, true)
	    /*@ ghost (&polled) */)
		ev->notify[v] = 1;
	vm->slot_owner[v] = VIOREQ_CLIENT_NONE;
}

/*
 * Drop the ranges of one type of an active client. Each path makes one
 * call, so each goal sees the "kept" facts of one table only, and the
 * caller gets the other tables' frame as range_table_unchanged instead of
 * proving it again through WP's memory model.
 */
/*@ requires valid: \valid(vm);
    requires wellformed: vm_wellformed(vm);
    requires active: client_active(vm, client);
    requires type: ty < VIOREQ_TYPE_COUNT;
    assigns vm->ranges[ty];
    ensures wellformed: vm_wellformed(vm);
    ensures clean: !range_table_has_client(&vm->ranges[ty], client);
    ensures others_kept:
      range_table_others_kept{Pre, Post}(&vm->ranges[ty], client);
    ensures nothing_new: range_table_subset{Post, Pre}(&vm->ranges[ty]);
    ensures other_types_kept: \forall integer t;
      0 <= t < VIOREQ_TYPE_COUNT && t != ty ==>
        range_table_unchanged{Pre, Post}(&vm->ranges[t]);
 */
static void client_drop_type(struct vioreq_vm *vm, uint32_t ty,
			     uint32_t client)
{
	/* Constant indices, as in vioreq_client_add_range. */
	if (ty == VIOREQ_TYPE_PORTIO)
		(void)vioreq_range_table_remove_client(
			&vm->ranges[VIOREQ_TYPE_PORTIO], client);
	else if (ty == VIOREQ_TYPE_MMIO)
		(void)vioreq_range_table_remove_client(
			&vm->ranges[VIOREQ_TYPE_MMIO], client);
	else
		(void)vioreq_range_table_remove_client(
			&vm->ranges[VIOREQ_TYPE_PCICFG], client);
	/*@ assert clients_kept: vm_clients_valid(vm); */
	/*@ assert default_kept: vm_default_valid(vm); */
	/*@ assert owners_kept: vm_owners_valid(vm); */
	/*@ assert pio_valid: range_table_wellformed(&vm->ranges[0]); */
	/*@ assert mmio_valid: range_table_wellformed(&vm->ranges[1]); */
	/*@ assert pci_valid: range_table_wellformed(&vm->ranges[2]); */
}

/*
 * Drop every range of an active client and, when it is the default client,
 * that role too. The client stays active; no other client loses a range.
 */
/*@ requires valid: \valid(vm);
    requires wellformed: vm_wellformed(vm);
    requires active: client_active(vm, client);
    assigns vm->ranges[0 .. VIOREQ_TYPE_COUNT - 1], vm->default_client;
    ensures wellformed: vm_wellformed(vm);
    ensures not_default: vm->default_client != client;
    ensures no_ranges: \forall integer t; 0 <= t < VIOREQ_TYPE_COUNT ==>
      !range_table_has_client(&vm->ranges[t], client);
    ensures others_kept: vm_other_ranges_kept{Pre, Post}(vm, client);
    ensures nothing_new: vm_ranges_subset{Post, Pre}(vm);
    behavior is_default:
      assumes vm->default_client == client;
      ensures no_default: vm->default_client == VIOREQ_CLIENT_NONE;
    behavior not_default:
      assumes vm->default_client != client;
      ensures default_kept: vm->default_client == \old(vm->default_client);
    complete behaviors;
    disjoint behaviors;
 */
static void client_drop_ranges(struct vioreq_vm *vm, uint32_t client)
{
	/* The role first: the invariant after the last call then comes
	 * from that call's contract, not from a write after it. */
	if (vm->default_client == (int32_t)client)
		vm->default_client = VIOREQ_CLIENT_NONE;
	/* After each call, what the earlier ones established is carried
	 * across it, one table at a time (lemmas in range_table.acsl). */
	client_drop_type(vm, VIOREQ_TYPE_PORTIO, client);
	client_drop_type(vm, VIOREQ_TYPE_MMIO, client);
	/*@ assert mmio_others1: range_table_others_kept{Pre, Here}(
	      &vm->ranges[1], client); */
	/*@ assert mmio_subset1: range_table_subset{Here, Pre}(&vm->ranges[1]); */
	/*@ assert pio_others: range_table_others_kept{Pre, Here}(
	      &vm->ranges[0], client); */
	/*@ assert pio_subset: range_table_subset{Here, Pre}(&vm->ranges[0]); */
	/*@ assert pci_unchanged: range_table_unchanged{Pre, Here}(
	      &vm->ranges[2]); */
	client_drop_type(vm, VIOREQ_TYPE_PCICFG, client);
	/*@ assert pio_others2: range_table_others_kept{Pre, Here}(
	      &vm->ranges[0], client); */
	/*@ assert pio_subset2: range_table_subset{Here, Pre}(&vm->ranges[0]); */
	/*@ assert mmio_others: range_table_others_kept{Pre, Here}(
	      &vm->ranges[1], client); */
	/*@ assert mmio_subset: range_table_subset{Here, Pre}(&vm->ranges[1]); */
	/*@ assert pci_others: range_table_others_kept{Pre, Here}(
	      &vm->ranges[2], client); */
	/*@ assert pci_subset: range_table_subset{Here, Pre}(&vm->ranges[2]); */
	/*@ assert pio_clean: !range_table_has_client(&vm->ranges[0], client); */
	/*@ assert mmio_clean: !range_table_has_client(&vm->ranges[1], client); */
}

/*
 * Complete every slot an active client holds, with the defined result,
 * and count each as orphaned. The other slots keep their owner and state.
 */
/*@ requires valid: \valid(vm) && \valid(page) && \valid(ev);
    requires apart: \separated(vm, page, ev);
    requires wellformed: vm_wellformed(vm);
    requires active: client_active(vm, client);
    assigns vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1],
            vm->counters.orphaned, page->slot[0 .. VIOREQ_SLOT_COUNT - 1],
            ev->notify[0 .. VIOREQ_SLOT_COUNT - 1];
    ensures wellformed: vm_wellformed(vm);
    ensures released: \forall integer v; 0 <= v < VIOREQ_SLOT_COUNT ==>
      \old(vm->slot_owner[v]) == client ==> slot_released(vm, page, v);
    ensures others_kept: \forall integer v; 0 <= v < VIOREQ_SLOT_COUNT ==>
      \old(vm->slot_owner[v]) != client ==>
        vm->slot_owner[v] == \old(vm->slot_owner[v]) &&
        page->slot[v].processed == \old(page->slot[v].processed);
    ensures events: events_only_set{Pre, Post}(ev);
    ensures counted: counted_times(\old(vm->counters.orphaned),
      vm->counters.orphaned, slots_held{Pre}(vm, client, VIOREQ_SLOT_COUNT));
 */
static void client_release_slots(struct vioreq_vm *vm,
				 struct vioreq_page *page, uint32_t client,
				 struct vioreq_events *ev)
{
	uint32_t v;

	/*@ loop invariant bounds: 0 <= v <= VIOREQ_SLOT_COUNT;
	    loop invariant wellformed: vm_wellformed(vm);
	    loop invariant released: \forall integer w; 0 <= w < v ==>
	      \at(vm->slot_owner[w], Pre) == client ==>
	        slot_released(vm, page, w);
	    loop invariant done_kept: \forall integer w; 0 <= w < v ==>
	      \at(vm->slot_owner[w], Pre) != client ==>
	        vm->slot_owner[w] == \at(vm->slot_owner[w], Pre) &&
	        page->slot[w].processed == \at(page->slot[w].processed, Pre);
	    loop invariant rest_kept: \forall integer w;
	      v <= w < VIOREQ_SLOT_COUNT ==>
	        vm->slot_owner[w] == \at(vm->slot_owner[w], Pre) &&
	        page->slot[w].processed == \at(page->slot[w].processed, Pre);
	    loop invariant events: events_only_set{Pre, Here}(ev);
	    loop invariant counted: counted_times(
	      \at(vm->counters.orphaned, Pre), vm->counters.orphaned,
	      slots_held{Pre}(vm, client, v));
	    loop assigns v, vm->slot_owner[0 .. VIOREQ_SLOT_COUNT - 1],
	                 vm->counters.orphaned,
	                 page->slot[0 .. VIOREQ_SLOT_COUNT - 1],
	                 ev->notify[0 .. VIOREQ_SLOT_COUNT - 1];
	    loop variant VIOREQ_SLOT_COUNT - v;
	 */
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		if (vm->slot_owner[v] != (int32_t)client)
			continue;
		vioreq_slot_release_held(vm, page, v, ev);
		vioreq_counter_add(&vm->counters.orphaned);
	}
}

int32_t vioreq_client_destroy(struct vioreq_vm *vm, struct vioreq_page *page,
			      uint32_t client, struct vioreq_events *ev)
{
	if (client >= VIOREQ_CLIENTS_PER_VM ||
	    vm->client_state[client] != VIOREQ_CLIENT_ACTIVE)
		return -VIOREQ_ENOENT;
	/* The slots first: the orphan count is then stated on the holders
	 * as they were on entry, with no write in between. */
	client_release_slots(vm, page, client, ev);
	client_drop_ranges(vm, client);
	/* Every range left belonged, before, to an active client that is
	 * not this one; one goal per table. */
	/*@ assert pio_left:
	      range_owners_active_but(vm, &vm->ranges[0], client); */
	/*@ assert mmio_left:
	      range_owners_active_but(vm, &vm->ranges[1], client); */
	/*@ assert pci_left:
	      range_owners_active_but(vm, &vm->ranges[2], client); */
	vm->client_state[client] = VIOREQ_CLIENT_DESTROYING;
	/* The invariant, part by part: each is one small goal. */
	/*@ assert clients_ok: vm_clients_valid(vm); */
	/*@ assert default_ok: vm_default_valid(vm); */
	/*@ assert owners_ok: vm_owners_valid(vm); */
	/*@ assert pio_ok: range_table_wellformed(&vm->ranges[0]); */
	/*@ assert mmio_ok: range_table_wellformed(&vm->ranges[1]); */
	/*@ assert pci_ok: range_table_wellformed(&vm->ranges[2]); */
	/*@ assert pio_owners: range_owners_active(vm, &vm->ranges[0]); */
	/*@ assert mmio_owners: range_owners_active(vm, &vm->ranges[1]); */
	/*@ assert pci_owners: range_owners_active(vm, &vm->ranges[2]); */
	return 0;
}

int32_t vioreq_client_release(struct vioreq_vm *vm, uint32_t client)
{
	if (client >= VIOREQ_CLIENTS_PER_VM ||
	    vm->client_state[client] != VIOREQ_CLIENT_DESTROYING)
		return -VIOREQ_ENOENT;
	vm->client_state[client] = VIOREQ_CLIENT_FREE;
	return 0;
}

bool vioreq_client_holds(const struct vioreq_vm *vm, uint32_t client,
			 uint32_t v)
{
	return v < VIOREQ_SLOT_COUNT && client < VIOREQ_CLIENTS_PER_VM &&
	       vm->slot_owner[v] == (int32_t)client;
}

uint32_t vioreq_client_held_slots(const struct vioreq_vm *vm,
				  uint32_t client)
{
	uint32_t mask = 0;
	uint32_t bit = 1u << (VIOREQ_SLOT_COUNT - 1);
	uint32_t v = VIOREQ_SLOT_COUNT;

	if (client >= VIOREQ_CLIENTS_PER_VM)
		return 0;
	/* From the last slot down: bit only shrinks, so no shift can
	 * overflow. */
	/*@ loop invariant bound: 0 <= v <= VIOREQ_SLOT_COUNT;
	    loop invariant bit_of: 0 < v ==> bit == 1 << (v - 1);
	    loop invariant seen: \forall integer w;
	      v <= w < VIOREQ_SLOT_COUNT ==>
	        (mask_has(mask, w) <==> vm->slot_owner[w] == client);
	    loop invariant unseen: \forall integer w;
	      0 <= w < v || VIOREQ_SLOT_COUNT <= w < 32 ==>
	        !mask_has(mask, w);
	    loop assigns v, bit, mask;
	    loop variant v;
	 */
	while (v > 0) {
		v--;
		if (vm->slot_owner[v] == (int32_t)client)
			mask |= bit;
		bit >>= 1;
	}
	return mask;
}
