// SPDX-License-Identifier: MIT
/*
 * The libvioreq front end: every call goes to the VM's backend. Checks the
 * arguments common to all backends so that each backend sees sane ones.
 */
#include <stddef.h>

#include "vioreq/runtime.h"
#include "request_copy.h"

int vioreq_rt_create_vm(const struct vioreq_rt_backend_ops *backend,
			struct vioreq_page *page, const void *config,
			struct vioreq_rt_vm **out)
{
	if (!backend || !page || !out)
		return -VIOREQ_EINVAL;
	/* The hypervisor maps the page by frame: it must be one whole page. */
	if ((uintptr_t)page % VIOREQ_PAGE_SIZE != 0)
		return -VIOREQ_EINVAL;
	return backend->create_vm(page, config, out);
}

int vioreq_rt_destroy_vm(struct vioreq_rt_vm *vm)
{
	if (!vm)
		return -VIOREQ_EINVAL;
	return vm->ops->destroy_vm(vm);
}

int vioreq_rt_create_client(struct vioreq_rt_vm *vm, uint32_t flags,
			    const struct vioreq_rt_range *ranges,
			    size_t range_count)
{
	if (!vm || (range_count != 0 && !ranges) ||
	    (flags & ~VIOREQ_RT_CLIENT_DEFAULT) != 0)
		return -VIOREQ_EINVAL;
	return vm->ops->create_client(vm, flags, ranges, range_count);
}

int vioreq_rt_add_range(struct vioreq_rt_vm *vm, int client,
			const struct vioreq_rt_range *range)
{
	if (!vm || !range)
		return -VIOREQ_EINVAL;
	return vm->ops->add_range(vm, client, range);
}

int vioreq_rt_remove_range(struct vioreq_rt_vm *vm, int client,
			   const struct vioreq_rt_range *range)
{
	if (!vm || !range)
		return -VIOREQ_EINVAL;
	return vm->ops->remove_range(vm, client, range);
}

int vioreq_rt_attach(struct vioreq_rt_vm *vm, int client, uint32_t *pending)
{
	if (!vm || !pending)
		return -VIOREQ_EINVAL;
	return vm->ops->attach(vm, client, pending);
}

int vioreq_rt_request(struct vioreq_rt_vm *vm, int client, uint32_t vcpu,
		      struct vioreq_rt_request *req)
{
	if (!vm || !req)
		return -VIOREQ_EINVAL;
	return vm->ops->request(vm, client, vcpu, req);
}

int vioreq_rt_notify_request_finish(struct vioreq_rt_vm *vm, int client,
				    uint32_t vcpu, uint64_t value)
{
	if (!vm)
		return -VIOREQ_EINVAL;
	return vm->ops->notify_request_finish(vm, client, vcpu, value);
}

int vioreq_rt_clear(struct vioreq_rt_vm *vm)
{
	if (!vm)
		return -VIOREQ_EINVAL;
	return vm->ops->clear(vm);
}

int vioreq_rt_destroy_client(struct vioreq_rt_vm *vm, int client)
{
	if (!vm)
		return -VIOREQ_EINVAL;
	return vm->ops->destroy_client(vm, client);
}

void vioreq_rt_request_from_snapshot(const struct vioreq_slot_snapshot *snap,
				     uint32_t vcpu,
				     struct vioreq_rt_request *req)
{
	req->vcpu = vcpu;
	req->type = snap->type;
	req->direction = snap->direction;
	req->address = snap->address;
	req->size = snap->size;
	req->value = snap->value;
	req->pci_bus = snap->pci_bus;
	req->pci_dev = snap->pci_dev;
	req->pci_func = snap->pci_func;
	req->pci_reg = snap->pci_reg;
}
