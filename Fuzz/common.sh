# What every script that builds or runs a fuzzer shares (sourced, from the package folder):
# the fuzz targets, their build flags, the libFuzzer options of a run, AddressSanitizer's
# defaults. One place, so that no script builds a fuzzer differently from another.

# The fuzz targets (Fuzz/fuzz-*/), one product each.
fuzz_targets=(fuzz-sequences fuzz-violations fuzz-faults)

# --sanitize=fuzzer only on a fuzz product, in its own scratch path: on the whole package it
# breaks the other executables. -DLIBFUZZER drops the replay main, so libFuzzer's main links.
# --export-dynamic: a libpython built with AddressSanitizer (3.11.2-asan), loaded at run time,
# finds the runtime's symbols in the executable. (Coverage goes through the forwarder beside an
# instrumented libpython, which the binary connects to libFuzzer.)
fuzz_build_flags=(-c release --sanitize=fuzzer -Xswiftc -DLIBFUZZER -Xlinker --export-dynamic)

# AddressSanitizer's defaults for a fuzzer and the CPython under it: the op language asks for
# callocs that cannot be met on purpose (NULL, which the oracle accepts, not an abort), and a
# runtime's blocks live until exit (no leak report). The bundle writes the same in its
# .options files, and a fuzz binary sets them itself when started with none (FuzzerStartup).
fuzz_asan_options=allocator_may_return_null=1:detect_leaks=0

# fuzz_build TARGET [SWIFT_BUILD_FLAGS...]: builds one fuzzer into $FUZZ_SCRATCH (default
# .build-fuzz), its progress on stderr.
fuzz_build() {
    local target=$1
    shift
    swift build "${fuzz_build_flags[@]}" --product "$target" --scratch-path "${FUZZ_SCRATCH:-.build-fuzz}" "$@" >&2
}

# fuzz_binary TARGET: where fuzz_build put it.
fuzz_binary() { echo "${FUZZ_SCRATCH:-.build-fuzz}/release/$1"; }

# fuzz_options TARGET: the libFuzzer options every run of TARGET takes: the op language's
# dictionary (one for all targets, generated from the byte form) and the target's .options.
fuzz_options() { echo "-dict=Fuzz/ops.dict $(tr '\n' ' ' < "Fuzz/$1.options")"; }
