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
  proofs/run_wp.py --cache offline --use-record   # what CI runs
  proofs/run_wp.py --cache offline --write-record # refresh the record
  proofs/run_wp.py --record-status       # is the record current?
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import replay_record

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
    "-wp-prover", "cvc4,z3",
    "-wp-timeout", "40",
    "-wp-par", "2",
]
# Per-function prover timeouts (-wp-fct-timeout), each with its reason.
# The search's nonlinear goals `scaled` and `step_fits` (two parts each)
# are beyond cvc4, which runs out the full 40 s on each before z3 proves
# them in under a second: 160 s of a cold proof spent waiting. At 10 s the
# cvc4 attempt gives up sooner; every goal of the function proves well
# inside it. Like -wp-timeout, this is not part of the cache key.
FCT_TIMEOUTS = {"vioreq_range_table_search": 10}
SMOKE_FLAGS = ["-wp-smoke-tests"]
# Seconds each prover gets to refute a smoke goal: Frama-C's default, kept
# whatever --jobs is. cvc4 counts it in CPU time, z3 in wall-clock time, so
# with --jobs 4 on 2 cores a z3 attempt may get as little as half of it in
# CPU (proofs/README.md, "Cold proof", says what that costs).
SMOKE_TIMEOUT = 2
# -wp-par for --cache offline, where no prover runs (see run_frama_c).
OFFLINE_PAR = 32



def core_sources():
    return sorted(os.path.join(CORE_SRC, f)
                  for f in os.listdir(os.path.join(ROOT, CORE_SRC))
                  if f.endswith(".c"))


GOAL_LINE = re.compile(r"^\[wp\] \[[^\]]+\] (Goal|Smoke-test) typed_(\w+)"
                       r"(?: : (\w+))?")


class Progress:
    """Live per-function lines while Frama-C runs.

    WP prints one line per goal as it is settled, function after
    function. When a process moves on to another function (or ends), the
    finished function gets a line: goals proved out of those settled, the
    count the committed summary expects, and the wall time it took.
    Threads (one per Frama-C process) share one instance.
    """

    def __init__(self, names):
        import threading
        self.names = sorted(names, key=len, reverse=True)
        self.lock = threading.Lock()
        self.current = {}           # tag -> [function, goals, valid, t0]
        self.expected = goal_weights()
        self.width = max([len(n) for n in names] + [8])

    def function_of(self, goal):
        if goal.startswith("lemma_"):
            return LEMMAS
        for n in self.names:
            if goal.startswith(n + "_"):
                return n
        return None

    def line(self, tag, text):
        m = GOAL_LINE.match(text)
        # Smoke tests are settled out of order: only goals move the line.
        if not m or m.group(1) != "Goal":
            return
        fn = self.function_of(m.group(2))
        if fn is None:
            return
        with self.lock:
            cur = self.current.get(tag)
            # A call's precondition goal is named after the callee.
            if cur and fn != cur[0] and "_requires_" in m.group(2):
                fn = cur[0]
            if cur is None or cur[0] != fn:
                self._finish(tag)
                cur = self.current[tag] = [fn, 0, 0, time.monotonic()]
            cur[1] += 1
            cur[2] += m.group(3) == "Valid"

    def _finish(self, tag):
        cur = self.current.pop(tag, None)
        if cur is None:
            return
        fn, goals, valid, t0 = cur
        want = self.expected.get(fn)
        mark = "ok  " if valid == goals else "FAIL"
        print(f"  {mark} {fn:<{self.width}} {valid:>4} / {goals:<4}"
              f"{'' if want is None else f' (summary: {want})':<17}"
              f" {time.monotonic() - t0:6.1f} s", flush=True)

    def done(self, tag):
        with self.lock:
            self._finish(tag)


def frama_c_env():
    env = dict(os.environ)
    # Frama-C resolves relative source paths against $PWD, not against its
    # working directory: without this, run from another checkout it would
    # prove that checkout's files (seen with the mutation check's copy).
    env["PWD"] = ROOT
    env.pop("FRAMAC_WP_CACHE", None)
    env.pop("FRAMAC_WP_CACHEDIR", None)
    return env


def input_fingerprint(sources):
    """The replay record's digest of what a run on these sources reads."""
    return replay_record.fingerprint(ROOT, KERNEL_FLAGS + sources,
                                     frama_c_env())


def run_frama_c(sources, functions, cache, out_dir, extra, tag,
                progress=None):
    """Run one Frama-C WP process; return (report dict, log text, seconds)."""
    report = os.path.join(out_dir, tag + ".json")
    log_path = os.path.join(out_dir, tag + ".log")
    session = os.path.join(out_dir, tag + "-session")
    shutil.rmtree(session, ignore_errors=True)
    flags = list(WP_FLAGS)
    if cache == "offline":
        # No prover runs: every goal is a cache lookup, and WP's scheduler
        # would otherwise idle between the -wp-par slots (measured on
        # vioreq_dispatch_slot: 85 s with 2 slots, 36 s with 32, same CPU).
        flags[flags.index("-wp-par") + 1] = str(OFFLINE_PAR)
    if FCT_TIMEOUTS:
        flags += ["-wp-fct-timeout",
                  ",".join(f"{k}:{v}" for k, v in FCT_TIMEOUTS.items())]
    cmd = ["frama-c"] + KERNEL_FLAGS + flags + extra + [
        "-wp-session", session,
        "-wp-cache", cache,
        "-wp-cache-dir", CACHE_DIR,
        "-wp-report-json", report,
    ]
    if functions == [LEMMAS]:
        # -wp-fct never selects a lemma: name them as properties instead,
        # and no function is selected.
        cmd += ["-wp-prop", ",".join(core_lemmas())]
    elif functions:
        cmd += ["-wp-fct", ",".join(functions)]
    cmd += sources
    env = frama_c_env()
    started = time.monotonic()
    # Line-buffered: the log shows a long run's progress as it goes.
    with open(log_path, "w", buffering=1) as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=env)
        lines = []
        for line in proc.stdout:
            log.write(line)
            lines.append(line)
            if progress:
                progress.line(tag, line)
        proc.wait()
        if progress:
            progress.done(tag)
    elapsed = time.monotonic() - started
    text = "".join(lines)
    if proc.returncode != 0 or not os.path.exists(report):
        sys.stderr.write(text[-4000:])
        raise SystemExit(f"frama-c failed (exit {proc.returncode}); "
                         f"log: {log_path}")
    with open(report) as f:
        data = json.load(f)
    if fold_lemmas(data):
        with open(report, "w") as f:
            json.dump(data, f, indent=2)
    return data, text, elapsed


# The lemmas of core/ are goals like any other, counted under this name in
# the summaries and the report (WP files them under "wp:axiomatics").
LEMMAS = "lemmas"
LEMMA = re.compile(r"\blemma\s+(\w+)\s*[{:]")


def core_lemmas():
    """Names of the ACSL lemmas anywhere in core/."""
    names = set()
    for base, _, files in os.walk(os.path.join(ROOT, "core")):
        for f in files:
            if f.endswith((".c", ".h", ".acsl")):
                text = open(os.path.join(base, f)).read()
                for m in ANNOT.finditer(text):
                    names.update(LEMMA.findall(m.group(1) or m.group(2)
                                               or ""))
    return sorted(names)


def fold_lemmas(report):
    """Move WP's lemma goals to report["wp:functions"][LEMMAS]."""
    goals = {}
    for section in report.pop("wp:axiomatics", {}).values():
        goals.update((g, r) for g, r in section.items() if g != "wp:section")
    if goals:
        report.setdefault("wp:functions", {})[LEMMAS] = goals
    return bool(goals)


# Offline replay: functions with fewer goals than this share a process, so
# that Frama-C's start-up (about 0.7 s: parsing core/ and the RTE pass) is
# paid a few times, not once per function.
REPLAY_BATCH_GOALS = 250


def goal_weights():
    """Goals per function in the committed summary (the scheduling cost)."""
    if not os.path.exists(SUMMARY):
        return {}
    with open(SUMMARY) as f:
        return {n: v["goals"] for n, v in json.load(f)["functions"].items()}


def make_batches(functions, cache):
    """Cut the functions into Frama-C runs, the costliest first.

    Every run still parses all of core/ and only restricts -wp-fct, so
    each goal's text, and hence its cache key, is the same as in a single
    process: batching never invalidates the cache. Workers take the next
    batch when they finish one, so a slow function does not leave the
    other core idle (with two fixed halves, the cold proof spent its
    last 4 minutes on one core). When provers run, each function is its
    own batch; an offline replay groups the small ones.
    """
    weights = goal_weights()
    order = sorted(functions, key=lambda n: (-weights.get(n, 50), n))
    if cache != "offline":
        return [[n] for n in order]
    batches, small, load = [], [], 0
    for name in order:
        w = weights.get(name, 50)
        if w >= REPLAY_BATCH_GOALS or name == LEMMAS:
            batches.append([name])
            continue
        small.append(name)
        load += w
        if load >= REPLAY_BATCH_GOALS:
            batches.append(small)
            small, load = [], 0
    if small:
        batches.append(small)
    return batches


def remove_stale_reports(out_dir, tag):
    """Delete the <tag>N.json/.log files and sessions of an earlier run.

    The auditor's report reads every wp*.json in out_dir, and an earlier
    run may have had more batches than this one.
    """
    for f in os.listdir(out_dir):
        path = os.path.join(out_dir, f)
        if re.fullmatch(re.escape(tag) + r"\d*\.(json|log)", f):
            os.remove(path)
        elif re.fullmatch(re.escape(tag) + r"\d*-session", f):
            shutil.rmtree(path, ignore_errors=True)


def run_wp(sources, functions, cache, out_dir, extra, tag, jobs):
    """Run WP over a queue of function batches on `jobs` workers; merge."""
    names = sorted(set(functions)) or core_functions(sources)
    if not functions and core_lemmas():
        names.append(LEMMAS)
    progress = Progress(core_functions() + [LEMMAS])
    remove_stale_reports(out_dir, tag)
    print("wp: one line per function as it finishes (goal parts proved / "
          "settled)", flush=True)
    if jobs <= 1 and (LEMMAS not in functions or len(names) == 1):
        # One process does it all, unless --function names the lemmas and
        # functions together: the lemmas need a run of their own
        # (-wp-prop, not -wp-fct). With no selection at all, the process
        # gets no -wp-fct and proves the lemmas as well.
        return run_frama_c(sources, functions, cache, out_dir, extra, tag,
                           progress)
    import concurrent.futures
    batches = make_batches(names, cache)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        # map() hands out the batches in order as workers free up.
        results = list(pool.map(
            lambda kb: run_frama_c(sources, kb[1], cache, out_dir, extra,
                                   f"{tag}{kb[0]}", progress),
            enumerate(batches)))
    merged = {"wp:functions": {}}
    for report, _, _ in results:
        merged["wp:functions"].update(report.get("wp:functions", {}))
    text = "".join(r[1] for r in results)
    return merged, text, time.monotonic() - started


def core_functions(sources=None):
    """Every function defined in the sources, by default all of core/src/
    (what -wp-fct may name)."""
    names = set()
    for f in sources or core_sources():
        code = ANNOT.sub("", open(os.path.join(ROOT, f)).read())
        names.update(DEFN.findall(code))
    return sorted(names)


def is_smoke(goal):
    return "_wp_smoke_" in goal


def summarize(report):
    """Goal counts per function, smoke-test goals left out."""
    functions = {}
    for name, goals in report.get("wp:functions", {}).items():
        total = proved = 0
        for goal, res in goals.items():
            if goal == "wp:section" or is_smoke(goal):
                continue
            main = res.get("wp:main", {})
            total += main.get("total", 0)
            proved += main.get("valid", 0)
        functions[name] = {"goals": total, "proved": proved}
    total = sum(f["goals"] for f in functions.values())
    proved = sum(f["proved"] for f in functions.values())
    return {"goals": total, "proved": proved,
            "functions": dict(sorted(functions.items()))}


def unproved_goals(report):
    bad = []
    for name, goals in report.get("wp:functions", {}).items():
        for goal, res in goals.items():
            if goal == "wp:section" or is_smoke(goal):
                continue
            main = res.get("wp:main", {})
            if main.get("valid", 0) != main.get("total", 0):
                bad.append(goal)
    return sorted(bad)


def smoke_goals(report):
    """(number of smoke goals, those no prover answered, those failed).

    A smoke goal passes when no prover proves it, so one that nothing
    answered, e.g. missing from the cache in an offline replay, would pass
    without meaning anything: it is reported instead. An answered goal
    lists the prover (or Qed) that gave the verdict. WP's report counts a
    passed smoke test as `valid`; a failed one (a prover proved the goal:
    the contract is doomed or the code dead) is not, and is a finding.
    """
    count, silent, failed = 0, [], []
    for goals in report.get("wp:functions", {}).values():
        for goal, res in goals.items():
            if is_smoke(goal):
                count += 1
                main = res.get("wp:main", {})
                if not set(res) - {"wp:main"}:
                    silent.append(goal)
                elif main.get("valid", 0) < main.get("total", 1):
                    failed.append(goal)
    return count, sorted(silent), sorted(failed)


def smoke_findings(log_text):
    """Lines where WP reports a smoke test failed: a doomed contract or
    dead code. Read next to the report's verdicts (smoke_goals), so a
    change of wording in WP's log cannot hide a finding."""
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


# `axiom NAME:`; `admit [requires|ensures|assert|...] NAME:` (an admitted
# clause is listed by its label; one without a label cannot be listed).
ASSUMED = re.compile(r"\b(?:(axiom)\s+(\w+)|(admit)\s+(?:(?:requires|"
                     r"ensures|assert|invariant|loop\s+invariant)\s+)?"
                     r"(?:(\w+)\s*:)?)")


def assumption_gate(root=ROOT, assumptions=ASSUMPTIONS):
    listed = open(assumptions).read() if os.path.exists(assumptions) else ""
    problems = []
    declared, defined = set(), set()
    for base, _, files in os.walk(os.path.join(root, "core")):
        for f in files:
            path = os.path.join(base, f)
            rel = os.path.relpath(path, root)
            text = open(path).read()
            for m in ANNOT.finditer(text):
                body = m.group(1) or m.group(2) or ""
                for kw in ASSUMED.finditer(body):
                    kind = kw.group(1) or kw.group(3)
                    name = kw.group(2) or kw.group(4)
                    if not name:
                        problems.append(f"{rel}: `{kind}` without a label, "
                                        f"so it cannot be listed")
                    elif f"`{name}`" not in listed:
                        problems.append(f"{rel}: unlisted `{kind} {name}`")
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


def compare_summary(summary, committed, functions=()):
    """(functions of the committed summary that lost proved goals or are
    gone, functions it does not list yet); with `functions`, only those
    are compared."""
    lost = []
    for n, want in sorted(committed["functions"].items()):
        if functions and n not in functions:
            continue
        got = summary["functions"].get(n)
        if got is None or got["proved"] < want["proved"]:
            lost.append(n)
    new = sorted(set(summary["functions"]) - set(committed["functions"]))
    return lost, new


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default="replay",
                    choices=["replay", "update", "rebuild", "none",
                             "offline"])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "proofs"))
    ap.add_argument("--function", action="append", default=[])
    ap.add_argument("--file", action="append", default=[])
    ap.add_argument("--timeout", type=int,
                    help="prover timeout override, for quick experiments "
                    "only: goals it proves are cached as proved and the "
                    "committed cache must come from the pinned value; it "
                    "also caps FCT_TIMEOUTS")
    ap.add_argument("--jobs", type=int, default=1,
                    help="Frama-C processes running at once, taking the "
                    "functions from one queue (each parses all of core/, "
                    "so the cache keys do not change); 4 on 2 cores, with or "
                    "without provers (two per core fill WP's idle time)")
    ap.add_argument("--no-smoke", action="store_true",
                    help="leave out the smoke tests (-wp-smoke-tests)")
    ap.add_argument("--check", action="store_true",
                    help="compare the counts with proofs/summary.json")
    ap.add_argument("--write-summary", action="store_true",
                    help="write proofs/summary.json from this run")
    ap.add_argument("--use-record", action="store_true",
                    help="full offline replay only: when every input "
                    "matches proofs/replay-record.json, take the verdicts "
                    "from it instead of running Frama-C")
    ap.add_argument("--write-record", action="store_true",
                    help="full offline replay only: when it passes, write "
                    "its verdicts and the digest of its inputs to "
                    "proofs/replay-record.json")
    ap.add_argument("--record-status", action="store_true",
                    help="only say whether proofs/replay-record.json "
                    "matches the inputs (exit 1 when it does not)")
    args = ap.parse_args()
    if args.record_status:
        return record_status()
    full_replay = (args.cache == "offline" and not args.function and
                   not args.file and not args.timeout and not args.no_smoke)
    if (args.use_record or args.write_record) and not full_replay:
        ap.error("--use-record and --write-record need a full offline "
                 "replay: --cache offline, and no --function, --file, "
                 "--timeout or --no-smoke")

    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(os.path.join(ROOT, CACHE_DIR), exist_ok=True)
    sources = args.file or core_sources()
    if args.timeout:
        WP_FLAGS[WP_FLAGS.index("-wp-timeout") + 1] = str(args.timeout)
        for name, secs in FCT_TIMEOUTS.items():
            FCT_TIMEOUTS[name] = min(secs, args.timeout)
    if args.function:
        # No more processes than functions, so none gives up prover slots
        # for nothing.
        args.jobs = max(1, min(args.jobs, len(set(args.function))))
    if args.jobs > 1:
        # The pinned -wp-par is shared among the processes, at least one
        # prover slot each. WP checks a running prover only every 100 ms,
        # so a process with one slot leaves its core idle after each
        # prover call; two processes per CI core (--jobs 4, the proofs
        # targets) fill those gaps (proofs/README.md, "Cold proof").
        par = WP_FLAGS.index("-wp-par") + 1
        WP_FLAGS[par] = str(max(1, int(WP_FLAGS[par]) // args.jobs))
    failed = False
    if shutil.which("frama-c") is None:
        print("proofs: frama-c not found (scripts/install-deps.sh installs "
              "frama-c-base, why3, z3 and cvc4)", file=sys.stderr)
        return 1

    problems = assumption_gate()
    for p in problems:
        print("ASSUMPTION:", p)
    failed |= bool(problems)

    extra = [] if args.no_smoke else SMOKE_FLAGS + [
        "-wp-smoke-timeout", str(SMOKE_TIMEOUT)]
    # Only a run that uses or writes the record pays for its digest.
    inputs = (input_fingerprint(sources)
              if args.use_record or args.write_record else None)
    recorded = replay_record.load(ROOT) if args.use_record else None
    from_record = None
    if args.use_record:
        from_record = replayed_from_record(recorded, inputs, out_dir,
                                           args.jobs)
    if from_record:
        report, log, secs = from_record
    else:
        report, log, secs = run_wp(sources, args.function, args.cache,
                                   out_dir, extra, "wp", args.jobs)
    summary = summarize(report)
    summary_path = os.path.join(out_dir, "summary.json")
    with open(summary_path, "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    run = {"seconds": round(secs, 1), "cache": args.cache,
           "jobs": args.jobs, "smoke": not args.no_smoke,
           "functions": args.function,
           "finished": time.strftime("%Y-%m-%d %H:%M:%S UTC",
                                     time.gmtime())}
    if from_record:
        # The verdicts are those of the recorded replay: say so, with its
        # own time and date, and when its inputs were found unchanged.
        run = dict(recorded["replay"], checked=run["finished"],
                   record=inputs["all"])
    with open(os.path.join(out_dir, "run.json"), "w") as f:
        # How this run was made, for the auditor's report.
        json.dump(run, f, indent=2)
        f.write("\n")
    width = max([len(n) for n in summary["functions"]] + [8])
    for name, s in summary["functions"].items():
        mark = "ok " if s["proved"] == s["goals"] else "FAIL"
        print(f"  {mark} {name:<{width}} {s['proved']:>4} / {s['goals']:<4}")
    print(f"wp: {summary['proved']} / {summary['goals']} goals proved "
          f"in {secs:.1f} s (cache: {args.cache}, {args.jobs} process"
          f"{'es' if args.jobs > 1 else ''})")
    bad = unproved_goals(report)
    for goal in bad:
        print("UNPROVED:", goal)
    failed |= bool(bad)
    if bad and args.cache == "offline":
        print("(offline replay: a goal missing from proofs/wp-cache counts "
              "as unproved; re-prove with --cache update and commit the "
              "cache)")

    if not args.no_smoke:
        smoke, silent, refuted = smoke_goals(report)
        findings = smoke_findings(log)
        for line in findings:
            print("SMOKE:", line)
        for goal in refuted:
            print("SMOKE FAILED (doomed contract or dead code):", goal)
        for goal in silent:
            print("SMOKE NOT RUN (not in the cache):", goal)
        print(f"smoke tests: {smoke} run, "
              f"{max(len(findings), len(refuted))} findings, "
              f"{len(silent)} unanswered")
        # Lemmas have no smoke tests; every function has some.
        ran_code = any(n != LEMMAS for n in summary["functions"])
        failed |= (bool(findings) or bool(refuted) or bool(silent) or
                   (smoke == 0 and ran_code))

    if args.write_summary:
        shutil.copyfile(summary_path, SUMMARY)
        print(f"wrote {os.path.relpath(SUMMARY, ROOT)}")
    if args.check:
        # Regression check: every function of the committed summary must
        # still have at least as many goals, all proved; functions it does
        # not list yet are reported as new.
        with open(SUMMARY) as f:
            committed = json.load(f)
        lost, new = compare_summary(summary, committed, args.function)
        for n in lost:
            print(f"REGRESSION {n}: committed {committed['functions'][n]}, "
                  f"now {summary['functions'].get(n)}")
        for n in new:
            print(f"NEW (not in proofs/summary.json yet): {n} "
                  f"{summary['functions'][n]}")
        failed |= bool(lost)
    if args.write_record and not failed:
        write_record(inputs, report, summary, run, from_record)
    elif args.write_record:
        print("replay record not written: the replay failed")
    print("proofs: FAILED" if failed else "proofs: OK")
    return 1 if failed else 0


# ------------------------------------------------------- replay record
def replayed_from_record(recorded, inputs, out_dir, jobs):
    """(report, log, seconds) from proofs/replay-record.json when every
    input matches it, else None (and the caller runs the replay)."""
    changed = replay_record.changed_inputs(recorded, inputs)
    if not changed and recorded["replay"]["jobs"] != jobs:
        # One process proves whatever WP finds; several prove the
        # functions core_functions() names: the same set today, but the
        # record stands only for the schedule it was made with.
        changed = [f"the record is of --jobs {recorded['replay']['jobs']}"]
    if changed:
        print("replay record not used (" + "; ".join(changed) +
              "): running the full replay", flush=True)
        return None
    started = time.monotonic()
    remove_stale_reports(out_dir, "wp")
    report = replay_record.expand_goals(recorded["goals"])
    with open(os.path.join(out_dir, "wp0.json"), "w") as f:
        json.dump(report, f)
    rep = recorded["replay"]
    print(f"replay record: core/, proofs/wp-cache/, run_wp.py, the tools "
          f"and their environment are those of the offline replay of "
          f"{rep['finished']} ({rep['seconds']} s), sha256 "
          f"{inputs['all'][:16]}; its verdicts are checked below, Frama-C "
          f"is not run (drop --use-record to run it)", flush=True)
    return report, "", time.monotonic() - started


def write_record(inputs, report, summary, run, from_record):
    if from_record:
        print("replay record: already current, not rewritten")
        return
    after = input_fingerprint(core_sources())
    moved = [k for k in inputs if k != "all" and inputs[k] != after[k]]
    if inputs["problems"]:
        print("replay record not written: inputs not all known: " +
              "; ".join(inputs["problems"]))
        return
    if moved:
        print("replay record not written: " + ", ".join(moved) +
              " changed while the replay ran")
        return
    replay_record.save(ROOT, replay_record.make(inputs, report, summary,
                                                run))
    print(f"wrote {replay_record.RECORD} (sha256 {inputs['all'][:16]})")


def record_status():
    recorded = replay_record.load(ROOT)
    changed = replay_record.changed_inputs(
        recorded, input_fingerprint(core_sources()))
    if changed:
        print("replay record: stale (" + "; ".join(changed) + "). "
              "CI then replays every goal (85 s instead of 1 s). After the "
              "proofs pass, refresh it: cmake --build build --target "
              "proofs-record (or proofs/run_wp.py --cache offline --jobs 4 "
              "--check --write-record), and commit " + replay_record.RECORD)
        return 1
    print(f"replay record: current (sha256 "
          f"{recorded['fingerprint']['all'][:16]}, replay of "
          f"{recorded['replay']['finished']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
