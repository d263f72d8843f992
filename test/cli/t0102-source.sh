#!/usr/bin/env bash
# The source directive through the command line (runfile.md §7, differences L10, L11, C11).
. "$(dirname "$0")/../lib.sh"

test_expect "paths are relative to the including file; quotes and comments are removed" '
    mkdir -p s1/lib/more "s1/odd dir" &&
    printf "source lib/a.run\nsource \"odd dir/b.run\"   # comment\nroot() echo\n" >s1/Runfile &&
    printf "a() echo\nsource more/c.run\n" >s1/lib/a.run &&
    printf "c() echo\n" >s1/lib/more/c.run && printf "b() echo\n" >"s1/odd dir/b.run" &&
    cd s1 && run_cmd --list && expect_status 0 && [ -z "$err" ] &&
    expect_eq "$out" "Available functions from ./Runfile:
  a
  b
  c
  root"
'
test_expect "cycles and repeats are read once, the root included" '
    mkdir -p s2/sub && printf "source sub/x.run\nsource sub/x.run\nsource Runfile\nr() echo\n" >s2/Runfile &&
    printf "source ../Runfile\nsource x.run\nx() echo\n" >s2/sub/x.run &&
    cd s2 && run_cmd --list && expect_status 0 && [ -z "$err" ] &&
    expect_eq "$out" "Available functions from ./Runfile:
  r
  x"
'
test_expect "a source path may start with ~/ (the home directory)" '
    printf "home_fn() echo\n" >"$HOME/tasks.run" && mkdir -p s3 &&
    printf "source ~/tasks.run\n" >s3/Runfile && cd s3 && run_cmd --list &&
    expect_eq "$out" "Available functions from ./Runfile:
  home_fn"
'
test_expect "a missing file is a warning; listing goes on" '
    mkdir -p s4 && printf "source lib/missing.run\nok() echo\n" >s4/Runfile && cd s4 &&
    run_cmd --list && expect_status 0 &&
    expect_eq "$err" "Runfile:1:8: warning: cannot source '\''lib/missing.run'\'': No such file or directory
    1 | source lib/missing.run
      |        ^~~~~~~~~~~~~~~" && grep -q "^  ok$" <<<"$out"
'
test_expect "an error in a sourced file names it, with the chain of notes" '
    mkdir -p s5/tasks && printf "source tasks/db.run\n\n# @desc Run the tests\ntest() pytest -q\n" >s5/Runfile &&
    printf "# @desc Apply migrations\nmigrate(steps: int = 1, target) {\n    ./manage.py migrate\n}\n\nseed(file = \"seed.sql\" {\n    psql < \"\$file\"\n}\n" >s5/tasks/db.run &&
    cd s5 && run_cmd --list && expect_status 1 && [ -z "$out" ] &&
    expect_eq "$(sed "/hint:/d" <<<"$err")" "tasks/db.run:6:24: error: expected '\'','\'' or '\'')'\'' after parameter '\''file'\''
    6 | seed(file = \"seed.sql\" {
      |                        ^
Runfile:1:8: note: '\''tasks/db.run'\'' is sourced here"
'
test_expect "sourced functions take part in the merged listing (C11)" '
    mkdir -p "$HOME/m/lib" && printf "source lib/p.run\n" >"$HOME/m/Runfile" &&
    printf "shared() echo\npfn() echo\n" >"$HOME/m/lib/p.run" &&
    printf "shared() echo\nsource g.run\n" >"$HOME/.runfile" && printf "gfn() echo\n" >"$HOME/g.run" &&
    cd "$HOME/m" && run_cmd --list && expect_status 0 &&
    expect_eq "$out" "Available functions:

  From ./Runfile:
    pfn
    shared (overrides global)

  From ~/.runfile:
    gfn" && rm "$HOME/.runfile"
'
test_expect "each root file starts its own include-once tree" '
    printf "both() echo\n" >"$HOME/common.run" && printf "source common.run\n" >"$HOME/.runfile" &&
    mkdir -p "$HOME/n" && printf "source ../common.run\n" >"$HOME/n/Runfile" && cd "$HOME/n" &&
    run_cmd --list && expect_eq "$out" "Available functions:

  From ./Runfile:
    both (overrides global)" && rm "$HOME/.runfile"
'
test_expect "nesting deeper than 256 files is an error" '
    mkdir -p deep && for i in $(seq 1 260); do printf "source f$((i + 1)).run\n" >deep/f$i.run; done &&
    cp deep/f1.run deep/Runfile && cd deep && run_cmd --list && expect_status 1 &&
    grep -q "^f256.run:1:8: error: source nesting deeper than 256 files$" <<<"$err" &&
    [ "$(grep -c "note: " <<<"$err")" = 255 ]
'
test_done
