# shellcheck shell=dash disable=SC2034 # the settings and apt_opts are for the scripts that source this
# Shared settings and functions for the test-VM scripts (sourced, not run). The host scripts
# source it; so do the guests' /init, stage hook and driver, for the functions "in the guests"
# below: nothing here may need more than busybox sh, and HOME may be unset (in a service).
# A script outside tests/vm sets KT_VM_DIR before sourcing it.
KT_CACHE=${KHO_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME:-}/.cache}/kho-tools}
KT_VM_DIR=${KT_VM_DIR:-$(cd "$(dirname "$0")" && pwd)}
KT_TOP=$(cd "$KT_VM_DIR/../.." && pwd)
# Newest linux-source-7.x first; the exact version keys the cache.
KT_SRC_PKGS="linux-source-7.3 linux-source-7.4 linux-source-7.5"
KT_SUITES="trixie-backports sid"

die() { echo "${0##*/}: $*" >&2; exit 2; }

# Serialize the scripts that fill one cache entry: a second run (another checkout, a helper, CI
# in parallel) waits for the first instead of downloading or building into the same place.
#   cache_lock NAME   holds $KT_CACHE/locks/NAME until the script exits.
cache_lock() {
	mkdir -p "$KT_CACHE/locks"
	exec 9>"$KT_CACHE/locks/$1"
	flock 9
}

# ---- private apt ---------------------------------------------------------------------------
# apt_private DIR SUITE...: an apt configuration of its own under DIR for SUITEs of the Debian
# mirror the system already uses (/etc/apt is only read, never changed, and no mirror is
# written into the repository); sets apt_opts for apt-get and apt-cache. Its status file is
# empty: what the host has installed never pins a candidate. Snapshot mirrors serve Release
# files past their Valid-Until.
apt_private() {
	local dir=$1 mirror s
	shift
	mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {
		for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list 2>/dev/null)
	[ -n "$mirror" ] || die "cannot find the system's Debian mirror in /etc/apt"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	: >"$dir/sources.list"
	for s in "$@"; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main" \
			>>"$dir/sources.list"
	done
	: >"$dir/status"
	apt_opts="-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null \
-o Dir::State::Lists=$dir/lists -o Dir::State::status=$dir/status -o Dir::Cache=$dir/cache \
-o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false"
}

# ---- in the guests -------------------------------------------------------------------------
# copy_tree SRC DEST: debugfs blobs report size 0 to stat, so cp would copy nothing: read each
# file to EOF.
copy_tree() {
	local f n
	mkdir -p "$2"
	for f in "$1"/*; do
		[ -e "$f" ] || continue
		n=${f##*/}
		if [ -d "$f" ]; then
			copy_tree "$f" "$2/$n"
		else
			cat "$f" >"$2/$n" || echo "${0##*/}: cannot read $f" >&2
		fi
	done
}

# fd_links PID FILE: "FD LINK" per open fd of PID.
fd_links() {
	local fd
	: >"$2"
	for fd in /proc/"$1"/fd/*; do
		[ -e "$fd" ] || [ -L "$fd" ] || continue
		echo "${fd##*/} $(readlink "$fd")" >>"$2"
	done
}

# cmdline_arg NAME DEFAULT: the value of NAME=VALUE on the kernel command line, or DEFAULT.
cmdline_arg() {
	local w v=$2
	# shellcheck disable=SC2013 # words, not lines
	for w in $(cat /proc/cmdline); do
		case $w in
		"$1"=*) v=${w#*=} ;;
		esac
	done
	echo "$v"
}

# ---- building the initramfs and booting it -------------------------------------------------
# newc DIR: DIR's tree as a newc archive on stdout, owned by root and sorted for a stable
# archive. "." is left out: it would give the guest's / the mode of our temporary directory.
newc() { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet); }

# kexec_initramfs BASE KERNEL KERNEL_NAME BASE_NAME OUTPUT: BASE (a compressed archive) followed
# by a plain one holding /boot/KERNEL_NAME (KERNEL) and /boot/BASE_NAME (BASE again): the kernel
# unpacks concatenated archives in order, and the second boot, started by kexec, gets BASE
# alone (an initramfs cannot contain itself). A plain archive is only taken at a 4-byte aligned
# offset; the kernel skips the zeros that pad it there.
kexec_initramfs() {
	local base=$1 boot=$5.boot pad
	mkdir -p "$boot/boot"
	cp "$2" "$boot/boot/$3"
	cp "$base" "$boot/boot/$4"
	pad=$(((4 - $(stat -c %s "$base") % 4) % 4))
	mkdir -p "$(dirname "$5")"
	{ cat "$base"; head -c "$pad" /dev/zero; newc "$boot"; } >"$5.tmp"
	rm -rf "$boot"
	mv "$5.tmp" "$5"
}

# vm_outdir DIR: prepares DIR for a run and prints its absolute path. DIR is wiped: only if it
# is new, empty, or one of ours. The mark file also tells the guest the share is ours.
vm_outdir() {
	if [ -d "$1" ] && [ -n "$(ls -A "$1")" ] && [ ! -f "$1/.kt-vm-out" ]; then
		die "$1 is not empty and not a previous run's output; refusing to wipe it"
	fi
	mkdir -p "$1"
	find "$1" -mindepth 1 -delete
	touch "$1/.kt-vm-out"
	(cd "$1" && pwd)
}

# vm_kernel: the test kernel's directory (KT_KERNEL_DIR, or build-kernel.sh's cache entry,
# built on first use), printed once it holds a bzImage.
vm_kernel() {
	local kdir
	kdir=${KT_KERNEL_DIR:-$("$KT_VM_DIR/build-kernel.sh")}
	[ -f "$kdir/bzImage" ] || die "$kdir/bzImage missing"
	echo "$kdir"
}

# vm_tools TARGET...: builds the tools the VM carries when KT_BIN is this tree's build/ (an
# explicit KT_BIN is used as it is).
vm_tools() {
	[ "$KT_BIN" != "$KT_TOP/build" ] || make -s -C "$KT_TOP" "$@" >&2 || die "cannot build the tools"
}

# vm_info OUT KDIR: starts OUT/vm.info with the kernel; the caller adds its own lines and
# vm_boot the QEMU command.
vm_info() {
	{
		echo "kernel_dir=$2"
		echo "kernel_version=$(cat "$2/version" 2>/dev/null || echo unknown)"
		echo "kernel_config_sha256=$(sha256sum "$2/config" | cut -d' ' -f1)"
	} >"$1/vm.info"
}

# vm_boot OUT KDIR INITRD APPEND: boots KDIR's bzImage with INITRD under QEMU, OUT shared with
# the guest as 9p tag kt; KT_MEM, KT_SMP, and KT_TIMEOUT seconds at most. The command line is
# KHO and LUO on, the test module's reserve_mem area, and APPEND; a panic ends QEMU at once
# (panic=-1 with -no-reboot). The serial console goes to OUT/console.log, QEMU's wall time to
# OUT/timing. Sets vm_start and vm_end (epoch seconds) and vm_rc (QEMU's exit status, 124 on a
# timeout).
vm_boot() {
	local out=$1
	# KVM is unreliable on these hosts: TCG only, always under a timeout.
	set -- qemu-system-x86_64 -accel tcg -cpu max -m "$KT_MEM" -smp "$KT_SMP" -nographic \
		-no-reboot -kernel "$2/bzImage" -initrd "$3" \
		-append "console=ttyS0 kho=on liveupdate=on panic=-1 reserve_mem=2M:4096:kt_mem $4" \
		-virtfs "local,path=$out,mount_tag=kt,security_model=none"
	echo "qemu=$*" >>"$out/vm.info"
	vm_start=$(date +%s.%N)
	vm_rc=0
	timeout -k 10 "$KT_TIMEOUT" "$@" </dev/null >"$out/console.log" 2>&1 || vm_rc=$?
	vm_end=$(date +%s.%N)
	echo "$vm_start $vm_end" | awk '{ printf "%.1f\n", $2 - $1 }' >"$out/timing"
}

# vm_verdict OUT: the guest's verdict is the last line of OUT/result. PASS: says so; anything
# else: says what with the console's tail, and exits 1.
vm_verdict() {
	local verdict
	verdict=$(tail -n 1 "$1/result" 2>/dev/null || true)
	if [ "$verdict" != PASS ]; then
		echo "${0##*/}: the VM did not pass (qemu exit $vm_rc$([ "$vm_rc" = 124 ] &&
			echo ", timed out after ${KT_TIMEOUT}s"); result: ${verdict:-none})" >&2
		echo "${0##*/}: last lines of $1/console.log:" >&2
		tail -n 40 "$1/console.log" >&2
		exit 1
	fi
	echo "${0##*/}: PASS in $(cat "$1/timing") s; output in $1" >&2
}
