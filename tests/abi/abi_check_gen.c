/* Generated from spec/vioreq.toml by spec/generate.py; do not edit. */

/* REQ-ABI-*: every spec value that has a uapi name, checked at compile
 * time against <linux/acrn.h> and <errno.h>, plus a run-time round trip
 * of struct acrn_io_request through struct vioreq_slot. Hosted C11. */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/ioctl.h> /* _IO*: <linux/acrn.h> uses them without including it */
#include <linux/acrn.h>

#include "vioreq/spec_gen.h"
#include "vioreq/uapi_gen.h"

/* REQ-STATE-001, REQ-OWN-001 */
_Static_assert(VIOREQ_STATE_PENDING == ACRN_IOREQ_STATE_PENDING,
	       "state PENDING");
_Static_assert(VIOREQ_STATE_COMPLETE == ACRN_IOREQ_STATE_COMPLETE,
	       "state COMPLETE");
_Static_assert(VIOREQ_STATE_PROCESSING == ACRN_IOREQ_STATE_PROCESSING,
	       "state PROCESSING");
_Static_assert(VIOREQ_STATE_FREE == ACRN_IOREQ_STATE_FREE,
	       "state FREE");
/* REQ-DISPATCH-002 */
_Static_assert(VIOREQ_TYPE_PORTIO == ACRN_IOREQ_TYPE_PORTIO,
	       "type PORTIO");
_Static_assert(VIOREQ_TYPE_MMIO == ACRN_IOREQ_TYPE_MMIO,
	       "type MMIO");
_Static_assert(VIOREQ_TYPE_PCICFG == ACRN_IOREQ_TYPE_PCICFG,
	       "type PCICFG");
/* REQ-DISPATCH-002 */
_Static_assert(VIOREQ_DIR_READ == ACRN_IOREQ_DIR_READ,
	       "direction READ");
_Static_assert(VIOREQ_DIR_WRITE == ACRN_IOREQ_DIR_WRITE,
	       "direction WRITE");
/* REQ-ABI-001 */
_Static_assert(VIOREQ_SLOT_COUNT == ACRN_IO_REQUEST_MAX,
	       "slot count");
_Static_assert(sizeof(struct acrn_io_request) == VIOREQ_SLOT_SIZE,
	       "slot size");
_Static_assert(sizeof(struct acrn_io_request_buffer) == VIOREQ_PAGE_SIZE,
	       "page size");
_Static_assert(sizeof(struct vioreq_slot) == sizeof(struct acrn_io_request),
	       "vioreq_slot size");
_Static_assert(sizeof(struct vioreq_page) == sizeof(struct acrn_io_request_buffer),
	       "vioreq_page size");
/* REQ-ABI-002 */
_Static_assert(offsetof(struct vioreq_slot, type) == offsetof(struct acrn_io_request, type),
	       "slot field type offset");
_Static_assert(sizeof(((struct vioreq_slot *)0)->type) == sizeof(((struct acrn_io_request *)0)->type),
	       "slot field type size");
_Static_assert(offsetof(struct vioreq_slot, completion_polling) == offsetof(struct acrn_io_request, completion_polling),
	       "slot field completion_polling offset");
_Static_assert(sizeof(((struct vioreq_slot *)0)->completion_polling) == sizeof(((struct acrn_io_request *)0)->completion_polling),
	       "slot field completion_polling size");
_Static_assert(offsetof(struct vioreq_slot, reserved0) == offsetof(struct acrn_io_request, reserved0),
	       "slot field reserved0 offset");
_Static_assert(sizeof(((struct vioreq_slot *)0)->reserved0) == sizeof(((struct acrn_io_request *)0)->reserved0),
	       "slot field reserved0 size");
_Static_assert(offsetof(struct vioreq_slot, data) == offsetof(struct acrn_io_request, reqs),
	       "slot field data offset");
_Static_assert(sizeof(((struct vioreq_slot *)0)->data) == sizeof(((struct acrn_io_request *)0)->reqs),
	       "slot field data size");
_Static_assert(offsetof(struct vioreq_slot, reserved1) == offsetof(struct acrn_io_request, reserved1),
	       "slot field reserved1 offset");
_Static_assert(sizeof(((struct vioreq_slot *)0)->reserved1) == sizeof(((struct acrn_io_request *)0)->reserved1),
	       "slot field reserved1 size");
_Static_assert(offsetof(struct vioreq_slot, kernel_handled) == offsetof(struct acrn_io_request, kernel_handled),
	       "slot field kernel_handled offset");
_Static_assert(sizeof(((struct vioreq_slot *)0)->kernel_handled) == sizeof(((struct acrn_io_request *)0)->kernel_handled),
	       "slot field kernel_handled size");
_Static_assert(offsetof(struct vioreq_slot, processed) == offsetof(struct acrn_io_request, processed),
	       "slot field processed offset");
_Static_assert(sizeof(((struct vioreq_slot *)0)->processed) == sizeof(((struct acrn_io_request *)0)->processed),
	       "slot field processed size");
/* REQ-ABI-003 */
_Static_assert(VIOREQ_REQ_DIRECTION_WORD == 0u,
	       "direction word");
_Static_assert(offsetof(struct acrn_io_request, reqs.pio_request.direction) == 64u,
	       "pio_request.direction offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pio_request.direction) == 4u,
	       "pio_request.direction size");
_Static_assert(offsetof(struct acrn_io_request, reqs.mmio_request.direction) == 64u,
	       "mmio_request.direction offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.mmio_request.direction) == 4u,
	       "mmio_request.direction size");
_Static_assert(offsetof(struct acrn_io_request, reqs.pci_request.direction) == 64u,
	       "pci_request.direction offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pci_request.direction) == 4u,
	       "pci_request.direction size");
_Static_assert(VIOREQ_REQ_ADDRESS_WORD == 2u,
	       "address word");
_Static_assert(offsetof(struct acrn_io_request, reqs.pio_request.address) == 72u,
	       "pio_request.address offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pio_request.address) == 8u,
	       "pio_request.address size");
_Static_assert(offsetof(struct acrn_io_request, reqs.mmio_request.address) == 72u,
	       "mmio_request.address offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.mmio_request.address) == 8u,
	       "mmio_request.address size");
_Static_assert(VIOREQ_REQ_SIZE_WORD == 4u,
	       "size word");
_Static_assert(offsetof(struct acrn_io_request, reqs.pio_request.size) == 80u,
	       "pio_request.size offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pio_request.size) == 8u,
	       "pio_request.size size");
_Static_assert(offsetof(struct acrn_io_request, reqs.mmio_request.size) == 80u,
	       "mmio_request.size offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.mmio_request.size) == 8u,
	       "mmio_request.size size");
_Static_assert(offsetof(struct acrn_io_request, reqs.pci_request.size) == 80u,
	       "pci_request.size offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pci_request.size) == 8u,
	       "pci_request.size size");
_Static_assert(VIOREQ_REQ_VALUE_WORD == 6u,
	       "value word");
_Static_assert(offsetof(struct acrn_io_request, reqs.mmio_request.value) == 88u,
	       "mmio_request.value offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.mmio_request.value) == 8u,
	       "mmio_request.value size");
_Static_assert(VIOREQ_REQ_VALUE32_WORD == 6u,
	       "value32 word");
_Static_assert(offsetof(struct acrn_io_request, reqs.pio_request.value) == 88u,
	       "pio_request.value offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pio_request.value) == 4u,
	       "pio_request.value size");
_Static_assert(offsetof(struct acrn_io_request, reqs.pci_request.value) == 88u,
	       "pci_request.value offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pci_request.value) == 4u,
	       "pci_request.value size");
_Static_assert(VIOREQ_REQ_PCI_BUS_WORD == 7u,
	       "pci_bus word");
_Static_assert(offsetof(struct acrn_io_request, reqs.pci_request.bus) == 92u,
	       "pci_request.bus offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pci_request.bus) == 4u,
	       "pci_request.bus size");
_Static_assert(VIOREQ_REQ_PCI_DEV_WORD == 8u,
	       "pci_dev word");
_Static_assert(offsetof(struct acrn_io_request, reqs.pci_request.dev) == 96u,
	       "pci_request.dev offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pci_request.dev) == 4u,
	       "pci_request.dev size");
_Static_assert(VIOREQ_REQ_PCI_FUNC_WORD == 9u,
	       "pci_func word");
_Static_assert(offsetof(struct acrn_io_request, reqs.pci_request.func) == 100u,
	       "pci_request.func offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pci_request.func) == 4u,
	       "pci_request.func size");
_Static_assert(VIOREQ_REQ_PCI_REG_WORD == 10u,
	       "pci_reg word");
_Static_assert(offsetof(struct acrn_io_request, reqs.pci_request.reg) == 104u,
	       "pci_request.reg offset");
_Static_assert(sizeof(((struct acrn_io_request *)0)->reqs.pci_request.reg) == 4u,
	       "pci_request.reg size");
/* REQ-ABI-004 */
_Static_assert(VIOREQ_IOCTL_TYPE == ACRN_IOCTL_TYPE,
	       "ioctl type");
_Static_assert(VIOREQ_IOCTL_CREATE_VM == ACRN_IOCTL_CREATE_VM,
	       "ioctl CREATE_VM");
_Static_assert(sizeof(struct acrn_vm_creation) == 48u,
	       "ioctl CREATE_VM argument size");
_Static_assert(VIOREQ_IOCTL_CREATE_VM_ARG_SIZE == sizeof(struct acrn_vm_creation),
	       "ioctl CREATE_VM argument size");
_Static_assert(VIOREQ_IOCTL_DESTROY_VM == ACRN_IOCTL_DESTROY_VM,
	       "ioctl DESTROY_VM");
_Static_assert(VIOREQ_IOCTL_START_VM == ACRN_IOCTL_START_VM,
	       "ioctl START_VM");
_Static_assert(VIOREQ_IOCTL_PAUSE_VM == ACRN_IOCTL_PAUSE_VM,
	       "ioctl PAUSE_VM");
_Static_assert(VIOREQ_IOCTL_RESET_VM == ACRN_IOCTL_RESET_VM,
	       "ioctl RESET_VM");
_Static_assert(VIOREQ_IOCTL_SET_VCPU_REGS == ACRN_IOCTL_SET_VCPU_REGS,
	       "ioctl SET_VCPU_REGS");
_Static_assert(sizeof(struct acrn_vcpu_regs) == 296u,
	       "ioctl SET_VCPU_REGS argument size");
_Static_assert(VIOREQ_IOCTL_SET_VCPU_REGS_ARG_SIZE == sizeof(struct acrn_vcpu_regs),
	       "ioctl SET_VCPU_REGS argument size");
_Static_assert(VIOREQ_IOCTL_INJECT_MSI == ACRN_IOCTL_INJECT_MSI,
	       "ioctl INJECT_MSI");
_Static_assert(sizeof(struct acrn_msi_entry) == 16u,
	       "ioctl INJECT_MSI argument size");
_Static_assert(VIOREQ_IOCTL_INJECT_MSI_ARG_SIZE == sizeof(struct acrn_msi_entry),
	       "ioctl INJECT_MSI argument size");
_Static_assert(VIOREQ_IOCTL_VM_INTR_MONITOR == ACRN_IOCTL_VM_INTR_MONITOR,
	       "ioctl VM_INTR_MONITOR");
_Static_assert(sizeof(unsigned long) == 8u,
	       "ioctl VM_INTR_MONITOR argument size");
_Static_assert(VIOREQ_IOCTL_VM_INTR_MONITOR_ARG_SIZE == sizeof(unsigned long),
	       "ioctl VM_INTR_MONITOR argument size");
_Static_assert(VIOREQ_IOCTL_SET_IRQLINE == ACRN_IOCTL_SET_IRQLINE,
	       "ioctl SET_IRQLINE");
_Static_assert(sizeof(__u64) == 8u,
	       "ioctl SET_IRQLINE argument size");
_Static_assert(VIOREQ_IOCTL_SET_IRQLINE_ARG_SIZE == sizeof(__u64),
	       "ioctl SET_IRQLINE argument size");
_Static_assert(VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH == ACRN_IOCTL_NOTIFY_REQUEST_FINISH,
	       "ioctl NOTIFY_REQUEST_FINISH");
_Static_assert(sizeof(struct acrn_ioreq_notify) == 8u,
	       "ioctl NOTIFY_REQUEST_FINISH argument size");
_Static_assert(VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH_ARG_SIZE == sizeof(struct acrn_ioreq_notify),
	       "ioctl NOTIFY_REQUEST_FINISH argument size");
_Static_assert(VIOREQ_IOCTL_CREATE_IOREQ_CLIENT == ACRN_IOCTL_CREATE_IOREQ_CLIENT,
	       "ioctl CREATE_IOREQ_CLIENT");
_Static_assert(VIOREQ_IOCTL_ATTACH_IOREQ_CLIENT == ACRN_IOCTL_ATTACH_IOREQ_CLIENT,
	       "ioctl ATTACH_IOREQ_CLIENT");
_Static_assert(VIOREQ_IOCTL_DESTROY_IOREQ_CLIENT == ACRN_IOCTL_DESTROY_IOREQ_CLIENT,
	       "ioctl DESTROY_IOREQ_CLIENT");
_Static_assert(VIOREQ_IOCTL_CLEAR_VM_IOREQ == ACRN_IOCTL_CLEAR_VM_IOREQ,
	       "ioctl CLEAR_VM_IOREQ");
_Static_assert(VIOREQ_IOCTL_SET_MEMSEG == ACRN_IOCTL_SET_MEMSEG,
	       "ioctl SET_MEMSEG");
_Static_assert(sizeof(struct acrn_vm_memmap) == 32u,
	       "ioctl SET_MEMSEG argument size");
_Static_assert(VIOREQ_IOCTL_SET_MEMSEG_ARG_SIZE == sizeof(struct acrn_vm_memmap),
	       "ioctl SET_MEMSEG argument size");
_Static_assert(VIOREQ_IOCTL_UNSET_MEMSEG == ACRN_IOCTL_UNSET_MEMSEG,
	       "ioctl UNSET_MEMSEG");
_Static_assert(sizeof(struct acrn_vm_memmap) == 32u,
	       "ioctl UNSET_MEMSEG argument size");
_Static_assert(VIOREQ_IOCTL_UNSET_MEMSEG_ARG_SIZE == sizeof(struct acrn_vm_memmap),
	       "ioctl UNSET_MEMSEG argument size");
_Static_assert(VIOREQ_IOCTL_SET_PTDEV_INTR == ACRN_IOCTL_SET_PTDEV_INTR,
	       "ioctl SET_PTDEV_INTR");
_Static_assert(sizeof(struct acrn_ptdev_irq) == 20u,
	       "ioctl SET_PTDEV_INTR argument size");
_Static_assert(VIOREQ_IOCTL_SET_PTDEV_INTR_ARG_SIZE == sizeof(struct acrn_ptdev_irq),
	       "ioctl SET_PTDEV_INTR argument size");
_Static_assert(VIOREQ_IOCTL_RESET_PTDEV_INTR == ACRN_IOCTL_RESET_PTDEV_INTR,
	       "ioctl RESET_PTDEV_INTR");
_Static_assert(sizeof(struct acrn_ptdev_irq) == 20u,
	       "ioctl RESET_PTDEV_INTR argument size");
_Static_assert(VIOREQ_IOCTL_RESET_PTDEV_INTR_ARG_SIZE == sizeof(struct acrn_ptdev_irq),
	       "ioctl RESET_PTDEV_INTR argument size");
_Static_assert(VIOREQ_IOCTL_ASSIGN_PCIDEV == ACRN_IOCTL_ASSIGN_PCIDEV,
	       "ioctl ASSIGN_PCIDEV");
_Static_assert(sizeof(struct acrn_pcidev) == 36u,
	       "ioctl ASSIGN_PCIDEV argument size");
_Static_assert(VIOREQ_IOCTL_ASSIGN_PCIDEV_ARG_SIZE == sizeof(struct acrn_pcidev),
	       "ioctl ASSIGN_PCIDEV argument size");
_Static_assert(VIOREQ_IOCTL_DEASSIGN_PCIDEV == ACRN_IOCTL_DEASSIGN_PCIDEV,
	       "ioctl DEASSIGN_PCIDEV");
_Static_assert(sizeof(struct acrn_pcidev) == 36u,
	       "ioctl DEASSIGN_PCIDEV argument size");
_Static_assert(VIOREQ_IOCTL_DEASSIGN_PCIDEV_ARG_SIZE == sizeof(struct acrn_pcidev),
	       "ioctl DEASSIGN_PCIDEV argument size");
_Static_assert(VIOREQ_IOCTL_ASSIGN_MMIODEV == ACRN_IOCTL_ASSIGN_MMIODEV,
	       "ioctl ASSIGN_MMIODEV");
_Static_assert(sizeof(struct acrn_mmiodev) == 104u,
	       "ioctl ASSIGN_MMIODEV argument size");
_Static_assert(VIOREQ_IOCTL_ASSIGN_MMIODEV_ARG_SIZE == sizeof(struct acrn_mmiodev),
	       "ioctl ASSIGN_MMIODEV argument size");
_Static_assert(VIOREQ_IOCTL_DEASSIGN_MMIODEV == ACRN_IOCTL_DEASSIGN_MMIODEV,
	       "ioctl DEASSIGN_MMIODEV");
_Static_assert(sizeof(struct acrn_mmiodev) == 104u,
	       "ioctl DEASSIGN_MMIODEV argument size");
_Static_assert(VIOREQ_IOCTL_DEASSIGN_MMIODEV_ARG_SIZE == sizeof(struct acrn_mmiodev),
	       "ioctl DEASSIGN_MMIODEV argument size");
_Static_assert(VIOREQ_IOCTL_CREATE_VDEV == ACRN_IOCTL_CREATE_VDEV,
	       "ioctl CREATE_VDEV");
_Static_assert(sizeof(struct acrn_vdev) == 192u,
	       "ioctl CREATE_VDEV argument size");
_Static_assert(VIOREQ_IOCTL_CREATE_VDEV_ARG_SIZE == sizeof(struct acrn_vdev),
	       "ioctl CREATE_VDEV argument size");
_Static_assert(VIOREQ_IOCTL_DESTROY_VDEV == ACRN_IOCTL_DESTROY_VDEV,
	       "ioctl DESTROY_VDEV");
_Static_assert(sizeof(struct acrn_vdev) == 192u,
	       "ioctl DESTROY_VDEV argument size");
_Static_assert(VIOREQ_IOCTL_DESTROY_VDEV_ARG_SIZE == sizeof(struct acrn_vdev),
	       "ioctl DESTROY_VDEV argument size");
_Static_assert(VIOREQ_IOCTL_PM_GET_CPU_STATE == ACRN_IOCTL_PM_GET_CPU_STATE,
	       "ioctl PM_GET_CPU_STATE");
_Static_assert(sizeof(__u64) == 8u,
	       "ioctl PM_GET_CPU_STATE argument size");
_Static_assert(VIOREQ_IOCTL_PM_GET_CPU_STATE_ARG_SIZE == sizeof(__u64),
	       "ioctl PM_GET_CPU_STATE argument size");
_Static_assert(VIOREQ_IOCTL_IOEVENTFD == ACRN_IOCTL_IOEVENTFD,
	       "ioctl IOEVENTFD");
_Static_assert(sizeof(struct acrn_ioeventfd) == 32u,
	       "ioctl IOEVENTFD argument size");
_Static_assert(VIOREQ_IOCTL_IOEVENTFD_ARG_SIZE == sizeof(struct acrn_ioeventfd),
	       "ioctl IOEVENTFD argument size");
_Static_assert(VIOREQ_IOCTL_IRQFD == ACRN_IOCTL_IRQFD,
	       "ioctl IRQFD");
_Static_assert(sizeof(struct acrn_irqfd) == 24u,
	       "ioctl IRQFD argument size");
_Static_assert(VIOREQ_IOCTL_IRQFD_ARG_SIZE == sizeof(struct acrn_irqfd),
	       "ioctl IRQFD argument size");
/* REQ-ABI-005: not in the uapi header; the formula only */
_Static_assert(VIOREQ_HC_CREATE_VM == ((VIOREQ_HC_VENDOR << 24) | 0x10u),
	       "hypercall CREATE_VM");
_Static_assert(VIOREQ_HC_DESTROY_VM == ((VIOREQ_HC_VENDOR << 24) | 0x11u),
	       "hypercall DESTROY_VM");
_Static_assert(VIOREQ_HC_START_VM == ((VIOREQ_HC_VENDOR << 24) | 0x12u),
	       "hypercall START_VM");
_Static_assert(VIOREQ_HC_PAUSE_VM == ((VIOREQ_HC_VENDOR << 24) | 0x13u),
	       "hypercall PAUSE_VM");
_Static_assert(VIOREQ_HC_RESET_VM == ((VIOREQ_HC_VENDOR << 24) | 0x15u),
	       "hypercall RESET_VM");
_Static_assert(VIOREQ_HC_SET_VCPU_REGS == ((VIOREQ_HC_VENDOR << 24) | 0x16u),
	       "hypercall SET_VCPU_REGS");
_Static_assert(VIOREQ_HC_INJECT_MSI == ((VIOREQ_HC_VENDOR << 24) | 0x23u),
	       "hypercall INJECT_MSI");
_Static_assert(VIOREQ_HC_VM_INTR_MONITOR == ((VIOREQ_HC_VENDOR << 24) | 0x24u),
	       "hypercall VM_INTR_MONITOR");
_Static_assert(VIOREQ_HC_SET_IRQLINE == ((VIOREQ_HC_VENDOR << 24) | 0x25u),
	       "hypercall SET_IRQLINE");
_Static_assert(VIOREQ_HC_SET_IOREQ_BUFFER == ((VIOREQ_HC_VENDOR << 24) | 0x30u),
	       "hypercall SET_IOREQ_BUFFER");
_Static_assert(VIOREQ_HC_NOTIFY_REQUEST_FINISH == ((VIOREQ_HC_VENDOR << 24) | 0x31u),
	       "hypercall NOTIFY_REQUEST_FINISH");
_Static_assert(VIOREQ_HC_SET_MEMORY_REGIONS == ((VIOREQ_HC_VENDOR << 24) | 0x42u),
	       "hypercall SET_MEMORY_REGIONS");
_Static_assert(VIOREQ_HC_SET_PTDEV_INTR == ((VIOREQ_HC_VENDOR << 24) | 0x53u),
	       "hypercall SET_PTDEV_INTR");
_Static_assert(VIOREQ_HC_RESET_PTDEV_INTR == ((VIOREQ_HC_VENDOR << 24) | 0x54u),
	       "hypercall RESET_PTDEV_INTR");
_Static_assert(VIOREQ_HC_ASSIGN_PCIDEV == ((VIOREQ_HC_VENDOR << 24) | 0x55u),
	       "hypercall ASSIGN_PCIDEV");
_Static_assert(VIOREQ_HC_DEASSIGN_PCIDEV == ((VIOREQ_HC_VENDOR << 24) | 0x56u),
	       "hypercall DEASSIGN_PCIDEV");
_Static_assert(VIOREQ_HC_ASSIGN_MMIODEV == ((VIOREQ_HC_VENDOR << 24) | 0x57u),
	       "hypercall ASSIGN_MMIODEV");
_Static_assert(VIOREQ_HC_DEASSIGN_MMIODEV == ((VIOREQ_HC_VENDOR << 24) | 0x58u),
	       "hypercall DEASSIGN_MMIODEV");
_Static_assert(VIOREQ_HC_CREATE_VDEV == ((VIOREQ_HC_VENDOR << 24) | 0x59u),
	       "hypercall CREATE_VDEV");
_Static_assert(VIOREQ_HC_DESTROY_VDEV == ((VIOREQ_HC_VENDOR << 24) | 0x5Au),
	       "hypercall DESTROY_VDEV");
_Static_assert(VIOREQ_HC_PM_GET_CPU_STATE == ((VIOREQ_HC_VENDOR << 24) | 0x80u),
	       "hypercall PM_GET_CPU_STATE");
/* REQ-VMM-003: the type field of the PM command word */
_Static_assert(VIOREQ_PMCMD_TYPE_MASK == PMCMD_TYPE_MASK,
	       "pm_cmd type mask");
/* REQ-ERR-001 */
_Static_assert(VIOREQ_EPERM == EPERM,
	       "errno EPERM");
_Static_assert(VIOREQ_ENOENT == ENOENT,
	       "errno ENOENT");
_Static_assert(VIOREQ_EINTR == EINTR,
	       "errno EINTR");
_Static_assert(VIOREQ_EFAULT == EFAULT,
	       "errno EFAULT");
_Static_assert(VIOREQ_EBUSY == EBUSY,
	       "errno EBUSY");
_Static_assert(VIOREQ_EEXIST == EEXIST,
	       "errno EEXIST");
_Static_assert(VIOREQ_ENODEV == ENODEV,
	       "errno ENODEV");
_Static_assert(VIOREQ_EINVAL == EINVAL,
	       "errno EINVAL");
_Static_assert(VIOREQ_ENOSPC == ENOSPC,
	       "errno ENOSPC");
/* ERESTARTSYS is kernel-only: not in <errno.h> */

static unsigned passed;
static unsigned failed;

static void check(const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		passed++;
		printf("ok   %s = 0x%" PRIx64 "\n", what, got);
	} else {
		failed++;
		printf("FAIL %s = 0x%" PRIx64 ", want 0x%" PRIx64 "\n", what, got, want);
	}
}

static uint64_t word64(const struct vioreq_slot *s, unsigned w)
{
	return (uint64_t)s->data[w] | ((uint64_t)s->data[w + 1u] << 32);
}

static void round_trip_pio_request(void)
{
	struct acrn_io_request req;
	struct vioreq_slot slot;

	memset(&req, 0, sizeof(req));
	req.type = 0x7F4A7C15u;
	req.completion_polling = 0xFE94F82Bu;
	req.reserved1 = 0x7DDF743Fu;
	req.kernel_handled = 0xFD29F055u;
	req.processed = 0x7C746C69u;
	req.reqs.pio_request.direction = 0xFBBEE87Fu;
	req.reqs.pio_request.address = 0x538454137B096493ull;
	req.reqs.pio_request.size = 0xF1BBCDCBFA53E0A9ull;
	req.reqs.pio_request.value = 0x799E5CBDu;
	memcpy(&slot, &req, sizeof(slot));
	check("pio_request: type -> slot.type", slot.type, 0x7F4A7C15u);
	check("pio_request: completion_polling -> slot.completion_polling", slot.completion_polling, 0xFE94F82Bu);
	check("pio_request: reserved1 -> slot.reserved1", slot.reserved1, 0x7DDF743Fu);
	check("pio_request: kernel_handled -> slot.kernel_handled", slot.kernel_handled, 0xFD29F055u);
	check("pio_request: processed -> slot.processed", slot.processed, 0x7C746C69u);
	check("pio_request.direction -> direction data[0]", slot.data[VIOREQ_REQ_DIRECTION_WORD], 0xFBBEE87Fu);
	check("pio_request.address -> address data[2..3]", word64(&slot, VIOREQ_REQ_ADDRESS_WORD), 0x538454137B096493ull);
	check("pio_request.size -> size data[4..5]", word64(&slot, VIOREQ_REQ_SIZE_WORD), 0xF1BBCDCBFA53E0A9ull);
	check("pio_request.value -> value32 data[6]", slot.data[VIOREQ_REQ_VALUE32_WORD], 0x799E5CBDu);
}

static void round_trip_mmio_request(void)
{
	struct acrn_io_request req;
	struct vioreq_slot slot;

	memset(&req, 0, sizeof(req));
	req.type = 0xF8E8D8D3u;
	req.completion_polling = 0x783354E7u;
	req.reserved1 = 0xF77DD0FDu;
	req.kernel_handled = 0x76C84D11u;
	req.processed = 0xF612C927u;
	req.reqs.mmio_request.direction = 0x755D453Bu;
	req.reqs.mmio_request.address = 0xE3779B97F4A7C151ull;
	req.reqs.mmio_request.size = 0x81AF155173F23D65ull;
	req.reqs.mmio_request.value = 0x1FE68F0BF33CB97Bull;
	memcpy(&slot, &req, sizeof(slot));
	check("mmio_request: type -> slot.type", slot.type, 0xF8E8D8D3u);
	check("mmio_request: completion_polling -> slot.completion_polling", slot.completion_polling, 0x783354E7u);
	check("mmio_request: reserved1 -> slot.reserved1", slot.reserved1, 0xF77DD0FDu);
	check("mmio_request: kernel_handled -> slot.kernel_handled", slot.kernel_handled, 0x76C84D11u);
	check("mmio_request: processed -> slot.processed", slot.processed, 0xF612C927u);
	check("mmio_request.direction -> direction data[0]", slot.data[VIOREQ_REQ_DIRECTION_WORD], 0x755D453Bu);
	check("mmio_request.address -> address data[2..3]", word64(&slot, VIOREQ_REQ_ADDRESS_WORD), 0xE3779B97F4A7C151ull);
	check("mmio_request.size -> size data[4..5]", word64(&slot, VIOREQ_REQ_SIZE_WORD), 0x81AF155173F23D65ull);
	check("mmio_request.value -> value data[6..7]", word64(&slot, VIOREQ_REQ_VALUE_WORD), 0x1FE68F0BF33CB97Bull);
}

static void round_trip_pci_request(void)
{
	struct acrn_io_request req;
	struct vioreq_slot slot;

	memset(&req, 0, sizeof(req));
	req.type = 0x7287358Fu;
	req.completion_polling = 0xF1D1B1A5u;
	req.reserved1 = 0x711C2DB9u;
	req.kernel_handled = 0xF066A9CFu;
	req.processed = 0x6FB125E3u;
	req.reqs.pci_request.direction = 0xEEFBA1F9u;
	req.reqs.pci_request.size = 0x736AE31D6E461E0Dull;
	req.reqs.pci_request.value = 0xED909A23u;
	req.reqs.pci_request.bus = 0x6CDB1637u;
	req.reqs.pci_request.dev = 0xEC25924Du;
	req.reqs.pci_request.func = 0x6B700E61u;
	req.reqs.pci_request.reg = 0xEABA8A77u;
	memcpy(&slot, &req, sizeof(slot));
	check("pci_request: type -> slot.type", slot.type, 0x7287358Fu);
	check("pci_request: completion_polling -> slot.completion_polling", slot.completion_polling, 0xF1D1B1A5u);
	check("pci_request: reserved1 -> slot.reserved1", slot.reserved1, 0x711C2DB9u);
	check("pci_request: kernel_handled -> slot.kernel_handled", slot.kernel_handled, 0xF066A9CFu);
	check("pci_request: processed -> slot.processed", slot.processed, 0x6FB125E3u);
	check("pci_request.direction -> direction data[0]", slot.data[VIOREQ_REQ_DIRECTION_WORD], 0xEEFBA1F9u);
	check("pci_request.size -> size data[4..5]", word64(&slot, VIOREQ_REQ_SIZE_WORD), 0x736AE31D6E461E0Dull);
	check("pci_request.value -> value32 data[6]", slot.data[VIOREQ_REQ_VALUE32_WORD], 0xED909A23u);
	check("pci_request.bus -> pci_bus data[7]", slot.data[VIOREQ_REQ_PCI_BUS_WORD], 0x6CDB1637u);
	check("pci_request.dev -> pci_dev data[8]", slot.data[VIOREQ_REQ_PCI_DEV_WORD], 0xEC25924Du);
	check("pci_request.func -> pci_func data[9]", slot.data[VIOREQ_REQ_PCI_FUNC_WORD], 0x6B700E61u);
	check("pci_request.reg -> pci_reg data[10]", slot.data[VIOREQ_REQ_PCI_REG_WORD], 0xEABA8A77u);
}

int main(void)
{
	round_trip_pio_request();
	round_trip_mmio_request();
	round_trip_pci_request();
	printf("%u passed, %u failed\n", passed, failed);
	return failed == 0u ? 0 : 1;
}
