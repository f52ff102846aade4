#!/bin/sh
# Build the Debian sid root filesystem of the systemd scenario (systemd >= 262 as PID 1,
# kexec-tools, udev), configured to boot as an initramfs. Cached as a zstd-compressed newc
# cpio under $KT_CACHE/rootfs/<key>/, key = hash of this script (which names the packages and
# the suite).
# Prints that directory, which holds:
#   rootfs.cpio.zst   the root filesystem (owner 0:0 where Debian has it so)
#   systemd-version   the exact systemd package version inside
#   packages          every installed package and version (dpkg-query)
#   build-seconds     how long the cold build took
# Test files (units, helpers, tools, /init) are not in it: run-systemd.sh appends them as a
# second archive, so that editing them does not rebuild this.
set -eu
KT_VM_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$KT_VM_DIR/common.sh"
cache_lock mkrootfs

# dbus is left out on purpose: systemctl and busctl as root reach PID 1 on
# /run/systemd/private without a bus daemon.
PKGS="systemd systemd-sysv udev kexec-tools mount procps util-linux"
MIN_SYSTEMD=262
SUITE=sid

key=$(sha256sum "$0" | cut -c1-12)
out=$KT_CACHE/rootfs/$key
if [ -f "$out/rootfs.cpio.zst" ]; then
	echo "$out"
	exit 0
fi
command -v mmdebstrap >/dev/null || die "mmdebstrap missing (scripts/install-deps.sh)"
command -v zstd >/dev/null || die "zstd missing (scripts/install-deps.sh)"
[ "$(id -u)" -eq 0 ] || die "mmdebstrap's root mode needs root"
start=$(date +%s)

# The version check goes through a private apt configuration; mmdebstrap gets its sources.list
# and keeps its own configuration inside the new root.
apt_dir=$KT_CACHE/rootfs/apt
apt_private "$apt_dir" "$SUITE"
# shellcheck disable=SC2086
apt-get -qq $apt_opts update >&2 || die "apt-get update (private config, $SUITE) failed"
# shellcheck disable=SC2086
cand=$(apt-cache $apt_opts policy systemd | sed -n 's/^  Candidate: //p')
if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
	die "no systemd in $SUITE"
fi
dpkg --compare-versions "$cand" ge "$MIN_SYSTEMD" ||
	die "$SUITE has systemd $cand; this scenario needs >= $MIN_SYSTEMD (LUOSession=)"
echo "mkrootfs: $SUITE has systemd $cand" >&2

tmp=$(mktemp -d "$KT_CACHE/rootfs/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root

# Documentation and translations are dead weight in an initramfs that is unpacked on
# every boot (twice per run).
echo "mkrootfs: mmdebstrap $SUITE ($PKGS)" >&2
mmdebstrap --quiet --mode=root --variant=minbase --include="$(echo "$PKGS" | tr ' ' ,)" \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/share/lintian/*' \
	"$SUITE" "$root" "$apt_dir/sources.list" >&2 ||
	die "mmdebstrap failed"

ver=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Version}' systemd)
dpkg --compare-versions "$ver" ge "$MIN_SYSTEMD" || die "installed systemd $ver < $MIN_SYSTEMD"

# ---- configuration for booting as an initramfs ----
# Without /etc/initrd-release systemd runs as the real system, not as an initrd that would
# look for a root to switch to.
rm -f "$root/etc/initrd-release"
# A fixed machine id: no first-boot logic, and stable unit state from run to run.
echo 6b74737973647465737400000000a001 >"$root/etc/machine-id"
echo kt-sysd >"$root/etc/hostname"
: >"$root/etc/fstab"
ln -sf /usr/lib/systemd/system/multi-user.target "$root/etc/systemd/system/default.target"
mask() { ln -sf /dev/null "$root/etc/systemd/system/$1"; }
# No one logs in: no first-boot questions, no getty on the serial console (the console
# belongs to the logs the host reads).
mask systemd-firstboot.service
mask serial-getty@.service
mask getty.target
# Periodic jobs (apt, dpkg backups, fstrim, tmpfiles cleaning) have nothing to do in a VM
# that lives two minutes, and only add noise under TCG.
mask timers.target
# /usr always looks newer than /etc in a fresh image: these would rebuild the hwdb and the
# ld cache on every boot, which is slow under TCG and irrelevant here.
mask systemd-hwdb-update.service
mask ldconfig.service
mask systemd-update-done.service
mkdir -p "$root/mnt" "$root/boot" "$root/usr/local/lib/kt" "$root/opt/kho-tools"

dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Package} ${Version}\n' >"$tmp/packages"
du -sm "$root" | cut -f1 >"$tmp/size-mb"
# newc as root keeps Debian's owners; sorted for a stable archive.
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | zstd -q -T0 -12 \
	>"$tmp/rootfs.cpio.zst"

mkdir -p "$out.tmp"
mv "$tmp/rootfs.cpio.zst" "$tmp/packages" "$tmp/size-mb" "$out.tmp/"
echo "$ver" >"$out.tmp/systemd-version"
echo $(($(date +%s) - start)) >"$out.tmp/build-seconds"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "mkrootfs: systemd $ver, $(cat "$out/size-mb") MB, $(du -m "$out/rootfs.cpio.zst" | cut -f1) MB" \
	"compressed, $(cat "$out/build-seconds") s" >&2
echo "$out"
