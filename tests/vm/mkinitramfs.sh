#!/bin/sh
# Build the test VM's initramfs: mkinitramfs.sh BZIMAGE OUTPUT EXE...
#
# The base archive holds busybox-static with its applet links, tests/vm/init as /init and
# the executables (kho-agent, kho-inspect, luo-top, ...) in /bin with the shared libraries
# they need (bundle-libs.sh). OUTPUT is that base archive followed by a second one holding
# /boot/bzImage and /boot/initrd.gz (the base again): the kernel unpacks concatenated cpio
# archives in order, and the second boot, started by the agent's kexec, uses the base alone.
set -eu
. "$(dirname "$0")/common.sh"

[ $# -ge 3 ] || { echo "usage: ${0##*/} BZIMAGE OUTPUT EXE..." >&2; exit 2; }
kernel=$1 output=$2
shift 2
[ -f "$kernel" ] || die "$kernel: no such kernel image"
busybox=$(command -v busybox) || die "busybox not found (package busybox-static)"
file -L "$busybox" | grep -q 'statically linked' || die "$busybox is not static (install busybox-static)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" "$root/mnt" \
	"$root/run" "$root/tmp" "$root/boot"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$KT_VM_DIR/init" "$root/init"

"$KT_VM_DIR/bundle-libs.sh" "$root" /bin "$@"
for bin in "$@"; do
	echo "${0##*/}: + ${bin##*/}" >&2
done

newc() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet); }

newc "$root" | gzip -1 >"$tmp/base.cpio.gz"
boot=$tmp/boot
mkdir -p "$boot/boot"
cp "$kernel" "$boot/boot/bzImage"
cp "$tmp/base.cpio.gz" "$boot/boot/initrd.gz"
# Already compressed content: the second archive stays plain newc. The kernel only takes a
# plain archive that starts 4-byte aligned, and skips the zeros that pad it there.
newc "$boot" >"$tmp/boot.cpio"
pad=$(( (4 - $(stat -c %s "$tmp/base.cpio.gz") % 4) % 4 ))
mkdir -p "$(dirname "$output")"
{ cat "$tmp/base.cpio.gz"; head -c "$pad" /dev/zero; cat "$tmp/boot.cpio"; } >"$output.tmp"
mv "$output.tmp" "$output"
