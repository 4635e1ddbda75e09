/*
 * A RAW hook that counts each thread's calls in a per-thread record made by its first malloc.
 * Its free counts before it looks at the pointer, so free(NULL) crashes when it is the first
 * call a thread makes (the record is not there yet), and only then: called after any other
 * call of the same thread it does nothing, as it must. certify must refuse it.
 */
#include <stdlib.h>
#include "pymemcheck_plugin.h"

typedef struct { size_t calls; } record;
static __thread record *mine;
static PyMemAllocatorEx below;

static void counted(void) {
    if (mine == NULL) mine = calloc(1, sizeof *mine);
    mine->calls++;
}

static void *edge_malloc(void *ctx, size_t size) { (void)ctx; counted(); return below.malloc(below.ctx, size); }
static void *edge_calloc(void *ctx, size_t n, size_t size) { (void)ctx; counted(); return below.calloc(below.ctx, n, size); }
static void *edge_realloc(void *ctx, void *p, size_t size) { (void)ctx; counted(); return below.realloc(below.ctx, p, size); }
static void edge_free(void *ctx, void *p) {
    (void)ctx;
    mine->calls++;                 /* the defect: no record yet on a thread's first call */
    below.free(below.ctx, p);
}

int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
    if (domain != PYMEMCHECK_DOMAIN_RAW) return 1;
    below = *previous;
    hook->ctx = NULL;
    hook->malloc = edge_malloc;
    hook->calloc = edge_calloc;
    hook->realloc = edge_realloc;
    hook->free = edge_free;
    return 0;
}
