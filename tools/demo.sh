#!/usr/bin/env bash
# make demo: show run on the bundled sample Runfile (runfiles/demo/Runfile).
set -u
run=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../runfiles/demo" || exit 1
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
step "$run" --version
step "$run" --list
