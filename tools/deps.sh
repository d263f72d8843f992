#!/usr/bin/env bash
# Find the build and test dependencies; install what is missing (Debian packages with
# apt-get when run as root, npm packages of the MCP tests with `npm ci`).
#   tools/deps.sh          check and install
#   tools/deps.sh --print  print the Debian package names
set -u
cd "$(dirname "$0")/.." || exit 1

# pkg-config module -> Debian package
mods=(libuv:libuv1-dev jansson:libjansson-dev libpcre2-8:libpcre2-dev yaml-0.1:libyaml-dev
      cmocka:libcmocka-dev)
# command -> Debian package
cmds=(pkg-config:pkg-config cc:gcc make:make node:nodejs npm:npm timeout:coreutils
      python3:python3 bash:bash dash:dash zsh:zsh fish:fish groff:groff-base mandoc:mandoc
      ruby:ruby)

if [ "${1:-}" = --print ]; then
    for m in "${mods[@]}" "${cmds[@]}"; do printf '%s ' "${m#*:}"; done
    echo
    exit 0
fi

missing=()
for c in "${cmds[@]}"; do
    command -v "${c%%:*}" >/dev/null 2>&1 || missing+=("${c#*:}")
done
for m in "${mods[@]}"; do
    pkg-config --exists "${m%%:*}" 2>/dev/null || missing+=("${m#*:}")
done

if [ ${#missing[@]} -gt 0 ]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if [ "$(id -u)" = 0 ]; then
        echo "deps: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        if ! { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
            echo "deps: apt-get install failed" >&2
            exit 1
        fi
    else
        echo "deps: missing packages; install them with:" >&2
        echo "  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

# The MCP tests use the official SDK client, pinned by test/mcp/package-lock.json.
if [ -f test/mcp/package-lock.json ]; then
    stamp=test/mcp/node_modules/.package-lock.json
    if [ ! -f "$stamp" ] || [ test/mcp/package-lock.json -nt "$stamp" ]; then
        echo "deps: npm ci in test/mcp"
        (cd test/mcp && npm ci --no-audit --no-fund --loglevel=error) >/dev/null ||
            { echo "deps: npm ci failed" >&2; exit 1; }
    fi
fi
exit 0
