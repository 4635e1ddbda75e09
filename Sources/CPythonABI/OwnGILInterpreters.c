// Interpreters with their own GIL (3.12+), each allocating in a thread of its own at the same
// time as the others: the setting in which "all allocators must be thread-safe" is a promise
// CPython makes about itself. In C because PyInterpreterConfig and PyStatus are ABI structs
// and the interpreters' threads must not run Swift code that could take a lock another holds.
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "CPythonABI.h"

// PyInterpreterConfig of 3.12 and 3.13, and its isolated settings (_PyInterpreterConfig_INIT).
typedef struct {
    int use_main_obmalloc;
    int allow_fork;
    int allow_exec;
    int allow_threads;
    int allow_daemon_threads;
    int check_multi_interp_extensions;
    int gil;
} PMCInterpreterConfig;
enum { PMC_OWN_GIL = 2, MAX_INTERPRETERS = 16, BLOCKS = 8 };

typedef PMCStatus (*NewInterpreterFn)(void **tstate, const PMCInterpreterConfig *config);
typedef void (*TStateFn)(void *tstate);
typedef void *(*TStateGetFn)(void);
typedef void *(*TStateSwapFn)(void *tstate);
typedef void *(*InterpreterOfFn)(void *tstate);
typedef void *(*TStateNewFn)(void *interp);
typedef void (*VoidFn)(void);
typedef void *(*MallocFn)(size_t size);
typedef void (*FreeFn)(void *block);

typedef struct {
    unsigned char *pointer;
    size_t size;
    unsigned char value;
} held;

typedef struct {
    const PMCInterpreterAPI *api;
    int count, rounds;
    void *interpreters[MAX_INTERPRETERS];
    held blocks[MAX_INTERPRETERS][2 * BLOCKS];   // MEM's then OBJ's, this round
    pthread_barrier_t barrier;
    pthread_mutex_t lock;
    char *problems;
    size_t capacity, used;
    int lines;
} run_state;

static void problem(run_state *run, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void problem(run_state *run, const char *format, ...) {
    pthread_mutex_lock(&run->lock);
    if (run->lines < 20 && run->used + 2 < run->capacity) {
        va_list arguments;
        va_start(arguments, format);
        int n = vsnprintf(run->problems + run->used, run->capacity - run->used - 1, format, arguments);
        va_end(arguments);
        if (n > 0) run->used += (size_t)n < run->capacity - run->used - 1 ? (size_t)n : run->capacity - run->used - 2;
        run->problems[run->used++] = '\n';
        run->problems[run->used] = 0;
    }
    run->lines++;
    pthread_mutex_unlock(&run->lock);
}

static size_t size_for(int interpreter, int round, int k) {
    static const size_t sizes[] = {1, 8, 16, 24, 40, 64, 100, 256, 500, 512, 513, 1024, 4096, 70000};
    return sizes[(size_t)(interpreter * 5 + round * 3 + k * 7) % (sizeof sizes / sizeof *sizes)];
}

static int intact(const held *h) {
    for (size_t i = 0; i < h->size; i++)
        if (h->pointer[i] != h->value) return 0;
    return 1;
}

static int overlap(const held *a, const held *b) {
    return a->pointer < b->pointer + b->size && b->pointer < a->pointer + a->size;
}

typedef struct {
    run_state *run;
    int index;
} worker_job;

static void *worker(void *argument) {
    worker_job *job = argument;
    run_state *run = job->run;
    const PMCInterpreterAPI *api = run->api;
    int me = job->index;
    void *tstate = ((TStateNewFn)api->thread_state_new)(run->interpreters[me]);
    ((TStateFn)api->eval_restore_thread)(tstate);   // this interpreter's own GIL
    for (int r = 0; r < run->rounds; r++) {
        pthread_barrier_wait(&run->barrier);   // every interpreter starts the round together
        held *mine = run->blocks[me];
        for (int k = 0; k < 2 * BLOCKS; k++) {
            size_t size = size_for(me, r, k);
            unsigned char *p = ((MallocFn)(k < BLOCKS ? api->mem_malloc : api->obj_malloc))(size);
            if (p == NULL) {
                problem(run, "%s(%zu) returned NULL in interpreter %d", k < BLOCKS ? "PyMem_Malloc" : "PyObject_Malloc",
                        size, me + 1);
                mine[k] = (held){NULL, 0, 0};
                continue;
            }
            unsigned char value = (unsigned char)(0x10 + me * 17 + k);
            memset(p, value, size);
            mine[k] = (held){p, size, value};
        }
        pthread_barrier_wait(&run->barrier);   // every block of every interpreter is live now
        for (int k = 0; k < 2 * BLOCKS; k++) {
            if (mine[k].pointer == NULL) continue;
            if (!intact(&mine[k]))
                problem(run, "a %zu-byte %s block of interpreter %d changed while it held it", mine[k].size,
                        k < BLOCKS ? "MEM" : "OBJ", me + 1);
            for (int other = me + 1; other < run->count; other++)
                for (int j = 0; j < 2 * BLOCKS; j++)
                    if (run->blocks[other][j].pointer && overlap(&mine[k], &run->blocks[other][j]))
                        problem(run, "interpreters %d and %d were given overlapping live blocks (%p, %zu bytes; %p, %zu bytes)",
                                me + 1, other + 1, (void *)mine[k].pointer, mine[k].size,
                                (void *)run->blocks[other][j].pointer, run->blocks[other][j].size);
        }
        pthread_barrier_wait(&run->barrier);   // no one reads another's table past here
        for (int k = 0; k < 2 * BLOCKS; k++) {
            if (mine[k].pointer == NULL) continue;
            ((FreeFn)(k < BLOCKS ? api->mem_free : api->obj_free))(mine[k].pointer);   // where it was allocated
            mine[k].pointer = NULL;
        }
    }
    ((TStateFn)api->thread_state_clear)(tstate);
    ((VoidFn)api->thread_state_delete_current)();
    return NULL;
}

int pmc_own_gil_interpreters(const PMCInterpreterAPI *api, int count, int rounds, char *problems, size_t capacity) {
    static run_state run;   // one run at a time (the blocks table is large for a stack)
    memset(&run, 0, sizeof run);
    run.api = api;
    run.count = count < 2 ? 2 : count > MAX_INTERPRETERS ? MAX_INTERPRETERS : count;
    run.rounds = rounds;
    run.problems = problems;
    run.capacity = capacity;
    problems[0] = 0;
    pthread_mutex_init(&run.lock, NULL);
    void *main_tstate = ((TStateGetFn)api->thread_state_get)();
    void *tstates[MAX_INTERPRETERS] = {0};
    PMCInterpreterConfig config = {0, 0, 0, 1, 0, 1, PMC_OWN_GIL};
    int made = 0;
    for (; made < run.count; made++) {
        PMCStatus status = ((NewInterpreterFn)api->new_interpreter_from_config)(&tstates[made], &config);
        if (status.type != 0 || tstates[made] == NULL) {
            problem(&run, "Py_NewInterpreterFromConfig (own GIL) failed for interpreter %d: %s%s%s", made + 1,
                    status.func ? status.func : "", status.func ? ": " : "", status.err_msg ? status.err_msg : "?");
            ((TStateSwapFn)api->thread_state_swap)(main_tstate);
            break;
        }
        run.interpreters[made] = ((InterpreterOfFn)api->thread_state_get_interpreter)(tstates[made]);
        ((TStateSwapFn)api->thread_state_swap)(main_tstate);   // its GIL released, the main one held
    }
    int result = -1;
    if (made == run.count) {
        pthread_barrier_init(&run.barrier, NULL, (unsigned)run.count);
        pthread_t threads[MAX_INTERPRETERS];
        worker_job jobs[MAX_INTERPRETERS];
        void *saved = ((TStateGetFn)api->eval_save_thread)();   // the main GIL is not theirs
        int started = 0;
        for (; started < run.count; started++) {
            jobs[started] = (worker_job){&run, started};
            if (pthread_create(&threads[started], NULL, worker, &jobs[started]) != 0) break;
        }
        if (started < run.count) {
            problem(&run, "pthread_create failed");
            // the barrier would never open: the threads started are abandoned with the run
        } else {
            for (int t = 0; t < run.count; t++) pthread_join(threads[t], NULL);
        }
        ((TStateFn)api->eval_restore_thread)(saved);
        pthread_barrier_destroy(&run.barrier);
        result = run.lines;
    }
    for (int i = 0; i < made; i++) {
        ((TStateSwapFn)api->thread_state_swap)(tstates[i]);   // the interpreter's GIL, to end it
        ((TStateFn)api->end_interpreter)(tstates[i]);
        ((TStateSwapFn)api->thread_state_swap)(main_tstate);
    }
    pthread_mutex_destroy(&run.lock);
    return result;
}

void *pmc_own_gil_interpreter_new(const PMCInterpreterAPI *api, char *problem, size_t capacity) {
    void *main_tstate = ((TStateGetFn)api->thread_state_get)();
    void *tstate = NULL;
    PMCInterpreterConfig config = {0, 0, 0, 1, 0, 1, PMC_OWN_GIL};
    PMCStatus status = ((NewInterpreterFn)api->new_interpreter_from_config)(&tstate, &config);
    void *interpreter = NULL;
    if (status.type != 0 || tstate == NULL)
        snprintf(problem, capacity, "Py_NewInterpreterFromConfig (own GIL) failed: %s%s%s",
                 status.func ? status.func : "", status.func ? ": " : "", status.err_msg ? status.err_msg : "?");
    else
        interpreter = ((InterpreterOfFn)api->thread_state_get_interpreter)(tstate);
    ((TStateSwapFn)api->thread_state_swap)(main_tstate);   // its GIL released, the main one held
    return interpreter;
}
