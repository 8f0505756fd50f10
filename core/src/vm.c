/* SPDX-License-Identifier: MIT */
/* Small VM helpers (contracts in vm.h). */
#include "vioreq/vm.h"

void vioreq_counter_add(uint64_t *counter)
{
	if (*counter != UINT64_MAX)
		(*counter)++;
}
