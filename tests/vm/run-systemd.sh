#!/bin/sh
# Boot the systemd scenario under QEMU (TCG): systemd >= 262 (Debian sid) is PID 1 on the
# test kernel, two services keep state across a real `systemctl kexec` (an fd store
# preserved by systemd through LUO, and a LUOSession= session), and the tools run at each
# stage:
#   run-systemd.sh OUTDIR
# OUTDIR (the 9p share) gets, from the guest: before/, early/, after/ (see
# systemd/stage.sh), services/ (the services' own results, per phase), manifest.json,
# kexec-load.out, kexec-start, result ("PASS" or "FAIL <reason>" last); from this script:
# console.log (serial console), timing (seconds from QEMU start to its exit), timings
# (boot to "before", kexec to the second kernel, to "early" and to "after", total; guest
# uptimes), vm.info.
# Environment: KT_BIN (build: the dynamically linked tools to bundle, built here when it is
# the default), KT_KERNEL_DIR (skips build-kernel.sh), KT_MEM (3G), KT_SMP (2), KT_TIMEOUT
# (900 s), KT_SD_LOG_LEVEL (systemd's log level on the console: info).
# Exit status: 0 PASS, 1 the scenario failed (the console tail says where), 2 setup error.
set -eu
. "$(dirname "$0")/common.sh"
KT_SD_DIR=$KT_VM_DIR/systemd

[ $# -eq 1 ] || { echo "usage: ${0##*/} OUTDIR" >&2; exit 2; }
# The root is a tmpfs of half the memory KHO's scratch areas leave free: at 2G that is about
# 210 MB, less than the Debian root, the tools and the kexec payload unpack to.
: "${KT_MEM:=3G}" "${KT_SMP:=2}" "${KT_TIMEOUT:=900}" "${KT_SD_LOG_LEVEL:=info}"
: "${KT_BIN:=$KT_TOP/build}"

out=$(vm_outdir "$1")
kdir=$(vm_kernel)
grep -qx 'CONFIG_CGROUPS=y' "$kdir/config" || die "$kdir: no CONFIG_CGROUPS, systemd cannot be PID 1"
rootfs=$("$KT_SD_DIR/mkrootfs.sh")
vm_tools build/kho-inspect

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# ---- the second archive: our files on top of the cached Debian root ----
ov=$tmp/overlay
lib=$ov/usr/local/lib/kt
sys=$ov/etc/systemd/system
mkdir -p "$lib" "$sys/multi-user.target.wants"
# The services are static (the guest's glibc is not ours) and print their messages as the
# tools do (lib/base/util.c).
for t in fdstore-test luosession-test; do
	cc -static -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -I"$KT_TOP/lib" -o "$lib/$t" \
		"$KT_SD_DIR/$t.c" "$KT_TOP/lib/base/util.c" "$KT_TOP/lib/base/alloc.c" ||
		die "cannot build $t"
done
# fdstore-volatile and fdstore-drop run fdstore-test under their own names (their results are
# named so).
ln -s fdstore-test "$lib/fdstore-volatile"
ln -s fdstore-test "$lib/fdstore-drop"
install -m 0755 "$KT_SD_DIR/init" "$ov/init"
install -m 0755 "$KT_SD_DIR/stage.sh" "$KT_SD_DIR/driver.sh" "$lib/"
# copy_tree and fd_links for the stage hook.
install -m 0644 "$KT_VM_DIR/common.sh" "$lib/"
for u in "$KT_SD_DIR"/units/*.service; do
	install -m 0644 "$u" "$sys/"
	ln -s "../${u##*/}" "$sys/multi-user.target.wants/${u##*/}"
done
# The D-Bus helper links the host's libsystemd; it goes with the tools, on the host's loader.
cc -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -o "$tmp/kt-fdstore-dump" \
	"$KT_SD_DIR/fdstore-dump.c" -lsystemd || die "cannot build kt-fdstore-dump (libsystemd-dev)"
"$KT_VM_DIR/bundle-libs.sh" --wrap /opt/kho-tools "$ov" /usr/local/sbin "$KT_BIN/kho-inspect" \
	"$tmp/kt-fdstore-dump"

newc "$ov" | zstd -q -T0 -3 >"$tmp/overlay.cpio.zst"
# The kernel unpacks concatenated archives in order: the root, then ours on top. This pair
# is what the second boot gets, and the first one with the kernel for kexec.
cat "$rootfs/rootfs.cpio.zst" "$tmp/overlay.cpio.zst" >"$tmp/initrd.img"
kexec_initramfs "$tmp/initrd.img" "$kdir/bzImage" vmlinuz initrd.img "$tmp/initramfs"

# printk.time: the kernels' own timestamps show where the time between the two boots goes.
append="printk.time=1 systemd.log_target=console systemd.log_level=$KT_SD_LOG_LEVEL"
append="$append systemd.show_status=1"

vm_info "$out" "$kdir"
{
	echo "rootfs_dir=$rootfs"
	echo "systemd_version=$(cat "$rootfs/systemd-version")"
	echo "tools_bin=$KT_BIN"
	echo "initramfs_bytes=$(stat -c %s "$tmp/initramfs") (second boot: $(stat -c %s "$tmp/initrd.img"))"
} >>"$out/vm.info"
echo "run-systemd: booting (systemd $(cat "$rootfs/systemd-version"), timeout ${KT_TIMEOUT}s)" >&2
vm_boot "$out" "$kdir" "$tmp/initramfs" "$append"

# Guest wall-clock stamps (the RTC, read again by the second kernel) against ours. The
# second kernel started at early's date minus its uptime; from the kexec request to there
# goes the shutdown, the handover and the decompression of the next kernel.
stamp() { cut -d' ' -f"${2:-1}" "$out/$1" 2>/dev/null || echo; }
{
	echo "$vm_start $(stamp before/date) $(stamp kexec-start) $(stamp early/date) $(stamp early/uptime)" \
		"$(stamp after/date) $vm_end" | awk '{
		printf "total %.1f\n", $NF - $1
		if (NF == 7) {
			printf "boot_to_before %.1f\n", $2 - $1
			printf "before_to_kexec %.1f\n", $3 - $2
			printf "kexec_to_second_kernel %.1f\n", $4 - $5 - $3
			printf "kexec_to_early %.1f\n", $4 - $3
			printf "kexec_to_after %.1f\n", $6 - $3
			printf "after_to_exit %.1f\n", $7 - $6
		} }'
	if [ -f "$out/kexec-start" ]; then
		echo "uptime_at_kexec $(stamp kexec-start 2)"
	fi
	for s in before early after; do
		if [ -f "$out/$s/uptime" ]; then
			echo "uptime_at_$s $(stamp "$s/uptime")"
		fi
	done
} >"$out/timings"

vm_verdict "$out"
