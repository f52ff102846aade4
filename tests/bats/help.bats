#!/usr/bin/env bats
# kho-inspect's help, its man page and its bash completion agree: every command, each
# command's options and columns (as `kho-inspect COMMAND --help` lists them) are documented in
# the man page and offered by the completion, which completes session names from the state.

bats_require_minimum_version 1.5.0
load helper

setup() {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	# shellcheck disable=SC1091
	source /usr/share/bash-completion/bash_completion
	source "$BATS_TEST_DIRNAME/../../completion/kho-inspect"
	PATH=$KT_BIN:$PATH
	MAN=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$BATS_TEST_DIRNAME/../../man/kho-inspect.8")
}

# What the completion offers for a command line whose last word is being completed.
complete_line() { # WORD...
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_kho_inspect kho-inspect "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

# A section of `kho-inspect [CMD] --help`: its first words (commands, columns) or options.
help_words() { # CMD SECTION
	kho-inspect ${1:+"$1"} --help | awk -v s="$2" '/^[A-Z]/ { in_s = index($0, s) == 1; next }
		in_s && NF { print $1 }'
}
help_options() { # CMD
	kho-inspect ${1:+"$1"} --help | awk '/^[A-Z]/ { in_s = /^Options/; next } in_s' |
		grep -oE -- '(^|[ ,])--?[A-Za-z][a-z-]*' | tr -d ' ,' | sort -u
}

# The man page's section of a command: from its heading to the next command.
man_section() { # CMD
	printf '%s\n' "$MAN" | awk -v c="$1" '/^\.SH/ { in_c = 0 } /^\.TP$/ { in_c = 0; next }
		$0 ~ "^\\.B[IR]? " c "( |$)" { in_c = 1 } in_c'
}

@test "every command: in the man page, offered by the completion" {
	local cmds
	cmds=$(help_words "" Commands)
	[ "$(wc -w <<<"$cmds")" -ge 16 ]
	assert_equal "$(complete_line kho-inspect '')" "$(sort <<<"$cmds")"
	for c in $cmds; do
		[ -n "$(man_section "$c")" ] || fail "the man page has no section for $c"
	done
}

@test "each command's options: its --help, the man page and the completion agree" {
	local c o want got
	for c in "" $(help_words "" Commands); do
		want=$(help_options "$c")
		[ -n "$want" ] || fail "no options in $c --help"
		got=$(complete_line kho-inspect $c -)
		for o in $want; do
			printf '%s\n' "$MAN" | grep -qE -- "(^|[ \"])$o([ \",]|\$)" || fail "the man page lacks $o ($c)"
			grep -qx -- "$o" <<<"$got" || fail "completion of '$c -' lacks $o"
		done
	done
	# Options of another command are not offered.
	complete_line kho-inspect sessions --man | grep -q . && fail "sessions offers --manifest"
	complete_line kho-inspect save --fo | grep -q . && fail "save offers --folios"
	true
}

@test "each table's columns: its --help, its man page section and the completion agree" {
	local c col n=0
	for c in status sessions handlers flbs diff assert preflight compat; do
		for col in $(help_words "$c" Available); do
			n=$((n + 1))
			man_section "$c" | grep -qE "^\.IP \"$col\*?\"" || fail "man page section $c lacks column $col"
			complete_line kho-inspect "$c" -o '' | grep -qx "$col" || fail "completion of $c -o lacks $col"
			complete_line kho-inspect "$c" -s '' | grep -qx "$col" || fail "completion of $c -s lacks $col"
		done
	done
	[ "$n" -ge 40 ]
	# The last item of a list, and +LIST.
	assert_equal "$(complete_line kho-inspect sessions -o NAME,FI)" "NAME,FILES"
	assert_equal "$(complete_line kho-inspect sessions -o +PI)" "+PID"
}

@test "session names complete from the state read (-R), as the agent named them" {
	# The agent of the fixture's run created vm-0..vm-3 (fixtures/linux-7.3/README.md: sessions=4).
	assert_equal "$(complete_line kho-inspect -R "$FIX/saved/sessions.tar" assert session '')" \
		"$(printf 'vm-%s\n' 0 1 2 3)"
	assert_equal "$(complete_line kho-inspect -R "$FIX/saved/sessions.tar" assert session vm-2)" vm-2
}
