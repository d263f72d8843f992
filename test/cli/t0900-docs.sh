#!/usr/bin/env bash
# Documentation and integration files: agent configs parse and start `run --serve-mcp`, the
# man pages are lint-clean and cover every option, the run_docs topic pages exist with their
# exact titles, and every Runfile example in the docs is a valid Runfile.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/../lib.sh"

# test_skip NAME REASON: a TAP skip (counted as passed by check.sh).
test_skip() {
    test_count=$((test_count + 1))
    echo "ok $test_count - $1 # SKIP $2"
}

# --- agent configurations ----------------------------------------------------------------

# check_json FILE KEY: FILE is JSON whose KEY ("mcpServers" or "servers") holds a server "run"
# started as `run --serve-mcp`.
check_json() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
path, key = sys.argv[1], sys.argv[2]
with open(path) as f:
    doc = json.load(f)
server = doc[key]["run"]
assert server["command"] == "run", server
assert server["args"] == ["--serve-mcp"], server
if key == "servers":
    assert server["type"] == "stdio", server
EOF
}

for f in claude-desktop.json claude-code.mcp.json cursor.json; do
    test_expect "examples/$f parses and runs 'run --serve-mcp'" "
        check_json '$SRC/examples/$f' mcpServers
    "
done
test_expect "examples/vscode.json parses and runs 'run --serve-mcp' over stdio" "
    check_json '$SRC/examples/vscode.json' servers
"
test_expect "the JSON check rejects a config with other args" '
    printf "%s" "{\"mcpServers\": {\"run\": {\"command\": \"run\", \"args\": [\"--list\"]}}}" \
        >bad.json &&
    ! check_json bad.json mcpServers 2>/dev/null
'

# yaml_structure FILE: a strict check without a YAML library. The file may hold only comments,
# blank lines, "extensions:", the entry "  run:" and four-space "key: value" lines without
# tabs; the entry must have type stdio, cmd run and args [--serve-mcp].
yaml_structure() {
    awk '
        /^[ ]*#/ || /^[ ]*$/ { next }
        /\t/ { print "tab in line " NR; bad = 1; next }
        NR_ext == 0 && /^extensions:[ ]*$/ { NR_ext = NR; next }
        NR_ext && !in_run && /^  run:[ ]*$/ { in_run = 1; next }
        in_run && /^    [a-z_]+:( .*)?$/ {
            key = $1; sub(/:$/, "", key)
            val = $0; sub(/^    [a-z_]+:[ ]*/, "", val); sub(/[ ]+$/, "", val)
            if (key in seen) { print "duplicate key " key; bad = 1 }
            seen[key] = val; next
        }
        { print "unexpected line " NR ": " $0; bad = 1 }
        END {
            if (!NR_ext) { print "no extensions: map"; bad = 1 }
            if (!in_run) { print "no run: entry"; bad = 1 }
            if (seen["type"] != "stdio") { print "type is not stdio"; bad = 1 }
            if (seen["cmd"] != "run") { print "cmd is not run"; bad = 1 }
            if (seen["args"] != "[--serve-mcp]") { print "args is not [--serve-mcp]"; bad = 1 }
            exit bad
        }' "$1"
}

test_expect "examples/goose.yaml has the Goose extension shape (structural check)" "
    yaml_structure '$SRC/examples/goose.yaml'
"
test_expect "the structural YAML check rejects a wrong entry" '
    printf "extensions:\n  run:\n    type: sse\n    cmd: run\n    args: [--serve-mcp]\n" >a.yaml &&
    ! yaml_structure a.yaml >/dev/null &&
    printf "extensions:\n  run:\n\ttype: stdio\n" >b.yaml &&
    ! yaml_structure b.yaml >/dev/null
'
if python3 -c 'import yaml' 2>/dev/null; then
    test_expect "examples/goose.yaml parses as YAML with the same content" "
        python3 - '$SRC/examples/goose.yaml' <<'EOF'
import sys, yaml
with open(sys.argv[1]) as f:
    doc = yaml.safe_load(f)
run = doc['extensions']['run']
assert run['type'] == 'stdio' and run['cmd'] == 'run', run
assert run['args'] == ['--serve-mcp'], run
assert run['enabled'] is True, run
EOF
    "
else
    # The structural check above stands in for the parser; say so in the TAP output.
    test_skip "examples/goose.yaml parses as YAML" "python3 yaml module missing; structural check used"
fi

test_expect "examples/claude-code.sh is valid sh and registers 'run --serve-mcp'" "
    sh -n '$SRC/examples/claude-code.sh' &&
    grep -qx 'claude mcp add run -- run --serve-mcp' '$SRC/examples/claude-code.sh'
"
test_expect "README.md shows the generic agent config" "
    grep -qF '{\"mcpServers\": {\"run\": {\"command\": \"run\", \"args\": [\"--serve-mcp\"]}}}' \
        '$SRC/README.md'
"
test_expect "examples/mcp-demo.mjs is valid JavaScript" "
    node --check '$SRC/examples/mcp-demo.mjs'
"
if [ -d "$SRC/test/mcp/node_modules/@modelcontextprotocol/sdk" ]; then
    test_expect "examples/mcp-demo.mjs lists the tools and calls them through the SDK" "
        out=\$(RUN_BIN='$RUN_BIN' timeout 60 node '$SRC/examples/mcp-demo.mjs' 2>&1) &&
        printf '%s\n' \"\$out\" &&
        grep -q '^connected to run ' <<<\"\$out\" &&
        grep -q '^  greet(name, loud, timeout)  Greet someone\$' <<<\"\$out\" &&
        grep -q '^  run_docs(topic) ' <<<\"\$out\" &&
        grep -q '^HELLO, MCP!\$' <<<\"\$out\" &&
        grep -qx '6' <<<\"\$out\" &&
        [ \"\$(grep -c '^isError: false\$' <<<\"\$out\")\" = 2 ]
    "
else
    test_skip "examples/mcp-demo.mjs runs through the SDK" "SDK not installed (make deps)"
fi

# --- man pages ---------------------------------------------------------------------------

for page in run.1 runfile.5; do
    test_expect "man/$page is groff-clean" "
        out=\$(groff -man -ww -z '$SRC/man/$page' 2>&1) && [ -z \"\$out\" ] ||
            { printf '%s\n' \"\$out\"; exit 1; }
    "
    if command -v mandoc >/dev/null 2>&1; then
        test_expect "man/$page is mandoc -Tlint clean" "
            out=\$(mandoc -Tlint '$SRC/man/$page' 2>&1) && [ -z \"\$out\" ] ||
                { printf '%s\n' \"\$out\"; exit 1; }
        "
    else
        test_skip "man/$page is mandoc -Tlint clean" "mandoc not installed"
    fi
done

# man_section PAGE NAME: the source lines of one .SH section.
man_section() {
    awk -v want=".SH $2" '
        /^\.SH / { on = ($0 == want || $0 == want "\"") ; next }
        on' "$1"
}

test_expect "run.1 documents every option of 'run --help'" "
    run_cmd --help && expect_status 0 &&
    opts=\$(grep -oE -- '(^|[ ,])--?[a-zA-Z][a-z-]*' <<<\"\$out\" | tr -d ' ,' | sort -u) &&
    [ -n \"\$opts\" ] &&
    for o in \$opts; do
        esc=\$(sed 's/-/\\\\-/g' <<<\"\$o\")
        grep -qF -- \"\$esc\" '$SRC/man/run.1' || { echo \"run.1 lacks \$o\"; exit 1; }
    done
"
test_expect "run.1 lists every environment variable and exit status" "
    env=\$(man_section '$SRC/man/run.1' ENVIRONMENT) &&
    for v in RUN_SHELL RUN_NO_GLOBAL_MERGE RUN_MCP_OUTPUT_DIR RUN_MCP_MAX_CONCURRENCY \
             RUN_MCP_MAX_FRAME RUN_RUNFILE_DIR HOME PATH SHELL XDG_DATA_HOME XDG_CONFIG_HOME \
             ZDOTDIR NO_COLOR __RUNFILE_DIR__; do
        grep -q \"\$v\" <<<\"\$env\" || { echo \"ENVIRONMENT lacks \$v\"; exit 1; }
    done &&
    st=\$(man_section '$SRC/man/run.1' 'EXIT STATUS') &&
    for s in '^\\.B 0\$' '^\\.B 1\\\\-125\$' '^\\.B 128+N\$' '^\\.B 1\$' '^\\.B 2\$' \
             '^\\.B 126\$' '^\\.B 127\$'; do
        grep -q \"\$s\" <<<\"\$st\" || { echo \"EXIT STATUS lacks \$s\"; exit 1; }
    done
"
test_expect "run.1 has an MCP section and runfile.5 the language sections" "
    grep -qx '.SH MCP SERVER' '$SRC/man/run.1' &&
    for s in STATEMENTS DEFINITIONS ATTRIBUTES SOURCE EXECUTION SECURITY; do
        grep -qx \".SH \$s\" '$SRC/man/runfile.5' || { echo \"runfile.5 lacks \$s\"; exit 1; }
    done
"

# --- run_docs topic pages ----------------------------------------------------------------

topics=(
    "getting-started|Getting started with run"
    "runfile-syntax|Runfile syntax reference"
    "arguments|Function arguments and parameters"
    "variables|Variables"
    "attributes-and-interpreters|Attributes and interpreters (@shell, @os, @desc)"
    "command-composition|Command composition and piping"
    "polyglot-commands|Polyglot commands (Python, Node, Ruby)"
    "mcp|MCP integration"
    "cli|CLI reference"
    "bash-differences|Differences from plain bash"
    "recipes|Recipes and examples"
    "faq|FAQ"
)
for t in "${topics[@]}"; do
    slug=${t%%|*} title=${t#*|}
    test_expect "topic $slug: starts with '# $title', at least 200 bytes" "
        f='$SRC/man/topics/$slug.md' &&
        [ -f \"\$f\" ] &&
        expect_eq \"\$(head -n 1 \"\$f\")\" '# $title' &&
        [ \$(wc -c <\"\$f\") -ge 200 ]
    "
done
test_expect "man/topics holds exactly the twelve pages (reference is built by joining)" '
    expected=$(for t in "${topics[@]}"; do echo "${t%%|*}.md"; done | sort) &&
    actual=$(cd "$SRC/man/topics" && ls | sort) &&
    expect_eq "$actual" "$expected"
'

# --- Runfile examples --------------------------------------------------------------------

# Extract every ```runfile block of the markdown files and every "runfile-example" block of
# the man pages into blocks/NNN/Runfile; blocks/index gets "NNN FILE:LINE" per block.
mkdir -p blocks
python3 - "$SRC" blocks <<'EOF'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
blocks = []
transcripts = {}    # block index -> (where, "$ run ..." lines and their expected stdout)

def markdown(rel):
    lines = open(os.path.join(src, rel), encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^( {0,3})(`{3,}|~{3,})[ \t]*([^`\s]*)", lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3)
        start, body = i + 1, []
        i += 1
        while i < len(lines):
            close = re.match(r"^ {0,3}(" + re.escape(fence[0]) + r"{3,})[ \t]*$", lines[i])
            if close and len(close.group(1)) >= len(fence):
                break
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        if i >= len(lines):
            sys.exit("%s:%d: unclosed code fence" % (rel, start))
        i += 1
        if info == "runfile":
            blocks.append(("%s:%d" % (rel, start), "\n".join(body) + "\n"))
        elif info == "text" and body and body[0].startswith("$ run ") and blocks and \
                blocks[-1][0].startswith(rel + ":") and len(blocks) - 1 not in transcripts:
            # A ```text block of "$ run ..." lines runs against the closest Runfile example
            # above it on the same page (one transcript per example).
            transcripts[len(blocks) - 1] = ("%s:%d" % (rel, start), "\n".join(body) + "\n")

def man(rel):
    lines = open(os.path.join(src, rel), encoding="utf-8").read().split("\n")
    esc = [("\\(aq", "'"), ("\\(dq", '"'), ("\\(ti", "~"), ("\\(ha", "^"), ("\\(ga", "`"),
           ("\\-", "-"), ("\\&", ""), ("\\e", "\\")]
    want = False
    for n, line in enumerate(lines):
        if line.strip() == '.\\" runfile-example':
            want, body, start = True, None, n + 1
        elif want and line == ".EX":
            body = []
        elif want and body is not None and line == ".EE":
            blocks.append(("%s:%d" % (rel, start), "\n".join(body) + "\n"))
            want, body = False, None
        elif want and body is not None:
            for a, b in esc:
                line = line.replace(a, b)
            body.append(line)

for rel in sorted(os.listdir(os.path.join(src, "man", "topics"))):
    markdown(os.path.join("man", "topics", rel))
markdown("README.md")
markdown(os.path.join("examples", "README.md"))
man(os.path.join("man", "runfile.5"))
man(os.path.join("man", "run.1"))
blocks.append(("examples/Runfile", open(os.path.join(src, "examples", "Runfile")).read()))

with open(os.path.join(out, "index"), "w") as idx:
    for k, (where, text) in enumerate(blocks):
        d = os.path.join(out, "%03d" % k)
        os.mkdir(d)
        with open(os.path.join(d, "Runfile"), "w", encoding="utf-8") as f:
            f.write(text)
        idx.write("%03d %s\n" % (k, where))
with open(os.path.join(out, "transcripts"), "w") as idx:
    for k, (where, text) in sorted(transcripts.items()):
        with open(os.path.join(out, "%03d" % k, "transcript"), "w", encoding="utf-8") as f:
            f.write(text)
        idx.write("%03d %s\n" % (k, where))
EOF
test_expect "Runfile examples were found in the docs" '
    [ "$(wc -l <blocks/index)" -ge 30 ] &&
    grep -q " man/runfile.5:" blocks/index && grep -q " README.md:" blocks/index
'
while read -r k where; do
    test_expect "$where: the Runfile example parses; --list and --inspect are clean" "
        run_cmd --runfile blocks/$k/Runfile --list &&
        expect_status 0 && expect_eq \"\$err\" '' &&
        grep -qE '^(Available functions from blocks/$k/Runfile:|No functions defined in Runfile\\.)\$' \
            <<<\"\$out\" &&
        run_cmd --runfile blocks/$k/Runfile --inspect &&
        expect_status 0 && expect_eq \"\$err\" '' &&
        python3 -c 'import json, sys; json.load(sys.stdin)' <<<\"\$out\"
    "
done <blocks/index
# check_transcript DIR: run every "$ run ARGS" line of DIR/transcript in DIR (so `run` finds
# DIR/Runfile, the example the transcript follows) and compare its stdout with the lines that
# follow it on the page.
check_transcript() {
    python3 - "$1" <<'EOF'
import os, subprocess, sys
d = sys.argv[1]
lines = open(os.path.join(d, "transcript"), encoding="utf-8").read().split("\n")[:-1]
steps = []
for line in lines:
    if line.startswith("$ "):
        steps.append((line[2:], []))
    else:
        steps[-1][1].append(line)
env = dict(os.environ, RUN_NO_GLOBAL_MERGE="1")
ok = True
for cmd, want in steps:
    script = 'run() { "$RUN_BIN" "$@"; }\n' + cmd
    got = subprocess.run(["bash", "-c", script], cwd=d, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    out = got.stdout.decode("utf-8", "replace").split("\n")
    if out and out[-1] == "":
        out.pop()
    if got.returncode != 0 or out != want:
        ok = False
        print("$ " + cmd)
        print("  status %d, stderr %r" % (got.returncode, got.stderr.decode()[:300]))
        print("  expected %r" % want)
        print("  actual   %r" % out)
sys.exit(0 if ok else 1)
EOF
}

while read -r k where; do
    test_expect "$where: the documented commands print what the page says" "
        check_transcript blocks/$k
    "
done <blocks/transcripts
test_expect "documented transcripts were found" '
    [ "$(wc -l <blocks/transcripts)" -ge 2 ]
'

test_expect "broken examples are caught: errors fail, warnings show on stderr" '
    printf "bad(a b) echo x\n" >broken.run &&
    run_cmd --runfile broken.run --list && [ "$status" -ne 0 ] && [ -n "$err" ] &&
    printf "source missing.run\nf() echo f\n" >warn.run &&
    run_cmd --runfile warn.run --list && expect_status 0 && [ -n "$err" ]
'
test_done
