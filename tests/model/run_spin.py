#!/usr/bin/env python3
"""Run one Spin check of the vioreq model (spec/model/vioreq.pml).

Usage:
    run_spin.py CHECK [--work DIR] [--spin SPIN] [--cc CC]

CHECK is one of the names in CHECKS below. The script checks that the
generated tables spec/model/spec_gen.pml are fresh (spec/generate.py
--check), copies the model into DIR/CHECK, runs `spin -a`, compiles pan
with gcc and runs it, then parses pan's report:

- a "verified" check passes when pan reports "errors: 0" and a completed
  search (no "Search not completed", no depth or memory limit hit);
- an "expect_error" check (a deliberately broken model) passes only when
  pan reports "errors: N" with N > 0 and the error is the planted one
  (PLANTED below: the assertion or acceptance cycle that bug must cause).

Exit status 0 on pass, 1 on fail, 77 (ctest SKIP_RETURN_CODE) when spin or
the C compiler is missing. Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = ROOT / "spec" / "model"
MODEL = "vioreq.pml"

# pan memory limit (MB) and DFS depth; both checks below stay well inside.
MEMLIM = 2048
DEPTH = 100000

# The bounds of each check (spec/model/README.md): spin -D flags, pan
# compile flags, pan run flags, expectation. Without NREQ the model has
# 2 vCPUs x 2 requests, two range clients and the default client.
SMALL_HOSTILE = ["-DHOSTILE", "-DNREQ=1", "-DHOSTILE_WRITES=1", "-DONE_RANGE_CLIENT"]
SAFETY = ["-DSAFETY", "-DNOCLAIM", "-DCOLLAPSE"]
LIVENESS = ["-DCOLLAPSE", "-DNFAIR=4"]
CHECKS: dict[str, tuple[list[str], list[str], list[str], str]] = {
    # Assertions (ownership, exactly once, one owner) and invalid end
    # states (a request nobody completes), no hostile writer.
    "safety": ([], SAFETY, [], "verified"),
    # The hostile writer: the core acts only on known states it read once
    # and completes each request it took exactly once.
    "safety_hostile": (SMALL_HOSTILE, SAFETY, [], "verified"),
    # LTL `completes` under weak fairness: every request is completed.
    "liveness": (["-DNREQ=1"], LIVENESS, ["-a", "-f", "-N", "completes"], "verified"),
    # vioreq_complete without the holder check: spin must find the error.
    "broken_complete": (["-DBROKEN_COMPLETE"], SAFETY, [], "expect_error"),
    # vioreq_complete re-reading the state for its transition: with the
    # hostile writer spin must find the core acting on a value it did not
    # check.
    "broken_reread": (SMALL_HOSTILE + ["-DBROKEN_REREAD"], SAFETY, [], "expect_error"),
    # Notifications dropped: the liveness check must fail (it is not
    # vacuous).
    "broken_notify": (["-DNREQ=1", "-DBROKEN_NOTIFY"], LIVENESS,
                      ["-a", "-f", "-N", "completes"], "expect_error"),
}


# What pan must report for each broken model: the planted bug, not any
# error. pan prints an assertion with the model's expression, macros
# expanded (ALLOWED(st, COMPLETE, SERVICE) becomes a disjunction over
# `st==...`); a liveness violation is an acceptance cycle.
PLANTED: dict[str, tuple[str, str]] = {
    "broken_complete": (r"assertion violated \(g_holder\[v\]==\d+\)",
                        "the holder assertion of core_complete"),
    "broken_reread": (r"assertion violated \(+st==",
                      "the allowed-transition assertion on the state read"),
    "broken_notify": (r"acceptance cycle", "an acceptance cycle of `completes`"),
}


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("check", choices=sorted(CHECKS))
    ap.add_argument("--work", type=Path, default=Path.cwd() / "model-spin")
    ap.add_argument("--spin", default="spin")
    ap.add_argument("--cc", default="gcc")
    args = ap.parse_args(argv)

    spin = shutil.which(args.spin)
    cc = shutil.which(args.cc)
    if spin is None or cc is None:
        print(f"SKIP: {args.spin if spin is None else args.cc} not found "
              "(scripts/install-deps.sh installs spin)")
        return 77

    fresh = run([sys.executable, str(ROOT / "spec" / "generate.py"), "--check"], ROOT)
    if fresh.returncode != 0:
        print(fresh.stderr, end="")
        print("FAIL: generated files are stale; run python3 spec/generate.py")
        return 1

    spin_defs, cc_defs, pan_flags, expect = CHECKS[args.check]
    work = args.work / args.check
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for f in (MODEL, "spec_gen.pml"):
        shutil.copy2(MODEL_DIR / f, work / f)

    t0 = time.monotonic()
    gen = run([spin, *spin_defs, "-a", MODEL], work)
    if gen.returncode != 0 or not (work / "pan.c").exists():
        print(gen.stdout + gen.stderr, end="")
        print("FAIL: spin -a failed")
        return 1
    comp = run([cc, "-O2", "-w", f"-DMEMLIM={MEMLIM}", *cc_defs, "-o", "pan", "pan.c"], work)
    if comp.returncode != 0:
        print(comp.stdout + comp.stderr, end="")
        print("FAIL: pan does not compile")
        return 1
    pan = run(["./pan", f"-m{DEPTH}", *pan_flags], work)
    elapsed = time.monotonic() - t0
    out = pan.stdout + pan.stderr
    (work / "pan.out").write_text(out)
    print(out, end="")

    m = re.search(r"errors: (\d+)", out)
    if m is None:
        print(f"FAIL: no 'errors:' line in pan's output ({work / 'pan.out'})")
        return 1
    errors = int(m.group(1))
    states = re.search(r"(\S+) states, stored", out)
    summary = (f"model.{args.check}: errors {errors}, "
               f"{states.group(1) if states else '?'} states, {elapsed:.1f} s")

    if expect == "expect_error":
        pattern, what = PLANTED[args.check]
        if errors > 0 and re.search(pattern, out):
            print(f"PASS: {summary}: spin found the planted bug ({what}), "
                  "as it must")
            return 0
        if errors > 0:
            print(f"FAIL: {summary}: spin found an error, but not {what} "
                  f"(pattern {pattern!r})")
            return 1
        print(f"FAIL: {summary}: spin did not find the planted bug")
        return 1

    incomplete = [s for s in ("Search not completed", "reached -DMEMLIM bound",
                              "max search depth too small") if s in out]
    if errors == 0 and not incomplete:
        print(f"PASS: {summary}")
        return 0
    why = f"errors {errors}" if errors else "; ".join(incomplete)
    if errors and (work / f"{MODEL}.trail").exists():
        trail = run([spin, *spin_defs, "-t", "-p", "-g", MODEL], work)
        (work / "trail.txt").write_text(trail.stdout + trail.stderr)
        print(f"counterexample: {work / 'trail.txt'}")
    print(f"FAIL: {summary}: {why}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
