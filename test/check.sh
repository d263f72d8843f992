#!/usr/bin/env bash
# Run every test suite and print one summary line: "check: N passed, M failed".
# Usage: test/check.sh BUILD_DIR   (the binary is BUILD_DIR/run, unit tests BUILD_DIR/test/*)
# Suites: unit (cmocka, TAP), runfile goldens, CLI scripts, MCP (node --test). Each runs under
# `timeout`; a suite that dies without reporting counts as one failure.
set -u
cd "$(dirname "$0")/.." || exit 1
build=$(cd "${1:-build}" && pwd) || exit 1
export RUN_BIN="$build/run"
export RUN_BUILD="$build"
logdir="$build/test-logs"
rm -rf "$logdir"; mkdir -p "$logdir"
pass=0 fail=0

# count_tap NAME LOG RC: add the TAP results of one run to the totals.
count_tap() {
    local name=$1 log=$2 rc=$3 p f
    p=$(grep -cE '^ok ' "$log")
    f=$(grep -cE '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "not ok - $name exited with status $rc" >>"$log"
    fi
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -gt 0 ]; then
        printf '  %-34s %3d passed, %d FAILED (log: %s)\n' "$name" "$p" "$f" "${log#"$PWD"/}"
        grep -E '^not ok ' "$log" | head -n 20 | sed 's/^/      /'
    else
        printf '  %-34s %3d passed\n' "$name" "$p"
    fi
}

echo "unit tests:"
for t in "$build"/test/test_*; do
    [ -x "$t" ] || continue
    case $t in *.d) continue ;; esac
    n=$(basename "$t")
    CMOCKA_MESSAGE_OUTPUT=TAP timeout 120 "$t" >"$logdir/$n.log" 2>&1
    count_tap "$n" "$logdir/$n.log" $?
done

if [ -x test/runfile/run-goldens.sh ]; then
    echo "runfile goldens:"
    timeout 300 test/runfile/run-goldens.sh >"$logdir/goldens.log" 2>&1
    count_tap goldens "$logdir/goldens.log" $?
fi

echo "cli tests:"
for t in test/cli/t[0-9]*.sh; do
    [ -f "$t" ] || continue
    n=$(basename "$t" .sh)
    timeout 300 bash "$t" >"$logdir/$n.log" 2>&1
    count_tap "$n" "$logdir/$n.log" $?
done

if ls test/mcp/*.test.mjs >/dev/null 2>&1; then
    echo "mcp tests:"
    (cd test/mcp && timeout 600 node --test --test-reporter=tap --test-concurrency=2 --test-timeout=120000 \
        ./*.test.mjs) >"$logdir/mcp.log" 2>&1
    rc=$?
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$logdir/mcp.log" | tail -n 1)
    f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$logdir/mcp.log" | tail -n 1)
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -gt 0 ]; then
        printf '  %-34s %3d passed, %d FAILED (log: %s)\n' mcp "$p" "$f" "${logdir#"$PWD"/}/mcp.log"
        grep -E '^ *not ok ' "$logdir/mcp.log" | head -n 20 | sed 's/^/      /'
    else
        printf '  %-34s %3d passed\n' mcp "$p"
    fi
fi

echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
