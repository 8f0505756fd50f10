// SPDX-License-Identifier: GPL-2.0
/*
 * Extra guest checks written with the module (kmod/README.md): VM
 * management hypercalls, SET_MEMSEG, CLEAR_VM_IOREQ with a holding
 * in-kernel client, test device MMIO, and teardown under traffic. Built
 * with tests/kernel/ktest.h and hsm_util.h and run by the QEMU stage
 * (tests/kernel/run-qemu.sh builds the programs of kmod/tests/ too).
 */
#include "ktest.h"
#include "hsm_util.h"
#include "vioreq/uapi_gen.h"

static long param(const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/vioreq/parameters/%s", name);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		KT_FAIL("read %s", path);
	fclose(f);
	return atol(buf);
}

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

static void memseg(void)
{
	struct hsm_vm vm;
	int sim = sim_open();
	struct acrn_vm_memmap m;
	long pinned0;
	void *ram = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t total = 0;

	hsm_vm_create(&vm);
	pinned0 = param("pinned_pages");
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
	KT_EQ(param("pinned_pages"), pinned0 + 64);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_UNSET_MEMSEG, &m), EINVAL);
	m.vma_base = 8;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_SET_MEMSEG, &m), EINVAL);
	m.vma_base = 0x1000;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_SET_MEMSEG, &m), EFAULT);
	KT_EQ(param("pinned_pages"), pinned0 + 64);
	lg.count = 0;
	sim_hcalls_take(sim, &lg, 0);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_SET_MEMORY_REGIONS, vm.vmid, 0), lg.count - 1);
	KT_EQ(hcall_count(&lg, VIOREQ_HC_SET_MEMORY_REGIONS, vm.vmid, 2), 1);
	for (unsigned i = 0; i < lg.count; i++)
		if (lg.ev[i].args[0] == 0 && lg.ev[i].args[2] < 0xc0000000)
			total += lg.ev[i].args[4];
	KT_EQ(total, 64 * 4096);
	hsm_vm_close(&vm);
	KT_ASSERT(KT_WAIT_FOR(param("pinned_pages") == pinned0 - 1, KT_LONG_MS));
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
	KT_ASSERT(KT_WAIT_FOR(param("live_vms") == 0 && param("live_clients") == 0 &&
			      param("pinned_pages") == 0, KT_LONG_MS));
	close(sim);
}

static const struct kt_case cases[] = {
	{ "extra.vm_mgmt", vm_mgmt, 0 },
	{ "extra.memseg", memseg, 0 },
	{ "extra.clear_hold", clear_hold, 40 },
	{ "extra.stress_teardown", stress_teardown, 100 },
};

int main(int argc, char **argv)
{
	return kt_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
