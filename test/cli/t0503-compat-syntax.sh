#!/usr/bin/env bash
# Compatibility with nihilok/run's own tests: definition syntaxes (the function keyword, inline
# blocks; integration_test.rs) and signatures (function_signature.rs). One test per original
# test function, named after it.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=test/cli/compat-lib.sh
. "$HERE/compat-lib.sh"

# --- the function keyword and inline blocks (integration_test.rs) -------------------------

test_expect "test_function_keyword_with_block" '
    fresh && printf "\nfunction greet {\n    echo \"Hello from function keyword!\"\n}\n" >Runfile
    run_cmd greet && expect_status 0 && has "$out" "Hello from function keyword!"
'

test_expect "test_function_keyword_with_parens_and_block" '
    fresh && printf "\nfunction greet() {\n    echo \"Hello with parens!\"\n}\n" >Runfile
    run_cmd greet && expect_status 0 && has "$out" "Hello with parens!"
'

test_expect "test_function_keyword_inline_command" '
    fresh && printf "\nfunction greet echo \"Hello inline!\"\n" >Runfile
    run_cmd greet && expect_status 0 && has "$out" "Hello inline!"
'

test_expect "test_function_keyword_with_parens_inline" '
    fresh && printf "\nfunction greet() echo \"Hello parens inline!\"\n" >Runfile
    run_cmd greet && expect_status 0 && has "$out" "Hello parens inline!"
'

test_expect "test_function_keyword_namespaced" '
    fresh && printf "\nfunction docker:shell {\n    echo \"Docker shell function\"\n}\n" >Runfile
    run_cmd docker:shell && expect_status 0 && has "$out" "Docker shell function"
'

test_expect "test_function_keyword_namespaced_inline" '
    fresh && printf "\nfunction docker:logs echo \"Showing logs\"\n" >Runfile
    run_cmd docker:logs && expect_status 0 && has "$out" "Showing logs"
'

test_expect "test_function_keyword_with_arguments" '
    fresh && printf "\nfunction greet echo \"Hello, \$1!\"\n" >Runfile
    run_cmd greet World && expect_status 0 && has "$out" "Hello, World!"
'

test_expect "test_function_keyword_block_multiline" '
    fresh && cat >Runfile <<"EOF"

function deploy {
    echo "Step 1: Building"
    echo "Step 2: Testing"
    echo "Step 3: Deploying"
}
EOF
    run_cmd deploy && expect_status 0 && has "$out" "Step 1: Building" &&
    has "$out" "Step 2: Testing" && has "$out" "Step 3: Deploying"
'

test_expect "test_function_keyword_block_semicolon_separated" '
    fresh && printf "\nfunction quick { echo \"one\"; echo \"two\"; echo \"three\"; }\n" >Runfile
    run_cmd quick && expect_status 0 && expect_eq "$out" "one
two
three"
'

test_expect "test_mixed_function_syntaxes" '
    fresh && cat >Runfile <<"EOF"

# Traditional syntax
traditional() echo "traditional"

# Function keyword with block
function keyword_block {
    echo "keyword block"
}

# Function keyword with parens
function keyword_parens() echo "keyword parens"

# Function keyword inline
function keyword_inline echo "keyword inline"
EOF
    run_cmd traditional && expect_status 0 && has "$out" traditional &&
    run_cmd keyword_block && expect_status 0 && has "$out" "keyword block" &&
    run_cmd keyword_parens && expect_status 0 && has "$out" "keyword parens" &&
    run_cmd keyword_inline && expect_status 0 && has "$out" "keyword inline"
'

test_expect "test_inline_block_with_semicolons" '
    fresh && printf "\ntest_inline() { echo \"a\"; echo \"b\"; echo \"c\" }\n" >Runfile
    run_cmd test_inline && expect_status 0 && expect_eq "$out" "a
b
c"
'

test_expect "test_inline_block_with_trailing_semicolon" '
    fresh && printf "\ntest_trailing() { echo \"x\"; echo \"y\"; echo \"z\"; }\n" >Runfile
    run_cmd test_trailing && expect_status 0 && expect_eq "$out" "x
y
z"
'

test_expect "test_function_keyword_inline_block_with_semicolons" '
    fresh && printf "\nfunction test_func { echo \"first\"; echo \"second\"; echo \"third\" }\n" >Runfile
    run_cmd test_func && expect_status 0 && expect_eq "$out" "first
second
third"
'

# --- signatures (function_signature.rs) ---------------------------------------------------

test_expect "test_simple_params_named_substitution" '
    fresh && printf "\ngreet(name) echo \"Hello, \$name!\"\n" >Runfile
    run_cmd greet Alice && expect_status 0 && has "$out" "Hello, Alice!"
'

test_expect "test_params_with_defaults" '
    fresh && printf "\ngreet(name = \"World\") echo \"Hello, \$name!\"\n" >Runfile
    run_cmd greet Alice && expect_status 0 && has "$out" "Hello, Alice!" &&
    run_cmd greet && expect_status 0 && has "$out" "Hello, World!"
'

test_expect "test_multiple_params_with_mixed_defaults" '
    fresh && printf "\ndeploy(env, version = \"latest\") echo \"Deploying \$version to \$env\"\n" >Runfile
    run_cmd deploy production v1.2.3 && expect_status 0 &&
    has "$out" "Deploying v1.2.3 to production" &&
    run_cmd deploy staging && expect_status 0 && has "$out" "Deploying latest to staging"
'

test_expect "test_rest_parameter" '
    fresh && printf "\necho_all(...args) echo \"Args: \$args\"\n" >Runfile
    run_cmd echo_all foo bar baz && expect_status 0 && has "$out" "Args: foo bar baz"
'

test_expect "test_mixed_params_and_rest" '
    fresh &&
    printf "\nrun_command(container, ...command) echo \"Running in \$container: \$command\"\n" >Runfile
    run_cmd run_command my-app ls -la /app && expect_status 0 &&
    has "$out" "Running in my-app: ls -la /app"
'

test_expect "test_block_function_with_params" '
    fresh && cat >Runfile <<"EOF"

deploy(env, version) {
    echo "Environment: $env"
    echo "Version: $version"
}
EOF
    run_cmd deploy production v2.0.0 && expect_status 0 &&
    has "$out" "Environment: production" && has "$out" "Version: v2.0.0"
'

test_expect "test_backward_compatibility_positional" '
    fresh && printf "\n# Old style without params - should still work\ngreet() echo \"Hello, \$1!\"\n" >Runfile
    run_cmd greet Bob && expect_status 0 && has "$out" "Hello, Bob!"
'

test_expect "test_params_with_positional_fallback" '
    fresh && printf "\ngreet(name) echo \"Hello, \$name (also \$1)!\"\n" >Runfile
    run_cmd greet Charlie && expect_status 0 && has "$out" "Hello, Charlie (also Charlie)!"
'

test_expect "test_function_keyword_with_params" '
    fresh && printf "\nfunction greet(name) echo \"Hello, \$name!\"\n" >Runfile
    run_cmd greet Dave && expect_status 0 && has "$out" "Hello, Dave!"
'

test_expect "test_quoted_default_value" '
    fresh && printf "\ngreet(greeting = \"Hello, World\") echo \"\$greeting\"\n" >Runfile
    run_cmd greet && expect_status 0 && expect_eq "$out" "Hello, World"
'

test_done
