/* SPDX-License-Identifier: MIT */
/*
 * libvioreq: the userspace runtime of the I/O request manager, shaped like
 * the ioctls of /dev/acrn_hsm so that one caller can drive either backend:
 *
 *   create_vm(page)            ACRN_IOCTL_CREATE_VM + SET_IOREQ_BUFFER
 *   create_client(ranges)      ACRN_IOCTL_CREATE_IOREQ_CLIENT (+ ranges)
 *   attach(client)             ACRN_IOCTL_ATTACH_IOREQ_CLIENT: blocks until
 *                              requests are assigned to the client
 *   request(client, vcpu)      the client reads its request from the page
 *   notify_request_finish()    writes the result, ACRN_IOCTL_NOTIFY_REQUEST_FINISH
 *   clear(vm)                  ACRN_IOCTL_CLEAR_VM_IOREQ
 *   destroy_client(client)     ACRN_IOCTL_DESTROY_IOREQ_CLIENT
 *   destroy_vm(vm)             ACRN_IOCTL_DESTROY_VM
 *
 * Every call returns 0 (or a non-negative id) or a negative errno
 * (VIOREQ_E* of spec_gen.h, the Linux values). A backend is a table of
 * these operations: "local" (runtime_local.h) runs the verified core in
 * this process; a kernel backend forwards them to the module.
 *
 * Thread safety: every call may be made from any thread, concurrently,
 * except destroy_vm, which must be the last call on its VM (it waits for
 * threads blocked in attach to return -ENODEV).
 */
#ifndef VIOREQ_RUNTIME_H
#define VIOREQ_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "vioreq/spec_gen.h"

/* One address range a client claims: [start, end] of a request type. For
 * VIOREQ_TYPE_PCICFG the key is bus << 20 | dev << 15 | func << 12 | reg. */
struct vioreq_rt_range {
	uint32_t type;
	uint64_t start;
	uint64_t end;
};

/* A request as its client sees it (the slot's fields, read once). */
struct vioreq_rt_request {
	uint32_t vcpu;
	uint32_t type;		/* VIOREQ_TYPE_*; CFC accesses arrive as PCICFG */
	uint32_t direction;	/* VIOREQ_DIR_* */
	uint64_t address;	/* PORTIO port or MMIO address; 0 for PCICFG */
	uint64_t size;		/* bytes: 1, 2, 4 (or 8 for MMIO) */
	uint64_t value;		/* the value written, for a write */
	uint32_t pci_bus;
	uint32_t pci_dev;
	uint32_t pci_func;
	uint32_t pci_reg;
};

/* create_client flags. */
#define VIOREQ_RT_CLIENT_DEFAULT 0x1u	/* gets every request no range claims */

struct vioreq_rt_vm;

/* The operations a backend provides; see the functions below. */
struct vioreq_rt_backend_ops {
	const char *name;
	int (*create_vm)(struct vioreq_page *page, const void *config,
			 struct vioreq_rt_vm **out);
	int (*destroy_vm)(struct vioreq_rt_vm *vm);
	int (*create_client)(struct vioreq_rt_vm *vm, uint32_t flags,
			     const struct vioreq_rt_range *ranges,
			     size_t range_count);
	int (*add_range)(struct vioreq_rt_vm *vm, int client,
			 const struct vioreq_rt_range *range);
	int (*remove_range)(struct vioreq_rt_vm *vm, int client,
			    const struct vioreq_rt_range *range);
	int (*attach)(struct vioreq_rt_vm *vm, int client, uint32_t *pending);
	int (*request)(struct vioreq_rt_vm *vm, int client, uint32_t vcpu,
		       struct vioreq_rt_request *req);
	int (*notify_request_finish)(struct vioreq_rt_vm *vm, int client,
				     uint32_t vcpu, uint64_t value);
	int (*clear)(struct vioreq_rt_vm *vm);
	int (*destroy_client)(struct vioreq_rt_vm *vm, int client);
};

/* Every backend's VM starts with this. */
struct vioreq_rt_vm {
	const struct vioreq_rt_backend_ops *ops;
};

/*
 * Create a VM served through `page` (4 KiB, 4 KiB aligned, 16 slots; the
 * caller keeps it alive until destroy_vm). config is backend-specific
 * (struct vioreq_local_config for the local backend). -EINVAL for a
 * misaligned page or a bad config, -ENOMEM.
 */
int vioreq_rt_create_vm(const struct vioreq_rt_backend_ops *backend,
			struct vioreq_page *page, const void *config,
			struct vioreq_rt_vm **out);

/* Destroy every client (their held slots complete with all ones), stop
 * the worker, free the VM. */
int vioreq_rt_destroy_vm(struct vioreq_rt_vm *vm);

/*
 * Create a client owning the given ranges; returns its id (>= 0). The
 * ranges are all added or none: -EINVAL (unknown type, end < start),
 * -EBUSY (overlaps a range of another client or of this list), -ENOSPC
 * (client or range table full), -EEXIST (a second default client).
 */
int vioreq_rt_create_client(struct vioreq_rt_vm *vm, uint32_t flags,
			    const struct vioreq_rt_range *ranges,
			    size_t range_count);

/* Add or remove one range of a live client; errors as the core's
 * (-EINVAL, -EBUSY, -ENOSPC / -ENOENT), -ENOENT / -ENODEV for a client id
 * never created / destroyed. */
int vioreq_rt_add_range(struct vioreq_rt_vm *vm, int client,
			const struct vioreq_rt_range *range);
int vioreq_rt_remove_range(struct vioreq_rt_vm *vm, int client,
			   const struct vioreq_rt_range *range);

/*
 * Block until at least one request is assigned to the client, then return
 * 0 with *pending the bitmap of the vCPUs whose slots it holds. -ENODEV
 * when the client is destroyed (before or while waiting), -ENOENT for an
 * id never created.
 */
int vioreq_rt_attach(struct vioreq_rt_vm *vm, int client, uint32_t *pending);

/* Read the request of a slot the client holds: -EINVAL (vCPU out of
 * range, slot not held), -EPERM (held by another client). */
int vioreq_rt_request(struct vioreq_rt_vm *vm, int client, uint32_t vcpu,
		      struct vioreq_rt_request *req);

/*
 * The client has emulated the request of slot vcpu that it read with
 * vioreq_rt_request: store `value` as the result (reads only; both words
 * for MMIO, the low word otherwise) and complete the slot exactly once.
 * -EINVAL (vCPU out of range, slot not held by anyone, or not the request
 * the client read: e.g. clear completed that one, and the slot now holds
 * the vCPU's next request), -EPERM (held by another client), -ENODEV /
 * -ENOENT (client destroyed / unknown).
 */
int vioreq_rt_notify_request_finish(struct vioreq_rt_vm *vm, int client,
				    uint32_t vcpu, uint64_t value);

/*
 * Clear the VM's requests (before a reset): pending requests are completed
 * with all ones until it returns, slots the default client holds are
 * completed now, and it waits (bounded) for the other clients to complete
 * theirs. -EBUSY when they did not within the bound.
 */
int vioreq_rt_clear(struct vioreq_rt_vm *vm);

/* Destroy a client: its ranges go, the slots it holds complete with all
 * ones, threads in attach return -ENODEV. */
int vioreq_rt_destroy_client(struct vioreq_rt_vm *vm, int client);

#endif /* VIOREQ_RUNTIME_H */
