/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the executable spec predicates (spec_checks.h, generated
 * from spec/vioreq.toml): REQ-STATE-001/002, REQ-OWN-001/002,
 * REQ-DISPATCH-002.
 *
 * The expected answers come from tables written here by hand from the
 * spec text, not from the generated constants or logic, so a generator
 * that drifts from the spec is caught. Every predicate is evaluated over
 * its in-range inputs and a band of out-of-range ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdbool.h>
#include <cmocka.h>

#include "vioreq/spec_gen.h"
#include "vioreq/spec_checks.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------ the spec, by hand */

enum { HYPERVISOR = 0, SERVICE = 1 };

/* REQ-STATE-001, REQ-OWN-001 */
static const struct {
	const char *name;
	uint32_t value;
	uint32_t owner;
} spec_states[] = {
	{ "PENDING", 0, SERVICE },
	{ "COMPLETE", 1, HYPERVISOR },
	{ "PROCESSING", 2, SERVICE },
	{ "FREE", 3, HYPERVISOR },
};

/* REQ-STATE-002, REQ-OWN-002: the complete list, by value. */
static const struct {
	uint32_t from, to, actor;
} spec_transitions[] = {
	{ 3, 0, HYPERVISOR },	/* FREE -> PENDING */
	{ 0, 2, SERVICE },	/* PENDING -> PROCESSING */
	{ 2, 1, SERVICE },	/* PROCESSING -> COMPLETE */
	{ 1, 3, HYPERVISOR },	/* COMPLETE -> FREE */
};

/* REQ-DISPATCH-002: types, legal sizes, largest address. */
static const struct {
	const char *name;
	uint32_t value;
	uint64_t sizes[4];
	unsigned nsizes;
	uint64_t address_max;
} spec_types[] = {
	{ "PORTIO", 0, { 1, 2, 4 }, 3, 0xFFFFull },
	{ "MMIO", 1, { 1, 2, 4, 8 }, 4, 0xFFFFFFFFFFFFFFFFull },
	{ "PCICFG", 2, { 1, 2, 4 }, 3, 0xFFFFFFFull },
};

/* Inputs: everything in range plus neighbours and extremes. */
static const uint32_t small_inputs[] = {
	0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 255, 256, 0xFFFF, 0x10000,
	0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu,
};

static const uint64_t size_inputs[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 32, 64, 255, 256,
	0x100000000ull, 0x100000001ull, 0x100000002ull, 0x100000004ull,
	0x100000008ull, 0x8000000000000004ull, 0xFFFFFFFFFFFFFFFFull,
};

static bool expect_state_known(uint32_t s)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(spec_states); i++)
		if (spec_states[i].value == s)
			return true;
	return false;
}

static bool expect_owned(uint32_t s, uint32_t a)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(spec_states); i++)
		if (spec_states[i].value == s)
			return spec_states[i].owner == a;
	return false;
}

static bool expect_allowed(uint32_t from, uint32_t to, uint32_t a)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(spec_transitions); i++)
		if (spec_transitions[i].from == from &&
		    spec_transitions[i].to == to &&
		    spec_transitions[i].actor == a)
			return true;
	return false;
}

static int type_index(uint32_t t)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(spec_types); i++)
		if (spec_types[i].value == t)
			return (int)i;
	return -1;
}

static bool expect_size_legal(uint32_t t, uint64_t size)
{
	int k = type_index(t);
	unsigned i;

	if (k < 0)
		return false;
	for (i = 0; i < spec_types[k].nsizes; i++)
		if (spec_types[k].sizes[i] == size)
			return true;
	return false;
}

/* ------------------------------------------------------------- tests */

/* The generated constants carry the values of the spec text. */
static void test_constants(void **state)
{
	assert_int_equal(VIOREQ_STATE_PENDING, spec_states[0].value);
	assert_int_equal(VIOREQ_STATE_COMPLETE, spec_states[1].value);
	assert_int_equal(VIOREQ_STATE_PROCESSING, spec_states[2].value);
	assert_int_equal(VIOREQ_STATE_FREE, spec_states[3].value);
	assert_int_equal(VIOREQ_STATE_COUNT, ARRAY_SIZE(spec_states));
	assert_int_equal(VIOREQ_ACTOR_HYPERVISOR, HYPERVISOR);
	assert_int_equal(VIOREQ_ACTOR_SERVICE, SERVICE);
	assert_int_equal(VIOREQ_TYPE_PORTIO, spec_types[0].value);
	assert_int_equal(VIOREQ_TYPE_MMIO, spec_types[1].value);
	assert_int_equal(VIOREQ_TYPE_PCICFG, spec_types[2].value);
	assert_int_equal(VIOREQ_TYPE_COUNT, ARRAY_SIZE(spec_types));
	assert_int_equal(VIOREQ_PORTIO_ADDRESS_MAX, spec_types[0].address_max);
	assert_int_equal(VIOREQ_MMIO_ADDRESS_MAX, spec_types[1].address_max);
	assert_int_equal(VIOREQ_PCICFG_ADDRESS_MAX, spec_types[2].address_max);
}

static void test_state_is_known(void **state)
{
	unsigned i;
	uint32_t s;

	for (i = 0; i < ARRAY_SIZE(spec_states); i++)
		assert_true(vioreq_state_is_known(spec_states[i].value));
	for (s = 0; s < 4096; s++)
		assert_int_equal(vioreq_state_is_known(s), expect_state_known(s));
	for (i = 0; i < ARRAY_SIZE(small_inputs); i++)
		assert_int_equal(vioreq_state_is_known(small_inputs[i]),
				 expect_state_known(small_inputs[i]));
	assert_false(vioreq_state_is_known(4));
	assert_false(vioreq_state_is_known(UINT32_MAX));
}

static void test_state_owned_by(void **state)
{
	unsigned i, j, owned = 0;

	/* Each state, from the spec text. */
	assert_true(vioreq_state_owned_by(0, SERVICE));		/* PENDING */
	assert_false(vioreq_state_owned_by(0, HYPERVISOR));
	assert_true(vioreq_state_owned_by(1, HYPERVISOR));	/* COMPLETE */
	assert_false(vioreq_state_owned_by(1, SERVICE));
	assert_true(vioreq_state_owned_by(2, SERVICE));		/* PROCESSING */
	assert_false(vioreq_state_owned_by(2, HYPERVISOR));
	assert_true(vioreq_state_owned_by(3, HYPERVISOR));	/* FREE */
	assert_false(vioreq_state_owned_by(3, SERVICE));

	for (i = 0; i < ARRAY_SIZE(small_inputs); i++) {
		for (j = 0; j < ARRAY_SIZE(small_inputs); j++) {
			uint32_t s = small_inputs[i], a = small_inputs[j];
			bool got = vioreq_state_owned_by(s, a);

			if (got != expect_owned(s, a))
				fail_msg("owned_by(%" PRIu32 ", %" PRIu32 ") = %d",
					 s, a, got);
			owned += got ? 1u : 0u;
		}
	}
	/* Exactly one owner per known state, none for the others. */
	assert_int_equal(owned, ARRAY_SIZE(spec_states));
}

static void test_transition_allowed(void **state)
{
	unsigned f, t, a, allowed = 0;

	for (f = 0; f < ARRAY_SIZE(small_inputs); f++)
	for (t = 0; t < ARRAY_SIZE(small_inputs); t++)
	for (a = 0; a < ARRAY_SIZE(small_inputs); a++) {
		uint32_t from = small_inputs[f], to = small_inputs[t];
		uint32_t actor = small_inputs[a];
		bool got = vioreq_transition_allowed(from, to, actor);

		if (got != expect_allowed(from, to, actor))
			fail_msg("transition_allowed(%" PRIu32 ", %" PRIu32
				 ", %" PRIu32 ") = %d", from, to, actor, got);
		allowed += got ? 1u : 0u;
	}
	assert_int_equal(allowed, ARRAY_SIZE(spec_transitions));

	/* The spec's cycle, by name. */
	assert_true(vioreq_transition_allowed(VIOREQ_STATE_FREE,
					      VIOREQ_STATE_PENDING,
					      VIOREQ_ACTOR_HYPERVISOR));
	assert_true(vioreq_transition_allowed(VIOREQ_STATE_PENDING,
					      VIOREQ_STATE_PROCESSING,
					      VIOREQ_ACTOR_SERVICE));
	assert_true(vioreq_transition_allowed(VIOREQ_STATE_PROCESSING,
					      VIOREQ_STATE_COMPLETE,
					      VIOREQ_ACTOR_SERVICE));
	assert_true(vioreq_transition_allowed(VIOREQ_STATE_COMPLETE,
					      VIOREQ_STATE_FREE,
					      VIOREQ_ACTOR_HYPERVISOR));
	/* Right move, wrong actor; skipping a state; going back. */
	assert_false(vioreq_transition_allowed(VIOREQ_STATE_FREE,
					       VIOREQ_STATE_PENDING,
					       VIOREQ_ACTOR_SERVICE));
	assert_false(vioreq_transition_allowed(VIOREQ_STATE_PROCESSING,
					       VIOREQ_STATE_COMPLETE,
					       VIOREQ_ACTOR_HYPERVISOR));
	assert_false(vioreq_transition_allowed(VIOREQ_STATE_PENDING,
					       VIOREQ_STATE_COMPLETE,
					       VIOREQ_ACTOR_SERVICE));
	assert_false(vioreq_transition_allowed(VIOREQ_STATE_PROCESSING,
					       VIOREQ_STATE_PENDING,
					       VIOREQ_ACTOR_SERVICE));
	assert_false(vioreq_transition_allowed(VIOREQ_STATE_FREE,
					       VIOREQ_STATE_FREE,
					       VIOREQ_ACTOR_HYPERVISOR));
}

/* REQ-OWN-002 as a property of the two predicates together: only the
 * owner of the source state moves it, and every state has exactly one
 * way out (the cycle FREE -> PENDING -> PROCESSING -> COMPLETE -> FREE). */
static void test_transitions_respect_ownership(void **state)
{
	uint32_t from, to, a;

	for (from = 0; from < 8; from++) {
		unsigned out = 0;

		for (to = 0; to < 8; to++) {
			for (a = 0; a < 3; a++) {
				if (!vioreq_transition_allowed(from, to, a))
					continue;
				assert_true(vioreq_state_owned_by(from, a));
				assert_true(vioreq_state_is_known(to));
				out++;
			}
		}
		assert_int_equal(out, from < 4 ? 1u : 0u);
	}
}

static void test_type_is_known(void **state)
{
	unsigned i;
	uint32_t t;

	for (i = 0; i < ARRAY_SIZE(spec_types); i++)
		assert_true(vioreq_type_is_known(spec_types[i].value));
	for (t = 0; t < 4096; t++)
		assert_int_equal(vioreq_type_is_known(t), type_index(t) >= 0);
	for (i = 0; i < ARRAY_SIZE(small_inputs); i++)
		assert_int_equal(vioreq_type_is_known(small_inputs[i]),
				 type_index(small_inputs[i]) >= 0);
	assert_false(vioreq_type_is_known(3));
	assert_false(vioreq_type_is_known(UINT32_MAX));
}

static void test_size_legal(void **state)
{
	unsigned i, j, legal = 0;

	/* From the spec text. */
	assert_true(vioreq_size_legal(0, 4));
	assert_false(vioreq_size_legal(0, 8));		/* PIO: no 8 */
	assert_true(vioreq_size_legal(1, 8));		/* MMIO: 8 */
	assert_false(vioreq_size_legal(2, 8));		/* PCICFG: no 8 */
	assert_false(vioreq_size_legal(1, 0));
	assert_false(vioreq_size_legal(1, 3));
	assert_false(vioreq_size_legal(3, 1));		/* unknown type */

	for (i = 0; i < ARRAY_SIZE(small_inputs); i++) {
		for (j = 0; j < ARRAY_SIZE(size_inputs); j++) {
			uint32_t t = small_inputs[i];
			uint64_t size = size_inputs[j];
			bool got = vioreq_size_legal(t, size);

			if (got != expect_size_legal(t, size))
				fail_msg("size_legal(%" PRIu32 ", %#" PRIx64
					 ") = %d", t, size, got);
			legal += got ? 1u : 0u;
		}
	}
	assert_int_equal(legal, 3 + 4 + 3);
	/* Every size 0..1023 for the known types. */
	for (i = 0; i < ARRAY_SIZE(spec_types); i++)
		for (j = 0; j < 1024; j++)
			assert_int_equal(vioreq_size_legal(spec_types[i].value, j),
					 expect_size_legal(spec_types[i].value,
							   j));
}

/* Only known types: unknown ones violate the contract's precondition
 * (requires vioreq_type_known(type)), so there is nothing to check. */
static void test_address_limit(void **state)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(spec_types); i++)
		assert_int_equal(vioreq_address_limit(spec_types[i].value),
				 spec_types[i].address_max);
	assert_int_equal(vioreq_address_limit(VIOREQ_TYPE_PORTIO), 0xFFFFu);
	assert_int_equal(vioreq_address_limit(VIOREQ_TYPE_MMIO), UINT64_MAX);
	assert_int_equal(vioreq_address_limit(VIOREQ_TYPE_PCICFG),
			 (255ull << 20) | (31ull << 15) | (7ull << 12) | 4095);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_state_is_known),
		cmocka_unit_test(test_state_owned_by),
		cmocka_unit_test(test_transition_allowed),
		cmocka_unit_test(test_transitions_respect_ownership),
		cmocka_unit_test(test_type_is_known),
		cmocka_unit_test(test_size_legal),
		cmocka_unit_test(test_address_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
