#!/usr/bin/env bash
# Compatibility with nihilok/run's own tests: completion generation and installation
# (integration_test.rs and cli.rs). One test per original test function, named after it.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=test/cli/compat-lib.sh
. "$HERE/compat-lib.sh"
unset SHELL ZDOTDIR

test_expect "test_generate_completion_bash" '
    run_cmd --generate-completion bash && expect_status 0 &&
    has "$out" "#!/usr/bin/env bash" && has "$out" _run_complete &&
    has "$out" "complete -F _run_complete run"
'

test_expect "test_generate_completion_zsh" '
    run_cmd --generate-completion zsh && expect_status 0 &&
    has "$out" "#compdef run" && has "$out" _run
'

test_expect "test_generate_completion_fish" '
    run_cmd --generate-completion fish && expect_status 0 &&
    has "$out" "# Fish completion script" && has "$out" "complete -c run"
'

test_expect "test_install_completion_zsh" '
    fresh && HOME=$PWD run_cmd --install-completion zsh && expect_status 0 &&
    has "$out" "Installing zsh completion" && has "$out" "Installation complete" &&
    has "$out" "Installed completion" &&
    test -f .zsh/completion/_run && has "$(cat .zsh/completion/_run)" "#compdef run"
'

test_expect "test_install_completion_bash" '
    fresh && HOME=$PWD XDG_DATA_HOME= run_cmd --install-completion bash && expect_status 0 &&
    has "$out" "Installing bash completion" && has "$out" "Installation complete" &&
    has "$out" "Installed completion" &&
    f=.local/share/bash-completion/completions/run && test -f "$f" &&
    has "$(cat "$f")" "#!/usr/bin/env bash" && has "$(cat "$f")" _run_complete
'

test_expect "test_install_completion_fish" '
    fresh && HOME=$PWD XDG_CONFIG_HOME= run_cmd --install-completion fish && expect_status 0 &&
    has "$out" "Installing fish completion" && has "$out" "Installation complete" &&
    has "$out" "Installed completion" &&
    f=.config/fish/completions/run.fish && test -f "$f" &&
    has "$(cat "$f")" "# Fish completion script" && has "$(cat "$f")" "complete -c run"
'

test_expect "test_install_completion_detects_missing_zshrc_config" '
    fresh && printf "# Empty zshrc\n" >.zshrc &&
    HOME=$PWD run_cmd --install-completion zsh && expect_status 0 &&
    has "$out" "fpath=(~/.zsh/completion \$fpath)" && has "$out" "autoload -Uz compinit"
'

test_expect "test_install_completion_detects_existing_zshrc_config" '
    fresh && printf "\n# My zshrc\nfpath=(~/.zsh/completion \$fpath)\nautoload -Uz compinit && compinit\n" >.zshrc &&
    HOME=$PWD run_cmd --install-completion zsh && expect_status 0 &&
    hasnt "$out" "echo '\''fpath=" && hasnt "$out" "echo '\''autoload"
'

test_expect "test_install_completion_detects_partial_zshrc_config" '
    fresh && printf "\n# My zshrc\nfpath=(~/.zsh/completion \$fpath)\n" >.zshrc &&
    HOME=$PWD run_cmd --install-completion zsh && expect_status 0 &&
    hasnt "$out" "echo '\''fpath=(~/.zsh/completion \$fpath)'\''" &&
    has "$out" "autoload -Uz compinit"
'

# test_install_completion_auto_detect_fails_with_unknown_shell: see test/compat-pending.md.

test_expect "test_install_completion_overwrites_existing_file" '
    fresh && mkdir -p .zsh/completion && printf "# Old completion content\n" >.zsh/completion/_run &&
    HOME=$PWD run_cmd --install-completion zsh && expect_status 0 &&
    has "$(cat .zsh/completion/_run)" "#compdef run" &&
    hasnt "$(cat .zsh/completion/_run)" "# Old completion content"
'

test_done
