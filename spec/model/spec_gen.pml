/* Generated from spec/vioreq.toml by spec/generate.py; do not edit. */

/* The slot state machine of the spec as Promela macros, for the Spin
 * model spec/model/vioreq.pml (spec/model/README.md). Values are the
 * uapi values; the model stores them in bytes. */

/* REQ-STATE-001, REQ-OWN-001: request states (the slot's processed field) */
#define STATE_PENDING 0 /* owner: SERVICE */
#define STATE_COMPLETE 1 /* owner: HYPERVISOR */
#define STATE_PROCESSING 2 /* owner: SERVICE */
#define STATE_FREE 3 /* owner: HYPERVISOR */
#define STATE_COUNT 4
/* The smallest value that is no state: what a hostile writer stores to
 * test REQ-STATE-003. */
#define STATE_OUT_OF_RANGE 4
#define STATE_KNOWN(s) ((s) == STATE_PENDING || (s) == STATE_COMPLETE || (s) == STATE_PROCESSING || (s) == STATE_FREE)

/* REQ-OWN-001: parties that may move a slot */
#define ACTOR_HYPERVISOR 0
#define ACTOR_SERVICE 1
#define ACTOR_NONE 2 /* owner of a value that is no state */

/* REQ-STATE-001, REQ-OWN-001: the owner of each state */
#define OWNER(s) ((s) == STATE_PENDING -> ACTOR_SERVICE : ((s) == STATE_COMPLETE -> ACTOR_HYPERVISOR : ((s) == STATE_PROCESSING -> ACTOR_SERVICE : ((s) == STATE_FREE -> ACTOR_HYPERVISOR : ACTOR_NONE))))

/* REQ-STATE-002, REQ-OWN-002: the allowed (from, to, actor); every other
 * triple is forbidden, and each actor owns the source state of its
 * transitions (checked by spec/generate.py). */
#define ALLOWED(f, t, a) ( \
	   ((f) == STATE_FREE && (t) == STATE_PENDING && (a) == ACTOR_HYPERVISOR) \
	|| ((f) == STATE_PENDING && (t) == STATE_PROCESSING && (a) == ACTOR_SERVICE) \
	|| ((f) == STATE_PROCESSING && (t) == STATE_COMPLETE && (a) == ACTOR_SERVICE) \
	|| ((f) == STATE_COMPLETE && (t) == STATE_FREE && (a) == ACTOR_HYPERVISOR))

/* Any value a hostile writer may store: every state and one that is none. */
inline any_state_value(x) {
	if
	:: x = STATE_PENDING
	:: x = STATE_COMPLETE
	:: x = STATE_PROCESSING
	:: x = STATE_FREE
	:: x = STATE_OUT_OF_RANGE
	fi
}
