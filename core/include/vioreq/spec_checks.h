/* Generated from spec/vioreq.toml by spec/generate.py; do not edit. */

#ifndef VIOREQ_SPEC_CHECKS_H
#define VIOREQ_SPEC_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "../../logic/spec_gen.acsl"

/* REQ-STATE-002, REQ-OWN-002, REQ-DISPATCH-002: executable forms of
 * the spec predicates; each one is proved equal to its ACSL logic. */

/*@ assigns \nothing;
    ensures matches_spec: \result <==> vioreq_allowed_transition(from, to, actor); */
bool vioreq_transition_allowed(uint32_t from, uint32_t to, uint32_t actor);

/*@ assigns \nothing;
    ensures matches_spec: \result <==> vioreq_owned_by(state, actor); */
bool vioreq_state_owned_by(uint32_t state, uint32_t actor);

/*@ assigns \nothing;
    ensures matches_spec: \result <==> vioreq_state_known(state); */
bool vioreq_state_is_known(uint32_t state);

/*@ assigns \nothing;
    ensures matches_spec: \result <==> vioreq_type_known(type); */
bool vioreq_type_is_known(uint32_t type);

/*@ assigns \nothing;
    ensures matches_spec: \result <==> vioreq_legal_size(type, size); */
bool vioreq_size_legal(uint32_t type, uint64_t size);

/*@ requires vioreq_type_known(type);
    assigns \nothing;
    ensures matches_spec: \result == vioreq_address_max(type); */
uint64_t vioreq_address_limit(uint32_t type);

#endif /* VIOREQ_SPEC_CHECKS_H */
