# SPDX-License-Identifier: MIT
"""REPORT.md: the auditor's report as Markdown (same data as the HTML)."""


def _verdicts(ctests):
    return ", ".join(f"`{t['name']}` {t['verdict']}" for t in ctests) \
        or "no ctest runs it"


def _goal_line(g):
    mark = "proved" if g["proved"] else "**NOT PROVED**"
    return f"  - `{g['name']}`: {mark} ({g['prover']})"


def _requirement(r):
    out = [f"### {r['id']} — {r['title']}", "",
           f"Status: **{r['status']}**. Goals proved: {r['proved_count']} / "
           f"{r['goal_count']}. Tests and model checks: {r['test_count']}.",
           "", r["statement"], "", f"Carried by: {r['carried_text']}", ""]
    for p in r["problems"]:
        out.append(f"- PROBLEM: {p}")
    if r["problems"]:
        out.append("")
    for p in r["proofs"]:
        head = (f"Contract of `{p['function']}` ({p['where']})"
                if p["function"] else f"Proof option ({p['where']})")
        out.append(f"**{head}**")
        out.append("")
        for cl in p["clauses"]:
            goals = cl["goals"]
            proved = sum(g["proved"] for g in goals)
            out.append(f"- `{cl['clause']}`: {proved} / {len(goals)} goals "
                       "proved")
            if cl.get("aggregate"):
                continue
            if cl["text"] and cl["clause"] != "(whole contract)":
                out += ["", "  ```", *("  " + t for t in
                                       cl["text"].splitlines()),
                        "  ```", ""]
            out += [_goal_line(g) for g in goals]
        out.append("")
    for a in r["assumed"]:
        out += [f"**Trusted contract of `{a['name']}` ({a['where']}; "
                "see Assumptions)**", "", "```", *a["text"].splitlines(),
                "```", ""]
    if r["logic"]:
        out.append("**ACSL definitions**")
        out.append("")
        for d in r["logic"]:
            out += [f"- `{d['name']}` ({d['where']})", "", "  ```",
                    *("  " + t for t in d["text"].splitlines()), "  ```"]
        out.append("")
    if r["tests"] or r["model"]:
        out.append("**Tests and model checks citing this ID**")
        out.append("")
        for t in r["tests"]:
            fn = f" in `{t['function']}`" if t["function"] else ""
            out.append(f"- {t['where']}{fn}: {_verdicts(t['ctests'])}")
        for m in r["model"]:
            out.append(f"- model {m['where']}: {_verdicts(m['ctests'])}")
        out.append("")
    if r["exercised_by"]:
        out.append("Also exercised by (call a carrier function): " +
                   ", ".join(f"`{t}`" for t in r["exercised_by"]))
        out.append("")
    if r["other"]:
        out.append("Other carriers: " + ", ".join(
            f"`{o['name']}`" for o in r["other"]))
        out.append("")
    return out


def _mutation(m):
    s = m.get("summary", {}) if isinstance(m, dict) else {}
    out = ["## Proof strength: mutation check", ""]
    if not s:
        return out + ["See `tests/mutation/results.json`.", ""]
    for k, v in s.items():
        out.append(f"- {k}: {v}")
    if m.get("survivors"):
        out += ["", "| Survivor | Function | Mutation | Tests | Proofs | "
                "Equivalence argued |", "|---|---|---|---|---|---|"]
        for v in m["survivors"]:
            out.append(f"| `{v['id']}` | `{v['function']}` | "
                       f"`{v['original']}` → `{v['mutated']}` | "
                       f"{v['tests']} | {v['proofs']} | "
                       f"{'yes' if v['argued'] else '**no**'} |")
    return out + ["", "Details and equivalence arguments: "
                  "`tests/mutation/README.md`, "
                  "`tests/mutation/equivalent.md`.", ""]


def record_note(run):
    """How the verdicts were obtained when they came from the record."""
    if not run.get("record"):
        return ""
    return (f" The verdicts are those of that replay, read from "
            f"`proofs/replay-record.json`: on {run.get('checked', '?')} "
            f"every input of it (core/, the prover cache, the flags, the "
            f"tools) was found unchanged, sha256 `{run['record'][:16]}`.")


def render(data, assumptions_md):
    t = data["totals"]
    run = data["proof_run"]
    out = ["# vioreq — auditor's report", "",
           f"Commit `{data['commit']}`" +
           (" (with uncommitted changes)" if data["dirty"] else "") +
           f" of {data['date']}.", ""]
    out += ["## Summary", "",
            f"- Proof goals: {t['proved']} / {t['goals']} proved "
            f"({t['qed']} by Qed, the rest by Z3 or CVC4) in "
            f"{t['functions']} functions.",
            f"- Smoke tests (vacuous contracts, dead code): {t['smoke']} "
            f"run, {t['smoke_findings']} findings.",
            f"- Proof run: cache `{run.get('cache', '?')}`, "
            f"{run.get('seconds', '?')} s wall time, "
            f"{run.get('jobs', '?')} Frama-C process(es), finished "
            f"{run.get('finished', '?')}." + record_note(run),
            f"- Tests: verdicts from the last ctest run "
            f"({data['tests_log_time'] or 'none found'}).",
            "- Tools: " + "; ".join(f"{k}: {v}"
                                   for k, v in data["tools"].items()),
            ""]
    status_count = {}
    for r in data["requirements"]:
        status_count[r["status"]] = status_count.get(r["status"], 0) + 1
    out.append("Requirements: " + ", ".join(
        f"{n} {s}" for s, n in sorted(status_count.items())) + ".")
    out += ["", "| ID | Requirement | Status | Goals proved | Tests |",
            "|---|---|---|---|---|"]
    for r in data["requirements"]:
        out.append(f"| [{r['id']}](#{r['id'].lower()}) | {r['title']} | "
                   f"{r['status']} | {r['proved_count']} / "
                   f"{r['goal_count']} | {r['tests_summary']} |")
    out += ["", "## State machine", "",
            "![slot state machine](state-machine.svg)", "",
            "## Requirements", ""]
    for r in data["requirements"]:
        out += _requirement(r)
    out += ["## Proofs per function", "",
            "| Function | Goals | Proved | By Qed | Smoke tests |",
            "|---|---|---|---|---|"]
    for f in data["per_function"]:
        out.append(f"| `{f['name']}` | {f['goals']} | {f['proved']} | "
                   f"{f['qed']} | {f['smoke']} |")
    out.append("")
    if data["mutation"]:
        out += _mutation(data["mutation"])
    out += ["## Assumptions", "",
            "The complete list of what the proofs take on trust, from "
            "`proofs/ASSUMPTIONS.md`:", ""]
    for line in assumptions_md.splitlines():
        # Demote the file's headings below this section.
        out.append("#" + line if line.startswith("#") else line)
    return "\n".join(out) + "\n"
