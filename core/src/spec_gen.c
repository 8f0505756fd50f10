/* Generated from spec/vioreq.toml by spec/generate.py; do not edit. */

#include "vioreq/spec_gen.h"
#include "vioreq/spec_checks.h"

/* REQ-STATE-002, REQ-OWN-002 */
bool vioreq_transition_allowed(uint32_t from, uint32_t to, uint32_t actor)
{
	return (from == VIOREQ_STATE_FREE && to == VIOREQ_STATE_PENDING && actor == VIOREQ_ACTOR_HYPERVISOR)
	    || (from == VIOREQ_STATE_PENDING && to == VIOREQ_STATE_PROCESSING && actor == VIOREQ_ACTOR_SERVICE)
	    || (from == VIOREQ_STATE_PROCESSING && to == VIOREQ_STATE_COMPLETE && actor == VIOREQ_ACTOR_SERVICE)
	    || (from == VIOREQ_STATE_COMPLETE && to == VIOREQ_STATE_FREE && actor == VIOREQ_ACTOR_HYPERVISOR);
}

/* REQ-STATE-001, REQ-OWN-001 */
bool vioreq_state_owned_by(uint32_t state, uint32_t actor)
{
	return (state == VIOREQ_STATE_PENDING && actor == VIOREQ_ACTOR_SERVICE)
	    || (state == VIOREQ_STATE_COMPLETE && actor == VIOREQ_ACTOR_HYPERVISOR)
	    || (state == VIOREQ_STATE_PROCESSING && actor == VIOREQ_ACTOR_SERVICE)
	    || (state == VIOREQ_STATE_FREE && actor == VIOREQ_ACTOR_HYPERVISOR);
}

/* REQ-STATE-001, REQ-OWN-001 */
bool vioreq_state_is_known(uint32_t state)
{
	return state == VIOREQ_STATE_PENDING
	    || state == VIOREQ_STATE_COMPLETE
	    || state == VIOREQ_STATE_PROCESSING
	    || state == VIOREQ_STATE_FREE;
}

/* REQ-DISPATCH-002 */
bool vioreq_type_is_known(uint32_t type)
{
	return type == VIOREQ_TYPE_PORTIO
	    || type == VIOREQ_TYPE_MMIO
	    || type == VIOREQ_TYPE_PCICFG;
}

/* REQ-DISPATCH-002 */
bool vioreq_size_legal(uint32_t type, uint64_t size)
{
	return (type == VIOREQ_TYPE_PORTIO && (size == 1u || size == 2u || size == 4u))
	    || (type == VIOREQ_TYPE_MMIO && (size == 1u || size == 2u || size == 4u || size == 8u))
	    || (type == VIOREQ_TYPE_PCICFG && (size == 1u || size == 2u || size == 4u));
}

/* REQ-DISPATCH-002; the type is known (precondition), so PCICFG is the final else */
uint64_t vioreq_address_limit(uint32_t type)
{
	return type == VIOREQ_TYPE_PORTIO ? VIOREQ_PORTIO_ADDRESS_MAX
	     : type == VIOREQ_TYPE_MMIO ? VIOREQ_MMIO_ADDRESS_MAX
	     : VIOREQ_PCICFG_ADDRESS_MAX;
}
