#!/bin/sh
# Download Debian's linux-source-7.x through a private apt configuration kept under the cache
# directory (apt_private in common.sh).
# Prints the path of the extracted source tarball.
set -eu
. "$(dirname "$0")/common.sh"
cache_lock fetch-kernel

apt_dir=$KT_CACHE/apt
# shellcheck disable=SC2086 # one word per suite
apt_private "$apt_dir" $KT_SUITES
mkdir -p "$KT_CACHE/src"

# Refresh the package lists at most once a day.
stamp=$apt_dir/lists/.updated
if [ -z "$(find "$stamp" -mtime -1 2>/dev/null)" ]; then
	# shellcheck disable=SC2086
	apt-get -qq $apt_opts update >&2 || die "apt-get update (private config) failed"
	touch "$stamp"
fi

pkg=""
for p in $KT_SRC_PKGS; do
	# shellcheck disable=SC2086
	v=$(apt-cache $apt_opts policy "$p" 2>/dev/null | sed -n 's/^  Candidate: //p')
	[ -n "$v" ] && [ "$v" != "(none)" ] && { pkg=$p; ver=$v; }
done
[ -n "$pkg" ] || die "no linux-source-7.x package found in: $KT_SUITES"

src=$KT_CACHE/src/$pkg-$ver
if [ ! -f "$src/done" ]; then
	rm -rf "$src"
	mkdir -p "$src"
	# shellcheck disable=SC2086
	(cd "$src" && apt-get -qq $apt_opts download "$pkg=$ver" >&2) || die "download of $pkg=$ver failed"
	dpkg -x "$src"/*.deb "$src/x"
	rm -f "$src"/*.deb
	touch "$src/done"
fi
tarball=$(find "$src/x/usr/src" -name 'linux-source-*.tar.xz' | head -n 1)
[ -n "$tarball" ] || die "no source tarball in $pkg=$ver"
echo "$ver $tarball"
