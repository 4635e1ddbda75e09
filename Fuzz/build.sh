#!/usr/bin/env bash
# Builds the fuzz targets the way OSS-Fuzz and ClusterFuzzLite build Swift projects: from $SRC
# into $OUT, each fuzzer with its seed corpus zip, dictionary and .options file beside it.
#
#   SRC=/src OUT=/out Fuzz/build.sh        (in the builder image; see Fuzz/oss-fuzz/)
#   OUT=.build-fuzz/out Fuzz/build.sh      (locally)
#
# $SANITIZER (address, undefined, coverage or none) and $SWIFTFLAGS are honoured as in the
# base-builder-swift image. The fuzzers load CPython at run time: the runner must have a
# libpython (the Dockerfile installs Debian's) and PYMEMCHECK_PYTHON may point to it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SRC=${SRC:-$(dirname "$here")}
OUT=${OUT:?"set OUT to the folder the fuzzers go to"}
mkdir -p "$OUT"
cd "$here"

flags=(-c release --sanitize=fuzzer -Xswiftc -DLIBFUZZER --scratch-path .build-oss-fuzz)
case ${SANITIZER:-none} in
    address) flags+=(-Xswiftc -sanitize=fuzzer,address) ;;   # one flag: fuzzer and address together
    undefined) flags+=(-Xswiftc -sanitize=fuzzer,undefined) ;;
    coverage) flags+=(-Xswiftc -profile-generate -Xswiftc -profile-coverage-mapping) ;;
    none|"") ;;
    *) echo "unsupported SANITIZER=$SANITIZER (address, undefined, coverage, none)" >&2; exit 2 ;;
esac
for flag in ${SWIFTFLAGS:-}; do flags+=(-Xswiftc "$flag"); done

for target in fuzz-sequences fuzz-violations fuzz-faults; do
    swift build "${flags[@]}" --product "$target"
    cp ".build-oss-fuzz/release/$target" "$OUT/$target"
    cp "Fuzz/$target.dict" "$OUT/$target.dict"
    # OSS-Fuzz reads options as INI; Fuzz/*.options holds one -flag=value per line.
    { echo "[libfuzzer]"; sed -e 's/^-//' -e 's/=/ = /' "Fuzz/$target.options"; } > "$OUT/$target.options"
    rm -f "$OUT/${target}_seed_corpus.zip"
    (cd "Corpus/$target" && zip -q -j "$OUT/${target}_seed_corpus.zip" ./*.bin)
done
echo "fuzzers in $OUT: $(ls "$OUT" | tr '\n' ' ')"
