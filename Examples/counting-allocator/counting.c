/*
 * A counting wrapper: a hook that calls the allocator it replaces for everything and counts
 * the calls per domain. It conforms because the allocator below it does.
 */
#include <stdatomic.h>
#include "pymemcheck_plugin.h"

typedef struct {
    PyMemAllocatorEx previous;
    atomic_size_t calls;
} counting_ctx;

static counting_ctx contexts[3];

static void *counting_malloc(void *ctx, size_t size) {
    counting_ctx *c = ctx;
    atomic_fetch_add(&c->calls, 1);
    return c->previous.malloc(c->previous.ctx, size);
}

static void *counting_calloc(void *ctx, size_t nelem, size_t elsize) {
    counting_ctx *c = ctx;
    atomic_fetch_add(&c->calls, 1);
    return c->previous.calloc(c->previous.ctx, nelem, elsize);
}

static void *counting_realloc(void *ctx, void *ptr, size_t size) {
    counting_ctx *c = ctx;
    atomic_fetch_add(&c->calls, 1);
    return c->previous.realloc(c->previous.ctx, ptr, size);
}

static void counting_free(void *ctx, void *ptr) {
    counting_ctx *c = ctx;
    atomic_fetch_add(&c->calls, 1);
    c->previous.free(c->previous.ctx, ptr);
}

int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
    if (domain < 0 || domain > 2) return 1;
    contexts[domain].previous = *previous;
    hook->ctx = &contexts[domain];
    hook->malloc = counting_malloc;
    hook->calloc = counting_calloc;
    hook->realloc = counting_realloc;
    hook->free = counting_free;
    return 0;
}

/* How many calls a domain saw (for curious embedders; pymemcheck does not need it). */
size_t pymemcheck_counting_calls(int domain) {
    return domain >= 0 && domain <= 2 ? atomic_load(&contexts[domain].calls) : 0;
}
