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
KT_SD_DIR=$(cd "$(dirname "$0")/systemd" && pwd)
. "$KT_SD_DIR/lib.sh"

[ $# -eq 1 ] || { echo "usage: ${0##*/} OUTDIR" >&2; exit 2; }
out=$1
# The root is a tmpfs of half the memory KHO's scratch areas leave free: at 2G that is about
# 210 MB, less than the Debian root, the tools and the kexec payload unpack to.
: "${KT_MEM:=3G}" "${KT_SMP:=2}" "${KT_TIMEOUT:=900}" "${KT_SD_LOG_LEVEL:=info}"
: "${KT_BIN:=$KT_TOP/build}"

# OUTDIR is wiped before the run: only if it is new, empty, or one of ours.
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/.kt-vm-out" ]; then
	die "$out is not empty and not a previous run output; refusing to wipe it"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
find "$out" -mindepth 1 -delete
# Also tells the guest's services that the share is there.
touch "$out/.kt-vm-out"

kdir=${KT_KERNEL_DIR:-$("$KT_VM_DIR/build-kernel.sh")}
[ -f "$kdir/bzImage" ] || die "$kdir/bzImage missing"
grep -qx 'CONFIG_CGROUPS=y' "$kdir/config" || die "$kdir: no CONFIG_CGROUPS, systemd cannot be PID 1"
rootfs=$("$KT_SD_DIR/mkrootfs.sh")
if [ "$KT_BIN" = "$KT_TOP/build" ]; then
	make -s -C "$KT_TOP" >&2 || die "cannot build the tools"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# ---- the second archive: our files on top of the cached Debian root ----
ov=$tmp/overlay
lib=$ov/usr/local/lib/kt
sys=$ov/etc/systemd/system
mkdir -p "$lib" "$sys/multi-user.target.wants"
for t in fdstore-test luosession-test; do
	cc -static -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -I"$KT_TOP/lib" \
		-o "$lib/$t" "$KT_SD_DIR/$t.c" || die "cannot build $t"
done
install -m 0755 "$KT_SD_DIR/init" "$ov/init"
install -m 0755 "$KT_SD_DIR/stage.sh" "$KT_SD_DIR/driver.sh" "$lib/"
for u in "$KT_SD_DIR"/units/*.service; do
	install -m 0644 "$u" "$sys/"
	ln -s "../${u##*/}" "$sys/multi-user.target.wants/${u##*/}"
done
"$KT_SD_DIR/bundle-tools.sh" "$KT_BIN" "$ov"
# The D-Bus helper links the host's libsystemd, as the tools will: bundled the same way.
mkdir -p "$tmp/helpers"
cc -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -o "$tmp/helpers/kt-fdstore-dump" \
	"$KT_SD_DIR/fdstore-dump.c" -lsystemd || die "cannot build kt-fdstore-dump (libsystemd-dev)"
"$KT_SD_DIR/bundle-tools.sh" "$tmp/helpers" "$ov"

# newc, owned by root; "." left out so that / keeps the Debian root's mode.
newc() { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet); }
newc "$ov" | zstd -q -T0 -3 >"$tmp/overlay.cpio.zst"
# The kernel unpacks concatenated archives in order: the root, then ours on top. This pair
# is also what the second boot gets (/boot/initrd.img).
cat "$rootfs/rootfs.cpio.zst" "$tmp/overlay.cpio.zst" >"$tmp/initrd.img"
# The initramfs cannot contain itself: a third, plain archive carries the kernel and the
# pair above for kexec. The kernel takes a plain archive only at a 4-byte aligned offset.
mkdir -p "$tmp/boot/boot"
cp "$kdir/bzImage" "$tmp/boot/boot/vmlinuz"
cp "$tmp/initrd.img" "$tmp/boot/boot/initrd.img"
newc "$tmp/boot" >"$tmp/boot.cpio"
pad=$(( (4 - $(stat -c %s "$tmp/initrd.img") % 4) % 4 ))
{ cat "$tmp/initrd.img"; head -c "$pad" /dev/zero; cat "$tmp/boot.cpio"; } >"$tmp/initramfs"

# printk.time: the kernels' own timestamps show where the time between the two boots goes.
append="console=ttyS0 kho=on liveupdate=on panic=-1 reserve_mem=2M:4096:kt_mem printk.time=1"
append="$append systemd.log_target=console systemd.log_level=$KT_SD_LOG_LEVEL systemd.show_status=1"

# KVM is unreliable on these hosts: TCG only, always under a timeout.
set -- qemu-system-x86_64 -accel tcg -cpu max -m "$KT_MEM" -smp "$KT_SMP" -nographic -no-reboot \
	-kernel "$kdir/bzImage" -initrd "$tmp/initramfs" -append "$append" \
	-virtfs "local,path=$out,mount_tag=kt,security_model=none"

{
	echo "kernel_dir=$kdir"
	echo "kernel_version=$(cat "$kdir/version" 2>/dev/null || echo unknown)"
	echo "kernel_config_sha256=$(sha256sum "$kdir/config" | cut -d' ' -f1)"
	echo "rootfs_dir=$rootfs"
	echo "systemd_version=$(cat "$rootfs/systemd-version")"
	echo "tools_bin=$KT_BIN"
	echo "initramfs_bytes=$(stat -c %s "$tmp/initramfs") (second boot: $(stat -c %s "$tmp/initrd.img"))"
	echo "qemu=$*"
} >"$out/vm.info"

echo "run-systemd: booting (systemd $(cat "$rootfs/systemd-version"), timeout ${KT_TIMEOUT}s)" >&2
start=$(date +%s.%N)
rc=0
timeout -k 10 "$KT_TIMEOUT" "$@" </dev/null >"$out/console.log" 2>&1 || rc=$?
end=$(date +%s.%N)
echo "$start $end" | awk '{ printf "%.1f\n", $2 - $1 }' >"$out/timing"

# Guest wall-clock stamps (the RTC, read again by the second kernel) against ours. The
# second kernel started at early's date minus its uptime; from the kexec request to there
# goes the shutdown, the handover and the decompression of the next kernel.
stamp() { cut -d' ' -f"${2:-1}" "$out/$1" 2>/dev/null || echo; }
{
	echo "$start $(stamp before/date) $(stamp kexec-start) $(stamp early/date) $(stamp early/uptime)" \
		"$(stamp after/date) $end" | awk '{
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

verdict=$(tail -n 1 "$out/result" 2>/dev/null || true)
if [ "$verdict" != PASS ]; then
	echo "run-systemd: the scenario did not pass (qemu exit $rc$([ "$rc" = 124 ] &&
		echo ", timed out after ${KT_TIMEOUT}s"); result: ${verdict:-none})" >&2
	echo "run-systemd: last lines of $out/console.log:" >&2
	tail -n 40 "$out/console.log" >&2
	exit 1
fi
echo "run-systemd: PASS in $(cat "$out/timing") s; output in $out" >&2
