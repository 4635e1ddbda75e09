#include <Python.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <pthread.h>
#include <semaphore.h>
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

/* One call of the public API: kind 0 malloc, 1 calloc, 2 realloc, 3 free. */
typedef struct { int kind, d; void *p; size_t c, n; void *result; } api_call;
static void do_call(api_call *a) {
    int d = a->d;
    switch (a->kind) {
    case 0: a->result = d == 0 ? PyMem_RawMalloc(a->n) : d == 1 ? PyMem_Malloc(a->n) : PyObject_Malloc(a->n); break;
    case 1: a->result = d == 0 ? PyMem_RawCalloc(a->c, a->n) : d == 1 ? PyMem_Calloc(a->c, a->n) : PyObject_Calloc(a->c, a->n); break;
    case 2: a->result = d == 0 ? PyMem_RawRealloc(a->p, a->n) : d == 1 ? PyMem_Realloc(a->p, a->n) : PyObject_Realloc(a->p, a->n); break;
    default: if (d == 0) PyMem_RawFree(a->p); else if (d == 1) PyMem_Free(a->p); else PyObject_Free(a->p);
    }
}

/* Places (the `on` op): 0 the main thread; 1 a second thread, RAW without the GIL and with no
   thread state, MEM and OBJ holding the main GIL through its own thread state; 2 a thread of an
   interpreter with its own GIL (3.12+; elsewhere the main thread). One runs at a time: the main
   thread hands each call over and waits. A MEM or OBJ block is reallocated and freed in the
   interpreter that made it (slot_owner: 0 the main one, 2 its own). */
typedef struct { pthread_t thread; sem_t go, done; void (*job)(void *); void *argument; PyThreadState *tstate; } place_thread;
static place_thread places[3];
static int place_made[3], place, slot_owner[SLOTS];
static void *place_loop(void *argument) {
    place_thread *t = argument;
    for (;;) { sem_wait(&t->go); t->job(t->argument); sem_post(&t->done); }
    return NULL;
}
static void place_do(place_thread *t, void (*job)(void *), void *argument) {
    t->job = job; t->argument = argument;
    sem_post(&t->go);
    sem_wait(&t->done);
}
static void place_start(place_thread *t) {
    sem_init(&t->go, 0, 0); sem_init(&t->done, 0, 0);
    pthread_create(&t->thread, NULL, place_loop, t);
}
static int interpreter_of(int p) { return p == 2 && place_made[2] ? 2 : 0; }
/* Where a call in domain d on the block of slot s (-1: none) is made. */
static int at(int d, int s);
static void call_on_second_thread(void *argument) {
    api_call *a = argument;
    if (a->d == 0) { do_call(a); return; }
    PyEval_RestoreThread(places[1].tstate);
    do_call(a);
    places[1].tstate = PyEval_SaveThread();
}
static void call_in_own_interpreter(void *argument) {
    PyEval_RestoreThread(places[2].tstate);
    do_call(argument);
    places[2].tstate = PyEval_SaveThread();
}
static void run_call(int where, api_call *a) {
    if (where == 1 && place_made[1]) {
        Py_BEGIN_ALLOW_THREADS
        place_do(&places[1], call_on_second_thread, a);
        Py_END_ALLOW_THREADS
    } else if (where == 2 && place_made[2]) {
        place_do(&places[2], call_in_own_interpreter, a);
    } else {
        do_call(a);
    }
}

/* The three domains through the public API, called at place `where`. */
static void *api_malloc(int where, int d, size_t n) { api_call a = {0, d, NULL, 0, n, NULL}; run_call(where, &a); return a.result; }
static void *api_calloc(int where, int d, size_t c, size_t n) { api_call a = {1, d, NULL, c, n, NULL}; run_call(where, &a); return a.result; }
static void *api_realloc(int where, int d, void *p, size_t n) { api_call a = {2, d, p, 0, n, NULL}; run_call(where, &a); return a.result; }
static void api_free(int where, int d, void *p) { api_call a = {3, d, p, 0, 0, NULL}; run_call(where, &a); }

/* Fault injection: a layer over each domain's allocator (under the debug hooks). */
typedef struct { PyMemAllocatorEx below; int fail; int injected; } fault_layer;
static fault_layer faults[3];
static void *fault_malloc(void *ctx, size_t n) { fault_layer *f = ctx; if (f->fail == 1) { f->fail = 0; f->injected = 1; return NULL; } return f->below.malloc(f->below.ctx, n); }
static void *fault_calloc(void *ctx, size_t c, size_t n) { fault_layer *f = ctx; if (f->fail == 2) { f->fail = 0; f->injected = 1; return NULL; } return f->below.calloc(f->below.ctx, c, n); }
static void *fault_realloc(void *ctx, void *p, size_t n) { fault_layer *f = ctx; if (f->fail == 3) { f->fail = 0; f->injected = 1; return NULL; } return f->below.realloc(f->below.ctx, p, n); }
static void fault_free(void *ctx, void *p) { fault_layer *f = ctx; f->below.free(f->below.ctx, p); }
static int pending_fault[3];

/* Domains whose fault layer is under a plugin (its `previous`), as certify puts it. */
static int fault_under_plugin[3];

static void install_faults(void) {
    for (int d = 0; d < 3; d++) {
        if (fault_under_plugin[d]) continue;
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

/* Certify's guard layer, under a plugin: once the runtime is up, each block of up to 1 MiB ends
   against an inaccessible page, a freed block is made inaccessible at once (and unmapped after a
   quarantine of 256), and realloc always moves, so that a plugin reading or writing out of
   bounds, or after a free, crashes at once as it does under pymemcheck. */
#define GUARD_LARGEST ((size_t)1 << 20)
#define GUARD_TABLE (1 << 16)
#define GUARD_QUARANTINE 256
typedef struct { uintptr_t block; char *start; size_t length, size; } guarded_block;
static guarded_block guard_table[GUARD_TABLE];
static guarded_block guard_quarantine[GUARD_QUARANTINE];
static int guard_oldest, guard_armed;
static PyMemAllocatorEx guard_below[3];
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;

static guarded_block *guard_slot(uintptr_t block, int for_insert) {
    size_t i = (block >> 4) % GUARD_TABLE;
    for (int probes = 0; probes < GUARD_TABLE; probes++, i = (i + 1) % GUARD_TABLE) {
        if (guard_table[i].block == block) return &guard_table[i];
        if (guard_table[i].block == 0) return for_insert ? &guard_table[i] : NULL;
    }
    return NULL;
}

static void *guard_new(size_t size, int zeroed) {
    (void)zeroed; /* a fresh mapping reads as zero */
    long page = sysconf(_SC_PAGESIZE);
    size_t asked = size ? size : 1;
    size_t data = (asked + (size_t)page - 1) / (size_t)page * (size_t)page;
    char *start = mmap(NULL, data + (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (start == MAP_FAILED) return NULL;
    mprotect(start + data, (size_t)page, PROT_NONE);
    char *block = start + ((data - asked) & ~(size_t)15);
    pthread_mutex_lock(&guard_lock);
    guarded_block *slot = guard_slot((uintptr_t)block, 1);
    if (slot) *slot = (guarded_block){ (uintptr_t)block, start, data + (size_t)page, size };
    pthread_mutex_unlock(&guard_lock);
    return block;
}

/* The guarded block at `p`, taken out of the table (its record), or a record with block 0. */
static guarded_block guard_take(void *p) {
    guarded_block found = { 0, NULL, 0, 0 };
    pthread_mutex_lock(&guard_lock);
    guarded_block *slot = guard_slot((uintptr_t)p, 0);
    if (slot) {
        found = *slot;
        /* Re-insert the rest of the run, so that no later probe stops at the hole. */
        slot->block = 0;
        size_t i = (size_t)(slot - guard_table);
        for (i = (i + 1) % GUARD_TABLE; guard_table[i].block; i = (i + 1) % GUARD_TABLE) {
            guarded_block moved = guard_table[i];
            guard_table[i].block = 0;
            *guard_slot(moved.block, 1) = moved;
        }
    }
    pthread_mutex_unlock(&guard_lock);
    return found;
}

static void guard_retire(guarded_block block) {
    mprotect(block.start, block.length, PROT_NONE);
    pthread_mutex_lock(&guard_lock);
    guarded_block evicted = guard_quarantine[guard_oldest];
    guard_quarantine[guard_oldest] = block;
    guard_oldest = (guard_oldest + 1) % GUARD_QUARANTINE;
    pthread_mutex_unlock(&guard_lock);
    if (evicted.start) munmap(evicted.start, evicted.length);
}

static void *guard_malloc(void *ctx, size_t n) {
    PyMemAllocatorEx *b = ctx;
    return guard_armed && n <= GUARD_LARGEST ? guard_new(n, 0) : b->malloc(b->ctx, n);
}
static void *guard_calloc(void *ctx, size_t c, size_t n) {
    PyMemAllocatorEx *b = ctx;
    size_t total;
    if (!guard_armed || __builtin_mul_overflow(c, n, &total) || total > GUARD_LARGEST) return b->calloc(b->ctx, c, n);
    return guard_new(total, 1);
}
static void guard_free(void *ctx, void *p) {
    PyMemAllocatorEx *b = ctx;
    guarded_block block = p ? guard_take(p) : (guarded_block){ 0, NULL, 0, 0 };
    if (block.block) guard_retire(block); else b->free(b->ctx, p);
}
static void *guard_realloc(void *ctx, void *p, size_t n) {
    PyMemAllocatorEx *b = ctx;
    if (!p) return guard_malloc(ctx, n);
    guarded_block block = guard_take(p);
    if (!block.block) return b->realloc(b->ctx, p, n);
    void *moved = n <= GUARD_LARGEST ? guard_new(n, 0) : b->malloc(b->ctx, n);
    if (!moved) {
        pthread_mutex_lock(&guard_lock);
        guarded_block *slot = guard_slot(block.block, 1);
        if (slot) *slot = block; /* the old block stays, valid */
        pthread_mutex_unlock(&guard_lock);
        return NULL;
    }
    memcpy(moved, p, block.size < n ? block.size : n);
    guard_retire(block);
    return moved;
}

/* A plugin (pymemcheck_plugin.h) installed as certify installs it: its `previous` is the fault
   layer over the guard layer over the real allocator (below the debug hooks, set up after). */
static void install_plugin(const char *path) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) { fprintf(stderr, "cannot load %s: %s\n", path, dlerror()); exit(2); }
    int (*entry)(int, const PyMemAllocatorEx *, PyMemAllocatorEx *) = (int (*)(int, const PyMemAllocatorEx *, PyMemAllocatorEx *))dlsym(handle, "pymemcheck_allocator");
    if (!entry) { fprintf(stderr, "%s does not export pymemcheck_allocator\n", path); exit(2); }
    for (int d = 0; d < 3; d++) {
        PyMem_GetAllocator((PyMemAllocatorDomain)d, &guard_below[d]);
        PyMemAllocatorEx guard = { &guard_below[d], guard_malloc, guard_calloc, guard_realloc, guard_free };
        faults[d].below = guard;
        PyMemAllocatorEx previous = { &faults[d], fault_malloc, fault_calloc, fault_realloc, fault_free };
        PyMemAllocatorEx hook;
        if (entry(d, &previous, &hook) != 0) continue;
        PyMem_SetAllocator((PyMemAllocatorDomain)d, &hook);
        fault_under_plugin[d] = 1;
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
    slot_ptr[s] = p; slot_size[s] = n; slot_domain[s] = d; slot_owner[s] = d ? interpreter_of(place) : 0;
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

static void release(int s) { if (slot_ptr[s]) { api_free(at(slot_domain[s], s), slot_domain[s], slot_ptr[s]); forget(s); } }

static void op_malloc(int d, size_t n, int s) {
    if (!must_fail(n) && n > CAP) return;
    release(s);
    int armed = arm(d, 1);
    void *p = api_malloc(place, d, n);
    int injected = armed && disarm(d);
    if (must_fail(n) || injected) { if (p) { finding("must-fail", "malloc(%zu) returned %p", n, p); api_free(place, d, p); } return; }
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
        void *p = api_calloc(place, d, c, n);
        if (p) {
            long page = sysconf(_SC_PAGESIZE);
            void *last = (void *)(((uintptr_t)p + total - 1) & ~(uintptr_t)(page - 1));
            if (msync(last, (size_t)page, MS_ASYNC) != 0) finding("block-size", "calloc(%zu, %zu): the block is smaller than %zu bytes", c, n, total);
            api_free(place, d, p);
        }
        return;
    }
    release(s);
    int armed = arm(d, 2);
    void *p = api_calloc(place, d, c, n);
    int injected = armed && disarm(d);
    if (fail || injected) { if (p) { finding("must-fail", "calloc(%zu, %zu) returned %p", c, n, p); api_free(place, d, p); } return; }
    if (!p) { finding("non-null", "calloc(%zu, %zu) returned NULL", c, n); return; }
    keep(s, d, p, total, 0, 1);
    check_slot(s, "calloc-zeroed");
}

static void op_realloc(int d, int s, size_t n) {
    if (!must_fail(n) && n > CAP) return;
    if (!slot_ptr[s]) {
        int armed = arm(d, 3);
        void *p = api_realloc(place, d, NULL, n);
        int injected = armed && disarm(d);
        if (must_fail(n) || injected) { if (p) { finding("must-fail", "realloc(NULL, %zu) returned %p", n, p); api_free(place, d, p); } return; }
        if (!p) { finding("non-null", "realloc(NULL, %zu) returned NULL", n); return; }
        keep(s, d, p, n, debug_hooks ? clean_byte : 0, debug_hooks);
        return;
    }
    int bd = slot_domain[s];
    int armed = arm(bd, 3);
    void *p = api_realloc(at(bd, s), bd, slot_ptr[s], n);
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

static void op_free(int d, int s) { if (!slot_ptr[s]) { api_free(place, d, NULL); return; } release(s); }

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
    int guarding = guard_armed;
    guard_armed = 0; /* as under pymemcheck: the churn looks for shared blocks, not stray accesses */
    Py_BEGIN_ALLOW_THREADS
    pthread_create(&other, NULL, churn, (void *)(intptr_t)(rounds | (101 << 8)));
    const char *mine = churn((void *)(intptr_t)(rounds | (7 << 8)));
    pthread_join(other, &answer);
    if (mine) finding("thread-safe", "%s", mine);
    if (answer) finding("thread-safe", "%s", (const char *)answer);
    Py_END_ALLOW_THREADS
    guard_armed = guarding;
}

static int at(int d, int s) {
    if (d != 0 && s >= 0 && slot_ptr[s] && slot_owner[s] != interpreter_of(place)) return slot_owner[s];
    return place;
}

static void make_second_thread(void *unused) {
    (void)unused;
    PyGILState_Ensure();
    places[1].tstate = PyEval_SaveThread();
}

#if PY_VERSION_HEX >= 0x030C0000
static PyInterpreterState *own_interpreter;
static void make_own_thread_state(void *unused) { (void)unused; places[2].tstate = PyThreadState_New(own_interpreter); }
#endif

/* The place's thread (and interpreter), made the first time a program goes there. */
static __attribute__((unused)) void op_on(int p) {
    place = p;
    if (p == 1 && !place_made[1]) {
        place_start(&places[1]);
        Py_BEGIN_ALLOW_THREADS
        place_do(&places[1], make_second_thread, NULL);
        Py_END_ALLOW_THREADS
        place_made[1] = 1;
    }
#if PY_VERSION_HEX >= 0x030C0000
    if (p == 2 && !place_made[2]) {
        PyThreadState *main_state = PyThreadState_Get(), *state = NULL;
        PyInterpreterConfig config = {
            .use_main_obmalloc = 0, .allow_fork = 0, .allow_exec = 0, .allow_threads = 1,
            .allow_daemon_threads = 0, .check_multi_interp_extensions = 1, .gil = PyInterpreterConfig_OWN_GIL,
        };
        PyStatus status = Py_NewInterpreterFromConfig(&state, &config);
        if (PyStatus_Exception(status) || state == NULL) {
            fprintf(stderr, "Py_NewInterpreterFromConfig (own GIL) failed: %s\n", status.err_msg ? status.err_msg : "?");
            PyThreadState_Swap(main_state);
            exit(2);
        }
        own_interpreter = PyThreadState_GetInterpreter(state);
        PyThreadState_Swap(main_state);
        place_start(&places[2]);
        place_do(&places[2], make_own_thread_state, NULL);
        place_made[2] = 1;
    }
#endif
}

/* Violations: the debug hooks must abort with their report. Only an input of fuzz-violations
   runs one (its first), so a program may call none of them. */
#define VIOLATION static __attribute__((unused)) void
VIOLATION op_cross_free(int s, int d) { if (slot_ptr[s]) { api_free(0, d, slot_ptr[s]); forget(s); } else api_free(0, d, NULL); }
VIOLATION op_pad_write(int s, int offset) {
    if (!slot_ptr[s]) return;
    unsigned char *p = slot_ptr[s];
    if (offset < 0) p[offset] = 0x78; else p[slot_size[s] + (size_t)offset] = 0x78;
    release(s);
}
VIOLATION op_api_id(int s) { if (!slot_ptr[s]) return; ((unsigned char *)slot_ptr[s])[-(int)sizeof(size_t)] = 'z'; release(s); }
VIOLATION op_without_gil(int d) {
    Py_BEGIN_ALLOW_THREADS
    api_free(0, d, api_malloc(0, d, 16));
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
