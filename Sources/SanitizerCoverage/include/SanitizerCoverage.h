#ifndef PYMEMCHECK_SANITIZER_COVERAGE_H
#define PYMEMCHECK_SANITIZER_COVERAGE_H

#include "SanitizerCoverageCallbacks.h"

/// Hands this binary's libFuzzer callbacks to a loaded coverage forwarder, whose
/// `pymemcheck_sancov_connect` is `connect`. Returns 1 when connected, 0 when the binary has no
/// libFuzzer (a plain build: nothing to connect).
int pmc_connect_sancov_forwarder(void *connect);

#endif
