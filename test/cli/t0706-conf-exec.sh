#!/usr/bin/env bash
# Spec conformance: execution rules (execution.md §2, §5-§8, §11-§13; differences.md E1-E14).
. "$(dirname "$0")/../lib.sh"

dir=$(pwd -P)
mkdir sub
cat >Runfile <<'EOF'
COUNT=0
echo "prelude:$#:$*" >&2
name() echo "$0"
ns:fn-x() echo "$0"
pipe() { false | true; echo after; }
# @noerrexit
noerr() { false; echo "went on"; false | true; echo "pipe ok"; }
stop() { false; echo never; }
caller() { stop; echo "caller went on"; }
ret3() return 3
guarded() { ret3 || echo "guarded $?"; }
unguarded() { ret3; echo never; }
rdir() { echo "$__RUNFILE_DIR__"; env | grep -c '^__RUNFILE_DIR__=' ; }
vars() echo "count=$COUNT"
inj() echo "Hello, $1!"
argc() echo "$#:$1:$10"
status() exit "$1"
dyn() { for t in sib-a ns:fn-x; do "$t"; done; }
sib-a() echo sib-a
uses() { echo "calls sib-a --x"; sib-a; }
cd_fn() { cd /; pwd; }
# @shell python
pyfail() {
    import sys
    sys.exit(5)
}
# @shell node
nodeargs(...a) console.log(JSON.stringify(a))
callsnode() nodeargs -x "a b"
EOF

test_expect "\$0 is the function name (E13)" '
	run_cmd name && expect_eq "$out" "name" && run_cmd ns fn-x && expect_eq "$out" "ns:fn-x"
'
test_expect "errexit and pipefail on by default" '
	run_cmd pipe && expect_status 1 && expect_eq "$out" "" &&
	run_cmd stop && expect_status 1 && expect_eq "$out" ""
'
test_expect "@noerrexit turns both off" '
	run_cmd noerr && expect_status 0 && expect_eq "$out" "went on
pipe ok"
'
test_expect "failing sibling stops its caller unless guarded" '
	run_cmd caller && expect_status 1 && expect_eq "$out" "" &&
	run_cmd guarded && expect_status 0 && expect_eq "$out" "guarded 3" &&
	run_cmd unguarded && expect_status 3 && expect_eq "$out" ""
'
test_expect "__RUNFILE_DIR__ absolute, exported once, from a subdirectory" '
	cd sub && run_cmd rdir && expect_eq "$out" "$dir
1"
'
test_expect "RUN_RUNFILE_DIR overrides when it is a directory" '
	RUN_RUNFILE_DIR=sub run_cmd rdir && expect_eq "$(printf "%s\n" "$out" | head -1)" "$dir/sub" &&
	RUN_RUNFILE_DIR=/nonexistent run_cmd rdir && expect_eq "$(printf "%s\n" "$out" | head -1)" "$dir"
'
test_expect "prelude runs before the function, with the call's \"\$@\"" '
	run_cmd vars a "b c" && expect_eq "$out" "count=0" && expect_eq "$err" "prelude:2:a b c"
'
test_expect "--no-prelude skips it" '
	run_cmd --no-prelude vars && expect_eq "$out" "count=" && expect_eq "$err" ""
'
test_expect "values are data (E1)" '
	run_cmd inj "Bob\"; touch pwned; echo \"" && expect_status 0 &&
	expect_eq "$out" "Hello, Bob\"; touch pwned; echo \"!" && test ! -e pwned
'
test_expect "\$# and \$10 are the shell'\''s own" '
	run_cmd argc 1 2 3 4 5 6 7 8 9 10 && expect_eq "$out" "10:1:10"
'
test_expect "exit status is the function'\''s (C1)" '
	run_cmd --no-prelude status 42 && expect_status 42 && expect_eq "$err" "error: '\''status'\'' exited with status 42"
'
test_expect "polyglot block failure exits with its status (C2)" '
	run_cmd pyfail && expect_status 5
'
test_expect "dynamic calls work with real names in bash" '
	run_cmd dyn && expect_eq "$out" "sib-a
dyn"
'
test_expect "closure by words, not by substrings" '
	run_cmd --show-script uses && printf "%s" "$out" | grep -q "^sib-a() {" &&
	! printf "%s" "$out" | grep -q "^name()"
'
test_expect "cross-language wrapper passes values starting with -" '
	run_cmd callsnode && expect_status 0 && expect_eq "$out" "[\"-x\",\"a b\"]"
'
test_expect "working directory is run'\''s cwd" '
	printf "pwd_fn() pwd\n" >>Runfile && cd sub && run_cmd pwd_fn && expect_eq "$out" "$dir/sub"
'
test_expect "RUN_SHELL names the default shell (E9); missing shell is 127" '
	RUN_SHELL=dash run_cmd name && expect_status 0 && expect_eq "$out" "name" &&
	RUN_SHELL=no-such-shell run_cmd name && expect_status 127 &&
	expect_eq "$err" "error: interpreter '\''no-such-shell'\'' not found in PATH (needed by '\''name'\'')"
'
test_expect "RUN_SHELL as a path" '
	RUN_SHELL=/bin/sh run_cmd --output-format json name && printf "%s" "$out" | grep -q "\"interpreter\": \"sh\""
'
test_expect "missing polyglot interpreter: 127 with the exact message" '
	printf "# @shell ruby\nrb() puts 1\n" >R3 && mkdir bin && ln -s "$(command -v bash)" bin/bash &&
	{ PATH=$PWD/bin "$RUN_BIN" --runfile R3 rb 2>e; test $? = 127; } && expect_eq "$(cat e)" "error: interpreter '\''ruby'\'' not found in PATH (needed by '\''rb'\'')"
'
test_expect "pwsh is not supported yet" '
	printf "# @shell pwsh\nps() Write-Host 1\n" >R4 && run_cmd --runfile R4 ps && expect_status 126 &&
	printf "%s" "$err" | grep -q "^error: the pwsh interpreter is not supported yet"
'
test_expect "sh family: error messages start with the function name" '
	printf "oops() nosuchcmd_zz\n" >R5 && RUN_SHELL=dash run_cmd --runfile R5 oops && expect_status 127 &&
	printf "%s" "$err" | grep -q "^oops: "
'
test_expect "env passes through unchanged; parameters not exported" '
	printf "e(p) env\n" >R6 && FOO_X=1 run_cmd --runfile R6 e val && printf "%s" "$out" | grep -qx FOO_X=1 &&
	! printf "%s" "$out" | grep -q "^p="
'
test_expect "killed by SIGKILL: 137" '
	printf "k() kill -KILL \$\$\n" >R7 && run_cmd --runfile R7 k && expect_status 137 &&
	expect_eq "$err" "error: '\''k'\'' was killed by signal SIGKILL"
'
test_expect "SIGPIPE death prints nothing" '
	printf "p() kill -PIPE \$\$\n" >R8 && run_cmd --runfile R8 p && expect_status 141 && expect_eq "$err" ""
'
test_expect "prelude cannot call functions but sees assignments with expansions" '
	printf "V=\$(echo computed)\nW=\"a b\"\nshow() echo \"\$V|\$W\"\n" >R9 && run_cmd --runfile R9 show &&
	expect_eq "$out" "computed|a b"
'
test_expect "cd in a function does not affect run (new process per call)" '
	run_cmd cd_fn && expect_eq "$out" "/"
'
test_expect "RUN_SHELL path that exists but cannot be executed: 126, cannot start" '
	printf "echo\n" >notexec && chmod 644 notexec && RUN_SHELL=$PWD/notexec run_cmd name && expect_status 126 &&
	expect_eq "$err" "error: cannot start notexec for '\''name'\'': Permission denied"
'
test_expect "argument list too long: 126, cannot start" '
	{ printf "big() echo "; head -c 200000 /dev/zero | tr "\0" x; echo; } >R10 && run_cmd --runfile R10 big &&
	expect_status 126 && expect_eq "$err" "error: cannot start bash for '\''big'\'': Argument list too long"
'
test_expect "SIGTERM to run is forwarded to the function" '
	printf "slow() { sleep 5 & p=\$!; trap \"kill \$p; echo got-term; exit 9\" TERM; wait; }\n" >R11 &&
	{ "$RUN_BIN" --runfile R11 slow >o 2>e & pid=$!; } && sleep 0.5 && kill -TERM $pid; wait $pid; rc=$?
	test $rc = 9 && expect_eq "$(cat o)" "got-term"
'
test_expect "the child starts with default dispositions even if run inherited SIG_IGN" '
	printf "selfint() kill -INT \$\$\n" >R12 && (trap "" INT; "$RUN_BIN" --runfile R12 selfint 2>e); test $? = 130
'
test_expect "captured mode does not wait for background holders of the pipes" '
	printf "bg() { (sleep 3 &); echo hi; }\n" >R13 && s=$(date +%s) &&
	run_cmd --runfile R13 --output-format json bg && expect_status 0 &&
	test $(( $(date +%s) - s )) -lt 3 && printf "%s" "$out" | grep -qF "\"stdout\": \"hi\\n\""
'
test_expect "polyglot values are data (E2): a template literal stays code, the value text" '
	printf "# @shell node\nn(name) console.log(\`hi \${name}\`)\n# @shell python\np(name) print(f\"hi {name}\")\n" >R14 &&
	run_cmd --runfile R14 n "\${process.exit(7)}" && expect_status 0 && expect_eq "$out" "hi \${process.exit(7)}" &&
	run_cmd --runfile R14 p "{__import__(\"os\").getpid()}" && expect_eq "$out" "hi {__import__(\"os\").getpid()}"
'
test_expect "rest parameters with few arguments never fail, bash and sh (E6)" '
	printf "f(a, b = x, ...r) echo \"[\$a][\$b][\$r][\$#]\"\n" >R15 &&
	run_cmd --runfile R15 f 1 && expect_status 0 && expect_eq "$out" "[1][x][][1]" &&
	RUN_SHELL=dash run_cmd --runfile R15 f 1 && expect_status 0 && expect_eq "$out" "[1][x][][1]" &&
	RUN_SHELL=dash run_cmd --runfile R15 f 1 2 3 "4 5" && expect_eq "$out" "[1][2][3 4 5][4]"
'
test_done
