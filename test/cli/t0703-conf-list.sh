#!/usr/bin/env bash
# Spec conformance: --list formats and labels (cli.md §5.4; runfile.md §6.4, §8, §9).
. "$(dirname "$0")/../lib.sh"

mkdir -p proj/src/deep
cat >proj/Runfile <<'EOF'
zeta() echo z
test() echo t
# @os windows
winonly() echo w
Beta() echo b
shared() echo "project shared"
touch "$HOME/prelude-ran"
source lib.run
EOF
printf 'alpha:x() echo a\n' >proj/lib.run
cat >"$HOME/.runfile" <<'EOF'
disk() df -h
shared() echo "global shared"
EOF

test_expect "merged format, overrides, sorted by bytes, @os dropped, sourced included" '
	cd proj && run_cmd --list && expect_status 0 && expect_eq "$out" "Available functions:

  From ./Runfile:
    Beta
    alpha:x
    shared (overrides global)
    test
    zeta

  From ~/.runfile:
    disk" && test ! -e "$HOME/prelude-ran"
'
test_expect "RUN_NO_GLOBAL_MERGE (even empty): single format" '
	cd proj && RUN_NO_GLOBAL_MERGE= run_cmd -l && expect_eq "$out" "Available functions from ./Runfile:
  Beta
  alpha:x
  shared
  test
  zeta"
'
test_expect "label of a Runfile found above: ../Runfile, ../../Runfile" '
	cd proj/src && RUN_NO_GLOBAL_MERGE=1 run_cmd --list &&
	expect_eq "$(printf "%s\n" "$out" | head -1)" "Available functions from ../Runfile:" &&
	cd deep && RUN_NO_GLOBAL_MERGE=1 run_cmd --list &&
	expect_eq "$(printf "%s\n" "$out" | head -1)" "Available functions from ../../Runfile:"
'
test_expect "merged from a subdirectory: From ../Runfile:" '
	cd proj/src && run_cmd --list && expect_eq "$(printf "%s\n" "$out" | sed -n 3p)" "  From ../Runfile:"
'
test_expect "--runfile label exactly as typed, no global merge" '
	run_cmd --runfile ./proj//Runfile --list &&
	expect_eq "$(printf "%s\n" "$out" | head -1)" "Available functions from ./proj//Runfile:" &&
	! printf "%s" "$out" | grep -q disk &&
	run_cmd --runfile proj --list && expect_eq "$(printf "%s\n" "$out" | head -1)" "Available functions from proj:"
'
test_expect "global only: ~/.runfile label" '
	mkdir -p "$HOME/sub" && cd "$HOME/sub" && run_cmd --list && expect_eq "$out" "Available functions from ~/.runfile:
  disk
  shared"
'
test_expect "project section empty: left out with heading and blank line" '
	mkdir p2 && printf "# nothing\n" >p2/Runfile && cd p2 && run_cmd --list && expect_eq "$out" "Available functions:

  From ~/.runfile:
    disk
    shared"
'
test_expect "global section empty (all overridden): left out" '
	mkdir p3 && printf "disk() :\nshared() :\n" >p3/Runfile && cd p3 && run_cmd --list && expect_eq "$out" "Available functions:

  From ./Runfile:
    disk (overrides global)
    shared (overrides global)"
'
test_expect "no functions at all" '
	mkdir p4 && printf "X=1\n" >p4/Runfile && cd p4 && RUN_NO_GLOBAL_MERGE=1 run_cmd --list &&
	expect_status 0 && expect_eq "$out" "No functions defined in Runfile." &&
	rm "$HOME/.runfile" && run_cmd --list && expect_eq "$out" "No functions defined in Runfile."
'
test_expect "duplicate definitions listed once" '
	mkdir p5 && printf "a() :\na() { :; }\n" >p5/Runfile && run_cmd --runfile p5 --list &&
	expect_eq "$out" "Available functions from p5:
  a"
'
test_expect "no Runfile: exit 1 and the message" '
	rm -f "$HOME/.runfile"; mkdir -p "$HOME/x" && cd "$HOME/x" && run_cmd --list && expect_status 1 &&
	expect_eq "$out" "" && expect_eq "$err" "error: No Runfile found. Create ./Runfile or ~/.runfile to define functions."
'
test_expect "parse error: diagnostics, exit 1, nothing on stdout" '
	mkdir p6 && printf "bad(a b) echo x\n" >p6/Runfile && run_cmd --runfile p6/Runfile --list &&
	expect_status 1 && expect_eq "$out" "" && printf "%s" "$err" | grep -q "error: expected"
'
test_expect "--inspect with no Runfile: empty tools, 3 lines, exit 0" '
	mkdir -p "$HOME/y" && cd "$HOME/y" && rm -f "$HOME/.runfile" && run_cmd --inspect && expect_status 0 &&
	expect_eq "$out" "{
  \"tools\": []
}"
'
test_expect "--inspect parse error: nothing on stdout, exit 1" '
	run_cmd --runfile p6/Runfile --inspect && expect_status 1 && expect_eq "$out" ""
'
test_done
