#!/usr/bin/env bash
# Running functions: values as data, bindings, checks, name resolution, statuses, signals
# (cli.md §3-§5, §11, §12; execution.md §3, §5, §11, §12; examples.md §1-§4).
. "$(dirname "$0")/../lib.sh"

# The runs of this file must create nothing: every hostile value is checked against this.
canary() { [ ! -e "$TEST_ROOT/pwned" ] && [ -d "$TEST_ROOT/keep" ]; }
mkdir -p "$TEST_ROOT/keep"

cat >Runfile <<'EOF'
greet() echo "Hello, $1!"

# @desc Deploy a version to an environment
deploy(env, version = "latest", dry_run: bool = false) {
    if [ "$dry_run" = true ]; then
        echo "would deploy $version to $env"
        return 0
    fi
    echo "deploying $version to $env"
}

in_container(name, ...cmd) {
    echo "container=$name cmd=[$cmd] argc=$#"
    printf '<%s>' "$@"; echo
}

docker() echo "docker itself: $*"
docker:compose:up(service = "all") echo "up $service"
build-release() echo "release build"
app:build() echo "app build: $*"
db:migrate:up() echo "migrate up: $*"

args() { printf '[%s]' "$@"; echo " n=$#"; }
zero() echo "$0"
fail() { echo out; echo err >&2; exit 3; }
die_by(sig) kill -s "$sig" $$
sleeper() exec sleep 30
where() echo "$__RUNFILE_DIR__"
stdin() { read -r line; echo "got: $line"; }
legacy() echo "port=${1:-8080}"
count(n: int, ratio: float = 0.5, opts: obj = '{}') echo "n=$n ratio=$ratio opts=$opts"
broken() { if true; then echo "no fi"; }
ok_after_broken() echo fine
# @shell pwsh
ps() Write-Host hi
a-b() echo 1
a_b() echo 2
EOF

test_expect "example 1: a value with quotes and ; is printed, not run" '
    run_cmd greet "Bob\"; touch $TEST_ROOT/pwned; echo \"" && expect_status 0 &&
    expect_eq "$out" "Hello, Bob\"; touch $TEST_ROOT/pwned; echo \"!" && canary
'
hostile() {
    local v
    # shellcheck disable=SC1003 # a literal backslash at the end of a value is the point
    for v in '$(touch "$TEST_ROOT/pwned")' "; rm -rf $TEST_ROOT/keep" '`touch "$TEST_ROOT/pwned"`' \
        "it's \"quoted\"" $'two\nlines' 'ünï©ødé ✓' '--list' '-h' '' '--' '$1 ${2} $@ \' '*'; do
        run_cmd args "$v" || return 1
        expect_status 0 && expect_eq "$out" "[$v] n=1" || return 1
    done
    canary
}
test_expect "hostile values arrive byte for byte and run nothing" hostile
test_expect "run greet --list passes --list to the function" '
    run_cmd greet --list && expect_status 0 && expect_eq "$out" "Hello, --list!"
'
test_expect "words after the name belong to it, -- included" '
    run_cmd args -- x -h --version && expect_eq "$out" "[--][x][-h][--version] n=4"
'
test_expect "an empty string is an argument" '
    run_cmd args "" && expect_eq "$out" "[] n=1"
'
test_expect "\$0 is the function name" '
    run_cmd zero && expect_eq "$out" "zero"
'

# examples.md §2
test_expect "example 2: required argument given, defaults used" '
    run_cmd deploy prod && expect_status 0 && expect_eq "$out" "deploying latest to prod"
'
test_expect "example 2: empty selects the default, YES is true" '
    run_cmd deploy prod "" YES && expect_status 0 && expect_eq "$out" "would deploy latest to prod"
'
test_expect "example 2: missing required argument" '
    run_cmd deploy; expect_status 2 && [ -z "$out" ] &&
    expect_eq "$err" "error: missing required argument '\''env'\'' for '\''deploy'\''
usage: run deploy <env> [version] [dry_run]"
'
test_expect "example 2: an invalid boolean" '
    run_cmd deploy prod 2.1 maybe; expect_status 2 &&
    expect_eq "$err" "error: argument '\''dry_run'\'' of '\''deploy'\'' must be a boolean (true/false/yes/no/on/off/1/0), got '\''maybe'\''
usage: run deploy <env> [version] [dry_run]"
'
test_expect "typed checks: integer, number, object" '
    run_cmd count x; expect_status 2 &&
    grep -qx "error: argument '\''n'\'' of '\''count'\'' must be an integer, got '\''x'\''" <<<"$err" &&
    grep -qx "usage: run count <n> \[ratio\] \[opts\]" <<<"$err" &&
    run_cmd count 1 abc; expect_status 2 && grep -q "must be a number, got '\''abc'\''" <<<"$err" &&
    run_cmd count 1 2 "[1]"; expect_status 2 && grep -q "must be a JSON object" <<<"$err" &&
    run_cmd count -7 2e3 "{\"a\": 1}" && expect_status 0 &&
    expect_eq "$out" "n=-7 ratio=2e3 opts={\"a\": 1}"
'
test_expect "legacy functions are not checked" '
    run_cmd legacy && expect_eq "$out" "port=8080" && run_cmd legacy 9 && expect_eq "$out" "port=9"
'

# examples.md §3
test_expect "example 3: rest parameter with no rest arguments" '
    run_cmd in_container web && expect_status 0 && expect_eq "$out" "container=web cmd=[] argc=1
<web>"
'
test_expect "example 3: rest parameter joins, \$@ keeps every word" '
    run_cmd in_container web ls -la "/srv/my app" &&
    expect_eq "$out" "container=web cmd=[ls -la /srv/my app] argc=4
<web><ls><-la></srv/my app>"
'

# examples.md §4 and the table of cli.md §4
test_expect "example 4: an exact first word wins" '
    run_cmd docker compose up api && expect_eq "$out" "docker itself: compose up api"
'
test_expect "example 4: namespace by words" '
    run_cmd docker:compose up api && expect_eq "$out" "up api"
'
test_expect "example 4: loose match of _ and -" '
    run_cmd build_release && expect_eq "$out" "release build"
'
test_expect "example 4: unknown function" '
    run_cmd dockr; expect_status 127 && [ -z "$out" ] &&
    expect_eq "$(head -n 1 <<<"$err")" "error: Function '\''dockr'\'' not found" &&
    grep -q "^hint: " <<<"$err"
'
test_expect "cli §4: namespaces at any depth, longest first" '
    run_cmd db migrate up 3 && expect_eq "$out" "migrate up: 3" &&
    run_cmd db:migrate up && expect_eq "$out" "migrate up: " &&
    run_cmd app build x && expect_eq "$out" "app build: x" &&
    run_cmd app__build && expect_eq "$out" "app build: " &&
    run_cmd app--build y && expect_eq "$out" "app build: y"
'
test_expect "cli §4: words that are not name segments are arguments" '
    run_cmd app "b uild"; expect_status 127
'
test_expect "an ambiguous loose name is a usage error" '
    run_cmd a:b; expect_status 2 &&
    expect_eq "$err" "error: '\''a:b'\'' matches several functions: a-b, a_b"
'
test_expect "names are case-sensitive" '
    run_cmd GREET; expect_status 127
'

# statuses and messages (cli.md §5.2, §11; execution.md §12.2)
test_expect "the function's own status, with one line on stderr" '
    run_cmd fail; expect_status 3 && expect_eq "$out" "out" &&
    expect_eq "$err" "err
error: '\''fail'\'' exited with status 3"
'
test_expect "killed by a signal: 128+N and the signal name" '
    run_cmd die_by KILL; expect_status 137 &&
    expect_eq "$err" "error: '\''die_by'\'' was killed by signal SIGKILL"
'
test_expect "no line for SIGINT and SIGPIPE" '
    run_cmd die_by INT; expect_status 130 && [ -z "$err" ] &&
    run_cmd die_by PIPE; expect_status 141 && [ -z "$err" ]
'
sigterm_forwarded() {
    "$RUN_BIN" sleeper >"$TEST_ROOT/.o" 2>"$TEST_ROOT/.e" &
    local pid=$! st
    sleep 0.3
    kill -INT "$pid"   # ignored by run itself (and not sent to the child)
    sleep 0.1
    kill -TERM "$pid"
    wait "$pid"; st=$?
    [ "$st" = 143 ] || { echo "status $st"; cat "$TEST_ROOT/.e"; return 1; }
    grep -qx "error: 'sleeper' was killed by signal SIGTERM" "$TEST_ROOT/.e"
}
test_expect "SIGTERM to run reaches the function: 143" sigterm_forwarded
test_expect "stdin is inherited in stream mode" '
    out=$(echo "hello there" | "$RUN_BIN" stdin) && expect_eq "$out" "got: hello there"
'
test_expect "__RUNFILE_DIR__ is the canonical Runfile directory" '
    mkdir -p sub && cd sub && run_cmd where && expect_eq "$out" "$(cd .. && pwd -P)"
'
test_expect "RUN_RUNFILE_DIR overrides __RUNFILE_DIR__" '
    mkdir -p "$TEST_ROOT/other" && RUN_RUNFILE_DIR="$TEST_ROOT/other" run_cmd where &&
    expect_eq "$out" "$(cd "$TEST_ROOT/other" && pwd -P)"
'
test_expect "a syntax error in an unreached function does not matter" '
    run_cmd ok_after_broken && expect_eq "$out" "fine" &&
    run_cmd broken; expect_status 2
'
test_expect "interpreter not in PATH: 127 with the exact message" '
    RUN_SHELL=no-such-shell run_cmd greet; expect_status 127 &&
    expect_eq "$err" "error: interpreter '\''no-such-shell'\'' not found in PATH (needed by '\''greet'\'')"
'
test_expect "pwsh is refused with 126" '
    run_cmd ps; expect_status 126 && grep -q "^error: the pwsh interpreter is not supported yet" <<<"$err"
'
test_expect "an interpreter that cannot be executed: 126" '
    printf "#!/bin/sh\n" >"$TEST_ROOT/noexec-sh" && chmod 644 "$TEST_ROOT/noexec-sh" &&
    RUN_SHELL="$TEST_ROOT/noexec-sh" run_cmd greet; expect_status 126 &&
    grep -q "^error: cannot start noexec-sh for '\''greet'\'': Permission denied" <<<"$err" &&
    printf "#!/no/such/interp\n" >"$TEST_ROOT/bad-sh" && chmod 755 "$TEST_ROOT/bad-sh" &&
    RUN_SHELL="$TEST_ROOT/bad-sh" run_cmd greet; expect_status 126 &&
    grep -q "^error: cannot start bad-sh for '\''greet'\'': " <<<"$err"
'
test_expect "a program over the per-string limit of exec: 126" '
    mkdir -p huge && cd huge &&
    { echo "huge() {"; for i in $(seq 1 3000); do echo "    echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; done; echo "}"; } >Runfile &&
    run_cmd huge; expect_status 126 &&
    expect_eq "$err" "error: cannot start bash for '\''huge'\'': Argument list too long"
'
test_expect "sh name collision is an error in sh, fine in bash" '
    printf "x() { a-b; a_b; }\n" >>Runfile &&
    RUN_SHELL=dash run_cmd x; expect_status 1 &&
    expect_eq "$err" "error: functions '\''a-b'\'' and '\''a_b'\'' have the same name in sh; rename one or use bash" &&
    run_cmd x && expect_eq "$out" "1
2"
'
test_expect "no Runfile: exit 1" '
    mkdir -p "$TEST_ROOT/empty" && cd "$TEST_ROOT/empty" && HOME="$TEST_ROOT/empty" run_cmd greet;
    expect_status 1 && grep -q "^error: No Runfile found" <<<"$err"
'
test_done
