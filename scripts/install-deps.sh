#!/usr/bin/env bash
# Install what vioreq needs to build, test and prove on Debian 12.
#
# Idempotent: installs only the packages that are missing (apt-get update
# only then), and runs `why3 config detect` only when the Why3
# configuration does not know both provers yet. Runs as root, or through
# sudo otherwise. Prints one line per step; the full output goes to $LOG,
# whose tail is printed when a step fails.
#
# VIOREQ_SKIP_DEPS=1 skips everything (for machines set up another way).
set -euo pipefail

# The Debian packages vioreq needs; add new ones here.
PACKAGES=(
	build-essential   # gcc, make, libc headers
	cmake             # the build (CMakeLists.txt needs 3.25)
	clang             # second compiler for the core's -Werror build
	libclang-rt-14-dev # clang's libFuzzer and sanitizer runtimes: tests/fuzz/
	python3           # spec/generate.py, proofs/run_wp.py (3.11: tomllib)
	pkg-config        # finds cmocka
	libcmocka-dev     # unit tests
	frama-c-base      # Frama-C WP
	why3              # WP's prover back end
	z3                # prover
	cvc4              # prover
	graphviz          # dot: docs/state-machine.svg
	linux-libc-dev    # <linux/acrn.h> for the ABI test
	linux-headers-amd64 # kmod/ builds against it; kernel.qemu boots its kernel
	qemu-system-x86   # kernel.qemu: boots the kernel under TCG
	busybox-static    # kernel.qemu: the guest's shell, tools and cpio
	sparse            # make -C kmod C=1: the module's sparse check
	spin              # tests/model: the Spin model checker (spec/model/)
	debhelper         # tests/packaging: dpkg-buildpackage of debian/
	dh-dkms           # tests/packaging: dh_dkms for vioreq-dkms
	dkms              # tests/packaging: dkms build of the packaged module
	lintian           # tests/packaging: lintian on the built packages
)

LOG="${TMPDIR:-/tmp}/vioreq-install-deps.$(id -u).log"

say() { printf 'install-deps: %s\n' "$*"; }

fail() {
	say "FAILED: $1 (log: $LOG)" >&2
	if [[ -s "$LOG" ]]; then
		echo "----- last 40 lines of $LOG -----" >&2
		tail -n 40 "$LOG" >&2
		echo "-----" >&2
	fi
	exit 1
}

# step DESCRIPTION COMMAND...: one line out, the command's output to $LOG.
step() {
	local what="$1"
	shift
	say "$what"
	{ echo "=== $what: $*"; } >>"$LOG"
	"$@" >>"$LOG" 2>&1 || fail "$what"
}

if [[ "${VIOREQ_SKIP_DEPS:-0}" == 1 ]]; then
	say "VIOREQ_SKIP_DEPS=1: skipped"
	exit 0
fi

: 2>/dev/null >"$LOG" || { LOG="$(mktemp /tmp/vioreq-install-deps.XXXXXX.log)"; }

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	fail "dpkg/apt-get not found: this script supports Debian 12 only (set VIOREQ_SKIP_DEPS=1 to skip it)"
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
	command -v sudo >/dev/null || fail "not root and sudo is not installed"
	SUDO=(sudo)
fi

is_installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
	is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	say "all ${#PACKAGES[@]} packages present"
else
	export DEBIAN_FRONTEND=noninteractive
	apt=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get
		-o DPkg::Lock::Timeout=300 -y -q)
	step "apt-get update" "${apt[@]}" update
	step "installing ${missing[*]}" "${apt[@]}" install --no-install-recommends "${missing[@]}"
	for pkg in "${missing[@]}"; do
		is_installed "$pkg" || fail "$pkg is still not installed after apt-get install"
	done
fi

# Why3 keeps the detected provers in the calling user's configuration;
# Frama-C WP reads it to find z3 and cvc4.
home="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
why3_conf="${WHY3CONFIG:-$home/.why3.conf}"
if [[ -f "$why3_conf" ]] &&
	grep -q '^name = "CVC4"' "$why3_conf" &&
	grep -q '^name = "Z3"' "$why3_conf"; then
	say "why3 knows CVC4 and Z3 ($why3_conf)"
else
	step "why3 config detect" why3 config detect
	grep -q '^name = "CVC4"' "$why3_conf" && grep -q '^name = "Z3"' "$why3_conf" ||
		fail "why3 config detect did not find CVC4 and Z3 (see $why3_conf)"
fi
