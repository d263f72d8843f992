#!/usr/bin/env bash
# bash completion for run, the Runfile task runner.
# Print it with `run --generate-completion bash`; install it with
# `run --install-completion bash`, or load it now with: eval "$(run --generate-completion bash)"
#
# Function names come from `run --list` (with the --runfile/--working-dir of the line being
# completed) and are offered one segment per word: `run docker <TAB>` offers `build push`
# for docker:build and docker:push. Nothing is cached and no function is ever run.

# _run_names CMD [RUNFILE]: the function names that `CMD --list` prints, one per line.
_run_names() {
    local line word
    local -a cmd=("$1")
    [[ -n ${2-} ]] && cmd+=(--runfile "$2")
    while IFS= read -r line; do
        # Name lines are indented; section headings ("  From ./Runfile:") end with ':'.
        [[ $line == [[:space:]]* ]] || continue
        line=${line%"${line##*[![:space:]]}"}
        [[ -z ${line//[[:space:]]/} || $line == *: ]] && continue
        line=${line% (overrides global)}
        read -r word _ <<<"$line"
        [[ -n $word ]] && printf '%s\n' "$word"
    done < <("${cmd[@]}" --list 2>/dev/null </dev/null)
}

# _run_expand WORD: a word as the shell would see it for the common cases (~/, quotes).
_run_expand() {
    local w=$1
    case $w in
    \"*\" | \'*\') w=${w:1:${#w}-2} ;;
    esac
    # shellcheck disable=SC2088 # the literal text "~/" is what we look for
    case $w in
    "~") w=$HOME ;;
    "~/"*) w=$HOME/${w#"~/"} ;;
    esac
    printf '%s' "$w"
}

_run_complete() {
    local -a words=() reply=()
    local i piece glue=0 cword=0 breaks=${COMP_WORDBREAKS-}
    local options="-l --list --inspect --serve-mcp --show-script --output-format --runfile
        --working-dir --no-prelude --generate-completion --install-completion -h --help
        -V --version"
    local shells="bash zsh fish powershell pwsh"

    # Bash splits "a:b" and "--opt=v" at COMP_WORDBREAKS; glue the pieces back into words.
    for ((i = 0; i <= COMP_CWORD; i++)); do
        piece=${COMP_WORDS[i]-}
        if ((i > 0)) && [[ -n $piece && -z ${piece//[:=]/} && $breaks == *["${piece:0:1}"]* ]]; then
            words[${#words[@]} - 1]+=$piece
            glue=1
        elif ((glue)); then
            words[${#words[@]} - 1]+=$piece
            glue=0
        else
            words+=("$piece")
        fi
        ((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
    done
    local cur=${words[cword]-} prev=""
    ((cword > 0)) && prev=${words[cword - 1]}
    # The part of cur that bash will not replace: up to its last ':' or '=' word break.
    local lead="" c
    for ((i = ${#cur} - 1; i >= 0; i--)); do
        c=${cur:i:1}
        if [[ ($c == ":" || $c == "=") && $breaks == *"$c"* ]]; then
            lead=${cur:0:i+1}
            break
        fi
    done

    # Options come before the function name; find where the name starts (cli.md §3).
    local runfile="" fstart=0 w
    i=1
    while ((i < cword)); do
        w=${words[i]}
        case $w in
        --)
            fstart=$((i + 1))
            break
            ;;
        --runfile | --working-dir)
            runfile=${words[i + 1]-}
            i=$((i + 2))
            continue
            ;;
        --runfile=* | --working-dir=*) runfile=${w#*=} ;;
        --output-format | --generate-completion)
            i=$((i + 2))
            continue
            ;;
        --install-completion)
            case ${words[i + 1]-} in
            auto | bash | zsh | fish | powershell | pwsh)
                i=$((i + 2))
                continue
                ;;
            esac
            ;;
        -*) ;;
        *)
            fstart=$i
            break
            ;;
        esac
        i=$((i + 1))
    done

    if ((fstart == 0)); then
        case $prev in
        --output-format) mapfile -t reply < <(compgen -W "stream json markdown" -- "$cur") ;;
        --generate-completion) mapfile -t reply < <(compgen -W "$shells" -- "$cur") ;;
        --install-completion) mapfile -t reply < <(compgen -W "auto $shells" -- "$cur") ;;
        --runfile | --working-dir)
            compopt -o filenames 2>/dev/null
            mapfile -t reply < <(compgen -f -- "$(_run_expand "$cur")")
            ;;
        esac
        if ((${#reply[@]} == 0)); then
            case $cur in
            --output-format=*) mapfile -t reply < <(compgen -P "${cur%%=*}=" -W "stream json markdown" -- "${cur#*=}") ;;
            --generate-completion=*) mapfile -t reply < <(compgen -P "${cur%%=*}=" -W "$shells" -- "${cur#*=}") ;;
            --install-completion=*) mapfile -t reply < <(compgen -P "${cur%%=*}=" -W "auto $shells" -- "${cur#*=}") ;;
            --runfile=* | --working-dir=*)
                compopt -o filenames 2>/dev/null
                mapfile -t reply < <(compgen -P "${cur%%=*}=" -f -- "$(_run_expand "${cur#*=}")")
                ;;
            -*) mapfile -t reply < <(compgen -W "$options" -- "$cur") ;;
            esac
        fi
        case $prev in
        --output-format | --generate-completion | --install-completion | --runfile | --working-dir)
            COMPREPLY=("${reply[@]#"$lead"}")
            return 0
            ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=("${reply[@]#"$lead"}")
            return 0
        fi
        fstart=$cword
    fi

    # Function words: words[fstart..cword-1] are leading segments of a name.
    local -a names=() segs=()
    local -A seen=()
    local prefix="" n rest cmd
    cmd=$(_run_expand "${words[0]:-run}")
    mapfile -t names < <(_run_names "$cmd" "$(_run_expand "$runfile")")
    for ((i = fstart; i < cword; i++)); do
        prefix+=${prefix:+:}${words[i]}
    done
    for n in "${names[@]}"; do
        if [[ $cur == *:* && cword -eq fstart ]]; then
            rest=$n # a name typed with colons: offer whole names
        elif [[ -z $prefix ]]; then
            rest=${n%%:*}
        elif [[ $n == "$prefix":* ]]; then
            rest=${n#"$prefix":}
            rest=${rest%%:*}
        else
            continue
        fi
        [[ $rest == "$cur"* && -z ${seen[$rest]-} ]] || continue
        seen[$rest]=1
        segs+=("$rest")
    done
    if ((${#segs[@]})); then
        COMPREPLY=("${segs[@]#"$lead"}")
    else
        # Past the name: the function's arguments are often file names.
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$(_run_expand "$cur")")
    fi
    return 0
}

complete -F _run_complete run
