# Fish completion script for run, the Runfile task runner.
# Install it with `run --install-completion fish`, or load it in the current shell with:
#   run --generate-completion fish | source
#
# Function names come from `run --list` (with the --runfile/--working-dir of the line being
# completed) and are offered one segment per word: `run docker <TAB>` offers `build push`
# for docker:build and docker:push. Nothing is cached and no function is ever run.

# Prints "RUNFILE\nFSTART" for the words already typed: the --runfile value (may be empty)
# and the index of the first function word (0 while still in the options).
function __run_scan
    set -l words (commandline -opc)
    set -l runfile ''
    set -l fstart 0
    set -l i 2
    while test $i -le (count $words)
        set -l w $words[$i]
        switch $w
            case --
                set fstart (math $i + 1)
                break
            case --runfile --working-dir
                set i (math $i + 1)
                set runfile $words[$i]
            case '--runfile=*' '--working-dir=*'
                set runfile (string replace -r '^[^=]*=' '' -- $w)
            case --output-format --generate-completion
                set i (math $i + 1)
            case --install-completion
                set -l next (math $i + 1)
                if contains -- "$words[$next]" auto bash zsh fish powershell pwsh
                    set i $next
                end
            case '-*'
            case '*'
                set fstart $i
                break
        end
        set i (math $i + 1)
    end
    printf '%s\n%s\n' "$runfile" $fstart
end

# The function names that `run --list` prints, one per line.
function __run_names
    set -l words (commandline -opc)
    set -l cmd run
    test (count $words) -ge 1; and set cmd $words[1]
    set -l args
    test -n "$argv[1]"; and set args --runfile $argv[1]
    $cmd $args --list 2>/dev/null </dev/null | while read -l line
        # Name lines are indented; section headings ("  From ./Runfile:") end with ':'.
        string match -qr '^\s' -- $line; or continue
        set line (string trim -- $line)
        test -n "$line"; or continue
        string match -q -- '*:' $line; and continue
        set line (string replace -- ' (overrides global)' '' $line)
        string split -m1 ' ' -- $line | head -n1
    end
end

# The next segments of function names for the word being completed (nothing in options).
function __run_segments
    set -l scan (__run_scan)
    set -l runfile $scan[1]
    set -l fstart $scan[2]
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l n (math (count $words) + 1)
    if test $fstart -eq 0
        string match -q -- '-*' $cur; and return
        switch "$words[-1]"
            case --output-format --generate-completion --install-completion --runfile --working-dir
                return
        end
        set fstart $n
    end
    set -l prefix ''
    test $fstart -lt $n; and set prefix (string join ':' -- $words[$fstart..-1])
    set -l segs
    for name in (__run_names (string replace -r '^~' $HOME -- "$runfile"))
        set -l rest
        if string match -q -- '*:*' $cur; and test $fstart -eq $n
            set rest $name
        else if test -z "$prefix"
            set rest (string split -m1 ':' -- $name)[1]
        else if string match -q -- "$prefix:*" $name
            set rest (string replace -- "$prefix:" '' $name)
            set rest (string split -m1 ':' -- $rest)[1]
        else
            continue
        end
        contains -- $rest $segs; or set -a segs $rest
    end
    printf '%s\n' $segs
end

function __run_has_segments
    __run_segments | string length -q
end

complete -c run -f -n __run_has_segments -a '(__run_segments)'

complete -c run -s l -l list -d 'List the callable functions'
complete -c run -l inspect -d 'Print the MCP tool definitions as JSON'
complete -c run -l serve-mcp -d 'Serve MCP on stdin/stdout'
complete -c run -l show-script -d 'Print the program instead of running it'
complete -c run -l output-format -x -a 'stream json markdown' -d 'How output is presented'
complete -c run -l runfile -r -F -d 'Use this Runfile'
complete -c run -l working-dir -r -F -d 'Use the Runfile of this directory'
complete -c run -l no-prelude -d 'Do not run the Runfile prelude'
complete -c run -l generate-completion -x -a 'bash zsh fish powershell pwsh' -d 'Print a completion script'
complete -c run -l install-completion -x -a 'auto bash zsh fish powershell pwsh' -d 'Install a completion script'
complete -c run -s h -l help -d 'Print help'
complete -c run -s V -l version -d 'Print the version'
