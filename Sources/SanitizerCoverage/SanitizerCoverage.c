// An instrumented libpython calls its coverage callbacks in libpymemcheck-sancov.so (the names
// Fuzz/cpython/rename-sancov.py gives them), not in the fuzz binary: a binary built with the
// static Swift standard library (--exclude-libs ALL) exports none of libFuzzer's, and under
// AddressSanitizer the shared runtime, which comes first, defines its own. The binary's code
// still reaches libFuzzer's, so it hands their addresses to that forwarder. Weak references: in
// a binary without libFuzzer they are NULL.
#include "SanitizerCoverage.h"
#include "SanitizerCoverageCallbacks.h"

#include <stddef.h>

#define PMC_DECLARE(name, parameters, arguments) extern void __sanitizer_cov_##name parameters __attribute__((weak));
PMC_SANCOV_CALLBACKS(PMC_DECLARE)
#undef PMC_DECLARE

int pmc_connect_sancov_forwarder(void *connect) {
    if (connect == NULL || __sanitizer_cov_8bit_counters_init == NULL) return 0;
#define PMC_FILL(name, parameters, arguments) .cov_##name = __sanitizer_cov_##name,
    struct pmc_sancov_table table = {PMC_SANCOV_CALLBACKS(PMC_FILL)};
#undef PMC_FILL
    ((void (*)(const struct pmc_sancov_table *))connect)(&table);
    return 1;
}
