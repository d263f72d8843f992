#!/usr/bin/env bash
# make fuzz: build every libFuzzer harness (test/fuzz/fuzz_*.c) with clang and
# ASan+UBSan, run each for FUZZ_TIME seconds on a copy of its seed corpus, and fail on any
# crash, leak or timeout. New corpus entries go to build/fuzz/corpus-<name>/ (not committed).
# Usage: test/fuzz/run.sh SECONDS
set -u
cd "$(dirname "$0")/../.." || exit 1
time=${1:-60}
command -v clang >/dev/null || { echo "fuzz: clang is needed (apt-get install clang)" >&2; exit 1; }
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){(void)d;(void)n;return 0;}' |
    clang -x c -fsanitize=fuzzer - -o /tmp/run-fuzz-probe 2>/dev/null; then
    echo "fuzz: libFuzzer missing (apt-get install libclang-rt-14-dev)" >&2
    exit 1
fi
build=build/fuzz
make --no-print-directory BUILD=$build CC=clang SAN=address,undefined \
    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" $build/librun.a || exit 1
read -r -a libs <<<"$(pkg-config --libs libuv jansson libpcre2-8 yaml-0.1)"
status=0
for src in test/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    bin=$build/$name
    clang -std=c17 -O1 -g -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
        -DPCRE2_CODE_UNIT_WIDTH=8 -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=all "$src" "$build/librun.a" "${libs[@]}" -o "$bin" || exit 1
    corpus=$build/corpus-$name
    mkdir -p "$corpus"
    seeds=test/fuzz/seeds-${name#fuzz_}
    dict=test/fuzz/${name#fuzz_}.dict
    extra=()
    [ -d "$seeds" ] && extra+=("$seeds")
    [ -f "$dict" ] && extra+=("-dict=$dict")
    echo "fuzz: $name for ${time}s"
    if ! "$bin" "$corpus" "${extra[@]}" \
        -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$build/$name-" -print_final_stats=1 >"$build/$name.log" 2>&1; then
        echo "fuzz: $name FAILED; see $build/$name.log and $build/$name-*"
        tail -n 30 "$build/$name.log"
        status=1
    else
        grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|cov:' "$build/$name.log" |
            tail -n 3
    fi
done
exit $status
