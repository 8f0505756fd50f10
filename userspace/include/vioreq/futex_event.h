/* SPDX-License-Identifier: MIT */
/*
 * A futex-backed event counter: signal() bumps a sequence number and wakes
 * sleepers; wait(seen) returns once the number differs from `seen`. Used
 * for the hypervisor's upcall to the dispatch worker and, in the
 * simulator, for the completion notification to a vCPU. Signalling costs
 * one atomic add and a syscall only when someone sleeps.
 */
#ifndef VIOREQ_FUTEX_EVENT_H
#define VIOREQ_FUTEX_EVENT_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

struct vioreq_futex_event {
	_Atomic uint32_t seq;
	_Atomic uint32_t sleepers;
};

void vioreq_futex_event_init(struct vioreq_futex_event *ev);

/* The current sequence number, with acquire order: what the signaller
 * wrote before signalling is visible once a change is seen. */
uint32_t vioreq_futex_event_read(struct vioreq_futex_event *ev);

void vioreq_futex_event_signal(struct vioreq_futex_event *ev);

/* signal() in its two halves, for a signaller that decides in between
 * whether a wake-up is needed (the local backend's upcall skips it while a
 * spinning thread watches the sequence: local_vm.c). bump() is seq_cst, so
 * a load after it is ordered after the increment. */
void vioreq_futex_event_bump(struct vioreq_futex_event *ev);
void vioreq_futex_event_wake(struct vioreq_futex_event *ev);

/* Wait until the sequence differs from seen; deadline (CLOCK_MONOTONIC,
 * absolute) may be NULL. Returns 0, or -ETIMEDOUT. */
int vioreq_futex_event_wait(struct vioreq_futex_event *ev, uint32_t seen,
			    const struct timespec *deadline);

#endif /* VIOREQ_FUTEX_EVENT_H */
