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
#define VIOREQ_IOCTL_SET_IRQLINE 0x4008A225u /* nr 0x25, W, __u64 */
#define VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH 0x4008A231u /* nr 0x31, W, struct acrn_ioreq_notify */
#define VIOREQ_IOCTL_CREATE_IOREQ_CLIENT 0x0000A232u /* nr 0x32, NONE */
#define VIOREQ_IOCTL_ATTACH_IOREQ_CLIENT 0x0000A233u /* nr 0x33, NONE */
#define VIOREQ_IOCTL_DESTROY_IOREQ_CLIENT 0x0000A234u /* nr 0x34, NONE */
#define VIOREQ_IOCTL_CLEAR_VM_IOREQ 0x0000A235u /* nr 0x35, NONE */
#define VIOREQ_IOCTL_SET_MEMSEG 0x4020A241u /* nr 0x41, W, struct acrn_vm_memmap */
#define VIOREQ_IOCTL_UNSET_MEMSEG 0x4020A242u /* nr 0x42, W, struct acrn_vm_memmap */
#define VIOREQ_IOCTL_IOEVENTFD 0x4020A270u /* nr 0x70, W, struct acrn_ioeventfd */
#define VIOREQ_IOCTL_IRQFD 0x4018A271u /* nr 0x71, W, struct acrn_irqfd */
#define VIOREQ_IOCTL_CREATE_VM_ARG_SIZE 48u /* sizeof(struct acrn_vm_creation) */
#define VIOREQ_IOCTL_SET_VCPU_REGS_ARG_SIZE 296u /* sizeof(struct acrn_vcpu_regs) */
#define VIOREQ_IOCTL_INJECT_MSI_ARG_SIZE 16u /* sizeof(struct acrn_msi_entry) */
#define VIOREQ_IOCTL_SET_IRQLINE_ARG_SIZE 8u /* sizeof(__u64) */
#define VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH_ARG_SIZE 8u /* sizeof(struct acrn_ioreq_notify) */
#define VIOREQ_IOCTL_SET_MEMSEG_ARG_SIZE 32u /* sizeof(struct acrn_vm_memmap) */
#define VIOREQ_IOCTL_UNSET_MEMSEG_ARG_SIZE 32u /* sizeof(struct acrn_vm_memmap) */
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
#define VIOREQ_HC_SET_IRQLINE 0x80000025u /* id 0x25 */
#define VIOREQ_HC_SET_IOREQ_BUFFER 0x80000030u /* id 0x30 */
#define VIOREQ_HC_NOTIFY_REQUEST_FINISH 0x80000031u /* id 0x31 */
#define VIOREQ_HC_SET_MEMORY_REGIONS 0x80000042u /* id 0x42 */

#endif /* VIOREQ_UAPI_GEN_H */
