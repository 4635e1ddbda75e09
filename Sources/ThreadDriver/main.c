/*
 * pymemcheck-threads: a plugin's allocator functions called from several threads, with no
 * Python and no Swift runtime in the process, so that valgrind's Helgrind can watch every
 * memory access the plugin makes and name each one no lock or barrier orders: a race is
 * found whenever the code has one, not only when the threads happen to collide. certify
 * runs it twice per target: natively (crashes, blocks handed out twice, edges) and under
 * Helgrind (races, lock-order inversions).
 *
 *   pymemcheck-threads PLUGIN [--gil] [--threads N] [--rounds N] [--part edges|concurrent|all|object-blocks]
 *
 * --gil: every MEM and OBJ call holds one mutex, as the GIL serialises them up to 3.11; RAW
 * is always called without it. Each problem is one line on standard output, "problem: ...";
 * the exit status is 0 when there is none, 1 when there is, 2 for a usage or loading error.
 * --part object-blocks: whether OBJ hands out the allocator below's own blocks, unmoved, and
 * gives each back when freed, which a free-threaded CPython needs (certify asks before it
 * installs a plugin's OBJ allocator there).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CrashReport.h"
#include "pymemcheck_plugin.h"

static const char *domain_names[3] = {"RAW", "MEM", "OBJ"};

/* The allocator below the plugin: the C library's, which is thread-safe and which Helgrind
   understands; malloc(0) and realloc(p, 0) ask for a byte, as CPython's own allocators do. */
static void *below_malloc(void *ctx, size_t size) { (void)ctx; return malloc(size ? size : 1); }
static void *below_calloc(void *ctx, size_t n, size_t size) {
    (void)ctx;
    return n == 0 || size == 0 ? calloc(1, 1) : calloc(n, size);
}
static void *below_realloc(void *ctx, void *p, size_t size) { (void)ctx; return realloc(p, size ? size : 1); }
static void below_free(void *ctx, void *p) { (void)ctx; free(p); }
static const PyMemAllocatorEx below = {NULL, below_malloc, below_calloc, below_realloc, below_free};

static PyMemAllocatorEx hooks[3];
static int installed[3];
static int with_gil;
static pthread_mutex_t gil = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t output = PTHREAD_MUTEX_INITIALIZER;
static int problems;

static void problem(const char *format, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void problem(const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    pthread_mutex_lock(&output);
    fputs("problem: ", stdout);
    vprintf(format, arguments);
    fputc('\n', stdout);
    fflush(stdout);
    problems++;
    pthread_mutex_unlock(&output);
    va_end(arguments);
}

/* The calls, each announced to the crash handler first, so that a crash names it. One set of
   functions per domain (never inlined), so that a stack DRD prints names the domain and the
   function the plugin was called as: "by RAW_malloc". */
#define CALLS(NAME, D)                                                                            \
    static __attribute__((noinline)) void *NAME##_malloc(size_t size) {                           \
        pmc_call_begin(D, 1, PMC_CALL_MALLOC, size, 0, NULL);                                    \
        void *p = hooks[D].malloc(hooks[D].ctx, size);                                            \
        pmc_call_end(p);                                                                          \
        return p;                                                                                 \
    }                                                                                             \
    static __attribute__((noinline)) void *NAME##_calloc(size_t n, size_t size) {                 \
        pmc_call_begin(D, 1, PMC_CALL_CALLOC, n, size, NULL);                                    \
        void *p = hooks[D].calloc(hooks[D].ctx, n, size);                                         \
        pmc_call_end(p);                                                                          \
        return p;                                                                                 \
    }                                                                                             \
    static __attribute__((noinline)) void *NAME##_realloc(void *block, size_t size) {             \
        pmc_call_begin(D, 1, PMC_CALL_REALLOC, size, 0, block);                                  \
        void *p = hooks[D].realloc(hooks[D].ctx, block, size);                                    \
        pmc_call_end(p);                                                                          \
        return p;                                                                                 \
    }                                                                                             \
    static __attribute__((noinline)) void NAME##_free(void *block) {                              \
        pmc_call_begin(D, 1, PMC_CALL_FREE, 0, 0, block);                                        \
        hooks[D].free(hooks[D].ctx, block);                                                       \
        pmc_call_end(NULL);                                                                       \
    }
CALLS(RAW, 0)
CALLS(MEM, 1)
CALLS(OBJ, 2)

static void *call_malloc(int d, size_t size) {
    return d == 0 ? RAW_malloc(size) : d == 1 ? MEM_malloc(size) : OBJ_malloc(size);
}
static void *call_calloc(int d, size_t n, size_t size) {
    return d == 0 ? RAW_calloc(n, size) : d == 1 ? MEM_calloc(n, size) : OBJ_calloc(n, size);
}
static void *call_realloc(int d, void *block, size_t size) {
    return d == 0 ? RAW_realloc(block, size) : d == 1 ? MEM_realloc(block, size) : OBJ_realloc(block, size);
}
static void call_free(int d, void *block) {
    if (d == 0) RAW_free(block);
    else if (d == 1) MEM_free(block);
    else OBJ_free(block);
}

/* MEM and OBJ under the emulated GIL when --gil; RAW never. */
static void enter(int d) { if (with_gil && d != 0) pthread_mutex_lock(&gil); }
static void leave(int d) { if (with_gil && d != 0) pthread_mutex_unlock(&gil); }

/* ---- Each edge as the very first allocator call of a fresh thread ---- */

typedef enum { MALLOC0, CALLOC0N, CALLOCN0, REALLOC_NULL0, REALLOC_NULLN, FREE_NULL, MALLOCN, CALLOC_OVERFLOW, EDGES } edge;
static const char *edge_names[EDGES] = {
    "malloc(0)", "calloc(0, 16)", "calloc(16, 0)", "realloc(NULL, 0)", "realloc(NULL, 24)", "free(NULL)",
    "malloc(24)", "calloc(SIZE_MAX, 2)"};

typedef struct { int domain; edge which; } edge_job;

static void *first_call(void *argument) {
    edge_job *job = argument;
    int d = job->domain;
    const char *name = edge_names[job->which];
    void *p = NULL;
    enter(d);
    switch (job->which) {
    case MALLOC0: p = call_malloc(d, 0); break;
    case CALLOC0N: p = call_calloc(d, 0, 16); break;
    case CALLOCN0: p = call_calloc(d, 16, 0); break;
    case REALLOC_NULL0: p = call_realloc(d, NULL, 0); break;
    case REALLOC_NULLN: p = call_realloc(d, NULL, 24); break;
    case FREE_NULL: call_free(d, NULL); break;
    case MALLOCN: p = call_malloc(d, 24); break;
    case CALLOC_OVERFLOW: p = call_calloc(d, SIZE_MAX, 2); break;
    default: break;
    }
    if (job->which == CALLOC_OVERFLOW) {
        if (p != NULL) problem("%s %s as a fresh thread's first call returned a block: the product overflows size_t", domain_names[d], name);
        p = NULL;
    } else if (job->which != FREE_NULL) {
        if (p == NULL) {
            problem("%s %s as a fresh thread's first call returned NULL", domain_names[d], name);
        } else {
            int zeroed = job->which == CALLOC0N || job->which == CALLOCN0;
            if (zeroed && *(unsigned char *)p != 0) problem("%s %s as a fresh thread's first call: its byte is not zero", domain_names[d], name);
            *(unsigned char *)p = 0xA5;   /* the one usable byte a zero-size block has */
        }
    }
    if (p) call_free(d, p);
    leave(d);
    return NULL;
}

static void edges(void) {
    for (int d = 0; d < 3; d++) {
        if (!installed[d]) continue;
        for (int e = 0; e < EDGES; e++) {
            edge_job job = {d, (edge)e};
            pthread_t thread;
            /* said first: a crash in it is laid at its door */
            printf("edge: %s %s as a fresh thread's first call\n", domain_names[d], edge_names[e]);
            fflush(stdout);
            if (pthread_create(&thread, NULL, first_call, &job) != 0) { problem("pthread_create failed"); return; }
            pthread_join(thread, NULL);
        }
    }
}

/* ---- Several threads at once, call by call ---- */

enum { BLOCKS = 6, MAX_THREADS = 16 };
typedef struct { unsigned char *pointer; size_t size; unsigned char value; } held;

static int thread_count = 4, rounds = 40;
static pthread_barrier_t round_start;
/* handed[r % 2][d][t]: the blocks thread t leaves in round r for thread t+1 to free in round
   r+1 (the barrier between the rounds orders the hand-over, as CPython's own frees of another
   thread's objects are ordered; two buffers, so that no round reads what another writes). */
static held handed[2][3][MAX_THREADS][BLOCKS];

static size_t size_for(int thread, int round, int k) {
    static const size_t sizes[] = {1, 8, 16, 24, 33, 64, 100, 128, 255, 256, 257, 512, 513, 1024, 4096, 8200};
    return sizes[(size_t)(thread * 7 + round * 3 + k * 5) % (sizeof sizes / sizeof *sizes)];
}

static int intact(const held *h) {
    for (size_t i = 0; i < h->size; i++) if (h->pointer[i] != h->value) return 0;
    return 1;
}

static void one_round(int d, int t, int r) {
    held mine[BLOCKS];
    for (int k = 0; k < BLOCKS; k++) {
        size_t size = size_for(t, r, k);
        unsigned char value = (unsigned char)(0x11 + t * 16 + k);
        unsigned char *p = k == 1 ? call_calloc(d, 1, size) : call_malloc(d, size);
        if (p == NULL) { problem("%s malloc(%zu) returned NULL in thread %d", domain_names[d], size, t); mine[k].pointer = NULL; continue; }
        if (k == 1) for (size_t i = 0; i < size; i++) if (p[i]) { problem("%s calloc(1, %zu) in thread %d: byte %zu is not zero", domain_names[d], size, t, i); break; }
        memset(p, value, size);
        mine[k] = (held){p, size, value};
    }
    /* realloc keeps min(old, new) bytes, growing and shrinking */
    if (mine[0].pointer) {
        size_t grown = mine[0].size * 2 + 40;
        unsigned char *p = call_realloc(d, mine[0].pointer, grown);
        if (p == NULL) problem("%s realloc(%zu) returned NULL in thread %d", domain_names[d], grown, t);
        else {
            held moved = {p, mine[0].size, mine[0].value};
            if (!intact(&moved)) problem("%s realloc to %zu bytes in thread %d lost the old contents", domain_names[d], grown, t);
            memset(p, mine[0].value, grown);
            mine[0] = (held){p, grown, mine[0].value};
        }
    }
    for (int k = 0; k < BLOCKS; k++)
        if (mine[k].pointer && !intact(&mine[k]))
            problem("%s: a %zu-byte block changed while thread %d held it: another thread was given it too, or the allocator wrote into it",
                    domain_names[d], mine[k].size, t);
    /* the blocks the previous thread handed over last round, freed here */
    int from = (t + thread_count - 1) % thread_count;
    for (int k = 0; k < BLOCKS; k++) {
        held *h = &handed[(r + 1) % 2][d][from][k];
        if (h->pointer == NULL) continue;
        if (!intact(h)) problem("%s: a %zu-byte block of thread %d changed before thread %d freed it", domain_names[d], h->size, from, t);
        call_free(d, h->pointer);
        h->pointer = NULL;
    }
    /* half of this round's blocks freed here, half handed on */
    for (int k = 0; k < BLOCKS; k++) {
        if (mine[k].pointer == NULL) continue;
        if (k % 2) call_free(d, mine[k].pointer);
        else handed[r % 2][d][t][k] = mine[k];
    }
}

static void *worker(void *argument) {
    int t = (int)(intptr_t)argument;
    for (int r = 0; r < rounds; r++) {
        pthread_barrier_wait(&round_start);   /* every thread starts the round together */
        for (int d = 0; d < 3; d++) {
            if (!installed[d]) continue;
            enter(d);
            one_round(d, t, r);
            leave(d);
        }
    }
    return NULL;
}

static void concurrent(void) {
    pthread_t threads[MAX_THREADS];
    pthread_barrier_init(&round_start, NULL, (unsigned)thread_count);
    for (int t = 0; t < thread_count; t++)
        if (pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t) != 0) { problem("pthread_create failed"); exit(2); }
    for (int t = 0; t < thread_count; t++) pthread_join(threads[t], NULL);
    pthread_barrier_destroy(&round_start);
    for (int b = 0; b < 2; b++)
        for (int d = 0; d < 3; d++)
            for (int t = 0; t < thread_count; t++)
                for (int k = 0; k < BLOCKS; k++)
                    if (handed[b][d][t][k].pointer) call_free(d, handed[b][d][t][k].pointer);
}

/* ---- The OBJ blocks a free-threaded build can take ---- */

/* Whether the plugin's OBJ allocator hands out the very blocks the allocator below gives it and
   gives each freed block back at once. A free-threaded CPython (3.13t) finds its objects by
   reading every block of its mimalloc heaps as an object at a fixed offset: a block moved by a
   header of the plugin's, served from elsewhere, or kept after its free breaks its collector. */
static void *below_gave, *below_took;
static void *watched_malloc(void *ctx, size_t size) { return below_gave = below_malloc(ctx, size); }
static void *watched_calloc(void *ctx, size_t n, size_t size) { return below_gave = below_calloc(ctx, n, size); }
static void *watched_realloc(void *ctx, void *p, size_t size) {
    void *moved = below_realloc(ctx, p, size);
    if (moved != NULL) { below_gave = moved; if (moved != p) below_took = p; }
    return moved;
}
static void watched_free(void *ctx, void *p) { below_took = p; below_free(ctx, p); }
static const PyMemAllocatorEx watched_below = {NULL, watched_malloc, watched_calloc, watched_realloc, watched_free};

/* The block a call returned is the one the allocator below gave in that call. */
static int handed_unmoved(const char *call, unsigned char *p) {
    if (p == NULL) { problem("OBJ %s returned NULL", call); return 0; }
    if (p == below_gave) return 1;
    ptrdiff_t offset = below_gave ? p - (unsigned char *)below_gave : 0;
    if (below_gave && offset > 0 && offset <= 4096)
        problem("OBJ %s returned a pointer %td bytes into the block the allocator below gave it", call, offset);
    else
        problem("OBJ %s returned a block the allocator below did not give it in that call (served by the plugin)", call);
    return 0;
}

static int given_back(const char *call, void *p) {
    below_took = NULL;
    call_free(2, p);
    if (below_took == p) return 1;
    problem("OBJ free of the block from %s did not give it back to the allocator below", call);
    return 0;
}

static void object_blocks(void) {
    if (!installed[2]) { printf("object-blocks: the plugin leaves OBJ alone\n"); return; }
    static const size_t sizes[] = {0, 1, 16, 24, 48, 100, 256, 512, 4096, 100000};
    char call[64];
    /* twice each: a plugin that keeps freed blocks hands one out again the second time */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            size_t size = sizes[i];
            below_gave = NULL;
            snprintf(call, sizeof call, "malloc(%zu)", size);
            unsigned char *p = call_malloc(2, size);
            if (!handed_unmoved(call, p)) return;
            below_gave = NULL;
            snprintf(call, sizeof call, "realloc(p, %zu)", 2 * size + 8);
            p = call_realloc(2, p, 2 * size + 8);
            if (!handed_unmoved(call, p) || !given_back(call, p)) return;
            below_gave = NULL;
            snprintf(call, sizeof call, "calloc(1, %zu)", size);
            p = call_calloc(2, 1, size);
            if (!handed_unmoved(call, p) || !given_back(call, p)) return;
        }
    printf("object-blocks: OBJ hands out the allocator below's blocks unmoved and gives each back at once\n");
}

static int usage(const char *why) {
    fprintf(stderr, "pymemcheck-threads: %s\nusage: pymemcheck-threads PLUGIN [--gil] [--threads N] [--rounds N] [--part edges|concurrent|all|object-blocks]\n", why);
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2) return usage("no plugin given");
    const char *part = "all";
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--gil") == 0) with_gil = 1;
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) thread_count = atoi(argv[++i]);
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--part") == 0 && i + 1 < argc) part = argv[++i];
        else return usage("unknown option");
    }
    if (thread_count < 2 || thread_count > MAX_THREADS || rounds < 1) return usage("--threads is 2 to 16, --rounds at least 1");
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) { fprintf(stderr, "pymemcheck-threads: cannot load %s: %s\n", argv[1], dlerror()); return 2; }
    int (*make)(int, const PyMemAllocatorEx *, PyMemAllocatorEx *) =
        (int (*)(int, const PyMemAllocatorEx *, PyMemAllocatorEx *))dlsym(library, "pymemcheck_allocator");
    if (make == NULL) { fprintf(stderr, "pymemcheck-threads: %s exports no pymemcheck_allocator\n", argv[1]); return 2; }
    pmc_crash_report_install();
    int blocks = strcmp(part, "object-blocks") == 0;
    for (int d = 0; d < 3; d++) installed[d] = make(d, blocks && d == 2 ? &watched_below : &below, &hooks[d]) == 0;
    if (blocks) object_blocks();
    if (strcmp(part, "edges") == 0 || strcmp(part, "all") == 0) edges();
    if (strcmp(part, "concurrent") == 0 || strcmp(part, "all") == 0) concurrent();
    return problems ? 1 : 0;
}
