#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# packaging.contents: what the packages from packaging.build hold.
#
#   tests/packaging/contents.sh [WORK]
#
# Unpacks the four .debs (dpkg -x) into WORK/contents/root and checks:
# versions agree (debian/changelog, CMakeLists.txt project(), dkms.conf as
# installed); vioreq-dkms holds exactly the files packaging/dkms-tree.sh
# takes from kmod/ and core/, byte for byte, the udev rule, the modprobe
# options (a conffile) and the operator docs; libvioreq0 holds
# libvioreq.so.0 with SONAME libvioreq.so.0, exporting only vioreq_*
# symbols (version VIOREQ_0), and shlibs/symbols files; libvioreq-dev holds
# every public header, the ACSL files they include, the .so link,
# vioreq.pc and the CMake package; every header compiles on its own with
# the flags pkg-config gives; vioreq-tools holds both programs (they run)
# and their man pages (which render without warnings).
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

need_tools dpkg-deb dpkg-parsechangelog pkg-config gcc readelf
need_debs

root="$work/contents/root"
ctl="$work/contents/control"
rm -rf "$work/contents"
mkdir -p "$root" "$ctl"
for p in vioreq-dkms libvioreq0 libvioreq-dev vioreq-tools; do
	dpkg-deb -x "$(deb_file "$p")" "$root"
	dpkg-deb -e "$(deb_file "$p")" "$ctl/$p"
done
libdir="$root/usr/lib/$multiarch"
dkms_src="$root/usr/src/vioreq-$upstream_version"

# ------------------------------------------------------------- versions
cmake_version="$(sed -n 's/^project(vioreq VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")"
check packaging.version.cmake_is_changelog test "$cmake_version" = "$upstream_version"
check packaging.version.dkms_conf grep -qx "PACKAGE_VERSION=\"$upstream_version\"" "$dkms_src/dkms.conf"

# ---------------------------------------------------------- vioreq-dkms
# The tree DKMS builds: exactly what dkms-tree.sh copies, and equal to
# the checkout's files.
expected="$(cd "$top" && ls -1 kmod/Kbuild kmod/Makefile kmod/*.c kmod/*.h \
	kmod/shim/*.h kmod/include/uapi/*.h core/src/*.c \
	core/include/vioreq/*.h core/logic/*.acsl | sort)"
actual="$(cd "$dkms_src" && find . -type f ! -name dkms.conf | sed 's|^\./||' | sort)"
if [[ "$expected" == "$actual" ]]; then
	pass packaging.dkms_tree.file_list
else
	fail packaging.dkms_tree.file_list "$(diff <(echo "$expected") <(echo "$actual") | grep '^[<>]' | head -n 5 | tr '\n' ' ')"
fi
stale=""
while IFS= read -r f; do
	cmp -s "$top/$f" "$dkms_src/$f" || stale="$stale $f"
done <<<"$expected"
check packaging.dkms_tree.same_as_checkout test -z "$stale"
for key in 'PACKAGE_NAME="vioreq"' 'BUILT_MODULE_NAME\[0\]="vioreq"' \
	'BUILT_MODULE_LOCATION\[0\]="kmod/"' 'AUTOINSTALL="yes"'; do
	check "packaging.dkms_conf.${key%%=*}" grep -qx "$key" "$dkms_src/dkms.conf"
done
check packaging.dkms.depends grep -q '^Depends:.*dkms' "$ctl/vioreq-dkms/control"
check packaging.dkms.postinst_dkms grep -q 'common.postinst' "$ctl/vioreq-dkms/postinst"
check packaging.dkms.prerm_dkms grep -q 'dkms remove' "$ctl/vioreq-dkms/prerm"
check packaging.dkms.postinst_group grep -q 'addgroup --system --quiet vioreq' "$ctl/vioreq-dkms/postinst"
rules="$root/lib/udev/rules.d/60-vioreq.rules"
check packaging.udev.rule_installed cmp -s "$top/packaging/udev/60-vioreq.rules" "$rules"
# Both device names the module registers, each root:vioreq 0660.
for dev in acrn_hsm vioreq_sim; do
	grep -q "\.name[[:space:]]*= \"$dev\"" "$top"/kmod/*.c ||
		fail "packaging.udev.$dev" "kmod/ registers no misc device $dev"
	check "packaging.udev.$dev" grep -Eq \
		"^SUBSYSTEM==\"misc\", KERNEL==\"$dev\", OWNER=\"root\", GROUP=\"vioreq\", MODE=\"0660\"$" "$rules"
done
check packaging.modprobe_conf.installed cmp -s "$top/packaging/modprobe/vioreq.conf" "$root/etc/modprobe.d/vioreq.conf"
check packaging.modprobe_conf.conffile grep -qx /etc/modprobe.d/vioreq.conf "$ctl/vioreq-dkms/conffiles"
# Options only in comments: loading stays the module's default until an
# operator chooses.
check packaging.modprobe_conf.no_active_option test -z "$(grep -v '^#' "$root/etc/modprobe.d/vioreq.conf" | grep -v '^[[:space:]]*$' || true)"
check packaging.docs.operators cmp -s "$top/docs/operators.md" \
	<(zcat -f "$(ls "$root"/usr/share/doc/vioreq-dkms/operators.md* | head -n 1)")

# ----------------------------------------------------------- libvioreq0
so="$libdir/libvioreq.so.$upstream_version"
check packaging.lib.file test -f "$so"
check packaging.lib.soname_link test "$(readlink "$libdir/libvioreq.so.0")" = "libvioreq.so.$upstream_version"
check packaging.lib.soname test "$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" = libvioreq.so.0
# Exported: vioreq_* only, all in version node VIOREQ_0.
exports="$(readelf --dyn-syms -W "$so" | awk '$5 == "GLOBAL" && $7 != "UND" {print $8}' | grep -v '^VIOREQ_0$')"
check packaging.lib.exports_vioreq_only test -z "$(grep -v '^vioreq_.*@@VIOREQ_0$' <<<"$exports" || true)"
for sym in vioreq_rt_create_vm vioreq_rt_attach vioreq_local_backend vioreq_kernel_backend vioreq_dispatch; do
	check "packaging.lib.exports.$sym" grep -qx "$sym@@VIOREQ_0" <<<"$exports"
done
check packaging.lib.shlibs grep -qx "libvioreq 0 libvioreq0 (>= $upstream_version)" "$ctl/libvioreq0/shlibs"
check packaging.lib.symbols_file grep -qx ' vioreq_rt_create_vm@VIOREQ_0 [0-9.]*' "$ctl/libvioreq0/symbols"
check packaging.lib.only_runtime test -z "$(dpkg-deb -c "$(deb_file libvioreq0)" | awk '{print $6}' | grep -Ev '^\./(usr/(lib/'"$multiarch"'/libvioreq\.so\.0.*|share/doc/libvioreq0/.*)|.*/)?$' || true)"

# -------------------------------------------------------- libvioreq-dev
inc="$root/usr/include/vioreq/include"
check packaging.dev.so_link test "$(readlink "$libdir/libvioreq.so")" = libvioreq.so.0
expected_h="$(cd "$top" && ls -1 core/include/vioreq/*.h userspace/include/vioreq/*.h | xargs -n1 basename | sort)"
check packaging.dev.headers test "$expected_h" = "$(ls -1 "$inc/vioreq" | sort)"
check packaging.dev.acsl test "$(cd "$top/core/logic" && ls -1 *.acsl)" = "$(ls -1 "$root/usr/include/vioreq/logic")"
for f in pkgconfig/vioreq.pc cmake/vioreq/vioreqConfig.cmake \
	cmake/vioreq/vioreqConfigVersion.cmake cmake/vioreq/vioreqTargets.cmake; do
	check "packaging.dev.$(basename "$f")" test -f "$libdir/$f"
done
pc=(env PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$libdir/pkgconfig" pkg-config)
check packaging.dev.pc_version test "$("${pc[@]}" --modversion vioreq)" = "$upstream_version"
check packaging.dev.pc_cflags test "$("${pc[@]}" --cflags vioreq | xargs)" = "-I$root/usr/include/vioreq/include"
cflags="$("${pc[@]}" --cflags vioreq)"
# Each header alone, first in its translation unit, as C11 and GNU C11.
for h in $expected_h; do
	for std in c11 gnu11; do
		check "packaging.dev.header_standalone.$h.$std" gcc -std=$std \
			-Wall -Wextra -Werror -fsyntax-only $cflags -x c - \
			<<<"#include <vioreq/$h>"
	done
done

# ---------------------------------------------------------- vioreq-tools
for prog in vioreq-sim vioreq-bench; do
	check "packaging.tools.$prog" test -x "$root/usr/bin/$prog"
	man="$root/usr/share/man/man1/$prog.1.gz"
	check "packaging.tools.$prog.man" test -f "$man"
	if command -v man >/dev/null; then
		check "packaging.tools.$prog.man_renders" bash -c \
			"out=\$(MANWIDTH=80 man --warnings -l '$man' 2>&1 >/dev/null); [[ -z \$out ]] || { echo \"\$out\"; exit 1; }"
	fi
done
check packaging.tools.sim_help "$root/usr/bin/vioreq-sim" --help
check packaging.tools.sim_runs "$root/usr/bin/vioreq-sim" --requests 500
check packaging.tools.depends grep -q '^Depends:.*libc6' "$ctl/vioreq-tools/control"

finish
