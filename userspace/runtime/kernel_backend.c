// SPDX-License-Identifier: MIT
/*
 * The kernel backend of libvioreq (runtime_kernel.h): the VM, its request
 * page and its default I/O client live in the kernel module behind
 * /dev/acrn_hsm; this file plays ACRN userspace (acrn-dm) against it.
 *
 * One I/O thread per VM loops in ACRN_IOCTL_ATTACH_IOREQ_CLIENT. After
 * each return it scans the page for requests the default client holds
 * (PROCESSING, kernel_handled == 0: the module stores kernel_handled before
 * its release store of PROCESSING), snapshots each one (every field read
 * once, through the core's page-access hooks and vioreq_slot_snapshot),
 * routes it by address to one of this backend's clients, and wakes that
 * client's threads blocked in attach. A client reads the snapshot
 * (request), emulates, and finishes: the result goes into the page, then
 * ACRN_IOCTL_NOTIFY_REQUEST_FINISH, which makes the slot COMPLETE.
 *
 * A request the module completes itself (CF8, unroutable, malformed,
 * during a clear) goes PENDING -> PROCESSING -> COMPLETE inside one
 * dispatch pass. The core stores kernel_handled = 1 before that
 * PROCESSING (REQ-DISPATCH-007), so the scan skips it. Modules built
 * before that fix left kernel_handled 0 there: a scan that caught one in
 * that window handed it out, and the finish then completed whatever
 * request the vCPU made next (seen under TCG: a CF8 write handed to the
 * default client, whose NOTIFY completed the CFC read that followed,
 * unanswered). Against such a module, and as a second line of defence,
 * a request is taken
 * only when two scans, with an ATTACH between them, find the same request
 * PROCESSING: ATTACH takes the module's VM lock, so a dispatch pass that
 * was running at the first scan has ended by the second, and a request
 * the module completes itself is no longer PROCESSING (a request with the
 * very same fields made meanwhile gets the same routing decision, so it is
 * not one either). And before a NOTIFY the slot is checked to still hold
 * the request handed out (else the finish is refused with -EINVAL and
 * nothing is written to the page).
 *
 * The kernel's ATTACH returns at once while the default client holds any
 * request, so once every held request has been handed out the I/O thread
 * waits here (condition variable `changed`) for a finish, a clear or the
 * end before it attaches again.
 *
 * Locking: vm->lock guards everything below and is held across the
 * NOTIFY_REQUEST_FINISH and CLEAR_VM_IOREQ ioctls, so a finish, a clear
 * and a destroy never interleave (a late finish of a request a clear
 * completed fails with -EINVAL instead of completing the vCPU's next
 * request, as in the local backend). ATTACH is made without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/acrn.h>

#include "vioreq/page_access.h"
#include "vioreq/runtime_kernel.h"
#include "request_copy.h"
#include "vioreq/slot.h"

/* The page this backend hands to the kernel is the uapi's request buffer. */
_Static_assert(sizeof(struct acrn_io_request_buffer) ==
	       sizeof(struct vioreq_page), "ioreq page size");
_Static_assert(sizeof(struct acrn_io_request) == sizeof(struct vioreq_slot),
	       "ioreq slot size");
_Static_assert(offsetof(struct acrn_io_request, processed) ==
	       offsetof(struct vioreq_slot, processed), "processed offset");
_Static_assert(offsetof(struct acrn_io_request, kernel_handled) ==
	       offsetof(struct vioreq_slot, kernel_handled),
	       "kernel_handled offset");
_Static_assert(ACRN_IO_REQUEST_MAX == VIOREQ_SLOT_COUNT, "slot count");
_Static_assert(ACRN_IOREQ_STATE_PROCESSING == VIOREQ_STATE_PROCESSING,
	       "PROCESSING");

#define KB_DEVICE_DEFAULT "/dev/acrn_hsm"
#define KB_CLEAR_TIMEOUT_MS 1000u
/* Client ids: generation << KB_ID_BITS | index (as the local backend). */
#define KB_ID_BITS 6u
#define KB_CLIENTS (1u << KB_ID_BITS)
#define KB_ID_MASK (KB_CLIENTS - 1u)
#define KB_GENERATION_MAX ((uint32_t)INT32_MAX >> KB_ID_BITS)

struct kb_range {
	uint32_t type;
	uint64_t start;
	uint64_t end;
	uint32_t client;	/* index */
};

struct kb_client {
	uint32_t generation;	/* of the current or last client; 0: never */
	bool live;
	bool is_default;
	uint32_t attached;	/* threads blocked in attach */
	uint32_t held;		/* slots handed to it */
	pthread_cond_t assigned; /* a slot was handed to it, or destroyed */
	/* epoch[] of the request it last read from each slot. */
	uint32_t read_epoch[VIOREQ_SLOT_COUNT];
};

struct kb_vm {
	struct vioreq_rt_vm base;
	struct vioreq_kernel_config cfg;
	struct vioreq_page *page;
	int fd;
	uint16_t vmid;
	uint16_t vcpu_num;

	pthread_mutex_t lock;
	/* A handed slot was released, a clear ended, a client left
	 * attach, or the VM is going: the I/O thread, clear and destroy_vm
	 * wait on it (CLOCK_MONOTONIC). */
	pthread_cond_t changed;
	uint32_t events;	/* bumped whenever `changed` is broadcast */
	uint32_t clearing;	/* clears under way: hand nothing out */
	bool dying;

	uint32_t handed;	/* slots handed to a client */
	uint32_t owner[VIOREQ_SLOT_COUNT];	/* client index */
	/* Bumped at each hand-out of the slot (never 0 once handed). */
	uint32_t epoch[VIOREQ_SLOT_COUNT];
	struct vioreq_rt_request req[VIOREQ_SLOT_COUNT];
	struct vioreq_slot_snapshot snap[VIOREQ_SLOT_COUNT];
	/* Seen PROCESSING by the last scan, not handed out yet: taken if
	 * the next scan, after an ATTACH, sees the same request. */
	uint32_t candidates;
	struct vioreq_slot_snapshot candidate[VIOREQ_SLOT_COUNT];

	int default_client;	/* index, or -1 */
	struct kb_client clients[KB_CLIENTS];
	struct kb_range *ranges;
	size_t range_count, range_cap;
	uint32_t ranges_of_type[VIOREQ_TYPE_COUNT];

	pthread_t io_thread;
	bool io_started;
};

static struct kb_vm *kb_vm_of(struct vioreq_rt_vm *vm)
{
	return (struct kb_vm *)vm;
}

static int kb_id(const struct kb_vm *vm, uint32_t index)
{
	return (int)(vm->clients[index].generation << KB_ID_BITS | index);
}

static void kb_trace(struct kb_vm *vm, uint32_t v, uint32_t from, uint32_t to,
		     uint32_t client)
{
	if (vm->cfg.trace)
		vm->cfg.trace(vm->cfg.ctx, v, from, to, client);
}

static void kb_broadcast(struct kb_vm *vm)
{
	vm->events++;
	pthread_cond_broadcast(&vm->changed);
}

/* The live client of an id: 0, -ENOENT (never created), -ENODEV (gone). */
static int kb_lookup(struct kb_vm *vm, int id, uint32_t *index)
{
	uint32_t i, generation;
	struct kb_client *c;

	if (id < 0)
		return -VIOREQ_ENOENT;
	i = (uint32_t)id & KB_ID_MASK;
	generation = (uint32_t)id >> KB_ID_BITS;
	c = &vm->clients[i];
	if (c->generation == 0 || generation == 0 ||
	    generation > c->generation)
		return -VIOREQ_ENOENT;
	if (generation != c->generation || !c->live)
		return -VIOREQ_ENODEV;
	*index = i;
	return 0;
}

/* ------------------------------------------------------------- ranges */

static int kb_range_check(const struct vioreq_rt_range *r)
{
	if (r->type >= VIOREQ_TYPE_COUNT || r->end < r->start)
		return -VIOREQ_EINVAL;
	return 0;
}

static bool kb_overlaps(const struct vioreq_rt_range *a, uint32_t type,
			uint64_t start, uint64_t end)
{
	return a->type == type && a->start <= end && start <= a->end;
}

static int kb_range_conflict(const struct kb_vm *vm,
			     const struct vioreq_rt_range *r)
{
	size_t i;

	for (i = 0; i < vm->range_count; i++) {
		const struct kb_range *k = &vm->ranges[i];

		if (k->type == r->type && k->start <= r->end &&
		    r->start <= k->end)
			return -VIOREQ_EBUSY;
	}
	return 0;
}

/* Room for n more ranges, and within each type's limit. */
static int kb_range_reserve(struct kb_vm *vm,
			    const struct vioreq_rt_range *ranges, size_t n)
{
	uint32_t per_type[VIOREQ_TYPE_COUNT] = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		per_type[ranges[i].type]++;
	for (i = 0; i < VIOREQ_TYPE_COUNT; i++)
		if (per_type[i] > VIOREQ_RANGES_PER_TYPE -
					  vm->ranges_of_type[i])
			return -VIOREQ_ENOSPC;
	if (vm->range_count + n > vm->range_cap) {
		size_t cap = vm->range_cap ? vm->range_cap : 16;
		struct kb_range *grown;

		while (cap < vm->range_count + n)
			cap *= 2;
		grown = realloc(vm->ranges, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		vm->ranges = grown;
		vm->range_cap = cap;
	}
	return 0;
}

static void kb_range_append(struct kb_vm *vm, const struct vioreq_rt_range *r,
			    uint32_t client)
{
	vm->ranges[vm->range_count++] = (struct kb_range){
		r->type, r->start, r->end, client
	};
	vm->ranges_of_type[r->type]++;
}

static void kb_range_delete(struct kb_vm *vm, size_t i)
{
	vm->ranges_of_type[vm->ranges[i].type]--;
	vm->ranges[i] = vm->ranges[--vm->range_count];
}

/* The client a request goes to: the owner of the range holding its first
 * byte, else the default client; -1 for nobody. */
static int kb_route(const struct kb_vm *vm, uint32_t type, uint64_t key)
{
	size_t i;

	for (i = 0; i < vm->range_count; i++) {
		const struct kb_range *k = &vm->ranges[i];

		if (k->type == type && k->start <= key && key <= k->end)
			return (int)k->client;
	}
	return vm->default_client;
}

/* ------------------------------------------------------------ slots */

static bool kb_same_request(const struct vioreq_slot_snapshot *a,
			    const struct vioreq_slot_snapshot *b)
{
	return a->type == b->type && a->direction == b->direction &&
	       a->address == b->address && a->size == b->size &&
	       a->value == b->value && a->pci_bus == b->pci_bus &&
	       a->pci_dev == b->pci_dev && a->pci_func == b->pci_func &&
	       a->pci_reg == b->pci_reg;
}

/* Slot v is PROCESSING for userspace; its request in *snap (each field
 * read once). */
static bool kb_slot_read(struct kb_vm *vm, uint32_t v,
			 struct vioreq_slot_snapshot *snap)
{
	struct vioreq_slot *slot = &vm->page->slot[v];

	/* Acquire: pairs with the module's release store of PROCESSING,
	 * after kernel_handled and the request. */
	if (vioreq_page_load_acquire(&slot->processed) !=
	    VIOREQ_STATE_PROCESSING)
		return false;
	if (vioreq_page_load(&slot->kernel_handled) != 0)
		return false; /* an in-kernel client's */
	vioreq_slot_snapshot(slot, snap);
	return true;
}

/* Slot v still holds the request handed out (lock held; before the
 * result is written). */
static bool kb_slot_unchanged(struct kb_vm *vm, uint32_t v)
{
	struct vioreq_slot_snapshot now;

	return kb_slot_read(vm, v, &now) && kb_same_request(&now, &vm->snap[v]);
}

static int kb_notify_ioctl(struct kb_vm *vm, uint32_t v)
{
	struct acrn_ioreq_notify n;

	memset(&n, 0, sizeof(n));
	n.vmid = vm->vmid;
	n.vcpu = v;
	if (ioctl(vm->fd, ACRN_IOCTL_NOTIFY_REQUEST_FINISH, &n) < 0)
		return -errno;
	return 0;
}

/* Store a read's result: both value words for MMIO, else the low one. */
static void kb_store_result(struct kb_vm *vm, uint32_t v, uint32_t type,
			    uint64_t value)
{
	struct vioreq_slot *slot = &vm->page->slot[v];

	vioreq_page_store(&slot->data[VIOREQ_REQ_VALUE_WORD],
			  (uint32_t)(value & 0xFFFFFFFFu));
	if (type == VIOREQ_TYPE_MMIO)
		vioreq_page_store(&slot->data[VIOREQ_REQ_VALUE_WORD + 1],
				  (uint32_t)(value >> 32));
}

/* Complete a slot the default client holds (lock held): all ones for a
 * read, then NOTIFY_REQUEST_FINISH. */
static int kb_complete_all_ones(struct kb_vm *vm, uint32_t v, uint32_t type,
				uint32_t direction)
{
	if (direction == VIOREQ_DIR_READ)
		kb_store_result(vm, v, type, VIOREQ_READ_ALL_ONES);
	return kb_notify_ioctl(vm, v);
}

/* The slot is no longer handed to anyone (lock held). */
static void kb_release(struct kb_vm *vm, uint32_t v)
{
	uint32_t bit = 1u << v;

	if (!(vm->handed & bit))
		return;
	vm->handed &= ~bit;
	vm->clients[vm->owner[v]].held &= ~bit;
	kb_broadcast(vm);
}

/*
 * Hand every request the default client holds and nobody has yet to its
 * client (lock held): those seen by the previous scan too (see the top of
 * the file); the others become candidates. A request no client takes, or
 * that does not decode, is completed here with all ones. Returns the
 * candidates left for the next scan.
 */
static uint32_t kb_scan(struct kb_vm *vm)
{
	uint32_t v;

	for (v = 0; v < vm->vcpu_num; v++) {
		struct vioreq_slot_snapshot snap;
		struct vioreq_request dec;
		struct kb_client *c;
		uint32_t bit = 1u << v;
		int client;

		if (vm->handed & bit)
			continue;
		if (!kb_slot_read(vm, v, &snap)) {
			vm->candidates &= ~bit;
			continue;
		}
		if (!(vm->candidates & bit) ||
		    !kb_same_request(&snap, &vm->candidate[v])) {
			vm->candidate[v] = snap;
			vm->candidates |= bit;
			continue;
		}
		vm->candidates &= ~bit;
		if (vioreq_request_decode(&snap, &dec) != 0) {
			(void)kb_complete_all_ones(vm, v, VIOREQ_TYPE_PORTIO,
						   VIOREQ_DIR_WRITE);
			kb_trace(vm, v, VIOREQ_STATE_PROCESSING,
				 VIOREQ_STATE_COMPLETE,
				 VIOREQ_KERNEL_BY_BACKEND);
			continue;
		}
		client = kb_route(vm, dec.type, dec.addr);
		if (client < 0) {
			(void)kb_complete_all_ones(vm, v, dec.type,
						   dec.direction);
			kb_trace(vm, v, VIOREQ_STATE_PROCESSING,
				 VIOREQ_STATE_COMPLETE,
				 VIOREQ_KERNEL_BY_BACKEND);
			continue;
		}
		vm->snap[v] = snap;
		vioreq_rt_request_from_snapshot(&snap, v, &vm->req[v]);
		if (++vm->epoch[v] == 0)
			vm->epoch[v] = 1;
		vm->owner[v] = (uint32_t)client;
		vm->handed |= bit;
		c = &vm->clients[client];
		c->held |= bit;
		kb_trace(vm, v, VIOREQ_STATE_PENDING, VIOREQ_STATE_PROCESSING,
			 (uint32_t)kb_id(vm, (uint32_t)client));
		pthread_cond_broadcast(&c->assigned);
	}
	return vm->candidates;
}

/* The I/O thread: ATTACH, scan, wait for a finish while all is handed. */
static void *kb_io_main(void *arg)
{
	struct kb_vm *vm = arg;

	for (;;) {
		uint32_t seen;

		if (ioctl(vm->fd, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0) < 0) {
			if (errno == EINTR)
				continue;
			break; /* ENODEV: the default client is gone */
		}
		pthread_mutex_lock(&vm->lock);
		while (vm->clearing && !vm->dying)
			pthread_cond_wait(&vm->changed, &vm->lock);
		if (vm->dying) {
			pthread_mutex_unlock(&vm->lock);
			break;
		}
		seen = vm->events;
		/* With candidates, ATTACH again at once: it returns at once
		 * if they are really held, and is the barrier they need. Else
		 * everything the kernel holds is handed out now: ATTACH would
		 * return at once until one is finished. */
		if (kb_scan(vm) == 0)
			while (vm->handed != 0 && vm->events == seen &&
			       !vm->dying)
				pthread_cond_wait(&vm->changed, &vm->lock);
		pthread_mutex_unlock(&vm->lock);
	}
	return NULL;
}

/* ------------------------------------------------------------ VM */

static void kb_free(struct kb_vm *vm)
{
	uint32_t i;

	for (i = 0; i < KB_CLIENTS; i++)
		pthread_cond_destroy(&vm->clients[i].assigned);
	pthread_cond_destroy(&vm->changed);
	pthread_mutex_destroy(&vm->lock);
	if (vm->fd >= 0)
		close(vm->fd);
	free(vm->ranges);
	free(vm);
}

static int kb_create_vm(struct vioreq_page *page, const void *config,
			struct vioreq_rt_vm **out)
{
	const struct vioreq_kernel_config *cfg = config;
	struct acrn_vm_creation vc;
	pthread_condattr_t attr;
	struct kb_vm *vm;
	uint32_t i;
	int rc;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->base.ops = &vioreq_kernel_backend;
	if (cfg)
		vm->cfg = *cfg;
	if (vm->cfg.clear_timeout_ms == 0)
		vm->cfg.clear_timeout_ms = KB_CLEAR_TIMEOUT_MS;
	vm->page = page;
	vm->default_client = -1;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->changed, &attr);
	pthread_condattr_destroy(&attr);
	for (i = 0; i < KB_CLIENTS; i++)
		pthread_cond_init(&vm->clients[i].assigned, NULL);

	vm->fd = open(vm->cfg.device ? vm->cfg.device : KB_DEVICE_DEFAULT,
		      O_RDWR | O_CLOEXEC);
	if (vm->fd < 0) {
		rc = -errno;
		kb_free(vm);
		return rc;
	}
	/* acrn-dm's vm_create: the hypervisor fills in vmid and vcpu_num. */
	memset(&vc, 0, sizeof(vc));
	vc.vmid = 0xFFFF;
	vc.ioreq_buf = (uint64_t)(uintptr_t)page;
	vc.cpu_affinity = vm->cfg.cpu_affinity ? vm->cfg.cpu_affinity : 1u;
	if (ioctl(vm->fd, ACRN_IOCTL_CREATE_VM, &vc) < 0) {
		rc = -errno;
		kb_free(vm);
		return rc;
	}
	vm->vmid = vc.vmid;
	vm->vcpu_num = vc.vcpu_num;
	if (vm->vcpu_num > VIOREQ_SLOT_COUNT)
		vm->vcpu_num = VIOREQ_SLOT_COUNT;
	/* The default client, and the thread that attaches it. */
	if (ioctl(vm->fd, ACRN_IOCTL_CREATE_IOREQ_CLIENT, 0) < 0) {
		rc = -errno;
		(void)ioctl(vm->fd, ACRN_IOCTL_DESTROY_VM, 0);
		kb_free(vm);
		return rc;
	}
	rc = pthread_create(&vm->io_thread, NULL, kb_io_main, vm);
	if (rc != 0) {
		(void)ioctl(vm->fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0);
		(void)ioctl(vm->fd, ACRN_IOCTL_DESTROY_VM, 0);
		kb_free(vm);
		return -rc;
	}
	vm->io_started = true;
	*out = &vm->base;
	return 0;
}

/* Destroy client i (lock held): its ranges go, the requests it was handed
 * complete with all ones, its threads in attach return -ENODEV. */
static void kb_destroy_client_locked(struct kb_vm *vm, uint32_t i)
{
	struct kb_client *c = &vm->clients[i];
	size_t r;
	uint32_t v;

	c->live = false;
	if (c->is_default)
		vm->default_client = -1;
	c->is_default = false;
	for (r = vm->range_count; r-- > 0;)
		if (vm->ranges[r].client == i)
			kb_range_delete(vm, r);
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		if (!(c->held & (1u << v)))
			continue;
		if (kb_slot_unchanged(vm, v))
			(void)kb_complete_all_ones(vm, v, vm->req[v].type,
						   vm->req[v].direction);
		kb_trace(vm, v, VIOREQ_STATE_PROCESSING, VIOREQ_STATE_COMPLETE,
			 VIOREQ_KERNEL_BY_BACKEND);
		kb_release(vm, v);
	}
	pthread_cond_broadcast(&c->assigned);
}

static int kb_destroy_vm(struct vioreq_rt_vm *base)
{
	struct kb_vm *vm = kb_vm_of(base);
	uint32_t i;
	bool waiting;

	pthread_mutex_lock(&vm->lock);
	vm->dying = true;
	for (i = 0; i < KB_CLIENTS; i++)
		if (vm->clients[i].live)
			kb_destroy_client_locked(vm, i);
	kb_broadcast(vm);
	/* Threads still in attach leave with -ENODEV before the VM goes. */
	do {
		waiting = false;
		for (i = 0; i < KB_CLIENTS; i++)
			waiting |= vm->clients[i].attached != 0;
		if (waiting)
			pthread_cond_wait(&vm->changed, &vm->lock);
	} while (waiting);
	pthread_mutex_unlock(&vm->lock);

	/* As acrn-dm tears a VM down: requests still pending or held are
	 * completed (all ones), the default client goes (the I/O thread's
	 * ATTACH returns -ENODEV), then the VM. */
	(void)ioctl(vm->fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0);
	(void)ioctl(vm->fd, ACRN_IOCTL_DESTROY_IOREQ_CLIENT, 0);
	if (vm->io_started)
		pthread_join(vm->io_thread, NULL);
	(void)ioctl(vm->fd, ACRN_IOCTL_DESTROY_VM, 0);
	kb_free(vm);
	return 0;
}

/* ------------------------------------------------------------ clients */

static int kb_create_client(struct vioreq_rt_vm *base, uint32_t flags,
			    const struct vioreq_rt_range *ranges,
			    size_t range_count)
{
	struct kb_vm *vm = kb_vm_of(base);
	bool is_default = (flags & VIOREQ_RT_CLIENT_DEFAULT) != 0;
	struct kb_client *c = NULL;
	uint32_t i;
	size_t r, q;
	int rc = 0;

	for (r = 0; r < range_count; r++) {
		rc = kb_range_check(&ranges[r]);
		if (rc != 0)
			return rc;
		for (q = 0; q < r; q++)
			if (kb_overlaps(&ranges[q], ranges[r].type,
					ranges[r].start, ranges[r].end))
				return -VIOREQ_EBUSY;
	}
	pthread_mutex_lock(&vm->lock);
	if (vm->dying) {
		rc = -VIOREQ_ENODEV;
		goto out;
	}
	if (is_default && vm->default_client >= 0) {
		rc = -VIOREQ_EEXIST;
		goto out;
	}
	for (r = 0; r < range_count; r++) {
		rc = kb_range_conflict(vm, &ranges[r]);
		if (rc != 0)
			goto out;
	}
	/* A free index: no client, and no thread still leaving attach. */
	for (i = 0; i < KB_CLIENTS; i++) {
		struct kb_client *k = &vm->clients[i];

		if (!k->live && k->attached == 0 &&
		    k->generation < KB_GENERATION_MAX) {
			c = k;
			break;
		}
	}
	if (!c) {
		rc = -VIOREQ_ENOSPC;
		goto out;
	}
	rc = kb_range_reserve(vm, ranges, range_count);
	if (rc != 0)
		goto out;
	c->generation++;
	c->live = true;
	c->is_default = is_default;
	c->held = 0;
	memset(c->read_epoch, 0, sizeof(c->read_epoch));
	for (r = 0; r < range_count; r++)
		kb_range_append(vm, &ranges[r], i);
	if (is_default)
		vm->default_client = (int)i;
	rc = kb_id(vm, i);
out:
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

static int kb_add_range(struct vioreq_rt_vm *base, int client,
			const struct vioreq_rt_range *range)
{
	struct kb_vm *vm = kb_vm_of(base);
	uint32_t i;
	int rc;

	rc = kb_range_check(range);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&vm->lock);
	rc = kb_lookup(vm, client, &i);
	if (rc == 0)
		rc = kb_range_conflict(vm, range);
	if (rc == 0)
		rc = kb_range_reserve(vm, range, 1);
	if (rc == 0)
		kb_range_append(vm, range, i);
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

static int kb_remove_range(struct vioreq_rt_vm *base, int client,
			   const struct vioreq_rt_range *range)
{
	struct kb_vm *vm = kb_vm_of(base);
	uint32_t i;
	size_t r;
	int rc;

	rc = kb_range_check(range);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&vm->lock);
	rc = kb_lookup(vm, client, &i);
	if (rc == 0) {
		rc = -VIOREQ_ENOENT;
		for (r = 0; r < vm->range_count; r++) {
			const struct kb_range *k = &vm->ranges[r];

			if (k->client == i && k->type == range->type &&
			    k->start == range->start && k->end == range->end) {
				kb_range_delete(vm, r);
				rc = 0;
				break;
			}
		}
	}
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

static int kb_attach(struct vioreq_rt_vm *base, int client, uint32_t *pending)
{
	struct kb_vm *vm = kb_vm_of(base);
	struct kb_client *c;
	uint32_t i, generation;
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = kb_lookup(vm, client, &i);
	if (rc != 0) {
		pthread_mutex_unlock(&vm->lock);
		return rc;
	}
	c = &vm->clients[i];
	generation = c->generation;
	c->attached++;
	while (c->live && c->generation == generation && c->held == 0)
		pthread_cond_wait(&c->assigned, &vm->lock);
	if (c->live && c->generation == generation)
		*pending = c->held;
	else
		rc = -VIOREQ_ENODEV;
	if (--c->attached == 0)
		kb_broadcast(vm);
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

/* The slot handed to client i, or an error (lock held). */
static int kb_held_by(const struct kb_vm *vm, uint32_t i, uint32_t vcpu)
{
	if (vcpu >= VIOREQ_SLOT_COUNT || !(vm->handed & (1u << vcpu)))
		return -VIOREQ_EINVAL;
	if (vm->owner[vcpu] != i)
		return -VIOREQ_EPERM;
	return 0;
}

static int kb_request(struct vioreq_rt_vm *base, int client, uint32_t vcpu,
		      struct vioreq_rt_request *req)
{
	struct kb_vm *vm = kb_vm_of(base);
	uint32_t i;
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = kb_lookup(vm, client, &i);
	if (rc == 0)
		rc = kb_held_by(vm, i, vcpu);
	if (rc == 0) {
		/* The snapshot the I/O thread took: the page is not read
		 * again for this request. */
		*req = vm->req[vcpu];
		vm->clients[i].read_epoch[vcpu] = vm->epoch[vcpu];
	}
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

static int kb_notify_request_finish(struct vioreq_rt_vm *base, int client,
				    uint32_t vcpu, uint64_t value)
{
	struct kb_vm *vm = kb_vm_of(base);
	uint32_t i;
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = kb_lookup(vm, client, &i);
	if (rc == 0)
		rc = kb_held_by(vm, i, vcpu);
	/* Only the request it read: not one handed out after a clear
	 * completed that one. */
	if (rc == 0 && vm->clients[i].read_epoch[vcpu] != vm->epoch[vcpu])
		rc = -VIOREQ_EINVAL;
	if (rc == 0 && !kb_slot_unchanged(vm, vcpu)) {
		/* Not the request handed out any more: never ours to
		 * complete. */
		kb_release(vm, vcpu);
		rc = -VIOREQ_EINVAL;
	} else if (rc == 0) {
		if (vm->req[vcpu].direction == VIOREQ_DIR_READ)
			kb_store_result(vm, vcpu, vm->req[vcpu].type, value);
		rc = kb_notify_ioctl(vm, vcpu);
		kb_trace(vm, vcpu, VIOREQ_STATE_PROCESSING,
			 VIOREQ_STATE_COMPLETE, (uint32_t)client);
		/* Released even if the module refused: it no longer holds
		 * the slot for us. */
		kb_release(vm, vcpu);
	}
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

static int kb_clear(struct vioreq_rt_vm *base)
{
	struct kb_vm *vm = kb_vm_of(base);
	struct timespec deadline;
	bool busy = false;
	uint64_t ns;
	uint32_t v;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	ns = (uint64_t)deadline.tv_nsec +
	     (uint64_t)vm->cfg.clear_timeout_ms * 1000000ull;
	deadline.tv_sec += (time_t)(ns / 1000000000ull);
	deadline.tv_nsec = (long)(ns % 1000000000ull);

	pthread_mutex_lock(&vm->lock);
	if (vm->dying) {
		pthread_mutex_unlock(&vm->lock);
		return -VIOREQ_ENODEV;
	}
	/* Nothing new is handed out until the clear is done: what becomes
	 * pending meanwhile is completed by CLEAR_VM_IOREQ. */
	vm->clearing++;
	/* Clients other than the default one finish what they hold (the
	 * local backend's semantics; the default client's are completed
	 * now). */
	for (;;) {
		uint32_t others = 0;

		for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
			if ((vm->handed & (1u << v)) &&
			    !vm->clients[vm->owner[v]].is_default)
				others |= 1u << v;
		if (!others)
			break;
		if (pthread_cond_timedwait(&vm->changed, &vm->lock,
					   &deadline) == ETIMEDOUT) {
			busy = true;
			break;
		}
	}
	/* CLEAR_VM_IOREQ completes, with all ones, every request the
	 * default client holds: the ones still handed out go with them,
	 * and a late finish of one fails (-EINVAL). */
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		if (vm->handed & (1u << v)) {
			kb_trace(vm, v, VIOREQ_STATE_PROCESSING,
				 VIOREQ_STATE_COMPLETE,
				 VIOREQ_KERNEL_BY_BACKEND);
			kb_release(vm, v);
		}
	if (ioctl(vm->fd, ACRN_IOCTL_CLEAR_VM_IOREQ, 0) < 0)
		rc = -errno;
	vm->clearing--;
	kb_broadcast(vm);
	pthread_mutex_unlock(&vm->lock);
	if (rc == 0 && busy)
		rc = -VIOREQ_EBUSY;
	return rc;
}

static int kb_destroy_client(struct vioreq_rt_vm *base, int client)
{
	struct kb_vm *vm = kb_vm_of(base);
	uint32_t i;
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = kb_lookup(vm, client, &i);
	if (rc == 0)
		kb_destroy_client_locked(vm, i);
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

int vioreq_kernel_vm_info(const struct vioreq_rt_vm *base, uint16_t *vmid,
			  uint16_t *vcpu_num)
{
	const struct kb_vm *vm = (const struct kb_vm *)base;

	if (!base || base->ops != &vioreq_kernel_backend)
		return -VIOREQ_EINVAL;
	if (vmid)
		*vmid = vm->vmid;
	if (vcpu_num)
		*vcpu_num = vm->vcpu_num;
	return 0;
}

const struct vioreq_rt_backend_ops vioreq_kernel_backend = {
	.name = "kernel",
	.create_vm = kb_create_vm,
	.destroy_vm = kb_destroy_vm,
	.create_client = kb_create_client,
	.add_range = kb_add_range,
	.remove_range = kb_remove_range,
	.attach = kb_attach,
	.request = kb_request,
	.notify_request_finish = kb_notify_request_finish,
	.clear = kb_clear,
	.destroy_client = kb_destroy_client,
};
