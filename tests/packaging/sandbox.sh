# SPDX-License-Identifier: MIT
# A throw-away copy of this machine for the packaging tests (sourced).
#
# The tests install packages, run dkms and add users as root; none of it
# may touch the machine. So they run in a private mount namespace
# (sandbox_private_ns re-executes the script under `unshare --mount`)
# where sandbox_setup mounts an overlay whose lower layer is / (read-only
# in effect) and whose upper layer is a tmpfs: the sandbox root. Everything
# the commands change lands in the tmpfs and is gone when the test's
# processes exit. /proc, /sys and /dev are the machine's; /run and /tmp
# are fresh.
#
# The sandbox also stands in for a machine running the kernel the
# installed headers are for (the one the QEMU guests boot): `uname -r`
# answers that release (a wrapper in /usr/local/bin), as dkms and the
# docs' commands ask it. Services are not started (policy-rc.d).

# sandbox_private_ns "$0" "$@": first thing in a script.
sandbox_private_ns() {
	if [[ "${VIOREQ_SANDBOX_NS:-}" != 1 ]]; then
		[[ "$(id -u)" -eq 0 ]] || {
			echo "$(basename "$1"): needs root (mounts, chroot): skipped"
			exit 77
		}
		command -v unshare >/dev/null || {
			echo "$(basename "$1"): unshare not found: skipped"
			exit 77
		}
		VIOREQ_SANDBOX_NS=1 exec unshare --mount --propagation private "$@"
	fi
}

# sandbox_setup DIR RELEASE: the sandbox root is DIR/root afterwards.
sandbox_setup() {
	local dir="$1" release="$2" d
	sandbox_root="$dir/root"
	mkdir -p "$dir"
	mount -t tmpfs -o size=4g,mode=0755 vioreq-sandbox "$dir"
	mkdir -p "$dir/upper" "$dir/work" "$sandbox_root"
	# Where / cannot be the lower layer of an overlay (some container
	# file systems), there is no sandbox: skipped, not failed.
	if ! mount -t overlay vioreq-sandbox \
		-o "lowerdir=/,upperdir=$dir/upper,workdir=$dir/work" "$sandbox_root"; then
		echo "sandbox: cannot mount an overlay of / here: skipped"
		exit 77
	fi
	for d in proc sys dev; do
		mount --rbind "/$d" "$sandbox_root/$d"
	done
	mount -t tmpfs -o mode=0755 tmpfs "$sandbox_root/run"
	mount -t tmpfs -o mode=1777 tmpfs "$sandbox_root/tmp"
	mkdir -p "$sandbox_root/usr/local/bin"
	cat >"$sandbox_root/usr/local/bin/uname" <<EOS
#!/bin/sh
# vioreq packaging sandbox: the running kernel is the one with headers.
[ "\$*" = -r ] && exec echo "$release"
exec /usr/bin/uname "\$@"
EOS
	printf '#!/bin/sh\nexit 101\n' >"$sandbox_root/usr/sbin/policy-rc.d"
	chmod 0755 "$sandbox_root/usr/local/bin/uname" "$sandbox_root/usr/sbin/policy-rc.d"
}

# sandbox_run COMMAND...: in the sandbox, as root, with a clean environment.
sandbox_run() {
	chroot "$sandbox_root" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		"$@"
}
