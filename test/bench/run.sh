#!/usr/bin/env bash
# make bench: run the benchmark suite and print its table (see test/bench/bench.mjs).
# Never part of `make check`; never asserts times. BENCH_QUICK=1 gives a fast smoke run.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)

command -v node >/dev/null || { echo "bench: node is needed (make deps)" >&2; exit 1; }
for bin in genrunfile spawnbench floor_list floor_inspect floor_mcp ideal_run; do
    [ -x "$build/bench/$bin" ] || { echo "bench: $build/bench/$bin is missing (make bench builds it)" >&2; exit 1; }
done
command -v valgrind >/dev/null || echo "bench: valgrind not found; instruction counts are left out" >&2

exec node "$here/bench.mjs" "$build"
