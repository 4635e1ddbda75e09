#!/usr/bin/env bash
# Time to first detection of every built-in mutant, per fuzz target, from an empty corpus.
# Each run is libFuzzer on the mutant's preferred mode of PYTHON (default 3.13), stopped at
# the first finding or after LIMIT seconds (default 60).
#
#   Benchmarks/mutants.sh [PYTHON] [LIMIT]
set -uo pipefail
cd "$(dirname "$0")/.."
python=${1:-3.13}; limit=${2:-60}
targets=(fuzz-sequences fuzz-violations fuzz-faults)
for target in "${targets[@]}"; do
    swift build -c release --sanitize=fuzzer --product "$target" -Xswiftc -DLIBFUZZER --scratch-path .build-fuzz >/dev/null || exit 2
done
swift build -c release --product pymemcheck >/dev/null || exit 2
mutants=${MUTANTS:-"zero-size-null zero-size-same-pointer realloc-failure-frees-block realloc-loses-past-64 calloc-no-zero-large calloc-overflow-wraps drops-debug-hooks realloc-null-fails realloc-zero-frees malloc-short-by-one free-null-crashes"}
out=.build-fuzz/mutants; mkdir -p "$out"
times=()
printf "%-30s %-16s %-8s %s\n" mutant fuzz-target mode "seconds to first detection"
for mutant in $mutants; do
    case $mutant in drops-debug-hooks|realloc-failure-frees-block|malloc-short-by-one) mode=debug ;; *) mode=pymalloc ;; esac
    for target in "${targets[@]}"; do
        work="$out/$mutant-$target"; rm -rf "$work"; mkdir -p "$work"
        start=$(date +%s.%N)
        PYMEMCHECK_PYTHON=$python PYMEMCHECK_MODE=$mode PYMEMCHECK_MUTANT=$mutant .build-fuzz/release/$target "$work" \
            -dict="Fuzz/$target.dict" $(tr '\n' ' ' < "Fuzz/$target.options") -max_total_time="$limit" \
            -artifact_prefix="$work/" > "$work.log" 2>&1
        status=$?
        end=$(date +%s.%N)
        seconds=$(echo "$end - $start" | bc)
        if [[ $status -ne 0 ]]; then
            times+=("$seconds"); printf "%-30s %-16s %-8s %.1f\n" "$mutant" "$target" "$mode" "$seconds"
        else
            times+=(999); printf "%-30s %-16s %-8s not found in %s s\n" "$mutant" "$target" "$mode" "$limit"
        fi
    done
done
sorted=($(printf '%s\n' "${times[@]}" | sort -g))
n=${#sorted[@]}
echo "median time to detection over $n runs: ${sorted[$((n / 2))]} s; slowest: ${sorted[$((n - 1))]} s"
