/*
 * Making and ending a subinterpreter swaps the process's RAW allocator for CPython's default
 * and back, with no lock (_PyMem_SetDefaultAllocator ... PyMem_SetAllocator(RAW, &old), here
 * from _Py_ClearStandardStreamEncoding), while a thread without the GIL may be inside
 * PyMem_RawMalloc or PyMem_RawFree, which the documents allow at any time. A block that thread
 * gets from one allocator is then freed by the other: with the debug hooks installed,
 * "munmap_chunk(): invalid pointer" or a bad-pad report, now and then (3.11 and 3.12; 3.13 no
 * longer swaps there). Natively it shows only by chance; under valgrind's DRD, every run
 * names the unordered store and load:
 *
 *   cc -g -o raw-swap raw-allocator-swapped-by-interpreters.c -ldl -lpthread
 *   valgrind --tool=drd --fair-sched=yes ./raw-swap ~/.pyenv/versions/3.12.1/lib/libpython3.12.so 1
 *   ./raw-swap ~/.pyenv/versions/3.12.1/lib/libpython3.12.so 50     (natively: crashes, mostly)
 */
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *(*raw_malloc)(size_t);
static void (*raw_free)(void *);
static atomic_int stop;
static atomic_ulong calls;

/* A thread CPython does not know: RAW calls without the GIL, as documented. */
static void *churn(void *unused) {
    (void)unused;
    while (!atomic_load(&stop)) {
        void *block = raw_malloc(64);
        memset(block, 1, 64);
        raw_free(block);
        atomic_fetch_add(&calls, 1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s LIBPYTHON INTERPRETERS\n", argv[0]);
        return 2;
    }
    void *python = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (python == NULL) { fprintf(stderr, "%s\n", dlerror()); return 2; }
    void (*setup_debug_hooks)(void) = (void (*)(void))dlsym(python, "PyMem_SetupDebugHooks");
    void (*initialize)(int) = (void (*)(int))dlsym(python, "Py_InitializeEx");
    void *(*swap)(void *) = (void *(*)(void *))dlsym(python, "PyThreadState_Swap");
    void *(*new_interpreter)(void) = (void *(*)(void))dlsym(python, "Py_NewInterpreter");
    void (*end_interpreter)(void *) = (void (*)(void *))dlsym(python, "Py_EndInterpreter");
    raw_malloc = (void *(*)(size_t))dlsym(python, "PyMem_RawMalloc");
    raw_free = (void (*)(void *))dlsym(python, "PyMem_RawFree");
    setup_debug_hooks();   /* RAW is no longer CPython's default: a swap changes who serves it */
    initialize(0);
    pthread_t thread;
    pthread_create(&thread, NULL, churn, NULL);
    /* The thread is calling before the first interpreter is made and after the last is ended:
       where it ran first (valgrind runs one thread at a time) cannot hide the swap. */
    while (atomic_load(&calls) < 100) sched_yield();
    for (int i = 0; i < atoi(argv[2]); i++) {   /* as _testcapi.run_in_subinterp does */
        void *main_state = swap(NULL);
        end_interpreter(new_interpreter());
        swap(main_state);
    }
    unsigned long after = atomic_load(&calls) + 100;
    while (atomic_load(&calls) < after) sched_yield();
    atomic_store(&stop, 1);
    pthread_join(thread, NULL);
    puts("finished");
    return 0;
}
