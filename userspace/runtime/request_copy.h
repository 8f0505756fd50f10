/* SPDX-License-Identifier: MIT */
/*
 * Shared by the backends: a request as its client sees it, from the core's
 * read-once snapshot of the slot (runtime.c).
 */
#ifndef VIOREQ_RUNTIME_REQUEST_COPY_H
#define VIOREQ_RUNTIME_REQUEST_COPY_H

#include <stdint.h>

#include "vioreq/runtime.h"
#include "vioreq/slot.h"

void vioreq_rt_request_from_snapshot(const struct vioreq_slot_snapshot *snap,
				     uint32_t vcpu,
				     struct vioreq_rt_request *req);

#endif /* VIOREQ_RUNTIME_REQUEST_COPY_H */
