/*
 * A correct hook: every block carries a 16-byte header in front (its size), taken from the
 * allocator below with the request grown by 16. A zero-size request gets one usable byte, as
 * CPython's own allocators give it ("as if malloc(1) had been called"). calloc is passed on as a malloc of the
 * product plus the header, zeroed here; only a product or a sum that wraps size_t is refused
 * here, everything else is the allocator below's to refuse. It never clamps at PY_SSIZE_T_MAX:
 * a request above it reaches `previous`, which must refuse it.
 */
#include <string.h>
#include "pymemcheck_plugin.h"

#define HEADER 16

static PyMemAllocatorEx below[3];

/* The bytes a request of `size` gets: at least one. */
static size_t usable(size_t size) { return size ? size : 1; }

static void *with_header(char *base, size_t size) {
    if (base == NULL) return NULL;
    *(size_t *)base = size;
    return base + HEADER;
}

static void *header_malloc(void *ctx, size_t size) {
    PyMemAllocatorEx *b = ctx;
    if (size > (size_t)-1 - HEADER) return NULL;
    return with_header(b->malloc(b->ctx, usable(size) + HEADER), size);
}

static void *header_calloc(void *ctx, size_t nelem, size_t elsize) {
    PyMemAllocatorEx *b = ctx;
    if (elsize != 0 && nelem > ((size_t)-1 - HEADER) / elsize) return NULL;
    size_t size = nelem * elsize;
    char *block = with_header(b->malloc(b->ctx, usable(size) + HEADER), size);
    if (block != NULL) memset(block, 0, usable(size));   /* the one byte of a zero-size block too */
    return block;
}

static void *header_realloc(void *ctx, void *ptr, size_t size) {
    PyMemAllocatorEx *b = ctx;
    if (size > (size_t)-1 - HEADER) return NULL;
    char *base = ptr == NULL ? NULL : (char *)ptr - HEADER;
    return with_header(b->realloc(b->ctx, base, usable(size) + HEADER), size);
}

static void header_free(void *ctx, void *ptr) {
    PyMemAllocatorEx *b = ctx;
    if (ptr != NULL) b->free(b->ctx, (char *)ptr - HEADER);
}

int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
    below[domain] = *previous;
    hook->ctx = &below[domain];
    hook->malloc = header_malloc;
    hook->calloc = header_calloc;
    hook->realloc = header_realloc;
    hook->free = header_free;
    return 0;
}
