#!/bin/sh
# Build kho-inspect and show the handover state: this machine's live KHO state when it has
# one, else the bundled real snapshot kho-inspect saved in the Linux 7.3 test VM after a kexec.
# Arguments go to kho-inspect (default: show).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
make -s
if [ -d /sys/kernel/debug/kho ] && ./build/kho-inspect status >/dev/null 2>&1; then
	echo "kho-inspect: this machine's live KHO state (/sys/kernel/debug/kho)"
	exec ./build/kho-inspect "$@"
fi
snap=tests/fixtures/linux-7.3/saved/kexec.tar
echo "kho-inspect: no live KHO here; showing the bundled real snapshot $snap"
echo "(saved in the Linux 7.3 test VM after one kexec, LUO sessions not yet retrieved;"
echo " try also: $0 sessions | global | mem | status)"
echo
exec ./build/kho-inspect --root "$snap" "$@"
