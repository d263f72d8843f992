#!/usr/bin/env bash
# Discovery of the project Runfile and diagnostic labels (runfile.md §8.1, §10.1).
. "$(dirname "$0")/../lib.sh"

test_expect "found in a parent directory several levels up" '
    mkdir -p p/a/b/c && echo "top() echo" >p/Runfile && cd p/a/b/c && run_cmd --list &&
    expect_status 0 && expect_eq "$out" "Available functions from ../../../Runfile:
  top"
'
test_expect "the nearest Runfile wins" '
    mkdir -p q/a && echo "outer() echo" >q/Runfile && echo "inner() echo" >q/a/Runfile &&
    cd q/a && run_cmd --list && expect_eq "$out" "Available functions from ./Runfile:
  inner"
'
test_expect "a directory named Runfile is not a Runfile; a symlink to one is" '
    mkdir -p r/Runfile r/s && echo "real() echo" >r/real.run && ln -s ../real.run r/s/Runfile &&
    cd r && run_cmd --runfile Runfile/x --list; expect_status 1 &&
    cd s && run_cmd --list && expect_eq "$out" "Available functions from ./Runfile:
  real"
'
test_expect "the search stops at the home directory" '
    mkdir -p "$TEST_ROOT/above/home/proj" && echo "above() echo" >"$TEST_ROOT/above/Runfile" &&
    cd "$TEST_ROOT/above/home/proj" && HOME="$TEST_ROOT/above/home" run_cmd --list &&
    expect_status 1 && grep -q "^error: No Runfile found\." <<<"$err"
'
test_expect "outside home the search goes on to the root" '
    mkdir -p "$TEST_ROOT/out/x/y" && echo "o() echo" >"$TEST_ROOT/out/Runfile" &&
    cd "$TEST_ROOT/out/x/y" && run_cmd --list && expect_status 0 &&
    expect_eq "$(head -n 1 <<<"$out")" "Available functions from ../../Runfile:"
'
test_expect "diagnostics name a parent Runfile by its ~/ path" '
    mkdir -p "$HOME/proj/sub" && printf "bad(a b) x\n" >"$HOME/proj/Runfile" &&
    cd "$HOME/proj/sub" && run_cmd --list && expect_status 1 &&
    grep -q "^~/proj/Runfile:1:7: error: " <<<"$err"
'
test_expect "diagnostics name a file outside cwd and home by its absolute path" '
    mkdir -p "$TEST_ROOT/abs/in" && printf "bad(a b) x\n" >"$TEST_ROOT/abs/Runfile" &&
    cd "$TEST_ROOT/abs/in" && run_cmd --list && expect_status 1 &&
    grep -q "^$TEST_ROOT/abs/Runfile:1:7: error: " <<<"$err"
'
test_expect "diagnostics in ~/.runfile say ~/.runfile" '
    printf "\n  }\n" >"$HOME/.runfile" && mkdir -p g && cd g && run_cmd --list &&
    expect_status 1 && expect_eq "$err" "~/.runfile:2:3: error: unmatched '\''}'\''
    2 |   }
      |   ^
      = hint: there is no open block here; a block'\''s '\''}'\'' closes at the matching '\''{'\''" &&
    rm "$HOME/.runfile"
'
test_expect "--runfile relative to the current directory, labels relative too" '
    mkdir -p t/lib && printf "bad(a b) x\n" >t/lib/x.run && run_cmd --runfile t/lib/x.run --list &&
    expect_status 1 && grep -q "^t/lib/x.run:1:7: error: " <<<"$err"
'
test_done
