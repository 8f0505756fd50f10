/*
 * Spin model of vioreq's request protocol (issue 6): the hypervisor's
 * vCPUs, the core's dispatch, completion, client destruction and clear
 * under the VM lock, I/O clients, and a hostile userspace writer.
 * spec/model/README.md has the properties, bounds and results;
 * tests/model/run_spin.py runs the checks.
 *
 * The states, actors, ownership and allowed transitions come from
 * spec_gen.pml, which spec/generate.py generates from spec/vioreq.toml.
 * This file is the algorithm: each core operation follows the function of
 * core/src/ named beside it.
 *
 * Atomicity. Core operations hold the VM lock (kmod/README.md: one mutex
 * per VM around every core call), so they are atomic with respect to each
 * other but not to the hypervisor and the hostile writer, which touch the
 * page at any time. Hence every page access of the core is a step of its
 * own; steps that touch only the core's VM state (which only the lock
 * holder reads or writes) are merged into the neighbouring page access.
 * Each core decision is taken on one read of the page into a local
 * (REQ-SLOT-001).
 *
 * Compile-time switches (spin -D...):
 *   HOSTILE          run the hostile writer: any state value (0..3 and
 *                    STATE_OUT_OF_RANGE) into any slot at any time
 *   BROKEN_COMPLETE  vioreq_complete without the holder check (must fail)
 *   BROKEN_REREAD    vioreq_complete passes a second read of the page as
 *                    the transition's source state (must fail with HOSTILE)
 *   BROKEN_NOTIFY    the platform drops every notification (the liveness
 *                    check must fail)
 *   CHECK_STALE      also assert that the default client completes the
 *                    request it saw PROCESSING, not a later one in the same
 *                    slot (an ABI limit, not checked by default: README)
 *   HOSTILE_WRITES   how many writes the hostile writer makes (2), each at
 *                    any moment, into any slot, of any value
 *   NVCPU, NREQ      vCPUs (2) and requests per vCPU (2)
 *   HOSTILE_SLOT     the hostile writer writes only this slot (default: any)
 *   ONE_RANGE_CLIENT no second range client (C_R2) and no request for it
 *   MALFORMED        the hypervisor also writes malformed requests
 *   POLLING_ANY      each request picks completion polling or notification
 *                    (default: vCPU 0 is notified, the others poll)
 */

#include "spec_gen.pml"

#ifndef NVCPU
#define NVCPU 2
#endif
#ifndef NREQ
#define NREQ 2
#endif

/* Clients: two range clients (in-kernel style: they take the slots the
 * core's record gives them) and the default client (acrn-dm style: it
 * scans the page for PROCESSING slots after a wake-up). */
#define NCLIENT 3
#define C_R1 0
#define C_R2 1
#define C_DEF 2
#define C_NONE 255

#define CL_ACTIVE 1
#define CL_DESTROYING 2

/* What a request's snapshot decodes to (vioreq_request_decode and
 * vioreq_route; the decoding itself is proved with WP, not modelled). */
#define K_R1 0		/* inside the range of C_R1 */
#define K_R2 1		/* inside the range of C_R2 */
#define K_UNMAPPED 2	/* no range: the default client */
#define K_MALFORMED 3	/* fails validation */

#define EINVAL 22
#define EPERM 1

/* ---------------------------------------------------------------- page */
byte page_state[NVCPU];		/* processed */
bit page_polling[NVCPU];	/* completion_polling */
byte page_kind[NVCPU];		/* the request body, as its decoding */

/* ------------------------------------------- core VM state (vm->lock) */
bit vm_lock;
byte slot_owner[NVCPU];		/* vm->slot_owner */
byte client_state[NCLIENT];	/* vm->client_state */
byte default_client;		/* vm->default_client */
byte range_owner[2];		/* the ranges of K_R1 and K_R2 */
bit clearing;			/* vm->clearing */

/* ---------------------------- platform signals (after the lock drops) */
bit upcall;			/* dispatch work queued */
bit wake[NCLIENT];		/* a client was handed a slot */
bit notified[NVCPU];		/* notify-request-finish hypercall */

/* ---------------------------------------------------------------- ghosts */
bit g_hv_owns[NVCPU];		/* the hypervisor owns the slot: 0 from its PENDING
				 * store until it sees COMPLETE */
bit g_svc_owns[NVCPU];		/* the core took a PENDING and has not completed it */
byte g_done[NVCPU];		/* completions of the vCPU's current request */
byte g_holder[NVCPU];		/* the client dispatch assigned the slot to */
#ifdef CHECK_STALE
byte g_seq[NVCPU];		/* requests the vCPU has written */
#define STALE_SEEN byte g_seen = 255
#else
#define STALE_SEEN
#endif

/* A hostile writer stalls the guest it serves: then a vCPU waiting for a
 * completion that never comes is a valid end state. */
#ifdef HOSTILE
#define HV_POLL_WAIT end_hv_poll
#define HV_NOTIFY_WAIT end_hv_notify
#else
#define HV_POLL_WAIT hv_poll
#define HV_NOTIFY_WAIT hv_notify
#endif

/*
 * The hypervisor sees COMPLETE, reads the result and stores FREE. Without a
 * hostile writer nobody else touches a slot the hypervisor owns, so that is
 * one step; with one, the store is a step of its own.
 */
#ifndef HOSTILE
#define HV_CONSUME \
	assert(!g_svc_owns[v] && g_done[v] == 1); \
	g_hv_owns[v] = 1; \
	store_state(v, STATE_COMPLETE, STATE_FREE, ACTOR_HYPERVISOR)
#define HV_FREE
#else
#define HV_CONSUME g_hv_owns[v] = 1
#define HV_FREE store_state(v, STATE_COMPLETE, STATE_FREE, ACTOR_HYPERVISOR);
#endif

inline lock()
{
	atomic { vm_lock == 0 -> vm_lock = 1 }
}

/*
 * Every store of a state, by the hypervisor or the core, goes through
 * here. `from` is the mover's own knowledge: its record, or the one read
 * it has just checked. REQ-STATE-002, REQ-OWN-002: the transition is in
 * the generated table. Without a hostile writer the page really is in
 * `from` and its owner (generated table) is the mover: only the owner
 * moves a slot.
 */
inline store_state(v, from, to, actor)
{
	assert(ALLOWED(from, to, actor));
	assert(STATE_KNOWN(from));
#ifndef HOSTILE
	assert(page_state[v] == from && OWNER(page_state[v]) == actor);
#endif
	page_state[v] = to
}

/* The core stores COMPLETE for slot v: it completes what it took exactly
 * once (REQ-COMPLETE-003), and, without a hostile writer, each request of
 * the hypervisor at most once. */
inline core_store_complete(v)
{
	store_state(v, STATE_PROCESSING, STATE_COMPLETE, ACTOR_SERVICE);
	assert(g_svc_owns[v]);
	g_svc_owns[v] = 0;
	g_holder[v] = C_NONE;
	g_done[v]++;
#ifndef HOSTILE
	assert(g_done[v] == 1);
#endif
}

/*
 * vioreq_slot_finish(slot, held): the core completes a slot it holds
 * (held: the PENDING it has just read, or PROCESSING by its record),
 * reading completion_polling before it stores COMPLETE (REQ-COMPLETE-002).
 * The result words are not modelled.
 */
inline slot_finish(v, held, pol)
{
	if
	:: held == STATE_PENDING ->
		store_state(v, STATE_PENDING, STATE_PROCESSING, ACTOR_SERVICE)
	:: else -> skip
	fi;
	atomic {
		pol = page_polling[v];
		core_store_complete(v);
		ev_notify[v] = ev_notify[v] | (pol == 0);
		pol = 0
	}
}

/* vioreq_slot_release_held: completed on the core's own record. */
inline release_held(v, pol)
{
	slot_finish(v, STATE_PROCESSING, pol);
	slot_owner[v] = C_NONE
}

/*
 * vioreq_dispatch_slot(v): idle when held; one read of the state (acquire);
 * act only on PENDING; snapshot; complete it itself when clearing,
 * malformed or unroutable; else record the client, store PROCESSING and
 * report the wake-up.
 */
inline dispatch_slot(v, st, kind, c, pol)
{
	if
	:: slot_owner[v] != C_NONE -> skip
	:: else ->
		atomic {
			st = page_state[v];
			kind = page_kind[v];	/* vioreq_slot_snapshot */
			if
			:: st == STATE_PENDING ->
				/* The core takes the request: it owns the slot now. */
#ifndef HOSTILE
				assert(!g_hv_owns[v]);
#endif
				g_svc_owns[v] = 1
			:: else -> skip	/* idle; bad_state counted if unknown */
			fi
		}
		if
		:: st == STATE_PENDING ->
			if
			:: clearing -> c = C_NONE
			:: !clearing && kind == K_MALFORMED -> c = C_NONE
			:: !clearing && kind == K_UNMAPPED -> c = default_client
			:: !clearing && kind == K_R1 ->
				c = (range_owner[0] != C_NONE -> range_owner[0] : default_client)
			:: !clearing && kind == K_R2 ->
				c = (range_owner[1] != C_NONE -> range_owner[1] : default_client)
			fi;
			if
			:: c == C_NONE || client_state[c] != CL_ACTIVE ->
				/* REQ-DISPATCH-005/006: the core completes it. */
				slot_finish(v, STATE_PENDING, pol)
			:: else ->
				atomic {
					slot_owner[v] = c;
					g_holder[v] = c;
					store_state(v, STATE_PENDING, STATE_PROCESSING,
						    ACTOR_SERVICE);
					ev_wake[c] = 1
				}
			fi
		:: else -> skip
		fi;
		st = 0; kind = 0; c = 0
	fi
}

/*
 * vioreq_complete(v, c): succeeds only when the core's record says c holds
 * v (REQ-COMPLETE-001) and one read of the page says PROCESSING.
 */
inline core_complete(v, c, st, pol, ret)
{
	ret = 0;
#ifndef BROKEN_COMPLETE
	if
	:: slot_owner[v] == C_NONE -> ret = EINVAL
	:: slot_owner[v] != C_NONE && slot_owner[v] != c -> ret = EPERM
	:: else -> skip
	fi;
#endif
	if
	:: ret == 0 ->
		st = page_state[v];
		if
		:: st != STATE_PROCESSING -> ret = EINVAL	/* bad_state if unknown */
		:: else ->
#ifdef BROKEN_REREAD
			/* The transition's source state read a second time. */
			st = page_state[v];
#endif
			atomic {
				pol = page_polling[v];
				slot_owner[v] = C_NONE;
				/* REQ-COMPLETE-001: only the client it was given to. */
				assert(g_holder[v] == c);
				assert(ALLOWED(st, STATE_COMPLETE, ACTOR_SERVICE));
				core_store_complete(v);
#ifdef CHECK_STALE
				/* The client completes the request it looked at. */
				assert(g_seen == 255 || g_seen == g_seq[v]);
#endif
				ev_notify[v] = ev_notify[v] | (pol == 0);
				pol = 0
			}
		fi;
		st = 0
	:: else -> skip
	fi
}

/* Hand the events reported by a core call to the platform (after unlock). */
inline deliver()
{
	d_step {
		i = 0;
		do
		:: i < NCLIENT -> wake[i] = wake[i] | ev_wake[i]; ev_wake[i] = 0; i++
		:: else -> break
		od;
		i = 0;
		do
#ifndef BROKEN_NOTIFY
		:: i < NVCPU -> notified[i] = notified[i] | ev_notify[i]; ev_notify[i] = 0; i++
#else
		:: i < NVCPU -> ev_notify[i] = 0; i++	/* notifications lost */
#endif
		:: else -> break
		od;
		i = 0
	}
}

#define DECLARE_EVENTS bit ev_wake[NCLIENT]; bit ev_notify[NVCPU]; byte i

/* ----------------------------------------------------------- hypervisor */
proctype hypervisor(byte v)
{
	byte n = 0;
	bit pol;

	do
	:: n < NREQ ->
		/* Write the request, PENDING last (release), and the upcall:
		 * one step (README: reductions). */
		atomic {
			if
			:: page_kind[v] = K_R1
#ifndef ONE_RANGE_CLIENT
			:: page_kind[v] = K_R2
#endif
			:: page_kind[v] = K_UNMAPPED
#ifdef MALFORMED
			:: page_kind[v] = K_MALFORMED
#endif
			fi;
#ifdef POLLING_ANY
			if
			:: pol = 0
			:: pol = 1
			fi;
#else
			pol = (v == 0 -> 0 : 1);	/* vCPU 0 notified, the others poll */
#endif
			page_polling[v] = pol;
			g_done[v] = 0;
			g_hv_owns[v] = 0;
#ifdef CHECK_STALE
			g_seq[v]++;
#endif
			store_state(v, STATE_FREE, STATE_PENDING, ACTOR_HYPERVISOR);
			upcall = 1
		}
		/* Wait for COMPLETE: polling, or a notification after which the
		 * state is checked (a notification without COMPLETE is dropped). */
		if
		:: pol == 1 ->
HV_POLL_WAIT:
			atomic {
				page_state[v] == STATE_COMPLETE ->
				HV_CONSUME
			}
		:: pol == 0 ->
HV_NOTIFY_WAIT:
			atomic { notified[v] == 1 -> notified[v] = 0 };
			if
			:: atomic {
				page_state[v] == STATE_COMPLETE ->
				HV_CONSUME
			   }
			:: else -> goto HV_NOTIFY_WAIT
			fi
		fi;
		HV_FREE
		n++
	:: else -> break
	od
}

/* ------------------------------------------------ dispatch work (upcall) */
proctype dispatcher()
{
	byte v, st, kind, c, pol;
	DECLARE_EVENTS;

end_dispatch:
	do
	:: atomic { upcall == 1 -> upcall = 0 };
		lock();
		/* vioreq_dispatch: every slot once, in one core call. */
		v = 0;
		do
		:: v < NVCPU -> dispatch_slot(v, st, kind, c, pol); v++
		:: else -> break
		od;
		v = 0;
		atomic { vm_lock = 0; deliver() }
	od
}

/* ----------------------------------------------- range client (in-kernel) */
proctype range_client(byte c)
{
	byte v, st, pol, ret;
	bit held[NVCPU];
	DECLARE_EVENTS;
	STALE_SEEN;

end_client:
	do
	:: atomic { wake[c] == 1 -> wake[c] = 0 };
		/* The slots the core's record gives it (the `held` mask). */
		atomic {
			lock();
			if
			:: client_state[c] != CL_ACTIVE -> vm_lock = 0; break
			:: else -> skip
			fi;
			v = 0;
			do
			:: v < NVCPU -> held[v] = (slot_owner[v] == c); v++
			:: else -> break
			od;
			v = 0;
			vm_lock = 0
		}
		/* Emulate each and complete it, one core call each. */
		do
		:: v < NVCPU && held[v] ->
			lock();
			core_complete(v, c, st, pol, ret);
			atomic { vm_lock = 0; deliver() };
			held[v] = 0; ret = 0; v++
		:: v < NVCPU && !held[v] -> v++
		:: else -> v = 0; break
		od
	od
}

/* --------------------------------------- default client (acrn-dm style) */
proctype def_client()
{
	byte v, st, pol, ret;
	DECLARE_EVENTS;
	STALE_SEEN;

end_client:
	do
	:: atomic { wake[C_DEF] == 1 -> wake[C_DEF] = 0 };
		atomic {
			lock();
			if
			:: client_state[C_DEF] != CL_ACTIVE -> vm_lock = 0; break
			:: else -> vm_lock = 0
			fi
		}
		/* Scan the page (no lock) and finish every PROCESSING slot; the
		 * core refuses the ones that are not this client's. */
		v = 0;
		do
		:: v < NVCPU ->
			if
			:: atomic {
				page_state[v] == STATE_PROCESSING ->
#ifdef CHECK_STALE
				g_seen = g_seq[v];
#endif
				lock()
			   } ->
				core_complete(v, C_DEF, st, pol, ret);
				atomic { vm_lock = 0; deliver() };
				ret = 0
			:: else -> skip
			fi;
			v++
		:: else -> v = 0; break
		od
	od
}

/* ------------------------------------------- vioreq_client_destroy(c) */
proctype destroyer()
{
	byte c, v, pol;
	DECLARE_EVENTS;

	if
	:: c = C_R1
	:: c = C_DEF
	:: c = C_NONE	/* no destruction */
	fi;
	if
	:: c == C_NONE -> goto done
	:: else -> skip
	fi;
	lock();
	atomic {
		/* Ranges removed, no longer the default client. */
		if
		:: range_owner[0] == c -> range_owner[0] = C_NONE
		:: else -> skip
		fi;
		if
		:: range_owner[1] == c -> range_owner[1] = C_NONE
		:: else -> skip
		fi;
		if
		:: default_client == c -> default_client = C_NONE
		:: else -> skip
		fi
	}
	/* Every held slot completed with the defined result (REQ-CLIENT-004). */
	v = 0;
	do
	:: v < NVCPU && slot_owner[v] == c -> release_held(v, pol); v++
	:: v < NVCPU && slot_owner[v] != c -> v++
	:: else -> break
	od;
	atomic {
		client_state[c] = CL_DESTROYING;
		vm_lock = 0;
		deliver();
		wake[c] = 1	/* its sleepers return -ENODEV */
	}
done:
	skip
}

/* ------------------------------------- vioreq_clear_begin / clear_end */
proctype clearer()
{
	byte v, pol;
	DECLARE_EVENTS;

	lock();
	clearing = 1;
	v = 0;
	do
	:: v < NVCPU && slot_owner[v] != C_NONE && slot_owner[v] == default_client ->
		release_held(v, pol); v++
	:: v < NVCPU && (slot_owner[v] == C_NONE || slot_owner[v] != default_client) -> v++
	:: else -> break
	od;
	atomic { vm_lock = 0; deliver() };
	/* Dispatch runs with clearing set in between (REQ-DISPATCH-006). */
	atomic {
		lock();
		clearing = 0;
		vm_lock = 0
	}
}

/* -------------------------------------------------- hostile userspace */
#ifdef HOSTILE
#ifndef HOSTILE_WRITES
#define HOSTILE_WRITES 2
#endif
proctype hostile()
{
	byte v, s, n;

end_hostile:
	do
	:: n < HOSTILE_WRITES ->
		atomic {
#ifdef HOSTILE_SLOT
			v = HOSTILE_SLOT;
#else
			select (v : 0 .. NVCPU - 1);
#endif
			any_state_value(s);
			page_state[v] = s;
			v = 0; s = 0; n++
		}
	:: else -> break
	od
}
#endif

init {
	byte v;

	atomic {
		v = 0;
		do
		:: v < NVCPU ->
			page_state[v] = STATE_FREE;
			slot_owner[v] = C_NONE;
			g_holder[v] = C_NONE;
			g_hv_owns[v] = 1;
			v++
		:: else -> break
		od;
		v = 0;
		client_state[C_R1] = CL_ACTIVE;
		client_state[C_R2] = CL_ACTIVE;
		client_state[C_DEF] = CL_ACTIVE;
		default_client = C_DEF;
		range_owner[0] = C_R1;
		range_owner[1] = C_R2;
		do
		:: v < NVCPU -> run hypervisor(v); v++
		:: else -> break
		od;
		v = 0;
		run dispatcher();
		run range_client(C_R1);
#ifndef ONE_RANGE_CLIENT
		run range_client(C_R2);
#endif
		run def_client();
		run destroyer();
		run clearer();
#ifdef HOSTILE
		run hostile()
#endif
	}
}

/*
 * Liveness (without a hostile writer, under weak fairness): every request
 * a vCPU writes is eventually completed and consumed.
 */
ltl completes {
	[] (!g_hv_owns[0] -> <> g_hv_owns[0]) &&
	[] (!g_hv_owns[1] -> <> g_hv_owns[1])
}
