#!/usr/bin/env bash
# Compatibility with nihilok/run's own tests: --runfile (integration_test.rs), the source
# directive (source_test.rs) and the merged global/project --list (mcp_server_test.rs). One
# test per original test function, named after it.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=test/cli/compat-lib.sh
. "$HERE/compat-lib.sh"

# --- --runfile ----------------------------------------------------------------------------

test_expect "test_runfile_flag_with_file_path" '
    fresh && printf "\ntest_function() {\n    echo \"Hello from custom Runfile\"\n}\n" >CustomRunfile
    run_cmd --runfile "$PWD/CustomRunfile" test_function && expect_status 0 &&
    has "$out" "Hello from custom Runfile"
'

test_expect "test_runfile_flag_with_directory_path" '
    fresh && mkdir project &&
    printf "\ngreet() {\n    echo \"Hello from subdirectory Runfile\"\n}\n" >project/Runfile
    run_cmd --runfile "$PWD/project" greet && expect_status 0 &&
    has "$out" "Hello from subdirectory Runfile"
'

test_expect "test_runfile_flag_overrides_current_directory" '
    fresh && printf "\nmain() {\n    echo \"From current directory\"\n}\n" >Runfile &&
    mkdir other && printf "\nmain() {\n    echo \"From other directory\"\n}\n" >other/Runfile
    run_cmd --runfile "$PWD/other" main && expect_status 0 &&
    has "$out" "From other directory" && hasnt "$out" "From current directory"
'

test_expect "test_runfile_flag_with_list" '
    fresh && printf "\nbuild() echo \"building\"\ntest() echo \"testing\"\n" >MyRunfile
    run_cmd --runfile "$PWD/MyRunfile" --list && expect_status 0 &&
    has "$out" build && has "$out" test
'

test_expect "test_runfile_flag_nonexistent_file" '
    fresh && run_cmd --runfile "$PWD/DoesNotExist" --list
    failed && has "$err" "No Runfile found"
'

test_expect "test_runfile_flag_with_relative_path" '
    fresh && mkdir configs &&
    printf "\nrelative_test() {\n    echo \"Loaded via relative path\"\n}\n" >configs/project.runfile
    run_cmd --runfile configs/project.runfile relative_test && expect_status 0 &&
    has "$out" "Loaded via relative path"
'

test_expect "test_runfile_flag_with_inspect" '
    fresh && cat >TestRunfile <<"EOF"

# @desc Test function for inspection
# @arg 1:name string The name to greet
greet() {
    echo "Hello, $1"
}
EOF
    run_cmd --runfile "$PWD/TestRunfile" --inspect && expect_status 0 &&
    expect_eq "$(jq -r ".tools | length" <<<"$out")" 1 &&
    expect_eq "$(jq -r ".tools[0].name" <<<"$out")" greet &&
    expect_eq "$(jq -r ".tools[0].description" <<<"$out")" "Test function for inspection"
'

test_expect "test_runfile_flag_with_nested_functions" '
    fresh && cat >NestedRunfile <<"EOF"

docker:up() {
    echo "Starting containers"
}

docker:down() {
    echo "Stopping containers"
}
EOF
    run_cmd --runfile "$PWD/NestedRunfile" docker:up && expect_status 0 &&
    has "$out" "Starting containers" &&
    run_cmd --runfile "$PWD/NestedRunfile" docker:down && expect_status 0 &&
    has "$out" "Stopping containers"
'

test_expect "test_runfile_flag_with_absolute_path" '
    fresh && printf "\nabsolute_test() {\n    echo \"Using absolute path\"\n}\n" >AbsoluteRunfile &&
    f=$(pwd -P)/AbsoluteRunfile && cd /tmp &&
    run_cmd --runfile "$f" absolute_test && expect_status 0 && has "$out" "Using absolute path"
'

# --- source (source_test.rs) --------------------------------------------------------------

test_expect "test_source_absolute_path" '
    fresh && printf "\nlib_greet() echo \"from lib\"\n" >lib.run &&
    printf "source %s\nlocal_fn() echo \"local only\"\n" "$PWD/lib.run" >Runfile
    RUN_NO_GLOBAL_MERGE=1 run_cmd lib_greet && expect_status 0 && has "$out" "from lib"
'

test_expect "test_source_relative_path" '
    fresh && printf "helper() echo \"helper result\"\n" >shared.run &&
    printf "source shared.run\nmain() echo \"main\"\n" >Runfile
    RUN_NO_GLOBAL_MERGE=1 run_cmd helper && expect_status 0 && has "$out" "helper result"
'

test_expect "test_source_does_not_expand_inside_function_body" '
    fresh && printf "injected_fn() echo \"was injected\"\n" >injected.run &&
    printf "check() {\n    source %s\n    echo \"inside check\"\n}\n" "$PWD/injected.run" >Runfile
    RUN_NO_GLOBAL_MERGE=1 run_cmd injected_fn
    failed && has "$err" "not found"
'

test_expect "test_sourced_file_functions_override_order" '
    fresh && printf "greet() echo \"hello from base\"\n" >base.run &&
    printf "source base.run\ngreet() echo \"hello from local\"\n" >Runfile
    RUN_NO_GLOBAL_MERGE=1 run_cmd greet && expect_status 0 &&
    has "$out" "hello from local" && hasnt "$out" "hello from base"
'

test_expect "test_source_nonexistent_file_emits_warning" '
    fresh && printf "source /nonexistent/path/does_not_exist.run\nok() echo \"still works\"\n" >Runfile
    RUN_NO_GLOBAL_MERGE=1 run_cmd ok && expect_status 0 && has "$out" "still works" &&
    has "$err" warning
'

test_expect "test_circular_source_does_not_loop" '
    fresh && printf "source %s\nother_fn() echo \"other\"\n" "$PWD/Runfile" >other.run &&
    printf "source %s\nmain_fn() echo \"main\"\n" "$PWD/other.run" >Runfile
    RUN_NO_GLOBAL_MERGE=1 run_cmd main_fn && expect_status 0 && has "$out" main
'

test_expect "test_source_multiple_files" '
    fresh && printf "fn_a() echo \"from a\"\n" >a.run && printf "fn_b() echo \"from b\"\n" >b.run &&
    printf "source a.run\nsource b.run\n" >Runfile
    RUN_NO_GLOBAL_MERGE=1 run_cmd fn_a && expect_status 0 && has "$out" "from a" &&
    RUN_NO_GLOBAL_MERGE=1 run_cmd fn_b && expect_status 0 && has "$out" "from b"
'

test_expect "test_source_in_script_file" '
    fresh && printf "lib_fn() echo \"from lib\"\n" >lib.run &&
    printf "source %s\nlib_fn()\n" "$PWD/lib.run" >main.run
    RUN_NO_GLOBAL_MERGE=1 run_cmd "$PWD/main.run" && expect_status 0 && has "$out" "from lib"
'

# --- the merged --list (mcp_server_test.rs) -----------------------------------------------

test_expect "test_merged_global_project_list" '
    fresh && mkdir home proj && cat >home/.runfile <<"EOF"

# @desc Global utility function
global_util() {
    echo "From global"
}

# @desc Shared function (will be overridden)
shared() {
    echo "Global version"
}
EOF
    cat >proj/Runfile <<"EOF"

# @desc Project-specific function
project_func() {
    echo "From project"
}

# @desc Shared function (overrides global)
shared() {
    echo "Project version"
}
EOF
    cd proj && HOME=${PWD%/proj}/home run_cmd --list && expect_status 0 &&
    has "$out" "From ./Runfile:" && has "$out" "From ~/.runfile:" &&
    has "$out" project_func && has "$out" "shared (overrides global)" &&
    has "$out" global_util
'

test_done
