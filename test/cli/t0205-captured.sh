#!/usr/bin/env bash
# --output-format json and markdown (cli.md §8.2-§8.4): exact layouts, failure, signals,
# UTF-8 repair, the SSH hint, stdin /dev/null, nothing on stdout for resolution errors.
. "$(dirname "$0")/../lib.sh"

dir=$(pwd -P)
cat >Runfile <<'EOF'
test_func() echo "Hello World"
greet() { echo "Hello, World!"; echo warn >&2; }
fail() { echo out; echo err >&2; exit 3; }
fence() { echo "x"; printf '%s\n' '````' 'y' >&2; exit 1; }
killed() kill -s TERM $$
quiet() exit 0
noeol() printf 'a\nb'
badutf() printf 'ok \377\376 \342\202A\n'
remote() ssh -p 2222 -i key deploy@web-1.example.com uptime
stdin() { if read -r x; then echo "read: $x"; else echo "eof"; fi; }
bg() { sleep 3 & echo started; }
tags(n: int) echo "n=$n"
sleeper() { echo waiting; exec sleep 30; }
EOF

# norm: replace the variable numbers by placeholders.
norm() { sed -E 's/("duration_ms"|"total_duration_ms"|"started_at"): [0-9]+/\1: N/; s/\(([0-9]+)ms\)/(<ms>ms)/'; }

json_success() {
    run_cmd --output-format json test_func && expect_status 0 && [ -z "$err" ] &&
    expect_eq "$(norm <<<"$out")" "{
  \"context\": {
    \"function_name\": \"test_func\",
    \"remote_host\": null,
    \"remote_user\": null,
    \"interpreter\": \"bash\",
    \"working_directory\": \"$dir\"
  },
  \"outputs\": [
    {
      \"command\": \"echo \\\"Hello World\\\"\",
      \"stdout\": \"Hello World\\n\",
      \"stderr\": \"\",
      \"exit_code\": 0,
      \"duration_ms\": N,
      \"started_at\": N
    }
  ],
  \"success\": true,
  \"total_duration_ms\": N,
  \"summary\": \"Successfully executed test_func with 1 command(s)\"
}"
}
test_expect "json: the layout of cli.md §8.3" json_success
test_expect "json: durations agree and started_at is Unix milliseconds" '
    run_cmd --output-format=json test_func &&
    d=$(sed -n "s/.*\"duration_ms\": \([0-9]*\).*/\1/p" <<<"$out") &&
    t=$(sed -n "s/.*\"total_duration_ms\": \([0-9]*\).*/\1/p" <<<"$out") &&
    s=$(sed -n "s/.*\"started_at\": \([0-9]*\).*/\1/p" <<<"$out") && [ "$d" = "$t" ] &&
    now=$(date +%s) && [ $((s / 1000)) -ge $((now - 60)) ] && [ $((s / 1000)) -le $((now + 1)) ]
'
test_expect "json: failure" '
    run_cmd --output-format json fail; expect_status 3 &&
    expect_eq "$err" "error: '\''fail'\'' exited with status 3" &&
    grep -qx "      \"stdout\": \"out\\\\n\"," <<<"$out" &&
    grep -qx "      \"stderr\": \"err\\\\n\"," <<<"$out" &&
    grep -qx "      \"exit_code\": 3," <<<"$out" &&
    grep -qx "  \"success\": false," <<<"$out" &&
    grep -qx "  \"summary\": \"Execution of fail failed\"" <<<"$out"
'
test_expect "json: killed by a signal has exit_code null" '
    run_cmd --output-format json killed; expect_status 143 &&
    grep -qx "      \"exit_code\": null," <<<"$out" &&
    expect_eq "$err" "error: '\''killed'\'' was killed by signal SIGTERM"
'
test_expect "json: the SSH hint" '
    run_cmd --output-format json remote; grep -qx "    \"remote_host\": \"web-1.example.com\"," <<<"$out" &&
    grep -qx "    \"remote_user\": \"deploy\"," <<<"$out"
'
test_expect "json: invalid UTF-8 becomes U+FFFD" '
    run_cmd --output-format json badutf && expect_status 0 &&
    grep -qx "      \"stdout\": \"ok �� �A\\\\n\"," <<<"$out"
'
test_expect "captured mode reads stdin from /dev/null" '
    out=$(echo "typed" | "$RUN_BIN" --output-format json stdin) &&
    grep -qx "      \"stdout\": \"eof\\\\n\"," <<<"$out"
'
test_expect "a background process holding the pipes delays the result by at most about 1 s" '
    start=$(date +%s%N) && run_cmd --output-format json bg && end=$(date +%s%N) &&
    expect_status 0 && [ $(( (end - start) / 1000000 )) -lt 2500 ] &&
    grep -q "started" <<<"$out"
'
md_success() {
    "$RUN_BIN" --output-format markdown greet >"$TEST_ROOT/o" 2>"$TEST_ROOT/e" || return 1
    [ ! -s "$TEST_ROOT/e" ] || return 1
    printf 'Execution: `greet` ✓ Success (<ms>ms)\nHello, World!\n\n' >"$TEST_ROOT/want"
    if ! norm <"$TEST_ROOT/o" | cmp -s - "$TEST_ROOT/want"; then
        norm <"$TEST_ROOT/o" | od -c | head
        return 1
    fi
}
test_expect "markdown: success (stderr hidden)" md_success
md_failure() {
    local st
    "$RUN_BIN" --output-format markdown fail >"$TEST_ROOT/o" 2>"$TEST_ROOT/e"
    st=$?
    [ "$st" = 3 ] && grep -qx "error: 'fail' exited with status 3" "$TEST_ROOT/e" || return 1
    printf 'Execution: `fail` ✗ Failed (<ms>ms)\nout\n**Stderr:**\n```\nerr\n```\n\n**Exit Code:** 3\n\n' >"$TEST_ROOT/want"
    if ! norm <"$TEST_ROOT/o" | cmp -s - "$TEST_ROOT/want"; then
        norm <"$TEST_ROOT/o" | od -c | head -20
        return 1
    fi
}
test_expect "markdown: failure with stderr and exit code" md_failure
test_expect "markdown: fence longer than a backtick run in stderr; signal exit line" '
    run_cmd --output-format markdown fence; expect_status 1 && grep -qx "\`\`\`\`\`" <<<"$out" &&
    run_cmd --output-format markdown killed; expect_status 143 &&
    grep -qx "\*\*Exit Code:\*\* 143 (killed by signal SIGTERM)" <<<"$out"
'
test_expect "markdown: empty stdout prints nothing; a missing final newline is added" '
    "$RUN_BIN" --output-format markdown quiet >"$TEST_ROOT/o" && norm <"$TEST_ROOT/o" >"$TEST_ROOT/n" &&
    printf "Execution: \`quiet\` ✓ Success (<ms>ms)\n\n" | cmp -s - "$TEST_ROOT/n" &&
    "$RUN_BIN" --output-format markdown noeol >"$TEST_ROOT/o" && norm <"$TEST_ROOT/o" >"$TEST_ROOT/n" &&
    printf "Execution: \`noeol\` ✓ Success (<ms>ms)\na\nb\n\n" | cmp -s - "$TEST_ROOT/n"
'
test_expect "markdown: the SSH hint in the header" '
    run_cmd --output-format markdown remote;
    grep -q "^Execution: \`remote\` on deploy@web-1.example.com ✗ Failed" <<<"$out"
'
captured_sigterm() {
    "$RUN_BIN" --output-format json sleeper >"$TEST_ROOT/o" 2>"$TEST_ROOT/e" &
    local pid=$! st
    sleep 0.3
    kill -INT "$pid"
    sleep 0.1
    kill -TERM "$pid"
    wait "$pid"; st=$?
    if ! { [ "$st" = 143 ] && grep -qx "error: 'sleeper' was killed by signal SIGTERM" "$TEST_ROOT/e" &&
        grep -qx '      "stdout": "waiting\\n",' "$TEST_ROOT/o" &&
        grep -qx '      "exit_code": null,' "$TEST_ROOT/o"; }; then
        echo "status $st"; cat "$TEST_ROOT/o" "$TEST_ROOT/e"
        return 1
    fi
}
test_expect "captured: SIGINT is ignored, SIGTERM is forwarded, the report still comes" captured_sigterm
test_expect "resolution and argument errors print nothing on stdout" '
    run_cmd --output-format json nope; expect_status 127 && [ -z "$out" ] &&
    run_cmd --output-format markdown tags x; expect_status 2 && [ -z "$out" ] &&
    grep -q "must be an integer" <<<"$err"
'
test_expect "json: a missing interpreter prints nothing and exits 127" '
    RUN_SHELL=/no/such/shell run_cmd --output-format json test_func; expect_status 127 &&
    [ -z "$out" ]
'
test_expect "long output is never truncated on the command line" '
    printf "big() seq 1 100000\n" >>Runfile && RUN_MCP_OUTPUT_DIR="$TEST_ROOT/mcp" \
        run_cmd --output-format markdown big && expect_status 0 &&
    [ "$(grep -c "^[0-9]" <<<"$out")" = 100000 ] && [ ! -e "$TEST_ROOT/mcp" ]
'
test_done
