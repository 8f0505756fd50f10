#!/bin/sh
# Run one libFuzzer harness for a while on its committed seeds, writing
# new corpus entries and crash artifacts under the build tree only.
#
#   tests/fuzz/run.sh FUZZER SEEDS WORKDIR SECONDS [libFuzzer options...]
#
# FUZZER   the harness binary (build/fuzz/fuzz_core_page, ...)
# SEEDS    its committed corpus (tests/fuzz/corpus/core_page/), read only
# WORKDIR  where the new corpus (WORKDIR/corpus/) and any crash, leak or
#          timeout input (WORKDIR/artifacts/) go
# SECONDS  how long to fuzz; 0 only replays SEEDS and WORKDIR/corpus
#
# Exits non-zero when the harness found anything (a violation traps, a
# sanitizer report aborts). Prints the last status line of libFuzzer
# (executions, exec/s, cov, ft) at the end.
set -eu
[ $# -ge 4 ] || { echo "usage: $0 FUZZER SEEDS WORKDIR SECONDS [options]" >&2; exit 2; }
fuzzer=$1 seeds=$2 work=$3 seconds=$4
shift 4
mkdir -p "$work/corpus" "$work/artifacts"
log="$work/last-run.log"
if [ "$seconds" -eq 0 ]; then
	set -- -runs=0 "$@"
else
	set -- -max_total_time="$seconds" "$@"
fi
# The first corpus directory gets the new entries; the seeds are only read.
rc=0
"$fuzzer" -timeout=10 -print_final_stats=1 -entropic_scale_per_exec_time=1 \
	-artifact_prefix="$work/artifacts/" "$@" \
	"$work/corpus" "$seeds" >"$log" 2>&1 || rc=$?
grep -E '^#[0-9]+[[:space:]]+(DONE|INITED|pulse|NEW|REDUCE)' "$log" | tail -n 1 || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$log" || true
if [ "$rc" -ne 0 ]; then
	echo "$(basename "$fuzzer"): FAILED (exit $rc); log: $log" >&2
	grep -E 'VIOLATION|ERROR: (AddressSanitizer|libFuzzer)|runtime error|SUMMARY|Test unit written' "$log" | head -n 20 >&2 || true
	exit 1
fi
echo "$(basename "$fuzzer"): no findings"
