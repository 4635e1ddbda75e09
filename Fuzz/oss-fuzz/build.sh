#!/bin/bash -eu
# OSS-Fuzz entry: the project's own Fuzz/build.sh does the work.
"$SRC/pymemcheck/Fuzz/build.sh"
