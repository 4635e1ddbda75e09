// Threads CPython does not know, calling PyTraceMalloc_Track and PyTraceMalloc_Untrack (which
// take the GIL themselves) for as long as they are let, counting what each call returned, while
// the main thread starts and stops tracemalloc. In C for the same reason as RawChurn.c.
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "CPythonABI.h"

enum { MAX_TRACK_THREADS = 16 };

struct PMCTrackChurn {
    int (*track)(unsigned int, uintptr_t, size_t);
    int (*untrack)(unsigned int, uintptr_t);
    int count;
    pthread_t threads[MAX_TRACK_THREADS];
    _Atomic unsigned long calls[MAX_TRACK_THREADS];
    _Atomic unsigned long results[4];   // 0, -1, -2, anything else
    _Atomic int stop;
    _Atomic int finished;
};

typedef struct {
    PMCTrackChurn *churn;
    int index;
} track_job;

static void count_result(PMCTrackChurn *churn, int result) {
    int slot = result == 0 ? 0 : result == -1 ? 1 : result == -2 ? 2 : 3;
    atomic_fetch_add(&churn->results[slot], 1);
}

static void *track_thread(void *argument) {
    track_job *job = argument;
    PMCTrackChurn *churn = job->churn;
    // Made-up blocks in a domain of their own, one address range per thread.
    uintptr_t base = 0x10000000u + (uintptr_t)job->index * 0x100000u;
    for (unsigned long round = 0; !atomic_load(&churn->stop); round++) {
        uintptr_t address = base + (round % 64) * 64;
        count_result(churn, churn->track(424242u, address, 48));
        count_result(churn, churn->untrack(424242u, address));
        atomic_fetch_add(&churn->calls[job->index], 1);
    }
    atomic_fetch_add(&churn->finished, 1);
    free(job);
    return NULL;
}

PMCTrackChurn *pmc_track_churn_start(void *track, void *untrack, int threads) {
    PMCTrackChurn *churn = calloc(1, sizeof *churn);
    if (churn == NULL) return NULL;
    churn->track = (int (*)(unsigned int, uintptr_t, size_t))track;
    churn->untrack = (int (*)(unsigned int, uintptr_t))untrack;
    churn->count = threads < 1 ? 1 : threads > MAX_TRACK_THREADS ? MAX_TRACK_THREADS : threads;
    for (int t = 0; t < churn->count; t++) {
        track_job *job = malloc(sizeof *job);
        *job = (track_job){churn, t};
        if (pthread_create(&churn->threads[t], NULL, track_thread, job) != 0) {
            churn->count = t;
            free(job);
            break;
        }
    }
    return churn;
}

unsigned long pmc_track_churn_least_calls(PMCTrackChurn *churn) {
    unsigned long least = (unsigned long)-1;
    for (int t = 0; t < churn->count; t++) {
        unsigned long calls = atomic_load(&churn->calls[t]);
        if (calls < least) least = calls;
    }
    return churn->count ? least : 0;
}

int pmc_track_churn_threads(PMCTrackChurn *churn) { return churn->count; }

unsigned long pmc_track_churn_results(PMCTrackChurn *churn, int slot) {
    return slot >= 0 && slot < 4 ? atomic_load(&churn->results[slot]) : 0;
}

int pmc_track_churn_stop(PMCTrackChurn *churn) {
    atomic_store(&churn->stop, 1);
    return atomic_load(&churn->finished) == churn->count;
}

int pmc_track_succeeds_always(unsigned int domain, uintptr_t pointer, size_t size) {
    (void)domain, (void)pointer, (void)size;
    return 0;
}

int pmc_untrack_succeeds_always(unsigned int domain, uintptr_t pointer) {
    (void)domain, (void)pointer;
    return 0;
}
