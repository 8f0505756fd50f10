// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel test device: 4 KiB of byte-addressed memory behind one
 * range of one request type, served by an in-kernel I/O client. It is
 * attached and detached through /dev/vioreq_sim (VIOREQ_SIM_TESTDEV_*),
 * and exists to exercise the in-kernel client API the way an in-kernel
 * device model uses it.
 */
#define pr_fmt(fmt) "vioreq: " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "uapi/vioreq_sim.h"
#include "internal.h"

#define TESTDEV_MEM_SIZE	4096u
/* How long a gated handler waits for its gate: a test that never opens it
 * gets its requests late, not a worker stuck for good. */
#define TESTDEV_GATE_TIMEOUT	(10 * HZ)

struct testdev {
	u64 start;
	bool hold;
	bool early;
	bool gated;
	bool gate_open;			/* set once, never cleared */
	atomic_t gate_entered;
	wait_queue_head_t gate_wq;
	u8 mem[TESTDEV_MEM_SIZE];
};

static void testdev_gate_open(struct testdev *td)
{
	WRITE_ONCE(td->gate_open, true);
	wake_up_all(&td->gate_wq);
}

/*
 * A gated device's handler waits here, called without vm->lock. A gate
 * nobody opened in time opens for good, so that a test which lost its VM
 * costs one wait, not one per request (and rmmod does not wait on them).
 */
static void testdev_gate_wait(struct testdev *td)
{
	atomic_inc(&td->gate_entered);
	if (!wait_event_timeout(td->gate_wq, READ_ONCE(td->gate_open),
				TESTDEV_GATE_TIMEOUT)) {
		pr_warn_once("testdev: gate not opened in time, left open\n");
		testdev_gate_open(td);
	}
}

static int testdev_handle(struct hsm_client *client, struct hsm_kreq *req,
			  void *priv)
{
	struct testdev *td = priv;
	u64 off = req->addr - td->start;
	u64 value = 0;
	u32 k;

	if (td->gated)
		testdev_gate_wait(td);
	if (td->hold)
		return HSM_KREQ_HOLD;
	/* req is the core's decode: size is 1, 2, 4 or 8. */
	for (k = 0; k < req->size && k < 8; k++) {
		u32 i = (off + k) & (TESTDEV_MEM_SIZE - 1);

		if (req->direction == VIOREQ_DIR_WRITE)
			td->mem[i] = (u8)(req->value >> (8 * k));
		else
			value |= (u64)td->mem[i] << (8 * k);
	}
	if (req->direction != VIOREQ_DIR_WRITE)
		req->value = value;
	if (td->early) {
		if (hsm_kclient_complete(client, req->vcpu, req->value))
			pr_err("testdev: early completion of vcpu %u refused\n",
			       req->vcpu);
		return HSM_KREQ_HOLD;
	}
	return HSM_KREQ_DONE;
}

static void testdev_release(void *priv)
{
	kfree(priv);
}

int vioreq_testdev_attach(struct hsm_vm *vm, u32 type, u64 start, u64 end,
			  u32 flags, u32 *id)
{
	struct hsm_client *c;
	struct testdev *td;
	u32 i;
	int ret;

	if (type >= VIOREQ_TYPE_COUNT || end < start ||
	    (flags & ~VIOREQ_SIM_TESTDEV_FLAGS))
		return -EINVAL;
	td = kzalloc(sizeof(*td), GFP_KERNEL);
	if (!td)
		return -ENOMEM;
	td->start = start;
	td->hold = flags & VIOREQ_SIM_TESTDEV_HOLD;
	td->early = flags & VIOREQ_SIM_TESTDEV_EARLY;
	td->gated = flags & VIOREQ_SIM_TESTDEV_GATED;
	atomic_set(&td->gate_entered, 0);
	init_waitqueue_head(&td->gate_wq);
	for (i = 0; i < TESTDEV_MEM_SIZE; i++)
		td->mem[i] = (u8)i;

	c = hsm_kclient_create(vm, testdev_handle, td, testdev_release);
	if (IS_ERR(c)) {
		kfree(td);
		return PTR_ERR(c);
	}
	ret = hsm_kclient_add_range(c, type, start, end);
	if (ret)
		hsm_kclient_destroy(c);	/* td goes with the last reference */
	else
		*id = c->id;
	hsm_client_put(c);
	return ret;
}

/* The test device with client id @id, referenced; NULL if there is none. */
static struct hsm_client *testdev_get(struct hsm_vm *vm, u32 id)
{
	struct hsm_client *c = hsm_client_get_by_id(vm, id);

	if (c && c->handler != testdev_handle) {
		hsm_client_put(c);
		return NULL;
	}
	return c;
}

int vioreq_testdev_detach(struct hsm_vm *vm, u32 id)
{
	struct hsm_client *c = testdev_get(vm, id);

	if (!c)
		return -ENOENT;
	/* The work does not sit at the gate after the detach. */
	testdev_gate_open(c->priv);
	hsm_kclient_destroy(c);
	hsm_client_put(c);
	return 0;
}

int vioreq_testdev_gate(struct hsm_vm *vm, u32 id, u32 open, u32 *entered)
{
	struct hsm_client *c;
	struct testdev *td;
	int ret = 0;

	if (open > 1)
		return -EINVAL;
	c = testdev_get(vm, id);
	if (!c)
		return -ENOENT;
	td = c->priv;
	if (!td->gated) {
		ret = -EINVAL;
	} else {
		if (open)
			testdev_gate_open(td);
		*entered = (u32)atomic_read(&td->gate_entered);
	}
	hsm_client_put(c);
	return ret;
}
