/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of one slot of the shared page (core/include/vioreq/slot.h,
 * REQ-SLOT-*, REQ-STATE-*, REQ-COMPLETE-002): snapshot, validation and
 * decoding, checked transitions, completion.
 *
 * Requests are built the way the hypervisor writes them, as a
 * struct acrn_io_request of <linux/acrn.h> copied byte for byte into a
 * slot of a page-aligned struct vioreq_page; the core reads them through
 * the hosted page hooks (userspace/page_access_hosted.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include <linux/ioctl.h> /* <linux/acrn.h> uses _IO* without including it */
#include <linux/acrn.h>

#include "vioreq/slot.h"

_Static_assert(sizeof(struct acrn_io_request) == sizeof(struct vioreq_slot),
	       "a slot holds exactly one struct acrn_io_request");

#define MAX64 UINT64_MAX

static _Alignas(4096) struct vioreq_page page;

/* The largest address of each type, from the spec text (REQ-DISPATCH-002). */
static uint64_t address_max(uint32_t type)
{
	switch (type) {
	case 0: return 0xFFFFull;		/* PORTIO: 16-bit ports */
	case 1: return 0xFFFFFFFFFFFFFFFFull;	/* MMIO */
	case 2: return 0xFFFFFFFull;		/* PCICFG: 256 buses of ECAM */
	default: fail_msg("no address space for type %" PRIu32, type);
	}
	return 0;
}

static int reset_page(void **state)
{
	memset(&page, 0, sizeof(page));
	return 0;
}

/* ------------------------------------------------------- request builders */

static struct acrn_io_request mmio(uint32_t dir, uint64_t addr, uint64_t size,
				   uint64_t value)
{
	struct acrn_io_request r;

	memset(&r, 0, sizeof(r));
	r.type = ACRN_IOREQ_TYPE_MMIO;
	r.reqs.mmio_request.direction = dir;
	r.reqs.mmio_request.address = addr;
	r.reqs.mmio_request.size = size;
	r.reqs.mmio_request.value = value;
	return r;
}

static struct acrn_io_request pio(uint32_t dir, uint64_t addr, uint64_t size,
				  uint32_t value)
{
	struct acrn_io_request r;

	memset(&r, 0, sizeof(r));
	r.type = ACRN_IOREQ_TYPE_PORTIO;
	r.reqs.pio_request.direction = dir;
	r.reqs.pio_request.address = addr;
	r.reqs.pio_request.size = size;
	r.reqs.pio_request.value = value;
	return r;
}

static struct acrn_io_request pci(uint32_t dir, uint64_t size, uint32_t bus,
				  uint32_t dev, uint32_t func, uint32_t reg,
				  uint32_t value)
{
	struct acrn_io_request r;

	memset(&r, 0, sizeof(r));
	r.type = ACRN_IOREQ_TYPE_PCICFG;
	r.reqs.pci_request.direction = dir;
	r.reqs.pci_request.size = size;
	r.reqs.pci_request.value = value;
	r.reqs.pci_request.bus = bus;
	r.reqs.pci_request.dev = dev;
	r.reqs.pci_request.func = func;
	r.reqs.pci_request.reg = reg;
	return r;
}

static void put(struct vioreq_slot *slot, const struct acrn_io_request *r)
{
	memcpy(slot, r, sizeof(*slot));
}

/* ----------------------------------------------------------- decoding */

static unsigned next_slot;

/*
 * Copy r into a slot (a different one each time), snapshot, decode. On
 * failure the result must be -EINVAL and *req untouched (assigns
 * \nothing); on success the whole "well_formed" behavior is checked.
 */
static int32_t decode(const struct acrn_io_request *r,
		      struct vioreq_request *out)
{
	struct vioreq_slot *slot = &page.slot[next_slot++ % VIOREQ_SLOT_COUNT];
	struct vioreq_slot_snapshot snap;
	struct vioreq_request req, untouched;
	int32_t rc;

	put(slot, r);
	vioreq_slot_snapshot(slot, &snap);
	memset(&req, 0xA5, sizeof(req));
	untouched = req;
	rc = vioreq_request_decode(&snap, &req);
	if (rc != 0) {
		assert_int_equal(rc, -VIOREQ_EINVAL);
		assert_memory_equal(&req, &untouched, sizeof(req));
	} else {
		uint64_t key = snap.address;

		if (snap.type == VIOREQ_TYPE_PCICFG)
			key = (uint64_t)snap.pci_bus << 20 |
			      (uint64_t)snap.pci_dev << 15 |
			      (uint64_t)snap.pci_func << 12 | snap.pci_reg;
		assert_int_equal(req.type, snap.type);
		assert_int_equal(req.direction, snap.direction);
		assert_int_equal(req.size, snap.size);
		assert_int_equal(req.value, snap.value);
		assert_int_equal(req.addr, key);
		assert_int_equal(req.last, key + snap.size - 1);
		assert_true(req.last >= req.addr);	/* no wrap */
		assert_true(req.last <= address_max(req.type));
	}
	if (out)
		*out = req;
	return rc;
}

static void expect_einval(const struct acrn_io_request *r)
{
	assert_int_equal(decode(r, NULL), -VIOREQ_EINVAL);
}

static struct vioreq_request expect_ok(const struct acrn_io_request *r)
{
	struct vioreq_request req;

	assert_int_equal(decode(r, &req), 0);
	return req;
}

/* ----------------------------------------------------------- snapshot */

static void test_snapshot_mmio(void **state)
{
	struct acrn_io_request r = mmio(1, 0x1122334455667788ull,
					0x99AABBCCDDEEFF01ull,
					0x0123456789ABCDEFull);
	struct vioreq_slot_snapshot snap;
	struct vioreq_page before;

	r.completion_polling = 0xC0DE0001u;
	put(&page.slot[5], &r);
	before = page;
	memset(&snap, 0x5A, sizeof(snap));
	vioreq_slot_snapshot(&page.slot[5], &snap);
	assert_int_equal(snap.type, VIOREQ_TYPE_MMIO);
	assert_int_equal(snap.direction, VIOREQ_DIR_WRITE);
	assert_int_equal(snap.address, 0x1122334455667788ull);
	assert_int_equal(snap.size, 0x99AABBCCDDEEFF01ull);
	assert_int_equal(snap.value, 0x0123456789ABCDEFull);
	/* The PCI words overlap mmio_request's value and padding. */
	assert_int_equal(snap.pci_bus, 0x01234567u);	/* value high word */
	assert_int_equal(snap.pci_dev, 0u);
	assert_int_equal(snap.pci_func, 0u);
	assert_int_equal(snap.pci_reg, 0u);
	/* Reading does not write the page. */
	assert_memory_equal(&page, &before, sizeof(page));
}

static void test_snapshot_pio(void **state)
{
	struct acrn_io_request r = pio(0, 0xFFFFFFFF00000CF8ull, 4,
				       0xDEADBEEFu);
	struct vioreq_slot_snapshot snap;

	r.completion_polling = 1;
	put(&page.slot[0], &r);
	memset(&snap, 0x5A, sizeof(snap));
	vioreq_slot_snapshot(&page.slot[0], &snap);
	assert_int_equal(snap.type, VIOREQ_TYPE_PORTIO);
	assert_int_equal(snap.direction, VIOREQ_DIR_READ);
	assert_int_equal(snap.address, 0xFFFFFFFF00000CF8ull);
	assert_int_equal(snap.size, 4u);
	/* pio_request.value is one word; the next is padding (zero here). */
	assert_int_equal(snap.value, 0xDEADBEEFull);
	assert_int_equal(snap.pci_bus, 0u);
}

static void test_snapshot_pci(void **state)
{
	struct acrn_io_request r = pci(1, 2, 0x12345678u, 0x9ABCDEF0u,
				       0x0BADF00Du, 0xFEEDFACEu, 0xCAFEBABEu);
	struct vioreq_slot_snapshot snap;

	put(&page.slot[15], &r);
	memset(&snap, 0x5A, sizeof(snap));
	vioreq_slot_snapshot(&page.slot[15], &snap);
	assert_int_equal(snap.type, VIOREQ_TYPE_PCICFG);
	assert_int_equal(snap.direction, VIOREQ_DIR_WRITE);
	assert_int_equal(snap.size, 2u);
	assert_int_equal(snap.pci_bus, 0x12345678u);
	assert_int_equal(snap.pci_dev, 0x9ABCDEF0u);
	assert_int_equal(snap.pci_func, 0x0BADF00Du);
	assert_int_equal(snap.pci_reg, 0xFEEDFACEu);
	/* value is words 6 and 7: pci_request.value, then bus. */
	assert_int_equal(snap.value, 0x12345678CAFEBABEull);
	/* address is words 2 and 3: pci_request.reserved[1..2]. */
	assert_int_equal(snap.address, 0u);
}

static void test_snapshot_reads_its_slot(void **state)
{
	struct acrn_io_request a = mmio(0, 0x1000, 4, 0x11);
	struct acrn_io_request b = pio(1, 0x60, 1, 0x22);
	struct vioreq_slot_snapshot snap;
	unsigned i;

	for (i = 0; i < VIOREQ_SLOT_COUNT; i++)
		put(&page.slot[i], i == 7 ? &a : &b);
	vioreq_slot_snapshot(&page.slot[7], &snap);
	assert_int_equal(snap.type, VIOREQ_TYPE_MMIO);
	assert_int_equal(snap.address, 0x1000u);
	assert_int_equal(snap.value, 0x11u);
	vioreq_slot_snapshot(&page.slot[8], &snap);
	assert_int_equal(snap.type, VIOREQ_TYPE_PORTIO);
	assert_int_equal(snap.address, 0x60u);
	assert_int_equal(snap.value, 0x22u);
}

/* ------------------------------------------------------------- decode */

static void test_decode_unknown_type(void **state)
{
	static const uint32_t types[] = { 3, 4, 0x80000000u, 0xFFFFFFFFu };
	unsigned i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct acrn_io_request r = mmio(0, 0x1000, 4, 0);

		r.type = types[i];
		expect_einval(&r);
	}
}

static void test_decode_bad_direction(void **state)
{
	static const uint32_t dirs[] = { 2, 3, 0xFFFFFFFFu };
	unsigned i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct acrn_io_request m = mmio(dirs[i], 0x1000, 4, 0);
		struct acrn_io_request p = pio(dirs[i], 0x60, 1, 0);
		struct acrn_io_request c = pci(dirs[i], 4, 0, 0, 0, 0, 0);

		expect_einval(&m);
		expect_einval(&p);
		expect_einval(&c);
	}
	/* Both legal directions pass for every type. */
	for (i = 0; i < 2; i++) {
		struct acrn_io_request m = mmio(i, 0x1000, 4, 0);
		struct acrn_io_request p = pio(i, 0x60, 1, 0);
		struct acrn_io_request c = pci(i, 4, 0, 0, 0, 0, 0);

		assert_int_equal(expect_ok(&m).direction, i);
		assert_int_equal(expect_ok(&p).direction, i);
		assert_int_equal(expect_ok(&c).direction, i);
	}
}

static void test_decode_sizes(void **state)
{
	static const uint64_t bad[] = {
		0, 3, 5, 6, 7, 9, 16, 32, MAX64,
		(1ull << 32) | 1, (1ull << 32) | 4,	/* high word set */
		1ull << 32,
	};
	static const uint64_t good[] = { 1, 2, 4 };
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct acrn_io_request m = mmio(0, 0x1000, bad[i], 0);
		struct acrn_io_request p = pio(0, 0x60, bad[i], 0);
		struct acrn_io_request c = pci(0, bad[i], 0, 0, 0, 0, 0);

		expect_einval(&m);
		expect_einval(&p);
		expect_einval(&c);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct acrn_io_request m = mmio(0, 0x1000, good[i], 0);
		struct acrn_io_request p = pio(0, 0x60, good[i], 0);
		struct acrn_io_request c = pci(0, good[i], 0, 0, 0, 0, 0);

		assert_int_equal(expect_ok(&m).size, good[i]);
		assert_int_equal(expect_ok(&p).size, good[i]);
		assert_int_equal(expect_ok(&c).size, good[i]);
	}
	/* 8 bytes: MMIO only. */
	{
		struct acrn_io_request m = mmio(0, 0x1000, 8, 0);
		struct acrn_io_request p = pio(0, 0x60, 8, 0);
		struct acrn_io_request c = pci(0, 8, 0, 0, 0, 0, 0);

		assert_int_equal(expect_ok(&m).size, 8u);
		expect_einval(&p);
		expect_einval(&c);
	}
}

static void test_decode_pio_space(void **state)
{
	struct acrn_io_request r;
	struct vioreq_request q;

	r = pio(0, 0xFFFF, 1, 0);
	q = expect_ok(&r);
	assert_int_equal(q.addr, 0xFFFFu);
	assert_int_equal(q.last, 0xFFFFu);
	r = pio(0, 0xFFFE, 2, 0);
	q = expect_ok(&r);
	assert_int_equal(q.last, 0xFFFFu);
	r = pio(0, 0xFFFC, 4, 0);
	q = expect_ok(&r);
	assert_int_equal(q.last, 0xFFFFu);
	r = pio(0, 0, 4, 0);
	q = expect_ok(&r);
	assert_int_equal(q.addr, 0u);
	assert_int_equal(q.last, 3u);

	/* Leaving the 16-bit port space. */
	r = pio(0, 0xFFFF, 2, 0);
	expect_einval(&r);
	r = pio(0, 0xFFFD, 4, 0);
	expect_einval(&r);
	r = pio(0, 0xFFFF, 4, 0);
	expect_einval(&r);
	r = pio(0, 0x10000, 1, 0);
	expect_einval(&r);
	r = pio(0, 1ull << 32, 1, 0);		/* high word only */
	expect_einval(&r);
	r = pio(0, MAX64, 1, 0);
	expect_einval(&r);
	r = pio(0, MAX64 - 1, 2, 0);
	expect_einval(&r);
}

static void test_decode_mmio_space(void **state)
{
	struct acrn_io_request r;
	struct vioreq_request q;

	r = mmio(0, MAX64, 1, 0);
	q = expect_ok(&r);
	assert_int_equal(q.addr, MAX64);
	assert_int_equal(q.last, MAX64);
	r = mmio(0, MAX64 - 7, 8, 0);
	q = expect_ok(&r);
	assert_int_equal(q.last, MAX64);
	r = mmio(0, MAX64 - 3, 4, 0);
	q = expect_ok(&r);
	assert_int_equal(q.last, MAX64);
	r = mmio(0, 0, 8, 0);
	q = expect_ok(&r);
	assert_int_equal(q.addr, 0u);
	assert_int_equal(q.last, 7u);
	r = mmio(0, 0xFEE00000ull, 4, 0);
	q = expect_ok(&r);
	assert_int_equal(q.last, 0xFEE00003ull);

	/* Wrapping past UINT64_MAX. */
	r = mmio(0, MAX64, 2, 0);
	expect_einval(&r);
	r = mmio(0, MAX64, 8, 0);
	expect_einval(&r);
	r = mmio(0, MAX64 - 6, 8, 0);
	expect_einval(&r);
	r = mmio(0, MAX64 - 2, 4, 0);
	expect_einval(&r);
}

static void test_decode_pci_fields(void **state)
{
	struct acrn_io_request r;
	struct vioreq_request q;

	/* Each field one past its maximum, the others valid. */
	r = pci(0, 4, 256, 0, 0, 0, 0);
	expect_einval(&r);
	r = pci(0, 4, 0, 32, 0, 0, 0);
	expect_einval(&r);
	r = pci(0, 4, 0, 0, 8, 0, 0);
	expect_einval(&r);
	r = pci(0, 1, 0, 0, 0, 4096, 0);
	expect_einval(&r);
	r = pci(0, 4, 0xFFFFFFFFu, 0, 0, 0, 0);
	expect_einval(&r);
	r = pci(0, 4, 0, 0xFFFFFFFFu, 0, 0, 0);
	expect_einval(&r);
	r = pci(0, 4, 0, 0, 0xFFFFFFFFu, 0, 0);
	expect_einval(&r);
	r = pci(0, 1, 0, 0, 0, 0xFFFFFFFFu, 0);	/* reg + size wraps u32 */
	expect_einval(&r);
	r = pci(0, 4, 0, 0, 0, 0xFFFFFFFDu, 0);
	expect_einval(&r);

	/* The register access must stay inside the 4 KiB function space. */
	r = pci(0, 1, 0, 0, 0, 4095, 0);
	q = expect_ok(&r);
	assert_int_equal(q.last, 4095u);
	r = pci(0, 4, 0, 0, 0, 4094, 0);
	expect_einval(&r);
	r = pci(0, 4, 0, 0, 0, 4093, 0);
	expect_einval(&r);
	r = pci(0, 2, 0, 0, 0, 4095, 0);
	expect_einval(&r);
	r = pci(0, 2, 0, 0, 0, 4094, 0);
	q = expect_ok(&r);
	assert_int_equal(q.last, 4095u);
	r = pci(0, 4, 0, 0, 0, 4092, 0);
	q = expect_ok(&r);
	assert_int_equal(q.addr, 4092u);
	assert_int_equal(q.last, 4095u);

	/* Every field at its maximum: the top of the ECAM space. */
	r = pci(0, 4, 255, 31, 7, 4092, 0);
	q = expect_ok(&r);
	assert_int_equal(q.addr, 0xFFFFFFCull);
	assert_int_equal(q.last, 0xFFFFFFFull);
	r = pci(0, 1, 255, 31, 7, 4095, 0);
	q = expect_ok(&r);
	assert_int_equal(q.addr, 0xFFFFFFFull);
	assert_int_equal(q.last, 0xFFFFFFFull);
}

static void test_decode_pci_key(void **state)
{
	static const uint32_t buses[] = { 0, 1, 0x12, 0x80, 255 };
	static const uint32_t devs[] = { 0, 1, 0x0A, 31 };
	static const uint32_t funcs[] = { 0, 1, 5, 7 };
	static const uint32_t regs[] = { 0, 4, 0x40, 0x100, 0xFFC };
	static const uint64_t sizes[] = { 1, 2, 4 };
	unsigned b, d, f, g, s;

	for (b = 0; b < 5; b++)
	for (d = 0; d < 4; d++)
	for (f = 0; f < 4; f++)
	for (g = 0; g < 5; g++)
	for (s = 0; s < 3; s++) {
		struct acrn_io_request r = pci(s & 1, sizes[s], buses[b],
					       devs[d], funcs[f], regs[g],
					       0x1000u + g);
		struct vioreq_request q;
		uint64_t key = (uint64_t)buses[b] << 20 |
			       (uint64_t)devs[d] << 15 |
			       (uint64_t)funcs[f] << 12 | regs[g];

		/* The address words are reserved for PCI: ignored. */
		r.reqs.pci_request.reserved[1] = 0xFFFFFFFFu;
		r.reqs.pci_request.reserved[2] = 0xFFFFFFFFu;
		q = expect_ok(&r);
		assert_int_equal(q.type, VIOREQ_TYPE_PCICFG);
		assert_int_equal(q.addr, key);
		assert_int_equal(q.last, key + sizes[s] - 1);
		assert_int_equal(q.size, sizes[s]);
		assert_int_equal((uint32_t)q.value, 0x1000u + g);
	}
	/* A worked example: 00:1f.3 register 0x10 is ECAM offset 0xFB010. */
	{
		struct acrn_io_request r = pci(0, 4, 0, 0x1F, 3, 0x10, 0);

		assert_int_equal(expect_ok(&r).addr, 0xFB010u);
	}
}

static void test_decode_valid(void **state)
{
	struct acrn_io_request r;
	struct vioreq_request q;

	r = mmio(VIOREQ_DIR_WRITE, 0xFED00000ull, 8, 0xFEDCBA9876543210ull);
	q = expect_ok(&r);
	assert_int_equal(q.type, VIOREQ_TYPE_MMIO);
	assert_int_equal(q.direction, VIOREQ_DIR_WRITE);
	assert_int_equal(q.size, 8u);
	assert_int_equal(q.addr, 0xFED00000ull);
	assert_int_equal(q.last, 0xFED00007ull);
	assert_int_equal(q.value, 0xFEDCBA9876543210ull);

	r = mmio(VIOREQ_DIR_READ, 0x100000000ull, 2, 0);
	q = expect_ok(&r);
	assert_int_equal(q.direction, VIOREQ_DIR_READ);
	assert_int_equal(q.addr, 0x100000000ull);
	assert_int_equal(q.last, 0x100000001ull);

	r = pio(VIOREQ_DIR_WRITE, 0x3F8, 1, 0x41);
	q = expect_ok(&r);
	assert_int_equal(q.type, VIOREQ_TYPE_PORTIO);
	assert_int_equal(q.direction, VIOREQ_DIR_WRITE);
	assert_int_equal(q.size, 1u);
	assert_int_equal(q.addr, 0x3F8u);
	assert_int_equal(q.last, 0x3F8u);
	assert_int_equal(q.value, 0x41u);

	r = pio(VIOREQ_DIR_READ, 0xCFC, 4, 0xFFFFFFFFu);
	q = expect_ok(&r);
	assert_int_equal(q.last, 0xCFFu);
	assert_int_equal(q.value, 0xFFFFFFFFull);

	r = pci(VIOREQ_DIR_WRITE, 2, 3, 4, 5, 0x44, 0xABCD);
	q = expect_ok(&r);
	assert_int_equal(q.type, VIOREQ_TYPE_PCICFG);
	assert_int_equal(q.direction, VIOREQ_DIR_WRITE);
	assert_int_equal(q.size, 2u);
	assert_int_equal(q.addr, 0x325044u);
	assert_int_equal(q.last, 0x325045u);
	/* Low word: the PCI value; the high word is the bus word. */
	assert_int_equal(q.value, 0x000000030000ABCDull);

	/* Fields outside the request union do not matter. */
	r = pio(VIOREQ_DIR_READ, 0x80, 1, 0);
	r.completion_polling = 0xFFFFFFFFu;
	memset(r.reserved0, 0xFF, sizeof(r.reserved0));
	r.reserved1 = 0xFFFFFFFFu;
	r.kernel_handled = 0xFFFFFFFFu;
	r.processed = 0xFFFFFFFFu;
	q = expect_ok(&r);
	assert_int_equal(q.addr, 0x80u);
}

/* --------------------------------------------------------- transitions */

static const uint32_t states[] = {
	VIOREQ_STATE_PENDING, VIOREQ_STATE_COMPLETE, VIOREQ_STATE_PROCESSING,
	VIOREQ_STATE_FREE, 4, 5, 0x7FFFFFFFu, UINT32_MAX,
};
static const uint32_t actors[] = {
	VIOREQ_ACTOR_HYPERVISOR, VIOREQ_ACTOR_SERVICE, 2, UINT32_MAX,
};

/* REQ-STATE-002 / REQ-OWN-002, from the spec text: the four moves. */
static bool spec_allows(uint32_t from, uint32_t to, uint32_t actor)
{
	return (from == VIOREQ_STATE_FREE && to == VIOREQ_STATE_PENDING &&
		actor == VIOREQ_ACTOR_HYPERVISOR) ||
	       (from == VIOREQ_STATE_PENDING && to == VIOREQ_STATE_PROCESSING &&
		actor == VIOREQ_ACTOR_SERVICE) ||
	       (from == VIOREQ_STATE_PROCESSING && to == VIOREQ_STATE_COMPLETE &&
		actor == VIOREQ_ACTOR_SERVICE) ||
	       (from == VIOREQ_STATE_COMPLETE && to == VIOREQ_STATE_FREE &&
		actor == VIOREQ_ACTOR_HYPERVISOR);
}

static void test_transition_matrix(void **state)
{
	const unsigned ns = sizeof(states) / sizeof(states[0]);
	const unsigned na = sizeof(actors) / sizeof(actors[0]);
	unsigned f, t, a, allowed = 0, checked = 0;
	static struct vioreq_page expected;
	const uint32_t sentinel = 0xA5A5A5A5u;

	/* Something in every word, so any stray store shows. */
	memset(&page, 0x3C, sizeof(page));
	for (f = 0; f < ns; f++)
	for (t = 0; t < ns; t++)
	for (a = 0; a < na; a++) {
		struct vioreq_slot *slot = &page.slot[(f + t + a) % 16];
		uint32_t from = states[f], to = states[t], actor = actors[a];
		int32_t rc;

		slot->processed = sentinel;
		expected = page;
		rc = vioreq_slot_transition(slot, from, to, actor);
		if (spec_allows(from, to, actor)) {
			assert_int_equal(rc, 0);
			assert_int_equal(slot->processed, to);
			expected.slot[(f + t + a) % 16].processed = to;
			allowed++;
		} else {
			if (rc != -VIOREQ_EPERM)
				fail_msg("%" PRIu32 " -> %" PRIu32 " by %" PRIu32
					 ": %" PRId32 ", want -EPERM", from,
					 to, actor, rc);
			assert_int_equal(slot->processed, sentinel);
		}
		assert_memory_equal(&page, &expected, sizeof(page));
		checked++;
	}
	assert_int_equal(allowed, 4);
	assert_int_equal(checked, ns * ns * na);
}

/* The caller's record decides, not what the page says (REQ-STATE-002). */
static void test_transition_ignores_page_state(void **state)
{
	struct vioreq_slot *slot = &page.slot[2];

	slot->processed = VIOREQ_STATE_COMPLETE;
	assert_int_equal(vioreq_slot_transition(slot, VIOREQ_STATE_FREE,
						VIOREQ_STATE_PENDING,
						VIOREQ_ACTOR_HYPERVISOR), 0);
	assert_int_equal(slot->processed, VIOREQ_STATE_PENDING);
	slot->processed = VIOREQ_STATE_PROCESSING;
	assert_int_equal(vioreq_slot_transition(slot, VIOREQ_STATE_COMPLETE,
						VIOREQ_STATE_PENDING,
						VIOREQ_ACTOR_HYPERVISOR),
			 -VIOREQ_EPERM);
	assert_int_equal(slot->processed, VIOREQ_STATE_PROCESSING);

	/* A full cycle, each move by its owner. */
	slot->processed = VIOREQ_STATE_FREE;
	assert_int_equal(vioreq_slot_transition(slot, VIOREQ_STATE_FREE,
						VIOREQ_STATE_PENDING,
						VIOREQ_ACTOR_HYPERVISOR), 0);
	assert_int_equal(vioreq_slot_transition(slot, VIOREQ_STATE_PENDING,
						VIOREQ_STATE_PROCESSING,
						VIOREQ_ACTOR_SERVICE), 0);
	assert_int_equal(slot->processed, VIOREQ_STATE_PROCESSING);
	assert_int_equal(vioreq_slot_transition(slot, VIOREQ_STATE_PROCESSING,
						VIOREQ_STATE_COMPLETE,
						VIOREQ_ACTOR_SERVICE), 0);
	assert_int_equal(slot->processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(vioreq_slot_transition(slot, VIOREQ_STATE_COMPLETE,
						VIOREQ_STATE_FREE,
						VIOREQ_ACTOR_HYPERVISOR), 0);
	assert_int_equal(slot->processed, VIOREQ_STATE_FREE);
}

/* ------------------------------------------------------------- finish */

static void test_finish(void **state)
{
	static const uint32_t held[] = {
		VIOREQ_STATE_PENDING, VIOREQ_STATE_PROCESSING,
	};
	static const uint32_t polling[] = { 0, 1, 0xFFFFFFFFu };
	static struct vioreq_page expected;
	const uint64_t value = 0x1122334455667788ull;
	unsigned h, p, w, v, i, runs = 0;

	for (h = 0; h < 2; h++)
	for (p = 0; p < 3; p++)
	for (v = 0; v < 2; v++)
	for (w = 0; w < 2; w++) {
		struct vioreq_slot *slot = &page.slot[runs % 16];
		uint32_t *words = (uint32_t *)(void *)&page;
		bool notify;

		/* Every word distinct, so any stray store shows. */
		for (i = 0; i < sizeof(page) / 4; i++)
			words[i] = 0xC0000000u + i;
		slot->completion_polling = polling[p];
		slot->processed = held[h];
		expected = page;
		expected.slot[runs % 16].processed = VIOREQ_STATE_COMPLETE;
		if (v) {
			expected.slot[runs % 16].data[VIOREQ_REQ_VALUE_WORD] =
				0x55667788u;
			if (w)
				expected.slot[runs % 16]
					.data[VIOREQ_REQ_VALUE_WORD + 1] =
					0x11223344u;
		}
		notify = vioreq_slot_finish(slot, held[h], v != 0, value,
					    w != 0);
		assert_int_equal(notify, polling[p] == 0);
		assert_int_equal(slot->processed, VIOREQ_STATE_COMPLETE);
		assert_memory_equal(&page, &expected, sizeof(page));
		runs++;
	}
	assert_int_equal(runs, 24);
}

/* The page may say anything: held is the caller's record. */
static void test_finish_ignores_page_state(void **state)
{
	struct vioreq_slot *slot = &page.slot[9];

	slot->processed = VIOREQ_STATE_FREE;
	slot->completion_polling = 1;
	assert_false(vioreq_slot_finish(slot, VIOREQ_STATE_PENDING, true,
					0xFFFFFFFFFFFFFFFFull, false));
	assert_int_equal(slot->processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(slot->data[VIOREQ_REQ_VALUE_WORD], 0xFFFFFFFFu);
	assert_int_equal(slot->data[VIOREQ_REQ_VALUE_WORD + 1], 0u);

	slot->processed = 0xDEADu;
	slot->completion_polling = 0;
	assert_true(vioreq_slot_finish(slot, VIOREQ_STATE_PROCESSING, true,
				       0x00000001FFFFFFFEull, true));
	assert_int_equal(slot->processed, VIOREQ_STATE_COMPLETE);
	assert_int_equal(slot->data[VIOREQ_REQ_VALUE_WORD], 0xFFFFFFFEu);
	assert_int_equal(slot->data[VIOREQ_REQ_VALUE_WORD + 1], 1u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_snapshot_mmio, reset_page),
		cmocka_unit_test_setup(test_snapshot_pio, reset_page),
		cmocka_unit_test_setup(test_snapshot_pci, reset_page),
		cmocka_unit_test_setup(test_snapshot_reads_its_slot, reset_page),
		cmocka_unit_test_setup(test_decode_unknown_type, reset_page),
		cmocka_unit_test_setup(test_decode_bad_direction, reset_page),
		cmocka_unit_test_setup(test_decode_sizes, reset_page),
		cmocka_unit_test_setup(test_decode_pio_space, reset_page),
		cmocka_unit_test_setup(test_decode_mmio_space, reset_page),
		cmocka_unit_test_setup(test_decode_pci_fields, reset_page),
		cmocka_unit_test_setup(test_decode_pci_key, reset_page),
		cmocka_unit_test_setup(test_decode_valid, reset_page),
		cmocka_unit_test_setup(test_transition_matrix, reset_page),
		cmocka_unit_test_setup(test_transition_ignores_page_state,
				       reset_page),
		cmocka_unit_test_setup(test_finish, reset_page),
		cmocka_unit_test_setup(test_finish_ignores_page_state,
				       reset_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
