// SPDX-License-Identifier: GPL-2.0
/*
 * ACRN_IOCTL_IOEVENTFD and ACRN_IOCTL_IRQFD, run in the QEMU guest:
 * argument checks, a guest write served by an ioeventfd instead of the
 * default client, an eventfd signal turned into an INJECT_MSI hypercall
 * (the simulator's hypercall log), and teardown by DEASSIGN, by closing
 * the eventfd, by DESTROY_VM and by closing the VM, also under traffic.
 * The module's live_eventfds counter tells that every eventfd reference
 * went.
 *
 *   hsm_eventfd [case...]    run the named cases, or all
 */
#include "hsm_util.h"

#include <sys/eventfd.h>

#define MMIO_DOORBELL 0xfe003000ull
#define PIO_DOORBELL 0xc050u
#define MSI_ADDR 0xfee01000ull
#define MSI_DATA 0x4041u

static int efd_new(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0)
		KT_FAIL("eventfd: %s", strerror(errno));
	return fd;
}

/* The eventfd's counter, which the read resets; 0 when it is 0. */
static uint64_t efd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		return v;
	if (errno != EAGAIN)
		KT_FAIL("read eventfd: %s", strerror(errno));
	return 0;
}

static void efd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		KT_FAIL("write eventfd: %s", strerror(errno));
}

static int ioeventfd(int vmfd, int fd, uint32_t flags, uint64_t addr,
		     uint32_t len, uint64_t data)
{
	struct acrn_ioeventfd a;

	memset(&a, 0, sizeof(a));
	a.fd = (uint32_t)fd;
	a.flags = flags;
	a.addr = addr;
	a.len = len;
	a.data = data;
	return ioctl(vmfd, ACRN_IOCTL_IOEVENTFD, &a);
}

static int irqfd(int vmfd, int fd, uint32_t flags)
{
	struct acrn_irqfd a;

	memset(&a, 0, sizeof(a));
	a.fd = fd;
	a.flags = flags;
	a.msi.msi_addr = MSI_ADDR;
	a.msi.msi_data = MSI_DATA;
	return ioctl(vmfd, ACRN_IOCTL_IRQFD, &a);
}

static uint32_t clients(int sim, uint16_t vmid)
{
	struct vioreq_sim_stats st;

	sim_stats(sim, vmid, &st);
	return st.clients;
}

/*
 * INJECT_MSI hypercalls for vmid with our MSI, taken from the log into
 * *seen until there are `want` (or KT_LONG_MS passed); then `quiet_ms`
 * more to catch extra ones. Fails on an injection of another MSI.
 */
static unsigned int msi_wait(int sim, uint16_t vmid, unsigned int want,
			     unsigned int quiet_ms)
{
	uint64_t end = kt_now_ms() + KT_LONG_MS;
	struct hcall_log log;
	unsigned int n = 0;

	for (;;) {
		uint64_t now = kt_now_ms();

		if (n >= want) {
			if (!quiet_ms)
				break;
			end = now + quiet_ms;
			quiet_ms = 0;
		}
		if (now >= end)
			break;
		log.count = 0;
		sim_hcalls_take(sim, &log, (uint32_t)(end - now < 100 ? end - now : 100));
		for (unsigned int i = 0; i < log.count; i++) {
			if (log.ev[i].id != VIOREQ_HC_INJECT_MSI ||
			    log.ev[i].vmid != vmid)
				continue;
			if (log.ev[i].args[0] != MSI_ADDR ||
			    log.ev[i].args[1] != MSI_DATA)
				KT_FAIL("INJECT_MSI of 0x%llx/0x%llx",
					(unsigned long long)log.ev[i].args[0],
					(unsigned long long)log.ev[i].args[1]);
			n++;
		}
	}
	return n;
}

/* ------------------------------------------------------------ ioeventfd */

/* REQ-EVENTFD-001: flags, reserved, length, range and fd are checked. */
static void ioeventfd_bad_args(void)
{
	struct acrn_ioeventfd a;
	int fd = hsm_open(), efd = efd_new(), devnull;
	struct hsm_vm vm;
	long live = KT_MODULE_PARAM("live_eventfds");

	memset(&a, 0, sizeof(a));
	a.fd = (uint32_t)efd;
	a.addr = MMIO_DOORBELL;
	a.len = 4;
	/* No VM on the file yet. */
	KT_ERRNO(ioctl(fd, ACRN_IOCTL_IOEVENTFD, &a), EINVAL);
	close(fd);

	hsm_vm_create(&vm);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_IOEVENTFD, NULL), EFAULT);
	a.flags = 0x08;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_IOEVENTFD, &a), EINVAL);
	a.flags = 0x80000000u | ACRN_IOEVENTFD_FLAG_DEASSIGN;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_IOEVENTFD, &a), EINVAL);
	a.flags = 0;
	a.reserved = 1;
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_IOEVENTFD, &a), EINVAL);
	a.reserved = 0;
	const uint32_t bad_len[] = { 0, 3, 5, 6, 7, 16, 0xffffffffu };

	for (size_t i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++)
		KT_ERRNO(ioeventfd(vm.fd, efd, 0, MMIO_DOORBELL, bad_len[i], 0),
			 EINVAL);
	/* Ranges that wrap, ports past 0xffff. */
	KT_ERRNO(ioeventfd(vm.fd, efd, 0, ~0ull - 2, 4, 0), EINVAL);
	KT_ERRNO(ioeventfd(vm.fd, efd, 0, ~0ull, 2, 0), EINVAL);
	KT_ERRNO(ioeventfd(vm.fd, efd, ACRN_IOEVENTFD_FLAG_PIO, 0xffff, 2, 0),
		 EINVAL);
	KT_ERRNO(ioeventfd(vm.fd, efd, ACRN_IOEVENTFD_FLAG_PIO, 0x10000, 1, 0),
		 EINVAL);
	/* The last bytes are fine. */
	KT_OK(ioeventfd(vm.fd, efd, 0, ~0ull - 3, 4, 0));
	KT_OK(ioeventfd(vm.fd, efd, ACRN_IOEVENTFD_FLAG_PIO, 0xfffe, 2, 0));
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live + 2);
	KT_OK(ioeventfd(vm.fd, efd, ACRN_IOEVENTFD_FLAG_DEASSIGN, ~0ull - 3, 4, 0));
	KT_OK(ioeventfd(vm.fd, efd, ACRN_IOEVENTFD_FLAG_PIO |
			ACRN_IOEVENTFD_FLAG_DEASSIGN, 0xfffe, 2, 0));
	/* Not an fd, not an eventfd. */
	KT_ERRNO(ioeventfd(vm.fd, -1, 0, MMIO_DOORBELL, 4, 0), EBADF);
	KT_ERRNO(ioeventfd(vm.fd, 1000, 0, MMIO_DOORBELL, 4, 0), EBADF);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	KT_ASSERT(devnull >= 0);
	KT_ERRNO(ioeventfd(vm.fd, devnull, 0, MMIO_DOORBELL, 4, 0), EINVAL);
	KT_ERRNO(ioeventfd(vm.fd, vm.fd, 0, MMIO_DOORBELL, 4, 0), EINVAL);
	KT_ERRNO(ioeventfd(vm.fd, devnull, ACRN_IOEVENTFD_FLAG_DEASSIGN,
			   MMIO_DOORBELL, 4, 0), EINVAL);
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live);
	close(devnull);
	close(efd);
	hsm_vm_close(&vm);
}

/*
 * REQ-EVENTFD-001: an ioeventfd that a write could match as well as an
 * existing one is -EEXIST, a range overlapping an ioeventfd's without
 * being the same is -EBUSY, a deassign names the whole ioeventfd.
 */
static void ioeventfd_duplicate(void)
{
	const uint32_t dm = ACRN_IOEVENTFD_FLAG_DATAMATCH;
	const uint32_t de = ACRN_IOEVENTFD_FLAG_DEASSIGN;
	int sim = sim_open(), e1 = efd_new(), e2 = efd_new(), e3 = efd_new();
	long live = KT_MODULE_PARAM("live_eventfds");
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	KT_EQ(clients(sim, vm.vmid), 0);
	KT_OK(ioeventfd(vm.fd, e1, 0, MMIO_DOORBELL, 4, 0));
	KT_EQ(clients(sim, vm.vmid), 1);	/* the ioeventfd client */
	KT_ERRNO(ioeventfd(vm.fd, e1, 0, MMIO_DOORBELL, 4, 0), EEXIST);
	KT_ERRNO(ioeventfd(vm.fd, e2, 0, MMIO_DOORBELL, 4, 0), EEXIST);
	/* A wildcard and a data match at one address: the write of that
	 * data would match both. */
	KT_ERRNO(ioeventfd(vm.fd, e2, dm, MMIO_DOORBELL, 4, 1), EEXIST);
	KT_OK(ioeventfd(vm.fd, e1, de, MMIO_DOORBELL, 4, 0));
	KT_EQ(clients(sim, vm.vmid), 0);	/* gone with the last one */

	/* Data matches share the range. */
	KT_OK(ioeventfd(vm.fd, e1, dm, MMIO_DOORBELL, 4, 1));
	KT_OK(ioeventfd(vm.fd, e2, dm, MMIO_DOORBELL, 4, 2));
	KT_OK(ioeventfd(vm.fd, e1, dm, MMIO_DOORBELL, 4, 3));
	KT_ERRNO(ioeventfd(vm.fd, e3, dm, MMIO_DOORBELL, 4, 1), EEXIST);
	KT_ERRNO(ioeventfd(vm.fd, e3, 0, MMIO_DOORBELL, 4, 0), EEXIST);
	/* Overlapping, not the same range: the core refuses it. */
	KT_ERRNO(ioeventfd(vm.fd, e3, 0, MMIO_DOORBELL, 2, 0), EBUSY);
	KT_ERRNO(ioeventfd(vm.fd, e3, 0, MMIO_DOORBELL + 2, 2, 0), EBUSY);
	KT_ERRNO(ioeventfd(vm.fd, e3, 0, MMIO_DOORBELL - 4, 8, 0), EBUSY);
	/* Adjacent, and the same numbers as ports: fine. */
	KT_OK(ioeventfd(vm.fd, e3, 0, MMIO_DOORBELL + 4, 4, 0));
	KT_OK(ioeventfd(vm.fd, e3, ACRN_IOEVENTFD_FLAG_PIO, 0x3000, 4, 0));
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live + 5);
	KT_EQ(clients(sim, vm.vmid), 1);

	/* Deassign: eventfd, type, address, length and data must all be. */
	KT_ERRNO(ioeventfd(vm.fd, e3, dm | de, MMIO_DOORBELL, 4, 1), ENOENT);
	KT_ERRNO(ioeventfd(vm.fd, e1, dm | de, MMIO_DOORBELL, 4, 2), ENOENT);
	KT_ERRNO(ioeventfd(vm.fd, e1, de, MMIO_DOORBELL, 4, 1), ENOENT);
	KT_ERRNO(ioeventfd(vm.fd, e1, dm | de, MMIO_DOORBELL, 2, 1), ENOENT);
	KT_ERRNO(ioeventfd(vm.fd, e3, dm | de | ACRN_IOEVENTFD_FLAG_PIO,
			   0x3000, 4, 0), ENOENT);
	KT_ERRNO(ioeventfd(vm.fd, e3, ACRN_IOEVENTFD_FLAG_PIO | de, 0x3000, 2, 0),
		 ENOENT);
	KT_OK(ioeventfd(vm.fd, e1, dm | de, MMIO_DOORBELL, 4, 1));
	KT_ERRNO(ioeventfd(vm.fd, e1, dm | de, MMIO_DOORBELL, 4, 1), ENOENT);
	/* The shared range stays while e2 and e1/3 use it. */
	KT_ERRNO(ioeventfd(vm.fd, e3, 0, MMIO_DOORBELL, 2, 0), EBUSY);
	KT_OK(ioeventfd(vm.fd, e2, dm | de, MMIO_DOORBELL, 4, 2));
	KT_OK(ioeventfd(vm.fd, e1, dm | de, MMIO_DOORBELL, 4, 3));
	/* Now it is free for another length. */
	KT_OK(ioeventfd(vm.fd, e3, 0, MMIO_DOORBELL, 2, 0));
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live + 3);
	/* Closing the VM releases the rest. */
	hsm_vm_close(&vm);
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("live_eventfds") == live, KT_LONG_MS));
	close(e1);
	close(e2);
	close(e3);
	close(sim);
}

/*
 * REQ-EVENTFD-001: a range that overlaps another client's is refused with
 * -EBUSY and changes nothing (the lazily created client goes again); the
 * other client cannot take an ioeventfd's range either.
 */
static void ioeventfd_overlap_client(void)
{
	int sim = sim_open(), efd = efd_new();
	long live = KT_MODULE_PARAM("live_eventfds");
	struct hsm_vm vm;
	uint32_t id;

	hsm_vm_create(&vm);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	KT_OK(sim_testdev_attach(sim, vm.vmid, ACRN_IOREQ_TYPE_MMIO,
				 0x2000, 0x2fff, 0, &id));
	KT_EQ(clients(sim, vm.vmid), 2);
	KT_ERRNO(ioeventfd(vm.fd, efd, 0, 0x2800, 4, 0), EBUSY);
	KT_ERRNO(ioeventfd(vm.fd, efd, 0, 0x2ffe, 4, 0), EBUSY);
	KT_ERRNO(ioeventfd(vm.fd, efd, 0, 0x1ffc, 8, 0), EBUSY);
	KT_EQ(clients(sim, vm.vmid), 2);
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live);
	KT_OK(ioeventfd(vm.fd, efd, 0, 0x3000, 4, 0));
	KT_EQ(clients(sim, vm.vmid), 3);
	/* With the client there, a refused second range changes nothing. */
	KT_ERRNO(ioeventfd(vm.fd, efd, 0, 0x2000, 1, 0), EBUSY);
	KT_EQ(clients(sim, vm.vmid), 3);
	KT_ERRNO(sim_testdev_attach(sim, vm.vmid, ACRN_IOREQ_TYPE_MMIO,
				    0x3000, 0x3fff, 0, NULL), EBUSY);
	KT_OK(sim_testdev_detach(sim, vm.vmid, id));
	KT_OK(ioeventfd(vm.fd, efd, 0, 0x2800, 4, 0));
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live + 2);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	/* DESTROY_VM releases every eventfd before it returns. */
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live);
	hsm_vm_close(&vm);
	close(efd);
	close(sim);
}

/*
 * REQ-EVENTFD-002: a write to an ioeventfd's address (exact length, data
 * when it matches data) signals the eventfd and completes in the kernel,
 * without the default client; a read completes with 0; other writes in
 * the range complete and signal nothing; after DEASSIGN the default
 * client gets them again.
 */
static void ioeventfd_requests(void)
{
	const uint32_t pio_dm = ACRN_IOEVENTFD_FLAG_PIO |
				ACRN_IOEVENTFD_FLAG_DATAMATCH;
	int sim = sim_open(), em = efd_new(), ep = efd_new();
	struct vioreq_sim_stats st;
	struct vioreq_sim_wait w;
	struct attacher a;
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	KT_OK(ioeventfd(vm.fd, em, 0, MMIO_DOORBELL, 4, 0));
	KT_OK(ioeventfd(vm.fd, ep, pio_dm, PIO_DOORBELL, 2, 3));
	attacher_start(&a, vm.fd, 1);
	attacher_wait_blocked(&a, KT_LONG_MS);

	/* MMIO, any data. */
	KT_OK(sim_inject_mmio(sim, vm.vmid, 0, ACRN_IOREQ_DIR_WRITE,
			      MMIO_DOORBELL, 4, 0x11));
	KT_OK(sim_wait(sim, vm.vmid, 0, KT_LONG_MS, 0, &w));
	KT_EQ(w.state, ACRN_IOREQ_STATE_COMPLETE);
	KT_EQ(w.kernel_handled, 1);
	KT_EQ(w.notified, 1);
	KT_EQ(efd_take(em), 1);
	KT_OK(sim_inject_mmio(sim, vm.vmid, 1, ACRN_IOREQ_DIR_WRITE,
			      MMIO_DOORBELL, 4, 0x22));
	KT_OK(sim_wait(sim, vm.vmid, 1, KT_LONG_MS, 0, &w));
	KT_OK(sim_inject_mmio(sim, vm.vmid, 2, ACRN_IOREQ_DIR_WRITE,
			      MMIO_DOORBELL, 4, 0x33));
	KT_OK(sim_wait(sim, vm.vmid, 2, KT_LONG_MS, 0, &w));
	KT_EQ(efd_take(em), 2);
	/* PIO with a data match: the matching value signals. */
	KT_OK(sim_inject_pio(sim, vm.vmid, 1, ACRN_IOREQ_DIR_WRITE,
			     PIO_DOORBELL, 2, 3, 0));
	KT_OK(sim_wait(sim, vm.vmid, 1, KT_LONG_MS, 0, &w));
	KT_EQ(w.kernel_handled, 1);
	KT_EQ(efd_take(ep), 1);
	/* Only the bytes written are compared. */
	KT_OK(sim_inject_pio(sim, vm.vmid, 1, ACRN_IOREQ_DIR_WRITE,
			     PIO_DOORBELL, 2, 0xabcd0003u, 0));
	KT_OK(sim_wait(sim, vm.vmid, 1, KT_LONG_MS, 0, &w));
	KT_EQ(efd_take(ep), 1);
	/* Another value: completed, ignored (as the Linux HSM does). */
	KT_OK(sim_inject_pio(sim, vm.vmid, 1, ACRN_IOREQ_DIR_WRITE,
			     PIO_DOORBELL, 2, 4, 0));
	KT_OK(sim_wait(sim, vm.vmid, 1, KT_LONG_MS, 0, &w));
	KT_EQ(w.state, ACRN_IOREQ_STATE_COMPLETE);
	KT_EQ(w.kernel_handled, 1);
	KT_EQ(efd_take(ep), 0);
	/* Polling requests are completed without the notify hypercall. */
	KT_OK(sim_inject_pio(sim, vm.vmid, 1, ACRN_IOREQ_DIR_WRITE,
			     PIO_DOORBELL, 2, 3, 1));
	KT_OK(sim_wait(sim, vm.vmid, 1, KT_LONG_MS, 0, &w));
	KT_EQ(w.notified, 0);
	KT_EQ(efd_take(ep), 1);
	/* Reads complete with 0 and signal nothing. */
	KT_OK(sim_inject_mmio(sim, vm.vmid, 2, ACRN_IOREQ_DIR_READ,
			      MMIO_DOORBELL, 4, 0));
	KT_OK(sim_wait(sim, vm.vmid, 2, KT_LONG_MS, 0, &w));
	KT_EQ(w.value, 0);
	KT_EQ(w.kernel_handled, 1);
	KT_OK(sim_inject_pio(sim, vm.vmid, 3, ACRN_IOREQ_DIR_READ,
			     PIO_DOORBELL, 2, 0, 0));
	KT_OK(sim_wait(sim, vm.vmid, 3, KT_LONG_MS, 0, &w));
	KT_EQ(w.value & 0xffffffffu, 0);
	/* Inside the range at another length or address: no signal. */
	KT_OK(sim_inject_mmio(sim, vm.vmid, 0, ACRN_IOREQ_DIR_WRITE,
			      MMIO_DOORBELL, 2, 0x11));
	KT_OK(sim_wait(sim, vm.vmid, 0, KT_LONG_MS, 0, &w));
	KT_OK(sim_inject_mmio(sim, vm.vmid, 0, ACRN_IOREQ_DIR_WRITE,
			      MMIO_DOORBELL + 2, 2, 0x11));
	KT_OK(sim_wait(sim, vm.vmid, 0, KT_LONG_MS, 0, &w));
	KT_EQ(w.kernel_handled, 1);
	KT_EQ(efd_take(em), 0);
	KT_EQ(efd_take(ep), 0);
	/* Not one of these went to userspace. */
	KT_EQ(atomic_load(&a.returned), 0);
	sim_stats(sim, vm.vmid, &st);
	KT_EQ(st.held_mask, 0);
	KT_EQ(st.clients, 2);

	/* Deassigned: the default client gets the doorbell write. */
	KT_OK(ioeventfd(vm.fd, em, ACRN_IOEVENTFD_FLAG_DEASSIGN,
			MMIO_DOORBELL, 4, 0));
	KT_OK(sim_inject_mmio(sim, vm.vmid, 4, ACRN_IOREQ_DIR_WRITE,
			      MMIO_DOORBELL, 4, 0x44));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(slot_state(&vm, 4), ACRN_IOREQ_STATE_PROCESSING);
	KT_EQ(vm.page->req_slot[4].kernel_handled, 0);
	KT_EQ(vm.page->req_slot[4].reqs.mmio_request.value, 0x44);
	KT_OK(hsm_notify(&vm, 4));
	KT_OK(sim_wait(sim, vm.vmid, 4, KT_LONG_MS, 0, &w));
	KT_EQ(efd_take(em), 0);
	/* The PIO one still works. */
	KT_OK(sim_inject_pio(sim, vm.vmid, 5, ACRN_IOREQ_DIR_WRITE,
			     PIO_DOORBELL, 2, 3, 0));
	KT_OK(sim_wait(sim, vm.vmid, 5, KT_LONG_MS, 0, &w));
	KT_EQ(w.kernel_handled, 1);
	KT_EQ(efd_take(ep), 1);
	KT_OK(ioeventfd(vm.fd, ep, pio_dm | ACRN_IOEVENTFD_FLAG_DEASSIGN,
			PIO_DOORBELL, 2, 3));
	sim_stats(sim, vm.vmid, &st);
	KT_EQ(st.clients, 1);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	hsm_vm_close(&vm);
	close(em);
	close(ep);
	close(sim);
}

/* ------------------------------------------------------------ irqfd */

/* REQ-EVENTFD-003: flags and fd are checked, one irqfd per eventfd. */
static void irqfd_bad_args(void)
{
	int efd = efd_new(), fd = hsm_open(), devnull;
	long live = KT_MODULE_PARAM("live_eventfds");
	struct hsm_vm vm;

	KT_ERRNO(irqfd(fd, efd, 0), EINVAL);	/* no VM on the file */
	close(fd);
	hsm_vm_create(&vm);
	KT_ERRNO(ioctl(vm.fd, ACRN_IOCTL_IRQFD, NULL), EFAULT);
	KT_ERRNO(irqfd(vm.fd, efd, 0x2), EINVAL);
	KT_ERRNO(irqfd(vm.fd, efd, 0x80000000u | ACRN_IRQFD_FLAG_DEASSIGN),
		 EINVAL);
	KT_ERRNO(irqfd(vm.fd, -1, 0), EBADF);
	KT_ERRNO(irqfd(vm.fd, 1000, 0), EBADF);
	KT_ERRNO(irqfd(vm.fd, -1, ACRN_IRQFD_FLAG_DEASSIGN), EBADF);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	KT_ASSERT(devnull >= 0);
	KT_ERRNO(irqfd(vm.fd, devnull, 0), EINVAL);
	KT_ERRNO(irqfd(vm.fd, vm.fd, 0), EINVAL);
	KT_ERRNO(irqfd(vm.fd, devnull, ACRN_IRQFD_FLAG_DEASSIGN), EINVAL);
	KT_ERRNO(irqfd(vm.fd, efd, ACRN_IRQFD_FLAG_DEASSIGN), ENOENT);
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live);
	KT_OK(irqfd(vm.fd, efd, 0));
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live + 1);
	KT_ERRNO(irqfd(vm.fd, efd, 0), EBUSY);
	/* Another fd of the same eventfd is the same eventfd. */
	int dup_fd = dup(efd);

	KT_ERRNO(irqfd(vm.fd, dup_fd, 0), EBUSY);
	KT_OK(irqfd(vm.fd, dup_fd, ACRN_IRQFD_FLAG_DEASSIGN));
	KT_ERRNO(irqfd(vm.fd, efd, ACRN_IRQFD_FLAG_DEASSIGN), ENOENT);
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live);
	/* And it can be assigned again. */
	KT_OK(irqfd(vm.fd, efd, 0));
	KT_OK(irqfd(vm.fd, efd, ACRN_IRQFD_FLAG_DEASSIGN));
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live);
	close(dup_fd);
	close(devnull);
	close(efd);
	hsm_vm_close(&vm);
}

/*
 * REQ-EVENTFD-003: each signal of the eventfd is an INJECT_MSI hypercall
 * with the irqfd's MSI; none after DEASSIGN.
 */
static void irqfd_inject(void)
{
	int sim = sim_open(), efd = efd_new();
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	sim_hcalls_drain(sim);
	KT_OK(irqfd(vm.fd, efd, 0));
	KT_EQ(msi_wait(sim, vm.vmid, 0, 100), 0);	/* nothing pending */
	for (int i = 0; i < 3; i++) {
		efd_signal(efd);
		KT_EQ(msi_wait(sim, vm.vmid, 1, 0), 1);
	}
	/* A second VM changes nothing for this one. */
	struct hsm_vm other;

	hsm_vm_create(&other);
	efd_signal(efd);
	KT_EQ(msi_wait(sim, vm.vmid, 1, 0), 1);
	KT_OK(irqfd(vm.fd, efd, ACRN_IRQFD_FLAG_DEASSIGN));
	/* DEASSIGN returned: no injection after it. */
	efd_signal(efd);
	KT_EQ(msi_wait(sim, vm.vmid, 0, 300), 0);
	/* The same eventfd on the other VM: its MSIs go there. */
	KT_OK(irqfd(other.fd, efd, 0));
	/* Its counter is not 0 (nobody reads it): injected at once. */
	KT_EQ(msi_wait(sim, other.vmid, 1, 100), 1);
	KT_OK(irqfd(other.fd, efd, ACRN_IRQFD_FLAG_DEASSIGN));
	hsm_vm_close(&other);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	hsm_vm_close(&vm);
	close(efd);
	close(sim);
}

/* REQ-EVENTFD-003: an eventfd signalled before ASSIGN injects once. */
static void irqfd_pending(void)
{
	int sim = sim_open(), efd = efd_new();
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	sim_hcalls_drain(sim);
	efd_signal(efd);
	efd_signal(efd);
	KT_OK(irqfd(vm.fd, efd, 0));
	KT_EQ(msi_wait(sim, vm.vmid, 1, 300), 1);
	/* The count is left to its reader. */
	KT_EQ(efd_take(efd), 2);
	KT_OK(irqfd(vm.fd, efd, ACRN_IRQFD_FLAG_DEASSIGN));
	hsm_vm_close(&vm);
	close(efd);
	close(sim);
}

/*
 * REQ-EVENTFD-003: closing the eventfd while it is an irqfd tears the
 * irqfd down (EPOLLHUP); a new eventfd, at the same fd number, works.
 */
static void irqfd_close_eventfd(void)
{
	int sim = sim_open(), efd = efd_new(), efd2;
	long live = KT_MODULE_PARAM("live_eventfds");
	struct hsm_vm vm;

	hsm_vm_create(&vm);
	sim_hcalls_drain(sim);
	KT_OK(irqfd(vm.fd, efd, 0));
	efd_signal(efd);
	KT_EQ(msi_wait(sim, vm.vmid, 1, 0), 1);
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live + 1);
	close(efd);
	if (!KT_WAIT_FOR(KT_MODULE_PARAM("live_eventfds") == live, KT_LONG_MS))
		KT_FAIL("the irqfd of a closed eventfd stays: live_eventfds %ld",
			KT_MODULE_PARAM("live_eventfds"));
	efd2 = efd_new();
	KT_EQ(efd2, efd);
	KT_ERRNO(irqfd(vm.fd, efd2, ACRN_IRQFD_FLAG_DEASSIGN), ENOENT);
	KT_OK(irqfd(vm.fd, efd2, 0));
	efd_signal(efd2);
	KT_EQ(msi_wait(sim, vm.vmid, 1, 0), 1);
	/* Closed again, with the VM still there, then the VM goes. */
	close(efd2);
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("live_eventfds") == live, KT_LONG_MS));
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	hsm_vm_close(&vm);
	close(sim);
}

/* ------------------------------------------------------------ teardown */

struct doorbell_vm {
	struct hsm_vm vm;
	int efd[4];	/* MMIO and PIO ioeventfds, two irqfds */
};

static void doorbell_vm_setup(struct doorbell_vm *d, int sim)
{
	hsm_vm_create(&d->vm);
	KT_OK(ioctl(d->vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	for (int i = 0; i < 4; i++)
		d->efd[i] = efd_new();
	KT_OK(ioeventfd(d->vm.fd, d->efd[0], 0, MMIO_DOORBELL, 4, 0));
	KT_OK(ioeventfd(d->vm.fd, d->efd[1], ACRN_IOEVENTFD_FLAG_PIO,
			PIO_DOORBELL, 2, 0));
	KT_OK(irqfd(d->vm.fd, d->efd[2], 0));
	KT_OK(irqfd(d->vm.fd, d->efd[3], 0));
	sim_hcalls_drain(sim);
}

/*
 * REQ-EVENTFD-003: DESTROY_VM, closing the VM's file, and the death of
 * the process that has it each release every ioeventfd and irqfd; the
 * eventfds stay usable, and no MSI is injected for the VM after.
 */
static void destroy_vm_with_eventfds(void)
{
	int sim = sim_open();
	long live = KT_MODULE_PARAM("live_eventfds");
	struct doorbell_vm d;
	struct vioreq_sim_wait w;
	uint16_t vmid;
	pid_t pid;
	int status;

	/* DESTROY_VM, with a doorbell write and an MSI just before. */
	doorbell_vm_setup(&d, sim);
	vmid = d.vm.vmid;
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live + 4);
	KT_OK(sim_inject_mmio(sim, vmid, 0, ACRN_IOREQ_DIR_WRITE,
			      MMIO_DOORBELL, 4, 1));
	KT_OK(sim_wait(sim, vmid, 0, KT_LONG_MS, 0, &w));
	KT_EQ(w.kernel_handled, 1);
	efd_signal(d.efd[2]);
	KT_OK(ioctl(d.vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live);
	KT_EQ(efd_take(d.efd[0]), 1);
	efd_signal(d.efd[2]);
	efd_signal(d.efd[3]);
	/* The MSI signalled before DESTROY_VM was made before the VM went
	 * (its work was flushed), none after. */
	KT_EQ(msi_wait(sim, vmid, 0, 300), 1);
	KT_ERRNO(irqfd(d.vm.fd, d.efd[2], ACRN_IRQFD_FLAG_DEASSIGN), EINVAL);
	hsm_vm_close(&d.vm);
	for (int i = 0; i < 4; i++)
		close(d.efd[i]);

	/* The last close of the VM's file. */
	doorbell_vm_setup(&d, sim);
	vmid = d.vm.vmid;
	hsm_vm_close(&d.vm);
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("live_eventfds") == live, KT_LONG_MS));
	efd_signal(d.efd[2]);
	KT_EQ(msi_wait(sim, vmid, 0, 300), 0);
	for (int i = 0; i < 4; i++)
		close(d.efd[i]);

	/* A process killed with its VM, eventfds and all. */
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0) {
		doorbell_vm_setup(&d, sim);
		efd_signal(d.efd[2]);
		for (;;)
			pause();
	}
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("live_eventfds") == live + 4, KT_LONG_MS));
	kill(pid, SIGKILL);
	KT_ASSERT(waitpid(pid, &status, 0) == pid);
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("live_eventfds") == live, KT_LONG_MS));
	close(sim);
}

struct signaller {
	pthread_t thread;
	atomic_int efd;
	atomic_int stop;
	atomic_uint sent;
};

/* Signals whatever eventfd s->efd is, as fast as it can. */
static void *signaller_main(void *arg)
{
	struct signaller *s = arg;
	uint64_t v = 1;

	while (!atomic_load(&s->stop)) {
		int fd = atomic_load(&s->efd);

		/* EBADF once the case closed it: keep going until told. */
		if (write(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) &&
		    atomic_fetch_add(&s->sent, 1) % 64 == 63) {
			/* Keep the counter far from its maximum; it may be
			 * closed under us (EBADF): fine. */
			ssize_t r = read(fd, &v, sizeof(v));

			(void)r;
			v = 1;
		}
	}
	return NULL;
}

/* A vCPU writing the doorbell again and again; each write must complete. */
struct doorbell_writer {
	pthread_t thread;
	int sim;
	uint16_t vmid;
	unsigned int writes;
	atomic_int done;
	int err;
};

static void *doorbell_writer_main(void *arg)
{
	struct doorbell_writer *d = arg;
	struct vioreq_sim_wait w;

	for (unsigned int i = 0; i < d->writes; i++) {
		if (sim_inject_mmio(d->sim, d->vmid, 0, ACRN_IOREQ_DIR_WRITE,
				    MMIO_DOORBELL, 4, 1) < 0 ||
		    sim_wait(d->sim, d->vmid, 0, KT_LONG_MS, 0, &w) < 0) {
			d->err = errno;
			break;
		}
	}
	atomic_store(&d->done, 1);
	return NULL;
}

/*
 * REQ-EVENTFD-003: irqfds assigned and deassigned, and VMs destroyed,
 * while another thread signals the eventfd as fast as it can; then a
 * doorbell written by the "guest" while its ioeventfd comes and goes
 * (without a default client, a write nobody takes is completed by the
 * core). Nothing hangs or leaks, and dmesg stays clean.
 */
static void eventfd_races(void)
{
	int sim = sim_open(), efd = efd_new(), eio = efd_new();
	long live = KT_MODULE_PARAM("live_eventfds");
	struct vioreq_sim_wait w;
	struct signaller s;
	struct hsm_vm vm;

	memset(&s, 0, sizeof(s));
	atomic_store(&s.efd, efd);
	if (pthread_create(&s.thread, NULL, signaller_main, &s) != 0)
		KT_FAIL("pthread_create failed");
	for (int round = 0; round < 20; round++) {
		hsm_vm_create(&vm);
		for (int i = 0; i < 10; i++) {
			KT_OK(irqfd(vm.fd, efd, 0));
			KT_OK(irqfd(vm.fd, efd, ACRN_IRQFD_FLAG_DEASSIGN));
		}
		KT_OK(irqfd(vm.fd, efd, 0));
		if (round % 2)
			KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
		hsm_vm_close(&vm);
	}
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("live_eventfds") == live, KT_LONG_MS));
	/* Assigned while the eventfd's last fd is closed under it. */
	hsm_vm_create(&vm);
	for (int round = 0; round < 20; round++) {
		int e = efd_new();

		KT_OK(irqfd(vm.fd, e, 0));
		atomic_store(&s.efd, e);
		kt_sleep_ms(1);
		close(e);
	}
	atomic_store(&s.stop, 1);
	pthread_join(s.thread, NULL);
	KT_ASSERT(KT_WAIT_FOR(KT_MODULE_PARAM("live_eventfds") == live, KT_LONG_MS));
	KT_ASSERT(atomic_load(&s.sent) > 0);

	/* Doorbell writes while the ioeventfd is assigned and deassigned. */
	for (int round = 0; round < 40; round++) {
		if (round % 2)
			KT_OK(ioeventfd(vm.fd, eio, ACRN_IOEVENTFD_FLAG_DEASSIGN,
					MMIO_DOORBELL, 4, 0));
		else
			KT_OK(ioeventfd(vm.fd, eio, 0, MMIO_DOORBELL, 4, 0));
		KT_OK(sim_inject_mmio(sim, vm.vmid, 0, ACRN_IOREQ_DIR_WRITE,
				      MMIO_DOORBELL, 4, 1));
		KT_OK(sim_wait(sim, vm.vmid, 0, KT_LONG_MS, 0, &w));
		KT_EQ(w.kernel_handled, 1);
	}
	/* 20 rounds had it assigned: 20 signals. */
	KT_EQ(efd_take(eio), 20);
	/* The same, with the writes coming from another thread meanwhile. */
	struct doorbell_writer dw = { .sim = sim, .vmid = vm.vmid,
				      .writes = 300 };

	if (pthread_create(&dw.thread, NULL, doorbell_writer_main, &dw) != 0)
		KT_FAIL("pthread_create failed");
	for (int round = 0; !atomic_load(&dw.done); round++) {
		KT_OK(ioeventfd(vm.fd, eio, round % 2 ?
				ACRN_IOEVENTFD_FLAG_DEASSIGN : 0,
				MMIO_DOORBELL, 4, 0));
		if (round % 2 == 0)
			kt_sleep_ms(1);
	}
	pthread_join(dw.thread, NULL);
	if (dw.err)
		KT_FAIL("a doorbell write did not complete: %s",
			strerror(dw.err));
	KT_ASSERT(efd_take(eio) <= dw.writes);
	KT_OK(ioctl(vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	hsm_vm_close(&vm);
	KT_EQ(KT_MODULE_PARAM("live_eventfds"), live);
	close(efd);
	close(eio);
	close(sim);
}

static const struct kt_case cases[] = {
	{ "eventfd.ioeventfd_bad_args", ioeventfd_bad_args, 0 },
	{ "eventfd.ioeventfd_duplicate", ioeventfd_duplicate, 0 },
	{ "eventfd.ioeventfd_overlap_client", ioeventfd_overlap_client, 0 },
	{ "eventfd.ioeventfd_requests", ioeventfd_requests, 0 },
	{ "eventfd.irqfd_bad_args", irqfd_bad_args, 0 },
	{ "eventfd.irqfd_inject", irqfd_inject, 0 },
	{ "eventfd.irqfd_pending", irqfd_pending, 0 },
	{ "eventfd.irqfd_close_eventfd", irqfd_close_eventfd, 0 },
	{ "eventfd.destroy_vm_with_eventfds", destroy_vm_with_eventfds, 0 },
	{ "eventfd.races", eventfd_races, 60 },
};

int main(int argc, char **argv)
{
	return kt_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
