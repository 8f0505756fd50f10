# SPDX-License-Identifier: MIT
"""Which ctest runs a test file, and what the last ctest run said.

The ctest list comes from `ctest --show-only=json-v1` in the build
directory; the verdicts from Testing/Temporary/LastTest.log, which holds
the last `ctest` invocation only (the report says when that was and
shows "not run" for a test it does not mention).
"""
import json
import os
import re
import subprocess


class TestIndex:
    def __init__(self, build_dir, verdicts=True):
        self.build_dir = build_dir
        self.tests = {}             # ctest name -> [command words]
        self.verdicts = {}          # ctest name -> passed/failed/skipped
        self.log_time = None
        log = os.path.join(build_dir, "Testing", "Temporary",
                           "LastTest.log")
        saved = None
        if os.path.exists(log):
            with open(log, "rb") as f:
                saved = f.read()
        if verdicts:
            self._load_verdicts()
        self._load_list()
        # `ctest --show-only` rewrites LastTest.log as an empty run; put
        # the real one back, for the next report.
        if saved is not None:
            with open(log, "wb") as f:
                f.write(saved)

    def _load_list(self):
        try:
            out = subprocess.run(
                ["ctest", "--test-dir", self.build_dir,
                 "--show-only=json-v1"], capture_output=True, text=True,
                check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return
        for t in json.loads(out).get("tests", []):
            self.tests[t["name"]] = t.get("command") or []

    def _load_verdicts(self):
        path = os.path.join(self.build_dir, "Testing", "Temporary",
                            "LastTest.log")
        if not os.path.exists(path):
            return
        with open(path, errors="replace") as f:
            text = f.read()
        m = re.search(r"Start testing: (.*)", text)
        self.log_time = m.group(1).strip() if m else None
        current = None
        for line in text.splitlines():
            m = re.match(r"\d+/\d+ Testing: (\S+)", line)
            if m:
                current = m.group(1)
            elif current and line.startswith("Test Passed."):
                self.verdicts[current] = "passed"
            elif current and line.startswith("Test Failed."):
                self.verdicts[current] = "failed"
            elif current and "Skipped" in line:
                self.verdicts[current] = "skipped"

    def ctests_for(self, path):
        """ctest names whose command runs the given source file.

        A compiled test runs a binary named after its source file; a
        script test names the script; a file that is neither (a helper,
        the model) is matched by its directory."""
        stem = os.path.splitext(os.path.basename(path))[0]
        exact, by_dir = [], []
        top = os.path.dirname(path)
        for name, cmd in sorted(self.tests.items()):
            words = [os.path.basename(w) for w in cmd]
            words += [os.path.splitext(w)[0] for w in words]
            if stem in words or any(w.endswith(path) for w in cmd):
                exact.append(name)
            elif top and any(("/" + top + "/") in w for w in cmd):
                by_dir.append(name)
        if path.startswith("spec/model/"):
            return [n for n in sorted(self.tests) if n.startswith("model.")]
        return exact or by_dir

    def verdict(self, name):
        return self.verdicts.get(name, "not run")
