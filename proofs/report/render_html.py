# SPDX-License-Identifier: MIT
"""index.html: the auditor's report as one self-contained page (inline
style and state diagram, no scripts, no external resources)."""
import html
import re

import render_markdown

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto;
       max-width: 72em; padding: 0 1em; color: #1d1d1f; }
h1 { font-size: 1.8em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
code, pre { font: 13px/1.35 ui-monospace, monospace; }
pre { background: #f6f8fa; padding: .5em; overflow-x: auto; }
.OK, .passed, .proved { color: #0a6b2d; font-weight: 600; }
.GAP, .FAIL, .failed, .unproved { color: #b00020; font-weight: 700; }
.withdrawn, .not-run, .skipped { color: #666; }
details { margin: .3em 0 .3em 1em; }
summary { cursor: pointer; }
.req { border-left: 4px solid #ccc; padding-left: 1em; margin: 1.5em 0; }
.req.OK { border-color: #0a6b2d; } .req.GAP, .req.FAIL { border-color: #b00020; }
.req.OK, .req.GAP, .req.FAIL { color: inherit; font-weight: normal; }
.diagram svg { max-width: 100%; height: auto; }
.problem { color: #b00020; }
"""


def esc(s):
    return html.escape(str(s), quote=True)


def inline_md(text):
    """`code`, **bold** and plain text of the Markdown prose, escaped."""
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for p in parts:
        if p.startswith("`") and p.endswith("`") and len(p) > 1:
            out.append(f"<code>{esc(p[1:-1])}</code>")
        else:
            e = esc(p)
            e = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", e)
            out.append(e)
    return "".join(out)


def markdown_block(text):
    """A small Markdown subset: headings, paragraphs, lists, tables,
    fenced code. Enough for REQUIREMENTS.md prose and ASSUMPTIONS.md."""
    out, para, in_list, in_code, table = [], [], False, False, []

    def flush():
        nonlocal para, in_list, table
        if para:
            out.append(f"<p>{inline_md(' '.join(para))}</p>")
            para = []
        if in_list:
            out.append("</ul>")
            in_list = False
        if table:
            rows = [r for r in table if not re.match(r"^\|[-| :]+\|$", r)]
            cells = [[c.strip() for c in r.strip("|").split("|")]
                     for r in rows]
            out.append("<table>")
            for i, row in enumerate(cells):
                tag = "th" if i == 0 else "td"
                out.append("<tr>" + "".join(
                    f"<{tag}>{inline_md(c)}</{tag}>" for c in row) + "</tr>")
            out.append("</table>")
            table = []

    for line in text.splitlines():
        if line.startswith("```"):
            flush()
            out.append("</pre>" if in_code else "<pre>")
            in_code = not in_code
            continue
        if in_code:
            out.append(esc(line))
            continue
        m = re.match(r"^(#+)\s+(.*)", line)
        if m:
            flush()
            level = min(6, len(m.group(1)) + 2)
            out.append(f"<h{level}>{inline_md(m.group(2))}</h{level}>")
        elif line.startswith("|"):
            if para or in_list:
                flush()
            table.append(line)
        elif re.match(r"^\s*[-*] |^\s*\d+\. ", line):
            if para or table:
                flush()
            if not in_list:
                out.append("<ul>")
                in_list = True
            item = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", line)
            out.append(f"<li>{inline_md(item)}</li>")
        elif not line.strip():
            flush()
        elif in_list and line.startswith("  "):
            out[-1] = out[-1][:-5] + " " + inline_md(line.strip()) + "</li>"
        else:
            if table:
                flush()
            para.append(line.strip())
    flush()
    return "\n".join(out)


def _verdict_spans(ctests):
    if not ctests:
        return "<span class='not-run'>no ctest runs it</span>"
    return ", ".join(
        f"<code>{esc(t['name'])}</code> "
        f"<span class='{t['verdict'].replace(' ', '-')}'>"
        f"{esc(t['verdict'])}</span>" for t in ctests)


def _goals_table(goals):
    rows = "".join(
        f"<tr><td><code>{esc(g['name'])}</code></td>"
        f"<td class='{'proved' if g['proved'] else 'unproved'}'>"
        f"{'proved' if g['proved'] else 'NOT PROVED'}</td>"
        f"<td>{esc(g['prover'])}</td></tr>" for g in goals)
    return ("<table><tr><th>Goal</th><th>Verdict</th><th>Prover</th></tr>"
            f"{rows}</table>")


def _requirement(r):
    out = [f"<section class='req {r['status']}' id='{r['id'].lower()}'>",
           f"<h3>{esc(r['id'])} — {esc(r['title'])} "
           f"<span class='{r['status']}'>[{r['status']}]</span></h3>",
           markdown_block(r["statement"]),
           f"<p><em>Carried by:</em> {inline_md(r['carried_text'])}</p>"]
    for p in r["problems"]:
        out.append(f"<p class='problem'>Problem: {esc(p)}</p>")
    for p in r["proofs"]:
        head = (f"Contract of <code>{esc(p['function'])}</code> "
                f"({esc(p['where'])})" if p["function"] else
                f"Proof option ({esc(p['where'])})")
        out.append(f"<h4>{head}</h4>")
        for cl in p["clauses"]:
            goals = cl["goals"]
            proved = sum(g["proved"] for g in goals)
            cls = "proved" if goals and proved == len(goals) else "unproved"
            out.append(f"<details><summary><code>{esc(cl['clause'])}"
                       f"</code>: <span class='{cls}'>{proved} / "
                       f"{len(goals)} goals proved</span></summary>")
            if cl["text"]:
                out.append(f"<pre>{esc(cl['text'])}</pre>")
            if not cl.get("aggregate"):
                out.append(_goals_table(goals))
            out.append("</details>")
    for a in r["assumed"]:
        out.append(f"<h4>Trusted contract of <code>{esc(a['name'])}</code>"
                   f" ({esc(a['where'])}; see <a href='#assumptions'>"
                   f"Assumptions</a>)</h4><pre>{esc(a['text'])}</pre>")
    if r["logic"]:
        out.append("<h4>ACSL definitions</h4>")
        for d in r["logic"]:
            out.append(f"<details><summary><code>{esc(d['name'])}</code> "
                       f"({esc(d['where'])})</summary>"
                       f"<pre>{esc(d['text'])}</pre></details>")
    if r["tests"] or r["model"]:
        out.append("<h4>Tests and model checks citing this ID</h4><ul>")
        for t in r["tests"]:
            fn = (f" in <code>{esc(t['function'])}</code>"
                  if t["function"] else "")
            out.append(f"<li>{esc(t['where'])}{fn}: "
                       f"{_verdict_spans(t['ctests'])}</li>")
        for m in r["model"]:
            out.append(f"<li>model {esc(m['where'])}: "
                       f"{_verdict_spans(m['ctests'])}</li>")
        out.append("</ul>")
    if r["exercised_by"]:
        out.append("<p>Also exercised by (call a carrier function): " +
                   ", ".join(f"<code>{esc(t)}</code>"
                             for t in r["exercised_by"]) + "</p>")
    if r["other"]:
        out.append("<p>Other carriers: " + ", ".join(
            f"<code>{esc(o['name'])}</code>" for o in r["other"]) + "</p>")
    out.append("</section>")
    return "\n".join(out)


def _mutation(m):
    s = m.get("summary", {}) if isinstance(m, dict) else {}
    items = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in s.items())
    rows = "".join(
        f"<tr><td><code>{esc(v['id'])}</code></td>"
        f"<td><code>{esc(v['function'])}</code></td>"
        f"<td><code>{esc(v['original'])}</code> → "
        f"<code>{esc(v['mutated'])}</code></td>"
        f"<td>{esc(v['tests'])}</td><td>{esc(v['proofs'])}</td>"
        f"<td class='{'OK' if v['argued'] else 'FAIL'}'>"
        f"{'yes' if v['argued'] else 'no'}</td></tr>"
        for v in m.get("survivors", []))
    table = ("<table><tr><th>Survivor</th><th>Function</th><th>Mutation"
             "</th><th>Tests</th><th>Proofs</th><th>Equivalence argued</th>"
             f"</tr>{rows}</table>") if rows else ""
    return ("<h2 id='mutation'>Proof strength: mutation check</h2>"
            f"<ul>{items}</ul>{table}<p>Details and equivalence arguments: "
            "<code>tests/mutation/README.md</code>, "
            "<code>tests/mutation/equivalent.md</code>.</p>")


def render(data, assumptions_md, svg):
    t = data["totals"]
    run = data["proof_run"]
    counts = {}
    for r in data["requirements"]:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    rows = "".join(
        f"<tr><td><a href='#{r['id'].lower()}'>{esc(r['id'])}</a></td>"
        f"<td>{esc(r['title'])}</td>"
        f"<td class='{r['status']}'>{r['status']}</td>"
        f"<td>{r['proved_count']} / {r['goal_count']}</td>"
        f"<td>{esc(r['tests_summary'])}</td></tr>"
        for r in data["requirements"])
    functions = "".join(
        f"<tr><td><code>{esc(f['name'])}</code></td><td>{f['goals']}</td>"
        f"<td class='{'proved' if f['proved'] == f['goals'] else 'unproved'}'"
        f">{f['proved']}</td><td>{f['qed']}</td><td>{f['smoke']}</td></tr>"
        for f in data["per_function"])
    svg = re.sub(r"^<\?xml.*?\?>\s*|<!DOCTYPE.*?>\s*", "", svg or "",
                 flags=re.S)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>vioreq — auditor's report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>vioreq — auditor's report</h1>",
        f"<p>Commit <code>{esc(data['commit'])}</code>"
        f"{' (with uncommitted changes)' if data['dirty'] else ''} of "
        f"{esc(data['date'])}.</p>",
        "<h2>Summary</h2><ul>",
        f"<li>Proof goals: <strong>{t['proved']} / {t['goals']}</strong> "
        f"proved ({t['qed']} by Qed, the rest by Z3 or CVC4) in "
        f"{t['functions']} functions.</li>",
        f"<li>Smoke tests: {t['smoke']} run, {t['smoke_findings']} "
        "findings (a finding is a vacuous contract or dead code).</li>",
        f"<li>Proof run: cache <code>{esc(run.get('cache', '?'))}</code>, "
        f"{esc(run.get('seconds', '?'))} s wall time, "
        f"{esc(run.get('jobs', '?'))} Frama-C process(es), finished "
        f"{esc(run.get('finished', '?'))}."
        f"{esc(render_markdown.record_note(run).replace('`', ''))}</li>",
        f"<li>Tests: verdicts from the last ctest run "
        f"({esc(data['tests_log_time'] or 'none found')}).</li>",
        "<li>Tools: " + "; ".join(f"{esc(k)}: {esc(v)}"
                                 for k, v in data["tools"].items()),
        "</li></ul>",
        "<p>Requirements: " + ", ".join(
            f"<span class='{s}'>{n} {s}</span>"
            for s, n in sorted(counts.items())) + ".</p>",
        "<table><tr><th>ID</th><th>Requirement</th><th>Status</th>"
        f"<th>Goals proved</th><th>Tests</th></tr>{rows}</table>",
        "<h2 id='state-machine'>State machine</h2>",
        f"<div class='diagram'>{svg or '<p>(no SVG: graphviz missing)</p>'}"
        "</div>",
        "<h2 id='requirements'>Requirements</h2>",
        *(_requirement(r) for r in data["requirements"]),
        "<h2 id='functions'>Proofs per function</h2>",
        "<table><tr><th>Function</th><th>Goals</th><th>Proved</th>"
        f"<th>By Qed</th><th>Smoke tests</th></tr>{functions}</table>",
        _mutation(data["mutation"]) if data["mutation"] else "",
        "<h2 id='assumptions'>Assumptions</h2>",
        "<p>The complete list of what the proofs take on trust, from "
        "<code>proofs/ASSUMPTIONS.md</code>:</p>",
        markdown_block(assumptions_md),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
