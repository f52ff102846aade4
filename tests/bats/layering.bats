#!/usr/bin/env bats
# The layering check (tests/layering.sh) on this tree, and on copies of it with one edge
# added that breaks the rule: it must pass the first and name the offending edge in each
# of the others.
load helper

TOP=$BATS_TEST_DIRNAME/../..

setup() {
	TMP=$(mktemp -d)
	mkdir -p "$TMP/tree/tests"
	cp -r "$TOP/lib" "$TOP/tools" "$TMP/tree/"
	cp "$TOP/tests/layering.sh" "$TMP/tree/tests/"
}

teardown() {
	rm -rf "$TMP"
}

@test "layering: this tree's includes run forward through lib/STAGES, with no loop" {
	run "$TMP/tree/tests/layering.sh" "$TMP/tree" "$TMP/no-build"
	assert_success
	assert_output --regexp '^layering: [0-9]+ edges between [0-9]+ files, all forward, no loops$'
}

@test "layering: an include of a later stage is a back-edge, named with the file" {
	printf '#include "model/state.h"\n' >>"$TMP/tree/lib/base/util.c"
	run "$TMP/tree/tests/layering.sh" "$TMP/tree" "$TMP/no-build"
	assert_failure 1
	assert_line "back-edge: lib/base/util uses the later lib/model/state (include:lib/base/util.c)"
	assert_line --regexp '^layering: [0-9]+ problem\(s\)' 
}

@test "layering: lib using tools is a back-edge" {
	printf '#include "../../tools/kho-inspect/kho-inspect.h"\n' >>"$TMP/tree/lib/view/tree.c"
	run "$TMP/tree/tests/layering.sh" "$TMP/tree" "$TMP/no-build"
	assert_failure 1
	assert_line "back-edge: lib/view/tree uses the later tools/kho-inspect/kho-inspect (include:lib/view/tree.c)"
}

@test "layering: two modules of one stage using each other are a loop" {
	printf '#include "decode/raw.h"\n' >>"$TMP/tree/lib/decode/fdt.h"
	printf '#include "decode/fdt.h"\n' >>"$TMP/tree/lib/decode/raw.c"
	run "$TMP/tree/tests/layering.sh" "$TMP/tree" "$TMP/no-build"
	assert_failure 1
	assert_output --regexp 'loop between modules: .*lib/decode/(fdt|raw) .*lib/decode/(raw|fdt)'
}

@test "layering: a call into a later stage is a back-edge even without an include" {
	mkdir -p "$TMP/obj/lib/base" "$TMP/obj/lib/model"
	printf 'int kt_later(void) { return 1; }\n' >"$TMP/tree/lib/model/later.c"
	printf 'int kt_later(void);\nint kt_early(void) { return kt_later(); }\n' >"$TMP/tree/lib/base/early.c"
	cc -c "$TMP/tree/lib/model/later.c" -o "$TMP/obj/lib/model/later.o"
	cc -c "$TMP/tree/lib/base/early.c" -o "$TMP/obj/lib/base/early.o"
	run "$TMP/tree/tests/layering.sh" "$TMP/tree" "$TMP/obj"
	assert_failure 1
	assert_line "back-edge: lib/base/early uses the later lib/model/later (call:kt_later)"
}
