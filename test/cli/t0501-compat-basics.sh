#!/usr/bin/env bash
# Compatibility with nihilok/run's own tests: basic_functions.rs and the basic part of
# integration_test.rs (calls, arguments, discovery, file mode, variables, --list, --version).
# One test per original test function, named after it.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=test/cli/compat-lib.sh
. "$HERE/compat-lib.sh"

test_expect "test_version_flag" '
    run_cmd --version && expect_status 0 &&
    printf "%s\n" "$out" | grep -Eq "^run [0-9]+\.[0-9]+\.[0-9]+$"
'

test_expect "test_list_flag_no_runfile" '
    fresh && HOME=$PWD run_cmd --list
    failed && has "$err" "No Runfile found"
'

test_expect "test_list_flag_with_functions" '
    fresh && cat >Runfile <<EOF

build() echo "Building..."
test() echo "Testing..."
deploy() echo "Deploying..."
EOF
    RUN_NO_GLOBAL_MERGE=1 run_cmd --list && expect_status 0 &&
    has "$out" "Available functions" && has "$out" build && has "$out" test &&
    has "$out" deploy
'

test_expect "test_list_flag_short" '
    fresh && printf "\nhello() echo \"Hello, World!\"\n" >Runfile
    run_cmd -l && expect_status 0 && has "$out" hello
'

test_expect "test_simple_function_call" '
    fresh && printf "\ngreet() echo \"Hello from run!\"\n" >Runfile
    run_cmd greet && expect_status 0 && has "$out" "Hello from run!"
'

test_expect "test_function_with_arguments" '
    fresh && printf "\ngreet() echo \"Hello, \$1!\"\n" >Runfile
    run_cmd greet Alice && expect_status 0 && has "$out" "Hello, Alice!"
'

test_expect "test_variable_default_value_syntax" '
    fresh && printf "\nserver() echo \"Starting server on port \${1:-8080}\"\n" >Runfile
    run_cmd server && expect_status 0 && has "$out" "port 8080" &&
    run_cmd server 3000 && expect_status 0 && has "$out" "port 3000"
'

test_expect "test_variable_default_in_flag_assignment" '
    fresh && printf "\nserver() echo \"port=\${1:-8080}\"\n" >Runfile
    run_cmd server && expect_status 0 && has "$out" "port=8080" &&
    run_cmd server 3000 && expect_status 0 && has "$out" "port=3000"
'

test_expect "test_variable_default_in_unquoted_flag" '
    fresh && printf "\nserver() echo port=\${1:-8080}\n" >Runfile
    run_cmd server && expect_status 0 && has "$out" "port=8080" &&
    run_cmd server 3000 && expect_status 0 && has "$out" "port=3000"
'

test_expect "test_function_with_multiple_arguments" '
    fresh && printf "\nadd() echo \"\$1 + \$2 = \$((\$1 + \$2))\"\n" >Runfile
    run_cmd add 5 3 && expect_status 0 && has "$out" "5 + 3 = 8"
'

test_expect "test_nested_function_call" '
    fresh && printf "\ndocker:shell() echo \"Opening Docker shell for \$1\"\n" >Runfile
    run_cmd docker shell myapp && expect_status 0 &&
    has "$out" "Opening Docker shell for myapp"
'

test_expect "test_runfile_search_upward" '
    fresh && printf "\nparent() echo \"Called from parent\"\n" >Runfile &&
    mkdir subdir && cd subdir && run_cmd parent && expect_status 0 &&
    has "$out" "Called from parent"
'

test_expect "test_local_runfile_precedence" '
    fresh && printf "test() echo \"From home\"\n" >.runfile &&
    mkdir project && cd project && printf "\ntest() echo \"From local\"\n" >Runfile &&
    HOME=${PWD%/project} run_cmd test && expect_status 0 &&
    has "$out" "From local" && hasnt "$out" "From home"
'

test_expect "test_execute_script_file" '
    fresh && printf "\nhello() echo \"Hello from script\"\nhello()\n" >test.run &&
    run_cmd "$PWD/test.run" && expect_status 0 && has "$out" "Hello from script"
'

test_expect "test_function_not_found" '
    fresh && printf "\nbuild() echo \"Building...\"\n" >Runfile
    run_cmd nonexistent
    failed && has "$err" "Function '\''nonexistent'\'' not found"
'

test_expect "test_parse_error_handling" '
    fresh && printf "\ninvalid syntax here\n" >Runfile
    run_cmd test
    failed && printf "%s" "$err" | grep -qi error
'

test_expect "test_all_args_substitution" '
    fresh && printf "\necho_all() echo \"All args: \$@\"\n" >Runfile
    run_cmd echo_all foo bar baz && expect_status 0 && has "$out" "All args: foo bar baz"
'

test_expect "test_command_with_pipes" '
    fresh && printf "\ncount() echo \"one\\\\ntwo\\\\nthree\" | wc -l\n" >Runfile &&
    has "$(cat Runfile)" "\"one\\ntwo\\nthree\" | wc -l" &&
    run_cmd count && expect_status 0 &&
    printf "%s\n" "$out" | grep -Eq "^ *[0-9]+ *$"
'

test_expect "test_comment_handling" '
    fresh && printf "\n# This is a comment\ntest() echo \"Testing\"\n# Another comment\n" >Runfile
    run_cmd --list && expect_status 0 && has "$out" test
'

test_expect "test_escaped_newlines" '
    fresh && cat >Runfile <<"EOF"

multiline() echo "This is a" \
    "multi-line" \
    "command"
EOF
    run_cmd multiline && expect_status 0 && has "$out" "This is a multi-line command"
'

test_expect "test_function_call_with_parentheses" '
    fresh && printf "\ngreet() echo \"Hello, \$1!\"\ngreet(World)\n" >test_parens.run &&
    run_cmd "$PWD/test_parens.run" && expect_status 0 && has "$out" "Hello, World!"
'

test_expect "test_function_call_with_bare_word_arguments" '
    fresh &&
    printf "\ndocker:logs() echo \"Docker logs for: \$1\"\ndocker:logs(app)\n" >test_bare_args.run &&
    run_cmd "$PWD/test_bare_args.run" && expect_status 0 && has "$out" "Docker logs for: app"
'

test_expect "test_function_call_with_quoted_arguments" '
    fresh &&
    printf "\ngreet() echo \"Hello, \$1 and \$2!\"\ngreet(\"Alice\", \"Bob\")\n" >test_quoted_args.run &&
    run_cmd "$PWD/test_quoted_args.run" && expect_status 0 &&
    has "$out" "Hello, Alice and Bob!"
'

test_expect "test_function_call_mixed_arguments" '
    fresh &&
    printf "\nshow() echo \"First: \$1, Second: \$2\"\nshow(bare, \"quoted\")\n" >test_mixed_args.run &&
    run_cmd "$PWD/test_mixed_args.run" && expect_status 0 &&
    has "$out" "First: bare, Second: quoted"
'

test_expect "test_variable_assignment_and_usage" '
    fresh && printf "\nname=World\necho \"Hello, \$name!\"\n" >test_vars.run &&
    run_cmd "$PWD/test_vars.run" && expect_status 0 && has "$out" "Hello, World!"
'

test_expect "test_variable_in_function_template" '
    fresh &&
    printf "\napp_name=myapp\nshow() echo \"App: \$app_name, Env: \$1\"\nshow(production)\n" >test_var_function.run &&
    run_cmd "$PWD/test_var_function.run" && expect_status 0 &&
    has "$out" "App: myapp, Env: production"
'

test_expect "test_multiple_variables" '
    fresh && printf "\nfirst=Alice\nsecond=Bob\necho \"\$first and \$second\"\n" >test_multi_vars.run &&
    run_cmd "$PWD/test_multi_vars.run" && expect_status 0 && has "$out" "Alice and Bob"
'

test_expect "test_variable_with_underscore" '
    fresh && printf "\napp_name=myapp\necho \"Application: \$app_name\"\n" >test_var_underscore.run &&
    run_cmd "$PWD/test_var_underscore.run" && expect_status 0 &&
    has "$out" "Application: myapp"
'

test_expect "test_return_in_block_function_propagates_exit_code" '
    fresh && cat >Runfile <<"EOF"

check() {
    if [ "$1" = "fail" ]; then
        return 1
    fi
    echo "ok"
}
EOF
    run_cmd check fail
    failed && hasnt "$err" "can only" &&
    run_cmd check && expect_status 0 && has "$out" ok
'

test_expect "test_return_in_simple_function_with_siblings" '
    fresh && cat >Runfile <<"EOF"

helper() echo "helped"

check() {
    if [ "$1" = "bail" ]; then
        return 42
    fi
    helper
}
EOF
    run_cmd check bail
    failed && expect_status 42 &&
    run_cmd check && expect_status 0 && has "$out" helped
'

test_expect "test_hyphenated_function_name_inline" '
    fresh && printf "\nmy-func() echo \"hyphen works\"\n" >Runfile
    run_cmd my-func && expect_status 0 && has "$out" "hyphen works"
'

test_expect "test_hyphenated_function_name_block" '
    fresh && printf "\nbuild-project() {\n    echo \"building project\"\n}\n" >Runfile
    run_cmd build-project && expect_status 0 && has "$out" "building project"
'

test_expect "test_runfile_dir_builtin_simple_function" '
    fresh && printf "\nshow_dir() echo \"\$__RUNFILE_DIR__\"\n" >Runfile
    RUN_NO_GLOBAL_MERGE=1 run_cmd show_dir && expect_status 0 &&
    expect_eq "$out" "$(pwd -P)"
'

test_expect "test_runfile_dir_builtin_block_function" '
    fresh && printf "\nshow_dir() {\n    echo \"\$__RUNFILE_DIR__\"\n}\n" >Runfile
    RUN_NO_GLOBAL_MERGE=1 run_cmd show_dir && expect_status 0 &&
    expect_eq "$out" "$(pwd -P)"
'

test_done
