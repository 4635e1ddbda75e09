// The coverage callbacks an instrumented libpython (-fsanitize=fuzzer-no-link) calls, shared by
// the fuzz binaries (which connect them) and Fuzz/cpython/sancov-forwarder.c (the library
// libpython depends on, which forwards them). Name, parameter list, argument list.
#ifndef PYMEMCHECK_SANITIZER_COVERAGE_CALLBACKS_H
#define PYMEMCHECK_SANITIZER_COVERAGE_CALLBACKS_H

#include <stdint.h>

#define PMC_SANCOV_CALLBACKS(X)                                                         \
    X(8bit_counters_init, (uint8_t * start, uint8_t * stop), (start, stop))             \
    X(pcs_init, (const uintptr_t *start, const uintptr_t *stop), (start, stop))         \
    PMC_SANCOV_TRACE_CALLBACKS(X)

/// The callbacks instrumented code calls as it runs (the two above register a module).
#define PMC_SANCOV_TRACE_CALLBACKS(X)                                                   \
    X(trace_cmp1, (uint8_t a, uint8_t b), (a, b))                                       \
    X(trace_cmp2, (uint16_t a, uint16_t b), (a, b))                                     \
    X(trace_cmp4, (uint32_t a, uint32_t b), (a, b))                                     \
    X(trace_cmp8, (uint64_t a, uint64_t b), (a, b))                                     \
    X(trace_const_cmp1, (uint8_t a, uint8_t b), (a, b))                                 \
    X(trace_const_cmp2, (uint16_t a, uint16_t b), (a, b))                               \
    X(trace_const_cmp4, (uint32_t a, uint32_t b), (a, b))                               \
    X(trace_const_cmp8, (uint64_t a, uint64_t b), (a, b))                               \
    X(trace_switch, (uint64_t value, uint64_t * cases), (value, cases))                 \
    X(trace_div4, (uint32_t value), (value))                                            \
    X(trace_div8, (uint64_t value), (value))                                            \
    X(trace_gep, (uintptr_t index), (index))                                            \
    X(trace_pc_indir, (uintptr_t callee), (callee))

/// The table a fuzz binary hands the forwarder: libFuzzer's callbacks, one per entry above.
#define PMC_SANCOV_FIELD(name, parameters, arguments) void(*cov_##name) parameters;
struct pmc_sancov_table {
    PMC_SANCOV_CALLBACKS(PMC_SANCOV_FIELD)
};
#undef PMC_SANCOV_FIELD

#endif
