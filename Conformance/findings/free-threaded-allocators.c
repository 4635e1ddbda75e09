/*
 * A free-threaded CPython (3.13t) and allocators other than its mimalloc
 * (preconfig.free-threaded-allocators, setallocator.obj-before-init-keeps-gc). Loads the
 * libpython given and starts it one of three ways:
 *   name NAME     PYTHONMALLOC=NAME: malloc, pymalloc and their _debug forms are refused;
 *   preconfig N   PyPreConfig.allocator = N (3 malloc, 4 malloc_debug, 5 pymalloc,
 *                 6 pymalloc_debug): accepted, where the names are refused;
 *   obj-malloc    an OBJ allocator serving malloc/calloc/realloc/free, installed after
 *                 Py_PreInitialize and before Py_InitializeEx, as the contract allows;
 *   obj-header    an OBJ hook installed the same way, forwarding each call to the allocator it
 *                 replaced with 16 more bytes and returning the block past a header of its own;
 *   obj-large-free  1000 rounds of PyObject_Calloc(262145, 1) and PyObject_Free, then prints
 *                 how far the resident memory grew: about 300 MiB on 3.13t, nothing with a GIL.
 * Then it drops a reference cycle, calls gc.collect() and prints "cycle collected" or "cycle not
 * collected". On 3.13t: the names are refused; preconfig 3 and 5 and obj-malloc print "cycle not
 * collected" (the collector finds objects through mimalloc's heaps), and so does obj-header (it
 * reads the header as the object: an untracked one, zeroed; other bytes there crash it);
 * preconfig 4 and 6 crash in Py_InitializeEx with SIGSEGV. A build with a GIL collects the cycle in every one.
 *
 *   cc -o ft-allocators free-threaded-allocators.c -ldl
 *   ./ft-allocators ~/.cache/pymemcheck/cpython/3.13.5t/prefix/lib/libpython3.13t.so.1.0 obj-malloc
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* PyStatus and PyMemAllocatorEx as Include/cpython/initconfig.h and pymem.h declare them. */
typedef struct { int type; const char *func; const char *err_msg; int exitcode; } Status;
typedef struct {
    void *ctx;
    void *(*malloc)(void *, size_t);
    void *(*calloc)(void *, size_t, size_t);
    void *(*realloc)(void *, void *, size_t);
    void (*free)(void *, void *);
} Allocator;

static void *c_malloc(void *ctx, size_t n) { (void)ctx; return malloc(n ? n : 1); }
static void *c_calloc(void *ctx, size_t n, size_t s) { (void)ctx; return calloc(n ? n : 1, s ? s : 1); }
static void *c_realloc(void *ctx, void *p, size_t n) { (void)ctx; return realloc(p, n ? n : 1); }
static void c_free(void *ctx, void *p) { (void)ctx; free(p); }

/* The hook: the allocator it replaced, and a 16-byte header in front of each block (the size,
   then a zero word). */
static Allocator replaced;
enum { HEADER = 16 };
static void *headed(char *block, size_t n) {
    if (block == NULL) return NULL;
    ((size_t *)block)[0] = n;
    ((size_t *)block)[1] = 0;
    return block + HEADER;
}
static void *h_malloc(void *ctx, size_t n) { (void)ctx; return headed(replaced.malloc(replaced.ctx, n + HEADER), n); }
static void *h_calloc(void *ctx, size_t n, size_t s) {
    (void)ctx;
    if (s != 0 && n > ((size_t)-1 - HEADER) / s) return NULL;
    return headed(replaced.calloc(replaced.ctx, 1, n * s + HEADER), n * s);
}
static void *h_realloc(void *ctx, void *p, size_t n) {
    (void)ctx;
    return headed(replaced.realloc(replaced.ctx, p ? (char *)p - HEADER : NULL, n + HEADER), n);
}
static void h_free(void *ctx, void *p) { (void)ctx; if (p) replaced.free(replaced.ctx, (char *)p - HEADER); }

/* The resident memory, from /proc/self/statm, in KiB. */
static long resident_kib(void) {
    long size = 0, resident = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm != NULL && fscanf(statm, "%ld %ld", &size, &resident) != 2) resident = 0;
    if (statm != NULL) fclose(statm);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static const char cycle[] =
    "import gc, weakref\nclass A: pass\na = A()\na.me = a\nr = weakref.ref(a)\ndel a\ngc.collect()\n"
    "print('cycle collected' if r() is None else 'cycle not collected')\n";

int main(int argc, char **argv) {
    int bare = argc > 2 && (!strcmp(argv[2], "obj-malloc") || !strcmp(argv[2], "obj-header")
                            || !strcmp(argv[2], "obj-large-free"));
    if (argc != (bare ? 3 : 4)) {
        fprintf(stderr, "usage: %s LIBPYTHON name NAME | preconfig N | obj-malloc | obj-header | obj-large-free\n",
                argv[0]);
        return 2;
    }
    void *python = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (python == NULL) { fprintf(stderr, "%s\n", dlerror()); return 2; }
    void (*init_config)(int *) = (void (*)(int *))dlsym(python, "PyPreConfig_InitPythonConfig");
    Status (*pre_initialize)(const int *) = (Status (*)(const int *))dlsym(python, "Py_PreInitialize");
    void (*set_allocator)(int, Allocator *) = (void (*)(int, Allocator *))dlsym(python, "PyMem_SetAllocator");
    void (*get_allocator)(int, Allocator *) = (void (*)(int, Allocator *))dlsym(python, "PyMem_GetAllocator");
    void (*initialize)(int) = (void (*)(int))dlsym(python, "Py_InitializeEx");
    int (*run)(const char *) = (int (*)(const char *))dlsym(python, "PyRun_SimpleString");
    if (!init_config || !pre_initialize || !set_allocator || !get_allocator || !initialize || !run) {
        fprintf(stderr, "%s lacks the 3.8+ start-up functions\n", argv[1]);
        return 2;
    }
    int config[128]; /* larger than any PyPreConfig; allocator is its tenth int on Linux */
    init_config(config);
    if (!strcmp(argv[2], "name")) setenv("PYTHONMALLOC", argv[3], 1);
    if (!strcmp(argv[2], "preconfig")) config[9] = atoi(argv[3]);
    Status status = pre_initialize(config);
    if (status.type != 0) {
        printf("refused: %s\n", status.err_msg ? status.err_msg : "(no message)");
        return 0;
    }
    if (!strcmp(argv[2], "obj-malloc")) {
        Allocator allocator = {NULL, c_malloc, c_calloc, c_realloc, c_free};
        set_allocator(2 /* PYMEM_DOMAIN_OBJ */, &allocator);
    }
    if (!strcmp(argv[2], "obj-header")) {
        Allocator hook = {NULL, h_malloc, h_calloc, h_realloc, h_free};
        get_allocator(2, &replaced);
        set_allocator(2, &hook);
    }
    printf("accepted\n");
    fflush(stdout);
    initialize(0);
    if (!strcmp(argv[2], "obj-large-free")) {
        void *(*obj_calloc)(size_t, size_t) = (void *(*)(size_t, size_t))dlsym(python, "PyObject_Calloc");
        void (*obj_free)(void *) = (void (*)(void *))dlsym(python, "PyObject_Free");
        long before = resident_kib();
        for (int round = 0; round < 1000; round++) obj_free(obj_calloc(262145, 1));
        printf("grew by %ld MiB\n", (resident_kib() - before) >> 10);
        return 0;
    }
    return run(cycle) == 0 ? 0 : 1;
}
