#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Unit tests of proofs/run_wp.py (no Frama-C needed): its scheduling and
its verdicts.

A function missing from every batch would go unproved without a word from
WP, and a function in two batches would be proved twice; the batches must
also put the costliest work first, or the last worker runs alone. The
verdicts are what makes the proof stage fail, since Frama-C itself exits 0
with unproved goals: each check is shown to fail on a report or tree that
has the defect, and to pass on one that does not.
"""
import os
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "proofs"))
import run_wp  # noqa: E402


class MakeBatches(unittest.TestCase):
    def setUp(self):
        self.weights = run_wp.goal_weights()
        self.functions = run_wp.core_functions()

    def flat(self, batches):
        return [n for b in batches for n in b]

    def test_every_function_once(self):
        for cache in ("offline", "none", "update"):
            batches = run_wp.make_batches(self.functions, cache)
            self.assertEqual(sorted(self.flat(batches)),
                             sorted(self.functions), cache)

    def test_provers_one_function_per_run_costliest_first(self):
        batches = run_wp.make_batches(self.functions, "none")
        self.assertTrue(all(len(b) == 1 for b in batches))
        costs = [self.weights.get(b[0], 50) for b in batches]
        self.assertEqual(costs, sorted(costs, reverse=True))

    def test_offline_groups_small_functions(self):
        batches = run_wp.make_batches(self.functions, "offline")
        self.assertLess(len(batches), len(self.functions))
        limit = run_wp.REPLAY_BATCH_GOALS
        for b in batches:
            if len(b) > 1:
                self.assertTrue(all(self.weights.get(n, 50) < limit
                                    for n in b), b)
            # A batch closes as soon as it reaches the limit.
            head = sum(self.weights.get(n, 50) for n in b[:-1])
            self.assertLess(head, limit, b)
        # The biggest function leads.
        biggest = max(self.functions, key=lambda n: self.weights.get(n, 50))
        self.assertEqual(batches[0], [biggest])

    def test_summary_names_every_defined_function(self):
        # Scheduling runs what core_functions() finds; a definition its
        # pattern missed would never be proved, and --check would not see
        # it either unless proofs/summary.json lists it.
        self.assertEqual(set(self.functions) | {run_wp.LEMMAS},
                         set(self.weights))

    def test_lemmas_run_alone(self):
        # -wp-fct cannot name a lemma: the lemma batch is a run of its own
        # (with -wp-prop), never grouped with small functions.
        names = self.functions + [run_wp.LEMMAS]
        for cache in ("offline", "none"):
            batches = run_wp.make_batches(names, cache)
            self.assertIn([run_wp.LEMMAS], batches, cache)


    def test_unknown_function_still_scheduled(self):
        batches = run_wp.make_batches(["not_in_summary", "vioreq_dispatch"],
                                      "offline")
        self.assertEqual(sorted(self.flat(batches)),
                         ["not_in_summary", "vioreq_dispatch"])


class Lemmas(unittest.TestCase):
    def test_found_in_core(self):
        lemmas = run_wp.core_lemmas()
        self.assertIn("others_kept_then_unchanged", lemmas)
        self.assertEqual(lemmas, sorted(set(lemmas)))

    def test_fold_moves_axiomatics_goals(self):
        report = {"wp:functions": {"f": {"typed_f_ensures": {}}},
                  "wp:axiomatics": {"": {
                      "wp:section": {},
                      "lemma_a": {"wp:main": {"total": 1, "valid": 1}},
                      "lemma_b": {"wp:main": {"total": 1, "valid": 0}}}}}
        self.assertTrue(run_wp.fold_lemmas(report))
        self.assertNotIn("wp:axiomatics", report)
        self.assertEqual(sorted(report["wp:functions"][run_wp.LEMMAS]),
                         ["lemma_a", "lemma_b"])
        # An unproved lemma fails the run like any other goal.
        self.assertEqual(run_wp.unproved_goals(report), ["lemma_b"])
        self.assertEqual(run_wp.summarize(report)["functions"]["lemmas"],
                         {"goals": 2, "proved": 1})
        self.assertFalse(run_wp.fold_lemmas({"wp:functions": {}}))


class RunQueue(unittest.TestCase):
    """run_wp() with Frama-C replaced by a recorder."""

    def setUp(self):
        self.calls = []
        self.real = run_wp.run_frama_c

        def fake(sources, functions, cache, out_dir, extra, tag,
                 progress=None):
            self.calls.append((tag, list(functions)))
            report = {"wp:functions": {f: {} for f in functions}}
            return report, f"log {tag}\n", 0.0
        run_wp.run_frama_c = fake

    def tearDown(self):
        run_wp.run_frama_c = self.real

    def run_queue(self, functions, cache, jobs, files=()):
        with tempfile.TemporaryDirectory() as d:
            for f in files:
                path = os.path.join(d, f)
                if f.endswith("-session"):
                    os.mkdir(path)
                else:
                    open(path, "w").close()
            report, _, _ = run_wp.run_wp(run_wp.core_sources(), functions,
                                         cache, d, [], "wp", jobs)
            return report, sorted(os.listdir(d))

    def test_each_function_proved_once(self):
        for cache, jobs in (("none", 4), ("offline", 2)):
            self.calls.clear()
            report, _ = self.run_queue([], cache, jobs)
            ran = [f for _, fs in self.calls for f in fs]
            self.assertEqual(sorted(ran), sorted(run_wp.core_functions() +
                                                 [run_wp.LEMMAS]))
            self.assertIn([run_wp.LEMMAS], [fs for _, fs in self.calls])
            self.assertEqual(sorted(report["wp:functions"]), sorted(ran))
            self.assertEqual(len({t for t, _ in self.calls}),
                             len(self.calls), "one report file per run")

    def test_repeated_function_runs_once(self):
        self.run_queue(["vioreq_route", "vioreq_route", "vioreq_dispatch"],
                       "none", 4)
        ran = sorted(f for _, fs in self.calls for f in fs)
        self.assertEqual(ran, ["vioreq_dispatch", "vioreq_route"])

    def test_earlier_reports_removed(self):
        # The auditor's report reads every wp*.json of the directory.
        _, left = self.run_queue(
            ["vioreq_route"], "none", 2,
            files=("wp7.json", "wp7.log", "wp7-session", "wp.json",
                   "summary.json", "run.json", "notes.txt"))
        self.assertEqual(left, ["notes.txt", "run.json", "summary.json"])


def goal(valid, total=1, prover="Z3:4.8.12"):
    res = {"wp:main": {"total": total, "valid": valid}}
    if prover:
        res[prover] = {"total": total, "valid": valid}
    return res


# A smoke test as WP 25 reports it: passed (no prover refuted the goal)
# counts as valid; failed (Qed or a prover proved it) as unknown.
SMOKE_PASSED = {"CVC4:1.8": {"total": 1, "valid": 1},
                "Z3:4.8.12": {"total": 1, "valid": 1},
                "wp:main": {"total": 1, "valid": 1}}
SMOKE_FAILED = {"qed": {"total": 1, "unknown": 1},
                "wp:main": {"total": 1, "unknown": 1}}


SMOKE = "typed_f_wp_smoke_default_requires"


class Verdicts(unittest.TestCase):
    def report(self, **goals):
        return {"wp:functions": {"f": dict(goals)}}

    def test_unproved_goal_is_reported(self):
        rep = self.report(typed_f_ensures=goal(1), typed_f_assigns=goal(0))
        self.assertEqual(run_wp.unproved_goals(rep), ["typed_f_assigns"])
        rep = self.report(typed_f_ensures=goal(2, total=3))
        self.assertEqual(run_wp.unproved_goals(rep), ["typed_f_ensures"])
        self.assertEqual(run_wp.unproved_goals(
            self.report(typed_f_ensures=goal(1))), [])

    def test_smoke_goals_are_not_goals(self):
        # Smoke tests, passed or failed, are not counted as goals.
        for smoke in (SMOKE_PASSED, SMOKE_FAILED):
            rep = self.report(typed_f_ensures=goal(1), **{SMOKE: smoke})
            self.assertEqual(run_wp.unproved_goals(rep), [])
            self.assertEqual(run_wp.summarize(rep)["goals"], 1)

    def test_failed_smoke_test_is_a_finding(self):
        self.assertEqual(run_wp.smoke_goals(
            self.report(**{SMOKE: SMOKE_FAILED})), (1, [], [SMOKE]))
        self.assertEqual(run_wp.smoke_goals(
            self.report(**{SMOKE: SMOKE_PASSED})), (1, [], []))

    def test_unanswered_smoke_goal_is_reported(self):
        self.assertEqual(run_wp.smoke_goals(
            self.report(**{SMOKE: goal(0, prover=None)})), (1, [SMOKE], []))

    def test_smoke_finding_in_the_log(self):
        log = ("[wp] core/src/a.c:3: Warning: Failed smoke-test\n"
               "[wp] Proved goals: 12 / 12\n")
        self.assertEqual(len(run_wp.smoke_findings(log)), 1)
        self.assertEqual(run_wp.smoke_findings("[wp] 3 smoke tests\n"), [])

    def test_compare_summary(self):
        committed = {"functions": {"f": {"goals": 4, "proved": 4},
                                   "g": {"goals": 2, "proved": 2}}}
        now = {"functions": {"f": {"goals": 4, "proved": 3},
                             "h": {"goals": 1, "proved": 1}}}
        self.assertEqual(run_wp.compare_summary(now, committed),
                         (["f", "g"], ["h"]))
        self.assertEqual(run_wp.compare_summary(now, committed, ["g"]),
                         (["g"], ["h"]))
        self.assertEqual(run_wp.compare_summary(committed, committed),
                         ([], []))


class AssumptionGate(unittest.TestCase):
    """The gate over a scratch tree: core/ and an ASSUMPTIONS.md."""

    def gate(self, header, source="", listed=""):
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "core", "include"))
            os.makedirs(os.path.join(root, "core", "src"))
            with open(os.path.join(root, "core", "include", "a.h"), "w") as f:
                f.write(header)
            with open(os.path.join(root, "core", "src", "a.c"), "w") as f:
                f.write(source)
            md = os.path.join(root, "ASSUMPTIONS.md")
            with open(md, "w") as f:
                f.write(listed)
            return run_wp.assumption_gate(root, md)

    def test_the_real_tree_passes(self):
        self.assertEqual(run_wp.assumption_gate(), [])

    def test_axiom(self):
        ax = "/*@ axiomatic A { axiom no_wrap: \\true; } */\n"
        self.assertEqual(len(self.gate(ax)), 1)
        self.assertEqual(self.gate(ax, listed="- `no_wrap`: because\n"), [])

    def test_admit_is_listed_by_its_label(self):
        ad = "/*@ admit ensures fast: \\true; */\n"
        self.assertEqual(len(self.gate(ad, listed="`ensures` `admit`")), 1)
        self.assertEqual(self.gate(ad, listed="- `fast`: because\n"), [])
        self.assertIn("without a label",
                      self.gate("//@ admit ensures 1 == 1;\n")[0])

    def test_undefined_prototype_is_an_assumption(self):
        proto = "int vioreq_load(int v);\n"
        self.assertEqual(len(self.gate(proto)), 1)
        self.assertEqual(self.gate(
            proto, "int vioreq_load(int v)\n{\n\treturn v;\n}\n"), [])
        self.assertEqual(self.gate(proto, listed="`vioreq_load`"), [])


if __name__ == "__main__":
    unittest.main()
