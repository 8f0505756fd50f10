#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Smoke test and comparison for vioreq-bench.

  check_json.py BENCH            run BENCH --quick --json, check every field
  check_json.py --file RUN.json  check a saved run
  check_json.py --compare BASELINE.json RUN.json
                                 print each timing of RUN against BASELINE

The check is about shape only (well-formed JSON, every field present and
of the right type); speed targets are reported by the benchmark, never
asserted here.
"""
import json
import subprocess
import sys

NUMBERS = [
    "lookup_speedup_4096", "lookup_speedup_8", "lookup_vs_bsearch_4096",
    "lookup_chained_vs_bsearch_4096", "lookup_chained_speedup_4096",
    "lookup_chained_speedup_8", "dispatch_complete_ns",
    "roundtrip_poll_ns", "roundtrip_notify_ns", "pingpong_ns",
    "roundtrip_poll_over_floor", "roundtrip_poll_fused_ns",
    "memory_per_vm_bytes", "seconds",
]
STRINGS = ["schema", "roundtrip_harness"]
OBJECTS = ["machine", "config", "lookup", "dispatch", "roundtrip_threads",
           "roundtrip_minimal",
           "memory", "targets"]
SIZE_FIELDS = ["ranges", "clients", "hit_fraction"] + [
    f"{impl}_{kind}" for impl in ("core", "hsm", "bsearch")
    for kind in ("ns", "chained_ns", "iterations")]
TARGETS = ["lookup_speedup_4096", "lookup_speedup_8",
           "lookup_vs_bsearch_4096", "dispatch_complete_ns",
           "roundtrip_poll_over_floor"]
MACHINE = ["cpu", "online_cpus", "allowed_cpus", "kernel", "compiler",
           "loadavg_at_start",
           "build", "date"]
DISPATCH = ["slot_ns", "all_slots_ns", "hypervisor_only_ns",
            "core_only_ns", "errors"]


def check(doc):
    errors = []

    def need(obj, key, kind, where):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        value = obj.get(key)
        if key not in obj:
            errors.append(f"missing {where}{key}")
        elif not isinstance(value, kinds) or \
                (isinstance(value, bool) and bool not in kinds):
            names = "/".join(k.__name__ for k in kinds)
            errors.append(f"{where}{key} is not {names}")

    for k in NUMBERS:
        need(doc, k, (int, float), "")
    for k in STRINGS:
        need(doc, k, str, "")
    for k in OBJECTS:
        need(doc, k, dict, "")
    if errors:
        return errors
    for k in MACHINE:
        need(doc["machine"], k, (str, int, float), "machine.")
    for k in DISPATCH:
        need(doc["dispatch"], k, (int, float), "dispatch.")
    sizes = doc["lookup"].get("sizes", [])
    if [s.get("ranges") for s in sizes] != [8, 64, 512, 4096]:
        errors.append("lookup.sizes must cover 8, 64, 512, 4096 ranges")
    for s in sizes:
        for k in SIZE_FIELDS:
            need(s, k, (int, float), f"lookup.sizes[{s.get('ranges')}].")
    for k in TARGETS:
        t = doc["targets"].get(k)
        if not isinstance(t, dict):
            errors.append(f"missing targets.{k}")
            continue
        need(t, "target", str, f"targets.{k}.")
        need(t, "value", (int, float), f"targets.{k}.")
        need(t, "met", bool, f"targets.{k}.")
    if doc["dispatch"].get("errors"):
        errors.append("dispatch loop saw unexpected core results")
    if doc["roundtrip_threads"].get("errors"):
        errors.append("round trip saw unexpected core results")
    return errors


def timings(doc):
    out = {}
    for s in doc["lookup"]["sizes"]:
        for impl in ("core", "hsm", "bsearch"):
            out[f"lookup {s['ranges']} {impl}_ns"] = s[f"{impl}_ns"]
    for k in ("dispatch_complete_ns", "roundtrip_poll_ns",
              "roundtrip_notify_ns", "roundtrip_poll_fused_ns",
              "pingpong_ns"):
        out[k] = doc[k]
    return out


def main(argv):
    if len(argv) == 4 and argv[1] == "--compare":
        base, run = (json.load(open(p)) for p in argv[2:4])
        tb, tr = timings(base), timings(run)
        for k in tb:
            ratio = tr[k] / tb[k] if tb[k] > 0 else float("nan")
            print(f"{k:36} {tb[k]:12.2f} {tr[k]:12.2f}  x{ratio:.2f}")
        return 0
    if len(argv) == 3 and argv[1] == "--file":
        text = open(argv[2]).read()
    elif len(argv) == 2:
        proc = subprocess.run([argv[1], "--quick", "--json"],
                              capture_output=True, text=True, timeout=110)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            print(f"FAIL: exit status {proc.returncode}")
            return 1
        text = proc.stdout
    else:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        print(text)
        print(f"FAIL: not JSON: {e}")
        return 1
    errors = check(doc)
    for e in errors:
        print(f"FAIL: {e}")
    if not errors:
        print(f"OK: all fields present ({doc['seconds']} s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
