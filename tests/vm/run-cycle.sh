#!/bin/sh
# Boot the test kernel under QEMU (TCG) and run one live-update cycle:
#   run-cycle.sh [--scale] OUTDIR
# Stages captured by the guest into OUTDIR (the 9p share), each with kho/ (a copy of
# /sys/kernel/debug/kho), cmdline, uname, uptime, iomem, dmesg and kho-inspect.{json,err,rc,seconds}
# when the tool is in the initramfs:
#   boot       cold boot
#   sessions   the agent holds its sessions (+ agent.log, agent-fds, agent-fds.ls)
#   kexec      second kernel, before any retrieve
#   retrieved  every memfd retrieved and verified, before FINISH (+ agent-fds)
#   finished   after FINISH (+ agent.log with the SUMMARY line, agent.rc)
# Also OUTDIR/console.log (serial console), OUTDIR/timing (seconds from QEMU start to its
# exit), OUTDIR/result (guest verdict), OUTDIR/vm.info (kernel, layout, QEMU command).
#
# Layout (environment; see agent.c): KT_SESSIONS (4), KT_FILES (2), KT_SIZE (4M), KT_EMPTY (1:
# the last session holds no memfd), KT_WIDE (0: session 0 holds KT_WIDE memfds), KT_BIG (0:
# size of session 0's first memfd), KT_SKIP_TOKEN (unset: a token the agent does not retrieve, so
# FINISH meets an unretrieved file), KT_CHURN (0: N sessions replaced continuously while luo-top
# and kho-inspect read, before the kexec; see init). VM: KT_MEM (2G), KT_SMP (2), KT_TIMEOUT (300 s).
# --scale: 1000 sessions in a 4 GiB VM: session 0 holds 256 memfds, the first of 1 GiB; the
# last 100 hold none; every other one holds one of 64 KiB (about 30 s on an idle 2-core host);
# and the churn test with 8 sessions replaced at a time.
# KT_KERNEL_DIR skips build-kernel.sh; KT_BIN (build) holds the tools and kho-agent.
# Exit status: 0 the cycle passed, 1 it did not (the console tail says where), 2 setup error.
set -eu
. "$(dirname "$0")/common.sh"

if [ "${1:-}" = --scale ]; then
	shift
	: "${KT_SESSIONS:=1000}" "${KT_FILES:=1}" "${KT_SIZE:=64K}" "${KT_EMPTY:=100}"
	: "${KT_WIDE:=256}" "${KT_BIG:=1G}" "${KT_MEM:=4G}" "${KT_TIMEOUT:=1800}" "${KT_CHURN:=8}"
fi
[ $# -eq 1 ] || { echo "usage: ${0##*/} [--scale] OUTDIR" >&2; exit 2; }
out=$1
: "${KT_SESSIONS:=4}" "${KT_FILES:=2}" "${KT_SIZE:=4M}" "${KT_EMPTY:=1}" "${KT_WIDE:=0}"
: "${KT_BIG:=0}" "${KT_MEM:=2G}" "${KT_SMP:=2}" "${KT_TIMEOUT:=300}" "${KT_CHURN:=0}"
: "${KT_BIN:=$KT_TOP/build}"

out=$(vm_outdir "$out")
kdir=$(vm_kernel)
vm_tools build/kho-agent build/kho-inspect build/luo-top

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
bins=""
for b in kho-agent kho-inspect luo-top; do
	[ -x "$KT_BIN/$b" ] && bins="$bins $KT_BIN/$b"
done
# shellcheck disable=SC2086
"$KT_VM_DIR/mkinitramfs.sh" "$kdir/bzImage" "$tmp/initramfs.cpio.gz" $bins

append="kt.sessions=$KT_SESSIONS kt.files=$KT_FILES kt.size=$KT_SIZE kt.empty=$KT_EMPTY"
append="$append kt.wide=$KT_WIDE kt.big=$KT_BIG kt.churn=$KT_CHURN${KT_SKIP_TOKEN:+ kt.skip=$KT_SKIP_TOKEN}"

vm_info "$out" "$kdir"
echo "layout=sessions=$KT_SESSIONS files=$KT_FILES size=$KT_SIZE empty=$KT_EMPTY wide=$KT_WIDE big=$KT_BIG" \
	>>"$out/vm.info"
echo "run-cycle: booting ($KT_SESSIONS sessions, $KT_FILES x $KT_SIZE files, timeout ${KT_TIMEOUT}s)" >&2
vm_boot "$out" "$kdir" "$tmp/initramfs.cpio.gz" "$append"
vm_verdict "$out"
