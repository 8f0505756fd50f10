#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# packaging.consumer: an out-of-tree program (consumer/consumer.c: one port
# I/O read through libvioreq's local backend) built against the packaged
# library, unpacked (dpkg -x libvioreq0 and libvioreq-dev) into
# WORK/consumer/root, not installed:
#
#   1. gcc with `pkg-config --cflags --libs vioreq` (PKG_CONFIG_SYSROOT_DIR
#      and PKG_CONFIG_LIBDIR pointed at the unpacked tree);
#   2. CMake, consumer/CMakeLists.txt: find_package(vioreq 0.1 REQUIRED),
#      target vioreq::vioreq, with CMAKE_PREFIX_PATH at the unpacked /usr.
#
# Each program must find libvioreq.so.0 in the unpacked tree and print
# "consumer: ok".
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

need_tools dpkg-deb pkg-config gcc cmake ldd
need_debs

cw="$work/consumer"
root="$cw/root"
rm -rf "$cw"
mkdir -p "$root"
for p in libvioreq0 libvioreq-dev; do
	dpkg-deb -x "$(deb_file "$p")" "$root"
done
libdir="$root/usr/lib/$multiarch"

# run_consumer NAME PROGRAM [ENV...]: it runs against the unpacked library.
run_consumer() {
	local name="$1" prog="$2" out
	shift 2
	if ! out="$(env "$@" ldd "$prog" 2>&1)" ||
		! grep -q "libvioreq.so.0 => $libdir/libvioreq.so.0 " <<<"$out"; then
		fail "$name.links_unpacked" "$(grep libvioreq <<<"$out" || echo "no libvioreq in ldd output")"
	else
		pass "$name.links_unpacked"
	fi
	if out="$(env "$@" "$prog" 2>&1)" && [[ "$out" == "consumer: ok" ]]; then
		pass "$name.runs"
	else
		fail "$name.runs" "$out"
	fi
}

# --------------------------------------------------------------- pkg-config
pc=(env PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$libdir/pkgconfig" pkg-config)
if flags="$("${pc[@]}" --cflags --libs vioreq 2>&1)"; then
	pass packaging.consumer.pkg_config
	say "pkg-config --cflags --libs vioreq: $flags"
	# shellcheck disable=SC2086 # flags are words
	if out="$(gcc -std=c11 -Wall -Wextra -Werror -o "$cw/consumer-pc" \
		"$here/consumer/consumer.c" $flags 2>&1)"; then
		pass packaging.consumer.pkg_config.build
		run_consumer packaging.consumer.pkg_config "$cw/consumer-pc" \
			LD_LIBRARY_PATH="$libdir"
	else
		fail packaging.consumer.pkg_config.build "$out"
	fi
else
	fail packaging.consumer.pkg_config "$flags"
fi

# -------------------------------------------------------------------- CMake
log="$cw/cmake.log"
if cmake -S "$here/consumer" -B "$cw/cmake" -DCMAKE_PREFIX_PATH="$root/usr" \
	>"$log" 2>&1 && cmake --build "$cw/cmake" >>"$log" 2>&1; then
	pass packaging.consumer.cmake.build
	found="$(sed -n 's/^vioreq_DIR:PATH=//p' "$cw/cmake/CMakeCache.txt")"
	check packaging.consumer.cmake.found_unpacked test "$found" = "$libdir/cmake/vioreq"
	# CMake's build tree RUNPATH names the unpacked library directory.
	run_consumer packaging.consumer.cmake "$cw/cmake/consumer"
else
	tail -n 20 "$log"
	fail packaging.consumer.cmake.build "see $log"
fi

finish
