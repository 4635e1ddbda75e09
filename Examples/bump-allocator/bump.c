/*
 * A replacement allocator that conforms: blocks are carved from 1 MiB regions with a bump
 * pointer (large blocks get a mapping of their own), freed blocks go to per-size free lists,
 * and one mutex makes it thread-safe. It never calls the allocator it replaces. Each block
 * carries a 16-byte header with its capacity, which realloc needs.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "pymemcheck_plugin.h"

#define ALIGNMENT 16
#define HEADER 16
#define REGION (1u << 20)
#define LARGE (64u << 10)
#define CLASSES (LARGE / ALIGNMENT + 1)
#define SSIZE_MAX_ ((size_t)PTRDIFF_MAX)

typedef struct { size_t capacity; size_t large; } header;
typedef struct free_block { struct free_block *next; } free_block;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *bump, *bump_end;
static free_block *free_lists[CLASSES];

static size_t round_up(size_t size) { return (size + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1); }
static header *header_of(void *p) { return (header *)((char *)p - HEADER); }

static void *large_block(size_t capacity) {
    char *region = mmap(NULL, capacity + HEADER, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) return NULL;
    ((header *)region)->capacity = capacity;
    ((header *)region)->large = 1;
    return region + HEADER;
}

/* Called with the lock held. */
static void *small_block(size_t capacity) {
    size_t index = capacity / ALIGNMENT;
    if (free_lists[index]) {
        free_block *block = free_lists[index];
        free_lists[index] = block->next;
        return block;
    }
    if (bump == NULL || (size_t)(bump_end - bump) < capacity + HEADER) {
        char *region = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (region == MAP_FAILED) return NULL;
        bump = region;
        bump_end = region + REGION;
    }
    header *h = (header *)bump;
    h->capacity = capacity;
    h->large = 0;
    bump += capacity + HEADER;
    return (char *)h + HEADER;
}

static void *bump_malloc(void *ctx, size_t size) {
    (void)ctx;
    if (size > SSIZE_MAX_) return NULL;
    size_t capacity = round_up(size ? size : 1);      /* zero bytes: a distinct block anyway */
    if (capacity > LARGE) return large_block(capacity);
    pthread_mutex_lock(&lock);
    void *p = small_block(capacity);
    pthread_mutex_unlock(&lock);
    return p;
}

static void *bump_calloc(void *ctx, size_t nelem, size_t elsize) {
    if (elsize != 0 && nelem > SSIZE_MAX_ / elsize) return NULL;   /* nelem*elsize overflows */
    size_t size = nelem * elsize;
    void *p = bump_malloc(ctx, size);
    /* A large block is a fresh mapping, zero already (and maybe gigabytes: do not touch it). */
    /* calloc(0, n) is calloc(1, 1): its one usable byte is zero too. */
    if (p && !header_of(p)->large) memset(p, 0, size == 0 ? 1 : size);
    return p;
}

static void bump_free(void *ctx, void *ptr) {
    (void)ctx;
    if (ptr == NULL) return;
    header *h = header_of(ptr);
    if (h->large) {
        munmap(h, h->capacity + HEADER);
        return;
    }
    pthread_mutex_lock(&lock);
    free_block *block = ptr;
    block->next = free_lists[h->capacity / ALIGNMENT];
    free_lists[h->capacity / ALIGNMENT] = block;
    pthread_mutex_unlock(&lock);
}

static void *bump_realloc(void *ctx, void *ptr, size_t size) {
    if (ptr == NULL) return bump_malloc(ctx, size);
    if (size > SSIZE_MAX_) return NULL;                 /* the old block stays as it was */
    header *h = header_of(ptr);
    if (round_up(size ? size : 1) <= h->capacity && !h->large) return ptr;
    void *moved = bump_malloc(ctx, size);
    if (moved == NULL) return NULL;
    memcpy(moved, ptr, h->capacity < size ? h->capacity : size);
    bump_free(ctx, ptr);
    return moved;
}

int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
    (void)previous;
    if (domain < 0 || domain > 2) return 1;
    hook->ctx = NULL;
    hook->malloc = bump_malloc;
    hook->calloc = bump_calloc;
    hook->realloc = bump_realloc;
    hook->free = bump_free;
    return 0;
}
