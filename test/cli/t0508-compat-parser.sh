#!/usr/bin/env bash
# Compatibility with nihilok/run's own parser unit tests (run/src/parser/mod.rs, and the
# platform and type helpers of run/src/utils.rs), observed from
# outside: each case's Runfile is loaded by the binary and what the unit test asserted about
# the parse (names, attributes, parameters, defaults, bodies) is checked through --inspect,
# --list, --show-script or by running the function. One test per original test function,
# named after it. Where a case had no @desc (so no tool), a @desc line is added to see its
# schema; nothing else is changed.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=test/cli/compat-lib.sh
. "$HERE/compat-lib.sh"

# jqo FILTER: jq -c on the last stdout.
jqo() { jq -c "$1" <<<"$out"; }

test_expect "test_parse_command_with_variable_after_equals" '
    fresh && printf "server() echo port=\${1:-8080}" >Runfile
    run_cmd --show-script server && expect_status 0 && has "$out" "    echo port=\${1:-8080}
" && run_cmd server && expect_eq "$out" "port=8080"
'

test_expect "test_parse_desc_attribute (parser)" '
    fresh && printf "\n# @desc Restarts the docker containers\nrestart() docker compose restart\n" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo "[.tools[] | [.name, .description]]")" "[[\"restart\",\"Restarts the docker containers\"]]"
'

test_expect "test_parse_arg_attribute_with_type" '
    fresh && printf "\n# @desc d\n# @arg 1:service string The name of the service\nscale() docker compose scale \$1\n" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].inputSchema.properties.service")" "{\"type\":\"string\",\"description\":\"The name of the service\"}" &&
    expect_eq "$(jqo ".tools[0].inputSchema.required")" "[\"service\"]"
'

test_expect "test_parse_arg_attribute_integer_type" '
    fresh && printf "\n# @desc d\n# @arg 2:replicas integer The number of instances\nscale() docker compose scale \$1=\$2\n" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].inputSchema.properties.replicas")" "{\"type\":\"integer\",\"description\":\"The number of instances\"}"
'

test_expect "test_parse_arg_attribute_boolean_type" '
    fresh && printf "\n# @desc d\n# @arg 1:verbose boolean Enable verbose output\ntest() echo \"Verbose: \$1\"\n" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].inputSchema.properties.verbose")" "{\"type\":\"boolean\",\"description\":\"Enable verbose output\"}"
'

test_expect "test_parse_multiple_attributes" '
    fresh && cat >Runfile <<"EOF"

# @desc Scale a specific service
# @arg 1:service string The service name
# @arg 2:replicas integer The number of instances
scale() docker compose scale $1=$2
EOF
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].description")" "\"Scale a specific service\"" &&
    expect_eq "$(jqo "[.tools[0].inputSchema.properties | to_entries[] | [.key, .value.type]]")" \
        "[[\"service\",\"string\"],[\"replicas\",\"integer\"],[\"timeout\",\"integer\"]]"
'

test_expect "test_parse_arg_without_explicit_type" '
    fresh && printf "\n# @desc d\n# @arg 1:name Some description without type\ngreet() echo \"Hello, \$1\"\n" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].inputSchema.properties.name")" "{\"type\":\"string\",\"description\":\"Some description without type\"}"
'

test_expect "test_strip_quotes_from_desc" '
    fresh && printf "\n# @desc \"Open a shell in the specified Docker container\"\ndocker_shell() docker compose exec bash\n" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].description")" "\"Open a shell in the specified Docker container\""
'

test_expect "test_strip_quotes_from_arg" '
    fresh && printf "\n# @desc d\n# @arg 1:container \"The name of the container\"\nshell() docker compose exec \$1 bash\n" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].inputSchema.properties.container")" "{\"type\":\"string\",\"description\":\"The name of the container\"}"
'

test_expect "test_arg_without_position_hybrid_mode" '
    fresh && cat >Runfile <<"EOF"

# @desc d
# @arg service The service to scale
# @arg replicas Number of instances
scale(service, replicas) docker compose scale $service=$replicas
EOF
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo "[.tools[0].inputSchema.properties | to_entries[] | [.key, .value.description]]")" \
        "[[\"service\",\"The service to scale\"],[\"replicas\",\"Number of instances\"],[\"timeout\",\"Optional time limit in seconds for this call. When it is exceeded, the command and everything it started are stopped and the call fails. Omit it (or use 0) for no limit.\"]]"
'

test_expect "test_function_with_params" '
    fresh && printf "# @desc d\ndeploy(env, version) echo \$env \$version" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].inputSchema | [(.properties | keys_unsorted), .required]")" \
        "[[\"env\",\"version\",\"timeout\"],[\"env\",\"version\"]]" &&
    run_cmd deploy prod 1.2 && expect_eq "$out" "prod 1.2"
'

test_expect "test_function_with_typed_params" '
    fresh && printf "# @desc d\nscale(service: str, replicas: int) echo \$service \$replicas" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo "[.tools[0].inputSchema.properties | to_entries[] | [.key, .value.type]]")" \
        "[[\"service\",\"string\"],[\"replicas\",\"integer\"],[\"timeout\",\"integer\"]]" &&
    run_cmd scale web 3 && expect_eq "$out" "web 3"
'

test_expect "test_function_with_default_values" '
    fresh && printf "# @desc d\ndeploy(env, version = \"latest\") echo \$env \$version" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].inputSchema.properties.version")" "{\"type\":\"string\",\"default\":\"latest\"}" &&
    expect_eq "$(jqo ".tools[0].inputSchema.required")" "[\"env\"]" &&
    run_cmd deploy prod && expect_eq "$out" "prod latest"
'

test_expect "test_function_with_rest_param" '
    fresh && printf "# @desc d\necho_all(...args) echo \$args" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].inputSchema.properties.args")" "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}" &&
    expect_eq "$(jqo ".tools[0].inputSchema.required")" "[]" &&
    run_cmd echo_all a b c && expect_eq "$out" "a b c"
'

test_expect "test_function_with_mixed_params_and_rest" '
    fresh && printf "# @desc d\ndocker_exec(container, ...command) echo docker exec \$container \$command" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo "[.tools[0].inputSchema.properties | to_entries[] | [.key, .value.type]]")" \
        "[[\"container\",\"string\"],[\"command\",\"array\"],[\"timeout\",\"integer\"]]" &&
    run_cmd docker_exec app ls -la && expect_eq "$out" "docker exec app ls -la"
'

test_expect "test_quoted_default_with_comma" '
    fresh && printf "test(val = \"a,b,c\") echo \$val" >Runfile
    run_cmd test && expect_status 0 && expect_eq "$out" "a,b,c"
'

test_expect "test_single_quoted_default" '
    fresh && printf "test(val = '\''hello world'\'') echo \$val" >Runfile
    run_cmd test && expect_status 0 && expect_eq "$out" "hello world"
'

test_expect "test_unquoted_default" '
    fresh && printf "test(port = 8080) echo \$port" >Runfile
    run_cmd test && expect_status 0 && expect_eq "$out" 8080
'

test_expect "test_empty_parens_still_works" '
    fresh && printf "# @desc d\ngreet() echo hello" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo ".tools[0].inputSchema.properties | keys_unsorted")" "[\"timeout\"]" &&
    run_cmd greet && expect_eq "$out" hello
'

test_expect "test_function_keyword_with_params (parser)" '
    fresh && printf "function deploy(env, version) echo \$env \$version" >Runfile
    run_cmd deploy prod 2 && expect_status 0 && expect_eq "$out" "prod 2"
'

test_expect "test_block_function_with_params (parser)" '
    fresh && printf "deploy(env, version) {\n    echo \"Deploying to \$env\"\n    echo \"Version: \$version\"\n}" >Runfile
    run_cmd deploy prod 2 && expect_status 0 && expect_eq "$out" "Deploying to prod
Version: 2"
'

test_expect "test_all_param_types" '
    fresh && printf "# @desc d\ntest(s: string, i: integer, b: boolean) echo \$s \$i \$b" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo "[.tools[0].inputSchema.properties | to_entries[] | .value.type]")" \
        "[\"string\",\"integer\",\"boolean\",\"integer\"]" &&
    run_cmd test x 1 yes && expect_eq "$out" "x 1 true"
'

test_expect "test_short_type_names" '
    fresh && printf "# @desc d\ntest(s: str, i: int, b: bool) echo \$s \$i \$b" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo "[.tools[0].inputSchema.properties | to_entries[] | .value.type]")" \
        "[\"string\",\"integer\",\"boolean\",\"integer\"]"
'

test_expect "test_block_function_with_apostrophe_in_comment" '
    fresh && printf "test:hello() {\n    # It'\''s a comment with an apostrophe\n    echo \"hello\"\n}" >Runfile
    run_cmd test:hello && expect_status 0 && expect_eq "$out" hello
'

test_expect "test_block_function_with_multiple_apostrophes_in_comments" '
    fresh && printf "greet() {\n    # It'\''s fine, don'\''t worry\n    echo \"hi\"\n}" >Runfile
    run_cmd greet && expect_status 0 && expect_eq "$out" hi
'

test_expect "test_block_function_single_quotes_in_double_quoted_string" '
    fresh && printf "fix() {\n    hostname.replace(\"'\''\", \"'\'''\''\")\n}" >Runfile
    run_cmd --list && expect_status 0 && has "$out" "  fix" &&
    run_cmd --show-script fix && expect_status 0 &&
    has "$out" "    hostname.replace(\"'\''\", \"'\'''\''\")"
'

test_expect "test_function_after_comment_with_apostrophe" '
    fresh && printf "first() {\n    # It'\''s ok\n    echo \"first\"\n}\nsecond() echo \"second\"" >Runfile
    run_cmd first && expect_status 0 && expect_eq "$out" first &&
    run_cmd second && expect_status 0 && expect_eq "$out" second
'

# --- utils.rs unit tests ------------------------------------------------------------------

test_expect "test_arg_type_to_json_type" '
    fresh && printf "# @desc d\nf(s: str, i: int, x: float, b: bool, o: object) echo hi\n" >Runfile
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(jqo "[.tools[0].inputSchema.properties | to_entries[] | .value.type]")" \
        "[\"string\",\"integer\",\"number\",\"boolean\",\"object\",\"integer\"]"
'

test_expect "test_matches_current_platform_no_os_attrs" '
    fresh && printf "# @desc Test\nf() echo yes\n" >Runfile
    run_cmd f && expect_eq "$out" yes && run_cmd --inspect &&
    expect_eq "$(jqo "[.tools[].name]")" "[\"f\"]"
'

test_expect "test_matches_current_platform_unix" '
    fresh && printf "# @os unix\nf() echo yes\n" >Runfile
    run_cmd f && expect_status 0 && expect_eq "$out" yes
'

test_expect "test_matches_current_platform_windows" '
    fresh && printf "# @os windows\nf() echo yes\n" >Runfile
    run_cmd f
    expect_status 127 && has "$err" "Function '\''f'\'' not found"
'

test_expect "test_matches_current_platform_multiple_os" '
    fresh && printf "# @os linux\n# @os macos\nf() echo yes\n" >Runfile
    run_cmd f && expect_status 0 && expect_eq "$out" yes
'

test_done
