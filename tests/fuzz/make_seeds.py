#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the committed seed corpus of the fuzz harnesses.

    python3 tests/fuzz/make_seeds.py            # rewrite tests/fuzz/corpus/
    python3 tests/fuzz/make_seeds.py --check    # fail if it is not current

Each seed is a small, meaningful scenario in the byte format the harness
decodes (see the README and the harness sources: the opcode numbers and
argument encodings below mirror them). libFuzzer mutates from these, so
they should reach the interesting paths quickly: routing, CF8/CFC, clear,
destroy with held slots, hostile writes during a call, malformed
requests, bad state values, full range tables.

To add a seed: write a function returning the bytes, add it to SEEDS;
run this script and commit the files. Stdlib only.
"""
import hashlib
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# ------------------------------------------------------------ encoders


def u8(x):
    return bytes([x & 0xFF])


def u16(x):
    return struct.pack("<H", x & 0xFFFF)


def u32(x):
    return struct.pack("<I", x & 0xFFFFFFFF)


def u64(x):
    return struct.pack("<Q", x & 0xFFFFFFFFFFFFFFFF)


# --------------------------------------------------- fuzz_core_page.c

# enum op, in order
(HV_POST, HV_REAP, SCRIBBLE, SCRIBBLE_STATE, HOSTILE, DISPATCH,
 DISPATCH_SLOT, COMPLETE, COMPLETE_HOLDER, CLEAR_BEGIN, CLEAR_END, CREATE,
 DESTROY, RELEASE, ADD_RANGE, REMOVE_RANGE, REMOVE_EXISTING, LOOKUP,
 RELEASE_HELD, FILL) = range(20)

PORTIO, MMIO, PCICFG = 0, 1, 2
READ, WRITE = 0, 1
PENDING, COMPLETE_, PROCESSING, FREE = 0, 1, 2, 3
# sizes[] of hv_post: index of each size
SIZE = {1: 0, 2: 1, 4: 2, 8: 3, 0: 6, 3: 7}
W_STATE = 34  # processed, in 32-bit words of the slot


def c_v64(x):
    """val64(): raw 64-bit value."""
    return u8(0xC0) + u64(x)


def c_v32(x):
    """val32(): raw 32-bit value."""
    return u8(0xC0) + u32(x)


def c_client(c):
    """client_arg(): ids 0..7 directly, anything else raw."""
    return u8(c) if 0 <= c < 8 else u8(0xFF) + u32(c)


def c_post(v, typ, direction, addr, size, value=0, polling=0, pci=None):
    b = u8(HV_POST) + u8(v) + u8(typ) + u8(direction) + c_v64(addr)
    b += u8(SIZE[size]) + c_v64(value)
    flags = (polling & 1) | (2 if pci else 0)
    b += u8(flags)
    if typ == PCICFG:
        bus, dev, func, reg = pci or (0, 0, 0, 0)
        if pci:
            b += u8(bus)
        b += u8(dev) + u8(func) + u16(reg)
    return b


def c_create(default=False, in_kernel=False):
    return u8(CREATE) + u8((1 if default else 0) | (2 if in_kernel else 0))


def c_add(client, typ, start, end):
    # end given raw (i >= 200)
    return u8(ADD_RANGE) + c_client(client) + u8(typ) + c_v64(start) + \
        u8(0xFF) + c_v64(end)


def c_hostile(event, v, value, word=W_STATE):
    sel = 0 if word == W_STATE else 128 + word
    return u8(HOSTILE) + u8(event) + u8(v) + u8(sel) + c_v32(value)


def core_basic():
    """Route by range and by default; complete; reap."""
    return (u8(0) + c_create(default=True) + c_create(in_kernel=True) +
            c_add(1, PORTIO, 0x3F8, 0x3FF) +
            c_post(0, PORTIO, READ, 0x3F8, 1) +
            c_post(1, MMIO, WRITE, 0xFEE00000, 4, 7) +
            c_post(2, PORTIO, READ, 0x3FE, 4) +       # straddles: default
            u8(DISPATCH) +
            u8(COMPLETE_HOLDER) + u8(0) + u8(COMPLETE_HOLDER) + u8(1) +
            u8(COMPLETE) + u8(2) + c_client(1) +      # EPERM
            u8(COMPLETE_HOLDER) + u8(2) +
            u8(HV_REAP) + u8(0) + u8(HV_REAP) + u8(1) + u8(HV_REAP) + u8(2))


def core_conf1():
    """CF8 write/read, CFC data while enabled becomes PCICFG."""
    key = 31 << 15  # bus 0, dev 31, func 0
    return (u8(0) + c_create(default=True) + c_create() +
            c_add(1, PCICFG, key, key + 0xFFF) +
            # enabled, bus 0, dev 31, reg 4, and reserved bits 1:0 set
            c_post(2, PORTIO, WRITE, 0xCF8, 4, 0x8000F807) +
            u8(DISPATCH_SLOT) + u8(2) + u8(HV_REAP) + u8(2) +
            c_post(2, PORTIO, READ, 0xCF8, 4) +
            u8(DISPATCH_SLOT) + u8(2) + u8(HV_REAP) + u8(2) +
            c_post(2, PORTIO, READ, 0xCFE, 2) +
            u8(DISPATCH_SLOT) + u8(2) + u8(COMPLETE_HOLDER) + u8(2) +
            u8(HV_REAP) + u8(2) +
            c_post(3, PCICFG, WRITE, 0, 4, 5, pci=(0, 31, 0, 0x10)) +
            u8(DISPATCH) + u8(DESTROY) + c_client(1))


def core_hostile():
    """Userspace rewrites the state during and after dispatch."""
    return (u8(0) + c_create(default=True) +
            c_post(3, MMIO, READ, 0x1000, 8) +
            # during one dispatch_slot: FREE right after the state read,
            # PENDING again before kernel_handled and PROCESSING are stored
            c_hostile(1, 3, FREE) + c_hostile(13, 3, PENDING) +
            u8(DISPATCH_SLOT) + u8(3) +
            u8(SCRIBBLE_STATE) + u8(3) + c_v32(PENDING) +
            u8(DISPATCH) +                     # held: never again
            u8(COMPLETE_HOLDER) + u8(3) +      # not PROCESSING: EINVAL
            u8(SCRIBBLE_STATE) + u8(3) + c_v32(0xFFFFFFFF) +
            u8(COMPLETE_HOLDER) + u8(3) +      # bad state counted
            u8(DESTROY) + c_client(0))         # orphaned


def core_clear():
    """Clear with slots held by the default and another client."""
    return (u8(0) + c_create(default=True) + c_create() +
            c_add(1, MMIO, 0x2000, 0x2FFF) +
            c_post(0, MMIO, READ, 0x2000, 4) +
            c_post(1, MMIO, READ, 0x9000, 4) +
            u8(DISPATCH) + u8(CLEAR_BEGIN) +
            c_post(2, PORTIO, READ, 0x60, 1) + u8(DISPATCH) +
            u8(COMPLETE_HOLDER) + u8(0) + u8(CLEAR_BEGIN) + u8(CLEAR_END) +
            c_post(3, PORTIO, READ, 0x60, 1) + u8(DISPATCH) +
            u8(RELEASE_HELD) + u8(3) +
            u8(DESTROY) + c_client(1) + u8(RELEASE) + c_client(1) +
            u8(CREATE) + u8(0))


def core_malformed():
    """Requests the core must complete itself with all ones."""
    b = u8(0) + c_create(default=True)
    b += c_post(0, PORTIO, READ, 0xFFFF, 2)             # past 0xFFFF
    b += c_post(1, MMIO, READ, 0xFFFFFFFFFFFFFFFF, 8)   # wraps
    b += c_post(2, PORTIO, READ, 0x60, 3)               # size 3
    b += c_post(3, MMIO, READ, 0x60, 0)                 # size 0
    b += c_post(4, PCICFG, READ, 0, 4, pci=(0, 0, 0, 4094))  # reg + size
    b += c_post(5, PCICFG, READ, 0, 4, pci=(0, 35, 0, 0))    # dev > 31
    b += u8(HV_POST) + u8(6) + u8(0xFF) + c_v32(7) + u8(0) + c_v64(0) + \
        u8(0) + c_v64(0) + u8(0)                        # type 7
    b += u8(HV_POST) + u8(7) + u8(0) + u8(0xFF) + c_v32(9) + c_v64(0x60) + \
        u8(0) + c_v64(0) + u8(1)                        # direction 9, polling
    b += u8(DISPATCH) + u8(COMPLETE) + u8(0xF5) + c_client(0)  # vcpu 16
    b += u8(COMPLETE) + u8(0) + c_client(64)
    return b


def core_bad_states():
    """A page full of state values outside 0..3."""
    b = u8(2) + u8(6)
    for v, st in enumerate([4, 5, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 63]):
        b += u16(v * 64 + W_STATE) + c_v32(st)
    b += u8(DISPATCH) + c_create(default=True) + u8(DISPATCH)
    b += u8(SCRIBBLE) + u16(7 * 64 + W_STATE) + c_v32(2)
    b += u8(COMPLETE) + u8(7) + c_client(0)
    return b


def core_many_ranges():
    """Many ranges (FILL byte 0xFF would fill past capacity, ENOSPC, but
    destroying that client is slow: the unit tests cover ENOSPC), look up,
    remove."""
    return (u8(0) + c_create() + c_create(default=True) +
            u8(FILL) + c_client(0) + u8(PORTIO) + c_v64(0x100) + u8(63) +
            u8(LOOKUP) + u8(PORTIO) + c_v64(0x102) + u8(0) +
            u8(LOOKUP) + u8(PORTIO) + c_v64(0x101) + u8(0) +
            u8(REMOVE_EXISTING) + u8(PORTIO) + u16(17) +
            u8(REMOVE_RANGE) + c_client(0) + u8(PORTIO) + c_v64(0x100) +
            c_v64(0x100) +
            c_add(1, PORTIO, 0x100, 0x100) +        # EBUSY
            c_post(0, PORTIO, READ, 0x200, 1) + u8(DISPATCH) +
            u8(DESTROY) + c_client(0))


def core_clients_full():
    """Every client id taken (ENOSPC), a second default (EEXIST), then
    destroy, release and reuse of an id."""
    return (u8(0) + c_create(default=True) + c_create(default=True) +
            c_create(in_kernel=True) * 64 +
            u8(DESTROY) + c_client(5) + c_create() +       # DESTROYING: full
            u8(RELEASE) + c_client(5) + c_create() +       # id 5 again
            u8(RELEASE) + c_client(6) + u8(DESTROY) + c_client(70) +
            c_post(0, PORTIO, READ, 0x60, 1) + u8(DISPATCH))


def core_zero_page():
    """Every slot PENDING with an all-zero request, then a random page."""
    rnd = random.Random(6)
    page = b"".join(u32(rnd.getrandbits(32) if i % 64 != W_STATE
                        else rnd.choice([0, 1, 2, 3, 4, 0xFFFFFFFF]))
                    for i in range(1024))
    return [u8(1) + c_create(default=True) + u8(DISPATCH),
            u8(3) + page + u8(DISPATCH) + c_create(default=True) +
            u8(DISPATCH)]


# ------------------------------------------------- fuzz_runtime_api.c

(R_CREATE, R_DESTROY, R_ADD, R_REMOVE, R_POST, R_REAP, R_SCRIBBLE,
 R_UPCALL, R_ATTACH, R_REQUEST, R_FINISH, R_FINISH_HOLDER,
 R_CLEAR) = range(13)


def r_v64(x):
    return u8(0xFF) + u64(x)


def r_range(typ, start, end):
    t = u8(typ) if typ < 3 else u8(0xFF) + u32(typ)
    return t + r_v64(start) + u8(0xFF) + r_v64(end)


def r_id(k):
    """id_arg(): the k-th id create_client returned."""
    return u8(k)


def r_create(default=False, ranges=(), bad_flag=False):
    flags = 0xFF if bad_flag else (1 if default else 0)
    b = u8(R_CREATE) + u8(flags) + u8(len(ranges))
    for r in ranges:
        b += r_range(*r)
    return b


def r_post(v, typ, direction, addr, size, value=0, polling=False):
    sizes = {1: 0, 2: 1, 4: 2, 8: 3}
    return (u8(R_POST) + u8(v) + u8(typ) + u8(direction) + r_v64(addr) +
            r_v64(value) + u8(sizes[size]) + u8(0 if polling else 1) +
            u8(0) + u8(0) + u8(0) + u8(0))


def rt_lifecycle():
    """Create, post, attach, request, finish, reap, destroy twice."""
    return (u8(0) + r_create(default=True) +
            r_create(ranges=[(PORTIO, 0x3F8, 0x3FF)]) +
            r_post(0, PORTIO, READ, 0x3F8, 1) +
            u8(R_ATTACH) + r_id(1) + u8(R_REQUEST) + r_id(1) + u8(0) +
            u8(R_FINISH) + r_id(1) + u8(0) + r_v64(0x41) +
            u8(R_FINISH) + r_id(1) + u8(0) + r_v64(0x41) +  # not held
            u8(R_REAP) + u8(0) +
            r_post(1, MMIO, WRITE, 0xFEE00000, 4, 9) +
            u8(R_ATTACH) + r_id(0) + u8(R_FINISH_HOLDER) + u8(1) + r_v64(0) +
            u8(R_DESTROY) + r_id(1) + u8(R_DESTROY) + r_id(1) +
            u8(R_ATTACH) + r_id(1))


def rt_clear():
    """Clear while the default and another client hold slots."""
    return (u8(1) + r_create(default=True) +
            r_create(ranges=[(MMIO, 0x1000, 0x1FFF)]) +
            r_post(0, MMIO, READ, 0x1000, 8) +
            r_post(1, MMIO, READ, 0x9000, 4, polling=True) +
            u8(R_CLEAR) +
            u8(R_FINISH_HOLDER) + u8(0) + r_v64(1) +
            u8(R_CLEAR) + u8(R_REAP) + u8(0) + u8(R_REAP) + u8(1) +
            r_post(0, PORTIO, READ, 0x60, 1))


def rt_errors():
    """Refused creates and ranges, ids that name nobody."""
    return (u8(0) + r_create(default=True) + r_create(default=True) +
            r_create(bad_flag=True) +
            r_create(ranges=[(PORTIO, 0x10, 0x20), (PORTIO, 0x20, 0x30)]) +
            r_create(ranges=[(7, 0, 1)]) +
            r_create(ranges=[(MMIO, 5, 4)]) +
            u8(R_ADD) + r_id(0) + r_range(PORTIO, 0x70, 0x71) +
            u8(R_ADD) + r_id(0) + r_range(PORTIO, 0x71, 0x72) +
            u8(R_REMOVE) + u8(0) +
            u8(R_REMOVE) + u8(0) +
            u8(R_DESTROY) + u8(0xFF) + u32(0xFFFFFFFF) +
            u8(R_REQUEST) + u8(0xFF) + u32(5) + u8(0xFF) + u32(99) +
            u8(R_FINISH) + r_id(0) + u8(0xFF) + u32(16) + r_v64(0))


def rt_hostile():
    """Userspace rewrites states; the upcall still finds what is PENDING."""
    return (u8(0) + r_create(default=True) +
            r_post(2, PORTIO, READ, 0xCF8, 4) +
            r_post(3, PORTIO, WRITE, 0x80, 1, 1) +
            u8(R_SCRIBBLE) + u8(3) + u8(0) +        # slot 3 state := PENDING
            u8(R_SCRIBBLE) + u8(4) + u8(0) +        # slot 4 state := PENDING
            u8(R_UPCALL) +
            u8(R_SCRIBBLE) + u8(3) + u8(0xFF) + u32(0xFFFFFFFF) +
            u8(R_FINISH_HOLDER) + u8(3) + r_v64(0) +
            u8(R_FINISH_HOLDER) + u8(4) + r_v64(0) +
            u8(R_DESTROY) + r_id(0))


# ------------------------------------------------------------- output

SEEDS = {
    "core_page": [core_basic, core_conf1, core_hostile, core_clear,
                  core_malformed, core_bad_states, core_many_ranges,
                  core_clients_full,
                  core_zero_page],
    "runtime_api": [rt_lifecycle, rt_clear, rt_errors, rt_hostile],
}


def wanted():
    files = {}
    for harness, makers in SEEDS.items():
        for make in makers:
            out = make()
            for i, data in enumerate(out if isinstance(out, list) else [out]):
                name = make.__name__ + ("" if i == 0 else "_%d" % i)
                files[os.path.join(HERE, "corpus", harness, name)] = data
    return files


def main():
    check = "--check" in sys.argv[1:]
    files = wanted()
    stale = []
    for path, data in sorted(files.items()):
        try:
            with open(path, "rb") as f:
                same = f.read() == data
        except FileNotFoundError:
            same = False
        if same:
            continue
        stale.append(path)
        if not check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
    for harness in SEEDS:
        d = os.path.join(HERE, "corpus", harness)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            path = os.path.join(d, name)
            if path not in files:
                stale.append(path + " (not made by this script)")
    for path in stale:
        print(("stale: " if check else "wrote: ") + os.path.relpath(path))
    for path, data in sorted(files.items()):
        if not check:
            print("%-40s %5d bytes  %s" % (os.path.relpath(path, HERE),
                                          len(data),
                                          hashlib.sha1(data).hexdigest()[:8]))
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
