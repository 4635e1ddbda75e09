#!/usr/bin/env bash
# Certify's fuzzing speed: inputs per second of each fuzz part of `pymemcheck certify`, with an
# example plugin under its guard and fault layers (every block the plugin hands out after
# start-up is guarded), per target and mode.
#
#   Benchmarks/certify-speed.sh [SECONDS] [PYTHON...]   (default: 10 s; 3.13)
#   PLUGIN=counting|bump|unlocked-freelist (default counting), MODES="default debug"
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}; shift || true
pythons=("$@"); [[ ${#pythons[@]} -eq 0 ]] && pythons=(3.13)
modes=(${MODES:-default debug})
plugin=${PLUGIN:-counting}
swift build -c release --product pymemcheck >/dev/null || exit 2
swift build -c release --product "pymemcheck-$plugin" >/dev/null || exit 2
library=.build/release/libpymemcheck-$plugin.so
printf "%-8s %-8s %-16s %10s\n" python mode part inputs/s
for python in "${pythons[@]}"; do
    for mode in "${modes[@]}"; do
        .build/release/pymemcheck certify --plugin "$library" --python "$python" --mode "$mode" \
            --fuzz-seconds "$seconds" --format json 2>/dev/null |
            python3 -c '
import json, re, sys
for item in json.load(sys.stdin)["items"]:
    found = re.match(r"(\d+) inputs in (\d+) s", " ".join(item["evidence"]))
    if item["part"].startswith("fuzz-"):
        speed = "%.0f" % (int(found[1]) / int(found[2])) if found else item["status"]
        print("%-8s %-8s %-16s %10s" % (sys.argv[1], sys.argv[2], item["part"], speed))
' "$python" "$mode"
    done
done
