#!/usr/bin/env bash
# Spec conformance: diagnostics (runfile.md §10): exact messages, positions, carets, notes,
# labels, recovery and the error cap. Hint wording is free, so hint lines are only counted.
. "$(dirname "$0")/../lib.sh"
export RUN_NO_GLOBAL_MERGE=1

# d 'printf-text' 'expected stderr without hint lines' [hints]: load with --list.
d() {
	printf "$1" >Runfile
	"$RUN_BIN" --list >"$TEST_ROOT/o" 2>"$TEST_ROOT/e" </dev/null
	local rc=$? sev
	sev=$(grep -c ': error: ' "$TEST_ROOT/e")
	if [ "$sev" -gt 0 ]; then [ $rc = 1 ] || { echo "status $rc"; return 1; }
		[ ! -s "$TEST_ROOT/o" ] || { echo "stdout not empty"; return 1; }
	else [ $rc = 0 ] || { echo "status $rc"; return 1; }; fi
	expect_eq "$(grep -v '^ *= hint: ' "$TEST_ROOT/e")" "$2" &&
	expect_eq "$(grep -c '^ *= hint: ' "$TEST_ROOT/e")" "${3:-1}"
}

test_expect "expected ',' or ')' after parameter" "d 'x\ny\nbad(a b) echo x\n' \"Runfile:3:7: error: expected ',' or ')' after parameter 'a'
    3 | bad(a b) echo x
      |       ^\""
test_expect "expected a parameter name" "d 'f(,) :\n' \"Runfile:1:3: error: expected a parameter name
    1 | f(,) :
      |   ^\""
test_expect "not a valid parameter name" "d 'f(1x) :\n' \"Runfile:1:3: error: '1x' is not a valid parameter name
    1 | f(1x) :
      |   ^~\""
test_expect "duplicate parameter" "d 'f(a, a) :\n' \"Runfile:1:6: error: duplicate parameter 'a'
    1 | f(a, a) :
      |      ^\""
test_expect "unknown type with span" "d 'f(a: integr) :\n' \"Runfile:1:6: error: unknown type 'integr'
    1 | f(a: integr) :
      |      ^~~~~~\" && grep -q \"did you mean 'integer'\" \"\$TEST_ROOT/e\""
test_expect "rest with a type: at the ':'" "d 'f(...a: int) :\n' \"Runfile:1:7: error: a rest parameter cannot have a type
    1 | f(...a: int) :
      |       ^\""
test_expect "rest with a default: at the '='" "d 'f(...a = 1) :\n' \"Runfile:1:8: error: a rest parameter cannot have a default
    1 | f(...a = 1) :
      |        ^\""
test_expect "rest not last: at the '...'" "d 'f(...a, b) :\n' \"Runfile:1:3: error: the rest parameter must be the last parameter
    1 | f(...a, b) :
      |   ^~~\""
test_expect "bad defaults: integer, boolean, number, object" "d 'f(n: int = abc) :\n' \"Runfile:1:12: error: default value 'abc' is not a valid integer
    1 | f(n: int = abc) :
      |            ^~~\" &&
	d 'g(b: bool = maybe) :\n' \"Runfile:1:13: error: default value 'maybe' is not a valid boolean
    1 | g(b: bool = maybe) :
      |             ^~~~~\" &&
	printf 'h(x: float = 1.2.3) :\n' >Runfile && \"\$RUN_BIN\" --list 2>&1 | grep -qx \"Runfile:1:14: error: default value '1.2.3' is not a valid number\" &&
	printf 'h(o: object = '\\''[1]'\\'') :\n' >Runfile && \"\$RUN_BIN\" --list 2>&1 | grep -qx \"Runfile:1:15: error: default value '\\[1\\]' is not a valid object\" &&
	printf 'h(n: int = 99999999999999999999) :\n' >Runfile && \"\$RUN_BIN\" --list 2>&1 | grep -q \"is not a valid integer\$\""
test_expect "unterminated string in default value" "d 'f(a = \"open) :\n' \"Runfile:1:7: error: unterminated string in default value
    1 | f(a = \\\"open) :
      |       ^\""
test_expect "reserved words of Python, JavaScript, Ruby" "d '# @shell python\nf(class) :\n' \"Runfile:2:3: error: 'class' is a reserved word in Python and cannot be a parameter name
    2 | f(class) :
      |   ^~~~~\" &&
	printf '# @shell node\nf(this) :\n' >Runfile && \"\$RUN_BIN\" --list 2>&1 | grep -qx \"Runfile:2:3: error: 'this' is a reserved word in JavaScript and cannot be a parameter name\" &&
	printf '# @shell ruby\nf(elsif) :\n' >Runfile && \"\$RUN_BIN\" --list 2>&1 | grep -qx \"Runfile:2:3: error: 'elsif' is a reserved word in Ruby and cannot be a parameter name\" &&
	printf 'f(class) :\n' >Runfile && \"\$RUN_BIN\" --list >/dev/null 2>&1"
test_expect "__run prefix reserved" "d 'f(__runx) :\n' \"Runfile:1:3: error: parameter names starting with '__run' are reserved
    1 | f(__runx) :
      |   ^~~~~~\""
test_expect "parameter name longer than 64 bytes" "
	printf 'f(%s) :\n' \$(printf 'p%.0s' \$(seq 65)) >Runfile && \"\$RUN_BIN\" --list 2>&1 | grep -q '^Runfile:1:3: error: .p*. is not a valid parameter name\$'"
test_expect "not a valid function name" "d 'function a::b() { :; }\n' \"Runfile:1:10: error: 'a::b' is not a valid function name
    1 | function a::b() { :; }
      |          ^~~~\""
test_expect "missing function body: just after the header" "d 'function f\n' \"Runfile:1:11: error: missing function body
    1 | function f
      |           ^\""
test_expect "unclosed block points at the {" "d 'x=1\nf() {\n echo hi\n' \"Runfile:2:5: error: unclosed '{': no matching '}' for this block
    2 | f() {
      |     ^\""
test_expect "unmatched }" "d '  }  # c\n' \"Runfile:1:3: error: unmatched '}'
    1 |   }  # c
      |   ^\""
printf "X='open\n" >sq.run; printf 'X=$(echo\n' >cs.run; printf 'X=${a\n' >br.run
cat >open.want <<'EOF'
sq.run:1:3: error: unterminated single-quoted string
    1 | X='open
      |   ^
cs.run:1:3: error: unterminated '$('
    1 | X=$(echo
      |   ^~
br.run:1:3: error: unterminated '${'
    1 | X=${a
      |   ^~
EOF
test_expect "unterminated quotes and openers at top level" '
	for f in sq cs br; do "$RUN_BIN" --runfile $f.run --list 2>&1; done | grep -v hint >open.got &&
	cmp open.want open.got
'
printf 'X=`echo\n' >bt.run
cat >bt.want <<'EOF'
bt.run:1:3: error: unterminated '`'
    1 | X=`echo
      |   ^
EOF
test_expect "unterminated backtick" '
	"$RUN_BIN" --runfile bt.run --list 2>&1 | grep -v hint >bt.got; cmp bt.want bt.got
'
test_expect "unterminated heredoc" "d 'f() {\n    cat <<EOF\n x\n}\n' \"Runfile:2:9: error: unterminated heredoc: no line 'EOF' closes the '<<EOF' here-document
    2 |     cat <<EOF
      |         ^~\""
test_expect "@arg position twice / duplicate name" "d '# @arg 1:a\n# @arg 1:b\nf() :\n' \"Runfile:2:10: error: @arg position 1 is used twice
    2 | # @arg 1:b
      |          ^\" && d '# @arg a\n# @arg a\nf() :\n' \"Runfile:2:8: error: duplicate @arg 'a'
    2 | # @arg a
      |        ^\""
test_expect "warnings: @shell, @os, shebang, @arg mismatch/type/name; load goes on" "
	d '# @shell perl\nf() :\n' \"Runfile:1:10: warning: unknown @shell value 'perl' (ignored)
    1 | # @shell perl
      |          ^~~~\" 0 && grep -qx '  f' \"\$TEST_ROOT/o\" &&
	d '# @os beos\nf() :\n' \"Runfile:1:7: warning: unknown @os value 'beos' (ignored)
    1 | # @os beos
      |       ^~~~\" 0 &&
	d '# @arg zz Z\nf(x) :\n' \"Runfile:1:8: warning: @arg 'zz' does not match any parameter of 'f' (ignored)
    1 | # @arg zz Z
      |        ^~\" 0 &&
	d '# @arg x int X\nf(x) :\n' \"Runfile:1:10: warning: @arg type 'int' ignored: the signature declares 'x' as string
    1 | # @arg x int X
      |          ^~~\" 0 &&
	d '# @arg a/b X\nf() :\n' \"Runfile:1:8: warning: @arg name 'a/b' is not a valid property name; using 'a_b'
    1 | # @arg a/b X
      |        ^~~\" 0 &&
	printf 'f() {\n  #!/usr/bin/perl -w\n  :\n}\n' >Runfile && \"\$RUN_BIN\" --list 2>&1 | grep -qx \"Runfile:2:14: warning: unknown interpreter 'perl' in shebang; using the default shell\""
test_expect "missing sourced file is only a warning (spec example)" "d 'source lib/missing.run\n' \"Runfile:1:8: warning: cannot source 'lib/missing.run': No such file or directory
    1 | source lib/missing.run
      |        ^~~~~~~~~~~~~~~\" 0"
test_expect "columns in code points; tabs copied into the caret line; invalid bytes one column" "
	printf '\tg(x = \"\303\251\377\", a b) :\n' >Runfile && \"\$RUN_BIN\" --list 2>\"\$TEST_ROOT/e\"
	expect_eq \"\$(sed -n '1p;3p' \"\$TEST_ROOT/e\")\" \"\$(printf 'Runfile:1:16: error: expected %s after parameter %s\n      | \t              ^' \"',' or ')'\" \"'a'\")\""
test_expect "line number field widens past 5 digits" "
	{ for i in \$(seq 1 99999); do echo; done; echo 'z(a b) :'; } >Runfile && \"\$RUN_BIN\" --list 2>\"\$TEST_ROOT/e\"
	expect_eq \"\$(grep -v hint \"\$TEST_ROOT/e\")\" \"Runfile:100000:5: error: expected ',' or ')' after parameter 'a'
100000 | z(a b) :
       |     ^\""
test_expect "recovery: one error per bad definition, block skipped by the scanner" "
	d 'bad(a b) {\n  echo \"}\"\n  { x; }\n}\nbad2(a b) echo\nok() :\n' \"Runfile:1:7: error: expected ',' or ')' after parameter 'a'
    1 | bad(a b) {
      |       ^
Runfile:5:8: error: expected ',' or ')' after parameter 'a'
    5 | bad2(a b) echo
      |        ^\" 2"
test_expect "at most 20 errors, then the stop line" "
	for i in \$(seq 1 25); do echo \"b\$i(a b) :\"; done >Runfile && \"\$RUN_BIN\" --list 2>\"\$TEST_ROOT/e\"; test \$? = 1 &&
	expect_eq \"\$(grep -c ': error: ' \"\$TEST_ROOT/e\")\" 20 && expect_eq \"\$(tail -1 \"\$TEST_ROOT/e\")\" 'error: too many errors; stopping'"
mkdir -p tasks
test_expect "sourced file: its own label and line, then notes innermost first" "
	printf 'source tasks/db.run\n' >Runfile && printf '\n  source  \"more.run\"\n' >tasks/db.run && printf 'x\nm(steps: integr = 1) {\n}\n' >tasks/more.run &&
	\"\$RUN_BIN\" --list 2>\"\$TEST_ROOT/e\"; test \$? = 1 &&
	expect_eq \"\$(grep -v hint \"\$TEST_ROOT/e\")\" \"tasks/more.run:2:10: error: unknown type 'integr'
    2 | m(steps: integr = 1) {
      |          ^~~~~~
tasks/db.run:2:11: note: 'tasks/more.run' is sourced here
Runfile:1:8: note: 'tasks/db.run' is sourced here\""
test_expect "labels: ~/.runfile, ~/ inside HOME, absolute outside" "
	mkdir -p \"\$HOME/p\" \"\$TEST_ROOT/out\" && cd \"\$HOME/p\" && printf 'g(a b) :\n' >\"\$HOME/.runfile\" &&
	\"\$RUN_BIN\" --list 2>&1 | grep -qx \"~/.runfile:1:5: error: expected ',' or ')' after parameter 'a'\" &&
	rm \"\$HOME/.runfile\" && printf 'i(a b) :\n' >\"\$HOME/inc.run\" && printf 'o(a b) :\n' >\"\$TEST_ROOT/out/o.run\" &&
	printf 'source ../inc.run\nsource %s/out/o.run\n' \"\$TEST_ROOT\" >Runfile && \"\$RUN_BIN\" --list 2>\"\$TEST_ROOT/e\"
	grep -qx \"~/inc.run:1:5: error: expected ',' or ')' after parameter 'a'\" \"\$TEST_ROOT/e\" &&
	grep -qx \"\$TEST_ROOT/out/o.run:1:5: error: expected ',' or ')' after parameter 'a'\" \"\$TEST_ROOT/e\""
test_expect "source nesting deeper than 256 files" "
	mkdir n && for i in \$(seq 1 260); do echo \"source n\$((i+1)).run\" >n/n\$i.run; done && echo 'f() :' >n/n261.run &&
	\"\$RUN_BIN\" --runfile n/n1.run --list 2>\"\$TEST_ROOT/e\"; test \$? = 1 &&
	expect_eq \"\$(head -1 \"\$TEST_ROOT/e\")\" 'n/n256.run:1:8: error: source nesting deeper than 256 files'"
test_expect "include once: cycles and self-sourcing are silent" "
	mkdir -p c/sub && printf 'source sub/x.run\nsource Runfile\nr() :\n' >c/Runfile && printf 'source ../Runfile\nx() :\n' >c/sub/x.run &&
	run_cmd --runfile c --list && expect_status 0 && expect_eq \"\$err\" '' && expect_eq \"\$out\" 'Available functions from c:
  r
  x'"
test_expect "file mode: call argument error and unknown call" "
	printf 'greet(a b)\n' >s.run && run_cmd ./s.run && expect_status 1 &&
	expect_eq \"\$(printf '%s\n' \"\$err\" | head -3)\" \"s.run:1:9: error: expected ',' or ')' in call arguments
    1 | greet(a b)
      |         ^\" &&
	printf 'touch ran\nnosuch(1)\n' >s.run && run_cmd s.run && expect_status 1 && test ! -e ran &&
	expect_eq \"\$(printf '%s\n' \"\$err\" | head -3)\" \"s.run:2:1: error: call to unknown function 'nosuch'
    2 | nosuch(1)
      | ^~~~~~\""
test_expect "no colour when stderr is not a terminal" "
	printf 'f(a b) :\n' >Runfile && \"\$RUN_BIN\" --list 2>&1 | grep -q \$'\\033' && exit 1; :"
test_expect "label of a project Runfile above the current directory: absolute, or ~/ inside HOME" '
	mkdir -p up/sub && printf "bad(a b) :\n" >up/Runfile && cd up/sub &&
	"$RUN_BIN" --list 2>&1 | head -1 | grep -qxF "$TEST_ROOT/work/up/Runfile:1:7: error: expected '\'','\'' or '\'')'\'' after parameter '\''a'\''" &&
	HOME=$TEST_ROOT/work "$RUN_BIN" --list 2>&1 | head -1 | grep -qxF "~/up/Runfile:1:7: error: expected '\'','\'' or '\'')'\'' after parameter '\''a'\''"
'
test_done
