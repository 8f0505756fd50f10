/* SPDX-License-Identifier: MIT */
/* Slot snapshot, validation and checked transitions (contracts in slot.h). */
#include "vioreq/slot.h"

/* 2^32: a 64-bit field is low word + high word * 2^32 (little endian). */
#define VIOREQ_WORD_RADIX 4294967296ull

/*@ requires valid: \valid_read(words + (0 .. 1));
    assigns \nothing;
 */
static uint64_t slot_load_u64(const uint32_t *words)
{
	uint64_t low = vioreq_page_load(&words[0]);
	uint64_t high = vioreq_page_load(&words[1]);

	/* Arithmetic rather than shifts: WP reasons about it directly. */
	return low + high * VIOREQ_WORD_RADIX;
}

_Static_assert(VIOREQ_REQ_PCI_BUS_WORD == VIOREQ_REQ_VALUE_WORD + 1,
	       "the snapshot shares the PCI bus load with the MMIO value");

void vioreq_slot_snapshot(const struct vioreq_slot *slot,
			  struct vioreq_slot_snapshot *snap)
{
	const uint32_t *data = slot->data;
	uint64_t value_low;
	uint32_t value_high_or_bus;

	snap->type = vioreq_page_load(&slot->type);
	snap->direction = vioreq_page_load(&data[VIOREQ_REQ_DIRECTION_WORD]);
	snap->address = slot_load_u64(&data[VIOREQ_REQ_ADDRESS_WORD]);
	snap->size = slot_load_u64(&data[VIOREQ_REQ_SIZE_WORD]);
	/*
	 * In the request union the MMIO value's high word is the PCI bus
	 * word: one load serves both fields (REQ-SLOT-001), so the two can
	 * never disagree.
	 */
	value_low = vioreq_page_load(&data[VIOREQ_REQ_VALUE_WORD]);
	value_high_or_bus = vioreq_page_load(&data[VIOREQ_REQ_PCI_BUS_WORD]);
	snap->value = value_low + value_high_or_bus * VIOREQ_WORD_RADIX;
	snap->pci_bus = value_high_or_bus;
	snap->pci_dev = vioreq_page_load(&data[VIOREQ_REQ_PCI_DEV_WORD]);
	snap->pci_func = vioreq_page_load(&data[VIOREQ_REQ_PCI_FUNC_WORD]);
	snap->pci_reg = vioreq_page_load(&data[VIOREQ_REQ_PCI_REG_WORD]);
}

/*
 * Whether the access of a snapshot of known type and legal size stays in
 * the address space of its type: the PCI fields in range, or an address
 * that neither wraps nor passes the type's last address.
 */
/*@ requires valid: \valid_read(snap);
    requires known: vioreq_type_known(snap->type) &&
                    vioreq_legal_size(snap->type, snap->size);
    assigns \nothing;
    behavior pci:
      assumes snap->type == VIOREQ_TYPE_PCICFG;
      ensures fields: \result <==> snapshot_pci_valid(snap);
    behavior address:
      assumes snap->type != VIOREQ_TYPE_PCICFG;
      ensures space: \result <==>
        snap->address + snap->size - 1 <= vioreq_address_max(snap->type);
    complete behaviors;
    disjoint behaviors;
 */
static bool snapshot_in_space(const struct vioreq_slot_snapshot *snap)
{
	/* The caller checked the size: 1 <= size <= 8, so size - 1 >= 0. */
	if (snap->type == VIOREQ_TYPE_PCICFG)
		return snap->pci_bus <= VIOREQ_PCI_BUS_MAX &&
		       snap->pci_dev <= VIOREQ_PCI_DEV_MAX &&
		       snap->pci_func <= VIOREQ_PCI_FUNC_MAX &&
		       snap->pci_reg <= VIOREQ_PCI_REG_LIMIT - snap->size;
	return snap->address <=
	       vioreq_address_limit(snap->type) - (snap->size - 1);
}

/* The ECAM offset that a snapshot's checked PCI fields name. */
/*@ requires valid: \valid_read(snap);
    requires size: vioreq_legal_size(VIOREQ_TYPE_PCICFG, snap->size);
    requires pci: snapshot_pci_valid(snap);
    assigns \nothing;
    ensures key: \result == pci_key(snap->pci_bus, snap->pci_dev,
                                    snap->pci_func, snap->pci_reg);
 */
static uint64_t snapshot_pci_key(const struct vioreq_slot_snapshot *snap)
{
	/* The fields do not overlap, so the sum is the bitwise or. */
	return (uint64_t)snap->pci_bus * (1ull << VIOREQ_PCI_BUS_SHIFT) +
	       (uint64_t)snap->pci_dev * (1ull << VIOREQ_PCI_DEV_SHIFT) +
	       (uint64_t)snap->pci_func * (1ull << VIOREQ_PCI_FUNC_SHIFT) +
	       snap->pci_reg;
}

int32_t vioreq_request_decode(const struct vioreq_slot_snapshot *snap,
			      struct vioreq_request *req)
{
	uint64_t key;

	if (!vioreq_type_is_known(snap->type) ||
	    snap->direction > VIOREQ_DIR_WRITE ||
	    !vioreq_size_legal(snap->type, snap->size) ||
	    !snapshot_in_space(snap))
		return -VIOREQ_EINVAL;
	if (snap->type == VIOREQ_TYPE_PCICFG)
		key = snapshot_pci_key(snap);
	else
		key = snap->address;
	req->type = snap->type;
	req->direction = snap->direction;
	req->size = snap->size;
	req->addr = key;
	req->last = key + (snap->size - 1);
	req->value = snap->value;
	return 0;
}

int32_t vioreq_slot_transition(struct vioreq_slot *slot, uint32_t from,
			       uint32_t to, uint32_t actor)
{
	if (!vioreq_transition_allowed(from, to, actor))
		return -VIOREQ_EPERM;
	vioreq_page_store_release(&slot->processed, to);
	return 0;
}

bool vioreq_slot_finish(struct vioreq_slot *slot, uint32_t held,
			bool with_value, uint64_t value, bool wide)
	/*@ ghost (uint32_t \ghost *polled) */
{
	uint32_t polling;
	int32_t ret;

	if (held == VIOREQ_STATE_PENDING) {
		ret = vioreq_slot_transition(slot, VIOREQ_STATE_PENDING,
					     VIOREQ_STATE_PROCESSING,
					     VIOREQ_ACTOR_SERVICE);
		//@ assert allowed: ret == 0;
	}
	if (with_value) {
		vioreq_page_store(&slot->data[VIOREQ_REQ_VALUE_WORD],
				  (uint32_t)(value % VIOREQ_WORD_RADIX));
		if (wide)
			vioreq_page_store(&slot->data[VIOREQ_REQ_VALUE_WORD + 1],
					  (uint32_t)(value / VIOREQ_WORD_RADIX));
	}
	polling = vioreq_page_load(&slot->completion_polling);
	//@ ghost *polled = polling;
	ret = vioreq_slot_transition(slot, VIOREQ_STATE_PROCESSING,
				     VIOREQ_STATE_COMPLETE,
				     VIOREQ_ACTOR_SERVICE);
	//@ assert allowed: ret == 0;
	(void)ret;
	return polling == 0;
}
