/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vioreq_sim.h - control interface of the vioreq hypervisor simulator.
 *
 * When vioreq.ko runs with backend=sim (or backend=auto on a machine
 * without an ACRN hypervisor), every hypercall the module makes goes to an
 * in-kernel simulator instead of vmcall, and the simulator plays the
 * hypervisor side of the shared I/O request page. /dev/vioreq_sim lets a
 * test program drive that simulator:
 *
 *   - inject an I/O request into the slot of (vmid, vcpu), as the
 *     hypervisor does when a guest vCPU traps, and fire the upcall;
 *   - wait for the request's completion and read the result, then free the
 *     slot (COMPLETE -> FREE, the hypervisor's transition);
 *   - read the log of hypercalls the module made, with their arguments
 *     (VM management, SET_IOREQ_BUFFER, NOTIFY_REQUEST_FINISH, ...);
 *   - read the core's counters of a VM;
 *   - attach an in-kernel test device (an in-kernel I/O client) to a VM.
 *
 * The vmid is the one ACRN_IOCTL_CREATE_VM returned on /dev/acrn_hsm.
 * Every struct has fixed-size fields only and the same layout on 32- and
 * 64-bit; reserved fields must be zero on input (-EINVAL otherwise).
 * Stable: fields and commands are only ever added, never changed.
 */
#ifndef _UAPI_VIOREQ_SIM_H
#define _UAPI_VIOREQ_SIM_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VIOREQ_SIM_DEVICE	"/dev/vioreq_sim"
#define VIOREQ_SIM_IOCTL_TYPE	0xB9

/* Most vCPUs (and slots) a simulated VM has; the page has 16 slots. */
#define VIOREQ_SIM_MAX_VCPUS	16
/* Most VMs the simulator holds at once; vmids are 0 .. MAX_VMS - 1. */
#define VIOREQ_SIM_MAX_VMS	16

/* ------------------------------------------------------------ inject */

/* Do not require the slot to be FREE (it is overwritten whatever it is). */
#define VIOREQ_SIM_INJECT_FORCE		(1u << 0)
/* Write raw[] over the whole slot instead of the decoded fields below;
 * processed is taken from raw[] too (bytes 136..139) and stored last,
 * with release order. For fuzzing: any bytes at all. */
#define VIOREQ_SIM_INJECT_RAW		(1u << 1)
/* Write the slot but do not fire the upcall. */
#define VIOREQ_SIM_INJECT_NO_UPCALL	(1u << 2)
#define VIOREQ_SIM_INJECT_FLAGS		0x7u

/**
 * struct vioreq_sim_inject - a trapped access, as the hypervisor writes it
 * @vmid:	VM id (from ACRN_IOCTL_CREATE_VM)
 * @reserved0:	must be 0
 * @vcpu:	vCPU, < the VM's vcpu_num; selects the slot
 * @flags:	VIOREQ_SIM_INJECT_*
 * @completion_polling: copied into the slot; when set, the simulator does
 *		not expect a NOTIFY_REQUEST_FINISH hypercall for it
 * @type:	ACRN_IOREQ_TYPE_PORTIO / _MMIO / _PCICFG (any value is written)
 * @direction:	ACRN_IOREQ_DIR_READ / _WRITE (any value is written)
 * @address:	port or guest physical address (PIO, MMIO)
 * @size:	access size in bytes
 * @value:	value of a write (PIO and PCI: low 32 bits)
 * @pci_bus, @pci_dev, @pci_func, @pci_reg: PCICFG fields
 * @raw:	with VIOREQ_SIM_INJECT_RAW, the 256 bytes of the slot
 *
 * Without RAW the slot is first zeroed, then type, completion_polling and
 * the request union are written as struct acrn_io_request lays them out,
 * then processed = ACRN_IOREQ_STATE_PENDING with release order. Then the
 * upcall fires (the dispatch runs asynchronously, in a work item).
 *
 * Errors: -ENOENT no such VM or it has no ioreq buffer, -EINVAL bad vcpu,
 * flags or reserved field, -EBUSY slot not FREE (without FORCE).
 */
struct vioreq_sim_inject {
	__u16	vmid;
	__u16	reserved0;
	__u32	vcpu;
	__u32	flags;
	__u32	completion_polling;
	__u32	type;
	__u32	direction;
	__u64	address;
	__u64	size;
	__u64	value;
	__u32	pci_bus;
	__u32	pci_dev;
	__u32	pci_func;
	__u32	pci_reg;
	__u8	raw[256];
};

/* ------------------------------------------------------------ wait */

/* Leave the slot COMPLETE (do not do COMPLETE -> FREE after the wait). */
#define VIOREQ_SIM_WAIT_KEEP		(1u << 0)
/* Return as soon as the slot is COMPLETE, even without a notification
 * (for a non-polling request, the normal condition is COMPLETE and at least
 * one NOTIFY_REQUEST_FINISH for this vCPU since the injection). */
#define VIOREQ_SIM_WAIT_NO_NOTIFY	(1u << 1)
#define VIOREQ_SIM_WAIT_FLAGS		0x3u

/**
 * struct vioreq_sim_wait - wait for the completion of a vCPU's request
 * @vmid, @reserved0, @vcpu: as in struct vioreq_sim_inject
 * @timeout_ms:	in: how long to wait; 0 = just look
 * @flags:	in: VIOREQ_SIM_WAIT_*
 * @state:	out: the slot's processed field as last read
 * @notified:	out: NOTIFY_REQUEST_FINISH hypercalls for this vCPU since the
 *		last injection into it
 * @kernel_handled: out: the slot's kernel_handled field
 * @reserved1:	must be 0
 * @value:	out: the value field (64 bits; PIO and PCI use the low 32)
 *
 * Completes when the slot is COMPLETE and either the request was injected
 * with completion_polling, or a notification arrived, or NO_NOTIFY is set.
 * Then, unless KEEP, the slot is set FREE (release order), as the
 * hypervisor does when it resumes the vCPU. Returns 0; -ETIMEDOUT when
 * the condition did not hold in time (the out fields are still filled in
 * and copied back); -EINTR on a signal; -ENOENT / -EINVAL as for inject.
 */
struct vioreq_sim_wait {
	__u16	vmid;
	__u16	reserved0;
	__u32	vcpu;
	__u32	timeout_ms;
	__u32	flags;
	__u32	state;
	__u32	notified;
	__u32	kernel_handled;
	__u32	reserved1;
	__u64	value;
};

/**
 * struct vioreq_sim_slot - read the raw bytes of a slot
 * @vmid, @reserved0, @vcpu: as in struct vioreq_sim_inject
 * @raw:	out: the 256 bytes of the slot (each word read once)
 */
struct vioreq_sim_slot {
	__u16	vmid;
	__u16	reserved0;
	__u32	vcpu;
	__u8	raw[256];
};

/* ------------------------------------------------------------ hypercall log */

/**
 * struct vioreq_sim_hcall - one hypercall the module made
 * @seq:	sequence number, from 1, counting every hypercall (also the
 *		ones dropped from a full log)
 * @id:		hypercall id: (0x80 << 24) | nr, the VIOREQ_HC_* values of
 *		core/include/vioreq/uapi_gen.h
 * @ret:	what the simulator returned to the module (0 or -errno)
 * @vmid:	the VM it was for (CREATE_VM: the vmid given out; 0xffff when
 *		the call failed)
 * @reserved0, @reserved1: 0
 * @args:	arguments, by id:
 *	CREATE_VM:	[0] vcpu_num returned, [1] vm_flag, [2] cpu_affinity,
 *			[3] ioreq_buf as userspace passed it
 *	DESTROY_VM, START_VM, PAUSE_VM, RESET_VM: none
 *	SET_IOREQ_BUFFER: [0] physical address of the ioreq page
 *	NOTIFY_REQUEST_FINISH: [0] vcpu
 *	SET_VCPU_REGS:	[0] vcpu_id, [1] rip, [2] rsp, [3] cr0, [4] cr3,
 *			[5] cr4
 *	SET_MEMORY_REGIONS (one entry per region): [0] op (0 add, 2 delete),
 *			[1] attr / memory type, [2] user_vm_pa,
 *			[3] service_vm_pa (MMIO) or vma_base (RAM),
 *			[4] size, [5] 0
 *	SET_IRQLINE:	[0] the 64-bit ioctl argument (gsi | op << 32)
 *	INJECT_MSI:	[0] msi_addr, [1] msi_data
 *	VM_INTR_MONITOR: [0] physical address of the page, [1] and [2] its
 *			first two 64-bit words (struct acrn_intr_monitor of
 *			the ACRN hypervisor: cmd | buf_cnt << 32, buffer[0])
 *	SET_PTDEV_INTR, RESET_PTDEV_INTR: [0] type, [1] virt_bdf,
 *			[2] phys_bdf, [3] intx.virt_pin, [4] intx.phys_pin
 *	ASSIGN_PCIDEV, DEASSIGN_PCIDEV: [0] type, [1] virt_bdf, [2] phys_bdf,
 *			[3] intr_line | intr_pin << 8, [4] bar[0]
 *	ASSIGN_MMIODEV, DEASSIGN_MMIODEV: [0] name[0..7] (little endian),
 *			[1] res[0].user_vm_pa, [2] res[0].service_vm_pa,
 *			[3] res[0].size, [4] res[0].mem_type
 *	CREATE_VDEV, DESTROY_VDEV: [0] id.value, [1] slot, [2] io_addr[0],
 *			[3] io_size[0], [4] args[0..7] (little endian)
 *	  and for these eight: [5] VIOREQ_SIM_FNV1A64 of the whole struct
 *			(struct acrn_ptdev_irq, acrn_pcidev, acrn_mmiodev or
 *			acrn_vdev) as the simulator read it, padding included
 *	PM_GET_CPU_STATE: @vmid is the target VM of the command word;
 *			[0] the command word, [1] bytes of the answer written
 *			(see VIOREQ_SIM_PX_CNT below)
 *
 * The simulator accepts every pass-through call on an existing VM (it keeps
 * no pass-through state) and fails a VM_INTR_MONITOR whose address is not
 * a page of RAM with -EINVAL.
 */
struct vioreq_sim_hcall {
	__u64	seq;
	__u32	id;
	__s32	ret;
	__u16	vmid;
	__u16	reserved0;
	__u32	reserved1;
	__u64	args[6];
};

#define VIOREQ_SIM_HCALL_BATCH	32

/*
 * The hash of a pass-through argument in the log: 64-bit FNV-1a over its
 * bytes (start with the offset basis; for each byte, xor it in, then
 * multiply by the prime, modulo 2^64).
 */
#define VIOREQ_SIM_FNV1A64_BASIS	0xcbf29ce484222325ull
#define VIOREQ_SIM_FNV1A64_PRIME	0x100000001b3ull

/*
 * PM_GET_CPU_STATE: the simulator's CPU power states, the same for every
 * VM and vCPU. The target VM (command word bits 31..24) must exist, else
 * -EINVAL, as any unknown type or state index. As the ACRN hypervisor, it
 * writes only the answer: a count is one byte (the module's buffer is
 * zeroed, so userspace reads a u64 of that value).
 *   GET_PX_CNT:  VIOREQ_SIM_PX_CNT
 *   GET_CX_CNT:  VIOREQ_SIM_CX_CNT
 *   GET_PX_DATA, P state n (0 .. VIOREQ_SIM_PX_CNT - 1): struct
 *	acrn_pstate_data { core_frequency 2000 - 100 n, power 10000 - 1000 n,
 *	transition_latency 10 + n, bus_master_latency 20 + n,
 *	control 0x1000 + n, status 0x2000 + n }
 *   GET_CX_DATA, C state n (1 .. VIOREQ_SIM_CX_CNT): struct
 *	acrn_cstate_data { cx_reg { space_id 1 (system I/O), bit_width 8,
 *	bit_offset 0, access_size 1, address 0x400 + n }, type n,
 *	latency 100 n, power 1000 - 100 n }, padding 0
 */
#define VIOREQ_SIM_PX_CNT	4
#define VIOREQ_SIM_CX_CNT	3

/**
 * struct vioreq_sim_hcalls - take entries from the hypercall log
 * @max:	in: at most this many (1 .. VIOREQ_SIM_HCALL_BATCH)
 * @count:	out: how many were taken, oldest first
 * @timeout_ms:	in: when the log is empty, wait this long for an entry
 * @lost:	out: entries dropped because the log (1024 entries) was full,
 *		since the previous take
 * @ev:		out: the entries
 *
 * Entries taken are removed from the log. Returns 0 (count may be 0 after
 * the timeout), -EINTR on a signal.
 */
struct vioreq_sim_hcalls {
	__u32	max;
	__u32	count;
	__u32	timeout_ms;
	__u32	lost;
	struct vioreq_sim_hcall	ev[VIOREQ_SIM_HCALL_BATCH];
};

/* ------------------------------------------------------------ config, stats */

/**
 * struct vioreq_sim_config - simulator settings (write only)
 * @vcpu_num:	vcpu_num that CREATE_VM returns for VMs created from now on,
 *		1 .. VIOREQ_SIM_MAX_VCPUS; 0 keeps the current value (default
 *		VIOREQ_SIM_MAX_VCPUS)
 * @fail_id:	hypercall id (VIOREQ_HC_*) whose next call fails; 0 = none
 * @fail_errno:	the negative errno that call returns (e.g. -EIO)
 * @fail_count:	how many calls of fail_id fail (0 with fail_id: 1)
 */
struct vioreq_sim_config {
	__u32	vcpu_num;
	__u32	fail_id;
	__s32	fail_errno;
	__u32	fail_count;
};

/**
 * struct vioreq_sim_stats - counters of one VM
 * @vmid, @reserved0: in
 * @clients:	out: I/O clients that exist (active or being destroyed)
 * @held_mask:	out: bit v set when some client holds slot v (PROCESSING)
 * @dispatched:	out: per type (PIO, MMIO, PCI), handed to a client
 * @completed:	out: completed by their client
 * @malformed, @unroutable, @orphaned, @cleared, @conf1_address,
 * @bad_state:	out: the core's counters (core/include/vioreq/vm.h)
 * @upcalls:	out: upcalls the module received (all VMs)
 * @notified:	out: NOTIFY_REQUEST_FINISH hypercalls for this VM
 */
struct vioreq_sim_stats {
	__u16	vmid;
	__u16	reserved0;
	__u32	clients;
	__u32	held_mask;
	__u32	reserved1;
	__u64	dispatched[3];
	__u64	completed;
	__u64	malformed;
	__u64	unroutable;
	__u64	orphaned;
	__u64	cleared;
	__u64	conf1_address;
	__u64	bad_state;
	__u64	upcalls;
	__u64	notified;
};

/* ------------------------------------------------------------ test device */

/* Hold every request (PROCESSING) instead of completing it, until the
 * device is detached or the VM destroyed (the core then completes them
 * with all ones). */
#define VIOREQ_SIM_TESTDEV_HOLD		(1u << 0)
/* Answer each request through the late-completion call while the handler
 * still runs, then return "hold": a device model that hands the request
 * to a faster thread. The request completes once, with its value. */
#define VIOREQ_SIM_TESTDEV_EARLY	(1u << 1)
/* Stop each handler call at a gate, with the VM unlocked, until
 * VIOREQ_SIM_TESTDEV_GATE opens it, the device is detached, or a call has
 * waited 10 s; it then stays open. Lets a test change the page while the
 * in-kernel client's work is between two passes. */
#define VIOREQ_SIM_TESTDEV_GATED	(1u << 2)
#define VIOREQ_SIM_TESTDEV_FLAGS	0x7u

/**
 * struct vioreq_sim_testdev - an in-kernel I/O client ("test device")
 * @vmid, @reserved0: the VM
 * @type:	ACRN_IOREQ_TYPE_* of its range
 * @flags:	VIOREQ_SIM_TESTDEV_*
 * @start, @end: its range, inclusive (PCICFG: ECAM keys
 *		bus << 20 | dev << 15 | func << 12 | reg)
 * @id:		out of ATTACH, in for DETACH: the client id
 * @reserved1:	0
 *
 * The device is 4096 bytes of memory, byte i initially i & 0xff. An access
 * of size n at key a touches bytes (a - start + k) & 0xfff, k = 0 .. n-1,
 * little endian: a write stores them, a read returns them. Requests it
 * gets are marked kernel_handled = 1. It is created with the module's
 * in-kernel client API, as an in-kernel device model would be.
 *
 * ATTACH errors: -ENOENT no VM, -EINVAL bad type/flags/end < start,
 * -EBUSY the range overlaps another client's, -ENOSPC no client id free.
 * DETACH errors: -ENOENT no VM or no test device with that id.
 */
struct vioreq_sim_testdev {
	__u16	vmid;
	__u16	reserved0;
	__u32	type;
	__u32	flags;
	__u32	id;
	__u64	start;
	__u64	end;
};

/**
 * struct vioreq_sim_testdev_gate - the gate of a VIOREQ_SIM_TESTDEV_GATED
 * test device
 * @vmid, @reserved0: the VM
 * @id:		the test device's client id
 * @open:	in: 1 opens the gate, 0 only reads @entered
 * @entered:	out: handler calls that have reached the gate so far
 *
 * Errors: -ENOENT no VM or no test device with that id, -EINVAL @open not
 * 0 or 1, @reserved0 not 0, or the device is not gated.
 */
struct vioreq_sim_testdev_gate {
	__u16	vmid;
	__u16	reserved0;
	__u32	id;
	__u32	open;
	__u32	entered;
};

/* ------------------------------------------------------------ commands */

#define VIOREQ_SIM_INJECT	_IOW(VIOREQ_SIM_IOCTL_TYPE, 0x01, struct vioreq_sim_inject)
#define VIOREQ_SIM_WAIT		_IOWR(VIOREQ_SIM_IOCTL_TYPE, 0x02, struct vioreq_sim_wait)
#define VIOREQ_SIM_READ_SLOT	_IOWR(VIOREQ_SIM_IOCTL_TYPE, 0x03, struct vioreq_sim_slot)
/* Fire the upcall without touching any slot (no argument). */
#define VIOREQ_SIM_UPCALL	_IO(VIOREQ_SIM_IOCTL_TYPE, 0x04)
#define VIOREQ_SIM_HCALLS	_IOWR(VIOREQ_SIM_IOCTL_TYPE, 0x05, struct vioreq_sim_hcalls)
#define VIOREQ_SIM_CONFIG	_IOW(VIOREQ_SIM_IOCTL_TYPE, 0x06, struct vioreq_sim_config)
#define VIOREQ_SIM_STATS	_IOWR(VIOREQ_SIM_IOCTL_TYPE, 0x07, struct vioreq_sim_stats)
#define VIOREQ_SIM_TESTDEV_ATTACH _IOWR(VIOREQ_SIM_IOCTL_TYPE, 0x08, struct vioreq_sim_testdev)
#define VIOREQ_SIM_TESTDEV_DETACH _IOW(VIOREQ_SIM_IOCTL_TYPE, 0x09, struct vioreq_sim_testdev)
#define VIOREQ_SIM_TESTDEV_GATE _IOWR(VIOREQ_SIM_IOCTL_TYPE, 0x0a, struct vioreq_sim_testdev_gate)

#endif /* _UAPI_VIOREQ_SIM_H */
