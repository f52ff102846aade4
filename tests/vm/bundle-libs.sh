#!/bin/sh
# Copy executables and every shared library they need (as ldd lists them, the dynamic loader
# included, and those they open themselves) into a root filesystem tree:
#   bundle-libs.sh [--wrap DIR] ROOT BINDIR EXE...
# The tools are built against Debian 12's libraries (libsmartcols ships no static archive), so
# the test VMs carry those, as dracut does.
# By default the executables go to ROOT/BINDIR and the libraries to the paths they have here,
# which is right for a root of our own (the busybox VM). --wrap DIR is for a root with a C
# library of its own (the systemd VM's Debian sid): the executables go to ROOT/DIR/bin, the
# libraries and the loader to ROOT/DIR/lib, and ROOT/BINDIR gets a wrapper per executable that
# runs it on that loader with that library path only, whatever the root has.
set -eu
wrap=
if [ "${1:-}" = --wrap ]; then
	wrap=$2
	shift 2
fi
[ $# -ge 3 ] || { echo "usage: ${0##*/} [--wrap DIR] ROOT BINDIR EXE..." >&2; exit 2; }
root=$1 bindir=$2
shift 2
mkdir -p "$root/$bindir"
[ -z "$wrap" ] || mkdir -p "$root/$wrap/bin" "$root/$wrap/lib"

for exe in "$@"; do
	[ -x "$exe" ] || { echo "${0##*/}: $exe: not an executable" >&2; exit 2; }
	name=${exe##*/}
	# "libx.so.1 => /lib/x86_64-linux-gnu/libx.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2
	# (0x...)"; a static executable has neither.
	deps=$(ldd "$exe" 2>/dev/null || true)
	missing=$(echo "$deps" | awk '$2 == "=>" && $3 == "not" { print $1 }')
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086 # the names on one line
		echo "${0##*/}: $exe: libraries not found here:" $missing >&2
		exit 2
	fi
	libs=$(echo "$deps" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	loader=$(echo "$deps" | awk '$1 ~ /^\// { print $1 }')
	# Libraries a tool opens on first use (lib/base/dl.h) are in it as sonames, not in ldd's
	# list: those too, with what they need.
	for so in $(grep -ao 'lib[A-Za-z0-9_+-]*\.so\.[0-9][0-9]*' "$exe" | sort -u); do
		echo "$deps" | grep -q "^[[:space:]]*$so " && continue
		path=$(/sbin/ldconfig -p | awk -v so="$so" '$1 == so && /x86-64/ { print $NF; exit }')
		[ -n "$path" ] || continue
		libs="$libs $path $(ldd "$path" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')"
	done
	for lib in $libs; do
		if [ -n "$wrap" ]; then
			dest=$root/$wrap/lib/${lib##*/}
		else
			dest=$root$lib
		fi
		[ -e "$dest" ] && continue
		mkdir -p "$(dirname "$dest")"
		cp -L "$lib" "$dest"
	done
	# A static executable needs no wrapper.
	if [ -z "$wrap" ] || [ -z "$loader" ]; then
		cp "$exe" "$root/$bindir/"
	else
		cp "$exe" "$root/$wrap/bin/"
		cat >"$root/$bindir/$name" <<-EOF
			#!/bin/sh
			# $name from the host's build, on the host's loader and libraries (bundle-libs.sh).
			exec $wrap/lib/${loader##*/} --library-path $wrap/lib --argv0 $name $wrap/bin/$name "\$@"
		EOF
		chmod 0755 "$root/$bindir/$name"
	fi
done
