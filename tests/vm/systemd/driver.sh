#!/bin/sh
# shellcheck shell=dash
# kt-driver.service, run once both test services are up.
#   first boot (no kt.stage=2): load the same kernel and initramfs with kexec-tools' file
#     loader (kexec -s: the one that hands KHO over), this command line plus kt.stage=2;
#     capture "before"; have fdstore-drop empty its store, capture "dropped"; systemctl kexec.
#   second boot: capture "after", judge the services' own results, power off.
# /mnt/result gets "stage1 OK", then "PASS" or "FAIL <reason>" as its last line: what
# run-systemd.sh checks. /mnt/kexec-start holds the wall-clock time and the uptime of the
# kexec request.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# cmdline_arg (run-systemd.sh puts common.sh beside this script).
. "$(dirname "$0")/common.sh"
hook=/usr/local/lib/kt/stage.sh
say() { echo "kt-driver: $*"; }
note() {
	echo "$*" >>/mnt/result
	sync
}
fail() {
	say "FAIL: $*"
	note "FAIL $*"
	systemctl --no-block poweroff
	exit 1
}

stage=$(cmdline_arg kt.stage 1)

# judge: PASS only when each service saw all of its memfds back, byte for byte. evt is an
# eventfd, which no LUO file handler takes: systemd-shutdown logs it as lost, and the
# service must report it MISSING (not BAD).
judge() {
	local fs=/run/kt/fdstore-test.result ls=/run/kt/luosession-test.result
	[ -f "$fs" ] || fail "fdstore-test wrote no result"
	[ -f "$ls" ] || fail "luosession-test wrote no result"
	grep -q '^summary ok=' "$fs" || fail "fdstore-test did not check (no LISTEN_FDS?): $(tail -n 1 "$fs")"
	grep -q '^mem1 65536 OK ' "$fs" || fail "fdstore-test mem1: $(grep '^mem1 ' "$fs")"
	grep -q '^mem2 1048576 OK ' "$fs" || fail "fdstore-test mem2: $(grep '^mem2 ' "$fs")"
	grep -q '^evt - MISSING' "$fs" || fail "fdstore-test evt: $(grep '^evt ' "$fs")"
	! grep -q ' BAD' "$fs" || fail "fdstore-test: $(grep ' BAD' "$fs" | head -n 1)"
	grep -q '^memfd token=.* 262144 OK ' "$ls" || fail "luosession-test: $(grep '^memfd\|BAD' "$ls" | head -n 1)"
	grep -q '^finish OK' "$ls" || fail "luosession-test: $(grep '^finish' "$ls")"
	grep -q '^summary ok=2 bad=0' "$ls" || fail "luosession-test: $(tail -n 1 "$ls")"
}

case $stage in
1)
	: >/mnt/result
	cmdline="$(cat /proc/cmdline) kt.stage=2"
	kexec -s -l /boot/vmlinuz --initrd=/boot/initrd.img --append="$cmdline" \
		>/mnt/kexec-load.out 2>&1 || fail "kexec -s -l: $(tail -n 1 /mnt/kexec-load.out)"
	for r in /run/kt/fdstore-test.result /run/kt/fdstore-volatile.result /run/kt/fdstore-drop.result \
		/run/kt/luosession-test.result; do
		grep -q 'summary .*\(failed\|bad\)=0' "$r" 2>/dev/null ||
			fail "${r##*/}: the store phase failed: $(tail -n 1 "$r" 2>/dev/null)"
	done
	$hook before
	# fdstore-drop empties its store now: the manifest "before" saved lists an fd that will
	# not come back; stage "dropped" saves one that does not.
	systemctl kill --signal=SIGUSR1 fdstore-drop.service || fail "cannot signal fdstore-drop"
	n=0
	until [ "$(systemctl show -P NFileDescriptorStore fdstore-drop.service)" = 0 ]; do
		n=$((n + 1))
		[ "$n" -le 60 ] || fail "fdstore-drop did not empty its store in 60 s"
		sleep 1
	done
	$hook dropped
	note "stage1 OK"
	echo "$(date +%s.%N) $(cut -d' ' -f1 /proc/uptime)" >/mnt/kexec-start
	say "systemctl kexec"
	systemctl --no-block kexec || fail "systemctl kexec failed"
	;;
2)
	$hook after
	judge
	note "stage2 OK"
	note PASS
	say PASS
	systemctl --no-block poweroff
	;;
*) fail "unknown kt.stage=$stage" ;;
esac
