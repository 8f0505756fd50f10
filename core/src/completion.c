/* SPDX-License-Identifier: MIT */
/* Completion by a client (contracts in completion.h). */
#include "vioreq/completion.h"

int32_t vioreq_complete(struct vioreq_vm *vm, struct vioreq_page *page,
			uint32_t vcpu, uint32_t client, bool *notify)
	/*@ ghost (uint32_t \ghost *seen, uint32_t \ghost *polled) */
{
	struct vioreq_slot *slot;
	uint32_t state;
	uint32_t polling;
	int32_t ret;

	if (vcpu >= VIOREQ_SLOT_COUNT || client >= VIOREQ_CLIENTS_PER_VM)
		return -VIOREQ_EINVAL;
	if (vm->slot_owner[vcpu] == VIOREQ_CLIENT_NONE)
		return -VIOREQ_EINVAL;
	if (vm->slot_owner[vcpu] != (int32_t)client)
		return -VIOREQ_EPERM;
	slot = &page->slot[vcpu];
	/* Userspace may have rewritten the state: act only on PROCESSING. */
	state = vioreq_page_load_acquire(&slot->processed);
	//@ ghost *seen = state;
	if (state != VIOREQ_STATE_PROCESSING) {
		if (!vioreq_state_is_known(state))
			vioreq_counter_add(&vm->counters.bad_state);
		return -VIOREQ_EINVAL;
	}
	polling = vioreq_page_load(&slot->completion_polling);
	//@ ghost *polled = polling;
	vm->slot_owner[vcpu] = VIOREQ_CLIENT_NONE;
	ret = vioreq_slot_transition(slot, VIOREQ_STATE_PROCESSING,
				     VIOREQ_STATE_COMPLETE,
				     VIOREQ_ACTOR_SERVICE);
	//@ assert allowed: ret == 0;
	(void)ret;
	vioreq_counter_add(&vm->counters.completed);
	*notify = polling == 0;
	return 0;
}
