#!/usr/bin/env bash
# Time to first detection of every built-in mutant, per fuzz target, from an empty corpus.
# Each run is libFuzzer on the mutant's preferred mode of PYTHON (default 3.13), stopped at
# the first finding or after LIMIT seconds (default 60). A stop counts as a detection only when
# the input it stopped on, replayed with `pymemcheck replay --mutant`, breaks an invariant the
# mutant declares (or, for a defect that necessarily crashes, ends in its declared signal):
# another finding, a crash or a fuzzer that did not start is reported as NOT found.
#
#   Benchmarks/mutants.sh [PYTHON] [LIMIT]
set -uo pipefail
cd "$(dirname "$0")/.."
. Fuzz/common.sh
python=${1:-3.13}; limit=${2:-60}
targets=("${fuzz_targets[@]}")
for target in "${targets[@]}"; do fuzz_build "$target" 2>/dev/null || exit 2; done
swift build -c release --product pymemcheck >/dev/null || exit 2
pymemcheck=.build/release/pymemcheck
mutants=${MUTANTS:-"zero-size-null zero-size-same-pointer realloc-failure-frees-block realloc-loses-past-64 calloc-no-zero-large calloc-overflow-wraps drops-debug-hooks realloc-null-fails realloc-zero-frees malloc-short-by-one free-null-crashes"}
out=.build-fuzz/mutants; mkdir -p "$out"
times=()

# What the input that stopped the fuzzer shows, replayed with the mutant: "found by ..." when
# it is evidence of the defect, else "NOT found: ..." with what was seen instead.
judge() {  # mutant mode target artifact
    "$pymemcheck" replay "$4" --python "$python" --mode "$2" --mutant "$1" --fuzz-target "$3" --format json 2>/dev/null |
        python3 -c '
import json, sys
try:
    results = json.load(sys.stdin)["results"]
except (ValueError, KeyError, TypeError):
    results = []
if not results:
    print("NOT found: the input could not be replayed")
elif results[0].get("detectedBy"):
    print("found by " + results[0]["detectedBy"])
else:
    r = results[0]
    seen = [f["invariant"] for f in (r.get("verdict") or {}).get("findings", [])]
    signal = " signal %s" % r["signal"] if r.get("signal") else ""
    print("NOT found: %s%s %s (not tied to the defect)" % (r["outcome"], signal, ",".join(sorted(set(seen)))))
'
}

printf "%-30s %-16s %-8s %-9s %s\n" mutant fuzz-target mode seconds "detection"
for mutant in $mutants; do
    case $mutant in drops-debug-hooks|realloc-failure-frees-block|malloc-short-by-one) mode=debug ;; *) mode=pymalloc ;; esac
    for target in "${targets[@]}"; do
        work="$out/$mutant-$target"; rm -rf "$work"; mkdir -p "$work"
        start=$(date +%s.%N)
        # Swift's own crash handler must not take the abort from libFuzzer, which saves the input.
        SWIFT_BACKTRACE=enable=no PYMEMCHECK_PYTHON=$python PYMEMCHECK_MODE=$mode PYMEMCHECK_MUTANT=$mutant "$(fuzz_binary "$target")" "$work" \
            $(fuzz_options "$target") -max_total_time="$limit" \
            -artifact_prefix="$work/" > "$work.log" 2>&1
        status=$?
        end=$(date +%s.%N)
        seconds=$(echo "$end - $start" | bc)
        artifact=$(ls "$work"/crash-* 2>/dev/null | head -1)
        if [[ $status -eq 0 ]]; then
            verdict="NOT found in $limit s"
        elif [[ -z $artifact ]]; then
            verdict="NOT found: the fuzzer stopped without an input (status $status): $(grep -m1 -E 'ERROR|error' "$work.log")"
        else
            verdict=$(judge "$mutant" "$mode" "$target" "$artifact")
        fi
        if [[ $verdict == found* ]]; then times+=("$seconds"); else times+=(999); fi
        printf "%-30s %-16s %-8s %-9.1f %s\n" "$mutant" "$target" "$mode" "$seconds" "$verdict"
    done
done
sorted=($(printf '%s\n' "${times[@]}" | sort -g))
n=${#sorted[@]}
found=$(printf '%s\n' "${times[@]}" | grep -vc '^999$')
echo "found $found of $n runs by a declared invariant or crash; median time to detection: ${sorted[$((n / 2))]} s; slowest: ${sorted[$((n - 1))]} s (999: not found)"
