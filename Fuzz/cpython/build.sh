#!/usr/bin/env bash
# Builds CPython from Debian's source package as a shared library instrumented for fuzzing or
# coverage, with the Swift toolchain's clang, and prints the install prefix on its last line.
#
#   Fuzz/cpython/build.sh VERSION [--free-threaded] [--sanitizer fuzzer|address|coverage|none]
#   Fuzz/cpython/build.sh VERSION --flags-from-environment --home DIR
#   Fuzz/cpython/build.sh VERSION --fetch-only
#
# VERSION is 3.11.2 (bookworm's python3.11) or 3.13.5 (trixie's python3.13). The source comes
# only through `apt-get source` with a deb-src entry in a private apt configuration under the
# cache folder (the system's apt configuration is read for its mirror, never written), and
# `dpkg-source -x` unpacks it with Debian's patches applied: the same tree Debian builds its
# libpython from, so a finding is one in the CPython people run. Variants:
#   fuzzer    -fsanitize=fuzzer-no-link              -> target id VERSION-fuzz
#   address   the same plus AddressSanitizer         -> target id VERSION-asan
#   coverage  -fprofile-instr-generate -fcoverage-mapping (continuous)  -> target id VERSION-cov
#   none      an ordinary optimised build (-O2, as Debian builds it)   -> target id VERSION
# --free-threaded configures with --disable-gil (3.13 and later): the id gains CPython's ABI flag,
# VERSIONt, VERSIONt-fuzz, ... and with it alone the variant is none (the build people run).
# Builds go to ${XDG_CACHE_HOME:-~/.cache}/pymemcheck/cpython/ID (src/ is the build tree, prefix/
# the installation) and are reused once built. `pymemcheck targets` lists them by ID.
# --flags-from-environment builds with $CC and $CFLAGS exactly as a fuzzing service's builder
# sets them (sanitizer and coverage flags included; LDFLAGS gets them too) into DIR, which no
# discovery looks at: Fuzz/build.sh ships it in its bundle. It is rebuilt when the flags change.
# --fetch-only downloads the source package and stops (a builder image's Dockerfile does this,
# so that its build step needs no network). The mirror is the system's on Debian, else
# $PYMEMCHECK_DEBIAN_MIRROR or Debian's own redirector; the keys are debian-archive-keyring's.
set -euo pipefail

fail() { echo "Fuzz/cpython/build.sh: $*" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

version=${1:-}
variant=fuzzer
home=
fetch_only=0
free_threaded=0
variant_given=0
shift || true
while [[ $# -gt 0 ]]; do
    case $1 in
        --sanitizer) variant=${2:-}; variant_given=1; shift 2 || shift ;;
        --sanitizer=*) variant=${1#*=}; variant_given=1; shift ;;
        --free-threaded) free_threaded=1; shift ;;
        --flags-from-environment) variant=environment; shift ;;
        --fetch-only) fetch_only=1; shift ;;
        --home) home=${2:-}; shift 2 || shift ;;
        *) fail "unknown argument '$1'; usage: $0 3.11.2|3.13.5 [--free-threaded] [--sanitizer fuzzer|address|coverage|none]" ;;
    esac
done
case $version in
    3.11.2) package=python3.11; suite=bookworm ;;
    3.13.5) package=python3.13; suite=trixie ;;
    *) fail "give a version Debian ships as a source package: 3.11.2 (bookworm) or 3.13.5 (trixie)" ;;
esac
abiflag=
if [[ $free_threaded == 1 ]]; then
    [[ $version != 3.11.* ]] || fail "--free-threaded needs 3.13 or later (configure --disable-gil); build 3.13.5"
    abiflag=t
    [[ $variant_given == 1 ]] || variant=none
fi
case $variant in
    fuzzer) suffix=fuzz; cflags="-fsanitize=fuzzer-no-link"; ldflags=$cflags; extra=() ;;
    # CPython's own switch adds -fsanitize=address and exempts pymalloc's arena reads from ASan.
    address) suffix=asan; cflags="-fsanitize=fuzzer-no-link"; ldflags=$cflags; extra=(--with-address-sanitizer) ;;
    # Continuous mode: counters live in the mmapped profile file, so a child that aborts (every
    # fatal report of the debug hooks) keeps its counts. Without LLVM_PROFILE_FILE (which must then
    # hold %c) profiles go to profiles/ of the build, merged online into a pool of four files per
    # module (%4m): bounded however many processes run (a file per process filled hundreds of MB
    # per `check --all`), and no two modules (libpython, an extension) map one file (SIGBUS).
    coverage) suffix=cov; cflags=; ldflags=; extra=() ;;   # set below, once the build's folder is known
    none) suffix=; cflags=; ldflags=; extra=() ;;
    environment)
        [[ -n ${CFLAGS:-} ]] || fail "--flags-from-environment: set CFLAGS (and CC) as the builder image does"
        suffix=env; cflags=$CFLAGS
        # The sanitizer runtimes and -fsanitize=fuzzer-no-link's libFuzzer come in at link time.
        ldflags="$cflags ${LDFLAGS:-}"; extra=()
        [[ -n $home ]] || fail "--flags-from-environment needs --home DIR (the bundle's build folder)" ;;
    *) fail "--sanitizer takes fuzzer, address, coverage or none, not '$variant'" ;;
esac
[[ $free_threaded == 0 ]] || extra+=(--disable-gil)

cache=${XDG_CACHE_HOME:-$HOME/.cache}/pymemcheck/cpython
[[ -n $home ]] || home=$cache/$version$abiflag${suffix:+-$suffix}
if [[ $variant == coverage ]]; then
    profiles="-fprofile-instr-generate=$home/profiles/%4m.profraw -fprofile-continuous"
    cflags="$profiles -fcoverage-mapping"; ldflags=$profiles
fi
prefix=$home/prefix
stamp=$prefix/.pymemcheck-built
swift=$(command -v swift) || fail "put the Swift toolchain's bin folder on PATH (its clang builds CPython)"
bin=$(dirname "$(readlink -f "$swift")")
[[ -x $bin/clang ]] || fail "no clang next to $swift; install a Swift toolchain that ships clang"
compiler=$bin/clang
# What the build was made with, first line of its stamp: a build made otherwise is not reused.
if [[ $variant == environment ]]; then
    compiler=${CC:-$compiler}
    recipe="$version$abiflag $variant $compiler $cflags"
elif [[ $variant == none ]]; then
    cflags="-O2 -g"
    recipe="$version$abiflag $variant"
else
    cflags="$cflags -O1 -g"
    recipe="$version$abiflag $variant"
fi

# A libpython built with -fsanitize=fuzzer-no-link calls libFuzzer's coverage callbacks, which
# only a fuzz binary has. libpymemcheck-sancov.so (sancov-forwarder.c) becomes a dependency of
# libpython (found beside it through $ORIGIN), and rename-sancov.py points the references of
# libpython and its extension modules at it: it does nothing until a fuzz binary connects
# libFuzzer's callbacks, so pymemcheck itself loads that libpython too, and a fuzz binary gets its
# edges however it was linked. Rebuilt when its source changes.
callbacks() {
    local lib=$prefix/lib library source=$here/sancov-forwarder.c
    library=$(ls "$lib"/libpython3.*.so.1.0)
    if ! cmp -s "$source" "$lib/.sancov-forwarder.c"; then
        "$bin/clang" -shared -fPIC -O2 -Wl,-soname,libpymemcheck-sancov.so \
            -I "$here/../../Sources/SanitizerCoverage/include" -o "$lib/libpymemcheck-sancov.so" "$source" \
            || fail "could not build $lib/libpymemcheck-sancov.so; delete $home and run again"
        cp "$source" "$lib/.sancov-forwarder.c"
    fi
    command -v patchelf >/dev/null || apt-get install -y --no-install-recommends patchelf >&2 \
        || fail "install patchelf (apt-get install patchelf) and run again"
    python3 "$here/rename-sancov.py" "$lib/libpymemcheck-sancov.so" "$library" "$lib"/python3.*/lib-dynload/*.so \
        || fail "could not point $library at libpymemcheck-sancov.so; delete $home and run again"
    patchelf --print-needed "$library" | grep -qx libpymemcheck-sancov.so && return 0
    # Two calls, the runpath first: patchelf 0.14 given both at once (or the other way round)
    # writes one string over the other.
    patchelf --set-rpath '$ORIGIN' "$library" && patchelf --add-needed libpymemcheck-sancov.so "$library" \
        || fail "patchelf could not edit $library; delete $home and run again"
}

if [[ $fetch_only == 0 && -f $stamp && $(head -1 "$stamp") != "$recipe" ]]; then
    echo "rebuilding $home: it was built with other flags" >&2
    rm -f "$stamp"
fi
if [[ -f $stamp && $fetch_only == 0 ]]; then
    echo "reusing $home (delete it to rebuild)" >&2
    [[ $cflags != *fuzzer-no-link* ]] || callbacks
    echo "$prefix"
    exit 0
fi

# dpkg-source unpacks and patches the source package; the script installs it when missing.
if ! command -v dpkg-source >/dev/null; then
    echo "installing dpkg-dev (dpkg-source)" >&2
    apt-get install -y --no-install-recommends dpkg-dev >&2 \
        || fail "install dpkg-dev (apt-get install dpkg-dev) and run again"
fi

# A private apt configuration: its own sources, lists and cache; the mirror is the system's.
apt_home=$cache/apt
mirror=${PYMEMCHECK_DEBIAN_MIRROR:-}
if [[ -z $mirror ]] && grep -qx 'ID=debian' /etc/os-release 2>/dev/null; then
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -1)
    [[ -n $mirror ]] \
        || mirror=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
fi
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p "$apt_home/lists/partial" "$apt_home/cache/archives/partial" "$apt_home/preferences.d" "$cache/sources"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -f $keyring ]] || fail "no $keyring: install debian-archive-keyring and run again"
{
    echo "deb-src [signed-by=$keyring] $mirror bookworm main"
    echo "deb-src [signed-by=$keyring] $mirror trixie main"
} > "$apt_home/sources.list"
apt=(apt-get -q -o "Dir::Etc::SourceList=$apt_home/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$apt_home/lists" -o "Dir::Cache=$apt_home/cache"
     -o Dir::Etc::Preferences=/dev/null -o "Dir::Etc::PreferencesParts=$apt_home/preferences.d")

dsc=$(ls "$cache/sources/${package}_${version}"-*.dsc 2>/dev/null | head -1 || true)
if [[ -z $dsc ]]; then
    echo "fetching the source package $package/$suite" >&2
    "${apt[@]}" update > "$apt_home/update.log" 2>&1 || fail "apt-get update failed; read $apt_home/update.log"
    (cd "$cache/sources" && "${apt[@]}" source --download-only "$package/$suite" > "$apt_home/source.log" 2>&1) \
        || fail "apt-get source $package/$suite failed; read $apt_home/source.log"
    dsc=$(ls "$cache/sources/${package}_${version}"-*.dsc 2>/dev/null | head -1 || true)
    [[ -n $dsc ]] || fail "$suite's $package is not $version now; build the one it has: $(ls "$cache/sources"/*.dsc)"
fi
if [[ $fetch_only == 1 ]]; then
    echo "$dsc"
    exit 0
fi

rm -rf "$home"
mkdir -p "$home"
echo "unpacking $(basename "$dsc") into $home/src" >&2
dpkg-source --no-check -x "$dsc" "$home/src" > "$home/unpack.log" 2>&1 \
    || fail "dpkg-source -x $dsc failed; delete $cache/sources and run again"

cd "$home/src"
started=$(date +%s)
export CC=$compiler CXX=${CXX:-$bin/clang++}
# An ASan interpreter runs during the build (freezing modules); leaks at its exit are CPython's.
export ASAN_OPTIONS=detect_leaks=0
# --with-ensurepip=no: Debian's patches turn ensurepip into a message and a failure, which would
# fail `make install` at its very end.
./configure --enable-shared --prefix="$prefix" --with-ensurepip=no ${extra[@]+"${extra[@]}"} \
    CFLAGS="$cflags" LDFLAGS="$ldflags" > "$home/configure.log" 2>&1 \
    || fail "configure failed; read $home/configure.log (config.log beside it) and install what it asks for"
# The profile of the build's own interpreter runs goes nowhere near the measured ones.
export LLVM_PROFILE_FILE=$home/build/%p-%m%c.profraw
# LDFLAGS again for make: 3.13's Makefile takes them from make's command line or environment only
# (its CONFIGURE_LDFLAGS stay empty), and links _freeze_module with them.
make -j"$(nproc)" LDFLAGS="$ldflags" > "$home/make.log" 2>&1 || fail "make failed; read $home/make.log"
make install LDFLAGS="$ldflags" > "$home/install.log" 2>&1 || fail "make install failed; read $home/install.log"
rm -rf "$home/build"
[[ $cflags != *fuzzer-no-link* ]] || callbacks
{ echo "$recipe"; echo "built $(date -u +%FT%TZ) in $(( $(date +%s) - started )) s"; } > "$stamp"
echo "built $package $version ($variant) in $(( $(date +%s) - started )) s" >&2
echo "$prefix"
