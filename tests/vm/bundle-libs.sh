#!/bin/sh
# Copy executables and every shared library they need (as ldd lists them, the dynamic loader
# included) into a root filesystem tree, at the paths the executables look for them:
#   bundle-libs.sh ROOT BINDIR EXE...
# The executables go to ROOT/BINDIR. The tools are built against Debian 12's libraries
# (libsmartcols ships no static archive), so the test VM carries those, as dracut does.
set -eu
[ $# -ge 3 ] || { echo "usage: ${0##*/} ROOT BINDIR EXE..." >&2; exit 2; }
root=$1 bindir=$2
shift 2
mkdir -p "$root/$bindir"
for exe in "$@"; do
	[ -x "$exe" ] || { echo "${0##*/}: $exe: not an executable" >&2; exit 2; }
	cp "$exe" "$root/$bindir/"
	# "libx.so.1 => /lib/x86_64-linux-gnu/libx.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
	ldd "$exe" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r lib; do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
done
