#!/usr/bin/env bash
# make lint: static checks of the whole tree. Every tool runs (one failure does not hide the
# others); the exit status is 1 when any of them reports a finding or is missing.
#   C sources      clang-tidy (clang-analyzer-*, bugprone-*, cert-*) and cppcheck over src/
#   shell scripts  ShellCheck over test/**/*.sh, tools/*.sh, .ci/run, examples/*.sh
#   man pages      groff -ww and mandoc -Tlint over man/*.1 man/*.5: no output at all
# Usage: tools/lint.sh [TOOL...]   (TOOL: clang-tidy cppcheck shellcheck man; default: all)
set -u
cd "$(dirname "$0")/.." || exit 1

failed=()

# have CMD: true when CMD is installed; otherwise records a failure (a lint that silently
# does not run would pass forever).
have() {
    if command -v "$1" >/dev/null 2>&1; then
        return 0
    fi
    echo "lint: $1 is not installed (make deps does not install lint tools)" >&2
    failed+=("$1 missing")
    return 1
}

section() { printf '== %s\n' "$*"; }

# The preprocessor view of the build (Makefile ALL_CPPFLAGS plus the libraries' flags).
PKGS=(libuv jansson libpcre2-8 yaml-0.1)
CPPFLAGS=(-Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DPCRE2_CODE_UNIT_WIDTH=8)
read -r -a PKG_CFLAGS <<<"$(pkg-config --cflags "${PKGS[@]}" 2>/dev/null)"

lint_clang_tidy() {
    section "clang-tidy"
    have clang-tidy || return
    # Left out: insecureAPI.DeprecatedOrUnsafeBufferHandling flags every memcpy/snprintf (it
    # wants the Annex K *_s functions, which glibc does not have); easily-swappable-parameters
    # flags every qsort comparator and every (name, value) pair, which is design, not a defect.
    local checks='-*,clang-analyzer-*,bugprone-*,cert-*'
    checks+=',-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling'
    checks+=',-bugprone-easily-swappable-parameters'
    # bugprone-sizeof-expression in clang-tidy 14 flags sizeof(*p) whenever *p is a pointer to a
    # struct, i.e. every array of struct pointers (ALLOC_GROW, xcalloc, qsort); only a spelled-out
    # sizeof(struct x *) passes, which ALLOC_GROW cannot do, and only clang-tidy 15 can turn off
    # just that case. -Wall still catches sizeof-pointer-div/-memaccess.
    checks+=',-bugprone-sizeof-expression'
    local log
    log=$(mktemp) || return
    # Two files at a time: the machine is shared with other builds.
    printf '%s\0' src/*.c |
        xargs -0 -I '{}' -P 2 clang-tidy --quiet --checks="$checks" --warnings-as-errors='*' \
            '{}' -- -std=c17 "${CPPFLAGS[@]}" "${PKG_CFLAGS[@]}" >"$log" 2>&1
    local rc=$?
    # clang-tidy prints "N warnings generated." noise on stderr even with --quiet.
    grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "$log"
    rm -f "$log"
    [ $rc -eq 0 ] || failed+=("clang-tidy")
}

lint_cppcheck() {
    section "cppcheck"
    have cppcheck || return
    # missingIncludeSystem: system headers are not given to cppcheck on purpose (it would
    # then analyse libc and libuv instead of our code).
    cppcheck --quiet --error-exitcode=1 -j 2 --std=c11 --inline-suppr \
        --enable=warning,style,performance,portability \
        --suppress=missingIncludeSystem \
        "${CPPFLAGS[@]}" src/ || failed+=("cppcheck")
}

lint_shellcheck() {
    section "shellcheck"
    have shellcheck || return
    local f files=() rc=0
    shopt -s globstar nullglob
    files=(test/**/*.sh tools/*.sh .ci/run examples/*.sh)
    shopt -u globstar nullglob
    for f in "${files[@]}"; do
        [ -f "$f" ] || continue
        # test/mcp/node_modules (npm ci) holds other people's scripts.
        case $f in */node_modules/*) continue ;; esac
        # -x -P SCRIPTDIR: follow `. "$(dirname "$0")/../lib.sh"` like the shell does.
        # SC2016: test bodies are single-quoted on purpose; test_expect evals them later.
        # Files without a shebang are sourced libraries written for bash.
        local opts=(-x -P SCRIPTDIR -e SC2016)
        # SC2034 in CLI tests: variables set at the top are read inside those bodies,
        # which ShellCheck cannot see.
        case $f in test/cli/*) opts+=(-e SC2034) ;; esac
        if [ "$(head -c 2 "$f")" != '#!' ]; then
            opts+=(--shell=bash)
        fi
        shellcheck "${opts[@]}" "$f" || rc=1
    done
    [ $rc -eq 0 ] || failed+=("shellcheck")
}

lint_man() {
    section "man pages"
    local page out rc=0
    for page in man/*.1 man/*.5; do
        [ -f "$page" ] || continue
        if have groff; then
            out=$(groff -man -ww -z "$page" 2>&1)
            if [ -n "$out" ]; then
                printf '%s\n' "$out"
                rc=1
            fi
        fi
        if have mandoc; then
            out=$(mandoc -Tlint "$page" 2>&1)
            if [ -n "$out" ]; then
                printf '%s\n' "$out"
                rc=1
            fi
        fi
    done
    [ $rc -eq 0 ] || failed+=("man pages")
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(clang-tidy cppcheck shellcheck man)
for t in "${tools[@]}"; do
    case $t in
    clang-tidy) lint_clang_tidy ;;
    cppcheck) lint_cppcheck ;;
    shellcheck) lint_shellcheck ;;
    man) lint_man ;;
    *)
        echo "lint: unknown tool '$t' (expected clang-tidy, cppcheck, shellcheck or man)" >&2
        exit 2
        ;;
    esac
done

if [ ${#failed[@]} -gt 0 ]; then
    printf 'lint: FAILED: %s\n' "${failed[*]}"
    exit 1
fi
echo "lint: clean"
