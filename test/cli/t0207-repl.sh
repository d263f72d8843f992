#!/usr/bin/env bash
# The REPL (cli.md §9): banner, prompts, definitions, assignments, calls, multi-line input,
# [exit N], exit/quit/end of input.
. "$(dirname "$0")/../lib.sh"

# repl INPUT: run the REPL with INPUT on stdin; sets $out, $err, $status.
repl() {
    printf '%s' "$1" | "$RUN_BIN" >"$TEST_ROOT/.out" 2>"$TEST_ROOT/.err"
    status=$?
    out=$(cat "$TEST_ROOT/.out")
    err=$(cat "$TEST_ROOT/.err")
}

test_expect "no Runfile: a warning, the banner, Goodbye on end of input" '
    repl "" && expect_status 0 &&
    expect_eq "$err" "warning: no Runfile loaded: no Runfile found" &&
    grep -q "^run .* REPL (shell: bash)$" <<<"$out" &&
    grep -qx "Type '\''exit'\'' or press Ctrl-D to quit." <<<"$out" &&
    expect_eq "$(tail -n 2 <<<"$out")" "run> 
Goodbye!"
'
test_expect "definitions, assignments and calls within a session" '
    repl "greet(who) echo \"hi \$who\"
NAME=World
greet(\"\$NAME\")
greet there
echo \"\$0 \$NAME\"
exit
" && expect_status 0 && ! grep -q "^error" <<<"$err" &&
    grep -q "^run> run> run> hi World$" <<<"$out" && grep -qx "run> hi there" <<<"$out" &&
    grep -qx "run> run World" <<<"$out" && expect_eq "$(tail -n 1 <<<"$out")" "run> Goodbye!"
'
test_expect "a block spans lines with the ...> prompt" '
    repl "f() {
    echo one
    echo two
}
f
quit
" && grep -q "^run> \.\.\.> \.\.\.> \.\.\.> run> one$" <<<"$out" && grep -qx "two" <<<"$out"
'
test_expect "a non-zero status is shown as [exit N]; the session goes on" '
    repl "(exit 7)
echo after
" && grep -qxF "[exit 7]" <<<"$err" && grep -q "after" <<<"$out"
'
test_expect "a parse error is a diagnostic with the <repl> label" '
    repl "bad(a b) x
echo still
" && grep -q "^<repl>:1:7: error: " <<<"$err" && grep -q "still" <<<"$out"
'
test_expect "the directory Runfile: its functions and prelude" '
    printf "GREETING=Hello\nhello(who) echo \"\$GREETING, \$who\"\n" >Runfile &&
    repl "hello(Ann)
hello Bob
" && [ -z "$err" ] && grep -q "Hello, Ann" <<<"$out" && grep -q "Hello, Bob" <<<"$out"
'
test_expect "a later definition replaces an earlier one" '
    repl "f() echo first
f() echo second
f
" && grep -q "second" <<<"$out" && ! grep -q "first" <<<"$out"
'
test_expect "a Runfile with errors: a warning and no functions" '
    mkdir -p broken && printf "bad(a b) x\n" >broken/Runfile && cd broken &&
    repl "echo ok
" && grep -q "^warning: no Runfile loaded: " <<<"$err" && grep -q "ok" <<<"$out"
'
test_done
