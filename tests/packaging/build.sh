#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# packaging.build: the Debian packages, built the way a packager builds
# them, and lintian on them.
#
#   tests/packaging/build.sh [WORK]      (default build/packaging)
#
# Copies the source tree (git's tracked and untracked-but-not-ignored
# files) to WORK/src/vioreq-VERSION, so that dpkg-buildpackage writes its
# ../*.deb there and never into the checkout, runs
# `dpkg-buildpackage -us -uc -b` in it, then `lintian` on the .changes,
# failing on any error (warnings are printed). The .debs go to WORK/debs
# for the other packaging.* tests. Exits 77 without dpkg-buildpackage,
# debhelper, dh_dkms or lintian.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

need_tools dpkg-buildpackage dpkg-parsechangelog dh dh_dkms lintian
[[ -n "$deb_version" ]] || die "cannot read debian/changelog"

t0=$SECONDS
src="$work/src/vioreq-$upstream_version"
rm -rf "$work/src" "$debs"
mkdir -p "$src" "$debs"

# The tree as a clean checkout (plus files not committed yet) would have
# it: no build directories, no ignored files.
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[[ -e "$f" || -L "$f" ]] && printf '%s\0' "$f"
		done | tar --null -T - -cf -) | tar -xf - -C "$src"
else
	(cd "$top" && find . -path './build*' -prune -o -path ./.git -prune \
		-o \( -type f -o -type l \) -print0 | tar --null -T - -cf -) |
		tar -xf - -C "$src"
fi
say "source tree copied to $src ($((SECONDS - t0)) s)"

log="$work/dpkg-buildpackage.log"
t1=$SECONDS
if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
	pass packaging.dpkg_buildpackage
else
	tail -n 40 "$log"
	fail packaging.dpkg_buildpackage "failed (log: $log)"
	finish
fi
say "dpkg-buildpackage took $((SECONDS - t1)) s (log $log)"

changes="$work/src/vioreq_${deb_version}_${deb_arch}.changes"
[[ -f "$changes" ]] || die "no $changes"
for p in vioreq-dkms libvioreq0 libvioreq-dev vioreq-tools; do
	f="$work/src/$(basename "$(deb_file "$p")")"
	if [[ -f "$f" ]]; then
		cp "$f" "$debs/"
		pass "packaging.deb.$p"
	else
		fail "packaging.deb.$p" "dpkg-buildpackage made no $(basename "$f")"
	fi
done

# lintian: errors fail, everything else is shown. Root is warned about,
# not refused.
t2=$SECONDS
lintian_out="$work/lintian.txt"
set +e
lintian --fail-on error --display-info --tag-display-limit 0 "$changes" \
	>"$lintian_out" 2>&1
lintian_rc=$?
set -e
sed 's/^/    /' "$lintian_out"
say "lintian took $((SECONDS - t2)) s"
if ((lintian_rc == 0)) && ! grep -q '^E: ' "$lintian_out"; then
	pass packaging.lintian
else
	fail packaging.lintian "exit $lintian_rc, $(grep -c '^E: ' "$lintian_out") error(s) (above)"
fi
say "took $((SECONDS - t0)) s"
finish
