// SPDX-License-Identifier: GPL-2.0
/*
 * The acrn backend: real hypercalls (vmcall, <asm/acrn.h>) and the ACRN
 * upcall vector. Built only when the target kernel has CONFIG_ACRN_GUEST
 * (acrn_setup_intr_handler and acrn_remove_intr_handler exist only then);
 * Debian's kernels do not, see kmod/README.md.
 */
#define pr_fmt(fmt) "vioreq: " fmt

#include <linux/types.h>
#include <asm/cpufeature.h>
#include <asm/hypervisor.h>
#include <asm/processor.h>
#include <asm/acrn.h>

#include "internal.h"

bool vioreq_acrn_present(void)
{
	return x86_hyper_type == X86_HYPER_ACRN;
}

static int acrn_be_init(void)
{
	/* Only the Service VM may manage VMs. */
	if (!(cpuid_eax(ACRN_CPUID_FEATURES) & ACRN_FEATURE_PRIVILEGED_VM)) {
		pr_err("not the ACRN Service VM\n");
		return -EPERM;
	}
	return 0;
}

static void acrn_be_exit(void)
{
}

/*
 * The ACRN hypercall ABI of <asm/acrn.h> (id in R8, parameters in RDI and
 * RSI, result in RAX), with the id in a register: acrn_hypercall2() wants
 * a compile-time constant id ("g" operand moved with movl).
 */
static long acrn_be_hypercall(u32 id, unsigned long param1,
			      unsigned long param2)
{
	long result;

	asm volatile("movl %1, %%r8d\n\t"
		     "vmcall\n\t"
		     : "=a" (result)
		     : "r" (id), "D" (param1), "S" (param2)
		     : "r8", "memory");
	return result;
}

static void acrn_be_setup_upcall(void (*handler)(void))
{
	acrn_setup_intr_handler(handler);
}

static void acrn_be_remove_upcall(void)
{
	acrn_remove_intr_handler();
}

const struct vioreq_backend vioreq_backend_acrn = {
	.name		= "acrn",
	.init		= acrn_be_init,
	.exit		= acrn_be_exit,
	.hypercall	= acrn_be_hypercall,
	.setup_upcall	= acrn_be_setup_upcall,
	.remove_upcall	= acrn_be_remove_upcall,
};
