#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Assemble the source tree DKMS builds vioreq.ko from:
#
#   packaging/dkms-tree.sh DEST
#
# copies into DEST (e.g. debian/vioreq-dkms/usr/src/vioreq-0.1.0) the files
# kmod/Kbuild compiles, from this checkout, with the checkout's layout:
# kmod/ (Kbuild, Makefile, *.c, *.h, shim/, include/) and core/ (src/*.c,
# include/vioreq/*.h, logic/*.acsl, which the core's headers include).
# Nothing is kept by hand in a second place: the package build runs this.
# Not copied: kmod/tests/ (guest test programs), kmod/check-build.sh and
# build products. dkms.conf is installed beside them by dh_dkms.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DEST" >&2
	exit 2
fi
top="$(cd "$(dirname "$0")/.." && pwd)"
dest="$1"

# copy SUBDIR PATTERN...: the files of $top/SUBDIR matching PATTERN, which
# must match at least one file each.
copy() {
	sub="$1"
	shift
	mkdir -p "$dest/$sub"
	for pat in "$@"; do
		found=0
		for f in "$top/$sub"/$pat; do
			[ -f "$f" ] || continue
			install -m 0644 "$f" "$dest/$sub/"
			found=1
		done
		if [ "$found" -eq 0 ]; then
			echo "$0: no $sub/$pat in $top" >&2
			exit 1
		fi
	done
}

copy kmod Kbuild Makefile '*.c' '*.h'
copy kmod/shim '*.h'
copy kmod/include/uapi '*.h'
copy core/src '*.c'
copy core/include/vioreq '*.h'
copy core/logic '*.acsl'
