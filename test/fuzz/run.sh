#!/usr/bin/env bash
# make fuzz: build every libFuzzer harness (test/fuzz/fuzz_*.c) with clang and
# ASan+UBSan, run each for FUZZ_TIME seconds on a copy of its seed corpus, and fail on any
# crash, leak or timeout. New corpus entries go to build/fuzz/corpus-<name>/ (not committed).
#
# Seeds: test/fuzz/seeds-<name>/; the runfile harness also gets every Runfile of runfiles/ and
# test/runfile/ (the golden cases). Dictionary: test/fuzz/<name>.dict.
#
# Usage: test/fuzz/run.sh SECONDS [NAME...]     (NAME: runfile, jsonrpc, args; default all)
#        FUZZ_BUILD_ONLY=1 test/fuzz/run.sh 0  builds the harnesses and seed dirs, runs nothing
set -u
cd "$(dirname "$0")/../.." || exit 1
time=${1:-60}
shift || true
command -v clang >/dev/null || { echo "fuzz: clang is needed (apt-get install clang)" >&2; exit 1; }
probe=$(mktemp)
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){(void)d;(void)n;return 0;}' |
    clang -x c -fsanitize=fuzzer - -o "$probe" 2>/dev/null; then
    rm -f "$probe"
    echo "fuzz: libFuzzer missing (apt-get install libclang-rt-14-dev)" >&2
    exit 1
fi
rm -f "$probe"
build=build/fuzz
make --no-print-directory BUILD=$build CC=clang SAN=address,undefined \
    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" $build/librun.a || exit 1
read -ra libs <<<"$(pkg-config --libs libuv jansson libpcre2-8 yaml-0.1)"

# The runfile harness starts from every sample and golden Runfile (flattened: names collide).
extra_seeds=$build/seeds-runfile-extra
rm -rf "$extra_seeds" && mkdir -p "$extra_seeds"
while IFS= read -r f; do
    cp "$f" "$extra_seeds/$(echo "${f#./}" | tr '/' '_')"
done < <(find runfiles test/runfile -type f \
    \( -name Runfile -o -name '*.run' -o -name '*.runfile' -o -path 'runfiles/*' \) \
    ! -name 'expected*' | sort)

if [ $# -gt 0 ]; then
    srcs=()
    for n in "$@"; do srcs+=("test/fuzz/fuzz_$n.c"); done
else
    srcs=(test/fuzz/fuzz_*.c)
fi
status=0
for src in "${srcs[@]}"; do
    name=$(basename "$src" .c)
    bin=$build/$name
    clang -std=c17 -O1 -g -Wall -Wextra -Werror=implicit-function-declaration -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
        -DPCRE2_CODE_UNIT_WIDTH=8 -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=all "$src" $build/librun.a "${libs[@]}" -o "$bin" || exit 1
    [ -n "${FUZZ_BUILD_ONLY:-}" ] && continue
    corpus=$build/corpus-$name
    mkdir -p "$corpus"
    dirs=()
    seeds=test/fuzz/seeds-${name#fuzz_}
    [ -d "$seeds" ] && dirs+=("$seeds")
    [ "$name" = fuzz_runfile ] && dirs+=("$extra_seeds")
    dict=test/fuzz/${name#fuzz_}.dict
    extra=()
    [ -f "$dict" ] && extra+=("-dict=$dict")
    echo "fuzz: $name for ${time}s"
    if ! "$bin" "$corpus" "${dirs[@]}" "${extra[@]}" \
        -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$build/$name-" -print_final_stats=1 >"$build/$name.log" 2>&1; then
        echo "fuzz: $name FAILED; see $build/$name.log and $build/$name-*"
        tail -n 30 "$build/$name.log"
        status=1
    else
        grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)' \
            "$build/$name.log"
        grep -E '^#[0-9]+.*cov:' "$build/$name.log" | tail -n 1
        echo "corpus: $(find "$corpus" -type f | wc -l) files"
    fi
done
exit $status
