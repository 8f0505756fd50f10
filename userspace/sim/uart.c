// SPDX-License-Identifier: MIT
/* A 16550-like UART with no receiver and an always-ready transmitter. */
#include <stdbool.h>

#include "devices.h"
#include "vioreq/spec_gen.h"

void sim_uart_init(struct sim_uart *u)
{
	*u = (struct sim_uart){ .lcr = 0x03, .dll = 0x01 }; /* 115200 8N1 */
}

static uint32_t uart_read(const struct sim_uart *u, uint32_t offset)
{
	bool dlab = (u->lcr & 0x80u) != 0;

	switch (offset) {
	case SIM_UART_THR:
		return dlab ? u->dll : 0; /* RBR: nothing received */
	case SIM_UART_IER:
		return dlab ? u->dlm : u->ier;
	case SIM_UART_IIR:
		/* No interrupt pending; bits 7:6 say whether FIFOs are on. */
		return (u->fcr & 1u) ? 0xC1u : 0x01u;
	case SIM_UART_LCR:
		return u->lcr;
	case SIM_UART_MCR:
		return u->mcr;
	case SIM_UART_LSR:
		return SIM_UART_LSR_IDLE;
	case SIM_UART_MSR:
		return SIM_UART_MSR_IDLE;
	default:
		return u->scr;
	}
}

static void uart_write(struct sim_uart *u, uint32_t offset, uint8_t value)
{
	bool dlab = (u->lcr & 0x80u) != 0;

	switch (offset) {
	case SIM_UART_THR:
		if (dlab) {
			u->dll = value;
		} else {
			u->tx_count++;
			u->tx_sum += value;
		}
		break;
	case SIM_UART_IER:
		if (dlab)
			u->dlm = value;
		else
			u->ier = value & 0x0Fu;
		break;
	case SIM_UART_IIR: /* FCR: only the FIFO enable bit is kept */
		u->fcr = value & 0x01u;
		break;
	case SIM_UART_LCR:
		u->lcr = value;
		break;
	case SIM_UART_MCR:
		u->mcr = value & 0x1Fu;
		break;
	case SIM_UART_SCR:
		u->scr = value;
		break;
	default: /* LSR, MSR: read-only */
		break;
	}
}

uint32_t sim_uart_access(struct sim_uart *u, uint32_t dir, uint32_t offset,
			 uint32_t value)
{
	offset %= SIM_UART_PORTS;
	if (dir == VIOREQ_DIR_READ)
		return uart_read(u, offset);
	uart_write(u, offset, (uint8_t)value);
	return 0;
}
