/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel shim for the core's <stdbool.h>: bool, true, false. */
#ifndef VIOREQ_SHIM_STDBOOL_H
#define VIOREQ_SHIM_STDBOOL_H

#include <linux/types.h>
#include <linux/stddef.h>

#endif /* VIOREQ_SHIM_STDBOOL_H */
