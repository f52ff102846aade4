#!/bin/sh
# The layering check: every include and every call between the project's C files runs
# forward through the stages of lib/STAGES (then tools/), and no two modules (a .c with
# its .h) use each other, directly or through others.
#   layering.sh [TOP [OBJDIR]]     TOP: the tree (default: this checkout); OBJDIR: its
#                                  build (default TOP/build), whose objects give the calls.
# Prints each offending edge or loop and exits 1; exits 0 when the layering holds.
set -eu
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
obj=${2:-$top/build}
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Stage ranks: lib/<stage> by its line in lib/STAGES, tools/* after all of them.
grep -v '^#' lib/STAGES | awk 'NF { print $1, NR }' >"$tmp/ranks"

# A module is a path without its extension: lib/decode/fdt, tools/kho-inspect/main.
find lib tools -name '*.[ch]' | sort >"$tmp/files"

# Include edges: a header beside the includer (or a path from it), else "stage/x.h" under lib/.
while read -r f; do
	dir=${f%/*}
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
		if [ -f "$dir/$inc" ]; then
			target=$(realpath -m --relative-to=. "$dir/$inc")
		elif [ -f "lib/$inc" ]; then
			target=lib/$inc
		else
			continue # from elsewhere (bpf/, the generated skeleton): not a module of ours
		fi
		echo "${f%.[ch]} ${target%.[ch]} include:$f"
	done
done <"$tmp/files" >"$tmp/edges"

# Call edges: a symbol one object needs and another defines.
if [ -d "$obj/lib" ]; then
	find "$obj/lib" "$obj/tools" -name '*.o' 2>/dev/null | sort | while read -r o; do
		m=${o#"$obj"/}
		m=${m%.o}
		# An object whose source is gone (a file moved since the last build) says nothing.
		[ -f "$m.c" ] || continue
		nm --defined-only "$o" 2>/dev/null | awk -v m="$m" '$2 ~ /^[TDRB]$/ { print "def", $3, m }'
		nm -u "$o" 2>/dev/null | awk -v m="$m" '{ print "use", $2, m }'
	done >"$tmp/syms"
	awk '$1 == "def" { def[$2] = $3 } $1 == "use" { use[++n] = $2 " " $3 }
	     END { for (i = 1; i <= n; i++) { split(use[i], u, " "); if (u[1] in def && def[u[1]] != u[2])
	                  print u[2], def[u[1]], "call:" u[1] } }' "$tmp/syms" >>"$tmp/edges"
fi

# Forward only: rank(used) <= rank(user); lib never uses tools.
awk 'NR == FNR { rank[$1] = $2; n = NR; next }
     function r(m,   p) { split(m, p, "/"); if (p[1] == "tools") return n + 1; return (p[2] in rank) ? rank[p[2]] : -1 }
     $1 != $2 {
	ru = r($1); rt = r($2)
	if (ru < 0 || rt < 0) { print "unknown stage: " $1 " -> " $2 " (" $3 ")"; bad = 1; next }
	if (rt > ru) { print "back-edge: " $1 " uses the later " $2 " (" $3 ")"; bad = 1 }
     }
     END { exit bad }' "$tmp/ranks" "$tmp/edges" >"$tmp/report" || true

# No loops between modules.
awk '$1 != $2 { print $2, $1 }' "$tmp/edges" | sort -u | tsort >/dev/null 2>"$tmp/tsort" || true
if grep -q 'loop' "$tmp/tsort"; then
	# The first loop tsort found: the modules listed after its first "contains a loop".
	echo "loop between modules: $(awk '/contains a loop/ { n++; next } n == 1 { sub(/^tsort: /, ""); printf "%s ", $0 }' \
		"$tmp/tsort")" >>"$tmp/report"
fi

if [ -s "$tmp/report" ]; then
	sort -u "$tmp/report"
	echo "layering: $(sort -u "$tmp/report" | wc -l) problem(s) (stages: lib/STAGES)"
	exit 1
fi
echo "layering: $(awk '$1 != $2' "$tmp/edges" | wc -l) edges between $(wc -l <"$tmp/files") files, all forward, no loops"
