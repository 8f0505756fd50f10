#!/bin/sh
# /init of the test guest (busybox sh), put there by run-qemu.sh: load the
# modules in /modules, run the programs in /tests, unload, check for leaks
# and kernel errors, print `PASS name` / `FAIL name: reason` lines and
# VIOREQ-GUEST-DONE, then power off. The host counts the lines.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
# Kernel messages go to dmesg, which is scanned below, not to the console
# in the middle of the test output.
echo 1 >/proc/sys/kernel/printk

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# vmstat counts every pin_user_pages() and unpin: equal after the test
# processes have gone means no page is left pinned (the module pins the
# ioreq page the way the ACRN HSM does).
pins() {
	# stat_refresh folds the per-CPU deltas in; without it they lag.
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk '/^nr_foll_pin_acquired /{a=$2} /^nr_foll_pin_released /{r=$2}
		END {if (a == "" || r == "") print "unreadable"; else print a - r}' \
		/proc/vmstat
}

echo "guest: up after $(cut -d' ' -f1 /proc/uptime) s, $(nproc) CPUs"

# run-qemu.sh boots with slub_debug=FZPU: every slab cache has red zones
# and poisoning, so that the log scan at the end sees corruption.
if [ "$(cat /sys/kernel/slab/kmalloc-64/red_zone 2>/dev/null)" = 1 ] &&
	[ "$(cat /sys/kernel/slab/kmalloc-64/poison 2>/dev/null)" = 1 ]; then
	pass kernel.slub_debug_on
else
	fail kernel.slub_debug_on "kmalloc-64 has no red zone or poisoning"
fi
pins_before="$(pins)"

# vioreq first: any other module (the in-kernel test client) uses it.
loaded=""
for ko in /modules/vioreq.ko /modules/*.ko; do
	[ -f "$ko" ] || continue
	name="$(basename "$ko" .ko)"
	case " $loaded " in *" $name "*) continue ;; esac
	args=""
	[ "$name" = vioreq ] && args="backend=sim"
	# shellcheck disable=SC2086 # args is one word or none
	if out="$(insmod "$ko" $args 2>&1)"; then
		pass "kernel.insmod.$name"
		loaded="$loaded $name"
	else
		fail "kernel.insmod.$name" "$out"
	fi
done

uptime_ms() {
	awk '{printf "%d\n", $1 * 1000}' /proc/uptime
}

# run_sim NAME ARGS...: vioreq-sim end to end through the module: libvioreq's
# kernel backend on /dev/acrn_hsm serves the UART, PCI and default clients,
# the vCPU threads inject and wait through /dev/vioreq_sim, every read is
# checked. Its report goes to the log (indented: no line of it is a
# verdict); the case passes when it exits 0 (nothing lost, duplicated or
# wrong).
run_sim() {
	name="$1"
	shift
	t0="$(uptime_ms)"
	timeout -s KILL 60 /opt/vioreq-sim --backend kernel "$@" \
		>/tmp/sim.out 2>&1
	rc=$?
	t1="$(uptime_ms)"
	echo "# $name: vioreq-sim --backend kernel $*"
	sed 's/^/    /' /tmp/sim.out
	echo "# $name took $((t1 - t0)) ms"
	if [ "$rc" -eq 0 ]; then
		pass "$name"
	elif [ "$rc" -ge 128 ]; then
		fail "$name" "killed by signal $((rc - 128)) (137: timeout)"
	else
		fail "$name" "exit status $rc: $(grep -E 'lost|vioreq-sim:' /tmp/sim.out | tail -n 3 | tr '\n' ' ')"
	fi
}

# run_prog PROGRAM ARGS...: the program prints its own PASS/FAIL lines; a
# program that dies or hangs is one more failure.
run_prog() {
	prog="$1"
	shift
	timeout -s KILL 120 "/tests/$prog" "$@"
	rc=$?
	if [ "$rc" -ge 128 ]; then
		fail "kernel.prog.$prog" "killed by signal $((rc - 128)) (137: timeout)"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		fail "kernel.prog.$prog" "exit status $rc"
	fi
}

if [ -c /dev/acrn_hsm ]; then
	for prog in /tests/*; do
		[ -x "$prog" ] || continue
		run_prog "$(basename "$prog")"
	done

	if [ -x /opt/vioreq-sim ]; then
		run_sim sim.kernel_end_to_end --vcpus 4 --requests 15000
		# Polling and notified vCPUs, range clients beyond the UART
		# and PCI devices, and every client restarted and the VM
		# cleared while traffic runs.
		run_sim sim.kernel_churn --vcpus 4 --clients 3 --ranges 16 \
			--mode mixed --requests 2000 --churn --json
	fi

	# rmmod while a process holds /dev/acrn_hsm with an attached client:
	# refused (EBUSY), and the module keeps working.
	if [ -x /tests/hsm_flow ]; then
		/tests/hsm_flow --hold >/tmp/hold.out 2>&1 &
		holder=$!
		i=0
		while ! grep -q HOLDING /tmp/hold.out && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if ! grep -q HOLDING /tmp/hold.out; then
			fail kernel.rmmod_busy "holder did not start: $(cat /tmp/hold.out)"
		elif out="$(rmmod vioreq 2>&1)"; then
			fail kernel.rmmod_busy "rmmod succeeded with a client attached"
			still=""
			for name in $loaded; do
				[ "$name" = vioreq ] || still="$still $name"
			done
			loaded="$still"
		elif [ ! -c /dev/acrn_hsm ]; then
			fail kernel.rmmod_busy "rmmod failed but /dev/acrn_hsm is gone"
		else
			pass kernel.rmmod_busy
		fi
		kill -KILL "$holder" 2>/dev/null
		wait "$holder" 2>/dev/null
	fi
else
	fail kernel.dev_acrn_hsm "/dev/acrn_hsm missing after insmod vioreq"
fi

# The module's own counters, once every test process has gone. A file
# whose last user was just killed is released on the way out; allow up to
# 10 s on a loaded machine for the counters to reach 0.
params=/sys/module/vioreq/parameters
i=0
while [ $i -lt 100 ]; do
	busy=""
	for counter in refcnt parameters/live_vms parameters/live_clients \
		parameters/pinned_pages parameters/live_eventfds \
		parameters/stranded_vms; do
		f=/sys/module/vioreq/$counter
		[ -r "$f" ] && [ "$(cat "$f")" != 0 ] && busy=1
	done
	[ -z "$busy" ] && break
	sleep 0.1
	i=$((i + 1))
done
# vioreq is loaded here unless its insmod failed (already a failure), so
# a counter that cannot be read fails: it would otherwise hide a leak.
if [ ! -r /sys/module/vioreq/refcnt ]; then
	fail kernel.idle.refcnt "/sys/module/vioreq/refcnt unreadable"
elif refcnt="$(cat /sys/module/vioreq/refcnt)" && [ "$refcnt" = 0 ]; then
	pass kernel.idle.refcnt
else
	fail kernel.idle.refcnt "module reference count $refcnt"
fi
for counter in live_vms live_clients pinned_pages live_eventfds stranded_vms; do
	if [ ! -r "$params/$counter" ]; then
		fail "kernel.idle.$counter" "$params/$counter unreadable"
		continue
	fi
	value="$(cat "$params/$counter")"
	if [ "$value" = 0 ]; then
		pass "kernel.idle.$counter"
	else
		fail "kernel.idle.$counter" "$value left after all processes exited"
	fi
done

# Unload in reverse order of loading.
unload=""
for name in $loaded; do unload="$name $unload"; done
for name in $unload; do
	if out="$(rmmod "$name" 2>&1)"; then
		pass "kernel.rmmod.$name"
	else
		fail "kernel.rmmod.$name" "$out"
	fi
done
left="$(grep -E '^vioreq' /proc/modules | cut -d' ' -f1 | tr '\n' ' ')"
if [ -n "$left" ]; then
	fail kernel.unloaded "still loaded: $left"
else
	pass kernel.unloaded
fi

# Load again: the device comes back and works, then unloads cleanly.
if [ -f /modules/vioreq.ko ] && [ -z "$left" ]; then
	if ! out="$(insmod /modules/vioreq.ko backend=sim 2>&1)"; then
		fail kernel.reload "insmod: $out"
	elif ! out="$(/tests/hsm_flow flow.pio_roundtrip 2>&1)"; then
		fail kernel.reload "$(echo "$out" | tr '\n' ' ')"
		rmmod vioreq 2>/dev/null
	elif ! out="$(rmmod vioreq 2>&1)"; then
		fail kernel.reload "rmmod: $out"
	else
		pass kernel.reload
	fi
fi

# The default backend (auto) on a machine without ACRN, and an unknown
# backend: both refused, and no simulator device appears.
if [ -f /modules/vioreq.ko ] && [ -z "$left" ]; then
	if out="$(insmod /modules/vioreq.ko 2>&1)"; then
		rmmod vioreq 2>/dev/null
		fail kernel.auto_refuses "insmod without backend= loaded"
	elif ! echo "$out" | grep -q 'No such device'; then
		fail kernel.auto_refuses "want ENODEV, got: $out"
	elif [ -e /dev/vioreq_sim ] || [ -e /dev/acrn_hsm ]; then
		fail kernel.auto_refuses "a device node is left behind"
	else
		pass kernel.auto_refuses
	fi
	if out="$(insmod /modules/vioreq.ko backend=xen 2>&1)"; then
		rmmod vioreq 2>/dev/null
		fail kernel.bad_backend "backend=xen loaded"
	elif ! echo "$out" | grep -q 'Invalid argument'; then
		fail kernel.bad_backend "want EINVAL, got: $out"
	else
		pass kernel.bad_backend
	fi
fi

pins_after="$(pins)"
if [ "$pins_before" = unreadable ] || [ "$pins_after" = unreadable ]; then
	fail kernel.no_pinned_pages "/proc/vmstat has no nr_foll_pin_acquired/released"
elif [ "$pins_after" = "$pins_before" ]; then
	pass kernel.no_pinned_pages
else
	fail kernel.no_pinned_pages "pinned pages $pins_before before, $pins_after after rmmod"
fi

# Any of these in the kernel log fails the run, even if every case passed.
pattern='WARNING:|BUG:|Oops|general protection|Call Trace|lockdep|possible circular locking|KASAN|UBSAN|refcount_t|unreferenced object|kernel BUG|blocked for more than|list_add corruption|list_del corruption|double free|use-after-free|stack-protector|Kernel panic|Poison overwritten|Redzone overwritten|padding overwritten|Freepointer corrupt|Object already free|memory corruption'
dmesg >/tmp/dmesg.txt
bad="$(grep -E "$pattern" /tmp/dmesg.txt | head -n 3 | tr '\n' '|')"
if [ -n "$bad" ]; then
	fail kernel.dmesg_clean "$bad"
else
	pass kernel.dmesg_clean
fi
echo "----- guest dmesg (module lines and errors) -----"
grep -E "vioreq|acrn|$pattern" /tmp/dmesg.txt | tail -n 60
echo "-----"

echo "VIOREQ-GUEST-DONE uptime $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
