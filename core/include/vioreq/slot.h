/* SPDX-License-Identifier: MIT */
/*
 * One slot of the shared page: snapshot, validation, checked transitions
 * (REQ-STATE-*, REQ-SLOT-*).
 *
 * The page is hostile: userspace may rewrite it at any time. Every decision
 * is taken on a snapshot in which each field was read once; the snapshot is
 * validated and the page is not read again for that decision.
 */
#ifndef VIOREQ_SLOT_H
#define VIOREQ_SLOT_H

#include <stdbool.h>
#include <stdint.h>
#include "vioreq/spec_gen.h"
#include "vioreq/spec_checks.h"
#include "vioreq/page_access.h"

/*
 * The request fields of a slot as read once; nothing in it is validated
 * yet. completion_polling is not part of it: it is read once, when the
 * slot is completed (vioreq_slot_finish, vioreq_complete).
 */
struct vioreq_slot_snapshot {
	uint32_t type;
	uint32_t direction;
	uint64_t address;
	uint64_t size;
	uint64_t value;
	uint32_t pci_bus;
	uint32_t pci_dev;
	uint32_t pci_func;
	uint32_t pci_reg;
};

/*
 * A validated request. addr is the routing key: the port, the guest
 * physical address, or for PCICFG the ECAM offset
 * bus << 20 | dev << 15 | func << 12 | reg. last = addr + size - 1.
 */
struct vioreq_request {
	uint32_t type;
	uint32_t direction;
	uint64_t size;
	uint64_t addr;
	uint64_t last;
	uint64_t value;
};

#include "../../logic/request.acsl"

/* Read each request field of the slot exactly once (REQ-SLOT-001). */
/*@ requires valid: \valid_read(slot) && \valid(snap);
    requires apart: \separated(slot, snap);
    assigns *snap;
 */
void vioreq_slot_snapshot(const struct vioreq_slot *slot,
			  struct vioreq_slot_snapshot *snap);

/*
 * Validate a snapshot and decode it (REQ-SLOT-002): 0, or -EINVAL for a
 * malformed request (unknown type or direction, illegal size, an access
 * that wraps or leaves its address space, PCI fields out of range).
 */
/*@ requires valid: \valid_read(snap) && \valid(req);
    requires apart: \separated(snap, req);
    assigns *req;
    behavior well_formed:
      assumes snapshot_valid(snap);
      assigns *req;
      ensures ok: \result == 0;
      ensures decoded: request_valid(req);
      ensures type: req->type == snap->type;
      ensures direction: req->direction == snap->direction;
      ensures size: req->size == snap->size;
      ensures key: req->addr == snapshot_key(snap);
      ensures value: req->value == snap->value;
    behavior malformed:
      assumes !snapshot_valid(snap);
      assigns \nothing;
      ensures einval: \result == -VIOREQ_EINVAL;
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_request_decode(const struct vioreq_slot_snapshot *snap,
			      struct vioreq_request *req);

/*
 * Move the slot from `from` (the caller's record: its own bookkeeping, or
 * the one read it just checked) to `to`, as `actor`: done only when the spec
 * allows it, else -EPERM and the page is not touched (REQ-STATE-002,
 * REQ-OWN-002). The store has release order, so the fields written before
 * it are visible to whoever sees the new state.
 */
/*@ requires valid: \valid(slot);
    assigns slot->processed;
    behavior allowed:
      assumes vioreq_allowed_transition(from, to, actor);
      assigns slot->processed;
      ensures moved: slot->processed == to;
      ensures ok: \result == 0;
    behavior forbidden:
      assumes !vioreq_allowed_transition(from, to, actor);
      assigns \nothing;
      ensures eperm: \result == -VIOREQ_EPERM;
    complete behaviors;
    disjoint behaviors;
 */
int32_t vioreq_slot_transition(struct vioreq_slot *slot, uint32_t from,
			       uint32_t to, uint32_t actor);

/*
 * The service module completes a slot it holds (held: PENDING it has just
 * seen, or PROCESSING by its own record), storing `value` as the result
 * when with_value is set: both value words when wide (MMIO), else the low
 * word. Reads the completion_polling flag before storing COMPLETE and
 * returns true when the hypervisor must be notified (REQ-COMPLETE-002).
 * The ghost parameter `polled` (for the proof only) receives the value
 * read, so that the contract can tie the result to that one read.
 */
/*@ requires valid: \valid(slot);
    requires held: held == VIOREQ_STATE_PENDING ||
                   held == VIOREQ_STATE_PROCESSING;
    requires ghost_valid: \valid(polled) && \separated(polled, slot);
    assigns slot->processed,
            slot->data[VIOREQ_REQ_VALUE_WORD .. VIOREQ_REQ_VALUE_WORD + 1],
            *polled;
    ensures completed: slot->processed == VIOREQ_STATE_COMPLETE;
    ensures notify_from_polling: \result <==> *polled == 0;
    behavior wide_value:
      assumes with_value && wide;
      ensures low_word:
        slot->data[VIOREQ_REQ_VALUE_WORD] == value % 4294967296;
      ensures high_word:
        slot->data[VIOREQ_REQ_VALUE_WORD + 1] == value / 4294967296;
    behavior low_value:
      assumes with_value && !wide;
      ensures low_word:
        slot->data[VIOREQ_REQ_VALUE_WORD] == value % 4294967296;
      ensures high_kept: slot->data[VIOREQ_REQ_VALUE_WORD + 1] ==
        \old(slot->data[VIOREQ_REQ_VALUE_WORD + 1]);
    behavior no_value:
      assumes !with_value;
      ensures value_kept:
        slot->data[VIOREQ_REQ_VALUE_WORD] ==
          \old(slot->data[VIOREQ_REQ_VALUE_WORD]) &&
        slot->data[VIOREQ_REQ_VALUE_WORD + 1] ==
          \old(slot->data[VIOREQ_REQ_VALUE_WORD + 1]);
    complete behaviors;
    disjoint behaviors;
 */
bool vioreq_slot_finish(struct vioreq_slot *slot, uint32_t held,
			bool with_value, uint64_t value, bool wide)
	/*@ ghost (uint32_t \ghost *polled) */;

#endif /* VIOREQ_SLOT_H */
