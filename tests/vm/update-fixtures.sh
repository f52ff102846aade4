#!/bin/sh
# Refresh the real-kernel fixtures from a passed run-cycle output:
#   update-fixtures.sh OUTDIR DEST        (make fixtures: build/vm/cycle -> tests/fixtures/linux-7.3)
# DEST/<stage>/ becomes a copy of that stage's /sys/kernel/debug/kho (out/, and in/ after the
# kexec), for the stages boot, sessions, kexec and finished; DEST/README says where they came from.
set -eu
. "$(dirname "$0")/common.sh"

[ $# -eq 2 ] || { echo "usage: ${0##*/} OUTDIR DEST" >&2; exit 2; }
src=$1 dest=$2
stages="boot sessions kexec finished"

[ "$(tail -n 1 "$src/result" 2>/dev/null)" = PASS ] ||
	die "$src: not a passed run-cycle output (see $src/result)"
for s in $stages; do
	[ -d "$src/$s/kho" ] || die "$src/$s/kho missing"
done

mkdir -p "$dest"
for s in $stages; do
	rm -rf "${dest:?}/$s"
	cp -r "$src/$s/kho" "$dest/$s"
done
# Snapshots kho-inspect saved in the VM at each stage: they also carry the LUO state and the
# physical pages the pointer-following views read, so those views work offline.
rm -rf "${dest:?}/saved"
mkdir -p "$dest/saved"
for s in $stages; do
	[ ! -f "$src/$s/snapshot.tar" ] || cp "$src/$s/snapshot.tar" "$dest/saved/$s.tar"
done

info() { sed -n "s/^$1=//p" "$src/vm.info"; }
be32() { od -A n --endian=big -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
luo=$dest/kexec/in/sub_fdts/LUO
if [ "$(head -c 6 "$luo" 2>/dev/null)" = luo-v5 ]; then
	luo_state="valid (compatible luo-v5) in this capture"
else
	luo_state="NOT valid in this capture (stale memory, see test-kernel.md)"
fi

{
	cat <<EOF
# Real KHO/LUO debugfs trees from Linux $(info kernel_version)

Each directory is a copy of \`/sys/kernel/debug/kho\` taken in the test VM (every file read to
EOF: debugfs reports size 0) at one stage of a live-update cycle:

- \`boot\`: cold boot, no \`in/\`.
- \`sessions\`: the agent holds its LUO sessions and memfds, before the kexec.
- \`kexec\`: the second kernel, before any retrieve (\`in/\` and \`out/\`).
- \`finished\`: after every session was retrieved, verified byte-exact and FINISHed.
- \`saved/<stage>.tar\`: \`kho-inspect save\` run live in the VM at the same stages: the same
  blobs plus the LUO state (sessions, owners, files) and the physical pages the views read, so
  \`sessions\`, \`handlers\`, \`global\` and \`mem\` work offline on them.
- \`kexec-stale-luo\` (not refreshed by this script): the \`kexec\` stage of an earlier run whose
  \`in/sub_fdts/LUO\` was stale (LUO frees the incoming luo_ser early in boot and debugfs keeps
  showing that memory; in 7 of 11 runs it was not valid). Decoders must report it as stale.

Kernel: $(info kernel_version), config sha256 $(info kernel_config_sha256)
(tests/vm/kernel.config on top of the liveupdate selftest config).
Layout: $(info layout) (see tests/vm/agent.c for names, tokens and contents).
Command line: $(sed -n 1p "$src/boot/cmdline")

Facts of this capture:
- \`boot/out/fdt\`: $(wc -c <"$dest/boot/out/fdt") bytes readable, header totalsize $(be32 "$dest/boot/out/fdt" 4)
  (the debugfs blob keeps the size the FDT had when registered).
- \`kexec/in/fdt\`: $(wc -c <"$dest/kexec/in/fdt") bytes, header totalsize $(be32 "$dest/kexec/in/fdt" 4).
- \`kexec/in/sub_fdts/LUO\`: $luo_state.

Refresh (needs the test kernel, QEMU and busybox-static; about 10 s under TCG once the kernel is built):

    make fixtures
    # or: tests/vm/run-cycle.sh build/vm/cycle && tests/vm/update-fixtures.sh build/vm/cycle $dest

Files (bytes):

EOF
	# shellcheck disable=SC2086 # $stages is a list
	(cd "$dest" && find $stages -type f | LC_ALL=C sort | while read -r f; do
		printf '    %-40s %s\n' "$f" "$(wc -c <"$f")"
	done)
} >"$dest/README.md"
echo "update-fixtures: $dest refreshed from $src" >&2
# The 7.4 layout is derived from these captures: keep it in step.
"$(dirname "$0")/../fixtures/derive-7.4.sh"
