#!/bin/sh
# Install every Debian package that kho-tools' build and tests need.
# Idempotent: prints nothing and touches nothing when all are present.
set -eu

PKGS="build-essential pkg-config clang llvm libclang-rt-14-dev libbpf-dev bpftool \
libelf-dev zlib1g-dev libfdt-dev device-tree-compiler libncurses-dev libsystemd-dev \
libcmocka-dev bats bats-assert bats-support bats-file tmux jq \
libjansson-dev libarchive-dev libsmartcols-dev clang-format strace bash-completion \
qemu-system-x86 busybox-static cpio xz-utils file mmdebstrap zstd \
flex bison bc libssl-dev dwarves"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
