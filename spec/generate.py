#!/usr/bin/env python3
"""Generate the vioreq glue from spec/vioreq.toml (the single source of truth).

Usage:
    python3 spec/generate.py           write every generated file that changed
    python3 spec/generate.py --check   write nothing; exit 1 and list every
                                       generated file that is missing or stale

Generated files (paths relative to the repository root):
    core/include/vioreq/spec_gen.h     constants, slot layout, static asserts
    core/include/vioreq/spec_checks.h  prototypes + ACSL contracts
    core/include/vioreq/uapi_gen.h     ioctl numbers and hypercall ids
    core/logic/spec_gen.acsl           ACSL predicates of the spec tables
    core/src/spec_gen.c                C implementations of those predicates
    tests/abi/abi_check_gen.c          checks against <linux/acrn.h>/<errno.h>
    docs/state-machine.dot             state diagram
    docs/state-machine.svg             rendered diagram (only if `dot` exists;
                                       ignored by --check)
    docs/spec-tables.md                human-readable tables
    spec/model/spec_gen.pml            Promela tables for the Spin model
                                       (spec/model/vioreq.pml includes it)

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "vioreq.toml"
SPEC_REL = "spec/vioreq.toml"
BANNER = "Generated from spec/vioreq.toml by spec/generate.py; do not edit."

# Linux x86 _IOC encoding (include/uapi/asm-generic/ioctl.h).
IOC_NRSHIFT = 0
IOC_TYPESHIFT = 8
IOC_SIZESHIFT = 16
IOC_DIRSHIFT = 30
IOC_SIZEBITS = 14
IOC_DIRS = {"NONE": 0, "W": 1, "R": 2, "RW": 3}

U32_MAX = (1 << 32) - 1
U64_MAX = (1 << 64) - 1


class SpecError(Exception):
    """The specification is inconsistent."""


# --------------------------------------------------------------- helpers


def c_comment(text: str) -> str:
    """Make text safe inside a C /* */ comment."""
    return text.replace("*/", "* /")


def md_cell(text: object) -> str:
    """Make text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def hex_u(v: int, width: int = 0) -> str:
    return f"0x{v:0{width}X}"


def c_uint(v: int, hexa: bool = False) -> str:
    """An unsigned C literal with the narrowest of the u/ull suffixes."""
    suffix = "u" if v <= U32_MAX else "ull"
    return (hex_u(v) if hexa else str(v)) + suffix


def requirement_ids(text: str) -> dict[str, list[str]]:
    """Map each table name to the REQ-* ids named in the comments above it.

    The comments between the previous table header and the first header of a
    table are collected. A table with no ids of its own belongs to the same
    section as the table before it and inherits its ids.
    """
    ids: dict[str, list[str]] = {}
    pending: list[str] = []
    last: list[str] = []
    header = re.compile(r"^\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?")
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            for rid in re.findall(r"REQ-[A-Z]+-\d+", s):
                if rid not in pending:
                    pending.append(rid)
            continue
        m = header.match(s)
        if m:
            name = m.group(1)
            if name not in ids:
                ids[name] = pending or last
                last = ids[name]
            pending = []
    return ids


# ------------------------------------------------------------ validation


def need(cond: bool, msg: str) -> None:
    if not cond:
        raise SpecError(msg)


def check_unique(items: list[dict], key: str, what: str) -> None:
    seen: dict[object, str] = {}
    for it in items:
        need(key in it, f"{what} {it.get('name', '?')!r} has no {key!r}")
        v = it[key]
        if v in seen:
            raise SpecError(
                f"duplicate {what} {key} {v!r}: {seen[v]!r} and {it.get('name', '?')!r}"
            )
        seen[v] = it.get("name", "?")


def check_enum(items: list[dict], what: str) -> None:
    need(len(items) > 0, f"no [[{what}]] entries")
    check_unique(items, "name", what)
    check_unique(items, "value", what)
    for it in items:
        need(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", it["name"]) is not None,
             f"{what} name {it['name']!r} is not a C identifier")
        need(isinstance(it["value"], int) and 0 <= it["value"] <= U32_MAX,
             f"{what} {it['name']}: value {it['value']!r} is not a u32")


def validate(s: dict) -> None:
    states, actors = s["state"], s["actor"]
    check_enum(states, "state")
    check_enum(actors, "actor")
    check_enum(s["request_type"], "request_type")
    check_enum(s["direction"], "direction")
    state_by = {x["name"]: x for x in states}
    actor_names = {a["name"] for a in actors}

    # REQ-OWN-001: every state has exactly one owner, a known actor.
    for st in states:
        need(st.get("owner") in actor_names,
             f"state {st['name']}: owner {st.get('owner')!r} is not an [[actor]]")

    # REQ-STATE-002 / REQ-OWN-002
    seen_tr: set[tuple[str, str, str]] = set()
    for tr in s.get("transition", []):
        for k in ("from", "to"):
            need(tr.get(k) in state_by,
                 f"transition {tr.get('from')}->{tr.get('to')}: {k} {tr.get(k)!r} is not a [[state]]")
        need(tr.get("actor") in actor_names,
             f"transition {tr['from']}->{tr['to']}: actor {tr.get('actor')!r} is not an [[actor]]")
        owner = state_by[tr["from"]]["owner"]
        need(tr["actor"] == owner,
             f"REQ-OWN-002 violated: transition {tr['from']}->{tr['to']} is made by "
             f"{tr['actor']}, but state {tr['from']} is owned by {owner}")
        key = (tr["from"], tr["to"], tr["actor"])
        need(key not in seen_tr, f"duplicate transition {key}")
        seen_tr.add(key)

    # REQ-ABI-001 / REQ-ABI-002: page and slot layout.
    page = s["page"]
    need(page["slot_count"] * page["slot_size"] == page["size"],
         f"page: slot_count {page['slot_count']} * slot_size {page['slot_size']} "
         f"!= size {page['size']}")
    fields = s["slot_field"]
    check_unique(fields, "name", "slot_field")
    pos = 0
    for f in sorted(fields, key=lambda f: f["offset"]):
        need(f["offset"] % 4 == 0, f"slot_field {f['name']}: offset {f['offset']} is not 4-aligned")
        need(f["words"] >= 1, f"slot_field {f['name']}: words must be >= 1")
        if f["offset"] < pos:
            raise SpecError(f"slot_field {f['name']} at offset {f['offset']} overlaps the "
                            f"field before it (which ends at {pos})")
        if f["offset"] > pos:
            raise SpecError(f"gap in the slot layout: bytes {pos}..{f['offset'] - 1} "
                            f"before slot_field {f['name']} are not covered")
        pos = f["offset"] + 4 * f["words"]
    need(pos == page["slot_size"],
         f"slot fields add up to {pos} bytes, not slot_size {page['slot_size']}")
    data = {f["name"]: f for f in fields}.get("data")
    need(data is not None, "no slot_field named 'data' (the request union)")

    # REQ-ABI-003: request fields inside data[].
    rfields = s["request_field"]
    check_unique(rfields, "name", "request_field")
    for r in rfields:
        need(r["words"] in (1, 2), f"request_field {r['name']}: words must be 1 or 2")
        need(r["word"] >= 0 and r["word"] + r["words"] <= data["words"],
             f"request_field {r['name']}: words {r['word']}..{r['word'] + r['words'] - 1} "
             f"exceed the {data['words']} words of data[]")
        for alias in r.get("uapi", []):
            need(re.fullmatch(r"[a-z_]+\.[a-z_]+", alias) is not None,
                 f"request_field {r['name']}: uapi alias {alias!r} is not variant.member")

    # REQ-DISPATCH-002: request types.
    for t in s["request_type"]:
        need(len(t["sizes"]) > 0, f"request_type {t['name']}: no legal sizes")
        need(len(set(t["sizes"])) == len(t["sizes"]), f"request_type {t['name']}: duplicate size")
        for z in t["sizes"]:
            need(z in (1, 2, 4, 8), f"request_type {t['name']}: size {z} is not 1, 2, 4 or 8")
        need(0 <= t["address_max"] <= U64_MAX,
             f"request_type {t['name']}: address_max is not a u64")

    # REQ-DISPATCH-003: the PCI routing key fields must not overlap.
    pci = s["pci"]
    need(pci["reg_limit"] <= 1 << pci["func_shift"], "pci: reg_limit overlaps the func field")
    need(pci["func_max"] < 1 << (pci["dev_shift"] - pci["func_shift"]),
         "pci: func_max overlaps the dev field")
    need(pci["dev_max"] < 1 << (pci["bus_shift"] - pci["dev_shift"]),
         "pci: dev_max overlaps the bus field")
    for t in s["request_type"]:
        if t["name"] == "PCICFG":
            key_max = ((pci["bus_max"] + 1) << pci["bus_shift"]) - 1
            need(t["address_max"] == key_max,
                 f"request_type PCICFG: address_max {hex_u(t['address_max'])} is not the "
                 f"largest routing key {hex_u(key_max)}")

    # REQ-ERR-001 / REQ-ERR-002
    errors = s["error"]
    check_unique(errors, "name", "error")
    check_unique(errors, "value", "error")
    for e in errors:
        need(e["value"] > 0, f"error {e['name']}: value must be positive")
    err_names = {e["name"] for e in errors}
    for op in s.get("operation", []):
        for e in op["errors"]:
            need(e in err_names, f"operation {op['name']}: error {e!r} is not an [[error]]")

    # REQ-ABI-004 / REQ-ABI-005
    need(0 <= s["ioctl"]["type"] <= 0xFF, "ioctl.type must fit in 8 bits")
    check_unique(s["ioctl_cmd"], "name", "ioctl_cmd")
    check_unique(s["ioctl_cmd"], "nr", "ioctl_cmd")
    for c in s["ioctl_cmd"]:
        need(c["dir"] in IOC_DIRS, f"ioctl_cmd {c['name']}: dir {c['dir']!r} not in {list(IOC_DIRS)}")
        need(0 <= c["nr"] <= 0xFF, f"ioctl_cmd {c['name']}: nr must fit in 8 bits")
        if c["dir"] == "NONE":
            need("arg" not in c and "arg_size" not in c,
                 f"ioctl_cmd {c['name']}: dir NONE takes no argument")
        else:
            need("arg" in c and "arg_size" in c,
                 f"ioctl_cmd {c['name']}: dir {c['dir']} needs arg and arg_size")
            need(0 < c["arg_size"] < 1 << IOC_SIZEBITS,
                 f"ioctl_cmd {c['name']}: arg_size does not fit in {IOC_SIZEBITS} bits")
    need(0 <= s["hypercall"]["vendor"] <= 0xFF, "hypercall.vendor must fit in 8 bits")
    check_unique(s["hypercall_id"], "name", "hypercall_id")
    check_unique(s["hypercall_id"], "id", "hypercall_id")
    for h in s["hypercall_id"]:
        need(0 <= h["id"] < 1 << 24, f"hypercall_id {h['name']}: id must fit in 24 bits")

    # REQ-VMM-003: the PM command word; its fields must not overlap.
    if "pm_cmd" in s:
        pm = s["pm_cmd"]
        need(0 < pm["bits"] <= 64, "pm_cmd: bits must be 1..64")
        need(pm["type_mask"] > 0 and pm["type_mask"] & (pm["type_mask"] + 1) == 0,
             "pm_cmd: type_mask must be a run of low bits")
        need(pm["field_mask"] > 0 and pm["field_mask"] & (pm["field_mask"] + 1) == 0,
             "pm_cmd: field_mask must be a run of low bits")
        prev_end, prev = pm["type_mask"].bit_length(), "type"
        for f in ("state", "vcpu", "vmid"):
            shift = pm[f"{f}_shift"]
            need(shift >= prev_end,
                 f"pm_cmd: {f}_shift {shift} overlaps the {prev} field")
            prev_end, prev = shift + pm["field_mask"].bit_length(), f
        need(prev_end <= pm["bits"], f"pm_cmd: the vmid field ends above bit {pm['bits']}")


# ---------------------------------------------------------- derived data


def ioctl_value(s: dict, c: dict) -> int:
    return (IOC_DIRS[c["dir"]] << IOC_DIRSHIFT
            | c.get("arg_size", 0) << IOC_SIZESHIFT
            | s["ioctl"]["type"] << IOC_TYPESHIFT
            | c["nr"] << IOC_NRSHIFT)


def hypercall_value(s: dict, h: dict) -> int:
    return s["hypercall"]["vendor"] << 24 | h["id"]


class Spec:
    def __init__(self, data: dict, text: str):
        self.d = data
        self.req = requirement_ids(text)
        self.states = data["state"]
        self.actors = data["actor"]
        self.state = {x["name"]: x for x in self.states}
        self.actor = {x["name"]: x for x in self.actors}
        self.types = data["request_type"]
        self.dirs = data["direction"]
        self.transitions = data.get("transition", [])
        self.slot_fields = sorted(data["slot_field"], key=lambda f: f["offset"])
        self.request_fields = data["request_field"]
        self.data_offset = {f["name"]: f for f in self.slot_fields}["data"]["offset"]

    def ids(self, table: str) -> str:
        return ", ".join(self.req.get(table, [])) or "(no requirement id)"


# ------------------------------------------------------------ generators


def gen_spec_gen_h(sp: Spec) -> str:
    d = sp.d
    o: list[str] = [f"/* {BANNER} */", ""]
    o += ["#ifndef VIOREQ_SPEC_GEN_H", "#define VIOREQ_SPEC_GEN_H", "",
          "#include <stddef.h>", "#include <stdint.h>", ""]

    def block(table: str, title: str) -> None:
        o.append(f"/* {sp.ids(table)}: {title} */")

    block("state", "request states (value of the slot's processed field)")
    for x in sp.states:
        o.append(f"#define VIOREQ_STATE_{x['name']} {x['value']}u /* owner: {x['owner']} */")
    o.append(f"#define VIOREQ_STATE_COUNT {len(sp.states)}u")
    o.append("")

    block("actor", "parties that may move a slot")
    for x in sp.actors:
        o.append(f"#define VIOREQ_ACTOR_{x['name']} {x['value']}u")
    o.append("")

    block("request_type", "request types, legal address spaces")
    for x in sp.types:
        o.append(f"#define VIOREQ_TYPE_{x['name']} {x['value']}u")
    o.append(f"#define VIOREQ_TYPE_COUNT {len(sp.types)}u")
    for x in sp.types:
        o.append(f"#define VIOREQ_{x['name']}_ADDRESS_MAX {hex_u(x['address_max'])}ull")
    o.append("")

    block("direction", "access directions")
    for x in sp.dirs:
        o.append(f"#define VIOREQ_DIR_{x['name']} {x['value']}u")
    o.append("")

    block("page", "the shared request page")
    p = d["page"]
    o.append(f"#define VIOREQ_PAGE_SIZE {p['size']}u")
    o.append(f"#define VIOREQ_SLOT_COUNT {p['slot_count']}u")
    o.append(f"#define VIOREQ_SLOT_SIZE {p['slot_size']}u")
    o.append("")

    block("request_field", "request fields as indices into vioreq_slot.data[] "
          "(64-bit fields: low word first)")
    for r in sp.request_fields:
        o.append(f"#define VIOREQ_REQ_{r['name'].upper()}_WORD {r['word']}u"
                 f" /* {r['words']} word{'s' if r['words'] > 1 else ''} */")
    o.append("")

    block("pci", "PCI configuration fields and the ECAM routing key")
    for k, v in d["pci"].items():
        o.append(f"#define VIOREQ_PCI_{k.upper()} {c_uint(v)}")
    o.append("")

    block("pci_conf1", "PCI configuration mechanism #1 (CF8/CFC)")
    for k, v in d["pci_conf1"].items():
        dec = k.endswith("_shift") or k.endswith("_count")
        o.append(f"#define VIOREQ_CONF1_{k.upper()} {c_uint(v, hexa=not dec)}")
    o.append("")

    block("results", "results of requests the core completes itself")
    for k, v in d["results"].items():
        o.append(f"#define VIOREQ_{k.upper()} {hex_u(v)}ull")
    o.append("")

    block("limits", "fixed capacities")
    for k, v in d["limits"].items():
        o.append(f"#define VIOREQ_{k.upper()} {c_uint(v)}")
    o.append("")

    block("error", "errno values (positive; the core returns them negated)")
    for e in d["error"]:
        extra = " (kernel only)" if e.get("kernel_only") else ""
        o.append(f"#define VIOREQ_{e['name']} {e['value']} /* {c_comment(e['doc'])}{extra} */")
    o.append("")

    block("slot_field", "one 256-byte request slot, as little-endian 32-bit words")
    o.append("struct vioreq_slot {")
    for f in sp.slot_fields:
        arr = f"[{f['words']}]" if f["words"] > 1 else ""
        o.append(f"\tuint32_t {f['name']}{arr}; /* offset {f['offset']} */")
    o.append("};")
    o.append("")
    block("page", "the request page: one slot per vCPU")
    o.append("struct vioreq_page {")
    o.append("\tstruct vioreq_slot slot[VIOREQ_SLOT_COUNT];")
    o.append("};")
    o.append("")
    block("slot_field", "layout checks")
    o.append("/* Frama-C parses _Static_assert only with -c11; the C compilers check")
    o.append(" * these; Frama-C is told to skip them (it parses the rest as C11). */")
    o.append("#ifndef __FRAMAC__")
    for f in sp.slot_fields:
        o.append(f"_Static_assert(offsetof(struct vioreq_slot, {f['name']}) == {f['offset']}u,")
        o.append(f"\t       \"vioreq_slot.{f['name']} must be at offset {f['offset']}\");")
    o.append(f"_Static_assert(sizeof(struct vioreq_slot) == {p['slot_size']}u,")
    o.append(f"\t       \"struct vioreq_slot must be {p['slot_size']} bytes\");")
    o.append(f"_Static_assert(sizeof(struct vioreq_page) == {p['size']}u,")
    o.append(f"\t       \"struct vioreq_page must be {p['size']} bytes\");")
    o.append("#endif /* __FRAMAC__ */")
    o.append("")
    o.append("#endif /* VIOREQ_SPEC_GEN_H */")
    return "\n".join(o) + "\n"


def disjunction(terms: list[tuple[str, str]], indent: str, end: str = ";") -> list[str]:
    """ACSL disjunction, one term a line, each with a trailing // comment."""
    if not terms:
        return [f"{indent}   \\false{end}"]
    width = max(len(t) for t, _ in terms) + len(end)
    out = []
    for i, (t, comment) in enumerate(terms):
        lead = "   " if i == 0 else "|| "
        tail = end if i == len(terms) - 1 else ""
        out.append(f"{indent}{lead}{(t + tail).ljust(width)}  // {comment}")
    return out


def gen_acsl(sp: Spec) -> str:
    o: list[str] = [f"/* {BANNER} */", "",
                    "/* ACSL logic of the spec tables. Numeric literals keep it readable on",
                    " * its own; the trailing comments name the C constants. */", ""]
    ind = "    "

    def pred(table: str, title: str, head: str, terms: list[tuple[str, str]]) -> None:
        o.append(f"/*@ // {sp.ids(table)}: {title}")
        o.append(f"  {head} =")
        o.extend(disjunction(terms, ind))
        o.append("*/")
        o.append("")

    pred("state", "the request states",
         "predicate vioreq_state_known(integer s)",
         [(f"s == {x['value']}", f"VIOREQ_STATE_{x['name']}") for x in sp.states])
    pred("actor", "the actors",
         "predicate vioreq_actor_known(integer a)",
         [(f"a == {x['value']}", f"VIOREQ_ACTOR_{x['name']}") for x in sp.actors])
    pred("state", "the owner of each state",
         "predicate vioreq_owned_by(integer s, integer a)",
         [(f"(s == {x['value']} && a == {sp.actor[x['owner']]['value']})",
           f"{x['name']} is owned by {x['owner']}") for x in sp.states])
    pred("transition", "the complete transition table; everything else is forbidden",
         "predicate vioreq_allowed_transition(integer from, integer to, integer a)",
         [(f"(from == {sp.state[t['from']]['value']} && to == {sp.state[t['to']]['value']}"
           f" && a == {sp.actor[t['actor']]['value']})",
           f"{t['from']} -> {t['to']} by {t['actor']}") for t in sp.transitions])
    pred("request_type", "the request types",
         "predicate vioreq_type_known(integer t)",
         [(f"t == {x['value']}", f"VIOREQ_TYPE_{x['name']}") for x in sp.types])
    pred("request_type", "legal access sizes per type",
         "predicate vioreq_legal_size(integer t, integer size)",
         [(f"(t == {x['value']} && ("
           + " || ".join(f"size == {z}" for z in x["sizes"]) + "))",
           f"VIOREQ_TYPE_{x['name']}") for x in sp.types])

    # address_max: nested conditional, 0 for unknown types.
    o.append(f"/*@ // {sp.ids('request_type')}: the largest legal address per type")
    o.append("  logic integer vioreq_address_max(integer t) =")
    rows = [(f"(t == {x['value']} ? {x['address_max']}",
             f"VIOREQ_{x['name']}_ADDRESS_MAX = {hex_u(x['address_max'])}") for x in sp.types]
    width = max(len(r) for r, _ in rows)
    for i, (r, c) in enumerate(rows):
        lead = "  " if i == 0 else ": "
        o.append(f"{ind}{lead}{r.ljust(width)}  // {c}")
    o.append(f"{ind}: 0" + ")" * len(rows) + ";")
    o.append("*/")
    o.append("")

    pred("direction", "the access directions",
         "predicate vioreq_direction_known(integer d)",
         [(f"d == {x['value']}", f"VIOREQ_DIR_{x['name']}") for x in sp.dirs])
    return "\n".join(o).rstrip("\n") + "\n"


# (C name, contract, prototype) of the spec predicates.
CHECKS = [
    ("vioreq_transition_allowed",
     ["assigns \\nothing;",
      "ensures matches_spec: \\result <==> vioreq_allowed_transition(from, to, actor);"],
     "bool vioreq_transition_allowed(uint32_t from, uint32_t to, uint32_t actor)"),
    ("vioreq_state_owned_by",
     ["assigns \\nothing;",
      "ensures matches_spec: \\result <==> vioreq_owned_by(state, actor);"],
     "bool vioreq_state_owned_by(uint32_t state, uint32_t actor)"),
    ("vioreq_state_is_known",
     ["assigns \\nothing;",
      "ensures matches_spec: \\result <==> vioreq_state_known(state);"],
     "bool vioreq_state_is_known(uint32_t state)"),
    ("vioreq_type_is_known",
     ["assigns \\nothing;",
      "ensures matches_spec: \\result <==> vioreq_type_known(type);"],
     "bool vioreq_type_is_known(uint32_t type)"),
    ("vioreq_size_legal",
     ["assigns \\nothing;",
      "ensures matches_spec: \\result <==> vioreq_legal_size(type, size);"],
     "bool vioreq_size_legal(uint32_t type, uint64_t size)"),
    ("vioreq_address_limit",
     ["requires vioreq_type_known(type);",
      "assigns \\nothing;",
      "ensures matches_spec: \\result == vioreq_address_max(type);"],
     "uint64_t vioreq_address_limit(uint32_t type)"),
]


def gen_spec_checks_h(sp: Spec) -> str:
    o: list[str] = [f"/* {BANNER} */", ""]
    o += ["#ifndef VIOREQ_SPEC_CHECKS_H", "#define VIOREQ_SPEC_CHECKS_H", "",
          "#include <stdbool.h>", "#include <stdint.h>", "",
          "#include \"../../logic/spec_gen.acsl\"", ""]
    o.append(f"/* {sp.ids('transition')}, {sp.ids('request_type')}: executable forms of")
    o.append(" * the spec predicates; each one is proved equal to its ACSL logic. */")
    o.append("")
    for _, contract, proto in CHECKS:
        o.append("/*@ " + contract[0])
        for line in contract[1:]:
            o.append("    " + line)
        o[-1] += " */"
        o.append(proto + ";")
        o.append("")
    o.append("#endif /* VIOREQ_SPEC_CHECKS_H */")
    return "\n".join(o) + "\n"


def c_or(terms: list[str], indent: str) -> str:
    if not terms:
        return "false"
    return f"\n{indent}    || ".join(terms)


def gen_spec_gen_c(sp: Spec) -> str:
    o: list[str] = [f"/* {BANNER} */", "",
                    "#include \"vioreq/spec_gen.h\"",
                    "#include \"vioreq/spec_checks.h\"", ""]
    ind = "\t"

    def fn(proto: str, req: str, body: str) -> None:
        o.append(f"/* {req} */")
        o.append(proto)
        o.append("{")
        o.append(f"{ind}return {body};")
        o.append("}")
        o.append("")

    fn(CHECKS[0][2], sp.ids("transition"), c_or(
        [f"(from == VIOREQ_STATE_{t['from']} && to == VIOREQ_STATE_{t['to']}"
         f" && actor == VIOREQ_ACTOR_{t['actor']})" for t in sp.transitions], ind))
    fn(CHECKS[1][2], sp.ids("state"), c_or(
        [f"(state == VIOREQ_STATE_{x['name']} && actor == VIOREQ_ACTOR_{x['owner']})"
         for x in sp.states], ind))
    fn(CHECKS[2][2], sp.ids("state"), c_or(
        [f"state == VIOREQ_STATE_{x['name']}" for x in sp.states], ind))
    fn(CHECKS[3][2], sp.ids("request_type"), c_or(
        [f"type == VIOREQ_TYPE_{x['name']}" for x in sp.types], ind))
    fn(CHECKS[4][2], sp.ids("request_type"), c_or(
        [f"(type == VIOREQ_TYPE_{x['name']} && ("
         + " || ".join(f"size == {z}u" for z in x["sizes"]) + "))" for x in sp.types], ind))
    # The precondition vioreq_type_known(type) leaves no case outside the
    # table, so the last type is the final else: a `: 0` default would be
    # dead code, which -wp-smoke-tests reports.
    *tests, last = sp.types
    cond = "".join(f"type == VIOREQ_TYPE_{x['name']} ? VIOREQ_{x['name']}_ADDRESS_MAX\n{ind}     : "
                   for x in tests)
    fn(CHECKS[5][2], sp.ids("request_type") + "; the type is known (precondition),"
       f" so {last['name']} is the final else",
       cond + f"VIOREQ_{last['name']}_ADDRESS_MAX")
    return "\n".join(o).rstrip("\n") + "\n"


def gen_uapi_gen_h(sp: Spec) -> str:
    d = sp.d
    o: list[str] = [f"/* {BANNER} */", ""]
    o += ["#ifndef VIOREQ_UAPI_GEN_H", "#define VIOREQ_UAPI_GEN_H", "",
          "#include <stdint.h>", ""]
    o.append(f"/* {sp.ids('ioctl')}: ioctls of /dev/acrn_hsm, Linux x86 _IOC encoding:")
    o.append(" * dir << 30 | size << 16 | type << 8 | nr (dir: NONE 0, W 1, R 2, RW 3). */")
    o.append(f"#define VIOREQ_IOCTL_TYPE {hex_u(d['ioctl']['type'], 2)}u")
    for c in d["ioctl_cmd"]:
        arg = f"{c['dir']}, {c['arg']}" if "arg" in c else c["dir"]
        o.append(f"#define VIOREQ_IOCTL_{c['name']} {hex_u(ioctl_value(d, c), 8)}u"
                 f" /* nr {hex_u(c['nr'], 2)}, {arg} */")
    for c in d["ioctl_cmd"]:
        if "arg_size" in c:
            o.append(f"#define VIOREQ_IOCTL_{c['name']}_ARG_SIZE {c['arg_size']}u /* sizeof({c['arg']}) */")
    o.append("")
    o.append(f"/* {sp.ids('hypercall')}: hypercall ids, vendor << 24 | id. */")
    o.append(f"#define VIOREQ_HC_VENDOR {hex_u(d['hypercall']['vendor'], 2)}u")
    for h in d["hypercall_id"]:
        o.append(f"#define VIOREQ_HC_{h['name']} {hex_u(hypercall_value(d, h), 8)}u"
                 f" /* id {hex_u(h['id'], 2)} */")
    o.append("")
    if "pm_cmd" in d:
        pm = d["pm_cmd"]
        o.append(f"/* {sp.ids('pm_cmd')}: the command word of PM_GET_CPU_STATE (type, state")
        o.append(" * index, vCPU and target VM fields); the bits from VIOREQ_PMCMD_BITS up are")
        o.append(" * not part of it. */")
        o.append(f"#define VIOREQ_PMCMD_TYPE_MASK {hex_u(pm['type_mask'])}u")
        for f in ("state", "vcpu", "vmid"):
            o.append(f"#define VIOREQ_PMCMD_{f.upper()}_SHIFT {pm[f + '_shift']}u")
        o.append(f"#define VIOREQ_PMCMD_FIELD_MASK {hex_u(pm['field_mask'])}u")
        o.append(f"#define VIOREQ_PMCMD_BITS {pm['bits']}u")
        o.append("")
    o.append("#endif /* VIOREQ_UAPI_GEN_H */")
    return "\n".join(o) + "\n"


def value_for(k: int, words: int) -> int:
    """A distinct, recognisable test value with both 32-bit halves non-zero."""
    v = (0x9E3779B97F4A7C15 * (k + 1)) & U64_MAX
    v |= 0x0000000100000001
    return v & U32_MAX if words == 1 else v


def gen_abi_check_c(sp: Spec) -> str:
    d = sp.d
    p = d["page"]
    o: list[str] = [f"/* {BANNER} */", "",
                    "/* REQ-ABI-*: every spec value that has a uapi name, checked at compile",
                    " * time against <linux/acrn.h> and <errno.h>, plus a run-time round trip",
                    " * of struct acrn_io_request through struct vioreq_slot. Hosted C11. */",
                    "",
                    "#include <errno.h>", "#include <inttypes.h>", "#include <stddef.h>",
                    "#include <stdint.h>", "#include <stdio.h>", "#include <string.h>", "",
                    "#include <linux/ioctl.h> /* _IO*: <linux/acrn.h> uses them without including it */",
                    "#include <linux/acrn.h>", "",
                    "#include \"vioreq/spec_gen.h\"", "#include \"vioreq/uapi_gen.h\"", ""]

    def sa(expr: str, msg: str) -> None:
        o.append(f"_Static_assert({expr},")
        o.append(f"\t       \"{msg}\");")

    o.append(f"/* {sp.ids('state')} */")
    for x in sp.states:
        if "uapi" in x:
            sa(f"VIOREQ_STATE_{x['name']} == {x['uapi']}", f"state {x['name']}")
    o.append(f"/* {sp.ids('request_type')} */")
    for x in sp.types:
        if "uapi" in x:
            sa(f"VIOREQ_TYPE_{x['name']} == {x['uapi']}", f"type {x['name']}")
    o.append(f"/* {sp.ids('direction')} */")
    for x in sp.dirs:
        if "uapi" in x:
            sa(f"VIOREQ_DIR_{x['name']} == {x['uapi']}", f"direction {x['name']}")

    ust, ubuf = p["uapi_struct"], p["uapi_buffer"]
    o.append(f"/* {sp.ids('page')} */")
    sa(f"VIOREQ_SLOT_COUNT == {p['uapi_slot_count']}", "slot count")
    sa(f"sizeof({ust}) == VIOREQ_SLOT_SIZE", "slot size")
    sa(f"sizeof({ubuf}) == VIOREQ_PAGE_SIZE", "page size")
    sa(f"sizeof(struct vioreq_slot) == sizeof({ust})", "vioreq_slot size")
    sa(f"sizeof(struct vioreq_page) == sizeof({ubuf})", "vioreq_page size")

    o.append(f"/* {sp.ids('slot_field')} */")
    for f in sp.slot_fields:
        if "uapi" in f:
            sa(f"offsetof(struct vioreq_slot, {f['name']}) == offsetof({ust}, {f['uapi']})",
               f"slot field {f['name']} offset")
            sa(f"sizeof(((struct vioreq_slot *)0)->{f['name']}) == sizeof((({ust} *)0)->{f['uapi']})",
               f"slot field {f['name']} size")

    o.append(f"/* {sp.ids('request_field')} */")
    for r in sp.request_fields:
        sa(f"VIOREQ_REQ_{r['name'].upper()}_WORD == {r['word']}u", f"{r['name']} word")
        for alias in r.get("uapi", []):
            off = sp.data_offset + 4 * r["word"]
            sa(f"offsetof({ust}, reqs.{alias}) == {off}u", f"{alias} offset")
            sa(f"sizeof((({ust} *)0)->reqs.{alias}) == {4 * r['words']}u", f"{alias} size")

    o.append(f"/* {sp.ids('ioctl')} */")
    sa(f"VIOREQ_IOCTL_TYPE == ACRN_IOCTL_TYPE", "ioctl type")
    for c in d["ioctl_cmd"]:
        sa(f"VIOREQ_IOCTL_{c['name']} == ACRN_IOCTL_{c['name']}", f"ioctl {c['name']}")
        if "arg" in c:
            sa(f"sizeof({c['arg']}) == {c['arg_size']}u", f"ioctl {c['name']} argument size")
            sa(f"VIOREQ_IOCTL_{c['name']}_ARG_SIZE == sizeof({c['arg']})",
               f"ioctl {c['name']} argument size")

    o.append(f"/* {sp.ids('hypercall')}: not in the uapi header; the formula only */")
    for h in d["hypercall_id"]:
        sa(f"VIOREQ_HC_{h['name']} == ((VIOREQ_HC_VENDOR << 24) | {hex_u(h['id'], 2)}u)",
           f"hypercall {h['name']}")

    if "pm_cmd" in d:
        pm = d["pm_cmd"]
        o.append(f"/* {sp.ids('pm_cmd')}: the type field of the PM command word */")
        sa(f"VIOREQ_PMCMD_TYPE_MASK == {pm['uapi_type_mask']}", "pm_cmd type mask")

    o.append(f"/* {sp.ids('error')} */")
    for e in d["error"]:
        if e.get("kernel_only"):
            o.append(f"/* {e['name']} is kernel-only: not in <errno.h> */")
            continue
        sa(f"VIOREQ_{e['name']} == {e['name']}", f"errno {e['name']}")
    o.append("")

    # ---- run-time round trip
    o += ["static unsigned passed;", "static unsigned failed;", "",
          "static void check(const char *what, uint64_t got, uint64_t want)",
          "{",
          "\tif (got == want) {",
          "\t\tpassed++;",
          "\t\tprintf(\"ok   %s = 0x%\" PRIx64 \"\\n\", what, got);",
          "\t} else {",
          "\t\tfailed++;",
          "\t\tprintf(\"FAIL %s = 0x%\" PRIx64 \", want 0x%\" PRIx64 \"\\n\", what, got, want);",
          "\t}",
          "}", "",
          "static uint64_t word64(const struct vioreq_slot *s, unsigned w)",
          "{",
          "\treturn (uint64_t)s->data[w] | ((uint64_t)s->data[w + 1u] << 32);",
          "}", ""]

    # variants in order of first appearance
    variants: list[str] = []
    for r in sp.request_fields:
        for alias in r.get("uapi", []):
            v = alias.split(".")[0]
            if v not in variants:
                variants.append(v)
    scalars = [f for f in sp.slot_fields if "uapi" in f and f["words"] == 1]
    k = 0
    for v in variants:
        o.append(f"static void round_trip_{v}(void)")
        o.append("{")
        o.append(f"\t{ust} req;")
        o.append("\tstruct vioreq_slot slot;")
        o.append("")
        o.append("\tmemset(&req, 0, sizeof(req));")
        checks: list[tuple[str, str, str]] = []
        for f in scalars:
            val = value_for(k, 1)
            k += 1
            o.append(f"\treq.{f['uapi']} = {hex_u(val)}u;")
            checks.append((f"{v}: {f['uapi']} -> slot.{f['name']}",
                           f"slot.{f['name']}", f"{hex_u(val)}u"))
        for r in sp.request_fields:
            for alias in r.get("uapi", []):
                if alias.split(".")[0] != v:
                    continue
                val = value_for(k, r["words"])
                k += 1
                lit = f"{hex_u(val)}u" if r["words"] == 1 else f"{hex_u(val)}ull"
                o.append(f"\treq.reqs.{alias} = {lit};")
                w = f"VIOREQ_REQ_{r['name'].upper()}_WORD"
                if r["words"] == 1:
                    got = f"slot.data[{w}]"
                    where = f"data[{r['word']}]"
                else:
                    got = f"word64(&slot, {w})"
                    where = f"data[{r['word']}..{r['word'] + 1}]"
                checks.append((f"{alias} -> {r['name']} {where}", got, lit))
        o.append("\tmemcpy(&slot, &req, sizeof(slot));")
        for what, got, want in checks:
            o.append(f"\tcheck(\"{what}\", {got}, {want});")
        o.append("}")
        o.append("")

    o.append("int main(void)")
    o.append("{")
    for v in variants:
        o.append(f"\tround_trip_{v}();")
    o.append("\tprintf(\"%u passed, %u failed\\n\", passed, failed);")
    o.append("\treturn failed == 0u ? 0 : 1;")
    o.append("}")
    return "\n".join(o) + "\n"


def gen_dot(sp: Spec) -> str:
    o: list[str] = [f"// {BANNER}", f"// {sp.ids('state')}, {sp.ids('transition')}", ""]
    o += ["// Hostile or invalid input: every (from, to, actor) that is not an edge",
          "// here is forbidden (REQ-STATE-002) and only the owner of the source",
          "// state may move a slot (REQ-OWN-002); the core refuses anything else",
          "// with -EPERM. A slot whose state value is none of the nodes below is",
          "// invalid and is never dispatched.", ""]
    o.append("digraph vioreq_states {")
    o.append("\trankdir=LR;")
    o.append("\tnode [shape=box, fontname=\"Helvetica\"];")
    o.append("\tedge [fontname=\"Helvetica\"];")
    o.append("")
    for x in sp.states:
        o.append(f"\t{x['name']} [label=\"{x['name']} ({x['value']})\\nowner: {x['owner']}\"];")
    o.append("")
    for t in sp.transitions:
        o.append(f"\t{t['from']} -> {t['to']} [label=\"{t['actor']}\"];")
    o.append("}")
    return "\n".join(o) + "\n"


def gen_svg(dot_text: str) -> str | None:
    exe = shutil.which("dot")
    if exe is None:
        return None
    svg = subprocess.run([exe, "-Tsvg"], input=dot_text, capture_output=True,
                         text=True, check=True).stdout
    banner = f"<!-- {BANNER} -->"
    lines = svg.splitlines()
    if lines and lines[0].startswith("<?xml"):
        lines.insert(1, banner)  # the XML declaration must stay first
    else:
        lines.insert(0, banner)
    return "\n".join(lines) + "\n"


def md_table(head: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        out.append("| " + " | ".join(md_cell(c) for c in r) + " |")
    out.append("")
    return out


def gen_md(sp: Spec) -> str:
    d = sp.d
    o: list[str] = [f"<!-- {BANNER} -->", "", "# vioreq specification tables", "",
                    f"Spec version {d['meta']['spec_version']}. The source of truth is "
                    f"`{SPEC_REL}`; this page, the C constants and the ACSL predicates "
                    "are generated from it.", ""]

    def sec(title: str, table: str) -> None:
        o.append(f"## {title}")
        o.append("")
        o.append(f"Requirements: {sp.ids(table)}.")
        o.append("")

    sec("States and owners", "state")
    o += md_table(["State", "Value", "Owner", "uapi", "Meaning"],
                  [[f"`{x['name']}`", x["value"], x["owner"], f"`{x.get('uapi', '')}`",
                    x.get("doc", "")] for x in sp.states])
    sec("Actors", "actor")
    o += md_table(["Actor", "Value", "Owns", "Meaning"],
                  [[x["name"], x["value"],
                    ", ".join(s["name"] for s in sp.states if s["owner"] == x["name"]),
                    x.get("doc", "")] for x in sp.actors])
    sec("Transitions", "transition")
    o.append("The complete list: every other (from, to, actor) is forbidden, and only "
             "the owner of the source state may make a transition.")
    o.append("")
    o += md_table(["From", "To", "Actor", "Meaning"],
                  [[t["from"], t["to"], t["actor"], t.get("doc", "")] for t in sp.transitions])
    sec("Request types", "request_type")
    o += md_table(["Type", "Value", "Legal sizes", "Address max", "uapi", "Meaning"],
                  [[f"`{x['name']}`", x["value"], ", ".join(map(str, x["sizes"])),
                    f"`{hex_u(x['address_max'])}`", f"`{x.get('uapi', '')}`", x.get("doc", "")]
                   for x in sp.types])
    o.append("Directions:")
    o.append("")
    o += md_table(["Direction", "Value", "uapi"],
                  [[x["name"], x["value"], f"`{x.get('uapi', '')}`"] for x in sp.dirs])
    p = d["page"]
    sec("Request page and slot layout", "page")
    o.append(f"{p['slot_count']} slots of {p['slot_size']} bytes in one {p['size']}-byte page "
             f"(`{p['uapi_buffer']}`), one slot per vCPU.")
    o.append("")
    o += md_table(["Slot field", "Offset", "Words", "Bytes", "uapi (`" + p["uapi_struct"] + "`)"],
                  [[f"`{f['name']}`", f["offset"], f["words"], 4 * f["words"],
                    f"`{f['uapi']}`" if "uapi" in f else f.get("doc", "")]
                   for f in sp.slot_fields])
    sec("Request fields (inside `data[]`)", "request_field")
    o += md_table(["Field", "Word", "Words", "Slot offset", "uapi (`reqs.`...)", "Note"],
                  [[f"`{r['name']}`", r["word"], r["words"], sp.data_offset + 4 * r["word"],
                    ", ".join(f"`{a}`" for a in r.get("uapi", [])), r.get("doc", "")]
                   for r in sp.request_fields])
    sec("PCI configuration", "pci")
    o += md_table(["Key", "Value"], [[k, v] for k, v in d["pci"].items()])
    sec("PCI configuration mechanism #1", "pci_conf1")
    o += md_table(["Key", "Value"],
                  [[k, v if (k.endswith("_shift") or k.endswith("_count")) else f"`{hex_u(v)}`"]
                   for k, v in d["pci_conf1"].items()])
    sec("Results of core-completed requests", "results")
    o += md_table(["Key", "Value"], [[k, f"`{hex_u(v)}`"] for k, v in d["results"].items()])
    sec("Capacities", "limits")
    o += md_table(["Key", "Value"], [[k, v] for k, v in d["limits"].items()])
    sec("Errors", "error")
    o.append("The core returns these negated.")
    o.append("")
    o += md_table(["Error", "Value", "Scope", "Meaning"],
                  [[f"`{e['name']}`", e["value"], "kernel only" if e.get("kernel_only") else "uapi",
                    e.get("doc", "")] for e in d["error"]])
    sec("Errors per operation", "operation")
    o += md_table(["Operation", "Errors", "When"],
                  [[f"`{op['name']}`", ", ".join(op["errors"]), op.get("doc", "")]
                   for op in d.get("operation", [])])
    sec("ioctls of /dev/acrn_hsm", "ioctl")
    o.append(f"ioctl type `{hex_u(d['ioctl']['type'])}`; number = dir << 30 | size << 16 | "
             "type << 8 | nr.")
    o.append("")
    o += md_table(["ioctl", "nr", "Dir", "Argument", "Size", "Number"],
                  [[f"`ACRN_IOCTL_{c['name']}`", f"`{hex_u(c['nr'], 2)}`", c["dir"],
                    f"`{c['arg']}`" if "arg" in c else "", c.get("arg_size", 0),
                    f"`{hex_u(ioctl_value(d, c), 8)}`"] for c in d["ioctl_cmd"]])
    sec("Hypercalls", "hypercall")
    o.append(f"Id = vendor `{hex_u(d['hypercall']['vendor'])}` << 24 | id.")
    o.append("")
    o += md_table(["Hypercall", "id", "Value"],
                  [[h["name"], f"`{hex_u(h['id'], 2)}`", f"`{hex_u(hypercall_value(d, h), 8)}`"]
                   for h in d["hypercall_id"]])
    if "pm_cmd" in d:
        pm = d["pm_cmd"]
        sec("PM command word", "pm_cmd")
        o.append(f"The argument of `ACRN_IOCTL_PM_GET_CPU_STATE` and the first parameter of "
                 f"the PM_GET_CPU_STATE hypercall: {pm['bits']} bits; the bits above are not "
                 "part of it.")
        o.append("")
        fm = pm["field_mask"]
        o += md_table(["Field", "Shift", "Mask"],
                      [["type", 0, f"`{hex_u(pm['type_mask'])}` (`{pm['uapi_type_mask']}`)"]]
                      + [[f, pm[f + "_shift"], f"`{hex_u(fm << pm[f + '_shift'])}`"]
                         for f in ("state", "vcpu", "vmid")])
    return "\n".join(o).rstrip("\n") + "\n"


def gen_promela(sp: Spec) -> str:
    """The spec tables as Promela macros for the Spin model (REQ-OWN-*,
    REQ-STATE-*): the hand-written spec/model/vioreq.pml includes this file
    and makes every state store go through ALLOWED and OWNER."""
    o: list[str] = [f"/* {BANNER} */", "",
                    "/* The slot state machine of the spec as Promela macros, for the Spin",
                    " * model spec/model/vioreq.pml (spec/model/README.md). Values are the",
                    " * uapi values; the model stores them in bytes. */", ""]
    o.append(f"/* {sp.ids('state')}: request states (the slot's processed field) */")
    for x in sp.states:
        o.append(f"#define STATE_{x['name']} {x['value']} /* owner: {x['owner']} */")
    o.append(f"#define STATE_COUNT {len(sp.states)}")
    out_of_range = max(x["value"] for x in sp.states) + 1
    need(out_of_range <= 255, "state values must fit in a Promela byte")
    o.append(f"/* The smallest value that is no state: what a hostile writer stores to")
    o.append(f" * test REQ-STATE-003. */")
    o.append(f"#define STATE_OUT_OF_RANGE {out_of_range}")
    known = " || ".join(f"(s) == STATE_{x['name']}" for x in sp.states)
    o.append(f"#define STATE_KNOWN(s) ({known})")
    o.append("")
    o.append(f"/* {sp.ids('actor')}: parties that may move a slot */")
    for x in sp.actors:
        o.append(f"#define ACTOR_{x['name']} {x['value']}")
    actor_none = max(x["value"] for x in sp.actors) + 1
    o.append(f"#define ACTOR_NONE {actor_none} /* owner of a value that is no state */")
    o.append("")
    o.append(f"/* {sp.ids('state')}: the owner of each state */")
    expr = "ACTOR_NONE"
    for x in reversed(sp.states):
        expr = f"((s) == STATE_{x['name']} -> ACTOR_{x['owner']} : {expr})"
    o.append(f"#define OWNER(s) {expr}")
    o.append("")
    o.append(f"/* {sp.ids('transition')}: the allowed (from, to, actor); every other")
    o.append(" * triple is forbidden, and each actor owns the source state of its")
    o.append(" * transitions (checked by spec/generate.py). */")
    terms = [f"((f) == STATE_{t['from']} && (t) == STATE_{t['to']} && (a) == ACTOR_{t['actor']})"
             for t in sp.transitions]
    if terms:
        o.append("#define ALLOWED(f, t, a) ( \\")
        for i, t in enumerate(terms):
            lead = "\t   " if i == 0 else "\t|| "
            tail = " \\" if i < len(terms) - 1 else ")"
            o.append(f"{lead}{t}{tail}")
    else:
        o.append("#define ALLOWED(f, t, a) false")
    o.append("")
    o.append("/* Any value a hostile writer may store: every state and one that is none. */")
    o.append("inline any_state_value(x) {")
    o.append("\tif")
    for x in sp.states:
        o.append(f"\t:: x = STATE_{x['name']}")
    o.append("\t:: x = STATE_OUT_OF_RANGE")
    o.append("\tfi")
    o.append("}")
    return "\n".join(o) + "\n"


# ------------------------------------------------------------------ main


def outputs(sp: Spec) -> dict[str, str]:
    return {
        "core/include/vioreq/spec_gen.h": gen_spec_gen_h(sp),
        "core/include/vioreq/spec_checks.h": gen_spec_checks_h(sp),
        "core/include/vioreq/uapi_gen.h": gen_uapi_gen_h(sp),
        "core/logic/spec_gen.acsl": gen_acsl(sp),
        "core/src/spec_gen.c": gen_spec_gen_c(sp),
        "tests/abi/abi_check_gen.c": gen_abi_check_c(sp),
        "docs/state-machine.dot": gen_dot(sp),
        "docs/spec-tables.md": gen_md(sp),
        "spec/model/spec_gen.pml": gen_promela(sp),
    }


def load() -> Spec:
    text = SPEC.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"not valid TOML: {e}") from e
    try:
        validate(data)
    except KeyError as e:
        raise SpecError(f"missing key {e}") from e
    return Spec(data, text)


def read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if a generated file is missing or stale")
    args = ap.parse_args(argv)

    try:
        sp = load()
    except SpecError as e:
        print(f"{SPEC_REL}: error: {e}", file=sys.stderr)
        return 2

    files = outputs(sp)
    if args.check:
        bad = []
        for rel, content in files.items():
            old = read(ROOT / rel)
            if old is None:
                bad.append(f"missing: {rel}")
            elif old != content:
                bad.append(f"stale:   {rel}")
        if bad:
            print(f"generated files out of date with {SPEC_REL}; "
                  "run python3 spec/generate.py:", file=sys.stderr)
            for b in bad:
                print(f"  {b}", file=sys.stderr)
            return 1
        return 0

    svg = gen_svg(files["docs/state-machine.dot"])
    if svg is not None:
        files["docs/state-machine.svg"] = svg
    else:
        print("note: graphviz `dot` not found; docs/state-machine.svg not written",
              file=sys.stderr)
    for rel, content in files.items():
        path = ROOT / rel
        if read(path) == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
