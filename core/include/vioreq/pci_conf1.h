/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration mechanism #1 (REQ-DISPATCH-004): the address register
 * at port 0xCF8 and the data window at 0xCFC-0xCFF.
 */
#ifndef VIOREQ_PCI_CONF1_H
#define VIOREQ_PCI_CONF1_H

#include <stdint.h>
#include "vioreq/slot.h"

#define VIOREQ_CONF1_OTHER 0u	/* not a mechanism #1 access: plain PIO */
#define VIOREQ_CONF1_ADDRESS 1u	/* 4-byte access to 0xCF8: the core serves it */
#define VIOREQ_CONF1_DATA 2u	/* data window, enabled: becomes PCICFG */

/* The enable bit is the top bit, so "enabled" is "at least 2^31". */
_Static_assert(VIOREQ_CONF1_ENABLE_BIT == 0x80000000u,
	       "conf1 enable bit is bit 31");
/* The register field is bits 7:2, so "a & REG_MASK" is (a % 256) / 4 * 4. */
_Static_assert(VIOREQ_CONF1_REG_MASK + 4u == 256u,
	       "conf1 register field is bits 7:2");

/*@
  predicate conf1_address_access(struct vioreq_request *r) =
    r->addr == VIOREQ_CONF1_ADDRESS_PORT && r->size == 4;

  predicate conf1_data_access(struct vioreq_request *r, integer address) =
    VIOREQ_CONF1_DATA_PORT <= r->addr &&
    r->last < VIOREQ_CONF1_DATA_PORT + VIOREQ_CONF1_DATA_PORT_COUNT &&
    address >= VIOREQ_CONF1_ENABLE_BIT;

  // Field extraction as division and remainder, which the provers handle
  // directly; the C code computes the same expressions.
  logic integer conf1_bus(integer a) =
    (a / (1 << VIOREQ_CONF1_BUS_SHIFT)) % (VIOREQ_CONF1_BUS_MASK + 1);
  logic integer conf1_dev(integer a) =
    (a / (1 << VIOREQ_CONF1_DEV_SHIFT)) % (VIOREQ_CONF1_DEV_MASK + 1);
  logic integer conf1_func(integer a) =
    (a / (1 << VIOREQ_CONF1_FUNC_SHIFT)) % (VIOREQ_CONF1_FUNC_MASK + 1);
  logic integer conf1_reg(integer a, integer port) =
    (a % (VIOREQ_CONF1_REG_MASK + 4)) / 4 * 4 +
    (port - VIOREQ_CONF1_DATA_PORT);
  // The routing key of the PCICFG request that an access to data port
  // `port` stands for, with CONFIG_ADDRESS a.
  logic integer conf1_key(integer a, integer port) =
    pci_key(conf1_bus(a), conf1_dev(a), conf1_func(a), conf1_reg(a, port));
*/

/*@ requires valid: \valid_read(req);
    requires pio: request_valid(req) && req->type == VIOREQ_TYPE_PORTIO;
    assigns \nothing;
    behavior address:
      assumes conf1_address_access(req);
      ensures address: \result == VIOREQ_CONF1_ADDRESS;
    behavior data:
      assumes !conf1_address_access(req);
      assumes conf1_data_access(req, address);
      ensures data: \result == VIOREQ_CONF1_DATA;
    behavior other:
      assumes !conf1_address_access(req);
      assumes !conf1_data_access(req, address);
      ensures other: \result == VIOREQ_CONF1_OTHER;
    complete behaviors;
    disjoint behaviors;
 */
uint32_t vioreq_conf1_classify(const struct vioreq_request *req,
			       uint32_t address);

/*
 * Turn a data-window access into the PCICFG request it stands for, and
 * write its type and bus/dev/func/reg into the slot so the client sees a
 * PCICFG request (as the Linux HSM does). The value and size fields are at
 * the same offsets in both request layouts.
 */
/*@ requires valid: \valid(req) && \valid(slot);
    requires apart: \separated(req, slot);
    requires pio: request_valid(req) && req->type == VIOREQ_TYPE_PORTIO;
    requires data: conf1_data_access(req, address);
    assigns req->type, req->addr, req->last, slot->type,
            slot->data[VIOREQ_REQ_PCI_BUS_WORD .. VIOREQ_REQ_PCI_REG_WORD];
    ensures decoded: request_valid(req);
    ensures pcicfg: req->type == VIOREQ_TYPE_PCICFG;
    ensures key: req->addr == pci_key(conf1_bus(address), conf1_dev(address),
                                      conf1_func(address),
                                      conf1_reg(address, \old(req->addr)));
    ensures slot_type: slot->type == VIOREQ_TYPE_PCICFG;
    ensures slot_fields:
      slot->data[VIOREQ_REQ_PCI_BUS_WORD] == conf1_bus(address) &&
      slot->data[VIOREQ_REQ_PCI_DEV_WORD] == conf1_dev(address) &&
      slot->data[VIOREQ_REQ_PCI_FUNC_WORD] == conf1_func(address) &&
      slot->data[VIOREQ_REQ_PCI_REG_WORD] ==
        conf1_reg(address, \old(req->addr));
 */
void vioreq_conf1_to_pcicfg(struct vioreq_request *req,
			    struct vioreq_slot *slot, uint32_t address);

#endif /* VIOREQ_PCI_CONF1_H */
