// Threads CPython does not know, calling PyMem_RawMalloc and PyMem_RawFree without the GIL
// for as long as they are let: the background against which the main thread, holding the
// GIL, does a runtime's ordinary work. Each thread counts its rounds, so that the main thread
// can tell, with a bounded wait, whether they kept going while it held the GIL. In C: a
// forked child runs them, where the Swift runtime's locks may be in any state.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CPythonABI.h"

enum { MAX_CHURN_THREADS = 16, HELD = 8 };

struct PMCRawChurn {
    void *(*raw_malloc)(size_t);
    void (*raw_free)(void *);
    int count;
    pthread_t threads[MAX_CHURN_THREADS];
    _Atomic unsigned long rounds[MAX_CHURN_THREADS];
    _Atomic int stop;
    _Atomic int finished;
    pthread_mutex_t lock;
    char problems[4096];
    size_t used;
};

typedef struct {
    PMCRawChurn *churn;
    int index;
} churn_job;

static void churn_problem(PMCRawChurn *churn, const char *text) {
    pthread_mutex_lock(&churn->lock);
    size_t n = strlen(text);
    if (churn->used + n + 2 < sizeof churn->problems) {
        memcpy(churn->problems + churn->used, text, n);
        churn->used += n;
        churn->problems[churn->used++] = '\n';
        churn->problems[churn->used] = 0;
    }
    pthread_mutex_unlock(&churn->lock);
}

static void *churn_thread(void *argument) {
    churn_job *job = argument;
    PMCRawChurn *churn = job->churn;
    unsigned char value = (unsigned char)(0x21 + job->index * 29);
    unsigned char *held[HELD];
    size_t sizes[HELD];
    while (!atomic_load(&churn->stop)) {
        for (int k = 0; k < HELD; k++) {
            sizes[k] = (size_t)(1 + (k * 97 + job->index * 13) % 700);
            held[k] = churn->raw_malloc(sizes[k]);
            if (held[k] == NULL) {
                churn_problem(churn, "PyMem_RawMalloc returned NULL in a thread without the GIL");
                atomic_store(&churn->stop, 1);
                break;
            }
            memset(held[k], value, sizes[k]);
        }
        for (int k = 0; k < HELD && held[k]; k++) {
            for (size_t i = 0; i < sizes[k]; i++)
                if (held[k][i] != value) {
                    char text[160];
                    snprintf(text, sizeof text, "a %zu-byte RAW block changed while its thread held it", sizes[k]);
                    churn_problem(churn, text);
                    break;
                }
            churn->raw_free(held[k]);
            held[k] = NULL;
        }
        atomic_fetch_add(&churn->rounds[job->index], 1);
    }
    atomic_fetch_add(&churn->finished, 1);
    free(job);
    return NULL;
}

PMCRawChurn *pmc_raw_churn_start(void *raw_malloc, void *raw_free, int threads) {
    PMCRawChurn *churn = calloc(1, sizeof *churn);
    if (churn == NULL) return NULL;
    churn->raw_malloc = (void *(*)(size_t))raw_malloc;
    churn->raw_free = (void (*)(void *))raw_free;
    churn->count = threads < 1 ? 1 : threads > MAX_CHURN_THREADS ? MAX_CHURN_THREADS : threads;
    pthread_mutex_init(&churn->lock, NULL);
    for (int t = 0; t < churn->count; t++) {
        churn_job *job = malloc(sizeof *job);
        *job = (churn_job){churn, t};
        if (pthread_create(&churn->threads[t], NULL, churn_thread, job) != 0) {
            churn->count = t;
            free(job);
            break;
        }
    }
    return churn;
}

unsigned long pmc_raw_churn_least_rounds(PMCRawChurn *churn) {
    unsigned long least = (unsigned long)-1;
    for (int t = 0; t < churn->count; t++) {
        unsigned long rounds = atomic_load(&churn->rounds[t]);
        if (rounds < least) least = rounds;
    }
    return churn->count ? least : 0;
}

int pmc_raw_churn_threads(PMCRawChurn *churn) { return churn->count; }

const char *pmc_raw_churn_problems(PMCRawChurn *churn) { return churn->problems; }

int pmc_raw_churn_stop(PMCRawChurn *churn) {
    atomic_store(&churn->stop, 1);
    return atomic_load(&churn->finished) == churn->count;
}
