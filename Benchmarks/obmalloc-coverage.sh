#!/usr/bin/env bash
# How much of CPython's allocator code pymemcheck runs, against CPython's own tests: line and
# branch coverage of Objects/obmalloc.c and Modules/_tracemalloc.c in a coverage build of 3.11.2
# (Fuzz/cpython/build.sh --sanitizer coverage), per part:
#   start     the interpreter started once in each PYTHONMALLOC mode (the floor)
#   check     pymemcheck check --controls, every mode the target supports
#   replay    pymemcheck replay Corpus, every mode
#   fuzz      each fuzz target for SECONDS from the seed corpus, default mode
#   pymemcheck  check + replay + fuzz together
#   cpython   CPython's test_capi and test_tracemalloc, run from the build tree
#
#   Benchmarks/obmalloc-coverage.sh [SECONDS]      (default 600 s per fuzz target)
#
# Counts: clang's source-based coverage in continuous mode (%c), so a child that aborts on a
# fatal report keeps what it ran. Code the preprocessor leaves out on Linux x86-64 (Windows,
# Valgrind, 32-bit) has no coverage regions and is not counted; the script lists it.
set -uo pipefail
cd "$(dirname "$0")/.."
. Fuzz/common.sh
seconds=${1:-600}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "SECONDS must be a whole number of seconds, not '$seconds'" >&2; exit 2; }
version=3.11.2
target=$version-cov

prefix=$(nice -n 19 Fuzz/cpython/build.sh "$version" --sanitizer coverage | tail -1) || exit 2
src=$(dirname "$prefix")/src
library=$(ls "$prefix"/lib/libpython3.11.so.1.0)
tools=$(dirname "$(readlink -f "$(command -v swift)")")
profdata=$tools/llvm-profdata; cov=$tools/llvm-cov
[[ -x $profdata && -x $cov ]] \
    || { echo "no llvm-profdata/llvm-cov next to swift in $tools; use a toolchain that ships them" >&2; exit 2; }

for product in "${fuzz_targets[@]}"; do nice -n 19 bash -c '. Fuzz/common.sh; fuzz_build "$1"' _ "$product" 2>/dev/null || exit 2; done
nice -n 19 swift build -c release --product pymemcheck >/dev/null || exit 2
pymemcheck=.build/release/pymemcheck
out=$PWD/.build-fuzz/obmalloc-coverage; rm -rf "$out"; mkdir -p "$out"
modes=$("$pymemcheck" targets --format json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["targets"]:
    if t["id"] == sys.argv[1]: print(" ".join(t["supportedModes"]))' "$target")
[[ -n $modes ]] || { echo "pymemcheck does not list $target; see 'pymemcheck targets'" >&2; exit 2; }

# Every process writes one raw profile per instrumented module it loads (%p-%m: libpython, the
# interpreter, extension modules; two modules mapping one file would corrupt it), mapped and kept
# current (%c). Each part's profiles are merged into PART.profdata as soon as it ends.
profile() { echo "$out/$1/%p-%m%c.profraw"; }
merge() {  # part
    local files=("$out/$1"/*.profraw)
    [[ -e ${files[0]} ]] || { echo "part $1 wrote no profile: was $target's libpython loaded?" >&2; exit 1; }
    "$profdata" merge -sparse -o "$out/$1.profdata" "${files[@]}" && rm -rf "${out:?}/$1"
}

mkdir -p "$out"/{start,check,replay,fuzz,cpython}
echo "start: $target in each PYTHONMALLOC mode" >&2
for mode in default debug pymalloc pymalloc_debug malloc malloc_debug; do
    LD_LIBRARY_PATH=$prefix/lib LLVM_PROFILE_FILE=$(profile start) PYTHONMALLOC=$mode \
        "$prefix/bin/python3.11" -c pass || echo "PYTHONMALLOC=$mode failed to start" >&2
done
merge start

echo "check: $modes, with the controls" >&2
LLVM_PROFILE_FILE=$(profile check) nice -n 19 "$pymemcheck" check --python "$target" --controls \
    > "$out/check.txt" 2>&1
tail -1 "$out/check.txt" >&2
merge check

echo "replay: Corpus in $modes" >&2
for mode in $modes; do
    LLVM_PROFILE_FILE=$(profile replay) nice -n 19 "$pymemcheck" replay Corpus --python "$target" --mode "$mode" \
        > "$out/replay-$mode.txt" 2>&1
done
merge replay

for product in "${fuzz_targets[@]}"; do
    echo "fuzz: $product for $seconds s" >&2
    work="$out/corpus-$product"; mkdir -p "$work"
    SWIFT_BACKTRACE=enable=no PYMEMCHECK_PYTHON=$target LLVM_PROFILE_FILE=$(profile fuzz) \
        nice -n 19 "$(fuzz_binary "$product")" "$work" "Corpus/$product" \
        $(fuzz_options "$product") -max_total_time="$seconds" -artifact_prefix="$work/" \
        > "$out/fuzz-$product.log" 2>&1
    grep -m1 -E "^#[0-9]+[[:space:]]+DONE" "$out/fuzz-$product.log" >&2
done
merge fuzz
"$profdata" merge -sparse -o "$out/pymemcheck.profdata" "$out"/{check,replay,fuzz}.profdata

echo "cpython: test_capi test_tracemalloc from $src" >&2
# The build tree's python has no rpath: its own libpython must come first, for this command only.
(cd "$src" && LD_LIBRARY_PATH=$src LLVM_PROFILE_FILE=$(profile cpython) nice -n 19 ./python -m test \
    test_capi test_tracemalloc > "$out/cpython-tests.txt" 2>&1)
grep -m1 -E '^Result:|^Tests result:' "$out/cpython-tests.txt" >&2
merge cpython

# The build tree's library is the one that wrote the cpython part; the installed one is a copy.
echo
echo "not compiled here, so not counted (preprocessor regions; llvm-cov has no regions for them):"
python3 - "$src" <<'PYTHON'
import re, sys
# A condition that holds only elsewhere; the branch it guards (or, negated, its #else) is left out.
platform = re.compile(r"MS_WINDOWS|_WIN32|SIZEOF_VOID_P\s*[<=]=?\s*4|__APPLE__|__wasi__|_AIX")
build = re.compile(r"Py_DEBUG|Py_TRACE_REFS")
wide = re.compile(r"SIZEOF_VOID_P\s*>\s*4")
def why(text):
    if platform.search(text) or wide.search(text): return "not Linux x86-64"
    if "WITH_VALGRIND" in text: return "builds configured --with-valgrind only"
    if build.search(text): return "debug builds only, not this release build"
for name in ("Objects/obmalloc.c", "Modules/_tracemalloc.c"):
    stack = []  # [first line of the branch, condition, whether this branch is the one left out]
    for number, line in enumerate(open(f"{sys.argv[1]}/{name}", encoding="utf-8"), 1):
        d = line.strip()
        if re.match(r"#\s*if", d):
            negated = d.startswith("#ifndef") or "!" in d or bool(wide.search(d))
            stack.append([number, d, not negated])
        elif re.match(r"#\s*(else|elif|endif)", d) and stack:
            first, text, out = stack[-1]
            if out and why(text):
                print(f"  {name}:{first}-{number}  {text}  ({why(text)})")
            if d.startswith("#endif") or re.match(r"#\s*endif", d):
                stack.pop()
            else:
                stack[-1] = [number, text, not out and d.startswith("#else")]
PYTHON

summary() {  # profdata file -> "L B" percentages
    "$cov" export -summary-only "$library" -instr-profile "$1" "$src/$2" 2>/dev/null | python3 -c '
import json, sys
data = json.load(sys.stdin)["data"][0]["files"]
s = next(f["summary"] for f in data if f["filename"].endswith(sys.argv[1]))
print("%.1f %.1f %d/%d %d/%d" % (s["lines"]["percent"], s["branches"]["percent"], s["lines"]["covered"],
      s["lines"]["count"], s["branches"]["covered"], s["branches"]["count"]))' "$2"
}
echo
printf "%-12s %-24s %8s %9s  %s\n" part file lines branches "covered/counted lines, branches"
for file in Objects/obmalloc.c Modules/_tracemalloc.c; do
    for part in start check replay fuzz pymemcheck cpython; do
        read -r l b ln bn <<< "$(summary "$out/$part.profdata" "$file")"
        printf "%-12s %-24s %7s%% %8s%%  %s, %s\n" "$part" "$file" "$l" "$b" "$ln" "$bn"
    done
done
read -r pl pb _ <<< "$(summary "$out/pymemcheck.profdata" Objects/obmalloc.c)"
read -r cl cb _ <<< "$(summary "$out/cpython.profdata" Objects/obmalloc.c)"
echo "obmalloc.c: pymemcheck $pl% lines $pb% branches; CPython tests $cl% lines $cb% branches"
