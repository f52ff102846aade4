# shellcheck shell=sh disable=SC2034 # KT_TOP is for the scripts that source this
# Shared settings for the systemd scenario's host scripts (sourced, not run). The caller
# sets KT_SD_DIR (this directory) first. common.sh derives its paths from $0, which is not
# always in tests/vm here: KT_CACHE and die() come from it, the paths are set again.
. "$KT_SD_DIR/../common.sh"
KT_VM_DIR=$(cd "$KT_SD_DIR/.." && pwd)
KT_TOP=$(cd "$KT_VM_DIR/../.." && pwd)

# The Debian mirror the system's apt already uses (deb822 or one-line sources): read at run
# time so that no mirror host is written into the repository.
kt_mirror() {
	kt_m=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[ -n "$kt_m" ] || kt_m=$(awk '$1 == "deb" && $0 !~ /security/ {
		for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list 2>/dev/null)
	[ -n "$kt_m" ] || die "cannot find the system's Debian mirror in /etc/apt"
	echo "$kt_m"
}
