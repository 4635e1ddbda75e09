// A crew of threads CPython does not know, each running rounds of one function until asked
// to stop, and counting them: the background the thread checks run against (RAW calls, the
// tracemalloc C API), so that the main thread can tell with a bounded wait whether they kept
// going. In C: a forked child runs them, where the Swift runtime's locks may be in any state.
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "CPythonABI.h"

enum { MAX_CREW = 16 };

struct PMCCrew {
    PMCCrewRound round;
    void *state;
    int count;
    pthread_t threads[MAX_CREW];
    _Atomic unsigned long rounds[MAX_CREW];
    _Atomic int stop;
    _Atomic int finished;
};

typedef struct {
    PMCCrew *crew;
    int index;
} crew_job;

static void *crew_thread(void *argument) {
    crew_job *job = argument;
    PMCCrew *crew = job->crew;
    while (!atomic_load(&crew->stop)) {
        crew->round(crew->state, job->index);
        atomic_fetch_add(&crew->rounds[job->index], 1);
    }
    atomic_fetch_add(&crew->finished, 1);
    free(job);
    return NULL;
}

PMCCrew *pmc_crew_start(int threads, PMCCrewRound round, void *state) {
    PMCCrew *crew = calloc(1, sizeof *crew);
    if (crew == NULL) return NULL;
    crew->round = round;
    crew->state = state;
    int wanted = threads < 1 ? 1 : threads > MAX_CREW ? MAX_CREW : threads;
    for (; crew->count < wanted; crew->count++) {
        crew_job *job = malloc(sizeof *job);
        if (job == NULL) break;
        *job = (crew_job){crew, crew->count};
        if (pthread_create(&crew->threads[crew->count], NULL, crew_thread, job) != 0) {
            free(job);
            break;
        }
    }
    return crew;
}

int pmc_crew_threads(PMCCrew *crew) { return crew->count; }

unsigned long pmc_crew_least_rounds(PMCCrew *crew) {
    unsigned long least = (unsigned long)-1;
    for (int t = 0; t < crew->count; t++) {
        unsigned long rounds = atomic_load(&crew->rounds[t]);
        if (rounds < least) least = rounds;
    }
    return crew->count ? least : 0;
}

void pmc_crew_request_stop(PMCCrew *crew) { atomic_store(&crew->stop, 1); }

int pmc_crew_stop(PMCCrew *crew) {
    atomic_store(&crew->stop, 1);
    return atomic_load(&crew->finished) == crew->count;
}
