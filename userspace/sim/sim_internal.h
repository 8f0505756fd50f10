/* SPDX-License-Identifier: MIT */
/* Internals of the simulator shared by its files (see sim.h). */
#ifndef VIOREQ_SIM_INTERNAL_H
#define VIOREQ_SIM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "devices.h"
#include "latency.h"
#include "sim.h"
#include "vioreq/futex_event.h"
#include "vioreq/runtime.h"

/* Address map of the simulated User VM. */
#define SIM_PCI_FIRST_DEV 3u		/* PCI device i is 00:(3 + i).0 */
#define SIM_PCI_BAR_BASE 0xC0000000u	/* BAR0 of device i: + i MiB */
#define SIM_PCI_BAR_STRIDE 0x100000u
#define SIM_WINDOW_BASE 0xD0000000ull	/* extra window r: + r * 4 KiB */
#define SIM_WINDOW_SIZE 0x1000u
#define SIM_DEFAULT_SALT 0xD0D0u	/* the default client's hash reads */
#define SIM_CLEAR_TIMEOUT_MS 15000u

/* One access of a vCPU, as the hypervisor writes it into the slot. */
struct sim_access {
	uint32_t type;		/* VIOREQ_TYPE_* */
	uint32_t dir;
	uint32_t size;
	uint32_t target;	/* SIM_TARGET_*: who should serve it */
	uint64_t address;	/* PORTIO / MMIO */
	uint64_t value;		/* written, for a write */
	uint32_t bus, dev, func, reg;	/* PCICFG */
	/* What the default client would answer if the owner is gone
	 * (during a restart): its hash of the request as routed. */
	uint32_t routed_type;
	uint64_t routed_key;
};

/* A read of the current operation, checked when the operation ends. */
struct sim_read_check {
	uint64_t got;
	uint64_t expected;
	uint64_t if_defaulted;	/* the default client's answer */
	bool wide;		/* MMIO: 64-bit result */
	bool after_write;	/* the operation wrote device state before */
	uint32_t target;
	uint32_t type;		/* the access, for the error message */
	uint64_t key;
	uint32_t size;
};

#define SIM_OP_READS_MAX 8u

struct sim_vcpu {
	struct sim *sim;
	uint32_t index;
	bool polling;
	pthread_t thread;
	uint64_t rng;
	uint64_t quota;		/* requests to issue; 0: until stopped */

	/* Completion notifications from the runtime (its notify hook). */
	struct vioreq_futex_event notified;
	_Atomic uint64_t notifications;

	/* Counters, written by this vCPU's thread only. */
	uint64_t requests, notify_completions, lost, duplicated, wrong,
		 disrupted;
	_Atomic uint64_t completed;	/* read by progress lines */
	uint64_t finished_ns;	/* when its last operation ended */
	struct sim_latency *latency;

	/* The operation in progress. */
	uint32_t op_generation;
	uint32_t op_requests;
	bool op_wrote_state;	/* wrote device state that a restart or a
				 * clear may have dropped */
	int op_device;		/* whose state: -1 none, 0 UART, 1 + i PCI i */
	bool op_reinit;		/* the operation rewrites all that state */
	uint64_t op_tx_count, op_tx_sum;	/* UART bytes sent */
	uint64_t op_tx_maybe;	/* other writes to UART offset 0 */
	uint32_t op_reads;
	struct sim_read_check reads[SIM_OP_READS_MAX];

	/* Shadows: this vCPU's copy of the device state it owns. */
	struct sim_uart uart;
	bool uart_dirty;
	uint64_t tx_certain, tx_certain_sum, tx_uncertain;
	struct sim_pci_dev *pci;	/* [sim->pci_count] */
	bool pci_dirty[SIM_MAX_DEVICE_CLIENTS];
	uint32_t conf1_selected;	/* last CF8 value it wrote */
};

struct sim_client {
	struct sim *sim;
	uint32_t target;
	bool present;
	uint32_t flags;
	_Atomic int id;		/* runtime client id */
	pthread_t thread;
	bool running;
	uint64_t salt;
	struct vioreq_rt_range *ranges;
	uint32_t range_count;
};

struct sim {
	struct sim_config cfg;
	struct vioreq_page *page;
	struct vioreq_rt_vm *vm;
	/* Kernel backend: /dev/vioreq_sim, and the VM's id there. */
	int hv_fd;
	uint16_t vmid;
	uint32_t pci_count;

	/* The devices; each lock serialises an old client thread still
	 * finishing a request with its restarted successor. */
	struct sim_uart uart;
	pthread_mutex_t uart_lock;
	struct sim_pci_dev *pci;	/* [pci_count] */
	pthread_mutex_t pci_lock[SIM_MAX_DEVICE_CLIENTS];

	struct sim_client clients[SIM_TARGET_COUNT];
	struct sim_vcpu vcpus[SIM_MAX_VCPUS];

	/* The guest kernel's lock over CF8/CFC sequences (Linux: pci_lock). */
	pthread_mutex_t guest_pci_lock;
	/* Serialises restarts and clears. */
	pthread_mutex_t control_lock;
	/* Odd while a client restart or a clear is in progress; a request
	 * whose operation saw it change may get the results allowed then. */
	_Atomic uint32_t disruption;
	atomic_bool stop;
	_Atomic uint32_t vcpus_running;
	bool started, waited;
	struct timespec t_start;

	pthread_mutex_t trace_lock;
};

/* hypervisor.c */
int sim_hv_access(struct sim_vcpu *c, struct sim_access *a, uint64_t *result);
void sim_hv_notify(void *ctx, uint32_t vcpu);
void *sim_vcpu_main(void *arg);

/* hv_kernel.c: the hypervisor through /dev/vioreq_sim (kernel backend). */
int sim_hv_kernel_open(struct sim *sim, char *err, size_t errlen);
int sim_hv_kernel_access(struct sim_vcpu *c, struct sim_access *a,
			 uint64_t *result);

/* workload.c: one operation (a few requests); -1 once a request is lost. */
int sim_workload_step(struct sim_vcpu *c);
/* Whether a client restart or a clear overlapped the current operation,
 * so its requests may have been completed by the core instead. */
bool sim_op_disrupted(const struct sim_vcpu *c);
void sim_workload_init(struct sim_vcpu *c);

/* device_client.c */
int sim_client_start(struct sim_client *cl);
void sim_client_stop(struct sim_client *cl);
uint64_t sim_window_salt(uint32_t target);
uint32_t sim_window_owner(const struct sim *sim, uint32_t window);

/* trace.c */
void sim_trace_hv(struct sim *sim, uint32_t vcpu, uint32_t from, uint32_t to);
void sim_trace_service(void *ctx, uint32_t vcpu, uint32_t from, uint32_t to,
		       uint32_t client);

static inline uint64_t sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif /* VIOREQ_SIM_INTERNAL_H */
