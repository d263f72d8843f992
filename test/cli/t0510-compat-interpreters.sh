#!/usr/bin/env bash
# Compatibility with nihilok/run's interpreter unit tests (run/src/interpreter/shell.rs),
# observed from outside: which interpreter a shebang selects (the "interpreter" of
# --output-format=json), how the shebang is stripped from the program (--show-script), and
# the python executable. pwsh is recognised but not supported yet (differences.md E11); an
# unknown shebang falls back to the default shell with a warning (runfile.md §4.5). One test
# per original test function.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=test/cli/compat-lib.sh
. "$HERE/compat-lib.sh"

# shebang_label SHEBANG BODYLINE LABEL: a block whose first line is SHEBANG runs with the
# interpreter labelled LABEL (and succeeds).
shebang_label() {
    fresh && printf 'f() {\n    #!%s\n    %s\n}\n' "$1" "$2" >Runfile
    run_cmd --output-format=json f && expect_status 0 &&
    expect_eq "$(jq -r .context.interpreter <<<"$out")" "$3"
}

test_with python3 "test_resolve_shebang_python" '
    shebang_label "/usr/bin/env python" "print(1)" python
'

test_with python3 "test_resolve_shebang_python3" '
    shebang_label "/usr/bin/env python3" "print(1)" python3
'

test_with node "test_resolve_shebang_node" '
    shebang_label "/usr/bin/env node" "console.log(1)" node
'

test_with ruby "test_resolve_shebang_ruby" '
    shebang_label "/usr/bin/env ruby" "puts 1" ruby
'

test_expect "test_resolve_shebang_bash_direct" '
    shebang_label /bin/bash "echo 1" bash
'

test_expect "test_resolve_shebang_sh_direct" '
    shebang_label /bin/sh "echo 1" sh
'

test_expect "test_resolve_shebang_pwsh (recognised, not supported yet: E11)" '
    fresh && printf "f() {\n    #!/usr/bin/env pwsh\n    Write-Host 1\n}\n" >Runfile
    run_cmd f
    expect_status 126 && has "$err" "pwsh" && hasnt "$err" "unknown interpreter"
'

test_expect "test_resolve_shebang_powershell (recognised, not supported yet: E11)" '
    fresh && printf "f() {\n    #!/usr/bin/env powershell\n    Write-Host 1\n}\n" >Runfile
    run_cmd f
    expect_status 126 && has "$err" "pwsh" && hasnt "$err" "unknown interpreter"
'

test_expect "test_resolve_shebang_unknown" '
    fresh && printf "f() {\n    #!/usr/bin/env perl\n    echo from-shell\n}\n" >Runfile
    run_cmd f && expect_status 0 && expect_eq "$out" from-shell &&
    has "$err" "warning: unknown interpreter '\''perl'\'' in shebang; using the default shell"
'

test_with python3 "test_resolve_shebang_direct_path_python3" '
    shebang_label /usr/bin/python3 "print(1)" python3
'

test_with python3 "test_strip_shebang_basic" '
    fresh && printf "f() {\n    #!/usr/bin/env python3\n    print('\''hello'\'')\n}\n" >Runfile
    run_cmd --show-script f && expect_status 0 && hasnt "$out" "#!" &&
    has "$out" "print('\''hello'\'')" && run_cmd f && expect_eq "$out" hello
'

test_with python3 "test_strip_shebang_with_comment_before" '
    fresh && printf "f() {\n    # comment\n    #!/usr/bin/env python3\n    print('\''hello'\'')\n}\n" >Runfile
    run_cmd --show-script f && expect_status 0 && hasnt "$out" "#!" &&
    has "$out" "print('\''hello'\'')" && run_cmd f && expect_eq "$out" hello
'

test_with python3 "test_strip_shebang_no_shebang" '
    fresh && printf "# @shell python3\nf() {\n    print('\''hello'\'')\n    print('\''world'\'')\n}\n" >Runfile
    run_cmd --show-script f && expect_status 0 && has "$out" "print('\''hello'\'')
print('\''world'\'')" && run_cmd f && expect_eq "$out" "hello
world"
'

test_expect "test_strip_shebang_only_shebang" '
    fresh && printf "f() {\n    #!/bin/bash\n}\n" >Runfile
    run_cmd f && expect_status 0 && expect_eq "$out" "" &&
    run_cmd --show-script f && hasnt "$out" "#!"
'

test_expect "test_get_python_executable_returns_valid" '
    command -v python3 >/dev/null || command -v python >/dev/null || exit 0
    fresh && printf "# @shell python\nf() {\n    import sys, os\n    print(os.path.basename(sys.executable))\n}\n" >Runfile
    run_cmd f && expect_status 0 && printf "%s\n" "$out" | grep -Eq "^python3?(\.[0-9]+)?$"
'

test_done
