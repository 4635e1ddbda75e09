// Rounds of PyTraceMalloc_Track and PyTraceMalloc_Untrack (which take the GIL themselves) on
// made-up blocks, for a ThreadCrew, counting what each call returned. Each thread's first round
// gives it a thread state and detaches it (PyGILState_Ensure, then PyEval_SaveThread): it then
// holds no GIL, and the calls' own PyGILState_Ensure attaches that state instead of making one
// with RAW allocations in every call, which would meet tracemalloc's start and stop swapping
// the RAW allocator with no lock (python/cpython#131566), a crash met only by chance.
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "CPythonABI.h"

struct PMCTrackChurn {
    int (*track)(unsigned int, uintptr_t, size_t);
    int (*untrack)(unsigned int, uintptr_t);
    int (*ensure)(void);
    void *(*save)(void);
    PMCCrew *crew;
    _Atomic unsigned long results[4];   // 0, -1, -2, anything else
    _Atomic unsigned long calls[16];
};

static void count_result(PMCTrackChurn *churn, int result) {
    int slot = result == 0 ? 0 : result == -1 ? 1 : result == -2 ? 2 : 3;
    atomic_fetch_add(&churn->results[slot], 1);
}

static void track_round(void *state, int index) {
    PMCTrackChurn *churn = state;
    static _Thread_local int detached;
    if (!detached) {
        // Not a round of calls: the thread state, kept until the process ends (a forked child).
        churn->ensure();
        churn->save();
        detached = 1;
        return;
    }
    // Made-up blocks in a domain of their own, one address range per thread.
    unsigned long round = atomic_fetch_add(&churn->calls[index & 15], 1);
    uintptr_t address = 0x10000000u + (uintptr_t)index * 0x100000u + (round % 64) * 64;
    count_result(churn, churn->track(424242u, address, 48));
    count_result(churn, churn->untrack(424242u, address));
}

PMCTrackChurn *pmc_track_churn_start(void *track, void *untrack, void *ensure, void *save, int threads) {
    PMCTrackChurn *churn = calloc(1, sizeof *churn);
    if (churn == NULL) return NULL;
    churn->track = (int (*)(unsigned int, uintptr_t, size_t))track;
    churn->untrack = (int (*)(unsigned int, uintptr_t))untrack;
    churn->ensure = (int (*)(void))ensure;
    churn->save = (void *(*)(void))save;
    churn->crew = pmc_crew_start(threads, track_round, churn);
    return churn->crew ? churn : NULL;
}

PMCCrew *pmc_track_churn_crew(PMCTrackChurn *churn) { return churn->crew; }

unsigned long pmc_track_churn_results(PMCTrackChurn *churn, int slot) {
    return slot >= 0 && slot < 4 ? atomic_load(&churn->results[slot]) : 0;
}

int pmc_track_succeeds_always(unsigned int domain, uintptr_t pointer, size_t size) {
    (void)domain, (void)pointer, (void)size;
    return 0;
}

int pmc_untrack_succeeds_always(unsigned int domain, uintptr_t pointer) {
    (void)domain, (void)pointer;
    return 0;
}
