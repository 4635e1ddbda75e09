#!/usr/bin/env bash
# Fuzz speed per target and mode: libFuzzer's exec/s for each fuzz target (SECONDS each, from
# the seed corpus), and the harness's own figures from `pymemcheck bench` (ops/s with the
# oracle, and its time per op against a bare replay of the same ops).
#
#   Benchmarks/fuzz-speed.sh [SECONDS] [PYTHON...]      (default: 20 s; 3.13 and 3.11d)
set -uo pipefail
cd "$(dirname "$0")/.."
. Fuzz/common.sh
seconds=${1:-20}; shift || true
pythons=("$@"); [[ ${#pythons[@]} -eq 0 ]] && pythons=(3.13 3.11d)
modes=(${MODES:-pymalloc default debug malloc})
targets=("${fuzz_targets[@]}")
for target in "${targets[@]}"; do fuzz_build "$target" 2>/dev/null || exit 2; done
swift build -c release --product pymemcheck >/dev/null || exit 2
out=.build-fuzz/speed; mkdir -p "$out"
printf "%-8s %-15s %-16s %10s\n" python mode fuzz-target exec/s
for python in "${pythons[@]}"; do
    for mode in "${modes[@]}"; do
        for target in "${targets[@]}"; do
            work="$out/$python-$mode-$target"; rm -rf "$work"; mkdir -p "$work"
            PYMEMCHECK_PYTHON=$python PYMEMCHECK_MODE=$mode "$(fuzz_binary "$target")" "$work" "Corpus/$target" \
                $(fuzz_options "$target") -max_total_time="$seconds" \
                -print_final_stats=1 > "$work.log" 2>&1
            speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$work.log" | grep -o '[0-9]*$')
            printf "%-8s %-15s %-16s %10s\n" "$python" "$mode" "$target" "${speed:-failed}"
        done
        .build/release/pymemcheck bench --python "$python" --mode "$mode" --programs 5000 | sed 's/^/    /'
    done
done
