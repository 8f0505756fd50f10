// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/acrn_hsm argument checking, run in the QEMU guest: every ioctl of
 * <linux/acrn.h> that vioreq implements, called the way ACRN userspace
 * calls it and then with each kind of bad argument. Expected errnos are
 * those of spec/vioreq.toml ([[error]], [[operation]]) and, where the spec
 * is silent, those of Linux's ACRN HSM driver.
 *
 *   hsm_abi [case...]     run the named cases, or all
 */
#include "hsm_util.h"

#include <sys/resource.h>
#include <sys/syscall.h>

#include <linux/capability.h>

/* pin_user_pages() count minus unpins, from /proc/vmstat. */
static long long pinned_pages(void)
{
	long long n = kt_pinned_pages();

	if (n < 0)
		KT_FAIL("no nr_foll_pin_* in /proc/vmstat");
	return n;
}

/* CREATE_VM fills in vmid and vcpu_num, and the page is the VM's. */
static void create_vm(void)
{
	struct acrn_io_request_buffer *page = ioreq_page_alloc();
	struct acrn_vm_creation vc;
	int fd = hsm_open();
	int sim = sim_open();
	struct hcall_log log = { .count = 0 };

	sim_hcalls_drain(sim);
	KT_OK(hsm_create_vm_raw(fd, page, &vc));
	KT_ASSERT(vc.vmid < VIOREQ_SIM_MAX_VMS);
	KT_ASSERT(vc.vcpu_num >= 1 && vc.vcpu_num <= ACRN_IO_REQUEST_MAX);
	KT_EQ(vc.reserved0, 0);
	KT_EQ(vc.reserved1, 0);
	sim_hcalls_take(sim, &log, 0);
	KT_EQ(hcall_count(&log, VIOREQ_HC_CREATE_VM, vc.vmid, vc.vcpu_num), 1);
	KT_EQ(hcall_count(&log, VIOREQ_HC_SET_IOREQ_BUFFER, vc.vmid, -1), 1);
	/* The hypervisor (the simulator) hands the slots over FREE. */
	for (unsigned int v = 0; v < vc.vcpu_num; v++)
		KT_EQ(page->req_slot[v].processed, ACRN_IOREQ_STATE_FREE);
	KT_OK(ioctl(fd, ACRN_IOCTL_DESTROY_VM, 0));
	log.count = 0;
	sim_hcalls_take(sim, &log, 0);
	KT_EQ(hcall_count(&log, VIOREQ_HC_DESTROY_VM, vc.vmid, -1), 1);
	close(fd);
	close(sim);
}

/* The simulator's vcpu_num setting comes back through CREATE_VM. */
static void create_vm_vcpu_num(void)
{
	int sim = sim_open();
	struct hsm_vm vm;

	sim_config_vcpus(sim, 3);
	hsm_vm_create(&vm);
	sim_config_vcpus(sim, VIOREQ_SIM_MAX_VCPUS);
	KT_EQ(vm.vcpu_num, 3);
	/* A vCPU the VM does not have is out of range too. */
	KT_ERRNO(hsm_notify(&vm, 3), EINVAL);
	hsm_vm_close(&vm);
}

static void create_vm_twice(void)
{
	struct acrn_vm_creation vc;
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	KT_ERRNO(hsm_create_vm_raw(vm.fd, ioreq_page_alloc(), &vc), EEXIST);
	/* The first VM is unharmed. */
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0));
	hsm_vm_close(&vm);
}

static void create_vm_reserved(void)
{
	struct acrn_vm_creation vc;
	int fd = hsm_open();
	void *page = ioreq_page_alloc();

	memset(&vc, 0, sizeof(vc));
	vc.ioreq_buf = (uintptr_t)page;
	vc.reserved0 = 1;
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_CREATE_VM, &vc), EINVAL);
	vc.reserved0 = 0;
	vc.reserved1 = 1;
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_CREATE_VM, &vc), EINVAL);
	close(fd);
}

/* A fd whose CREATE_VM failed can still create its VM afterwards. */
static void expect_fd_still_usable(int fd)
{
	struct acrn_vm_creation vc;

	KT_OK(hsm_create_vm_raw(fd, ioreq_page_alloc(), &vc));
	KT_OK(ioctl(fd, ACRN_IOCTL_DESTROY_VM, 0));
}

static void ioreq_buf_unaligned(void)
{
	struct acrn_vm_creation vc;
	char *page = (char *)ioreq_page_alloc();
	int fd = hsm_open();
	long long pins = pinned_pages();

	KT_ERRNO(hsm_create_vm_raw(fd, page + 256, &vc), EINVAL);
	KT_ERRNO(hsm_create_vm_raw(fd, page + 1, &vc), EINVAL);
	KT_ERRNO(hsm_create_vm_raw(fd, page + 4095, &vc), EINVAL);
	KT_EQ(pinned_pages(), pins);
	expect_fd_still_usable(fd);
	close(fd);
}

/* The 4 KiB page must be there whole, writable and ordinary memory. */
static void ioreq_buf_short(void)
{
	struct acrn_vm_creation vc;
	int fd = hsm_open();
	long long pins = pinned_pages();
	char *two = mmap(NULL, 2 * IOREQ_PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *ro, *beyond_eof;
	int memfd;

	KT_ASSERT(two != MAP_FAILED);
	/* A page that is not mapped at all. */
	KT_OK(munmap(two + IOREQ_PAGE_SIZE, IOREQ_PAGE_SIZE));
	KT_ERRNO(hsm_create_vm_raw(fd, two + IOREQ_PAGE_SIZE, &vc), EFAULT);
	/* Read-only: the module writes states into it. */
	ro = mmap(NULL, IOREQ_PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(ro != MAP_FAILED);
	KT_ERRNO(hsm_create_vm_raw(fd, ro, &vc), EFAULT);
	/* A file mapping past the end of a 0-byte file: SIGBUS memory. */
	memfd = (int)syscall(SYS_memfd_create, "short", 0);
	KT_ASSERT(memfd >= 0);
	beyond_eof = mmap(NULL, IOREQ_PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_SHARED, memfd, 0);
	KT_ASSERT(beyond_eof != MAP_FAILED);
	KT_ERRNO(hsm_create_vm_raw(fd, beyond_eof, &vc), EFAULT);
	/* NULL and a kernel address. */
	KT_ERRNO(hsm_create_vm_raw(fd, NULL, &vc), EFAULT);
	KT_ERRNO(hsm_create_vm_raw(fd, (void *)0xffff888000000000ull, &vc), EFAULT);
	KT_EQ(pinned_pages(), pins);
	expect_fd_still_usable(fd);
	close(fd);
}

static void create_vm_bad_pointer(void)
{
	int fd = hsm_open();

	KT_ERRNO(ioctl(fd, ACRN_IOCTL_CREATE_VM, NULL), EFAULT);
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_CREATE_VM, (void *)8), EFAULT);
	expect_fd_still_usable(fd);
	close(fd);
}

/* Every VM ioctl on a fd without a VM: EINVAL, as in Linux's HSM. */
static void ioctls_without_vm(void)
{
	struct acrn_ioreq_notify n = { .vmid = 0, .vcpu = 0 };
	int fd = hsm_open();

	KT_ERRNO(ioctl(fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0), EINVAL);
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0), EINVAL);
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0), EINVAL);
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0), EINVAL);
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_NOTIFY_REQUEST_FINISH, &n), EINVAL);
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_DESTROY_VM, 0), EINVAL);
	close(fd);
}

static void unknown_ioctl(void)
{
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	KT_ERRNO(ioctl(vm.fd, _IO(ACRN_IOCTL_TYPE, 0xee), 0), ENOTTY);
	KT_ERRNO(ioctl(vm.fd, _IO(0x42, 0x10), 0), ENOTTY);
	hsm_vm_close(&vm);
}

static void notify_bad_vcpu(void)
{
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	KT_ERRNO(hsm_notify(&vm, ACRN_IO_REQUEST_MAX), EINVAL);
	KT_ERRNO(hsm_notify(&vm, 17), EINVAL);
	KT_ERRNO(hsm_notify(&vm, 0x10000), EINVAL);
	KT_ERRNO(hsm_notify(&vm, 0xffffffffu), EINVAL);
	KT_ERRNO(hsm_notify(&vm, 0x80000000u), EINVAL);
	hsm_vm_close(&vm);
}

static void notify_reserved(void)
{
	struct acrn_ioreq_notify n = { .reserved = 1, .vcpu = 0 };
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	n.vmid = vm.vmid;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_NOTIFY_REQUEST_FINISH, &n), EINVAL);
	/* Another VM's id. */
	n.reserved = 0;
	n.vmid = (uint16_t)(vm.vmid + 1);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_NOTIFY_REQUEST_FINISH, &n), EINVAL);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_NOTIFY_REQUEST_FINISH, NULL), EFAULT);
	hsm_vm_close(&vm);
}

/* Finishing a FREE slot nobody holds, with and without a client. */
static void notify_free_slot(void)
{
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	KT_ERRNO(hsm_notify(&vm, 0), EINVAL);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	for (uint32_t v = 0; v < vm.vcpu_num; v++)
		KT_ERRNO(hsm_notify(&vm, v), EINVAL);
	for (uint32_t v = 0; v < vm.vcpu_num; v++)
		KT_EQ(slot_state(&vm, v), ACRN_IOREQ_STATE_FREE);
	hsm_vm_close(&vm);
}

static void client_create_twice(void)
{
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0), EEXIST);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0));
	/* Gone, so a second destroy has no client. */
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0), ENOENT);
	/* And a new one can be made. */
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	hsm_vm_close(&vm);
}

/* ATTACH with no default client: ENOENT (no such client). */
static void attach_without_client(void)
{
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0), ENOENT);
	hsm_vm_close(&vm);
}

/* DESTROY_IOREQ_CLIENT wakes the attached thread with ENODEV. */
static void attach_then_destroy_client(void)
{
	struct attacher a;
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	attacher_start(&a, vm.fd, 0);
	attacher_wait_blocked(&a, KT_LONG_MS);
	KT_ASSERT(!atomic_load(&a.done));
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0));
	attacher_expect_end(&a, ENODEV, KT_LONG_MS);
	KT_EQ(atomic_load(&a.returned), 0);
	hsm_vm_close(&vm);
}

/* DESTROY_VM with a client attached: ATTACH fails cleanly, VM is gone. */
static void attach_then_destroy_vm(void)
{
	struct attacher a;
	struct hsm_vm vm;
	int sim = sim_open();
	struct vioreq_sim_stats st = { .vmid = 0 };

	hsm_vm_create(&vm);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	attacher_start(&a, vm.fd, 0);
	attacher_wait_blocked(&a, KT_LONG_MS);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	attacher_expect_end(&a, ENODEV, KT_LONG_MS);
	/* The VM is gone for the simulator and for the fd. */
	st.vmid = vm.vmid;
	KT_ERRNO(ioctl(sim, VIOREQ_SIM_STATS, &st), ENOENT);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0), EINVAL);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0), EINVAL);
	/* The fd can create a new VM. */
	expect_fd_still_usable(vm.fd);
	hsm_vm_close(&vm);
	close(sim);
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

/*
 * A signal ends ATTACH with 0 even without SA_RESTART, a wake-up with
 * nothing to do, as in the Linux HSM (acrn-dm's I/O loop ends on any
 * error); attaching again still works.
 */
static void attach_interrupted(void)
{
	struct sigaction sa;
	struct attacher a;
	struct hsm_vm vm;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	KT_OK(sigaction(SIGUSR1, &sa, NULL));
	hsm_vm_create(&vm);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	attacher_start(&a, vm.fd, 1);
	attacher_wait_blocked(&a, KT_LONG_MS);
	pthread_kill(a.thread, SIGUSR1);
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(atomic_load(&a.returned), 1);
	/* Attach again; it must still be woken by the client's destruction. */
	attacher_start(&a, vm.fd, 0);
	attacher_wait_blocked(&a, KT_LONG_MS);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0));
	attacher_expect_end(&a, ENODEV, KT_LONG_MS);
	hsm_vm_close(&vm);
}

/* A process killed in ATTACH dies promptly and its VM is released. */
static void attach_sigkill(void)
{
	long long pins = pinned_pages();
	int sim = sim_open();
	struct vioreq_sim_stats st;
	int ready[2];
	uint16_t vmid = 0xffff;
	pid_t pid;
	int status;

	KT_OK(pipe(ready));
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0) {
		struct hsm_vm vm;

		hsm_vm_create(&vm);
		if (ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0) < 0)
			_exit(3);
		if (write(ready[1], &vm.vmid, sizeof(vm.vmid)) != sizeof(vm.vmid))
			_exit(4);
		ioctl(vm.fd, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0);
		_exit(5);
	}
	KT_EQ(read(ready[0], &vmid, sizeof(vmid)), sizeof(vmid));
	/* Kill it while it sleeps in ATTACH (its only thread). */
	if (!KT_WAIT_FOR(kt_task_sleeps_in_ioctl(pid, pid), KT_LONG_MS))
		KT_FAIL("the child did not block in ATTACH");
	KT_OK(kill(pid, SIGKILL));
	uint64_t t0 = kt_now_ms();

	KT_EQ(waitpid(pid, &status, 0), pid);
	KT_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* A hang guard, not a speed check: a wait that SIGKILL cannot end
	 * early would keep the child until some timeout of the module. */
	KT_ASSERT(kt_now_ms() - t0 < KT_LONG_MS);
	memset(&st, 0, sizeof(st));
	st.vmid = vmid;
	KT_ERRNO(ioctl(sim, VIOREQ_SIM_STATS, &st), ENOENT);
	KT_EQ(pinned_pages(), pins);
	close(sim);
}

/* DESTROY_VM then CREATE_VM again on one fd; each VM pins one page. */
static void create_destroy_cycles(void)
{
	long long pins = pinned_pages();
	struct acrn_vm_creation vc;
	int fd = hsm_open();

	for (int i = 0; i < 50; i++) {
		KT_OK(hsm_create_vm_raw(fd, ioreq_page_alloc(), &vc));
		KT_OK(ioctl(fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
		KT_OK(ioctl(fd, ACRN_IOCTL_DESTROY_VM, 0));
	}
	KT_EQ(pinned_pages(), pins);
	close(fd);
}

/* Many VMs at once get distinct vmids; past the simulator's limit
 * CREATE_VM fails cleanly and every page is unpinned on close. */
static void many_vms(void)
{
	long long pins = pinned_pages();
	struct acrn_vm_creation vc;
	int fds[VIOREQ_SIM_MAX_VMS + 2];
	uint32_t seen = 0;
	int made = 0;

	for (int i = 0; i < VIOREQ_SIM_MAX_VMS + 2; i++) {
		fds[i] = hsm_open();
		if (hsm_create_vm_raw(fds[i], ioreq_page_alloc(), &vc) < 0) {
			if (i < 2)
				KT_FAIL("CREATE_VM #%d: %s", i, strerror(errno));
			continue;
		}
		KT_ASSERT(vc.vmid < VIOREQ_SIM_MAX_VMS);
		if (seen & (1u << vc.vmid))
			KT_FAIL("vmid %u given out twice", vc.vmid);
		seen |= 1u << vc.vmid;
		made++;
	}
	KT_ASSERT(made >= 2 && made <= VIOREQ_SIM_MAX_VMS);
	for (int i = 0; i < VIOREQ_SIM_MAX_VMS + 2; i++)
		close(fds[i]);
	KT_EQ(pinned_pages(), pins);
}

/* A hypercall failing in CREATE_VM leaves nothing behind. */
static void create_vm_hypercall_fails(void)
{
	long long pins = pinned_pages();
	struct vioreq_sim_config c = {
		.fail_id = VIOREQ_HC_SET_IOREQ_BUFFER, .fail_errno = -EIO,
		.fail_count = 1,
	};
	struct acrn_vm_creation vc;
	int sim = sim_open();
	int fd = hsm_open();

	KT_OK(ioctl(sim, VIOREQ_SIM_CONFIG, &c));
	errno = 0;
	KT_ASSERT(hsm_create_vm_raw(fd, ioreq_page_alloc(), &vc) == -1);
	KT_ASSERT(errno != 0);
	KT_EQ(pinned_pages(), pins);
	c.fail_id = VIOREQ_HC_CREATE_VM;
	KT_OK(ioctl(sim, VIOREQ_SIM_CONFIG, &c));
	KT_ASSERT(hsm_create_vm_raw(fd, ioreq_page_alloc(), &vc) == -1);
	KT_EQ(pinned_pages(), pins);
	expect_fd_still_usable(fd);
	close(fd);
	close(sim);
}


/*
 * Once DESTROY_VM has reached the hypervisor, the vmid may be given to the
 * next VM: a SET_MEMSEG of the old VM still running on another thread must
 * not reach the new VM (it would map pages the module then unpins). A
 * thread maps 1 MiB of RAM in a loop while the main thread destroys the VM
 * and at once creates one on another fd, which gets the same vmid; the
 * hypercall log must show no region op for the new VM.
 */
struct memseg_looper {
	pthread_t thread;
	int fd;
	void *ram;
	atomic_uint calls;
	int err;
};

#define MEMSEG_LOOP_BYTES (1u << 20)

static void *memseg_looper_main(void *arg)
{
	struct memseg_looper *l = arg;
	struct acrn_vm_memmap m;

	memset(&m, 0, sizeof(m));
	m.type = ACRN_MEMMAP_RAM;
	m.attr = ACRN_MEM_ACCESS_RWX;
	m.user_vm_pa = 0x40000000;
	m.vma_base = (uint64_t)(uintptr_t)l->ram;
	m.len = MEMSEG_LOOP_BYTES;
	for (;;) {
		if (ioctl(l->fd, ACRN_IOCTL_SET_MEMSEG, &m) < 0) {
			l->err = errno;
			break;
		}
		atomic_fetch_add(&l->calls, 1);
	}
	return NULL;
}

static void memseg_vs_destroy(void)
{
	int sim = sim_open();

	for (int round = 0; round < 40; round++) {
		struct memseg_looper l;
		struct acrn_vm_creation vc;
		struct hsm_vm vm1;
		int fd2, created = -1;

		memset(&l, 0, sizeof(l));
		l.ram = mmap(NULL, MEMSEG_LOOP_BYTES, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		KT_ASSERT(l.ram != MAP_FAILED);
		hsm_vm_create(&vm1);
		fd2 = hsm_open();
		sim_hcalls_drain(sim);
		l.fd = vm1.fd;
		if (pthread_create(&l.thread, NULL, memseg_looper_main, &l) != 0)
			KT_FAIL("pthread_create failed");
		/* Let it map at least once, then destroy under its feet. */
		if (!KT_WAIT_FOR(atomic_load(&l.calls) >= 1 || l.err, 10000))
			KT_FAIL("SET_MEMSEG loop made no progress");
		KT_OK(ioctl(vm1.fd, ACRN_IOCTL_DESTROY_VM, 0));
		KT_OK(hsm_create_vm_raw(fd2, ioreq_page_alloc(), &vc));
		pthread_join(l.thread, NULL);
		if (l.err != EINVAL && l.err != ENODEV)
			KT_FAIL("SET_MEMSEG ended with errno %d", l.err);
		/* Scan the whole log in order (its newest entries survive when
		 * the ring overflowed): nothing for vc.vmid after its CREATE_VM. */
		for (;;) {
			struct vioreq_sim_hcalls h;

			memset(&h, 0, sizeof(h));
			h.max = VIOREQ_SIM_HCALL_BATCH;
			KT_OK(ioctl(sim, VIOREQ_SIM_HCALLS, &h));
			for (uint32_t i = 0; i < h.count; i++) {
				const struct vioreq_sim_hcall *e = &h.ev[i];

				if (e->id == VIOREQ_HC_CREATE_VM && e->vmid == vc.vmid)
					created = 1;
				else if (created > 0 && e->vmid == vc.vmid &&
					 e->id == VIOREQ_HC_SET_MEMORY_REGIONS)
					KT_FAIL("round %d: a region op of the destroyed VM reached vm %u, created after it",
						round, vc.vmid);
			}
			if (h.count < VIOREQ_SIM_HCALL_BATCH)
				break;
		}
		close(fd2);
		hsm_vm_close(&vm1);
		munmap(l.ram, MEMSEG_LOOP_BYTES);
	}
	close(sim);
}

/* ------------------------------------------- guest RAM and RLIMIT_MEMLOCK */

/* mm->locked_vm of this process in KiB: VmLck of /proc/self/status. */
static long long vm_locked_kib(void)
{
	long long kib = -1;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		KT_FAIL("/proc/self/status: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %lld kB", &kib) == 1)
			break;
	fclose(f);
	if (kib < 0)
		KT_FAIL("no VmLck in /proc/self/status");
	return kib;
}

static long long module_pinned(void)
{
	long long n = kt_module_pinned_pages();

	if (n < 0)
		KT_FAIL("no /sys/module/vioreq/parameters/pinned_pages");
	return n;
}

/* Drops CAP_IPC_LOCK from all three sets (raw capget/capset, no libcap). */
static void drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	const uint32_t bit = 1u << (CAP_IPC_LOCK % 32);
	const int i = CAP_IPC_LOCK / 32;

	KT_OK(syscall(SYS_capget, &h, d));
	d[i].effective &= ~bit;
	d[i].permitted &= ~bit;
	d[i].inheritable &= ~bit;
	KT_OK(syscall(SYS_capset, &h, d));
	memset(d, 0xff, sizeof(d));
	KT_OK(syscall(SYS_capget, &h, d));
	KT_ASSERT(!(d[i].effective & bit) && !(d[i].permitted & bit));
}

static void set_memlock_limit(unsigned long long bytes)
{
	struct rlimit rl = { .rlim_cur = bytes, .rlim_max = bytes };

	KT_OK(setrlimit(RLIMIT_MEMLOCK, &rl));
}

static int memseg_ram(int fd, uint64_t gpa, void *va, uint64_t len)
{
	struct acrn_vm_memmap m;

	memset(&m, 0, sizeof(m));
	m.type = ACRN_MEMMAP_RAM;
	m.attr = ACRN_MEM_ACCESS_RWX;
	m.user_vm_pa = gpa;
	m.vma_base = (uint64_t)(uintptr_t)va;
	m.len = len;
	return ioctl(fd, ACRN_IOCTL_SET_MEMSEG, &m);
}

static void *ram_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		KT_FAIL("mmap %zu: %s", len, strerror(errno));
	return p;
}

/* The file's release (close) unpinned and uncharged everything. */
static void expect_unpinned(long long pins0, long long lck0)
{
	if (!KT_WAIT_FOR(kt_module_pinned_pages() == pins0 &&
			 vm_locked_kib() == lck0, KT_LONG_MS))
		KT_FAIL("after close: pinned_pages %lld (before %lld), VmLck %lld kB (before %lld)",
			kt_module_pinned_pages(), pins0, vm_locked_kib(), lck0);
}

#define KIB 1024ull
#define MIB (1024ull * 1024ull)

/*
 * The unprivileged side of hsm.memseg_memlock, in a child without
 * CAP_IPC_LOCK under a 256 KiB RLIMIT_MEMLOCK: guest RAM is charged to
 * locked_vm before it is pinned, each SET_MEMSEG again (the same pages
 * included), and given back at DESTROY_VM. Then it leaves a VM with RAM
 * behind and exits: the file is released after its mm is gone.
 */
static void memlock_child(int ready_fd)
{
	long long lck0 = vm_locked_kib();
	long long pins0 = module_pinned(), pins_vm;
	uint8_t *ram = ram_alloc(MIB);
	struct hsm_vm vm;
	char c = 'r';

	drop_cap_ipc_lock();
	/* 256 KiB more than what this process has locked already (0). */
	set_memlock_limit((unsigned long long)lck0 * KIB + 256 * KIB);

	hsm_vm_create(&vm);
	pins_vm = module_pinned();
	KT_EQ(pins_vm, pins0 + 1);		/* the ioreq page: not charged */
	KT_EQ(vm_locked_kib(), lck0);

	/* 1 MiB is over the limit: nothing pinned, nothing charged. */
	KT_ERRNO(memseg_ram(vm.fd, 0, ram, MIB), ENOMEM);
	KT_EQ(module_pinned(), pins_vm);
	KT_EQ(vm_locked_kib(), lck0);

	/* 128 KiB fits. */
	KT_OK(memseg_ram(vm.fd, 0, ram, 128 * KIB));
	KT_EQ(module_pinned(), pins_vm + 32);
	KT_EQ(vm_locked_kib(), lck0 + 128);

	/* The same pages again (another GPA) are pinned again: charged again. */
	KT_OK(memseg_ram(vm.fd, 0x100000, ram, 128 * KIB));
	KT_EQ(module_pinned(), pins_vm + 64);
	KT_EQ(vm_locked_kib(), lck0 + 256);

	/* The limit is reached: not one page more. */
	KT_ERRNO(memseg_ram(vm.fd, 0x200000, ram, 4 * KIB), ENOMEM);
	KT_ERRNO(memseg_ram(vm.fd, 0x200000, ram + 128 * KIB, 4 * KIB), ENOMEM);
	KT_EQ(module_pinned(), pins_vm + 64);
	KT_EQ(vm_locked_kib(), lck0 + 256);

	/* DESTROY_VM unpins and uncharges everything. */
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	KT_EQ(module_pinned(), pins0);
	KT_EQ(vm_locked_kib(), lck0);

	/* The charge is back: 256 KiB fit again, on a new VM. */
	KT_ASSERT(hsm_create_vm_raw(vm.fd, ioreq_page_alloc(),
				    &(struct acrn_vm_creation){ 0 }) == 0);
	KT_OK(memseg_ram(vm.fd, 0, ram, 256 * KIB));
	KT_EQ(vm_locked_kib(), lck0 + 256);
	KT_EQ(module_pinned(), pins0 + 1 + 64);

	/* Exit with the VM: released after exit_mm(), its mm has no users. */
	if (write(ready_fd, &c, 1) != 1)
		KT_FAIL("write: %s", strerror(errno));
	_exit(0);
}

static void memseg_memlock(void)
{
	long long pins0 = module_pinned(), lck0;
	uint8_t *ram = ram_alloc(MIB);
	int ready[2], status;
	struct hsm_vm vm;
	char c = 0;
	pid_t pid;

	KT_OK(pipe(ready));
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		memlock_child(ready[1]);
	}
	close(ready[1]);
	KT_EQ(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		KT_FAIL("the child without CAP_IPC_LOCK failed (status %#x)",
			status);
	KT_EQ(read(ready[0], &c, 1), 1);
	/* Its VM, with 256 KiB of RAM, went with it. */
	if (!KT_WAIT_FOR(kt_module_pinned_pages() == pins0, KT_LONG_MS))
		KT_FAIL("pinned_pages %lld after the child exited, %lld before",
			kt_module_pinned_pages(), pins0);

	/* With CAP_IPC_LOCK (root) the limit does not apply, but the pages
	 * are still counted in locked_vm. */
	lck0 = vm_locked_kib();
	set_memlock_limit((unsigned long long)lck0 * KIB + 256 * KIB);
	hsm_vm_create(&vm);
	KT_OK(memseg_ram(vm.fd, 0, ram, MIB));
	KT_EQ(module_pinned(), pins0 + 1 + 256);
	KT_EQ(vm_locked_kib(), lck0 + 1024);
	hsm_vm_close(&vm);
	expect_unpinned(pins0, lck0);
}

/*
 * A RAM region may be mapped again at the same GPA: acrn-dm does so on
 * every VM reset for a passthrough device's ROM BAR (romfile=), which it
 * maps as RAM at init, unmaps with UNSET_MEMSEG of type MMIO at deinit and
 * maps again, from a new buffer, at the same BAR address at the next init
 * (deinit_pci/init_pci in vm_reset_vdevs). Both stay pinned and charged
 * until the VM is destroyed, as with the Linux HSM.
 */
static void memseg_remap_same_gpa(void)
{
	long long pins0 = module_pinned(), lck0 = vm_locked_kib();
	uint8_t *rom1 = ram_alloc(64 * KIB), *rom2 = ram_alloc(64 * KIB);
	struct acrn_vm_memmap m;
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	KT_OK(memseg_ram(vm.fd, 0xdff00000, rom1, 64 * KIB));
	memset(&m, 0, sizeof(m));
	m.type = ACRN_MEMMAP_MMIO;
	m.user_vm_pa = 0xdff00000;
	m.len = 64 * KIB;
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_UNSET_MEMSEG, &m));
	KT_OK(memseg_ram(vm.fd, 0xdff00000, rom2, 64 * KIB));
	/* Overlapping in part, too. */
	KT_OK(memseg_ram(vm.fd, 0xdff08000, rom2, 64 * KIB));
	KT_EQ(module_pinned(), pins0 + 1 + 3 * 16);
	KT_EQ(vm_locked_kib(), lck0 + 3 * 64);
	hsm_vm_close(&vm);
	expect_unpinned(pins0, lck0);
}

static const struct kt_case cases[] = {
	{ "hsm.create_vm", create_vm, 0 },
	{ "hsm.create_vm_vcpu_num", create_vm_vcpu_num, 0 },
	{ "hsm.create_vm_twice", create_vm_twice, 0 },
	{ "hsm.create_vm_reserved", create_vm_reserved, 0 },
	{ "hsm.create_vm_bad_pointer", create_vm_bad_pointer, 0 },
	{ "hsm.create_vm_hypercall_fails", create_vm_hypercall_fails, 0 },
	{ "hsm.ioreq_buf_unaligned", ioreq_buf_unaligned, 0 },
	{ "hsm.ioreq_buf_short", ioreq_buf_short, 0 },
	{ "hsm.ioctls_without_vm", ioctls_without_vm, 0 },
	{ "hsm.unknown_ioctl", unknown_ioctl, 0 },
	{ "hsm.notify_bad_vcpu", notify_bad_vcpu, 0 },
	{ "hsm.notify_reserved", notify_reserved, 0 },
	{ "hsm.notify_free_slot", notify_free_slot, 0 },
	{ "hsm.client_create_twice", client_create_twice, 0 },
	{ "hsm.attach_without_client", attach_without_client, 0 },
	{ "hsm.attach_then_destroy_client", attach_then_destroy_client, 0 },
	{ "hsm.attach_then_destroy_vm", attach_then_destroy_vm, 0 },
	{ "hsm.attach_interrupted", attach_interrupted, 0 },
	{ "hsm.attach_sigkill", attach_sigkill, 0 },
	{ "hsm.create_destroy_cycles", create_destroy_cycles, 0 },
	{ "hsm.many_vms", many_vms, 0 },
	{ "hsm.memseg_vs_destroy", memseg_vs_destroy, 60 },
	{ "hsm.memseg_memlock", memseg_memlock, 0 },
	{ "hsm.memseg_remap_same_gpa", memseg_remap_same_gpa, 0 },
};

int main(int argc, char **argv)
{
	return kt_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
