#!/usr/bin/env bash
# Hostile Runfiles on the command line (runfile.md §4, §7, §10; cli.md §5, §11): 100,000
# functions, 100,000 parameters, 100,000-deep nesting of every scanner construct, deep and
# cyclic `source` chains, unterminated blocks, strings and heredocs, CRLF, NUL bytes and binary
# junk. Each gets its specified diagnostic or result; nothing crashes or hangs (every run is
# under `timeout`, and a status of 124 or above 128 fails).
. "$(dirname "$0")/../lib.sh"

# rc_ok: the last run ended by itself (no timeout, no signal, no sanitizer report).
rc_ok() {
    if [ "$status" -ge 124 ] && [ "$status" != 126 ] && [ "$status" != 127 ]; then
        echo "status $status"; return 1
    fi
    case $err in *Sanitizer*|*"runtime error"*|*BUG*) echo "$err" | head -n 5; return 1 ;; esac
}
trun() { # like run_cmd, with a time limit
    timeout 20 "$RUN_BIN" "$@" >"$TEST_ROOT/.out" 2>"$TEST_ROOT/.err" </dev/null
    status=$?
    out=$(head -c 100000 "$TEST_ROOT/.out")
    err=$(head -c 100000 "$TEST_ROOT/.err")
}
first_line() { printf '%s\n' "$1" | head -n 1; }
matrix=0

mkdir -p big && awk 'BEGIN { for (i = 0; i < 100000; i++) printf "# @desc Function %d\nf%d(a, b: int = %d) echo \"%d $a $b\"\n", i, i, i, i }' >big/Runfile
matrix=$((matrix + 1))
test_expect "100,000 functions: listed, inspected and callable" '
    cd big && trun --list && expect_status 0 && rc_ok &&
    expect_eq "$(wc -l <"$TEST_ROOT/.out")" 100001 &&
    expect_eq "$(tail -n 1 "$TEST_ROOT/.out")" "  f99999" &&
    trun f99999 z && expect_status 0 && expect_eq "$out" "99999 z 99999" &&
    trun f50000 z x && expect_status 2 &&
    expect_eq "$(first_line "$err")" "error: argument '"'"'b'"'"' of '"'"'f50000'"'"' must be an integer, got '"'"'x'"'"'" &&
    trun --inspect && expect_status 0 && rc_ok &&
    expect_eq "$(grep -c "\"name\": \"f" "$TEST_ROOT/.out")" 100000'

# Deep nesting of every construct the scanners track (100,000 levels each).
nest() { awk -v n=100000 -v o="$1" -v m="$2" -v c="$3" -v pre="$4" -v post="$5" 'BEGIN {
    printf "%s", pre; for (i = 0; i < n; i++) printf "%s", o; printf "%s", m
    for (i = 0; i < n; i++) printf "%s", c; printf "%s\n", post }'; }
i=0
while IFS='|' read -r name open mid close pre post; do
    i=$((i + 1)); matrix=$((matrix + 1))
    mkdir -p "nest$i"
    nest "$open" "$mid" "$close" "$(printf '%b' "$pre")" "$(printf '%b' "$post")" >"nest$i/Runfile"
    test_expect "100,000-deep $name: parsed without crash or hang" "
        cd nest$i && trun --list && rc_ok && expect_status 0 &&
        expect_eq \"\$out\" \"Available functions from ./Runfile:
  f\""
done <<'EOF'
command substitution|$(|x|)|f() { echo |; }
brace groups|{ |echo; |} |f() { |}
parameter expansions|${x:-|1|}|f() echo |
arithmetic|((|1|))|f() echo $(( | ))
double quotes in $()|"$(|x|)"|f() { echo |; }
node template literals|`${|1|}`|# @shell node\nf() {\nconsole.log(|)\n}
ruby interpolation|"#{|1|}"|# @shell ruby\nf() {\nputs |\n}
python brackets|[|1|]|# @shell python3\nf() {\nprint(|)\n}
EOF

matrix=$((matrix + 1))
test_expect "100,000 parameters: one duplicate diagnostic; 100,000 distinct ones inspect" '
    mkdir -p params && cd params &&
    awk "BEGIN { printf \"f(\"; for (i = 0; i < 100000; i++) printf \"a,\"; print \"b) echo\" }" >Runfile &&
    trun --list && expect_status 1 && rc_ok &&
    expect_eq "$(printf "%s\n" "$err" | grep -c "error: duplicate parameter")" 1 &&
    awk "BEGIN { printf \"# @desc x\\nf(\"; for (i = 0; i < 100000; i++) printf \"a%d,\", i; print \"b) echo \\\"\$#\\\"\" }" >Runfile &&
    trun --inspect && expect_status 0 && rc_ok'

# source chains: n files deep, each defining level<i>; the last may source a file again.
chain() {
    local n=$1 back=${2:-} i
    mkdir -p lib
    printf 'source lib/s1.run\ntop() echo top\n' >Runfile
    for ((i = 1; i <= n; i++)); do
        if [ "$i" -lt "$n" ]; then printf 'source s%d.run\n' $((i + 1)); elif [ -n "$back" ]; then printf 'source %s\n' "$back"; fi >"lib/s$i.run"
        printf 'level%d() echo %d\n' "$i" "$i" >>"lib/s$i.run"
    done
}
matrix=$((matrix + 4))
test_expect "source: 200 deep works; cycles back to the root and to itself are read once" '
    mkdir -p c1 && cd c1 && chain 200 ../Runfile &&
    trun level200 && expect_status 0 && rc_ok && expect_eq "$out" 200 &&
    trun --list && expect_status 0 && expect_eq "$(grep -c "^  " "$TEST_ROOT/.out")" 201 &&
    cd .. && mkdir -p c2 && cd c2 && printf "source Runfile\nsource ./Runfile\nsource ./x/../Runfile\nme() echo me\n" >Runfile &&
    mkdir -p x && trun me && expect_status 0 && expect_eq "$out" me && expect_eq "$err" "" &&
    printf "source b.run\na() echo a\n" >a.run && printf "source a.run\nsource b.run\nb() echo b\n" >b.run &&
    printf "source a.run\nme() echo me\n" >Runfile && trun --list && expect_status 0 &&
    expect_eq "$out" "Available functions from ./Runfile:
  a
  b
  me"'
test_expect "source: 300 deep is the nesting error, exit 1" '
    mkdir -p c3 && cd c3 && chain 300 &&
    trun top && expect_status 1 && rc_ok &&
    case $err in *"error: source nesting deeper than 256 files"*) ;; *) echo "$err" | head; false ;; esac'
matrix=$((matrix + 3))
test_expect "source: a device, a FIFO and /dev/null are warnings, never read (no hang)" '
    mkdir -p c5 && cd c5 && mkfifo fifo &&
    printf "source /dev/zero\nsource fifo\nsource /dev/null\nok() echo ok\n" >Runfile &&
    trun ok && expect_status 0 && rc_ok && expect_eq "$out" ok &&
    expect_eq "$(grep warning <<<"$err")" "Runfile:1:8: warning: cannot source '"'"'/dev/zero'"'"': Not a regular file
Runfile:2:8: warning: cannot source '"'"'fifo'"'"': Not a regular file
Runfile:3:8: warning: cannot source '"'"'/dev/null'"'"': Not a regular file"'
test_expect "source: a directory and a missing file are warnings" '
    mkdir -p c4/d && cd c4 && printf "source d\nsource nope.run\nok() echo ok\n" >Runfile &&
    trun ok && expect_status 0 && expect_eq "$out" ok &&
    case $err in *"warning: cannot source '"'"'d'"'"': Is a directory"*"warning: cannot source '"'"'nope.run'"'"': No such file or directory"*) ;; *) echo "$err"; false ;; esac'

# Broken Runfiles: exit 1 and the exact first diagnostic line.
i=0
diags=() # read by the test bodies
while IFS='|' read -r name text diag; do
    i=$((i + 1)); matrix=$((matrix + 1))
    mkdir -p "broken$i" && printf '%b' "$text" >"broken$i/Runfile"
    # shellcheck disable=SC2034 # read by the test bodies
    diags[i]=$diag
    test_expect "broken: $name" "
        cd broken$i && trun x && expect_status 1 && rc_ok &&
        expect_eq \"\$(first_line \"\$err\")\" \"\${diags[$i]}\""
done <<'EOF'
unclosed block|x() {\n  echo hi\n|Runfile:1:5: error: unclosed '{': no matching '}' for this block
unterminated heredoc|x() {\n  cat <<EOF\n  hi\n}\n|Runfile:2:7: error: unterminated heredoc: no line 'EOF' closes the '<<EOF' here-document
unterminated inline string|x() echo "hi\ny() echo\n|Runfile:1:10: error: unterminated double-quoted string
unterminated inline single quote|x() echo 'hi\n|Runfile:1:10: error: unterminated single-quoted string
unterminated command substitution|x() echo $(date\n|Runfile:1:10: error: unterminated '$('
unterminated backtick|x() echo `date\n|Runfile:1:10: error: unterminated '`'
unmatched brace|x() echo\n}\n|Runfile:2:1: error: unmatched '}'
unterminated default|x(a = "b) echo\n|Runfile:1:7: error: unterminated string in default value
unknown type|x(a: integr) echo\n|Runfile:1:6: error: unknown type 'integr'
EOF

matrix=$((matrix + 1))
test_expect "CRLF line ends and a BOM: the bodies run without carriage returns" '
    mkdir -p crlf && cd crlf &&
    printf "\357\273\277greet(name = \"w\") {\r\n  echo \"[\$name]\"\r\n  cat <<EOF\r\n  doc\r\n  EOF\r\n}\r\none() echo one\r\n" >Runfile &&
    trun greet && expect_status 0 && expect_eq "$out" "[w]
doc" && trun one && expect_status 0 && expect_eq "$out" one &&
    ! grep -q $'"'"'\r'"'"' "$TEST_ROOT/.out"'

matrix=$((matrix + 1))
test_expect "NUL bytes inside a Runfile: a result, not a crash" '
    mkdir -p nul && cd nul && printf "a() echo a\000b\nc() echo c\n\000\000\n" >Runfile &&
    trun --list && rc_ok && trun c && rc_ok'

# Binary junk: fixed pseudo-random files (an LCG, so every run tests the same bytes).
mkdir -p junk
awk 'BEGIN { x = 12345; for (f = 0; f < 24; f++) { file = sprintf("junk/j%02d", f); n = 4096 * (f + 1)
    for (i = 0; i < n; i++) { x = (x * 1103515245 + 12345) % 2147483648; c = int(x / 65536) % 256
        if (f % 3 == 1 && c > 127) c = c % 64 + 32     # mostly text
        if (f % 3 == 2 && c % 5 == 0) c = 123 + (c % 3) # many braces
        printf "%c", c > file } close(file) } }' 2>/dev/null
junk_bad=0
for j in junk/j*; do
    matrix=$((matrix + 1))
    mkdir -p "$j.d" && cp "$j" "$j.d/Runfile"
    for args in --list --inspect nothing; do
        # shellcheck disable=SC2086
        msg=$(cd "$j.d" && trun $args && rc_ok) || { junk_bad=$((junk_bad + 1)); echo "# $j $args: $msg"; }
    done
done
test_expect "24 binary junk Runfiles: --list, --inspect and a call end normally" '[ "$junk_bad" = 0 ]'

echo "# runfile matrix: $matrix cases"
test_done
