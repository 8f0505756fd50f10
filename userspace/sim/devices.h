/* SPDX-License-Identifier: MIT */
/*
 * Device models of the simulator, as plain state machines with no threads
 * and no locks: the I/O clients run them to serve requests, and each vCPU
 * runs a private copy (its shadow) on the same accesses to know what every
 * read must return.
 *
 *   UART        16550-like, PIO 0x3F8-0x3FF, 1-byte registers.
 *   PCI device  type 0 configuration header (256 bytes, write masks, a
 *               4 KiB MMIO BAR0) and the register file behind BAR0.
 *   hash reads  stateless devices (the default client, extra MMIO
 *               windows): a read returns a hash of who serves it and the
 *               access, so a request served by the wrong client is seen.
 */
#ifndef VIOREQ_SIM_DEVICES_H
#define VIOREQ_SIM_DEVICES_H

#include <stdint.h>

#define SIM_UART_BASE 0x3F8u
#define SIM_UART_PORTS 8u
#define SIM_UART_LSR_IDLE 0x60u	/* THR empty, transmitter empty */
#define SIM_UART_MSR_IDLE 0xB0u	/* DCD, DSR, CTS */

/* UART register offsets (DLAB = LCR bit 7 maps DLL/DLM over 0/1). */
enum sim_uart_reg {
	SIM_UART_THR = 0, SIM_UART_IER = 1, SIM_UART_IIR = 2,
	SIM_UART_LCR = 3, SIM_UART_MCR = 4, SIM_UART_LSR = 5,
	SIM_UART_MSR = 6, SIM_UART_SCR = 7,
};

struct sim_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint64_t tx_count;	/* bytes written to THR */
	uint64_t tx_sum;	/* their sum, a cheap content check */
};

void sim_uart_init(struct sim_uart *u);
/* One 1-byte access at offset 0..7; returns the value read (0 for a
 * write). */
uint32_t sim_uart_access(struct sim_uart *u, uint32_t dir, uint32_t offset,
			 uint32_t value);

#define SIM_PCI_CONFIG_SIZE 256u
#define SIM_PCI_BAR_SIZE 4096u
#define SIM_PCI_VENDOR 0x1AF4u
#define SIM_PCI_SCRATCH 0x40u	/* one rw dword per vCPU: 0x40 + 4 * v */
#define SIM_PCI_BANK 256u	/* BAR0 bytes per vCPU */

struct sim_pci_dev {
	uint8_t config[SIM_PCI_CONFIG_SIZE];
	uint8_t wmask[SIM_PCI_CONFIG_SIZE];
	uint8_t bar[SIM_PCI_BAR_SIZE];
};

/* Device `index` (device id 0x1000 + index) with BAR0 at bar_address. */
void sim_pci_dev_init(struct sim_pci_dev *d, uint32_t index,
		      uint32_t bar_address);
/* Configuration access of 1, 2 or 4 bytes at reg (< 4096; the extended
 * space reads 0 and ignores writes). Little-endian, as x86. */
uint64_t sim_pci_config_access(struct sim_pci_dev *d, uint32_t dir,
			       uint32_t reg, uint32_t size, uint64_t value);
/* Register file access of 1, 2, 4 or 8 bytes at offset (< 4096). */
uint64_t sim_pci_bar_access(struct sim_pci_dev *d, uint32_t dir,
			    uint32_t offset, uint32_t size, uint64_t value);

/* The value a stateless device with this salt returns for a read: a hash
 * of the access, zero-extended from size bytes. */
uint64_t sim_hash_read(uint64_t salt, uint32_t type, uint64_t address,
		       uint64_t size);

#endif /* VIOREQ_SIM_DEVICES_H */
