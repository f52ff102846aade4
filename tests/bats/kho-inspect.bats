#!/usr/bin/env bats
# kho-inspect against the committed real 7.3 fixtures and against bad input.

bats_require_minimum_version 1.5.0
load helper

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	chmod -R u+rwX "$TMP" 2>/dev/null || true
	rm -rf "$TMP"
}

# The path of a node (by names from the tree root) in show -J output.
node() {
	local q='.tree[]'
	for n in "$@"; do
		q="$q | select(.name == \"$n\")"
		[ "$n" = "${!#}" ] || q="$q | .children[]"
	done
	echo "$q"
}

@test "show -J decodes every fixture stage with no decode error" {
	for st in $(fixture_stages); do
		run "$KI" --root "$FIX/$st" -J
		assert_success
		[ "$(jqo '.schema_version')" = 1 ]
		[ "$(jqo '.errors')" = 0 ]
	done
}

@test "boot: out present, in absent; root FDT kho-v4 reported truncated by the exact byte count" {
	run "$KI" --root "$FIX/boot" -J
	assert_success
	[ "$(jqo "$(node out) | .fields.present")" = true ]
	[ "$(jqo "$(node in) | .fields.present")" = false ]
	have=$(stat -c %s "$FIX/boot/out/fdt")
	total=$(od -A n --endian=big -t u4 -j 4 -N 4 "$FIX/boot/out/fdt" | tr -d ' ')
	[ "$total" -gt "$have" ]
	[ "$(jqo "$(node out fdt) | .format")" = kho-v4 ]
	jqo "$(node out fdt) | .notes[] | select(.level == \"warning\") | .message" |
		grep -F "truncated: $have of $total bytes"
	# Property names past the cut are rebuilt, values read native-endian.
	[ "$(jqo "$(node out fdt LUO) | .fields[\"blob-size\"]")" = "$(stat -c %s "$FIX/boot/out/sub_fdts/LUO")" ]
}

@test "memblock sub-tree holds the reserve_mem region of the VM command line (2M)" {
	for st in $(fixture_stages); do
		run "$KI" --root "$FIX/$st" -J --out
		assert_success
		[ "$(jqo "$(node out sub_fdts memblock) | .format")" = memblock-v1 ]
		[ "$(jqo "$(node out sub_fdts memblock kt_mem) | .fields.size")" = 2097152 ]
		[ "$(jqo "$(node out sub_fdts memblock kt_mem) | .fields.start")" != "0x0" ]
	done
}

@test "LUO luo-v5: outgoing not serialized before the kexec, liveupdate number advances across it" {
	run "$KI" --root "$FIX/sessions" -J
	assert_success
	[ "$(jqo "$(node out sub_fdts LUO) | .format")" = luo-v5 ]
	[ "$(jqo "$(node out sub_fdts LUO) | .fields.sessions_pa")" = 0x0 ]
	before=$(jqo "$(node out sub_fdts LUO) | .fields.liveupdate_num")
	run "$KI" --root "$FIX/kexec" -J
	assert_success
	after=$(jqo "$(node out sub_fdts LUO) | .fields.liveupdate_num")
	[ "$after" -eq $((before + 1)) ]
	# The incoming copy validated in this capture: the number the old kernel sent.
	[ "$(jqo "$(node in sub_fdts LUO) | .fields.liveupdate_num")" = "$before" ]
	[ "$(jqo "$(node in sub_fdts LUO) | .fields.sessions_pa")" != 0x0 ]
}

@test "kexec-metadata after one kexec: count 1 and the previous release, as the raw bytes say" {
	blob=$FIX/kexec/in/sub_fdts/kexec-metadata
	[ "$(stat -c %s "$blob")" = 73 ]
	run "$KI" --root "$FIX/kexec" -J --in
	assert_success
	[ "$(jqo "$(node in sub_fdts kexec-metadata) | .fields.kexec_count")" = "$(le32 "$blob" 69)" ]
	[ "$(jqo "$(node in sub_fdts kexec-metadata) | .fields.kexec_count")" = 1 ]
	[ "$(jqo "$(node in sub_fdts kexec-metadata) | .fields.previous_release")" = \
		"$(dd if="$blob" bs=1 skip=4 count=65 2>/dev/null | tr -d '\0')" ]
}

@test "in/ appears only after the kexec, with a whole root FDT" {
	for st in boot sessions; do
		[ ! -e "$FIX/$st/in" ]
	done
	run "$KI" --root "$FIX/kexec" -J --in
	assert_success
	[ "$(jqo "$(node in fdt) | .format")" = kho-v4 ]
	[ "$(jqo "$(node in fdt) | .notes | length")" = 0 ]
	[ "$(jqo "$(node in fdt) | [.children[].name] | sort | join(\",\")")" = \
		"$(ls "$FIX/kexec/in/sub_fdts" | sort | paste -sd,)" ]
}

@test "text view names each direction and marks the truncated root" {
	run "$KI" --root "$FIX/boot"
	assert_success
	assert_line --regexp '^out$'
	assert_line --regexp '^in$'
	assert_output --partial "truncated:"
	assert_output --partial "not serialized yet"
}

@test "status: directions, scratch areas as debugfs lists them, no finalize control on 7.3" {
	run "$KI" --root "$FIX/kexec" status -J
	assert_success
	st='.tree[] | select(.name == "status")'
	[ "$(jqo "$st | .fields.finalize_control")" = false ]
	[ "$(jqo "$st | .children[] | select(.name == \"in\") | .fields.present")" = true ]
	[ "$(jqo "$st | .children[] | select(.name == \"out\") | .children[] | select(.name == \"scratch\") | .fields.count")" = \
		"$(wc -l <"$FIX/kexec/out/scratch_phys")" ]
	first=$(head -n 1 "$FIX/kexec/out/scratch_phys")
	[ "$(jqo "$st | .children[] | select(.name == \"out\") | .children[] | select(.name == \"scratch\") | .children[0].fields.phys")" = "$first" ]
}

@test "--raw adds the stored bytes of each FDT property" {
	run "$KI" --root "$FIX/kexec" --in -J --raw
	assert_success
	raw=$(jqo "$(node in sub_fdts memblock kt_mem) | .raw.size")
	# 2 MiB as a native (little-endian) u64
	[ "$raw" = 0000200000000000 ]
}

@test "get: a property like fdtget, but typed native-endian" {
	run "$KI" --root "$FIX/kexec" get in/sub_fdts/memblock/kt_mem size
	assert_success
	assert_output "2 MiB"
	run "$KI" --root "$FIX/kexec" -J get in/sub_fdts/memblock/kt_mem size
	assert_success
	[ "$(jqo .value)" = 2097152 ]
	run "$KI" --root "$FIX/kexec" get in/sub_fdts/LUO liveupdate_num
	assert_success
	assert_output 1
	run "$KI" --root "$FIX/kexec" get in/fdt
	assert_success
	assert_line "memblock/"
	assert_line "compatible = kho-v4"
}

@test "get: missing blob, node or property exits 1 with one line" {
	run "$KI" --root "$FIX/kexec" get in/sub_fdts/nope
	assert_failure 1
	assert_output --partial "no such blob"
	run "$KI" --root "$FIX/kexec" get in/sub_fdts/memblock/nope
	assert_failure 1
	run "$KI" --root "$FIX/kexec" get in/sub_fdts/memblock/kt_mem nope
	assert_failure 1
	assert_output --partial "no property 'nope'"
}

@test "save: directory and tarball round-trip with a checksummed MANIFEST" {
	run "$KI" --root "$FIX/kexec" save -o "$TMP/snap"
	assert_success
	grep -q '^kho-tools-snapshot 1$' "$TMP/snap/MANIFEST"
	cmp "$FIX/kexec/in/fdt" "$TMP/snap/in/fdt"
	[ "$(grep -c '^file ' "$TMP/snap/MANIFEST")" = "$(find "$FIX/kexec" -type f | wc -l)" ]
	sha=$(sha256sum "$FIX/kexec/in/fdt" | cut -d' ' -f1)
	grep -q "^file in/fdt $(stat -c %s "$FIX/kexec/in/fdt") $sha\$" "$TMP/snap/MANIFEST"
	run "$KI" --root "$TMP/snap" save -o "$TMP/snap.tar"
	assert_success
	tar -tf "$TMP/snap.tar" | grep -qx in/sub_fdts/LUO
	run "$KI" diff "$FIX/kexec" "$TMP/snap.tar"
	assert_success
	assert_output "no differences"
}

@test "save -o NAME.tar.{gz,xz,zst}: compressed as the name asks, the same members byte for byte" {
	local ext dec magic
	mkdir "$TMP/ref" && tar -xf "$FIX/saved/sessions.tar" -C "$TMP/ref"
	for ext in gz:gzip:1f8b xz:xz:fd377a58 zst:zstd:28b52ffd; do
		IFS=: read -r ext dec magic <<<"$ext"
		run "$KI" --root "$FIX/saved/sessions.tar" save -o "$TMP/s.tar.$ext"
		assert_success
		[ "$(od -A n -t x1 -N $((${#magic} / 2)) "$TMP/s.tar.$ext" | tr -d ' \n')" = "$magic" ] ||
			fail "$ext: not $dec data"
		mkdir "$TMP/$ext"
		"$dec" -dc "$TMP/s.tar.$ext" | tar -xf - -C "$TMP/$ext"
		# Every file of the snapshot, the same bytes (MANIFEST: the same list, a new time).
		diff <(cd "$TMP/ref" && find . -type f | sort) <(cd "$TMP/$ext" && find . -type f | sort)
		diff -r -x MANIFEST "$TMP/ref" "$TMP/$ext"
		run "$KI" --root "$TMP/s.tar.$ext" sessions -n -r -o TYPE,NAME
		assert_success
		assert_equal "$(awk '$1 == "session" {print $2}' <<<"$output")" "$(printf 'vm-%s\n' 0 1 2 3)"
	done
	[ "$(stat -c %s "$TMP/s.tar.zst")" -lt $(($(stat -c %s "$FIX/saved/sessions.tar") / 4)) ]
}

@test "save refuses to overwrite and leaves no partial output" {
	mkdir "$TMP/exists"
	run "$KI" --root "$FIX/boot" save -o "$TMP/exists"
	assert_failure 2
	assert_output --partial "already exists"
	run "$KI" --root "$FIX/boot" save -o "$TMP/nodir/x.tar"
	assert_failure 2
	[ -z "$(ls -A "$TMP" | grep -v exists)" ]
}

@test "a snapshot altered after save is refused, naming the file" {
	"$KI" --root "$FIX/kexec" save -o "$TMP/snap" >/dev/null
	printf 'x' >>"$TMP/snap/in/sub_fdts/LUO"
	run "$KI" --root "$TMP/snap"
	assert_failure 2
	assert_output --partial "in/sub_fdts/LUO does not match its manifest checksum"
}

@test "diff: across the kexec reports changed blobs and the changed fields" {
	run "$KI" diff "$FIX/sessions" "$FIX/kexec" --out -r -n
	assert_failure 1
	assert_line 'out/sub_fdts/LUO changed  '
	assert_line 'out/sub_fdts/kho_test removed  '
	assert_line 'out/fdt removed  '
	assert_line 'liveupdate_num changed 1 2'
	run "$KI" diff "$FIX/sessions" "$FIX/kexec" --out
	assert_failure 1
	# The fields of a blob are drawn under it.
	assert_line --regexp '^out/sub_fdts/LUO +changed *$'
	assert_line --regexp '^.-liveupdate_num +changed +1 +2$' 
	run "$KI" -J diff "$FIX/sessions" "$FIX/kexec"
	assert_failure 1
	[ "$(jqo '.blobs[] | select(.path == "in/fdt") | .change')" = added ]
	[ "$(jqo '.differences')" -gt 3 ]
}

@test "diff --out-vs-in: what the old kernel sent is what the new one received" {
	run "$KI" -J diff --out-vs-in "$FIX/sessions" "$FIX/kexec"
	assert_failure 1
	# memblock and kexec-metadata arrive unchanged; LUO was serialized at the reboot.
	[ -z "$(jqo '.blobs[] | select(.b == "in/sub_fdts/memblock") | .path' || true)" ]
	[ "$(jqo '.blobs[] | select(.b == "in/sub_fdts/LUO") | .fields[] | select(.field == "sessions_pa") | .a')" = 0x0 ]
}

@test "exit 2 and one line naming the path for unreadable or malformed input" {
	run "$KI" --root "$TMP/missing"
	assert_failure 2
	assert_output "kho-inspect: $TMP/missing: No such file or directory"
	mkdir "$TMP/empty"
	run "$KI" --root "$TMP/empty"
	assert_failure 2
	assert_output --partial "not a KHO snapshot"
	echo garbage >"$TMP/bad.tar"
	run "$KI" --root "$TMP/bad.tar"
	assert_failure 2
	[ "${#lines[@]}" = 1 ]
	mkdir -p "$TMP/trunc/out/sub_fdts"
	head -c 40 "$FIX/kexec/in/sub_fdts/memblock" >"$TMP/trunc/out/sub_fdts/memblock"
	run "$KI" --root "$TMP/trunc" -J
	assert_failure 2
	[ "$(jqo '.errors')" = 1 ]
	jqo '.tree[0].children[0].children[0].notes[0].message' | grep -Fx "truncated: 40 of 210 bytes"
}

@test "JSON mode reports errors as a JSON object on stdout" {
	run --separate-stderr "$KI" --root "$TMP/missing" -J
	assert_failure 2
	[ "$(jqo .schema_version)" = 1 ]
	jqo .error | grep -F "$TMP/missing"
}

@test "live: no debugfs or no KHO says exactly that" {
	KHO_TOOLS_DEBUGFS=$TMP/nokho run "$KI"
	assert_failure 2
	assert_output --partial "KHO is not enabled"
	if [ ! -d /sys/kernel/debug/kho ]; then
		run "$KI" status
		assert_failure 2
		assert_output --regexp "(debugfs is not mounted|KHO is not enabled|permission denied)"
	fi
}

@test "live as non-root: permission denied, exit 2" {
	[ "$(id -u)" = 0 ] || skip "needs root to drop to nobody"
	command -v setpriv >/dev/null || skip "setpriv not installed"
	mkdir -p "$TMP/kho/out"
	chmod 0700 "$TMP/kho"
	chmod 0755 "$TMP"
	KHO_TOOLS_DEBUGFS=$TMP/kho run setpriv --reuid=65534 --regid=65534 --clear-groups "$KI"
	assert_failure 2
	assert_output --partial "permission denied"
}

@test "usage: unknown or ambiguous command, bad option, prefix matching" {
	run "$KI" frobnicate
	assert_failure 2
	assert_output --partial "unknown or ambiguous command"
	run "$KI" --bogus
	assert_failure 2
	# A command's own options: getopt's line names the program and the command.
	run "$KI" sessions --bogus
	assert_failure 2
	assert_line --index 0 "kho-inspect sessions: unrecognized option '--bogus'"
	assert_line --index 1 "Try 'kho-inspect sessions --help' for more information."
	run "$KI" --root "$FIX/boot" stat
	assert_success
	assert_output --partial "status"
	run "$KI" --root "$FIX/boot" s
	assert_failure 2
}

@test "a stale in/sub_fdts/LUO (freed by LUO after boot) is reported stale, never decoded" {
	blob=$FIX/kexec-stale-luo/in/sub_fdts/LUO
	[ "$(head -c 6 "$blob")" != luo-v5 ]
	run "$KI" --root "$FIX/kexec-stale-luo" -J --in
	assert_success
	[ "$(jqo "$(node in sub_fdts LUO) | .fields.stale")" = true ]
	[ "$(jqo "$(node in sub_fdts LUO) | .fields | keys | join(\",\")")" = stale ]
	jqo "$(node in sub_fdts LUO) | .notes[] | select(.level == \"warning\") | .message" | grep -q '^stale: '
}
