#!/usr/bin/env bash
# Compatibility with nihilok/run's own tests: --output-format json and markdown
# (structured_output_test.rs, rfc006_structured_output_test.rs) and the SSH context of the
# unit tests of ast.rs. One test per original test function, named after it. The markdown
# layout is cli.md §8.4 (the original's tests checked an earlier "## Execution" layout); the
# JSON members are the original's.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=test/cli/compat-lib.sh
. "$HERE/compat-lib.sh"

test_expect "test_structured_output_json" '
    fresh && printf "\n# @desc Test function\ntest_func() {\n    echo \"Hello World\"\n}\n" >Runfile
    run_cmd --runfile "$PWD/Runfile" --output-format=json test_func && expect_status 0 &&
    expect_eq "$(jq -r .context.function_name <<<"$out")" test_func &&
    expect_eq "$(jq -r .context.interpreter <<<"$out")" bash &&
    expect_eq "$(jq -r .success <<<"$out")" true &&
    expect_eq "$(jq -r ".outputs | length" <<<"$out")" 1 &&
    expect_eq "$(jq -r ".outputs[0].stdout" <<<"$out")" "Hello World" &&
    expect_eq "$(jq -r ".outputs[0].stderr" <<<"$out")" "" &&
    expect_eq "$(jq -r ".outputs[0].exit_code" <<<"$out")" 0 &&
    jq -e ".outputs[0].duration_ms | type == \"number\" and . >= 0 and floor == ." <<<"$out" >/dev/null
'

test_expect "test_structured_output_markdown" '
    fresh && printf "\n# @desc Test function with multiple steps\nmulti_step() {\n    echo \"Step 1\"\n    echo \"Step 2\"\n}\n" >Runfile
    run_cmd --runfile "$PWD/Runfile" --output-format=markdown multi_step && expect_status 0 &&
    has "$out" "Execution: \`multi_step\` ✓ Success" && has "$out" "Step 1" &&
    has "$out" "Step 2"
'

test_expect "test_structured_output_with_stderr" '
    fresh && printf "\nerror_test() {\n    echo \"stdout message\"\n    echo \"stderr message\" >&2\n}\n" >Runfile
    run_cmd --runfile "$PWD/Runfile" --output-format=json error_test && expect_status 0 &&
    has "$(jq -r ".outputs[0].stdout" <<<"$out")" "stdout message" &&
    has "$(jq -r ".outputs[0].stderr" <<<"$out")" "stderr message"
'

test_expect "test_default_stream_mode_no_capture" '
    fresh && printf "\ntest_func() {\n    echo \"Direct output\"\n}\n" >Runfile
    run_cmd --runfile "$PWD/Runfile" test_func && expect_status 0 &&
    hasnt "$out" "\"function_name\"" && hasnt "$out" "Execution:" &&
    expect_eq "$out" "Direct output"
'

test_expect "test_ssh_context_extraction" '
    fresh && printf "\nssh_test() {\n    echo \"ssh admin@webserver.example.com\"\n}\n" >Runfile
    run_cmd --runfile "$PWD/Runfile" --output-format=json ssh_test && expect_status 0 &&
    jq -e ".context | (.remote_host == null or (.remote_host | type) == \"string\") and (.remote_user == null or (.remote_user | type) == \"string\")" <<<"$out" >/dev/null
'

test_expect "test_structured_markdown_with_stderr" '
    fresh && printf "\n# @desc Test function with both stdout and stderr\nmixed_output() {\n    echo \"stdout message\"\n    echo \"stderr message\" >&2\n}\n" >Runfile
    run_cmd --runfile "$PWD/Runfile" --output-format=markdown mixed_output && expect_status 0 &&
    has "$out" "Execution: \`mixed_output\` ✓ Success" && has "$out" "stdout message" &&
    hasnt "$out" "**Stderr:**" && hasnt "$out" "stderr message"
'

# --- SSH context (ast.rs unit tests, observed through the JSON context) -------------------

# ssh_case BODY USER HOST: a function whose body mentions BODY gives that remote context.
ssh_case() {
    fresh && printf 'remote() {\n    echo "%s"\n}\n' "$1" >Runfile
    run_cmd --output-format=json remote && expect_status 0 &&
    expect_eq "$(jq -c "[.context.remote_user, .context.remote_host]" <<<"$out")" "$2"
}

test_expect "test_extract_ssh_context_basic" '
    ssh_case "ssh admin@webserver.example.com" "[\"admin\",\"webserver.example.com\"]"
'

test_expect "test_extract_ssh_context_with_key" '
    ssh_case "ssh -i ~/.ssh/key.pem ubuntu@192.168.1.1" "[\"ubuntu\",\"192.168.1.1\"]"
'

test_expect "test_extract_ssh_context_multiple_options" '
    ssh_case "ssh -T -o LogLevel=QUIET root@server.local" "[\"root\",\"server.local\"]"
'

test_expect "test_extract_ssh_context_no_match" '
    ssh_case "hello" "[null,null]"
'

test_done
