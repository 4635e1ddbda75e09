/*
 * A correct hook with a per-thread cache: small blocks (up to 256 bytes, in 16-byte classes)
 * freed by a thread wait in that thread's own free lists for its next request of the class;
 * a list that grows past a bound, and a thread's lists when it ends, go to a shared pool
 * behind a mutex. Everything else, and every miss, is the allocator below's. No two threads
 * ever touch the same list without the lock, so it is thread-safe in every domain, as 3.12+
 * requires. Blocks carry a 16-byte header: their class (0 for a block of the allocator below).
 */
#include <pthread.h>
#include <string.h>
#include "pymemcheck_plugin.h"

#define HEADER 16
#define CLASSES 16            /* 16, 32, ..., 256 bytes */
#define CLASS_BYTES 16
#define LOCAL_LIMIT 32        /* blocks a thread keeps per class before handing them on */

typedef struct cached { struct cached *next; } cached;
typedef struct { size_t class_index; size_t size; } header;

typedef struct {
    PyMemAllocatorEx below;
    pthread_mutex_t lock;
    cached *shared[CLASSES + 1];
} domain_state;

typedef struct {
    cached *lists[3][CLASSES + 1];
    int counts[3][CLASSES + 1];
} thread_cache;

static domain_state domains[3] = {
    {.lock = PTHREAD_MUTEX_INITIALIZER}, {.lock = PTHREAD_MUTEX_INITIALIZER}, {.lock = PTHREAD_MUTEX_INITIALIZER}};
static __thread thread_cache cache;
static pthread_key_t thread_end;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static header *header_of(void *p) { return (header *)((char *)p - HEADER); }
static size_t class_of(size_t size) { return size <= CLASSES * CLASS_BYTES ? (size + CLASS_BYTES - 1) / CLASS_BYTES + (size == 0) : 0; }

/* A thread's lists go to the shared pools when it ends (its cache is gone after). */
static void give_back(void *unused) {
    (void)unused;
    for (int d = 0; d < 3; d++) {
        pthread_mutex_lock(&domains[d].lock);
        for (int c = 1; c <= CLASSES; c++) {
            while (cache.lists[d][c]) {
                cached *block = cache.lists[d][c];
                cache.lists[d][c] = block->next;
                block->next = domains[d].shared[c];
                domains[d].shared[c] = block;
            }
            cache.counts[d][c] = 0;
        }
        pthread_mutex_unlock(&domains[d].lock);
    }
}

static void make_key(void) { pthread_key_create(&thread_end, give_back); }

static int domain_of(domain_state *state) { return (int)(state - domains); }

static void *take(domain_state *state, size_t class_index) {
    int d = domain_of(state);
    cached *block = cache.lists[d][class_index];
    if (block) {
        cache.lists[d][class_index] = block->next;
        cache.counts[d][class_index]--;
        return block;
    }
    pthread_mutex_lock(&state->lock);
    block = state->shared[class_index];
    if (block) state->shared[class_index] = block->next;
    pthread_mutex_unlock(&state->lock);
    return block;
}

static void *cache_malloc(void *ctx, size_t size) {
    domain_state *state = ctx;
    size_t class_index = class_of(size);
    pthread_once(&key_once, make_key);
    pthread_setspecific(thread_end, &cache);   /* any non-NULL value: the destructor runs */
    char *base = class_index ? take(state, class_index) : NULL;
    if (base == NULL) {
        size_t capacity = class_index ? class_index * CLASS_BYTES : (size ? size : 1);
        if (capacity > (size_t)-1 - HEADER) return NULL;
        base = state->below.malloc(state->below.ctx, capacity + HEADER);
        if (base == NULL) return NULL;
    }
    ((header *)base)->class_index = class_index;
    ((header *)base)->size = size;
    return base + HEADER;
}

static void *cache_calloc(void *ctx, size_t nelem, size_t elsize) {
    if (elsize != 0 && nelem > (size_t)-1 / elsize) return NULL;
    void *block = cache_malloc(ctx, nelem * elsize);
    size_t size = nelem * elsize;
    if (block) memset(block, 0, size ? size : 1);   /* the one byte of a zero-size block too */
    return block;
}

static void cache_free(void *ctx, void *ptr) {
    domain_state *state = ctx;
    if (ptr == NULL) return;
    header *h = header_of(ptr);
    size_t class_index = h->class_index;
    if (class_index == 0) {
        state->below.free(state->below.ctx, h);
        return;
    }
    int d = domain_of(state);
    cached *block = (cached *)h;
    if (cache.counts[d][class_index] < LOCAL_LIMIT) {
        block->next = cache.lists[d][class_index];
        cache.lists[d][class_index] = block;
        cache.counts[d][class_index]++;
        return;
    }
    pthread_mutex_lock(&state->lock);
    block->next = state->shared[class_index];
    state->shared[class_index] = block;
    pthread_mutex_unlock(&state->lock);
}

static void *cache_realloc(void *ctx, void *ptr, size_t size) {
    if (ptr == NULL) return cache_malloc(ctx, size);
    header *h = header_of(ptr);
    size_t capacity = h->class_index ? h->class_index * CLASS_BYTES : h->size;
    if (h->class_index && size <= capacity && class_of(size) == h->class_index) {
        h->size = size;
        return ptr;
    }
    void *moved = cache_malloc(ctx, size);
    if (moved == NULL) return NULL;   /* the old block stays as it was */
    memcpy(moved, ptr, h->size < size ? h->size : size);
    cache_free(ctx, ptr);
    return moved;
}

int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
    domains[domain].below = *previous;
    hook->ctx = &domains[domain];
    hook->malloc = cache_malloc;
    hook->calloc = cache_calloc;
    hook->realloc = cache_realloc;
    hook->free = cache_free;
    return 0;
}
