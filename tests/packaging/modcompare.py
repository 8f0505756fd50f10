#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compare two builds of vioreq.ko: the one DKMS built from the packaged
source and the one Kbuild built from the checkout (tests/packaging/dkms.sh).

  modcompare.py DKMS_KO KBUILD_KO

"The same module" means, in this order of strength (each a PASS/FAIL line):

  modinfo     every modinfo field equal (name, license, description,
              vermagic, depends, retpoline, parm, ...), except filename and
              the signature fields (sig_id, signer, sig_key, sig_hashalgo,
              signature): DKMS signs with its own key, Kbuild does not;
  symbols     the symbol tables equal (nm: value, type, name);
  sections    the same sections, with the same types, flags and sizes;
  bytes       the files equal byte for byte once the DKMS module's appended
              signature is cut off; the Kbuild module is given `strip -g`
              first, as DKMS strips every module it builds.

Both builds must run in the same directory for `bytes` and `sections`:
the module's strings hold source paths (WARN_ON_ONCE, pr_debug), so
dkms.sh builds the Kbuild copy where DKMS built. Prints `PASS name` /
`FAIL name: reason`; exits 1 if anything differs.
"""
import os
import re
import subprocess
import sys
import tempfile

MAGIC = b"~Module signature appended~\n"
SIG_FIELDS = {"sig_id", "signer", "sig_key", "sig_hashalgo", "signature",
              "filename"}


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def unsigned(data):
    """The module without its appended signature (and whether it had one).
    The trailer is struct module_signature (12 bytes, sig_len big endian
    in the last 4) then MAGIC, after the signature itself."""
    if not data.endswith(MAGIC):
        return data, False
    info = data[-len(MAGIC) - 12:-len(MAGIC)]
    sig_len = int.from_bytes(info[8:12], "big")
    return data[:len(data) - len(MAGIC) - 12 - sig_len], True


def modinfo(path):
    fields = []
    for line in run("modinfo", path).splitlines():
        m = re.match(r"^(\w+):\s*(.*)$", line)
        if m:
            fields.append([m.group(1), m.group(2).rstrip()])
        elif fields:  # continuation (signature bytes)
            fields[-1][1] += line.strip()
    return [(k, v) for k, v in fields if k not in SIG_FIELDS]


def sections(path):
    out = []
    for line in run("readelf", "-SW", path).splitlines():
        m = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+(\S+)"
                     r"\s+\S+\s+([A-Za-z]*)", line)
        if m and m.group(1) != "NULL":
            out.append(m.groups())
    return out


def main():
    dkms_ko, kbuild_ko = sys.argv[1], sys.argv[2]
    failed = 0

    def verdict(name, ok, why=""):
        nonlocal failed
        print(f"PASS {name}" if ok else f"FAIL {name}: {why}")
        failed += 0 if ok else 1

    with open(dkms_ko, "rb") as f:
        dkms_data, signed = unsigned(f.read())
    print(f"# DKMS module {'signed by dkms' if signed else 'not signed'}")
    with tempfile.TemporaryDirectory() as tmp:
        dkms_plain = os.path.join(tmp, "dkms.ko")
        with open(dkms_plain, "wb") as f:
            f.write(dkms_data)
        kbuild_stripped = os.path.join(tmp, "kbuild.ko")
        run("strip", "-g", "-o", kbuild_stripped, kbuild_ko)

        a, b = modinfo(dkms_ko), modinfo(kbuild_ko)
        diff = [x for x in a if x not in b] + [x for x in b if x not in a]
        verdict("modinfo", a == b, f"differ in {diff[:4]}")
        a, b = run("nm", dkms_plain), run("nm", kbuild_stripped)
        verdict("symbols", a == b,
                f"{len(set(a.splitlines()) ^ set(b.splitlines()))} lines differ")
        a, b = sections(dkms_plain), sections(kbuild_stripped)
        diff = [x for x in a if x not in b][:3]
        verdict("sections", a == b, f"DKMS has {diff}")
        with open(kbuild_stripped, "rb") as f:
            kbuild_data = f.read()
        verdict("bytes", dkms_data == kbuild_data,
                f"{len(dkms_data)} vs {len(kbuild_data)} bytes")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
