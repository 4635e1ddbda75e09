/*
 * A counter-example: a hook that keeps freed RAW blocks of up to 1 KiB on a free list with no
 * lock. With the GIL that can go unnoticed; RAW is called without it, from any thread, and two
 * threads popping the list at once get the same block. `pymemcheck certify` must refuse it.
 */
#include <stddef.h>
#include "pymemcheck_plugin.h"

typedef struct node { struct node *next; size_t size; } node;
typedef struct { PyMemAllocatorEx previous; node *free_list; } unlocked_ctx;

static unlocked_ctx contexts[3];
#define HEADER 16
#define SMALL 1024

static void *unlocked_malloc(void *ctx, size_t size) {
    unlocked_ctx *c = ctx;
    if (size <= SMALL && c->free_list) {            /* no lock: the race is the defect */
        node *n = c->free_list;
        c->free_list = n->next;
        return (char *)n + HEADER;
    }
    char *raw = c->previous.malloc(c->previous.ctx, (size <= SMALL ? SMALL : size) + HEADER);
    if (raw == NULL) return NULL;
    ((node *)raw)->size = size <= SMALL ? SMALL : size;
    return raw + HEADER;
}

static void *unlocked_calloc(void *ctx, size_t nelem, size_t elsize) {
    if (elsize != 0 && nelem > ((size_t)-1 >> 1) / elsize) return NULL;
    size_t size = nelem * elsize;
    char *p = unlocked_malloc(ctx, size);
    if (p) for (size_t i = 0; i < size; i++) p[i] = 0;
    return p;
}

static void unlocked_free(void *ctx, void *ptr) {
    unlocked_ctx *c = ctx;
    if (ptr == NULL) return;
    node *n = (node *)((char *)ptr - HEADER);
    if (n->size == SMALL) {
        n->next = c->free_list;
        c->free_list = n;
        return;
    }
    c->previous.free(c->previous.ctx, n);
}

static void *unlocked_realloc(void *ctx, void *ptr, size_t size) {
    unlocked_ctx *c = ctx;
    if (ptr == NULL) return unlocked_malloc(ctx, size);
    node *n = (node *)((char *)ptr - HEADER);
    if (size <= n->size) return ptr;
    char *moved = unlocked_malloc(ctx, size);
    if (moved == NULL) return NULL;
    for (size_t i = 0; i < n->size; i++) moved[i] = ((char *)ptr)[i];
    unlocked_free(c, ptr);
    return moved;
}

int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
    if (domain != 0) return 1;                       /* RAW only: the domain without the GIL */
    contexts[0].previous = *previous;
    hook->ctx = &contexts[0];
    hook->malloc = unlocked_malloc;
    hook->calloc = unlocked_calloc;
    hook->realloc = unlocked_realloc;
    hook->free = unlocked_free;
    return 0;
}
