#!/usr/bin/env bash
# make demo: show run on the bundled sample Runfile (runfiles/demo/Runfile): the shell
# surface, the schema, and a short MCP session, all from one parsed file.
set -u
run=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../runfiles/demo" || exit 1
export RUN_NO_GLOBAL_MERGE=1
bold=$(tput bold 2>/dev/null || true) plain=$(tput sgr0 2>/dev/null || true)
# Show the command as a user would type it (run from PATH, arguments shell-quoted).
step() {
    local shown=run a
    for a in "${@:2}"; do shown+=" $(printf '%q' "$a")"; done
    printf '\n%s$ %s%s\n' "$bold" "$shown" "$plain"
    "$@"
}

step "$run" --version
step "$run" --list
step "$run" greet
step "$run" greet Ann
step "$run" echo_args 'a b' '$(touch pwned)' '; rm -rf /' --list
[ -e pwned ] && { echo "demo: an argument was executed!" >&2; exit 1; }
step "$run" py summary 2
step "$run" checks
step "$run" --show-script checks
step "$run" --output-format json greet Ann
step "$run" --inspect

printf '\n%s$ run --serve-mcp   (initialize, tools/list, tools/call greet)%s\n' "$bold" "$plain"
{
    printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"demo","version":"1"}}}'
    printf '%s\n' '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    printf '%s\n' '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
    printf '%s\n' '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"greet","arguments":{"name":"agent"}}}'
    sleep 1
} | "$run" --serve-mcp | cut -c1-300
