#!/usr/bin/env bash
# Spec conformance: exact --show-script layouts (execution.md §4, §5, §7-§10, §14).
. "$(dirname "$0")/../lib.sh"

dir=$(pwd -P)
exe=$(readlink -f "$RUN_BIN")
# want: the expected script on stdin; compare with --show-script "$@" byte for byte.
want() {
	cat >"$TEST_ROOT/want"
	"$RUN_BIN" --show-script "$@" >"$TEST_ROOT/got" 2>"$TEST_ROOT/got.err" </dev/null || {
		echo "status $?"; cat "$TEST_ROOT/got.err"; return 1; }
	cmp -s "$TEST_ROOT/want" "$TEST_ROOT/got" || { diff -u "$TEST_ROOT/want" "$TEST_ROOT/got"; return 1; }
}

cat >Runfile <<'EOF'
ten(a, b, c, d, e, f, g, h, i, j, k = "K", ...rest) echo "$j $k"
empty() { }
q(s = "it's \"q\" \\ \n", n: int = +007, x: float = 2e3, y: number = .5, z: float = 0.1, b: bool = YES, u = a b , w = '$HOME/x') :
# @noerrexit
loose() {
    false
    ten
}
strict() echo strict
EOF

test_expect "\${10} from position 10, rest \${*:12}" "want ten <<'EOF'
set -eo pipefail
export __RUNFILE_DIR__='$dir'

ten() {
    local a=\"\$1\"
    local b=\"\$2\"
    local c=\"\$3\"
    local d=\"\$4\"
    local e=\"\$5\"
    local f=\"\$6\"
    local g=\"\$7\"
    local h=\"\$8\"
    local i=\"\$9\"
    local j=\"\${10}\"
    local k='K'
    [ -z \"\${11-}\" ] || k=\"\${11}\"
    local rest=\"\${*:12}\"
    echo \"\$j \$k\"
}

ten \"\$@\"
EOF"
test_expect "empty body is the single line ':'" "want empty <<'EOF'
set -eo pipefail
export __RUNFILE_DIR__='$dir'

empty() {
    :
}

empty \"\$@\"
EOF"
test_expect "defaults: escapes, literal quoting, normalised types" "want q <<'EOF'
set -eo pipefail
export __RUNFILE_DIR__='$dir'

q() {
    local s='it'\\''s \"q\" \\ \\n'
    [ -z \"\${1-}\" ] || s=\"\$1\"
    local n='7'
    [ -z \"\${2-}\" ] || n=\"\$2\"
    local x='2000.0'
    [ -z \"\${3-}\" ] || x=\"\$3\"
    local y='0.5'
    [ -z \"\${4-}\" ] || y=\"\$4\"
    local z='0.1'
    [ -z \"\${5-}\" ] || z=\"\$5\"
    local b='true'
    [ -z \"\${6-}\" ] || b=\"\$6\"
    local u='a b'
    [ -z \"\${7-}\" ] || u=\"\$7\"
    local w='\$HOME/x'
    [ -z \"\${8-}\" ] || w=\"\$8\"
    :
}

q \"\$@\"
EOF"
test_expect "entry @noerrexit: no errexit line; errexit sibling is a subshell" "want loose <<'EOF'
export __RUNFILE_DIR__='$dir'

ten() (
    local a=\"\$1\"
    local b=\"\$2\"
    local c=\"\$3\"
    local d=\"\$4\"
    local e=\"\$5\"
    local f=\"\$6\"
    local g=\"\$7\"
    local h=\"\$8\"
    local i=\"\$9\"
    local j=\"\${10}\"
    local k='K'
    [ -z \"\${11-}\" ] || k=\"\${11}\"
    local rest=\"\${*:12}\"
    set -eo pipefail
    echo \"\$j \$k\"
)

loose() {
    false
    ten
}

loose \"\$@\"
EOF"

mkdir sh && cat >sh/Runfile <<'EOF'
V=1
build-image(tag = "x") echo "build $tag"
# @noerrexit
docker:push(...extra) {
    build-image "$extra"; echo "build-image" # build-image
    if true; then build-image; fi
    x=build-image
    $(build-image)
}
# @shell bash
bashy() echo bash
both() {
    docker:push a b
    bashy
}
a-b() :
a_b() :
clash() { a-b; a_b; }
EOF
shdir=$(cd sh && pwd -P)
test_expect "sh family: sh names, rewriting, rest helper, subshell set +e, wrapper" "RUN_SHELL=dash want --runfile sh both <<'EOF'
set -e
export __RUNFILE_DIR__='$shdir'
V=1

__run_rest() {
    __run_skip=\$(( \$1 + 1 ))
    __run_r=''
    if [ \"\$#\" -gt \"\$__run_skip\" ]; then
        shift \"\$__run_skip\"
        __run_r=\"\$*\"
    fi
}

build_image() {
    local tag='x'
    [ -z \"\${1-}\" ] || tag=\"\$1\"
    echo \"build \$tag\"
}

docker__push() (
    __run_rest 0 \"\$@\"
    local extra=\"\$__run_r\"
    set +e
    build_image \"\$extra\"; echo \"build-image\" # build-image
    if true; then build_image; fi
    x=build-image
    \$(build_image)
)

bashy() {
    '$exe' --runfile '$shdir/Runfile' --no-prelude -- 'bashy' \"\$@\"
}

both() {
    docker__push a b
    bashy
}

both \"\$@\"
EOF"
test_expect "sh family: name collision is an error, exit 1" '
	RUN_SHELL=dash run_cmd --runfile sh --show-script clash && expect_status 1 &&
	expect_eq "$err" "error: functions '\''a-b'\'' and '\''a_b'\'' have the same name in sh; rename one or use bash"
'
test_expect "sh family via RUN_SHELL path; label is the basename" '
	RUN_SHELL=/usr/bin/dash run_cmd --runfile sh --output-format json build-image &&
	printf "%s" "$out" | grep -q "\"interpreter\": \"dash\""
'
test_expect "RUN_SHELL=/bin/bash is bash family" '
	RUN_SHELL=/bin/bash run_cmd --runfile sh --show-script both && expect_eq "$(printf "%s\n" "$out" | head -1)" "set -eo pipefail"
'

mkdir py && cat >py/Runfile <<'EOF'
export GREETING=hi
# @shell python
p(name, n: int = 2, f: float = 1, b: bool = off, o: object = '{"a": [1, "x"]}', s = "it's\\") {
    #!/usr/bin/env python3
    print(name)
}
# @noerrexit
# @shell ruby
r(a, b = "q", o: obj = '{}', ...rest) puts a
EOF
pydir=$(cd py && pwd -P)
py=$(command -v python3)
test_expect "python prelude stage, then '# program passed to python:'" "want --runfile py p <<EOF
set -eo pipefail
__run_exe=\\\$1 __run_prog=\\\$2
shift 2
export __RUNFILE_DIR__='$pydir'
export GREETING=hi
exec \"\\\$__run_exe\" -c \"\\\$__run_prog\" \"\\\$@\"

# program passed to python:
import sys, os, json
__RUNFILE_DIR__ = os.environ.get('__RUNFILE_DIR__', '')
name = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != '' else 2
f = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != '' else 1.0
b = (sys.argv[4] == 'true') if len(sys.argv) > 4 and sys.argv[4] != '' else False
o = json.loads(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] != '' else json.loads('{\"a\":[1,\"x\"]}')
s = sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] != '' else 'it\\\\'s\\\\\\\\'
print(name)
EOF"
test_expect "ruby stage without errexit (@noerrexit), ruby preamble" "want --runfile py r <<EOF
__run_exe=\\\$1 __run_prog=\\\$2
shift 2
export __RUNFILE_DIR__='$pydir'
export GREETING=hi
exec \"\\\$__run_exe\" -e \"\\\$__run_prog\" -- \"\\\$@\"

# program passed to ruby:
require 'json'
__RUNFILE_DIR__ = ENV.fetch('__RUNFILE_DIR__', '')
a = ARGV[0]
b = (ARGV.length > 1 && ARGV[1] != '') ? ARGV[1] : 'q'
o = (ARGV.length > 2 && ARGV[2] != '') ? JSON.parse(ARGV[2]) : JSON.parse('{}')
rest = ARGV.drop(3)
puts a
EOF"
test_expect "polyglot runs: values are argv, bools normalised, prelude exports visible" '
	run_cmd --runfile py p Ann && expect_status 0 && expect_eq "$out" "Ann" &&
	printf "# @shell python\npe() print(__import__(\"os\").environ[\"GREETING\"], __RUNFILE_DIR__)\n" >>py/Runfile &&
	run_cmd --runfile py pe && expect_eq "$out" "hi $pydir"
'
test_expect "deterministic output" '
	a=$("$RUN_BIN" --runfile sh --show-script both x); b=$("$RUN_BIN" --runfile sh --show-script both y z) &&
	expect_eq "$a" "$b"
'
test_expect "--show-script fails like a run: missing interpreter 127, pwsh 126" '
	printf "f() echo\n# @shell pwsh\nps() x\n" >R1 && RUN_SHELL=nosuch run_cmd --runfile R1 --show-script f &&
	expect_status 127 && expect_eq "$out" "" &&
	expect_eq "$err" "error: interpreter '\''nosuch'\'' not found in PATH (needed by '\''f'\'')" &&
	run_cmd --runfile R1 --show-script ps && expect_status 126 && expect_eq "$out" ""
'
test_done
