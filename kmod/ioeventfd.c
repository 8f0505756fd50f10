// SPDX-License-Identifier: GPL-2.0
/*
 * ACRN_IOCTL_IOEVENTFD: a guest write to a registered port or MMIO address
 * signals an eventfd in the kernel instead of waking the VMM (virtqueue
 * kicks for vhost and the like).
 *
 * Every ioeventfd of a VM is served by one in-kernel I/O client, created
 * with the VM's first ioeventfd and destroyed with its last one or with the
 * VM. The core allows no two ranges of one type to overlap, whoever owns
 * them, so ioeventfds share a range only when it is exactly the same
 * (type, address, length): the range is added for the first of them and
 * removed with the last. A range that overlaps another one without being
 * equal to it, another client's or an ioeventfd's, is refused (-EBUSY).
 *
 * Deliberate differences from the Linux HSM (drivers/virt/acrn/):
 * reserved and unknown flags are refused; two ioeventfds that one write
 * could both match are refused whichever eventfds they use (as KVM does);
 * a write matches only with its exact length, not any shorter one; a
 * deassign names the whole ioeventfd and fails with -ENOENT when there is
 * none (Linux removes the first one with that eventfd and returns 0).
 */
#define pr_fmt(fmt) "vioreq: " fmt

#include <linux/acrn.h>
#include <linux/bits.h>
#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "vioreq/spec_gen.h"
#include "internal.h"

#define HSM_IOEVENTFD_FLAGS	(ACRN_IOEVENTFD_FLAG_PIO | \
				 ACRN_IOEVENTFD_FLAG_DATAMATCH | \
				 ACRN_IOEVENTFD_FLAG_DEASSIGN)

atomic_t hsm_live_eventfds = ATOMIC_INIT(0);

struct hsm_ioeventfd {
	struct list_head node;		/* vm->ioeventfds */
	struct eventfd_ctx *eventfd;	/* counted */
	u32 type;			/* VIOREQ_TYPE_PORTIO or _MMIO */
	u32 len;			/* 1, 2, 4 or 8 */
	u64 addr;
	bool datamatch;
	u64 data;			/* 0 without datamatch */
};

static void hsm_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

static bool hsm_ioeventfd_same_range(const struct hsm_ioeventfd *a,
				     const struct hsm_ioeventfd *b)
{
	return a->type == b->type && a->addr == b->addr && a->len == b->len;
}

/* Some write would match both: the second one could never fire. */
static bool hsm_ioeventfd_collide(const struct hsm_ioeventfd *a,
				  const struct hsm_ioeventfd *b)
{
	return hsm_ioeventfd_same_range(a, b) &&
	       (!a->datamatch || !b->datamatch || a->data == b->data);
}

/*
 * The client's handler, in its work item with no lock held. Reads of the
 * registered addresses return 0, as in the Linux HSM: the VMM registers
 * ioeventfds on write-only doorbells. A write that matches no ioeventfd
 * is dropped.
 */
static int hsm_ioeventfd_handle(struct hsm_client *c, struct hsm_kreq *req,
				void *priv)
{
	struct hsm_vm *vm = c->vm;
	struct hsm_ioeventfd *p;
	u64 value = req->value;

	if (req->direction != VIOREQ_DIR_WRITE) {
		req->value = 0;
		return HSM_KREQ_DONE;
	}
	/* Only the bytes written count (the core decoded size 1..8). */
	if (req->size < 8)
		value &= BIT_ULL(8 * req->size) - 1;
	mutex_lock(&vm->ioeventfds_lock);
	list_for_each_entry(p, &vm->ioeventfds, node) {
		if (p->type == req->type && p->addr == req->addr &&
		    p->len == req->size &&
		    (!p->datamatch || p->data == value)) {
			hsm_eventfd_signal(p->eventfd);
			break;
		}
	}
	mutex_unlock(&vm->ioeventfds_lock);
	return HSM_KREQ_DONE;
}

/* Under ioeventfds_lock: the client goes with the VM's last ioeventfd. */
static void hsm_ioeventfd_client_put_unused(struct hsm_vm *vm)
{
	struct hsm_client *c = vm->ioeventfd_client;

	lockdep_assert_held(&vm->ioeventfds_lock);
	if (!c || !list_empty(&vm->ioeventfds))
		return;
	vm->ioeventfd_client = NULL;
	hsm_kclient_destroy(c);
	hsm_client_put(c);
}

static void hsm_ioeventfd_free(struct hsm_ioeventfd *p)
{
	eventfd_ctx_put(p->eventfd);
	kfree(p);
	atomic_dec(&hsm_live_eventfds);
}

/* On success the new ioeventfd takes over key->eventfd's reference. */
static int hsm_ioeventfd_assign(struct hsm_vm *vm, struct hsm_ioeventfd *key)
{
	struct hsm_ioeventfd *p, *new;
	struct hsm_client *c;
	bool shared = false;
	int ret;

	new = kmemdup(key, sizeof(*key), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	mutex_lock(&vm->ioeventfds_lock);
	if (vm->ioeventfds_closed) {
		ret = -ENODEV;
		goto err_unlock;
	}
	list_for_each_entry(p, &vm->ioeventfds, node) {
		if (hsm_ioeventfd_collide(p, new)) {
			ret = -EEXIST;
			goto err_unlock;
		}
		shared |= hsm_ioeventfd_same_range(p, new);
	}
	if (!vm->ioeventfd_client) {
		c = hsm_kclient_create(vm, hsm_ioeventfd_handle, NULL, NULL);
		if (IS_ERR(c)) {
			ret = PTR_ERR(c);
			goto err_unlock;
		}
		vm->ioeventfd_client = c;
	}
	if (!shared) {
		ret = hsm_kclient_add_range(vm->ioeventfd_client, new->type,
					    new->addr,
					    new->addr + new->len - 1);
		if (ret) {
			hsm_ioeventfd_client_put_unused(vm);
			goto err_unlock;
		}
	}
	list_add_tail(&new->node, &vm->ioeventfds);
	atomic_inc(&hsm_live_eventfds);
	mutex_unlock(&vm->ioeventfds_lock);
	key->eventfd = NULL;
	return 0;

err_unlock:
	mutex_unlock(&vm->ioeventfds_lock);
	kfree(new);
	return ret;
}

static int hsm_ioeventfd_deassign(struct hsm_vm *vm,
				  const struct hsm_ioeventfd *key)
{
	struct hsm_ioeventfd *p, *found = NULL;
	bool shared = false;

	mutex_lock(&vm->ioeventfds_lock);
	list_for_each_entry(p, &vm->ioeventfds, node) {
		if (p->eventfd == key->eventfd &&
		    hsm_ioeventfd_same_range(p, key) &&
		    p->datamatch == key->datamatch && p->data == key->data) {
			found = p;
			break;
		}
	}
	if (!found) {
		mutex_unlock(&vm->ioeventfds_lock);
		return -ENOENT;
	}
	list_del(&found->node);
	list_for_each_entry(p, &vm->ioeventfds, node)
		shared |= hsm_ioeventfd_same_range(p, found);
	/* -ENODEV only: the VM is going, and its ranges with it. */
	if (!shared)
		hsm_kclient_remove_range(vm->ioeventfd_client, found->type,
					 found->addr,
					 found->addr + found->len - 1);
	hsm_ioeventfd_client_put_unused(vm);
	mutex_unlock(&vm->ioeventfds_lock);
	hsm_ioeventfd_free(found);
	return 0;
}

/**
 * hsm_ioeventfd_config() - ACRN_IOCTL_IOEVENTFD
 * @vm: the VM of the file
 * @args: the user's argument, copied in
 *
 * Context: process context, no lock held.
 * Return: 0; -EINVAL for unknown flags, reserved != 0, a length other
 * than 1, 2, 4 or 8, a range that wraps or a port range past the last
 * port, or an fd that is not an eventfd; -EBADF for no fd; assign:
 * -EEXIST for an ioeventfd a write could match as well as this one,
 * -EBUSY when the range overlaps another one without being equal to it,
 * -ENOSPC when no client id or range is left, -ENODEV when the VM is
 * being destroyed; deassign: -ENOENT when no ioeventfd has this eventfd,
 * address, length, type and data match.
 */
int hsm_ioeventfd_config(struct hsm_vm *vm, const struct acrn_ioeventfd *args)
{
	bool pio = args->flags & ACRN_IOEVENTFD_FLAG_PIO;
	u64 max = pio ? VIOREQ_PORTIO_ADDRESS_MAX : VIOREQ_MMIO_ADDRESS_MAX;
	struct hsm_ioeventfd key = { };
	int ret;

	if ((args->flags & ~HSM_IOEVENTFD_FLAGS) || args->reserved)
		return -EINVAL;
	/*
	 * The Linux HSM's lengths. KVM's length 0 ("any access at addr")
	 * has no single range the core could route.
	 */
	if (args->len != 1 && args->len != 2 && args->len != 4 &&
	    args->len != 8)
		return -EINVAL;
	if (args->addr > max || args->len - 1 > max - args->addr)
		return -EINVAL;
	if (args->fd > INT_MAX)
		return -EBADF;

	key.type = pio ? VIOREQ_TYPE_PORTIO : VIOREQ_TYPE_MMIO;
	key.addr = args->addr;
	key.len = args->len;
	key.datamatch = args->flags & ACRN_IOEVENTFD_FLAG_DATAMATCH;
	key.data = key.datamatch ? args->data : 0;
	key.eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(key.eventfd))
		return PTR_ERR(key.eventfd);

	if (args->flags & ACRN_IOEVENTFD_FLAG_DEASSIGN)
		ret = hsm_ioeventfd_deassign(vm, &key);
	else
		ret = hsm_ioeventfd_assign(vm, &key);
	if (key.eventfd)
		eventfd_ctx_put(key.eventfd);
	return ret;
}

void hsm_ioeventfd_vm_init(struct hsm_vm *vm)
{
	mutex_init(&vm->ioeventfds_lock);
	INIT_LIST_HEAD(&vm->ioeventfds);
}

/*
 * VM destruction, once its clients are destroyed: every ioeventfd goes,
 * with its eventfd reference, and no new one can be assigned. A handler
 * still running takes ioeventfds_lock and finds the list empty.
 */
void hsm_ioeventfd_vm_release(struct hsm_vm *vm)
{
	struct hsm_ioeventfd *p, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&vm->ioeventfds_lock);
	vm->ioeventfds_closed = true;
	list_splice_init(&vm->ioeventfds, &gone);
	hsm_ioeventfd_client_put_unused(vm);
	mutex_unlock(&vm->ioeventfds_lock);
	list_for_each_entry_safe(p, tmp, &gone, node)
		hsm_ioeventfd_free(p);
}
