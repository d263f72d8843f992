# test/cli/compat-lib.sh: helpers of the t05NN-compat-*.sh scripts, which port the cases of
# nihilok/run's own test suite (one test per original test function, named after it) so that
# every case our specification does not deliberately change keeps passing. Sourced after
# test/lib.sh.
# shellcheck disable=SC2154 # status, out and err are set by run_cmd of test/lib.sh

# fresh: create an empty case directory and enter it (each original test had its own
# temporary directory).
fresh() {
    local d
    d=$(mktemp -d "$TEST_ROOT/case.XXXXXX") && cd "$d" || return 1
}

# has TEXT PART / hasnt TEXT PART: substring checks with a readable failure.
has() {
    case $1 in *"$2"*) return 0 ;; esac
    printf 'expected to find: %s\nin:\n%s\n' "$2" "$(printf '%s' "$1" | head -n 15)"
    return 1
}
hasnt() {
    case $1 in *"$2"*)
        printf 'expected NOT to find: %s\nin:\n%s\n' "$2" "$(printf '%s' "$1" | head -n 15)"
        return 1 ;;
    esac
    return 0
}

# failed: the last run_cmd exited non-zero (the original tests assert !success()).
failed() {
    [ "$status" != 0 ] && return 0
    printf 'expected a failure, got status 0\nstdout: %s\nstderr: %s\n' "$out" "$err"
    return 1
}

# test_skip NAME REASON: a TAP skip (counted as passed), for cases the original skips when an
# interpreter is not installed.
test_skip() {
    test_count=$((test_count + 1))
    echo "ok $test_count - $1 # SKIP $2"
}

# test_with INTERP NAME BODY: test_expect when INTERP is in PATH, else a skip.
test_with() {
    if command -v "$1" >/dev/null 2>&1; then
        test_expect "$2" "$3"
    else
        test_skip "$2" "$1 not installed"
    fi
}
