// SPDX-License-Identifier: GPL-2.0
/*
 * I/O request handling: the dispatcher run on each upcall, the userspace
 * default client (CREATE / ATTACH / DESTROY_IOREQ_CLIENT,
 * NOTIFY_REQUEST_FINISH), CLEAR_VM_IOREQ, and the in-kernel client API.
 *
 * Every decision is the core's (core/src): this file takes vm->lock around
 * each core call, mirrors the core's slot ownership into the clients'
 * `held` masks for the sleepers, and after dropping the lock carries out
 * what the core asked for in struct vioreq_events (wake clients, notify
 * the hypervisor).
 */
#define pr_fmt(fmt) "vioreq: " fmt

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "vioreq/clear.h"
#include "vioreq/client.h"
#include "vioreq/completion.h"
#include "vioreq/dispatch.h"
#include "vioreq/uapi_gen.h"
#include "internal.h"

/* How long CLEAR_VM_IOREQ waits for in-kernel clients to finish. */
#define HSM_CLEAR_TIMEOUT	(2 * HZ)

static struct workqueue_struct *vioreq_wq;
static struct work_struct hsm_dispatch_work;
atomic64_t hsm_upcalls = ATOMIC64_INIT(0);
atomic_t hsm_live_clients = ATOMIC_INIT(0);

/* What to do once vm->lock is dropped. */
struct hsm_deliver {
	struct vioreq_events ev;
	u64 wake_ids;		/* clients with a reference taken for us */
};

static_assert(VIOREQ_CLIENTS_PER_VM <= 64, "wake_ids is a u64 mask");
static_assert(VIOREQ_SLOT_COUNT <= 32, "held masks are u32");

/* ------------------------------------------------------------ helpers */

/* Refresh each client's held mask from the core (which slots it holds). */
static void hsm_vm_sync_held(struct hsm_vm *vm)
{
	u32 others = 0;
	u32 id;

	lockdep_assert_held(&vm->lock);
	for (id = 0; id < VIOREQ_CLIENTS_PER_VM; id++) {
		struct hsm_client *c = vm->clients[id];
		u32 held;

		if (!c)
			continue;
		held = vioreq_client_held_slots(vm->core, id);
		WRITE_ONCE(c->held, held);
		if (c != vm->default_client)
			others |= held;
	}
	WRITE_ONCE(vm->others_held, others);
}

/* Under vm->lock: take a reference on each client the core asked to wake. */
static void hsm_collect(struct hsm_vm *vm, struct hsm_deliver *d)
{
	u32 id;

	hsm_vm_sync_held(vm);
	for (id = 0; id < VIOREQ_CLIENTS_PER_VM; id++) {
		struct hsm_client *c = vm->clients[id];

		if (!d->ev.wake[id] || !c || c->destroying)
			continue;
		kref_get(&c->ref);
		d->wake_ids |= BIT_ULL(id);
	}
}

/* vm->lock not held: the hypercall takes vm->hc_lock. */
static void hsm_notify_finish(struct hsm_vm *vm, u32 vcpu)
{
	int ret;

	ret = hsm_vm_hypercall(vm, VIOREQ_HC_NOTIFY_REQUEST_FINISH, vcpu);
	if (ret == -ENODEV)
		return;	/* destroyed since: the vCPU is gone */
	atomic64_inc(&vm->notified);
	if (ret < 0)
		pr_warn_ratelimited("vm %u vcpu %u: notify failed: %d\n",
				    vm->vmid, vcpu, ret);
}

static void hsm_notify_mask(struct hsm_vm *vm, u32 mask)
{
	u32 v;

	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		if (mask & BIT(v))
			hsm_notify_finish(vm, v);
}

static void hsm_kclient_kick(struct hsm_client *c)
{
	kref_get(&c->ref);
	if (!queue_work(vioreq_wq, &c->work))
		hsm_client_put(c);
}

/* With vm->lock dropped: notify the hypervisor, wake the clients. */
static void hsm_deliver(struct hsm_vm *vm, struct hsm_deliver *d)
{
	u32 v, id;

	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		if (d->ev.notify[v])
			hsm_notify_finish(vm, v);
	for (id = 0; id < VIOREQ_CLIENTS_PER_VM; id++) {
		struct hsm_client *c;

		if (!(d->wake_ids & BIT_ULL(id)))
			continue;
		/* Our reference keeps the entry: release cannot clear it. */
		c = READ_ONCE(vm->clients[id]);
		if (c->in_kernel)
			hsm_kclient_kick(c);
		else
			wake_up_interruptible(&c->wq);
		hsm_client_put(c);
	}
	wake_up_all(&vm->clear_wq);
}

/* ------------------------------------------------------------ lifetime */

/* Called by kref_put_mutex with vm->lock held; drops it. */
static void hsm_client_release(struct kref *kref)
{
	struct hsm_client *c = container_of(kref, struct hsm_client, ref);
	struct hsm_vm *vm = c->vm;

	if (vioreq_client_release(vm->core, c->id))
		pr_err("vm %u: client %u released while not destroyed\n",
		       vm->vmid, c->id);
	vm->clients[c->id] = NULL;
	mutex_unlock(&vm->lock);
	if (c->release)
		c->release(c->priv);
	kfree(c);
	atomic_dec(&hsm_live_clients);
	hsm_vm_put(vm);
}

/* Drop a reference; never call with vm->lock held. */
void hsm_client_put(struct hsm_client *c)
{
	kref_put_mutex(&c->ref, hsm_client_release, &c->vm->lock);
}

struct hsm_client *hsm_client_get_by_id(struct hsm_vm *vm, u32 id)
{
	struct hsm_client *c = NULL;

	if (id >= VIOREQ_CLIENTS_PER_VM)
		return NULL;
	mutex_lock(&vm->lock);
	if (!vm->dead && vm->clients[id] && !vm->clients[id]->destroying) {
		c = vm->clients[id];
		kref_get(&c->ref);
	}
	mutex_unlock(&vm->lock);
	return c;
}

static void hsm_kclient_work(struct work_struct *work);

static struct hsm_client *hsm_client_alloc(struct hsm_vm *vm, bool in_kernel)
{
	struct hsm_client *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	atomic_inc(&hsm_live_clients);
	kref_init(&c->ref);
	init_waitqueue_head(&c->wq);
	INIT_WORK(&c->work, hsm_kclient_work);
	c->in_kernel = in_kernel;
	c->vm = vm;
	return c;
}

/* A client that never made it into the table. */
static void hsm_client_free(struct hsm_client *c)
{
	kfree(c);
	atomic_dec(&hsm_live_clients);
}

/* Under vm->lock: put a new client into the core and the table. */
static int hsm_client_insert(struct hsm_vm *vm, struct hsm_client *c,
			     bool is_default)
{
	s32 id;

	lockdep_assert_held(&vm->lock);
	if (vm->dead)
		return -ENODEV;
	id = vioreq_client_create(vm->core, is_default, c->in_kernel);
	if (id < 0)
		return id;
	c->id = id;
	kref_get(&vm->ref);
	vm->clients[id] = c;
	if (is_default) {
		vm->default_client = c;
		vm->default_gone = false;
	}
	return 0;
}

/*
 * Under vm->lock: destroy a client in the core (its ranges go, the slots it
 * holds are completed with all ones). The caller then delivers, wakes the
 * client's sleepers and drops the table's reference.
 */
static void hsm_client_destroy_locked(struct hsm_vm *vm, struct hsm_client *c,
				      struct hsm_deliver *d)
{
	s32 ret;

	lockdep_assert_held(&vm->lock);
	ret = vioreq_client_destroy(vm->core, vm->page, c->id, &d->ev);
	if (ret)
		pr_err("vm %u: destroy of client %u: %d\n", vm->vmid, c->id,
		       ret);
	WRITE_ONCE(c->destroying, true);
	if (vm->default_client == c) {
		vm->default_client = NULL;
		vm->default_gone = true;
	}
}

static void hsm_client_destroyed(struct hsm_client *c)
{
	wake_up_all(&c->wq);
	hsm_client_put(c);
}

/*
 * Destroy every client and mark the VM dead: from now on nothing touches
 * the page, which the caller may then unpin.
 */
void hsm_vm_destroy_clients(struct hsm_vm *vm)
{
	struct hsm_deliver d = { };
	u64 gone = 0;
	u32 id;

	mutex_lock(&vm->lock);
	if (vm->dead) {
		mutex_unlock(&vm->lock);
		return;
	}
	for (id = 0; id < VIOREQ_CLIENTS_PER_VM; id++) {
		struct hsm_client *c = vm->clients[id];

		if (!c || c->destroying)
			continue;
		hsm_client_destroy_locked(vm, c, &d);
		gone |= BIT_ULL(id);
	}
	hsm_vm_sync_held(vm);
	WRITE_ONCE(vm->dead, true);
	mutex_unlock(&vm->lock);

	hsm_deliver(vm, &d);
	for (id = 0; id < VIOREQ_CLIENTS_PER_VM; id++)
		if (gone & BIT_ULL(id))
			hsm_client_destroyed(READ_ONCE(vm->clients[id]));
}

/* ------------------------------------------------------------ dispatch */

void hsm_vm_dispatch(struct hsm_vm *vm)
{
	struct hsm_deliver d = { };

	mutex_lock(&vm->lock);
	if (vm->dead) {
		mutex_unlock(&vm->lock);
		return;
	}
	vioreq_dispatch(vm->core, vm->page, &d.ev);
	hsm_collect(vm, &d);
	mutex_unlock(&vm->lock);
	hsm_deliver(vm, &d);
}

static void hsm_dispatch_fn(struct work_struct *work)
{
	struct hsm_vm *vm;

	mutex_lock(&hsm_vm_list_lock);
	list_for_each_entry(vm, &hsm_vm_list, node)
		hsm_vm_dispatch(vm);
	mutex_unlock(&hsm_vm_list_lock);
}

/* The upcall: interrupt context with the acrn backend. */
void hsm_upcall(void)
{
	atomic64_inc(&hsm_upcalls);
	queue_work(vioreq_wq, &hsm_dispatch_work);
}

/* ------------------------------------------------------------ default client */

int hsm_default_client_create(struct hsm_vm *vm)
{
	struct hsm_client *c = hsm_client_alloc(vm, false);
	int ret;

	if (!c)
		return -ENOMEM;
	mutex_lock(&vm->lock);
	ret = vm->default_client ? -EEXIST : hsm_client_insert(vm, c, true);
	mutex_unlock(&vm->lock);
	if (ret) {
		hsm_client_free(c);
		return ret;
	}
	return 0;
}

int hsm_default_client_attach(struct hsm_vm *vm)
{
	struct hsm_client *c;
	int ret;

	mutex_lock(&vm->lock);
	c = vm->dead ? NULL : vm->default_client;
	if (c)
		kref_get(&c->ref);
	/* No client: never created (-ENOENT), or destroyed (-ENODEV, as the
	 * sleepers it had were told). */
	ret = vm->dead || vm->default_gone ? -ENODEV : -ENOENT;
	mutex_unlock(&vm->lock);
	if (!c)
		return ret;
	/*
	 * A signal ends the wait with 0, a wake-up with nothing to do, as
	 * in the Linux HSM: acrn-dm's I/O loop ends on any error of ATTACH,
	 * so an -EINTR (a handler installed without SA_RESTART) would stop
	 * the VM's I/O.
	 */
	if (wait_event_interruptible(c->wq, READ_ONCE(c->held) ||
				     READ_ONCE(c->destroying)))
		ret = 0;
	else
		ret = READ_ONCE(c->destroying) ? -ENODEV : 0;
	hsm_client_put(c);
	return ret;
}

int hsm_default_client_destroy(struct hsm_vm *vm)
{
	struct hsm_deliver d = { };
	struct hsm_client *c;

	mutex_lock(&vm->lock);
	c = vm->dead ? NULL : vm->default_client;
	if (!c) {
		mutex_unlock(&vm->lock);
		return -ENOENT;
	}
	hsm_client_destroy_locked(vm, c, &d);
	hsm_vm_sync_held(vm);
	mutex_unlock(&vm->lock);
	hsm_deliver(vm, &d);
	hsm_client_destroyed(c);
	return 0;
}

int hsm_default_client_finish(struct hsm_vm *vm, u32 vcpu)
{
	bool notify = false;
	int ret;

	if (vcpu >= VIOREQ_SLOT_COUNT || vcpu >= vm->vcpu_num)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (vm->dead || !vm->default_client) {
		/* Nobody holds the slot for userspace (REQ-COMPLETE-001). */
		mutex_unlock(&vm->lock);
		return -EINVAL;
	}
	ret = vioreq_complete(vm->core, vm->page, vcpu,
			      vm->default_client->id, &notify);
	if (!ret)
		hsm_vm_sync_held(vm);
	mutex_unlock(&vm->lock);
	if (ret)
		return ret;
	if (notify)
		hsm_notify_finish(vm, vcpu);
	wake_up_all(&vm->clear_wq);
	return 0;
}

/* ------------------------------------------------------------ clear */

int hsm_vm_clear_ioreq(struct hsm_vm *vm)
{
	struct hsm_deliver d = { };
	long left;
	int ret = 0;

	mutex_lock(&vm->lock);
	if (vm->dead) {
		mutex_unlock(&vm->lock);
		return -ENODEV;
	}
	/* Completes what the default client holds; dispatch then completes
	 * every PENDING slot itself while the VM is clearing. */
	vm->clears++;
	vioreq_clear_begin(vm->core, vm->page, &d.ev);
	vioreq_dispatch(vm->core, vm->page, &d.ev);
	hsm_collect(vm, &d);
	mutex_unlock(&vm->lock);
	hsm_deliver(vm, &d);

	/* In-kernel clients finish what they hold (their completions wake
	 * clear_wq); a client that keeps requests makes the clear fail. */
	left = wait_event_interruptible_timeout(vm->clear_wq,
						!READ_ONCE(vm->others_held) ||
						READ_ONCE(vm->dead),
						HSM_CLEAR_TIMEOUT);
	if (left == 0)
		ret = -EBUSY;
	else if (left < 0)
		ret = left;

	/* The core's clearing is one flag: the last clear under way ends it. */
	mutex_lock(&vm->lock);
	if (!--vm->clears && !vm->dead)
		vioreq_clear_end(vm->core);
	mutex_unlock(&vm->lock);
	return ret;
}

/* ------------------------------------------------------------ in-kernel clients */

/* The value words of a slot the caller holds (vm->lock held). */
static void hsm_slot_set_value(struct vioreq_slot *slot, u64 value, bool wide)
{
	WRITE_ONCE(slot->data[VIOREQ_REQ_VALUE_WORD], lower_32_bits(value));
	if (wide)
		WRITE_ONCE(slot->data[VIOREQ_REQ_VALUE_WORD + 1],
			   upper_32_bits(value));
}

/*
 * Under vm->lock: complete slot v held by in-kernel client c with value
 * (written when is_read). Returns the slots to notify (bit v or 0).
 */
static u32 hsm_kclient_complete_locked(struct hsm_client *c, u32 v,
				       bool is_read, u64 value, bool wide)
{
	struct hsm_vm *vm = c->vm;
	bool notify = false;
	int ret;

	if (!vioreq_client_holds(vm->core, c->id, v))
		return 0;
	if (is_read)
		hsm_slot_set_value(&vm->page->slot[v], value, wide);
	ret = vioreq_complete(vm->core, vm->page, v, c->id, &notify);
	if (ret) {
		/* The page no longer says PROCESSING: userspace wrote it. Keep
		 * the slot until the client goes rather than retry forever. */
		pr_debug("vm %u vcpu %u: completion refused: %d\n", vm->vmid,
			 v, ret);
		c->kept |= BIT(v);
		return 0;
	}
	c->kept &= ~BIT(v);
	return notify ? BIT(v) : 0;
}

static void hsm_kclient_work(struct work_struct *work)
{
	struct hsm_client *c = container_of(work, struct hsm_client, work);
	struct hsm_vm *vm = c->vm;
	struct hsm_kreq reqs[VIOREQ_SLOT_COUNT];
	u32 todo = 0, bad = 0, hold = 0, notify = 0;
	u32 v;

	mutex_lock(&vm->lock);
	if (vm->dead || c->destroying)
		goto out_unlock;
	c->kept &= c->held;
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		struct vioreq_slot_snapshot snap;
		struct vioreq_request req;

		if (!(c->held & BIT(v)) || (c->kept & BIT(v)))
			continue;
		todo |= BIT(v);
		/*
		 * The page may have changed since dispatch: decode again, and
		 * hand the handler only a request in its own ranges; anything
		 * else is completed with all ones, as a malformed one.
		 */
		vioreq_slot_snapshot(&vm->page->slot[v], &snap);
		if (vioreq_request_decode(&snap, &req) ||
		    vioreq_route(vm->core, &req) != c->id) {
			bad |= BIT(v);
			continue;
		}
		reqs[v].vcpu = v;
		reqs[v].type = req.type;
		reqs[v].direction = req.direction;
		reqs[v].addr = req.addr;
		reqs[v].size = req.size;
		reqs[v].value = req.value;
	}
	/* hsm_kclient_complete may run for these while the handler does. */
	c->handling = todo & ~bad;
	c->early = 0;
	mutex_unlock(&vm->lock);

	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		if (!(todo & BIT(v)) || (bad & BIT(v)))
			continue;
		if (c->handler(c, &reqs[v], c->priv) == HSM_KREQ_HOLD)
			hold |= BIT(v);
	}

	mutex_lock(&vm->lock);
	c->handling = 0;
	if (vm->dead || c->destroying)
		goto out_unlock;
	/* Held, but completed already (hsm_kclient_complete): finish now. */
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		if (!(hold & c->early & BIT(v)))
			continue;
		hold &= ~BIT(v);
		reqs[v].value = c->early_value[v];
	}
	c->early = 0;
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++) {
		if (!(todo & BIT(v)) || (hold & BIT(v)))
			continue;
		if (bad & BIT(v))
			notify |= hsm_kclient_complete_locked(c, v, true,
							      VIOREQ_READ_ALL_ONES,
							      true);
		else
			notify |= hsm_kclient_complete_locked(c, v,
				reqs[v].direction == VIOREQ_DIR_READ,
				reqs[v].value,
				reqs[v].type == VIOREQ_TYPE_MMIO);
	}
	c->kept |= hold;
	hsm_vm_sync_held(vm);
out_unlock:
	mutex_unlock(&vm->lock);
	hsm_notify_mask(vm, notify);
	wake_up_all(&vm->clear_wq);
	hsm_client_put(c);
}

struct hsm_client *hsm_kclient_create(struct hsm_vm *vm,
				      hsm_kreq_handler handler, void *priv,
				      void (*release)(void *priv))
{
	struct hsm_client *c;
	int ret;

	if (!handler)
		return ERR_PTR(-EINVAL);
	c = hsm_client_alloc(vm, true);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->handler = handler;
	c->priv = priv;
	mutex_lock(&vm->lock);
	ret = hsm_client_insert(vm, c, false);
	if (!ret) {
		/*
		 * Before vm->lock goes: a VM destroy may destroy the client
		 * as soon as it is in the table. Set only on success: a
		 * failed create leaves priv to the caller. The table holds
		 * one reference, the caller gets another.
		 */
		c->release = release;
		kref_get(&c->ref);
	}
	mutex_unlock(&vm->lock);
	if (ret) {
		hsm_client_free(c);
		return ERR_PTR(ret);
	}
	return c;
}

int hsm_kclient_add_range(struct hsm_client *c, u32 type, u64 start, u64 end)
{
	struct hsm_vm *vm = c->vm;
	int ret;

	mutex_lock(&vm->lock);
	if (vm->dead || c->destroying)
		ret = -ENODEV;
	else
		ret = vioreq_client_add_range(vm->core, c->id, type, start,
					      end);
	mutex_unlock(&vm->lock);
	return ret;
}

int hsm_kclient_remove_range(struct hsm_client *c, u32 type, u64 start,
			     u64 end)
{
	struct hsm_vm *vm = c->vm;
	int ret;

	mutex_lock(&vm->lock);
	if (vm->dead || c->destroying)
		ret = -ENODEV;
	else
		ret = vioreq_client_remove_range(vm->core, c->id, type, start,
						 end);
	mutex_unlock(&vm->lock);
	return ret;
}

/*
 * Complete a request the handler kept (HSM_KREQ_HOLD) later, from any
 * process context: -EINVAL when c does not hold that slot any more. While
 * the handler still runs (it passed the request on, and that thread was
 * quick), the value is recorded and the work item completes the slot when
 * the handler returns "hold" (a handler that returns "done" instead
 * completes it with its own value).
 */
int hsm_kclient_complete(struct hsm_client *c, u32 vcpu, u64 value)
{
	struct hsm_vm *vm = c->vm;
	struct vioreq_slot_snapshot snap;
	u32 notify;

	if (vcpu >= VIOREQ_SLOT_COUNT)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (vm->dead || c->destroying ||
	    !vioreq_client_holds(vm->core, c->id, vcpu) ||
	    (c->early & BIT(vcpu))) {
		mutex_unlock(&vm->lock);
		return -EINVAL;
	}
	if (c->handling & BIT(vcpu)) {
		c->early |= BIT(vcpu);
		c->early_value[vcpu] = value;
		mutex_unlock(&vm->lock);
		return 0;
	}
	if (!(c->kept & BIT(vcpu))) {
		mutex_unlock(&vm->lock);
		return -EINVAL;
	}
	vioreq_slot_snapshot(&vm->page->slot[vcpu], &snap);
	notify = hsm_kclient_complete_locked(c, vcpu,
					     snap.direction != VIOREQ_DIR_WRITE,
					     value,
					     snap.type == VIOREQ_TYPE_MMIO);
	hsm_vm_sync_held(vm);
	mutex_unlock(&vm->lock);
	hsm_notify_mask(vm, notify);
	wake_up_all(&vm->clear_wq);
	return 0;
}

/*
 * Destroy an in-kernel client: its ranges go and the requests it holds are
 * completed with all ones; the VM's reference is dropped. The caller still
 * holds the reference hsm_kclient_create gave it, and puts it after.
 */
void hsm_kclient_destroy(struct hsm_client *c)
{
	struct hsm_vm *vm = c->vm;
	struct hsm_deliver d = { };

	mutex_lock(&vm->lock);
	if (vm->dead || c->destroying) {
		/* Destroyed already (VM destruction destroys every client). */
		mutex_unlock(&vm->lock);
		return;
	}
	hsm_client_destroy_locked(vm, c, &d);
	hsm_vm_sync_held(vm);
	mutex_unlock(&vm->lock);
	hsm_deliver(vm, &d);
	hsm_client_destroyed(c);
}

/* ------------------------------------------------------------ init */

int hsm_ioreq_init(void)
{
	vioreq_wq = alloc_workqueue("vioreq", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!vioreq_wq)
		return -ENOMEM;
	INIT_WORK(&hsm_dispatch_work, hsm_dispatch_fn);
	return 0;
}

void hsm_ioreq_exit(void)
{
	/* Flushes the dispatcher and every queued in-kernel client work. */
	destroy_workqueue(vioreq_wq);
}
