#!/usr/bin/env bash
# Measures the full conformance matrix: every clause on every target found, in every mode each
# supports. Prints the figures; asserts nothing (the tests assert behaviour).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product pymemcheck >/dev/null
cores=$(nproc)
start=$(date +%s.%N)
status=0
.build/release/pymemcheck check --all --format json --output .build/matrix.json || status=$?
end=$(date +%s.%N)
python3 - "$start" "$end" "$cores" "$status" <<'PY'
import json, sys
start, end, cores, status = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
matrix = json.load(open(".build/matrix.json"))
counts = {}
for result in matrix["results"]:
    counts[result["status"]] = counts.get(result["status"], 0) + 1
print(f"conformance matrix: {len(matrix['rows'])} clauses x {len(matrix['columns'])} (target, mode) columns "
      f"= {len(matrix['results'])} results on {cores} cores")
print(f"wall time: {end - start:.1f} s (runner: {matrix['seconds']:.1f} s), exit status {status}")
print("results: " + ", ".join(f"{count} {name}" for name, count in sorted(counts.items())))
PY
