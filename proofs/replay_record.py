# SPDX-License-Identifier: MIT
"""The replay record: the result of a full offline replay, keyed by a digest
of everything that replay read.

An offline replay is a function of its inputs: the files of core/ (code,
contracts, logic), the committed prover cache, the flags in run_wp.py, and
the tools (Frama-C, Why3 and the provers Why3 found). WP builds the same
goals from the same inputs, which is what lets its cache work at all, so a
replay of the same inputs gives the same verdicts. `run_wp.py
--write-record` stores those verdicts with a SHA-256 of the inputs in
proofs/replay-record.json; `run_wp.py --use-record` computes the digest
again and, when it matches, takes the verdicts from the record instead of
running Frama-C for 85 s. Any change to one of the inputs (one byte of
core/, one cache entry, a flag, a tool version) misses the record, and the
full replay runs. proofs/README.md, "The replay record", says what this
trusts.
"""
import hashlib
import json
import os
import re
import shlex
import subprocess

FORMAT = 1
RECORD = os.path.join("proofs", "replay-record.json")
# Inputs that are trees of files; every file under them counts, with its
# path, so a file added, removed or renamed changes the digest too.
TREES = {"core": "core", "cache": os.path.join("proofs", "wp-cache")}
# Inputs that are single files: the pinned flags and how runs are made, and
# this file (how verdicts are stored and read back).
FILES = {"run_wp": os.path.join("proofs", "run_wp.py"),
         "replay_record": os.path.join("proofs", "replay_record.py")}
# Environment variables that change what Frama-C, its preprocessor, its
# OCaml plugins or Why3 load. run_wp.py removes FRAMAC_WP_CACHE and
# FRAMAC_WP_CACHEDIR itself.
ENV_PREFIXES = ("FRAMAC_", "WHY3", "CPP", "OCAML", "DUNE_")
ENV_IGNORED = ("FRAMAC_WP_CACHE", "FRAMAC_WP_CACHEDIR")
TOOL_COMMANDS = {
    "frama-c": ["frama-c", "-version"],
    "why3": ["why3", "--version"],
    # The provers Why3 resolves `cvc4` and `z3` to, with their versions
    # (see PROVERS).
    "provers": ["why3", "config", "list-provers"],
}
# The provers of `-wp-prover` in run_wp.py. Of Why3's list, only their
# default variants count ("Z3 4.8.12", not "Z3 4.8.12 (noBV)"): another
# prover installed next to them changes no goal and no verdict.
PROVERS = ("cvc4", "z3")
# A line marker of the preprocessor: it names files by absolute path, which
# differs between checkouts and says nothing of the code.
LINE_MARKER = re.compile(r"^# \d+ .*$\n?", re.M)


def prover_lines(text):
    return "\n".join(line for line in text.splitlines()
                     if line.split(" ")[0].lower() in PROVERS
                     and "(" not in line)


def _hash_file(h, root, rel):
    with open(os.path.join(root, rel), "rb") as f:
        data = f.read()
    h.update(f"{rel}\0{len(data)}\0".encode())
    h.update(data)


def tree_digest(root, rel_dir, problems):
    """SHA-256 over every file under rel_dir: sorted paths and contents.
    A symbolic link is a problem (what it points to could change unseen)."""
    h = hashlib.sha256()
    paths = []
    for base, dirs, files in os.walk(os.path.join(root, rel_dir)):
        dirs.sort()
        for name in dirs + files:
            if os.path.islink(os.path.join(base, name)):
                problems.append("symbolic link " + os.path.relpath(
                    os.path.join(base, name), root))
        paths += [os.path.relpath(os.path.join(base, f), root)
                  for f in files]
    for rel in sorted(paths):
        _hash_file(h, root, rel)
    return h.hexdigest()


def file_digest(root, rel):
    h = hashlib.sha256()
    _hash_file(h, root, rel)
    return h.hexdigest()


def tool_versions(problems, run=subprocess.run):
    """What each tool prints of its version; a tool that is missing or
    fails is a problem, so that two machines without it cannot match."""
    out = {}
    for name, cmd in TOOL_COMMANDS.items():
        try:
            p = run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            problems.append(f"{' '.join(cmd)}: {e}")
            continue
        out[name] = (p.stdout + p.stderr).strip()
        if name == "provers":
            out[name] = prover_lines(out[name])
        if p.returncode != 0 or not out[name]:
            problems.append(f"{' '.join(cmd)}: exit {p.returncode}, "
                            f"{out[name][:80]!r}")
    if out.get("provers", "").count("\n") + 1 != len(PROVERS):
        problems.append("why3 config list-provers does not list "
                        + " and ".join(PROVERS))
    return out


def preprocessed_digest(root, frama_c_args, env, problems):
    """SHA-256 of the code Frama-C parses: each source preprocessed by the
    commands Frama-C itself prints (-print-cpp-commands), line markers
    dropped, and the macros the preprocessor predefines (`-dM`: Frama-C
    expands the macros of annotations in a second pass, with them).
    Whatever header a source includes, from core/, from the checkout's
    root (Frama-C's `-I.`) or from Frama-C's libc, is in it; a compiler
    update that predefines the same macros is not."""
    h = hashlib.sha256()
    try:
        p = subprocess.run(["frama-c"] + frama_c_args +
                           ["-print-cpp-commands"], cwd=root, env=env,
                           capture_output=True, text=True, timeout=60)
        commands = [line.strip() for line in p.stdout.splitlines()
                    if line.startswith("  ")]
        if p.returncode != 0 or not commands:
            raise OSError(f"frama-c -print-cpp-commands: exit "
                          f"{p.returncode}, {len(commands)} commands")
        for command in commands:
            argv = shlex.split(command)
            out = argv.index("-o")
            del argv[out:out + 2]
            q = subprocess.run(argv, cwd=root, env=env, capture_output=True,
                               text=True, timeout=60)
            if q.returncode != 0:
                raise OSError(f"{argv[0]}: exit {q.returncode}: "
                              f"{q.stderr[-200:]}")
            h.update(LINE_MARKER.sub("", q.stdout).encode())
        q = subprocess.run(argv + ["-dM"], cwd=root, env=env,
                           capture_output=True, text=True, timeout=60)
        if q.returncode != 0:
            raise OSError(f"{argv[0]} -dM: exit {q.returncode}")
        h.update("".join(sorted(q.stdout.splitlines(True))).encode())
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        problems.append(f"preprocessing: {e}")
    return h.hexdigest()


def environment(env=None):
    env = os.environ if env is None else env
    return {k: v for k, v in sorted(env.items())
            if k.startswith(ENV_PREFIXES) and k not in ENV_IGNORED}


def fingerprint(root, frama_c_args=None, env=None, tools=None,
                preprocessed=None):
    """Digest of each input, and of all of them together ("all").

    frama_c_args are the kernel flags and sources of a run; env its
    environment. Tests give tools and preprocessed instead of running
    anything. "problems" lists what makes the record unusable."""
    problems = []
    env = dict(os.environ) if env is None else env
    fp = {name: tree_digest(root, rel, problems)
          for name, rel in TREES.items()}
    fp.update({name: file_digest(root, rel) for name, rel in FILES.items()})
    fp["tools"] = tool_versions(problems) if tools is None else tools
    fp["preprocessed"] = (preprocessed if preprocessed is not None else
                          preprocessed_digest(root, frama_c_args, env,
                                              problems))
    fp["environment"] = environment(env)
    fp["problems"] = problems
    fp["all"] = hashlib.sha256(json.dumps(
        {k: v for k, v in fp.items() if k != "all"},
        sort_keys=True).encode()).hexdigest()
    return fp


def well_formed(record):
    """The shape --use-record reads: anything else is not a record."""
    try:
        return (record["format"] == FORMAT and
                isinstance(record["fingerprint"], dict) and
                all(isinstance(record["replay"][k], (int, float, str))
                    for k in ("finished", "seconds", "jobs")) and
                all(isinstance(row, list) and len(row) == 3 and
                    isinstance(row[2], dict)
                    for rows in record["goals"].values()
                    for row in rows.values()))
    except (KeyError, TypeError, AttributeError):
        return False


def changed_inputs(recorded, current):
    """Why the record cannot stand for a replay now: [] when it can,
    else the names of the inputs whose digest differs, or what is wrong
    with the record or with this machine."""
    if current.get("problems"):
        return ["inputs not all known: " + "; ".join(current["problems"])]
    if not recorded:
        return ["no record (missing or unreadable)"]
    if not well_formed(recorded):
        return [f"the record is malformed or not of format {FORMAT}"]
    old = recorded["fingerprint"]
    changed = [f"{k} changed" for k in sorted(current)
               if k != "all" and old.get(k) != current[k]]
    if not changed and old.get("all") != current["all"]:
        # The parts match and their digest does not: an edited record.
        changed = ["the record's overall digest was edited"]
    return changed


def compact_goals(report):
    """{function: {goal: [parts, parts valid, {prover: [parts it tried,
    parts it proved]}]}} from a WP JSON report: every prover that answered
    is kept, so a refuted smoke test stays refuted and an unanswered one
    unanswered (per-prover times and steps are dropped)."""
    out = {}
    for fn, goals in sorted(report.get("wp:functions", {}).items()):
        rows = {}
        for goal, res in sorted(goals.items()):
            if goal == "wp:section":
                continue
            main = res.get("wp:main", {})
            provers = {p: [v.get("total", 0), v.get("valid", 0)]
                       for p, v in sorted(res.items()) if p != "wp:main"}
            rows[goal] = [main.get("total", 0), main.get("valid", 0),
                          provers]
        out[fn] = rows
    return out


def expand_goals(goals):
    """The WP report that compact_goals() was made from, as far as
    run_wp.py and the auditor's report read it."""
    functions = {}
    for fn, rows in goals.items():
        functions[fn] = {
            goal: dict({"wp:main": {"total": total, "valid": valid}},
                       **{p: {"total": n, "valid": ok}
                          for p, (n, ok) in provers.items()})
            for goal, (total, valid, provers) in rows.items()}
    return {"wp:functions": functions}


def dumps(record):
    """JSON with one goal per line, so that a change of contract shows in
    a diff as the goals it changed."""
    head = {k: v for k, v in record.items() if k != "goals"}
    text = json.dumps(head, indent=1, sort_keys=True)[:-2] + ',\n "goals": {'
    fns = []
    for fn, rows in record["goals"].items():
        lines = [f"  {json.dumps(g)}: {json.dumps(r, sort_keys=True)}"
                 for g, r in rows.items()]
        fns.append(f"\n {json.dumps(fn)}: {{\n" + ",\n".join(lines) + "\n }")
    return text + ",".join(fns) + "\n }\n}\n"


def make(fp, report, summary, replay):
    return {"format": FORMAT,
            "about": "Written by proofs/run_wp.py --write-record after a "
                     "full offline replay that passed; do not edit. "
                     "proofs/README.md, 'The replay record'.",
            "fingerprint": fp, "replay": replay, "summary": summary,
            "goals": compact_goals(report)}


def load(root):
    path = os.path.join(root, RECORD)
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save(root, record):
    with open(os.path.join(root, RECORD), "w") as f:
        f.write(dumps(record))
