#!/usr/bin/env bash
# File mode (cli.md §7, execution.md §13, examples.md §15, differences.md C6, E14).
. "$(dirname "$0")/../lib.sh"

dir=$(pwd -P)
cat >deploy.run <<'EOF'
TARGET=${1:-staging}
greet(who) echo "hello $who"
echo "deploying to $TARGET"
greet("$TARGET team")
EOF

test_expect "example 15: ./deploy.run prod" '
    run_cmd ./deploy.run prod && expect_status 0 && expect_eq "$out" "deploying to prod
hello prod team"
'
test_expect "example 15: without arguments" '
    run_cmd ./deploy.run && expect_eq "$out" "deploying to staging
hello staging team"
'
example15_show() {
    printf '%s\n' "set -eo pipefail" "export __RUNFILE_DIR__='$dir'" "" "greet() {" \
        "    local who=\"\$1\"" "    echo \"hello \$who\"" "}" "" "TARGET=\${1:-staging}" \
        "echo \"deploying to \$TARGET\"" "greet \"\$TARGET team\"" >"$TEST_ROOT/want"
    "$RUN_BIN" --show-script ./deploy.run >"$TEST_ROOT/got" || return 1
    diff -u "$TEST_ROOT/want" "$TEST_ROOT/got"
}
test_expect "example 15: --show-script ./deploy.run" example15_show
test_expect "a word ending in .run is a file; other words are functions (C6)" '
    run_cmd deploy.run x && expect_eq "$out" "deploying to x
hello x team" &&
    printf "deploy() echo function\n" >Runfile && echo "echo file" >deploy &&
    run_cmd deploy && expect_eq "$out" "function"
'
test_expect "\$0 is the path as typed; \"\$@\" the words after it" '
    printf "echo \"\$0\"\nprintf \"<%%s>\" \"\$@\"; echo\n" >args.run &&
    run_cmd ./args.run "a b" "" --list && expect_eq "$out" "./args.run
<a b><><--list>" &&
    mkdir -p sub && cd sub && run_cmd ../args.run && expect_eq "$(head -n 1 <<<"$out")" "../args.run"
'
test_expect "errexit: the first failing statement stops the script with its status" '
    printf "echo one\n(exit 5)\necho two\n" >stop.run && run_cmd ./stop.run; expect_status 5 &&
    expect_eq "$out" "one" && grep -qx "error: '\''./stop.run'\'' exited with status 5" <<<"$err"
'
test_expect "__RUNFILE_DIR__ is the script's own directory; sources are relative to it" '
    mkdir -p lib/more && printf "source helpers.run\nhelp_me\necho \"\$__RUNFILE_DIR__\"\n" >lib/main.run &&
    printf "help_me() echo helped\n" >lib/helpers.run && cd lib/more &&
    run_cmd ../main.run && expect_status 0 && expect_eq "$out" "helped
$dir/lib"
'
test_expect "cannot read FILE: exit 1 with the exact message" '
    run_cmd ./missing.run; expect_status 1 &&
    expect_eq "$err" "error: cannot read '\''./missing.run'\'': No such file or directory"
'
test_expect "a call to an unknown function is an error before anything runs" '
    printf "touch ran\nnope(1)\n" >unknown.run && run_cmd ./unknown.run; expect_status 1 &&
    grep -q "call to unknown function '\''nope'\''" <<<"$err" && [ ! -e ran ]
'
test_expect "no discovery and no global merge in file mode" '
    printf "global_fn() echo global\n" >"$HOME/.runfile" &&
    printf "global_fn\n" >g.run && run_cmd ./g.run; expect_status 127 && rm "$HOME/.runfile"
'
test_expect "stdin is inherited" '
    printf "read -r l\necho \"got \$l\"\n" >in.run && out=$(echo hi | "$RUN_BIN" ./in.run) &&
    expect_eq "$out" "got hi"
'
test_expect "dash runs file mode with sh names and calls" '
    printf "say-hi(who) echo \"hi \$who\"\nsay-hi(there)\nsay-hi again\n" >sh.run &&
    RUN_SHELL=dash run_cmd ./sh.run && expect_status 0 && expect_eq "$out" "hi there
hi again" && RUN_SHELL=dash "$RUN_BIN" --show-script ./sh.run | grep -qx "say_hi there"
'
test_expect "a polyglot function called by a script goes through a wrapper" '
    printf "# @shell python\npy(n: int) print(n * 2)\npy(21)\n" >py.run &&
    run_cmd ./py.run && expect_status 0 && expect_eq "$out" "42"
'
test_expect "file mode captured as json: function_name is FILE, command its text" '
    run_cmd --output-format json ./deploy.run prod && expect_status 0 &&
    grep -qx "    \"function_name\": \"./deploy.run\"," <<<"$out" &&
    grep -qF "\"command\": \"TARGET=\${1:-staging}\\ngreet(who)" <<<"$out" &&
    grep -qF "\"stdout\": \"deploying to prod\\nhello prod team\\n\"" <<<"$out"
'
test_expect "a parse error prints diagnostics and runs nothing" '
    printf "touch ran\nbad(a b) echo x\n" >bad.run && run_cmd ./bad.run; expect_status 1 &&
    grep -q "bad.run:2:7: error: " <<<"$err" && [ ! -e ran ]
'
test_done
