#!/bin/sh
# Download Debian's linux-source-7.x through a private apt configuration kept under the cache
# directory; /etc/apt is only read (for the mirror the system already uses), never changed.
# Prints the path of the extracted source tarball.
set -eu
. "$(dirname "$0")/common.sh"
cache_lock fetch-kernel

apt_dir=$KT_CACHE/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$KT_CACHE/src"

# The Debian mirror the system is configured with (deb822 or one-line format).
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {
	for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
	/etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || die "cannot find the system's Debian mirror in /etc/apt"

list=$apt_dir/sources.list
: >"$list"
for s in $KT_SUITES; do
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main" >>"$list"
done

apt_opts="-o Dir::Etc::SourceList=$list -o Dir::Etc::SourceParts=/dev/null \
-o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache -o Debug::NoLocking=1 \
-o APT::Sandbox::User=root"

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
