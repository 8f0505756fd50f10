#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""packaging.operators: run every command of docs/operators.md.

  tests/packaging/operators.py [WORK] [--doc FILE] [--timeout SECONDS]

The page is parsed here at test time, so the commands are never copied
into the test: each fenced ``sh`` block must be preceded by a marker
comment, else the test fails:

  <!-- test: host -->           run in the sandbox (sandbox.sh): an overlay
                                of this machine's root in a private mount
                                namespace whose `uname -r` is the release of
                                the installed linux-headers-amd64; as root,
                                with `bash -e`, in a directory holding the
                                .debs of packaging.build, on one CPU
                                (so dkms builds with make -j1)
  <!-- test: guest -->          run in that release's Debian kernel under
                                QEMU (TCG), booted from the sandbox's state
  ..., fails -->                the block must exit non-zero

apt's confirmation prompts are answered yes (APT::Get::Assume-Yes in the
sandbox). A ``text`` block right after a command block lists lines its
output must contain: `<...>` matches any text, `[ 12.345678]` dmesg timestamps are
ignored, `(no output)` means the output must be empty.

The page must read host blocks, then guest blocks, then host blocks
(install and configure, check the module, uninstall): the host blocks
before the first guest block run, then one guest boots and runs all guest
blocks in order, then the remaining host blocks run.

The guest is an initramfs made from the sandbox after the first host
blocks: its /lib/modules/RELEASE (the module DKMS installed, depmod's
files), /etc (accounts, groups, modprobe.d, modules-load.d), the udev
rules, and the programs the guest blocks call (GUEST_PROGRAMS, with their
libraries). At boot it starts systemd-udevd and coldplugs (udevadm
trigger, settle) and runs systemd-modules-load, as a Debian boot does;
udev comes from Debian's udev package of the installed systemd version,
fetched once with `apt-get download` into the cache (nothing installed),
as tests/kernel/run-qemu.sh fetches the kernel image (same cache).

Besides the page's commands the test checks: the group vioreq exists and
is empty when the packages are installed; in the guest, an account
outside the group cannot use the module, and the kernel log has no
WARNING, BUG or Oops; after the purge no module, DKMS tree, source tree,
udev rule or options file is left.

Prints `PASS name` / `FAIL name: reason` per check, then
`packaging.operators: N passed, M failed`. Exits 77 (skipped) when not
root or without unshare, dkms, qemu-system-x86_64 or a static busybox.
"""
import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
TOP = os.path.realpath(os.path.join(HERE, "..", ".."))
SUITE = "packaging.operators"
SKIP = 77

# Programs the guest blocks (and the boot) call, looked up in the
# sandbox's PATH. Add one here when a guest block needs it.
GUEST_PROGRAMS = ["bash", "kmod", "modprobe", "lsmod", "modinfo", "rmmod",
                  "insmod", "dmesg", "grep", "stat", "cat", "setpriv",
                  "vioreq-sim"]
GUEST_PATHS = ["/lib/systemd/systemd-modules-load"]
SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEB_DIR = "/var/tmp/vioreq-debs"

FENCE = re.compile(r"^```\s*([\w-]*)\s*$")
MARKER = re.compile(r"^<!--\s*test:\s*(host|guest)\s*(,\s*fails\s*)?-->\s*$")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
COMMAND_INFOS = {"sh", "bash", "shell", "console"}


class Result:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name):
        print(f"PASS {name}", flush=True)
        self.passed += 1

    def bad(self, name, why):
        why = " ".join(str(why).split())
        print(f"FAIL {name}: {why[:400]}", flush=True)
        self.failed += 1

    def check(self, name, cond, why=""):
        (self.ok if cond else lambda n: self.bad(n, why))(name)
        return cond

    def finish(self):
        print(f"{SUITE}: {self.passed} passed, {self.failed} failed",
              flush=True)
        return 0 if self.failed == 0 and self.passed > 0 else 1


R = Result()


def say(msg):
    print(f"{SUITE}: {msg}", flush=True)


def skip(msg):
    print(f"{SUITE}: skipped: {msg}", flush=True)
    sys.exit(SKIP)


def die(msg):
    R.bad(f"{SUITE}.harness", msg)
    sys.exit(R.finish() or 1)


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True,
                          **kw).stdout


# ------------------------------------------------------------------- page

def parse_page(path):
    """The command blocks of the page, in order, each a dict: where,
    fails, script, line, expect (list of lines or None)."""
    lines = open(path, encoding="utf-8").read().splitlines()
    blocks, errors = [], []
    last_end = None
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        info, start = m.group(1), i
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        end = i
        i += 1
        if info in COMMAND_INFOS:
            j = start - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            mk = MARKER.match(lines[j]) if j >= 0 else None
            if not mk:
                errors.append(f"line {start + 1}: ```{info} block without "
                              "a <!-- test: host|guest --> marker")
                last_end = None
                continue
            blocks.append({"where": mk.group(1), "fails": bool(mk.group(2)),
                           "script": "\n".join(body) + "\n",
                           "line": start + 1, "expect": None})
            last_end = end
        elif info == "text":
            adjacent = (last_end is not None and blocks and
                        all(not x.strip() for x in lines[last_end + 1:start]))
            if not adjacent:
                errors.append(f"line {start + 1}: ```text block not right "
                              "after a command block")
            else:
                blocks[-1]["expect"] = body
            last_end = None
        else:
            last_end = None
    return blocks, errors


def norm(line):
    return TIMESTAMP.sub("", line.rstrip())


def expect_problems(expect, output):
    """What of the expected output is missing (empty list: all there)."""
    if expect is None:
        return []
    want = [x for x in expect if x.strip()]
    if want == ["(no output)"]:
        return [] if not output.strip() else [f"output: {output.strip()}"]
    got = [norm(x) for x in output.splitlines()]
    missing = []
    for line in want:
        parts = re.split(r"<[^<>]+>", norm(line))
        pat = re.compile("^" + ".+".join(map(re.escape, parts)) + "$")
        if not any(pat.match(g) for g in got):
            missing.append(line)
    return missing


def judge(block, name, rc, output):
    """PASS/FAIL of one block from its exit status and output."""
    cmd = block["script"].strip().splitlines()[0]
    if block["fails"] and rc == 0:
        return R.bad(name, f"`{cmd}` succeeded, the page says it fails; "
                     f"output: {output.strip()[-300:]}")
    if not block["fails"] and rc != 0:
        return R.bad(name, f"`{cmd}...` exited {rc}: {output.strip()[-300:]}")
    missing = expect_problems(block["expect"], output)
    if missing:
        return R.bad(name, f"output lacks {missing}; got: "
                     f"{output.strip()[-300:]}")
    R.ok(name)


def block_name(block):
    first = re.sub(r"[^A-Za-z0-9]+", "_",
                   block["script"].strip().splitlines()[0])[:40].strip("_")
    return f"doc.L{block['line']}.{block['where']}.{first}"


# ---------------------------------------------------------------- sandbox

class Sandbox:
    def __init__(self, dir_, release):
        self.dir = dir_
        self.root = os.path.join(dir_, "root")
        p = subprocess.run(["bash", "-c", f'source "{HERE}/sandbox.sh" && '
                            'sandbox_setup "$1" "$2"', "setup", dir_, release],
                           text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if p.returncode == SKIP:
            skip(p.stdout.strip())
        if p.returncode != 0:
            die(f"sandbox setup failed: {p.stdout.strip()}")

    def run(self, script, timeout=600):
        """bash -e SCRIPT in the sandbox; (exit status, output)."""
        # One CPU: dkms's package hook builds with make -j$(nproc), and the
        # suite builds kmod/ with one job (tests/kernel/run-qemu.sh says
        # why); nproc follows the affinity.
        cpu = min(os.sched_getaffinity(0))
        try:
            p = subprocess.run(
                ["taskset", "-c", str(cpu),
                 "chroot", self.root, "/usr/bin/env", "-i",
                 f"PATH={SANDBOX_PATH}", "HOME=/root", "LANG=C.UTF-8",
                 "DEBIAN_FRONTEND=noninteractive", "/bin/bash", "-e", "-c",
                 f"cd {DEB_DIR}\n{script}"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            return 124, (e.stdout or "") + f"\n(timed out after {timeout} s)"
        return p.returncode, p.stdout

    def path(self, p):
        return self.root + p

    def group_line(self, group):
        try:
            with open(self.path("/etc/group")) as f:
                for line in f:
                    if line.split(":")[0] == group:
                        return line.strip()
        except OSError:
            pass
        return None


# ------------------------------------------------------- kernel and udev

def cache_dir(kind):
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.environ.get("HOME") or "/root", ".cache")
    if kind == "kernel" and os.environ.get("VIOREQ_KERNEL_CACHE"):
        return os.environ["VIOREQ_KERNEL_CACHE"]
    return os.path.join(base, "vioreq", kind)


def headers_release():
    """(release, version) of the kernel linux-headers-amd64 points at."""
    try:
        deps = sh("dpkg-query", "-W", "-f=${Depends}", "linux-headers-amd64")
    except subprocess.CalledProcessError:
        skip("linux-headers-amd64 is not installed")
    m = re.search(r"linux-headers-([0-9][^ ,]*-amd64)", deps)
    if not m:
        die(f"cannot read the release from linux-headers-amd64 ({deps})")
    rel = m.group(1)
    ver = sh("dpkg-query", "-W", "-f=${Version}", f"linux-headers-{rel}")
    return rel, ver


def apt_download(pkg, dest):
    """Fetch one .deb with apt-get download into a fresh dest; its path."""
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    p = subprocess.run(["apt-get", "-q", "-o", "APT::Sandbox::User=root",
                        "download", pkg], cwd=dest, text=True,
                       capture_output=True)
    debs = [f for f in os.listdir(dest) if f.endswith(".deb")]
    if p.returncode != 0 or not debs:
        die(f"apt-get download {pkg} failed (run apt-get update): "
            f"{p.stdout[-300:]} {p.stderr[-300:]}")
    return os.path.join(dest, debs[0])


def kernel_image(rel, ver):
    """The vmlinuz of linux-image-REL=VER, cached as run-qemu.sh caches it."""
    cache = cache_dir("kernel")
    vmlinuz = os.path.join(cache, f"{rel}-{ver}", "vmlinuz")
    if os.path.getsize(vmlinuz) if os.path.exists(vmlinuz) else 0:
        return vmlinuz
    dl = os.path.join(cache, f"download.{os.getpid()}")
    deb = apt_download(f"linux-image-{rel}={ver}", dl)
    x = os.path.join(dl, "x")
    os.makedirs(x)
    subprocess.run(f"dpkg-deb --fsys-tarfile '{deb}' | tar -x -C '{x}' ./boot",
                   shell=True, check=True)
    os.makedirs(os.path.dirname(vmlinuz), exist_ok=True)
    shutil.copy(os.path.join(x, "boot", f"config-{rel}"),
                os.path.join(os.path.dirname(vmlinuz), "config"))
    shutil.copy(os.path.join(x, "boot", f"vmlinuz-{rel}"), vmlinuz + ".tmp")
    os.rename(vmlinuz + ".tmp", vmlinuz)
    shutil.rmtree(dl)
    return vmlinuz


def udev_tree():
    """Debian's udev package of the installed systemd version, unpacked."""
    ver = sh("dpkg-query", "-W", "-f=${Version}", "libudev1")
    root = os.path.join(cache_dir("udev"), ver, "root")
    if os.path.exists(os.path.join(root, "bin", "udevadm")):
        return root
    dl = os.path.join(cache_dir("udev"), f"download.{os.getpid()}")
    deb = apt_download(f"udev={ver}", dl)
    tmp = root + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    sh("dpkg-deb", "-x", deb, tmp)
    shutil.rmtree(root, ignore_errors=True)
    os.rename(tmp, root)
    shutil.rmtree(dl)
    return root


# ------------------------------------------------------------------ guest

class Initramfs:
    """A root filesystem for the guest, with the sandbox's /usr-merged
    layout: files are copied from a source root (the sandbox, or the udev
    tree) by path, symlinks kept, ELF files with their libraries."""

    def __init__(self, root, libroot):
        self.root = root
        self.libroot = libroot
        self.seen = set()
        shutil.rmtree(root, ignore_errors=True)
        for d in ("usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "dev",
                  "proc", "sys", "run", "tmp", "etc", "root", "var/tmp",
                  "opt/busybox", "blocks"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        for link in ("bin", "sbin", "lib", "lib64"):
            os.symlink(f"usr/{link}", os.path.join(root, link))

    @staticmethod
    def resolve_dirs(src_root, path):
        """path with the symlinks of its directories resolved in src_root."""
        parts = path.strip("/").split("/")
        cur = "/"
        for comp in parts[:-1]:
            nxt = os.path.join(cur, comp)
            for _ in range(40):
                full = src_root + nxt
                if not os.path.islink(full):
                    break
                t = os.readlink(full)
                nxt = t if t.startswith("/") else os.path.normpath(
                    os.path.join(os.path.dirname(nxt), t))
            cur = nxt
        return os.path.join(cur, parts[-1])

    def add(self, src_root, path):
        path = self.resolve_dirs(src_root, path)
        if (src_root, path) in self.seen:
            return
        self.seen.add((src_root, path))
        src = src_root + path
        dst = self.root + path
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            target = os.readlink(src)
            if not os.path.lexists(dst):
                os.symlink(target, dst)
            tpath = target if target.startswith("/") else os.path.normpath(
                os.path.join(os.path.dirname(path), target))
            self.add(src_root, tpath)
            return
        if os.path.isdir(src):
            for name in sorted(os.listdir(src)):
                self.add(src_root, os.path.join(path, name))
            return
        shutil.copy2(src, dst)
        with open(src, "rb") as f:
            elf = f.read(4) == b"\x7fELF"
        if elf:
            p = subprocess.run(["ldd", src], text=True, capture_output=True)
            for lib in re.findall(r"(/\S+) \(0x", p.stdout):
                self.add(self.libroot, lib)

    def write(self, path, text, mode=0o644):
        dst = self.root + path
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "w") as f:
            f.write(text)
        os.chmod(dst, mode)

    def pack(self, out):
        # busybox cpio: newc, owned by root, as tests/kernel/run-qemu.sh packs.
        files = sh("find", ".", cwd=self.root)
        p = subprocess.run(["busybox", "cpio", "-o", "-H", "newc", "-R",
                            "0:0"], cwd=self.root, input=files.encode(),
                           capture_output=True, check=True)
        with gzip.open(out, "wb", compresslevel=1) as f:
            f.write(p.stdout)


GUEST_INIT = r"""#!/opt/busybox/busybox sh
# /init of the packaging.operators guest (generated by operators.py).
/opt/busybox/busybox --install -s /opt/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/opt/busybox
export HOME=/root LANG=C
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
echo 1 >/proc/sys/kernel/printk
echo "VIOREQ-GUEST-UP $(cut -d' ' -f1 /proc/uptime)"

# run NAME COMMAND...: framed output and exit status for the host.
run() {
	name="$1"
	shift
	echo "VIOREQ-BEGIN $name"
	"$@" </dev/null >/tmp/out 2>&1
	rc=$?
	cat /tmp/out
	echo "VIOREQ-END $name $rc"
}

# As a Debian boot does: udev (coldplug), then systemd-modules-load.
run boot.udevd /lib/systemd/systemd-udevd --daemon --resolve-names=early
run boot.coldplug sh -c 'udevadm trigger --type=subsystems --action=add &&
	udevadm trigger --type=devices --action=add && udevadm settle'
run boot.modules_load /lib/systemd/systemd-modules-load
cd /root
for block in /blocks/*.sh; do
	run "$(basename "$block" .sh)" bash -e "$block"
done
echo VIOREQ-GUEST-DONE
poweroff -f
"""

# Checks of the harness's own, run in the guest after the page's blocks.
GUEST_EXTRA = {
    # An account outside the group vioreq cannot open /dev/acrn_hsm.
    "zz-1-others_refused": """
modprobe vioreq backend=sim
udevadm settle
if setpriv --reuid=nobody --regid=nogroup --clear-groups \\
	vioreq-sim --backend kernel --requests 10 >/tmp/deny 2>&1; then
	echo "nobody could use the module"
	exit 1
fi
cat /tmp/deny
grep -q 'Permission denied' /tmp/deny
modprobe -r vioreq
""",
    # Nothing went wrong in the kernel; the module is gone.
    "zz-2-kernel_log_clean": """
if dmesg | grep -E 'WARNING:|BUG:|Oops|refcount_t:|list_(add|del) corruption|blocked for more than'; then
	exit 1
fi
! grep -q '^vioreq ' /proc/modules
""",
}


def find_program(sandbox, name):
    for d in SANDBOX_PATH.split(":"):
        if d.startswith("/usr/local"):
            continue  # the sandbox's uname wrapper stays out of the guest
        p = os.path.join(d, name)
        if os.path.exists(sandbox.path(p)):
            return p
    return None


def build_guest(sandbox, rel, guest_blocks, work):
    t0 = time.monotonic()
    udev = udev_tree()
    ird = Initramfs(os.path.join(work, "initramfs"), sandbox.root)
    busybox = shutil.which("busybox")
    shutil.copy2(busybox, os.path.join(ird.root, "opt/busybox/busybox"))
    for name in GUEST_PROGRAMS:
        p = find_program(sandbox, name)
        if not p:
            die(f"{name} not found in the sandbox (GUEST_PROGRAMS)")
        ird.add(sandbox.root, p)
    for p in GUEST_PATHS:
        ird.add(sandbox.root, p)
    ird.add(udev, "/bin/udevadm")
    ird.add(udev, "/lib/systemd/systemd-udevd")
    ird.add(udev, "/lib/udev/rules.d")
    ird.add(udev, "/etc/udev/udev.conf")
    ird.add(sandbox.root, "/lib/udev/rules.d")
    for p in ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow",
              "/etc/nsswitch.conf", "/etc/modprobe.d", "/etc/modules-load.d",
              "/lib/modprobe.d", "/usr/lib/modules-load.d"):
        if os.path.lexists(sandbox.path(p)):
            ird.add(sandbox.root, p)
    moddir = f"/lib/modules/{rel}"
    for name in sorted(os.listdir(sandbox.path(moddir))):
        if name not in ("build", "source"):
            ird.add(sandbox.root, f"{moddir}/{name}")
    ird.write("/init", GUEST_INIT, 0o755)
    for name, block in guest_blocks:
        ird.write(f"/blocks/{name}.sh", block["script"])
    for name, script in GUEST_EXTRA.items():
        ird.write(f"/blocks/{name}.sh", script)
    out = os.path.join(work, "initramfs.cpio.gz")
    ird.pack(out)
    say(f"guest initramfs {os.path.getsize(out) // 1024} KiB "
        f"({time.monotonic() - t0:.0f} s)")
    return out


def boot_guest(vmlinuz, initramfs, log, timeout):
    t0 = time.monotonic()
    cmd = ["qemu-system-x86_64", "-accel",
           os.environ.get("VIOREQ_QEMU_ACCEL", "tcg"), "-smp",
           os.environ.get("VIOREQ_QEMU_SMP", "2"), "-m", "512M",
           "-nographic", "-no-reboot", "-nic", "none", "-kernel", vmlinuz,
           "-initrd", initramfs, "-append", "console=ttyS0 panic=-1 quiet"]
    with open(log, "wb") as f:
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=f,
                               stderr=subprocess.STDOUT, timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = 124
    text = open(log, "rb").read().decode("utf-8", "replace").replace("\r", "")
    say(f"guest ran {time.monotonic() - t0:.0f} s (console log {log})")
    return rc, text


def guest_results(console):
    """{name: (exit status, output)} from the framed console output."""
    results = {}
    cur, buf = None, []
    for line in console.splitlines():
        m = re.match(r"^VIOREQ-BEGIN (\S+)$", line)
        if m:
            cur, buf = m.group(1), []
            continue
        m = re.match(r"^VIOREQ-END (\S+) (\d+)$", line)
        if m and cur == m.group(1):
            results[cur] = (int(m.group(2)), "\n".join(buf))
            cur = None
            continue
        if cur:
            buf.append(line)
    return results


# ------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work", nargs="?",
                    default=os.path.join(TOP, "build", "packaging"))
    ap.add_argument("--doc", default=os.path.join(TOP, "docs", "operators.md"))
    ap.add_argument("--timeout", type=int, default=150,
                    help="guest timeout in seconds")
    args = ap.parse_args()

    if os.environ.get("VIOREQ_SANDBOX_NS") != "1":
        if os.geteuid() != 0:
            skip("needs root (mounts, chroot)")
        if not shutil.which("unshare"):
            skip("unshare not found")
        os.environ["VIOREQ_SANDBOX_NS"] = "1"
        os.execvp("unshare", ["unshare", "--mount", "--propagation",
                              "private", sys.executable] + sys.argv)

    for tool in ("dpkg-buildpackage", "dpkg-parsechangelog", "dh", "dh_dkms",
                 "lintian", "dkms", "apt-get", "dpkg-deb", "chroot",
                 "qemu-system-x86_64", "busybox", "gzip"):
        if not shutil.which(tool):
            skip(f"{tool} not found (scripts/install-deps.sh installs it)")
    p = subprocess.run(["ldd", shutil.which("busybox")], text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=dict(os.environ, LC_ALL="C"))
    if "not a dynamic executable" not in p.stdout:
        skip("busybox is not static (install busybox-static)")

    t_start = time.monotonic()
    blocks, errors = parse_page(args.doc)
    for e in errors:
        R.bad(f"{SUITE}.page", e)
    order = "".join("H" if b["where"] == "host" else "G" for b in blocks)
    if not re.fullmatch(r"H+G+H*", order):
        R.bad(f"{SUITE}.page", "blocks must be host, then guest, then host "
              f"(found {order})")
    if R.failed:
        return R.finish()
    R.ok(f"{SUITE}.page")
    first_guest = order.index("G")
    last_guest = order.rindex("G")
    say(f"{len(blocks)} command blocks in {args.doc}: "
        f"{order.count('H')} host, {order.count('G')} guest")

    deb_version = sh("dpkg-parsechangelog", "-l",
                     os.path.join(TOP, "debian", "changelog"),
                     "-S", "Version").strip()
    debs = os.path.join(args.work, "debs")
    have = sorted(f for f in os.listdir(debs) if f.endswith(".deb")) \
        if os.path.isdir(debs) else []
    if not any(f.startswith("vioreq-dkms_") for f in have):
        die(f"no packages in {debs}: packaging.build did not run or failed")
    rel, kver = headers_release()
    if not os.path.isfile(f"/lib/modules/{rel}/build/Makefile"):
        die(f"/lib/modules/{rel}/build has no Makefile")

    work = os.path.join(args.work, "operators")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    sb = Sandbox(os.path.join(work, "sandbox"), rel)
    os.makedirs(sb.path(DEB_DIR), mode=0o755)
    # The operator answers apt's "Do you want to continue?" with yes.
    with open(sb.path("/etc/apt/apt.conf.d/99vioreq-test-yes"), "w") as f:
        f.write('APT::Get::Assume-Yes "true";\n')
    for f in have:
        shutil.copy(os.path.join(debs, f), sb.path(DEB_DIR))
    say(f"sandbox at {sb.root}, uname -r {rel}, packages {deb_version}")

    def run_host(i):
        b = blocks[i]
        t0 = time.monotonic()
        rc, out = sb.run(b["script"])
        with open(os.path.join(work, f"host-L{b['line']}.log"), "w") as f:
            f.write(out)
        judge(b, block_name(b), rc, out)
        say(f"  ({time.monotonic() - t0:.0f} s)")
        return sb.group_line("vioreq")

    # --------------------------------------------- host: install, configure
    group_seen = None
    for i in range(first_guest):
        line = run_host(i)
        if line and group_seen is None:
            group_seen = line
    R.check(f"{SUITE}.group_created_empty",
            group_seen is not None and group_seen.endswith(":"),
            f"group vioreq after install: {group_seen}")
    R.check(f"{SUITE}.udev_rule_installed",
            os.path.isfile(sb.path("/lib/udev/rules.d/60-vioreq.rules")),
            "no /lib/udev/rules.d/60-vioreq.rules in the sandbox")
    module = sb.path(f"/lib/modules/{rel}/updates/dkms/vioreq.ko")
    if not R.check(f"{SUITE}.module_installed", os.path.isfile(module),
                   f"no {module}: the install did not build the module"):
        return R.finish()

    # -------------------------------------------------- guest: the module
    vmlinuz = kernel_image(rel, kver)
    guest_blocks = []
    for i in range(first_guest, last_guest + 1):
        guest_blocks.append((f"doc-{i:02d}", blocks[i]))
    initramfs = build_guest(sb, rel, guest_blocks, work)
    qrc, console = boot_guest(vmlinuz, initramfs,
                              os.path.join(work, "console.log"), args.timeout)
    results = guest_results(console)
    R.check(f"{SUITE}.guest.finished", "VIOREQ-GUEST-DONE" in console,
            f"qemu exit {qrc}; console: {console.strip()[-600:]}")
    R.check(f"{SUITE}.guest.console_clean",
            not re.search(r"Kernel panic|Oops|BUG:|cut here", console),
            "a kernel error reached the console")
    for step in ("boot.udevd", "boot.coldplug"):
        rc, out = results.get(step, (None, "did not run"))
        R.check(f"{SUITE}.guest.{step}", rc == 0, f"exit {rc}: {out}")
    # With the page's backend=acrn on a kernel without CONFIG_ACRN_GUEST,
    # the boot's load fails, as the page says the later modprobe does.
    rc, out = results.get("boot.modules_load", (None, "did not run"))
    R.check(f"{SUITE}.guest.boot.modules_load_ran", rc is not None, out)
    say(f"  systemd-modules-load exit {rc}: {' '.join(out.split())[:200]}")
    for name, b in guest_blocks:
        if name not in results:
            R.bad(block_name(b), "did not run in the guest")
            continue
        rc, out = results[name]
        judge(b, block_name(b), rc, out)
    for name in GUEST_EXTRA:
        rc, out = results.get(name, (None, "did not run"))
        R.check(f"{SUITE}.guest.{name[5:]}", rc == 0, f"exit {rc}: {out}")

    # ------------------------------------------------- host: uninstall
    for i in range(last_guest + 1, len(blocks)):
        run_host(i)
    leftovers = [p for p in (
        f"/lib/modules/{rel}/updates/dkms/vioreq.ko",
        "/var/lib/dkms/vioreq",
        f"/usr/src/vioreq-{deb_version.rsplit('-', 1)[0]}",
        "/lib/udev/rules.d/60-vioreq.rules",
        "/etc/modprobe.d/vioreq.conf") if os.path.lexists(sb.path(p))]
    R.check(f"{SUITE}.purged_clean", not leftovers, f"left: {leftovers}")
    say(f"took {time.monotonic() - t_start:.0f} s")
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
