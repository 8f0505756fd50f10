/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the guest test programs: a VM on /dev/acrn_hsm set up the way
 * ACRN userspace (acrn-dm) does it, and the simulated hypervisor on
 * /dev/vioreq_sim (kmod/include/uapi/vioreq_sim.h). Every helper fails the
 * running case (KT_FAIL) when a step that must work does not.
 */
#ifndef VIOREQ_HSM_UTIL_H
#define VIOREQ_HSM_UTIL_H

#include "ktest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#include "vioreq_sim.h"
#include "vioreq/uapi_gen.h"

#define HSM_DEVICE "/dev/acrn_hsm"
#define IOREQ_PAGE_SIZE 4096u

struct hsm_vm {
	int fd;
	struct acrn_io_request_buffer *page;
	uint16_t vmid;
	uint16_t vcpu_num;
};

static inline int hsm_open(void)
{
	int fd = open(HSM_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		KT_FAIL("open %s: %s", HSM_DEVICE, strerror(errno));
	return fd;
}

/*
 * A 4 KiB aligned, writable ioreq page. MAP_SHARED so that a parent still
 * sees the page of a child that was killed.
 */
static inline struct acrn_io_request_buffer *ioreq_page_alloc(void)
{
	void *p = mmap(NULL, IOREQ_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		KT_FAIL("mmap: %s", strerror(errno));
	return p;
}

static inline int hsm_create_vm_raw(int fd, void *ioreq_buf,
				    struct acrn_vm_creation *vc)
{
	memset(vc, 0, sizeof(*vc));
	vc->vmid = 0xffff;
	vc->vcpu_num = 0;
	vc->ioreq_buf = (uint64_t)(uintptr_t)ioreq_buf;
	vc->cpu_affinity = 1;
	return ioctl(fd, ACRN_IOCTL_CREATE_VM, vc);
}

/* Opens /dev/acrn_hsm and creates a VM with a fresh ioreq page. */
static inline void hsm_vm_create_with(struct hsm_vm *vm,
				      struct acrn_io_request_buffer *page)
{
	struct acrn_vm_creation vc;

	vm->fd = hsm_open();
	vm->page = page;
	if (hsm_create_vm_raw(vm->fd, vm->page, &vc) < 0)
		KT_FAIL("ACRN_IOCTL_CREATE_VM: %s", strerror(errno));
	if (vc.vmid >= VIOREQ_SIM_MAX_VMS)
		KT_FAIL("CREATE_VM: vmid %u not filled in", vc.vmid);
	if (vc.vcpu_num < 1 || vc.vcpu_num > ACRN_IO_REQUEST_MAX)
		KT_FAIL("CREATE_VM: vcpu_num %u not in 1..16", vc.vcpu_num);
	vm->vmid = vc.vmid;
	vm->vcpu_num = vc.vcpu_num;
}

static inline void hsm_vm_create(struct hsm_vm *vm)
{
	hsm_vm_create_with(vm, ioreq_page_alloc());
}

static inline void hsm_vm_close(struct hsm_vm *vm)
{
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
}

static inline int hsm_notify(const struct hsm_vm *vm, uint32_t vcpu)
{
	struct acrn_ioreq_notify n = { .vmid = vm->vmid, .vcpu = vcpu };

	return ioctl(vm->fd, ACRN_IOCTL_NOTIFY_REQUEST_FINISH, &n);
}

static inline uint32_t slot_state(const struct hsm_vm *vm, unsigned int vcpu)
{
	return __atomic_load_n(&vm->page->req_slot[vcpu].processed,
			       __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------ simulator */

static inline int sim_open(void)
{
	int fd = open(VIOREQ_SIM_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		KT_FAIL("open %s: %s", VIOREQ_SIM_DEVICE, strerror(errno));
	return fd;
}

static inline int sim_inject_pio(int sim, uint16_t vmid, uint32_t vcpu,
				 uint32_t dir, uint64_t port, uint64_t size,
				 uint64_t value, uint32_t polling)
{
	struct vioreq_sim_inject in;

	memset(&in, 0, sizeof(in));
	in.vmid = vmid;
	in.vcpu = vcpu;
	in.type = ACRN_IOREQ_TYPE_PORTIO;
	in.direction = dir;
	in.address = port;
	in.size = size;
	in.value = value;
	in.completion_polling = polling;
	return ioctl(sim, VIOREQ_SIM_INJECT, &in);
}

static inline int sim_inject_mmio(int sim, uint16_t vmid, uint32_t vcpu,
				  uint32_t dir, uint64_t gpa, uint64_t size,
				  uint64_t value)
{
	struct vioreq_sim_inject in;

	memset(&in, 0, sizeof(in));
	in.vmid = vmid;
	in.vcpu = vcpu;
	in.type = ACRN_IOREQ_TYPE_MMIO;
	in.direction = dir;
	in.address = gpa;
	in.size = size;
	in.value = value;
	return ioctl(sim, VIOREQ_SIM_INJECT, &in);
}

static inline int sim_wait(int sim, uint16_t vmid, uint32_t vcpu,
			   uint32_t timeout_ms, uint32_t flags,
			   struct vioreq_sim_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->vmid = vmid;
	w->vcpu = vcpu;
	w->timeout_ms = timeout_ms;
	w->flags = flags;
	return ioctl(sim, VIOREQ_SIM_WAIT, w);
}

static inline void sim_stats(int sim, uint16_t vmid, struct vioreq_sim_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->vmid = vmid;
	if (ioctl(sim, VIOREQ_SIM_STATS, st) < 0)
		KT_FAIL("VIOREQ_SIM_STATS vm %u: %s", vmid, strerror(errno));
}

static inline uint32_t sim_slot_state(int sim, uint16_t vmid, uint32_t vcpu)
{
	struct vioreq_sim_slot s;
	struct acrn_io_request r;

	memset(&s, 0, sizeof(s));
	s.vmid = vmid;
	s.vcpu = vcpu;
	if (ioctl(sim, VIOREQ_SIM_READ_SLOT, &s) < 0)
		KT_FAIL("VIOREQ_SIM_READ_SLOT: %s", strerror(errno));
	memcpy(&r, s.raw, sizeof(r));
	return r.processed;
}

/* The hypercall log: drained before a step, searched after it. */
struct hcall_log {
	struct vioreq_sim_hcall ev[256];
	unsigned int count;
};

static inline void sim_hcalls_take(int sim, struct hcall_log *log,
				   uint32_t timeout_ms)
{
	struct vioreq_sim_hcalls h;

	for (;;) {
		memset(&h, 0, sizeof(h));
		h.max = VIOREQ_SIM_HCALL_BATCH;
		h.timeout_ms = timeout_ms;
		if (ioctl(sim, VIOREQ_SIM_HCALLS, &h) < 0)
			KT_FAIL("VIOREQ_SIM_HCALLS: %s", strerror(errno));
		for (uint32_t i = 0; i < h.count; i++)
			if (log && log->count < sizeof(log->ev) / sizeof(log->ev[0]))
				log->ev[log->count++] = h.ev[i];
		if (h.count < VIOREQ_SIM_HCALL_BATCH)
			return;
		timeout_ms = 0;
	}
}

static inline void sim_hcalls_drain(int sim)
{
	sim_hcalls_take(sim, NULL, 0);
}

/* How many entries of the log have this id and VM (and arg0, if >= 0). */
static inline unsigned int hcall_count(const struct hcall_log *log, uint32_t id,
				       uint16_t vmid, long long arg0)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < log->count; i++)
		if (log->ev[i].id == id && log->ev[i].vmid == vmid &&
		    (arg0 < 0 || log->ev[i].args[0] == (uint64_t)arg0))
			n++;
	return n;
}

static inline void sim_config_vcpus(int sim, uint32_t vcpu_num)
{
	struct vioreq_sim_config c = { .vcpu_num = vcpu_num };

	if (ioctl(sim, VIOREQ_SIM_CONFIG, &c) < 0)
		KT_FAIL("VIOREQ_SIM_CONFIG: %s", strerror(errno));
}

static inline int sim_testdev_attach(int sim, uint16_t vmid, uint32_t type,
				     uint64_t start, uint64_t end,
				     uint32_t flags, uint32_t *id)
{
	struct vioreq_sim_testdev t;
	int rc;

	memset(&t, 0, sizeof(t));
	t.vmid = vmid;
	t.type = type;
	t.flags = flags;
	t.start = start;
	t.end = end;
	rc = ioctl(sim, VIOREQ_SIM_TESTDEV_ATTACH, &t);
	if (id)
		*id = rc == 0 ? t.id : 0xffffffffu;
	return rc;
}

static inline int sim_testdev_detach(int sim, uint16_t vmid, uint32_t id)
{
	struct vioreq_sim_testdev t;

	memset(&t, 0, sizeof(t));
	t.vmid = vmid;
	t.id = id;
	return ioctl(sim, VIOREQ_SIM_TESTDEV_DETACH, &t);
}

/* Open (open = 1) or only look at the gate of a GATED test device: the
 * number of handler calls that reached it, or -1 with errno. */
static inline long sim_testdev_gate(int sim, uint16_t vmid, uint32_t id,
				    uint32_t open)
{
	struct vioreq_sim_testdev_gate g;

	memset(&g, 0, sizeof(g));
	g.vmid = vmid;
	g.id = id;
	g.open = open;
	if (ioctl(sim, VIOREQ_SIM_TESTDEV_GATE, &g))
		return -1;
	return g.entered;
}

/* The low `size` bytes all ones, as the core completes an unserved read. */
static inline int is_all_ones(uint64_t value, uint64_t size)
{
	uint64_t mask = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;

	return (value & mask) == mask;
}

/* ------------------------------------------------------- attach thread */

/*
 * A thread blocked in ACRN_IOCTL_ATTACH_IOREQ_CLIENT, as acrn-dm's I/O
 * thread is. It attaches `rounds` times (0: until an error), counting
 * returns, and keeps the errno that ended it.
 */
struct attacher {
	pthread_t thread;
	atomic_int tid;		/* its kernel thread id, once running */
	int fd;
	unsigned int rounds;
	atomic_uint returned;
	atomic_int done;
	int err;
};

static void *attacher_main(void *arg)
{
	struct attacher *a = arg;

	atomic_store(&a->tid, (int)syscall(SYS_gettid));
	for (unsigned int i = 0; a->rounds == 0 || i < a->rounds; i++) {
		if (ioctl(a->fd, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0) < 0) {
			a->err = errno;
			break;
		}
		atomic_fetch_add(&a->returned, 1);
	}
	atomic_store(&a->done, 1);
	return NULL;
}

static inline void attacher_start(struct attacher *a, int fd, unsigned int rounds)
{
	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->rounds = rounds;
	if (pthread_create(&a->thread, NULL, attacher_main, a) != 0)
		KT_FAIL("pthread_create failed");
}

/*
 * Whether thread `tid` of process `pid` sleeps interruptibly (state S) in
 * ioctl(): for an attacher, that it is blocked in ATTACH (the only
 * interruptible sleep of that ioctl; a mutex wait would be state D).
 */
static inline int kt_task_sleeps_in_ioctl(pid_t pid, pid_t tid)
{
	char path[96], buf[256];
	const char *state;
	ssize_t n;
	long nr;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "tid (comm) S ...": the state follows the last ')'. */
	state = strrchr(buf, ')');
	if (!state || state[1] != ' ' || state[2] != 'S')
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	nr = strtol(buf, NULL, 10);
	return nr == SYS_ioctl;
}

/* Waits until cond() holds, polling every ms; returns 0 on timeout. */
#define KT_WAIT_FOR(cond, timeout_ms)                                   \
	({                                                              \
		uint64_t kt_end_ = kt_now_ms() + (timeout_ms);          \
		int kt_ok_ = 0;                                         \
		while (!(kt_ok_ = !!(cond)) && kt_now_ms() < kt_end_)   \
			kt_sleep_ms(2);                                 \
		kt_ok_;                                                 \
	})

/*
 * Waits until the attacher sleeps in ATTACH. A fixed sleep is not enough on
 * a loaded 2-core CI machine: the thread may not have reached the ioctl.
 */
static inline void attacher_wait_blocked(struct attacher *a,
					 unsigned int timeout_ms)
{
	if (!KT_WAIT_FOR(atomic_load(&a->tid) != 0 &&
			 kt_task_sleeps_in_ioctl(getpid(), atomic_load(&a->tid)),
			 timeout_ms))
		KT_FAIL("the ATTACH thread did not block in ATTACH within %u ms%s",
			timeout_ms, atomic_load(&a->done) ? " (it returned)" : "");
}

/* Joins an attacher that must end by itself with errno `err` or `err2`. */
static inline void attacher_expect_end2(struct attacher *a, int err, int err2,
					unsigned int timeout_ms)
{
	if (!KT_WAIT_FOR(atomic_load(&a->done), timeout_ms))
		KT_FAIL("ATTACH did not return within %u ms", timeout_ms);
	pthread_join(a->thread, NULL);
	if (a->err != err && a->err != err2)
		KT_FAIL("ATTACH ended with errno %s (%d), expected %s (%d)",
			strerrorname_np(a->err) ? strerrorname_np(a->err) : "0",
			a->err, err ? strerrorname_np(err) : "0", err);
}

static inline void attacher_expect_end(struct attacher *a, int err,
				       unsigned int timeout_ms)
{
	attacher_expect_end2(a, err, err, timeout_ms);
}

#endif /* VIOREQ_HSM_UTIL_H */
