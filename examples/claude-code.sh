#!/bin/sh
# Register run as an MCP server with Claude Code.
# Run this from the project directory (the one holding the Runfile).
set -e

# For you only, in this project (stored in Claude Code's local settings):
claude mcp add run -- run --serve-mcp

# Alternatively, for everyone working on the project, commit a .mcp.json next to the
# Runfile (examples/claude-code.mcp.json has the same content):
#   claude mcp add --scope project run -- run --serve-mcp

# Check that it is registered:
claude mcp list
