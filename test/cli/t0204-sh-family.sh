#!/usr/bin/env bash
# sh-family scripts really run: RUN_SHELL=dash (and sh), sh names, call-site rewriting, the
# rest helper, errexit per function, wrappers for bash functions (execution.md §2, §5, §7, §10).
. "$(dirname "$0")/../lib.sh"

command -v dash >/dev/null || { echo "ok 1 # SKIP dash not installed"; echo "1..1"; exit 0; }

cat >Runfile <<'EOF'
IMAGE=shop

build-image(tag = "latest") echo "build $IMAGE:$tag"

release(registry, ...extra) {
    build-image "1.0"
    echo "push $registry extra=[$extra] argc=$#"
}

docker:up() echo "up $*"

calls() {
    if build-image x; then docker:up a; fi
    v=$(docker:up "in subst")
    echo "v=$v"
    echo "docker:up stays text"; echo 'build-image too'
    for n in 1 2; do docker:up "$n"; done
    true && build-image y || echo no
}

# @noerrexit
lenient() {
    false
    echo "still here"
}

strict() {
    lenient
    false
    echo "never printed"
}

# @shell bash
bashy() { local a=(x y z); echo "bash array ${a[1]} $0"; }

uses_bash() {
    bashy
    echo "back in $0"
}

name() echo "$0"
EOF

test_expect "RUN_SHELL=dash runs with sh names and the rest helper" '
    RUN_SHELL=dash run_cmd release reg a "b c" && expect_status 0 &&
    expect_eq "$out" "build shop:1.0
push reg extra=[a b c] argc=3" &&
    RUN_SHELL=dash run_cmd release reg && expect_eq "$out" "build shop:1.0
push reg extra=[] argc=1"
'
test_expect "call sites in command position are rewritten, text is not" '
    RUN_SHELL=dash run_cmd calls && expect_status 0 &&
    expect_eq "$out" "build shop:x
up a
v=up in subst
docker:up stays text
build-image too
up 1
up 2
build shop:y"
'
test_expect "the generated script is really dash-compatible: same output as bash" '
    run_cmd calls && bash_out=$out && RUN_SHELL=dash run_cmd calls && expect_eq "$out" "$bash_out"
'
test_expect "@noerrexit sibling in a subshell; errexit still stops the caller" '
    RUN_SHELL=dash run_cmd strict; expect_status 1 &&
    expect_eq "$out" "still here" &&
    grep -qx "error: '\''strict'\'' exited with status 1" <<<"$err"
'
test_expect "a bash function called from an sh script goes through a wrapper" '
    RUN_SHELL=dash run_cmd uses_bash && expect_status 0 &&
    expect_eq "$out" "bash array y bashy
back in uses_bash" &&
    RUN_SHELL=dash "$RUN_BIN" --show-script uses_bash | grep -q "^bashy() {$" &&
    RUN_SHELL=dash "$RUN_BIN" --show-script uses_bash | grep -q -- "--no-prelude -- '\''bashy'\''"
'
test_expect "RUN_SHELL as a path; the label is the basename" '
    RUN_SHELL=$(command -v dash) run_cmd --output-format json name && expect_status 0 &&
    grep -q "\"interpreter\": \"dash\"" <<<"$out"
'
test_expect "\$0 is the function name in sh too" '
    RUN_SHELL=dash run_cmd name && expect_eq "$out" "name" &&
    RUN_SHELL=dash run_cmd docker up 1 && expect_eq "$out" "up 1"
'
test_expect "without bash in PATH the default shell is sh" '
    mkdir -p "$TEST_ROOT/bin" && ln -s "$(command -v dash)" "$TEST_ROOT/bin/sh" &&
    for t in echo cat; do ln -s "$(command -v $t)" "$TEST_ROOT/bin/$t"; done &&
    PATH="$TEST_ROOT/bin" "$RUN_BIN" --show-script name >"$TEST_ROOT/s" &&
    head -n 1 "$TEST_ROOT/s" | grep -qx "set -e" &&
    out=$(PATH="$TEST_ROOT/bin" "$RUN_BIN" release r x) &&
    expect_eq "$out" "build shop:1.0
push r extra=[x] argc=2"
'
test_done
