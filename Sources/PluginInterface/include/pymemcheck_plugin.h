/*
 * pymemcheck_plugin.h — the interface of a custom CPython allocator that `pymemcheck certify`
 * checks against the documented contract of PyMem_SetAllocator.
 *
 * A plugin is a shared library exporting, with C linkage, the one function below. It must not
 * need libpython: pymemcheck loads it into a process where the target's libpython is already
 * loaded, after Py_PreInitialize and before Py_InitializeEx.
 *
 * pymemcheck calls pymemcheck_allocator() for PYMEM_DOMAIN_RAW, then MEM, then OBJ. `previous`
 * is the allocator installed for that domain now (in certify: pymemcheck's fault-injection and
 * guard-page layers over CPython's own allocator, never the debug hooks). Fill `hook` with the
 * allocator to install; it may call `previous` (a hook) or never touch it (a replacement).
 * Return 0 to install `hook`, non-zero to leave the domain alone. In the debug modes pymemcheck
 * then calls PyMem_SetupDebugHooks() on top, as the documents require after a replacement.
 *
 * What the documents ask of the allocator you install (and certify checks). Sizes are size_t:
 * a request above PY_SSIZE_T_MAX may reach you (CPython refuses those itself in its API, but
 * not every caller goes through it), and passing it on to `previous` is fine: it refuses it.
 *   - malloc(0), calloc(0, n) and calloc(n, 0) return a distinct non-NULL pointer to a block
 *     of its own with at least one usable byte (zeroed, for calloc): without the debug hooks
 *     your function answers PyMem_Malloc(0) itself, which CPython documents "as if
 *     PyMem_Malloc(1) had been called". A pointer one past the end of a block is not enough;
 *   - calloc zeroes nelem*elsize bytes and returns NULL when that product overflows size_t;
 *   - realloc keeps min(old, new) bytes; realloc(NULL, n) is malloc(n); realloc(p, 0) resizes
 *     and returns non-NULL (glibc's realloc(p, 0) frees p and returns NULL: a replacement
 *     over it must ask for 1 byte instead); free(NULL) does nothing;
 *   - a failing realloc returns NULL and leaves the old block valid, intact and freeable;
 *   - RAW is called without the GIL, from any thread: it must be thread-safe. Up to 3.11 the
 *     GIL serialises MEM and OBJ; from 3.12 every domain must be thread-safe (interpreters
 *     with their own GIL call it at once). certify loads the plugin into pymemcheck-threads
 *     and watches its threads with valgrind's DRD: build with -g to have races named by line;
 *   - each edge must hold as the very first allocator call a thread makes (per-thread state
 *     made lazily is where that breaks);
 *   - the `ctx` you put in `hook` is passed back as the first argument of every call.
 * `previous` is the allocator below: call it for what you pass on, with its own ctx; its
 * blocks are guarded in certify (a read or write past the end, or after a free, crashes at
 * once) and its functions may be made to fail, to test your failure paths.
 */
#ifndef PYMEMCHECK_PLUGIN_H
#define PYMEMCHECK_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef Py_PYTHON_H
/* CPython's own struct (Include/cpython/pymem.h), identical from 3.5 to 3.13. A plugin that
   includes Python.h first gets the real declaration instead. */
typedef struct {
    void *ctx;                                                   /* passed as first argument */
    void *(*malloc)(void *ctx, size_t size);
    void *(*calloc)(void *ctx, size_t nelem, size_t elsize);
    void *(*realloc)(void *ctx, void *ptr, size_t new_size);
    void (*free)(void *ctx, void *ptr);
} PyMemAllocatorEx;
#endif

/* The domain numbers, as PyMemAllocatorDomain. */
enum {
    PYMEMCHECK_DOMAIN_RAW = 0,
    PYMEMCHECK_DOMAIN_MEM = 1,
    PYMEMCHECK_DOMAIN_OBJ = 2
};

/* domain: 0 = PYMEM_DOMAIN_RAW, 1 = PYMEM_DOMAIN_MEM, 2 = PYMEM_DOMAIN_OBJ.
   previous: the allocator installed for that domain now.
   hook: fill it with the allocator to install (it may call previous, or replace it).
   Return 0 to install hook for this domain, non-zero to leave the domain alone. */
int pymemcheck_allocator(int domain, const PyMemAllocatorEx *previous, PyMemAllocatorEx *hook);

#ifdef __cplusplus
}
#endif

#endif /* PYMEMCHECK_PLUGIN_H */
