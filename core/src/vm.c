/* SPDX-License-Identifier: MIT */
/* Small VM helpers (contracts in vm.h). */
#include "vioreq/vm.h"

void vioreq_counter_add(int64_t *counter)
{
	if (*counter < INT64_MAX)
		(*counter)++;
}
