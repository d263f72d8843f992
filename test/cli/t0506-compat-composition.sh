#!/usr/bin/env bash
# Compatibility with nihilok/run's own tests: functions calling functions, across languages
# too (rfc005_composition_test.rs, composition_test.rs) and errexit (errexit_test.rs). One
# test per original test function, named after it. Like the originals, every case runs with
# HOME set to its own directory.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=test/cli/compat-lib.sh
. "$HERE/compat-lib.sh"

# hrun ARGS...: run_cmd with HOME set to the case directory.
hrun() { HOME=$PWD run_cmd "$@"; }

test_expect "test_simple_function_composition" '
    fresh && printf "\nbuild() echo \"building\"\ntest() echo \"testing\"\n\nci() {\n    build\n    test\n}\n" >Runfile
    hrun ci && expect_status 0 && expect_eq "$out" "building
testing"
'

test_expect "test_block_function_composition" '
    fresh && cat >Runfile <<"EOF"

build() {
    echo "building step 1"
    echo "building step 2"
}

test() {
    echo "testing step 1"
    echo "testing step 2"
}

ci() {
    build
    test
    echo "ci complete"
}
EOF
    hrun ci && expect_status 0 && expect_eq "$out" "building step 1
building step 2
testing step 1
testing step 2
ci complete"
'

test_expect "test_colon_function_composition" '
    fresh && cat >Runfile <<"EOF"

docker:build() echo "docker build"
docker:push() echo "docker push"

deploy() {
    docker:build
    docker:push
    echo "deploy complete"
}
EOF
    hrun deploy && expect_status 0 && expect_eq "$out" "docker build
docker push
deploy complete"
'

test_expect "test_variable_injection" '
    fresh && cat >Runfile <<"EOF"

VERSION="1.0.0"
PROJECT="myapp"

build() echo "Building $PROJECT v$VERSION"

info() {
    build
    echo "Project: $PROJECT"
    echo "Version: $VERSION"
}
EOF
    hrun info && expect_status 0 && has "$out" "Building myapp v1.0.0" &&
    has "$out" "Project: myapp" && has "$out" "Version: 1.0.0"
'

test_expect "test_argument_passing_in_composed_functions" '
    fresh && cat >Runfile <<"EOF"

greet() echo "Hello, $1!"

welcome() {
    greet "$1"
    echo "Welcome to the system"
}
EOF
    hrun welcome Alice && expect_status 0 && has "$out" "Hello, Alice!" &&
    has "$out" "Welcome to the system"
'

test_expect "test_mixed_simple_and_block_composition" '
    fresh && cat >Runfile <<"EOF"

simple() echo "simple function"

block() {
    echo "block function line 1"
    echo "block function line 2"
}

mixed() {
    simple
    block
    echo "mixed complete"
}
EOF
    hrun mixed && expect_status 0 && expect_eq "$out" "simple function
block function line 1
block function line 2
mixed complete"
'

test_expect "test_multiple_levels_of_composition" '
    fresh && cat >Runfile <<"EOF"

level1() echo "level 1"

level2() {
    level1
    echo "level 2"
}

level3() {
    level2
    echo "level 3"
}
EOF
    hrun level3 && expect_status 0 && expect_eq "$out" "level 1
level 2
level 3"
'

test_expect "test_error_propagation" '
    fresh && cat >Runfile <<"EOF"

fail() false

catch() {
    fail || echo "caught error"
    echo "continue after error"
}
EOF
    hrun catch && expect_status 0 && has "$out" "caught error" &&
    has "$out" "continue after error"
'

test_expect "test_function_with_default_args" '
    fresh && cat >Runfile <<"EOF"

server() echo "Starting server on port ${1:-8080}"

start() {
    server
    echo "Server started"
}
EOF
    hrun start && expect_status 0 && has "$out" "Starting server on port 8080"
'

test_expect "test_complex_colon_names" '
    fresh && cat >Runfile <<"EOF"

app:build() echo "app build"
app:test() echo "app test"
app:deploy() echo "app deploy"

app:ci() {
    app:build
    app:test
    app:deploy
}
EOF
    hrun app:ci && expect_status 0 && expect_eq "$out" "app build
app test
app deploy"
'

test_expect "test_no_composition_without_preamble" '
    fresh && printf "\nstandalone() {\n    echo \"line 1\"\n    echo \"line 2\"\n    echo \"line 3\"\n}\n" >Runfile
    hrun standalone && expect_status 0 && expect_eq "$out" "line 1
line 2
line 3"
'

test_expect "test_variables_and_composition" '
    fresh && cat >Runfile <<"EOF"

ENV="production"
TAG="v1.0.0"

docker:build() echo "docker build -t myapp:$TAG"
docker:tag() echo "docker tag myapp:$TAG myapp:latest"

deploy:production() {
    docker:build
    docker:tag
    echo "Deploying to $ENV"
}
EOF
    hrun deploy:production && expect_status 0 &&
    has "$out" "docker build -t myapp:v1.0.0" &&
    has "$out" "docker tag myapp:v1.0.0 myapp:latest" && has "$out" "Deploying to production"
'

test_with node "test_shell_calling_incompatible_colon_function_node" '
    fresh && cat >Runfile <<"EOF"

# @shell node
node:greet() {
    console.log("Hello from Node.js!");
}

wrapper() {
    echo "Before node call"
    node:greet
    echo "After node call"
}
EOF
    hrun wrapper && expect_status 0 && expect_eq "$out" "Before node call
Hello from Node.js!
After node call"
'

test_with python3 "test_shell_calling_incompatible_colon_function_python" '
    fresh && cat >Runfile <<"EOF"

# @shell python
python:count() {
    for i in range(3):
        print(f"Count: {i}")
}

wrapper() {
    echo "Before python call"
    python:count
    echo "After python call"
}
EOF
    hrun wrapper && expect_status 0 && expect_eq "$out" "Before python call
Count: 0
Count: 1
Count: 2
After python call"
'

test_with node "test_shell_calling_multiple_incompatible_functions" '
    command -v python3 >/dev/null || exit 0
    fresh && cat >Runfile <<"EOF"

# @shell node
node:hello() {
    console.log("Hello from Node!");
}

# @shell python
python:hello() {
    print("Hello from Python!")
}

multi_call() {
    echo "Starting multi-language calls"
    node:hello
    python:hello
    echo "All calls complete"
}
EOF
    hrun multi_call && expect_status 0 && expect_eq "$out" "Starting multi-language calls
Hello from Node!
Hello from Python!
All calls complete"
'

test_with node "test_mixed_compatible_and_incompatible_calls" '
    fresh && cat >Runfile <<"EOF"

# Compatible shell function
build() echo "building..."

# Incompatible node function
# @shell node
node:validate() {
    console.log("Validating with Node.js...");
}

# Main function calls both
ci() {
    build
    node:validate
    echo "CI complete"
}
EOF
    hrun ci && expect_status 0 && expect_eq "$out" "building...
Validating with Node.js...
CI complete"
'

test_expect "test_incompatible_function_without_colon_not_wrapped" '
    fresh && cat >Runfile <<"EOF"

# Shell function that works fine
shell_func() echo "shell works"

# Python function without colon - cannot be called from shell directly
# @shell python
python_only() {
    print("python only")
}

# This should work because it only calls shell_func
safe_caller() {
    shell_func
    echo "done"
}
EOF
    hrun safe_caller && expect_status 0 && expect_eq "$out" "shell works
done"
'

test_with node "test_nested_colon_function_composition_with_polyglot" '
    fresh && cat >Runfile <<"EOF"

# Shell functions
app:start() echo "app starting"
app:stop() echo "app stopping"

# Node function
# @shell node
node:healthcheck() {
    console.log("Healthcheck: OK");
}

# Orchestrator
deploy:full() {
    app:start
    node:healthcheck
    app:stop
}
EOF
    hrun deploy:full && expect_status 0 && expect_eq "$out" "app starting
Healthcheck: OK
app stopping"
'

test_with node "test_compatible_preamble_function_calling_incompatible_colon_function" '
    fresh && cat >Runfile <<"EOF"

# Compatible shell function that calls an incompatible colon function
app:build() {
    echo "building app"
    node:validate
    echo "build complete"
}

# Incompatible node function
# @shell node
node:validate() {
    console.log("Validation passed!");
}

# Main function calls the compatible colon function
deploy() {
    app:build
    echo "deploy done"
}
EOF
    hrun deploy && expect_status 0 && expect_eq "$out" "building app
Validation passed!
build complete
deploy done"
'

# --- errexit (errexit_test.rs) ------------------------------------------------------------

test_expect "test_errexit_stops_on_failing_nested_call" '
    fresh && cat >Runfile <<"EOF"

deploy:patch() {
    echo "patch starting"
    false
    echo "patch done"
}

deploy:homebrew() {
    echo "homebrew deployed"
}

deploy:all() {
    deploy:patch
    deploy:homebrew
}
EOF
    hrun deploy:all
    failed && has "$out" "patch starting" && hasnt "$out" "homebrew deployed" &&
    hasnt "$out" "patch done"
'

test_expect "test_noerrexit_allows_continuation" '
    fresh && printf "\n# @noerrexit\nlenient() {\n    false\n    echo \"still running\"\n}\n" >Runfile
    hrun lenient && expect_status 0 && has "$out" "still running"
'

test_expect "test_show_script_contains_set_e" '
    fresh && printf "\ngreet() {\n    echo \"hello\"\n}\n" >Runfile
    hrun --show-script greet && expect_status 0 && has "$out" "set -eo pipefail"
'

test_expect "test_show_script_bash_has_pipefail" '
    fresh && printf "\n# @shell bash\ngreet() {\n    echo \"hello\"\n}\n" >Runfile
    hrun --show-script greet && expect_status 0 && has "$out" "set -eo pipefail"
'

test_expect "test_show_script_sh_has_set_e_only" '
    fresh && printf "\n# @shell sh\ngreet() {\n    echo \"hello\"\n}\n" >Runfile
    hrun --show-script greet && expect_status 0 && has "$out" "set -e" &&
    hasnt "$out" pipefail
'

test_expect "test_show_script_noerrexit_omits_set_e" '
    fresh && printf "\n# @noerrexit\ngreet() {\n    echo \"hello\"\n}\n" >Runfile
    hrun --show-script greet && expect_status 0 && hasnt "$out" "set -e"
'

test_expect "test_polyglot_no_set_e" '
    fresh && printf "\n# @shell python3\ngreet() {\n    print(\"hello from python\")\n}\n" >Runfile
    hrun --show-script greet && expect_status 0 && hasnt "$out" "set -e" &&
    has "$out" "print(\"hello from python\")"
'

test_expect "test_or_true_pattern_works_under_errexit" '
    fresh && printf "\ntolerant() {\n    false || true\n    echo \"continued\"\n}\n" >Runfile
    hrun tolerant && expect_status 0 && has "$out" continued
'

test_expect "test_simple_function_errexit" '
    fresh && cat >Runfile <<"EOF"

fail() echo "before" && false && echo "after"

wrapper() {
    fail
    echo "should not reach"
}
EOF
    hrun --show-script wrapper && expect_status 0 && has "$out" "set -e" &&
    hrun wrapper
    failed && has "$out" before && hasnt "$out" after && hasnt "$out" "should not reach"
'

test_done
