#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run Frama-C WP over core/ with the pinned flag set and check the result.

Frama-C exits 0 even when goals stay unproved, so this script reads the JSON
report and decides. It fails when:
  - any goal is not proved;
  - the smoke-test pass finds a contract whose preconditions are
    contradictory or code that is dead under them;
  - core/ has an `admit` or an axiom, or declares a function it does not
    define (a contract taken on trust), that proofs/ASSUMPTIONS.md does not
    list with its reason;
  - with --check, a function of the committed proofs/summary.json has
    fewer goals proved than it records.

Usage (from anywhere):
  proofs/run_wp.py                       # replay the committed cache
  proofs/run_wp.py --cache update        # prove what is missing, keep it
  proofs/run_wp.py --cache none          # cold: ignore the cache
  proofs/run_wp.py --function vioreq_range_table_add
  proofs/run_wp.py --check               # also compare with summary.json
  proofs/run_wp.py --write-summary       # refresh proofs/summary.json
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROOFS = os.path.join(ROOT, "proofs")
CORE_SRC = os.path.join("core", "src")
CORE_INCLUDE = os.path.join("core", "include")
CACHE_DIR = os.path.join("proofs", "wp-cache")
SUMMARY = os.path.join(PROOFS, "summary.json")
ASSUMPTIONS = os.path.join(PROOFS, "ASSUMPTIONS.md")

# The pinned flag set; proofs/README.md gives the reason for each one.
KERNEL_FLAGS = [
    "-machdep", "x86_64", "-c11",
    "-warn-signed-overflow", "-warn-signed-downcast",
    "-warn-unsigned-overflow", "-warn-unsigned-downcast",
    "-cpp-extra-args=-I" + CORE_INCLUDE,
]
WP_FLAGS = [
    "-wp", "-wp-rte", "-wp-model", "Typed", "-wp-split",
    "-wp-prover", "z3,cvc4",
    "-wp-timeout", "40",
    "-wp-par", "2",
]
SMOKE_FLAGS = ["-wp-smoke-tests"]



def core_sources():
    return sorted(os.path.join(CORE_SRC, f)
                  for f in os.listdir(os.path.join(ROOT, CORE_SRC))
                  if f.endswith(".c"))


def run_frama_c(sources, functions, cache, out_dir, extra, tag, jobs=1):
    """Run one WP pass; return (report dict, log text, seconds).

    With jobs > 1 the sources are split into that many groups, each proved
    by its own Frama-C process (goal generation is single-threaded and
    dominates a cached replay); the reports are merged.
    """
    if jobs > 1 and len(sources) > 1:
        return run_parallel(sources, functions, cache, out_dir, extra, tag,
                            jobs)
    report = os.path.join(out_dir, tag + ".json")
    log_path = os.path.join(out_dir, tag + ".log")
    session = os.path.join(out_dir, tag + "-session")
    shutil.rmtree(session, ignore_errors=True)
    cmd = ["frama-c"] + KERNEL_FLAGS + WP_FLAGS + extra + [
        "-wp-session", session,
        "-wp-cache", cache,
        "-wp-cache-dir", CACHE_DIR,
        "-wp-report-json", report,
    ]
    if functions:
        cmd += ["-wp-fct", ",".join(functions)]
    cmd += sources
    env = dict(os.environ)
    env.pop("FRAMAC_WP_CACHE", None)
    env.pop("FRAMAC_WP_CACHEDIR", None)
    started = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=env)
        lines = []
        for line in proc.stdout:
            log.write(line)
            lines.append(line)
            if sys.stdout.isatty() and line.startswith("[wp] ["):
                print("\r  " + line.strip()[:100].ljust(100), end="",
                      flush=True)
        proc.wait()
    if sys.stdout.isatty():
        print("\r" + " " * 104 + "\r", end="")
    elapsed = time.monotonic() - started
    text = "".join(lines)
    if proc.returncode != 0 or not os.path.exists(report):
        sys.stderr.write(text[-4000:])
        raise SystemExit(f"frama-c failed (exit {proc.returncode}); "
                         f"log: {log_path}")
    with open(report) as f:
        return json.load(f), text, elapsed


def run_parallel(sources, functions, cache, out_dir, extra, tag, jobs):
    import concurrent.futures
    by_size = sorted(sources, key=lambda f: -os.path.getsize(
        os.path.join(ROOT, f)))
    groups = [[] for _ in range(jobs)]
    weights = [0] * jobs
    for f in by_size:
        k = weights.index(min(weights))
        groups[k].append(f)
        weights[k] += os.path.getsize(os.path.join(ROOT, f))
    groups = [g for g in groups if g]
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(len(groups)) as pool:
        results = list(pool.map(
            lambda ig: run_frama_c(sorted(ig[1]), functions, cache, out_dir,
                                   extra, f"{tag}{ig[0]}"),
            enumerate(groups)))
    merged = {"wp:functions": {}}
    for report, _, _ in results:
        merged["wp:functions"].update(report.get("wp:functions", {}))
    text = "".join(r[1] for r in results)
    return merged, text, time.monotonic() - started


def summarize(report):
    functions = {}
    for name, goals in report.get("wp:functions", {}).items():
        section = goals.get("wp:section", {}).get("wp:main", {})
        functions[name] = {"goals": section.get("total", 0),
                           "proved": section.get("valid", 0)}
    total = sum(f["goals"] for f in functions.values())
    proved = sum(f["proved"] for f in functions.values())
    return {"goals": total, "proved": proved,
            "functions": dict(sorted(functions.items()))}


def unproved_goals(report):
    bad = []
    for name, goals in report.get("wp:functions", {}).items():
        for goal, res in goals.items():
            if goal == "wp:section":
                continue
            main = res.get("wp:main", {})
            if main.get("valid", 0) != main.get("total", 0):
                bad.append(goal)
    return sorted(bad)


def smoke_findings(log_text):
    """Lines where WP proved a smoke goal: a doomed contract or dead code."""
    found = []
    for line in log_text.splitlines():
        if "smoke" in line.lower() and re.search(
                r"(Failed|Doomed|Dead|Unreachable|Warning)", line):
            found.append(line.strip())
    return found


# ------------------------------------------------------- assumption gate
ANNOT = re.compile(r"/\*@(.*?)\*/|//@(.*?)$", re.S | re.M)
PROTO = re.compile(r"^[a-z_][\w \*]*?\b(vioreq_\w+)\s*\(", re.M)
DEFN = re.compile(r"^[a-z_][\w \*]*?\b(\w+)\s*\([^;{]*\)\s*\{", re.M)


def assumption_gate():
    listed = open(ASSUMPTIONS).read() if os.path.exists(ASSUMPTIONS) else ""
    problems = []
    declared, defined = set(), set()
    for base, _, files in os.walk(os.path.join(ROOT, "core")):
        for f in files:
            path = os.path.join(base, f)
            rel = os.path.relpath(path, ROOT)
            text = open(path).read()
            for m in ANNOT.finditer(text):
                body = m.group(1) or m.group(2) or ""
                for kw in re.finditer(r"\b(admit|axiom)\b\s*(\w*)", body):
                    what = f"{kw.group(1)} {kw.group(2)}".strip()
                    if f"`{kw.group(2)}`" not in listed or not kw.group(2):
                        problems.append(f"{rel}: unlisted `{what}`")
            if f.endswith(".h"):
                code = ANNOT.sub("", text)
                declared.update(PROTO.findall(code))
            if f.endswith(".c"):
                defined.update(DEFN.findall(ANNOT.sub("", text)))
    for name in sorted(declared - defined):
        if f"`{name}`" not in listed:
            problems.append(f"declared but not defined in core/, so its "
                            f"contract is assumed: `{name}` is not listed "
                            f"in proofs/ASSUMPTIONS.md")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default="replay",
                    choices=["replay", "update", "rebuild", "none",
                             "offline"])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "proofs"))
    ap.add_argument("--function", action="append", default=[])
    ap.add_argument("--file", action="append", default=[])
    ap.add_argument("--timeout", help="prover timeout override, for quick "
                    "experiments only: goals it proves are cached as proved "
                    "and the committed cache must come from the pinned value")
    ap.add_argument("--jobs", type=int, default=1,
                    help="Frama-C processes in parallel; the cache keys on the "
                    "grouping, so the committed cache is made with 1")
    ap.add_argument("--no-smoke", action="store_true",
                    help="skip the smoke-test pass")
    ap.add_argument("--check", action="store_true",
                    help="compare the counts with proofs/summary.json")
    ap.add_argument("--write-summary", action="store_true",
                    help="write proofs/summary.json from this run")
    args = ap.parse_args()

    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(os.path.join(ROOT, CACHE_DIR), exist_ok=True)
    sources = args.file or core_sources()
    if args.timeout:
        WP_FLAGS[WP_FLAGS.index("-wp-timeout") + 1] = args.timeout
    failed = False

    problems = assumption_gate()
    for p in problems:
        print("ASSUMPTION:", p)
    failed |= bool(problems)

    report, _, secs = run_frama_c(sources, args.function, args.cache,
                                  out_dir, [], "wp", args.jobs)
    summary = summarize(report)
    summary_path = os.path.join(out_dir, "summary.json")
    with open(summary_path, "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    width = max([len(n) for n in summary["functions"]] + [8])
    for name, s in summary["functions"].items():
        mark = "ok " if s["proved"] == s["goals"] else "FAIL"
        print(f"  {mark} {name:<{width}} {s['proved']:>4} / {s['goals']:<4}")
    print(f"wp: {summary['proved']} / {summary['goals']} goals proved "
          f"in {secs:.1f} s (cache: {args.cache})")
    bad = unproved_goals(report)
    for goal in bad:
        print("UNPROVED:", goal)
    failed |= bool(bad)

    if not args.no_smoke:
        _, log, ssecs = run_frama_c(sources, args.function, args.cache,
                                    out_dir, SMOKE_FLAGS, "smoke", args.jobs)
        findings = smoke_findings(log)
        for line in findings:
            print("SMOKE:", line)
        print(f"smoke tests: {len(findings)} findings in {ssecs:.1f} s")
        failed |= bool(findings)

    if args.write_summary:
        shutil.copyfile(summary_path, SUMMARY)
        print(f"wrote {os.path.relpath(SUMMARY, ROOT)}")
    if args.check:
        # Regression check: every function of the committed summary must
        # still have at least as many goals, all proved; functions it does
        # not list yet are reported as new.
        with open(SUMMARY) as f:
            committed = json.load(f)
        for n, want in sorted(committed["functions"].items()):
            got = summary["functions"].get(n)
            if args.function and n not in args.function:
                continue
            if got is None or got["proved"] < want["proved"]:
                failed = True
                print(f"REGRESSION {n}: committed {want}, now {got}")
        for n in sorted(set(summary["functions"]) -
                        set(committed["functions"])):
            print(f"NEW (not in proofs/summary.json yet): {n} "
                  f"{summary['functions'][n]}")
    print("proofs: FAILED" if failed else "proofs: OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
