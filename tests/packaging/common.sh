# SPDX-License-Identifier: MIT
# Shared by the tests/packaging/*.sh scripts (sourced, not run).
#
# Every script takes the work directory (ctest: build/packaging) as $1 and
# exits 0 (pass), 1 (fail) or 77 (skipped: a tool is missing). Each prints
# `PASS name` / `FAIL name: reason` per check and a last line
# `packaging.NAME: N passed, M failed`.

here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
top="$(readlink -f "$here/../..")"
work="$(readlink -m "${1:-$top/build/packaging}")"
debs="$work/debs"

_passed=0
_failed=0
_suite="packaging.$(basename "$0" .sh)"

say() { printf '%s: %s\n' "$_suite" "$*"; }
pass() { echo "PASS $1"; _passed=$((_passed + 1)); }
fail() { echo "FAIL $1: $2"; _failed=$((_failed + 1)); }
# check NAME COMMAND...: PASS when the command succeeds, else FAIL with its
# last output lines.
check() {
	local name="$1" out
	shift
	if out="$("$@" 2>&1)"; then
		pass "$name"
	else
		fail "$name" "$(tail -n 5 <<<"$out" | tr '\n' ' ')"
	fi
}
finish() {
	echo "$_suite: $_passed passed, $_failed failed"
	((_failed == 0 && _passed > 0))
	exit $?
}
# skip REASON: exit 77, which ctest reports as skipped.
skip() {
	echo "$_suite: skipped: $*"
	exit 77
}
die() {
	fail "$_suite.harness" "$*"
	finish
}
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || skip "$t not found (scripts/install-deps.sh installs it)"
	done
}

# Every packaging test skips without the packaging tools, so that all of
# them skip together when packaging.build does.
need_tools dpkg-buildpackage dpkg-parsechangelog dpkg-architecture dh \
	dh_dkms lintian dkms

# The version the packages carry: debian/changelog's, whose upstream part
# must be the CMake project's (checked by packaging.contents).
deb_version="$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version 2>/dev/null || true)"
upstream_version="${deb_version%-*}"
deb_arch="$(dpkg --print-architecture 2>/dev/null || true)"
multiarch="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || true)"

# The packages packaging.build leaves in $debs.
deb_file() {
	local pkg="$1" arch="$deb_arch"
	[[ "$pkg" == vioreq-dkms ]] && arch=all
	echo "$debs/${pkg}_${deb_version}_${arch}.deb"
}
need_debs() {
	local p
	for p in vioreq-dkms libvioreq0 libvioreq-dev vioreq-tools; do
		[[ -f "$(deb_file "$p")" ]] ||
			die "$(deb_file "$p") missing: packaging.build did not run or failed"
	done
}

# The kernel releases whose headers are installed (a Kbuild tree under
# /lib/modules/RELEASE/build), newest last.
kernels_with_headers() {
	local d
	for d in /lib/modules/*/build; do
		[[ -f "$d/Makefile" ]] && basename "$(dirname "$d")"
	done | sort -V
}
