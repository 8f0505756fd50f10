/* SPDX-License-Identifier: MIT */
/*
 * The kernel backend of libvioreq: the VM lives in the kernel module
 * behind /dev/acrn_hsm (vioreq.ko, or the Linux ACRN HSM), driven the way
 * ACRN userspace (acrn-dm) drives it:
 *
 *   create_vm      ACRN_IOCTL_CREATE_VM with the 4 KiB aligned ioreq page,
 *                  ACRN_IOCTL_CREATE_IOREQ_CLIENT (the default client), and
 *                  an I/O thread looping in ACRN_IOCTL_ATTACH_IOREQ_CLIENT
 *   (I/O thread)   after each ATTACH, reads the requests from the shared
 *                  page: slots PROCESSING, skipping kernel_handled ones
 *                  (in-kernel clients'), each field read once
 *   notify_request_finish
 *                  the result into the page, ACRN_IOCTL_NOTIFY_REQUEST_FINISH
 *   clear          ACRN_IOCTL_CLEAR_VM_IOREQ
 *   destroy_vm     CLEAR_VM_IOREQ, DESTROY_IOREQ_CLIENT, DESTROY_VM
 *
 * Range clients. The HSM uapi has one userspace client per VM, the
 * default one; only in-kernel clients have ranges. So every client of
 * this backend is a userspace client behind the one kernel default
 * client: the I/O thread routes each request by address to the client
 * whose range holds it (else to the client created with
 * VIOREQ_RT_CLIENT_DEFAULT; with neither it completes the request itself,
 * all ones), as acrn-dm's I/O thread routes to its device models. Each
 * client still attaches, reads and finishes through the runtime calls, on
 * its own threads, with the local backend's semantics (ids with a
 * generation, -ENODEV after destroy, a finish only of the request read,
 * destroy completes the held requests with all ones). Requests the kernel
 * routes to its own in-kernel clients (kernel_handled = 1) never reach
 * userspace.
 *
 * Because the kernel's ATTACH returns while any request is held by the
 * default client, the I/O thread, once every held request has been handed
 * to a client, waits in userspace for one of them to finish before it
 * attaches again; a request that arrives meanwhile waits for that.
 */
#ifndef VIOREQ_RUNTIME_KERNEL_H
#define VIOREQ_RUNTIME_KERNEL_H

#include <stdint.h>

#include "vioreq/runtime.h"

/* Who moved a slot, for tracing: the backend itself (not a client). */
#define VIOREQ_KERNEL_BY_BACKEND 0xFFFFFFFFu

struct vioreq_kernel_config {
	/* The HSM device; NULL: "/dev/acrn_hsm". */
	const char *device;
	/* acrn_vm_creation.cpu_affinity; 0: 1 (pCPU 0). */
	uint64_t cpu_affinity;
	/* How long clear waits for clients (other than the default one) to
	 * finish the requests they were handed (ms); 0: 1000. */
	uint32_t clear_timeout_ms;
	/* Optional: as the backend sees it, a slot moved from -> to (the
	 * I/O thread saw PENDING -> PROCESSING and handed it to `client`,
	 * or a client's finish made it COMPLETE); client is the client's
	 * id, or VIOREQ_KERNEL_BY_BACKEND. Called with the VM lock held:
	 * keep it short and make no runtime calls from it. */
	void (*trace)(void *ctx, uint32_t vcpu, uint32_t from, uint32_t to,
		      uint32_t client);
	void *ctx;
};

extern const struct vioreq_rt_backend_ops vioreq_kernel_backend;

/* The VM's id and vCPU count as ACRN_IOCTL_CREATE_VM returned them (what
 * the hypervisor, or vioreq.ko's simulator, names the VM by). -EINVAL if
 * vm is not a kernel backend VM. */
int vioreq_kernel_vm_info(const struct vioreq_rt_vm *vm, uint16_t *vmid,
			  uint16_t *vcpu_num);

#endif /* VIOREQ_RUNTIME_KERNEL_H */
