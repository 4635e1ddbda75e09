#include <Python.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SLOTS 16
#define CAP ((size_t)4 << 20)
static void *slot_ptr[SLOTS];
static size_t slot_size[SLOTS];
static int slot_domain[SLOTS];
static unsigned char *shadow[SLOTS];   /* expected bytes */
static unsigned char *known[SLOTS];    /* 1 where the expected byte is known */
static int findings;
static int op_index;
static int debug_hooks;
static unsigned char clean_byte;

static void finding(const char *invariant, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    printf("FINDING op %d: %s: ", op_index, invariant);
    vprintf(fmt, args);
    printf("\n");
    va_end(args);
    findings++;
}

/* The three domains through the public API. */
static void *api_malloc(int d, size_t n) { return d == 0 ? PyMem_RawMalloc(n) : d == 1 ? PyMem_Malloc(n) : PyObject_Malloc(n); }
static void *api_calloc(int d, size_t c, size_t n) { return d == 0 ? PyMem_RawCalloc(c, n) : d == 1 ? PyMem_Calloc(c, n) : PyObject_Calloc(c, n); }
static void *api_realloc(int d, void *p, size_t n) { return d == 0 ? PyMem_RawRealloc(p, n) : d == 1 ? PyMem_Realloc(p, n) : PyObject_Realloc(p, n); }
static void api_free(int d, void *p) { if (d == 0) PyMem_RawFree(p); else if (d == 1) PyMem_Free(p); else PyObject_Free(p); }

/* Fault injection: a layer over each domain's allocator (under the debug hooks). */
typedef struct { PyMemAllocatorEx below; int fail; int injected; } fault_layer;
static fault_layer faults[3];
static void *fault_malloc(void *ctx, size_t n) { fault_layer *f = ctx; if (f->fail == 1) { f->fail = 0; f->injected = 1; return NULL; } return f->below.malloc(f->below.ctx, n); }
static void *fault_calloc(void *ctx, size_t c, size_t n) { fault_layer *f = ctx; if (f->fail == 2) { f->fail = 0; f->injected = 1; return NULL; } return f->below.calloc(f->below.ctx, c, n); }
static void *fault_realloc(void *ctx, void *p, size_t n) { fault_layer *f = ctx; if (f->fail == 3) { f->fail = 0; f->injected = 1; return NULL; } return f->below.realloc(f->below.ctx, p, n); }
static void fault_free(void *ctx, void *p) { fault_layer *f = ctx; f->below.free(f->below.ctx, p); }
static int pending_fault[3];

static void install_faults(void) {
    for (int d = 0; d < 3; d++) {
        PyMem_GetAllocator((PyMemAllocatorDomain)d, &faults[d].below);
        PyMemAllocatorEx layer = { &faults[d], fault_malloc, fault_calloc, fault_realloc, fault_free };
        PyMem_SetAllocator((PyMemAllocatorDomain)d, &layer);
    }
}

static int arm(int d, int function) {
    if (pending_fault[d] != function) return 0;
    pending_fault[d] = 0;
    faults[d].fail = function;
    faults[d].injected = 0;
    return 1;
}

static int disarm(int d) { int injected = faults[d].injected; faults[d].fail = 0; faults[d].injected = 0; return injected; }

/* A plugin (pymemcheck_plugin.h) installed over the real allocator, before the faults. */
static void install_plugin(const char *path) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) { fprintf(stderr, "cannot load %s: %s\n", path, dlerror()); exit(2); }
    int (*entry)(int, const PyMemAllocatorEx *, PyMemAllocatorEx *) = (int (*)(int, const PyMemAllocatorEx *, PyMemAllocatorEx *))dlsym(handle, "pymemcheck_allocator");
    if (!entry) { fprintf(stderr, "%s does not export pymemcheck_allocator\n", path); exit(2); }
    for (int d = 0; d < 3; d++) {
        PyMemAllocatorEx previous, hook;
        PyMem_GetAllocator((PyMemAllocatorDomain)d, &previous);
        if (entry(d, &previous, &hook) == 0) PyMem_SetAllocator((PyMemAllocatorDomain)d, &hook);
    }
}

static int must_fail(size_t n) { return n > (size_t)PY_SSIZE_T_MAX; }

static void check_layout(int s) {
    if (!debug_hooks || !slot_ptr[s]) return;
    unsigned char *p = slot_ptr[s];
    size_t stored = 0;
    for (int i = 0; i < (int)sizeof(size_t); i++) stored = (stored << 8) | p[i - 2 * (int)sizeof(size_t)];
    const char ids[3] = { 'r', 'm', 'o' };
    if (stored != slot_size[s] || p[-(int)sizeof(size_t)] != ids[slot_domain[s]])
        finding("debug-layout", "block s%d: header says %zu bytes, API '%c'", s, stored, p[-(int)sizeof(size_t)]);
}

static void check_slot(int s, const char *invariant) {
    unsigned char *p = slot_ptr[s];
    if (!p) return;
    for (size_t i = 0; i < slot_size[s]; i++) {
        if (known[s][i] && p[i] != shadow[s][i]) {
            finding(invariant, "block s%d of %zu bytes: byte %zu is 0x%02x, expected 0x%02x", s, slot_size[s], i, p[i], shadow[s][i]);
            return;
        }
    }
    check_layout(s);
}

static void forget(int s) { free(shadow[s]); free(known[s]); shadow[s] = known[s] = NULL; slot_ptr[s] = NULL; slot_size[s] = 0; }

static void keep(int s, int d, void *p, size_t n, int fill, int fill_known) {
    slot_ptr[s] = p; slot_size[s] = n; slot_domain[s] = d;
    shadow[s] = malloc(n + 1); known[s] = malloc(n + 1);
    memset(shadow[s], fill, n); memset(known[s], fill_known, n);
    for (int o = 0; o < SLOTS; o++) {
        if (o == s || !slot_ptr[o]) continue;
        uintptr_t a = (uintptr_t)p, b = (uintptr_t)slot_ptr[o];
        size_t an = n ? n : 1, bn = slot_size[o] ? slot_size[o] : 1;
        if (a == b) finding("distinct", "block s%d is also the live block s%d", s, o);
        else if (a < b + bn && b < a + an) finding("no-overlap", "block s%d overlaps the live block s%d", s, o);
    }
}

static void release(int s) { if (slot_ptr[s]) { api_free(slot_domain[s], slot_ptr[s]); forget(s); } }

static void op_malloc(int d, size_t n, int s) {
    if (!must_fail(n) && n > CAP) return;
    release(s);
    int armed = arm(d, 1);
    void *p = api_malloc(d, n);
    int injected = armed && disarm(d);
    if (must_fail(n) || injected) { if (p) { finding("must-fail", "malloc(%zu) returned %p", n, p); api_free(d, p); } return; }
    if (!p) { finding("non-null", "malloc(%zu) returned NULL", n); return; }
    keep(s, d, p, n, debug_hooks ? clean_byte : 0, debug_hooks);
    check_slot(s, "clean-byte");
}

static void op_calloc(int d, size_t c, size_t n, int s) {
    size_t total;
    int overflow = __builtin_mul_overflow(c, n, &total);
    int fail = overflow || must_fail(total);
    if (!fail && total > CAP) {
        if (total < ((size_t)1 << 32) || debug_hooks) return;
        void *p = api_calloc(d, c, n);
        if (p) {
            long page = sysconf(_SC_PAGESIZE);
            void *last = (void *)(((uintptr_t)p + total - 1) & ~(uintptr_t)(page - 1));
            if (msync(last, (size_t)page, MS_ASYNC) != 0) finding("block-size", "calloc(%zu, %zu): the block is smaller than %zu bytes", c, n, total);
            api_free(d, p);
        }
        return;
    }
    release(s);
    int armed = arm(d, 2);
    void *p = api_calloc(d, c, n);
    int injected = armed && disarm(d);
    if (fail || injected) { if (p) { finding("must-fail", "calloc(%zu, %zu) returned %p", c, n, p); api_free(d, p); } return; }
    if (!p) { finding("non-null", "calloc(%zu, %zu) returned NULL", c, n); return; }
    keep(s, d, p, total, 0, 1);
    check_slot(s, "calloc-zeroed");
}

static void op_realloc(int d, int s, size_t n) {
    if (!must_fail(n) && n > CAP) return;
    if (!slot_ptr[s]) {
        int armed = arm(d, 3);
        void *p = api_realloc(d, NULL, n);
        int injected = armed && disarm(d);
        if (must_fail(n) || injected) { if (p) { finding("must-fail", "realloc(NULL, %zu) returned %p", n, p); api_free(d, p); } return; }
        if (!p) { finding("non-null", "realloc(NULL, %zu) returned NULL", n); return; }
        keep(s, d, p, n, debug_hooks ? clean_byte : 0, debug_hooks);
        return;
    }
    int bd = slot_domain[s];
    int armed = arm(bd, 3);
    void *p = api_realloc(bd, slot_ptr[s], n);
    int injected = armed && disarm(bd);
    if (must_fail(n) || injected) {
        if (p) { finding("must-fail", "realloc to %zu returned %p", n, p); forget(s); return; }
        check_slot(s, "failure-keeps-block");
        return;
    }
    if (!p) { finding("non-null", "realloc to %zu bytes returned NULL", n); return; }
    size_t old = slot_size[s];
    unsigned char *sh = malloc(n + 1), *kn = malloc(n + 1);
    memcpy(sh, shadow[s], old < n ? old : n); memcpy(kn, known[s], old < n ? old : n);
    if (n > old) { memset(sh + old, clean_byte, n - old); memset(kn + old, debug_hooks, n - old); }
    free(shadow[s]); free(known[s]);
    slot_ptr[s] = NULL;
    shadow[s] = sh; known[s] = kn;
    slot_ptr[s] = p; slot_size[s] = n;
    check_slot(s, "contents-kept");
}

static void op_free(int d, int s) { if (!slot_ptr[s]) { api_free(d, NULL); return; } release(s); }

static unsigned char pattern(int i, int seed) { return (unsigned char)((i * 31 + 7 + seed * 13) | 1); }

static void op_write(int s, int offset, int length, int seed) {
    if (!slot_ptr[s] || slot_size[s] == 0) return;
    size_t start = (size_t)offset % slot_size[s];
    size_t count = (size_t)length < slot_size[s] - start ? (size_t)length : slot_size[s] - start;
    for (size_t i = 0; i < count; i++) {
        ((unsigned char *)slot_ptr[s])[start + i] = pattern((int)i, seed);
        shadow[s][start + i] = pattern((int)i, seed);
        known[s][start + i] = 1;
    }
}

static void op_check(int s) { check_slot(s, "contents-kept"); }

static void *churn(void *arg) {
    int rounds = (int)(intptr_t)arg & 0xff, seed = (int)(intptr_t)arg >> 8;
    unsigned char value = (unsigned char)(seed | 1);
    for (int r = 0; r < rounds; r++) {
        size_t n = (size_t)((r * 37 + seed) % 700);
        unsigned char *p = PyMem_RawMalloc(n);
        if (!p) return "PyMem_RawMalloc returned NULL without the GIL";
        memset(p, value, n);
        for (size_t i = 0; i < n; i++) if (p[i] != value) { PyMem_RawFree(p); return "a RAW block changed under its thread"; }
        PyMem_RawFree(p);
    }
    return NULL;
}

static void op_raw_thread(int rounds) {
    if (rounds > 32) rounds = 32;
    pthread_t other;
    void *answer = NULL;
    Py_BEGIN_ALLOW_THREADS
    pthread_create(&other, NULL, churn, (void *)(intptr_t)(rounds | (101 << 8)));
    const char *mine = churn((void *)(intptr_t)(rounds | (7 << 8)));
    pthread_join(other, &answer);
    if (mine) finding("thread-safe", "%s", mine);
    if (answer) finding("thread-safe", "%s", (const char *)answer);
    Py_END_ALLOW_THREADS
}

/* Violations: the debug hooks must abort with their report. */
static void op_cross_free(int s, int d) { if (slot_ptr[s]) { api_free(d, slot_ptr[s]); forget(s); } else api_free(d, NULL); }
static void op_pad_write(int s, int offset) {
    if (!slot_ptr[s]) return;
    unsigned char *p = slot_ptr[s];
    if (offset < 0) p[offset] = 0x78; else p[slot_size[s] + (size_t)offset] = 0x78;
    release(s);
}
static void op_api_id(int s) { if (!slot_ptr[s]) return; ((unsigned char *)slot_ptr[s])[-(int)sizeof(size_t)] = 'z'; release(s); }
static void op_without_gil(int d) {
    Py_BEGIN_ALLOW_THREADS
    api_free(d, api_malloc(d, 16));
    Py_END_ALLOW_THREADS
}

static int finish(void) {
    op_index = -1;
    for (int s = 0; s < SLOTS; s++) check_slot(s, "contents-kept");
    for (int s = 0; s < SLOTS; s++) release(s);
    if (findings) { printf("verdict: %d finding(s)\n", findings); return 1; }
    printf("verdict: conforms\n");
    return 0;
}
