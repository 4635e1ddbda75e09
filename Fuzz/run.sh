#!/usr/bin/env bash
# Builds one fuzz target with libFuzzer and runs it on its corpus.
#
#   Fuzz/run.sh TARGET [SECONDS] [-- LIBFUZZER_FLAGS...]
#
# TARGET is fuzz-sequences, fuzz-violations or fuzz-faults. The target and mode come from
# PYMEMCHECK_PYTHON (default: python3 on PATH) and PYMEMCHECK_MODE (default: default); a planted
# defect from PYMEMCHECK_MUTANT. With PYMEMCHECK_PYTHON=3.11.2-fuzz (a build of
# Fuzz/cpython/build.sh) libFuzzer also counts the edges of CPython's own code. New inputs go to
# $FUZZ_CORPUS or .build-fuzz/corpus/TARGET (Corpus/TARGET stays the committed seed corpus); findings go to
# .build-fuzz/findings/. FUZZ_ASAN=1 builds with AddressSanitizer too (run it with
# PYMEMCHECK_MODE=malloc; PYMEMCHECK_PYTHON=3.11.2-asan puts CPython under it as well).
set -euo pipefail
cd "$(dirname "$0")/.."
. Fuzz/common.sh

target=${1:?"usage: Fuzz/run.sh fuzz-sequences|fuzz-violations|fuzz-faults [SECONDS] [-- libFuzzer flags]"}
shift
seconds=60
if [[ $# -gt 0 && $1 != "--" ]]; then seconds=$1; shift; fi
[[ ${1:-} == "--" ]] && shift
case $target in
    fuzz-sequences|fuzz-violations|fuzz-faults) ;;
    *) echo "unknown fuzz target '$target': one of fuzz-sequences, fuzz-violations, fuzz-faults" >&2; exit 2 ;;
esac

flags=()
export FUZZ_SCRATCH=.build-fuzz
extra=()
if [[ ${FUZZ_ASAN:-0} == 1 ]]; then
    flags+=(-Xswiftc -sanitize=fuzzer,address)   # one flag: fuzzer and address together
    FUZZ_SCRATCH=.build-fuzz-asan
    export ASAN_OPTIONS=${ASAN_OPTIONS:-$fuzz_asan_options}
    # The op language asks for 4 GiB callocs on purpose (mapped lazily, never touched whole);
    # under ASan libFuzzer would call any malloc above its RSS limit an out-of-memory. Huge ones
    # that cannot be met get NULL (allocator_may_return_null), which the oracle accepts.
    extra=(-malloc_limit_mb=2147483647)
fi
fuzz_build "$target" ${flags[@]+"${flags[@]}"}

work=${FUZZ_CORPUS:-.build-fuzz/corpus/$target}
findings=.build-fuzz/findings/$target
mkdir -p "$work" "$findings"
# Swift's crash handler must not take a finding's abort from libFuzzer, which saves the input.
export SWIFT_BACKTRACE=enable=no
# shellcheck disable=SC2046 # one word per option
exec "$(fuzz_binary "$target")" "$work" "Corpus/$target" $(fuzz_options "$target") \
    -max_total_time="$seconds" -artifact_prefix="$findings/" -print_final_stats=1 ${extra[@]+"${extra[@]}"} "$@"
