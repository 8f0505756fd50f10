#!/usr/bin/env bash
# The kernel test stage: boot Debian's own 6.1 kernel under QEMU (TCG, no
# KVM needed) with a busybox initramfs, load vioreq.ko built against the
# installed linux-headers-amd64, run the static test programs against
# /dev/acrn_hsm and /dev/vioreq_sim, scan the kernel log, unload the module
# and check that nothing leaked.
#
#   tests/kernel/run-qemu.sh [--work DIR] [--cache DIR] [--timeout SECONDS]
#
# Prints one line per case, `PASS name` or `FAIL name: reason`, then
# `kernel: N passed, M failed`; exits 0 only if every case passed.
# ctest runs it as kernel.qemu (tests/kernel/CMakeLists.txt).
#
# Nothing is installed on the host: the kernel image .deb is fetched with
# `apt-get download` into the cache (default ~/.cache/vioreq/kernel) and
# only its /boot is unpacked. The packages it needs (qemu-system-x86,
# busybox-static, linux-headers-amd64) are in scripts/install-deps.sh.
#
# Environment: VIOREQ_QEMU_ACCEL (default tcg; e.g. kvm), VIOREQ_QEMU_SMP
# (default 2), VIOREQ_KERNEL_CACHE (the cache), VIOREQ_KERNEL_KEEP_LOG=1
# (print the end of the guest console log even on success).
set -euo pipefail

here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
top="$(readlink -f "$here/../..")"

work="$top/build/kernel-qemu"
cache="${VIOREQ_KERNEL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/vioreq/kernel}"
guest_timeout=170
while (($#)); do
	case "$1" in
	--work) work="$2"; shift 2 ;;
	--cache) cache="$2"; shift 2 ;;
	--timeout) guest_timeout="$2"; shift 2 ;;
	-h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-qemu: unknown argument $1" >&2; exit 2 ;;
	esac
done

accel="${VIOREQ_QEMU_ACCEL:-tcg}"
smp="${VIOREQ_QEMU_SMP:-2}"

t_start=$SECONDS
t_last=$SECONDS
say() { printf 'run-qemu: %s\n' "$*"; }
# lap WHAT: how long the step that just ended took.
lap() {
	say "$1 took $((SECONDS - t_last)) s"
	t_last=$SECONDS
}
# A harness failure is reported like a failed case so that the summary
# line is always printed.
die() {
	echo "FAIL kernel.harness: $*"
	echo "kernel: 0 passed, 1 failed"
	exit 1
}

for tool in qemu-system-x86_64 busybox dpkg-deb apt-get gcc make timeout gzip; do
	command -v "$tool" >/dev/null ||
		die "$tool not found (run scripts/install-deps.sh)"
done
busybox_bin="$(command -v busybox)"
# The guest has no libc: busybox must be busybox-static's.
[[ "$(LC_ALL=C ldd "$busybox_bin" 2>&1 || true)" == *"not a dynamic executable"* ]] ||
	die "$busybox_bin is not static (install busybox-static)"

mkdir -p "$work" "$cache"

# ------------------------------------------------- kernel matching headers
# linux-headers-amd64 depends on linux-headers-RELEASE; the image of the
# same release and version is the kernel the module is built for.
headers_dep="$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null)" ||
	die "linux-headers-amd64 is not installed (run scripts/install-deps.sh)"
headers_pkg="$(grep -Eo 'linux-headers-[0-9][^ ,]*-amd64' <<<"$headers_dep" | head -n 1)"
[[ -n "$headers_pkg" ]] || die "cannot read the release from linux-headers-amd64 ($headers_dep)"
krel="${headers_pkg#linux-headers-}"
kver="$(dpkg-query -W -f='${Version}' "$headers_pkg" 2>/dev/null)" ||
	die "$headers_pkg is not installed"
kdir="/usr/src/$headers_pkg"
[[ -f "$kdir/Makefile" ]] || die "$kdir has no Makefile"
say "kernel $krel ($kver), headers $kdir, accel $accel, smp $smp"

image_pkg="linux-image-$krel"
vmlinuz="$cache/$krel-$kver/vmlinuz"
if [[ ! -s "$vmlinuz" ]]; then
	# Fetch the .deb under a temporary name so that an interrupted
	# download is never taken for a good one.
	dl="$cache/download.$$"
	rm -rf "$dl"
	mkdir -p "$dl"
	(cd "$dl" && apt-get -q -o APT::Sandbox::User=root download "$image_pkg=$kver") \
		>"$work/apt-download.log" 2>&1 || {
		cat "$work/apt-download.log" >&2
		rm -rf "$dl"
		die "apt-get download $image_pkg=$kver failed: run apt-get update, and upgrade linux-headers-amd64 if that version is gone from the archive"
	}
	debs=("$dl/$image_pkg"_*.deb)
	deb="${debs[0]}"
	[[ -f "$deb" ]] || die "apt-get download left no $image_pkg .deb"
	# Only /boot is needed: -kernel boots the bzImage and everything the
	# guest uses (8250 console, devtmpfs, initramfs) is built in.
	mkdir -p "$dl/x"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dl/x" ./boot ||
		die "cannot unpack $deb"
	mkdir -p "$(dirname "$vmlinuz")"
	cp "$dl/x/boot/vmlinuz-$krel" "$vmlinuz.tmp"
	cp "$dl/x/boot/config-$krel" "$(dirname "$vmlinuz")/config"
	mv "$vmlinuz.tmp" "$vmlinuz"
	rm -rf "$dl"
	lap "download and unpack of $image_pkg"
else
	say "kernel image cached: $vmlinuz"
fi

# --------------------------------------------------------------- modules
# kmod/ is built from a copy under $work (its core/ symlinked beside it, as
# kmod/Kbuild expects ../core), so the test neither writes into the source
# tree nor races a `make -C kmod` run by hand. cp -p keeps the timestamps,
# so the build there is incremental.
[[ -f "$top/kmod/Makefile" ]] || die "kmod/Makefile does not exist"
src="$work/src"
mkdir -p "$src/kmod"
ln -sfn "$top/core" "$src/core"
(cd "$top/kmod" && find . -path ./core -prune -o -type f \
	\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
	! -name '*.mod.c' -print0 | xargs -0 cp -p --parents -t "$src/kmod")
say "building kmod/ against $kdir"
# Serial: a parallel Kbuild run of kmod/ once compiled one object twice at
# the same time (objtool then failed on the half-written file).
make -C "$src/kmod" KDIR="$kdir" >"$work/kmod-build.log" 2>&1 || {
	tail -n 40 "$work/kmod-build.log" >&2
	die "make -C kmod failed (log: $work/kmod-build.log)"
}
module="$src/kmod/vioreq.ko"
[[ -f "$module" ]] || die "make -C kmod built no vioreq.ko"
lap "module build"

# ---------------------------------------------------- guest test programs
# vioreq_sim.h is the simulator's uapi, uapi_gen.h has the hypercall ids.
cflags=(-static -O2 -g -pthread -std=gnu11 -Wall -Wextra -Werror
	-I"$here" -I"$top/kmod/include/uapi" -I"$top/core/include")
# The stage's own programs, then kmod/tests/ (checks written with the
# module, on the same ktest.h and hsm_util.h); the guest runs them in name
# order.
progs=()
for prog_src in "$here"/*.c "$top"/kmod/tests/*.c; do
	[[ -e "$prog_src" ]] || continue
	name="$(basename "$prog_src" .c)"
	for prog in "${progs[@]}"; do
		[[ "$(basename "$prog")" != "$name" ]] ||
			die "two test programs named $name (tests/kernel/, kmod/tests/)"
	done
	gcc "${cflags[@]}" -o "$work/$name" "$prog_src" 2>"$work/$name.build.log" || {
		cat "$work/$name.build.log" >&2
		die "gcc failed on ${prog_src#"$top"/}"
	}
	progs+=("$work/$name")
done
lap "test programs build"

# Every verdict the guest must print: the cases of each program (its
# --list, run here on the host; the programs are static), and the checks
# guest-init.sh makes itself. A name that gets no PASS or FAIL line fails
# the stage, so a case cannot drop out of the run unnoticed.
expected=(kernel.slub_debug_on kernel.insmod.vioreq sim.kernel_end_to_end
	sim.kernel_churn kernel.rmmod_busy kernel.idle.refcnt
	kernel.idle.live_vms kernel.idle.live_clients kernel.idle.pinned_pages
	kernel.idle.live_eventfds kernel.idle.stranded_vms
	kernel.rmmod.vioreq kernel.unloaded
	kernel.reload kernel.auto_refuses kernel.bad_backend
	kernel.no_pinned_pages kernel.dmesg_clean)
for prog in "${progs[@]}"; do
	list="$("$prog" --list)" || die "$(basename "$prog") --list failed"
	mapfile -t cases <<<"$list"
	[[ -n "$list" ]] || die "$(basename "$prog") --list printed no case"
	expected+=("${cases[@]}")
done

# vioreq-sim for the guest, from the sources CMake builds it from (the core,
# the hosted page hooks, libvioreq with its kernel backend, the simulator),
# static. The guest runs it with --backend kernel: libvioreq on
# /dev/acrn_hsm, the vCPUs trapping through /dev/vioreq_sim. Not in tests/:
# guest-init.sh runs it itself, as named cases.
sim_sources=("$top"/core/src/*.c "$top/userspace/page_access_hosted.c"
	"$top"/userspace/runtime/*.c "$top"/userspace/sim/*.c)
gcc -static -O2 -g -pthread -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-I"$top/core/include" -I"$top/userspace/include" \
	-I"$top/userspace/sim" -I"$top/kmod/include/uapi" \
	-o "$work/vioreq-sim" "${sim_sources[@]}" -lm \
	2>"$work/vioreq-sim.build.log" || {
	cat "$work/vioreq-sim.build.log" >&2
	die "gcc failed on vioreq-sim (static, for the guest)"
}
lap "vioreq-sim build"

# ------------------------------------------------------------- initramfs
root="$work/initramfs"
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules,tests,opt}
cp "$busybox_bin" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$here/guest-init.sh" "$root/init"
cp "$module" "$root/modules/"
for prog in "${progs[@]}"; do cp "$prog" "$root/tests/"; done
cp "$work/vioreq-sim" "$root/opt/"
(cd "$root" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null) |
	gzip -1 >"$work/initramfs.cpio.gz" || die "cannot build the initramfs"
lap "initramfs"

# ------------------------------------------------------------------ boot
log="$work/console.log"
# Debian's kernel has no KASAN, KFENCE, kmemleak or lockdep; what it has
# is switched on from the command line: SLUB red zones, poisoning and
# consistency checks on every slab cache (a write past a kmalloc'ed object
# or after its kfree is reported when the object is next checked), and
# poisoning of freed pages (checked when they are handed out again).
debug_args="slub_debug=FZPU page_poison=1"
say "booting (timeout ${guest_timeout} s, console log $log)"
set +e
timeout --kill-after=5 "$guest_timeout" qemu-system-x86_64 \
	-accel "$accel" -smp "$smp" -m 512M \
	-nographic -no-reboot -nic none \
	-kernel "$vmlinuz" -initrd "$work/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 quiet $debug_args" \
	</dev/null >"$log" 2>&1
qemu_rc=$?
set -e
# The serial console ends lines with CR LF.
sed -i 's/\r$//' "$log"
lap "boot and guest tests"

# ----------------------------------------------------------------- verdict
passed=0
failed=0
while IFS= read -r line; do
	case "$line" in
	PASS\ *) echo "$line"; passed=$((passed + 1)) ;;
	FAIL\ *) echo "$line"; failed=$((failed + 1)) ;;
	esac
done <"$log"

verdict_line="$(grep -E '^VIOREQ-GUEST-DONE' "$log" | tail -n 1 || true)"
if ((qemu_rc == 124 || qemu_rc == 137)); then
	echo "FAIL kernel.guest: timed out after ${guest_timeout} s (guest hung)"
	failed=$((failed + 1))
elif [[ -z "$verdict_line" ]]; then
	echo "FAIL kernel.guest: the guest stopped before finishing (qemu exit $qemu_rc; panic?)"
	failed=$((failed + 1))
elif ((qemu_rc != 0)); then
	echo "FAIL kernel.guest: qemu exited with $qemu_rc"
	failed=$((failed + 1))
fi
# A panic or oops on the console fails the stage even if the guest's own
# dmesg scan could not run.
if grep -Eq 'Kernel panic|Oops|BUG:|cut here' "$log"; then
	echo "FAIL kernel.console: a kernel error reached the console"
	failed=$((failed + 1))
fi
missing=0
for name in "${expected[@]}"; do
	grep -Eq "^(PASS|FAIL) ${name//./\\.}(:|\$)" "$log" && continue
	echo "FAIL $name: no verdict (the case did not run)"
	missing=$((missing + 1))
done
failed=$((failed + missing))
say "${#expected[@]} verdicts expected, $missing missing"

if ((failed != 0)) || [[ "${VIOREQ_KERNEL_KEEP_LOG:-0}" == 1 ]]; then
	echo "----- guest console ($log), last 80 lines -----"
	tail -n 80 "$log"
	echo "-----"
fi
say "stage took $((SECONDS - t_start)) s"
echo "kernel: $passed passed, $failed failed"
((failed == 0))
