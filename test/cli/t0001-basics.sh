#!/usr/bin/env bash
# Basics of the command line: version, help, usage errors.
. "$(dirname "$0")/../lib.sh"

test_expect "--version prints 'run X.Y.Z'" '
    run_cmd --version && expect_status 0 &&
    [[ "$out" =~ ^run\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
'
test_expect "-V is --version" '
    run_cmd -V && expect_status 0 && [[ "$out" =~ ^run\ [0-9] ]]
'
test_expect "--help names the options, exits 0" '
    run_cmd --help; expect_status 0 &&
    for o in --list --inspect --serve-mcp --show-script --output-format --runfile \
             --working-dir --no-prelude --generate-completion --install-completion; do
        grep -q -- "$o" <<<"$out" || { echo "missing $o"; exit 1; }
    done &&
    grep -q "man run" <<<"$out"
'
test_expect "unknown option is a usage error with a hint" '
    run_cmd --bogus; expect_status 2 &&
    expect_eq "$err" "error: unknown option '\''--bogus'\''
Try '\''run --help'\'' for more information."
'
test_expect "an option without its value" '
    run_cmd --runfile; expect_status 2 &&
    grep -q "^error: option '\''--runfile'\'' needs a value$" <<<"$err"
'
test_expect "a bad --output-format value" '
    run_cmd --output-format xml x; expect_status 2 &&
    grep -q "^error: invalid value '\''xml'\'' for '\''--output-format'\''" <<<"$err"
'
test_expect "--show-script alone is a usage error" '
    run_cmd --show-script; expect_status 2 &&
    grep -q "^error: --show-script needs a function name$" <<<"$err"
'
test_expect "usage errors print nothing on stdout" '
    run_cmd --bogus; [ -z "$out" ]
'
test_done
