#define _GNU_SOURCE
#include "CPythonABI.h"
#include <signal.h>
#include <string.h>
#include <dlfcn.h>
#include <malloc.h>
#include <sys/vfs.h>

typedef PMCStatus (*PMCPreInitializeFn)(const PMCPreConfigBuffer *);

PMCStatus pmc_call_preinitialize(void *fn, const PMCPreConfigBuffer *config) {
    return ((PMCPreInitializeFn)fn)(config);
}

/* PyPreConfig has kept one layout from 3.8 on (Include/cpython/initconfig.h): eight ints, of
   which Linux has no legacy_windows_fs_encoding, then dev_mode and allocator. */
void pmc_preconfig_set_allocator(PMCPreConfigBuffer *config, int allocator) {
    int *fields = (int *)config->bytes;
    fields[9] = allocator; /* _config_init, parse_argv, isolated, use_environment,
                              configure_locale, coerce_c_locale, coerce_c_locale_warn,
                              utf8_mode, dev_mode, allocator */
}

void pmc_crash_with_sigsegv(void) {
    // volatile so the compiler cannot prove the store undefined and drop it.
    volatile int *volatile nowhere = NULL;
    *nowhere = 1;
}

int pmc_contains_bytes(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len) != NULL;
}

/* dladdr is a GNU extension: Swift's Glibc module does not declare it. */
const char *pmc_image_path(const void *address) {
    Dl_info info;
    if (address == NULL || dladdr(address, &info) == 0) return NULL;
    return info.dli_fname;
}

/* mallinfo2 is newer than Swift's Glibc module map knows. */
size_t pmc_malloc_bytes_in_use(void) {
    return mallinfo2().uordblks;
}

long pmc_file_system_type(const char *path) {
    struct statfs info;
    return statfs(path, &info) == 0 ? (long)info.f_type : 0;
}
