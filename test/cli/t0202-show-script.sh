#!/usr/bin/env bash
# --show-script: exact, deterministic program text that runs nothing (execution.md §5-§10,
# §14; cli.md §7.1; examples.md §1, §6, §14, §15).
. "$(dirname "$0")/../lib.sh"

dir=$(pwd -P)
exe=$(readlink -f "$RUN_BIN")

# show NAME...: run --show-script into $TEST_ROOT/show; byte-exact comparisons use files.
show() { "$RUN_BIN" --show-script "$@" >"$TEST_ROOT/show" 2>"$TEST_ROOT/show.err" </dev/null; }
# same FILE: compare $TEST_ROOT/show with FILE byte for byte.
same() {
    cmp -s "$TEST_ROOT/show" "$1" || { diff -u "$1" "$TEST_ROOT/show"; return 1; }
}

cat >Runfile <<'EOF'
export APP_ENV=staging
IMAGE=shop
touch "$__RUNFILE_DIR__/prelude-ran"

lint() ruff check .

# @noerrexit
cleanup() {
    docker rm -f shop-test
    rm -rf .cache
}

# @shell python
py:version() {
    import tomllib
    print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])
}

broken() { if true; then echo "no fi"; }

ci(...targets) {
    lint
    echo "testing ${targets:-all} for $(py:version)"
    cleanup
}

greet() echo "Hello, $1!"

# @shell node
fmt(price: float, qty: int = 1, gift: bool = false) {
    const total = (price * qty).toFixed(2);
    console.log(`total=${total} gift=${gift}`);
}
EOF

example6() {
    cat >"$TEST_ROOT/want" <<EOF
set -eo pipefail
export __RUNFILE_DIR__='$dir'
export APP_ENV=staging
IMAGE=shop
touch "\$__RUNFILE_DIR__/prelude-ran"

lint() {
    ruff check .
}

cleanup() (
    set +e +o pipefail
    docker rm -f shop-test
    rm -rf .cache
)

py:version() {
    '$exe' --runfile '$dir/Runfile' --no-prelude -- 'py:version' "\$@"
}

ci() {
    local targets="\${*:1}"
    lint
    echo "testing \${targets:-all} for \$(py:version)"
    cleanup
}

ci "\$@"
EOF
    show ci && same "$TEST_ROOT/want" && [ ! -e prelude-ran ]
}
test_expect "example 6: closure, prelude, errexit subshell, wrapper" example6

test_expect "arguments are ignored and never appear" '
    show ci "\$(touch pwned)" SECRET-VALUE && ! grep -q SECRET-VALUE "$TEST_ROOT/show" &&
    [ ! -e pwned ] && [ ! -e prelude-ran ]
'
test_expect "the output is byte-for-byte the same every time" '
    show ci && cp "$TEST_ROOT/show" "$TEST_ROOT/first" && show ci && same "$TEST_ROOT/first"
'
example1() {
    printf '%s\n' "set -eo pipefail" "export __RUNFILE_DIR__='$dir'" "export APP_ENV=staging" \
        "IMAGE=shop" "touch \"\$__RUNFILE_DIR__/prelude-ran\"" "" "greet() {" \
        "    echo \"Hello, \$1!\"" "}" "" "greet \"\$@\"" >"$TEST_ROOT/want"
    show greet 'Bob"; touch /tmp/pwned; echo "' && same "$TEST_ROOT/want"
}
test_expect "example 1 (with this file's prelude)" example1

example14() {
    cat >"$TEST_ROOT/want" <<EOF
set -eo pipefail
__run_exe=\$1 __run_prog=\$2
shift 2
export __RUNFILE_DIR__='$dir'
export APP_ENV=staging
IMAGE=shop
touch "\$__RUNFILE_DIR__/prelude-ran"
exec "\$__run_exe" -e "\$__run_prog" -- "\$@"

# program passed to node:
const __RUNFILE_DIR__ = process.env.__RUNFILE_DIR__ || '';
const price = parseFloat(process.argv[1]);
const qty = (process.argv.length > 2 && process.argv[2] !== '') ? parseInt(process.argv[2], 10) : 1;
const gift = (process.argv.length > 3 && process.argv[3] !== '') ? (process.argv[3] === 'true') : false;
const total = (price * qty).toFixed(2);
console.log(\`total=\${total} gift=\${gift}\`);
EOF
    show fmt && same "$TEST_ROOT/want" &&
    # Without a prelude the program alone: the exact text of examples.md §14.
    "$RUN_BIN" --show-script --no-prelude fmt >"$TEST_ROOT/show" &&
    sed -n '/^# program passed/,$p' "$TEST_ROOT/want" | tail -n +2 >"$TEST_ROOT/want2" &&
    same "$TEST_ROOT/want2"
}
test_expect "example 14: node program, with and without the prelude stage" example14

test_expect "--show-script resolves names like a run and fails like one" '
    show nope; [ $? = 127 ] && [ ! -s "$TEST_ROOT/show" ] &&
    grep -q "^error: Function '\''nope'\'' not found" "$TEST_ROOT/show.err" &&
    show py version && head -n 1 "$TEST_ROOT/show" | grep -q "^set -eo pipefail$"
'
test_expect "--show-script does not check arguments" '
    show fmt not-a-number && grep -q "^const price" "$TEST_ROOT/show"
'
test_expect "--show-script ignores --output-format" '
    "$RUN_BIN" --output-format json --show-script greet >"$TEST_ROOT/show" &&
    tail -n 1 "$TEST_ROOT/show" | grep -qx "greet \"\\\$@\""
'

# execution.md §5.7, in a directory of its own.
mkdir -p "$TEST_ROOT/shop"
cat >"$TEST_ROOT/shop/Runfile" <<'EOF'
IMAGE=shop
TAG=1.4.2

build-image(tag = "latest") docker build -t "$IMAGE:$tag" .

# @desc Release the image
release(registry, ...extra) {
    build-image "$TAG"
    docker push "$registry/$IMAGE:latest" $extra
}
EOF
shopdir=$(cd "$TEST_ROOT/shop" && pwd -P)
exec57() {
    cat >"$TEST_ROOT/want" <<EOF
set -eo pipefail
export __RUNFILE_DIR__='$shopdir'
IMAGE=shop
TAG=1.4.2

build-image() {
    local tag='latest'
    [ -z "\${1-}" ] || tag="\$1"
    docker build -t "\$IMAGE:\$tag" .
}

release() {
    local registry="\$1"
    local extra="\${*:2}"
    build-image "\$TAG"
    docker push "\$registry/\$IMAGE:latest" \$extra
}

release "\$@"
EOF
    cd "$TEST_ROOT/shop" && show release && same "$TEST_ROOT/want"
}
test_expect "execution §5.7 with bash" exec57
exec57dash() {
    cat >"$TEST_ROOT/want" <<EOF
set -e
export __RUNFILE_DIR__='$shopdir'
IMAGE=shop
TAG=1.4.2

__run_rest() {
    __run_skip=\$(( \$1 + 1 ))
    __run_r=''
    if [ "\$#" -gt "\$__run_skip" ]; then
        shift "\$__run_skip"
        __run_r="\$*"
    fi
}

build_image() {
    local tag='latest'
    [ -z "\${1-}" ] || tag="\$1"
    docker build -t "\$IMAGE:\$tag" .
}

release() {
    local registry="\$1"
    __run_rest 1 "\$@"
    local extra="\$__run_r"
    build_image "\$TAG"
    docker push "\$registry/\$IMAGE:latest" \$extra
}

release "\$@"
EOF
    cd "$TEST_ROOT/shop" && RUN_SHELL=dash show release && same "$TEST_ROOT/want"
}
test_expect "execution §5.7 with RUN_SHELL=dash" exec57dash
test_expect "the wrapper of a --runfile load names the absolute root file" '
    cd "$TEST_ROOT" && "$RUN_BIN" --runfile work/Runfile --show-script ci >"$TEST_ROOT/show" &&
    grep -qF -- "--runfile '\''$dir/Runfile'\'' --no-prelude -- '\''py:version'\''" "$TEST_ROOT/show"
'
test_done
