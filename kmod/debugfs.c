// SPDX-License-Identifier: GPL-2.0
/*
 * Health counters for operators: /sys/kernel/debug/vioreq/vm<vmid>, one
 * read-only file per live VM, with the core's counters of that VM (requests
 * dispatched per type, completed by their client, completed by the core
 * because they were malformed, unroutable, orphaned or cleared, CF8
 * accesses, unknown state values seen) and its clients.
 *
 * debugfs removes a file only once no read of it is running, and the file
 * goes before hsm_vm_destroy drops anything the read looks at, so a read
 * never sees a freed VM. Reads take vm->lock; the file is created and
 * removed without it.
 */
#define pr_fmt(fmt) "vioreq: " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "vioreq/vm.h"
#include "internal.h"

static struct dentry *hsm_debugfs_root;

/* What one read shows, copied under vm->lock and printed after. */
struct hsm_vm_health {
	struct vioreq_counters counters;
	u32 clients;
	bool has_default;
	bool clearing;
	bool dead;
};

static void hsm_vm_health_read(struct hsm_vm *vm, struct hsm_vm_health *h)
{
	u32 i;

	mutex_lock(&vm->lock);
	h->counters = vm->core->counters;
	h->clients = 0;
	for (i = 0; i < VIOREQ_CLIENTS_PER_VM; i++)
		h->clients += vm->clients[i] != NULL;
	h->has_default = vm->default_client != NULL;
	h->clearing = vm->core->clearing != 0;
	h->dead = vm->dead;
	mutex_unlock(&vm->lock);
}

static int hsm_vm_health_show(struct seq_file *m, void *unused)
{
	struct hsm_vm *vm = m->private;
	struct hsm_vm_health h;
	const struct vioreq_counters *c = &h.counters;

	hsm_vm_health_read(vm, &h);
	seq_printf(m, "vmid %u\nvcpus %u\nstate %s\n", vm->vmid,
		   vm->vcpu_num, h.dead ? "destroyed" :
		   h.clearing ? "clearing" : "running");
	seq_printf(m, "clients %u\ndefault_client %s\n", h.clients,
		   h.has_default ? "yes" : "no");
	seq_printf(m, "dispatched_portio %lld\n",
		   c->dispatched[VIOREQ_TYPE_PORTIO]);
	seq_printf(m, "dispatched_mmio %lld\n", c->dispatched[VIOREQ_TYPE_MMIO]);
	seq_printf(m, "dispatched_pcicfg %lld\n",
		   c->dispatched[VIOREQ_TYPE_PCICFG]);
	seq_printf(m, "completed %lld\n", c->completed);
	seq_printf(m, "malformed %lld\n", c->malformed);
	seq_printf(m, "unroutable %lld\n", c->unroutable);
	seq_printf(m, "orphaned %lld\n", c->orphaned);
	seq_printf(m, "cleared %lld\n", c->cleared);
	seq_printf(m, "conf1_address %lld\n", c->conf1_address);
	seq_printf(m, "bad_state %lld\n", c->bad_state);
	seq_printf(m, "notify_hypercalls %lld\n",
		   (long long)atomic64_read(&vm->notified));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hsm_vm_health);

void hsm_debugfs_vm_add(struct hsm_vm *vm)
{
	char name[16];

	/* debugfs failures are not errors: the VM works without its file. */
	snprintf(name, sizeof(name), "vm%u", vm->vmid);
	vm->debugfs = debugfs_create_file(name, 0400, hsm_debugfs_root, vm,
					  &hsm_vm_health_fops);
}

void hsm_debugfs_vm_remove(struct hsm_vm *vm)
{
	debugfs_remove(vm->debugfs);
	vm->debugfs = NULL;
}

void hsm_debugfs_init(void)
{
	hsm_debugfs_root = debugfs_create_dir("vioreq", NULL);
}

void hsm_debugfs_exit(void)
{
	debugfs_remove(hsm_debugfs_root);
	hsm_debugfs_root = NULL;
}
