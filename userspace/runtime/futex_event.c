// SPDX-License-Identifier: MIT
/* Futex-backed event counter (futex_event.h). */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vioreq/futex_event.h"

/* Spin this many reads before sleeping: a signal often follows within a
 * microsecond when the other side is running, and a futex round trip
 * costs several. Kept short: the machine may have fewer cores than
 * threads. */
#define SPIN_READS 64

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

void vioreq_futex_event_init(struct vioreq_futex_event *ev)
{
	atomic_init(&ev->seq, 0);
	atomic_init(&ev->sleepers, 0);
}

uint32_t vioreq_futex_event_read(struct vioreq_futex_event *ev)
{
	return atomic_load_explicit(&ev->seq, memory_order_acquire);
}

void vioreq_futex_event_bump(struct vioreq_futex_event *ev)
{
	atomic_fetch_add_explicit(&ev->seq, 1, memory_order_seq_cst);
}

void vioreq_futex_event_wake(struct vioreq_futex_event *ev)
{
	if (atomic_load_explicit(&ev->sleepers, memory_order_seq_cst) != 0)
		syscall(SYS_futex, (uint32_t *)&ev->seq, FUTEX_WAKE_PRIVATE,
			INT_MAX, NULL, NULL, 0);
}

void vioreq_futex_event_signal(struct vioreq_futex_event *ev)
{
	/* seq_cst on both sides (here: bump, then read sleepers; in wait:
	 * count in, then re-read seq) so that either we see the sleeper or
	 * it sees the new sequence: no lost wake-up. */
	vioreq_futex_event_bump(ev);
	vioreq_futex_event_wake(ev);
}

int vioreq_futex_event_wait(struct vioreq_futex_event *ev, uint32_t seen,
			    const struct timespec *deadline)
{
	int i;

	for (i = 0; i < SPIN_READS; i++) {
		if (vioreq_futex_event_read(ev) != seen)
			return 0;
		cpu_relax();
	}
	while (vioreq_futex_event_read(ev) == seen) {
		long rc = 0;

		atomic_fetch_add_explicit(&ev->sleepers, 1,
					  memory_order_seq_cst);
		if (atomic_load_explicit(&ev->seq, memory_order_seq_cst) ==
		    seen)
			/* BITSET wait: the deadline is absolute, on
			 * CLOCK_MONOTONIC; returns at once if seq moved. */
			rc = syscall(SYS_futex, (uint32_t *)&ev->seq,
				     FUTEX_WAIT_BITSET_PRIVATE, seen, deadline,
				     NULL, FUTEX_BITSET_MATCH_ANY);
		atomic_fetch_sub_explicit(&ev->sleepers, 1,
					  memory_order_seq_cst);
		if (rc != 0 && errno == ETIMEDOUT &&
		    vioreq_futex_event_read(ev) == seen)
			return -ETIMEDOUT;
	}
	return 0;
}
