// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the core against a hostile request page.
 *
 * The input is an initial 4 KiB page and a sequence of operations: the
 * hypervisor posting requests (FREE/COMPLETE -> PENDING with any fields)
 * and reaping them (COMPLETE -> FREE), userspace writing any 32-bit word
 * anywhere (state values 4..UINT32_MAX included), also *during* a core
 * call (between two of its page accesses), and every core entry point
 * with arbitrary arguments: dispatch, dispatch_slot, complete, clear
 * begin/end, client create/destroy/release, add/remove range, range
 * lookup, slot release.
 *
 * The harness supplies the page access hooks itself (instead of
 * userspace/page_access_hosted.c), so it sees every load and store the
 * core makes. After every operation it checks, and __builtin_trap()s on
 * the first violation:
 *  - vm_wellformed and its parts (vm_invariants.c, mirroring the ACSL);
 *  - the VM against a shadow model written from the requirements: client
 *    states, default client, slot holders, clearing, CF8 register,
 *    counters, range tables (linear-scan reference), return values, the
 *    wake/notify events, and the exact set of page stores the core made
 *    (values, release order, the result and the polling read before
 *    COMPLETE);
 *  - read once (REQ-SLOT-001): no page word loaded twice in one call;
 *  - the core writes the page only through the hooks (the page equals
 *    the harness's copy after every operation);
 *  - exactly once (REQ-COMPLETE-003): the core takes a PENDING slot only
 *    when someone wrote PENDING there since its last take (a held slot is
 *    never dispatched again), and completes each taken request at most
 *    once; at the end, after every client is destroyed and a last
 *    dispatch, nothing is held and no slot is left PENDING.
 *
 * Input format: tests/fuzz/README.md; seeds: tests/fuzz/make_seeds.py.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vioreq/clear.h"
#include "vioreq/client.h"
#include "vioreq/completion.h"
#include "vioreq/dispatch.h"
#include "vioreq/page_access.h"
#include "fuzz_input.h"
#include "vm_invariants.h"

#define NSLOTS VIOREQ_SLOT_COUNT
#define NCLIENTS VIOREQ_CLIENTS_PER_VM
#define NRANGES VIOREQ_RANGES_PER_TYPE
#define PAGE_WORDS (VIOREQ_PAGE_SIZE / 4u)
#define SLOT_WORDS (VIOREQ_SLOT_SIZE / 4u)
#define NONE VIOREQ_CLIENT_NONE

/* Word offsets inside a slot (REQ-ABI-002, REQ-ABI-003). */
#define W_TYPE (offsetof(struct vioreq_slot, type) / 4u)
#define W_POLLING (offsetof(struct vioreq_slot, completion_polling) / 4u)
#define W_DATA (offsetof(struct vioreq_slot, data) / 4u)
#define W_KERNEL (offsetof(struct vioreq_slot, kernel_handled) / 4u)
#define W_STATE (offsetof(struct vioreq_slot, processed) / 4u)
#define W_REQ(i) (W_DATA + (i))
#define SW(v, off) ((uint32_t)(v) * SLOT_WORDS + (uint32_t)(off))

static void fail(const char *what, unsigned v)
{
	fprintf(stderr, "fuzz_core_page: VIOLATION: %s (slot/id %u)\n", what,
		v);
	__builtin_trap();
}

#define CHECK(cond, what, v) \
	do { if (!(cond)) fail(what, (unsigned)(v)); } while (0)

/* Checks and model loops need no coverage feedback: uninstrumented, they
 * cost a fraction (the feedback that matters is the core's). */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

/* VIOREQ_FUZZ_TRACE=1: print each operation and its result (triage). */
static bool tracing;
#define TRACE(...) \
	do { if (tracing) fprintf(stderr, __VA_ARGS__); } while (0)

/* ---------------------------------------------------------------- state */

static struct vioreq_vm *vm;
static struct vioreq_page *page;
static uint32_t *pw;			/* the page as words */
static uint32_t shadow_page[PAGE_WORDS];	/* what the page must hold */

struct model_table {
	uint32_t count;
	uint64_t start[NRANGES];
	uint64_t end[NRANGES];
	uint8_t client[NRANGES];
};

/* The shadow model of the VM, written from spec/REQUIREMENTS.md. */
static struct model {
	int8_t state[NCLIENTS];
	int8_t in_kernel[NCLIENTS];
	int default_client;
	int owner[NSLOTS];
	int clearing;
	uint32_t conf1;
	struct vioreq_counters cnt;
	struct model_table rt[VIOREQ_TYPE_COUNT];
	/* Exactly once: the slot's state word holds a PENDING someone wrote
	 * that the core has not consumed; the core took the slot's request
	 * and has not completed it. */
	uint8_t fresh[NSLOTS];
	uint8_t open[NSLOTS];
	/* Expected events of the current operation. */
	struct vioreq_events ev;
} m;

/* What the hooks saw during the current core call. */
#define MAX_STORES 512
#define MAX_HOSTILE 4
static struct hook_log {
	bool active;
	bool in_fill;			/* quiet traces of each add */
	uint32_t events;		/* loads + stores so far */
	uint8_t loaded[PAGE_WORDS];
	uint8_t acquired[PAGE_WORDS];
	uint32_t value[PAGE_WORDS];
	uint32_t load_event[PAGE_WORDS];
	uint8_t took_fresh[NSLOTS];	/* fresh[v] when PENDING was loaded */
	uint32_t nstores;
	struct store { uint32_t w, val, event; uint8_t release; } st[MAX_STORES];
	/* Userspace writes that land between two page accesses. */
	uint32_t nhostile;
	struct { uint32_t event, w, val; } hostile[MAX_HOSTILE];
	/* The stores the model expects. */
	uint32_t nexp;
	struct store exp[MAX_STORES];
} hk;

/* -------------------------------------------------- page writes by others */

/* A write by the hypervisor or userspace (not the core). */
static void other_write(uint32_t w, uint32_t val)
{
	if (w % SLOT_WORDS == W_STATE) {
		uint32_t v = w / SLOT_WORDS;

		if (val == VIOREQ_STATE_PENDING && pw[w] != VIOREQ_STATE_PENDING)
			m.fresh[v] = 1;
		else if (val != VIOREQ_STATE_PENDING)
			m.fresh[v] = 0;
	}
	__atomic_store_n(&pw[w], val, __ATOMIC_RELAXED);
	shadow_page[w] = val;
}

static void hostile_due(void)
{
	uint32_t i;

	for (i = 0; i < hk.nhostile; i++)
		if (hk.hostile[i].event == hk.events) {
			TRACE("  hostile: slot %u word %u := %#x\n",
			      hk.hostile[i].w / SLOT_WORDS,
			      hk.hostile[i].w % SLOT_WORDS, hk.hostile[i].val);
			other_write(hk.hostile[i].w, hk.hostile[i].val);
		}
}

/* ----------------------------------------------------- page access hooks */

static uint32_t word_index(const uint32_t *word)
{
	ptrdiff_t i = word - pw;

	CHECK(hk.active, "page access outside a core call", 0);
	CHECK(i >= 0 && i < (ptrdiff_t)PAGE_WORDS,
	      "page access hook used outside the page", 0);
	return (uint32_t)i;
}

static uint32_t hook_load(const uint32_t *word, bool acquire)
{
	uint32_t w = word_index(word);
	uint32_t val;

	hostile_due();
	/*
	 * REQ-SLOT-001: each field read once per decision; no call of the
	 * core needs any page word twice, not even data[7], which is both
	 * the high word of the MMIO value and the PCI bus number.
	 */
	CHECK(hk.loaded[w] == 0, "page word read twice in one core call", w);
	val = __atomic_load_n(&pw[w], __ATOMIC_RELAXED);
	hk.loaded[w]++;
	hk.acquired[w] = acquire;
	hk.value[w] = val;
	hk.load_event[w] = hk.events;
	if (w % SLOT_WORDS == W_STATE && val == VIOREQ_STATE_PENDING)
		hk.took_fresh[w / SLOT_WORDS] = m.fresh[w / SLOT_WORDS];
	hk.events++;
	return val;
}

static void hook_store(uint32_t *word, uint32_t val, bool release)
{
	uint32_t w = word_index(word);

	hostile_due();
	CHECK(hk.nstores < MAX_STORES, "too many page stores", w);
	TRACE("  store slot %u word %u := %#x%s\n", w / SLOT_WORDS,
	      w % SLOT_WORDS, val, release ? " (release)" : "");
	hk.st[hk.nstores++] = (struct store){ w, val, hk.events, release };
	if (w % SLOT_WORDS == W_STATE)
		m.fresh[w / SLOT_WORDS] = 0;
	__atomic_store_n(&pw[w], val, __ATOMIC_RELAXED);
	shadow_page[w] = val;
	hk.events++;
}

uint32_t vioreq_page_load(const uint32_t *word)
{
	return hook_load(word, false);
}

uint32_t vioreq_page_load_acquire(const uint32_t *word)
{
	return hook_load(word, true);
}

void vioreq_page_store(uint32_t *word, uint32_t value)
{
	hook_store(word, value, false);
}

void vioreq_page_store_release(uint32_t *word, uint32_t value)
{
	hook_store(word, value, true);
}

/* Around every core call. */
static void call_begin(void)
{
	memset(hk.loaded, 0, sizeof(hk.loaded));
	memset(hk.took_fresh, 0, sizeof(hk.took_fresh));
	hk.events = 0;
	hk.nstores = 0;
	hk.nexp = 0;
	memset(&m.ev, 0, sizeof(m.ev));
	hk.active = true;
}

static void call_end(void)
{
	hk.active = false;
	hk.nhostile = 0;
}

/* ---------------------------------------------------------------- model */

/* A value the core must have read to decide as it did. */
static uint32_t need(uint32_t w)
{
	CHECK(hk.loaded[w], "the core decided without reading a field it needs",
	      w);
	return hk.value[w];
}

static uint64_t need64(uint32_t w)
{
	return need(w) | (uint64_t)need(w + 1) << 32;
}

/* The high word of the value (data[7], shared with the PCI bus) is not
 * needed: results the core computes from a value use its low word. */

static void expect_store(uint32_t w, uint32_t val, bool release)
{
	CHECK(hk.nexp < MAX_STORES, "model: too many stores", w);
	hk.exp[hk.nexp++] = (struct store){ w, val, 0, release };
}

/* The service module completes slot v (REQ-DISPATCH-005, REQ-COMPLETE-002):
 * from PENDING through PROCESSING (marked kernel_handled first,
 * REQ-DISPATCH-007), the result for a read, the polling flag read, then
 * COMPLETE with release. */
static void model_finish(uint32_t v, bool from_pending, bool with_value,
			 uint64_t value, bool wide)
{
	if (from_pending) {
		expect_store(SW(v, W_KERNEL), 1, false);
		expect_store(SW(v, W_STATE), VIOREQ_STATE_PROCESSING, true);
	}
	if (with_value) {
		expect_store(SW(v, W_REQ(VIOREQ_REQ_VALUE_WORD)),
			     (uint32_t)value, false);
		if (wide)
			expect_store(SW(v, W_REQ(VIOREQ_REQ_VALUE_WORD + 1)),
				     (uint32_t)(value >> 32), false);
	}
	CHECK(hk.loaded[SW(v, W_POLLING)],
	      "slot not completed where the model completes it", v);
	if (need(SW(v, W_POLLING)) == 0)
		m.ev.notify[v] = 1;
	expect_store(SW(v, W_STATE), VIOREQ_STATE_COMPLETE, true);
}

/* A slot the core holds is completed without its client. */
static void model_release_held(uint32_t v)
{
	CHECK(m.owner[v] != NONE, "model: release of a slot not held", v);
	/* Exactly once: the request was taken and not yet completed. */
	CHECK(m.open[v], "double completion: slot completed twice", v);
	m.open[v] = 0;
	model_finish(v, false, true, VIOREQ_READ_ALL_ONES, true);
	m.owner[v] = NONE;
}

static void count(int64_t *c)
{
	if (*c < INT64_MAX)
		(*c)++;
}

static bool model_active(uint64_t c)
{
	return c < NCLIENTS && m.state[c] == (int8_t)VIOREQ_CLIENT_ACTIVE;
}

/* Linear scan, independent of the core's binary search. */
NO_COVERAGE static uint32_t model_lookup(const struct model_table *t, uint64_t addr,
			     uint64_t last)
{
	uint32_t i;

	for (i = 0; i < t->count; i++)
		if (t->start[i] <= addr && last <= t->end[i])
			return i;
	return VIOREQ_RANGE_NONE;
}

static bool legal_size(uint32_t type, uint64_t size)
{
	return size == 1 || size == 2 || size == 4 ||
	       (size == 8 && type == VIOREQ_TYPE_MMIO);
}

static uint64_t address_max(uint32_t type)
{
	return type == VIOREQ_TYPE_PORTIO ? 0xFFFFull :
	       type == VIOREQ_TYPE_MMIO ? UINT64_MAX : 0xFFFFFFFull;
}

/* REQ-DISPATCH-001..006 for one slot, on the values the core loaded. */
static uint32_t model_dispatch_slot(uint32_t v)
{
	uint32_t type, dir, bus, dev, func, reg, st, client, rtype;
	uint64_t addr, size, value, key, last;
	bool is_read, valid;

	if (m.owner[v] != NONE)
		return VIOREQ_OUTCOME_IDLE;
	st = need(SW(v, W_STATE));
	CHECK(hk.acquired[SW(v, W_STATE)],
	      "state read without acquire order", v);
	if (st != VIOREQ_STATE_PENDING) {
		if (st > VIOREQ_STATE_FREE)
			count(&m.cnt.bad_state);
		return VIOREQ_OUTCOME_IDLE;
	}
	/* The core takes this request: someone must have posted it. */
	CHECK(hk.took_fresh[v],
	      "PENDING taken twice: no PENDING written since the last take", v);
	type = need(SW(v, W_TYPE));
	dir = need(SW(v, W_REQ(VIOREQ_REQ_DIRECTION_WORD)));
	addr = need64(SW(v, W_REQ(VIOREQ_REQ_ADDRESS_WORD)));
	size = need64(SW(v, W_REQ(VIOREQ_REQ_SIZE_WORD)));
	value = need(SW(v, W_REQ(VIOREQ_REQ_VALUE_WORD)));
	bus = need(SW(v, W_REQ(VIOREQ_REQ_PCI_BUS_WORD)));
	dev = need(SW(v, W_REQ(VIOREQ_REQ_PCI_DEV_WORD)));
	func = need(SW(v, W_REQ(VIOREQ_REQ_PCI_FUNC_WORD)));
	reg = need(SW(v, W_REQ(VIOREQ_REQ_PCI_REG_WORD)));
	is_read = dir != VIOREQ_DIR_WRITE;

	if (m.clearing) {
		count(&m.cnt.cleared);
		model_finish(v, true, is_read, VIOREQ_READ_ALL_ONES,
			     type == VIOREQ_TYPE_MMIO);
		return VIOREQ_OUTCOME_COMPLETED;
	}
	/* REQ-SLOT-002 */
	valid = type < VIOREQ_TYPE_COUNT && dir <= VIOREQ_DIR_WRITE &&
		legal_size(type, size);
	key = 0;
	if (valid && type == VIOREQ_TYPE_PCICFG) {
		valid = bus <= 255 && dev <= 31 && func <= 7 &&
			(uint64_t)reg + size <= 4096;
		key = (uint64_t)bus << 20 | dev << 15 | func << 12 | reg;
	} else if (valid) {
		/* [addr, addr + size - 1] neither wraps nor leaves the space */
		valid = addr + (size - 1) >= addr &&
			addr + (size - 1) <= address_max(type);
		key = addr;
	}
	if (!valid) {
		count(&m.cnt.malformed);
		model_finish(v, true, is_read, VIOREQ_READ_ALL_ONES,
			     type == VIOREQ_TYPE_MMIO);
		return VIOREQ_OUTCOME_COMPLETED;
	}
	last = key + size - 1;
	rtype = type;
	/* REQ-DISPATCH-004 */
	if (type == VIOREQ_TYPE_PORTIO && key == 0xCF8 && size == 4) {
		count(&m.cnt.conf1_address);
		if (!is_read)
			m.conf1 = (uint32_t)value;
		model_finish(v, true, is_read, m.conf1, false);
		return VIOREQ_OUTCOME_COMPLETED;
	}
	if (type == VIOREQ_TYPE_PORTIO && key >= 0xCFC && last <= 0xCFF &&
	    (m.conf1 & 0x80000000u)) {
		bus = m.conf1 >> 16 & 0xFF;
		dev = m.conf1 >> 11 & 0x1F;
		func = m.conf1 >> 8 & 0x7;
		reg = (m.conf1 & 0xFC) + (uint32_t)(key - 0xCFC);
		expect_store(SW(v, W_REQ(VIOREQ_REQ_PCI_BUS_WORD)), bus, false);
		expect_store(SW(v, W_REQ(VIOREQ_REQ_PCI_DEV_WORD)), dev, false);
		expect_store(SW(v, W_REQ(VIOREQ_REQ_PCI_FUNC_WORD)), func,
			     false);
		expect_store(SW(v, W_REQ(VIOREQ_REQ_PCI_REG_WORD)), reg, false);
		expect_store(SW(v, W_TYPE), VIOREQ_TYPE_PCICFG, false);
		rtype = VIOREQ_TYPE_PCICFG;
		key = (uint64_t)bus << 20 | dev << 15 | func << 12 | reg;
		last = key + size - 1;
	}
	/* REQ-RANGE-003 */
	client = model_lookup(&m.rt[rtype], key, last);
	client = client == VIOREQ_RANGE_NONE ?
		 (uint32_t)m.default_client : m.rt[rtype].client[client];
	if (!model_active(client)) {
		count(&m.cnt.unroutable);
		model_finish(v, true, is_read, VIOREQ_READ_ALL_ONES,
			     rtype == VIOREQ_TYPE_MMIO);
		return VIOREQ_OUTCOME_COMPLETED;
	}
	m.owner[v] = (int)client;
	m.open[v] = 1;
	expect_store(SW(v, W_KERNEL), m.in_kernel[client] ? 1u : 0u, false);
	expect_store(SW(v, W_STATE), VIOREQ_STATE_PROCESSING, true);
	count(&m.cnt.dispatched[rtype]);
	m.ev.wake[client] = 1;
	return VIOREQ_OUTCOME_ASSIGNED;
}

/* REQ-COMPLETE-001/002 */
static int32_t model_complete(uint32_t vcpu, uint32_t client, bool *notify)
{
	uint32_t st;

	if (vcpu >= NSLOTS || client >= NCLIENTS)
		return -VIOREQ_EINVAL;
	if (m.owner[vcpu] == NONE)
		return -VIOREQ_EINVAL;
	if (m.owner[vcpu] != (int)client)
		return -VIOREQ_EPERM;
	st = need(SW(vcpu, W_STATE));
	if (st != VIOREQ_STATE_PROCESSING) {
		if (st > VIOREQ_STATE_FREE)
			count(&m.cnt.bad_state);
		return -VIOREQ_EINVAL;
	}
	CHECK(m.open[vcpu], "double completion: slot completed twice", vcpu);
	m.open[vcpu] = 0;
	m.owner[vcpu] = NONE;
	*notify = need(SW(vcpu, W_POLLING)) == 0;
	expect_store(SW(vcpu, W_STATE), VIOREQ_STATE_COMPLETE, true);
	count(&m.cnt.completed);
	return 0;
}

static int32_t model_add(uint32_t client, uint32_t type, uint64_t start,
			 uint64_t end)
{
	struct model_table *t;
	uint32_t i, pos;

	if (type >= VIOREQ_TYPE_COUNT || client >= NCLIENTS)
		return -VIOREQ_EINVAL;
	if (!model_active(client))
		return -VIOREQ_ENODEV;
	if (end < start)
		return -VIOREQ_EINVAL;
	t = &m.rt[type];
	/* REQ-RANGE-002: any shared address, whoever owns it. The table is
	 * sorted, so when start is past the last end there is no overlap
	 * (the fast path keeps bulk fills cheap). */
	if (!(t->count > 0 && start > t->end[t->count - 1]))
		for (i = 0; i < t->count; i++)
			if (t->start[i] <= end && start <= t->end[i])
				return -VIOREQ_EBUSY;
	if (t->count == NRANGES)
		return -VIOREQ_ENOSPC;
	for (pos = t->count; pos > 0 && t->start[pos - 1] > start; pos--) {
		t->start[pos] = t->start[pos - 1];
		t->end[pos] = t->end[pos - 1];
		t->client[pos] = t->client[pos - 1];
	}
	t->start[pos] = start;
	t->end[pos] = end;
	t->client[pos] = (uint8_t)client;
	t->count++;
	return 0;
}

NO_COVERAGE static void model_remove_at(struct model_table *t, uint32_t pos)
{
	for (; pos + 1 < t->count; pos++) {
		t->start[pos] = t->start[pos + 1];
		t->end[pos] = t->end[pos + 1];
		t->client[pos] = t->client[pos + 1];
	}
	t->count--;
}

static int32_t model_remove(uint32_t client, uint32_t type, uint64_t start,
			    uint64_t end)
{
	struct model_table *t;
	uint32_t i;

	if (type >= VIOREQ_TYPE_COUNT)
		return -VIOREQ_EINVAL;
	t = &m.rt[type];
	for (i = 0; i < t->count; i++)
		if (t->start[i] == start && t->end[i] == end &&
		    t->client[i] == client) {
			model_remove_at(t, i);
			return 0;
		}
	return -VIOREQ_ENOENT;
}

/* REQ-CLIENT-004 */
static int32_t model_destroy(uint32_t client)
{
	uint32_t ty, i, v;

	if (!model_active(client))
		return -VIOREQ_ENOENT;
	for (ty = 0; ty < VIOREQ_TYPE_COUNT; ty++)
		for (i = m.rt[ty].count; i-- > 0;)
			if (m.rt[ty].client[i] == client)
				model_remove_at(&m.rt[ty], i);
	if (m.default_client == (int)client)
		m.default_client = NONE;
	for (v = 0; v < NSLOTS; v++)
		if (m.owner[v] == (int)client) {
			model_release_held(v);
			count(&m.cnt.orphaned);
		}
	m.state[client] = (int8_t)VIOREQ_CLIENT_DESTROYING;
	return 0;
}

/* REQ-CLEAR-001 */
static uint32_t model_clear_begin(void)
{
	uint32_t v, held = 0;

	m.clearing = 1;
	for (v = 0; v < NSLOTS; v++) {
		if (m.owner[v] == NONE)
			continue;
		if (m.owner[v] != m.default_client) {
			held++;
			continue;
		}
		model_release_held(v);
		count(&m.cnt.cleared);
	}
	return held;
}

/* -------------------------------------------------------------- checks */

NO_COVERAGE static void check_table(const struct vioreq_range_table *t,
			const struct model_table *mt, uint32_t ty)
{
	uint32_t i;

	CHECK(t->count == mt->count, "range table count differs from model",
	      ty);
	for (i = 0; i < mt->count; i++)
		CHECK(t->start[i] == mt->start[i] && t->end[i] == mt->end[i] &&
		      t->client[i] == mt->client[i],
		      "range table entry differs from model", ty);
}

static bool store_eq(const struct store *a, const struct store *b)
{
	return a->w == b->w && a->val == b->val && a->release == b->release;
}

/* The stores made equal the stores expected (as multisets), and the
 * orders REQ-COMPLETE-002 asks for hold. */
NO_COVERAGE static void check_stores(void)
{
	uint8_t used[MAX_STORES] = { 0 };
	uint32_t i, j;

	CHECK(hk.nstores == hk.nexp, "number of page stores differs from model",
	      hk.nstores);
	for (i = 0; i < hk.nstores; i++) {
		for (j = 0; j < hk.nexp; j++)
			if (!used[j] && store_eq(&hk.st[i], &hk.exp[j]))
				break;
		CHECK(j < hk.nexp, "unexpected page store (word index)",
		      hk.st[i].w);
		used[j] = 1;
	}
	for (i = 0; i < hk.nstores; i++) {
		const struct store *c = &hk.st[i];
		uint32_t v = c->w / SLOT_WORDS;

		if (c->w % SLOT_WORDS == W_STATE &&
		    c->val == VIOREQ_STATE_PROCESSING) {
			/* REQ-DISPATCH-007: kernel_handled before PROCESSING */
			for (j = 0; j < hk.nstores; j++)
				if (hk.st[j].w == SW(v, W_KERNEL))
					CHECK(hk.st[j].event < c->event,
					      "kernel_handled stored after "
					      "PROCESSING", v);
		}
		if (c->w % SLOT_WORDS != W_STATE ||
		    c->val != VIOREQ_STATE_COMPLETE)
			continue;
		/* polling read before COMPLETE, results stored before it */
		CHECK(hk.loaded[SW(v, W_POLLING)] &&
		      hk.load_event[SW(v, W_POLLING)] < c->event,
		      "COMPLETE stored before reading completion_polling", v);
		for (j = 0; j < hk.nstores; j++)
			if (hk.st[j].w / SLOT_WORDS == v && j != i)
				CHECK(hk.st[j].event < c->event,
				      "slot written after its COMPLETE", v);
	}
}

NO_COVERAGE static void check_all(void)
{
	const char *bad = vioreq_check_vm(vm);
	uint32_t c, v, ty;

	if (bad)
		fail(bad, 0);
	for (c = 0; c < NCLIENTS; c++) {
		CHECK(vm->client_state[c] == m.state[c],
		      "client state differs from model", c);
		CHECK(vm->client_in_kernel[c] == m.in_kernel[c],
		      "client in_kernel differs from model", c);
	}
	CHECK(vm->default_client == m.default_client,
	      "default client differs from model", vm->default_client);
	for (v = 0; v < NSLOTS; v++) {
		CHECK(vm->slot_owner[v] == m.owner[v],
		      "slot holder differs from model", v);
		/* the per-client view of the same record */
		c = m.owner[v] == NONE ? 0 : (uint32_t)m.owner[v];
		CHECK(vioreq_client_holds(vm, c, v) == (m.owner[v] != NONE) &&
		      !vioreq_client_holds(vm, (c + 1) % NCLIENTS, v) &&
		      !vioreq_client_holds(vm, c + NCLIENTS, v) &&
		      !vioreq_client_holds(vm, c, v + NSLOTS),
		      "vioreq_client_holds differs from model", v);
		CHECK((m.owner[v] != NONE) == (m.open[v] != 0),
		      "held slot without an open request", v);
	}
	CHECK(vm->clearing == m.clearing, "clearing differs from model", 0);
	CHECK(vm->conf1_address == m.conf1, "CF8 register differs from model",
	      0);
	CHECK(memcmp(&vm->counters, &m.cnt, sizeof(m.cnt)) == 0,
	      "counters differ from model", 0);
	for (ty = 0; ty < VIOREQ_TYPE_COUNT; ty++)
		check_table(&vm->ranges[ty], &m.rt[ty], ty);
	CHECK(memcmp(pw, shadow_page, sizeof(shadow_page)) == 0,
	      "page written without the page access hooks", 0);
}

/* After a call that produced events in ev. */
static void check_call(const struct vioreq_events *ev)
{
	check_stores();
	if (ev) {
		uint32_t i;

		for (i = 0; i < NCLIENTS; i++)
			CHECK(ev->wake[i] == m.ev.wake[i],
			      "wake event differs from model", i);
		for (i = 0; i < NSLOTS; i++)
			CHECK(ev->notify[i] == m.ev.notify[i],
			      "notify event differs from model", i);
	}
	check_all();
}

/* --------------------------------------------------------------- input */

static const uint64_t dict64[] = {
	0, 1, 2, 3, 4, 7, 8, 0x60, 0x64, 0x3F8, 0x3FC, 0x3FF, 0xCF8, 0xCF9,
	0xCFC, 0xCFD, 0xCFE, 0xCFF, 0xD00, 0xFFFC, 0xFFFE, 0xFFFF, 0x10000,
	0x8000, 0xFFFFFFC, 0xFFFFFFF, 0x10000000, 0x80000000, 0x8000F804, 0x8000F807,
	0x80FFFFFC, 0xFEE00000, 0xFFFFFFFF, 0x100000000ull,
	0x8000000000000000ull, UINT64_MAX - 7, UINT64_MAX - 3, UINT64_MAX - 1,
	UINT64_MAX,
};
#define NDICT64 (sizeof(dict64) / sizeof(dict64[0]))

/* An interesting 64-bit value: a dictionary entry, a small number, a raw
 * 16-bit or a raw 64-bit value. */
static uint64_t val64(struct reader *r)
{
	uint8_t sel = u8(r);

	switch (sel >> 6) {
	case 0:
		return dict64[(sel & 63u) % NDICT64];
	case 1:
		return sel & 63u;
	case 2:
		return u16(r);
	default:
		return u64(r);
	}
}

static uint32_t val32(struct reader *r)
{
	uint8_t sel = u8(r);

	switch (sel >> 6) {
	case 0:
		return (uint32_t)dict64[(sel & 63u) % NDICT64];
	case 1:
		return sel & 63u;	/* states 0..3 and 4..63 */
	case 2:
		return UINT32_MAX - (sel & 63u);
	default:
		return u32(r);
	}
}

/* A client id: mostly one of the first few, sometimes any. */
static uint32_t client_arg(struct reader *r)
{
	uint8_t sel = u8(r);

	if (sel < 192)
		return sel % 8u;
	if (sel < 240)
		return sel % NCLIENTS;
	if (sel < 250)
		return NCLIENTS + (sel - 240u);	/* just out of range */
	return u32(r);
}

/* ---------------------------------------------------------- operations */

enum op {
	OP_HV_POST,		/* hypervisor: request in slot v, PENDING */
	OP_HV_REAP,		/* hypervisor: COMPLETE -> FREE */
	OP_SCRIBBLE,		/* userspace: any word := any value */
	OP_SCRIBBLE_STATE,	/* userspace: slot v's state := any value */
	OP_HOSTILE,		/* userspace: a write during the next call */
	OP_DISPATCH,
	OP_DISPATCH_SLOT,
	OP_COMPLETE,		/* arbitrary vCPU and client */
	OP_COMPLETE_HOLDER,	/* slot v by its holder */
	OP_CLEAR_BEGIN,
	OP_CLEAR_END,
	OP_CREATE,
	OP_DESTROY,
	OP_RELEASE,
	OP_ADD_RANGE,
	OP_REMOVE_RANGE,
	OP_REMOVE_EXISTING,	/* an entry of the table, exactly */
	OP_LOOKUP,
	OP_RELEASE_HELD,
	OP_FILL,		/* many adds, up to a full table */
	OP_COUNT
};

static void do_dispatch_slot(uint32_t v)
{
	struct vioreq_events ev;
	uint32_t got, want;

	memset(&ev, 0, sizeof(ev));
	call_begin();
	got = vioreq_dispatch_slot(vm, page, v, &ev);
	call_end();
	if (m.owner[v] != NONE)
		CHECK(got == VIOREQ_OUTCOME_IDLE,
		      "held slot dispatched again", v);
	want = model_dispatch_slot(v);
	TRACE("  dispatch_slot(%u) = %u, holder %d\n", v, got,
	      vm->slot_owner[v]);
	CHECK(got == want, "dispatch_slot outcome differs from model", v);
	check_call(&ev);
}

static void do_dispatch(void)
{
	struct vioreq_events ev;
	uint32_t got, want = 0, v;
	int held[NSLOTS];

	for (v = 0; v < NSLOTS; v++)
		held[v] = m.owner[v];
	memset(&ev, 0, sizeof(ev));
	call_begin();
	got = vioreq_dispatch(vm, page, &ev);
	call_end();
	for (v = 0; v < NSLOTS; v++) {
		if (held[v] != NONE)
			CHECK(vm->slot_owner[v] == held[v],
			      "held slot dispatched again", v);
		if (model_dispatch_slot(v) == VIOREQ_OUTCOME_ASSIGNED)
			want++;
	}
	TRACE("  dispatch = %u assigned\n", got);
	CHECK(got == want, "dispatch count differs from model", got);
	check_call(&ev);
}

static void do_complete(uint32_t vcpu, uint32_t client)
{
	bool notify = false, want_notify = false;
	int32_t got, want;

	call_begin();
	got = vioreq_complete(vm, page, vcpu, client, &notify);
	call_end();
	want = model_complete(vcpu, client, &want_notify);
	TRACE("  complete(%u, %u) = %d\n", vcpu, client, got);
	CHECK(got == want, "complete result differs from model", vcpu);
	if (got == 0)
		CHECK(notify == want_notify,
		      "complete notify differs from polling flag", vcpu);
	check_call(NULL);
}

static void do_destroy(uint32_t client)
{
	struct vioreq_events ev;
	int32_t got, want;

	memset(&ev, 0, sizeof(ev));
	call_begin();
	got = vioreq_client_destroy(vm, page, client, &ev);
	call_end();
	want = model_destroy(client);
	TRACE("  destroy(%u) = %d\n", client, got);
	CHECK(got == want, "destroy result differs from model", client);
	check_call(&ev);
}

static void do_add(uint32_t client, uint32_t type, uint64_t start,
		   uint64_t end)
{
	int32_t got, want;

	call_begin();
	got = vioreq_client_add_range(vm, client, type, start, end);
	call_end();
	want = model_add(client, type, start, end);
	if (!hk.in_fill)
		TRACE("  add_range(%u, %u, %#llx, %#llx) = %d\n", client, type,
		      (unsigned long long)start, (unsigned long long)end, got);
	CHECK(got == want, "add_range result differs from model", client);
}

static void do_remove(uint32_t client, uint32_t type, uint64_t start,
		      uint64_t end)
{
	int32_t got, want;

	call_begin();
	got = vioreq_client_remove_range(vm, client, type, start, end);
	call_end();
	want = model_remove(client, type, start, end);
	TRACE("  remove_range(%u, %u, %#llx, %#llx) = %d\n", client, type,
	      (unsigned long long)start, (unsigned long long)end, got);
	CHECK(got == want, "remove_range result differs from model", client);
	check_call(NULL);
}

/* The hypervisor posts a request; on a slot it does not own (PENDING,
 * PROCESSING, garbage) the same writes are userspace scribbling. */
static void hv_post(struct reader *r)
{
	uint32_t v = u8(r) % NSLOTS;
	uint8_t sel = u8(r);
	uint32_t type = sel < 250 ? sel % 3u : val32(r);
	uint32_t dir = (sel = u8(r)) < 250 ? sel % 2u : val32(r);
	uint64_t addr = val64(r);
	static const uint64_t sizes[] = { 1, 2, 4, 8, 4, 1, 0, 3 };
	uint64_t size = (sel = u8(r)) < 248 ? sizes[sel % 8] : val64(r);
	uint64_t value = val64(r);
	uint8_t flags = u8(r);
	uint32_t base = SW(v, 0), i;

	for (i = 0; i < SLOT_WORDS; i++)
		if (i != W_STATE)
			other_write(base + i, 0);
	other_write(base + W_TYPE, type);
	other_write(base + W_POLLING, flags & 1u);
	other_write(base + W_REQ(VIOREQ_REQ_DIRECTION_WORD), dir);
	other_write(base + W_REQ(VIOREQ_REQ_ADDRESS_WORD), (uint32_t)addr);
	other_write(base + W_REQ(VIOREQ_REQ_ADDRESS_WORD) + 1,
		    (uint32_t)(addr >> 32));
	other_write(base + W_REQ(VIOREQ_REQ_SIZE_WORD), (uint32_t)size);
	other_write(base + W_REQ(VIOREQ_REQ_SIZE_WORD) + 1,
		    (uint32_t)(size >> 32));
	if (type == VIOREQ_TYPE_PCICFG) {
		other_write(base + W_REQ(VIOREQ_REQ_VALUE32_WORD),
			    (uint32_t)value);
		other_write(base + W_REQ(VIOREQ_REQ_PCI_BUS_WORD),
			    flags & 2u ? u8(r) : 0);
		other_write(base + W_REQ(VIOREQ_REQ_PCI_DEV_WORD), u8(r) % 40u);
		other_write(base + W_REQ(VIOREQ_REQ_PCI_FUNC_WORD), u8(r) % 10u);
		other_write(base + W_REQ(VIOREQ_REQ_PCI_REG_WORD),
			    u16(r) % 4200u);
	} else {
		other_write(base + W_REQ(VIOREQ_REQ_VALUE_WORD),
			    (uint32_t)value);
		other_write(base + W_REQ(VIOREQ_REQ_VALUE_WORD) + 1,
			    (uint32_t)(value >> 32));
	}
	/* The release store that publishes the request. */
	other_write(base + W_STATE, VIOREQ_STATE_PENDING);
	TRACE("  slot %u: type %u dir %u addr %#llx size %llu value %#llx "
	      "polling %u\n", v, type, dir, (unsigned long long)addr,
	      (unsigned long long)size, (unsigned long long)value, flags & 1u);
}

static const char *const op_names[OP_COUNT] = {
	"hv_post", "hv_reap", "scribble", "scribble_state", "hostile",
	"dispatch", "dispatch_slot", "complete", "complete_holder",
	"clear_begin", "clear_end", "create", "destroy", "release",
	"add_range", "remove_range", "remove_existing", "lookup",
	"release_held", "fill",
};

static void run_op(struct reader *r)
{
	uint32_t v, c, ty, i, n;
	uint64_t a, b;
	int32_t got;
	uint8_t op = u8(r) % OP_COUNT;

	TRACE("op %s\n", op_names[op]);
	switch (op) {
	case OP_HV_POST:
		hv_post(r);
		break;
	case OP_HV_REAP:
		v = u8(r) % NSLOTS;
		if (pw[SW(v, W_STATE)] == VIOREQ_STATE_COMPLETE)
			other_write(SW(v, W_STATE), VIOREQ_STATE_FREE);
		break;
	case OP_SCRIBBLE:
		i = u16(r) % PAGE_WORDS;
		other_write(i, val32(r));
		break;
	case OP_SCRIBBLE_STATE:
		v = u8(r) % NSLOTS;
		other_write(SW(v, W_STATE), val32(r));
		break;
	case OP_HOSTILE:
		if (hk.nhostile < MAX_HOSTILE) {
			hk.hostile[hk.nhostile].event = u8(r) % 48u;
			v = u8(r) % NSLOTS;
			i = u8(r);
			/* mostly the state word, else any word of the slot */
			i = i < 128 ? W_STATE : i % SLOT_WORDS;
			hk.hostile[hk.nhostile].w = SW(v, i);
			hk.hostile[hk.nhostile].val = val32(r);
			hk.nhostile++;
		}
		break;
	case OP_DISPATCH:
		do_dispatch();
		break;
	case OP_DISPATCH_SLOT:
		do_dispatch_slot(u8(r) % NSLOTS);
		break;
	case OP_COMPLETE:
		v = u8(r);
		v = v < 240 ? v % NSLOTS : (v < 250 ? NSLOTS : u32(r));
		do_complete(v, client_arg(r));
		break;
	case OP_COMPLETE_HOLDER:
		v = u8(r) % NSLOTS;
		do_complete(v, m.owner[v] == NONE ? 0u : (uint32_t)m.owner[v]);
		break;
	case OP_CLEAR_BEGIN: {
		struct vioreq_events ev;

		memset(&ev, 0, sizeof(ev));
		call_begin();
		n = vioreq_clear_begin(vm, page, &ev);
		call_end();
		TRACE("  clear_begin = %u held by others\n", n);
		CHECK(n == model_clear_begin(),
		      "clear_begin count differs from model", n);
		check_call(&ev);
		break;
	}
	case OP_CLEAR_END:
		call_begin();
		vioreq_clear_end(vm);
		call_end();
		m.clearing = 0;
		check_call(NULL);
		break;
	case OP_CREATE: {
		uint8_t f = u8(r);
		bool is_default = f & 1u, in_kernel = f & 2u;

		call_begin();
		got = vioreq_client_create(vm, is_default, in_kernel);
		call_end();
		TRACE("  create(%d, %d) = %d\n", is_default, in_kernel, got);
		if (is_default && m.default_client != NONE) {
			CHECK(got == -VIOREQ_EEXIST, "create: second default",
			      0);
		} else if (got == -VIOREQ_ENOSPC) {
			for (c = 0; c < NCLIENTS; c++)
				CHECK(m.state[c] != VIOREQ_CLIENT_FREE,
				      "create: ENOSPC with a free id", c);
		} else {
			CHECK(got >= 0 && got < (int32_t)NCLIENTS &&
			      m.state[got] == VIOREQ_CLIENT_FREE,
			      "create: id not free or not valid", got);
			m.state[got] = VIOREQ_CLIENT_ACTIVE;
			m.in_kernel[got] = in_kernel;
			if (is_default)
				m.default_client = got;
		}
		check_call(NULL);
		break;
	}
	case OP_DESTROY:
		do_destroy(client_arg(r));
		break;
	case OP_RELEASE:
		c = client_arg(r);
		call_begin();
		got = vioreq_client_release(vm, c);
		call_end();
		if (c < NCLIENTS && m.state[c] == VIOREQ_CLIENT_DESTROYING) {
			CHECK(got == 0, "release of a destroying client", c);
			m.state[c] = VIOREQ_CLIENT_FREE;
		} else {
			CHECK(got == -VIOREQ_ENOENT, "release: not ENOENT", c);
		}
		check_call(NULL);
		break;
	case OP_ADD_RANGE:
		c = client_arg(r);
		ty = u8(r);
		ty = ty < 250 ? ty % 3u : val32(r);
		a = val64(r);
		i = u8(r);
		/* end: a short range from start (wrapping is the core's to
		 * refuse), or anything */
		b = i < 200 ? a + (i % 16u) : val64(r);
		do_add(c, ty, a, b);
		check_call(NULL);
		break;
	case OP_REMOVE_RANGE:
		c = client_arg(r);
		ty = u8(r);
		ty = ty < 250 ? ty % 3u : val32(r);
		a = val64(r);
		b = val64(r);
		do_remove(c, ty, a, b);
		break;
	case OP_REMOVE_EXISTING:
		ty = u8(r) % 3u;
		i = u16(r);
		if (m.rt[ty].count == 0)
			break;
		i %= m.rt[ty].count;
		do_remove(m.rt[ty].client[i], ty, m.rt[ty].start[i],
			  m.rt[ty].end[i]);
		break;
	case OP_LOOKUP:
		ty = u8(r) % 3u;
		a = val64(r);
		i = u8(r) % 16u;
		b = a + i < a ? a : a + i;
		call_begin();
		n = vioreq_range_table_lookup(&vm->ranges[ty], a, b);
		call_end();
		TRACE("  lookup(%u, %#llx, %#llx) = %d\n", ty,
		      (unsigned long long)a, (unsigned long long)b, (int)n);
		CHECK(n == model_lookup(&m.rt[ty], a, b),
		      "range lookup differs from linear scan", ty);
		check_call(NULL);
		break;
	case OP_RELEASE_HELD: {
		struct vioreq_events ev;

		v = u8(r) % NSLOTS;
		if (m.owner[v] == NONE)
			break;	/* precondition: held */
		memset(&ev, 0, sizeof(ev));
		call_begin();
		vioreq_slot_release_held(vm, page, v, &ev);
		call_end();
		model_release_held(v);
		check_call(&ev);
		break;
	}
	case OP_FILL:
		c = client_arg(r);
		ty = u8(r) % 3u;
		a = val64(r);
		/* Mostly a few dozen; byte 255: past capacity (ENOSPC).
		 * Destroying a client with a full table is quadratic in the
		 * core (remove_client: ~50 ms uninstrumented, far more here),
		 * so full tables are kept rare. */
		n = u8(r);
		n = n == 255 ? NRANGES + 7u : n % 64u;
		hk.in_fill = true;
		for (i = 0; i < n; i++)
			do_add(c, ty, a + 2ull * i, a + 2ull * i);
		hk.in_fill = false;
		TRACE("  fill(%u, %u, %#llx, %u): table holds %u\n", c, ty,
		      (unsigned long long)a, n, m.rt[ty].count);
		check_call(NULL);
		break;
	}
}

/* ------------------------------------------------------------ the run */

static void reset(struct reader *r)
{
	uint32_t mode = u8(r) % 4u, i, n;

	vioreq_vm_init(vm);
	memset(&m, 0, sizeof(m));
	memset(m.state, VIOREQ_CLIENT_FREE, sizeof(m.state));
	m.default_client = NONE;
	for (i = 0; i < NSLOTS; i++)
		m.owner[i] = NONE;
	hk.nhostile = 0;
	/* The initial page: all FREE, all zero (all PENDING PIO of size 0),
	 * FREE with a few words patched, or 4 KiB of the input as is. */
	memset(pw, 0, VIOREQ_PAGE_SIZE);
	if (mode == 0 || mode == 2)
		for (i = 0; i < NSLOTS; i++)
			pw[SW(i, W_STATE)] = VIOREQ_STATE_FREE;
	if (mode == 2) {
		n = u8(r) % 32u;
		for (i = 0; i < n; i++) {
			uint32_t w = u16(r) % PAGE_WORDS;

			pw[w] = val32(r);
		}
	}
	if (mode == 3) {
		for (i = 0; i < PAGE_WORDS; i++)
			pw[i] = u32(r);
	}
	memcpy(shadow_page, pw, sizeof(shadow_page));
	for (i = 0; i < NSLOTS; i++)
		m.fresh[i] = pw[SW(i, W_STATE)] == VIOREQ_STATE_PENDING;
	check_all();
}

/* At the end: nothing may be held once every client is gone, and a last
 * dispatch must leave no PENDING slot behind (never dropped). */
static void epilogue(void)
{
	uint32_t c, v;

	hk.nhostile = 0;	/* userspace is quiet from here on */
	if (m.clearing) {
		call_begin();
		vioreq_clear_end(vm);
		call_end();
		m.clearing = 0;
		check_call(NULL);
	}
	for (c = 0; c < NCLIENTS; c++)
		if (m.state[c] == VIOREQ_CLIENT_ACTIVE)
			do_destroy(c);
	for (v = 0; v < NSLOTS; v++)
		CHECK(vm->slot_owner[v] == NONE && !m.open[v],
		      "slot still held after every client was destroyed", v);
	do_dispatch();
	for (v = 0; v < NSLOTS; v++)
		CHECK(pw[SW(v, W_STATE)] != VIOREQ_STATE_PENDING,
		      "PENDING slot left behind by dispatch", v);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned total, caught;

	(void)argc;
	(void)argv;
	vm = calloc(1, sizeof(*vm));
	page = aligned_alloc(VIOREQ_PAGE_SIZE, sizeof(*page));
	if (!vm || !page)
		abort();
	pw = (uint32_t *)page;
	tracing = getenv("VIOREQ_FUZZ_TRACE") != NULL;
	/* The checker must be able to fail: every run starts by showing it
	 * corrupted VMs (vm_invariants.c). */
	caught = vioreq_check_selftest(&total);
	fprintf(stderr, "fuzz_core_page: checker self-test: %u/%u "
		"corruptions reported\n", caught, total);
	if (getenv("VIOREQ_FUZZ_SELFTEST_ONLY")) {
		printf("checker self-test: %u passed, %u failed\n", caught,
		       total - caught);
		exit(caught == total ? 0 : 1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };

	reset(&r);
	while (r.n > 0)
		run_op(&r);
	epilogue();
	return 0;
}
