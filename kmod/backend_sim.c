// SPDX-License-Identifier: GPL-2.0
/*
 * The sim backend: an in-kernel stand-in for the ACRN hypervisor, and its
 * control device /dev/vioreq_sim (include/uapi/vioreq_sim.h) through which
 * a test program plays the hypervisor's side of the ioreq page.
 *
 * The simulator sees the module's hypercalls exactly as ACRN would: ids
 * from uapi_gen.h, physical addresses of kernel buffers as parameters. It
 * keeps its own reference on each VM's ioreq page (get_page at
 * SET_IOREQ_BUFFER, put at DESTROY_VM), so it never touches a page the
 * module has unpinned. All its state is under sim_lock, a spinlock, so
 * that the wait conditions can look at it.
 */
#define pr_fmt(fmt) "vioreq: " fmt

#include <linux/acrn.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/unaligned.h>

#include "vioreq/spec_gen.h"
#include "vioreq/uapi_gen.h"
#include "uapi/vioreq_sim.h"
#include "internal.h"

#define SIM_LOG_SIZE		1024u
#define SIM_MAX_REGIONS		64u
#define SIM_WORDS		(VIOREQ_SLOT_SIZE / 4)
#define SIM_PROCESSED_WORD	(offsetof(struct vioreq_slot, processed) / 4)

static_assert(VIOREQ_SIM_MAX_VCPUS == VIOREQ_SLOT_COUNT);
static_assert(sizeof(((struct vioreq_sim_inject *)0)->raw) ==
	      VIOREQ_SLOT_SIZE);

struct sim_vm {
	bool used;
	bool running;		/* started and not paused since */
	u16 vcpu_num;
	struct page *page;			/* our own reference */
	u32 polling[VIOREQ_SLOT_COUNT];	/* as injected */
	u32 notified[VIOREQ_SLOT_COUNT];	/* since the last injection */
};

static DEFINE_SPINLOCK(sim_lock);
static struct sim_vm sim_vms[VIOREQ_SIM_MAX_VMS];
static u32 sim_vcpu_num = VIOREQ_SIM_MAX_VCPUS;
static u32 sim_fail_id;
static u32 sim_fail_count;
static s32 sim_fail_errno;
/* Bumped on every hypercall: the waiters' condition. */
static unsigned long sim_gen;
static DECLARE_WAIT_QUEUE_HEAD(sim_wq);

static struct vioreq_sim_hcall sim_log[SIM_LOG_SIZE];
static u32 sim_log_head;	/* oldest entry */
static u32 sim_log_count;
static u32 sim_log_lost;
static u64 sim_seq;

static void (*sim_upcall)(void);

/* ------------------------------------------------------------ hypervisor */

static void sim_log_add(struct vioreq_sim_hcall *ev)
{
	lockdep_assert_held(&sim_lock);
	ev->seq = ++sim_seq;
	if (sim_log_count == SIM_LOG_SIZE) {
		sim_log_head = (sim_log_head + 1) % SIM_LOG_SIZE;
		sim_log_count--;
		sim_log_lost++;
	}
	sim_log[(sim_log_head + sim_log_count) % SIM_LOG_SIZE] = *ev;
	sim_log_count++;
}

static struct sim_vm *sim_vm_get(unsigned long vmid)
{
	if (vmid >= VIOREQ_SIM_MAX_VMS || !sim_vms[vmid].used)
		return NULL;
	return &sim_vms[vmid];
}

static struct vioreq_page *sim_page(struct sim_vm *s)
{
	return s->page ? page_address(s->page) : NULL;
}

static long sim_create_vm(unsigned long pa, struct vioreq_sim_hcall *ev)
{
	struct acrn_vm_creation *p = phys_to_virt(pa);
	u32 vmid;

	for (vmid = 0; vmid < VIOREQ_SIM_MAX_VMS; vmid++)
		if (!sim_vms[vmid].used)
			break;
	if (vmid == VIOREQ_SIM_MAX_VMS)
		return -ENOSPC;
	memset(&sim_vms[vmid], 0, sizeof(sim_vms[vmid]));
	sim_vms[vmid].used = true;
	sim_vms[vmid].vcpu_num = sim_vcpu_num;
	p->vmid = vmid;
	p->vcpu_num = sim_vcpu_num;
	ev->vmid = vmid;
	ev->args[0] = sim_vcpu_num;
	ev->args[1] = p->vm_flag;
	ev->args[2] = p->cpu_affinity;
	ev->args[3] = p->ioreq_buf;
	return 0;
}

static long sim_set_ioreq_buffer(struct sim_vm *s, unsigned long pa,
				 struct vioreq_sim_hcall *ev)
{
	struct hsm_ioreq_buffer *buf = phys_to_virt(pa);
	struct vioreq_page *pg;
	u64 page_pa = buf->ioreq_buf;
	u32 v;

	ev->args[0] = page_pa;
	if (s->page)
		return -EEXIST;
	if (!PAGE_ALIGNED(page_pa) || !pfn_valid(PHYS_PFN(page_pa)))
		return -EINVAL;
	s->page = pfn_to_page(PHYS_PFN(page_pa));
	get_page(s->page);
	/* As ACRN does: every slot starts FREE. */
	pg = sim_page(s);
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		smp_store_release(&pg->slot[v].processed, VIOREQ_STATE_FREE);
	return 0;
}

static long sim_set_memory_regions(unsigned long pa,
				   struct vioreq_sim_hcall *ev)
{
	struct hsm_mem_region_batch *batch = phys_to_virt(pa);
	struct hsm_mem_region_op *op;
	u32 i;

	ev->vmid = batch->vmid;
	if (!sim_vm_get(batch->vmid))
		return -EINVAL;
	if (!batch->regions_num || batch->regions_num > SIM_MAX_REGIONS)
		return -EINVAL;
	op = phys_to_virt(batch->regions_gpa);
	/* One log entry per region; the last one is logged by the caller. */
	for (i = 0; i < batch->regions_num; i++) {
		ev->args[0] = op[i].type;
		ev->args[1] = op[i].attr;
		ev->args[2] = op[i].user_vm_pa;
		ev->args[3] = op[i].service_vm_pa;
		ev->args[4] = op[i].size;
		if (i + 1 < batch->regions_num)
			sim_log_add(ev);
	}
	return 0;
}

static u64 sim_fnv1a64(const void *buf, size_t len)
{
	const u8 *b = buf;
	u64 h = VIOREQ_SIM_FNV1A64_BASIS;

	while (len--) {
		h ^= *b++;
		h *= VIOREQ_SIM_FNV1A64_PRIME;
	}
	return h;
}

/* The VM a hypercall is for, as the log shows it. */
static u16 sim_hcall_vmid(u32 id, unsigned long p1)
{
	if (id == VIOREQ_HC_CREATE_VM || id == VIOREQ_HC_SET_MEMORY_REGIONS)
		return 0xffff;	/* set from the answer or the batch */
	if (id == VIOREQ_HC_PM_GET_CPU_STATE)
		return (p1 >> VIOREQ_PMCMD_VMID_SHIFT) &
		       VIOREQ_PMCMD_FIELD_MASK;
	return p1 < VIOREQ_SIM_MAX_VMS ? p1 : 0xffff;
}

/* VM_INTR_MONITOR: the page is only read here (what ACRN reads first). */
static long sim_intr_monitor(unsigned long pa, struct vioreq_sim_hcall *ev)
{
	const u64 *words;

	ev->args[0] = pa;
	if (!PAGE_ALIGNED(pa) || !pfn_valid(PHYS_PFN(pa)))
		return -EINVAL;
	words = page_address(pfn_to_page(PHYS_PFN(pa)));
	ev->args[1] = READ_ONCE(words[0]);
	ev->args[2] = READ_ONCE(words[1]);
	return 0;
}

/*
 * The pass-through calls whose struct the hypervisor reads: a few fields
 * and the hash of the whole struct go to the log (vioreq_sim.h).
 */
static long sim_passthru(u32 id, unsigned long pa, struct vioreq_sim_hcall *ev)
{
	const struct acrn_ptdev_irq *irq = phys_to_virt(pa);
	const struct acrn_mmiodev *mmio = phys_to_virt(pa);
	const struct acrn_pcidev *pci = phys_to_virt(pa);
	const struct acrn_vdev *vdev = phys_to_virt(pa);
	size_t size;

	switch (id) {
	case VIOREQ_HC_SET_PTDEV_INTR:
	case VIOREQ_HC_RESET_PTDEV_INTR:
		ev->args[0] = irq->type;
		ev->args[1] = irq->virt_bdf;
		ev->args[2] = irq->phys_bdf;
		ev->args[3] = irq->intx.virt_pin;
		ev->args[4] = irq->intx.phys_pin;
		size = sizeof(*irq);
		break;
	case VIOREQ_HC_ASSIGN_PCIDEV:
	case VIOREQ_HC_DEASSIGN_PCIDEV:
		ev->args[0] = pci->type;
		ev->args[1] = pci->virt_bdf;
		ev->args[2] = pci->phys_bdf;
		ev->args[3] = pci->intr_line | (u32)pci->intr_pin << 8;
		ev->args[4] = pci->bar[0];
		size = sizeof(*pci);
		break;
	case VIOREQ_HC_ASSIGN_MMIODEV:
	case VIOREQ_HC_DEASSIGN_MMIODEV:
		ev->args[0] = get_unaligned_le64(mmio->name);
		ev->args[1] = mmio->res[0].user_vm_pa;
		ev->args[2] = mmio->res[0].service_vm_pa;
		ev->args[3] = mmio->res[0].size;
		ev->args[4] = mmio->res[0].mem_type;
		size = sizeof(*mmio);
		break;
	default:	/* CREATE_VDEV, DESTROY_VDEV */
		ev->args[0] = vdev->id.value;
		ev->args[1] = vdev->slot;
		ev->args[2] = vdev->io_addr[0];
		ev->args[3] = vdev->io_size[0];
		ev->args[4] = get_unaligned_le64(vdev->args);
		size = sizeof(*vdev);
		break;
	}
	ev->args[5] = sim_fnv1a64(phys_to_virt(pa), size);
	return 0;
}

/* PM_GET_CPU_STATE: the fake power states of vioreq_sim.h. */
static long sim_pm_get_cpu_state(unsigned long cmd, unsigned long pa,
				 struct vioreq_sim_hcall *ev)
{
	u32 n = (cmd >> VIOREQ_PMCMD_STATE_SHIFT) & VIOREQ_PMCMD_FIELD_MASK;
	struct acrn_pstate_data *px = phys_to_virt(pa);
	struct acrn_cstate_data *cx = phys_to_virt(pa);
	u8 *count = phys_to_virt(pa);

	ev->args[0] = cmd;
	if (!sim_vm_get(ev->vmid))
		return -EINVAL;
	switch (cmd & VIOREQ_PMCMD_TYPE_MASK) {
	case ACRN_PMCMD_GET_PX_CNT:
		*count = VIOREQ_SIM_PX_CNT;
		ev->args[1] = sizeof(*count);
		return 0;
	case ACRN_PMCMD_GET_CX_CNT:
		*count = VIOREQ_SIM_CX_CNT;
		ev->args[1] = sizeof(*count);
		return 0;
	case ACRN_PMCMD_GET_PX_DATA:
		if (n >= VIOREQ_SIM_PX_CNT)
			return -EINVAL;
		px->core_frequency = 2000 - 100 * n;
		px->power = 10000 - 1000 * n;
		px->transition_latency = 10 + n;
		px->bus_master_latency = 20 + n;
		px->control = 0x1000 + n;
		px->status = 0x2000 + n;
		ev->args[1] = sizeof(*px);
		return 0;
	case ACRN_PMCMD_GET_CX_DATA:
		if (!n || n > VIOREQ_SIM_CX_CNT)
			return -EINVAL;
		cx->cx_reg.space_id = 1;
		cx->cx_reg.bit_width = 8;
		cx->cx_reg.bit_offset = 0;
		cx->cx_reg.access_size = 1;
		cx->cx_reg.address = 0x400 + n;
		cx->type = n;
		cx->latency = 100 * n;
		cx->power = 1000 - 100 * n;
		ev->args[1] = sizeof(*cx);
		return 0;
	default:
		return -EINVAL;
	}
}

/* One hypercall, sim_lock held; *put gets a page reference to drop. */
static long sim_do_hypercall(u32 id, unsigned long p1, unsigned long p2,
			     struct vioreq_sim_hcall *ev, struct page **put)
{
	struct acrn_vcpu_regs *regs;
	struct acrn_msi_entry *msi;
	struct sim_vm *s;

	ev->vmid = sim_hcall_vmid(id, p1);
	if (id == VIOREQ_HC_CREATE_VM)
		return sim_create_vm(p1, ev);
	if (id == VIOREQ_HC_SET_MEMORY_REGIONS)
		return sim_set_memory_regions(p1, ev);
	if (id == VIOREQ_HC_PM_GET_CPU_STATE)
		return sim_pm_get_cpu_state(p1, p2, ev);

	/* Every other call names the VM in its first parameter. */
	s = sim_vm_get(p1);
	if (!s)
		return -EINVAL;
	switch (id) {
	case VIOREQ_HC_DESTROY_VM:
		/* As ACRN: only a VM that is not running is destroyed. */
		if (s->running)
			return -EBUSY;
		*put = s->page;
		memset(s, 0, sizeof(*s));
		return 0;
	case VIOREQ_HC_START_VM:
		s->running = true;
		return 0;
	case VIOREQ_HC_PAUSE_VM:
		s->running = false;
		return 0;
	case VIOREQ_HC_RESET_VM:
		return 0;
	case VIOREQ_HC_SET_IOREQ_BUFFER:
		return sim_set_ioreq_buffer(s, p2, ev);
	case VIOREQ_HC_NOTIFY_REQUEST_FINISH:
		ev->args[0] = p2;
		if (p2 >= s->vcpu_num)
			return -EINVAL;
		s->notified[p2]++;
		return 0;
	case VIOREQ_HC_SET_VCPU_REGS:
		regs = phys_to_virt(p2);
		ev->args[0] = regs->vcpu_id;
		ev->args[1] = le64_to_cpu(regs->vcpu_regs.rip);
		ev->args[2] = le64_to_cpu(regs->vcpu_regs.gprs.rsp);
		ev->args[3] = le64_to_cpu(regs->vcpu_regs.cr0);
		ev->args[4] = le64_to_cpu(regs->vcpu_regs.cr3);
		ev->args[5] = le64_to_cpu(regs->vcpu_regs.cr4);
		return regs->vcpu_id < s->vcpu_num ? 0 : -EINVAL;
	case VIOREQ_HC_SET_IRQLINE:
		ev->args[0] = p2;
		return 0;
	case VIOREQ_HC_INJECT_MSI:
		msi = phys_to_virt(p2);
		ev->args[0] = msi->msi_addr;
		ev->args[1] = msi->msi_data;
		return 0;
	case VIOREQ_HC_VM_INTR_MONITOR:
		return sim_intr_monitor(p2, ev);
	case VIOREQ_HC_SET_PTDEV_INTR:
	case VIOREQ_HC_RESET_PTDEV_INTR:
	case VIOREQ_HC_ASSIGN_PCIDEV:
	case VIOREQ_HC_DEASSIGN_PCIDEV:
	case VIOREQ_HC_ASSIGN_MMIODEV:
	case VIOREQ_HC_DEASSIGN_MMIODEV:
	case VIOREQ_HC_CREATE_VDEV:
	case VIOREQ_HC_DESTROY_VDEV:
		return sim_passthru(id, p2, ev);
	default:
		return -EINVAL;
	}
}

static long sim_hypercall(u32 id, unsigned long p1, unsigned long p2)
{
	struct vioreq_sim_hcall ev = { .id = id, .vmid = 0xffff };
	struct page *put = NULL;
	long ret;

	spin_lock(&sim_lock);
	if (sim_fail_id == id && sim_fail_count) {
		sim_fail_count--;
		if (!sim_fail_count)
			sim_fail_id = 0;
		ret = sim_fail_errno;
		ev.vmid = sim_hcall_vmid(id, p1);
	} else {
		ret = sim_do_hypercall(id, p1, p2, &ev, &put);
	}
	ev.ret = ret;
	sim_log_add(&ev);
	sim_gen++;
	spin_unlock(&sim_lock);
	if (put)
		put_page(put);
	wake_up_all(&sim_wq);
	return ret;
}

static void sim_setup_upcall(void (*handler)(void))
{
	WRITE_ONCE(sim_upcall, handler);
}

static void sim_remove_upcall(void)
{
	WRITE_ONCE(sim_upcall, NULL);
}

static void sim_fire_upcall(void)
{
	void (*handler)(void) = READ_ONCE(sim_upcall);

	if (handler)
		handler();
}

/* ------------------------------------------------------------ control device */

/* The VM and slot of a request (sim_lock held). */
static int sim_slot(u16 vmid, u32 vcpu, struct sim_vm **sp,
		    struct vioreq_slot **slotp)
{
	struct sim_vm *s = sim_vm_get(vmid);

	if (!s || !s->page)
		return -ENOENT;
	if (vcpu >= s->vcpu_num)
		return -EINVAL;
	*sp = s;
	*slotp = &sim_page(s)->slot[vcpu];
	return 0;
}

static void sim_write_request(struct vioreq_slot *slot,
			      const struct vioreq_sim_inject *in)
{
	u32 *w = (u32 *)slot;
	u32 i;

	for (i = 0; i < SIM_WORDS; i++)
		if (i != SIM_PROCESSED_WORD)
			WRITE_ONCE(w[i], 0);
	WRITE_ONCE(slot->type, in->type);
	WRITE_ONCE(slot->completion_polling, in->completion_polling);
	WRITE_ONCE(slot->data[VIOREQ_REQ_DIRECTION_WORD], in->direction);
	WRITE_ONCE(slot->data[VIOREQ_REQ_SIZE_WORD], lower_32_bits(in->size));
	WRITE_ONCE(slot->data[VIOREQ_REQ_SIZE_WORD + 1],
		   upper_32_bits(in->size));
	WRITE_ONCE(slot->data[VIOREQ_REQ_VALUE_WORD],
		   lower_32_bits(in->value));
	if (in->type == ACRN_IOREQ_TYPE_PCICFG) {
		WRITE_ONCE(slot->data[VIOREQ_REQ_PCI_BUS_WORD], in->pci_bus);
		WRITE_ONCE(slot->data[VIOREQ_REQ_PCI_DEV_WORD], in->pci_dev);
		WRITE_ONCE(slot->data[VIOREQ_REQ_PCI_FUNC_WORD], in->pci_func);
		WRITE_ONCE(slot->data[VIOREQ_REQ_PCI_REG_WORD], in->pci_reg);
	} else {
		WRITE_ONCE(slot->data[VIOREQ_REQ_ADDRESS_WORD],
			   lower_32_bits(in->address));
		WRITE_ONCE(slot->data[VIOREQ_REQ_ADDRESS_WORD + 1],
			   upper_32_bits(in->address));
		WRITE_ONCE(slot->data[VIOREQ_REQ_VALUE_WORD + 1],
			   upper_32_bits(in->value));
	}
}

static long sim_inject(void __user *uarg)
{
	struct vioreq_sim_inject *in;
	struct vioreq_slot *slot;
	struct sim_vm *s;
	u32 state, polling;
	long ret;

	in = memdup_user(uarg, sizeof(*in));
	if (IS_ERR(in))
		return PTR_ERR(in);
	ret = -EINVAL;
	if (in->reserved0 || (in->flags & ~VIOREQ_SIM_INJECT_FLAGS))
		goto out;

	spin_lock(&sim_lock);
	ret = sim_slot(in->vmid, in->vcpu, &s, &slot);
	if (ret)
		goto out_unlock;
	ret = -EBUSY;
	if (!(in->flags & VIOREQ_SIM_INJECT_FORCE) &&
	    READ_ONCE(slot->processed) != VIOREQ_STATE_FREE)
		goto out_unlock;
	if (in->flags & VIOREQ_SIM_INJECT_RAW) {
		const u32 *raw = (const u32 *)in->raw;
		u32 *w = (u32 *)slot;
		u32 i;

		for (i = 0; i < SIM_WORDS; i++)
			if (i != SIM_PROCESSED_WORD)
				WRITE_ONCE(w[i], raw[i]);
		state = raw[SIM_PROCESSED_WORD];
		polling = raw[offsetof(struct vioreq_slot,
				       completion_polling) / 4];
	} else {
		sim_write_request(slot, in);
		state = VIOREQ_STATE_PENDING;
		polling = in->completion_polling;
	}
	s->polling[in->vcpu] = polling;
	s->notified[in->vcpu] = 0;
	smp_store_release(&slot->processed, state);
	ret = 0;
out_unlock:
	spin_unlock(&sim_lock);
	if (!ret && !(in->flags & VIOREQ_SIM_INJECT_NO_UPCALL))
		sim_fire_upcall();
out:
	kfree(in);
	return ret;
}

/* Whether the wait is over (0), not yet (-EAGAIN), or fails. */
static int sim_wait_check(struct vioreq_sim_wait *w)
{
	struct vioreq_slot *slot;
	struct sim_vm *s;
	bool done;
	int ret;

	spin_lock(&sim_lock);
	ret = sim_slot(w->vmid, w->vcpu, &s, &slot);
	if (ret)
		goto out;
	w->state = smp_load_acquire(&slot->processed);
	w->kernel_handled = READ_ONCE(slot->kernel_handled);
	w->value = READ_ONCE(slot->data[VIOREQ_REQ_VALUE_WORD]) |
		   (u64)READ_ONCE(slot->data[VIOREQ_REQ_VALUE_WORD + 1]) << 32;
	w->notified = s->notified[w->vcpu];
	done = w->state == VIOREQ_STATE_COMPLETE &&
	       (s->polling[w->vcpu] || s->notified[w->vcpu] ||
		(w->flags & VIOREQ_SIM_WAIT_NO_NOTIFY));
	ret = -EAGAIN;
	if (!done)
		goto out;
	if (!(w->flags & VIOREQ_SIM_WAIT_KEEP))
		smp_store_release(&slot->processed, VIOREQ_STATE_FREE);
	ret = 0;
out:
	spin_unlock(&sim_lock);
	return ret;
}

static long sim_wait(void __user *uarg)
{
	struct vioreq_sim_wait w;
	unsigned long deadline;
	long ret;

	if (copy_from_user(&w, uarg, sizeof(w)))
		return -EFAULT;
	if (w.reserved0 || w.reserved1 || (w.flags & ~VIOREQ_SIM_WAIT_FLAGS))
		return -EINVAL;
	deadline = jiffies + msecs_to_jiffies(w.timeout_ms);
	for (;;) {
		unsigned long gen = READ_ONCE(sim_gen);
		long left;

		ret = sim_wait_check(&w);
		if (ret != -EAGAIN)
			break;
		left = (long)(deadline - jiffies);
		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		/* Notifications wake us; polled completions are looked for
		 * every few milliseconds. */
		left = wait_event_interruptible_timeout(sim_wq,
				READ_ONCE(sim_gen) != gen,
				min_t(long, left, msecs_to_jiffies(2) + 1));
		if (left < 0) {
			ret = -EINTR;
			break;
		}
	}
	if (ret != -ENOENT && ret != -EINVAL && ret != -EINTR &&
	    copy_to_user(uarg, &w, sizeof(w)))
		return -EFAULT;
	return ret;
}

static long sim_read_slot(void __user *uarg)
{
	struct vioreq_sim_slot *rs;
	struct vioreq_slot *slot;
	struct sim_vm *s;
	long ret;

	rs = memdup_user(uarg, sizeof(*rs));
	if (IS_ERR(rs))
		return PTR_ERR(rs);
	ret = -EINVAL;
	if (rs->reserved0)
		goto out;
	spin_lock(&sim_lock);
	ret = sim_slot(rs->vmid, rs->vcpu, &s, &slot);
	if (!ret) {
		const u32 *w = (const u32 *)slot;
		u32 *raw = (u32 *)rs->raw;
		u32 i;

		for (i = 0; i < SIM_WORDS; i++)
			raw[i] = READ_ONCE(w[i]);
	}
	spin_unlock(&sim_lock);
	if (!ret && copy_to_user(uarg, rs, sizeof(*rs)))
		ret = -EFAULT;
out:
	kfree(rs);
	return ret;
}

static long sim_hcalls(void __user *uarg)
{
	struct vioreq_sim_hcalls *h;
	long ret = 0;
	u32 i;

	h = memdup_user(uarg, sizeof(*h));
	if (IS_ERR(h))
		return PTR_ERR(h);
	if (!h->max || h->max > VIOREQ_SIM_HCALL_BATCH) {
		ret = -EINVAL;
		goto out;
	}
	if (h->timeout_ms) {
		ret = wait_event_interruptible_timeout(sim_wq,
				READ_ONCE(sim_log_count) != 0,
				msecs_to_jiffies(h->timeout_ms));
		if (ret < 0) {
			ret = -EINTR;
			goto out;
		}
		ret = 0;
	}
	spin_lock(&sim_lock);
	for (i = 0; i < h->max && sim_log_count; i++) {
		h->ev[i] = sim_log[sim_log_head];
		sim_log_head = (sim_log_head + 1) % SIM_LOG_SIZE;
		sim_log_count--;
	}
	h->count = i;
	h->lost = sim_log_lost;
	sim_log_lost = 0;
	spin_unlock(&sim_lock);
	if (copy_to_user(uarg, h, sizeof(*h)))
		ret = -EFAULT;
out:
	kfree(h);
	return ret;
}

static long sim_config(void __user *uarg)
{
	struct vioreq_sim_config c;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if (c.vcpu_num > VIOREQ_SIM_MAX_VCPUS)
		return -EINVAL;
	if (c.fail_id && (c.fail_errno >= 0 || c.fail_errno < -MAX_ERRNO))
		return -EINVAL;
	spin_lock(&sim_lock);
	if (c.vcpu_num)
		sim_vcpu_num = c.vcpu_num;
	sim_fail_id = c.fail_id;
	sim_fail_errno = c.fail_errno;
	sim_fail_count = c.fail_id ? max(c.fail_count, 1u) : 0;
	spin_unlock(&sim_lock);
	return 0;
}

static long sim_stats(void __user *uarg)
{
	struct vioreq_sim_stats st;
	struct vioreq_counters *k;
	struct hsm_vm *vm;
	u32 i;

	if (copy_from_user(&st, uarg, sizeof(st)))
		return -EFAULT;
	if (st.reserved0)
		return -EINVAL;
	vm = hsm_vm_find(st.vmid);
	if (!vm)
		return -ENOENT;
	st = (struct vioreq_sim_stats){ .vmid = st.vmid };
	mutex_lock(&vm->lock);
	k = &vm->core->counters;
	for (i = 0; i < VIOREQ_CLIENTS_PER_VM; i++)
		st.clients += vm->clients[i] != NULL;
	for (i = 0; i < VIOREQ_SLOT_COUNT; i++)
		if (vm->core->slot_owner[i] != VIOREQ_CLIENT_NONE)
			st.held_mask |= BIT(i);
	for (i = 0; i < VIOREQ_TYPE_COUNT; i++)
		st.dispatched[i] = k->dispatched[i];
	st.completed = k->completed;
	st.malformed = k->malformed;
	st.unroutable = k->unroutable;
	st.orphaned = k->orphaned;
	st.cleared = k->cleared;
	st.conf1_address = k->conf1_address;
	st.bad_state = k->bad_state;
	mutex_unlock(&vm->lock);
	st.upcalls = atomic64_read(&hsm_upcalls);
	st.notified = atomic64_read(&vm->notified);
	hsm_vm_put(vm);
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long sim_testdev(void __user *uarg, bool attach)
{
	struct vioreq_sim_testdev td;
	struct hsm_vm *vm;
	long ret;

	if (copy_from_user(&td, uarg, sizeof(td)))
		return -EFAULT;
	if (td.reserved0)
		return -EINVAL;
	vm = hsm_vm_find(td.vmid);
	if (!vm)
		return -ENOENT;
	if (attach)
		ret = vioreq_testdev_attach(vm, td.type, td.start, td.end,
					    td.flags, &td.id);
	else
		ret = vioreq_testdev_detach(vm, td.id);
	hsm_vm_put(vm);
	if (!ret && attach && copy_to_user(uarg, &td, sizeof(td)))
		ret = -EFAULT;
	return ret;
}

static long sim_testdev_gate(void __user *uarg)
{
	struct vioreq_sim_testdev_gate g;
	struct hsm_vm *vm;
	long ret;

	if (copy_from_user(&g, uarg, sizeof(g)))
		return -EFAULT;
	if (g.reserved0)
		return -EINVAL;
	vm = hsm_vm_find(g.vmid);
	if (!vm)
		return -ENOENT;
	ret = vioreq_testdev_gate(vm, g.id, g.open, &g.entered);
	hsm_vm_put(vm);
	if (!ret && copy_to_user(uarg, &g, sizeof(g)))
		ret = -EFAULT;
	return ret;
}

static long sim_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VIOREQ_SIM_INJECT:
		return sim_inject(uarg);
	case VIOREQ_SIM_WAIT:
		return sim_wait(uarg);
	case VIOREQ_SIM_READ_SLOT:
		return sim_read_slot(uarg);
	case VIOREQ_SIM_UPCALL:
		sim_fire_upcall();
		return 0;
	case VIOREQ_SIM_HCALLS:
		return sim_hcalls(uarg);
	case VIOREQ_SIM_CONFIG:
		return sim_config(uarg);
	case VIOREQ_SIM_STATS:
		return sim_stats(uarg);
	case VIOREQ_SIM_TESTDEV_ATTACH:
		return sim_testdev(uarg, true);
	case VIOREQ_SIM_TESTDEV_DETACH:
		return sim_testdev(uarg, false);
	case VIOREQ_SIM_TESTDEV_GATE:
		return sim_testdev_gate(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations sim_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= sim_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice sim_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vioreq_sim",
	.fops	= &sim_fops,
};

static int sim_init(void)
{
	return misc_register(&sim_misc);
}

static void sim_exit(void)
{
	u32 i;

	misc_deregister(&sim_misc);
	/* Pages of VMs never destroyed (cannot happen: files pin us). */
	for (i = 0; i < VIOREQ_SIM_MAX_VMS; i++) {
		if (sim_vms[i].page)
			put_page(sim_vms[i].page);
		memset(&sim_vms[i], 0, sizeof(sim_vms[i]));
	}
}

const struct vioreq_backend vioreq_backend_sim = {
	.name		= "sim",
	.init		= sim_init,
	.exit		= sim_exit,
	.hypercall	= sim_hypercall,
	.setup_upcall	= sim_setup_upcall,
	.remove_upcall	= sim_remove_upcall,
};
