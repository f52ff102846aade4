#!/bin/sh
# Bundle the host-built tools for a guest whose own libraries differ (Debian sid):
#   bundle-tools.sh BINDIR DEST      (again with another BINDIR to add more)
# Every executable ELF file directly in BINDIR goes to DEST/opt/kho-tools/bin. A dynamic one
# brings every shared library ldd finds for it on this host, the dynamic loader and libc
# included, into DEST/opt/kho-tools/lib, and gets a wrapper DEST/usr/local/sbin/NAME that
# starts it through that loader with that library path only: the tool always runs on the
# host's glibc and libraries, whatever the guest has. A static one is started directly.
# DEST/opt/kho-tools/MANIFEST lists what came from where.
set -eu
[ $# -eq 2 ] || { echo "usage: ${0##*/} BINDIR DEST" >&2; exit 2; }
bindir=$1 dest=$2
die() { echo "${0##*/}: $*" >&2; exit 2; }
[ -d "$bindir" ] || die "$bindir: no such directory"

opt=$dest/opt/kho-tools
mkdir -p "$opt/bin" "$opt/lib" "$dest/usr/local/sbin"
# Appended to: several BINDIRs may go into one DEST.
manifest=$opt/MANIFEST
touch "$manifest"
n=0

# is_elf FILE: the ELF magic, without needing file(1).
is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

# copy_lib SRC: into lib/ under the name the binary asks for (a soname symlink's name).
copy_lib() {
	if [ ! -e "$opt/lib/${1##*/}" ]; then
		cp -L "$1" "$opt/lib/${1##*/}"
		echo "lib ${1##*/} $(readlink -f "$1")" >>"$manifest"
	fi
}

for bin in "$bindir"/*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ] || ! is_elf "$bin"; then
		continue
	fi
	name=${bin##*/}
	cp "$bin" "$opt/bin/$name"
	wrapper=$dest/usr/local/sbin/$name
	if ! deps=$(ldd "$bin" 2>/dev/null) || ! echo "$deps" | grep -qF '=>'; then
		# Static (ldd refuses it): nothing to bring.
		printf '#!/bin/sh\nexec /opt/kho-tools/bin/%s "$@"\n' "$name" >"$wrapper"
		echo "bin $name static" >>"$manifest"
	else
		missing=$(echo "$deps" | awk '/=> not found/ { print $1 }')
		[ -z "$missing" ] || die "$bin: libraries not found on this host: $missing"
		for lib in $(echo "$deps" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
			copy_lib "$lib"
		done
		loader=$(echo "$deps" | awk '$1 ~ /^\// && $2 != "=>" { print $1; exit }')
		[ -n "$loader" ] || die "$bin: no dynamic loader in ldd's output"
		copy_lib "$loader"
		cat >"$wrapper" <<-EOF
			#!/bin/sh
			# $name from the host's build, on the host's own loader and libraries (bundle-tools.sh).
			exec /opt/kho-tools/lib/${loader##*/} --library-path /opt/kho-tools/lib /opt/kho-tools/bin/$name "\$@"
		EOF
		echo "bin $name dynamic $(echo "$deps" | awk '$2 == "=>" { printf " %s", $1 }')" >>"$manifest"
	fi
	chmod 0755 "$wrapper" "$opt/bin/$name"
	n=$((n + 1))
	echo "${0##*/}: + $name" >&2
done
[ "$n" -gt 0 ] || die "no executable ELF file in $bindir"
