#!/usr/bin/env bash
# Spec conformance: option parsing and words (cli.md §2, §3, §11, §12).
. "$(dirname "$0")/../lib.sh"

cat >Runfile <<'EOF'
greet() echo "greet:$#:$*"
list() echo "fn-list"
EOF
mkdir other
printf 'greet() echo other\n' >other/Runfile
printf 'greet() echo xrun\n' >x.run

test_expect "version: 'run <version>' on stdout, exit 0" '
	run_cmd --version && expect_status 0 &&
	printf "%s\n" "$out" | grep -Eq "^run [0-9]+\.[0-9]+\.[0-9]+" && expect_eq "$err" "" &&
	run_cmd -V && expect_status 0 && printf "%s" "$out" | grep -q "^run "
'
test_expect "help: stdout, exit 0, names options and man pages" '
	run_cmd -h && expect_status 0 && expect_eq "$err" "" &&
	for o in --list --inspect --serve-mcp --show-script --output-format --runfile --working-dir \
		--no-prelude --generate-completion --install-completion --help --version \
		RUN_SHELL RUN_NO_GLOBAL_MERGE RUN_RUNFILE_DIR RUN_MCP_OUTPUT_DIR RUN_MCP_MAX_CONCURRENCY \
		RUN_MCP_MAX_FRAME HOME PATH SHELL XDG_DATA_HOME XDG_CONFIG_HOME ZDOTDIR NO_COLOR \
		126 127 128 "man run" "man runfile"; do
		printf "%s" "$out" | grep -qe "$o" || { echo "missing $o"; exit 1; }
	done
'
test_expect "unknown option: exact first line, Try line, exit 2" '
	run_cmd --bogus greet && expect_status 2 &&
	expect_eq "$err" "error: unknown option '\''--bogus'\''
Try '\''run --help'\'' for more information." && expect_eq "$out" ""
'
test_expect "short options cannot be bundled (-lh is unknown)" '
	run_cmd -lh && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: unknown option '\''-lh'\''"
'
test_expect "missing option value: exact, exit 2" '
	run_cmd --runfile && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: option '\''--runfile'\'' needs a value" &&
	printf "%s\n" "$err" | sed -n 2p | grep -q "^Try '\''run --help'\''" &&
	run_cmd --output-format && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: option '\''--output-format'\'' needs a value"
'
test_expect "invalid option value: exact, exit 2" '
	run_cmd --output-format xml greet && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: invalid value '\''xml'\'' for '\''--output-format'\'' (expected stream, json, markdown)" &&
	run_cmd --generate-completion tcsh && expect_status 2 &&
	printf "%s\n" "$err" | head -1 | grep -q "^error: invalid value '\''tcsh'\'' for '\''--generate-completion'\'' (expected "
'
test_expect "an option without a value rejects =value" '
	run_cmd --list=x && expect_status 2 && expect_eq "$out" "" &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: option '\''--list'\'' does not take a value" &&
	printf "%s\n" "$err" | sed -n 2p | grep -q "^Try " &&
	run_cmd -l=x && expect_status 2 && run_cmd --no-prelude=1 greet && expect_status 2 &&
	run_cmd --show-script=greet && expect_status 2
'
test_expect "--opt=value form" '
	run_cmd --runfile=other/Runfile greet && expect_status 0 && expect_eq "$out" "other" &&
	run_cmd --output-format=json greet && expect_status 0 && printf "%s" "$out" | grep -q "\"function_name\": \"greet\""
'
test_expect "--opt value form and --working-dir alias (directory)" '
	run_cmd --runfile other greet && expect_eq "$out" "other" &&
	run_cmd --working-dir other greet && expect_eq "$out" "other" &&
	run_cmd --working-dir=other greet && expect_eq "$out" "other"
'
test_expect "repeated option: last wins" '
	run_cmd --runfile other --runfile Runfile greet && expect_eq "$out" "greet:0:" &&
	run_cmd --output-format json --output-format stream greet && expect_eq "$out" "greet:0:"
'
test_expect "--runfile does not change directory" '
	run_cmd --runfile other/Runfile --show-script greet >/dev/null &&
	printf "pwd_fn() pwd\n" >other/R2 && run_cmd --runfile other/R2 pwd_fn &&
	expect_eq "$out" "$(pwd)"
'
test_expect "--runfile missing: exact message, exit 1" '
	run_cmd --runfile nope.run greet && expect_status 1 &&
	expect_eq "$err" "error: No Runfile found at '\''nope.run'\''"
'
test_expect "--runfile with an empty value names no file (not the current directory)" '
	run_cmd --runfile "" greet && expect_status 1 && expect_eq "$err" "error: No Runfile found at '\'''\''" &&
	run_cmd --runfile= --list && expect_status 1 && expect_eq "$out" ""
'
test_expect "no Runfile (discovery): exact message, exit 1" '
	mkdir -p "$HOME/empty" && cd "$HOME/empty" && run_cmd greet && expect_status 1 &&
	expect_eq "$err" "error: No Runfile found. Create ./Runfile or ~/.runfile to define functions."
'
test_expect "--install-completion takes next word only if it is a shell" '
	SHELL=/bin/bash run_cmd --install-completion greet && expect_status 0 &&
	test -f "$XDG_DATA_HOME/bash-completion/completions/run" &&
	run_cmd --install-completion zsh && expect_status 0 && test -f "$HOME/.zsh/completion/_run" &&
	SHELL=/bin/tcsh run_cmd --install-completion=auto && expect_status 1
'
test_expect "--install-completion auto failure message exact" '
	SHELL=/bin/tcsh run_cmd --install-completion && expect_status 1 &&
	expect_eq "$err" "error: could not detect your shell from \$SHELL ('\''/bin/tcsh'\''); name it: run --install-completion <SHELL>
Supported shells: bash, zsh, fish, powershell"
'
test_expect "--install-completion value pwsh accepted" '
	run_cmd --install-completion pwsh && expect_status 0 &&
	test -f "$XDG_CONFIG_HOME/powershell/run.ps1"
'
test_expect "--install-completion write failure: exact message, exit 1" '
	touch xdgfile && XDG_DATA_HOME=$PWD/xdgfile run_cmd --install-completion bash && expect_status 1 &&
	expect_eq "$err" "error: cannot write '\''$PWD/xdgfile/bash-completion/completions/run'\'': Not a directory"
'
test_expect "--install-completion: stdout layout for fish" '
	run_cmd --install-completion fish && expect_status 0 &&
	expect_eq "$(printf "%s\n" "$out" | head -2)" "Installing fish completion for run...
✓ Installed completion to $XDG_CONFIG_HOME/fish/completions/run.fish" &&
	expect_eq "$(printf "%s\n" "$out" | tail -2)" "
✓ Installation complete!" && cmp -s "$XDG_CONFIG_HOME/fish/completions/run.fish" <("$RUN_BIN" --generate-completion fish)
'
test_expect "-- ends the options; dropped" '
	run_cmd -- greet a && expect_eq "$out" "greet:1:a" &&
	run_cmd -- --list && expect_status 127 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: Function '\''--list'\'' not found"
'
test_expect "every word after FUNCTION belongs to it" '
	run_cmd greet --list -- x -h && expect_status 0 && expect_eq "$out" "greet:4:--list -- x -h"
'
test_expect "FILE: word with / or .run; otherwise a function even if the file exists" '
	run_cmd x.run && expect_eq "$out" "" && expect_status 0 &&
	printf "echo file-list\n" >list && run_cmd list && expect_eq "$out" "fn-list" &&
	run_cmd ./list && expect_eq "$out" "file-list"
'
test_expect "mode order: --help beats --version beats the rest" '
	run_cmd --version --help && expect_status 0 && printf "%s" "$out" | grep -q -- "--runfile" &&
	run_cmd --list --version && printf "%s\n" "$out" | grep -Eq "^run [0-9]" &&
	run_cmd --list --generate-completion bash && printf "%s" "$out" | grep -q _run_complete
'
test_expect "mode order: --list beats --inspect beats FUNCTION" '
	run_cmd --inspect --list && printf "%s" "$out" | grep -q "^Available functions" &&
	run_cmd --inspect greet && expect_status 0 && printf "%s" "$out" | grep -q "\"tools\"" &&
	run_cmd --list greet extra words && expect_status 0 && printf "%s" "$out" | grep -q "^Available functions"
'
test_expect "mode order: --install-completion beats --generate-completion; --inspect beats --serve-mcp" '
	run_cmd --generate-completion bash --install-completion zsh &&
	expect_eq "$(printf "%s\n" "$out" | head -1)" "Installing zsh completion for run..." &&
	run_cmd --serve-mcp --inspect && expect_status 0 && expect_eq "$(printf "%s\n" "$out" | head -1)" "{"
'
test_expect "mode order: --serve-mcp beats FILE and --show-script" '
	echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}" | "$RUN_BIN" --show-script --serve-mcp ./x.run >o 2>/dev/null &&
	expect_eq "$(cat o)" "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"
'
test_expect "words after list/inspect/completion are ignored" '
	run_cmd --list nosuch --also && expect_status 0 &&
	run_cmd --generate-completion zsh nosuch && expect_status 0 && expect_eq "$(printf "%s\n" "$out" | head -1)" "#compdef run"
'
test_expect "--show-script alone: exact, exit 2" '
	run_cmd --show-script && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: --show-script needs a function name" &&
	printf "%s\n" "$err" | sed -n 2p | grep -q "^Try "
'
test_expect "show-script of unknown function: 127" '
	run_cmd --show-script nosuch && expect_status 127 && expect_eq "$out" ""
'
test_expect "--show-script ignores --output-format" '
	run_cmd --output-format json --show-script greet && expect_status 0 &&
	expect_eq "$(printf "%s\n" "$out" | head -1)" "set -eo pipefail"
'
test_expect "option after FUNCTION not taken by run (C5)" '
	run_cmd greet --show-script && expect_eq "$out" "greet:1:--show-script"
'
test_expect "no words: REPL (stdin closed ends it with Goodbye)" '
	run_cmd && expect_status 0 && printf "%s" "$out" | grep -q "Goodbye!"
'
test_expect "--generate-completion markers" '
	run_cmd --generate-completion bash && printf "%s" "$out" | grep -q "complete -F _run_complete run" &&
	run_cmd --generate-completion fish && printf "%s" "$out" | grep -q "complete -c run" &&
	run_cmd --generate-completion pwsh && printf "%s" "$out" | grep -q "Register-ArgumentCompleter -Native -CommandName run" &&
	run_cmd --generate-completion=powershell && expect_status 0
'
test_expect "--generate-completion without value: needs a value" '
	run_cmd --generate-completion && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: option '\''--generate-completion'\'' needs a value"
'
test_expect "closed stdout ends run silently" '
	mkdir big && for i in $(seq 1 3000); do echo "f$i() echo $i"; done >big/Runfile &&
	"$RUN_BIN" --runfile big --list 2>"$TEST_ROOT/e" | head -1 >/dev/null
	expect_eq "$(cat "$TEST_ROOT/e")" ""
'
test_expect "RUN_SHELL empty = unset" '
	RUN_SHELL= run_cmd --show-script greet && expect_eq "$(printf "%s\n" "$out" | head -1)" "set -eo pipefail"
'
test_done
