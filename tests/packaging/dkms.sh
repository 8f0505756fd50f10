#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# packaging.dkms: DKMS builds vioreq.ko from the packaged source for every
# kernel whose headers are installed, and builds the module the Kbuild
# build of the checkout builds.
#
#   tests/packaging/dkms.sh [WORK]
#
# In a sandbox (sandbox.sh: an overlay of / in a private mount namespace,
# nothing reaches the machine), for each RELEASE with /lib/modules/RELEASE/
# build: unpack vioreq-dkms (dpkg -x), `dkms add` its /usr/src tree and
# `dkms build -j 1 -k RELEASE`; then copy the checkout's kmod/ (core/
# linked beside it, as kmod/check-build.sh does) to the directory DKMS
# built in and run `make -C kmod KDIR=/lib/modules/RELEASE/build` there.
# modcompare.py then compares the two modules: modinfo fields, symbol
# tables, sections and, once the DKMS signature is cut off and the Kbuild
# module is stripped as DKMS strips, the bytes (its docstring says why
# both builds need the same directory).
set -euo pipefail
here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
source "$here/sandbox.sh"
sandbox_private_ns "$0" "$@"
source "$here/common.sh"

need_tools dkms dpkg-deb chroot make gcc strip nm readelf modinfo python3
need_debs

mapfile -t releases < <(kernels_with_headers)
((${#releases[@]})) || skip "no kernel headers installed (linux-headers-amd64)"

dw="$work/dkms"
rm -rf "$dw"
mkdir -p "$dw"
sandbox_setup "$dw/sandbox" "${releases[-1]}"
pkgsrc=/var/tmp/vioreq-dkms-pkg
dpkg-deb -x "$(deb_file vioreq-dkms)" "$sandbox_root$pkgsrc"
mv_args=(-m vioreq -v "$upstream_version")
tree=(--sourcetree "$pkgsrc/usr/src")

if sandbox_run dkms add "${mv_args[@]}" "${tree[@]}" >"$dw/add.log" 2>&1; then
	pass packaging.dkms.add
else
	cat "$dw/add.log"
	fail packaging.dkms.add "dkms add failed"
	finish
fi

build_dir="/var/lib/dkms/vioreq/$upstream_version/build"
for rel in "${releases[@]}"; do
	t0=$SECONDS
	out="$dw/$rel"
	mkdir -p "$out"
	# -j 1: one job, the way the test suite's other module builds run.
	if sandbox_run dkms build -j 1 "${mv_args[@]}" "${tree[@]}" -k "$rel" \
		>"$out/dkms-build.log" 2>&1; then
		pass "packaging.dkms.$rel.build"
	else
		cat "$out/dkms-build.log"
		cat "$sandbox_root/var/lib/dkms/vioreq/$upstream_version/build/make.log" 2>/dev/null | tail -n 30 || true
		fail "packaging.dkms.$rel.build" "dkms build failed"
		continue
	fi
	arch_dir="$sandbox_root/var/lib/dkms/vioreq/$upstream_version/$rel/$(uname -m)"
	cp "$arch_dir/log/make.log" "$out/dkms-make.log"
	if ! cp "$arch_dir/module/vioreq.ko" "$out/dkms.ko"; then
		fail "packaging.dkms.$rel.module" "no vioreq.ko in $arch_dir/module"
		continue
	fi
	check "packaging.dkms.$rel.status" grep -q "^vioreq/$upstream_version, $rel, .*: built" \
		<(sandbox_run dkms status "${mv_args[@]}" -k "$rel")
	say "dkms build for $rel took $((SECONDS - t0)) s"

	# The Kbuild build of the checkout, where DKMS built (it removed its
	# build directory when done).
	t1=$SECONDS
	kb="$sandbox_root$build_dir"
	rm -rf "$kb"
	mkdir -p "$kb/kmod" "$kb/core"
	# Copied, not linked: the sandbox has its own /tmp, so a link into a
	# checkout under /tmp would dangle there.
	cp -a "$top/core/src" "$top/core/include" "$top/core/logic" "$kb/core/"
	(cd "$top/kmod" && find . -path ./core -prune -o -path ./tests -prune -o \
		-type f \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
		! -name '*.mod.c' -print0 | xargs -0 cp -p --parents -t "$kb/kmod")
	if sandbox_run make -C "$build_dir/kmod" KDIR="/lib/modules/$rel/build" \
		>"$out/kbuild.log" 2>&1; then
		pass "packaging.dkms.$rel.kbuild"
		cp "$kb/kmod/vioreq.ko" "$out/kbuild.ko"
	else
		tail -n 30 "$out/kbuild.log"
		fail "packaging.dkms.$rel.kbuild" "make -C kmod failed"
		continue
	fi
	rm -rf "$kb"
	say "Kbuild build for $rel took $((SECONDS - t1)) s"

	# Four verdicts (modinfo, symbols, sections, bytes) and exit code 0,
	# or the comparison itself broke (a tool failed, say): that fails too.
	cmp_rc=0
	python3 "$here/modcompare.py" "$out/dkms.ko" "$out/kbuild.ko" \
		>"$out/modcompare.log" 2>&1 || cmp_rc=$?
	verdicts=0
	while IFS= read -r line; do
		case "$line" in
		PASS\ *) verdicts=$((verdicts + 1)); pass "packaging.dkms.$rel.same.${line#PASS }" ;;
		FAIL\ *) verdicts=$((verdicts + 1)); name="${line#FAIL }"; fail "packaging.dkms.$rel.same.${name%%:*}" "${name#*: }" ;;
		*) echo "$line" ;;
		esac
	done <"$out/modcompare.log"
	if ((verdicts != 4)); then
		fail "packaging.dkms.$rel.same" "modcompare.py gave $verdicts of 4 verdicts (exit code $cmp_rc)"
	elif ((cmp_rc != 0)) && ! grep -q '^FAIL ' "$out/modcompare.log"; then
		fail "packaging.dkms.$rel.same" "modcompare.py exited $cmp_rc with no FAIL line"
	fi
done

if sandbox_run dkms remove "${mv_args[@]}" --all >"$dw/remove.log" 2>&1 &&
	[[ ! -e "$sandbox_root/var/lib/dkms/vioreq" ]]; then
	pass packaging.dkms.remove
else
	cat "$dw/remove.log"
	fail packaging.dkms.remove "dkms remove left /var/lib/dkms/vioreq"
fi
finish
