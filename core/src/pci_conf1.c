/* SPDX-License-Identifier: MIT */
/* PCI configuration mechanism #1 (contracts in pci_conf1.h). */
#include "vioreq/pci_conf1.h"

uint32_t vioreq_conf1_classify(const struct vioreq_request *req,
			       uint32_t address)
{
	if (req->addr == VIOREQ_CONF1_ADDRESS_PORT && req->size == 4)
		return VIOREQ_CONF1_ADDRESS;
	if (req->addr >= VIOREQ_CONF1_DATA_PORT &&
	    req->last < VIOREQ_CONF1_DATA_PORT + VIOREQ_CONF1_DATA_PORT_COUNT &&
	    address >= VIOREQ_CONF1_ENABLE_BIT)
		return VIOREQ_CONF1_DATA;
	return VIOREQ_CONF1_OTHER;
}

void vioreq_conf1_to_pcicfg(struct vioreq_request *req,
			    struct vioreq_slot *slot, uint32_t address)
{
	/* Division and remainder state the field extraction for the prover;
	 * compilers emit the same shifts and masks. */
	uint32_t bus = (address / (1u << VIOREQ_CONF1_BUS_SHIFT)) %
		       (VIOREQ_CONF1_BUS_MASK + 1u);
	uint32_t dev = (address / (1u << VIOREQ_CONF1_DEV_SHIFT)) %
		       (VIOREQ_CONF1_DEV_MASK + 1u);
	uint32_t func = (address / (1u << VIOREQ_CONF1_FUNC_SHIFT)) %
			(VIOREQ_CONF1_FUNC_MASK + 1u);
	uint32_t reg = (address % (VIOREQ_CONF1_REG_MASK + 4u)) / 4u * 4u +
		       (uint32_t)(req->addr - VIOREQ_CONF1_DATA_PORT);
	uint64_t key = (uint64_t)bus * (1ull << VIOREQ_PCI_BUS_SHIFT) +
		       (uint64_t)dev * (1ull << VIOREQ_PCI_DEV_SHIFT) +
		       (uint64_t)func * (1ull << VIOREQ_PCI_FUNC_SHIFT) + reg;

	req->type = VIOREQ_TYPE_PCICFG;
	req->addr = key;
	req->last = key + (req->size - 1);
	vioreq_page_store(&slot->data[VIOREQ_REQ_PCI_BUS_WORD], bus);
	vioreq_page_store(&slot->data[VIOREQ_REQ_PCI_DEV_WORD], dev);
	vioreq_page_store(&slot->data[VIOREQ_REQ_PCI_FUNC_WORD], func);
	vioreq_page_store(&slot->data[VIOREQ_REQ_PCI_REG_WORD], reg);
	vioreq_page_store(&slot->type, VIOREQ_TYPE_PCICFG);
}
