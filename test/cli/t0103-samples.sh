#!/usr/bin/env bash
# The sample Runfiles in runfiles/ must stay valid: they load without any diagnostic.
samples=$(cd "$(dirname "$0")/../../runfiles" && pwd) || exit 1
. "$(dirname "$0")/../lib.sh"

for d in "$samples"/*/; do
    name=$(basename "$d")
    test_expect "runfiles/$name loads cleanly" '
        run_cmd --runfile "'"$d"'" --list && expect_status 0 && [ -z "$err" ] &&
        [ "$(grep -c "^  " <<<"$out")" -gt 0 ]
    '
done
test_expect "@os filtering in runfiles/attributes" '
    run_cmd --runfile "$samples/attributes" --list &&
    grep -q "^  linux_only$" <<<"$out" && ! grep -q windows_only <<<"$out"
'
test_expect "sourced functions in runfiles/source" '
    run_cmd --runfile "$samples/source/Runfile" --list &&
    expect_eq "$out" "Available functions from $samples/source/Runfile:
  migrate
  test
  today"
'
test_done
