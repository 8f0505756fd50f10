# SPDX-License-Identifier: MIT
"""Requirement tracing: from each ID of spec/REQUIREMENTS.md to what
carries it.

The "Carried by:" paragraph of a requirement names its carriers in
backticks. This module resolves each name against the tree:

  `[[state]]`, `[limits]`      a table of spec/vioreq.toml
  `vioreq_complete` (`done`)   a core function; backticked names in the
                               parentheses right after it are clauses or
                               behaviors of its contract
  `range_table_sorted`         an ACSL predicate, logic function or lemma
  `tests/...`, `spec/model/`   a file (tests and the model)
  anything else                a code name, shown as written

Besides the paragraph, every test, fuzz harness and model file that cites
the ID in a comment is a carrier (`grep -rn REQ-... tests spec/model`).
A name that resolves to nothing is reported as dangling, so the prose
cannot drift away from the code unnoticed.
"""
import os
import re

REQ_HEAD = re.compile(r"^\*\*(REQ-[A-Z]+-\d{3}) — (.*?)\.\*\*\s*(.*)$")
REQ_ID = re.compile(r"REQ-[A-Z]+-\d{3}")
TICKED = re.compile(r"`([^`]+)`")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LOGIC_DEF = re.compile(r"^\s*(?:/\*@\s*)?(?:predicate|lemma|logic\s+[\w\s]+?)\s+(\w+)\s*[{(=:]")
TEST_SUFFIXES = (".c", ".py", ".sh", ".pml")


class Requirement:
    def __init__(self, rid, title, lines):
        self.id = rid
        self.title = title
        text = "\n".join(lines).strip()
        head, sep, carried = text.partition("Carried by:")
        self.statement = head.strip()
        self.carried_text = carried.strip() if sep else ""
        self.withdrawn = "withdrawn" in title.lower()
        self.carriers = []          # filled by resolve()
        self.dangling = []          # names that resolve to nothing


def parse_requirements(path):
    """Return the requirements of REQUIREMENTS.md in file order."""
    reqs, current, title, lines = [], None, "", []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            m = REQ_HEAD.match(line)
            if m or line.startswith("#"):
                if current:
                    reqs.append(Requirement(current, title, lines))
                current = None
            if m:
                current, title, lines = m.group(1), m.group(2), [m.group(3)]
            elif current:
                lines.append(line)
    if current:
        reqs.append(Requirement(current, title, lines))
    return reqs


def _strip_c_comments(text):
    """Blank out C comments that are not ACSL, keeping line numbers."""
    def blank(m):
        s = m.group(0)
        if s.startswith("/*@") or s.startswith("//@"):
            return s
        return re.sub(r"[^\n]", " ", s)
    return re.sub(r"/\*.*?\*/|//[^\n]*", blank, text, flags=re.S)


class Contract:
    """The ACSL contract written right before a function's prototype."""

    def __init__(self, function, path, line, text):
        self.function = function
        self.path = path
        self.line = line
        self.text = text
        self.clauses = self._named_clauses(text)

    @staticmethod
    def _named_clauses(text):
        """Map each clause or behavior name to its text."""
        body = re.sub(r"^/\*@|\*/$", "", text.strip())
        out = {}
        # Behaviors: from `behavior NAME:` to the next behavior or the
        # complete/disjoint lines.
        parts = re.split(r"(?m)^(?=\s*(?:behavior\s+\w+\s*:|complete\s"
                         r"|disjoint\s))", body)
        for part in parts:
            m = re.match(r"\s*behavior\s+(\w+)\s*:", part)
            if m:
                out[m.group(1)] = part.strip()
        clause = re.compile(r"(?:check\s+)?(?:requires|ensures|assigns|"
                            r"assumes)\s+(\w+)\s*:\s*[^;]*;", re.S)
        for m in clause.finditer(body):
            out.setdefault(m.group(1), " ".join(m.group(0).split()))
        return out


def _source_files(root, dirs, suffixes):
    """Paths of the files under dirs (or the file a dir names) ending in
    one of suffixes; files of one directory in name order."""
    for d in dirs:
        base = os.path.join(root, d)
        if os.path.isfile(base):
            walk = [(os.path.dirname(base), [], [os.path.basename(base)])]
        else:
            walk = os.walk(base)
        for dirpath, _, files in walk:
            for name in sorted(files):
                if name.endswith(suffixes):
                    yield os.path.join(dirpath, name)


def find_contracts(root, dirs):
    """Every function contract in the C files under dirs, by function."""
    contracts = {}
    decl = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\(", re.M)
    for path in _source_files(root, dirs, (".h", ".c")):
        with open(path, encoding="utf-8") as f:
            text = _strip_c_comments(f.read())
        for m in re.finditer(r"/\*@.*?\*/", text, re.S):
            after = text[m.end():]
            d_m = decl.search(after)
            if not d_m or after[:d_m.start()].strip():
                continue
            fn = d_m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            contracts.setdefault(fn, Contract(
                fn, os.path.relpath(path, root), line, m.group(0)))
    return contracts


def find_logic(root, dirs):
    """ACSL predicates and logic functions: name -> (path, line, text)."""
    found = {}
    for path in _source_files(root, dirs, (".acsl", ".h")):
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for i, line in enumerate(lines):
            m = LOGIC_DEF.match(line)
            if not m:
                continue
            text = [line]
            j = i
            while not text[-1].rstrip().endswith((";", "*/")) \
                    and j + 1 < len(lines):
                j += 1
                text.append(lines[j])
            found.setdefault(m.group(1), (
                os.path.relpath(path, root), i + 1,
                "\n".join(t.strip() for t in text)))
    return found


def spec_tables(toml_path):
    with open(toml_path, encoding="utf-8") as f:
        return {m.group(1) for m in
                re.finditer(r"(?m)^(\[\[?[\w.]+\]\]?)\s*$", f.read())}


C_DEF = re.compile(r"^(?:static\s+)?[A-Za-z_][\w\s\*]*?\b(\w+)\s*\([^;]*$")


def _enclosing_c_function(lines, index):
    """The C function a citation belongs to: the one whose body holds
    lines[index], or the one its comment block documents."""
    for i in range(index, -1, -1):
        m = C_DEF.match(lines[i])
        if m:
            return m.group(1)
        if lines[i].startswith("}") and i != index:
            break
    # Not in a body: a comment right above a definition documents it.
    for line in lines[index:]:
        stripped = line.strip()
        if stripped.startswith(("/*", "*", "//")) or not stripped:
            continue
        m = C_DEF.match(line)
        return m.group(1) if m else None
    return None


def cited_ids(root, dirs, suffixes):
    """ID -> list of (path, line, enclosing function or None)."""
    cites = {}
    for path in _source_files(root, dirs, suffixes):
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        rel = os.path.relpath(path, root)
        for i, line in enumerate(lines):
            for rid in set(REQ_ID.findall(line)):
                fn = (_enclosing_c_function(lines, i)
                      if path.endswith(".c") else None)
                cites.setdefault(rid, []).append((rel, i + 1, fn))
    return cites


def _ticked_with_clauses(text):
    """Yield (name, [clause names]) for each backticked name, in order.

    Clause names are the backticked names inside the parentheses that
    directly follow a name (one level, as the prose writes them)."""
    pos = 0
    while True:
        m = TICKED.search(text, pos)
        if not m:
            return
        name, pos = m.group(1), m.end()
        clauses = []
        rest = text[pos:]
        paren = re.match(r"\s*\(", rest)
        if paren:
            depth, j = 0, paren.end() - 1
            while j < len(rest):
                depth += {"(": 1, ")": -1}.get(rest[j], 0)
                if depth == 0:
                    break
                j += 1
            inside = rest[paren.end():j]
            clauses = TICKED.findall(inside)
            pos += j + 1
        yield name, clauses


def resolve(req, root, ctx):
    """Fill req.carriers and req.dangling from its Carried-by text.

    ctx: dict with contracts, logic, tables, functions (the functions
    WP proved), test_cites, model_cites."""
    seen = set()

    def add(carrier):
        key = (carrier["kind"], carrier["name"],
               tuple(carrier.get("clauses", ())))
        if key not in seen:
            seen.add(key)
            req.carriers.append(carrier)

    for name, clauses in _ticked_with_clauses(req.carried_text):
        # Prose may wrap a long path inside the backticks.
        bare = re.sub(r"/\s+", "/", name.strip())
        if bare.startswith("<") and bare.endswith(">"):
            add({"kind": "code", "name": bare})
            continue
        if bare.startswith("["):
            if bare in ctx["tables"]:
                add({"kind": "table", "name": bare})
            else:
                req.dangling.append(f"table {bare}")
            continue
        if bare.startswith(("-wp-rte", "-warn-")):
            # All such flags name one carrier: the overflow goals.
            add({"kind": "rte", "name": "-wp-rte"})
            continue
        if "/" in bare or re.search(r"\.(c|h|md|py|pml|acsl)$", bare):
            path = os.path.join(root, bare)
            if os.path.exists(path):
                kind = "model" if bare.startswith("spec/model") else (
                    "test" if bare.startswith("tests/") else "file")
                add({"kind": kind, "name": bare, "path": bare})
            elif "/" in bare:
                req.dangling.append(f"file {bare}")
            else:
                add({"kind": "code", "name": bare})
            continue
        if IDENT.match(bare) and bare in ctx["contracts"]:
            contract = ctx["contracts"][bare]
            if bare not in ctx["functions"]:
                # A hook whose contract the proofs take on trust; it has
                # no goals of its own (proofs/ASSUMPTIONS.md).
                add({"kind": "assumed", "name": bare, "contract": contract})
                continue
            # Only identifiers name clauses; other backticked text in the
            # parentheses (`assigns \nothing`, `check ensures`) is prose.
            names = [c for c in clauses if IDENT.match(c)]
            missing = [c for c in names if c not in contract.clauses]
            for c in missing:
                req.dangling.append(f"clause {c} of {bare}")
            add({"kind": "contract", "name": bare, "contract": contract,
                 "clauses": [c for c in names if c not in missing]})
            continue
        if IDENT.match(bare) and bare in ctx["logic"]:
            path, line, text = ctx["logic"][bare]
            add({"kind": "logic", "name": bare, "path": path,
                 "line": line, "text": text})
            continue
        add({"kind": "code", "name": bare})

    for path, line, fn in ctx["test_cites"].get(req.id, []):
        add({"kind": "test", "name": path + (f":{fn}" if fn else ""),
             "path": path, "line": line, "function": fn})
    for path, line, _ in ctx["model_cites"].get(req.id, []):
        add({"kind": "model", "name": f"{path}:{line}", "path": path,
             "line": line})
