#!/usr/bin/env bash
# What CPython's own edges add to the fuzzers: each fuzz target for SECONDS from an empty corpus
# on a plain libpython and on the same version built by Fuzz/cpython/build.sh (libFuzzer then
# counts libpython's edges too), side by side and at the same time: coverage (and libpython's share
# of it), features, corpus size, exec/s.
#
#   Benchmarks/fuzz-cpython-edges.sh [SECONDS] [PLAIN] [INSTRUMENTED]
#                                    (default: 120 s; 3.11.2; 3.11.2-fuzz)
# Time to find each built-in mutant on either: Benchmarks/mutants.sh 3.11.2-fuzz [LIMIT].
set -uo pipefail
cd "$(dirname "$0")/.."
. Fuzz/common.sh
seconds=${1:-120}; plain=${2:-3.11.2}; instrumented=${3:-3.11.2-fuzz}
mode=${PYMEMCHECK_MODE:-default}
targets=(${TARGETS:-${fuzz_targets[*]}})
[[ $instrumented == *-fuzz ]] && [[ ! -d ${XDG_CACHE_HOME:-$HOME/.cache}/pymemcheck/cpython/$instrumented ]] \
    && { nice -n 19 Fuzz/cpython/build.sh "${instrumented%-fuzz}" --sanitizer fuzzer >/dev/null || exit 2; }
for target in "${targets[@]}"; do
    # Built as Fuzz/run.sh builds them (the same scratch path and flags: no rebuild between them).
    fuzz_build "$target" 2>/dev/null || exit 2
done
swift build -c release --product pymemcheck >/dev/null || exit 2
# The fuzzers get library paths: a version would make each of them discover every target first.
library() {
    .build/release/pymemcheck targets --format json | python3 -c '
import json, sys
print(next((t["libraryPath"] for t in json.load(sys.stdin)["targets"] if t["id"] == sys.argv[1]), ""))' "$1"
}
declare -A libraries
for python in "$plain" "$instrumented"; do
    libraries[$python]=$(library "$python")
    [[ -n ${libraries[$python]} ]] || { echo "no target $python; see 'pymemcheck targets'" >&2; exit 2; }
done
out=.build-fuzz/cpython-edges; mkdir -p "$out"
# Both libraries of a target run at the same time, so that they share the machine's load alike.
run() {   # TARGET PYTHON
    local work="$out/$1-$2"
    rm -rf "$work"; mkdir -p "$work"
    SWIFT_BACKTRACE=enable=no PYMEMCHECK_PYTHON=${libraries[$2]} PYMEMCHECK_MODE=$mode \
        nice -n 19 "$(fuzz_binary "$1")" "$work" \
        $(fuzz_options "$1") -max_total_time="$seconds" -print_final_stats=1 -print_pcs=1 \
        -artifact_prefix="$work/" > "$work.log" 2>&1
}
# cov and ft: libFuzzer's edges and features over the inputs (the session starts before the
# first input, so the interpreter's start-up is not among them); libpython: how many of those
# edges are libpython's own; corpus: the inputs kept.
printf "%-16s %-12s %8s %10s %8s %8s %8s\n" fuzz-target python cov libpython ft corpus exec/s
for target in "${targets[@]}"; do
    run "$target" "$plain" & run "$target" "$instrumented" & wait
    for python in "$plain" "$instrumented"; do
        work="$out/$target-$python"
        last=$(grep -E '^#[0-9]+' "$work.log" | tail -1)
        cov=$(grep -o 'cov: [0-9]*' <<< "$last" | grep -o '[0-9]*')
        ft=$(grep -o 'ft: [0-9]*' <<< "$last" | grep -o '[0-9]*')
        pcs=$(grep -c "NEW_PC.*/pymemcheck/cpython/$python/" "$work.log")   # its library or sources
        speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$work.log" | grep -o '[0-9]*$')
        printf "%-16s %-12s %8s %10s %8s %8s %8s\n" "$target" "$python" "${cov:-?}" "$pcs" "${ft:-?}" \
            "$(ls "$work" | grep -vc '^crash-')" "${speed:-failed}"
    done
done
