#!/usr/bin/env bash
# Long fuzz runs on conforming targets: each fuzz target, in each mode, for SECONDS each. A
# conforming target must give no finding. One chain of runs per Python, the chains in parallel.
#
#   Benchmarks/soak.sh [SECONDS] [PYTHON...]     (default: 600 s; 3.13 and 3.11d)
#   MODES="default debug" Benchmarks/soak.sh 600 3.13
set -uo pipefail
cd "$(dirname "$0")/.."
. Fuzz/common.sh
seconds=${1:-600}; shift || true
pythons=("$@"); [[ ${#pythons[@]} -eq 0 ]] && pythons=(3.13 3.11d)
modes=(${MODES:-default debug})
targets=("${fuzz_targets[@]}")
for target in "${targets[@]}"; do fuzz_build "$target" 2>/dev/null || exit 2; done
out=.build-fuzz/soak; mkdir -p "$out"

chain() {
    local python=$1
    for mode in "${modes[@]}"; do
        for target in "${targets[@]}"; do
            local name="$python-$mode-$target" work="$out/$python-$mode-$target.corpus"
            rm -rf "$work"; mkdir -p "$work" "$out/findings"
            PYMEMCHECK_PYTHON=$python PYMEMCHECK_MODE=$mode "$(fuzz_binary "$target")" "$work" "Corpus/$target" \
                $(fuzz_options "$target") -max_total_time="$seconds" \
                -artifact_prefix="$out/findings/$name-" -print_final_stats=1 > "$out/$name.log" 2>&1
            local status=$?
            local runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name.log" | grep -o '[0-9]*$')
            local speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$out/$name.log" | grep -o '[0-9]*$')
            local verdict="no finding"; [[ $status -ne 0 ]] && verdict="FINDING (exit $status): see $out/$name.log"
            echo "$python $mode $target: ${runs:-?} inputs in ${seconds} s (${speed:-?} exec/s): $verdict"
        done
    done
}

for python in "${pythons[@]}"; do chain "$python" > "$out/$python.summary" & done
wait
cat "$out"/*.summary
! grep -q FINDING "$out"/*.summary
