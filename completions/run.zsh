#compdef run
# zsh completion for run, the Runfile task runner.
# Install it with `run --install-completion zsh` (it goes to ~/.zsh/completion/_run), or load
# it in the current shell with: source <(run --generate-completion zsh)
#
# Function names come from `run --list` (with the --runfile/--working-dir of the line being
# completed) and are offered one segment per word: `run docker <TAB>` offers `build push`
# for docker:build and docker:push. Nothing is cached and no function is ever run.

# _run_names CMD [RUNFILE]: the function names that `CMD --list` prints, one per line.
_run_names() {
    emulate -L zsh
    setopt extendedglob
    local line
    local -a cmd
    cmd=("$1")
    [[ -n $2 ]] && cmd+=(--runfile "$2")
    for line in "${(@f)$("${cmd[@]}" --list 2>/dev/null </dev/null)}"; do
        # Name lines are indented; section headings ("  From ./Runfile:") end with ':'.
        [[ $line == [[:space:]]* ]] || continue
        line=${line##[[:space:]]##}
        line=${line%%[[:space:]]##}
        [[ -z $line || $line == *: ]] && continue
        line=${line% (overrides global)}
        print -r -- "${line%%[[:space:]]*}"
    done
}

_run() {
    emulate -L zsh
    setopt extendedglob
    local cur=${words[CURRENT]} prev=${words[CURRENT-1]}
    local runfile="" w n rest prefix=""
    local -i i=2 fstart=0
    local -a names segs
    local -a shells=(bash zsh fish powershell pwsh)
    local -a opts=(-l --list --inspect --serve-mcp --show-script --output-format --runfile
        --working-dir --no-prelude --generate-completion --install-completion -h --help
        -V --version)

    # Options come before the function name; find where the name starts (cli.md §3).
    while (( i < CURRENT )); do
        w=${words[i]}
        case $w in
        (--) fstart=$(( i + 1 )); break ;;
        (--runfile|--working-dir) runfile=${words[i+1]}; (( i += 2 )); continue ;;
        (--runfile=*|--working-dir=*) runfile=${w#*=} ;;
        (--output-format|--generate-completion) (( i += 2 )); continue ;;
        (--install-completion)
            if [[ ${words[i+1]} == (auto|bash|zsh|fish|powershell|pwsh) ]]; then
                (( i += 2 )); continue
            fi ;;
        (-*) ;;
        (*) fstart=$i; break ;;
        esac
        (( i++ ))
    done

    if (( fstart == 0 )); then
        case $prev in
        (--output-format) compadd -- stream json markdown; return ;;
        (--generate-completion) compadd -- $shells; return ;;
        (--install-completion) compadd -- auto $shells; return ;;
        (--runfile|--working-dir) _files; return ;;
        esac
        case $cur in
        (--output-format=*) compset -P '*='; compadd -- stream json markdown; return ;;
        (--generate-completion=*) compset -P '*='; compadd -- $shells; return ;;
        (--install-completion=*) compset -P '*='; compadd -- auto $shells; return ;;
        (--runfile=*|--working-dir=*) compset -P '*='; _files; return ;;
        (-*) compadd -- $opts; return ;;
        esac
        fstart=$CURRENT
    fi

    # Function words: words[fstart..CURRENT-1] are leading segments of a name.
    names=("${(@f)$(_run_names "${words[1]/#\~/$HOME}" "${runfile/#\~/$HOME}")}")
    for (( i = fstart; i < CURRENT; i++ )); do
        prefix+=${prefix:+:}${words[i]}
    done
    for n in $names; do
        [[ -n $n ]] || continue
        if [[ $cur == *:* && CURRENT -eq fstart ]]; then
            rest=$n
        elif [[ -z $prefix ]]; then
            rest=${n%%:*}
        elif [[ $n == ${prefix}:* ]]; then
            rest=${n#${prefix}:}
            rest=${rest%%:*}
        else
            continue
        fi
        segs+=("$rest")
    done
    segs=(${(u)segs})
    if (( $#segs )); then
        compadd -- $segs
    else
        # Past the name: the function's arguments are often file names.
        _files
    fi
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _run "$@"
else
    compdef _run run
fi
