#!/usr/bin/env bash
# make valgrind: every unit test, then a short MCP session, under valgrind. Fails on any
# memory error or definite leak.  Usage: test/valgrind.sh BUILD_DIR
set -u
cd "$(dirname "$0")/.." || exit 1
build=$(cd "${1:?build dir}" && pwd) || exit 1
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --track-fds=no)
fail=0 pass=0
for t in "$build"/test/test_*; do
    [ -x "$t" ] || continue
    case $t in *.d) continue ;; esac
    # test_proc spawns children; follow none of them (their own exit is not ours to judge).
    if "${vg[@]}" "$t" >"$build/valgrind-$(basename "$t").log" 2>&1; then
        pass=$((pass + 1)); echo "ok - $(basename "$t")"
    else
        fail=$((fail + 1)); echo "not ok - $(basename "$t") (see $build/valgrind-$(basename "$t").log)"
    fi
done

# A short MCP session: initialize, list, a call, a bad request, ping, an output file, a
# validation failure, a cancellation, a timeout, a failing built-in, then EOF.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/Runfile" <<'RF'
# @desc Say hello
hello(name = "world", count: int = 1) echo "hello $name"
# @desc Print more than the in-memory threshold (a file in .run-output)
big() seq 1 3000
# @desc Wait for a cancellation or a timeout
slow() sleep 30
RF
cat >"$tmp/in.jsonl" <<'IN'
{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"vg","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/list"}
{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"hello","arguments":{"name":"valgrind"}}}
{"jsonrpc":"2.0","id":4,"method":"nope"}
not json
{"jsonrpc":"2.0","id":5,"method":"ping"}
{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"big"}}
{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"hello","arguments":{"count":"x","timeout":-1}}}
{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"slow"}}
{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":8}}
{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"slow","arguments":{"timeout":1}}}
{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"set_cwd","arguments":{"path":"/nonexistent"}}}
IN
# The session keeps stdin open until the call has answered, then closes it.
if (cd "$tmp" && { cat in.jsonl; sleep 6; } |
    HOME="$tmp" "${vg[@]}" "$build/run" --serve-mcp >"$tmp/out.jsonl" 2>"$tmp/vg.log") &&
    grep -q '"id":3,"result"' "$tmp/out.jsonl" && grep -q '"id":5,"result"' "$tmp/out.jsonl" &&
    grep -q '"id":6,"result".*Full output saved to' "$tmp/out.jsonl" &&
    grep -q '"id":7,"error"' "$tmp/out.jsonl" && ! grep -q '"id":8,' "$tmp/out.jsonl" &&
    grep -q '"id":9,"result".*Timed out after 1 s' "$tmp/out.jsonl" &&
    grep -q '"id":10,"result"' "$tmp/out.jsonl"; then
    pass=$((pass + 1)); echo "ok - mcp session"
else
    fail=$((fail + 1)); echo "not ok - mcp session"; cat "$tmp/vg.log" "$tmp/out.jsonl"
fi
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
