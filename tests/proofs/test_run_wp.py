#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Unit tests of proofs/run_wp.py's scheduling (no Frama-C needed).

A function missing from every batch would go unproved without a word from
WP, and a function in two batches would be proved twice; the batches must
also put the costliest work first, or the last worker runs alone.
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

    def test_unknown_function_still_scheduled(self):
        batches = run_wp.make_batches(["not_in_summary", "vioreq_dispatch"],
                                      "offline")
        self.assertEqual(sorted(self.flat(batches)),
                         ["not_in_summary", "vioreq_dispatch"])


class StaleReports(unittest.TestCase):
    def test_old_reports_removed_others_kept(self):
        # The auditor's report reads every wp*.json of the directory.
        with tempfile.TemporaryDirectory() as d:
            for f in ("wp7.json", "wp7.log", "wp.json", "summary.json",
                      "wpx.json", "run.json"):
                open(os.path.join(d, f), "w").close()
            run_wp.remove_stale_reports(d, "wp")
            self.assertEqual(sorted(os.listdir(d)),
                             ["run.json", "summary.json", "wpx.json"])


if __name__ == "__main__":
    unittest.main()
