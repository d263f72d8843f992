#!/usr/bin/env bash
# Hostile argument words on the command line (cli.md §3, §11, §12; execution.md §3.2, §4): every
# kind of text in every parameter position of every type, words that look like options or
# shell code, invalid UTF-8, empty and long words, names with `..` and `/`. Each gets its
# specified result or error; nothing is ever executed from a value.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$TEST_ROOT/keep"
canary() { [ ! -e "$TEST_ROOT/pwned" ] && [ ! -e pwned ] && [ -d "$TEST_ROOT/keep" ]; }

cat >Runfile <<'EOF'
all(s, i: int, n: float, b: bool, o: object, ...rest) printf '[%s]' "$@"
opt(s = "d", i: int = 5, b: bool = no) printf '[%s]' "$s" "$i" "$b"
bytes(v) printf '%s' "$v" | wc -c

# @shell python3
py(s, b: bool, ...rest) {
    import sys
    sys.stdout.write(repr([s, b] + rest) + "\n")
}

# @shell node
js(s, i: int, ...rest) console.log(JSON.stringify([s, i, rest]))
EOF

# The values tried in every position, and the argv text each type accepts them as ("" = refused).
values=('' 'abc' '42' '-7' '+3' '007' '1.5' '.5' '2e3' '1e' '0x10' 'yes' 'OFF' 'On' '0' 'true'
    '{"a":1}' ' {"a" : [1]} ' '[1]' 'null' '--list' '-h' '--' '$(touch pwned)' '`touch pwned`'
    '; touch pwned' "'; touch pwned; '" 'a b' $'line\nbreak' $'\xff\xfe' '*' '~' '../x' '/etc/passwd'
    '99999999999999999999' '-9223372036854775808')
accepts() { # TYPE VALUE -> prints the argv text, or fails
    local t=$1 v=$2
    case $t in
    s) printf '%s' "$v" ;;
    i) [[ $v =~ ^[+-]?[0-9]+$ ]] && [ ${#v} -lt 19 ] || [ "$v" = -9223372036854775808 ] || return 1
       printf '%s' "$v" ;;
    n) [[ $v =~ ^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$ ]] || return 1; printf '%s' "$v" ;;
    b) case ${v,,} in true|yes|on|1) printf true ;; false|no|off|0) printf false ;; *) return 1 ;; esac ;;
    o) [ "$v" = '{"a":1}' ] || [ "$v" = ' {"a" : [1]} ' ] || return 1; printf '%s' "$v" ;;
    esac
}
phrase() {
    case $1 in
    i) echo 'an integer' ;; n) echo 'a number' ;;
    b) echo 'a boolean (true/false/yes/no/on/off/1/0)' ;; o) echo 'a JSON object' ;;
    esac
}

matrix=0 bad=0
base=(S 1 2 true '{}' r1 r2)
names=(s i n b o)
for pos in 0 1 2 3 4; do
    for v in "${values[@]}"; do
        matrix=$((matrix + 1))
        words=("${base[@]}")
        words[pos]=$v
        run_cmd all "${words[@]}"
        t=${names[pos]}
        if text=$(accepts "$t" "$v"); then
            want=$(printf '[%s]' "${words[@]:0:pos}" "$text" "${words[@]:pos+1}")
            if [ "$status" != 0 ] || [ "$out" != "$want" ] || [ -n "$err" ]; then
                bad=$((bad + 1)); echo "# $t=$(printf %q "$v"): status $status out $(printf %q "$out") err $err (want $want)"
            fi
        else
            want="error: argument '$t' of 'all' must be $(phrase "$t"), got '$v'
usage: run all <s> <i> <n> <b> <o> [rest...]"
            if [ "$status" != 2 ] || [ -n "$out" ] || [ "$err" != "$want" ]; then
                bad=$((bad + 1)); echo "# $t=$(printf %q "$v"): status $status out $(printf %q "$out") err $(printf %q "$err")"
            fi
        fi
    done
done
# The rest words: every value, all at once, arrives unchanged and in order.
matrix=$((matrix + 1))
run_cmd all S 1 2 true '{}' "${values[@]}"
if [ "$status" != 0 ] || [ "$out" != "$(printf '[%s]' S 1 2 true '{}' "${values[@]}")" ]; then
    bad=$((bad + 1)); echo "# rest: status $status"
fi
echo "# argument matrix: $matrix cases, $bad wrong"
test_expect "every value in every typed position: the specified text or the exact error" \
    '[ "$bad" = 0 ] && canary'

test_expect "missing and empty: required missing is an error, empty optional is the default" '
    run_cmd all && expect_status 2 &&
    expect_eq "$err" "error: missing required argument '\''s'\'' for '\''all'\''
usage: run all <s> <i> <n> <b> <o> [rest...]" &&
    run_cmd all S 1 2 true && expect_status 2 &&
    expect_eq "$err" "error: missing required argument '\''o'\'' for '\''all'\''
usage: run all <s> <i> <n> <b> <o> [rest...]" &&
    run_cmd all "" 1 2 true "{}" && expect_status 0 && expect_eq "$out" "[][1][2][true][{}]" &&
    run_cmd opt "" "" "" && expect_status 0 && expect_eq "$out" "[d][5][false]" &&
    run_cmd opt x "" on && expect_status 0 && expect_eq "$out" "[x][5][true]" &&
    run_cmd opt "" abc && expect_status 2 &&
    expect_eq "$err" "error: argument '\''i'\'' of '\''opt'\'' must be an integer, got '\''abc'\''
usage: run opt [s] [i] [b]"'

test_expect "100 KiB and invalid UTF-8 words reach the function byte for byte" '
    big=$(head -c 102400 /dev/zero | tr "\0" x) &&
    run_cmd bytes "$big" && expect_status 0 && expect_eq "$out" 102400 &&
    run_cmd bytes $'"'"'\xff\xfe\x80'"'"' && expect_status 0 && expect_eq "$out" 3 && canary'

# shellcheck disable=SC1003 # backslashes in the single-quoted body are data
test_expect "polyglot functions get hostile values as data" '
    run_cmd py "it'"'"'s \"q\" \\ \$(x)" YES "--list" "a\nb" && expect_status 0 &&
    expect_eq "$out" "['"'"'it\\'"'"'s \"q\" \\\\ \$(x)'"'"', True, '"'"'--list'"'"', '"'"'a\\\\nb'"'"']" &&
    run_cmd js "\`\${process.exit(9)}\`" 007 "-h" && expect_status 0 &&
    expect_eq "$out" "[\"\`\${process.exit(9)}\`\",7,[\"-h\"]]" && canary'

test_expect "words that look like options after the function name belong to it" '
    run_cmd all --list -h --help --version "{}" -- --serve-mcp && expect_status 2 &&
    expect_eq "$err" "error: argument '\''i'\'' of '\''all'\'' must be an integer, got '\''-h'\''
usage: run all <s> <i> <n> <b> <o> [rest...]" &&
    run_cmd all --list 1 2 true "{}" -- --serve-mcp && expect_status 0 &&
    expect_eq "$out" "[--list][1][2][true][{}][--][--serve-mcp]"'

test_expect "function names with .., / and options: not found, file mode, or no file" '
    run_cmd .. && expect_status 127 && expect_eq "${err%%$'"'"'\n'"'"'*}" "error: Function '"'"'..'"'"' not found" &&
    run_cmd "" && expect_status 127 && expect_eq "${err%%$'"'"'\n'"'"'*}" "error: Function '"'"''"'"' not found" &&
    run_cmd ../evil && expect_status 1 && expect_eq "$err" "error: cannot read '"'"'../evil'"'"': No such file or directory" &&
    run_cmd "a/../../b" && expect_status 1 && expect_eq "$err" "error: cannot read '"'"'a/../../b'"'"': No such file or directory" &&
    run_cmd -- --list && expect_status 127 && expect_eq "${err%%$'"'"'\n'"'"'*}" "error: Function '"'"'--list'"'"' not found" &&
    run_cmd "\$(touch pwned)" && expect_status 127 && canary'

test_done
