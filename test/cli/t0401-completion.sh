#!/usr/bin/env bash
# Completion scripts (cli.md §10.1): --generate-completion output, and each script completing
# options, option values and function names segment by segment in its real shell.
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/../lib.sh"

# The scripts call `run` by name: put the binary under test first in PATH.
mkdir -p "$TEST_ROOT/bin"
ln -s "$RUN_BIN" "$TEST_ROOT/bin/run"
export PATH="$TEST_ROOT/bin:$PATH"
cat >Runfile <<'RF'
docker:build() echo build
docker:push() echo push
test() echo test
RF
cat >other.run <<'RF'
deploy:prod() echo prod
RF
mkdir -p sub && cat >sub/Runfile <<'RF'
subtask() echo sub
RF

for sh in bash zsh fish powershell; do
    test_expect "--generate-completion $sh prints completions/run.$sh exactly" "
        run_cmd --generate-completion $sh && expect_status 0 &&
        \"\$RUN_BIN\" --generate-completion $sh | cmp - '$REPO/completions/run.$sh'
    "
done
test_expect "pwsh is powershell" '
    "$RUN_BIN" --generate-completion pwsh | cmp - "$REPO/completions/run.powershell"
'
test_expect "required markers of every script" '
    run_cmd --generate-completion bash &&
    grep -q "^_run_complete() {" <<<"$out" && grep -qx "complete -F _run_complete run" <<<"$out" &&
    run_cmd --generate-completion zsh &&
    [ "$(head -n 1 <<<"$out")" = "#compdef run" ] && grep -q "^_run() {" <<<"$out" &&
    run_cmd --generate-completion fish && grep -q "^complete -c run " <<<"$out" &&
    run_cmd --generate-completion powershell &&
    grep -q "Register-ArgumentCompleter -Native -CommandName run" <<<"$out"
'
test_expect "an unknown shell is a usage error" '
    run_cmd --generate-completion tcsh; expect_status 2 && [ -z "$out" ]
'

# ---- bash: source the script and call _run_complete as bash's completion would ----
cat >"$TEST_ROOT/bashcomp.sh" <<'SH'
source <(run --generate-completion bash)
# complete WORD... : the last word is the one being completed
c() {
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _run_complete
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
SH
bashc() { bash --norc --noprofile -c "source '$TEST_ROOT/bashcomp.sh'; $1"; }

test_expect "bash: the script registers _run_complete for run" '
    [ "$(bashc "complete -p run")" = "complete -F _run_complete run" ]
'
test_expect "bash: first word offers first segments" '
    expect_eq "$(bashc "c run \"\"")" "docker test"
'
test_expect "bash: after docker, the next segments" '
    expect_eq "$(bashc "c run docker \"\"")" "build push" &&
    expect_eq "$(bashc "c run docker p")" "push"
'
test_expect "bash: a prefix filters names" '
    expect_eq "$(bashc "c run d")" "docker" && expect_eq "$(bashc "c run x")" ""
'
test_expect "bash: after a whole name, file names (the arguments)" '
    expect_eq "$(bashc "c run docker build oth")" "other.run"
'
test_expect "bash: a name typed with colons (split at : by bash)" '
    expect_eq "$(bashc "c run docker : \"\"")" "build push" &&
    expect_eq "$(bashc "c run docker : b")" "build"
'
test_expect "bash: options" '
    expect_eq "$(bashc "c run --ins")" "--inspect --install-completion" &&
    expect_eq "$(bashc "c run -V")" "-V"
'
test_expect "bash: option values" '
    expect_eq "$(bashc "c run --output-format \"\"")" "json markdown stream" &&
    expect_eq "$(bashc "c run --output-format m")" "markdown" &&
    expect_eq "$(bashc "c run --output-format = j")" "json" &&
    expect_eq "$(bashc "c run --generate-completion \"\"")" "bash fish powershell pwsh zsh" &&
    expect_eq "$(bashc "c run --install-completion \"\"")" "auto bash fish powershell pwsh zsh"
'
test_expect "bash: file names after --runfile and --working-dir" '
    expect_eq "$(bashc "c run --runfile oth")" "other.run" &&
    expect_eq "$(bashc "c run --working-dir su")" "sub"
'
test_expect "bash: names come from the --runfile/--working-dir of the line" '
    expect_eq "$(bashc "c run --runfile other.run \"\"")" "deploy" &&
    expect_eq "$(bashc "c run --runfile other.run deploy \"\"")" "prod" &&
    expect_eq "$(bashc "c run --working-dir=sub \"\"")" "subtask" &&
    expect_eq "$(bashc "c run --working-dir = sub \"\"")" "subtask"
'
test_expect "bash: -- ends the options" '
    expect_eq "$(bashc "c run --list -- d")" "docker"
'
test_expect "bash: no Runfile offers nothing and prints nothing" '
    mkdir -p "$TEST_ROOT/empty" && cd "$TEST_ROOT/empty" &&
    expect_eq "$(bashc "c run \"\"" 2>&1)" ""
'
test_expect "bash: merged --list output (global file): names of both sections" '
    cat >"$HOME/.runfile" <<RF
test() echo global test
global:only() echo g
RF
    out=$(bashc "c run \"\"") ; rm -f "$HOME/.runfile"
    expect_eq "$out" "docker global test"
'

# ---- fish: the real completion machinery ----
fishc() {
    fish --no-config -c "run --generate-completion fish | source; complete -C '$1'" |
        cut -f1 | sort | tr '\n' ' ' | sed 's/ $//'
}
test_expect "fish: first word, next segments, options, values" '
    expect_eq "$(fishc "run doc")" "docker" &&
    expect_eq "$(fishc "run ")" "docker test" &&
    expect_eq "$(fishc "run docker ")" "build push" &&
    expect_eq "$(fishc "run docker pu")" "push" &&
    expect_eq "$(fishc "run --output-format ")" "json markdown stream" &&
    expect_eq "$(fishc "run --runfile other.run ")" "deploy" &&
    expect_eq "$(fishc "run --ser")" "--serve-mcp" &&
    expect_eq "$(fishc "run --runfile oth")" "other.run"
'

# ---- zsh: syntax, then _run in real zsh with the completion builtins recorded ----
test_expect "zsh: the script parses" '
    run --generate-completion zsh >"$TEST_ROOT/_run" && zsh -n "$TEST_ROOT/_run"
'
cat >"$TEST_ROOT/zshcomp.zsh" <<'ZSH'
compdef() { }
compadd() { [[ $1 == -- ]] && shift; local x; for x in "$@"; do [[ $x == ${PREFIX}* ]] && got+=("$x"); done }
compset() { [[ $1 == -P ]] && PREFIX=${PREFIX#*=} }
_files() { got+=("<files>") }
source <(run --generate-completion zsh)
c() { local -a words got; words=("$@"); local CURRENT=$#words PREFIX=${words[-1]}; _run; print -r -- ${(o)got}; }
ZSH
zshc() { zsh -f -c "source '$TEST_ROOT/zshcomp.zsh'; $1"; }
test_expect "zsh: segments, options, values, --runfile" '
    expect_eq "$(zshc "c run \"\"")" "docker test" &&
    expect_eq "$(zshc "c run docker \"\"")" "build push" &&
    expect_eq "$(zshc "c run docker build \"\"")" "<files>" &&
    expect_eq "$(zshc "c run --insp")" "--inspect" &&
    expect_eq "$(zshc "c run --output-format \"\"")" "json markdown stream" &&
    expect_eq "$(zshc "c run --output-format=j")" "json" &&
    expect_eq "$(zshc "c run --runfile \"\"")" "<files>" &&
    expect_eq "$(zshc "c run --runfile other.run \"\"")" "deploy"
'
# A real interactive zsh on a pseudo-terminal (zpty), with compinit and the installed _run.
cat >"$TEST_ROOT/zpty.zsh" <<'ZSH'
# zsh zpty.zsh FPATH_DIR INPUT WANT: type INPUT (with a TAB) and print the screen text once
# WANT (a pattern) shows up, or after 5 s.
zmodload zsh/zpty
zpty z "TERM=dumb zsh -f -i"
zpty -w z "PS1='%% '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; setopt nobeep"
zpty -w -n z "$2"$'\t'
local out= chunk
for i in {1..50}; do
    zpty -r -t z chunk && out+=$chunk
    [[ $out == $~3 ]] && break
    sleep 0.1
done
zpty -d z
print -r -- ${out//$'\r'/}
ZSH
test_expect "zsh: real completion in an interactive zsh (zpty + compinit)" '
    mkdir -p "$TEST_ROOT/fp" && run --generate-completion zsh >"$TEST_ROOT/fp/_run" &&
    screen=$(zsh -f "$TEST_ROOT/zpty.zsh" "$TEST_ROOT/fp" "run docker " "*build*push*") &&
    grep -q "^build  *push" <<<"$screen" &&
    screen=$(zsh -f "$TEST_ROOT/zpty.zsh" "$TEST_ROOT/fp" "run doc" "*run docker *") &&
    grep -q "run docker $" <<<"$screen"
'
test_done
