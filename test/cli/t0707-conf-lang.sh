#!/usr/bin/env bash
# Spec conformance: Runfile language edge cases (runfile.md §1-§9).
. "$(dirname "$0")/../lib.sh"

# body NAME: the function's body as printed by --show-script (bash), lines between
# "NAME() {" and the closing "}" of the entry, with the 4-space indent removed.
body() {
	"$RUN_BIN" --show-script "$@" </dev/null | awk -v n="$1() {" '
		$0 == n { on = 1; next } on && $0 == "}" { exit } on { sub(/^    /, ""); print }'
}
R() { printf "$@" >Runfile; }

test_expect "BOM at the start is ignored" '
	printf "\357\273\277hi() echo bom\n" >Runfile && run_cmd hi && expect_eq "$out" "bom"
'
test_expect "CRLF removed everywhere incl. heredocs; final CR removed" '
	printf "f() {\r\n    cat <<EOF\r\n  x\r\nEOF\r\n    echo y\r\n}\r\ng() echo g\r" >Runfile &&
	run_cmd f && expect_eq "$out" "  x
y" && "$RUN_BIN" f | od -c | grep -vq "\\\\r" && run_cmd g && expect_eq "$out" "g"
'
test_expect "other CR bytes are kept" '
	printf "f() printf \"a\rb\"\n" >Runfile && "$RUN_BIN" f | od -c | grep -q "a  *\\\\r  *b"
'
test_expect "missing final newline" '
	printf "f() echo end" >Runfile && run_cmd f && expect_eq "$out" "end"
'
test_expect "trailing whitespace kept inside blocks and heredocs" '
	printf "f() {\n    cat <<EOF\nkeep  \nEOF\n    echo \"x\"  \n}\n" >Runfile &&
	"$RUN_BIN" f >o && expect_eq "$(od -c o | head -1 | tr -s " ")" "$(printf "keep  \nx\n" | od -c | head -1 | tr -s " ")"
'
test_expect "names with -, :, digits and leading _" '
	printf "_h-1:2x() echo ok\nk8s:v2() echo k\n" >Runfile && run_cmd _h-1:2x && expect_eq "$out" "ok" &&
	run_cmd k8s v2 && expect_eq "$out" "k"
'
test_expect "reserved words never start a definition or call" '
	printf "if() { :; }\n" >Runfile && run_cmd --list && expect_eq "$out" "No functions defined in Runfile."
'
test_expect "function forms: function NAME, NAME(), NAME(PARAMS), inline" '
	printf "function a { echo a; }\nfunction b() { echo b; }\nfunction c(x) echo c\$x\nfunction d() echo d\nd2 () echo d2\n" >Runfile &&
	run_cmd a && expect_eq "$out" a && run_cmd b && expect_eq "$out" b && run_cmd c 1 && expect_eq "$out" c1 &&
	run_cmd d && expect_eq "$out" d && run_cmd d2 && expect_eq "$out" d2
'
test_expect "function NAME without body: missing function body" '
	printf "function lonely\n" >Runfile && run_cmd --list && expect_status 1 &&
	printf "%s" "$err" | grep -q "^Runfile:1:[0-9]*: error: missing function body$"
'
test_expect "greet echo hi is a command (prelude), not a definition" '
	printf "greet echo hi\nf() :\n" >Runfile && run_cmd --list && expect_eq "$out" "Available functions from ./Runfile:
  f"
'
test_expect "Allman braces (also after a comment)" '
	printf "function deploy(env)\n{\n    echo \"deploying \$env\"\n}\ng()   # c\n\n{\n  echo g\n}\n" >Runfile &&
	run_cmd deploy x && expect_eq "$out" "deploying x" && run_cmd g && expect_eq "$out" "g"
'
test_expect "call vs definition: f() alone is a call (ignored), f() then { is a definition" '
	printf "g() echo g\ng()\nh()\n{\n  echo h\n}\n" >Runfile && run_cmd --list && expect_eq "$out" "Available functions from ./Runfile:
  g
  h"
'
test_expect "multi-line top-level statements" '
	printf "X=\"a\nb\"\nY=\$(echo \\\\\n  y)\ncat <<EOF >/dev/null\n}\nEOF\nf() printf \"%%s|%%s\" \"\$X\" \"\$Y\"\n" >Runfile &&
	run_cmd f && expect_status 0 && expect_eq "$out" "a
b|y"
'
test_expect "unterminated top-level construct is an error" '
	printf "X=\"open\nf() :\n" >Runfile && run_cmd --list && expect_status 1 &&
	printf "%s" "$err" | grep -q "^Runfile:1:3: error: unterminated double-quoted string$"
'
test_expect "multi-line signature" '
	printf "release(\n    env,\n    version = \"latest\",\n    dry_run: bool = false,\n    ...extra\n) {\n    echo \"\$env \$version \$dry_run \$extra\"\n}\n" >Runfile &&
	run_cmd release p "" on a b && expect_eq "$out" "p latest true a b"
'
test_expect "defaults: quoted with commas/parens/#, single quotes, unquoted with inner spaces" '
	printf "f(a = \"x, (y) #z\", b = '\''q\\\\n'\'', c = a  b , d=1) echo \"[\$a][\$b][\$c][\$d]\"\n" >Runfile &&
	run_cmd f && expect_eq "$out" "[x, (y) #z][q\\n][a  b][1]"
'
test_expect "default \\\" and \\\\ escapes, other backslashes kept" '
	printf "f(a = \"q\\\\\"x\\\\\\\\y\\\\tz\") printf %%s \"\$a\"\n" >Runfile && run_cmd f && expect_eq "$out" "q\"x\\y\\tz"
'
test_expect "defaults are literal text" '
	printf "f(d = \"\$HOME/x\") echo \"\$d\"\n" >Runfile && run_cmd f && expect_eq "$out" "\$HOME/x"
'
test_expect "type aliases normalise (inspect)" '
	printf "# @desc d\nf(a: str, b: integer, c: number, d: boolean = ON, e: dict = '\''{\"k\": 1}'\'', g: float = 2) :\n" >Runfile &&
	run_cmd --inspect && expect_status 0 &&
	printf "%s" "$out" | python3 -c "
import json,sys
p=json.load(sys.stdin)[\"tools\"][0][\"inputSchema\"][\"properties\"]
assert [p[k][\"type\"] for k in \"abcdeg\"]==[\"string\",\"integer\",\"number\",\"boolean\",\"object\",\"number\"], p
assert p[\"d\"][\"default\"] is True and p[\"e\"][\"default\"]=={\"k\":1} and p[\"g\"][\"default\"]==2.0, p
"
'
test_expect "required after optional is fine" '
	printf "f(a = 1, b) echo \"\$a \$b\"\n" >Runfile && run_cmd f "" x && expect_eq "$out" "1 x" &&
	run_cmd f && expect_status 2 && expect_eq "$(printf "%s\n" "$err" | tail -1)" "usage: run f [a] <b>"
'
test_expect "inline body verbatim (2>&1, >>, \$(), {a,b}, comments)" '
	printf "f() echo {a,b}   \$((1+2)) \"x,y\" 2>&1 >>o.txt # c\n" >Runfile && run_cmd f && cat o.txt | grep -qx "a b 3 x,y"
'
test_expect "inline continuation keeps backslash-newline; trailing ws removed" '
	printf "m() echo \"This is a\" \\\\   \n    \"multi-line\" \\\\\n    \"command\"   \n" >Runfile &&
	run_cmd m && expect_eq "$out" "This is a multi-line command"
'
test_expect "inline body with open quote: error with hint" '
	printf "f() echo \"open\n  more\"\n" >Runfile && run_cmd f && expect_status 1 &&
	printf "%s" "$err" | grep -q "^Runfile:1:10: error: unterminated double-quoted string$" &&
	printf "%s" "$err" | grep -q "= hint: "
'
mkdir scan && cat >scan/Runfile <<'EOF'
f() {
    x=abc; echo ${#x}   # it's fine }
    echo it\'s "}" '{' ${x//\}/} $(echo ")") `echo }`
    [ $# -eq 0 ] && { echo none; }
    case a in (a) echo pa;; esac
}
EOF
cat >scan/want <<'EOF'
3
it's } { abc ) }
none
pa
EOF
test_expect "block scanning: \${#x}, escaped quote, comments with quotes, braces in strings" '
	run_cmd --runfile scan f && expect_eq "$out" "$(cat scan/want)"
'
test_expect "heredocs: quoted delimiters, several on a line, indented terminators, <<-" '
	printf "f() {\n    cat <<'\''A'\'' <<\"B\"\n  a }\n    A\n  b {\n  B\n    cat <<-E\"O\"F\n\tt\n\tEOF\n}\n" >Runfile &&
	run_cmd f && expect_eq "$out" "  b {
t"
'
test_expect "dedent (spec example)" '
	printf "w() {\n    cat > app.env <<EOF\nKEY=value\nEOF\n    cat > extra.env <<-END\n    MODE=dev\n    END\n    echo \"done\"\n}\n" >Runfile &&
	expect_eq "$(body w)" "$(printf "cat > app.env <<EOF\nKEY=value\nEOF\ncat > extra.env <<-END\nMODE=dev\nEND\necho \"done\"")"
'
test_expect "single-line block body not split" '
	printf "f() { echo a; echo \"b;c\" }\n" >Runfile && expect_eq "$(body f)" "echo a; echo \"b;c\""
'
test_expect "text after { and before }" '
	printf "f() {   echo a\n        echo b\n    echo c }\n" >Runfile && expect_eq "$(body f)" "echo a
    echo b
echo c"
'
test_expect "shebang selects the language of a block" '
	printf "f() {\n    # comment\n    #!/usr/bin/env -S python3 -u\n    print(\"py\", end=\"\")  # }\n}\n" >Runfile &&
	run_cmd f && expect_eq "$out" "py"
'
test_expect "@shell beats shebang; unknown shebang warns" '
	printf "# @shell bash\nf() {\n    #!/usr/bin/python3\n    echo sh\n}\ng() {\n    #!/usr/bin/perl\n    echo dflt\n}\n" >Runfile &&
	run_cmd f && expect_eq "$out" "sh" && run_cmd g && expect_eq "$out" "dflt" &&
	printf "%s" "$err" | grep -q "^Runfile:7:[0-9]*: warning: unknown interpreter '\''perl'\'' in shebang; using the default shell$"
'
mkdir poly && cat >poly/Runfile <<'EOF'
# @shell python
p() {
    s = """ } """ + '{'  # }
    print(len(s))
}
# @shell node
n() {
    const x = `${"}"}` + "{" /* } */; // }
    console.log(x)
}
# @shell ruby
r() {
    puts "#{"}"}{" # }
}
EOF
test_expect "polyglot scanners: python/node/ruby braces in strings and comments" '
	run_cmd --runfile poly p && expect_eq "$out" "4" && run_cmd --runfile poly n && expect_eq "$out" "}{" &&
	run_cmd --runfile poly r && expect_eq "$out" "}{"
'
test_expect "attributes: indentation, mixed comments, blank line ends block, last @desc wins" '
	printf "  #  @desc  first\n# plain comment\n#@desc \"last one\"\n    f() :\n# @desc orphan\n\ng() :\n" >Runfile &&
	run_cmd --inspect && printf "%s" "$out" | grep -q "\"description\": \"last one\"" &&
	! printf "%s" "$out" | grep -q "\"name\": \"g\""
'
test_expect "@os any match keeps; mismatch does not override" '
	printf "f() echo first\n# @os windows\nf() echo win\n# @os macos\n# @os linux\ng() echo g\n# @os beos\nh() echo h\n" >Runfile &&
	run_cmd f && expect_eq "$out" "first" && run_cmd g && expect_eq "$out" "g" &&
	run_cmd h && expect_eq "$out" "h" && printf "%s" "$err" | grep -q "warning: unknown @os value '\''beos'\'' (ignored)"
'
test_expect "last definition wins whatever the kind; position of the winner" '
	printf "a() { echo block; }\nb() :\na() echo inline\n" >Runfile && run_cmd a && expect_eq "$out" "inline" &&
	printf "c() { a; b; }\n" >>Runfile && run_cmd --show-script c && expect_status 0 &&
	expect_eq "$("$RUN_BIN" --show-script c | grep "() {")" "b() {
a() {
c() {"
'
test_expect "source: quotes, ~/, comment, relative to file, include once, missing warns" '
	mkdir -p lib "$HOME/dot" && printf "source ../Runfile\nl() echo lib\n" >"lib/with space.run" &&
	printf "h() echo home\n" >"$HOME/dot/t.run" &&
	printf "source \"lib/with space.run\"   # c\nsource ~/dot/t.run\nsource lib/none.run\nsource lib\nsource \$HOME/x\nr() echo root\n" >Runfile &&
	run_cmd l && expect_eq "$out" "lib" && run_cmd h && expect_eq "$out" "home" &&
	expect_eq "$(printf "%s\n" "$err" | grep warning)" "Runfile:3:8: warning: cannot source '\''lib/none.run'\'': No such file or directory
Runfile:4:8: warning: cannot source '\''lib'\'': Is a directory
Runfile:5:8: warning: cannot source '\''\$HOME/x'\'': No such file or directory"
'
test_expect "source inside a body is a shell command" '
	printf "X=1\n" >vars.sh && printf "f() {\n    source ./vars.sh\n    echo \$X\n}\n" >Runfile && run_cmd f && expect_eq "$out" "1"
'
test_expect "@arg legacy positions, optional, types; with signature only descriptions" '
	printf "# @desc d\n# @arg a str A\n# @arg 3:c? int C\n# @arg b \"number of\"\nf() :\n" >Runfile && run_cmd --inspect &&
	printf "%s" "$out" | python3 -c "
import json,sys
s=json.load(sys.stdin)[\"tools\"][0][\"inputSchema\"]
assert list(s[\"properties\"])==[\"a\",\"c\",\"b\",\"timeout\"] or list(s[\"properties\"])==[\"a\",\"b\",\"c\",\"timeout\"], s
assert s[\"properties\"][\"c\"][\"type\"]==\"integer\" and s[\"properties\"][\"b\"][\"description\"]==\"number of\", s
assert s[\"required\"]==[\"a\",\"b\"], s
"
'
mkdir dd && cat >dd/Runfile <<'REOF'
f() {
    cat <<EOF
    indented
      more
    EOF
    echo "a
    b"
    echo x \
      y
}
REOF
cat >dd/want <<'REOF'
f() {
    cat <<EOF
indented
  more
EOF
    echo "a
    b"
    echo x \
      y
}
REOF
test_expect "dedent: indented heredoc loses P, string lines kept, continuation lines are code" '
	cd dd && "$RUN_BIN" --show-script f | sed -n "/^f() {/,/^}/p" >got && cmp want got && run_cmd f && expect_eq "$out" "indented
  more
a
    b
x y"
'
test_expect "a tab-indented line makes the common prefix empty (byte comparison)" '
	printf "f() {\n    echo a\n\techo b\n}\n" >Runfile && expect_eq "$(body f)" "$(printf "    echo a\n\techo b")"
'
test_done
