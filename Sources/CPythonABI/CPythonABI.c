#define _GNU_SOURCE
#include "CPythonABI.h"
#include <signal.h>
#include <string.h>

typedef PMCStatus (*PMCPreInitializeFn)(const PMCPreConfigBuffer *);

PMCStatus pmc_call_preinitialize(void *fn, const PMCPreConfigBuffer *config) {
    return ((PMCPreInitializeFn)fn)(config);
}

void pmc_crash_with_sigsegv(void) {
    // volatile so the compiler cannot prove the store undefined and drop it.
    volatile int *volatile nowhere = NULL;
    *nowhere = 1;
}

int pmc_contains_bytes(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len) != NULL;
}
