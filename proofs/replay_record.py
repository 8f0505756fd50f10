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
import subprocess

FORMAT = 1
RECORD = os.path.join("proofs", "replay-record.json")
# Inputs that are trees of files; every file under them counts, with its
# path, so a file added, removed or renamed changes the digest too.
TREES = {"core": "core", "cache": os.path.join("proofs", "wp-cache")}
# Inputs that are single files: the pinned flags and how runs are made.
FILES = {"run_wp": os.path.join("proofs", "run_wp.py")}
# Environment variables that change what Frama-C or Why3 load. run_wp.py
# removes FRAMAC_WP_CACHE and FRAMAC_WP_CACHEDIR itself.
ENV_PREFIXES = ("FRAMAC_", "WHY3")
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


def prover_lines(text):
    return "\n".join(line for line in text.splitlines()
                     if line.split(" ")[0].lower() in PROVERS
                     and "(" not in line)


def _hash_file(h, root, rel):
    with open(os.path.join(root, rel), "rb") as f:
        data = f.read()
    h.update(f"{rel}\0{len(data)}\0".encode())
    h.update(data)


def tree_digest(root, rel_dir):
    """SHA-256 over every file under rel_dir: sorted paths and contents."""
    h = hashlib.sha256()
    paths = []
    for base, dirs, files in os.walk(os.path.join(root, rel_dir)):
        dirs.sort()
        paths += [os.path.relpath(os.path.join(base, f), root)
                  for f in files]
    for rel in sorted(paths):
        _hash_file(h, root, rel)
    return h.hexdigest()


def file_digest(root, rel):
    h = hashlib.sha256()
    _hash_file(h, root, rel)
    return h.hexdigest()


def tool_versions(run=subprocess.run):
    """What each tool prints of its version ("missing" when absent)."""
    out = {}
    for name, cmd in TOOL_COMMANDS.items():
        try:
            p = run(cmd, capture_output=True, text=True, timeout=60)
            out[name] = (p.stdout + p.stderr).strip()
            if name == "provers":
                out[name] = prover_lines(out[name])
        except (OSError, subprocess.TimeoutExpired):
            out[name] = "missing"
    return out


def environment(env=None):
    env = os.environ if env is None else env
    return {k: v for k, v in sorted(env.items())
            if k.startswith(ENV_PREFIXES) and k not in ENV_IGNORED}


def fingerprint(root, tools=None, env=None):
    """Digest of each input, and of all of them together ("all")."""
    fp = {name: tree_digest(root, rel) for name, rel in TREES.items()}
    fp.update({name: file_digest(root, rel) for name, rel in FILES.items()})
    fp["tools"] = tool_versions() if tools is None else tools
    fp["environment"] = environment(env)
    fp["all"] = hashlib.sha256(json.dumps(
        {k: v for k, v in fp.items() if k != "all"},
        sort_keys=True).encode()).hexdigest()
    return fp


def changed_inputs(recorded, current):
    """Names of the inputs whose digest differs ("format" when the record
    is of another format or unreadable)."""
    if not recorded:
        return ["record (missing or unreadable)"]
    if recorded.get("format") != FORMAT:
        return ["format"]
    old = recorded.get("fingerprint", {})
    changed = sorted(k for k in current if k != "all" and old.get(k) !=
                     current[k])
    if not changed and old.get("all") != current["all"]:
        # The parts match and their digest does not: an edited record.
        changed = ["fingerprint"]
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
