// SPDX-License-Identifier: MIT
/*
 * The guest workload of a vCPU: short operations (one to a few dozen
 * accesses) on the devices, each access trapped through the hypervisor and
 * each read checked against the vCPU's shadow of the device.
 *
 * Reads must return the same thing whatever other vCPUs do, so a vCPU only
 * reads device state that it alone writes or that never changes: its own
 * 256-byte bank of each BAR, its own scratch dword in each configuration
 * space, the read-only header registers; vCPU 0 owns the UART's state and
 * the PCI command, BAR0 and interrupt line registers. CF8/CFC sequences
 * take the guest's PCI lock, as a guest kernel does.
 *
 * A client restart or a clear may drop or answer with all ones the
 * requests that overlap it. Such an operation's reads may also get all
 * ones or the default client's answer, and a read that follows one of its
 * writes is not checked (the write may have been dropped); the state it
 * wrote is unknown until an operation rewrites all of it ("reinit"),
 * undisturbed.
 */
#include <stdio.h>

#include "sim_internal.h"

static uint64_t rnd(struct sim_vcpu *c)
{
	/* xorshift64* */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545F4914F6CDD1Dull;
}

static uint32_t below(struct sim_vcpu *c, uint32_t n)
{
	return (uint32_t)((rnd(c) >> 32) % n);
}

void sim_workload_init(struct sim_vcpu *c)
{
	struct sim *sim = c->sim;
	uint32_t i;

	c->rng = (sim->cfg.seed + 1) * 0x9E3779B97F4A7C15ull ^
		 (c->index + 1) * 0xBF58476D1CE4E5B9ull;
	if (c->rng == 0)
		c->rng = 1;
	sim_uart_init(&c->uart);
	for (i = 0; i < sim->pci_count; i++)
		sim_pci_dev_init(&c->pci[i], i,
				 SIM_PCI_BAR_BASE + i * SIM_PCI_BAR_STRIDE);
}

/* ------------------------------------------------------------ accesses */

static void make_pio(struct sim_access *a, uint32_t dir, uint32_t port,
		     uint32_t size, uint64_t value, uint32_t target)
{
	*a = (struct sim_access){
		.type = VIOREQ_TYPE_PORTIO, .dir = dir, .size = size,
		.target = target, .address = port, .value = value,
		.routed_type = VIOREQ_TYPE_PORTIO, .routed_key = port,
	};
}

static void make_mmio(struct sim_access *a, uint32_t dir, uint64_t address,
		      uint32_t size, uint64_t value, uint32_t target)
{
	*a = (struct sim_access){
		.type = VIOREQ_TYPE_MMIO, .dir = dir, .size = size,
		.target = target, .address = address, .value = value,
		.routed_type = VIOREQ_TYPE_MMIO, .routed_key = address,
	};
}

static uint64_t pci_key(uint32_t dev, uint32_t reg)
{
	return (uint64_t)dev << VIOREQ_PCI_DEV_SHIFT | reg;
}

static void make_pcicfg(struct sim_access *a, uint32_t dir, uint32_t dev,
			uint32_t reg, uint32_t size, uint64_t value,
			uint32_t target)
{
	*a = (struct sim_access){
		.type = VIOREQ_TYPE_PCICFG, .dir = dir, .size = size,
		.target = target, .value = value, .dev = dev, .reg = reg,
		.routed_type = VIOREQ_TYPE_PCICFG,
		.routed_key = pci_key(dev, reg),
	};
}

/* Issue one access; a read's result is checked when the operation ends. */
static int issue(struct sim_vcpu *c, struct sim_access *a, uint64_t expected)
{
	uint64_t got;

	if (sim_hv_access(c, a, &got) != 0)
		return -1;
	c->op_requests++;
	if (a->dir == VIOREQ_DIR_READ && c->op_reads < SIM_OP_READS_MAX) {
		struct sim_read_check *r = &c->reads[c->op_reads++];

		r->got = got;
		r->expected = expected;
		r->if_defaulted = sim_hash_read(SIM_DEFAULT_SALT,
						a->routed_type, a->routed_key,
						a->size);
		r->wide = a->type == VIOREQ_TYPE_MMIO;
		r->after_write = c->op_wrote_state;
		r->target = a->target;
		r->type = a->routed_type;
		r->key = a->routed_key;
		r->size = a->size;
	}
	return 0;
}

/* ---------------------------------------------------------------- UART */

static int uart_io(struct sim_vcpu *c, uint32_t dir, uint32_t offset,
		   uint32_t value)
{
	struct sim_access a;
	uint64_t expected = sim_uart_access(&c->uart, dir, offset, value);

	make_pio(&a, dir, SIM_UART_BASE + offset, 1, value, SIM_TARGET_UART);
	if (dir == VIOREQ_DIR_WRITE) {
		c->op_wrote_state = true;
		c->op_device = 0;
		if (offset == SIM_UART_THR && (c->uart.lcr & 0x80u) == 0) {
			c->op_tx_count++;
			c->op_tx_sum += (uint8_t)value;
		} else if (offset == SIM_UART_THR) {
			/* DLL for us; THR for the UART if our LCR write was
			 * dropped. */
			c->op_tx_maybe++;
		}
	}
	return issue(c, &a, expected);
}

static int uart_reinit(struct sim_vcpu *c)
{
	static const uint8_t sequence[][2] = {
		{ SIM_UART_LCR, 0x83 }, { SIM_UART_THR, 0x01 },
		{ SIM_UART_IER, 0x00 }, { SIM_UART_LCR, 0x03 },
		{ SIM_UART_IER, 0x00 }, { SIM_UART_IIR, 0x00 },
		{ SIM_UART_MCR, 0x00 }, { SIM_UART_SCR, 0x00 },
	};
	uint32_t i;

	c->op_reinit = true;
	for (i = 0; i < sizeof(sequence) / sizeof(sequence[0]); i++)
		if (uart_io(c, VIOREQ_DIR_WRITE, sequence[i][0],
			    sequence[i][1]) != 0)
			return -1;
	c->op_device = 0;
	return 0;
}

static int op_uart(struct sim_vcpu *c)
{
	uint32_t lcr;

	if (c->index != 0)
		return uart_io(c, VIOREQ_DIR_READ,
			       below(c, 2) ? SIM_UART_LSR : SIM_UART_MSR, 0);
	if (c->uart_dirty)
		return uart_reinit(c);
	switch (below(c, 10)) {
	case 0: case 1: case 2:
		return uart_io(c, VIOREQ_DIR_WRITE, SIM_UART_THR,
			       0x20 + below(c, 95));
	case 3: case 4:
		return uart_io(c, VIOREQ_DIR_WRITE, SIM_UART_SCR,
			       below(c, 256)) ||
		       uart_io(c, VIOREQ_DIR_READ, SIM_UART_SCR, 0) ? -1 : 0;
	case 5:
		return uart_io(c, VIOREQ_DIR_WRITE, SIM_UART_IER,
			       below(c, 256)) ||
		       uart_io(c, VIOREQ_DIR_READ, SIM_UART_IER, 0) ? -1 : 0;
	case 6:
		return uart_io(c, VIOREQ_DIR_WRITE, SIM_UART_MCR,
			       below(c, 256)) ||
		       uart_io(c, VIOREQ_DIR_READ, SIM_UART_MCR, 0) ? -1 : 0;
	case 7:
		return uart_io(c, VIOREQ_DIR_READ,
			       below(c, 2) ? SIM_UART_LCR : SIM_UART_LSR, 0);
	case 8:
		return uart_io(c, VIOREQ_DIR_WRITE, SIM_UART_IIR,
			       below(c, 2)) ||
		       uart_io(c, VIOREQ_DIR_READ, SIM_UART_IIR, 0) ? -1 : 0;
	default:
		/* Program the divisor latch, as a driver sets the baud rate. */
		lcr = c->uart.lcr & 0x7Fu;
		return uart_io(c, VIOREQ_DIR_WRITE, SIM_UART_LCR, lcr | 0x80u) ||
		       uart_io(c, VIOREQ_DIR_WRITE, SIM_UART_THR,
			       below(c, 256)) ||
		       uart_io(c, VIOREQ_DIR_WRITE, SIM_UART_IER,
			       below(c, 4)) ||
		       uart_io(c, VIOREQ_DIR_READ, SIM_UART_THR, 0) ||
		       uart_io(c, VIOREQ_DIR_READ, SIM_UART_IER, 0) ||
		       uart_io(c, VIOREQ_DIR_WRITE, SIM_UART_LCR, lcr) ? -1 : 0;
	}
}

/* ----------------------------------------------------------------- PCI */

static uint32_t pci_dev_number(uint32_t i)
{
	return SIM_PCI_FIRST_DEV + i;
}

/* A configuration register this vCPU may access, and whether it may
 * write it. */
static void pick_config(struct sim_vcpu *c, uint32_t *reg, uint32_t *size,
			bool *may_write)
{
	static const uint32_t owner_dwords[] = { 0x04, 0x10, 0x3C };
	static const uint32_t constant_dwords[] = { 0x00, 0x08, 0x0C, 0x2C };
	uint32_t r = below(c, 10);
	uint32_t dword;

	if (c->index == 0 && r < 3) {
		dword = owner_dwords[below(c, 3)];
		*may_write = true;
	} else if (r < 7) {
		dword = SIM_PCI_SCRATCH + 4 * c->index;
		*may_write = true;
	} else {
		dword = constant_dwords[below(c, 4)];
		*may_write = false;
	}
	*size = 1u << below(c, 3);
	*reg = dword + below(c, 4 / *size) * *size;
}

static int pci_config_io(struct sim_vcpu *c, uint32_t i, bool through_cfc,
			 uint32_t dir, uint32_t reg, uint32_t size,
			 uint64_t value)
{
	struct sim_access a;
	uint64_t expected = sim_pci_config_access(&c->pci[i], dir, reg, size,
						  value);

	if (through_cfc) {
		make_pio(&a, dir, VIOREQ_CONF1_DATA_PORT + (reg & 3u), size,
			 value, SIM_TARGET_PCI0 + i);
		/* The core turns it into PCICFG: that is what is routed. */
		a.routed_type = VIOREQ_TYPE_PCICFG;
		a.routed_key = pci_key(pci_dev_number(i), reg);
	} else {
		make_pcicfg(&a, dir, pci_dev_number(i), reg, size, value,
			    SIM_TARGET_PCI0 + i);
	}
	if (dir == VIOREQ_DIR_WRITE) {
		c->op_wrote_state = true;
		c->op_device = 1 + (int)i;
	}
	return issue(c, &a, expected);
}

static int pci_bar_io(struct sim_vcpu *c, uint32_t i, uint32_t dir,
		      uint32_t offset, uint32_t size, uint64_t value)
{
	struct sim_access a;
	uint64_t expected = sim_pci_bar_access(&c->pci[i], dir, offset, size,
					       value);

	make_mmio(&a, dir, SIM_PCI_BAR_BASE + i * SIM_PCI_BAR_STRIDE + offset,
		  size, value, SIM_TARGET_PCI0 + i);
	if (dir == VIOREQ_DIR_WRITE) {
		c->op_wrote_state = true;
		c->op_device = 1 + (int)i;
	}
	return issue(c, &a, expected);
}

static int pci_reinit(struct sim_vcpu *c, uint32_t i)
{
	uint32_t bank = c->index * SIM_PCI_BANK;
	uint32_t off;

	c->op_reinit = true;
	c->op_device = 1 + (int)i;
	if (pci_config_io(c, i, false, VIOREQ_DIR_WRITE,
			  SIM_PCI_SCRATCH + 4 * c->index, 4, 0) != 0)
		return -1;
	if (c->index == 0 &&
	    (pci_config_io(c, i, false, VIOREQ_DIR_WRITE, 0x04, 2, 0x0006) ||
	     pci_config_io(c, i, false, VIOREQ_DIR_WRITE, 0x10, 4,
			   SIM_PCI_BAR_BASE + i * SIM_PCI_BAR_STRIDE) ||
	     pci_config_io(c, i, false, VIOREQ_DIR_WRITE, 0x3C, 1, 0x0B)))
		return -1;
	for (off = 0; off < SIM_PCI_BANK; off += 8)
		if (pci_bar_io(c, i, VIOREQ_DIR_WRITE, bank + off, 8, 0) != 0)
			return -1;
	return 0;
}

static int op_bar(struct sim_vcpu *c, uint32_t i)
{
	uint32_t bank = c->index * SIM_PCI_BANK;
	uint32_t size;

	if (c->pci_dirty[i])
		return pci_reinit(c, i);
	if (below(c, 10) < 4) {
		size = below(c, 2) ? 8 : 4;
		return pci_bar_io(c, i, VIOREQ_DIR_WRITE,
				  bank + below(c, SIM_PCI_BANK / size) * size,
				  size, rnd(c));
	}
	size = 1u << below(c, 4);
	return pci_bar_io(c, i, VIOREQ_DIR_READ,
			  bank + below(c, SIM_PCI_BANK / size) * size, size, 0);
}

static int op_pci_config(struct sim_vcpu *c, uint32_t i, bool through_cfc)
{
	struct sim *sim = c->sim;
	struct sim_access a;
	uint32_t reg, size, dir, select;
	bool may_write;
	int rc;

	if (c->pci_dirty[i])
		return pci_reinit(c, i);
	pick_config(c, &reg, &size, &may_write);
	dir = may_write && below(c, 2) ? VIOREQ_DIR_WRITE : VIOREQ_DIR_READ;
	if (!through_cfc)
		return pci_config_io(c, i, false, dir, reg, size,
				     (uint32_t)rnd(c));

	pthread_mutex_lock(&sim->guest_pci_lock);
	select = VIOREQ_CONF1_ENABLE_BIT |
		 pci_dev_number(i) << VIOREQ_CONF1_DEV_SHIFT |
		 (reg & VIOREQ_CONF1_REG_MASK);
	make_pio(&a, VIOREQ_DIR_WRITE, VIOREQ_CONF1_ADDRESS_PORT, 4, select,
		 SIM_TARGET_CORE);
	rc = issue(c, &a, 0);
	if (rc == 0 && below(c, 5) == 0) {
		/* Read the address register back: served by the core. */
		make_pio(&a, VIOREQ_DIR_READ, VIOREQ_CONF1_ADDRESS_PORT, 4, 0,
			 SIM_TARGET_CORE);
		rc = issue(c, &a, select);
	}
	if (rc == 0)
		rc = pci_config_io(c, i, true, dir, reg, size,
				   (uint32_t)rnd(c));
	pthread_mutex_unlock(&sim->guest_pci_lock);
	return rc;
}

/* ---------------------------------------------- default client, windows */

static int default_io(struct sim_vcpu *c, struct sim_access *a)
{
	return issue(c, a, sim_hash_read(SIM_DEFAULT_SALT, a->routed_type,
					 a->routed_key, a->size));
}

static int op_default(struct sim_vcpu *c)
{
	struct sim_access a;
	uint32_t t = SIM_TARGET_DEFAULT;

	switch (below(c, 7)) {
	case 0: /* POST code */
		make_pio(&a, VIOREQ_DIR_WRITE, 0x80, 1, below(c, 256), t);
		break;
	case 1: /* NMI status and control */
		make_pio(&a, VIOREQ_DIR_READ, 0x61, 1, 0, t);
		break;
	case 2: /* RTC data */
		make_pio(&a, VIOREQ_DIR_READ, 0x71, 1, 0, t);
		break;
	case 3: /* firmware config */
		make_pio(&a, VIOREQ_DIR_READ, 0x510, 2, 0, t);
		break;
	case 4: /* an HPET-like MMIO block */
		make_mmio(&a, VIOREQ_DIR_READ, 0xFED00000u + below(c, 128) * 8,
			  below(c, 2) ? 8 : 4, 0, t);
		break;
	case 5:
		make_mmio(&a, VIOREQ_DIR_WRITE, 0xFED00000u + below(c, 128) * 8,
			  8, rnd(c), t);
		break;
	default: /* a PCI function no client claims: 00:1F.0 */
		make_pcicfg(&a, VIOREQ_DIR_READ, 0x1F, below(c, 64) * 4, 4, 0,
			    t);
		break;
	}
	return default_io(c, &a);
}

static int op_window(struct sim_vcpu *c)
{
	struct sim *sim = c->sim;
	uint32_t w = below(c, sim->cfg.ranges);
	uint32_t owner = sim_window_owner(sim, w);
	uint32_t size = 1u << below(c, 4);
	uint64_t address = SIM_WINDOW_BASE + (uint64_t)w * SIM_WINDOW_SIZE +
			   below(c, SIM_WINDOW_SIZE / size) * size;
	struct sim_access a;

	if (below(c, 5) == 0) {
		make_mmio(&a, VIOREQ_DIR_WRITE, address, size, rnd(c), owner);
		return issue(c, &a, 0);
	}
	make_mmio(&a, VIOREQ_DIR_READ, address, size, 0, owner);
	return issue(c, &a, sim_hash_read(sim_window_salt(owner),
					  VIOREQ_TYPE_MMIO, address, size));
}

/* ------------------------------------------------------------ checking */

static bool all_ones(uint64_t got, bool wide)
{
	return wide ? got == VIOREQ_READ_ALL_ONES : got == 0xFFFFFFFFu;
}

bool sim_op_disrupted(const struct sim_vcpu *c)
{
	uint32_t now = atomic_load_explicit(&c->sim->disruption,
					    memory_order_seq_cst);

	return (c->op_generation & 1u) != 0 || now != c->op_generation;
}

/* Check the operation's reads; returns whether it was disrupted. */
static bool op_check(struct sim_vcpu *c)
{
	struct sim *sim = c->sim;
	uint32_t now = atomic_load_explicit(&sim->disruption,
					    memory_order_seq_cst);
	bool disrupted = sim_op_disrupted(c);
	uint32_t r;

	for (r = 0; r < c->op_reads; r++) {
		const struct sim_read_check *k = &c->reads[r];

		if (k->got == k->expected)
			continue;
		if (disrupted && (all_ones(k->got, k->wide) ||
				  k->got == k->if_defaulted))
			continue;
		/* An earlier write of this operation may have been dropped:
		 * the state this read sees is unknown (and rewritten before
		 * it is checked again). */
		if (disrupted && k->after_write)
			continue;
		if (c->wrong++ < 5)
			fprintf(stderr,
				"vioreq-sim: vCPU %u: %s: read %u of %u in "
				"its operation, type %u key 0x%llx size %u: "
				"got 0x%llx, expected 0x%llx (restarts/clears "
				"%u..%u)\n", c->index,
				sim_target_name(sim, k->target), r + 1,
				c->op_reads, k->type,
				(unsigned long long)k->key, k->size,
				(unsigned long long)k->got,
				(unsigned long long)k->expected,
				c->op_generation, now);
	}
	if (disrupted)
		c->disrupted += c->op_requests;
	return disrupted;
}

int sim_workload_step(struct sim_vcpu *c)
{
	struct sim *sim = c->sim;
	uint32_t pick = below(c, 100);
	uint32_t i = sim->pci_count ? below(c, sim->pci_count) : 0;
	bool disrupted;
	int rc;

	c->op_generation = atomic_load_explicit(&sim->disruption,
						memory_order_seq_cst);
	c->op_requests = 0;
	c->op_reads = 0;
	c->op_wrote_state = false;
	c->op_device = -1;
	c->op_reinit = false;
	c->op_tx_count = 0;
	c->op_tx_sum = 0;
	c->op_tx_maybe = 0;

	if (pick < 25 && sim->pci_count)
		rc = op_bar(c, i);
	else if (pick < 40 && sim->pci_count)
		rc = op_pci_config(c, i, true);
	else if (pick < 50 && sim->pci_count)
		rc = op_pci_config(c, i, false);
	else if (pick < 65)
		rc = op_uart(c);
	else if (pick < 85 || sim->cfg.ranges == 0)
		rc = op_default(c);
	else
		rc = op_window(c);

	disrupted = op_check(c);
	if (c->op_tx_count || c->op_tx_maybe) {
		if (disrupted) {
			c->tx_uncertain += c->op_tx_count + c->op_tx_maybe;
		} else {
			c->tx_certain += c->op_tx_count;
			c->tx_certain_sum += c->op_tx_sum;
		}
	}
	if (c->op_device >= 0) {
		bool *dirty = c->op_device == 0 ? &c->uart_dirty :
			      &c->pci_dirty[c->op_device - 1];

		if (disrupted && c->op_wrote_state)
			*dirty = true;
		else if (c->op_reinit && rc == 0)
			*dirty = false;
	}
	return rc;
}
