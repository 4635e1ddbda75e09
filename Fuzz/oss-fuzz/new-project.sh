#!/usr/bin/env bash
# Writes projects/pymemcheck/ into an oss-fuzz checkout: project.yaml from this folder, and the
# Dockerfile and build.sh of .clusterfuzzlite/ (the Dockerfile cloning the repository instead of
# copying it), with the project's own addresses filled in — homepage and main_repo from this
# repository's `origin` remote, primary_contact from git's user.email (or the CONTACT given) —
# so that no address is made up.
#
#   Fuzz/oss-fuzz/new-project.sh OSS_FUZZ_CHECKOUT [CONTACT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "new-project.sh: $*" >&2; exit 2; }
checkout=${1:-}
[[ -d $checkout/projects ]] || fail "give an oss-fuzz checkout (a folder with projects/): git clone https://github.com/google/oss-fuzz"
repo=$(git -C "$here" remote get-url origin 2>/dev/null) \
    || fail "this repository has no 'origin' remote: add the public address OSS-Fuzz clones (git remote add origin URL)"
[[ $repo == https://* ]] || fail "origin is '$repo'; OSS-Fuzz clones over https: set origin to the https address"
contact=${2:-$(git -C "$here" config user.email || true)}
[[ $contact == *@*.* ]] || fail "no contact address: pass one (the maintainer who receives the reports) or set git's user.email"
project=$checkout/projects/pymemcheck
mkdir -p "$project"
{
    echo "homepage: \"${repo%.git}\""
    echo "main_repo: \"$repo\""
    echo "primary_contact: \"$contact\""
    grep -v '^#' "$here/project.yaml"
} > "$project/project.yaml"
cfl=$here/../../.clusterfuzzlite
sed -e "s|^COPY \. \$SRC/pymemcheck\$|RUN git clone --depth 1 $repo \$SRC/pymemcheck|" \
    -e 's|^COPY \.clusterfuzzlite/build\.sh |COPY build.sh |' "$cfl/Dockerfile" > "$project/Dockerfile"
grep -q "^RUN git clone" "$project/Dockerfile" && grep -q "^COPY build.sh " "$project/Dockerfile" \
    || fail "$cfl/Dockerfile no longer has the COPY lines this script rewrites; update it"
cp "$cfl/build.sh" "$project/build.sh"
echo "wrote $project (project.yaml, Dockerfile, build.sh)"
