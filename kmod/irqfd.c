// SPDX-License-Identifier: GPL-2.0
/*
 * ACRN_IOCTL_IRQFD: signalling an eventfd injects an MSI into the guest
 * (vhost and other in-kernel or out-of-process backends raise interrupts
 * this way, without the VMM).
 *
 * An irqfd hangs a wait-queue entry on its eventfd. The wake-up callback
 * runs under the eventfd's wait-queue spinlock with interrupts off, and
 * the INJECT_MSI hypercall may sleep (vm->hc_lock, and the backend), so
 * the callback only queues work: `inject` makes the hypercall, `shutdown`
 * takes the irqfd down. Signals that come while an injection is queued
 * make one injection, as for an edge-triggered interrupt.
 *
 * Teardown has three triggers: DEASSIGN, EPOLLHUP (the last reference to
 * the eventfd's file went) and the VM's destruction. Whichever sets
 * HSM_IRQFD_DEAD first queues `shutdown`, exactly once; only `shutdown`
 * frees the irqfd. It first unhooks the wait entry (after which no
 * callback runs or queues work), then waits for a queued injection, so
 * nothing runs on freed memory. DEASSIGN and VM destruction then flush the
 * workqueue, so that when they return the irqfd is gone and injects no
 * more. Irqfds are on vm->irqfds until `shutdown` takes them off, which
 * is what the VM's destruction waits for.
 */
#define pr_fmt(fmt) "vioreq: " fmt

#include <linux/acrn.h>
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "vioreq/uapi_gen.h"
#include "internal.h"

/* Bit of hsm_irqfd.flags: teardown started, `shutdown` queued. */
#define HSM_IRQFD_DEAD	0

struct hsm_irqfd {
	struct hsm_vm *vm;	/* alive: hsm_irqfd_vm_release waits for us */
	struct list_head node;		/* vm->irqfds */
	struct eventfd_ctx *eventfd;	/* counted */
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct inject;
	struct work_struct shutdown;
	unsigned long flags;
	/* Given to the hypervisor by physical address: kmalloc'ed memory. */
	struct acrn_msi_entry msi;
};

/*
 * Both work items. Not WQ_MEM_RECLAIM: `shutdown` flushes `inject` of the
 * same queue, which a rescuer thread could not run alongside it.
 */
static struct workqueue_struct *hsm_irqfd_wq;

static void hsm_irqfd_inject(struct work_struct *work)
{
	struct hsm_irqfd *irqfd = container_of(work, struct hsm_irqfd, inject);
	int ret;

	ret = hsm_vm_hypercall(irqfd->vm, VIOREQ_HC_INJECT_MSI,
			       virt_to_phys(&irqfd->msi));
	/* -ENODEV: the VM is destroyed, there is no guest to interrupt. */
	if (ret && ret != -ENODEV)
		pr_warn_ratelimited("vm %u: irqfd MSI injection failed: %d\n",
				    irqfd->vm->vmid, ret);
}

/* Any context: the first caller queues the one teardown. */
static void hsm_irqfd_kill(struct hsm_irqfd *irqfd)
{
	if (!test_and_set_bit(HSM_IRQFD_DEAD, &irqfd->flags))
		queue_work(hsm_irqfd_wq, &irqfd->shutdown);
}

static void hsm_irqfd_shutdown(struct work_struct *work)
{
	struct hsm_irqfd *irqfd = container_of(work, struct hsm_irqfd,
					       shutdown);
	struct hsm_vm *vm = irqfd->vm;
	u64 count;

	/* Takes the wait-queue lock: no callback is running after this. */
	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &count);
	flush_work(&irqfd->inject);
	mutex_lock(&vm->irqfds_lock);
	list_del(&irqfd->node);
	mutex_unlock(&vm->irqfds_lock);
	eventfd_ctx_put(irqfd->eventfd);
	kfree(irqfd);
	atomic_dec(&hsm_live_eventfds);
}

/* Called with the eventfd's wait-queue lock held, interrupts off. */
static int hsm_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct hsm_irqfd *irqfd = container_of(wait, struct hsm_irqfd, wait);
	__poll_t events = key_to_poll(key);

	if (events & EPOLLIN)
		queue_work(hsm_irqfd_wq, &irqfd->inject);
	if (events & EPOLLHUP)
		hsm_irqfd_kill(irqfd);
	return 0;
}

/* vfs_poll() hands us the eventfd's wait queue. */
static void hsm_irqfd_poll_queue(struct file *file, wait_queue_head_t *wqh,
				 poll_table *pt)
{
	struct hsm_irqfd *irqfd = container_of(pt, struct hsm_irqfd, pt);

	add_wait_queue(wqh, &irqfd->wait);
}

static int hsm_irqfd_assign(struct hsm_vm *vm, const struct acrn_irqfd *args)
{
	struct eventfd_ctx *eventfd;
	struct hsm_irqfd *irqfd, *p;
	struct file *file;
	__poll_t events;
	int ret;

	file = fget(args->fd);
	if (!file)
		return -EBADF;
	eventfd = eventfd_ctx_fileget(file);
	if (IS_ERR(eventfd)) {
		ret = PTR_ERR(eventfd);
		goto out_fput;
	}
	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL);
	if (!irqfd) {
		ret = -ENOMEM;
		goto err_put;
	}
	irqfd->vm = vm;
	irqfd->eventfd = eventfd;
	irqfd->msi = args->msi;
	INIT_LIST_HEAD(&irqfd->node);
	INIT_WORK(&irqfd->inject, hsm_irqfd_inject);
	INIT_WORK(&irqfd->shutdown, hsm_irqfd_shutdown);
	init_waitqueue_func_entry(&irqfd->wait, hsm_irqfd_wakeup);
	INIT_LIST_HEAD(&irqfd->wait.entry);
	init_poll_funcptr(&irqfd->pt, hsm_irqfd_poll_queue);

	/*
	 * Under irqfds_lock from the list insertion to the first injection:
	 * neither DEASSIGN nor the VM's destruction can kill the irqfd before
	 * its wait entry is hooked, and EPOLLHUP cannot come while we hold
	 * the file.
	 */
	mutex_lock(&vm->irqfds_lock);
	if (vm->irqfds_closed) {
		ret = -ENODEV;
		goto err_unlock;
	}
	list_for_each_entry(p, &vm->irqfds, node) {
		if (p->eventfd == eventfd &&
		    !test_bit(HSM_IRQFD_DEAD, &p->flags)) {
			ret = -EBUSY;
			goto err_unlock;
		}
	}
	list_add_tail(&irqfd->node, &vm->irqfds);
	atomic_inc(&hsm_live_eventfds);
	/* Hooks the wait entry; a signal that came before is injected now. */
	events = vfs_poll(file, &irqfd->pt);
	if (events & EPOLLIN)
		queue_work(hsm_irqfd_wq, &irqfd->inject);
	mutex_unlock(&vm->irqfds_lock);
	fput(file);
	return 0;

err_unlock:
	mutex_unlock(&vm->irqfds_lock);
	kfree(irqfd);
err_put:
	eventfd_ctx_put(eventfd);
out_fput:
	fput(file);
	return ret;
}

static int hsm_irqfd_deassign(struct hsm_vm *vm, int fd)
{
	struct eventfd_ctx *eventfd;
	struct hsm_irqfd *p;
	int ret = -ENOENT;

	eventfd = eventfd_ctx_fdget(fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	mutex_lock(&vm->irqfds_lock);
	list_for_each_entry(p, &vm->irqfds, node) {
		if (p->eventfd == eventfd &&
		    !test_bit(HSM_IRQFD_DEAD, &p->flags)) {
			hsm_irqfd_kill(p);
			ret = 0;
			break;
		}
	}
	mutex_unlock(&vm->irqfds_lock);
	eventfd_ctx_put(eventfd);
	/* Return with the irqfd gone: no injection after DEASSIGN. */
	if (!ret)
		flush_workqueue(hsm_irqfd_wq);
	return ret;
}

/**
 * hsm_irqfd_config() - ACRN_IOCTL_IRQFD
 * @vm: the VM of the file
 * @args: the user's argument, copied in
 *
 * Context: process context, no lock held.
 * Return: 0; -EINVAL for unknown flags or an fd that is not an eventfd;
 * -EBADF for no fd; assign: -EBUSY when the eventfd is an irqfd of this VM
 * already, -ENODEV when the VM is being destroyed; deassign: -ENOENT when
 * the eventfd is no irqfd of this VM.
 */
int hsm_irqfd_config(struct hsm_vm *vm, const struct acrn_irqfd *args)
{
	if (args->flags & ~ACRN_IRQFD_FLAG_DEASSIGN)
		return -EINVAL;
	if (args->flags & ACRN_IRQFD_FLAG_DEASSIGN)
		return hsm_irqfd_deassign(vm, args->fd);
	return hsm_irqfd_assign(vm, args);
}

void hsm_irqfd_vm_init(struct hsm_vm *vm)
{
	mutex_init(&vm->irqfds_lock);
	INIT_LIST_HEAD(&vm->irqfds);
}

/*
 * VM destruction: no new irqfd, every irqfd killed, and back only once
 * each `shutdown` has run (the list is empty then): no work item touches
 * the VM after this.
 */
void hsm_irqfd_vm_release(struct hsm_vm *vm)
{
	struct hsm_irqfd *p;

	mutex_lock(&vm->irqfds_lock);
	vm->irqfds_closed = true;
	list_for_each_entry(p, &vm->irqfds, node)
		hsm_irqfd_kill(p);
	mutex_unlock(&vm->irqfds_lock);
	flush_workqueue(hsm_irqfd_wq);
}

int hsm_irqfd_init(void)
{
	hsm_irqfd_wq = alloc_workqueue("vioreq_irqfd", WQ_UNBOUND, 0);
	return hsm_irqfd_wq ? 0 : -ENOMEM;
}

void hsm_irqfd_exit(void)
{
	/* Every VM is gone, and with it every irqfd. */
	destroy_workqueue(hsm_irqfd_wq);
}
