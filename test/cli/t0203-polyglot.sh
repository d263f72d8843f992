#!/usr/bin/env bash
# Polyglot functions: typed preambles, values as argv data, the prelude stage, wrappers
# (execution.md §9, §10; examples.md §14; differences.md E2, E3, E7, E8, E10).
. "$(dirname "$0")/../lib.sh"

have() { command -v "$1" >/dev/null 2>&1; }
canary() { [ ! -e "$TEST_ROOT/pwned" ]; }
# The hostile values every language must receive unchanged (and never execute).
hostile_values=('$(touch "$TEST_ROOT/pwned")' '`touch "$TEST_ROOT/pwned"`' "'; import os #"
    '"); process.exit(9); ("' '${name}' "#{system('touch pwned')}" $'new\nline' 'ünï ✓' '--list'
    '-h' '-e' '' '--')

cat >Runfile <<'EOF'
# @shell python
greet(name, times: int = 2, loud: bool = false, ...tags) {
    for _ in range(times):
        print(f"Hello, {name}!".upper() if loud else f"Hello, {name}!")
    print("tags:", tags)
}

# @shell node
fmt(price: float, qty: int = 1, gift: bool = false) {
    const total = (price * qty).toFixed(2);
    console.log(`total=${total} gift=${gift}`);
}

# @shell python
pyargs() {
    import sys
    print("|".join(sys.argv[1:]) + "|", len(sys.argv) - 1)
}

# @shell node
nodeargs(...all) console.log(all.join("|") + "|", all.length)

# @shell ruby
rbargs() puts ARGV.join("|") + "| #{ARGV.length}"

# @shell python3
pydefaults(s = "it's a \"q\"", n: float = 2e3, o: object = '{"k": [1, "x"]}', b: bool = on) print(repr(s), n, o, b)

# @shell node
nodedefaults(s = "it's", o: object = '{"k": 1}') console.log(s, JSON.stringify(o))

# @shell ruby
rbtyped(s = "it's", n: float = 2e3, i: int = 5, o: object = '{"k": [1]}', b: bool = on, ...rest) {
    puts [s, n, i, o, b, rest].inspect
}

# @shell python
pyfail() {
    import sys
    sys.exit(4)
}

#!/usr/bin/env python3
withbang() {
    #!/usr/bin/env python3
    print("shebang python", __RUNFILE_DIR__ != "")
}

# @shell python
pyenv() {
    import os
    print(os.environ.get("FROM_PRELUDE"), os.environ.get("PLAIN"), __RUNFILE_DIR__ == os.environ["__RUNFILE_DIR__"])
}

caller() {
    echo "before"
    v=$(pyargs "a b" c)
    echo "inner: $v"
    nodeargs x || echo "nodeargs failed"
    pyfail || echo "pyfail said $?"
    echo "after"
}
EOF

test_expect "execution §9.3: python preamble, empty means default, YES is true" '
    run_cmd greet Ann "" yes x "y z" && expect_status 0 &&
    expect_eq "$out" "HELLO, ANN!
HELLO, ANN!
tags: ['\''x'\'', '\''y z'\'']"
'
test_expect "example 14: node with typed values" '
    run_cmd fmt 9.5 3 YES && expect_eq "$out" "total=28.50 gift=true" &&
    run_cmd fmt 9.5 && expect_eq "$out" "total=9.50 gift=false" &&
    run_cmd fmt abc; expect_status 2 && [ -z "$out" ] &&
    expect_eq "$err" "error: argument '\''price'\'' of '\''fmt'\'' must be a number, got '\''abc'\''
usage: run fmt <price> [qty] [gift]"
'
poly_hostile() {
    local fn=$1 v joined=""
    for v in "${hostile_values[@]}"; do joined+="$v|"; done
    run_cmd "$fn" "${hostile_values[@]}" || true
    expect_status 0 && expect_eq "$out" "$joined ${#hostile_values[@]}" && canary
}
test_expect "python gets hostile values byte for byte" 'poly_hostile pyargs'
test_expect "node gets hostile values byte for byte" 'poly_hostile nodeargs'
if have ruby; then
    test_expect "ruby gets hostile values byte for byte" 'poly_hostile rbargs'
    test_expect "ruby: typed preamble, defaults for absent and empty values" '
        run_cmd rbtyped && expect_status 0 &&
        expect_eq "$out" "[\"it'\''s\", 2000.0, 5, {\"k\"=>[1]}, true, []]" &&
        run_cmd rbtyped "" 1.5 -3 "{\"a\": null}" no x "y z" && expect_status 0 &&
        expect_eq "$out" "[\"it'\''s\", 1.5, -3, {\"a\"=>nil}, false, [\"x\", \"y z\"]]"
    '
fi
# shellcheck disable=SC1003 # the expected text holds a Python escape
test_expect "defaults are literals of the language" '
    run_cmd pydefaults && expect_status 0 &&
    expect_eq "$out" "'\''it\\'\''s a \"q\"'\'' 2000.0 {'\''k'\'': [1, '\''x'\'']} True" &&
    run_cmd nodedefaults && expect_eq "$out" "it'\''s {\"k\":1}"
'
test_expect "a failing python block function gives its status (C2)" '
    run_cmd pyfail; expect_status 4 && expect_eq "$err" "error: '\''pyfail'\'' exited with status 4"
'
test_expect "a shebang selects the interpreter; the preamble still comes first" '
    run_cmd withbang && expect_status 0 && expect_eq "$out" "shebang python True"
'
test_expect "shell to python and node through wrappers (current executable)" '
    run_cmd caller && expect_status 0 &&
    expect_eq "$out" "before
inner: a b|c| 2
x| 1
pyfail said 4
after"
'
test_expect "wrappers work from another directory and with another run first in PATH" '
    mkdir -p sub fakebin && printf "#!/bin/sh\necho fake run; exit 1\n" >fakebin/run &&
    chmod +x fakebin/run && cd sub && PATH="$PWD/../fakebin:$PATH" run_cmd caller &&
    expect_status 0 && grep -qx "inner: a b|c| 2" <<<"$out"
'
test_expect "prelude stage: exports reach the program, plain assignments do not" '
    printf "export FROM_PRELUDE=yes\nPLAIN=no\n" >>Runfile &&
    run_cmd pyenv && expect_status 0 && expect_eq "$out" "yes None True"
'
test_expect "prelude stage keeps argv intact" '
    run_cmd pyargs "a b" "" -c && expect_eq "$out" "a b||-c| 3"
'
test_expect "a failing prelude stops a polyglot function (errexit)" '
    printf "false\n" >>Runfile && run_cmd pyargs x; expect_status 1 && [ -z "$out" ]
'
test_done
