#!/usr/bin/env bash
# The concurrency verdicts (CPython's clauses, and certify's thread parts on plugins that must be
# certified or refused), 5 runs each with two busy loops beside them (this machine has 2
# cores: both are kept busy), as a table: a verdict that changed between runs shows as such.
#   Benchmarks/concurrency-under-load.sh [runs] [clauses|plugins|all]   (after swift build -c release)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
part=${2:-all}
case $part in clauses|plugins|all) ;; *) echo "unknown part '$part': clauses, plugins or all"; exit 2 ;; esac
bin=.build/release/pymemcheck
[[ -x $bin && -x .build/release/pymemcheck-threads ]] || { echo "build first: swift build -c release"; exit 2; }
out=.build/concurrency-under-load
mkdir -p "$out"

# plugin source, what it must get: CERTIFIED or REFUSED per target (3.11, 3.12, 3.13)
plugins=(
    "Tests/CertificationTests/ThreadPlugins/gil-reliant-cache.c CERTIFIED REFUSED REFUSED"
    "Tests/CertificationTests/ThreadPlugins/mutex-cache.c CERTIFIED CERTIFIED CERTIFIED"
    "Examples/counting-allocator/counting.c CERTIFIED CERTIFIED CERTIFIED"
    "Tests/CertificationTests/CorrectPlugins/thread-cache.c CERTIFIED CERTIFIED CERTIFIED"
    "Tests/CertificationTests/ThreadPlugins/first-call-edge.c REFUSED REFUSED REFUSED"
    "Examples/unlocked-freelist-allocator/unlocked.c REFUSED REFUSED REFUSED"
)
targets=(3.11.7 3.12.1 3.13.0)

busy() { while :; do :; done; }
busy & first=$!
busy & second=$!
trap 'kill $first $second 2>/dev/null' EXIT

# CPython's own concurrency clauses, every target and mode, each run's verdict.
clauses=(--clause 'raw.threads.*' --clause 'mem.threads.*' --clause 'obj.threads.*'
    --clause setallocator.own-gil-interpreters --clause 'debug.detect.*without-gil*'
    --clause 'tracemalloc.track.threads*' --clause 'tracemalloc.*needs-no-gil')
verdicts=()
if [[ $part != plugins ]]; then
# The negative controls in the first run only: they prove each check able to fail, and under
# load they take ten times as long as the checks; the verdicts are the checks'.
for run in $(seq "$runs"); do
    controls=(); [[ $run == 1 ]] && controls=(--controls)
    "$bin" check --all "${clauses[@]}" ${controls[@]+"${controls[@]}"} > "$out/clauses-$run.txt" 2>&1 || true
    passes=$(grep -oE '^  3[^:]*: [0-9]+ pass' "$out/clauses-$run.txt" | awk '{ n += $2 } END { print n + 0 }')
    verdicts+=("$(tail -1 "$out/clauses-$run.txt" | cut -d: -f1)/$passes pass")
done
grep -E '^controls:' "$out/clauses-1.txt" || echo "controls: none reported"
echo "concurrency clauses, check --all, $runs runs: ${verdicts[*]}"
echo
fi
[[ $part == clauses ]] && exit 0

printf '%-22s %-8s %-10s %s\n' plugin target expected "verdicts of $runs runs (load: 2 busy loops)"
wrong=0
for line in "${plugins[@]}"; do
    read -r source expected311 expected312 expected313 <<<"$line"
    name=$(basename "$source" .c)
    cc -shared -fPIC -O1 -g -Wall -Werror -I Sources/PluginInterface/include -I "$(dirname "$source")" \
        -o "$out/lib$name.so" "$source"
    expectations=("$expected311" "$expected312" "$expected313")
    for index in "${!targets[@]}"; do
        target=${targets[$index]}
        verdicts=()
        for run in $(seq "$runs"); do
            "$bin" certify --plugin "$out/lib$name.so" --python "$target" --mode default \
                --only raw.threads.without-gil --only threads-watched --only setallocator.own-gil-interpreters --only "raw.threads.*" \
                > "$out/$name-$target-$run.txt" 2>&1 || true
            verdicts+=("$(tail -1 "$out/$name-$target-$run.txt" | cut -d: -f1)")
        done
        same=$(printf '%s\n' "${verdicts[@]}" | sort -u | tr '\n' ' ')
        mark=ok
        [[ $same == "${expectations[$index]} " ]] || { mark="WRONG"; wrong=$((wrong + 1)); }
        printf '%-22s %-8s %-10s %s %s\n' "$name" "$target" "${expectations[$index]}" "${verdicts[*]}" "$mark"
    done
done
echo "rows with a verdict other than expected: $wrong"
