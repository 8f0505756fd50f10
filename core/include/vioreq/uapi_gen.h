/* Generated from spec/vioreq.toml by spec/generate.py; do not edit. */

#ifndef VIOREQ_UAPI_GEN_H
#define VIOREQ_UAPI_GEN_H

#include <stdint.h>

/* REQ-ABI-004: ioctls of /dev/acrn_hsm, Linux x86 _IOC encoding:
 * dir << 30 | size << 16 | type << 8 | nr (dir: NONE 0, W 1, R 2, RW 3). */
#define VIOREQ_IOCTL_TYPE 0xA2u
#define VIOREQ_IOCTL_CREATE_VM 0xC030A210u /* nr 0x10, RW, struct acrn_vm_creation */
#define VIOREQ_IOCTL_DESTROY_VM 0x0000A211u /* nr 0x11, NONE */
#define VIOREQ_IOCTL_START_VM 0x0000A212u /* nr 0x12, NONE */
#define VIOREQ_IOCTL_PAUSE_VM 0x0000A213u /* nr 0x13, NONE */
#define VIOREQ_IOCTL_RESET_VM 0x0000A215u /* nr 0x15, NONE */
#define VIOREQ_IOCTL_SET_VCPU_REGS 0x4128A216u /* nr 0x16, W, struct acrn_vcpu_regs */
#define VIOREQ_IOCTL_INJECT_MSI 0x4010A223u /* nr 0x23, W, struct acrn_msi_entry */
#define VIOREQ_IOCTL_VM_INTR_MONITOR 0x4008A224u /* nr 0x24, W, unsigned long */
#define VIOREQ_IOCTL_SET_IRQLINE 0x4008A225u /* nr 0x25, W, __u64 */
#define VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH 0x4008A231u /* nr 0x31, W, struct acrn_ioreq_notify */
#define VIOREQ_IOCTL_CREATE_IOREQ_CLIENT 0x0000A232u /* nr 0x32, NONE */
#define VIOREQ_IOCTL_ATTACH_IOREQ_CLIENT 0x0000A233u /* nr 0x33, NONE */
#define VIOREQ_IOCTL_DESTROY_IOREQ_CLIENT 0x0000A234u /* nr 0x34, NONE */
#define VIOREQ_IOCTL_CLEAR_VM_IOREQ 0x0000A235u /* nr 0x35, NONE */
#define VIOREQ_IOCTL_SET_MEMSEG 0x4020A241u /* nr 0x41, W, struct acrn_vm_memmap */
#define VIOREQ_IOCTL_UNSET_MEMSEG 0x4020A242u /* nr 0x42, W, struct acrn_vm_memmap */
#define VIOREQ_IOCTL_SET_PTDEV_INTR 0x4014A253u /* nr 0x53, W, struct acrn_ptdev_irq */
#define VIOREQ_IOCTL_RESET_PTDEV_INTR 0x4014A254u /* nr 0x54, W, struct acrn_ptdev_irq */
#define VIOREQ_IOCTL_ASSIGN_PCIDEV 0x4024A255u /* nr 0x55, W, struct acrn_pcidev */
#define VIOREQ_IOCTL_DEASSIGN_PCIDEV 0x4024A256u /* nr 0x56, W, struct acrn_pcidev */
#define VIOREQ_IOCTL_ASSIGN_MMIODEV 0x4068A257u /* nr 0x57, W, struct acrn_mmiodev */
#define VIOREQ_IOCTL_DEASSIGN_MMIODEV 0x4068A258u /* nr 0x58, W, struct acrn_mmiodev */
#define VIOREQ_IOCTL_CREATE_VDEV 0x40C0A259u /* nr 0x59, W, struct acrn_vdev */
#define VIOREQ_IOCTL_DESTROY_VDEV 0x40C0A25Au /* nr 0x5A, W, struct acrn_vdev */
#define VIOREQ_IOCTL_PM_GET_CPU_STATE 0xC008A260u /* nr 0x60, RW, __u64 */
#define VIOREQ_IOCTL_IOEVENTFD 0x4020A270u /* nr 0x70, W, struct acrn_ioeventfd */
#define VIOREQ_IOCTL_IRQFD 0x4018A271u /* nr 0x71, W, struct acrn_irqfd */
#define VIOREQ_IOCTL_CREATE_VM_ARG_SIZE 48u /* sizeof(struct acrn_vm_creation) */
#define VIOREQ_IOCTL_SET_VCPU_REGS_ARG_SIZE 296u /* sizeof(struct acrn_vcpu_regs) */
#define VIOREQ_IOCTL_INJECT_MSI_ARG_SIZE 16u /* sizeof(struct acrn_msi_entry) */
#define VIOREQ_IOCTL_VM_INTR_MONITOR_ARG_SIZE 8u /* sizeof(unsigned long) */
#define VIOREQ_IOCTL_SET_IRQLINE_ARG_SIZE 8u /* sizeof(__u64) */
#define VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH_ARG_SIZE 8u /* sizeof(struct acrn_ioreq_notify) */
#define VIOREQ_IOCTL_SET_MEMSEG_ARG_SIZE 32u /* sizeof(struct acrn_vm_memmap) */
#define VIOREQ_IOCTL_UNSET_MEMSEG_ARG_SIZE 32u /* sizeof(struct acrn_vm_memmap) */
#define VIOREQ_IOCTL_SET_PTDEV_INTR_ARG_SIZE 20u /* sizeof(struct acrn_ptdev_irq) */
#define VIOREQ_IOCTL_RESET_PTDEV_INTR_ARG_SIZE 20u /* sizeof(struct acrn_ptdev_irq) */
#define VIOREQ_IOCTL_ASSIGN_PCIDEV_ARG_SIZE 36u /* sizeof(struct acrn_pcidev) */
#define VIOREQ_IOCTL_DEASSIGN_PCIDEV_ARG_SIZE 36u /* sizeof(struct acrn_pcidev) */
#define VIOREQ_IOCTL_ASSIGN_MMIODEV_ARG_SIZE 104u /* sizeof(struct acrn_mmiodev) */
#define VIOREQ_IOCTL_DEASSIGN_MMIODEV_ARG_SIZE 104u /* sizeof(struct acrn_mmiodev) */
#define VIOREQ_IOCTL_CREATE_VDEV_ARG_SIZE 192u /* sizeof(struct acrn_vdev) */
#define VIOREQ_IOCTL_DESTROY_VDEV_ARG_SIZE 192u /* sizeof(struct acrn_vdev) */
#define VIOREQ_IOCTL_PM_GET_CPU_STATE_ARG_SIZE 8u /* sizeof(__u64) */
#define VIOREQ_IOCTL_IOEVENTFD_ARG_SIZE 32u /* sizeof(struct acrn_ioeventfd) */
#define VIOREQ_IOCTL_IRQFD_ARG_SIZE 24u /* sizeof(struct acrn_irqfd) */

/* REQ-ABI-005: hypercall ids, vendor << 24 | id. */
#define VIOREQ_HC_VENDOR 0x80u
#define VIOREQ_HC_CREATE_VM 0x80000010u /* id 0x10 */
#define VIOREQ_HC_DESTROY_VM 0x80000011u /* id 0x11 */
#define VIOREQ_HC_START_VM 0x80000012u /* id 0x12 */
#define VIOREQ_HC_PAUSE_VM 0x80000013u /* id 0x13 */
#define VIOREQ_HC_RESET_VM 0x80000015u /* id 0x15 */
#define VIOREQ_HC_SET_VCPU_REGS 0x80000016u /* id 0x16 */
#define VIOREQ_HC_INJECT_MSI 0x80000023u /* id 0x23 */
#define VIOREQ_HC_VM_INTR_MONITOR 0x80000024u /* id 0x24 */
#define VIOREQ_HC_SET_IRQLINE 0x80000025u /* id 0x25 */
#define VIOREQ_HC_SET_IOREQ_BUFFER 0x80000030u /* id 0x30 */
#define VIOREQ_HC_NOTIFY_REQUEST_FINISH 0x80000031u /* id 0x31 */
#define VIOREQ_HC_SET_MEMORY_REGIONS 0x80000042u /* id 0x42 */
#define VIOREQ_HC_SET_PTDEV_INTR 0x80000053u /* id 0x53 */
#define VIOREQ_HC_RESET_PTDEV_INTR 0x80000054u /* id 0x54 */
#define VIOREQ_HC_ASSIGN_PCIDEV 0x80000055u /* id 0x55 */
#define VIOREQ_HC_DEASSIGN_PCIDEV 0x80000056u /* id 0x56 */
#define VIOREQ_HC_ASSIGN_MMIODEV 0x80000057u /* id 0x57 */
#define VIOREQ_HC_DEASSIGN_MMIODEV 0x80000058u /* id 0x58 */
#define VIOREQ_HC_CREATE_VDEV 0x80000059u /* id 0x59 */
#define VIOREQ_HC_DESTROY_VDEV 0x8000005Au /* id 0x5A */
#define VIOREQ_HC_PM_GET_CPU_STATE 0x80000080u /* id 0x80 */

/* REQ-VMM-003: the command word of PM_GET_CPU_STATE (type, state
 * index, vCPU and target VM fields); the bits from VIOREQ_PMCMD_BITS up are
 * not part of it. */
#define VIOREQ_PMCMD_TYPE_MASK 0xFFu
#define VIOREQ_PMCMD_STATE_SHIFT 8u
#define VIOREQ_PMCMD_VCPU_SHIFT 16u
#define VIOREQ_PMCMD_VMID_SHIFT 24u
#define VIOREQ_PMCMD_FIELD_MASK 0xFFu
#define VIOREQ_PMCMD_BITS 32u

#endif /* VIOREQ_UAPI_GEN_H */
