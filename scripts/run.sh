#!/usr/bin/env bash
# liqstress — the README's first command: install what is missing, build, and run the
# default scenario (configs/default.toml). Extra arguments go to `liqstress run`; the
# previous result of this command is replaced (--force).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
mkdir -p results
exec build/release/liqstress run configs/default.toml --force "$@"
