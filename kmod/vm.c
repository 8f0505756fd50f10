// SPDX-License-Identifier: GPL-2.0
/*
 * VM lifetime: creation (hypercall, ioreq page pinned and handed to the
 * hypervisor), destruction, the VM list the dispatcher scans, the VM
 * management hypercalls and the interrupt monitor page.
 */
#define pr_fmt(fmt) "vioreq: " fmt

#include <linux/acrn.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vioreq/client.h"
#include "vioreq/uapi_gen.h"
#include "internal.h"

DEFINE_MUTEX(hsm_vm_list_lock);
LIST_HEAD(hsm_vm_list);
atomic_t hsm_live_vms = ATOMIC_INIT(0);
atomic_t hsm_pinned_pages = ATOMIC_INIT(0);
atomic_t hsm_stranded_vms = ATOMIC_INIT(0);

/*
 * A VM whose DESTROY_VM hypercall failed: the hypervisor may still map its
 * pages, so they stay pinned, and DESTROY_VM is tried again every
 * HSM_STRANDED_RETRY until it succeeds. Each one holds a reference on the
 * module, so it cannot be unloaded under them.
 */
struct hsm_stranded {
	struct list_head node;
	u16 vmid;
	struct page *ioreq_page;
	struct page *monitor_page;
	struct list_head ram_maps;
};

#define HSM_STRANDED_RETRY	HZ

static LIST_HEAD(hsm_stranded_list);
static DEFINE_MUTEX(hsm_stranded_lock);
static void hsm_stranded_retry(struct work_struct *work);
static DECLARE_DELAYED_WORK(hsm_stranded_work, hsm_stranded_retry);

static void hsm_ram_map_free(struct hsm_ram_map *map, unsigned long pinned);
static long hsm_vm_destroy_hypercalls(u16 vmid);
static void hsm_vm_unpin(struct page *page, struct page *monitor,
			 struct list_head *maps);
static void hsm_vm_strand(u16 vmid, long err, struct page *page,
			  struct page *monitor, struct list_head *maps);

long hsm_hypercall(u32 id, unsigned long p1, unsigned long p2)
{
	return vioreq_be->hypercall(id, p1, p2);
}

static void hsm_vm_release(struct kref *kref)
{
	struct hsm_vm *vm = container_of(kref, struct hsm_vm, ref);

	/* hsm_vm_destroy has freed the RAM maps of a VM it was given. */
	WARN_ON_ONCE(!list_empty(&vm->ram_maps));
	/* Only reached without hsm_vm_destroy on a failed create. */
	if (vm->ioreq_page) {
		unpin_user_page(vm->ioreq_page);
		atomic_dec(&hsm_pinned_pages);
	}
	kvfree(vm->core);
	kfree(vm);
	atomic_dec(&hsm_live_vms);
}

void hsm_vm_put(struct hsm_vm *vm)
{
	kref_put(&vm->ref, hsm_vm_release);
}

static int hsm_vm_set_ioreq_buffer(struct hsm_vm *vm)
{
	struct hsm_ioreq_buffer *buf;
	long ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	buf->ioreq_buf = page_to_phys(vm->ioreq_page);
	ret = hsm_hypercall(VIOREQ_HC_SET_IOREQ_BUFFER, vm->vmid,
			    virt_to_phys(buf));
	kfree(buf);
	return ret < 0 ? (int)ret : 0;
}

/*
 * Create a VM as ACRN_IOCTL_CREATE_VM asks: param is a kmalloc'ed copy of
 * the user's struct, whose reserved fields the caller checked; vmid and
 * vcpu_num are filled in from the hypervisor's answer.
 */
struct hsm_vm *hsm_vm_create(struct acrn_vm_creation *param)
{
	unsigned long buf = (unsigned long)param->ioreq_buf;
	struct hsm_vm *vm;
	long ret;

	if (param->ioreq_buf != buf || !PAGE_ALIGNED(buf))
		return ERR_PTR(-EINVAL);
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&hsm_live_vms);
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->node);
	INIT_LIST_HEAD(&vm->ram_maps);
	init_rwsem(&vm->hc_lock);
	init_waitqueue_head(&vm->clear_wq);
	atomic64_set(&vm->notified, 0);
	hsm_ioeventfd_vm_init(vm);
	hsm_irqfd_vm_init(vm);
	vm->core = kvzalloc(sizeof(*vm->core), GFP_KERNEL);
	if (!vm->core) {
		ret = -ENOMEM;
		goto err_put;
	}
	vioreq_vm_init(vm->core);

	/* One whole, writable, page-aligned page, pinned for the VM's life. */
	ret = pin_user_pages_fast(buf, 1, FOLL_WRITE | FOLL_LONGTERM,
				  &vm->ioreq_page);
	if (ret != 1) {
		vm->ioreq_page = NULL;
		ret = ret < 0 ? ret : -EFAULT;
		goto err_put;
	}
	atomic_inc(&hsm_pinned_pages);
	vm->page = page_address(vm->ioreq_page);

	ret = hsm_hypercall(VIOREQ_HC_CREATE_VM, virt_to_phys(param), 0);
	if (ret < 0) {
		pr_debug("create VM hypercall failed: %ld\n", ret);
		goto err_put;
	}
	vm->vmid = param->vmid;
	vm->vcpu_num = param->vcpu_num;
	if (!vm->vcpu_num || vm->vcpu_num > VIOREQ_SLOT_COUNT) {
		pr_err("vm %u: hypervisor gave %u vCPUs\n", vm->vmid,
		       vm->vcpu_num);
		ret = -EINVAL;
		goto err_destroy;
	}
	ret = hsm_vm_set_ioreq_buffer(vm);
	if (ret)
		goto err_destroy;

	mutex_lock(&hsm_vm_list_lock);
	kref_get(&vm->ref);
	list_add_tail(&vm->node, &hsm_vm_list);
	vm->listed = true;
	mutex_unlock(&hsm_vm_list_lock);
	hsm_debugfs_vm_add(vm);
	pr_debug("vm %u created, %u vCPUs\n", vm->vmid, vm->vcpu_num);
	return vm;

err_destroy:
	hsm_hypercall(VIOREQ_HC_DESTROY_VM, vm->vmid, 0);
err_put:
	hsm_vm_put(vm);
	return ERR_PTR(ret);
}

/*
 * Destroy a VM: its clients are destroyed (held requests completed,
 * sleepers woken with -ENODEV), its ioeventfds and irqfds released, the
 * hypervisor is told, and the ioreq page, the guest RAM and the interrupt
 * monitor page are unpinned. The caller still holds its reference and
 * drops it after.
 *
 * Context: process context (ioctl, or the file's release: at the last
 * close, at exit after exit_mm(), or in the delayed fput worker), with no
 * lock held: the guest RAM maps are uncharged from their mm's locked_vm
 * under that mm's mmap_lock (hsm_ram_map_uncharge).
 */
void hsm_vm_destroy(struct hsm_vm *vm)
{
	struct page *page, *monitor;
	LIST_HEAD(maps);
	bool listed;
	long ret;

	/* First, while everything the file shows is still there. */
	hsm_debugfs_vm_remove(vm);
	mutex_lock(&hsm_vm_list_lock);
	listed = vm->listed;
	if (listed) {
		list_del_init(&vm->node);
		vm->listed = false;
	}
	mutex_unlock(&hsm_vm_list_lock);

	hsm_vm_destroy_clients(vm);
	/* The eventfds' references, and no work item left on this VM. */
	hsm_irqfd_vm_release(vm);
	hsm_ioeventfd_vm_release(vm);
	/*
	 * Wait for the hypercalls naming this VM that are under way, and
	 * allow no more: after DESTROY_VM the hypervisor may give the vmid
	 * to another VM.
	 */
	down_write(&vm->hc_lock);
	vm->hc_gone = true;
	ret = hsm_vm_destroy_hypercalls(vm->vmid);
	up_write(&vm->hc_lock);

	/* vm->dead and hc_gone are set: nothing reads or writes the page
	 * any more, and no RAM map is added. */
	mutex_lock(&vm->lock);
	page = vm->ioreq_page;
	vm->ioreq_page = NULL;
	vm->page = NULL;
	monitor = vm->monitor_page;
	vm->monitor_page = NULL;
	list_splice_init(&vm->ram_maps, &maps);
	mutex_unlock(&vm->lock);
	if (ret < 0)
		hsm_vm_strand(vm->vmid, ret, page, monitor, &maps);
	else
		hsm_vm_unpin(page, monitor, &maps);
	if (listed)
		hsm_vm_put(vm);
}

/*
 * ACRN destroys only a paused VM. acrn-dm pauses it before DESTROY_VM; a
 * VM whose file is closed by a dying acrn-dm may still run, so pause it
 * here (a VM paused already, or never started, is not refused).
 */
static long hsm_vm_destroy_hypercalls(u16 vmid)
{
	hsm_hypercall(VIOREQ_HC_PAUSE_VM, vmid, 0);
	return hsm_hypercall(VIOREQ_HC_DESTROY_VM, vmid, 0);
}

/* Unpin the pages of a VM the hypervisor has destroyed. */
static void hsm_vm_unpin(struct page *page, struct page *monitor,
			 struct list_head *maps)
{
	struct hsm_ram_map *map, *tmp;

	list_for_each_entry_safe(map, tmp, maps, node)
		hsm_ram_map_free(map, map->npages);
	if (page) {
		unpin_user_pages_dirty_lock(&page, 1, true);
		atomic_dec(&hsm_pinned_pages);
	}
	if (monitor) {
		unpin_user_pages_dirty_lock(&monitor, 1, true);
		atomic_dec(&hsm_pinned_pages);
	}
}

/*
 * DESTROY_VM failed: keep the pages pinned and try again later. Without
 * memory for the record, the pages stay pinned for good (as the Linux HSM
 * does on every failed destroy).
 */
static void hsm_vm_strand(u16 vmid, long err, struct page *page,
			  struct page *monitor, struct list_head *maps)
{
	struct hsm_stranded *s = kzalloc(sizeof(*s), GFP_KERNEL);

	pr_err("vm %u: the hypervisor refused to destroy it (%ld); its pages stay pinned%s\n",
	       vmid, err, s ? " until it accepts" : " for good");
	if (!s)
		return;
	s->vmid = vmid;
	s->ioreq_page = page;
	s->monitor_page = monitor;
	INIT_LIST_HEAD(&s->ram_maps);
	list_splice_init(maps, &s->ram_maps);
	__module_get(THIS_MODULE);
	atomic_inc(&hsm_stranded_vms);
	mutex_lock(&hsm_stranded_lock);
	list_add_tail(&s->node, &hsm_stranded_list);
	mutex_unlock(&hsm_stranded_lock);
	schedule_delayed_work(&hsm_stranded_work, HSM_STRANDED_RETRY);
}

static void hsm_stranded_retry(struct work_struct *work)
{
	struct hsm_stranded *s, *tmp;
	LIST_HEAD(destroyed);
	unsigned int n = 0;

	mutex_lock(&hsm_stranded_lock);
	list_for_each_entry_safe(s, tmp, &hsm_stranded_list, node)
		if (hsm_vm_destroy_hypercalls(s->vmid) >= 0)
			list_move_tail(&s->node, &destroyed);
	if (!list_empty(&hsm_stranded_list))
		schedule_delayed_work(&hsm_stranded_work, HSM_STRANDED_RETRY);
	mutex_unlock(&hsm_stranded_lock);
	list_for_each_entry_safe(s, tmp, &destroyed, node) {
		pr_info("vm %u: destroyed at a later attempt, pages unpinned\n",
			s->vmid);
		hsm_vm_unpin(s->ioreq_page, s->monitor_page, &s->ram_maps);
		kfree(s);
		atomic_dec(&hsm_stranded_vms);
		n++;
	}
	/* Each put may let rmmod go on; module exit waits for this work. */
	while (n--)
		module_put(THIS_MODULE);
}

/* Module exit: nothing is stranded (each holds the module), no work left. */
void hsm_vm_exit(void)
{
	cancel_delayed_work_sync(&hsm_stranded_work);
}

/* A VM by its vmid, with a reference; NULL when there is none. */
struct hsm_vm *hsm_vm_find(u16 vmid)
{
	struct hsm_vm *vm, *found = NULL;

	mutex_lock(&hsm_vm_list_lock);
	list_for_each_entry(vm, &hsm_vm_list, node) {
		if (vm->vmid == vmid) {
			kref_get(&vm->ref);
			found = vm;
			break;
		}
	}
	mutex_unlock(&hsm_vm_list_lock);
	return found;
}

/**
 * hsm_vm_hypercall() - make a hypercall that names a VM
 * @vm: the VM, whose vmid is the first parameter
 * @id: the hypercall (VIOREQ_HC_*, not DESTROY_VM)
 * @param2: the second parameter
 *
 * Context: process context; takes vm->hc_lock for read, so never call it
 * with vm->lock held.
 * Return: 0 on success, -ENODEV once the VM is destroyed, or the
 * hypervisor's negative error code.
 */
int hsm_vm_hypercall(struct hsm_vm *vm, u32 id, unsigned long param2)
{
	long ret = -ENODEV;

	down_read(&vm->hc_lock);
	if (!vm->hc_gone)
		ret = hsm_hypercall(id, vm->vmid, param2);
	up_read(&vm->hc_lock);
	return ret < 0 ? (int)ret : 0;
}

/**
 * hsm_vm_intr_monitor() - ACRN_IOCTL_VM_INTR_MONITOR (REQ-VMM-002)
 * @vm: the VM
 * @uaddr: user address of a page, which the hypervisor reads and writes
 *	(interrupt counts of the VM's pass-through devices)
 *
 * The page is pinned for the call and, as in the Linux HSM, kept pinned
 * until the next successful call or the VM's destruction. It is installed
 * with hc_lock still held for read, so hsm_vm_destroy, which takes it
 * after DESTROY_VM, either finds it or made this call fail with -ENODEV.
 *
 * Context: process context, no lock held (pin_user_pages_fast takes
 * mmap_lock; hc_lock is taken before vm->lock).
 * Return: 0; -EINVAL when @uaddr is not page aligned; -EFAULT (or the pin's
 * error) when the page cannot be pinned writable; -ENODEV once the VM is
 * destroyed; or the hypervisor's error. On an error the previous page, if
 * any, stays in place.
 */
int hsm_vm_intr_monitor(struct hsm_vm *vm, unsigned long uaddr)
{
	struct page *page, *old;
	long ret;

	if (!PAGE_ALIGNED(uaddr))
		return -EINVAL;
	ret = pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, &page);
	if (ret != 1)
		return ret < 0 ? (int)ret : -EFAULT;
	atomic_inc(&hsm_pinned_pages);

	down_read(&vm->hc_lock);
	if (vm->hc_gone)
		ret = -ENODEV;
	else
		ret = hsm_hypercall(VIOREQ_HC_VM_INTR_MONITOR, vm->vmid,
				    page_to_phys(page));
	if (ret >= 0) {
		mutex_lock(&vm->lock);
		old = vm->monitor_page;
		vm->monitor_page = page;
		mutex_unlock(&vm->lock);
		page = old;	/* the one to unpin now, if any */
	}
	up_read(&vm->hc_lock);
	if (page) {
		unpin_user_pages_dirty_lock(&page, 1, true);
		atomic_dec(&hsm_pinned_pages);
	}
	return ret < 0 ? (int)ret : 0;
}

/*
 * One SET_MEMORY_REGIONS hypercall for ops[0 .. n-1] (kmalloc'ed); the
 * caller holds vm->hc_lock for read and has checked hc_gone.
 */
static int hsm_set_regions(struct hsm_vm *vm, struct hsm_mem_region_op *ops,
			   u32 n)
{
	struct hsm_mem_region_batch *batch;
	long ret;

	lockdep_assert_held(&vm->hc_lock);
	batch = kzalloc(sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	batch->vmid = vm->vmid;
	batch->regions_num = n;
	batch->regions_gpa = virt_to_phys(ops);
	ret = hsm_hypercall(VIOREQ_HC_SET_MEMORY_REGIONS, virt_to_phys(batch),
			    0);
	kfree(batch);
	return ret < 0 ? (int)ret : 0;
}

/*
 * Charge map->npages to the caller's locked_vm before pinning them, as VFIO
 * and io_uring do: -ENOMEM past RLIMIT_MEMLOCK unless the caller has
 * CAP_IPC_LOCK. Every SET_MEMSEG is charged, the same pages mapped again
 * included, so an unprivileged caller cannot pin without bound (each pin
 * adds GUP_PIN_COUNTING_BIAS to the page's refcount).
 *
 * Context: process context, no lock held: account_locked_vm() takes
 * mmap_lock for write, and pin_user_pages_fast() takes it for read after.
 */
static int hsm_ram_map_charge(struct hsm_ram_map *map)
{
	struct mm_struct *mm = current->mm;
	int ret;

	might_sleep();
	if (!mm)
		return -EFAULT;
	ret = account_locked_vm(mm, map->npages, true);
	if (ret)
		return ret;
	mmgrab(mm);
	map->mm = mm;
	return 0;
}

/*
 * Give the charge back. It may run in another task (a passed file's last
 * close, the delayed fput worker) or after the mm's process has exited (a
 * file released at exit is closed after exit_mm()): the mm is only held
 * by mmgrab(), so it is uncharged only while it still has users; an mm
 * without users is being torn down and its locked_vm no longer counts.
 * __account_locked_vm() with the lock taken here rather than
 * account_locked_vm(): a decrement needs no capability, and
 * account_locked_vm() would check CAP_IPC_LOCK of whichever task releases
 * (an audit record for nothing).
 *
 * Context: process context, no lock held (mmap_lock is taken for write).
 */
static void hsm_ram_map_uncharge(struct hsm_ram_map *map)
{
	struct mm_struct *mm = map->mm;

	if (!mm)
		return;
	might_sleep();
	map->mm = NULL;
	if (mmget_not_zero(mm)) {
		mmap_write_lock(mm);
		__account_locked_vm(mm, map->npages, false, current, false);
		mmap_write_unlock(mm);
		mmput(mm);
	}
	mmdrop(mm);
}

/* Context: process context, no lock held (hsm_ram_map_uncharge). */
static void hsm_ram_map_free(struct hsm_ram_map *map, unsigned long pinned)
{
	if (pinned) {
		unpin_user_pages_dirty_lock(map->pages, pinned, true);
		atomic_sub(pinned, &hsm_pinned_pages);
	}
	hsm_ram_map_uncharge(map);
	kvfree(map->pages);
	kfree(map);
}

/*
 * Map guest RAM: pin the user pages behind [vma_base, vma_base + len) for
 * the VM's life and give the hypervisor one region per physically
 * contiguous run, HSM_MEM_REGIONS_PER_CALL regions per hypercall.
 */
static int hsm_vm_map_ram(struct hsm_vm *vm, const struct acrn_vm_memmap *m)
{
	unsigned long npages = m->len >> PAGE_SHIFT;
	struct hsm_mem_region_op *ops;
	struct hsm_ram_map *map;
	unsigned long i, start;
	long pinned;
	u32 n = 0;
	int ret = 0;

	/* pin_user_pages_fast() takes an int count. */
	if (!PAGE_ALIGNED(m->vma_base) || m->vma_base + m->len < m->vma_base ||
	    npages > totalram_pages() || npages > INT_MAX)
		return -EINVAL;
	map = kzalloc(sizeof(*map), GFP_KERNEL);
	ops = kcalloc(HSM_MEM_REGIONS_PER_CALL, sizeof(*ops), GFP_KERNEL);
	if (!map || !ops) {
		kfree(map);
		kfree(ops);
		return -ENOMEM;
	}
	map->user_vm_pa = m->user_vm_pa;
	map->npages = npages;
	ret = hsm_ram_map_charge(map);
	if (ret) {
		pinned = 0;
		goto err;
	}
	/*
	 * npages comes from userspace: no allocation-failure splat (and no
	 * WARN in kvmalloc for more than INT_MAX bytes), just -ENOMEM.
	 */
	map->pages = kvmalloc_array(npages, sizeof(*map->pages),
				    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!map->pages) {
		ret = -ENOMEM;
		pinned = 0;
		goto err;
	}
	pinned = pin_user_pages_fast(m->vma_base, npages,
				     FOLL_WRITE | FOLL_LONGTERM, map->pages);
	if (pinned < 0) {
		ret = pinned;
		pinned = 0;
		goto err;
	}
	atomic_add(pinned, &hsm_pinned_pages);
	if (pinned != npages) {
		ret = -EFAULT;
		goto err;
	}

	down_read(&vm->hc_lock);
	if (vm->hc_gone) {
		up_read(&vm->hc_lock);
		ret = -ENODEV;
		goto err;
	}
	for (start = 0, i = 1; i <= npages; i++) {
		struct hsm_mem_region_op *op;

		if (i < npages && page_to_pfn(map->pages[i]) ==
				  page_to_pfn(map->pages[i - 1]) + 1)
			continue;
		op = &ops[n++];
		op->type = HSM_MEM_REGION_ADD;
		op->attr = ACRN_MEM_TYPE_WB | m->attr;
		op->user_vm_pa = m->user_vm_pa + (start << PAGE_SHIFT);
		op->service_vm_pa = page_to_phys(map->pages[start]);
		op->size = (u64)(i - start) << PAGE_SHIFT;
		start = i;
		if (n == HSM_MEM_REGIONS_PER_CALL || i == npages) {
			ret = hsm_set_regions(vm, ops, n);
			if (ret)
				break;
			n = 0;
		}
	}

	/*
	 * Kept even when a hypercall failed, the first one too: ACRN adds
	 * the regions of a call in order, stops at the first it refuses and
	 * undoes none, so the hypervisor may map some of the pages sent.
	 * They stay pinned until it has destroyed the VM. hc_lock is still
	 * held, so hsm_vm_destroy, which unpins the maps after DESTROY_VM,
	 * finds this one on the list.
	 */
	mutex_lock(&vm->lock);
	list_add_tail(&map->node, &vm->ram_maps);
	mutex_unlock(&vm->lock);
	up_read(&vm->hc_lock);
	kfree(ops);
	return ret;

err:
	kfree(ops);
	hsm_ram_map_free(map, pinned);
	return ret;
}

/*
 * SET_MEMSEG / UNSET_MEMSEG: MMIO regions are passed on as one region op;
 * RAM regions are pinned (hsm_vm_map_ram). As in the Linux HSM, only MMIO
 * can be unset.
 */
int hsm_vm_set_memseg(struct hsm_vm *vm, const struct acrn_vm_memmap *m,
		      bool unset)
{
	struct hsm_mem_region_op *op;
	int ret;

	if (m->type != ACRN_MEMMAP_RAM && m->type != ACRN_MEMMAP_MMIO)
		return -EINVAL;
	if (!m->len || !PAGE_ALIGNED(m->len) || !PAGE_ALIGNED(m->user_vm_pa) ||
	    m->user_vm_pa + m->len < m->user_vm_pa ||
	    (m->attr & ~ACRN_MEM_ACCESS_RIGHT_MASK))
		return -EINVAL;
	if (m->type == ACRN_MEMMAP_RAM)
		return unset ? -EINVAL : hsm_vm_map_ram(vm, m);
	if (!unset && (!PAGE_ALIGNED(m->service_vm_pa) ||
		       m->service_vm_pa + m->len < m->service_vm_pa))
		return -EINVAL;

	op = kzalloc(sizeof(*op), GFP_KERNEL);
	if (!op)
		return -ENOMEM;
	op->type = unset ? HSM_MEM_REGION_DEL : HSM_MEM_REGION_ADD;
	op->attr = unset ? 0 : ACRN_MEM_TYPE_UC | m->attr;
	op->user_vm_pa = m->user_vm_pa;
	op->service_vm_pa = unset ? 0 : m->service_vm_pa;
	op->size = m->len;
	down_read(&vm->hc_lock);
	ret = vm->hc_gone ? -ENODEV : hsm_set_regions(vm, op, 1);
	up_read(&vm->hc_lock);
	kfree(op);
	return ret;
}
