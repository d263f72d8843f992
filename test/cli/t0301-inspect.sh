#!/usr/bin/env bash
# run --inspect (cli.md §6): the MCP tool list as pretty JSON, warnings of mcp.md §6.4,
# no Runfile, parse errors, and that nothing is ever executed.
. "$(dirname "$0")/../lib.sh"

# shellcheck disable=SC2034 # used inside the test bodies (eval)
TIMEOUT_DESC="Optional time limit in seconds for this call. When it is exceeded, the command and everything it started are stopped and the call fails. Omit it (or use 0) for no limit."

test_expect "cli.md §6 example, byte for byte with the final newline" '
    cat >Runfile <<RF &&
# @desc Deploy the app
# @arg env Target environment
deploy(env, replicas: int = 2, ...flags) ./deploy.sh "\$env" "\$replicas" "\$@"
RF
    "$RUN_BIN" --inspect >"$TEST_ROOT/got" 2>"$TEST_ROOT/err"; expect_eq "$?" 0 &&
    cat >"$TEST_ROOT/want" <<JSON &&
{
  "tools": [
    {
      "name": "deploy",
      "description": "Deploy the app",
      "inputSchema": {
        "type": "object",
        "properties": {
          "env": {
            "type": "string",
            "description": "Target environment"
          },
          "replicas": {
            "type": "integer",
            "default": 2
          },
          "flags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "timeout": {
            "type": "integer",
            "description": "$TIMEOUT_DESC",
            "minimum": 0
          }
        },
        "required": [
          "env"
        ]
      }
    }
  ]
}
JSON
    cmp "$TEST_ROOT/got" "$TEST_ROOT/want" && [ ! -s "$TEST_ROOT/err" ]
'
test_expect "examples.md §7: a legacy @arg function with a namespace" '
    cat >Runfile <<RF &&
# @desc Tail the logs of a service
# @arg 1:service string Service name
# @arg 2:lines? int How many lines
docker:logs() docker compose logs --tail "\${2:-100}" "\$1"
RF
    run_cmd --inspect && expect_status 0 && expect_eq "$out" "{
  \"tools\": [
    {
      \"name\": \"docker__logs\",
      \"description\": \"Tail the logs of a service\",
      \"inputSchema\": {
        \"type\": \"object\",
        \"properties\": {
          \"service\": {
            \"type\": \"string\",
            \"description\": \"Service name\"
          },
          \"lines\": {
            \"type\": \"integer\",
            \"description\": \"How many lines\"
          },
          \"timeout\": {
            \"type\": \"integer\",
            \"description\": \"$TIMEOUT_DESC\",
            \"minimum\": 0
          }
        },
        \"required\": [
          \"service\"
        ]
      }
    }
  ]
}"
'
test_expect "no Runfile: {\"tools\": []} in three lines, exit 0" '
    rm -f Runfile &&
    "$RUN_BIN" --inspect >"$TEST_ROOT/got" 2>"$TEST_ROOT/err"; expect_eq "$?" 0 &&
    printf "{\n  \"tools\": []\n}\n" | cmp - "$TEST_ROOT/got" && [ ! -s "$TEST_ROOT/err" ]
'
test_expect "no described functions: an empty list" '
    printf "build() make\n" >Runfile &&
    run_cmd --inspect && expect_status 0 && expect_eq "$out" "{
  \"tools\": []
}" && [ -z "$err" ]
'
test_expect "a parse error: diagnostics on stderr, nothing on stdout, exit 1" '
    printf "# @desc Broken\nbad(a b) echo x\n" >Runfile &&
    run_cmd --inspect; expect_status 1 && [ -z "$out" ] &&
    grep -q "^Runfile:2:7: error: expected '\'','\'' or '\'')'\'' after parameter '\''a'\''$" <<<"$err"
'
test_expect "tools in Runfile order, undescribed functions left out, : becomes __" '
    cat >Runfile <<RF &&
# @desc Zed
zed() echo z
helper() echo h
# @desc Build the image
docker:build() echo b
# @desc Alpha
alpha() echo a
RF
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(grep "^      \"name\"" <<<"$out")" "      \"name\": \"zed\",
      \"name\": \"docker__build\",
      \"name\": \"alpha\","
'
test_expect "mcp.md §6.4 warnings on stderr at the definition; the rest still listed" '
    cat >Runfile <<RF &&
# @desc Waits
wait_for(timeout: int = 5) sleep "\$timeout"

# @desc Mine
function set_cwd() { cd "\$1"; }

# @desc Namespaced
a:b() echo ns

# @desc Plain
a__b() echo plain

# @desc Kept
kept() echo k
RF
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$(grep -E "^[^ ].*: warning: " <<<"$err")" "Runfile:2:1: warning: function '\''wait_for'\'' is not offered as an MCP tool: its parameter '\''timeout'\'' clashes with the built-in timeout argument
Runfile:5:1: warning: function '\''set_cwd'\'' is not offered as an MCP tool: '\''set_cwd'\'' is a built-in tool
Runfile:8:1: warning: function '\''a:b'\'' is not offered as an MCP tool: '\''a__b'\'' has the same tool name '\''a__b'\''" &&
    grep -q "^    5 | function set_cwd() { cd \"\$1\"; }$" <<<"$err" &&
    expect_eq "$(grep "^      \"name\"" <<<"$out")" "      \"name\": \"a__b\",
      \"name\": \"kept\"," &&
    grep -q "\"description\": \"Plain\"" <<<"$out"
'
test_expect "a tool name longer than 64 characters is left out with a warning" '
    long=$(printf "%060d" 0 | tr 0 a):bb:c &&
    printf "# @desc Long\n%s() echo x\n" "$long" >Runfile &&
    run_cmd --inspect && expect_status 0 &&
    grep -q "^Runfile:2:1: warning: function '\''$long'\'' is not offered as an MCP tool: its tool name is longer than 64 characters$" <<<"$err" &&
    expect_eq "$out" "{
  \"tools\": []
}"
'
test_expect "defaults as JSON of their type; numbers in execution.md §4 form; UTF-8 kept" '
    cat >Runfile <<RF &&
# @desc Ünïcode — and /slashes/
f(s = "a/b", i: int = -3, n: float = 2e3, m: number = 0.1, b: bool = yes, o: object = '\''{"z": 1, "a": [true]}'\'') echo
RF
    run_cmd --inspect && expect_status 0 &&
    grep -q "\"description\": \"Ünïcode — and /slashes/\"," <<<"$out" &&
    compact=$(tr -d " \n" <<<"$out") &&
    grep -qF "\"s\":{\"type\":\"string\",\"default\":\"a/b\"}" <<<"$compact" &&
    grep -qF "\"i\":{\"type\":\"integer\",\"default\":-3}" <<<"$compact" &&
    grep -qF "\"n\":{\"type\":\"number\",\"default\":2000.0}" <<<"$compact" &&
    grep -qF "\"m\":{\"type\":\"number\",\"default\":0.1}" <<<"$compact" &&
    grep -qF "\"b\":{\"type\":\"boolean\",\"default\":true}" <<<"$compact" &&
    grep -qF "\"o\":{\"type\":\"object\",\"default\":{\"z\":1,\"a\":[true]}}" <<<"$compact" &&
    grep -qF "\"required\":[]" <<<"$compact"
'
test_expect "--inspect never executes anything (prelude, calls, bodies)" '
    cat >Runfile <<RF &&
touch prelude-ran
# @desc Would touch
t() touch body-ran
RF
    run_cmd --inspect && expect_status 0 && [ ! -e prelude-ran ] && [ ! -e body-ran ] &&
    grep -q "\"name\": \"t\"" <<<"$out"
'
test_expect "--inspect with --runfile" '
    mkdir -p elsewhere && printf "# @desc There\nthere() echo\n" >elsewhere/tasks.run &&
    printf "# @desc Here\nhere() echo\n" >Runfile &&
    run_cmd --runfile elsewhere/tasks.run --inspect && expect_status 0 &&
    grep -q "\"name\": \"there\"" <<<"$out" && ! grep -q "\"name\": \"here\"" <<<"$out"
'
test_expect "--inspect output is valid JSON whatever the descriptions hold" '
    printf "# @desc Quotes \"x\" and back\\\\slash and tab\there\nq() echo\n" >Runfile &&
    run_cmd --inspect && expect_status 0 &&
    python3 -c "import json,sys; d=json.load(sys.stdin); print(d[\"tools\"][0][\"description\"])" <<<"$out" >"$TEST_ROOT/d" &&
    expect_eq "$(cat "$TEST_ROOT/d")" "$(printf "Quotes \"x\" and back\\\\slash and tab\there")"
'
test_expect "a warning in a sourced file names the file and where it is sourced" '
    mkdir -p lib && printf "\n# @desc Mine\nrun_docs() echo mine\n" >lib/t.run &&
    printf "source lib/t.run\n" >Runfile &&
    run_cmd --inspect && expect_status 0 &&
    expect_eq "$err" "lib/t.run:3:1: warning: function '\''run_docs'\'' is not offered as an MCP tool: '\''run_docs'\'' is a built-in tool
    3 | run_docs() echo mine
      | ^~~~~~~~
Runfile:1:8: note: '\''lib/t.run'\'' is sourced here"
'
test_done
