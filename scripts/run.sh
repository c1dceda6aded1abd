#!/usr/bin/env bash
# liqstress — the README's first command: install what running needs (scripts/setup.sh run),
# build the binary, and run the default scenario (configs/default.toml). Extra arguments go
# to `liqstress run`; the previous result of this command is replaced (--force).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
# A fresh build tree is configured without the tests, whose packages `setup.sh run` does not
# install; a tree that scripts/test.sh configured keeps its tests (their packages are there).
# MPI is linked when Open MPI is installed (AUTO), as `setup.sh test` installs it.
options=(-DLIQ_MPI=AUTO)
if ! grep -qs '^LIQ_TESTS:BOOL=ON$' build/release/CMakeCache.txt; then
  options+=(-DLIQ_TESTS=OFF)
fi
scripts/build.sh release "${options[@]}"
mkdir -p results
exec build/release/liqstress run configs/default.toml --force "$@"
