#!/bin/sh
# Build the KHO+LUO test kernel, cached outside the repo under a key made of the exact source
# version and the hash of kernel.config (and of this script). Prints the cache directory, which
# holds bzImage, vmlinux (for BTF) and config.
set -eu
. "$(dirname "$0")/common.sh"
cache_lock build-kernel

set -- $("$KT_VM_DIR/fetch-kernel.sh")
ver=$1 tarball=$2
hash=$(cat "$KT_VM_DIR/kernel.config" "$KT_VM_DIR/build-kernel.sh" | sha256sum | cut -c1-12)
out=$KT_CACHE/kernel/$ver-$hash
if [ -f "$out/bzImage" ]; then
	echo "$out"
	exit 0
fi

work=$KT_CACHE/build/$ver
if [ ! -f "$work/.extracted" ]; then
	rm -rf "$work"
	mkdir -p "$work"
	echo "build-kernel: extracting $tarball" >&2
	tar -xJf "$tarball" -C "$work" --strip-components=1
	touch "$work/.extracted"
fi

st=$work/tools/testing/selftests/liveupdate
cat "$st/config" "$st/config.x86_64" "$KT_VM_DIR/kernel.config" >"$work/.config" 2>/dev/null ||
	cat "$KT_VM_DIR/kernel.config" >"$work/.config"
jobs=$(nproc)
echo "build-kernel: building $ver ($hash) with -j$jobs" >&2
make -s -C "$work" olddefconfig >&2
# Every option we asked for must have survived olddefconfig.
grep '^CONFIG_.*=y$' "$KT_VM_DIR/kernel.config" | while read -r opt; do
	grep -qx "$opt" "$work/.config" || die "$opt did not survive olddefconfig"
done
make -s -C "$work" -j"$jobs" bzImage >&2 || die "kernel build failed (see $work)"

mkdir -p "$out.tmp"
cp "$work/arch/x86/boot/bzImage" "$work/vmlinux" "$out.tmp/"
cp "$work/.config" "$out.tmp/config"
echo "$ver" >"$out.tmp/version"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
