#!/usr/bin/env bash
# --install-completion (cli.md §10.2): shell detection, XDG locations, replacement through a
# temporary file, the zsh notes from ~/.zshrc, the PowerShell profile line, failures.
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/../lib.sh"

CHECK="✓"
# shellcheck disable=SC2154 # $out is set by run_cmd (lib.sh)
# expect_install SHELL FILE NOTES: $out is the whole success output for that shell and file.
expect_install() {
    expect_status 0 &&
    expect_eq "$out" "Installing $1 completion for run...
$CHECK Installed completion to $2
$3

$CHECK Installation complete!" &&
    cmp "$2" "$REPO/completions/run.$1" &&
    ! compgen -G "$(dirname "$2")/*.tmp.*" >/dev/null
}
notes_of() { sed -n '3,$p' <<<"$out" | sed '$d' | sed '$d'; }

test_expect "bash from \$SHELL, into \$XDG_DATA_HOME" '
    SHELL=/usr/bin/bash run_cmd --install-completion &&
    file=$XDG_DATA_HOME/bash-completion/completions/run &&
    expect_install bash "$file" "$(notes_of)" && [ -n "$(notes_of)" ] && [ -z "$err" ]
'
test_expect "bash without XDG_DATA_HOME: ~/.local/share" '
    rm -rf "$XDG_DATA_HOME" &&
    XDG_DATA_HOME= SHELL=/bin/bash run_cmd --install-completion auto &&
    expect_install bash "$HOME/.local/share/bash-completion/completions/run" "$(notes_of)"
'
test_expect "fish into \$XDG_CONFIG_HOME, and ~/.config without it" '
    SHELL=/usr/local/bin/fish run_cmd --install-completion &&
    expect_install fish "$XDG_CONFIG_HOME/fish/completions/run.fish" "$(notes_of)" &&
    (unset XDG_CONFIG_HOME; export HOME=$TEST_ROOT/h2; mkdir -p "$HOME";
     run_cmd --install-completion fish &&
     expect_install fish "$HOME/.config/fish/completions/run.fish" "$(notes_of)")
'
test_expect "an explicit shell wins over \$SHELL; pwsh is powershell" '
    SHELL=/bin/zsh run_cmd --install-completion fish && expect_status 0 &&
    grep -q "^Installing fish completion for run...$" <<<"$out" &&
    SHELL=/bin/zsh run_cmd --install-completion pwsh && expect_status 0 &&
    grep -q "^Installing powershell completion for run...$" <<<"$out"
'
test_expect "an existing file is replaced, no temporary file is left" '
    file=$XDG_DATA_HOME/bash-completion/completions/run &&
    mkdir -p "$(dirname "$file")" && echo old >"$file" &&
    run_cmd --install-completion bash && expect_install bash "$file" "$(notes_of)"
'
test_expect "zsh without ~/.zshrc: both lines, in both places" '
    SHELL=/bin/zsh run_cmd --install-completion &&
    expect_install zsh "$HOME/.zsh/completion/_run" "
Add these lines to ~/.zshrc (before any other compinit call):
  fpath=(~/.zsh/completion \$fpath)
  autoload -Uz compinit && compinit

Or append them with:
  echo '\''fpath=(~/.zsh/completion \$fpath)'\'' >> ~/.zshrc
  echo '\''autoload -Uz compinit && compinit'\'' >> ~/.zshrc"
'
test_expect "zsh with compinit only: only the fpath line" '
    printf "# my zshrc\nautoload -Uz compinit\ncompinit\n" >"$HOME/.zshrc" &&
    run_cmd --install-completion zsh &&
    expect_install zsh "$HOME/.zsh/completion/_run" "
Add these lines to ~/.zshrc (before any other compinit call):
  fpath=(~/.zsh/completion \$fpath)

Or append them with:
  echo '\''fpath=(~/.zsh/completion \$fpath)'\'' >> ~/.zshrc"
'
test_expect "zsh: commented lines do not count" '
    printf "  # fpath=(~/.zsh/completion \$fpath)\n#compinit\nfpath=(~/.zsh/completion \$fpath)\n" >"$HOME/.zshrc" &&
    run_cmd --install-completion zsh &&
    expect_install zsh "$HOME/.zsh/completion/_run" "
Add these lines to ~/.zshrc (before any other compinit call):
  autoload -Uz compinit && compinit

Or append them with:
  echo '\''autoload -Uz compinit && compinit'\'' >> ~/.zshrc"
'
test_expect "zsh with both lines: a one-line note" '
    printf "fpath=(\$HOME/.zsh/completion \$fpath)\n  autoload -Uz compinit && compinit\n" >"$HOME/.zshrc" &&
    run_cmd --install-completion zsh && expect_status 0 &&
    [ "$(notes_of | wc -l)" -eq 1 ] && ! grep -q "Add these lines" <<<"$out" &&
    expect_install zsh "$HOME/.zsh/completion/_run" "$(notes_of)"
'
test_expect "zsh: \$ZDOTDIR/.zshrc is the one that counts" '
    mkdir -p "$TEST_ROOT/zdot" &&
    printf "fpath=(~/.zsh/completion \$fpath)\nautoload -Uz compinit && compinit\n" >"$TEST_ROOT/zdot/.zshrc" &&
    rm -f "$HOME/.zshrc" &&
    ZDOTDIR=$TEST_ROOT/zdot run_cmd --install-completion zsh && expect_status 0 &&
    ! grep -q "Add these lines" <<<"$out" &&
    ZDOTDIR=$TEST_ROOT/zdot-none run_cmd --install-completion zsh &&
    grep -q "^Add these lines" <<<"$out"
'
test_expect "powershell: the script and one profile line" '
    SHELL=/opt/microsoft/powershell/7/pwsh run_cmd --install-completion &&
    file=$XDG_CONFIG_HOME/powershell/run.ps1 &&
    expect_install powershell "$file" "$(notes_of)" &&
    profile=$XDG_CONFIG_HOME/powershell/Microsoft.PowerShell_profile.ps1 &&
    expect_eq "$(cat "$profile")" ". \"$file\"" &&
    run_cmd --install-completion powershell && expect_status 0 &&
    expect_eq "$(cat "$profile")" ". \"$file\""
'
test_expect "powershell: an existing profile is appended to" '
    profile=$XDG_CONFIG_HOME/powershell/Microsoft.PowerShell_profile.ps1 &&
    mkdir -p "$(dirname "$profile")" && printf "Set-Alias ll ls" >"$profile" &&
    run_cmd --install-completion powershell && expect_status 0 &&
    expect_eq "$(cat "$profile")" "Set-Alias ll ls
. \"$XDG_CONFIG_HOME/powershell/run.ps1\""
'
test_expect "an undetectable shell: exact message, exit 1" '
    SHELL=/bin/tcsh run_cmd --install-completion; expect_status 1 && [ -z "$out" ] &&
    expect_eq "$err" "error: could not detect your shell from \$SHELL ('\''/bin/tcsh'\''); name it: run --install-completion <SHELL>
Supported shells: bash, zsh, fish, powershell" &&
    (unset SHELL; run_cmd --install-completion; expect_status 1 &&
     grep -q "^error: could not detect your shell from \$SHELL ('\'''\'')" <<<"$err")
'
test_expect "a write failure: exact message, exit 1" '
    rm -rf "$HOME/.zsh" && echo blocker >"$HOME/.zsh" &&
    run_cmd --install-completion zsh; expect_status 1 &&
    expect_eq "$err" "error: cannot write '\''$HOME/.zsh/completion/_run'\'': Not a directory" &&
    rm -f "$HOME/.zsh"
'
test_expect "the installed bash script completes in bash" '
    mkdir -p "$TEST_ROOT/bin" && ln -sf "$RUN_BIN" "$TEST_ROOT/bin/run" &&
    printf "docker:build() echo b\ndocker:push() echo p\n" >Runfile &&
    run_cmd --install-completion bash &&
    got=$(PATH="$TEST_ROOT/bin:$PATH" bash --norc --noprofile -c "
        source \"$XDG_DATA_HOME/bash-completion/completions/run\"
        COMP_WORDS=(run docker \"\"); COMP_CWORD=2; _run_complete; echo \"\${COMPREPLY[*]}\"") &&
    rm -f Runfile && expect_eq "$got" "build push"
'
test_expect "the installed fish script is found by fish itself" '
    mkdir -p "$TEST_ROOT/bin" && ln -sf "$RUN_BIN" "$TEST_ROOT/bin/run" &&
    printf "docker:build() echo b\ndocker:push() echo p\n" >Runfile &&
    run_cmd --install-completion fish &&
    got=$(PATH="$TEST_ROOT/bin:$PATH" fish -c "complete -C \"run docker \"" | sort | tr "\n" " ") &&
    rm -f Runfile && expect_eq "$got" "build push "
'
test_done
