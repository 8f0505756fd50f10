#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the auditor's report: build/report/index.html and REPORT.md.

For every requirement ID of spec/REQUIREMENTS.md: the ACSL clauses that
express it with the verdict of each of their WP goals, the ACSL
definitions it uses, the tests and model checks that cite it with their
last ctest verdict; then the state diagram, the proofs per function, the
mutation check results and the assumption list.

    proofs/report/make_report.py [--wp-dir build/proofs] [--build build]
                                 [--out build/report] [--check]
                                 [--no-test-verdicts]

--wp-dir is the --out directory of a proofs/run_wp.py run (the
`report` build target runs an offline replay into build/report/wp first).
With --check the exit status is 1 when a requirement is a gap (no proved
clause and no test), names something that does not exist, has an
unproved goal or a failed test, or when the proof results are missing or
have smoke findings. Stdlib only.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import render_html  # noqa: E402
import render_markdown  # noqa: E402
import report_data  # noqa: E402


def read(path):
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        return f.read()


def check(data):
    """The reasons the report check fails; empty when it passes."""
    problems = []
    if not data["wp_found"]:
        problems.append("no WP results (run proofs/run_wp.py first)")
    t = data["totals"]
    if t["proved"] != t["goals"]:
        problems.append(f"{t['goals'] - t['proved']} goals not proved")
    if t["smoke_findings"]:
        problems.append(f"{t['smoke_findings']} smoke-test findings")
    for r in data["requirements"]:
        for p in r["problems"]:
            problems.append(f"{r['id']}: {p}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wp-dir", default=os.path.join(ROOT, "build",
                                                     "proofs"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "report"))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--no-test-verdicts", action="store_true",
                    help="do not read the last ctest run (for the report "
                    "check inside ctest, where that log is the previous "
                    "run's)")
    args = ap.parse_args()

    data = report_data.build(ROOT, os.path.abspath(args.wp_dir),
                             os.path.abspath(args.build),
                             verdicts=not args.no_test_verdicts)
    assumptions = read(os.path.join(ROOT, "proofs", "ASSUMPTIONS.md"))
    svg = read(os.path.join(ROOT, "docs", "state-machine.svg"))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "REPORT.md"), "w") as f:
        f.write(render_markdown.render(data, assumptions))
    with open(os.path.join(args.out, "index.html"), "w") as f:
        f.write(render_html.render(data, assumptions, svg))
    if svg:
        with open(os.path.join(args.out, "state-machine.svg"), "w") as f:
            f.write(svg)
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump(data, f, indent=1, default=str)
        f.write("\n")

    counts = {}
    for r in data["requirements"]:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    t = data["totals"]
    print(f"report: {len(data['requirements'])} requirements (" +
          ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) +
          f"); {t['proved']} / {t['goals']} goals proved; "
          f"{t['smoke']} smoke tests, {t['smoke_findings']} findings")
    print(f"report: wrote {os.path.relpath(args.out)}/index.html and "
          "REPORT.md")
    if args.check:
        problems = check(data)
        for p in problems:
            print("REPORT:", p)
        print("report check: " + ("FAILED" if problems else "OK"))
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
