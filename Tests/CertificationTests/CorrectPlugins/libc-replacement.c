/*
 * A correct replacement: the C library's allocator for every domain, never calling the one it
 * replaces. The C library differs from the contract in one place that a replacement must
 * mend: glibc's realloc(p, 0) frees p and returns NULL, where the contract wants a block.
 */
#include <stdlib.h>
#include "pymemcheck_plugin.h"

static void *libc_malloc(void *ctx, size_t size) {
    (void)ctx;
    return malloc(size ? size : 1);
}

static void *libc_calloc(void *ctx, size_t nelem, size_t elsize) {
    (void)ctx;
    if (nelem == 0 || elsize == 0) nelem = elsize = 1;
    return calloc(nelem, elsize);   /* refuses a product that wraps */
}

static void *libc_realloc(void *ctx, void *ptr, size_t size) {
    (void)ctx;
    return realloc(ptr, size ? size : 1);
}

static void libc_free(void *ctx, void *ptr) {
    (void)ctx;
    free(ptr);
}

int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook) {
    (void)domain;
    (void)previous;
    hook->ctx = NULL;
    hook->malloc = libc_malloc;
    hook->calloc = libc_calloc;
    hook->realloc = libc_realloc;
    hook->free = libc_free;
    return 0;
}
