// SPDX-License-Identifier: GPL-2.0
/*
 * I/O requests end to end, run in the QEMU guest: /dev/vioreq_sim plays the
 * hypervisor (inject a trapped access, wait for its completion, read the
 * hypercall log), /dev/acrn_hsm is used as acrn-dm uses it (a default
 * client whose thread blocks in ATTACH and finishes requests with
 * NOTIFY_REQUEST_FINISH), and the simulator's test device is an in-kernel
 * client with a range.
 *
 *   hsm_flow [case...]    run the named cases, or all
 *   hsm_flow --hold       create a VM and a client, attach, print HOLDING
 *                         and wait to be killed (for the rmmod test)
 */
#include "hsm_util.h"

#define TESTDEV_PIO_START 0x1000u
#define TESTDEV_PIO_END 0x10ffu

/* A VM with a default client and the simulator, ready for requests. */
struct flow {
	struct hsm_vm vm;
	int sim;
};

static void flow_setup(struct flow *f)
{
	f->sim = sim_open();
	hsm_vm_create(&f->vm);
	KT_OK(ioctl(f->vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0));
	sim_hcalls_drain(f->sim);
}

/* Tears down as acrn-dm does: clear, destroy the client, destroy the VM. */
static void flow_teardown(struct flow *f, struct attacher *a)
{
	KT_OK(ioctl(f->vm.fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0));
	KT_OK(ioctl(f->vm.fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0));
	/* ENOENT if the thread had not blocked yet when the client went. */
	if (a)
		attacher_expect_end2(a, ENODEV, ENOENT, KT_LONG_MS);
	KT_OK(ioctl(f->vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	hsm_vm_close(&f->vm);
	close(f->sim);
}

/* The default client gets a PIO read, the client answers, the hypervisor
 * sees COMPLETE with the value and a NOTIFY_REQUEST_FINISH hypercall. */
static void pio_roundtrip(void)
{
	struct acrn_io_request *slot;
	struct vioreq_sim_stats st;
	struct vioreq_sim_wait w;
	struct hcall_log log = { .count = 0 };
	struct attacher a;
	struct flow f;
	const uint32_t vcpu = 1;

	flow_setup(&f);
	slot = &f.vm.page->req_slot[vcpu];
	attacher_start(&a, f.vm.fd, 1);
	attacher_wait_blocked(&a, KT_LONG_MS);
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, vcpu, ACRN_IOREQ_DIR_READ,
			     0x3f8, 1, 0, 0));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(atomic_load(&a.returned), 1);
	/* The request is PROCESSING, for userspace, and held by our client. */
	KT_EQ(slot_state(&f.vm, vcpu), ACRN_IOREQ_STATE_PROCESSING);
	KT_EQ(slot->type, ACRN_IOREQ_TYPE_PORTIO);
	KT_EQ(slot->reqs.pio_request.direction, ACRN_IOREQ_DIR_READ);
	KT_EQ(slot->reqs.pio_request.address, 0x3f8);
	KT_EQ(slot->reqs.pio_request.size, 1);
	KT_EQ(slot->kernel_handled, 0);
	sim_stats(f.sim, f.vm.vmid, &st);
	KT_EQ(st.held_mask, 1u << vcpu);
	KT_EQ(st.dispatched[ACRN_IOREQ_TYPE_PORTIO], 1);
	/* No other slot moved. */
	for (uint32_t v = 0; v < f.vm.vcpu_num; v++)
		if (v != vcpu)
			KT_EQ(slot_state(&f.vm, v), ACRN_IOREQ_STATE_FREE);
	/* The hypervisor still waits. */
	KT_ERRNO(sim_wait(f.sim, f.vm.vmid, vcpu, 0, 0, &w), ETIMEDOUT);

	slot->reqs.pio_request.value = 0xa5;
	KT_OK(hsm_notify(&f.vm, vcpu));
	KT_OK(sim_wait(f.sim, f.vm.vmid, vcpu, KT_LONG_MS, VIOREQ_SIM_WAIT_KEEP, &w));
	KT_EQ(w.state, ACRN_IOREQ_STATE_COMPLETE);
	KT_EQ(w.notified, 1);
	KT_EQ(w.value & 0xff, 0xa5);
	sim_hcalls_take(f.sim, &log, 0);
	KT_EQ(hcall_count(&log, VIOREQ_HC_NOTIFY_REQUEST_FINISH, f.vm.vmid, vcpu), 1);
	/* COMPLETE belongs to the hypervisor: finishing again is refused. */
	KT_ERRNO(hsm_notify(&f.vm, vcpu), EINVAL);
	KT_OK(sim_wait(f.sim, f.vm.vmid, vcpu, 0, 0, &w));
	KT_EQ(slot_state(&f.vm, vcpu), ACRN_IOREQ_STATE_FREE);
	KT_ERRNO(hsm_notify(&f.vm, vcpu), EINVAL);
	sim_stats(f.sim, f.vm.vmid, &st);
	KT_EQ(st.held_mask, 0);
	KT_EQ(st.completed, 1);
	attacher_start(&a, f.vm.fd, 0);
	flow_teardown(&f, &a);
}

/* A polling request is completed without the notify hypercall. */
static void polling_no_hypercall(void)
{
	struct vioreq_sim_wait w;
	struct hcall_log log = { .count = 0 };
	struct attacher a;
	struct flow f;

	flow_setup(&f);
	attacher_start(&a, f.vm.fd, 1);
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 0, ACRN_IOREQ_DIR_WRITE,
			     0x80, 1, 0x42, 1));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(slot_state(&f.vm, 0), ACRN_IOREQ_STATE_PROCESSING);
	KT_EQ(f.vm.page->req_slot[0].completion_polling, 1);
	KT_EQ(f.vm.page->req_slot[0].reqs.pio_request.value, 0x42);
	KT_OK(hsm_notify(&f.vm, 0));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 0, KT_LONG_MS, 0, &w));
	KT_EQ(w.state, ACRN_IOREQ_STATE_COMPLETE);
	KT_EQ(w.notified, 0);
	sim_hcalls_take(f.sim, &log, 0);
	KT_EQ(hcall_count(&log, VIOREQ_HC_NOTIFY_REQUEST_FINISH, f.vm.vmid, -1), 0);
	attacher_start(&a, f.vm.fd, 0);
	flow_teardown(&f, &a);
}

/* An MMIO write of 8 bytes reaches the client whole. */
static void mmio_roundtrip(void)
{
	struct acrn_io_request *slot;
	struct vioreq_sim_wait w;
	struct attacher a;
	struct flow f;

	flow_setup(&f);
	slot = &f.vm.page->req_slot[0];
	attacher_start(&a, f.vm.fd, 1);
	KT_OK(sim_inject_mmio(f.sim, f.vm.vmid, 0, ACRN_IOREQ_DIR_WRITE,
			      0xfed00000ull, 8, 0x1122334455667788ull));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(slot_state(&f.vm, 0), ACRN_IOREQ_STATE_PROCESSING);
	KT_EQ(slot->type, ACRN_IOREQ_TYPE_MMIO);
	KT_EQ(slot->reqs.mmio_request.address, 0xfed00000ull);
	KT_EQ(slot->reqs.mmio_request.size, 8);
	KT_EQ(slot->reqs.mmio_request.value, 0x1122334455667788ull);
	KT_OK(hsm_notify(&f.vm, 0));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 0, KT_LONG_MS, 0, &w));
	KT_EQ(w.notified, 1);
	attacher_start(&a, f.vm.fd, 0);
	flow_teardown(&f, &a);
}

/* PCI mechanism #1: the core serves the 0xCF8 address write itself; a
 * data-window access reaches the client as a PCICFG request. */
static void pci_conf1(void)
{
	struct acrn_io_request *slot;
	struct vioreq_sim_stats st;
	struct vioreq_sim_wait w;
	struct attacher a;
	struct flow f;
	const uint32_t address = 0x80000000u | (0u << 16) | (3u << 11) |
				 (1u << 8) | 0x10u;

	flow_setup(&f);
	slot = &f.vm.page->req_slot[0];
	attacher_start(&a, f.vm.fd, 1);
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 0, ACRN_IOREQ_DIR_WRITE,
			     0xcf8, 4, address, 0));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 0, KT_LONG_MS, 0, &w));
	KT_EQ(atomic_load(&a.returned), 0);
	sim_stats(f.sim, f.vm.vmid, &st);
	KT_EQ(st.conf1_address, 1);
	/* Read bytes 2..3 of register 0x10 through port 0xCFE. */
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 0, ACRN_IOREQ_DIR_READ,
			     0xcfe, 2, 0, 0));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(slot_state(&f.vm, 0), ACRN_IOREQ_STATE_PROCESSING);
	KT_EQ(slot->type, ACRN_IOREQ_TYPE_PCICFG);
	KT_EQ(slot->reqs.pci_request.bus, 0);
	KT_EQ(slot->reqs.pci_request.dev, 3);
	KT_EQ(slot->reqs.pci_request.func, 1);
	KT_EQ(slot->reqs.pci_request.reg, 0x12);
	KT_EQ(slot->reqs.pci_request.size, 2);
	slot->reqs.pci_request.value = 0x8086;
	KT_OK(hsm_notify(&f.vm, 0));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 0, KT_LONG_MS, 0, &w));
	KT_EQ(w.value & 0xffff, 0x8086);
	sim_stats(f.sim, f.vm.vmid, &st);
	KT_EQ(st.dispatched[ACRN_IOREQ_TYPE_PCICFG], 1);
	attacher_start(&a, f.vm.fd, 0);
	flow_teardown(&f, &a);
}

/*
 * acrn-dm's I/O thread: ATTACH, then finish every slot it finds
 * PROCESSING (reads get value = port ^ 0x5a5a). In `blind` mode it
 * finishes every vCPU after each ATTACH, whatever the page says (for the
 * cases that scribble over the page), and tolerates EINVAL/EPERM.
 */
struct handler {
	pthread_t thread;
	struct hsm_vm *vm;
	int blind;
	int retry_eintr;
	atomic_uint interrupted;
	atomic_int stop;
	atomic_uint finished;
	atomic_uint refused;
	int err;
	int bad_notify_errno;
};

static void *handler_main(void *arg)
{
	struct handler *h = arg;

	while (!atomic_load(&h->stop)) {
		unsigned int done = 0;

		if (ioctl(h->vm->fd, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0) < 0) {
			if (errno == EINTR && h->retry_eintr) {
				atomic_fetch_add(&h->interrupted, 1);
				continue;
			}
			h->err = errno;
			break;
		}
		for (uint32_t v = 0; v < h->vm->vcpu_num; v++) {
			struct acrn_io_request *r = &h->vm->page->req_slot[v];

			if (!h->blind) {
				if (slot_state(h->vm, v) != ACRN_IOREQ_STATE_PROCESSING)
					continue;
				if (r->reqs.pio_request.direction == ACRN_IOREQ_DIR_READ)
					r->reqs.pio_request.value =
						(uint32_t)r->reqs.pio_request.address ^ 0x5a5au;
			}
			if (hsm_notify(h->vm, v) == 0) {
				atomic_fetch_add(&h->finished, 1);
				done++;
			} else if (errno == EINVAL || errno == EPERM) {
				atomic_fetch_add(&h->refused, 1);
				if (!h->blind)
					h->bad_notify_errno = errno;
			} else {
				h->bad_notify_errno = errno;
			}
		}
		/*
		 * A slot the client holds but whose state was scribbled over
		 * cannot be finished, and ATTACH returns at once while it is
		 * held: do not spin a vCPU of the 2-CPU guest until a clear.
		 */
		if (h->blind && !done)
			kt_sleep_ms(1);
	}
	return NULL;
}

static void handler_start(struct handler *h, struct hsm_vm *vm, int blind)
{
	memset(h, 0, sizeof(*h));
	h->vm = vm;
	h->blind = blind;
	if (pthread_create(&h->thread, NULL, handler_main, h) != 0)
		KT_FAIL("pthread_create failed");
}

/* Destroys the client, which ends the handler's ATTACH with ENODEV. */
static void handler_stop(struct handler *h)
{
	atomic_store(&h->stop, 1);
	KT_OK(ioctl(h->vm->fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0));
	pthread_join(h->thread, NULL);
	/*
	 * 0: it saw the stop flag after an ATTACH that returned a request;
	 * ENODEV: its ATTACH was ended by the destroy, or began after it;
	 * ENOENT: an older module's answer to the latter.
	 */
	if (h->err != 0 && h->err != ENODEV && h->err != ENOENT)
		KT_FAIL("handler's ATTACH ended with errno %d, expected ENODEV or none",
			h->err);
}

/* Every vCPU at once, several rounds. */
static void all_vcpus(void)
{
	struct vioreq_sim_wait w;
	struct handler h;
	struct flow f;

	flow_setup(&f);
	handler_start(&h, &f.vm, 0);
	for (int round = 0; round < 20; round++) {
		for (uint32_t v = 0; v < f.vm.vcpu_num; v++)
			KT_OK(sim_inject_pio(f.sim, f.vm.vmid, v, ACRN_IOREQ_DIR_READ,
					     0x400 + v, 2, 0, 0));
		for (uint32_t v = 0; v < f.vm.vcpu_num; v++) {
			if (sim_wait(f.sim, f.vm.vmid, v, KT_LONG_MS, 0, &w) < 0)
				KT_FAIL("round %d vcpu %u: wait: %s (state %u)",
					round, v, strerror(errno), w.state);
			KT_EQ(w.value & 0xffff, (0x400 + v) ^ 0x5a5a);
		}
	}
	/*
	 * Read `finished` only after the join in handler_stop: the last WAIT
	 * can return as soon as the module has notified, before the
	 * handler's NOTIFY ioctl has returned and been counted.
	 */
	handler_stop(&h);
	KT_EQ(atomic_load(&h.finished), 20u * f.vm.vcpu_num);
	KT_EQ(h.bad_notify_errno, 0);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	hsm_vm_close(&f.vm);
	close(f.sim);
}

/* NOTIFY of a slot that is PENDING (not yet dispatched): EINVAL. */
static void finish_not_processing(void)
{
	struct vioreq_sim_inject in;
	struct vioreq_sim_wait w;
	struct attacher a;
	struct flow f;

	flow_setup(&f);
	memset(&in, 0, sizeof(in));
	in.vmid = f.vm.vmid;
	in.vcpu = 2;
	in.flags = VIOREQ_SIM_INJECT_NO_UPCALL;
	in.type = ACRN_IOREQ_TYPE_PORTIO;
	in.direction = ACRN_IOREQ_DIR_READ;
	in.address = 0x60;
	in.size = 1;
	KT_OK(ioctl(f.sim, VIOREQ_SIM_INJECT, &in));
	KT_EQ(slot_state(&f.vm, 2), ACRN_IOREQ_STATE_PENDING);
	KT_ERRNO(hsm_notify(&f.vm, 2), EINVAL);
	KT_EQ(slot_state(&f.vm, 2), ACRN_IOREQ_STATE_PENDING);
	/* Userspace moving the state itself does not make it finishable. */
	__atomic_store_n(&f.vm.page->req_slot[2].processed,
			 ACRN_IOREQ_STATE_PROCESSING, __ATOMIC_RELEASE);
	KT_ERRNO(hsm_notify(&f.vm, 2), EINVAL);
	__atomic_store_n(&f.vm.page->req_slot[2].processed,
			 ACRN_IOREQ_STATE_PENDING, __ATOMIC_RELEASE);
	/* The upcall dispatches it; then it can be finished. */
	attacher_start(&a, f.vm.fd, 1);
	KT_OK(ioctl(f.sim, VIOREQ_SIM_UPCALL, 0));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(slot_state(&f.vm, 2), ACRN_IOREQ_STATE_PROCESSING);
	KT_OK(hsm_notify(&f.vm, 2));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 2, KT_LONG_MS, 0, &w));
	attacher_start(&a, f.vm.fd, 0);
	flow_teardown(&f, &a);
}

/* A slot held by the in-kernel test device: userspace may not finish it
 * (EPERM); when the device goes, the read completes with all ones. */
static void finish_other_client(void)
{
	struct vioreq_sim_stats st;
	struct vioreq_sim_wait w;
	struct flow f;
	uint32_t id;

	flow_setup(&f);
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
				 TESTDEV_PIO_START, TESTDEV_PIO_END,
				 VIOREQ_SIM_TESTDEV_HOLD, &id));
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 1, ACRN_IOREQ_DIR_READ,
			     TESTDEV_PIO_START + 8, 4, 0, 0));
	if (!KT_WAIT_FOR(slot_state(&f.vm, 1) == ACRN_IOREQ_STATE_PROCESSING, KT_LONG_MS))
		KT_FAIL("request not dispatched to the test device (state %u)",
			slot_state(&f.vm, 1));
	sim_stats(f.sim, f.vm.vmid, &st);
	KT_EQ(st.held_mask, 1u << 1);
	KT_ERRNO(hsm_notify(&f.vm, 1), EPERM);
	KT_EQ(slot_state(&f.vm, 1), ACRN_IOREQ_STATE_PROCESSING);
	KT_OK(sim_testdev_detach(f.sim, f.vm.vmid, id));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 1, KT_LONG_MS, 0, &w));
	if (!is_all_ones(w.value, 4))
		KT_FAIL("orphaned read completed with 0x%llx, not all ones",
			(unsigned long long)w.value);
	flow_teardown(&f, NULL);
}

/* Requests go to the client whose range holds the address; the rest to
 * the default client (userspace). */
static void testdev_routing(void)
{
	struct vioreq_sim_wait w;
	struct attacher a;
	struct flow f;
	uint32_t id;

	flow_setup(&f);
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
				 TESTDEV_PIO_START, TESTDEV_PIO_END, 0, &id));
	attacher_start(&a, f.vm.fd, 1);
	/* In range: the test device answers bytes 4..7 of its memory. */
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 0, ACRN_IOREQ_DIR_READ,
			     TESTDEV_PIO_START + 4, 4, 0, 0));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 0, KT_LONG_MS, 0, &w));
	KT_EQ(w.value & 0xffffffffu, 0x07060504u);
	KT_EQ(w.kernel_handled, 1);
	KT_EQ(atomic_load(&a.returned), 0);
	/* A write then a read back through the device. */
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 0, ACRN_IOREQ_DIR_WRITE,
			     TESTDEV_PIO_END - 1, 2, 0xbeef, 0));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 0, KT_LONG_MS, 0, &w));
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 0, ACRN_IOREQ_DIR_READ,
			     TESTDEV_PIO_END - 1, 2, 0, 0));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 0, KT_LONG_MS, 0, &w));
	KT_EQ(w.value & 0xffff, 0xbeef);
	/* Outside: the default client. */
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 3, ACRN_IOREQ_DIR_READ,
			     TESTDEV_PIO_END + 1, 1, 0, 0));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(slot_state(&f.vm, 3), ACRN_IOREQ_STATE_PROCESSING);
	KT_EQ(f.vm.page->req_slot[3].kernel_handled, 0);
	KT_OK(hsm_notify(&f.vm, 3));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 3, KT_LONG_MS, 0, &w));
	/* An MMIO access at the same numbers is not the PIO device's. */
	attacher_start(&a, f.vm.fd, 1);
	KT_OK(sim_inject_mmio(f.sim, f.vm.vmid, 4, ACRN_IOREQ_DIR_READ,
			      TESTDEV_PIO_START, 4, 0));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(slot_state(&f.vm, 4), ACRN_IOREQ_STATE_PROCESSING);
	KT_OK(hsm_notify(&f.vm, 4));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 4, KT_LONG_MS, 0, &w));
	KT_OK(sim_testdev_detach(f.sim, f.vm.vmid, id));
	attacher_start(&a, f.vm.fd, 0);
	flow_teardown(&f, &a);
}

static uint32_t held_mask(int sim, uint16_t vmid)
{
	struct vioreq_sim_stats st;

	sim_stats(sim, vmid, &st);
	return st.held_mask;
}

/*
 * An in-kernel client decodes each request again when its work runs, and
 * hands its handler only a request still in its ranges: userspace may have
 * rewritten the slot since dispatch. Slots 1 and 2 are dispatched to the
 * test device while its handler waits at the gate with slot 0; then the
 * page moves slot 1 outside the device and gives slot 2 an illegal size.
 * Both are completed with all ones without reaching the handler (the
 * write of slot 2 never lands in the device's memory), and slot 0
 * completes with the device's answer.
 */
static void kclient_reroute(void)
{
	struct vioreq_sim_wait w;
	struct flow f;
	uint16_t vmid;
	uint32_t id;

	flow_setup(&f);
	vmid = f.vm.vmid;
	KT_OK(sim_testdev_attach(f.sim, vmid, ACRN_IOREQ_TYPE_PORTIO,
				 TESTDEV_PIO_START, TESTDEV_PIO_END,
				 VIOREQ_SIM_TESTDEV_GATED, &id));
	KT_OK(sim_inject_pio(f.sim, vmid, 0, ACRN_IOREQ_DIR_READ,
			     TESTDEV_PIO_START + 4, 4, 0, 0));
	if (!KT_WAIT_FOR(sim_testdev_gate(f.sim, vmid, id, 0) == 1, KT_LONG_MS))
		KT_FAIL("the handler did not reach the gate");
	KT_OK(sim_inject_pio(f.sim, vmid, 1, ACRN_IOREQ_DIR_READ,
			     TESTDEV_PIO_START + 8, 4, 0, 0));
	KT_OK(sim_inject_pio(f.sim, vmid, 2, ACRN_IOREQ_DIR_WRITE,
			     TESTDEV_PIO_START + 0x10, 4, 0xdeadbeef, 0));
	if (!KT_WAIT_FOR(held_mask(f.sim, vmid) == 0x7u, KT_LONG_MS))
		KT_FAIL("slots 1 and 2 not dispatched to the device (held 0x%x)",
			held_mask(f.sim, vmid));
	/* Still at the gate (it opens by itself after 10 s). */
	KT_EQ(slot_state(&f.vm, 0), ACRN_IOREQ_STATE_PROCESSING);
	f.vm.page->req_slot[1].reqs.pio_request.address = TESTDEV_PIO_END + 1;
	f.vm.page->req_slot[2].reqs.pio_request.size = 3;
	KT_EQ(sim_testdev_gate(f.sim, vmid, id, 1), 1);

	KT_OK(sim_wait(f.sim, vmid, 0, KT_LONG_MS, 0, &w));
	KT_EQ(w.value & 0xffffffffu, 0x07060504u);
	KT_OK(sim_wait(f.sim, vmid, 1, KT_LONG_MS, 0, &w));
	if (!is_all_ones(w.value, 4))
		KT_FAIL("moved read completed with 0x%llx, not all ones",
			(unsigned long long)w.value);
	KT_OK(sim_wait(f.sim, vmid, 2, KT_LONG_MS, 0, &w));
	KT_EQ(held_mask(f.sim, vmid), 0);
	/* Only slot 0 reached the handler, and the device's bytes 0x10..0x13
	 * are still their initial values. */
	KT_EQ(sim_testdev_gate(f.sim, vmid, id, 0), 1);
	KT_OK(sim_inject_pio(f.sim, vmid, 3, ACRN_IOREQ_DIR_READ,
			     TESTDEV_PIO_START + 0x10, 4, 0, 0));
	KT_OK(sim_wait(f.sim, vmid, 3, KT_LONG_MS, 0, &w));
	KT_EQ(w.value & 0xffffffffu, 0x13121110u);
	KT_EQ(sim_testdev_gate(f.sim, vmid, id, 0), 2);
	KT_OK(sim_testdev_detach(f.sim, vmid, id));
	flow_teardown(&f, NULL);
}

static void range_end_before_start(void)
{
	struct flow f;

	flow_setup(&f);
	KT_ERRNO(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
				    0x2000, 0x1fff, 0, NULL), EINVAL);
	KT_ERRNO(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_MMIO,
				    ~0ull, 0, 0, NULL), EINVAL);
	/* A one-address range is fine. */
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
				 0x2000, 0x2000, 0, NULL));
	flow_teardown(&f, NULL);
}

static void range_overlap(void)
{
	struct vioreq_sim_stats st;
	struct flow f;
	uint32_t id;

	flow_setup(&f);
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_MMIO,
				 0x10000, 0x1ffff, 0, &id));
	const uint64_t bad[][2] = {
		{ 0x10000, 0x1ffff }, /* the same */
		{ 0x0f000, 0x10000 }, /* over the start */
		{ 0x1ffff, 0x20fff }, /* over the end */
		{ 0x11000, 0x11fff }, /* inside */
		{ 0x00000, 0xfffff }, /* around */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		KT_ERRNO(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_MMIO,
					    bad[i][0], bad[i][1], 0, NULL), EBUSY);
	/* Adjacent ranges and the same numbers of another type are fine. */
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_MMIO,
				 0x20000, 0x20fff, 0, NULL));
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_MMIO,
				 0x0f000, 0x0ffff, 0, NULL));
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
				 0x10000, 0x1ffff, 0, NULL));
	/* After a detach its range is free again. */
	KT_OK(sim_testdev_detach(f.sim, f.vm.vmid, id));
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_MMIO,
				 0x11000, 0x11fff, 0, NULL));
	sim_stats(f.sim, f.vm.vmid, &st);
	KT_EQ(st.clients, 5); /* the default client and four devices */
	flow_teardown(&f, NULL);
}

/* Bad type, flags, VM or client id: refused, nothing created. */
static void testdev_bad_args(void)
{
	struct vioreq_sim_testdev_gate g;
	struct vioreq_sim_testdev t;
	struct vioreq_sim_stats st;
	struct flow f;
	uint32_t id;

	flow_setup(&f);
	KT_ERRNO(sim_testdev_attach(f.sim, f.vm.vmid, 3, 0, 1, 0, NULL), EINVAL);
	KT_ERRNO(sim_testdev_attach(f.sim, f.vm.vmid, 0xffffffffu, 0, 1, 0, NULL), EINVAL);
	KT_ERRNO(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
				    0, 1, 0x80, NULL), EINVAL);
	memset(&t, 0, sizeof(t));
	t.vmid = f.vm.vmid;
	t.reserved0 = 1;
	t.end = 1;
	KT_ERRNO(ioctl(f.sim, VIOREQ_SIM_TESTDEV_ATTACH, &t), EINVAL);
	/* Bad client ids. */
	KT_ERRNO(sim_testdev_detach(f.sim, f.vm.vmid, 0xffffffffu), ENOENT);
	KT_ERRNO(sim_testdev_detach(f.sim, f.vm.vmid, 64), ENOENT);
	KT_ERRNO(sim_testdev_detach(f.sim, f.vm.vmid, 1000000), ENOENT);
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
				 0x100, 0x1ff, 0, &id));
	/* The gate of a device that has none, of no device, of the default
	 * client (id 0: not a test device), and an open that is not 0 or 1. */
	KT_ERRNO(sim_testdev_gate(f.sim, f.vm.vmid, id, 1), EINVAL);
	KT_ERRNO(sim_testdev_gate(f.sim, f.vm.vmid, 63, 0), ENOENT);
	KT_ERRNO(sim_testdev_gate(f.sim, f.vm.vmid, 0, 0), ENOENT);
	KT_OK(sim_testdev_detach(f.sim, f.vm.vmid, id));
	KT_ERRNO(sim_testdev_detach(f.sim, f.vm.vmid, id), ENOENT);
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
				 0x100, 0x1ff, VIOREQ_SIM_TESTDEV_GATED, &id));
	KT_EQ(sim_testdev_gate(f.sim, f.vm.vmid, id, 0), 0);
	KT_ERRNO(sim_testdev_gate(f.sim, f.vm.vmid, id, 2), EINVAL);
	KT_ERRNO(sim_testdev_gate(f.sim, f.vm.vmid, 0xffffffffu, 0), ENOENT);
	memset(&g, 0, sizeof(g));
	g.vmid = f.vm.vmid;
	g.reserved0 = 1;
	g.id = id;
	KT_ERRNO(ioctl(f.sim, VIOREQ_SIM_TESTDEV_GATE, &g), EINVAL);
	KT_OK(sim_testdev_detach(f.sim, f.vm.vmid, id));
	sim_stats(f.sim, f.vm.vmid, &st);
	KT_EQ(st.clients, 1);
	/* A VM that does not exist (any more). */
	uint16_t gone = f.vm.vmid;

	flow_teardown(&f, NULL);
	f.sim = sim_open();
	KT_ERRNO(sim_testdev_attach(f.sim, gone, ACRN_IOREQ_TYPE_PORTIO,
				    0x100, 0x1ff, 0, NULL), ENOENT);
	KT_ERRNO(sim_testdev_detach(f.sim, gone, 0), ENOENT);
	KT_ERRNO(sim_testdev_gate(f.sim, gone, 0, 0), ENOENT);
	close(f.sim);
}

/* The default client dies holding a request: completed with all ones. */
static void destroy_client_holding(void)
{
	struct vioreq_sim_wait w;
	struct attacher a;
	struct flow f;

	flow_setup(&f);
	attacher_start(&a, f.vm.fd, 1);
	KT_OK(sim_inject_mmio(f.sim, f.vm.vmid, 0, ACRN_IOREQ_DIR_READ,
			      0xe0000000ull, 8, 0));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(slot_state(&f.vm, 0), ACRN_IOREQ_STATE_PROCESSING);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 0, KT_LONG_MS, 0, &w));
	if (!is_all_ones(w.value, 8))
		KT_FAIL("read completed with 0x%llx, not all ones",
			(unsigned long long)w.value);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	hsm_vm_close(&f.vm);
	close(f.sim);
}

/* CLEAR_VM_IOREQ completes what the client holds with all ones. */
static void clear_vm_ioreq(void)
{
	struct vioreq_sim_stats st;
	struct vioreq_sim_wait w;
	struct attacher a;
	struct flow f;

	flow_setup(&f);
	attacher_start(&a, f.vm.fd, 1);
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 5, ACRN_IOREQ_DIR_READ,
			     0x70, 2, 0, 0));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_EQ(slot_state(&f.vm, 5), ACRN_IOREQ_STATE_PROCESSING);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 5, KT_LONG_MS, 0, &w));
	if (!is_all_ones(w.value, 2))
		KT_FAIL("cleared read completed with 0x%llx, not all ones",
			(unsigned long long)w.value);
	sim_stats(f.sim, f.vm.vmid, &st);
	KT_ASSERT(st.cleared >= 1);
	KT_EQ(st.held_mask, 0);
	/* The client keeps working after a clear. */
	attacher_start(&a, f.vm.fd, 1);
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 5, ACRN_IOREQ_DIR_READ,
			     0x70, 2, 0, 0));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	f.vm.page->req_slot[5].reqs.pio_request.value = 0x1234;
	KT_OK(hsm_notify(&f.vm, 5));
	KT_OK(sim_wait(f.sim, f.vm.vmid, 5, KT_LONG_MS, 0, &w));
	KT_EQ(w.value & 0xffff, 0x1234);
	attacher_start(&a, f.vm.fd, 0);
	flow_teardown(&f, &a);
}

/* A thread in CLEAR_VM_IOREQ. */
struct clearer {
	pthread_t thread;
	int fd;
	atomic_int tid;
	atomic_int done;
	int rc, err;
};

static void *clearer_main(void *arg)
{
	struct clearer *c = arg;

	atomic_store(&c->tid, (int)syscall(SYS_gettid));
	c->rc = ioctl(c->fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0);
	c->err = errno;
	atomic_store(&c->done, 1);
	return NULL;
}

static void clearer_start(struct clearer *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	if (pthread_create(&c->thread, NULL, clearer_main, c) != 0)
		KT_FAIL("pthread_create failed");
	/* Asleep in the ioctl: waiting for the in-kernel client. */
	if (!KT_WAIT_FOR(atomic_load(&c->tid) &&
			 kt_task_sleeps_in_ioctl(getpid(), atomic_load(&c->tid)),
			 KT_LONG_MS))
		KT_FAIL("CLEAR_VM_IOREQ did not wait for the holding test device");
}

/*
 * Two CLEAR_VM_IOREQs overlap (a HOLD test device makes each wait its 2 s):
 * the VM is clearing until the last one ends, so a request that comes
 * after the first returned, while the second still waits, is completed by
 * the module with all ones and not given to the default client.
 */
static void clear_overlapping(void)
{
	struct clearer a, b;
	struct flow f;
	uint32_t id, state;
	uint64_t value;

	flow_setup(&f);
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_PORTIO,
				 TESTDEV_PIO_START, TESTDEV_PIO_END,
				 VIOREQ_SIM_TESTDEV_HOLD, &id));
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 2, ACRN_IOREQ_DIR_READ,
			     TESTDEV_PIO_START, 4, 0, 0));
	if (!KT_WAIT_FOR(slot_state(&f.vm, 2) == ACRN_IOREQ_STATE_PROCESSING, KT_LONG_MS))
		KT_FAIL("request not held by the test device");
	clearer_start(&a, f.vm.fd);
	kt_sleep_ms(1000);
	clearer_start(&b, f.vm.fd);
	if (!KT_WAIT_FOR(atomic_load(&a.done), KT_LONG_MS))
		KT_FAIL("the first CLEAR_VM_IOREQ did not return");
	pthread_join(a.thread, NULL);
	KT_EQ(a.rc, -1);
	KT_EQ(a.err, EBUSY);
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 3, ACRN_IOREQ_DIR_READ, 0x60, 1, 0, 0));
	if (!KT_WAIT_FOR((state = slot_state(&f.vm, 3)) != ACRN_IOREQ_STATE_PENDING,
			 KT_LONG_MS))
		KT_FAIL("request not dispatched");
	value = f.vm.page->req_slot[3].reqs.pio_request.value;
	if (atomic_load(&b.done)) {
		/* The machine was too slow to tell: the second clear ended
		 * before the request was dispatched. */
		printf("# clear_overlapping: inconclusive (second clear over)\n");
	} else if (state != ACRN_IOREQ_STATE_COMPLETE || !is_all_ones(value, 1)) {
		KT_FAIL("request during the second clear: state %u value 0x%llx, expected COMPLETE with all ones",
			state, (unsigned long long)value);
	}
	if (!KT_WAIT_FOR(atomic_load(&b.done), KT_LONG_MS))
		KT_FAIL("the second CLEAR_VM_IOREQ did not return");
	pthread_join(b.thread, NULL);
	KT_EQ(b.err, EBUSY);
	KT_OK(sim_testdev_detach(f.sim, f.vm.vmid, id));
	flow_teardown(&f, NULL);
}

/*
 * DESTROY_VM with both kinds of client busy: the userspace client holds a
 * request and has a thread in ATTACH, a HOLD test device holds another.
 * ATTACH fails with ENODEV, both reads complete with all ones, and the
 * test device is gone with the VM.
 */
static void destroy_vm_with_clients(void)
{
	struct hcall_log log = { .count = 0 };
	struct vioreq_sim_stats st;
	struct attacher a;
	struct flow f;
	uint32_t id;

	flow_setup(&f);
	KT_OK(sim_testdev_attach(f.sim, f.vm.vmid, ACRN_IOREQ_TYPE_MMIO,
				 0xd0000000ull, 0xd0000fffull,
				 VIOREQ_SIM_TESTDEV_HOLD, &id));
	attacher_start(&a, f.vm.fd, 1);
	KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 1, ACRN_IOREQ_DIR_READ,
			     0x3f8, 4, 0, 0));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	KT_OK(sim_inject_mmio(f.sim, f.vm.vmid, 0, ACRN_IOREQ_DIR_READ,
			      0xd0000010ull, 4, 0));
	if (!KT_WAIT_FOR(slot_state(&f.vm, 0) == ACRN_IOREQ_STATE_PROCESSING, KT_LONG_MS))
		KT_FAIL("request not held by the test device");
	sim_stats(f.sim, f.vm.vmid, &st);
	KT_EQ(st.held_mask, 0x3);
	/* A thread attaches again. While the client holds a request ATTACH
	 * may return at once, so it may spin until the destroy ends it:
	 * ENODEV, or EINVAL once the fd has no VM any more. */
	attacher_start(&a, f.vm.fd, 0);
	sim_hcalls_drain(f.sim);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	attacher_expect_end2(&a, ENODEV, EINVAL, KT_LONG_MS);
	KT_EQ(slot_state(&f.vm, 0), ACRN_IOREQ_STATE_COMPLETE);
	KT_EQ(slot_state(&f.vm, 1), ACRN_IOREQ_STATE_COMPLETE);
	if (!is_all_ones(f.vm.page->req_slot[0].reqs.mmio_request.value, 4) ||
	    !is_all_ones(f.vm.page->req_slot[1].reqs.pio_request.value, 4))
		KT_FAIL("held reads completed with 0x%llx / 0x%x, not all ones",
			(unsigned long long)f.vm.page->req_slot[0].reqs.mmio_request.value,
			f.vm.page->req_slot[1].reqs.pio_request.value);
	sim_hcalls_take(f.sim, &log, 0);
	KT_EQ(hcall_count(&log, VIOREQ_HC_DESTROY_VM, f.vm.vmid, -1), 1);
	KT_ERRNO(sim_testdev_detach(f.sim, f.vm.vmid, id), ENOENT);
	KT_ERRNO(ioctl(f.vm.fd, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0), EINVAL);
	hsm_vm_close(&f.vm);
	close(f.sim);
}

/*
 * A client process is SIGKILLed while it holds requests: on the release of
 * its /dev/acrn_hsm file they are completed with all-ones reads. The ioreq
 * page is a shared mapping, so the parent still sees it afterwards.
 */
static void sigkill_holder(void)
{
	struct acrn_io_request_buffer *page = ioreq_page_alloc();
	struct hcall_log log = { .count = 0 };
	int sim = sim_open();
	int to_parent[2], to_child[2];
	uint16_t vmid;
	char c = 0;
	pid_t pid;

	KT_OK(pipe(to_parent));
	KT_OK(pipe(to_child));
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0) {
		struct hsm_vm vm;

		hsm_vm_create_with(&vm, page);
		if (ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0) < 0)
			_exit(3);
		if (write(to_parent[1], &vm.vmid, sizeof(vm.vmid)) != sizeof(vm.vmid))
			_exit(4);
		/* Attach until both requests are held, then wait to die. */
		while (ioctl(vm.fd, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0) == 0) {
			if (slot_state(&vm, 0) == ACRN_IOREQ_STATE_PROCESSING &&
			    slot_state(&vm, 1) == ACRN_IOREQ_STATE_PROCESSING)
				break;
		}
		if (write(to_parent[1], "h", 1) != 1)
			_exit(5);
		for (;;)
			pause();
	}
	KT_EQ(read(to_parent[0], &vmid, sizeof(vmid)), sizeof(vmid));
	sim_hcalls_drain(sim);
	KT_OK(sim_inject_pio(sim, vmid, 0, ACRN_IOREQ_DIR_READ, 0x3fd, 1, 0, 0));
	KT_OK(sim_inject_mmio(sim, vmid, 1, ACRN_IOREQ_DIR_READ, 0xfee00000ull, 8, 0));
	KT_EQ(read(to_parent[0], &c, 1), 1);
	KT_EQ(page->req_slot[0].processed, ACRN_IOREQ_STATE_PROCESSING);
	KT_EQ(page->req_slot[1].processed, ACRN_IOREQ_STATE_PROCESSING);
	KT_OK(kill(pid, SIGKILL));
	KT_EQ(waitpid(pid, NULL, 0), pid);
	/* The release runs when the last reference goes; give it a moment. */
	if (!KT_WAIT_FOR(__atomic_load_n(&page->req_slot[1].processed, __ATOMIC_ACQUIRE) ==
			 ACRN_IOREQ_STATE_COMPLETE, KT_LONG_MS))
		KT_FAIL("held MMIO read not completed (state %u)",
			page->req_slot[1].processed);
	KT_EQ(page->req_slot[0].processed, ACRN_IOREQ_STATE_COMPLETE);
	if (!is_all_ones(page->req_slot[0].reqs.pio_request.value, 1))
		KT_FAIL("PIO read completed with 0x%x",
			page->req_slot[0].reqs.pio_request.value);
	if (!is_all_ones(page->req_slot[1].reqs.mmio_request.value, 8))
		KT_FAIL("MMIO read completed with 0x%llx",
			(unsigned long long)page->req_slot[1].reqs.mmio_request.value);
	/* The VM went away with the file (the completions above come just
	 * before the DESTROY_VM hypercall). */
	if (!KT_WAIT_FOR((sim_hcalls_take(sim, &log, 0),
			  hcall_count(&log, VIOREQ_HC_DESTROY_VM, vmid, -1) != 0),
			 KT_LONG_MS))
		KT_FAIL("no DESTROY_VM hypercall for vm %u", vmid);
	KT_EQ(hcall_count(&log, VIOREQ_HC_DESTROY_VM, vmid, -1), 1);
	close(sim);
}

/* xorshift64*: the cases that fuzz are reproducible from their seed. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

struct scribbler {
	pthread_t thread;
	struct acrn_io_request_buffer *page;
	atomic_int stop;
	uint64_t seed;
};

static void *scribbler_main(void *arg)
{
	struct scribbler *s = arg;
	volatile uint32_t *words = (volatile uint32_t *)s->page;

	while (!atomic_load(&s->stop)) {
		/* 50 ms of scribbling, 50 ms of quiet, so that requests also
		 * complete in between. */
		if ((kt_now_ms() / 50) % 2) {
			kt_sleep_ms(1);
			continue;
		}
		for (int i = 0; i < 64; i++) {
			uint64_t r = rng_next(&s->seed);

			words[(r >> 32) % (IOREQ_PAGE_SIZE / 4)] = (uint32_t)r;
		}
		sched_yield();
	}
	return NULL;
}

/* Run requests through a clean VM afterwards: the module still works. */
static void expect_clean_roundtrip(void)
{
	struct vioreq_sim_wait w;
	struct handler h;
	struct flow f;

	flow_setup(&f);
	handler_start(&h, &f.vm, 0);
	for (uint32_t v = 0; v < f.vm.vcpu_num; v++) {
		KT_OK(sim_inject_pio(f.sim, f.vm.vmid, v, ACRN_IOREQ_DIR_READ, 0x500, 2, 0, 0));
		KT_OK(sim_wait(f.sim, f.vm.vmid, v, KT_LONG_MS, 0, &w));
		KT_EQ(w.value & 0xffff, 0x500 ^ 0x5a5a);
	}
	handler_stop(&h);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	hsm_vm_close(&f.vm);
	close(f.sim);
}

/*
 * Userspace writes random bytes over its ioreq page while requests flow:
 * nothing may crash or hang; every ioctl returns; the VM tears down.
 */
static void scribble_page(void)
{
	struct vioreq_sim_wait w;
	struct scribbler s;
	struct handler h;
	struct flow f;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned int completed = 0;

	flow_setup(&f);
	memset(&s, 0, sizeof(s));
	s.page = f.vm.page;
	s.seed = 0x1234567ull;
	handler_start(&h, &f.vm, 1);
	if (pthread_create(&s.thread, NULL, scribbler_main, &s) != 0)
		KT_FAIL("pthread_create failed");
	uint64_t end = kt_now_ms() + 3000, next_clear = kt_now_ms() + 300;

	while (kt_now_ms() < end) {
		uint64_t r = rng_next(&seed);
		uint32_t v = (uint32_t)(r % f.vm.vcpu_num);
		struct vioreq_sim_inject in;

		memset(&in, 0, sizeof(in));
		in.vmid = f.vm.vmid;
		in.vcpu = v;
		in.flags = VIOREQ_SIM_INJECT_FORCE;
		in.type = (uint32_t)(r >> 8) % 3;
		in.direction = (uint32_t)(r >> 10) & 1;
		in.address = (r >> 16) & 0xffff;
		in.size = 1u << ((r >> 12) & 3);
		in.completion_polling = (uint32_t)(r >> 14) & 1;
		KT_OK(ioctl(f.sim, VIOREQ_SIM_INJECT, &in));
		int rc = sim_wait(f.sim, f.vm.vmid, v, 20, VIOREQ_SIM_WAIT_NO_NOTIFY, &w);

		if (rc == 0)
			completed++;
		else if (errno != ETIMEDOUT)
			KT_FAIL("wait: %s", strerror(errno));
		/* A slot whose state was scribbled over can no longer be
		 * finished by the client; a clear gives it back. */
		if (kt_now_ms() >= next_clear) {
			KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0));
			next_clear = kt_now_ms() + 300;
		}
	}
	atomic_store(&s.stop, 1);
	pthread_join(s.thread, NULL);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0));
	/*
	 * The 20 ms waits above may all time out on a loaded machine; with
	 * the page quiet and cleared, a request on this same VM must
	 * complete (the blind handler finishes it).
	 */
	{
		struct vioreq_sim_inject in = {
			.vmid = f.vm.vmid, .vcpu = 0, .flags = VIOREQ_SIM_INJECT_FORCE,
			.type = ACRN_IOREQ_TYPE_PORTIO, .direction = ACRN_IOREQ_DIR_READ,
			.address = 0x60, .size = 1,
		};

		KT_OK(ioctl(f.sim, VIOREQ_SIM_INJECT, &in));
		if (sim_wait(f.sim, f.vm.vmid, 0, KT_LONG_MS, VIOREQ_SIM_WAIT_NO_NOTIFY,
			     &w) == 0)
			completed++;
	}
	handler_stop(&h);
	if (h.bad_notify_errno)
		KT_FAIL("NOTIFY failed with errno %d", h.bad_notify_errno);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	hsm_vm_close(&f.vm);
	close(f.sim);
	printf("# scribble: %u requests completed, %u finished, %u refused\n",
	       completed, atomic_load(&h.finished), atomic_load(&h.refused));
	KT_ASSERT(completed > 0);
	expect_clean_roundtrip();
}

/* One counter of /sys/kernel/debug/vioreq/vm<vmid>, or -1 without it. */
static long long debugfs_counter(uint16_t vmid, const char *key)
{
	char path[64], line[128], name[32];
	long long value, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/vioreq/vm%u", vmid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* "name value" lines; some values are words (state running). */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %lld", name, &value) == 2 &&
		    !strcmp(name, key))
			found = value;
	fclose(f);
	return found;
}

/* The operators' health file shows the same core counters as the
 * simulator's stats ioctl (two paths to one struct). */
static void debugfs_matches_stats(int sim, uint16_t vmid)
{
	struct vioreq_sim_stats st;

	sim_stats(sim, vmid, &st);
	KT_EQ(debugfs_counter(vmid, "dispatched_portio"),
	      (long long)st.dispatched[ACRN_IOREQ_TYPE_PORTIO]);
	KT_EQ(debugfs_counter(vmid, "dispatched_mmio"),
	      (long long)st.dispatched[ACRN_IOREQ_TYPE_MMIO]);
	KT_EQ(debugfs_counter(vmid, "dispatched_pcicfg"),
	      (long long)st.dispatched[ACRN_IOREQ_TYPE_PCICFG]);
	KT_EQ(debugfs_counter(vmid, "completed"), (long long)st.completed);
	KT_EQ(debugfs_counter(vmid, "malformed"), (long long)st.malformed);
	KT_EQ(debugfs_counter(vmid, "unroutable"), (long long)st.unroutable);
	KT_EQ(debugfs_counter(vmid, "cleared"), (long long)st.cleared);
	KT_EQ(debugfs_counter(vmid, "bad_state"), (long long)st.bad_state);
	KT_EQ(debugfs_counter(vmid, "notify_hypercalls"),
	      (long long)st.notified);
	KT_ASSERT(st.malformed > 0);
}

/* Random raw slots (any type, size, state): the core rejects what is
 * malformed with a defined completion, and nothing crashes. */
static void raw_slot_fuzz(void)
{
	struct vioreq_sim_stats st;
	struct vioreq_sim_wait w;
	struct handler h;
	struct flow f;
	uint64_t seed = 0xdeadbeefcafef00dull;

	flow_setup(&f);
	handler_start(&h, &f.vm, 1);
	for (int i = 0; i < 400; i++) {
		struct vioreq_sim_inject in;
		uint32_t v = (uint32_t)i % f.vm.vcpu_num;

		memset(&in, 0, sizeof(in));
		in.vmid = f.vm.vmid;
		in.vcpu = v;
		in.flags = VIOREQ_SIM_INJECT_FORCE | VIOREQ_SIM_INJECT_RAW;
		for (size_t b = 0; b < sizeof(in.raw); b += 8) {
			uint64_t r = rng_next(&seed);

			memcpy(in.raw + b, &r, 8);
		}
		/* Mostly plausible: small type and size, state PENDING. */
		if (i % 4 != 3) {
			uint32_t type = in.raw[0] % 4, state = ACRN_IOREQ_STATE_PENDING;
			uint64_t size = 1u << (in.raw[1] % 5);

			uint32_t dir = in.raw[2] & 1;
			uint64_t addr = in.raw[3] % 2 ? in.raw[4] * 0x100u + in.raw[5]
						      : 0xfe000000ull + in.raw[4] * 8u;

			memcpy(in.raw + 0, &type, 4);
			memcpy(in.raw + 64, &dir, 4);
			memcpy(in.raw + 64 + 8, &addr, 8);
			memcpy(in.raw + 64 + 16, &size, 8);
			memcpy(in.raw + 136, &state, 4);
		}
		KT_OK(ioctl(f.sim, VIOREQ_SIM_INJECT, &in));
		if (sim_wait(f.sim, f.vm.vmid, v, 20, VIOREQ_SIM_WAIT_NO_NOTIFY, &w) < 0 &&
		    errno != ETIMEDOUT)
			KT_FAIL("wait: %s", strerror(errno));
	}
	sim_stats(f.sim, f.vm.vmid, &st);
	printf("# raw fuzz: malformed %llu, bad_state %llu, dispatched %llu/%llu/%llu\n",
	       (unsigned long long)st.malformed, (unsigned long long)st.bad_state,
	       (unsigned long long)st.dispatched[0], (unsigned long long)st.dispatched[1],
	       (unsigned long long)st.dispatched[2]);
	KT_ASSERT(st.malformed > 0);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0));
	KT_EQ(debugfs_counter(f.vm.vmid, "clients"), 1);
	handler_stop(&h);
	debugfs_matches_stats(f.sim, f.vm.vmid);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	/* The VM's file goes with it. */
	KT_EQ(debugfs_counter(f.vm.vmid, "completed"), -1);
	hsm_vm_close(&f.vm);
	close(f.sim);
	expect_clean_roundtrip();
}

/* The simulator's own argument checks (it is part of vioreq.ko). */
static void sim_bad_args(void)
{
	struct vioreq_sim_inject in;
	struct vioreq_sim_wait w;
	struct vioreq_sim_hcalls h;
	struct vioreq_sim_config c;
	struct flow f;

	flow_setup(&f);
	KT_ERRNO(sim_inject_pio(f.sim, f.vm.vmid, ACRN_IO_REQUEST_MAX,
				ACRN_IOREQ_DIR_READ, 0x60, 1, 0, 0), EINVAL);
	KT_ERRNO(sim_inject_pio(f.sim, f.vm.vmid, 0xffffffffu,
				ACRN_IOREQ_DIR_READ, 0x60, 1, 0, 0), EINVAL);
	KT_ERRNO(sim_inject_pio(f.sim, (uint16_t)(f.vm.vmid ^ 8),
				0, ACRN_IOREQ_DIR_READ, 0x60, 1, 0, 0), ENOENT);
	memset(&in, 0, sizeof(in));
	in.vmid = f.vm.vmid;
	in.flags = 0x80;
	KT_ERRNO(ioctl(f.sim, VIOREQ_SIM_INJECT, &in), EINVAL);
	in.flags = 0;
	in.reserved0 = 1;
	KT_ERRNO(ioctl(f.sim, VIOREQ_SIM_INJECT, &in), EINVAL);
	KT_ERRNO(ioctl(f.sim, VIOREQ_SIM_INJECT, NULL), EFAULT);
	/* A slot that is not FREE needs FORCE. */
	in.reserved0 = 0;
	in.flags = VIOREQ_SIM_INJECT_NO_UPCALL;
	KT_OK(ioctl(f.sim, VIOREQ_SIM_INJECT, &in));
	KT_ERRNO(ioctl(f.sim, VIOREQ_SIM_INJECT, &in), EBUSY);
	KT_ERRNO(sim_wait(f.sim, f.vm.vmid, 0, 0, 0x80, &w), EINVAL);
	KT_ERRNO(sim_wait(f.sim, f.vm.vmid, 99, 0, 0, &w), EINVAL);
	memset(&h, 0, sizeof(h));
	h.max = 0;
	KT_ERRNO(ioctl(f.sim, VIOREQ_SIM_HCALLS, &h), EINVAL);
	h.max = VIOREQ_SIM_HCALL_BATCH + 1;
	KT_ERRNO(ioctl(f.sim, VIOREQ_SIM_HCALLS, &h), EINVAL);
	memset(&c, 0, sizeof(c));
	c.vcpu_num = VIOREQ_SIM_MAX_VCPUS + 1;
	KT_ERRNO(ioctl(f.sim, VIOREQ_SIM_CONFIG, &c), EINVAL);
	KT_ERRNO(ioctl(f.sim, _IO(VIOREQ_SIM_IOCTL_TYPE, 0x7f), 0), ENOTTY);
	flow_teardown(&f, NULL);
}

/* A request of one VM is never seen or finished through another VM. */
static void vm_isolation(void)
{
	struct vioreq_sim_wait w;
	struct attacher a, b;
	struct flow fa, fb;

	flow_setup(&fa);
	flow_setup(&fb);
	attacher_start(&a, fa.vm.fd, 1);
	attacher_start(&b, fb.vm.fd, 1);
	/* b must be asleep in ATTACH for "not woken" to mean anything. */
	attacher_wait_blocked(&b, KT_LONG_MS);
	KT_OK(sim_inject_pio(fa.sim, fa.vm.vmid, 2, ACRN_IOREQ_DIR_READ,
			     0x3f8, 1, 0, 0));
	attacher_expect_end(&a, 0, KT_LONG_MS);
	kt_sleep_ms(50);
	KT_EQ(atomic_load(&b.returned), 0);
	KT_EQ(slot_state(&fb.vm, 2), ACRN_IOREQ_STATE_FREE);
	KT_ERRNO(hsm_notify(&fb.vm, 2), EINVAL);
	/* Naming the other VM's id on this fd is refused too. */
	struct acrn_ioreq_notify n = { .vmid = fa.vm.vmid, .vcpu = 2 };

	KT_ERRNO(ioctl(fb.vm.fd, ACRN_IOCTL_NOTIFY_REQUEST_FINISH, &n), EINVAL);
	KT_EQ(slot_state(&fa.vm, 2), ACRN_IOREQ_STATE_PROCESSING);
	KT_OK(hsm_notify(&fa.vm, 2));
	KT_OK(sim_wait(fa.sim, fa.vm.vmid, 2, KT_LONG_MS, 0, &w));
	attacher_start(&a, fa.vm.fd, 0);
	flow_teardown(&fa, &a);
	flow_teardown(&fb, &b);
}

/* Many threads finish the same held request at once: exactly one wins,
 * and the hypervisor is notified exactly once. */
struct racer {
	pthread_t thread;
	struct hsm_vm *vm;
	atomic_int *go;
	int rc, err;
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	while (!atomic_load(r->go))
		;
	r->rc = hsm_notify(r->vm, 0);
	r->err = errno;
	return NULL;
}

static void notify_race(void)
{
	struct vioreq_sim_wait w;
	struct racer racers[8];
	atomic_int go;
	struct attacher a;
	struct flow f;

	flow_setup(&f);
	for (int round = 0; round < 20; round++) {
		int won = 0;

		attacher_start(&a, f.vm.fd, 1);
		KT_OK(sim_inject_pio(f.sim, f.vm.vmid, 0, ACRN_IOREQ_DIR_READ,
				     0x61, 1, 0, 0));
		attacher_expect_end(&a, 0, KT_LONG_MS);
		atomic_store(&go, 0);
		for (int i = 0; i < 8; i++) {
			racers[i].vm = &f.vm;
			racers[i].go = &go;
			if (pthread_create(&racers[i].thread, NULL, racer_main, &racers[i]))
				KT_FAIL("pthread_create failed");
		}
		atomic_store(&go, 1);
		for (int i = 0; i < 8; i++) {
			pthread_join(racers[i].thread, NULL);
			if (racers[i].rc == 0)
				won++;
			else if (racers[i].err != EINVAL)
				KT_FAIL("losing NOTIFY: errno %d, expected EINVAL", racers[i].err);
		}
		KT_EQ(won, 1);
		KT_OK(sim_wait(f.sim, f.vm.vmid, 0, KT_LONG_MS, 0, &w));
		KT_EQ(w.notified, 1);
	}
	attacher_start(&a, f.vm.fd, 0);
	flow_teardown(&f, &a);
}

/* Signals keep hitting the I/O thread while requests flow: an interrupted
 * ATTACH is simply retried and no request is lost. */
static void *signaller_main(void *arg)
{
	struct handler *h = arg;

	while (!atomic_load(&h->stop)) {
		pthread_kill(h->thread, SIGUSR1);
		kt_sleep_ms(1);
	}
	return NULL;
}

static void on_sigusr1_flow(int sig)
{
	(void)sig;
}

static void signal_storm(void)
{
	struct vioreq_sim_wait w;
	struct sigaction sa;
	struct handler h;
	pthread_t signaller;
	struct flow f;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1_flow;
	KT_OK(sigaction(SIGUSR1, &sa, NULL));
	flow_setup(&f);
	memset(&h, 0, sizeof(h));
	h.vm = &f.vm;
	h.retry_eintr = 1;
	if (pthread_create(&h.thread, NULL, handler_main, &h) != 0)
		KT_FAIL("pthread_create failed");
	if (pthread_create(&signaller, NULL, signaller_main, &h) != 0)
		KT_FAIL("pthread_create failed");
	for (int i = 0; i < 300; i++) {
		uint32_t v = (uint32_t)i % f.vm.vcpu_num;

		KT_OK(sim_inject_pio(f.sim, f.vm.vmid, v, ACRN_IOREQ_DIR_READ,
				     0x700 + (uint32_t)i, 2, 0, 0));
		if (sim_wait(f.sim, f.vm.vmid, v, KT_LONG_MS, 0, &w) < 0)
			KT_FAIL("request %d lost: %s (state %u)", i, strerror(errno), w.state);
		KT_EQ(w.value & 0xffff, (0x700u + (uint32_t)i) ^ 0x5a5au);
	}
	atomic_store(&h.stop, 1);
	pthread_join(signaller, NULL);
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0));
	pthread_join(h.thread, NULL);
	printf("# signal storm: %u interrupted ATTACH calls\n", atomic_load(&h.interrupted));
	KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
	hsm_vm_close(&f.vm);
	close(f.sim);
}

/* Two VMs in two processes at full speed on the two CPUs, for 3 s. */
static void parallel_vms(void)
{
	pid_t pids[2];

	for (int p = 0; p < 2; p++) {
		pids[p] = fork();
		KT_ASSERT(pids[p] >= 0);
		if (pids[p] == 0) {
			struct vioreq_sim_wait w;
			struct handler h;
			struct flow f;
			unsigned int n = 0;

			flow_setup(&f);
			handler_start(&h, &f.vm, 0);
			for (uint64_t end = kt_now_ms() + 3000; kt_now_ms() < end; n++) {
				uint32_t v = n % f.vm.vcpu_num;
				uint32_t port = 0x100 + (n & 0xff);

				KT_OK(sim_inject_pio(f.sim, f.vm.vmid, v, ACRN_IOREQ_DIR_READ,
						     port, 2, 0, 0));
				if (sim_wait(f.sim, f.vm.vmid, v, KT_LONG_MS, 0, &w) < 0)
					KT_FAIL("vm %u request %u: %s", f.vm.vmid, n, strerror(errno));
				KT_EQ(w.value & 0xffff, port ^ 0x5a5a);
			}
			handler_stop(&h);
			KT_EQ(atomic_load(&h.finished), n);
			KT_OK(ioctl(f.vm.fd, ACRN_IOCTL_DESTROY_VM, 0));
			printf("# parallel: vm %u did %u requests\n", f.vm.vmid, n);
			_exit(0);
		}
	}
	for (int p = 0; p < 2; p++) {
		int status;

		KT_EQ(waitpid(pids[p], &status, 0), pids[p]);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			KT_FAIL("VM process %d failed (status 0x%x)", p, status);
	}
}

/* For guest-init.sh's rmmod test: hold the device with a client attached. */
static int hold(void)
{
	struct hsm_vm vm;

	kt_reason_fd = STDERR_FILENO;
	hsm_vm_create(&vm);
	if (ioctl(vm.fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0) < 0) {
		perror("CREATE_IOREQ_CLIENT");
		return 1;
	}
	struct attacher a;

	attacher_start(&a, vm.fd, 0);
	attacher_wait_blocked(&a, KT_LONG_MS);
	printf("HOLDING vm %u\n", vm.vmid);
	fflush(stdout);
	for (;;)
		pause();
}

static const struct kt_case cases[] = {
	{ "flow.pio_roundtrip", pio_roundtrip, 0 },
	{ "flow.polling_no_hypercall", polling_no_hypercall, 0 },
	{ "flow.mmio_roundtrip", mmio_roundtrip, 0 },
	{ "flow.pci_conf1", pci_conf1, 0 },
	{ "flow.all_vcpus", all_vcpus, 60 },
	{ "flow.finish_not_processing", finish_not_processing, 0 },
	{ "flow.finish_other_client", finish_other_client, 0 },
	{ "flow.testdev_routing", testdev_routing, 0 },
	{ "flow.kclient_reroute", kclient_reroute, 0 },
	{ "flow.range_end_before_start", range_end_before_start, 0 },
	{ "flow.range_overlap", range_overlap, 0 },
	{ "flow.testdev_bad_args", testdev_bad_args, 0 },
	{ "flow.destroy_client_holding", destroy_client_holding, 0 },
	{ "flow.clear_vm_ioreq", clear_vm_ioreq, 0 },
	{ "flow.clear_overlapping", clear_overlapping, 40 },
	{ "flow.sim_bad_args", sim_bad_args, 0 },
	{ "flow.vm_isolation", vm_isolation, 0 },
	{ "flow.notify_race", notify_race, 0 },
	{ "flow.signal_storm", signal_storm, 60 },
	{ "flow.parallel_vms", parallel_vms, 30 },
	{ "flow.destroy_vm_with_clients", destroy_vm_with_clients, 0 },
	{ "flow.sigkill_holder", sigkill_holder, 0 },
	{ "flow.scribble_page", scribble_page, 40 },
	{ "flow.raw_slot_fuzz", raw_slot_fuzz, 60 },
};

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--hold") == 0)
		return hold();
	return kt_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
