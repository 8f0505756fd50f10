#!/bin/sh
# SPDX-License-Identifier: MIT
# Instructions per range lookup, counted by callgrind (no timing involved).
#
#   userspace/bench/callgrind.sh BENCH [RANGES...]    (default: 8 4096)
#
# Runs BENCH --only lookup --ranges N --iterations I --impl X under
# valgrind --tool=callgrind, collecting only inside the measured loop, and
# prints the inclusive instruction count of the looked-up function per call.
set -eu
bench=$1
shift
[ $# -gt 0 ] || set -- 8 4096
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-8s %-8s %-26s %12s\n' ranges impl function Ir/lookup
for ranges in "$@"; do
	for impl in core hsm bsearch; do
		case $impl in
		core) fn=vioreq_route ;;
		hsm) fn=hsm_lookup ;;
		bsearch) fn=bsearch_lookup ;;
		esac
		iters=100000
		# The list walk costs thousands of instructions per lookup.
		[ "$impl" = hsm ] && [ "$ranges" -gt 512 ] && iters=10000
		valgrind --tool=callgrind --toggle-collect=lookup_loop \
			--callgrind-out-file="$out/cg.$impl.$ranges" \
			"$bench" --only lookup --ranges "$ranges" \
			--iterations "$iters" --impl "$impl" \
			>/dev/null 2>"$out/log"
		ir=$(callgrind_annotate --inclusive=yes "$out/cg.$impl.$ranges" |
			grep -E "[:]$fn " | head -1 | awk '{gsub(",", "", $1); print $1}')
		awk -v r="$ranges" -v i="$impl" -v f="$fn" -v ir="$ir" \
			-v n="$iters" \
			'BEGIN { printf "%-8s %-8s %-26s %12.1f\n", r, i, f, ir / n }'
	done
done
