#!/usr/bin/env bash
# make soak: 10,000 mixed tools/call requests, 16 in flight, through the official SDK client
# (test/mcp/soak.mjs). Not part of `make check`: it takes minutes.
# Usage: test/mcp/soak.sh RUN_BINARY [TOTAL] [IN_FLIGHT]
set -u
bin=$(cd "$(dirname "${1:?run binary}")" && pwd)/$(basename "$1") || exit 1
cd "$(dirname "$0")" || exit 1
[ -d node_modules/@modelcontextprotocol/sdk ] || (cd ../.. && bash tools/deps.sh) || exit 1
RUN_BIN=$bin exec node soak.mjs "${2:-10000}" "${3:-16}"
