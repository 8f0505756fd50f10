#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Mutation check of proof and test strength: apply systematic mutations to
the C code of core/src/*.c and record, for each mutant, whether the cmocka
unit tests of the core and the Frama-C WP proofs reject it.

    python3 tests/mutation/run_mutants.py --list [selection]
    python3 tests/mutation/run_mutants.py [selection] [--stage S]
            [--proofs-for survivors|all] [--proof-timeout S]
            [--test-timeout S] [--skip-done] [--keep]
    python3 tests/mutation/run_mutants.py --summary

Selection: --file F (a core/src file name, repeatable), --function NAME
(repeatable), --only REGEX (searched in the mutant id), --limit N.

Operators (README.md): rel_* (flip a comparison), if_false / if_true (drop
a check), obo_inc / obo_dec / obo_drop (off by one), state_* (swap a slot
state for the next one), log_and_or / log_or_and. Comments, ACSL
annotations, strings and preprocessor lines are never mutated.

Every mutant is built in a temporary copy of the tree (one CMake build
directory, rebuilt incrementally). A mutant the build rejects is stillborn
and not counted. Test stage: ctest -R '^unit\\.'. Proof stage:
proofs/run_wp.py --cache update --function <enclosing function>, run by
default only on mutants the tests did not kill.

Results merge into tests/mutation/results.json (per mutant id, so partial
runs accumulate); the summary gives the kill ratios and lists every
survivor that tests/mutation/equivalent.md does not argue equivalent as
UNEXPLAINED, and then exits 1. Not a ctest: a full run takes hours.
Every child process runs under `nice -n 10`. Stdlib only.
"""
import argparse
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORE_SRC = os.path.join("core", "src")
RESULTS = os.path.join(HERE, "results.json")
EQUIVALENT = os.path.join(HERE, "equivalent.md")
NICE = ["nice", "-n", "10"]
UNIT_TESTS = r"^unit\."          # the cmocka tests of the core (ctest names)
BUILD_TIMEOUT = 600

# ------------------------------------------------------------------ lexer


def _blank(chars, start, end):
    """Overwrite chars[start:end] with spaces, keeping the newlines."""
    for k in range(start, end):
        if chars[k] != "\n":
            chars[k] = " "


def _skip_quoted(text, i):
    """End of the string or character literal that opens at text[i]."""
    quote, j = text[i], i + 1
    while j < len(text) and text[j] not in (quote, "\n"):
        j += 2 if text[j] == "\\" else 1
    return min(j + 1, len(text))


def _skip_directive(text, i):
    """End of the preprocessor line at text[i], continuations included."""
    j = i
    while j < len(text) and text[j] != "\n":
        j += 2 if text[j] == "\\" else 1
    return min(j, len(text))


def mask(text):
    """The source with comments (ACSL annotations are comments too), string
    and character literals and preprocessor lines blanked out. Offsets and
    newlines are kept, so a match in the mask is a position in the source,
    and nothing a mutation could match is left outside plain C code."""
    chars = list(text)
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
        elif text[i] in "\"'":
            end = _skip_quoted(text, i)
        elif text[i] == "#" and at_line_start:
            end = _skip_directive(text, i)
        else:
            if text[i] == "\n":
                at_line_start = True
            elif not text[i].isspace():
                at_line_start = False
            i += 1
            continue
        _blank(chars, i, end)
        i = end
    return "".join(chars)


Token = collections.namedtuple("Token", "kind text start end")

TOKEN = re.compile(r"""
    (?P<num>0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<op><<=|>>=|\.\.\.|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\|
         |[-+*/%&|^]=|[-+*/%&|^!~<>=?:;,.(){}\[\]])
  | (?P<ws>\s+)
  | (?P<other>.)
""", re.X | re.S)


def tokenize(masked):
    """C tokens of masked source. Multi-character operators are single
    tokens, so `<<`, `<<=` and `->` never look like a comparison."""
    return [Token(m.lastgroup, m.group(), m.start(), m.end())
            for m in TOKEN.finditer(masked) if m.lastgroup != "ws"]


def matching(tokens, i, opening, closing):
    """Index of the token closing the bracket opened at tokens[i]."""
    depth = 0
    for k in range(i, len(tokens)):
        if tokens[k].text == opening:
            depth += 1
        elif tokens[k].text == closing:
            depth -= 1
            if depth == 0:
                return k
    raise ValueError("unbalanced %r at offset %d" % (opening, tokens[i].start))


def matching_back(tokens, i, opening, closing):
    """Index of the token opening the bracket closed at tokens[i]."""
    depth = 0
    for k in range(i, -1, -1):
        if tokens[k].text == closing:
            depth += 1
        elif tokens[k].text == opening:
            depth -= 1
            if depth == 0:
                return k
    raise ValueError("unbalanced %r at offset %d" % (closing, tokens[i].start))


def function_bodies(tokens):
    """(name, index of `{`, index of `}`) of each function definition: a
    `{` at file scope right after the `)` of a parameter list."""
    bodies, depth, i = [], 0, 0
    while i < len(tokens):
        text = tokens[i].text
        if text == "{" and depth == 0 and i > 0 and tokens[i - 1].text == ")":
            paren = matching_back(tokens, i - 1, "(", ")")
            close = matching(tokens, i, "{", "}")
            bodies.append((tokens[paren - 1].text, i, close))
            i = close + 1
            continue
        depth += {"{": 1, "}": -1}.get(text, 0)
        i += 1
    return bodies


# -------------------------------------------------------------- operators

REL_FLIP = {"<": ("<=", "lt_le"), "<=": ("<", "le_lt"),
            ">": (">=", "gt_ge"), ">=": (">", "ge_gt"),
            "==": ("!=", "eq_ne"), "!=": ("==", "ne_eq")}
LOGIC_SWAP = {"&&": ("||", "and_or"), "||": ("&&", "or_and")}
STATES = ["VIOREQ_STATE_PENDING", "VIOREQ_STATE_PROCESSING",
          "VIOREQ_STATE_COMPLETE", "VIOREQ_STATE_FREE"]
ORDERING = {"<", "<=", ">", ">="}
# Where a literal 0 or 1 is an operand of arithmetic or of an equality:
# an off-by-one there changes a computed value or a tested one.
VALUE_CONTEXT = {"==", "!=", "+", "-", "*", "/", "%", "<<", ">>", "?", ":"}
OPERAND_END = {"num", "id"}
CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")

OPERATORS = (["rel_" + name for _, name in REL_FLIP.values()] +
             ["if_false", "if_true", "obo_inc", "obo_dec", "obo_drop"] +
             ["state_%s_%s" % (a.split("_")[-1].lower(),
                               b.split("_")[-1].lower())
              for a, b in zip(STATES, STATES[1:] + STATES[:1])] +
             ["log_" + name for _, name in LOGIC_SWAP.values()])


def literal_value(text):
    digits = text.rstrip("uUlL")
    if digits[:2].lower() == "0x":
        return int(digits, 16)
    return int(digits, 8 if len(digits) > 1 and digits[0] == "0" else 10)


def literal_with(text, value):
    """`value` written like the literal `text`: same base, same suffix."""
    digits = text.rstrip("uUlL")
    suffix = text[len(digits):]
    if digits[:2].lower() == "0x":
        return digits[:2] + format(value, "X") + suffix
    return str(value) + suffix


def ends_operand(tok):
    return tok.kind in OPERAND_END or tok.text in (")", "]")


def mutate_relational(tokens, i):
    flip = REL_FLIP.get(tokens[i].text)
    if flip:
        yield "rel_" + flip[1], i, i, flip[0]


def mutate_logical(tokens, i):
    swap = LOGIC_SWAP.get(tokens[i].text)
    if swap:
        yield "log_" + swap[1], i, i, swap[0]


def mutate_state(tokens, i):
    name = tokens[i].text
    if tokens[i].kind == "id" and name in STATES:
        nxt = STATES[(STATES.index(name) + 1) % len(STATES)]
        op = "state_%s_%s" % (name.split("_")[-1].lower(),
                              nxt.split("_")[-1].lower())
        yield op, i, i, nxt


def mutate_if(tokens, i):
    """Drop a check. if_false: the guarded branch never runs (an error
    check that never fires, a skip that never skips). if_true: it always
    runs. The whole condition goes, side effects included."""
    if tokens[i].text == "if" and tokens[i + 1].text == "(":
        close = matching(tokens, i + 1, "(", ")")
        if close > i + 2:
            yield "if_false", i + 2, close - 1, "0"
            yield "if_true", i + 2, close - 1, "1"


def _off_by_one(tokens, i, value_context):
    """obo_inc / obo_dec of the operand tokens[i] (dec not below 0)."""
    tok = tokens[i]
    if tok.kind == "num":
        value = literal_value(tok.text)
        yield "obo_inc", i, i, literal_with(tok.text, value + 1)
        if value > 0:
            yield "obo_dec", i, i, literal_with(tok.text, value - 1)
    elif not value_context:
        yield "obo_inc", i, i, "(%s + 1)" % tok.text
        yield "obo_dec", i, i, "(%s - 1)" % tok.text


def mutate_off_by_one(tokens, i):
    """A bound (a literal or an upper-case constant next to < <= > >=) or
    a literal 0 or 1 in arithmetic, an equality or a ?: arm, moved by one;
    and a `+ 1` or `- 1` removed. A `+ 1`/`- 1` is only removed, since
    moving its 1 to 0 would be the same mutant."""
    tok, prev, nxt = tokens[i], tokens[i - 1], tokens[i + 1]
    if tok.kind == "num" and literal_value(tok.text) == 1 and \
            prev.text in ("+", "-") and ends_operand(tokens[i - 2]) and \
            nxt.text not in ("*", "/", "%"):
        yield "obo_drop", i - 1, i, ""
        return
    near = {prev.text, nxt.text}
    if tok.kind == "num" or (tok.kind == "id" and CONSTANT.match(tok.text)):
        if near & ORDERING:
            yield from _off_by_one(tokens, i, False)
        elif tok.kind == "num" and literal_value(tok.text) in (0, 1) and \
                near & VALUE_CONTEXT:
            yield from _off_by_one(tokens, i, True)


GENERATORS = [mutate_relational, mutate_if, mutate_off_by_one,
              mutate_state, mutate_logical]

Mutant = collections.namedtuple(
    "Mutant", "id file line function operator start end replacement "
              "original mutated source")


def _lines_around(text, start, end):
    """The whole source lines that hold text[start:end]."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return text[first:len(text) if last < 0 else last]


def apply(text, start, end, replacement):
    """text with text[start:end] replaced; the newlines of the replaced
    part are kept, so line numbers below the mutation do not move."""
    return text[:start] + replacement + "\n" * text.count("\n", start, end) \
        + text[end:]


def mutants_of(path):
    """Every mutant of one core/src file, in source order."""
    name = os.path.basename(path)
    with open(path) as f:
        text = f.read()
    tokens = tokenize(mask(text))
    found = []
    for function, open_i, close_i in function_bodies(tokens):
        for i in range(open_i + 1, close_i):
            for gen in GENERATORS:
                for op, first, last, replacement in gen(tokens, i):
                    start = tokens[first].start
                    if op == "obo_drop":     # take the space before `+ 1`
                        start = tokens[first - 1].end
                    found.append((start, tokens[last].end, op, replacement,
                                  function))
    found.sort(key=lambda m: (m[0], OPERATORS.index(m[2])))
    seen = collections.Counter()
    result = []
    for start, end, op, replacement, function in found:
        line = text.count("\n", 0, start) + 1
        seen[(line, op)] += 1
        mutated = apply(text, start, end, replacement)
        original_lines = _lines_around(text, start, end)
        first = text.rfind("\n", 0, start) + 1
        mutated_lines = mutated[first:].split("\n")[
            :original_lines.count("\n") + 1]
        result.append(Mutant(
            "%s:L%d:%s:%d" % (name, line, op, seen[(line, op)]), name, line,
            function, op, start, end, replacement,
            original_lines.strip(), "\n".join(mutated_lines).strip(),
            text))
    return result


def all_mutants():
    src = os.path.join(ROOT, CORE_SRC)
    out = []
    for f in sorted(os.listdir(src)):
        if f.endswith(".c"):
            out.extend(mutants_of(os.path.join(src, f)))
    return out


def select(mutants, args):
    chosen = [m for m in mutants
              if (not args.file or m.file in map(os.path.basename, args.file))
              and (not args.function or m.function in args.function)
              and (not args.only or re.search(args.only, m.id))]
    return chosen[:args.limit] if args.limit else chosen


# --------------------------------------------------------------- children


def run(cmd, cwd, timeout=None):
    """Run cmd under nice; return (exit status or None on timeout, output).
    The child gets its own process group so a timeout kills the tests it
    started too."""
    proc = subprocess.Popen(NICE + cmd, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out


def first_line(text, pattern):
    for line in text.splitlines():
        if re.search(pattern, line):
            return line.strip()
    return ""


class WorkTree:
    """A private copy of the repository with one CMake build directory.
    The copy includes proofs/wp-cache, so goals a mutant leaves untouched
    are cache hits; run_wp.py finds its root from its own path, so it
    proves the copy."""

    def __init__(self, work):
        self.work = work
        self.tree = os.path.join(work, "tree")
        self.build = os.path.join(work, "build")
        self.proof_out = os.path.join(work, "proofs")
        shutil.copytree(ROOT, self.tree, symlinks=True, ignore=self._ignore)
        self.targets = sorted(
            f[:-2] for f in os.listdir(os.path.join(ROOT, "tests", "unit"))
            if f.startswith("test_") and f.endswith(".c"))
        self.originals = {}

    @staticmethod
    def _ignore(directory, names):
        # Build trees, git metadata and this directory's results stay out.
        if os.path.abspath(directory) == ROOT:
            return {n for n in names
                    if n in (".git", "build") or n.startswith("build-")}
        if os.path.abspath(directory) == os.path.dirname(HERE):
            return {os.path.basename(HERE)}
        return {n for n in names if n == "__pycache__"}

    def configure(self):
        gen = ["-G", "Ninja"] if shutil.which("ninja") else []
        rc, out = run(["cmake", "-S", self.tree, "-B", self.build] + gen,
                      self.work, BUILD_TIMEOUT)
        if rc != 0:
            raise SystemExit("mutation: cmake configure failed:\n" +
                             out[-3000:])

    def write(self, mutant):
        path = os.path.join(self.tree, CORE_SRC, mutant.file)
        if mutant.file not in self.originals:
            with open(path) as f:
                self.originals[mutant.file] = f.read()
        text = self.originals[mutant.file]
        if text != mutant.source:
            # The offsets are those of the enumerated text.
            raise SystemExit("mutation: core/src/%s changed between the "
                             "enumeration and the copy" % mutant.file)
        with open(path, "w") as f:
            f.write(apply(text, mutant.start, mutant.end, mutant.replacement))

    def restore(self, mutant):
        # A fresh mtime on purpose: the next build must recompile the file.
        with open(os.path.join(self.tree, CORE_SRC, mutant.file), "w") as f:
            f.write(self.originals[mutant.file])

    def build_tests(self):
        """(True, "") or (False, first compiler error)."""
        rc, out = run(["cmake", "--build", self.build, "--target"] +
                      self.targets, self.work, BUILD_TIMEOUT)
        if rc == 0:
            return True, ""
        why = (first_line(out, r"\berror:") or
               first_line(out, r"FAILED|Error") or "build failed")
        return False, why.replace(self.tree + os.sep, "")

    def run_tests(self, timeout):
        """("killed"|"survived", which tests failed)."""
        rc, out = run(["ctest", "--test-dir", self.build, "-R", UNIT_TESTS,
                       "--no-tests=error"], self.work, timeout)
        if rc is None:
            return "killed", "timeout after %g s" % timeout
        if rc == 0:
            return "survived", ""
        failed = re.findall(r"^\s*\d+ - (\S+ \(.*?\))", out, re.M)
        return "killed", ", ".join(failed) or out.strip()[-200:]

    def prove(self, function, goal_timeout):
        """("killed"|"survived", first unproved goal or other reason)."""
        cmd = [sys.executable, os.path.join(self.tree, "proofs", "run_wp.py"),
               "--cache", "update", "--function", function,
               "--out", self.proof_out]
        if goal_timeout:
            cmd += ["--timeout", str(goal_timeout)]
        rc, out = run(cmd, self.tree)
        if rc == 0:
            return "survived", ""
        why = (first_line(out, r"^UNPROVED:") or first_line(out, r"^SMOKE") or
               first_line(out, r"^(ASSUMPTION|REGRESSION):") or
               first_line(out, r"frama-c failed") or out.strip()[-200:])
        return "killed", why


# ---------------------------------------------------------------- results


def git_commit():
    """HEAD, with -dirty when the files a mutant run depends on differ."""
    def git(*a):
        return subprocess.run(["git", "-C", ROOT] + list(a),
                              capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "core", "tests/unit",
                "CMakeLists.txt", "proofs/run_wp.py")
    return head + ("-dirty" if dirty else "")


def load_results(path):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {"about": "tests/mutation/run_mutants.py (README.md there)",
            "mutants": {}}


def save_results(path, results):
    results["mutants"] = dict(sorted(results["mutants"].items(),
                                     key=lambda kv: id_key(kv[0])))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def id_key(mutant_id):
    name, line, op, k = mutant_id.rsplit(":", 3)
    return name, int(line[1:]), op, int(k)


def fresh_record(mutant, commit):
    return {"id": mutant.id, "file": mutant.file, "line": mutant.line,
            "function": mutant.function, "operator": mutant.operator,
            "original": mutant.original, "mutated": mutant.mutated,
            "commit": commit, "tests": "not_run", "tests_detail": "",
            "proofs": "not_run", "proofs_detail": "", "proof_timeout": None,
            "seconds": {}}


def record_for(results, mutant, commit):
    """The stored record of the mutant, or a fresh one when there is none
    or it was made for other code (another commit or another line)."""
    old = results["mutants"].get(mutant.id)
    if old and old["commit"] == commit and old["original"] == mutant.original \
            and old["mutated"] == mutant.mutated:
        return old
    return fresh_record(mutant, commit)


def read_equivalent(path):
    """Mutant ids argued equivalent: a markdown heading naming the id,
    followed by a non-empty argument before the next heading."""
    argued, current, body = set(), None, []
    if not os.path.exists(path):
        return argued
    with open(path) as f:
        lines = f.read().splitlines() + ["# end"]
    for line in lines:
        if line.startswith("#"):
            if current and "".join(body).strip():
                argued.add(current)
            m = re.search(r"[\w.-]+\.c:L\d+:\w+:\d+", line)
            current, body = (m.group() if m else None), []
        else:
            body.append(line)
    return argued


def final_verdict(rec):
    if rec["tests"] == "stillborn":
        return "stillborn"
    if "killed" in (rec["tests"], rec["proofs"]):
        return "killed"
    if rec["tests"] == "survived" and rec["proofs"] == "survived":
        return "survived"
    return "incomplete"


def ratio(k, n):
    return "%d / %d (%.1f%%)" % (k, n, 100.0 * k / n) if n else "0 / 0"


def summary(results, mutants, equivalent_path):
    """Print the kill ratios; return the number of unexplained survivors."""
    current = {m.id: m for m in mutants}
    recs = [r for i, r in results["mutants"].items()
            if i in current and r["original"] == current[i].original]
    stale = len(results["mutants"]) - len(recs)
    argued = read_equivalent(equivalent_path)
    live = [r for r in recs if final_verdict(r) != "stillborn"]
    tested = [r for r in live if r["tests"] in ("killed", "survived")]
    proved = [r for r in live if r["proofs"] in ("killed", "survived")]
    decided = [r for r in live if final_verdict(r) in ("killed", "survived")]
    print("mutation: %d mutants enumerated, %d with results%s" % (
        len(mutants), len(recs),
        ", %d stale results ignored" % stale if stale else ""))
    print("  stillborn (rejected by the build, not counted): %d" %
          (len(recs) - len(live)))
    print("  killed by tests:            " + ratio(
        sum(r["tests"] == "killed" for r in tested), len(tested)))
    print("  killed by proofs:           " + ratio(
        sum(r["proofs"] == "killed" for r in proved), len(proved)) +
        "  (of those the proof stage ran on)")
    print("  killed by tests or proofs:  " + ratio(
        sum(final_verdict(r) == "killed" for r in decided), len(decided)))
    lowered = [r for r in proved
               if r["proofs"] == "killed" and r.get("proof_timeout")]
    if lowered:
        print("  (%d proof kills under a lowered --proof-timeout: a goal may "
              "only have timed out)" % len(lowered))
    per_op = collections.defaultdict(collections.Counter)
    for r in recs:
        per_op[r["operator"]][final_verdict(r)] += 1
    print("  %-26s %5s %9s %6s %8s %10s" % ("operator", "run", "stillborn",
                                            "killed", "survived",
                                            "incomplete"))
    for op in sorted(per_op, key=OPERATORS.index):
        c = per_op[op]
        print("  %-26s %5d %9d %6d %8d %10d" % (
            op, sum(c.values()), c["stillborn"], c["killed"], c["survived"],
            c["incomplete"]))
    unexplained = 0
    for r in sorted(recs, key=lambda r: id_key(r["id"])):
        verdict = final_verdict(r)
        if verdict == "survived":
            mark = "equivalent" if r["id"] in argued else "UNEXPLAINED"
            unexplained += r["id"] not in argued
            print("  %-11s %s  %s" % (mark, r["id"], r["mutated"]))
    incomplete = sum(final_verdict(r) == "incomplete" for r in live)
    if incomplete:
        print("  %d mutants not killed by the tests still need the proof "
              "stage (--stage proofs)" % incomplete)
    return unexplained


# ------------------------------------------------------------------- main


class ProofBaseline:
    """Proves each function once unmutated before its first mutant, so that
    a function whose proof already fails (or no longer fits a lowered
    timeout) does not make every mutant of it look killed."""

    def __init__(self, tree, goal_timeout):
        self.tree, self.goal_timeout, self.known = tree, goal_timeout, {}

    def ok(self, function):
        if function not in self.known:
            started = time.monotonic()
            verdict, why = self.tree.prove(function, self.goal_timeout)
            self.known[function] = (verdict == "survived", why)
            print("  baseline proof of %s: %s %s (%.1f s)" % (
                function, "ok" if verdict == "survived" else "FAILS", why,
                time.monotonic() - started), flush=True)
        return self.known[function]


def check_mutant(tree, mutant, rec, args, baseline):
    """Run the chosen stages on one mutant, updating its record."""
    seconds = {}
    tree.write(mutant)
    try:
        started = time.monotonic()
        built, error = tree.build_tests()
        seconds["build"] = round(time.monotonic() - started, 1)
        if not built:
            rec.update(tests="stillborn", tests_detail=error,
                       proofs="not_run", proofs_detail="")
            return seconds
        if args.stage in ("tests", "both"):
            started = time.monotonic()
            verdict, detail = tree.run_tests(args.test_timeout)
            rec.update(tests=verdict, tests_detail=detail)
            seconds["tests"] = round(time.monotonic() - started, 1)
        wants_proof = args.stage in ("proofs", "both") and (
            args.proofs_for == "all" or rec["tests"] != "killed")
        if wants_proof:
            tree.restore(mutant)
            ok, why = baseline.ok(mutant.function)
            tree.write(mutant)
            if not ok:
                rec.update(proofs="not_run",
                           proofs_detail="baseline proof fails: " + why)
                return seconds
            started = time.monotonic()
            verdict, detail = tree.prove(mutant.function, args.proof_timeout)
            rec.update(proofs=verdict, proofs_detail=detail,
                       proof_timeout=args.proof_timeout)
            seconds["proofs"] = round(time.monotonic() - started, 1)
        return seconds
    finally:
        tree.restore(mutant)


def already_done(rec, args):
    if rec["tests"] == "stillborn":
        return True
    need_tests = args.stage in ("tests", "both")
    need_proofs = args.stage in ("proofs", "both") and (
        args.proofs_for == "all" or rec["tests"] != "killed")
    return (not need_tests or rec["tests"] != "not_run") and \
        (not need_proofs or rec["proofs"] != "not_run")


def run_all(chosen, args, results, commit):
    work = tempfile.mkdtemp(prefix="vioreq-mutation.")
    print("mutation: work tree %s" % work, flush=True)
    try:
        tree = WorkTree(work)
        tree.configure()
        built, error = tree.build_tests()
        if not built:
            raise SystemExit("mutation: the unmutated tree does not build: " +
                             error)
        if args.stage in ("tests", "both"):
            started = time.monotonic()
            verdict, detail = tree.run_tests(args.test_timeout)
            if verdict != "survived":
                raise SystemExit("mutation: the unit tests fail without a "
                                 "mutant: " + detail)
            print("mutation: baseline unit tests pass (%.1f s)" %
                  (time.monotonic() - started), flush=True)
        baseline = ProofBaseline(tree, args.proof_timeout)
        for n, mutant in enumerate(chosen, 1):
            rec = record_for(results, mutant, commit)
            if args.skip_done and already_done(rec, args):
                continue
            started = time.monotonic()
            rec["seconds"] = check_mutant(tree, mutant, rec, args, baseline)
            rec["seconds"]["total"] = round(time.monotonic() - started, 1)
            results["mutants"][mutant.id] = rec
            save_results(args.results, results)
            print("[%d/%d] %-40s tests=%-9s proofs=%-8s %6.1fs  %s" % (
                n, len(chosen), mutant.id, rec["tests"], rec["proofs"],
                rec["seconds"]["total"],
                rec["proofs_detail"] or rec["tests_detail"]), flush=True)
    finally:
        if args.keep:
            print("mutation: kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def list_mutants(chosen):
    for m in chosen:
        print("%-44s %-34s %s" % (m.id, m.function,
                                  m.mutated.replace("\n", " ")))
    counts = collections.Counter(m.operator for m in chosen)
    print("%d mutants" % len(chosen))
    for op in OPERATORS:
        if counts[op]:
            print("  %-26s %4d" % (op, counts[op]))


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].replace("\n", " "),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true",
                    help="print the selected mutants and the count per "
                    "operator, run nothing")
    ap.add_argument("--summary", action="store_true",
                    help="print the summary of the stored results only")
    ap.add_argument("--file", action="append", default=[],
                    help="only mutants of this core/src file")
    ap.add_argument("--function", action="append", default=[],
                    help="only mutants inside this function")
    ap.add_argument("--only", help="only mutant ids matching this regex")
    ap.add_argument("--limit", type=int, help="at most N mutants")
    ap.add_argument("--stage", choices=["tests", "proofs", "both"],
                    default="both")
    ap.add_argument("--proofs-for", choices=["survivors", "all"],
                    default="survivors",
                    help="survivors: prove only mutants the tests did not "
                    "kill (this run or a stored result); all: every mutant")
    ap.add_argument("--proof-timeout", type=int,
                    help="per-goal prover timeout passed to run_wp.py "
                    "--timeout (default: its pinned 40 s); kills under it "
                    "are recorded with the value")
    ap.add_argument("--test-timeout", type=float, default=60.0,
                    help="seconds for the whole unit test run of one mutant "
                    "(default 60; a timeout kills the mutant)")
    ap.add_argument("--skip-done", action="store_true",
                    help="skip mutants whose stored result for this commit "
                    "already has the requested stages")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary work tree")
    ap.add_argument("--results", default=RESULTS)
    ap.add_argument("--equivalent", default=EQUIVALENT,
                    help="markdown file arguing survivors equivalent "
                    "(default tests/mutation/equivalent.md)")
    args = ap.parse_args()

    mutants = all_mutants()
    chosen = select(mutants, args)
    if args.list:
        list_mutants(chosen)
        return 0
    results = load_results(args.results)
    if not args.summary:
        if not chosen:
            print("mutation: no mutant selected", file=sys.stderr)
            return 2
        run_all(chosen, args, results, git_commit())
    return 1 if summary(results, mutants, args.equivalent) else 0


if __name__ == "__main__":
    sys.exit(main())
