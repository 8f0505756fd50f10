#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The auditor's report check: it must pass a fully traced requirement and
fail a gap, a dangling clause name, an unproved goal and a failed test.

Builds a tiny synthetic tree (requirements, a header with one contract,
a test citing an ID, WP JSON results) in a temporary directory and runs
proofs/report/ on it. Stdlib unittest.
"""
import json
import os
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "proofs", "report"))

import make_report  # noqa: E402
import render_html  # noqa: E402
import render_markdown  # noqa: E402
import report_data  # noqa: E402

REQUIREMENTS = """# requirements

## Things

**REQ-T-001 — proved.** The core shall add.
Carried by: table `[limits]`; contract of `t_add` (behavior `ok`,
`sum`).

**REQ-T-002 — tested only.** The core shall be tested.
Carried by: a test.

**REQ-T-003 — gap.** Nothing carries this.
Carried by: nothing yet.

**REQ-T-004 — dangling.** Names a clause that is not there.
Carried by: contract of `t_add` (`no_such_clause`).

**REQ-T-005 — predicate.** Uses a predicate.
Carried by: predicate `t_small`; contract of `t_add`.
"""

HEADER = """/*@ predicate t_small(integer x) = x < 10; */

/*@ requires small: t_small(a);
    assigns \\nothing;
    behavior ok:
      assumes a < 5;
      ensures sum: \\result == a + 1;
    behavior big:
      assumes a >= 5;
      ensures zero: \\result == 0;
    complete behaviors;
    disjoint behaviors;
 */
int t_add(int a);
"""

TEST_C = """/* Checks that the adder works (REQ-T-002). */
static void test_adds(void **state)
{
\t/* REQ-T-001 */
}
"""


def goal(valid=True, prover="Z3:4.8.12"):
    n = 1 if valid else 0
    return {prover: {"total": 1, "valid": n}, "wp:main": {"total": 1,
                                                           "valid": n}}


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class ReportCheck(unittest.TestCase):
    def make_tree(self, sum_proved=True):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        root = tmp.name
        write(root, "spec/REQUIREMENTS.md", REQUIREMENTS)
        write(root, "spec/vioreq.toml", "[limits]\nx = 1\n")
        write(root, "core/include/t.h", HEADER)
        write(root, "core/logic/t.acsl", "")
        write(root, "tests/unit/test_t.c", TEST_C)
        wp = {"wp:functions": {"t_add": {
            "t_add_ok_ensures_sum": goal(sum_proved),
            "t_add_big_ensures_zero": goal(),
            "t_add_complete_big_ok": goal(prover="qed"),
            "t_add_assert_rte_signed_overflow": goal(prover="qed"),
            "t_add_wp_smoke_default_requires": goal(),
        }}}
        write(root, "wp/wp0.json", json.dumps(wp))
        data = report_data.build(root, os.path.join(root, "wp"),
                                 os.path.join(root, "no-build"))
        return {r["id"]: r for r in data["requirements"]}, data

    def test_statuses(self):
        reqs, data = self.make_tree()
        self.assertEqual(reqs["REQ-T-001"]["status"], "OK")
        self.assertEqual(reqs["REQ-T-001"]["proved_count"], 3)
        self.assertEqual(reqs["REQ-T-002"]["status"], "OK")
        self.assertEqual(reqs["REQ-T-002"]["tests"][0]["function"],
                         "test_adds")
        self.assertEqual(reqs["REQ-T-003"]["status"], "GAP")
        self.assertEqual(reqs["REQ-T-004"]["status"], "FAIL")
        self.assertIn("dangling reference: clause no_such_clause of t_add",
                      reqs["REQ-T-004"]["problems"])
        self.assertEqual(reqs["REQ-T-005"]["status"], "OK")
        self.assertEqual(reqs["REQ-T-005"]["logic"][0]["name"], "t_small")
        # The whole-contract carrier takes the contract's goals, not the
        # runtime-error ones or the smoke tests.
        names = [g["name"] for p in reqs["REQ-T-005"]["proofs"]
                 for c in p["clauses"] for g in c["goals"]]
        self.assertEqual(sorted(names), ["t_add_big_ensures_zero",
                                         "t_add_complete_big_ok",
                                         "t_add_ok_ensures_sum"])
        problems = make_report.check(data)
        self.assertTrue(any(p.startswith("REQ-T-003") for p in problems))
        self.assertTrue(any(p.startswith("REQ-T-004") for p in problems))
        self.assertFalse(any(p.startswith("REQ-T-001") for p in problems))

    def test_unproved_goal_fails(self):
        reqs, data = self.make_tree(sum_proved=False)
        self.assertEqual(reqs["REQ-T-001"]["status"], "FAIL")
        self.assertIn("1 goals not proved", make_report.check(data))

    def test_renders(self):
        _, data = self.make_tree()
        md = render_markdown.render(data, "# Assumptions\n\nNone.\n")
        self.assertIn("### REQ-T-003 — gap", md)
        page = render_html.render(data, "# Assumptions\n\n| a | b |\n"
                                  "|---|---|\n| `x` | y |\n", "<svg></svg>")
        self.assertIn("id='req-t-001'", page)
        self.assertIn("<td><code>x</code></td>", page)
        self.assertNotIn("<script", page)


if __name__ == "__main__":
    unittest.main()
