#!/bin/sh
# Build kho-inspect and show the handover state: this machine's live KHO state when it has
# one, else the bundled real snapshot captured from the Linux 7.3 test VM after a kexec.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
make -s
if [ -d /sys/kernel/debug/kho ] && ./build/kho-inspect status >/dev/null 2>&1; then
	echo "kho-inspect: this machine's live KHO state (/sys/kernel/debug/kho)"
	exec ./build/kho-inspect "$@"
fi
snap=tests/fixtures/linux-7.3/kexec
echo "kho-inspect: no live KHO here; showing the bundled real snapshot $snap"
echo "(Linux 7.3 test VM, after one kexec with LUO sessions preserved)"
echo
exec ./build/kho-inspect --root "$snap" "$@"
