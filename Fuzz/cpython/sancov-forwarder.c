// libpymemcheck-sancov.so: the coverage callbacks an instrumented libpython calls
// (-fsanitize=fuzzer-no-link), as a library libpython depends on, under the names
// rename-sancov.py gives libpython's references (__sanitizer_cov_X -> __pymemcheck_covX): only
// this library defines them, so they bind here whatever else a process has loaded (a fuzz
// binary's hidden libFuzzer, AddressSanitizer's runtime), and any program can load libpython.
// Until a fuzz binary connects (pymemcheck_sancov_connect, with libFuzzer's own callbacks) they
// do nothing but remember the modules that registered (libpython's constructor runs at its first
// load, which may be an inspection before the fuzz session); connecting registers those. After
// it each callback forwards with a tail call, so libFuzzer still sees libpython's call site as
// the caller. Extension modules of the build are renamed too and bind here the same way.
#include "SanitizerCoverageCallbacks.h"

#include <stdbool.h>

__attribute__((tls_model("initial-exec"))) __thread uintptr_t __pmccov_lowest_stack;

#define PMC_SLOT(name, parameters, arguments) static void(*forward_##name) parameters;
PMC_SANCOV_CALLBACKS(PMC_SLOT)

// Registrations before the connection: one module each (libpython), a few to spare.
enum { pmc_pending_capacity = 8 };
static struct { const void *start, *stop; } pending_counters[pmc_pending_capacity], pending_pcs[pmc_pending_capacity];
static int pending_counter_count, pending_pc_count;

void __pymemcheck_cov8bit_counters_init(uint8_t *start, uint8_t *stop) {
    if (forward_8bit_counters_init) {
        forward_8bit_counters_init(start, stop);
    } else if (pending_counter_count < pmc_pending_capacity) {
        pending_counters[pending_counter_count].start = start;
        pending_counters[pending_counter_count++].stop = stop;
    }
}

void __pymemcheck_covpcs_init(const uintptr_t *start, const uintptr_t *stop) {
    if (forward_pcs_init) {
        forward_pcs_init(start, stop);
    } else if (pending_pc_count < pmc_pending_capacity) {
        pending_pcs[pending_pc_count].start = start;
        pending_pcs[pending_pc_count++].stop = stop;
    }
}

#define PMC_FORWARD(name, parameters, arguments) \
    void __pymemcheck_cov##name parameters {     \
        if (forward_##name) forward_##name arguments; \
    }
PMC_SANCOV_TRACE_CALLBACKS(PMC_FORWARD)

// Instrumentation other flags would emit; libFuzzer does not use them with inline counters.
void __pymemcheck_covtrace_pc(void) {}
void __pymemcheck_covtrace_pc_guard(uint32_t *guard) { (void)guard; }
void __pymemcheck_covtrace_pc_guard_init(uint32_t *start, uint32_t *stop) { (void)start; (void)stop; }
void __pymemcheck_covbool_flag_init(bool *start, bool *stop) { (void)start; (void)stop; }

#define PMC_CONNECT(name, parameters, arguments) forward_##name = table->cov_##name;
void pymemcheck_sancov_connect(const struct pmc_sancov_table *table) {
    PMC_SANCOV_CALLBACKS(PMC_CONNECT)
    // libFuzzer pairs each module's counters with its PC table in order of registration.
    for (int i = 0; i < pending_counter_count; i++) {
        forward_8bit_counters_init((uint8_t *)pending_counters[i].start, (uint8_t *)pending_counters[i].stop);
    }
    for (int i = 0; i < pending_pc_count; i++) {
        forward_pcs_init((const uintptr_t *)pending_pcs[i].start, (const uintptr_t *)pending_pcs[i].stop);
    }
    pending_counter_count = pending_pc_count = 0;
}
