#!/usr/bin/env bash
# Spec conformance, assorted sentences: discovery (runfile.md §8.1), prelude errexit
# (execution.md §6), @shell choice (§6.5), defaults (§3.2), loose words (cli.md §4),
# markdown edge cases (cli.md §8.4).
. "$(dirname "$0")/../lib.sh"

test_expect "discovery skips a directory named Runfile; symlinks count" '
	mkdir -p p/q/Runfile && printf "up() echo up\n" >p/Runfile && cd p/q && run_cmd up && expect_eq "$out" "up" &&
	run_cmd --list && expect_eq "$(printf "%s\n" "$out" | head -1)" "Available functions from ../Runfile:" &&
	cd .. && mkdir s && ln -s ../Runfile s/Runfile && cd s && run_cmd --list &&
	expect_eq "$(printf "%s\n" "$out" | head -1)" "Available functions from ./Runfile:"
'
test_expect "discovery stops after the home directory" '
	printf "above() :\n" >"$TEST_ROOT/Runfile" && mkdir -p "$HOME/x" && cd "$HOME/x" && run_cmd above &&
	expect_status 1 && expect_eq "$err" "error: No Runfile found. Create ./Runfile or ~/.runfile to define functions."
'
test_expect "the global file alone: __RUNFILE_DIR__ is the home directory" '
	printf "where() echo \"\$__RUNFILE_DIR__\"\n" >"$HOME/.runfile" && mkdir -p "$HOME/y" && cd "$HOME/y" &&
	run_cmd where && expect_eq "$out" "$(cd "$HOME" && pwd -P)" && rm "$HOME/.runfile"
'
test_expect "merge: __RUNFILE_DIR__ is the project directory even for global functions" '
	printf "gwhere() echo \"\$__RUNFILE_DIR__\"\n" >"$HOME/.runfile" && mkdir proj && printf "p() :\n" >proj/Runfile &&
	cd proj && run_cmd gwhere && expect_eq "$out" "$(pwd -P)" && rm "$HOME/.runfile"
'
mkdir pre && cat >pre/Runfile <<'EOF'
echo pre-1
false
echo pre-2
f() echo f-ran
# @noerrexit
g() echo g-ran
EOF
test_expect "the prelude runs with the entry'\''s errexit setting" '
	run_cmd --runfile pre f && expect_status 1 && expect_eq "$out" "pre-1" &&
	run_cmd --runfile pre g && expect_status 0 && expect_eq "$out" "pre-1
pre-2
g-ran"
'
test_expect "the prelude never runs for --list, --inspect, --show-script" '
	printf "touch ran\nf() :\n" >Runfile && run_cmd --list && run_cmd --inspect && run_cmd --show-script f && test ! -e ran
'
test_expect "first valid @shell wins; an unknown one is skipped with a warning" '
	printf "# @shell perl\n# @shell python\n# @shell node\nf() print(\"py\") # note\n" >Runfile &&
	run_cmd f && expect_eq "$out" "py" && printf "%s" "$err" | grep -q "unknown @shell value '\''perl'\'' (ignored)"
'
test_expect "@shell sh entry: sh family script" '
	printf "# @shell sh\nf() echo \$0\n" >Runfile && run_cmd --show-script f && expect_eq "$(printf "%s\n" "$out" | head -1)" "set -e" &&
	run_cmd f && expect_eq "$out" "f"
'
test_expect "a string default may not contain a line break" '
	printf "f(a = \"x\ny\") :\n" >Runfile && run_cmd --list && expect_status 1 &&
	printf "%s" "$err" | grep -q "^Runfile:1:7: error: unterminated string in default value$"
'
test_expect "a parameter named timeout is allowed for calls, not as a tool" '
	printf "# @desc d\nf(timeout) echo \"t=\$timeout\"\n" >Runfile && run_cmd f 5 && expect_eq "$out" "t=5" &&
	run_cmd --inspect && expect_status 0 && expect_eq "$out" "{
  \"tools\": []
}" && printf "%s" "$err" | grep -q "^Runfile:2:1: warning: "
'
test_expect "loose matching through namespace words" '
	printf "app-build() echo \"ab \$*\"\n" >Runfile && run_cmd app build x && expect_eq "$out" "ab x"
'
test_expect "markdown: empty stdout on success is the header and one empty line" '
	printf "e() :\nw() echo w >&2\nn() exit 2\n" >Runfile &&
	"$RUN_BIN" --output-format markdown e >md && sed -E "s/\([0-9]+ms\)/(N)/" md >md2 &&
	expect_eq "$(od -c md2 | tr -s " ")" "$(printf "Execution: \`e\` ✓ Success (N)\n\n" | od -c | tr -s " ")" &&
	"$RUN_BIN" --output-format markdown w 2>/dev/null | grep -c . | grep -qx 1 &&
	"$RUN_BIN" --output-format markdown n 2>/dev/null | sed -E "s/\([0-9]+ms\)/(N)/" >md3;
	expect_eq "$(cat md3; echo .)" "Execution: \`n\` ✗ Failed (N)
**Exit Code:** 2

."
'
test_expect "json: command is the dedented body text" '
	printf "b() {\n        echo one\n          echo two\n}\n" >Runfile && run_cmd --output-format json b &&
	printf "%s" "$out" | grep -qF "\"command\": \"echo one\\n  echo two\""
'
test_done
