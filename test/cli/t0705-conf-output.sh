#!/usr/bin/env bash
# Spec conformance: captured output formats (cli.md §5.2, §8).
. "$(dirname "$0")/../lib.sh"

dir=$(pwd -P)
cat >Runfile <<'EOF'
greet() { echo "Hello, World!"; echo warn >&2; }
fail() { echo out; echo err >&2; exit 3; }
ticks() { printf 'a ```` b\n' >&2; printf 'no newline'; exit 1; }
quiet() { echo -n "e" >&2; exit 4; }
remote() ssh -p 22 -i key deploy_user@host-1.example.com "uptime" || true
killed() kill -TERM $$
intr() kill -INT $$
bad() printf 'caf\351 \303\251 /x\n'
docker:build() cat
EOF

# norm: replace the varying numbers so layouts can be compared exactly.
norm() { sed -E 's/"(duration_ms|total_duration_ms|started_at)": [0-9]+/"\1": N/; s/\(([0-9]+)ms\)$/(Nms)/'; }

test_expect "json: layout and member order, exactly" '
	run_cmd --output-format json greet && expect_status 0 &&
	expect_eq "$(printf "%s\n" "$out" | norm)" "{
  \"context\": {
    \"function_name\": \"greet\",
    \"remote_host\": null,
    \"remote_user\": null,
    \"interpreter\": \"bash\",
    \"working_directory\": \"$dir\"
  },
  \"outputs\": [
    {
      \"command\": \"echo \\\"Hello, World!\\\"; echo warn >&2;\",
      \"stdout\": \"Hello, World!\\n\",
      \"stderr\": \"warn\\n\",
      \"exit_code\": 0,
      \"duration_ms\": N,
      \"started_at\": N
    }
  ],
  \"success\": true,
  \"total_duration_ms\": N,
  \"summary\": \"Successfully executed greet with 1 command(s)\"
}" && expect_eq "$err" ""
'
test_expect "json: ends with a newline; total equals duration; started_at is now" '
	"$RUN_BIN" --output-format json greet >o.json </dev/null &&
	test "$(tail -c1 o.json | od -An -c | tr -d " ")" = "\n" &&
	python3 -c "import json,sys,time; d=json.load(open(\"o.json\")); o=d[\"outputs\"][0]; assert o[\"duration_ms\"]==d[\"total_duration_ms\"]; assert abs(o[\"started_at\"]-time.time()*1000) < 60000"
'
test_expect "json failure: summary, exit status, stderr line" '
	run_cmd --output-format json fail && expect_status 3 &&
	printf "%s" "$out" | grep -q "\"summary\": \"Execution of fail failed\"" &&
	printf "%s" "$out" | grep -q "\"success\": false" &&
	printf "%s" "$out" | grep -q "\"exit_code\": 3" &&
	expect_eq "$err" "error: '\''fail'\'' exited with status 3"
'
test_expect "json: ssh user and host from the body text" '
	run_cmd --output-format json remote &&
	printf "%s" "$out" | grep -q "\"remote_host\": \"host-1.example.com\"" &&
	printf "%s" "$out" | grep -q "\"remote_user\": \"deploy_user\""
'
test_expect "json: killed by signal: exit_code null, 143" '
	run_cmd --output-format json killed && expect_status 143 &&
	printf "%s" "$out" | grep -q "\"exit_code\": null" &&
	expect_eq "$err" "error: '\''killed'\'' was killed by signal SIGTERM"
'
test_expect "json: invalid UTF-8 becomes U+FFFD; non-ASCII and / unescaped" '
	run_cmd --output-format json bad &&
	printf "%s" "$out" | grep -qF "\"stdout\": \"caf� é /x\\n\""
'
test_expect "json: stdin is /dev/null; resolved name" '
	echo input | "$RUN_BIN" --output-format json docker build >o2.json 2>/dev/null &&
	grep -q "\"stdout\": \"\"" o2.json && grep -q "\"function_name\": \"docker:build\"" o2.json
'
test_expect "markdown success: stdout only, trailing blank line" '
	"$RUN_BIN" --output-format markdown greet >md 2>/dev/null </dev/null &&
	expect_eq "$(norm <md; echo .)" "Execution: \`greet\` ✓ Success (Nms)
Hello, World!

."
'
test_expect "markdown failure: stderr section, exit code" '
	"$RUN_BIN" --output-format markdown fail >md 2>e </dev/null; test $? = 3 &&
	expect_eq "$(norm <md; echo .)" "Execution: \`fail\` ✗ Failed (Nms)
out
**Stderr:**
\`\`\`
err
\`\`\`

**Exit Code:** 3

." && expect_eq "$(cat e)" "error: '\''fail'\'' exited with status 3"
'
test_expect "markdown: fence grows, newline added, no stdout line when empty" '
	"$RUN_BIN" --output-format markdown ticks >md 2>/dev/null </dev/null
	expect_eq "$(norm <md; echo .)" "Execution: \`ticks\` ✗ Failed (Nms)
no newline
**Stderr:**
\`\`\`\`\`
a \`\`\`\` b
\`\`\`\`\`

**Exit Code:** 1

." &&
	"$RUN_BIN" --output-format markdown quiet >md 2>/dev/null </dev/null
	expect_eq "$(norm <md; echo .)" "Execution: \`quiet\` ✗ Failed (Nms)
**Stderr:**
\`\`\`
e
\`\`\`

**Exit Code:** 4

."
'
test_expect "markdown: signal exit line and ssh suffix" '
	"$RUN_BIN" --output-format markdown killed >md 2>/dev/null </dev/null; test $? = 143 &&
	expect_eq "$(norm <md; echo .)" "Execution: \`killed\` ✗ Failed (Nms)
**Exit Code:** 143 (killed by signal SIGTERM)

." &&
	"$RUN_BIN" --output-format markdown remote >md 2>/dev/null </dev/null
	head -1 md | norm | grep -qx "Execution: \`remote\` on deploy_user@host-1.example.com ✓ Success (Nms)"
'
test_expect "stream: failure line exact; SIGINT death prints nothing" '
	run_cmd fail && expect_status 3 && expect_eq "$out" "out" &&
	expect_eq "$err" "err
error: '\''fail'\'' exited with status 3" &&
	run_cmd intr && expect_status 130 && expect_eq "$err" "" &&
	run_cmd killed && expect_status 143 && expect_eq "$err" "error: '\''killed'\'' was killed by signal SIGTERM"
'
test_expect "file mode captured: function_name is FILE as typed, command the text" '
	printf "echo hi\n" >s.run && run_cmd --output-format json ./s.run &&
	printf "%s" "$out" | grep -q "\"function_name\": \"./s.run\"" &&
	printf "%s" "$out" | grep -qF "\"command\": \"echo hi\\n\""
'
test_expect "captured output is never truncated, even with RUN_MCP_OUTPUT_DIR (C12)" '
	printf "big() seq 1 200000\n" >R9 && RUN_MCP_OUTPUT_DIR=$PWD/mo "$RUN_BIN" --runfile R9 --output-format json big >o.json &&
	python3 -c "import json; d=json.load(open(\"o.json\")); assert d[\"outputs\"][0][\"stdout\"].count(\"\\n\") == 200000" &&
	test ! -e mo
'
test_done
