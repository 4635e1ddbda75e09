#!/bin/bash -eu
# The image's $SWIFTFLAGS for $SANITIZER (static Swift standard library), then the bundle:
# CPython built with $CC/$CFLAGS into $WORK, each fuzzer and that CPython into $OUT.
. precompile_swift
"$SRC/pymemcheck/Fuzz/build.sh"
