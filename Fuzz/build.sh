#!/usr/bin/env bash
# Builds the self-contained fuzzer bundle: into $OUT go one fuzzer per target and allocator mode
# (fuzz-sequences-default, fuzz-sequences-debug, ...), each with its options file, dictionary and
# seed corpus, and beside them the instrumented CPython they run, in $OUT/pymemcheck-cpython
# (libpython and the standard library). A fuzzer finds that CPython relative to its own path and
# takes its mode from its name, so it runs from anywhere with no environment at all.
#
#   Fuzz/build.sh                       here: $OUT defaults to .build-oss-fuzz/out
#   (the builder image runs it through .clusterfuzzlite/build.sh, OSS-Fuzz's as well)
#
# In a builder ($CFLAGS set) CPython is built from Debian's source package with $CC and $CFLAGS
# as the image sets them for $SANITIZER, into $WORK (here: ~/.cache/pymemcheck/bundle), and the
# fuzzers with the image's $SWIFTFLAGS (static Swift standard library). Here, without $CFLAGS,
# the fuzzers link the standard library statically too and CPython is Fuzz/cpython/build.sh's
# cached `fuzzer` build (`address` when SANITIZER=address), shared with `pymemcheck targets`.
# Fuzz/oss-fuzz/emulate.sh reproduces the builder's environment; Fuzz/check-bundle.sh checks
# the result as a fuzzing service runs it.
# FUZZ_MODES lists the modes each target gets a fuzzer for (default: "default debug malloc");
# FUZZ_PYTHON the CPython (default 3.11.2; 3.13.5t is 3.13.5 built free-threaded, whose modes
# default to "default debug mimalloc": it has no malloc mode).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SRC=${SRC:-$(dirname "$here")}
OUT=${OUT:-$here/.build-oss-fuzz/out}
version=${FUZZ_PYTHON:-3.11.2}   # the CPython of the bundle: 3.11.2, 3.13.5 or 3.13.5t (Debian's source packages)
build_flags=()
default_modes="default debug malloc"
if [[ $version == *t ]]; then
    version=${version%t}
    build_flags=(--free-threaded)
    default_modes="default debug mimalloc"
fi
modes=(${FUZZ_MODES:-$default_modes})
mkdir -p "$OUT"
cd "$here"
. Fuzz/common.sh
targets=("${fuzz_targets[@]}")

fail() { echo "Fuzz/build.sh: $*" >&2; exit 2; }

# 1. CPython, instrumented as the fuzzers are.
if [[ -n ${CFLAGS:-} ]]; then
    WORK=${WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/pymemcheck/bundle}
    prefix=$(Fuzz/cpython/build.sh "$version" "${build_flags[@]+"${build_flags[@]}"}" --flags-from-environment \
        --home "$WORK/cpython-$version${build_flags[*]:+t}" | tail -1)
else
    variant=fuzzer
    [[ ${SANITIZER:-none} == address ]] && variant=address
    prefix=$(Fuzz/cpython/build.sh "$version" "${build_flags[@]+"${build_flags[@]}"}" --sanitizer "$variant" | tail -1)
fi
[[ -d $prefix/lib ]] || fail "Fuzz/cpython/build.sh gave no installation ('$prefix')"

# 2. The fuzzers. The image's $SWIFTFLAGS are `swift build` options (its -Xswiftc included);
# without them: the static standard library, and the sanitizer asked for.
if [[ -n ${SWIFTFLAGS:-} ]]; then
    read -r -a swiftflags <<< "$SWIFTFLAGS"
else
    swiftflags=(--static-swift-stdlib -Xswiftc -static-stdlib)
    case ${SANITIZER:-none} in
        address) swiftflags+=(-Xswiftc -sanitize=fuzzer,address) ;;   # one flag: fuzzer and address
        none|"") ;;
        *) fail "SANITIZER=$SANITIZER: here only address or none (a builder image sets SWIFTFLAGS for others)" ;;
    esac
fi
# Fuzz/common.sh's flags (--export-dynamic also lets a shared sanitizer runtime find the
# binary's own defaults, __asan_default_options). libpython's coverage reaches libFuzzer through
# the forwarder beside it, which the binary connects before the first input.
flags=("${fuzz_build_flags[@]}" --scratch-path .build-oss-fuzz/swift "${swiftflags[@]}")
# AddressSanitizer's runtime goes in as a shared library, shipped beside libpython and found
# through the fuzzer's runpath: linked statically, the static Swift standard library's
# --exclude-libs ALL would hide it from the ASan-instrumented libpython loaded at run time.
asan_runtime=
if [[ ${SANITIZER:-none} == address ]]; then
    clang=$(dirname "$(readlink -f "$(command -v swift)")")/clang
    asan_runtime=$("$clang" -print-file-name="libclang_rt.asan-$(uname -m).so")
    [[ -f $asan_runtime ]] || fail "$clang has no shared AddressSanitizer runtime ($asan_runtime)"
    flags+=(-Xswiftc -Xclang-linker -Xswiftc -shared-libsan -Xlinker -rpath -Xlinker '$ORIGIN/pymemcheck-cpython/lib')
fi

# 3. CPython beside the fuzzers: the library (with its coverage-callback stub, found through its
# $ORIGIN runpath) and the standard library without its tests, tools and GUI.
bundle=$OUT/pymemcheck-cpython
rm -rf "$bundle"
mkdir -p "$bundle/lib"
cp -P "$prefix"/lib/libpython3*.so* "$bundle/lib/"
[[ -f $prefix/lib/libpymemcheck-sancov.so ]] && cp "$prefix/lib/libpymemcheck-sancov.so" "$bundle/lib/"
[[ -z $asan_runtime ]] || cp "$asan_runtime" "$bundle/lib/"
stdlib=$(cd "$prefix/lib" && ls -d python3.*/ | head -1)
(cd "$prefix/lib" && tar -c --exclude="${stdlib}test" --exclude="${stdlib}idlelib" --exclude="${stdlib}tkinter" \
    --exclude="${stdlib}turtledemo" --exclude="${stdlib}ensurepip" --exclude="${stdlib}lib2to3" \
    --exclude="${stdlib}config-*" "$stdlib") | tar -x -C "$bundle/lib"

# 4. One binary per target, linked under one name per mode; each name with its own files.
options_for() {   # TARGET MODE: the INI a fuzzing service reads, and the fuzzer's own section
    echo "[libfuzzer]"
    sed -e 's/^-//' -e 's/=/ = /' "Fuzz/$1.options"
    # The op language asks for 4 GiB callocs on purpose (mapped lazily, never touched whole):
    # under ASan libFuzzer would call them out of memory at its default limit.
    echo "malloc_limit_mb = 2147483647"
    echo "[asan]"
    tr ':' '\n' <<< "$fuzz_asan_options" | sed 's/=/ = /'
    echo "[pymemcheck]"
    echo "mode = $2"
}
for target in "${targets[@]}"; do
    swift build "${flags[@]}" --product "$target" >&2
    binary=$(swift build "${flags[@]}" --product "$target" --show-bin-path)/$target
    rm -f "$OUT/$target-"*
    first=$OUT/$target-${modes[0]}
    cp "$binary" "$first"
    if [[ -n $asan_runtime ]]; then
        # ASan's shared runtime must be the first library loaded; the link put libstdc++ before it.
        runtime=$(basename "$asan_runtime")
        patchelf --remove-needed "$runtime" "$first" && patchelf --add-needed "$runtime" "$first" \
            || fail "patchelf could not put $runtime first in $first"
    fi
    rm -f "$OUT/${target}_seed_corpus.zip"
    (cd "Corpus/$target" && zip -q -j "$OUT/$target-${modes[0]}_seed_corpus.zip" ./*.bin)
    for mode in "${modes[@]}"; do
        name=$target-$mode
        [[ $name == "$(basename "$first")" ]] || ln -f "$first" "$OUT/$name"
        [[ $name == "$(basename "$first")" ]] || ln -f "$OUT/$target-${modes[0]}_seed_corpus.zip" "$OUT/${name}_seed_corpus.zip"
        cp Fuzz/ops.dict "$OUT/$name.dict"
        options_for "$target" "$mode" > "$OUT/$name.options"
    done
done
echo "bundle in $OUT: $(cd "$OUT" && ls | grep -E '^fuzz-[a-z]+-[a-z_]+$' | tr '\n' ' ')and pymemcheck-cpython/" >&2
