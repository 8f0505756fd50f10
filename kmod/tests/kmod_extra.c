// SPDX-License-Identifier: GPL-2.0
/*
 * Extra guest checks written with the module (kmod/README.md): VM
 * management hypercalls, SET_MEMSEG, CLEAR_VM_IOREQ with a holding
 * in-kernel client, test device MMIO, teardown under traffic, and the
 * pass-through, interrupt monitor and power state ioctls (REQ-VMM-001..003,
 * one case per ioctl). Built with tests/kernel/ktest.h and hsm_util.h and
 * run by the QEMU stage (tests/kernel/run-qemu.sh builds the programs of
 * kmod/tests/ too).
 */
#include "ktest.h"
#include "hsm_util.h"
#include "vioreq/uapi_gen.h"

static struct hcall_log lg;

static void vm_mgmt(void)
{
	struct hsm_vm vm;
	int sim = sim_open();
	struct acrn_vcpu_regs regs;
	struct acrn_msi_entry msi = { .msi_addr = 0xfee00000, .msi_data = 0x31 };

	hsm_vm_create(&vm);
	sim_hcalls_drain(sim);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_START_VM, 0));
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_PAUSE_VM, 0));
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_RESET_VM, 0));
	memset(&regs, 0, sizeof(regs));
	regs.vcpu_id = 1;
	regs.vcpu_regs.rip = 0xfff0;
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_SET_VCPU_REGS, &regs));
	regs.reserved[1] = 1;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_SET_VCPU_REGS, &regs), EINVAL);
	regs.reserved[1] = 0;
	regs.vcpu_id = vm.vcpu_num;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_SET_VCPU_REGS, &regs), EINVAL);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_INJECT_MSI, &msi));
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_SET_IRQLINE, 0x100000004ull));
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_INJECT_MSI, NULL), EFAULT);
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_START_VM, vm.vmid, -1), 1);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_PAUSE_VM, vm.vmid, -1), 1);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_RESET_VM, vm.vmid, -1), 1);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_SET_VCPU_REGS, vm.vmid, 1), 1);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_INJECT_MSI, vm.vmid, 0xfee00000), 1);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_SET_IRQLINE, vm.vmid, 0x100000004ll), 1);
	hsm_vm_close(&vm);
	close(sim);
}

static void sim_fail_next(int sim, uint32_t id, int err);

static void memseg(void)
{
	struct hsm_vm vm;
	int sim = sim_open();
	struct acrn_vm_memmap m;
	long pinned0;
	void *ram = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *ram2 = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t total = 0;

	hsm_vm_create(&vm);
	pinned0 = KT_MODULE_PARAM("pinned_pages");
	sim_hcalls_drain(sim);
	memset(&m, 0, sizeof(m));
	m.type = ACRN_MEMMAP_MMIO;
	m.attr = ACRN_MEM_ACCESS_RWX;
	m.user_vm_pa = 0xc0000000;
	m.service_vm_pa = 0xd0000000;
	m.len = 0x10000;
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_SET_MEMSEG, &m));
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_UNSET_MEMSEG, &m));
	m.len = 0x1001;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_SET_MEMSEG, &m), EINVAL);
	m.len = 0x1000;
	m.user_vm_pa = ~0xfffull;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_SET_MEMSEG, &m), EINVAL);
	m.type = 7;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_SET_MEMSEG, &m), EINVAL);
	memset(&m, 0, sizeof(m));
	m.type = ACRN_MEMMAP_RAM;
	m.attr = ACRN_MEM_ACCESS_RWX;
	m.user_vm_pa = 0;
	m.vma_base = (uint64_t)(uintptr_t)ram;
	m.len = 64 * 4096;
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_SET_MEMSEG, &m));
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned0 + 64);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_UNSET_MEMSEG, &m), EINVAL);
	m.vma_base = 8;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_SET_MEMSEG, &m), EINVAL);
	m.vma_base = 0x1000;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_SET_MEMSEG, &m), EFAULT);
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned0 + 64);
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_SET_MEMORY_REGIONS, vm.vmid, 0), lg.count - 1);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_SET_MEMORY_REGIONS, vm.vmid, 2), 1);
	for (unsigned i = 0; i < lg.count; i++)
		if (lg.ev[i].args[0] == 0 && lg.ev[i].args[2] < 0xc0000000)
			total += lg.ev[i].args[4];
	KT_EQ(total, 64 * 4096);
	/* A refused region hypercall may have mapped some regions (ACRN
	 * undoes none): the pages stay pinned until the VM is destroyed. */
	m.vma_base = (uint64_t)(uintptr_t)ram2;
	m.user_vm_pa = 0x100000;
	m.len = 4 * 4096;
	sim_fail_next(sim, VIOREQ_HC_SET_MEMORY_REGIONS, EIO);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_SET_MEMSEG, &m), EIO);
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned0 + 68);
	hsm_vm_close(&vm);
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("pinned_pages") == pinned0 - 1, KT_LONG_MS));
	close(sim);
}

static void clear_hold(void)
{
	struct hsm_vm vm;
	struct vioreq_sim_wait w;
	int sim = sim_open();
	uint32_t id;
	uint64_t t0;

	hsm_vm_create(&vm);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	KT_OK(sim_testdev_attach(sim, vm.vmid, ACRN_IOREQ_TYPE_PORTIO, 0x500,
				 0x50f, VIOREQ_SIM_TESTDEV_HOLD, &id));
	KT_OK(sim_inject_pio(sim, vm.vmid, 2, ACRN_IOREQ_DIR_READ, 0x504, 4, 0, 0));
	KT_ASSERT(KT_WAIT_FOR(sim_slot_state(sim, vm.vmid, 2) == ACRN_IOREQ_STATE_PROCESSING, KT_LONG_MS));
	t0 = kt_now_ms();
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0), EBUSY);
	KT_ASSERT(kt_now_ms() - t0 >= 1500);
	/* Clearing ended: new requests are dispatched again. */
	KT_OK(sim_testdev_detach(sim, vm.vmid, id));
	KT_OK(sim_wait(sim, vm.vmid, 2, KT_LONG_MS, 0, &w));
	KT_EQ(w.value & 0xffffffff, 0xffffffffu);
	KT_OK(sim_testdev_attach(sim, vm.vmid, ACRN_IOREQ_TYPE_MMIO, 0xf0000000,
				 0xf0000fff, 0, &id));
	KT_OK(sim_inject_mmio(sim, vm.vmid, 3, ACRN_IOREQ_DIR_WRITE, 0xf0000010, 8,
			      0x1122334455667788ull));
	KT_OK(sim_wait(sim, vm.vmid, 3, KT_LONG_MS, 0, &w));
	KT_EQ(w.kernel_handled, 1);
	KT_OK(sim_inject_mmio(sim, vm.vmid, 3, ACRN_IOREQ_DIR_READ, 0xf0000010, 8, 0));
	KT_OK(sim_wait(sim, vm.vmid, 3, KT_LONG_MS, 0, &w));
	KT_EQ(w.value, 0x1122334455667788ull);
	KT_OK(sim_inject_mmio(sim, vm.vmid, 3, ACRN_IOREQ_DIR_READ, 0xf0000020, 4, 0));
	KT_OK(sim_wait(sim, vm.vmid, 3, KT_LONG_MS, 0, &w));
	KT_EQ(w.value & 0xffffffff, 0x23222120u);
	/* CLEAR with only the default client holding nothing: 0. */
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0));
	hsm_vm_close(&vm);
	close(sim);
}


struct loop_handler {
	pthread_t t;
	struct hsm_vm *vm;
	atomic_int stop;
	int err;
};

static void *loop_handler_main(void *arg)
{
	struct loop_handler *h = arg;

	while (!atomic_load(&h->stop)) {
		if (ioctl(h->vm->fd, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0) < 0) {
			h->err = errno;
			break;
		}
		for (uint32_t v = 0; v < h->vm->vcpu_num; v++)
			(void)hsm_notify(h->vm, v);
	}
	return NULL;
}

/* Tear VMs down while requests flow to both kinds of clients. */
static void stress_teardown(void)
{
	int sim = sim_open();

	for (int round = 0; round < 30; round++) {
		struct hsm_vm vm;
		struct loop_handler h = { 0 };
		uint32_t id, id2;
		int fd2;

		hsm_vm_create(&vm);
		KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
		KT_OK(sim_testdev_attach(sim, vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
					 0x600, 0x6ff, 0, &id));
		KT_OK(sim_testdev_attach(sim, vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
					 0x700, 0x7ff, VIOREQ_SIM_TESTDEV_HOLD, &id2));
		h.vm = &vm;
		pthread_create(&h.t, NULL, loop_handler_main, &h);
		for (int k = 0; k < 5; k++)
			for (uint32_t v = 0; v < vm.vcpu_num; v++) {
				struct vioreq_sim_inject in = { 0 };

				in.vmid = vm.vmid;
				in.vcpu = v;
				in.flags = VIOREQ_SIM_INJECT_FORCE;
				in.type = ACRN_IOREQ_TYPE_PORTIO;
				in.direction = v & 1;
				in.address = v % 3 == 0 ? 0x600 + v :
					     v % 3 == 1 ? 0x700 + v : 0x40;
				in.size = 1;
				(void)ioctl(sim, VIOREQ_SIM_INJECT, &in);
			}
		if (round % 3 == 0)
			(void)ioctl(vm.fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0);
		if (round % 2 == 0)
			(void)sim_testdev_detach(sim, vm.vmid, id);
		/* A second fd of the same process closes while this one dies. */
		fd2 = dup(vm.fd);
		atomic_store(&h.stop, 1);
		/* ATTACH holds the file: only a destroy ends it. */
		if (round % 2)
			KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
		else
			KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0));
		hsm_vm_close(&vm);
		close(fd2);
		pthread_join(h.t, NULL);
	}
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("live_vms") == 0 && KT_MODULE_PARAM("live_clients") == 0 &&
			      KT_MODULE_PARAM("pinned_pages") == 0, KT_LONG_MS));
	close(sim);
}

/* ------------------------------------------- pass-through and PM ioctls */

static void sim_fail_next(int sim, uint32_t id, int err)
{
	struct vioreq_sim_config c = { .fail_id = id, .fail_errno = -err,
				       .fail_count = 1 };

	if (ioctl(sim, VIOREQ_SIM_CONFIG, &c) < 0)
		KT_FAIL("VIOREQ_SIM_CONFIG: %s", strerror(errno));
}

/* The simulator's hash of a pass-through argument (vioreq_sim.h). */
static uint64_t fnv1a64(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint64_t h = VIOREQ_SIM_FNV1A64_BASIS;

	while (len--) {
		h ^= *b++;
		h *= VIOREQ_SIM_FNV1A64_PRIME;
	}
	return h;
}

static uint64_t le64_at(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;	/* x86: little endian */
}

/* The only entry with this id in the log, which must have exactly one. */
static const struct vioreq_sim_hcall *hcall_one(const struct hcall_log *log,
						uint32_t id)
{
	const struct vioreq_sim_hcall *found = NULL;
	unsigned int n = 0;

	for (unsigned int i = 0; i < log->count; i++)
		if (log->ev[i].id == id) {
			found = &log->ev[i];
			n++;
		}
	if (n != 1)
		KT_FAIL("hypercall 0x%x logged %u times, expected once", id, n);
	return found;
}

/* A mapped page that cannot be read: a user pointer that faults. */
static void *fault_page(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		KT_FAIL("mmap: %s", strerror(errno));
	return p;
}

/*
 * One ioctl whose struct the module passes to the hypervisor unchanged
 * (REQ-VMM-001): fill() writes a recognisable argument, expect() the
 * fields the simulator logs for it in args[0..4], bad() (if any) turns it
 * into one the module refuses with EINVAL.
 */
struct passthru_ioctl {
	unsigned long cmd;
	uint32_t hc;
	size_t size;
	void (*fill)(void *arg);
	void (*expect)(const void *arg, uint64_t args[5]);
	void (*bad)(void *arg);
};

static void passthru_check(const struct passthru_ioctl *p)
{
	unsigned char arg[256] __attribute__((aligned(16)));
	unsigned char bad[256] __attribute__((aligned(16)));
	const struct vioreq_sim_hcall *ev;
	uint64_t want[5];
	struct hsm_vm vm;
	int sim = sim_open();
	int fd = hsm_open();

	KT_ASSERT(p->size <= sizeof(arg));
	memset(arg, 0, sizeof(arg));
	p->fill(arg);
	/* No VM on the file: EINVAL, as every VM ioctl. */
	KT_ERRNO(ioctl(fd, p->cmd, arg), EINVAL);
	close(fd);

	hsm_vm_create(&vm);
	sim_hcalls_drain(sim);
	KT_OK(ioctl(vm.fd, p->cmd, arg));
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	ev = hcall_one(&lg, p->hc);
	KT_EQ(ev->vmid, vm.vmid);
	KT_EQ(ev->ret, 0);
	/* Every byte reached the hypervisor, padding included. */
	KT_EQ(ev->args[5], fnv1a64(arg, p->size));
	p->expect(arg, want);
	for (int i = 0; i < 5; i++)
		if (ev->args[i] != want[i])
			KT_FAIL("args[%d] = 0x%llx, expected 0x%llx", i,
				(unsigned long long)ev->args[i],
				(unsigned long long)want[i]);

	/* Refused before any hypercall. */
	KT_ERRNO(ioctl(vm.fd, p->cmd, NULL), EFAULT);
	KT_ERRNO(ioctl(vm.fd, p->cmd, fault_page()), EFAULT);
	if (p->bad) {
		memcpy(bad, arg, sizeof(bad));
		p->bad(bad);
		KT_ERRNO(ioctl(vm.fd, p->cmd, bad), EINVAL);
	}
	/* The hypervisor's error comes back as is. */
	sim_fail_next(sim, p->hc, EIO);
	KT_ERRNO(ioctl(vm.fd, p->cmd, arg), EIO);
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	KT_EQ(hcall_one(&lg, p->hc)->ret, -EIO);
	/* And it works again after. */
	KT_OK(ioctl(vm.fd, p->cmd, arg));
	hsm_vm_close(&vm);
	close(sim);
}

static void fill_bytes(void *arg, size_t size, unsigned int seed)
{
	unsigned char *b = arg;

	for (size_t i = 0; i < size; i++)
		b[i] = (unsigned char)(i * 37 + seed);
}

static void fill_ptdev_irq(void *arg)
{
	struct acrn_ptdev_irq *irq = arg;

	fill_bytes(irq, sizeof(*irq), 1);
	irq->type = ACRN_PTDEV_IRQ_INTX;
	irq->virt_bdf = 0x0018;		/* 00:03.0 */
	irq->phys_bdf = 0x0110;		/* 01:02.0 */
	irq->intx.virt_pin = 5;
	irq->intx.phys_pin = 17;
	irq->intx.is_pic_pin = 0;
}

static void expect_ptdev_irq(const void *arg, uint64_t a[5])
{
	const struct acrn_ptdev_irq *irq = arg;

	a[0] = irq->type;
	a[1] = irq->virt_bdf;
	a[2] = irq->phys_bdf;
	a[3] = irq->intx.virt_pin;
	a[4] = irq->intx.phys_pin;
}

static void bad_ptdev_irq(void *arg)
{
	((struct acrn_ptdev_irq *)arg)->type = ACRN_PTDEV_IRQ_MSIX + 1;
}

static void fill_pcidev(void *arg)
{
	struct acrn_pcidev *d = arg;

	fill_bytes(d, sizeof(*d), 2);	/* the padding too */
	d->type = ACRN_PTDEV_QUIRK_ASSIGN;
	d->virt_bdf = 0x0020;
	d->phys_bdf = 0x0300;
	d->intr_line = 11;
	d->intr_pin = 1;
	d->bar[0] = 0xdf000004;
	d->bar[5] = 0xe000;
}

static void expect_pcidev(const void *arg, uint64_t a[5])
{
	const struct acrn_pcidev *d = arg;

	a[0] = d->type;
	a[1] = d->virt_bdf;
	a[2] = d->phys_bdf;
	a[3] = d->intr_line | (uint32_t)d->intr_pin << 8;
	a[4] = d->bar[0];
}

static void bad_pcidev(void *arg)
{
	((struct acrn_pcidev *)arg)->type = ACRN_PTDEV_QUIRK_ASSIGN << 1;
}

static void fill_mmiodev(void *arg)
{
	struct acrn_mmiodev *d = arg;

	fill_bytes(d, sizeof(*d), 3);
	memcpy(d->name, "MSFT0101", 8);	/* a TPM, as acrn-dm passes it */
	d->res[0].user_vm_pa = 0xfed40000;
	d->res[0].service_vm_pa = 0xfed40000;
	d->res[0].size = 0x5000;
	d->res[0].mem_type = 0;
}

static void expect_mmiodev(const void *arg, uint64_t a[5])
{
	const struct acrn_mmiodev *d = arg;

	a[0] = le64_at(d->name);
	a[1] = d->res[0].user_vm_pa;
	a[2] = d->res[0].service_vm_pa;
	a[3] = d->res[0].size;
	a[4] = d->res[0].mem_type;
}

static void fill_vdev(void *arg)
{
	struct acrn_vdev *d = arg;

	fill_bytes(d, sizeof(*d), 4);
	d->id.fields.vendor = 0x8086;
	d->id.fields.device = 0x8c3a;
	d->id.fields.legacy_id = 0;
	d->slot = 0x0028;
	d->io_addr[0] = 0xd0000000;
	d->io_size[0] = 0x1000;
	memcpy(d->args, "ivshmem:", 8);
}

static void expect_vdev(const void *arg, uint64_t a[5])
{
	const struct acrn_vdev *d = arg;

	a[0] = d->id.value;
	a[1] = d->slot;
	a[2] = d->io_addr[0];
	a[3] = d->io_size[0];
	a[4] = le64_at(d->args);
}

#define PASSTHRU_CASE(fn, name, type, fill, expect, bad)		\
	static void fn(void)						\
	{								\
		static const struct passthru_ioctl p = {		\
			ACRN_IOCTL_##name, VIOREQ_HC_##name,		\
			sizeof(type), fill, expect, bad };		\
		passthru_check(&p);					\
	}

/* REQ-VMM-001: each pass-through ioctl, argument intact, errors. */
PASSTHRU_CASE(set_ptdev_intr, SET_PTDEV_INTR, struct acrn_ptdev_irq,
	      fill_ptdev_irq, expect_ptdev_irq, bad_ptdev_irq)
PASSTHRU_CASE(reset_ptdev_intr, RESET_PTDEV_INTR, struct acrn_ptdev_irq,
	      fill_ptdev_irq, expect_ptdev_irq, bad_ptdev_irq)
PASSTHRU_CASE(assign_pcidev, ASSIGN_PCIDEV, struct acrn_pcidev,
	      fill_pcidev, expect_pcidev, bad_pcidev)
PASSTHRU_CASE(deassign_pcidev, DEASSIGN_PCIDEV, struct acrn_pcidev,
	      fill_pcidev, expect_pcidev, bad_pcidev)
PASSTHRU_CASE(assign_mmiodev, ASSIGN_MMIODEV, struct acrn_mmiodev,
	      fill_mmiodev, expect_mmiodev, NULL)
PASSTHRU_CASE(deassign_mmiodev, DEASSIGN_MMIODEV, struct acrn_mmiodev,
	      fill_mmiodev, expect_mmiodev, NULL)
PASSTHRU_CASE(create_vdev, CREATE_VDEV, struct acrn_vdev,
	      fill_vdev, expect_vdev, NULL)
PASSTHRU_CASE(destroy_vdev, DESTROY_VDEV, struct acrn_vdev,
	      fill_vdev, expect_vdev, NULL)

/* Sets the monitor page and checks what the simulator read from it. */
static uint64_t intr_monitor_set(int sim, const struct hsm_vm *vm,
				 uint64_t *page, uint64_t marker)
{
	const struct vioreq_sim_hcall *ev;

	page[0] = marker;		/* cmd | buf_cnt << 32 */
	page[1] = ~marker;
	sim_hcalls_drain(sim);
	KT_OK(ioctl(vm->fd, ACRN_IOCTL_VM_INTR_MONITOR, page));
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	ev = hcall_one(&lg, VIOREQ_HC_VM_INTR_MONITOR);
	KT_EQ(ev->vmid, vm->vmid);
	KT_EQ(ev->ret, 0);
	KT_ASSERT(ev->args[0] != 0 && (ev->args[0] & 0xfff) == 0);
	/* The physical page is the one mapped at `page`. */
	KT_EQ(ev->args[1], marker);
	KT_EQ(ev->args[2], ~marker);
	return ev->args[0];
}

/*
 * REQ-VMM-002: the page is pinned and passed by physical address; a new
 * one replaces (unpins) the old; refused and failed calls change nothing;
 * DESTROY_VM and closing the file unpin it.
 */
static void vm_intr_monitor(void)
{
	struct hsm_vm vm;
	int sim = sim_open();
	int fd = hsm_open();
	long base = KT_MODULE_PARAM("pinned_pages");
	unsigned char *pages = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	uint64_t *a = (uint64_t *)pages, *b = (uint64_t *)(pages + 4096);
	uint64_t pa_a, pa_b;
	long pinned;

	KT_ASSERT(pages != MAP_FAILED && ro != MAP_FAILED);
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_VM_INTR_MONITOR, a), EINVAL);
	close(fd);

	hsm_vm_create(&vm);
	pinned = KT_MODULE_PARAM("pinned_pages");
	KT_EQ(pinned, base + 1);	/* the ioreq page */
	pa_a = intr_monitor_set(sim, &vm, a, 0x0000003000000000ull);
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned + 1);
	pa_b = intr_monitor_set(sim, &vm, b, 0x0000003000000001ull);
	KT_ASSERT(pa_b != pa_a);
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned + 1);	/* a was unpinned */
	/* b stayed pinned, so it is still the same physical page. */
	KT_EQ(intr_monitor_set(sim, &vm, b, 0x2a), pa_b);
	intr_monitor_set(sim, &vm, a, 0x2b);
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned + 1);

	/* Refused before any hypercall, the page in place kept. */
	sim_hcalls_drain(sim);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_VM_INTR_MONITOR, pages + 8), EINVAL);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_VM_INTR_MONITOR, pages + 4095), EINVAL);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_VM_INTR_MONITOR, NULL), EFAULT);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_VM_INTR_MONITOR, ro), EFAULT);
	KT_OK(munmap(pages + 2 * 4096, 4096));
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_VM_INTR_MONITOR, pages + 2 * 4096),
		 EFAULT);
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_VM_INTR_MONITOR, vm.vmid, -1), 0);
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned + 1);

	/* The hypervisor refuses: the new page is unpinned, a is kept. */
	sim_fail_next(sim, VIOREQ_HC_VM_INTR_MONITOR, EIO);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_VM_INTR_MONITOR, b), EIO);
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned + 1);

	/* DESTROY_VM unpins the ioreq page and the monitor page. */
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), base);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_VM_INTR_MONITOR, a), EINVAL);
	hsm_vm_close(&vm);

	/* So does closing the file. */
	hsm_vm_create(&vm);
	intr_monitor_set(sim, &vm, b, 0x0000003000000002ull);
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), base + 2);
	hsm_vm_close(&vm);
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("pinned_pages") == base, KT_LONG_MS));
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("pinned_pages") == 0 &&
			      KT_MODULE_PARAM("live_vms") == 0, KT_LONG_MS));
	close(sim);
}

/* A PM command word for this VM, with state index n. */
static uint64_t pm_cmd(const struct hsm_vm *vm, uint32_t type, uint32_t n)
{
	return (uint64_t)vm->vmid << VIOREQ_PMCMD_VMID_SHIFT |
	       (uint64_t)n << VIOREQ_PMCMD_STATE_SHIFT | type;
}

static uint64_t pm_count(const struct hsm_vm *vm, uint32_t type)
{
	uint64_t buf = pm_cmd(vm, type, 0);

	KT_OK(ioctl(vm->fd, ACRN_IOCTL_PM_GET_CPU_STATE, &buf));
	return buf;
}

/*
 * REQ-VMM-003: counts and P/C state data come back with the size of each
 * type's answer (nothing past it is written, no stale byte in it); bad
 * command words, faults and the hypervisor's errors.
 */
static void pm_get_cpu_state(void)
{
	struct hsm_vm vm;
	int sim = sim_open();
	int fd = hsm_open();
	const struct vioreq_sim_hcall *ev;
	union {
		struct acrn_pstate_data px;
		struct acrn_cstate_data cx;
		uint64_t cmd;
		unsigned char raw[128];
	} u, want;
	uint64_t cmd, *rop;

	cmd = ACRN_PMCMD_GET_PX_CNT;
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_PM_GET_CPU_STATE, &cmd), EINVAL);
	close(fd);

	hsm_vm_create(&vm);
	sim_hcalls_drain(sim);
	/* A count is one byte from the hypervisor; the other seven are 0. */
	KT_EQ(pm_count(&vm, ACRN_PMCMD_GET_PX_CNT), VIOREQ_SIM_PX_CNT);
	KT_EQ(pm_count(&vm, ACRN_PMCMD_GET_CX_CNT), VIOREQ_SIM_CX_CNT);
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_PM_GET_CPU_STATE, vm.vmid,
			  (long long)pm_cmd(&vm, ACRN_PMCMD_GET_PX_CNT, 0)), 1);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_PM_GET_CPU_STATE, vm.vmid,
			  (long long)pm_cmd(&vm, ACRN_PMCMD_GET_CX_CNT, 0)), 1);

	for (uint32_t n = 0; n < VIOREQ_SIM_PX_CNT; n++) {
		memset(&u, 0xa5, sizeof(u));
		u.cmd = pm_cmd(&vm, ACRN_PMCMD_GET_PX_DATA, n);
		KT_OK(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, &u));
		memset(&want, 0xa5, sizeof(want));
		want.px = (struct acrn_pstate_data){
			.core_frequency = 2000 - 100 * n,
			.power = 10000 - 1000 * n,
			.transition_latency = 10 + n,
			.bus_master_latency = 20 + n,
			.control = 0x1000 + n,
			.status = 0x2000 + n,
		};
		if (memcmp(&u, &want, sizeof(u)))
			KT_FAIL("P state %u: answer differs", n);
	}
	for (uint32_t n = 1; n <= VIOREQ_SIM_CX_CNT; n++) {
		memset(&u, 0xa5, sizeof(u));
		u.cmd = pm_cmd(&vm, ACRN_PMCMD_GET_CX_DATA, n);
		KT_OK(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, &u));
		memset(&want, 0xa5, sizeof(want));
		memset(&want.cx, 0, sizeof(want.cx));	/* padding 0 */
		want.cx.cx_reg.space_id = 1;
		want.cx.cx_reg.bit_width = 8;
		want.cx.cx_reg.access_size = 1;
		want.cx.cx_reg.address = 0x400 + n;
		want.cx.type = n;
		want.cx.latency = 100 * n;
		want.cx.power = 1000 - 100 * n;
		if (memcmp(&u, &want, sizeof(u)))
			KT_FAIL("C state %u: answer differs", n);
	}

	/* The hypervisor refuses (no such state, no such VM): nothing written. */
	sim_hcalls_drain(sim);
	cmd = pm_cmd(&vm, ACRN_PMCMD_GET_PX_DATA, VIOREQ_SIM_PX_CNT);
	u.cmd = cmd;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, &u), EINVAL);
	KT_EQ(u.cmd, cmd);
	cmd = pm_cmd(&vm, ACRN_PMCMD_GET_CX_DATA, 0);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, &cmd), EINVAL);
	cmd = ACRN_PMCMD_GET_PX_CNT | (uint64_t)((vm.vmid + 1) % VIOREQ_SIM_MAX_VMS)
					      << VIOREQ_PMCMD_VMID_SHIFT;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, &cmd), EINVAL);
	sim_fail_next(sim, VIOREQ_HC_PM_GET_CPU_STATE, EIO);
	cmd = pm_cmd(&vm, ACRN_PMCMD_GET_CX_CNT, 0);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, &cmd), EIO);
	KT_EQ(cmd, pm_cmd(&vm, ACRN_PMCMD_GET_CX_CNT, 0));
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_PM_GET_CPU_STATE, vm.vmid, -1), 3);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_PM_GET_CPU_STATE,
			  (vm.vmid + 1) % VIOREQ_SIM_MAX_VMS, -1), 1);

	/* Refused by the module, before any hypercall. */
	cmd = pm_cmd(&vm, ACRN_PMCMD_GET_CX_DATA + 1, 1);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, &cmd), EINVAL);
	cmd = pm_cmd(&vm, 0xff, 0);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, &cmd), EINVAL);
	cmd = pm_cmd(&vm, ACRN_PMCMD_GET_PX_CNT, 0) | 1ull << VIOREQ_PMCMD_BITS;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, &cmd), EINVAL);
	cmd = pm_cmd(&vm, ACRN_PMCMD_GET_PX_CNT, 0) | 1ull << 63;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, &cmd), EINVAL);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, NULL), EFAULT);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, fault_page()), EFAULT);
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	KT_EQ(lg.count, 0);

	/* A word that can be read but not written: the answer faults. */
	rop = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(rop != MAP_FAILED);
	*rop = pm_cmd(&vm, ACRN_PMCMD_GET_PX_CNT, 0);
	KT_OK(mprotect(rop, 4096, PROT_READ));
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_PM_GET_CPU_STATE, rop), EFAULT);
	KT_EQ(*rop, pm_cmd(&vm, ACRN_PMCMD_GET_PX_CNT, 0));
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	ev = hcall_one(&lg, VIOREQ_HC_PM_GET_CPU_STATE);
	KT_EQ(ev->ret, 0);
	KT_EQ(ev->args[1], 1);
	hsm_vm_close(&vm);
	close(sim);
}

/* Where hypercall `id` for `vmid` is in the log, from `from` on; -1 if not. */
static int hcall_index(const struct hcall_log *log, uint32_t id,
		       uint16_t vmid, unsigned int from)
{
	for (unsigned int i = from; i < log->count; i++)
		if (log->ev[i].id == id && log->ev[i].vmid == vmid)
			return (int)i;
	return -1;
}

/*
 * Closing the file of a running VM (acrn-dm died): the module pauses it
 * before DESTROY_VM, which ACRN refuses for a running VM. And a VM whose
 * DESTROY_VM fails keeps its pages pinned, as the hypervisor may still map
 * them, until a later attempt succeeds.
 */
static void destroy_running(void)
{
	long pinned0 = KT_MODULE_PARAM("pinned_pages");
	int sim = sim_open();
	struct hsm_vm vm;
	int pause, destroy;
	uint16_t vmid;

	hsm_vm_create(&vm);
	vmid = vm.vmid;
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_START_VM, 0));
	sim_hcalls_drain(sim);
	hsm_vm_close(&vm);
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	pause = hcall_index(&lg, VIOREQ_HC_PAUSE_VM, vmid, 0);
	KT_ASSERT(pause >= 0);
	destroy = hcall_index(&lg, VIOREQ_HC_DESTROY_VM, vmid, (unsigned int)pause);
	KT_ASSERT(destroy > pause);
	KT_EQ(lg.ev[destroy].ret, 0);
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned0);

	/* Refused once: the ioreq page stays pinned, then the retry. */
	hsm_vm_create(&vm);
	sim_fail_next(sim, VIOREQ_HC_DESTROY_VM, EIO);
	hsm_vm_close(&vm);
	KT_EQ(KT_MODULE_PARAM("stranded_vms"), 1);
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned0 + 1);
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("stranded_vms") == 0, KT_LONG_MS));
	KT_EQ(KT_MODULE_PARAM("pinned_pages"), pinned0);
	close(sim);
}

/*
 * An in-kernel client whose request is completed (hsm_kclient_complete)
 * before its handler returns "hold": it completes once, with its value,
 * and the slot is not kept afterwards.
 */
static void kclient_early(void)
{
	struct hsm_vm vm;
	struct vioreq_sim_wait w;
	int sim = sim_open();
	uint32_t id, round;

	hsm_vm_create(&vm);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	KT_OK(sim_testdev_attach(sim, vm.vmid, ACRN_IOREQ_TYPE_MMIO, 0xf0000000,
				 0xf0000fff, VIOREQ_SIM_TESTDEV_EARLY, &id));
	for (round = 0; round < 3; round++) {
		KT_OK(sim_inject_mmio(sim, vm.vmid, 1, ACRN_IOREQ_DIR_READ,
				      0xf0000020 + 4 * round, 4, 0));
		KT_OK(sim_wait(sim, vm.vmid, 1, KT_LONG_MS, 0, &w));
		KT_EQ(w.kernel_handled, 1);
		/* The device's memory holds byte i at offset i. */
		KT_EQ(w.value & 0xffffffff, 0x23222120u + 0x04040404u * round);
	}
	/* The slot was not kept: detaching completes nothing more. */
	KT_OK(sim_testdev_detach(sim, vm.vmid, id));
	KT_EQ(sim_slot_state(sim, vm.vmid, 1), ACRN_IOREQ_STATE_FREE);
	hsm_vm_close(&vm);
	close(sim);
}

static const struct kt_case cases[] = {
	{ "extra.vm_mgmt", vm_mgmt, 0 },
	{ "extra.memseg", memseg, 0 },
	{ "extra.clear_hold", clear_hold, 40 },
	{ "extra.kclient_early", kclient_early, 0 },
	{ "extra.destroy_running", destroy_running, 0 },
	{ "extra.stress_teardown", stress_teardown, 100 },
	{ "extra.vm_intr_monitor", vm_intr_monitor, 0 },
	{ "extra.set_ptdev_intr", set_ptdev_intr, 0 },
	{ "extra.reset_ptdev_intr", reset_ptdev_intr, 0 },
	{ "extra.assign_pcidev", assign_pcidev, 0 },
	{ "extra.deassign_pcidev", deassign_pcidev, 0 },
	{ "extra.assign_mmiodev", assign_mmiodev, 0 },
	{ "extra.deassign_mmiodev", deassign_mmiodev, 0 },
	{ "extra.create_vdev", create_vdev, 0 },
	{ "extra.destroy_vdev", destroy_vdev, 0 },
	{ "extra.pm_get_cpu_state", pm_get_cpu_state, 0 },
};

int main(int argc, char **argv)
{
	return kt_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
