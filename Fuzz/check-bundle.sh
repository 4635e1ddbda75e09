#!/usr/bin/env bash
# Checks a bundle of Fuzz/build.sh the way a fuzzing service meets it: the bundle moved to
# another folder (no path of the build may be left in it), every fuzzer started from a third
# folder with no environment but an empty HOME, on its own, for RUNS runs from one seed (the same
# verdict every time). Each must
#   - start the bundle's own CPython in the mode its name gives,
#   - load libpython's coverage counters and observe libpython's edges (libFuzzer's NEW_PC lines),
#   - end with libFuzzer's DONE.
# A bundle with AddressSanitizer's runtime must also report a planted heap overflow.
#
#   Fuzz/check-bundle.sh [OUT] [RUNS]        (defaults: .build-oss-fuzz/out, 10000)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "${1:-$here/.build-oss-fuzz/out}" && pwd)
runs=${2:-10000}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Hard links where the file system allows: the bundle's 300 MB need not be copied.
cp -al "$out" "$scratch/moved" 2>/dev/null || cp -a "$out" "$scratch/moved"
mkdir "$scratch/home" "$scratch/elsewhere"

fuzzers=$(cd "$scratch/moved" && ls | grep -E '^fuzz-[a-z]+-[a-z_]+$' || true)
[[ -n $fuzzers ]] || { echo "no fuzzers in $out: run Fuzz/build.sh first" >&2; exit 2; }
failed=0
for fuzzer in $fuzzers; do
    mode=${fuzzer#fuzz-*-}
    log=$scratch/$fuzzer.log
    status=0
    (cd "$scratch/elsewhere" && env -i HOME="$scratch/home" "$scratch/moved/$fuzzer" -runs="$runs" -seed=1 -print_pcs=1 \
        > "$log" 2>&1) || status=$?
    pcs=$(grep -c 'NEW_PC.*/pymemcheck-cpython/lib/libpython' "$log" || true)
    problem=
    if [[ $status != 0 ]]; then problem="exit status $status"
    elif ! head -1 "$log" | grep -q "in mode $mode (the bundle's CPython in $scratch/moved/pymemcheck-cpython"; then
        problem="did not start the bundle's CPython in mode $mode"
    elif ! grep -q "^Done $runs runs" "$log"; then problem="did not finish $runs runs"
    elif (( pcs == 0 )); then problem="observed none of libpython's edges"
    fi
    if [[ -z $problem ]]; then
        echo "ok   $fuzzer: $(grep -o 'DONE *cov: [0-9]*' "$log" | tr -s ' '), of which libpython: $pcs"
    else
        echo "FAIL $fuzzer: $problem"
        sed -n '1,12p' "$log" | sed 's/^/     /'
        failed=1
    fi
done
# A bundle built with AddressSanitizer must catch what ASan catches: with a planted defect that
# makes malloc one byte short, the malloc-mode fuzzer's first write past it is ASan's report.
if ls "$scratch/moved/pymemcheck-cpython/lib/"libclang_rt.asan-*.so >/dev/null 2>&1; then
    fuzzer=$(cd "$scratch/moved" && ls | grep -E '^fuzz-sequences-malloc$' || true)
    log=$scratch/asan.log
    if [[ -z $fuzzer ]]; then
        echo "FAIL AddressSanitizer: no fuzz-sequences-malloc in the bundle to check it with"
        failed=1
    elif (cd "$scratch/elsewhere" && env -i HOME="$scratch/home" PYMEMCHECK_MUTANT=malloc-short-by-one \
            "$scratch/moved/$fuzzer" -runs="$runs" -seed=1 -artifact_prefix="$scratch/" > "$log" 2>&1); then
        echo "FAIL AddressSanitizer: $fuzzer ran a one-byte-short malloc for $runs runs unreported"
        failed=1
    elif grep -q 'ERROR: AddressSanitizer: heap-buffer-overflow' "$log"; then
        echo "ok   AddressSanitizer: $fuzzer with malloc one byte short: $(grep -o 'WRITE of size [0-9]*' "$log" | head -1)"
    else
        echo "FAIL AddressSanitizer: $fuzzer stopped, but not on ASan's heap-buffer-overflow"
        grep -m3 -E 'ERROR|SUMMARY' "$log" | sed 's/^/     /'
        failed=1
    fi
fi
exit $failed
