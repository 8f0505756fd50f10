/* Generated from spec/vioreq.toml by spec/generate.py; do not edit. */

#ifndef VIOREQ_SPEC_GEN_H
#define VIOREQ_SPEC_GEN_H

#include <stddef.h>
#include <stdint.h>

/* REQ-STATE-001, REQ-OWN-001: request states (value of the slot's processed field) */
#define VIOREQ_STATE_PENDING 0u /* owner: SERVICE */
#define VIOREQ_STATE_COMPLETE 1u /* owner: HYPERVISOR */
#define VIOREQ_STATE_PROCESSING 2u /* owner: SERVICE */
#define VIOREQ_STATE_FREE 3u /* owner: HYPERVISOR */
#define VIOREQ_STATE_COUNT 4u

/* REQ-OWN-001: parties that may move a slot */
#define VIOREQ_ACTOR_HYPERVISOR 0u
#define VIOREQ_ACTOR_SERVICE 1u

/* REQ-DISPATCH-002: request types, legal address spaces */
#define VIOREQ_TYPE_PORTIO 0u
#define VIOREQ_TYPE_MMIO 1u
#define VIOREQ_TYPE_PCICFG 2u
#define VIOREQ_TYPE_COUNT 3u
#define VIOREQ_PORTIO_ADDRESS_MAX 0xFFFFull
#define VIOREQ_MMIO_ADDRESS_MAX 0xFFFFFFFFFFFFFFFFull
#define VIOREQ_PCICFG_ADDRESS_MAX 0xFFFFFFFull

/* REQ-DISPATCH-002: access directions */
#define VIOREQ_DIR_READ 0u
#define VIOREQ_DIR_WRITE 1u

/* REQ-ABI-001: the shared request page */
#define VIOREQ_PAGE_SIZE 4096u
#define VIOREQ_SLOT_COUNT 16u
#define VIOREQ_SLOT_SIZE 256u

/* REQ-ABI-003: request fields as indices into vioreq_slot.data[] (64-bit fields: low word first) */
#define VIOREQ_REQ_DIRECTION_WORD 0u /* 1 word */
#define VIOREQ_REQ_ADDRESS_WORD 2u /* 2 words */
#define VIOREQ_REQ_SIZE_WORD 4u /* 2 words */
#define VIOREQ_REQ_VALUE_WORD 6u /* 2 words */
#define VIOREQ_REQ_VALUE32_WORD 6u /* 1 word */
#define VIOREQ_REQ_PCI_BUS_WORD 7u /* 1 word */
#define VIOREQ_REQ_PCI_DEV_WORD 8u /* 1 word */
#define VIOREQ_REQ_PCI_FUNC_WORD 9u /* 1 word */
#define VIOREQ_REQ_PCI_REG_WORD 10u /* 1 word */

/* REQ-DISPATCH-003: PCI configuration fields and the ECAM routing key */
#define VIOREQ_PCI_BUS_MAX 255u
#define VIOREQ_PCI_DEV_MAX 31u
#define VIOREQ_PCI_FUNC_MAX 7u
#define VIOREQ_PCI_REG_LIMIT 4096u
#define VIOREQ_PCI_BUS_SHIFT 20u
#define VIOREQ_PCI_DEV_SHIFT 15u
#define VIOREQ_PCI_FUNC_SHIFT 12u

/* REQ-DISPATCH-004: PCI configuration mechanism #1 (CF8/CFC) */
#define VIOREQ_CONF1_ADDRESS_PORT 0xCF8u
#define VIOREQ_CONF1_DATA_PORT 0xCFCu
#define VIOREQ_CONF1_DATA_PORT_COUNT 4u
#define VIOREQ_CONF1_ENABLE_BIT 0x80000000u
#define VIOREQ_CONF1_BUS_SHIFT 16u
#define VIOREQ_CONF1_BUS_MASK 0xFFu
#define VIOREQ_CONF1_DEV_SHIFT 11u
#define VIOREQ_CONF1_DEV_MASK 0x1Fu
#define VIOREQ_CONF1_FUNC_SHIFT 8u
#define VIOREQ_CONF1_FUNC_MASK 0x7u
#define VIOREQ_CONF1_REG_MASK 0xFCu

/* REQ-DISPATCH-005: results of requests the core completes itself */
#define VIOREQ_READ_ALL_ONES 0xFFFFFFFFFFFFFFFFull

/* REQ-RANGE-005, REQ-CLIENT-001: fixed capacities */
#define VIOREQ_RANGES_PER_TYPE 4096u
#define VIOREQ_CLIENTS_PER_VM 64u

/* REQ-ERR-001: errno values (positive; the core returns them negated) */
#define VIOREQ_EPERM 1 /* the caller does not own the slot or the client */
#define VIOREQ_ENOENT 2 /* no such range or client */
#define VIOREQ_EINTR 4 /* a wait was interrupted */
#define VIOREQ_EFAULT 14 /* a user pointer could not be read or written */
#define VIOREQ_EBUSY 16 /* the range overlaps another range of the same type, or the VM is busy */
#define VIOREQ_EEXIST 17 /* the object exists already (a second default client, a second VM on a file) */
#define VIOREQ_ENODEV 19 /* the client is being destroyed or is gone */
#define VIOREQ_EINVAL 22 /* an argument is out of its documented range */
#define VIOREQ_ENOSPC 28 /* a fixed-capacity table is full */
#define VIOREQ_ERESTARTSYS 512 /* a wait was interrupted by a signal and is restarted (kernel only) */

/* REQ-ABI-002: one 256-byte request slot, as little-endian 32-bit words */
struct vioreq_slot {
	uint32_t type; /* offset 0 */
	uint32_t completion_polling; /* offset 4 */
	uint32_t reserved0[14]; /* offset 8 */
	uint32_t data[16]; /* offset 64 */
	uint32_t reserved1; /* offset 128 */
	uint32_t kernel_handled; /* offset 132 */
	uint32_t processed; /* offset 136 */
	uint32_t tail[29]; /* offset 140 */
};

/* REQ-ABI-001: the request page: one slot per vCPU */
struct vioreq_page {
	struct vioreq_slot slot[VIOREQ_SLOT_COUNT];
};

/* REQ-ABI-002: layout checks */
/* Frama-C parses _Static_assert only with -c11; the C compilers check
 * these; Frama-C is told to skip them (it parses the rest as C11). */
#ifndef __FRAMAC__
_Static_assert(offsetof(struct vioreq_slot, type) == 0u,
	       "vioreq_slot.type must be at offset 0");
_Static_assert(offsetof(struct vioreq_slot, completion_polling) == 4u,
	       "vioreq_slot.completion_polling must be at offset 4");
_Static_assert(offsetof(struct vioreq_slot, reserved0) == 8u,
	       "vioreq_slot.reserved0 must be at offset 8");
_Static_assert(offsetof(struct vioreq_slot, data) == 64u,
	       "vioreq_slot.data must be at offset 64");
_Static_assert(offsetof(struct vioreq_slot, reserved1) == 128u,
	       "vioreq_slot.reserved1 must be at offset 128");
_Static_assert(offsetof(struct vioreq_slot, kernel_handled) == 132u,
	       "vioreq_slot.kernel_handled must be at offset 132");
_Static_assert(offsetof(struct vioreq_slot, processed) == 136u,
	       "vioreq_slot.processed must be at offset 136");
_Static_assert(offsetof(struct vioreq_slot, tail) == 140u,
	       "vioreq_slot.tail must be at offset 140");
_Static_assert(sizeof(struct vioreq_slot) == 256u,
	       "struct vioreq_slot must be 256 bytes");
_Static_assert(sizeof(struct vioreq_page) == 4096u,
	       "struct vioreq_page must be 4096 bytes");
#endif /* __FRAMAC__ */

#endif /* VIOREQ_SPEC_GEN_H */
