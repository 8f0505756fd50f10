// SPDX-License-Identifier: MIT
/* A PCI function: type 0 configuration header and a BAR0 register file. */
#include <string.h>

#include "devices.h"
#include "vioreq/spec_gen.h"

static void put32(uint8_t *bytes, uint32_t at, uint32_t value)
{
	uint32_t i;

	for (i = 0; i < 4; i++)
		bytes[at + i] = (uint8_t)(value >> (8 * i));
}

void sim_pci_dev_init(struct sim_pci_dev *d, uint32_t index,
		      uint32_t bar_address)
{
	memset(d, 0, sizeof(*d));
	put32(d->config, 0x00, (0x1000u + index) << 16 | SIM_PCI_VENDOR);
	put32(d->config, 0x04, 0x0010u << 16);	  /* status: cap list */
	put32(d->config, 0x08, 0x02000001u);	  /* Ethernet, rev 1 */
	put32(d->config, 0x0C, 0x00000000u);	  /* header type 0 */
	put32(d->config, 0x10, bar_address & ~0xFFFu); /* 32-bit MMIO BAR */
	put32(d->config, 0x2C, 0x00011AF4u);	  /* subsystem */
	put32(d->config, 0x3C, 0x0100u);	  /* INTA#, line 0 */
	/* Writable bits: command (IO, MEM, master, parity, SERR), the BAR's
	 * address bits (a 4 KiB BAR: bits 31:12), interrupt line, and the
	 * device-specific scratch dwords at 0x40-0x7F. */
	d->wmask[0x04] = 0x47;
	d->wmask[0x05] = 0x01;
	put32(d->wmask, 0x10, ~0xFFFu);
	d->wmask[0x3C] = 0xFF;
	memset(&d->wmask[SIM_PCI_SCRATCH], 0xFF, 0x40);
}

static uint64_t bytes_read(const uint8_t *bytes, uint32_t at, uint32_t size)
{
	uint64_t value = 0;
	uint32_t i;

	for (i = 0; i < size; i++)
		value |= (uint64_t)bytes[at + i] << (8 * i);
	return value;
}

uint64_t sim_pci_config_access(struct sim_pci_dev *d, uint32_t dir,
			       uint32_t reg, uint32_t size, uint64_t value)
{
	uint32_t i;

	if (reg + size > SIM_PCI_CONFIG_SIZE)
		return 0;
	if (dir == VIOREQ_DIR_READ)
		return bytes_read(d->config, reg, size);
	for (i = 0; i < size; i++) {
		uint8_t mask = d->wmask[reg + i];
		uint8_t byte = (uint8_t)(value >> (8 * i));

		d->config[reg + i] =
			(uint8_t)((d->config[reg + i] & ~mask) | (byte & mask));
	}
	return 0;
}

uint64_t sim_pci_bar_access(struct sim_pci_dev *d, uint32_t dir,
			    uint32_t offset, uint32_t size, uint64_t value)
{
	uint32_t i;

	if (offset + size > SIM_PCI_BAR_SIZE)
		return 0;
	if (dir == VIOREQ_DIR_READ)
		return bytes_read(d->bar, offset, size);
	for (i = 0; i < size; i++)
		d->bar[offset + i] = (uint8_t)(value >> (8 * i));
	return 0;
}

uint64_t sim_hash_read(uint64_t salt, uint32_t type, uint64_t address,
		       uint64_t size)
{
	/* splitmix64 finaliser over the access */
	uint64_t x = salt * 0x9E3779B97F4A7C15ull ^ (uint64_t)type << 56 ^
		     address * 0xBF58476D1CE4E5B9ull ^ size;

	x ^= x >> 30;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBull;
	x ^= x >> 31;
	return size >= 8 ? x : x & ((1ull << (8 * size)) - 1);
}
