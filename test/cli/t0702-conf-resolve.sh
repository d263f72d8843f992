#!/usr/bin/env bash
# Spec conformance: name resolution and argument checks (cli.md §4, §5, §12; execution.md §3).
. "$(dirname "$0")/../lib.sh"

cat >Runfile <<'EOF'
docker() echo "docker:[$*]"
docker:build() echo "docker:build:[$*]"
db:migrate:up() echo "db:migrate:up:[$*]"
build-release() echo "build-release:[$*]"
app:build() echo "app:build:[$*]"
a:b_c() echo "a:b_c"
a-b:c() echo "a-b:c"
Case() echo "Case"
k8s:v2() echo "k8s:v2:[$*]"
EOF

t() { # t WORDS... -- EXPECTED_OUT
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	run_cmd "${args[@]}" && expect_status 0 && expect_eq "$out" "$2"
}
test_expect "exact W0 first" 't docker build -- "docker:[build]"'
test_expect "namespaces at depth" 't db migrate up 3 -- "db:migrate:up:[3]"'
test_expect "partially joined" 't db:migrate up -- "db:migrate:up:[]"'
test_expect "loose: app__build" 't app__build -- "app:build:[]"'
test_expect "loose: build_release" 't build_release -- "build-release:[]"'
test_expect "loose: build:release and build--release" 't build:release -- "build-release:[]" && t build__-release -- "build-release:[]"'
test_expect "words: app build x" 't app build x -- "app:build:[x]"'
test_expect "longest candidate first" 't db migrate up -- "db:migrate:up:[]"'
test_expect "later segment may start with a digit" 't k8s v2 z -- "k8s:v2:[z]"'
test_expect "loose through words (app build_x is not a name): exact fallback" '
	t app_build x -- "app:build:[x]"
'
test_expect "ambiguous loose match: exact message, exit 2" '
	run_cmd a_b_c && expect_status 2 &&
	expect_eq "$err" "error: '\''a_b_c'\'' matches several functions: a-b:c, a:b_c" && expect_eq "$out" ""
'
test_expect "case-sensitive: not found, exact + hint, 127" '
	run_cmd case && expect_status 127 &&
	expect_eq "$err" "error: Function '\''case'\'' not found
hint: run --list shows the available functions"
'
test_expect "invalid segment word skips the candidate" '
	run_cmd docker:build && expect_eq "$out" "docker:build:[]" &&
	run_cmd db migrate "up!" && expect_status 127
'
test_expect "W0 with a space is just not found" '
	run_cmd "no such" && expect_status 127 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: Function '\''no such'\'' not found"
'

cat >R2 <<'EOF'
deploy(env, version = "latest", ...flags) echo "env=$env version=$version flags=[$flags] n=$#"
typed(n: int, x: float = 1.5, b: bool = false, o: object = '{"a": 1}') echo "n=$n x=$x b=$b o=$o"
req_num(x: number) echo "x=$x"
req_obj(o: obj) echo "o=$o"
# @arg 1:port int Port
legacy() echo "legacy:[${1:-8080}]"
EOF
test_expect "missing required: exact, usage synopsis, exit 2" '
	run_cmd --runfile R2 deploy && expect_status 2 && expect_eq "$out" "" &&
	expect_eq "$err" "error: missing required argument '\''env'\'' for '\''deploy'\''
usage: run deploy <env> [version] [flags...]"
'
test_expect "empty string is an argument" '
	run_cmd --runfile R2 deploy "" && expect_status 0 && expect_eq "$out" "env= version=latest flags=[] n=1"
'
test_expect "integer: an integer" '
	run_cmd --runfile R2 typed 1.5 && expect_status 2 &&
	expect_eq "$err" "error: argument '\''n'\'' of '\''typed'\'' must be an integer, got '\''1.5'\''
usage: run typed <n> [x] [b] [o]"
'
test_expect "integer overflow rejected, +7 accepted unchanged" '
	run_cmd --runfile R2 typed 99999999999999999999 && expect_status 2 &&
	run_cmd --runfile R2 typed +7 && expect_eq "$out" "n=+7 x=1.5 b=false o={\"a\":1}"
'
test_expect "number: a number" '
	run_cmd --runfile R2 typed 1 abc && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: argument '\''x'\'' of '\''typed'\'' must be a number, got '\''abc'\''" &&
	run_cmd --runfile R2 typed 1 .5e3 && expect_status 0 && expect_eq "$out" "n=1 x=.5e3 b=false o={\"a\":1}"
'
test_expect "boolean: a boolean (...) and normalisation" '
	run_cmd --runfile R2 typed 1 "" maybe && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: argument '\''b'\'' of '\''typed'\'' must be a boolean (true/false/yes/no/on/off/1/0), got '\''maybe'\''" &&
	run_cmd --runfile R2 typed 1 "" On && expect_eq "$out" "n=1 x=1.5 b=true o={\"a\":1}" &&
	run_cmd --runfile R2 typed 1 "" 0 && expect_eq "$out" "n=1 x=1.5 b=false o={\"a\":1}"
'
test_expect "object: a JSON object" '
	run_cmd --runfile R2 typed 1 "" "" "[1]" && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: argument '\''o'\'' of '\''typed'\'' must be a JSON object, got '\''[1]'\''" &&
	run_cmd --runfile R2 typed 1 "" "" "{\"k\":[1]}" && expect_eq "$out" "n=1 x=1.5 b=false o={\"k\":[1]}"
'
test_expect "empty value for a required typed parameter is an error" '
	run_cmd --runfile R2 req_num "" && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: argument '\''x'\'' of '\''req_num'\'' must be a number, got '\'''\''" &&
	run_cmd --runfile R2 req_obj && expect_status 2 &&
	expect_eq "$(printf "%s\n" "$err" | head -1)" "error: missing required argument '\''o'\'' for '\''req_obj'\''"
'
test_expect "extra arguments allowed and kept in \$@" '
	run_cmd --runfile R2 req_num 2 extra && expect_status 0 && expect_eq "$out" "x=2"
'
test_expect "legacy @arg functions are not checked on the CLI" '
	run_cmd --runfile R2 legacy && expect_status 0 && expect_eq "$out" "legacy:[8080]" &&
	run_cmd --runfile R2 legacy abc && expect_eq "$out" "legacy:[abc]"
'
test_expect "rest gets joined words; \$# counts all" '
	run_cmd --runfile R2 deploy prod 1.0 -x "a b" && expect_eq "$out" "env=prod version=1.0 flags=[-x a b] n=4"
'
test_expect "argument errors in captured mode print nothing on stdout" '
	run_cmd --runfile R2 --output-format json deploy && expect_status 2 && expect_eq "$out" "" &&
	run_cmd --runfile R2 --output-format markdown nosuch && expect_status 127 && expect_eq "$out" ""
'
test_expect "show-script does not check arguments" '
	run_cmd --runfile R2 --show-script typed notanint && expect_status 0
'
test_done
