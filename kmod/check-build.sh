#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build vioreq.ko with W=1 and sparse (C=1) in a copy of kmod/ and fail on
# any warning, compiler or sparse, in the module or in the core it
# compiles. ctest runs it as kmod.build.
#
#   kmod/check-build.sh [WORKDIR]     (default build/kmod-build)
#
# Exits 77 (ctest: skipped) when no kernel build tree or no sparse is
# installed (scripts/install-deps.sh installs both).
set -euo pipefail

here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
top="$(readlink -f "$here/..")"
work="$(readlink -m "${1:-$top/build/kmod-build}")"

kdir="${KDIR:-$(ls -d /lib/modules/"$(uname -r)"/build 2>/dev/null ||
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)}"
if [[ -z "$kdir" || ! -f "$kdir/Makefile" ]]; then
	echo "kmod.build: no kernel build tree (install linux-headers-amd64): skipped"
	exit 77
fi
if ! command -v sparse >/dev/null; then
	echo "kmod.build: sparse not installed: skipped"
	exit 77
fi

# A copy, so that neither the source tree nor a concurrent build is touched;
# core/ beside it, as kmod/Kbuild expects ../core.
mkdir -p "$work/kmod"
ln -sfn "$top/core" "$work/core"
(cd "$here" && find . -path ./core -prune -o -type f \
	\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
	! -name '*.mod.c' -print0 | xargs -0 cp -p --parents -t "$work/kmod")

log="$work/build.log"
echo "kmod.build: make W=1 C=2 against $kdir (log $log)"
if ! make -C "$work/kmod" KDIR="$kdir" W=1 C=2 -j2 >"$log" 2>&1; then
	tail -n 40 "$log"
	echo "kmod.build: FAILED: the build failed"
	exit 1
fi
# C=2 checks every file, built or not. Kernel headers themselves are quiet
# with this toolchain, so any warning is ours or the core's.
if grep -E 'warning:|error:' "$log"; then
	echo "kmod.build: FAILED: warnings (above)"
	exit 1
fi

# The acrn backend is built only where the kernel has CONFIG_ACRN_GUEST,
# which Debian's has not. Compile it, and hsm_dev.c that chooses it, as if
# the kernel had it: objects only, as this kernel exports no ACRN upcall
# hooks to link against. A copy of its own keeps the objects above as
# they are.
acrn="$work/kmod-acrn"
rm -rf "$acrn"
cp -a "$work/kmod" "$acrn"
acrn_log="$work/build-acrn.log"
if ! make -C "$kdir" M="$acrn" W=1 C=2 KCFLAGS=-DCONFIG_ACRN_GUEST=1 \
	backend_acrn.o hsm_dev.o >"$acrn_log" 2>&1; then
	tail -n 40 "$acrn_log"
	echo "kmod.build: FAILED: the acrn backend does not compile"
	exit 1
fi
if grep -E 'warning:|error:' "$acrn_log"; then
	echo "kmod.build: FAILED: warnings in the acrn backend (above)"
	exit 1
fi
echo "kmod.build: vioreq.ko built, W=1 and sparse clean;" \
	"acrn backend compiles clean with CONFIG_ACRN_GUEST"
