#!/usr/bin/env bash
# Compatibility with nihilok/run's transpiler unit tests (run/src/transpiler.rs), observed
# through --show-script and by running: how a function is written into the shell script and
# how sibling call sites are named. Script names follow execution.md §5.2 (bash keeps real
# names; the sh family renames `a:b` to `a__b` and rewrites call sites), which is what the
# original's sanitising tests describe for sh. One test per original test function.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=test/cli/compat-lib.sh
. "$HERE/compat-lib.sh"

test_expect "test_transpile_simple_shell_function" '
    fresh && printf "build() echo cargo build\n" >Runfile
    run_cmd --show-script build && expect_status 0 && has "$out" "build() {
    echo cargo build
}"
'

test_expect "test_transpile_block_shell_function" '
    fresh && printf "ci() {\n    echo cargo build --release\n    echo cargo test\n}\n" >Runfile
    run_cmd --show-script ci && expect_status 0 && has "$out" "ci() {
    echo cargo build --release
    echo cargo test
}" && run_cmd ci && expect_eq "$out" "cargo build --release
cargo test"
'

test_expect "test_transpile_colon_name" '
    fresh && printf "docker:build() echo docker build .\n" >Runfile
    RUN_SHELL=sh run_cmd --show-script docker:build && expect_status 0 &&
    has "$out" "docker__build() {
    echo docker build .
}" && RUN_SHELL=sh run_cmd docker:build && expect_eq "$out" "docker build ."
'

test_expect "test_sanitise_name" '
    fresh && printf "multi:level:name() echo deep\nsimple() echo plain\nall() {\n    multi:level:name\n    simple\n}\n" >Runfile
    RUN_SHELL=sh run_cmd --show-script all && expect_status 0 &&
    has "$out" "multi__level__name() {" && has "$out" "simple() {" &&
    RUN_SHELL=sh run_cmd all && expect_eq "$out" "deep
plain"
'

test_expect "test_rewrite_call_sites_simple" '
    fresh && printf "docker:build() echo built\ndocker:push() echo pushed\nrelease() {\n    docker:build\n    docker:push\n}\n" >Runfile
    RUN_SHELL=sh run_cmd --show-script release && expect_status 0 &&
    has "$out" "    docker__build
    docker__push
" && RUN_SHELL=sh run_cmd release && expect_eq "$out" "built
pushed"
'

test_expect "test_rewrite_call_sites_with_args" '
    fresh && printf "docker:build() echo \"built \$*\"\ndocker:push() echo \"pushed \$*\"\nrelease() {\n    docker:build --tag latest\n    docker:push myapp\n}\n" >Runfile
    RUN_SHELL=sh run_cmd --show-script release && expect_status 0 &&
    has "$out" "    docker__build --tag latest
    docker__push myapp
" && RUN_SHELL=sh run_cmd release && expect_eq "$out" "built --tag latest
pushed myapp"
'

test_expect "test_rewrite_call_sites_no_partial_match" '
    fresh && printf "docker:build() echo built\nrelease() {\n    docker:build\n    echo my_docker:build_script\n}\n" >Runfile
    RUN_SHELL=sh run_cmd --show-script release && expect_status 0 &&
    has "$out" "    docker__build
    echo my_docker:build_script
" && RUN_SHELL=sh run_cmd release && expect_eq "$out" "built
my_docker:build_script"
'

test_expect "test_rewrite_call_sites_no_colons" '
    fresh && printf "build() echo b\ntest() echo t\ndeploy() echo d\nall() {\n    build\n    test\n    deploy\n}\n" >Runfile
    RUN_SHELL=sh run_cmd --show-script all && expect_status 0 &&
    has "$out" "    build
    test
    deploy
" && RUN_SHELL=sh run_cmd all && expect_eq "$out" "b
t
d"
'

test_expect "test_interpreter_compatibility_sh_bash" '
    fresh && printf "# @shell sh\nshfn() echo from-sh\n\n# @shell bash\nbashfn() echo from-bash\n\n# @shell bash\nb() {\n    shfn\n    bashfn\n}\n" >Runfile
    run_cmd b && expect_status 0 && expect_eq "$out" "from-sh
from-bash"
'

test_expect "test_indent_with_empty_lines" '
    fresh && printf "f() {\n    echo line1\n\n    echo line3\n}\n" >Runfile
    run_cmd --show-script f && expect_status 0 && has "$out" "f() {
    echo line1

    echo line3
}"
'

test_done
