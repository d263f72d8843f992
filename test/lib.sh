# test/lib.sh: sourced by test/cli/tNNNN-*.sh (git's test-lib.sh in small).
# Each script runs in a fresh temp directory with HOME and XDG dirs inside it, so a
# developer's ~/.runfile or config never leaks in. Results are TAP lines counted by check.sh.
#
#   test_expect "name" 'commands'     ok when the commands exit 0
#   run_cmd ARGS...                   runs $RUN_BIN, sets $out, $err, $status
#   expect_eq ACTUAL EXPECTED         fails (prints a diff) when they differ
set -u
: "${RUN_BIN:?RUN_BIN must point at the run binary (make check sets it)}"
TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/run-test.XXXXXX")
export HOME="$TEST_ROOT/home" XDG_CONFIG_HOME="$TEST_ROOT/home/.config"
export XDG_DATA_HOME="$TEST_ROOT/home/.local/share"
unset RUN_SHELL RUN_NO_GLOBAL_MERGE RUN_MCP_OUTPUT_DIR RUN_RUNFILE_DIR RUN_LOG NO_COLOR
mkdir -p "$HOME" "$TEST_ROOT/work"
cd "$TEST_ROOT/work" || exit 1
test_count=0
test_failed=0
trap 'rm -rf "$TEST_ROOT"' EXIT

test_expect() {
    local name=$1 body=$2 rc
    test_count=$((test_count + 1))
    (eval "$body") >"$TEST_ROOT/.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        echo "ok $test_count - $name"
    else
        echo "not ok $test_count - $name"
        sed 's/^/#   /' "$TEST_ROOT/.log"
        test_failed=$((test_failed + 1))
    fi
}

# run_cmd ARGS...: run the binary; capture stdout, stderr and the status.
run_cmd() {
    "$RUN_BIN" "$@" >"$TEST_ROOT/.out" 2>"$TEST_ROOT/.err" </dev/null
    status=$?
    out=$(cat "$TEST_ROOT/.out")
    err=$(cat "$TEST_ROOT/.err")
}

expect_eq() {
    if [ "$1" != "$2" ]; then
        echo "expected:"; printf '%s\n' "$2" | sed 's/^/  | /'
        echo "actual:"; printf '%s\n' "$1" | sed 's/^/  | /'
        return 1
    fi
}

expect_status() {
    if [ "$status" != "$1" ]; then
        echo "expected status $1, got $status"
        echo "stdout: $out"; echo "stderr: $err"
        return 1
    fi
}

test_done() {
    echo "1..$test_count"
    [ "$test_failed" -eq 0 ]
}
