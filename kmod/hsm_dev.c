// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/acrn_hsm: the misc device, its ioctls (<linux/acrn.h>), module
 * parameters and the choice of backend.
 *
 * One VM per open file. Every ioctl argument is copied in and checked
 * before use; the I/O request state machine itself is the core's.
 */
#define pr_fmt(fmt) "vioreq: " fmt

#include <linux/acrn.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

#include "vioreq/spec_gen.h"
#include "vioreq/uapi_gen.h"
#include "internal.h"

/* REQ-ABI-004: the generated numbers are the kernel uapi's. */
static_assert(VIOREQ_IOCTL_TYPE == ACRN_IOCTL_TYPE);
static_assert(VIOREQ_IOCTL_CREATE_VM == ACRN_IOCTL_CREATE_VM);
static_assert(VIOREQ_IOCTL_DESTROY_VM == ACRN_IOCTL_DESTROY_VM);
static_assert(VIOREQ_IOCTL_START_VM == ACRN_IOCTL_START_VM);
static_assert(VIOREQ_IOCTL_PAUSE_VM == ACRN_IOCTL_PAUSE_VM);
static_assert(VIOREQ_IOCTL_RESET_VM == ACRN_IOCTL_RESET_VM);
static_assert(VIOREQ_IOCTL_SET_VCPU_REGS == ACRN_IOCTL_SET_VCPU_REGS);
static_assert(VIOREQ_IOCTL_INJECT_MSI == ACRN_IOCTL_INJECT_MSI);
static_assert(VIOREQ_IOCTL_SET_IRQLINE == ACRN_IOCTL_SET_IRQLINE);
static_assert(VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH ==
	      ACRN_IOCTL_NOTIFY_REQUEST_FINISH);
static_assert(VIOREQ_IOCTL_CREATE_IOREQ_CLIENT ==
	      ACRN_IOCTL_CREATE_IOREQ_CLIENT);
static_assert(VIOREQ_IOCTL_ATTACH_IOREQ_CLIENT ==
	      ACRN_IOCTL_ATTACH_IOREQ_CLIENT);
static_assert(VIOREQ_IOCTL_DESTROY_IOREQ_CLIENT ==
	      ACRN_IOCTL_DESTROY_IOREQ_CLIENT);
static_assert(VIOREQ_IOCTL_CLEAR_VM_IOREQ == ACRN_IOCTL_CLEAR_VM_IOREQ);
static_assert(VIOREQ_IOCTL_SET_MEMSEG == ACRN_IOCTL_SET_MEMSEG);
static_assert(VIOREQ_IOCTL_UNSET_MEMSEG == ACRN_IOCTL_UNSET_MEMSEG);
static_assert(VIOREQ_IOCTL_IOEVENTFD == ACRN_IOCTL_IOEVENTFD);
static_assert(VIOREQ_IOCTL_IRQFD == ACRN_IOCTL_IRQFD);
static_assert(VIOREQ_IOCTL_VM_INTR_MONITOR == ACRN_IOCTL_VM_INTR_MONITOR);
static_assert(VIOREQ_IOCTL_SET_PTDEV_INTR == ACRN_IOCTL_SET_PTDEV_INTR);
static_assert(VIOREQ_IOCTL_RESET_PTDEV_INTR == ACRN_IOCTL_RESET_PTDEV_INTR);
static_assert(VIOREQ_IOCTL_ASSIGN_PCIDEV == ACRN_IOCTL_ASSIGN_PCIDEV);
static_assert(VIOREQ_IOCTL_DEASSIGN_PCIDEV == ACRN_IOCTL_DEASSIGN_PCIDEV);
static_assert(VIOREQ_IOCTL_ASSIGN_MMIODEV == ACRN_IOCTL_ASSIGN_MMIODEV);
static_assert(VIOREQ_IOCTL_DEASSIGN_MMIODEV == ACRN_IOCTL_DEASSIGN_MMIODEV);
static_assert(VIOREQ_IOCTL_CREATE_VDEV == ACRN_IOCTL_CREATE_VDEV);
static_assert(VIOREQ_IOCTL_DESTROY_VDEV == ACRN_IOCTL_DESTROY_VDEV);
static_assert(VIOREQ_IOCTL_PM_GET_CPU_STATE == ACRN_IOCTL_PM_GET_CPU_STATE);
static_assert(VIOREQ_IOCTL_CREATE_VM_ARG_SIZE ==
	      sizeof(struct acrn_vm_creation));
static_assert(VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH_ARG_SIZE ==
	      sizeof(struct acrn_ioreq_notify));
static_assert(VIOREQ_IOCTL_SET_VCPU_REGS_ARG_SIZE ==
	      sizeof(struct acrn_vcpu_regs));
static_assert(VIOREQ_IOCTL_INJECT_MSI_ARG_SIZE ==
	      sizeof(struct acrn_msi_entry));
static_assert(VIOREQ_IOCTL_SET_MEMSEG_ARG_SIZE ==
	      sizeof(struct acrn_vm_memmap));
static_assert(VIOREQ_IOCTL_UNSET_MEMSEG_ARG_SIZE ==
	      sizeof(struct acrn_vm_memmap));
static_assert(VIOREQ_IOCTL_SET_IRQLINE_ARG_SIZE == sizeof(__u64));
static_assert(VIOREQ_IOCTL_IOEVENTFD_ARG_SIZE ==
	      sizeof(struct acrn_ioeventfd));
static_assert(VIOREQ_IOCTL_IRQFD_ARG_SIZE == sizeof(struct acrn_irqfd));
static_assert(VIOREQ_IOCTL_VM_INTR_MONITOR_ARG_SIZE == sizeof(unsigned long));
static_assert(VIOREQ_IOCTL_SET_PTDEV_INTR_ARG_SIZE ==
	      sizeof(struct acrn_ptdev_irq));
static_assert(VIOREQ_IOCTL_RESET_PTDEV_INTR_ARG_SIZE ==
	      sizeof(struct acrn_ptdev_irq));
static_assert(VIOREQ_IOCTL_ASSIGN_PCIDEV_ARG_SIZE ==
	      sizeof(struct acrn_pcidev));
static_assert(VIOREQ_IOCTL_DEASSIGN_PCIDEV_ARG_SIZE ==
	      sizeof(struct acrn_pcidev));
static_assert(VIOREQ_IOCTL_ASSIGN_MMIODEV_ARG_SIZE ==
	      sizeof(struct acrn_mmiodev));
static_assert(VIOREQ_IOCTL_DEASSIGN_MMIODEV_ARG_SIZE ==
	      sizeof(struct acrn_mmiodev));
static_assert(VIOREQ_IOCTL_CREATE_VDEV_ARG_SIZE == sizeof(struct acrn_vdev));
static_assert(VIOREQ_IOCTL_DESTROY_VDEV_ARG_SIZE == sizeof(struct acrn_vdev));
static_assert(VIOREQ_IOCTL_PM_GET_CPU_STATE_ARG_SIZE == sizeof(__u64));
/* REQ-VMM-003: the type field of the PM command word. */
static_assert(VIOREQ_PMCMD_TYPE_MASK == PMCMD_TYPE_MASK);
/* REQ-ABI-001/002: the core's page is the uapi's request buffer. */
static_assert(sizeof(struct vioreq_page) ==
	      sizeof(struct acrn_io_request_buffer));
static_assert(sizeof(struct vioreq_slot) == sizeof(struct acrn_io_request));
static_assert(VIOREQ_SLOT_COUNT == ACRN_IO_REQUEST_MAX);
static_assert(offsetof(struct vioreq_slot, processed) ==
	      offsetof(struct acrn_io_request, processed));
static_assert(offsetof(struct vioreq_slot, kernel_handled) ==
	      offsetof(struct acrn_io_request, kernel_handled));
static_assert(offsetof(struct vioreq_slot, completion_polling) ==
	      offsetof(struct acrn_io_request, completion_polling));
static_assert(offsetof(struct vioreq_slot, data) ==
	      offsetof(struct acrn_io_request, reqs));
static_assert(VIOREQ_STATE_PENDING == ACRN_IOREQ_STATE_PENDING &&
	      VIOREQ_STATE_COMPLETE == ACRN_IOREQ_STATE_COMPLETE &&
	      VIOREQ_STATE_PROCESSING == ACRN_IOREQ_STATE_PROCESSING &&
	      VIOREQ_STATE_FREE == ACRN_IOREQ_STATE_FREE);
static_assert(VIOREQ_ERESTARTSYS == ERESTARTSYS);

static char *backend = "auto";
module_param(backend, charp, 0444);
MODULE_PARM_DESC(backend,
		 "hypervisor backend: acrn, sim (the test simulator, only when asked for) or auto (acrn when an ACRN hypervisor is detected, else refuse)");

const struct vioreq_backend *vioreq_be;

static int hsm_param_get_atomic(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops hsm_param_atomic_ops = {
	.get = hsm_param_get_atomic,
};

module_param_cb(live_vms, &hsm_param_atomic_ops, &hsm_live_vms, 0444);
MODULE_PARM_DESC(live_vms, "VMs alive (read only)");
module_param_cb(live_clients, &hsm_param_atomic_ops, &hsm_live_clients, 0444);
MODULE_PARM_DESC(live_clients, "I/O clients alive (read only)");
module_param_cb(pinned_pages, &hsm_param_atomic_ops, &hsm_pinned_pages, 0444);
MODULE_PARM_DESC(pinned_pages, "ioreq and guest RAM pages pinned (read only)");
module_param_cb(live_eventfds, &hsm_param_atomic_ops, &hsm_live_eventfds,
		0444);
MODULE_PARM_DESC(live_eventfds, "ioeventfds and irqfds alive (read only)");
module_param_cb(stranded_vms, &hsm_param_atomic_ops, &hsm_stranded_vms, 0444);
MODULE_PARM_DESC(stranded_vms,
		 "VMs the hypervisor refused to destroy, retried every second; their pages stay pinned (read only)");

/* The VM of one open /dev/acrn_hsm; lock orders CREATE/DESTROY_VM. */
struct hsm_file {
	struct mutex lock;
	struct hsm_vm *vm;
};

static int hsm_open(struct inode *inode, struct file *filp)
{
	struct hsm_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	filp->private_data = f;
	return nonseekable_open(inode, filp);
}

static int hsm_release(struct inode *inode, struct file *filp)
{
	struct hsm_file *f = filp->private_data;

	if (f->vm) {
		hsm_vm_destroy(f->vm);
		hsm_vm_put(f->vm);
	}
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static long hsm_create_vm(struct hsm_file *f, void __user *uarg)
{
	struct acrn_vm_creation *param;
	struct hsm_vm *vm;
	long ret = 0;

	param = memdup_user(uarg, sizeof(*param));
	if (IS_ERR(param))
		return PTR_ERR(param);
	if (param->reserved0 || param->reserved1) {
		ret = -EINVAL;
		goto out;
	}
	mutex_lock(&f->lock);
	if (f->vm) {
		ret = -EEXIST;
		goto out_unlock;
	}
	vm = hsm_vm_create(param);
	if (IS_ERR(vm)) {
		ret = PTR_ERR(vm);
		goto out_unlock;
	}
	if (copy_to_user(uarg, param, sizeof(*param))) {
		hsm_vm_destroy(vm);
		hsm_vm_put(vm);
		ret = -EFAULT;
		goto out_unlock;
	}
	f->vm = vm;
out_unlock:
	mutex_unlock(&f->lock);
out:
	kfree(param);
	return ret;
}

static long hsm_set_vcpu_regs(struct hsm_vm *vm, void __user *uarg)
{
	struct acrn_vcpu_regs *regs;
	struct acrn_regs *r;
	long ret;
	int i;

	regs = memdup_user(uarg, sizeof(*regs));
	if (IS_ERR(regs))
		return PTR_ERR(regs);
	r = &regs->vcpu_regs;
	ret = -EINVAL;
	if (regs->vcpu_id >= vm->vcpu_num)
		goto out;
	for (i = 0; i < ARRAY_SIZE(regs->reserved); i++)
		if (regs->reserved[i])
			goto out;
	for (i = 0; i < ARRAY_SIZE(r->reserved_32); i++)
		if (r->reserved_32[i])
			goto out;
	for (i = 0; i < ARRAY_SIZE(r->reserved_64); i++)
		if (r->reserved_64[i])
			goto out;
	for (i = 0; i < ARRAY_SIZE(r->gdt.reserved); i++)
		if (r->gdt.reserved[i] || r->idt.reserved[i])
			goto out;
	ret = hsm_vm_hypercall(vm, VIOREQ_HC_SET_VCPU_REGS, virt_to_phys(regs));
out:
	kfree(regs);
	return ret < 0 ? ret : 0;
}

/*
 * Hand a kmalloc'ed copy of an ioctl argument (memdup_user) to the
 * hypervisor, which reads it by physical address, and free it.
 */
static long hsm_vm_pass_buf(struct hsm_vm *vm, u32 id, void *buf)
{
	long ret = hsm_vm_hypercall(vm, id, virt_to_phys(buf));

	kfree(buf);
	return ret;
}

/*
 * The ioctls whose argument the module does not interpret (REQ-VMM-001):
 * the whole struct is copied in and passed on unchanged.
 */
static long hsm_vm_pass_arg(struct hsm_vm *vm, u32 id, void __user *uarg,
			    size_t size)
{
	void *buf = memdup_user(uarg, size);

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	return hsm_vm_pass_buf(vm, id, buf);
}

static long hsm_inject_msi(struct hsm_vm *vm, void __user *uarg)
{
	return hsm_vm_pass_arg(vm, VIOREQ_HC_INJECT_MSI, uarg,
			       sizeof(struct acrn_msi_entry));
}

/* SET_PTDEV_INTR, RESET_PTDEV_INTR: an interrupt type of the uapi only. */
static long hsm_ptdev_intr(struct hsm_vm *vm, u32 id, void __user *uarg)
{
	struct acrn_ptdev_irq *irq;

	irq = memdup_user(uarg, sizeof(*irq));
	if (IS_ERR(irq))
		return PTR_ERR(irq);
	if (irq->type != ACRN_PTDEV_IRQ_INTX &&
	    irq->type != ACRN_PTDEV_IRQ_MSI &&
	    irq->type != ACRN_PTDEV_IRQ_MSIX) {
		kfree(irq);
		return -EINVAL;
	}
	return hsm_vm_pass_buf(vm, id, irq);
}

/* ASSIGN_PCIDEV, DEASSIGN_PCIDEV: the uapi's assignment type bits only. */
static long hsm_pcidev(struct hsm_vm *vm, u32 id, void __user *uarg)
{
	struct acrn_pcidev *pcidev;

	pcidev = memdup_user(uarg, sizeof(*pcidev));
	if (IS_ERR(pcidev))
		return PTR_ERR(pcidev);
	if (pcidev->type & ~ACRN_PTDEV_QUIRK_ASSIGN) {
		kfree(pcidev);
		return -EINVAL;
	}
	return hsm_vm_pass_buf(vm, id, pcidev);
}

/*
 * PM_GET_CPU_STATE (REQ-VMM-003): the command word names its target VM
 * itself (the hypervisor checks it), so this is no hypercall on this VM.
 * The answer goes to a zeroed buffer of the size of that type's answer,
 * which is copied over the command word: the hypervisor writes only part
 * of it (a count is one byte in ACRN), and no kernel heap bytes may reach
 * userspace.
 */
static long hsm_pm_get_cpu_state(void __user *uarg)
{
	size_t size;
	void *buf;
	long ret;
	u64 cmd;

	if (copy_from_user(&cmd, uarg, sizeof(cmd)))
		return -EFAULT;
	if (cmd & ~GENMASK_ULL(VIOREQ_PMCMD_BITS - 1, 0))
		return -EINVAL;
	switch (cmd & VIOREQ_PMCMD_TYPE_MASK) {
	case ACRN_PMCMD_GET_PX_CNT:
	case ACRN_PMCMD_GET_CX_CNT:
		size = sizeof(u64);
		break;
	case ACRN_PMCMD_GET_PX_DATA:
		size = sizeof(struct acrn_pstate_data);
		break;
	case ACRN_PMCMD_GET_CX_DATA:
		size = sizeof(struct acrn_cstate_data);
		break;
	default:
		return -EINVAL;
	}
	buf = kzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = hsm_hypercall(VIOREQ_HC_PM_GET_CPU_STATE, cmd, virt_to_phys(buf));
	if (ret >= 0 && copy_to_user(uarg, buf, size))
		ret = -EFAULT;
	kfree(buf);
	return ret < 0 ? ret : 0;
}

static long hsm_notify_finish(struct hsm_vm *vm, void __user *uarg)
{
	struct acrn_ioreq_notify notify;

	if (copy_from_user(&notify, uarg, sizeof(notify)))
		return -EFAULT;
	if (notify.reserved || notify.vmid != vm->vmid)
		return -EINVAL;
	return hsm_default_client_finish(vm, notify.vcpu);
}

static long hsm_memseg(struct hsm_vm *vm, void __user *uarg, bool unset)
{
	struct acrn_vm_memmap memmap;

	if (copy_from_user(&memmap, uarg, sizeof(memmap)))
		return -EFAULT;
	return hsm_vm_set_memseg(vm, &memmap, unset);
}

static long hsm_ioeventfd(struct hsm_vm *vm, void __user *uarg)
{
	struct acrn_ioeventfd args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	return hsm_ioeventfd_config(vm, &args);
}

static long hsm_irqfd(struct hsm_vm *vm, void __user *uarg)
{
	struct acrn_irqfd args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	return hsm_irqfd_config(vm, &args);
}

static long hsm_vm_ioctl(struct hsm_vm *vm, unsigned int cmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	/* The generated numbers; the asserts above tie them to <linux/acrn.h>. */
	switch (cmd) {
	case VIOREQ_IOCTL_START_VM:
		return hsm_vm_hypercall(vm, VIOREQ_HC_START_VM, 0);
	case VIOREQ_IOCTL_PAUSE_VM:
		return hsm_vm_hypercall(vm, VIOREQ_HC_PAUSE_VM, 0);
	case VIOREQ_IOCTL_RESET_VM:
		return hsm_vm_hypercall(vm, VIOREQ_HC_RESET_VM, 0);
	case VIOREQ_IOCTL_SET_VCPU_REGS:
		return hsm_set_vcpu_regs(vm, uarg);
	case VIOREQ_IOCTL_INJECT_MSI:
		return hsm_inject_msi(vm, uarg);
	case VIOREQ_IOCTL_SET_IRQLINE:
		/* The argument is the value itself (gsi | op << 32). */
		return hsm_vm_hypercall(vm, VIOREQ_HC_SET_IRQLINE, arg);
	case VIOREQ_IOCTL_VM_INTR_MONITOR:
		/* The argument is the page's user address itself. */
		return hsm_vm_intr_monitor(vm, arg);
	case VIOREQ_IOCTL_SET_MEMSEG:
		return hsm_memseg(vm, uarg, false);
	case VIOREQ_IOCTL_UNSET_MEMSEG:
		return hsm_memseg(vm, uarg, true);
	case VIOREQ_IOCTL_CREATE_IOREQ_CLIENT:
		return hsm_default_client_create(vm);
	case VIOREQ_IOCTL_ATTACH_IOREQ_CLIENT:
		return hsm_default_client_attach(vm);
	case VIOREQ_IOCTL_DESTROY_IOREQ_CLIENT:
		return hsm_default_client_destroy(vm);
	case VIOREQ_IOCTL_NOTIFY_REQUEST_FINISH:
		return hsm_notify_finish(vm, uarg);
	case VIOREQ_IOCTL_CLEAR_VM_IOREQ:
		return hsm_vm_clear_ioreq(vm);
	case VIOREQ_IOCTL_IOEVENTFD:
		return hsm_ioeventfd(vm, uarg);
	case VIOREQ_IOCTL_IRQFD:
		return hsm_irqfd(vm, uarg);
	case VIOREQ_IOCTL_SET_PTDEV_INTR:
		return hsm_ptdev_intr(vm, VIOREQ_HC_SET_PTDEV_INTR, uarg);
	case VIOREQ_IOCTL_RESET_PTDEV_INTR:
		return hsm_ptdev_intr(vm, VIOREQ_HC_RESET_PTDEV_INTR, uarg);
	case VIOREQ_IOCTL_ASSIGN_PCIDEV:
		return hsm_pcidev(vm, VIOREQ_HC_ASSIGN_PCIDEV, uarg);
	case VIOREQ_IOCTL_DEASSIGN_PCIDEV:
		return hsm_pcidev(vm, VIOREQ_HC_DEASSIGN_PCIDEV, uarg);
	case VIOREQ_IOCTL_ASSIGN_MMIODEV:
		return hsm_vm_pass_arg(vm, VIOREQ_HC_ASSIGN_MMIODEV, uarg,
				       sizeof(struct acrn_mmiodev));
	case VIOREQ_IOCTL_DEASSIGN_MMIODEV:
		return hsm_vm_pass_arg(vm, VIOREQ_HC_DEASSIGN_MMIODEV, uarg,
				       sizeof(struct acrn_mmiodev));
	case VIOREQ_IOCTL_CREATE_VDEV:
		return hsm_vm_pass_arg(vm, VIOREQ_HC_CREATE_VDEV, uarg,
				       sizeof(struct acrn_vdev));
	case VIOREQ_IOCTL_DESTROY_VDEV:
		return hsm_vm_pass_arg(vm, VIOREQ_HC_DESTROY_VDEV, uarg,
				       sizeof(struct acrn_vdev));
	case VIOREQ_IOCTL_PM_GET_CPU_STATE:
		/* The file needs a VM (Linux HSM); the word names its own. */
		return hsm_pm_get_cpu_state(uarg);
	default:
		return -ENOTTY;
	}
}

static long hsm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct hsm_file *f = filp->private_data;
	struct hsm_vm *vm;
	long ret;

	if (cmd == VIOREQ_IOCTL_CREATE_VM)
		return hsm_create_vm(f, (void __user *)arg);

	mutex_lock(&f->lock);
	vm = f->vm;
	if (!vm) {
		mutex_unlock(&f->lock);
		return -EINVAL;
	}
	if (cmd == VIOREQ_IOCTL_DESTROY_VM) {
		f->vm = NULL;
		mutex_unlock(&f->lock);
		hsm_vm_destroy(vm);
		hsm_vm_put(vm);
		return 0;
	}
	kref_get(&vm->ref);
	mutex_unlock(&f->lock);
	ret = hsm_vm_ioctl(vm, cmd, arg);
	hsm_vm_put(vm);
	return ret;
}

static const struct file_operations hsm_fops = {
	.owner		= THIS_MODULE,
	.open		= hsm_open,
	.release	= hsm_release,
	.unlocked_ioctl	= hsm_ioctl,
	/*
	 * No compat_ioctl, as in the Linux HSM: struct acrn_cstate_data and
	 * others differ in size for 32-bit callers, who get -ENOTTY.
	 */
	.llseek		= no_llseek,
};

static struct miscdevice hsm_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "acrn_hsm",
	.fops	= &hsm_fops,
};

/* An ACRN hypervisor under us, whether or not this kernel can drive it. */
static bool hsm_acrn_signature(void)
{
	return boot_cpu_has(X86_FEATURE_HYPERVISOR) &&
	       hypervisor_cpuid_base("ACRNACRNACRN", 0);
}

static const struct vioreq_backend *hsm_pick_backend(void)
{
	bool sim = sysfs_streq(backend, "sim");
	bool acrn = sysfs_streq(backend, "acrn");
	bool detected = hsm_acrn_signature();

	if (!sim && !acrn && !sysfs_streq(backend, "auto")) {
		pr_err("backend=%s: want sim, acrn or auto\n", backend);
		return ERR_PTR(-EINVAL);
	}
	/*
	 * The simulator, and with it /dev/vioreq_sim, exists only when asked
	 * for by name: auto never falls back to it.
	 */
	if (sim)
		return &vioreq_backend_sim;
#if IS_ENABLED(CONFIG_ACRN_GUEST)
	if (vioreq_acrn_present())
		return &vioreq_backend_acrn;
#endif
	if (!IS_ENABLED(CONFIG_ACRN_GUEST))
		pr_err("backend=%s: %s; this kernel has no CONFIG_ACRN_GUEST\n",
		       backend, detected ? "ACRN hypervisor detected" :
		       "no ACRN hypervisor");
	else
		pr_err("backend=%s: no ACRN hypervisor detected\n", backend);
	if (!acrn && !detected)
		pr_info("backend=sim loads the test simulator instead\n");
	return ERR_PTR(-ENODEV);
}

static int __init vioreq_init(void)
{
	int ret;

	vioreq_be = hsm_pick_backend();
	if (IS_ERR(vioreq_be))
		return PTR_ERR(vioreq_be);
	ret = hsm_ioreq_init();
	if (ret)
		return ret;
	ret = hsm_irqfd_init();
	if (ret)
		goto err_ioreq;
	ret = vioreq_be->init();
	if (ret)
		goto err_irqfd;
	vioreq_be->setup_upcall(hsm_upcall);
	hsm_debugfs_init();
	ret = misc_register(&hsm_misc);
	if (ret)
		goto err_backend;
	pr_info("/dev/acrn_hsm ready, backend %s\n", vioreq_be->name);
	return 0;

err_backend:
	hsm_debugfs_exit();
	vioreq_be->remove_upcall();
	vioreq_be->exit();
err_irqfd:
	hsm_irqfd_exit();
err_ioreq:
	hsm_ioreq_exit();
	return ret;
}

static void __exit vioreq_exit(void)
{
	misc_deregister(&hsm_misc);
	/* Open files and stranded VMs pin the module: no VM is left. */
	hsm_vm_exit();
	hsm_debugfs_exit();
	vioreq_be->remove_upcall();
	vioreq_be->exit();
	hsm_irqfd_exit();
	hsm_ioreq_exit();
	pr_info("unloaded\n");
}

module_init(vioreq_init);
module_exit(vioreq_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vioreq: ACRN I/O request manager (/dev/acrn_hsm) around a verified core");
