// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the libvioreq API on the local backend, driven by a
 * byte sequence. One thread plays the VMM's clients and the hypervisor;
 * the backend's dispatch worker runs as in production.
 *
 * Operations: create clients (default or not, with 0..3 arbitrary ranges,
 * sometimes with an unknown flag), destroy them, add/remove ranges,
 * request, notify_request_finish with arbitrary ids and vCPUs, attach
 * (only when it cannot block: the client holds a slot, or the id does not
 * name a live client), clear, and at the end destroy_vm; the hypervisor
 * posts requests (FREE/COMPLETE -> PENDING, then the upcall), reaps
 * completed ones, and userspace writes any word of the page.
 *
 * Checked, with __builtin_trap() on a violation (plus ASan/UBSan):
 *  - every return code is 0 / an id, or one of the errnos runtime.h
 *    documents for that call, and ids behave as documented (a destroyed
 *    id gives -ENODEV, a live one works);
 *  - after every call, the core's VM (looked at under the VM lock through
 *    the backend's internal header) satisfies vm_wellformed
 *    (vm_invariants.c);
 *  - exactly once: no slot is completed (trace) or notified more often
 *    than PENDING was written into it; for a slot whose words only the
 *    hypervisor wrote, every posted request is completed exactly once by
 *    the end of destroy_vm, and notified exactly once when it did not ask
 *    for polling;
 *  - an upcall is served (the worker's pass catches up) within 5 s.
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "local_vm.h"
#include "vioreq/client.h"
#include "vioreq/runtime.h"
#include "vioreq/runtime_local.h"
#include "fuzz_input.h"
#include "vm_invariants.h"

#define NSLOTS VIOREQ_SLOT_COUNT
#define SLOT_WORDS (VIOREQ_SLOT_SIZE / 4u)
#define PAGE_WORDS (VIOREQ_PAGE_SIZE / 4u)
#define W_STATE (offsetof(struct vioreq_slot, processed) / 4u)
#define W_POLLING (offsetof(struct vioreq_slot, completion_polling) / 4u)
#define MAX_IDS 128
#define MAX_CLEARS 2	/* each may wait clear_timeout_ms */

static void fail(const char *what, long arg)
{
	fprintf(stderr, "fuzz_runtime_api: VIOLATION: %s (%ld)\n", what, arg);
	__builtin_trap();
}

#define CHECK(cond, what, arg) \
	do { if (!(cond)) fail(what, (long)(arg)); } while (0)

static struct vioreq_page *page;
static uint32_t *pw;

/* VIOREQ_FUZZ_TRACE=1: print each operation and its result (triage). */
static bool tracing;
#define TRACE(...) \
	do { if (tracing) fprintf(stderr, __VA_ARGS__); } while (0)

/* Per slot, for exactly once. */
static _Atomic uint32_t notified[NSLOTS];
static _Atomic uint32_t completed[NSLOTS];
static uint32_t posted[NSLOTS];		/* PENDING written into the slot */
static bool scribbled[NSLOTS];		/* a word written by userspace */
static bool polls[NSLOTS];		/* a post asked for polling */

/* Ids create_client returned, and whether destroy_client took them. */
static int ids[MAX_IDS];
static bool id_live[MAX_IDS];
static uint32_t nids;
static int last_id;			/* of the last successful add_range */
static struct vioreq_rt_range last_range;

static void on_notify(void *ctx, uint32_t vcpu)
{
	(void)ctx;
	CHECK(vcpu < NSLOTS, "notify for a vCPU out of range", vcpu);
	atomic_fetch_add(&notified[vcpu], 1);
}

static void on_trace(void *ctx, uint32_t vcpu, uint32_t from, uint32_t to,
		     uint32_t client)
{
	(void)ctx;
	(void)client;
	CHECK(vcpu < NSLOTS, "trace for a vCPU out of range", vcpu);
	/* The service module's two transitions only (REQ-STATE-002). */
	CHECK((from == VIOREQ_STATE_PENDING && to == VIOREQ_STATE_PROCESSING) ||
	      (from == VIOREQ_STATE_PENDING && to == VIOREQ_STATE_COMPLETE) ||
	      (from == VIOREQ_STATE_PROCESSING && to == VIOREQ_STATE_COMPLETE),
	      "traced transition not allowed", vcpu);
	if (to == VIOREQ_STATE_COMPLETE)
		atomic_fetch_add(&completed[vcpu], 1);
}

/* ------------------------------------------------------------- input */

static const uint64_t dict[] = {
	0, 1, 4, 0x3F8, 0x3FF, 0xCF8, 0xCFC, 0xCFF, 0xFFFF, 0x10000,
	0xFFFFFFF, 0x80000000, 0x8000F800, 0xFEE00000, 0xFFFFFFFF,
	UINT64_MAX - 7, UINT64_MAX,
};
#define NDICT (sizeof(dict) / sizeof(dict[0]))

static uint64_t val64(struct reader *r)
{
	uint8_t sel = u8(r);

	if (sel < 128)
		return dict[sel % NDICT];
	if (sel < 192)
		return sel & 63u;
	return u64(r);
}

/* A client id: one create_client returned, a small number, or anything. */
static int id_arg(struct reader *r)
{
	uint8_t sel = u8(r);

	if (sel < 200 && nids > 0)
		return ids[sel % nids];
	if (sel < 230)
		return sel % 130;
	return (int)u32(r);
}

static uint32_t vcpu_arg(struct reader *r)
{
	uint8_t sel = u8(r);

	return sel < 240 ? sel % NSLOTS : u32(r);
}

static void range_arg(struct reader *r, struct vioreq_rt_range *range)
{
	uint8_t sel = u8(r);

	range->type = sel < 250 ? sel % 3u : u32(r);
	range->start = val64(r);
	sel = u8(r);
	range->end = sel < 200 ? range->start + sel % 16u : val64(r);
}

/* ------------------------------------------------------------ checks */

static bool rc_in(int rc, const int *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rc == -set[i])
			return true;
	return false;
}

#define RC_IN(rc, ...) \
	rc_in(rc, (const int[]){ __VA_ARGS__ }, \
	      sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

static int find_id(int id)
{
	uint32_t i;

	for (i = 0; i < nids; i++)
		if (ids[i] == id)
			return (int)i;
	return -1;
}

/* What an id names: 1 live, 0 destroyed, -1 never returned. */
static int id_status(int id)
{
	int i = find_id(id);

	return i < 0 ? -1 : id_live[i] ? 1 : 0;
}

/* Errors every per-client call returns for a dead or unknown id. */
static void check_id_errors(int rc, int id, const char *call)
{
	int st = id_status(id);

	if (st == 0)
		CHECK(rc == -VIOREQ_ENODEV, call, rc);
	else if (st < 0)
		CHECK(rc == -VIOREQ_ENOENT || rc == -VIOREQ_ENODEV, call, rc);
}

static void check_core(struct local_vm *lvm)
{
	const char *bad;

	pthread_mutex_lock(&lvm->lock);
	bad = vioreq_check_vm(lvm->core);
	pthread_mutex_unlock(&lvm->lock);
	if (bad)
		fail(bad, 0);
}

/* The hypervisor's upcall, then wait until a dispatch pass that started
 * after it has ended. */
static void upcall_and_wait(struct vioreq_rt_vm *vm)
{
	struct local_vm *lvm = local_vm_of(vm);
	struct timespec t0, t;
	uint32_t spins = 0;

	vioreq_local_upcall(vm);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (local_upcall_pending(lvm)) {
		sched_yield();
		if (++spins % 1024 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			CHECK(t.tv_sec - t0.tv_sec < 5, "upcall not served",
			      spins);
		}
	}
}

/* ------------------------------------------------------- operations */

static void hv_write(uint32_t w, uint32_t val, bool by_hypervisor)
{
	uint32_t v = w / SLOT_WORDS;
	uint32_t old = __atomic_exchange_n(&pw[w], val, __ATOMIC_SEQ_CST);

	if (!by_hypervisor)
		scribbled[v] = true;
	if (w % SLOT_WORDS == W_STATE && val == VIOREQ_STATE_PENDING &&
	    old != VIOREQ_STATE_PENDING)
		posted[v]++;
}

static void hv_post(struct vioreq_rt_vm *vm, struct reader *r)
{
	uint32_t v = u8(r) % NSLOTS;
	struct vioreq_slot *s = &page->slot[v];
	uint32_t st = __atomic_load_n(&s->processed, __ATOMIC_SEQ_CST);
	uint8_t sel = u8(r);
	uint32_t type = sel < 250 ? sel % 3u : u32(r);
	uint32_t dir = u8(r) % 3u;	/* 2: malformed */
	uint64_t addr = val64(r), value = val64(r);
	static const uint64_t sizes[] = { 1, 2, 4, 8, 4, 1, 0, 3 };
	uint64_t size = sizes[u8(r) % 8u];
	uint32_t polling = u8(r) % 4u == 0;
	uint32_t base = v * SLOT_WORDS;

	/* The hypervisor posts only into slots it owns. */
	if (st != VIOREQ_STATE_FREE && st != VIOREQ_STATE_COMPLETE)
		return;
	hv_write(base + offsetof(struct vioreq_slot, type) / 4u, type, true);
	hv_write(base + W_POLLING, polling, true);
	s = &page->slot[v];
	hv_write((uint32_t)(&s->data[VIOREQ_REQ_DIRECTION_WORD] - pw), dir,
		 true);
	hv_write((uint32_t)(&s->data[VIOREQ_REQ_ADDRESS_WORD] - pw),
		 (uint32_t)addr, true);
	hv_write((uint32_t)(&s->data[VIOREQ_REQ_ADDRESS_WORD + 1] - pw),
		 (uint32_t)(addr >> 32), true);
	hv_write((uint32_t)(&s->data[VIOREQ_REQ_SIZE_WORD] - pw),
		 (uint32_t)size, true);
	hv_write((uint32_t)(&s->data[VIOREQ_REQ_SIZE_WORD + 1] - pw), 0, true);
	hv_write((uint32_t)(&s->data[VIOREQ_REQ_VALUE_WORD] - pw),
		 (uint32_t)value, true);
	hv_write((uint32_t)(&s->data[VIOREQ_REQ_PCI_BUS_WORD] - pw),
		 u8(r) % 2u, true);
	hv_write((uint32_t)(&s->data[VIOREQ_REQ_PCI_DEV_WORD] - pw),
		 u8(r) % 32u, true);
	hv_write((uint32_t)(&s->data[VIOREQ_REQ_PCI_FUNC_WORD] - pw),
		 u8(r) % 8u, true);
	hv_write((uint32_t)(&s->data[VIOREQ_REQ_PCI_REG_WORD] - pw),
		 u8(r) % 4u * 4u, true);
	polls[v] = polls[v] || polling;
	hv_write(base + W_STATE, VIOREQ_STATE_PENDING, true);
	upcall_and_wait(vm);
}

/* Attach only when it returns at once: the id names no live client, or
 * the client holds a slot (nothing but this thread releases slots). */
static void do_attach(struct vioreq_rt_vm *vm, int id)
{
	struct local_vm *lvm = local_vm_of(vm);
	uint32_t pending = 0, held = 0;
	bool call;
	int st = id_status(id), rc;

	if (st == 1) {
		pthread_mutex_lock(&lvm->lock);
		held = vioreq_client_held_slots(lvm->core,
						(uint32_t)id & LOCAL_ID_MASK);
		pthread_mutex_unlock(&lvm->lock);
		call = held != 0;
	} else {
		/* An id never returned may still name a live client (small
		 * raw ids): only when it does not. */
		pthread_mutex_lock(&lvm->lock);
		call = id < 0 ||
		       !lvm->clients[(uint32_t)id & LOCAL_ID_MASK].live ||
		       ((uint32_t)id >> LOCAL_ID_BITS) !=
			       lvm->clients[(uint32_t)id & LOCAL_ID_MASK]
				       .generation;
		pthread_mutex_unlock(&lvm->lock);
	}
	if (!call)
		return;
	rc = vioreq_rt_attach(vm, id, &pending);
	CHECK(rc == 0 || RC_IN(rc, VIOREQ_ENODEV, VIOREQ_ENOENT),
	      "attach: undocumented return code", rc);
	if (st == 1) {
		CHECK(rc == 0, "attach of a live client failed", rc);
		/* Only this thread releases slots: the worker may only have
		 * added some. */
		CHECK((pending & held) == held && pending != 0,
		      "attach: pending bitmap lost a held slot", pending);
	} else {
		check_id_errors(rc, id, "attach: wrong error for a dead id");
	}
}

static void finish_holder(struct vioreq_rt_vm *vm, uint32_t v,
			  uint64_t value)
{
	struct local_vm *lvm = local_vm_of(vm);
	struct vioreq_rt_request req;
	int owner, id, rc;

	pthread_mutex_lock(&lvm->lock);
	owner = lvm->core->slot_owner[v];
	id = owner == VIOREQ_CLIENT_NONE ? -1 :
	     (int)(lvm->clients[owner].generation << LOCAL_ID_BITS |
		   (uint32_t)owner);
	pthread_mutex_unlock(&lvm->lock);
	if (id < 0)
		return;
	rc = vioreq_rt_request(vm, id, v, &req);
	CHECK(rc == 0, "request by the holder failed", rc);
	CHECK(req.vcpu == v, "request: wrong vcpu", req.vcpu);
	rc = vioreq_rt_notify_request_finish(vm, id, v, value);
	/* -EINVAL only if userspace rewrote the state (not PROCESSING). */
	CHECK(rc == 0 || (rc == -VIOREQ_EINVAL && scribbled[v]),
	      "finish by the holder failed", rc);
}

enum op {
	OP_CREATE, OP_DESTROY, OP_ADD, OP_REMOVE, OP_POST, OP_REAP,
	OP_SCRIBBLE, OP_UPCALL, OP_ATTACH, OP_REQUEST, OP_FINISH,
	OP_FINISH_HOLDER, OP_CLEAR, OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"create_client", "destroy_client", "add_range", "remove_range",
	"hv_post", "hv_reap", "scribble", "upcall", "attach", "request",
	"notify_request_finish", "finish_holder", "clear",
};

static void run_op(struct vioreq_rt_vm *vm, struct reader *r,
		   uint32_t *clears)
{
	struct vioreq_rt_range ranges[3];
	struct vioreq_rt_request req;
	uint32_t flags, n, i, v;
	int rc = 0, id = 0, st;
	uint8_t op = u8(r) % OP_COUNT;

	TRACE("op %s\n", op_names[op]);
	switch (op) {
	case OP_CREATE:
		if (nids == MAX_IDS)
			break;	/* every id handed out stays tracked */
		flags = u8(r);
		flags = (flags & 1u) | (flags >= 250 ? 2u : 0u);
		n = u8(r) % 4u;
		for (i = 0; i < n; i++)
			range_arg(r, &ranges[i]);
		rc = vioreq_rt_create_client(vm, flags, n ? ranges : NULL, n);
		CHECK(rc >= 0 || RC_IN(rc, VIOREQ_EINVAL, VIOREQ_EBUSY,
				       VIOREQ_ENOSPC, VIOREQ_EEXIST),
		      "create_client: undocumented return code", rc);
		if (flags & 2u)
			CHECK(rc == -VIOREQ_EINVAL,
			      "create_client accepted an unknown flag", rc);
		if (rc >= 0) {
			CHECK(id_status(rc) != 1,
			      "create_client returned a live id", rc);
			/* an id is never handed out twice */
			CHECK(find_id(rc) < 0, "create_client reused an id", rc);
			ids[nids] = rc;
			id_live[nids++] = true;
		}
		break;
	case OP_DESTROY:
		id = id_arg(r);
		st = id_status(id);
		rc = vioreq_rt_destroy_client(vm, id);
		CHECK(rc == 0 || RC_IN(rc, VIOREQ_ENOENT, VIOREQ_ENODEV),
		      "destroy_client: undocumented return code", rc);
		if (st == 1) {
			CHECK(rc == 0, "destroy of a live client failed", rc);
			id_live[find_id(id)] = false;
		} else if (st == 0) {
			CHECK(rc == -VIOREQ_ENODEV,
			      "destroy of a destroyed client: not ENODEV", rc);
		} else if (rc == 0) {
			fail("destroy of an id never returned succeeded", id);
		}
		break;
	case OP_ADD:
		id = id_arg(r);
		range_arg(r, &ranges[0]);
		rc = vioreq_rt_add_range(vm, id, &ranges[0]);
		CHECK(rc == 0 || RC_IN(rc, VIOREQ_EINVAL, VIOREQ_EBUSY,
				       VIOREQ_ENOSPC, VIOREQ_ENOENT,
				       VIOREQ_ENODEV),
		      "add_range: undocumented return code", rc);
		check_id_errors(rc, id, "add_range: wrong error for a dead id");
		if (rc == 0) {
			last_id = id;
			last_range = ranges[0];
		}
		break;
	case OP_REMOVE:
		/* mostly the range added last (it may be gone already) */
		if (u8(r) < 128 && last_id != -1) {
			id = last_id;
			ranges[0] = last_range;
		} else {
			id = id_arg(r);
			range_arg(r, &ranges[0]);
		}
		rc = vioreq_rt_remove_range(vm, id, &ranges[0]);
		CHECK(rc == 0 || RC_IN(rc, VIOREQ_EINVAL, VIOREQ_ENOENT,
				       VIOREQ_ENODEV),
		      "remove_range: undocumented return code", rc);
		check_id_errors(rc, id,
				"remove_range: wrong error for a dead id");
		break;
	case OP_POST:
		hv_post(vm, r);
		break;
	case OP_REAP:
		v = u8(r) % NSLOTS;
		if (__atomic_load_n(&page->slot[v].processed,
				    __ATOMIC_SEQ_CST) == VIOREQ_STATE_COMPLETE)
			hv_write(v * SLOT_WORDS + W_STATE, VIOREQ_STATE_FREE,
				 true);
		break;
	case OP_SCRIBBLE:
		v = u8(r);
		i = (v % NSLOTS) * SLOT_WORDS + W_STATE;
		if (v >= 128)	/* any word */
			i = (u8(r) * 256u + u8(r)) % PAGE_WORDS;
		v = u8(r);
		hv_write(i, v < 200 ? v % 6u : u32(r), false);
		break;
	case OP_UPCALL:
		upcall_and_wait(vm);
		break;
	case OP_ATTACH:
		do_attach(vm, id_arg(r));
		break;
	case OP_REQUEST:
		id = id_arg(r);
		v = vcpu_arg(r);
		rc = vioreq_rt_request(vm, id, v, &req);
		/* runtime.h names -EINVAL and -EPERM; an id that names no
		 * live client gives -ENOENT / -ENODEV as for every call */
		CHECK(rc == 0 || RC_IN(rc, VIOREQ_EINVAL, VIOREQ_EPERM,
				       VIOREQ_ENOENT, VIOREQ_ENODEV),
		      "request: undocumented return code", rc);
		check_id_errors(rc, id, "request: wrong error for a dead id");
		if (v >= NSLOTS && id_status(id) == 1)
			CHECK(rc == -VIOREQ_EINVAL, "request: vCPU out of range",
			      rc);
		break;
	case OP_FINISH:
		id = id_arg(r);
		v = vcpu_arg(r);
		rc = vioreq_rt_notify_request_finish(vm, id, v, val64(r));
		CHECK(rc == 0 || RC_IN(rc, VIOREQ_EINVAL, VIOREQ_EPERM,
				       VIOREQ_ENODEV, VIOREQ_ENOENT),
		      "notify_request_finish: undocumented return code", rc);
		check_id_errors(rc, id, "finish: wrong error for a dead id");
		if (v >= NSLOTS && id_status(id) == 1)
			CHECK(rc == -VIOREQ_EINVAL, "finish: vCPU out of range",
			      rc);
		break;
	case OP_FINISH_HOLDER:
		v = u8(r) % NSLOTS;
		finish_holder(vm, v, val64(r));
		break;
	case OP_CLEAR:
		if (*clears >= MAX_CLEARS)
			break;
		(*clears)++;
		rc = vioreq_rt_clear(vm);
		CHECK(rc == 0 || rc == -VIOREQ_EBUSY,
		      "clear: undocumented return code", rc);
		break;
	}
	TRACE("  id %d -> rc %d\n", id, rc);
	check_core(local_vm_of(vm));
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned total, caught;

	(void)argc;
	(void)argv;
	page = aligned_alloc(VIOREQ_PAGE_SIZE, sizeof(*page));
	if (!page)
		abort();
	pw = (uint32_t *)page;
	tracing = getenv("VIOREQ_FUZZ_TRACE") != NULL;
	caught = vioreq_check_selftest(&total);
	fprintf(stderr, "fuzz_runtime_api: checker self-test: %u/%u "
		"corruptions reported\n", caught, total);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct vioreq_local_config config;
	struct vioreq_rt_vm *vm;
	uint32_t v, clears = 0;
	int rc;

	memset(page, 0, sizeof(*page));
	for (v = 0; v < NSLOTS; v++) {
		page->slot[v].processed = VIOREQ_STATE_FREE;
		atomic_store(&notified[v], 0);
		atomic_store(&completed[v], 0);
		posted[v] = 0;
		scribbled[v] = false;
		polls[v] = false;
	}
	nids = 0;
	last_id = -1;
	memset(&config, 0, sizeof(config));
	config.notify = on_notify;
	config.trace = on_trace;
	config.clear_timeout_ms = 1;
	/* spin-then-block and inline dispatch, or plain blocking */
	config.spin_ns = u8(&r) & 1u ? 2000u : 0u;
	rc = vioreq_rt_create_vm(&vioreq_local_backend, page, &config, &vm);
	CHECK(rc == 0, "create_vm failed", rc);

	while (r.n > 0)
		run_op(vm, &r, &clears);

	rc = vioreq_rt_destroy_vm(vm);
	CHECK(rc == 0, "destroy_vm failed", rc);
	/* destroy_vm joined the worker and completed every held slot: all
	 * completions and notifications have been delivered. */
	for (v = 0; v < NSLOTS; v++) {
		uint32_t c = atomic_load(&completed[v]);
		uint32_t n = atomic_load(&notified[v]);

		CHECK(c <= posted[v], "slot completed more often than posted",
		      v);
		CHECK(n <= c, "slot notified more often than completed", v);
		if (scribbled[v])
			continue;
		CHECK(c == posted[v], "posted request never completed", v);
		if (!polls[v])
			CHECK(n == c, "completion not notified", v);
	}
	return 0;
}
