// Rounds of PyMem_RawMalloc and PyMem_RawFree without the GIL, for a ThreadCrew: each round
// allocates 8 blocks of its thread's sizes, fills, checks and frees them.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CPythonABI.h"

enum { HELD = 8 };

struct PMCRawChurn {
    void *(*raw_malloc)(size_t);
    void (*raw_free)(void *);
    PMCCrew *crew;
    pthread_mutex_t lock;
    char problems[4096];
    size_t used;
};

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

static void raw_round(void *state, int index) {
    PMCRawChurn *churn = state;
    unsigned char value = (unsigned char)(0x21 + index * 29);
    unsigned char *held[HELD] = {0};
    size_t sizes[HELD];
    for (int k = 0; k < HELD; k++) {
        sizes[k] = (size_t)(1 + (k * 97 + index * 13) % 700);
        held[k] = churn->raw_malloc(sizes[k]);
        if (held[k] == NULL) {
            char text[160];
            snprintf(text, sizeof text, "PyMem_RawMalloc(%zu) returned NULL in RAW thread %d (no GIL)", sizes[k],
                     index + 1);
            churn_problem(churn, text);
            pmc_crew_request_stop(churn->crew);
            break;
        }
        memset(held[k], value, sizes[k]);
    }
    for (int k = 0; k < HELD && held[k]; k++) {
        for (size_t i = 0; i < sizes[k]; i++)
            if (held[k][i] != value) {
                char text[160];
                snprintf(text, sizeof text, "a %zu-byte block of PyMem_RawMalloc changed while RAW thread %d held it",
                         sizes[k], index + 1);
                churn_problem(churn, text);
                break;
            }
        churn->raw_free(held[k]);
    }
}

PMCRawChurn *pmc_raw_churn_start(void *raw_malloc, void *raw_free, int threads) {
    PMCRawChurn *churn = calloc(1, sizeof *churn);
    if (churn == NULL) return NULL;
    churn->raw_malloc = (void *(*)(size_t))raw_malloc;
    churn->raw_free = (void (*)(void *))raw_free;
    pthread_mutex_init(&churn->lock, NULL);
    churn->crew = pmc_crew_start(threads, raw_round, churn);
    return churn->crew ? churn : NULL;
}

PMCCrew *pmc_raw_churn_crew(PMCRawChurn *churn) { return churn->crew; }

const char *pmc_raw_churn_problems(PMCRawChurn *churn) { return churn->problems; }

void pmc_raw_churn_problems_copy(PMCRawChurn *churn, char *buffer, size_t size) {
    if (size == 0) return;
    pthread_mutex_lock(&churn->lock);
    snprintf(buffer, size, "%s", churn->problems);
    pthread_mutex_unlock(&churn->lock);
}
