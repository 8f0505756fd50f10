/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vioreq.ko internals: VMs, I/O clients, backends.
 *
 * Locking (see kmod/README.md):
 *   hsm_vm_list_lock (mutex)  the list of VMs the dispatcher scans
 *     -> vm->hc_lock (rwsem)  read: any hypercall naming vm->vmid; write:
 *                             the DESTROY_VM hypercall (vm->hc_gone)
 *     -> vm->lock (mutex)     every call into the core for that VM, the
 *                             client table, vm->dead, vm->page,
 *                             vm->monitor_page
 * vm->ioeventfds_lock (mutex) the VM's ioeventfds and their client; taken
 *     -> vm->hc_lock          before the two on the right (the in-kernel
 *     -> vm->lock             client API), never with the list lock held
 * vm->irqfds_lock (mutex)     the VM's irqfd list; nothing is taken under
 *                             it but an eventfd's wait-queue lock (poll)
 * mm->mmap_lock (RLIMIT_MEMLOCK charges of guest RAM, pin_user_pages_fast)
 * is only taken with none of these held, and none is taken under it.
 * Wake-ups and hypercalls are made after vm->lock is dropped. A client's
 * last reference is dropped with kref_put_mutex(vm->lock), never with
 * vm->lock held. Once the hypervisor has destroyed a VM it may give its
 * vmid to the next one, so no hypercall names vm->vmid after DESTROY_VM
 * (hsm_vm_hypercall).
 *
 * Lifetimes: a VM is referenced by its file, by the VM list and by each of
 * its clients; a client by the VM's table until it is destroyed, by each
 * sleeper in ATTACH and by each queued in-kernel work item. The core's
 * client id is freed (vioreq_client_release) when the client's last
 * reference goes. The ioeventfd client is also referenced by
 * vm->ioeventfd_client while the VM has ioeventfds. Ioeventfds and irqfds
 * hold a reference on their eventfd and none on the VM: hsm_vm_destroy
 * frees them all (ioeventfd.c, irqfd.c) before it returns.
 */
#ifndef VIOREQ_KMOD_INTERNAL_H
#define VIOREQ_KMOD_INTERNAL_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "vioreq/spec_gen.h"
#include "vioreq/vm.h"

struct acrn_vm_creation;
struct acrn_vm_memmap;
struct mm_struct;
struct page;

/* ------------------------------------------------------------ backends */

/*
 * A backend is the hypervisor: vmcall (acrn) or the in-kernel simulator
 * (sim). hypercall() has the ACRN ABI: id from uapi_gen.h, up to two
 * parameters, which are often physical addresses of kmalloc'ed buffers.
 */
struct vioreq_backend {
	const char *name;
	int (*init)(void);
	void (*exit)(void);
	long (*hypercall)(u32 id, unsigned long param1, unsigned long param2);
	/* handler runs in interrupt context (acrn) or process context (sim) */
	void (*setup_upcall)(void (*handler)(void));
	void (*remove_upcall)(void);
};

extern const struct vioreq_backend vioreq_backend_sim;
#if IS_ENABLED(CONFIG_ACRN_GUEST)
extern const struct vioreq_backend vioreq_backend_acrn;
bool vioreq_acrn_present(void);
#endif

/* The backend chosen at load time (hsm_dev.c). */
extern const struct vioreq_backend *vioreq_be;

/* Region batch of the SET_MEMORY_REGIONS hypercall (ACRN hypervisor ABI). */
#define HSM_MEM_REGION_ADD	0
#define HSM_MEM_REGION_DEL	2

struct hsm_mem_region_op {
	u32 type;
	u32 attr;
	u64 user_vm_pa;
	u64 service_vm_pa;
	u64 size;
};

struct hsm_mem_region_batch {
	u16 vmid;
	u16 reserved[3];
	u32 regions_num;
	u32 reserved1;
	u64 regions_gpa;
};

/* Most region ops per SET_MEMORY_REGIONS hypercall (one 2 KiB buffer). */
#define HSM_MEM_REGIONS_PER_CALL	64

/*
 * Guest RAM given by SET_MEMSEG: user pages pinned for the VM's life, and
 * npages charged to mm->locked_vm (RLIMIT_MEMLOCK) of the mm they were
 * pinned from, which the map holds with mmgrab() until it is uncharged.
 * The charge is taken and dropped with no lock of this module held (it
 * takes mmap_lock for write).
 */
struct hsm_ram_map {
	struct list_head node;
	u64 user_vm_pa;
	unsigned long npages;
	struct page **pages;
	struct mm_struct *mm;		/* charged; NULL once uncharged */
};

/* The ioreq buffer argument of SET_IOREQ_BUFFER. */
struct hsm_ioreq_buffer {
	u64 ioreq_buf;
};

/* ------------------------------------------------------------ VMs */

struct hsm_client;

struct hsm_vm {
	struct kref ref;
	struct mutex lock;
	struct list_head node;		/* hsm_vm_list */
	bool listed;			/* on hsm_vm_list (list lock) */
	u16 vmid;
	u16 vcpu_num;
	bool dead;			/* destroyed: no core call, no page */
	struct vioreq_vm *core;		/* kvzalloc'ed, ~200 KiB */
	struct vioreq_page *page;	/* kernel address of the pinned page */
	struct page *ioreq_page;	/* pinned with FOLL_LONGTERM */
	struct page *monitor_page;	/* VM_INTR_MONITOR's, pinned */
	struct hsm_client *clients[VIOREQ_CLIENTS_PER_VM];
	struct hsm_client *default_client;
	bool default_gone;		/* the default client was destroyed */
	u32 others_held;		/* slots held by non-default clients */
	wait_queue_head_t clear_wq;	/* CLEAR_VM_IOREQ waits for clients */
	u32 clears;			/* CLEAR_VM_IOREQs under way (lock) */
	struct list_head ram_maps;	/* struct hsm_ram_map, vm->lock */
	struct rw_semaphore hc_lock;	/* hypercalls vs DESTROY_VM */
	bool hc_gone;			/* DESTROY_VM made (hc_lock) */
	atomic64_t notified;		/* NOTIFY_REQUEST_FINISH hypercalls */
	struct dentry *debugfs;		/* debugfs.c: vioreq/vm<vmid> */
	/* ioeventfd.c, all under ioeventfds_lock */
	struct mutex ioeventfds_lock;
	struct list_head ioeventfds;	/* struct hsm_ioeventfd */
	struct hsm_client *ioeventfd_client; /* while ioeventfds is not empty */
	bool ioeventfds_closed;		/* the VM is being destroyed */
	/* irqfd.c, all under irqfds_lock */
	struct mutex irqfds_lock;
	struct list_head irqfds;	/* struct hsm_irqfd */
	bool irqfds_closed;		/* the VM is being destroyed */
};

extern struct mutex hsm_vm_list_lock;
extern struct list_head hsm_vm_list;
extern atomic64_t hsm_upcalls;
/* Live objects, read-only module parameters for leak checks. */
extern atomic_t hsm_live_vms;
extern atomic_t hsm_live_clients;
extern atomic_t hsm_pinned_pages;	/* ioreq pages and guest RAM */
extern atomic_t hsm_stranded_vms;	/* DESTROY_VM refused, retried */
extern atomic_t hsm_live_eventfds;	/* ioeventfds and irqfds */

/* debugfs.c: health counters, one file per VM (none without debugfs). */
void hsm_debugfs_init(void);
void hsm_debugfs_exit(void);
void hsm_debugfs_vm_add(struct hsm_vm *vm);
void hsm_debugfs_vm_remove(struct hsm_vm *vm);

struct hsm_vm *hsm_vm_create(struct acrn_vm_creation *param);
void hsm_vm_destroy(struct hsm_vm *vm);
void hsm_vm_exit(void);
void hsm_vm_put(struct hsm_vm *vm);
struct hsm_vm *hsm_vm_find(u16 vmid);
int hsm_vm_hypercall(struct hsm_vm *vm, u32 id, unsigned long param2);
int hsm_vm_intr_monitor(struct hsm_vm *vm, unsigned long uaddr);
int hsm_vm_set_memseg(struct hsm_vm *vm, const struct acrn_vm_memmap *m,
		      bool unset);
long hsm_hypercall(u32 id, unsigned long p1, unsigned long p2);

/* ------------------------------------------------------------ clients */

/* What an in-kernel handler sees: a validated request (core decode). */
struct hsm_kreq {
	u32 vcpu;
	u32 type;	/* VIOREQ_TYPE_* */
	u32 direction;	/* VIOREQ_DIR_* */
	u64 addr;	/* port, GPA or PCI ECAM key */
	u64 size;
	u64 value;	/* in: written value; out: result of a read */
};

/* Handler results: completed (value set for a read), or keep it held. */
#define HSM_KREQ_DONE	0
#define HSM_KREQ_HOLD	1

typedef int (*hsm_kreq_handler)(struct hsm_client *client,
				struct hsm_kreq *req, void *priv);

struct hsm_client {
	struct kref ref;
	struct hsm_vm *vm;		/* counted reference */
	u32 id;				/* the core's client id */
	bool in_kernel;
	bool destroying;		/* vm->lock; READ_ONCE in waits */
	u32 held;			/* slots it holds; vm->lock, READ_ONCE */
	wait_queue_head_t wq;		/* ATTACH sleepers */
	/* in-kernel clients */
	hsm_kreq_handler handler;
	void (*release)(void *priv);
	void *priv;
	u32 kept;			/* slots its handler holds on to */
	u32 handling;			/* slots its handler has now */
	u32 early;			/* ... completed before it returned */
	u64 early_value[VIOREQ_SLOT_COUNT];
	struct work_struct work;
};

int hsm_ioreq_init(void);
void hsm_ioreq_exit(void);
void hsm_upcall(void);
void hsm_vm_dispatch(struct hsm_vm *vm);
void hsm_vm_destroy_clients(struct hsm_vm *vm);

int hsm_default_client_create(struct hsm_vm *vm);
int hsm_default_client_attach(struct hsm_vm *vm);
int hsm_default_client_destroy(struct hsm_vm *vm);
int hsm_default_client_finish(struct hsm_vm *vm, u32 vcpu);
int hsm_vm_clear_ioreq(struct hsm_vm *vm);

/*
 * The in-kernel client API, for in-kernel device models. create returns a
 * counted reference (put it with hsm_client_put) or an ERR_PTR; handler
 * runs in a work item, without locks held, for each request in the
 * client's ranges, and returns HSM_KREQ_DONE (value set for a read) or
 * HSM_KREQ_HOLD (finish later with hsm_kclient_complete, from any thread,
 * even before the handler has returned). destroy
 * completes what the client still holds with all ones; release(priv) runs
 * when the last reference goes.
 */
struct hsm_client *hsm_kclient_create(struct hsm_vm *vm,
				      hsm_kreq_handler handler, void *priv,
				      void (*release)(void *priv));
int hsm_kclient_add_range(struct hsm_client *c, u32 type, u64 start,
			  u64 end);
int hsm_kclient_remove_range(struct hsm_client *c, u32 type, u64 start,
			     u64 end);
int hsm_kclient_complete(struct hsm_client *c, u32 vcpu, u64 value);
void hsm_kclient_destroy(struct hsm_client *c);
struct hsm_client *hsm_client_get_by_id(struct hsm_vm *vm, u32 id);
void hsm_client_put(struct hsm_client *c);

/* ------------------------------------------------------------ eventfds */

struct acrn_ioeventfd;
struct acrn_irqfd;

/* ioeventfd.c: ACRN_IOCTL_IOEVENTFD, served by an in-kernel client. */
void hsm_ioeventfd_vm_init(struct hsm_vm *vm);
int hsm_ioeventfd_config(struct hsm_vm *vm, const struct acrn_ioeventfd *args);
void hsm_ioeventfd_vm_release(struct hsm_vm *vm);

/* irqfd.c: ACRN_IOCTL_IRQFD, MSIs injected from a work item. */
int hsm_irqfd_init(void);
void hsm_irqfd_exit(void);
void hsm_irqfd_vm_init(struct hsm_vm *vm);
int hsm_irqfd_config(struct hsm_vm *vm, const struct acrn_irqfd *args);
void hsm_irqfd_vm_release(struct hsm_vm *vm);

/* ------------------------------------------------------------ sim */

/* The in-kernel test device (testdev.c), driven from /dev/vioreq_sim. */
int vioreq_testdev_attach(struct hsm_vm *vm, u32 type, u64 start, u64 end,
			  u32 flags, u32 *id);
int vioreq_testdev_detach(struct hsm_vm *vm, u32 id);
int vioreq_testdev_gate(struct hsm_vm *vm, u32 id, u32 open, u32 *entered);

#endif /* VIOREQ_KMOD_INTERNAL_H */
