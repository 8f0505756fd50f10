#!/usr/bin/env bash
# Quick start 2: install the dependencies, build vioreq (RelWithDebInfo)
# into build/ and run every test with ctest: unit tests, the ABI check
# against <linux/acrn.h>, the spec glue check and, once proofs/run_wp.py
# exists, the proof replay. Ends with a line `N passed, M failed`; exits
# non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

./scripts/install-deps.sh

echo "test: configuring build/ (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo --log-level=WARNING
echo "test: building"
cmake --build build -j "$(nproc)"

echo "test: running ctest"
ctest_log="$(mktemp /tmp/vioreq-ctest.XXXXXX.log)"
trap 'rm -f "$ctest_log"' EXIT
set +e
ctest --test-dir build --output-on-failure --no-tests=error -j2 2>&1 | tee "$ctest_log"
ctest_rc=${PIPESTATUS[0]}
set -e

# ctest: "67% tests passed, 1 tests failed out of 3"
summary="$(grep -Eo '[0-9]+ tests? failed out of [0-9]+' "$ctest_log" | tail -n 1 || true)"
if [[ -z "$summary" ]]; then
	echo "test: ctest printed no summary (exit code $ctest_rc)" >&2
	exit 1
fi
read -r failed _ _ _ _ total <<<"$summary"
# ctest lists each skipped test as "  12 - name (Skipped)".
skipped_names="$(grep -E '^[[:space:]]*[0-9]+ - .* \(Skipped\)$' "$ctest_log" |
	sed -E 's/^[[:space:]]*[0-9]+ - (.*) \(Skipped\)$/\1/' || true)"
skipped=0
if [[ -n "$skipped_names" ]]; then
	skipped=$(wc -l <<<"$skipped_names")
fi
echo "$((total - failed - skipped)) passed, $skipped skipped, $failed failed"

if ((ctest_rc != 0 || failed != 0)); then
	exit 1
fi
if ((skipped != 0)); then
	echo "test: skipped, so not run: $(tr '\n' ' ' <<<"$skipped_names")" >&2
	if [[ "${VIOREQ_ALLOW_SKIPS:-0}" != 1 ]]; then
		echo "test: a skipped test is a stage that did not run; install" \
			"what it names, or set VIOREQ_ALLOW_SKIPS=1 to accept it" >&2
		exit 1
	fi
fi
