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
#define VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH 0x4008A231u /* nr 0x31, W, struct acrn_ioreq_notify */
#define VIOREQ_IOCTL_CREATE_IOREQ_CLIENT 0x0000A232u /* nr 0x32, NONE */
#define VIOREQ_IOCTL_ATTACH_IOREQ_CLIENT 0x0000A233u /* nr 0x33, NONE */
#define VIOREQ_IOCTL_DESTROY_IOREQ_CLIENT 0x0000A234u /* nr 0x34, NONE */
#define VIOREQ_IOCTL_CLEAR_VM_IOREQ 0x0000A235u /* nr 0x35, NONE */
#define VIOREQ_IOCTL_CREATE_VM_ARG_SIZE 48u /* sizeof(struct acrn_vm_creation) */
#define VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH_ARG_SIZE 8u /* sizeof(struct acrn_ioreq_notify) */

/* REQ-ABI-005: hypercall ids, vendor << 24 | id. */
#define VIOREQ_HC_VENDOR 0x80u
#define VIOREQ_HC_CREATE_VM 0x80000010u /* id 0x10 */
#define VIOREQ_HC_DESTROY_VM 0x80000011u /* id 0x11 */
#define VIOREQ_HC_START_VM 0x80000012u /* id 0x12 */
#define VIOREQ_HC_PAUSE_VM 0x80000013u /* id 0x13 */
#define VIOREQ_HC_RESET_VM 0x80000015u /* id 0x15 */
#define VIOREQ_HC_SET_IOREQ_BUFFER 0x80000030u /* id 0x30 */
#define VIOREQ_HC_NOTIFY_REQUEST_FINISH 0x80000031u /* id 0x31 */

#endif /* VIOREQ_UAPI_GEN_H */
