#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Unit tests of proofs/replay_record.py (no Frama-C needed).

The record lets CI skip the 85 s replay when nothing the replay reads has
changed, so the one thing it must never do is match inputs that differ:
each test below changes one input of a synthetic tree and expects the
digest to move, and names the input it moved. The verdicts it stores must
read back as the same verdicts, failures included, since run_wp.py checks
them exactly as it checks a replay's report.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "proofs"))
import replay_record  # noqa: E402
import run_wp  # noqa: E402

TOOLS = {"frama-c": "25.0", "why3": "Why3 platform, version 1.5.1",
         "provers": "CVC4 1.8\nZ3 4.8.12"}


class FakeRun:
    """subprocess.run for tool_versions(): answers from a table."""

    def __init__(self, answers):
        self.answers = answers

    def __call__(self, cmd, **_):
        answer = self.answers.get(cmd[0])
        if answer is None:
            raise FileNotFoundError(cmd[0])
        code, text = answer
        return type("P", (), {"returncode": code, "stdout": text,
                              "stderr": ""})()


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class Fingerprint(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)
        write(self.root, "core/src/slot.c", "int f(void) { return 0; }\n")
        write(self.root, "core/logic/vm.acsl", "/*@ predicate p = \\true; */")
        write(self.root, "proofs/wp-cache/ab12.json", '{"result": "valid"}')
        write(self.root, "proofs/run_wp.py", "FLAGS = ['-wp-rte']\n")
        write(self.root, "proofs/replay_record.py", "FORMAT = 1\n")
        self.base = self.fp()

    def fp(self, tools=TOOLS, env=None, preprocessed="cpp output"):
        return replay_record.fingerprint(self.root, env=env or {},
                                         tools=tools,
                                         preprocessed=preprocessed)

    def record(self, fp):
        return replay_record.make(fp, REPORT, {}, {
            "finished": "now", "seconds": 1.0, "jobs": 4})

    def assertMoved(self, name, fp=None):
        fp = fp or self.fp()
        self.assertNotEqual(fp["all"], self.base["all"])
        self.assertEqual(replay_record.changed_inputs(self.record(self.base),
                                                      fp),
                         [name + " changed"])

    def test_same_tree_same_digest(self):
        self.assertEqual(self.fp(), self.base)
        self.assertEqual(replay_record.changed_inputs(
            self.record(self.base),
            self.fp()), [])

    def test_one_byte_of_core(self):
        write(self.root, "core/src/slot.c", "int f(void) { return 1; }\n")
        self.assertMoved("core")

    def test_logic_file(self):
        write(self.root, "core/logic/vm.acsl", "/*@ predicate p = \\false; */")
        self.assertMoved("core")

    def test_file_added_to_core(self):
        write(self.root, "core/include/vioreq/new.h", "")
        self.assertMoved("core")

    def test_file_renamed_same_content(self):
        os.rename(os.path.join(self.root, "core/src/slot.c"),
                  os.path.join(self.root, "core/src/slot2.c"))
        self.assertMoved("core")

    def test_cache_entry_added(self):
        write(self.root, "proofs/wp-cache/cd34.json", '{"result": "valid"}')
        self.assertMoved("cache")

    def test_cache_entry_edited(self):
        write(self.root, "proofs/wp-cache/ab12.json", '{"result": "timeout"}')
        self.assertMoved("cache")

    def test_cache_entry_removed(self):
        os.remove(os.path.join(self.root, "proofs/wp-cache/ab12.json"))
        self.assertMoved("cache")

    def test_flags(self):
        write(self.root, "proofs/run_wp.py", "FLAGS = []\n")
        self.assertMoved("run_wp")

    def test_record_format_code(self):
        write(self.root, "proofs/replay_record.py", "FORMAT = 2\n")
        self.assertMoved("replay_record")

    def test_preprocessed_code(self):
        # A header from outside core/ (the root, Frama-C's libc) or another
        # preprocessor changes what Frama-C parses, and this digest.
        self.assertMoved("preprocessed", self.fp(preprocessed="other"))

    def test_symbolic_link_is_not_followed_but_refused(self):
        os.symlink(self.root, os.path.join(self.root, "core", "link"))
        fp = self.fp()
        self.assertTrue(fp["problems"])
        self.assertEqual(len(replay_record.changed_inputs(
            self.record(fp), fp)), 1)
        self.assertIn("symbolic link core/link", replay_record.changed_inputs(
            self.record(fp), fp)[0])

    def test_tool_version(self):
        self.assertMoved("tools", self.fp(tools=dict(TOOLS, why3="1.6.0")))

    def test_preprocessor(self):
        self.assertMoved("environment", self.fp(env={"CPP": "clang -E -C"}))

    def test_prover_set(self):
        self.assertMoved("tools", self.fp(
            tools=dict(TOOLS, provers=TOOLS["provers"] + "\nAlt-Ergo 2.4")))

    def test_prover_lines(self):
        listed = ("Alt-Ergo 2.4.2\nCVC4 1.8\nCVC4 1.8 (strings)\n"
                  "Z3 4.8.12\nZ3 4.8.12 (noBV)\n")
        self.assertEqual(replay_record.prover_lines(listed),
                         "CVC4 1.8\nZ3 4.8.12")
        self.assertEqual(replay_record.prover_lines("Z3 4.8.12\n"),
                         "Z3 4.8.12")

    def test_provers_are_those_run_wp_uses(self):
        flags = run_wp.WP_FLAGS
        used = flags[flags.index("-wp-prover") + 1].split(",")
        self.assertEqual(sorted(used), sorted(replay_record.PROVERS))

    def test_missing_or_failing_tool_is_not_an_input(self):
        # Two machines without why3 must not match each other.
        ok = {"frama-c": (0, "25.0"),
              "why3": (0, "CVC4 1.8\nZ3 4.8.12\n")}
        problems = []
        got = replay_record.tool_versions(problems, FakeRun(ok))
        self.assertEqual(problems, [])
        self.assertEqual(got["frama-c"], "25.0")
        for broken in ({"why3": None}, {"frama-c": (2, "")},
                       {"why3": (0, "Z3 4.8.12\n")}, {"frama-c": (0, "")}):
            problems = []
            answers = {k: v for k, v in dict(ok, **broken).items()
                       if v is not None}
            replay_record.tool_versions(problems, FakeRun(answers))
            self.assertTrue(problems, broken)
            self.assertTrue(replay_record.changed_inputs(
                self.record(self.base),
                dict(self.base, problems=problems))[0].startswith(
                    "inputs not all known"))

    def test_frama_c_environment(self):
        self.assertMoved("environment",
                         self.fp(env={"FRAMAC_SHARE": "/opt/share"}))
        self.assertMoved("environment",
                         self.fp(env={"WHY3CONFIG": "/tmp/why3.conf"}))

    def test_environment_that_run_wp_removes(self):
        self.assertEqual(self.fp(env={"FRAMAC_WP_CACHE": "none",
                                      "HOME": "/x"})["all"],
                         self.base["all"])

    def test_missing_malformed_or_other_record(self):
        self.assertEqual(replay_record.changed_inputs(None, self.base),
                         ["no record (missing or unreadable)"])
        good = replay_record.make(self.base, REPORT, {}, {
            "finished": "now", "seconds": 1.0, "jobs": 4})
        self.assertEqual(replay_record.changed_inputs(good, self.base), [])
        bad = [dict(good, format=0), [good], dict(good, goals=None),
               dict(good, replay={}),
               dict(good, goals={"f": {"g": [1, 1]}}),
               {k: v for k, v in good.items() if k != "fingerprint"}]
        for record in bad:
            self.assertEqual(replay_record.changed_inputs(record, self.base),
                             ["the record is malformed or not of format 1"])

    def test_edited_overall_digest(self):
        good = replay_record.make(dict(self.base, all="0" * 64), REPORT, {},
                                  {"finished": "now", "seconds": 1.0,
                                   "jobs": 4})
        self.assertEqual(replay_record.changed_inputs(good, self.base),
                         ["the record's overall digest was edited"])


@unittest.skipIf(shutil.which("frama-c") is None, "needs frama-c")
class Preprocessed(unittest.TestCase):
    """The digest of the code Frama-C parses, on a two-file tree."""

    def tree(self):
        root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, root)
        write(root, "core/src/a.c", '#include "vioreq/x.h"\n'
              '/*@ ensures X; */ int f(void) { return X; }\n')
        write(root, "core/include/vioreq/x.h", "#define X 1\n")
        return root

    def digest(self, root):
        problems = []
        env = dict(os.environ, PWD=root)
        got = replay_record.preprocessed_digest(
            root, run_wp.KERNEL_FLAGS + ["core/src/a.c"], env, problems)
        self.assertEqual(problems, [])
        return got

    def test_same_code_elsewhere_same_digest(self):
        self.assertEqual(self.digest(self.tree()), self.digest(self.tree()))

    def test_header_at_the_root_shadows_core(self):
        root = self.tree()
        before = self.digest(root)
        write(root, "vioreq/x.h", "#define X 2\n")
        self.assertNotEqual(self.digest(root), before)

    def test_failure_is_a_problem(self):
        root = self.tree()
        os.remove(os.path.join(root, "core/include/vioreq/x.h"))
        problems = []
        replay_record.preprocessed_digest(
            root, run_wp.KERNEL_FLAGS + ["core/src/a.c"],
            dict(os.environ, PWD=root), problems)
        self.assertTrue(problems)


# A report as WP writes it: a goal in two parts (Qed and CVC4), a goal one
# part of which failed, two smoke tests (one passed, one refuted), and one
# smoke test no prover answered.
REPORT = {"wp:functions": {
    "f": {
        "wp:section": {"wp:main": {"total": 3, "valid": 2}},
        "f_ensures_ok": {"qed": {"total": 2, "valid": 1},
                         "CVC4:1.8": {"total": 1, "valid": 1},
                         "wp:main": {"total": 2, "valid": 2}},
        "f_assert_bad": {"qed": {"total": 1, "valid": 0},
                         "Z3:4.8.12": {"total": 1, "valid": 0},
                         "wp:main": {"total": 1, "valid": 0}},
        "f_wp_smoke_default_requires": {
            "CVC4:1.8": {"total": 1, "valid": 1},
            "Z3:4.8.12": {"total": 1, "valid": 1},
            "wp:main": {"total": 1, "valid": 1}},
        "f_wp_smoke_dead_code_s3": {
            "Z3:4.8.12": {"total": 1, "valid": 0},
            "CVC4:1.8": {"total": 1, "valid": 0},
            "wp:main": {"total": 1, "valid": 0}},
        "f_wp_smoke_dead_loop_s9": {"wp:main": {"total": 1, "valid": 0}},
    },
    "lemmas": {"lemma_l": {"Z3:4.8.12": {"total": 1, "valid": 1},
                           "wp:main": {"total": 1, "valid": 1}}},
}}


class Verdicts(unittest.TestCase):
    def setUp(self):
        self.back = replay_record.expand_goals(
            json.loads(json.dumps(replay_record.compact_goals(REPORT))))

    def test_counts_read_back(self):
        self.assertEqual(run_wp.summarize(self.back),
                         run_wp.summarize(REPORT))

    def test_unproved_goal_reads_back(self):
        self.assertEqual(run_wp.unproved_goals(self.back), ["f_assert_bad"])

    def test_smoke_verdicts_read_back(self):
        # The refuted test and the unanswered one stay what they were: a
        # record of a failed replay could never pass the checks.
        self.assertEqual(run_wp.smoke_goals(self.back),
                         run_wp.smoke_goals(REPORT))
        self.assertEqual(run_wp.smoke_goals(self.back),
                         (3, ["f_wp_smoke_dead_loop_s9"],
                          ["f_wp_smoke_dead_code_s3"]))

    def test_prover_that_proved_reads_back(self):
        goal = self.back["wp:functions"]["f"]["f_ensures_ok"]
        self.assertEqual({p for p, v in goal.items() if v["valid"]},
                         {"qed", "CVC4:1.8", "wp:main"})

    def test_file_round_trip(self):
        record = replay_record.make({"all": "x"}, REPORT,
                                    run_wp.summarize(REPORT),
                                    {"seconds": 1.0})
        self.assertEqual(json.loads(replay_record.dumps(record)), record)


class FastPath(unittest.TestCase):
    """run_wp.py's use of a record (no Frama-C: the inputs are given)."""

    def setUp(self):
        self.out = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.out)
        self.inputs = {"core": "c", "problems": [], "all": "a"}
        self.record = replay_record.make(self.inputs, REPORT, {}, {
            "finished": "now", "seconds": 85.0, "jobs": 4})

    def use(self, record, jobs=4):
        import contextlib
        import io
        with contextlib.redirect_stdout(io.StringIO()) as said:
            got = run_wp.replayed_from_record(record, self.inputs, self.out,
                                              jobs)
        return got, said.getvalue()

    def test_match_gives_the_recorded_verdicts(self):
        got, said = self.use(self.record)
        self.assertIsNotNone(got, said)
        self.assertEqual(run_wp.unproved_goals(got[0]), ["f_assert_bad"])
        with open(os.path.join(self.out, "wp0.json")) as f:
            self.assertEqual(json.load(f), got[0])

    def test_other_schedule_is_not_used(self):
        got, said = self.use(self.record, jobs=1)
        self.assertIsNone(got)
        self.assertIn("--jobs 4", said)

    def test_changed_input_is_not_used(self):
        got, said = self.use(replay_record.make(
            dict(self.inputs, core="c2"), REPORT, {},
            self.record["replay"]))
        self.assertIsNone(got)
        self.assertIn("core changed", said)


class CommittedRecord(unittest.TestCase):
    """The committed record against the committed summary (the digest
    itself needs the tools: the proofs.record test checks it)."""

    def test_record_agrees_with_summary(self):
        record = replay_record.load(ROOT)
        self.assertIsNotNone(record, replay_record.RECORD)
        with open(run_wp.SUMMARY) as f:
            committed = json.load(f)
        back = replay_record.expand_goals(record["goals"])
        self.assertEqual(run_wp.summarize(back), committed)
        self.assertEqual(record["summary"], committed)
        self.assertEqual(run_wp.unproved_goals(back), [])
        count, silent, refuted = run_wp.smoke_goals(back)
        self.assertGreater(count, 0)
        self.assertEqual((silent, refuted), ([], []))


if __name__ == "__main__":
    unittest.main()
