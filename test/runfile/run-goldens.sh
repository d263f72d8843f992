#!/usr/bin/env bash
# Golden cases of the Runfile reader (spec/runfile.md). Prints one TAP line per case.
#
#   valid/<case>/Runfile + expected.list   stdout of `run --runfile Runfile --list`, exit 0;
#                          expected.err    its stderr (warnings); absent = stderr must be empty
#                          expected.json   (optional) stdout of `run --runfile Runfile --inspect`
#   invalid/<case>/Runfile + expected.err  exact stderr of `run --runfile Runfile --list`, exit 1
#
# Each case runs from inside its directory (so labels read `Runfile`, `lib/x.run`) with a
# private empty HOME. UPDATE=1 rewrites the expected files from the actual output.
set -u
: "${RUN_BIN:?RUN_BIN must point at the run binary}"
cd "$(dirname "$0")" || exit 1
here=$PWD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-goldens.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home"
n=0 failed=0

# run_case DIR ARGS...: run the binary in DIR; sets out, err, status.
run_case() {
    local dir=$1
    shift
    (cd "$dir" && env -u RUN_NO_GLOBAL_MERGE -u RUN_RUNFILE_DIR -u NO_COLOR HOME="$tmp/home" \
        "$RUN_BIN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null)
    status=$?
}

# check NAME FILE EXPECTED: compare the captured FILE with EXPECTED (or rewrite it).
check() {
    local actual=$1 expected=$2
    if [ "${UPDATE:-}" = 1 ]; then
        if [ -s "$actual" ] || [ -e "$expected" ]; then cp "$actual" "$expected"; fi
        return 0
    fi
    if [ -e "$expected" ]; then
        diff -u "$expected" "$actual" >"$tmp/diff" && return 0
    elif [ ! -s "$actual" ]; then
        return 0
    else
        { echo "unexpected output:"; cat "$actual"; } >"$tmp/diff"
    fi
    return 1
}

report() {
    local ok=$1 name=$2
    n=$((n + 1))
    if [ "$ok" = 1 ]; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        sed 's/^/#   /' "$tmp/diff"
        failed=$((failed + 1))
    fi
}

for d in "$here"/valid/*/; do
    [ -f "$d/Runfile" ] || continue
    name=valid/$(basename "$d")
    run_case "$d" --runfile Runfile --list
    ok=1
    if [ "$status" -ne 0 ] && [ "${UPDATE:-}" != 1 ]; then
        { echo "exit status $status"; cat "$tmp/err"; } >"$tmp/diff"
        ok=0
    fi
    [ $ok = 1 ] && { check "$tmp/out" "$d/expected.list" || ok=0; }
    [ $ok = 1 ] && { check "$tmp/err" "$d/expected.err" || ok=0; }
    if [ $ok = 1 ] && [ -e "$d/expected.json" ]; then
        run_case "$d" --runfile Runfile --inspect
        check "$tmp/out" "$d/expected.json" || ok=0
    fi
    report $ok "$name"
done

for d in "$here"/invalid/*/; do
    [ -f "$d/Runfile" ] || continue
    name=invalid/$(basename "$d")
    run_case "$d" --runfile Runfile --list
    ok=1
    if [ "$status" -ne 1 ] && [ "${UPDATE:-}" != 1 ]; then
        { echo "exit status $status (expected 1)"; cat "$tmp/err"; } >"$tmp/diff"
        ok=0
    fi
    [ $ok = 1 ] && { check "$tmp/err" "$d/expected.err" || ok=0; }
    if [ $ok = 1 ] && [ -s "$tmp/out" ] && [ "${UPDATE:-}" != 1 ]; then
        { echo "stdout should be empty:"; cat "$tmp/out"; } >"$tmp/diff"
        ok=0
    fi
    report $ok "$name"
done

echo "1..$n"
[ "$failed" -eq 0 ]
