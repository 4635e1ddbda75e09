/*
 * A MEM and OBJ hook that keeps freed small blocks on a free list per domain, with no lock of
 * its own: it relies on the GIL. Up to 3.11 that is correct (the GIL serialises every MEM and
 * OBJ call); from 3.12 "all allocators must be thread-safe", because interpreters with their
 * own GIL call them at once, and two threads popping the list together get the same block.
 * certify must certify it on 3.11 and refuse it on 3.12 and later. Compiled with WITH_LOCK
 * (mutex-cache.c), the same cache behind a mutex, correct on every version. RAW is left alone.
 */
#include <pthread.h>
#include <string.h>
#include "pymemcheck_plugin.h"

#define HEADER 16
#define SMALL 256   /* blocks up to this many bytes are kept for reuse, at this capacity */

typedef struct node { struct node *next; size_t size; } node;
typedef struct { PyMemAllocatorEx below; node *free_list; pthread_mutex_t lock; } cache;

static cache caches[3] = {{.lock = PTHREAD_MUTEX_INITIALIZER}, {.lock = PTHREAD_MUTEX_INITIALIZER},
                          {.lock = PTHREAD_MUTEX_INITIALIZER}};

#ifdef WITH_LOCK
#define LOCK(c) pthread_mutex_lock(&(c)->lock)
#define UNLOCK(c) pthread_mutex_unlock(&(c)->lock)
#else
#define LOCK(c) ((void)0)     /* the GIL is the lock: correct up to 3.11 only */
#define UNLOCK(c) ((void)0)
#endif

static node *node_of(void *p) { return (node *)((char *)p - HEADER); }

static void *cache_malloc(void *ctx, size_t size) {
    cache *c = ctx;
    node *n = NULL;
    if (size <= SMALL) {
        LOCK(c);
        n = c->free_list;
        if (n) c->free_list = n->next;
        UNLOCK(c);
    }
    if (n == NULL) {
        size_t capacity = size <= SMALL ? SMALL : size;
        if (capacity > (size_t)-1 - HEADER) return NULL;
        n = c->below.malloc(c->below.ctx, capacity + HEADER);
        if (n == NULL) return NULL;
        n->size = capacity;
    }
    return (char *)n + HEADER;
}

static void *cache_calloc(void *ctx, size_t nelem, size_t elsize) {
    if (elsize != 0 && nelem > (size_t)-1 / elsize) return NULL;
    size_t size = nelem * elsize;
    char *p = cache_malloc(ctx, size);
    if (p) memset(p, 0, size ? size : 1);   /* the one byte of a zero-size block too */
    return p;
}

static void cache_free(void *ctx, void *ptr) {
    cache *c = ctx;
    if (ptr == NULL) return;
    node *n = node_of(ptr);
    if (n->size != SMALL) {
        c->below.free(c->below.ctx, n);
        return;
    }
    LOCK(c);
    n->next = c->free_list;
    c->free_list = n;
    UNLOCK(c);
}

static void *cache_realloc(void *ctx, void *ptr, size_t size) {
    if (ptr == NULL) return cache_malloc(ctx, size);
    node *n = node_of(ptr);
    if (size <= n->size && (n->size == SMALL) == (size <= SMALL)) return ptr;
    char *moved = cache_malloc(ctx, size);
    if (moved == NULL) return NULL;   /* the old block stays as it was */
    memcpy(moved, ptr, n->size < size ? n->size : size);
    cache_free(ctx, ptr);
    return moved;
}

int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
    if (domain == PYMEMCHECK_DOMAIN_RAW) return 1;   /* RAW is called without the GIL: left alone */
    caches[domain].below = *previous;
    hook->ctx = &caches[domain];
    hook->malloc = cache_malloc;
    hook->calloc = cache_calloc;
    hook->realloc = cache_realloc;
    hook->free = cache_free;
    return 0;
}
