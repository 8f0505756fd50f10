/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel shim for the core's <stddef.h>: size_t, NULL, offsetof. */
#ifndef VIOREQ_SHIM_STDDEF_H
#define VIOREQ_SHIM_STDDEF_H

#include <linux/types.h>
#include <linux/stddef.h>

#endif /* VIOREQ_SHIM_STDDEF_H */
