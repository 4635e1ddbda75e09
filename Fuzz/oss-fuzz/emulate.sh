#!/usr/bin/env bash
# Runs Fuzz/build.sh in the environment the OSS-Fuzz / ClusterFuzzLite Swift builder gives it,
# without the image: $CC, $CFLAGS and $CXXFLAGS as base-builder's `compile` sets them for
# SANITIZER (address or undefined; libFuzzer), and $SWIFTFLAGS as base-builder-swift's
# `precompile_swift` does. The compilers are the Swift toolchain's.
#
#   Fuzz/oss-fuzz/emulate.sh [address|undefined] [OUT]     (default: address, .build-oss-fuzz/out-SANITIZER)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
export SANITIZER=${1:-address}
export OUT=${2:-$here/.build-oss-fuzz/out-$SANITIZER}
export SRC=$(dirname "$here") WORK=${WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/pymemcheck/bundle-$SANITIZER}
bin=$(dirname "$(readlink -f "$(command -v swift)")")
export CC=$bin/clang CXX=$bin/clang++
base="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
case $SANITIZER in
    address) sanitizer_flags="-fsanitize=address -fsanitize-address-use-after-scope" ;;
    undefined)
        checks=array-bounds,bool,builtin,enum,function,integer-divide-by-zero,null,object-size,return
        checks=$checks,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
        sanitizer_flags="-fsanitize=$checks,unsigned-integer-overflow -fno-sanitize-recover=$checks" ;;
    *) echo "emulate.sh: SANITIZER is address or undefined, not '$SANITIZER'" >&2; exit 2 ;;
esac
export CFLAGS="$base $sanitizer_flags -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
[[ $SANITIZER == undefined ]] && CFLAGS="$CFLAGS -fno-sanitize=function"
SWIFTFLAGS="-Xswiftc -parse-as-library -Xswiftc -static-stdlib --static-swift-stdlib"
SWIFTFLAGS="$SWIFTFLAGS -Xswiftc -sanitize=fuzzer,$SANITIZER --sanitize=$SANITIZER"
for flag in $CFLAGS; do SWIFTFLAGS="$SWIFTFLAGS -Xcc=$flag"; done
for flag in $CXXFLAGS; do SWIFTFLAGS="$SWIFTFLAGS -Xcxx=$flag"; done
export SWIFTFLAGS
exec "$here/Fuzz/build.sh"
