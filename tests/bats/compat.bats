#!/usr/bin/env bats
# compat IMAGE and preflight --target IMAGE: will the kernel in IMAGE accept what this one
# hands over? On the small images of tests/fixtures/kimage, and on the real test kernel when
# tests/vm/build-kernel.sh has cached it: its bzImage, its vmlinux, its payload recompressed
# with each compressor the kernel offers (the command-line tools, as the kernel's build uses
# them), and the payload after an ABI bump of one compatible string. What the image holds is
# told by grep on the payload decompressed by gzip(1), what the kernel calls its formats by
# its own headers, what an embedded config sets by the config text the test wrote; never by
# our output.

bats_require_minimum_version 1.5.0
load helper

KIM=$BATS_TEST_DIRNAME/../fixtures/kimage
# The saved capture before the reboot: root, sub-blobs, 6 memfds in 3 sessions, 3 FLBs.
BEFORE=$FIX/saved/sessions.tar
KT_CACHE=${KHO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kho-tools}

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

# The newest cached test kernel (a directory with bzImage and vmlinux), or skip saying why.
need_kernel() {
	KDIR=$(ls -td "$KT_CACHE"/kernel/*/ 2>/dev/null | while read -r d; do
		[ -f "$d/bzImage" ] && [ -f "$d/vmlinux" ] && echo "${d%/}" && break
	done)
	[ -n "$KDIR" ] || skip "no test kernel in $KT_CACHE/kernel (tests/vm/build-kernel.sh builds it)"
}

# Write u32 $2 little-endian at byte $3 of file $1 (no $3: append).
put_le32() {
	local b
	b=$(printf '\\%03o\\%03o\\%03o\\%03o' $(($2 & 255)) $((($2 >> 8) & 255)) $((($2 >> 16) & 255)) $((($2 >> 24) & 255)))
	if [ -n "${3:-}" ]; then
		# shellcheck disable=SC2059 # the format is the escaped bytes
		printf "$b" | dd of="$1" bs=1 seek="$3" conv=notrunc 2>/dev/null
	else
		# shellcheck disable=SC2059
		printf "$b" >>"$1"
	fi
}

# The real bzImage's payload: where it starts (boot.rst: (setup_sects + 1) * 512 + payload_offset)
# and its length, read with od; decompressed by gzip(1) into $TMP/vmlinux.bin.
payload() {
	local sects
	sects=$(od -A n -t u1 -j $((0x1f1)) -N 1 "$KDIR/bzImage" | tr -d ' ')
	PSTART=$(((sects + 1) * 512 + $(le32 "$KDIR/bzImage" $((0x248)))))
	PLEN=$(le32 "$KDIR/bzImage" $((0x24c)))
	tail -c +$((PSTART + 1)) "$KDIR/bzImage" | head -c "$PLEN" >"$TMP/payload"
	gzip -dc <"$TMP/payload" >"$TMP/vmlinux.bin"
}

# A bzImage $1 from the real one's setup and the file $2 compressed by command $3...; the
# uncompressed size follows the stream (scripts/Makefile.lib: size_append), except for gzip.
rebuild() {
	local out=$1 in=$2 len
	shift 2
	head -c "$PSTART" "$KDIR/bzImage" >"$out"
	"$@" <"$in" >"$TMP/stream"
	cat "$TMP/stream" >>"$out"
	len=$(stat -c %s "$TMP/stream")
	if [ "$1" != gzip ]; then
		put_le32 "$out" "$(stat -c %s "$in")"
		len=$((len + 4))
	fi
	put_le32 "$out" "$len" $((0x24c))
}

# How many times the image $1 holds the NUL-terminated string $2.
holds() {
	LC_ALL=C grep -a -o -P -- "\\Q$2\\E\\x00" "$1" | wc -l
}

@test "compat on the small images: every compression, and the compressed vmlinux, are compatible" {
	for img in vmlinux vmlinux.xz bzImage-gzip bzImage-bzip2 bzImage-lzma bzImage-xz bzImage-lz4 bzImage-zstd; do
		run "$KI" --root "$BEFORE" -J compat "$KIM/$img"
		assert_success
		[ "$(jqo .verdict)" = compatible ] || fail "$img: $(jqo .verdict)"
		[ "$(jqo '[.objects[] | select(.status != "ok")] | length')" = 0 ] || fail "$img: not all ok"
		[ "$(jqo .target.release)" = 7.3.4-test ]
	done
	run "$KI" --root "$BEFORE" -J compat "$KIM/bzImage-lz4"
	[ "$(jqo .target.kind)" = bzImage ] && [ "$(jqo .target.compression)" = lz4 ]
	run "$KI" --root "$BEFORE" -J compat "$KIM/vmlinux.xz"
	[ "$(jqo .target.kind)" = vmlinux ] && [ "$(jqo .target.compression)" = xz ]
}

@test "compat: one object a line, each preserved file named by session and token" {
	run "$KI" --root "$BEFORE" compat "$KIM/bzImage-gzip"
	assert_success
	assert_line --index 0 "target: $KIM/bzImage-gzip (bzImage, gzip), Linux 7.3.4-test"
	assert_line --regexp '^STATUS +HOLDER +COMPATIBLE +TARGET +OBJECT$'
	assert_line --regexp '^ok +root +kho-v4 +known +out/fdt$'
	assert_line --regexp '^ok +LUO +luo-v5 +known +out/sub_fdts/LUO$'
	assert_line --regexp '^ok +sub-FDT +reserve-mem-v1 +known +out/sub_fdts/memblock/kt_mem$'
	assert_line --regexp '^ok +file handler +memfd-v2 +known +session vm-1 token 100002$'
	assert_line --regexp '^ok +FLB +liveupdate-test-flb-v2 +known +preserved FLB, [0-9]+ dependent file\(s\)$'
	assert_line --index $((${#lines[@]} - 1)) "compatible: 0 failed, 0 warning(s), 0 unknown"
}

@test "compat: the files the capture holds are the ones checked, each once (counted from its own JSON)" {
	# The capture's files, as the sessions view reads them from the same tarball.
	run "$KI" --root "$BEFORE" -J sessions
	assert_success
	want=$(jqo '[.. | objects | select(has("token") and has("handler"))] | length')
	[ "$want" -gt 0 ]
	run "$KI" --root "$BEFORE" -J compat "$KIM/vmlinux"
	[ "$(jqo '[.objects[] | select(.holder == "file handler")] | length')" = "$want" ]
	[ "$(jqo '[.objects[] | select(.holder == "file handler") | "\(.session)/\(.token)"] | unique | length')" = "$want" ]
}

@test "compat: an ABI bump of the file handler is incompatible, naming every file lost" {
	run "$KI" --root "$BEFORE" -J compat "$KIM/vmlinux-memfd-v3"
	assert_failure 1
	[ "$(jqo .verdict)" = incompatible ]
	n=$(jqo '[.objects[] | select(.holder == "file handler")] | length')
	[ "$(jqo .failed)" = "$n" ]
	[ "$(jqo '[.objects[] | select(.status == "fail") | select(.compatible == "memfd-v2" and .known == false and .target_has == "memfd-v3" and .required)] | length')" = "$n" ]
	run "$KI" --root "$BEFORE" compat "$KIM/vmlinux-memfd-v3"
	assert_failure 1
	assert_line --regexp '^fail +file handler +memfd-v2 +unknown +session vm-0 token 1 \(the target knows memfd-v3\)$'
	assert_line --index $((${#lines[@]} - 1)) --regexp '^incompatible: [0-9]+ failed'
}

@test "compat: a snapshot without the LUO state cannot tell (exit 2) but still checks the rest" {
	run "$KI" --root "$FIX/sessions" -J compat "$KIM/vmlinux"
	assert_failure 2
	[ "$(jqo .verdict)" = "cannot tell" ]
	[ "$(jqo '.objects[] | select(.status == "unknown") | .object')" = "outgoing sessions and FLBs" ]
	[ "$(jqo '.objects[] | select(.holder == "root") | .status')" = ok ]
}

@test "compat: bad images exit 2 with one line; -J prints the error object" {
	printf '#!/bin/sh\necho hi\n' >"$TMP/script"
	: >"$TMP/empty"
	head -c 700 "$KIM/bzImage-xz" >"$TMP/cut"
	cp "$KIM/bzImage-zstd" "$TMP/weird"
	printf 'NOT A STREAM' | dd of="$TMP/weird" bs=1 seek=$((1024 + 64)) conv=notrunc 2>/dev/null
	for bad in script:"not a kernel image" empty:"not a kernel image" cut:"truncated" \
		weird:"unsupported payload compression" missing:"No such file or directory"; do
		f=$TMP/${bad%%:*}
		run --separate-stderr "$KI" --root "$BEFORE" compat "$f"
		assert_failure 2
		[ -z "$output" ] || fail "${bad%%:*}: stdout: $output"
		[ "${#stderr_lines[@]}" = 1 ] || fail "${bad%%:*}: ${#stderr_lines[@]} lines on stderr"
		[[ $stderr == "kho-inspect: $f: "*"${bad#*:}"* ]] || fail "${bad%%:*}: $stderr"
	done
	run --separate-stderr "$KI" -J compat "$TMP/script"
	assert_failure 2
	[[ "$(jqo .error)" == *"not a kernel image"* ]]
	run "$KI" compat
	assert_failure 2
	run "$KI" compat "$KIM/vmlinux" extra
	assert_failure 2
}

@test "preflight --target: a compat check per object the target lacks; a bad image is exit 2" {
	KHO_TOOLS_DEBUGFS=$FIX/sessions run "$KI" -J preflight --target "$KIM/bzImage-xz"
	[ "$(jqo '[.checks[] | select(.name == "compat")] | length')" -ge 1 ]
	# Without physical memory the sessions cannot be told; the root is known.
	[ "$(jqo '[.checks[] | select(.name == "compat" and .status == "fail")] | length')" = 0 ]
	LC_ALL=C sed 's/kho-v4/kho-v5/' "$KIM/vmlinux" >"$TMP/v5"
	KHO_TOOLS_DEBUGFS=$FIX/sessions run "$KI" -J preflight --target "$TMP/v5"
	assert_failure 1
	[ "$(jqo '.checks[] | select(.name == "compat" and .status == "fail") | .message')" = \
		"root kho-v4 (out/fdt): unknown to the target (it knows kho-v5): its state is lost" ]
	KHO_TOOLS_DEBUGFS=$FIX/sessions run --separate-stderr "$KI" preflight --target "$KIM/README.md"
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"not a kernel image"* ]]
}

# ---- the embedded config (IKCONFIG) -------------------------------------------------------

# The small vmlinux with the config text $2 embedded as kernel/configs.c lays it out: "IKCFG_ST",
# the text gzip'd by gzip(1), "IKCFG_ED", in a .rodata section of its own (objcopy), into $1.
# $3: damage the stream: "corrupt" (the first deflate block of the reserved type 3, after
# gzip's 10-byte header) or "noend" (the end marker cut to "IKCFG_E"). $4: another vmlinux.
cfg_image() {
	printf '%s' "$2" >"$TMP/config"
	gzip -9 -n -c "$TMP/config" >"$TMP/config.gz"
	[ "${3:-}" != corrupt ] || printf '\007' | dd of="$TMP/config.gz" bs=1 seek=10 conv=notrunc 2>/dev/null
	{
		printf IKCFG_ST
		cat "$TMP/config.gz"
		if [ "${3:-}" = noend ]; then printf IKCFG_E; else printf IKCFG_ED; fi
	} >"$TMP/ikcfg"
	objcopy --add-section .rodata.ikcfg="$TMP/ikcfg" \
		--set-section-flags .rodata.ikcfg=alloc,load,readonly,data,contents "${4:-$KIM/vmlinux}" "$1"
}

# What the config text $1 says of option $2: its value, or "not set" (Kconfig writes
# "# CONFIG_X is not set", or leaves out an option whose dependencies are not met).
cfg_value() {
	local v
	v=$(printf '%s' "$1" | sed -n "s/^$2=//p" | tail -n 1)
	echo "${v:-not set}"
}

# The options the capture's handover needs (kernel/liveupdate/Kconfig, mm/Makefile of 7.3).
CFG_OPTIONS="CONFIG_KEXEC_HANDOVER CONFIG_LIVEUPDATE CONFIG_LIVEUPDATE_MEMFD"

@test "compat: an embedded config: each option the handover needs, its status from the config's own line" {
	command -v objcopy >/dev/null || skip "no objcopy"
	y='CONFIG_KEXEC_HANDOVER=y
CONFIG_LIVEUPDATE=y
'
	for cfg in "# generated
${y}CONFIG_LIVEUPDATE_MEMFD=y
" "${y}# CONFIG_LIVEUPDATE_MEMFD is not set
" "${y}CONFIG_LIVEUPDATE_MEMFD=m
" "$y" "CONFIG_KEXEC_HANDOVER=y
# CONFIG_LIVEUPDATE is not set
CONFIG_LIVEUPDATE_MEMFD=y
"; do
		cfg_image "$TMP/img" "$cfg"
		run "$KI" --root "$BEFORE" -J compat "$TMP/img"
		[ "$(jqo '.target.config.options')" = "$(grep -c CONFIG_ "$TMP/config")" ] || fail "$cfg: options"
		failed=0 warned=0
		for o in $CFG_OPTIONS; do
			v=$(cfg_value "$cfg" "$o")
			case $v in
			y) want=ok ;;
			m) want=warn warned=$((warned + 1)) ;;
			*) want=fail failed=$((failed + 1)) ;;
			esac
			got=$(jqo ".objects[] | select(.holder == \"config\" and .compatible == \"$o\") | \"\(.status) \(.target_value) \(.required)\"")
			[ "$got" = "$want $v true" ] || fail "$cfg: $o: $got, expected $want $v"
		done
		[ "$(jqo '[.objects[] | select(.holder == "config")] | length')" = 3 ]
		[ "$(jqo .failed)/$(jqo .warnings)" = "$failed/$warned" ] || fail "$cfg: $(jqo .failed)/$(jqo .warnings)"
		if [ "$failed" -gt 0 ]; then
			assert_failure 1
			[ "$(jqo .verdict)" = incompatible ]
		else
			assert_success
		fi
	done
}

@test "compat: an embedded config in the table: TARGET is the option's value, the note says what was read" {
	command -v objcopy >/dev/null || skip "no objcopy"
	cfg_image "$TMP/img" 'CONFIG_KEXEC_HANDOVER=y
CONFIG_LIVEUPDATE=y
# CONFIG_LIVEUPDATE_MEMFD is not set
'
	run "$KI" --root "$BEFORE" compat "$TMP/img"
	assert_failure 1
	assert_line --index 1 "config: embedded, 3 options: the ones the handover needs are checked"
	assert_line --regexp '^ok +config +CONFIG_KEXEC_HANDOVER +y +needed by out/fdt and [0-9]+ more$'
	assert_line --regexp '^fail +config +CONFIG_LIVEUPDATE_MEMFD +not set +needed by session vm-0 token 1 and [0-9]+ more$'
	run "$KI" --root "$BEFORE" compat "$KIM/vmlinux"
	assert_line --index 1 "config: none embedded (no CONFIG_IKCONFIG): kernel options not checked"
	refute_line --regexp '^[a-z]+ +config '
	run "$KI" --root "$BEFORE" -J compat "$KIM/vmlinux"
	[ "$(jqo '.target.config')" = null ]
	[ "$(jqo '[.objects[] | select(.holder == "config")] | length')" = 0 ]
}

@test "compat: a broken embedded config leaves every option unknown, saying why (exit 2)" {
	command -v objcopy >/dev/null || skip "no objcopy"
	cfg='CONFIG_KEXEC_HANDOVER=y
CONFIG_LIVEUPDATE=y
CONFIG_LIVEUPDATE_MEMFD=y
'
	for damage in corrupt:"corrupt" noend:"no IKCFG_ED after IKCFG_ST"; do
		cfg_image "$TMP/img" "$cfg" "${damage%%:*}"
		run "$KI" --root "$BEFORE" -J compat "$TMP/img"
		assert_failure 2
		[ "$(jqo .verdict)" = "cannot tell" ]
		[[ "$(jqo .target.config.error)" == *"${damage#*:}"* ]] || fail "$damage: $(jqo .target.config.error)"
		[ "$(jqo '[.objects[] | select(.holder == "config" and .status == "unknown" and .known == null)] | length')" = 3 ]
		[ "$(jqo '[.objects[] | select(.holder != "config" and .status != "ok")] | length')" = 0 ]
		run "$KI" --root "$BEFORE" compat "$TMP/img"
		assert_line --regexp '^unknown +config +CONFIG_LIVEUPDATE +- +needed by'
	done
}

@test "preflight --target: an option the target's config lacks is a failed compat check" {
	command -v objcopy >/dev/null || skip "no objcopy"
	cfg_image "$TMP/img" 'CONFIG_KEXEC_HANDOVER=y
# CONFIG_LIVEUPDATE is not set
'
	KHO_TOOLS_DEBUGFS=$FIX/sessions run "$KI" -J preflight --target "$TMP/img"
	assert_failure 1
	[ "$(jqo '.checks[] | select(.name == "compat" and .status == "fail") | .message')" = \
		"config CONFIG_LIVEUPDATE (needed by out/sub_fdts/LUO and 1 more): not set in the target: its state is lost" ]
}

# ---- the real test kernel ------------------------------------------------------------------

@test "real kernel: its own formats, as its headers name them, are what the capture hands over" {
	need_kernel
	src=$(ls -d "$KT_CACHE"/build/*/include/linux/kho/abi 2>/dev/null | head -n 1)
	[ -n "$src" ] || skip "no kernel source in $KT_CACHE/build (tests/vm/build-kernel.sh extracts it)"
	define() { sed -n "s/^#define $1[[:space:]]*\"\\(.*\\)\"/\\1/p" "$src/$2"; }
	run "$KI" --root "$BEFORE" -J compat "$KDIR/vmlinux"
	assert_success
	[ "$(jqo '.objects[] | select(.holder == "root") | .compatible')" = "$(define KHO_FDT_COMPATIBLE kexec_handover.h)" ]
	[ "$(jqo '.objects[] | select(.holder == "LUO") | .compatible')" = "$(define LUO_ABI_COMPATIBLE luo.h)" ]
	[ "$(jqo '[.objects[] | select(.holder == "file handler") | .compatible] | unique | .[]')" = \
		"$(define MEMFD_LUO_FH_COMPATIBLE memfd.h)" ]
	[ "$(jqo '.objects[] | select(.object == "out/sub_fdts/memblock" and .holder == "sub-FDT") | .compatible')" = \
		"$(define MEMBLOCK_KHO_NODE_COMPATIBLE memblock.h)" ]
}

@test "real kernel: bzImage and vmlinux are compatible with the capture; each string is in the image" {
	need_kernel
	payload
	for img in bzImage vmlinux; do
		run "$KI" --root "$BEFORE" -J compat "$KDIR/$img"
		assert_success
		[ "$(jqo .verdict)" = compatible ]
		[ "$(jqo .target.release)" = "$(strings -a "$TMP/vmlinux.bin" | sed -n 's/^Linux version \([^ ]*\) .*/\1/p' | head -n 1)" ]
		for c in $(jqo '.objects[].compatible' | sort -u); do
			[ "$(holds "$TMP/vmlinux.bin" "$c")" -ge 1 ] || fail "$img: $c not in the decompressed payload"
		done
	done
	run "$KI" --root "$BEFORE" -J compat "$KDIR/bzImage"
	[ "$(jqo .target.compression)" = "$(sed -n 's/^CONFIG_KERNEL_\(GZIP\|BZIP2\|LZMA\|XZ\|LZO\|LZ4\|ZSTD\)=y/\1/p' "$KDIR/config" | tr A-Z a-z)" ]
	# Its own config says whether it embeds itself (CONFIG_IKCONFIG=y) and how many options it has.
	if grep -qx CONFIG_IKCONFIG=y "$KDIR/config"; then
		[ "$(jqo .target.config.options)" = "$(grep -cE '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$KDIR/config")" ]
	else
		[ "$(jqo .target.config)" = null ]
		[ "$(jqo '[.objects[] | select(.holder == "config")] | length')" = 0 ]
	fi
}

@test "real kernel: its payload recompressed with each compressor the kernel offers" {
	need_kernel
	payload
	# The kernel's own commands (arch/x86/boot/compressed/Makefile), at their fastest level.
	for c in "gzip -1 -n" "bzip2 -1" "lzma -0" "xz -0 --check=crc32" "lz4 -l -1" "zstd -1 -q"; do
		tool=${c%% *}
		command -v "$tool" >/dev/null || skip "no $tool"
		# shellcheck disable=SC2086 # the command and its options
		rebuild "$TMP/bz" "$TMP/vmlinux.bin" $c
		run "$KI" --root "$BEFORE" -J compat "$TMP/bz"
		assert_success
		[ "$(jqo .target.compression)" = "$tool" ] || fail "$c: $(jqo .target.compression)"
		[ "$(jqo .verdict)" = compatible ]
	done
	# The payload compressed whole, as a vmlinux.zst would be.
	zstd -1 -q <"$TMP/vmlinux.bin" >"$TMP/vmlinux.zst"
	run "$KI" --root "$BEFORE" -J compat "$TMP/vmlinux.zst"
	assert_success
	[ "$(jqo .target.kind)/$(jqo .target.compression)" = vmlinux/zstd ]
}

@test "real kernel: an ABI bump of memfd's compatible (memfd-v2 to memfd-v3) is incompatible, named" {
	need_kernel
	payload
	[ "$(holds "$TMP/vmlinux.bin" memfd-v2)" = 1 ]
	LC_ALL=C sed 's/memfd-v2\x00/memfd-v3\x00/' "$TMP/vmlinux.bin" >"$TMP/bumped.bin"
	[ "$(holds "$TMP/bumped.bin" memfd-v2)" = 0 ] && [ "$(holds "$TMP/bumped.bin" memfd-v3)" = 1 ]
	rebuild "$TMP/bz" "$TMP/bumped.bin" zstd -1 -q
	run "$KI" --root "$BEFORE" -J compat "$TMP/bz"
	assert_failure 1
	n=$(jqo '[.objects[] | select(.holder == "file handler")] | length')
	[ "$n" -gt 0 ] && [ "$(jqo .failed)" = "$n" ]
	[ "$(jqo '[.objects[] | select(.status == "fail" and .target_has == "memfd-v3")] | length')" = "$n" ]
	run "$KI" --root "$BEFORE" compat "$TMP/bz"
	assert_line --regexp '^fail +file handler +memfd-v2 +unknown +session vm-2 token 200002 \(the target knows memfd-v3\)$'
}

@test "real kernel: its vmlinux with its own config embedded: each option as that config sets it" {
	need_kernel
	command -v objcopy >/dev/null || skip "no objcopy"
	cfg=$(cat "$KDIR/config")
	cfg_image "$TMP/vm" "$cfg" "" "$KDIR/vmlinux"
	run "$KI" --root "$BEFORE" -J compat "$TMP/vm"
	for o in $CFG_OPTIONS; do
		v=$(cfg_value "$cfg" "$o")
		[ "$(jqo ".objects[] | select(.compatible == \"$o\") | .target_value")" = "$v" ] || fail "$o: not $v"
	done
	[ "$(jqo .verdict)" = compatible ]
}

@test "real kernel: a truncated bzImage and a truncated vmlinux exit 2 with one line" {
	need_kernel
	head -c $(($(stat -c %s "$KDIR/bzImage") / 2)) "$KDIR/bzImage" >"$TMP/bz"
	head -c 50000000 "$KDIR/vmlinux" >"$TMP/vm"
	for f in "$TMP/bz" "$TMP/vm"; do
		run --separate-stderr "$KI" --root "$BEFORE" compat "$f"
		assert_failure 2
		[ "${#stderr_lines[@]}" = 1 ] && [[ $stderr == "kho-inspect: $f: truncated"* ]] || fail "$stderr"
	done
}
