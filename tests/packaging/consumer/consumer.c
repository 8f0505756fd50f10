// SPDX-License-Identifier: MIT
/*
 * An out-of-tree program using the installed libvioreq: one port I/O read
 * through the local backend, this program playing the hypervisor. Built by
 * tests/packaging/consumer.sh against the staged libvioreq-dev, once with
 * pkg-config and once with CMake's find_package(vioreq). Prints
 * "consumer: ok" and exits 0 when the read came back with the value the
 * client answered.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vioreq/page_access.h>
#include <vioreq/runtime.h>
#include <vioreq/runtime_local.h>
#include <vioreq/slot.h>

#define UART_BASE 0x3F8u
#define ANSWER 0x5Au

static void on_notify(void *ctx, uint32_t vcpu)
{
	(void)ctx;
	(void)vcpu;
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "consumer: %s failed: %d\n", what, rc);
	return 1;
}

int main(void)
{
	static const struct vioreq_rt_range uart = {
		VIOREQ_TYPE_PORTIO, UART_BASE, UART_BASE + 7u
	};
	struct vioreq_local_config cfg = { .notify = on_notify };
	struct vioreq_rt_request req;
	struct vioreq_rt_vm *vm;
	struct vioreq_page *page;
	struct vioreq_slot *s;
	uint32_t pending = 0, v, state = 0;
	int client, rc, i;

	page = aligned_alloc(VIOREQ_PAGE_SIZE, sizeof(*page));
	if (!page)
		return fail("aligned_alloc", -1);
	memset(page, 0, sizeof(*page));
	for (v = 0; v < VIOREQ_SLOT_COUNT; v++)
		page->slot[v].processed = VIOREQ_STATE_FREE;

	rc = vioreq_rt_create_vm(&vioreq_local_backend, page, &cfg, &vm);
	if (rc)
		return fail("vioreq_rt_create_vm", rc);
	client = vioreq_rt_create_client(vm, 0, &uart, 1);
	if (client < 0)
		return fail("vioreq_rt_create_client", client);

	/* The hypervisor: vCPU 0 reads one byte at UART_BASE. */
	s = &page->slot[0];
	vioreq_page_store(&s->type, VIOREQ_TYPE_PORTIO);
	vioreq_page_store(&s->data[VIOREQ_REQ_DIRECTION_WORD], VIOREQ_DIR_READ);
	vioreq_page_store(&s->data[VIOREQ_REQ_ADDRESS_WORD], UART_BASE);
	vioreq_page_store(&s->data[VIOREQ_REQ_SIZE_WORD], 1);
	vioreq_page_store_release(&s->processed, VIOREQ_STATE_PENDING);
	vioreq_local_upcall(vm);

	/* The client: attach, read the request, answer it. */
	rc = vioreq_rt_attach(vm, client, &pending);
	if (rc || !(pending & 1u))
		return fail("vioreq_rt_attach", rc ? rc : -1);
	rc = vioreq_rt_request(vm, client, 0, &req);
	if (rc || req.address != UART_BASE || req.direction != VIOREQ_DIR_READ)
		return fail("vioreq_rt_request", rc ? rc : -1);
	rc = vioreq_rt_notify_request_finish(vm, client, 0, ANSWER);
	if (rc)
		return fail("vioreq_rt_notify_request_finish", rc);

	/* The hypervisor again: COMPLETE, with the answer. */
	for (i = 0; i < 1000; i++) {
		state = vioreq_page_load_acquire(&s->processed);
		if (state == VIOREQ_STATE_COMPLETE)
			break;
	}
	if (state != VIOREQ_STATE_COMPLETE ||
	    vioreq_page_load(&s->data[VIOREQ_REQ_VALUE_WORD]) != ANSWER)
		return fail("completion", (int)state);
	vioreq_page_store_release(&s->processed, VIOREQ_STATE_FREE);

	rc = vioreq_rt_destroy_vm(vm);
	if (rc)
		return fail("vioreq_rt_destroy_vm", rc);
	free(page);
	printf("consumer: ok\n");
	return 0;
}
