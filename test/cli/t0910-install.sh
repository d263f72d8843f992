#!/usr/bin/env bash
# make install / make uninstall into a temporary root (DESTDIR, PREFIX, BINDIR, MANDIR).
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/test/lib.sh"
build=${RUN_BUILD:-$repo/build}
root=$TEST_ROOT/root

test_expect "make install puts the binary and both man pages under DESTDIR/PREFIX" '
    make -s -C "$repo" install BUILD="$build" DESTDIR="$root" PREFIX=/opt/run >/dev/null &&
    [ -x "$root/opt/run/bin/run" ] &&
    [ -f "$root/opt/run/share/man/man1/run.1" ] &&
    [ -f "$root/opt/run/share/man/man5/runfile.5" ] &&
    "$root/opt/run/bin/run" --version | grep -q "^run [0-9]"
'
test_expect "the installed binary works on its own" '
    printf "hi() echo installed\n" >Runfile &&
    out=$("$root/opt/run/bin/run" hi) && expect_eq "$out" installed
'
test_expect "BINDIR and MANDIR override the layout" '
    make -s -C "$repo" install BUILD="$build" DESTDIR="$root" BINDIR=/b MANDIR=/m >/dev/null &&
    [ -x "$root/b/run" ] && [ -f "$root/m/man1/run.1" ] && [ -f "$root/m/man5/runfile.5" ]
'
test_expect "make uninstall removes exactly what install added" '
    make -s -C "$repo" uninstall DESTDIR="$root" PREFIX=/opt/run >/dev/null &&
    make -s -C "$repo" uninstall DESTDIR="$root" BINDIR=/b MANDIR=/m >/dev/null &&
    [ -z "$(find "$root" -type f)" ]
'
test_expect "the installed man pages render" '
    make -s -C "$repo" install BUILD="$build" DESTDIR="$root" PREFIX=/usr >/dev/null &&
    man -l "$root/usr/share/man/man1/run.1" 2>/dev/null | grep -q -- "--serve-mcp" &&
    man -l "$root/usr/share/man/man5/runfile.5" 2>/dev/null | grep -qi "runfile"
'
test_done
