# SPDX-License-Identifier: MIT
"""Assemble the auditor's report data: requirements, their carriers, the
verdicts of the goals and tests behind them, and what is missing."""
import json
import os
import re
import subprocess

import requirement_trace as trace
import tests_index
import wp_results

UNIT_DIRS = ("tests/unit", "tests/fuzz", "tests/runtime")


def _git(root, *args):
    try:
        return subprocess.run(["git", "-C", root] + list(args),
                              capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _tool_version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "not found"


def _callers_in_tests(root, fn):
    """Test files that call fn directly: they exercise its contract."""
    hits = []
    pat = re.compile(r"\b" + re.escape(fn) + r"\s*\(")
    for d in UNIT_DIRS:
        base = os.path.join(root, d)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            if name.endswith(".c"):
                with open(os.path.join(base, name), errors="replace") as f:
                    if pat.search(f.read()):
                        hits.append(f"{d}/{name}")
    return hits


def _goal_dict(g):
    return {"name": g.name, "proved": g.proved, "prover": g.prover}


def _proof_part(carrier, wp):
    """Goals behind a carrier, or None when it is not a proof carrier."""
    kind = carrier["kind"]
    if kind == "contract":
        fn = carrier["name"]
        clauses = carrier["clauses"]
        out = []
        if clauses:
            for c in clauses:
                goals = wp.clause_goals(fn, c)
                out.append({"clause": c,
                            "text": carrier["contract"].clauses.get(c, ""),
                            "goals": [_goal_dict(g) for g in goals]})
        else:
            goals = wp.contract_goals(fn)
            out.append({"clause": "(whole contract)",
                        "text": carrier["contract"].text,
                        "goals": [_goal_dict(g) for g in goals]})
        return out
    if kind == "rte":
        goals = wp.rte_overflow_goals()
        return [{"clause": "overflow and downcast guards (-wp-rte)",
                 "text": "every +, -, *, <<, and narrowing conversion of "
                         "core/ becomes a goal that it cannot wrap",
                 "goals": [_goal_dict(g) for g in goals],
                 "aggregate": True}]
    return None


def build(root, wp_dir, build_dir, verdicts=True):
    reqs = trace.parse_requirements(
        os.path.join(root, "spec", "REQUIREMENTS.md"))
    wp = wp_results.Results(wp_dir)
    tests = tests_index.TestIndex(build_dir, verdicts)
    ctx = {
        "contracts": trace.find_contracts(root, ["core/include", "core/src"]),
        "logic": trace.find_logic(root, ["core/logic", "core/include"]),
        "tables": trace.spec_tables(os.path.join(root, "spec",
                                                 "vioreq.toml")),
        "test_cites": trace.cited_ids(root, ["tests"],
                                      (".c", ".py", ".sh")),
        "model_cites": trace.cited_ids(root, ["spec/model"], (".pml",)),
        "functions": set(wp.functions()),
    }
    out_reqs = []
    for r in reqs:
        trace.resolve(r, root, ctx)
        out_reqs.append(_requirement(r, wp, tests, root))
    run = {}
    run_path = os.path.join(wp_dir, "run.json")
    if os.path.exists(run_path):
        with open(run_path) as f:
            run = json.load(f)
    return {
        "commit": _git(root, "rev-parse", "--short=12", "HEAD"),
        "dirty": bool(_git(root, "status", "--porcelain", "--",
                           "core", "spec", "proofs", "tests")),
        "date": _git(root, "log", "-1", "--format=%cd",
                     "--date=format:%Y-%m-%d %H:%M"),
        "tools": {
            "frama-c": _tool_version(["frama-c", "-version"]),
            "why3": _tool_version(["why3", "--version"]),
            "z3": _tool_version(["z3", "--version"]),
            "cvc4": _tool_version(["cvc4", "--version"]),
        },
        "proof_run": run,
        "wp_found": wp.found,
        "totals": wp.totals(),
        "per_function": [
            {"name": fn,
             "goals": sum(g.total for g in wp.proof_goals(fn)),
             "proved": sum(g.valid for g in wp.proof_goals(fn)),
             "qed": sum(g.valid for g in wp.proof_goals(fn)
                        if g.prover == "Qed"),
             "smoke": sum(g.smoke for g in wp.goals[fn])}
            for fn in wp.functions()],
        "unproved": [g.name for fn in wp.functions()
                     for g in wp.proof_goals(fn) if not g.proved],
        "smoke_failed": [g.name for g in wp.smoke_goals() if not g.proved],
        "tests_log_time": tests.log_time,
        "requirements": out_reqs,
        "mutation": _mutation(root),
    }


def _requirement(r, wp, tests, root):
    proofs, logic, test_refs, model_refs, other = [], [], [], [], []
    assumed = []
    exercised = []
    for c in r.carriers:
        part = _proof_part(c, wp)
        if part is not None:
            contract = c.get("contract")
            proofs.append({"function": c["name"] if contract else None,
                           "where": (f"{contract.path}:{contract.line}"
                                     if contract else "proofs/run_wp.py"),
                           "clauses": part})
            if contract:
                exercised += _callers_in_tests(root, c["name"])
        elif c["kind"] == "assumed":
            contract = c["contract"]
            assumed.append({"name": c["name"],
                            "where": f"{contract.path}:{contract.line}",
                            "text": contract.text})
        elif c["kind"] == "logic":
            logic.append({"name": c["name"],
                          "where": f"{c['path']}:{c['line']}",
                          "text": c["text"]})
        elif c["kind"] == "test":
            ctests = tests.ctests_for(c["path"])
            test_refs.append({
                "where": c["path"] + (f":{c['line']}" if c.get("line")
                                      else ""),
                "function": c.get("function"),
                "ctests": [{"name": n, "verdict": tests.verdict(n)}
                           for n in ctests]})
        elif c["kind"] == "model":
            ctests = tests.ctests_for(c["path"])
            model_refs.append({
                "where": c["path"] + (f":{c['line']}" if c.get("line")
                                      else ""),
                "ctests": [{"name": n, "verdict": tests.verdict(n)}
                           for n in ctests]})
        else:
            other.append({"kind": c["kind"], "name": c["name"]})
    goals = [g for p in proofs for cl in p["clauses"] for g in cl["goals"]]
    verdicts = [t["verdict"] for ref in test_refs + model_refs
                for t in ref["ctests"]]
    problems = list(f"dangling reference: {d}" for d in r.dangling)
    problems += [f"unproved goal {g['name']}" for g in goals
                 if not g["proved"]]
    problems += [f"clause `{cl['clause']}` of {p['function']} has no goal"
                 for p in proofs for cl in p["clauses"]
                 if not cl["goals"] and not cl.get("aggregate")]
    problems += [f"test {t['name']} failed" for ref in test_refs + model_refs
                 for t in ref["ctests"] if t["verdict"] == "failed"]
    has_proof = any(g["proved"] for g in goals)
    has_test = bool(test_refs or model_refs)
    if r.withdrawn:
        status = "withdrawn"
    elif not has_proof and not has_test:
        status = "GAP"
        problems.append("no proved clause and no test")
    elif problems:
        status = "FAIL"
    else:
        status = "OK"
    return {
        "id": r.id, "title": r.title, "statement": r.statement,
        "carried_text": r.carried_text, "status": status,
        "problems": problems,
        "proofs": proofs, "logic": logic, "assumed": assumed,
        "tests": test_refs,
        "model": model_refs, "other": other,
        "exercised_by": sorted(set(exercised)),
        "goal_count": len(goals),
        "proved_count": sum(g["proved"] for g in goals),
        "test_count": len(test_refs) + len(model_refs),
        "tests_passed": sum(v == "passed" for v in verdicts),
        "tests_summary": _tests_summary(len(test_refs) + len(model_refs),
                                        verdicts),
        "tests_known": sum(v in ("passed", "failed") for v in verdicts),
    }


def _tests_summary(cited, verdicts):
    """'3 (5 of 5 ctest runs passed)', or '3 (no verdict)' when the last
    ctest run did not include them."""
    known = [v for v in verdicts if v in ("passed", "failed")]
    if not known:
        return f"{cited} (no verdict)"
    passed = sum(v == "passed" for v in known)
    return f"{cited} ({passed} of {len(known)} ctest runs passed)"


def _ratio(part, whole):
    return (f"{part} / {whole} ({100.0 * part / whole:.1f}%)" if whole
            else "0 / 0")


def _mutation(root):
    """Summary of tests/mutation/results.json and equivalent.md."""
    base = os.path.join(root, "tests", "mutation")
    path = os.path.join(base, "results.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        mutants = list(json.load(f).get("mutants", {}).values())
    argued = set()
    eq_path = os.path.join(base, "equivalent.md")
    if os.path.exists(eq_path):
        with open(eq_path) as f:
            argued = set(re.findall(r"(?m)^## (\S+)\s*$", f.read()))
    counted = [m for m in mutants if m["tests"] != "stillborn"]
    tests_run = [m for m in counted if m["tests"] in ("killed", "survived")]
    proofs_run = [m for m in counted if m["proofs"] in ("killed",
                                                        "survived")]
    killed = [m for m in counted
              if "killed" in (m["tests"], m["proofs"])]
    survivors = [m for m in counted if m not in killed]
    commits = sorted({m["commit"] for m in mutants})
    return {
        "summary": {
            "mutants": len(mutants),
            "stillborn (rejected by the build, not counted)":
                len(mutants) - len(counted),
            "killed by the unit tests": _ratio(
                sum(m["tests"] == "killed" for m in tests_run),
                len(tests_run)),
            "killed by the proofs (of those the proof stage ran on)":
                _ratio(sum(m["proofs"] == "killed" for m in proofs_run),
                       len(proofs_run)),
            "killed by tests or proofs": _ratio(len(killed), len(counted)),
            "survivors argued equivalent (equivalent.md)":
                sum(m["id"] in argued for m in survivors),
            "survivors not explained":
                sum(m["id"] not in argued for m in survivors),
            "tree": ", ".join(c[:12] + ("-dirty" if c.endswith("-dirty")
                                       else "") for c in commits),
        },
        "survivors": [{"id": m["id"], "function": m["function"],
                       "original": m["original"].strip(),
                       "mutated": m["mutated"].strip(),
                       "tests": m["tests"], "proofs": m["proofs"],
                       "argued": m["id"] in argued} for m in survivors],
    }
