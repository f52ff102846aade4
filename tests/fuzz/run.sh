#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Run libFuzzer targets for SECONDS each, from seed corpora made of the real
# kernel captures, and say which passed.
#   tests/fuzz/run.sh SECONDS build/fuzz/fuzz_NAME...
# Corpora grow in build/fuzz/corpus/NAME across runs; each target's output goes
# to build/fuzz/NAME.log, a crashing input to build/fuzz/artifacts/. Inputs kept
# in tests/fuzz/crashes/NAME-* are replayed first: a bug once found stays fixed.
# Fixtures: $KT_FUZZ_FIXTURES, else tests/fixtures/linux-7.3, else build/vm/cycle;
# fuzz_snapshot also starts from saved snapshots: FIXTURES/saved/*.tar, build/vm/*/*/snapshot.tar.
set -eu

usage() {
	echo "usage: $0 SECONDS BIN..." >&2
	exit 2
}

[ $# -ge 2 ] || usage
secs=$1
shift
case $secs in '' | *[!0-9]*) usage ;; esac

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
fix=${KT_FUZZ_FIXTURES:-}
if [ -z "$fix" ]; then
	for d in "$top/tests/fixtures/linux-7.3" "$top/build/vm/cycle"; do
		if [ -d "$d" ]; then
			fix=$d
			break
		fi
	done
fi
mkdir -p "$out/artifacts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Each captured stage as "STAGE KHODIR": the capture's kho/, or the stage
# directory itself when it holds out/ and in/ directly (the committed fixtures).
list_stages() {
	[ -n "$fix" ] || return 0
	for st in "$fix"/*/; do
		st=${st%/}
		if [ -d "$st/kho" ]; then
			echo "$(basename "$st") $st/kho"
		elif [ -d "$st/out" ] || [ -d "$st/in" ]; then
			echo "$(basename "$st") $st"
		fi
	done
}

# Every captured blob as "STAGE DIR NAME PATH": NAME is "fdt" or the sub-blob's name.
list_blobs() {
	list_stages | while read -r stage kho; do
		for dir in out in; do
			[ -f "$kho/$dir/fdt" ] && echo "$stage $dir fdt $kho/$dir/fdt"
			for f in "$kho/$dir"/sub_fdts/*; do
				[ -f "$f" ] && echo "$stage $dir $(basename "$f") $f"
			done
		done
	done
	return 0
}

# A few damaged copies of seed $1: cut in half, one byte short, a byte
# overwritten in the middle, trailing zeroes.
mutate() {
	n=$(wc -c <"$1")
	[ "$n" -ge 2 ] || return 0
	head -c $((n / 2)) "$1" >"$1.half"
	head -c $((n - 1)) "$1" >"$1.short"
	cp "$1" "$1.flip"
	printf '\377' | dd of="$1.flip" bs=1 seek=$((n / 2)) conv=notrunc 2>/dev/null
	{ cat "$1"; head -c 16 /dev/zero; } >"$1.tail"
}

# Copy the blobs named $2... (any name if none) into corpus $1, with mutations.
seed_blobs() {
	dst=$1
	shift
	list_blobs | while read -r stage dir name path; do
		if [ $# -gt 0 ]; then
			want=
			for w in "$@"; do [ "$w" = "$name" ] && want=1; done
			[ -n "$want" ] || continue
		fi
		cp "$path" "$dst/$stage-$dir-$name"
		mutate "$dst/$stage-$dir-$name"
	done
	return 0
}

# For the decode-anything target: one byte of name length, the name, the blob.
seed_named() {
	list_blobs | while read -r stage dir name path; do
		f=$1/$stage-$dir-$name
		# shellcheck disable=SC2059 # the format is the escaped length byte
		{ printf "\\$(printf %03o ${#name})%s" "$name"; cat "$path"; } >"$f"
		mutate "$f"
	done
	return 0
}

# Tarballs of each captured stage, as tar(1) makes them (GNU and ustar formats),
# and one gzip'd: the reader takes compressed archives whatever their name.
seed_tars() {
	list_stages | while read -r stage kho; do
		tar -C "$kho" -cf "$1/$stage-gnu.tar" .
		gzip -1 -c "$1/$stage-gnu.tar" >"$1/$stage-gnu.tar.gz"
		members=
		for d in out in; do [ -d "$kho/$d" ] && members="$members $d"; done
		# shellcheck disable=SC2086 # one word per member
		tar -C "$kho" --format=ustar -cf "$1/$stage-ustar.tar" $members
		mutate "$1/$stage-ustar.tar"
	done
	return 0
}

# Snapshots saved by kho-inspect (the fixtures' saved/, the VM runs' own)
# carry the LUO state and the physical pages the views read. Their MANIFEST
# goes: a checksum would reject every mutation. Large ones are left out to keep
# the fuzzer fast.
seed_saved() {
	i=0
	for t in "$fix"/saved/*.tar "$top"/build/vm/*/*/snapshot.tar; do
		[ -f "$t" ] || continue
		[ "$(wc -c <"$t")" -le 524288 ] || continue
		i=$((i + 1))
		rm -rf "$tmp/x" && mkdir "$tmp/x"
		tar -C "$tmp/x" -xf "$t" && rm -f "$tmp/x/MANIFEST" && tar -C "$tmp/x" -cf "$1/saved-$i.tar" .
	done
	return 0
}

# What a unit test fabricates with `test_NAME --seeds DIR` (LUO memory images,
# saved states) into corpus $1 for target $3, with mutations. The test is built
# if no build of it is there; without it the corpus starts from what it holds.
seed_fabricated() {
	gen=
	for b in "$top/build/tests/unit/$2" "$top/build/san/tests/unit/$2"; do
		if [ -x "$b" ]; then
			gen=$b
			break
		fi
	done
	if [ -z "$gen" ] && make -s -C "$top" "build/tests/unit/$2" >"$tmp/$2.log" 2>&1; then
		gen=$top/build/tests/unit/$2
	fi
	if [ -z "$gen" ] || ! "$gen" --seeds "$1" >"$tmp/$2.log" 2>&1; then
		echo "$3: no seeds from tests/unit/$2.c:"
		tail -n 5 "$tmp/$2.log" | sed 's/^/  | /'
		return 0
	fi
	for f in "$1"/*; do
		[ -f "$f" ] && mutate "$f"
	done
	return 0
}

# The embedded config as kernel/configs.c lays it out (gzip'd by gzip(1) between its
# markers), and the text alone.
seed_ikconfig() {
	printf '#\n# comment\n#\nCONFIG_KEXEC_HANDOVER=y\n# CONFIG_LIVEUPDATE is not set\nCONFIG_LIVEUPDATE_MEMFD=m\nCONFIG_NR_CPUS=64\nCONFIG_CMDLINE="a b"\n' >"$1/config"
	{
		printf IKCFG_ST
		gzip -9 -n -c "$1/config"
		printf IKCFG_ED
	} >"$1/ikcfg"
	mutate "$1/config"
	mutate "$1/ikcfg"
}

seed() {
	name=$1
	dst=$2
	case $name in
	fuzz_kho_root)
		seed_blobs "$dst" fdt
		# The same roots as the kho-v1 layout would name them.
		for f in "$dst"/*-fdt; do
			[ -f "$f" ] && LC_ALL=C sed 's/kho-v4/kho-v1/' "$f" >"$f.v1"
		done
		;;
	fuzz_memblock) seed_blobs "$dst" memblock ;;
	fuzz_kho_test) seed_blobs "$dst" kho_test ;;
	fuzz_luo) seed_blobs "$dst" LUO ;;
	fuzz_kexec_meta) seed_blobs "$dst" kexec-metadata ;;
	fuzz_fdt_generic) seed_blobs "$dst" fdt memblock kho_test ;;
	fuzz_decode) seed_named "$dst" ;;
	fuzz_tar) seed_tars "$dst" ;;
	fuzz_snapshot)
		seed_tars "$dst"
		seed_saved "$dst"
		;;
	fuzz_luo_chain) seed_fabricated "$dst" test_luo_walk "$name" ;;
	fuzz_luo_state) seed_fabricated "$dst" test_luo_state "$name" ;;
	fuzz_luo_kernel) seed_fabricated "$dst" test_luo_kernel "$name" ;;
	fuzz_sd_map | fuzz_sd_stores) seed_fabricated "$dst" test_sd "$name" ;;
	fuzz_kimage) seed_fabricated "$dst" test_kimage "$name" ;;
	fuzz_ikconfig)
		seed_ikconfig "$dst"
		seed_fabricated "$dst" test_kimage "$name"
		;;
	*) seed_blobs "$dst" ;;
	esac
}

# "runs N, cov C, corpus K" from a libFuzzer log.
stats() {
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$1" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p')
	echo "${runs:-?} runs, cov ${cov:-?}, corpus ${corp:-?}"
}

fail() {
	echo "$1: FAILED: $2 (log $3)"
	sed -n 's/.*Test unit written to \(.*\)/  input: \1/p' "$3"
	tail -n 25 "$3" | sed 's/^/  | /'
	failed=$((failed + 1))
}

[ -n "$fix" ] || echo "fuzz: no kernel captures found: starting from empty corpora"
passed=0
failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	log=$out/$name.log
	corpus=$out/corpus/$name
	if [ ! -x "$bin" ]; then
		echo "$name: FAILED: $bin is not built"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$corpus"
	rm -rf "$tmp/seed" && mkdir "$tmp/seed"
	seed "$name" "$tmp/seed"
	cp "$tmp/seed"/* "$corpus"/ 2>/dev/null || true
	known=$(ls "$top/tests/fuzz/crashes/$name"-* 2>/dev/null || true)
	if [ -n "$known" ]; then
		# shellcheck disable=SC2086 # file names without spaces
		if ! "$bin" -rss_limit_mb=2048 $known >"$log" 2>&1; then
			fail "$name" "a known crash in tests/fuzz/crashes still reproduces" "$log"
			continue
		fi
	fi
	if "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$name-" "$corpus" >"$log" 2>&1; then
		echo "$name: ok, $secs s, $(stats "$log")"
		passed=$((passed + 1))
	else
		fail "$name" "crash, leak, timeout or out of memory" "$log"
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
