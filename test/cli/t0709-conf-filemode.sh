#!/usr/bin/env bash
# Spec conformance: file mode (cli.md §7; execution.md §13; examples.md §15).
. "$(dirname "$0")/../lib.sh"

mkdir -p scripts/lib other
cat >deploy.run <<'EOF'
TARGET=${1:-staging}
greet(who) echo "hello $who"
echo "deploying to $TARGET"
greet("$TARGET team")
EOF
dir=$(pwd -P)
printf 'global() :\n' >"$HOME/.runfile"
printf 'project() echo project\n' >Runfile

test_expect "example 15: run with and without arguments" '
	run_cmd ./deploy.run prod && expect_status 0 && expect_eq "$out" "deploying to prod
hello prod team" && run_cmd deploy.run && expect_eq "$out" "deploying to staging
hello staging team"
'
test_expect "example 15: --show-script" '
	run_cmd --show-script ./deploy.run && expect_eq "$out" "set -eo pipefail
export __RUNFILE_DIR__='\''$dir'\''

greet() {
    local who=\"\$1\"
    echo \"hello \$who\"
}

TARGET=\${1:-staging}
echo \"deploying to \$TARGET\"
greet \"\$TARGET team\""
'
test_expect "cannot read FILE: exact message, exit 1" '
	run_cmd ./nope.run && expect_status 1 && expect_eq "$err" "error: cannot read '\''./nope.run'\'': No such file or directory" &&
	run_cmd scripts/ && expect_status 1 && expect_eq "$err" "error: cannot read '\''scripts/'\'': Is a directory"
'
test_expect "\$0 is the file path as typed; \"\$@\" the words after it" '
	printf "echo \"\$0|\$#|\$*\"\n" >scripts/a.run && run_cmd ./scripts/a.run x "y z" --list &&
	expect_eq "$out" "./scripts/a.run|3|x y z --list"
'
test_expect "__RUNFILE_DIR__ is the script'\''s own directory; source relative to it" '
	printf "lib() echo lib\n" >scripts/lib/l.run &&
	printf "source lib/l.run\necho \"\$__RUNFILE_DIR__\"\nlib()\n" >scripts/b.run &&
	cd other && run_cmd ../scripts/b.run && expect_eq "$out" "$dir/scripts
lib"
'
test_expect "no discovery, no global merge: project functions are unknown" '
	printf "project()\n" >c.run && run_cmd ./c.run && expect_status 1 &&
	printf "%s" "$err" | grep -q "^c.run:1:1: error: call to unknown function '\''project'\''$"
'
test_expect "errexit: the first failing statement stops the script with its status" '
	printf "echo one\n(exit 4)\necho two\n" >e.run && run_cmd ./e.run && expect_status 4 && expect_eq "$out" "one" &&
	printf "echo one\nfalse | true\necho two\n" >p.run && run_cmd ./p.run && expect_status 1 && expect_eq "$out" "one"
'
test_expect "parse errors: nothing runs, exit 1" '
	printf "touch ran\nbad(a b) :\n" >bad.run && run_cmd ./bad.run && expect_status 1 && test ! -e ran
'
test_expect "sh family file mode (RUN_SHELL=dash) with sh names" '
	printf "a-b(x) echo \"ab \$x\"\na-b(1)\n" >sh.run && RUN_SHELL=dash run_cmd ./sh.run && expect_eq "$out" "ab 1" &&
	RUN_SHELL=dash run_cmd --show-script ./sh.run && expect_eq "$(printf "%s\n" "$out" | tail -1)" "a_b 1" &&
	expect_eq "$(printf "%s\n" "$out" | head -1)" "set -e"
'
test_expect "calls with quoted and bare arguments; closure from all statements" '
	printf "show(...a) printf \"<%%s>\" \"\$@\"\nV=v\nshow(bare, \"q, (x)\", '\''s q'\'', \$V, \${V})\n" >calls.run &&
	run_cmd ./calls.run && expect_eq "$out" "<bare><q, (x)><s q><v><v>"
'
test_expect "polyglot call from a script goes through a wrapper with the script as root" '
	printf "# @shell python\npy(x) print(\"py\", x)\npy(1)\n" >poly.run && run_cmd ./poly.run && expect_eq "$out" "py 1" &&
	run_cmd --show-script ./poly.run && printf "%s" "$out" | grep -qF -- "--runfile '\''$dir/poly.run'\'' --no-prelude -- '\''py'\''"
'
test_expect "a .run file loaded through --runfile is a Runfile: calls ignored" '
	run_cmd --runfile deploy.run greet x && expect_eq "$out" "deploying to x
hello x"
'
test_expect "--no-prelude does not apply to file mode" '
	run_cmd --no-prelude ./deploy.run prod && expect_eq "$out" "deploying to prod
hello prod team"
'
test_expect "stdin is inherited in stream file mode" '
	printf "read -r l; echo \"got \$l\"\n" >in.run && echo hello | "$RUN_BIN" ./in.run >o && expect_eq "$(cat o)" "got hello"
'
test_expect "functions in scripts keep errexit; @noerrexit ones go on" '
	printf "# @noerrexit\nf() { false; echo f-on; }\nf()\necho end\n" >ne.run && run_cmd ./ne.run && expect_eq "$out" "f-on
end"
'
test_done
