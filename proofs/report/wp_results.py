# SPDX-License-Identifier: MIT
"""Per-goal verdicts from the JSON reports of proofs/run_wp.py.

run_wp.py writes one `-wp-report-json` file per Frama-C process
(wp0.json, wp1.json, ...) and a summary.json into its --out directory.
A goal is proved when WP's own verdict (`wp:main`) is valid for every
part of it; the prover that settled it is Qed (WP's simplifier) or the
first SMT solver that answered valid.
"""
import glob
import json
import os
import re

RTE_OVERFLOW = re.compile(r"_rte_(?:un)?signed_(?:overflow|downcast)")


class Goal:
    def __init__(self, function, name, verdicts):
        self.function = function
        self.name = name
        main = verdicts.get("wp:main", {})
        self.total = main.get("total", 0)
        self.valid = main.get("valid", 0)
        self.proved = self.total > 0 and self.valid == self.total
        provers = [p for p, v in verdicts.items()
                   if p != "wp:main" and v.get("valid", 0) > 0]
        self.prover = ("Qed" if provers == ["qed"] else
                       ", ".join(sorted(p.split(":")[0] for p in provers
                                        if p != "qed")) or "none")

    @property
    def smoke(self):
        return "_wp_smoke_" in self.name

    def suffix(self):
        """The goal name after `<function>_`."""
        prefix = self.function + "_"
        return self.name[len(prefix):] if self.name.startswith(prefix) \
            else None


class Results:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.goals = {}             # function -> [Goal]
        reports = sorted(glob.glob(os.path.join(out_dir, "wp*.json")))
        for path in reports:
            with open(path) as f:
                report = json.load(f)
            for fn, goals in report.get("wp:functions", {}).items():
                for name, verdicts in goals.items():
                    if name == "wp:section":
                        continue
                    self.goals.setdefault(fn, []).append(
                        Goal(fn, name, verdicts))
        for gs in self.goals.values():
            gs.sort(key=lambda g: g.name)
        self.summary = {}
        path = os.path.join(out_dir, "summary.json")
        if os.path.exists(path):
            with open(path) as f:
                self.summary = json.load(f)
        self.found = bool(reports)

    def functions(self):
        return sorted(self.goals)

    def proof_goals(self, fn):
        return [g for g in self.goals.get(fn, []) if not g.smoke]

    def smoke_goals(self):
        return [g for gs in self.goals.values() for g in gs if g.smoke]

    def clause_goals(self, fn, clause):
        """Goals of fn that check the named clause or behavior.

        WP names a goal <fn>_[<behavior>_]<kind>_<clause>[_<n>], and the
        completeness/disjointness goals <fn>_complete_<b1>_<b2>...; a
        behavior name matches every goal under it and those two."""
        out = []
        pat = re.compile(r"(?:^|_)" + re.escape(clause) + r"(?:_\d+)?(?:_|$)")
        for g in self.proof_goals(fn):
            rest = g.suffix()
            if rest is None or "_rte_" in rest:
                continue
            if pat.search(rest):
                out.append(g)
        return out

    def contract_goals(self, fn):
        """Goals of fn's own contract: ensures, assigns, behaviors,
        completeness; not the runtime-error or assertion goals of its
        body, nor the preconditions of the functions it calls."""
        keep = re.compile(r"(?:^|_)(?:ensures|assigns|exits|complete|"
                          r"disjoint|terminates|decreases)(?:_|$)")
        return [g for g in self.proof_goals(fn)
                if g.suffix() is not None and "_rte_" not in g.suffix()
                and keep.search(g.suffix())]

    def rte_overflow_goals(self):
        return [g for fn in self.functions() for g in self.proof_goals(fn)
                if RTE_OVERFLOW.search(g.name)]

    def totals(self):
        goals = [g for fn in self.functions() for g in self.proof_goals(fn)]
        smoke = self.smoke_goals()
        # Counted as run_wp.py counts: a goal WP split into cases counts
        # once per case.
        return {
            "goals": sum(g.total for g in goals),
            "proved": sum(g.valid for g in goals),
            "qed": sum(g.valid for g in goals if g.prover == "Qed"),
            "smoke": len(smoke),
            # WP reports a smoke test as valid when it passed, i.e. no
            # prover could derive false from the preconditions or reach
            # the code; anything else is a vacuous contract or dead code.
            "smoke_findings": sum(not g.proved for g in smoke),
            "functions": len(self.goals),
        }
