#!/usr/bin/env bash
# run --list: single and merged formats (cli.md §5.4, examples.md §5), labels, exit statuses.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$HOME/shop/src"
cat >"$HOME/.runfile" <<'X'
disk() df -h
shared() echo "global shared"
X
cat >"$HOME/shop/Runfile" <<'X'
test() ./run-tests.sh
shared() echo "project shared"
X

test_expect "merged listing (examples.md §5)" '
    cd "$HOME/shop" && run_cmd --list && expect_status 0 &&
    expect_eq "$out" "Available functions:

  From ./Runfile:
    shared (overrides global)
    test

  From ~/.runfile:
    disk" && [ -z "$err" ]
'
test_expect "-l is --list" '
    cd "$HOME/shop" && run_cmd -l && expect_status 0 && grep -q "^    disk$" <<<"$out"
'
test_expect "RUN_NO_GLOBAL_MERGE lists the project alone" '
    cd "$HOME/shop" && RUN_NO_GLOBAL_MERGE=1 run_cmd --list && expect_status 0 &&
    expect_eq "$out" "Available functions from ./Runfile:
  shared
  test"
'
test_expect "RUN_NO_GLOBAL_MERGE set but empty still counts" '
    cd "$HOME/shop" && RUN_NO_GLOBAL_MERGE= run_cmd --list &&
    expect_eq "$(head -n 1 <<<"$out")" "Available functions from ./Runfile:"
'
test_expect "a Runfile found above is labelled ../Runfile" '
    cd "$HOME/shop/src" && RUN_NO_GLOBAL_MERGE=1 run_cmd --list && expect_status 0 &&
    expect_eq "$(head -n 1 <<<"$out")" "Available functions from ../Runfile:"
'
test_expect "merged listing from a subdirectory" '
    cd "$HOME/shop/src" && run_cmd --list &&
    grep -q "^  From ../Runfile:$" <<<"$out" && grep -q "^  From ~/.runfile:$" <<<"$out"
'
test_expect "only the global file" '
    run_cmd --list && expect_status 0 &&
    expect_eq "$out" "Available functions from ~/.runfile:
  disk
  shared"
'
test_expect "a section without names is left out" '
    mkdir -p "$TEST_ROOT/home/sub1" && cd "$TEST_ROOT/home/sub1" &&
    printf "disk() echo mine\nshared() echo mine\n" >Runfile && run_cmd --list &&
    expect_eq "$out" "Available functions:

  From ./Runfile:
    disk (overrides global)
    shared (overrides global)"
'
test_expect "--runfile label is the value as typed; no global merge" '
    run_cmd --runfile "$HOME/shop/Runfile" --list && expect_status 0 &&
    expect_eq "$out" "Available functions from $HOME/shop/Runfile:
  shared
  test" &&
    run_cmd --runfile=../home/shop --list &&
    expect_eq "$(head -n 1 <<<"$out")" "Available functions from ../home/shop:" &&
    run_cmd --working-dir ../home/shop/ -l && grep -q "^  test$" <<<"$out"
'
test_expect "names are sorted by byte order and listed once" '
    printf "b() echo\nB() echo\na:b() echo\na() echo\n_x() echo\nb() echo again\na-b() echo\n" >R &&
    run_cmd --runfile R --list &&
    expect_eq "$out" "Available functions from R:
  B
  _x
  a
  a-b
  a:b
  b"
'
test_expect "@os mismatches are not listed" '
    printf "# @os windows\nwin() echo\n# @os unix\nnix() echo\n" >R &&
    run_cmd --runfile R --list && expect_eq "$out" "Available functions from R:
  nix"
'
test_expect "no functions" '
    printf "X=1\n# nothing\n" >R && run_cmd --runfile R --list && expect_status 0 &&
    expect_eq "$out" "No functions defined in Runfile."
'
test_expect "no functions in a merge" '
    mkdir -p "$TEST_ROOT/e/h" && cd "$TEST_ROOT/e" && echo "X=1" >Runfile && echo "Y=1" >h/.runfile &&
    HOME="$TEST_ROOT/e/h" run_cmd --list && expect_eq "$out" "No functions defined in Runfile."
'
test_expect "no Runfile: exact message, exit 1" '
    rm -f "$HOME/.runfile" && run_cmd --list && expect_status 1 && [ -z "$out" ] &&
    expect_eq "$err" "error: No Runfile found. Create ./Runfile or ~/.runfile to define functions."
'
test_expect "--runfile to a missing file: exact message, exit 1" '
    run_cmd --runfile nope/Runfile --list && expect_status 1 &&
    expect_eq "$err" "error: No Runfile found at '\''nope/Runfile'\''" &&
    mkdir -p emptydir && run_cmd --runfile emptydir --list && expect_status 1 &&
    expect_eq "$err" "error: No Runfile found at '\''emptydir'\''"
'
test_expect "a parse error: diagnostics on stderr, nothing listed, exit 1" '
    printf "ok() echo\n\nbad(a b) echo x\n" >Runfile && run_cmd --list && expect_status 1 &&
    [ -z "$out" ] &&
    expect_eq "$err" "Runfile:3:7: error: expected '\'','\'' or '\'')'\'' after parameter '\''a'\''
    3 | bad(a b) echo x
      |       ^
      = hint: separate parameters with commas, as in bad(a, b)"
'
test_expect "warnings are printed and the listing goes on" '
    printf "# @shell fish\nok() echo\n" >Runfile && run_cmd --list && expect_status 0 &&
    grep -q "^Runfile:1:10: warning: unknown @shell value '\''fish'\'' (ignored)$" <<<"$err" &&
    grep -q "^  ok$" <<<"$out"
'
test_expect "listing executes nothing" '
    printf "touch side-effect\nX=\$(touch side2)\nf() touch side3\nf()\n" >Runfile &&
    run_cmd --list && expect_status 0 && [ ! -e side-effect ] && [ ! -e side2 ] && [ ! -e side3 ]
'
test_expect "names are sorted by bytes, whatever their first eight bytes share" '
    mkdir -p order && cd order &&
    for n in a ab abcdefgh abcdefg abcdefghi abcdefgh-z abcdefgh:z abcdefgh_z abcdefghZ \
        abcdefgh0 B b_ b- b:c db:migrate:up db:migrate db:migrate-all db:migrate:down Zed z \
        x1234567 x12345678 x1234567-x x1234567_ x9; do echo "$n() echo"; done >Runfile &&
    RUN_NO_GLOBAL_MERGE=1 run_cmd --list && expect_status 0 &&
    expect_eq "$(tail -n +2 <<<"$out" | sed "s/^  //")" \
        "$(grep -o "^[^(]*" Runfile | LC_ALL=C sort)"
'
test_expect "a closed stdout ends run quietly" '
    for i in $(seq 1 5000); do echo "f$i() echo"; done >Runfile &&
    "$RUN_BIN" --list 2>err.txt | head -n 1 >/dev/null && [ ! -s err.txt ]
'
test_done
