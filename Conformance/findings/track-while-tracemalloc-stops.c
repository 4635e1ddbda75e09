/*
 * PyTraceMalloc_Track from threads that do not hold the GIL, while another thread starts and
 * stops tracemalloc (tracemalloc.track.threads-while-starting-stopping): the call checks that
 * tracemalloc traces, takes the GIL and records its trace in tables that tracemalloc.stop()
 * has meanwhile cleared, and the process crashes (SIGSEGV) within a few cycles. CPython
 * gh-128679, fixed in 3.12.9 and 3.13.2; every build here (3.7 to 3.13.0) has it.
 *
 *   cc -o track-race track-while-tracemalloc-stops.c -ldl -lpthread
 *   ./track-race ~/.pyenv/versions/3.13.0/lib/libpython3.13.so
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static int (*track)(unsigned int, uintptr_t, size_t);
static int (*untrack)(unsigned int, uintptr_t);
static atomic_int stop;
static atomic_ulong calls;

/* A thread CPython does not know: Track and Untrack take the GIL themselves. */
static void *tracker(void *index) {
    uintptr_t base = 0x10000000u + (uintptr_t)index * 0x100000u;
    for (unsigned long round = 0; !atomic_load(&stop); round++) {
        track(424242, base + (round % 64) * 64, 48);
        untrack(424242, base + (round % 64) * 64);
        atomic_fetch_add(&calls, 1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIBPYTHON\n", argv[0]);
        return 2;
    }
    void *python = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (python == NULL) { fprintf(stderr, "%s\n", dlerror()); return 2; }
    void (*initialize)(int) = (void (*)(int))dlsym(python, "Py_InitializeEx");
    int (*run)(const char *) = (int (*)(const char *))dlsym(python, "PyRun_SimpleString");
    void *(*save_thread)(void) = (void *(*)(void))dlsym(python, "PyEval_SaveThread");
    void (*restore_thread)(void *) = (void (*)(void *))dlsym(python, "PyEval_RestoreThread");
    track = (int (*)(unsigned int, uintptr_t, size_t))dlsym(python, "PyTraceMalloc_Track");
    untrack = (int (*)(unsigned int, uintptr_t))dlsym(python, "PyTraceMalloc_Untrack");
    initialize(0);
    run("import tracemalloc");
    pthread_t threads[4];
    for (long i = 0; i < 4; i++) pthread_create(&threads[i], NULL, tracker, (void *)i);
    for (int cycle = 1; cycle <= 50; cycle++) {
        for (int step = 0; step < 2; step++) {
            run(step == 0 ? "tracemalloc.start()" : "tracemalloc.stop()");
            unsigned long before = atomic_load(&calls);
            void *state = save_thread();   /* the GIL released until the threads have called again */
            while (atomic_load(&calls) < before + 20) usleep(100);
            restore_thread(state);
        }
        printf("cycle %d\n", cycle);
        fflush(stdout);
    }
    atomic_store(&stop, 1);
    void *state = save_thread();
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    restore_thread(state);
    puts("finished: no crash");
    return 0;
}
