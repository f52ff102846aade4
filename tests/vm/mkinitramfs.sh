#!/bin/sh
# Build the test VM's initramfs: mkinitramfs.sh BZIMAGE OUTPUT EXE...
#
# The base archive holds busybox-static with its applet links, tests/vm/init as /init (with
# common.sh, which it sources, as /lib/kt/common.sh) and the executables (kho-agent,
# kho-inspect, luo-top, ...) in /bin with the shared libraries they need (bundle-libs.sh).
# OUTPUT is that base archive followed by a second one holding /boot/bzImage and
# /boot/initrd.gz (kexec_initramfs in common.sh), for the agent's kexec.
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
install -D -m 0644 "$KT_VM_DIR/common.sh" "$root/lib/kt/common.sh"

"$KT_VM_DIR/bundle-libs.sh" "$root" /bin "$@"
for bin in "$@"; do
	echo "${0##*/}: + ${bin##*/}" >&2
done

newc "$root" | gzip -1 >"$tmp/base.cpio.gz"
kexec_initramfs "$tmp/base.cpio.gz" "$kernel" bzImage initrd.gz "$output"
