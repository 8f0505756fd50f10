#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Show that the fuzz harnesses catch real bugs: build each harness against
a copy of the sources with one deliberate bug (a mutant) and fuzz it from
the committed seeds until it fails or the time is up.

    python3 tests/fuzz/mutants.py [--seconds N] [--only NAME] [--list]
                                  [--no-seeds]

Needs clang with libFuzzer (scripts/install-deps.sh). Works in a temporary
directory; never touches the tree. Prints one line per mutant (caught,
with the first VIOLATION or sanitizer line and the time it took, or
MISSED) and "N passed, M failed" at the end (a missed mutant is a failure;
one whose code changed so the mutation no longer applies is skipped).
Not a ctest: it takes minutes. Run it after changing a harness or its
checks. Stdlib only.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FUZZ = os.path.join(ROOT, "tests", "fuzz")
FLAGS = ["-g", "-O1", "-std=c11", "-D_GNU_SOURCE", "-pthread",
         "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all",
         "-w"]

# name, harness, file, old text, new text, what the bug is
MUTANTS = [
    ("held_redispatch", "core_page", "core/src/dispatch.c",
     "\tif (vm->slot_owner[v] != VIOREQ_CLIENT_NONE)\n"
     "\t\treturn VIOREQ_OUTCOME_IDLE;\n\tstate =",
     "\tstate =",
     "dispatch no longer skips a slot it holds"),
    ("complete_any_state", "core_page", "core/src/completion.c",
     "if (state != VIOREQ_STATE_PROCESSING) {",
     "if (state == 0xDEADBEEFu) {",
     "complete acts whatever state the page shows"),
    ("destroy_keeps_slots", "core_page", "core/src/client.c",
     "if (vm->slot_owner[v] != (int32_t)client)\n\t\t\tcontinue;",
     "continue;",
     "destroy leaves the client's held slots held"),
    ("overlap_at_boundary", "core_page", "core/src/range_table.c",
     "t->start[pos] <= end)", "t->start[pos] < end)",
     "add accepts a range whose end touches the next start"),
    ("access_past_limit", "core_page", "core/src/slot.c",
     "vioreq_address_limit(snap->type) - (snap->size - 1)",
     "vioreq_address_limit(snap->type)",
     "an access may run past the type's last address"),
    ("polling_not_read", "core_page", "core/src/slot.c",
     "polling = vioreq_page_load(&slot->completion_polling);",
     "polling = 0;",
     "completion ignores completion_polling"),
    ("state_read_twice", "core_page", "core/src/dispatch.c",
     "is_read = snap.direction != VIOREQ_DIR_WRITE;",
     "is_read = vioreq_page_load(&slot->data[VIOREQ_REQ_DIRECTION_WORD]) "
     "!= VIOREQ_DIR_WRITE;",
     "a field read a second time (read-once broken)"),
    ("clear_releases_all", "core_page", "core/src/clear.c",
     "if (vm->slot_owner[v] != vm->default_client) {",
     "if (0) {",
     "clear completes other clients' slots too"),
    ("search_off_by_one", "core_page", "core/src/range_table.c",
     "return base + (t->end[base] < key ? 1u : 0u);",
     "return base + (t->end[base] <= key ? 1u : 0u);",
     "binary search skips the range that ends at the key"),
    ("conf1_reg_unaligned", "core_page", "core/src/pci_conf1.c",
     "(address % (VIOREQ_CONF1_REG_MASK + 4u)) / 4u * 4u",
     "(address % (VIOREQ_CONF1_REG_MASK + 4u))",
     "CF8 register bits 1:0 leak into the PCI register"),
    ("write_bypasses_hooks", "core_page", "core/src/dispatch.c",
     "vioreq_page_store(&slot->kernel_handled,",
     "(void)0; slot->kernel_handled = (",
     "the core writes the page without the hooks"),
    ("release_keeps_destroying", "core_page", "core/src/client.c",
     "vm->client_state[client] = VIOREQ_CLIENT_FREE;\n\treturn 0;",
     "return 0;",
     "release does not free a destroying client"),
    ("destroy_vm_keeps_clients", "runtime_api", "userspace/runtime/local_vm.c",
     "\t\tif (vm->clients[c].live)\n"
     "\t\t\tlocal_destroy_client_locked(vm, c, &ev);",
     "\t\t;",
     "destroy_vm leaves clients (and their held slots) alone"),
]


def sources(tree, harness):
    core = sorted(glob.glob(os.path.join(tree, "core", "src", "*.c")))
    common = [os.path.join(FUZZ, "vm_invariants.c")] + core
    inc = ["-I" + os.path.join(tree, "core", "include"), "-I" + FUZZ]
    if harness == "core_page":
        return [os.path.join(FUZZ, "fuzz_core_page.c")] + common, inc
    rt = sorted(glob.glob(os.path.join(tree, "userspace", "runtime", "*.c")))
    inc += ["-I" + os.path.join(tree, "userspace", "include"),
            "-I" + os.path.join(tree, "userspace", "runtime")]
    return ([os.path.join(FUZZ, "fuzz_runtime_api.c")] + common +
            [os.path.join(tree, "userspace", "page_access_hosted.c")] + rt,
            inc)


def run(mutant, seconds, work, clang, seeds=True):
    name, harness, path, old, new, _ = mutant
    tree = os.path.join(work, name, "tree")
    for d in ("core", "userspace"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(tree, d))
    target = os.path.join(tree, path)
    with open(target) as f:
        text = f.read()
    if text.count(old) != 1:
        return "skip", "mutation no longer applies", 0.0
    with open(target, "w") as f:
        f.write(text.replace(old, new))
    srcs, inc = sources(tree, harness)
    binary = os.path.join(work, name, "fuzzer")
    build = subprocess.run([clang] + FLAGS + inc + srcs + ["-o", binary],
                           capture_output=True, text=True)
    if build.returncode != 0:
        return "skip", "does not compile: " + build.stderr.strip()[:120], 0.0
    corpus = os.path.join(work, name, "corpus")
    os.makedirs(corpus)
    start = time.monotonic()
    proc = subprocess.run(
        [binary, "-max_total_time=%d" % seconds, "-timeout=10",
         "-max_len=%d" % (8192 if harness == "core_page" else 2048),
         "-artifact_prefix=%s/" % os.path.join(work, name), corpus] +
        ([os.path.join(FUZZ, "corpus", harness)] if seeds else []),
        capture_output=True, text=True)
    took = time.monotonic() - start
    if proc.returncode == 0:
        return "missed", "no finding in %d s" % seconds, took
    why = ""
    for line in proc.stderr.splitlines():
        if "VIOLATION" in line or "runtime error" in line or \
                re.search(r"ERROR: (AddressSanitizer|libFuzzer)", line):
            why = line.strip()
            break
    return "caught", why, took


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--only")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--no-seeds", action="store_true",
                    help="start from an empty corpus (the fuzzer alone)")
    args = ap.parse_args()
    if args.list:
        for m in MUTANTS:
            print("%-26s %-12s %s" % (m[0], m[1], m[5]))
        return 0
    clang = shutil.which("clang") or shutil.which("clang-14")
    if not clang:
        print("mutants: clang not found", file=sys.stderr)
        return 2
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory(prefix="vioreq-mutants.") as work:
        for m in MUTANTS:
            if args.only and m[0] != args.only:
                continue
            verdict, why, took = run(m, args.seconds, work, clang,
                                    not args.no_seeds)
            print("%-26s %-7s %5.1fs  %s" % (m[0], verdict, took, why),
                  flush=True)
            if verdict == "caught":
                passed += 1
            elif verdict == "missed":
                failed += 1
            else:
                skipped += 1
    print("mutants: %d passed, %d failed, %d skipped" %
          (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
