#!/usr/bin/env python3
"""Reference numbers for tests/simulate/rng_test.cpp, from numpy's PCG64 (XSL-RR 128/64).

Run:   /usr/bin/python3 tests/reference/rng_pcg64_numpy.py
Made with numpy 1.24.2 (Debian python3-numpy). Prints C++ initialisers to paste into the test.

What is checked against numpy (an implementation no one here wrote):
  1. raw 64-bit output from a state set by hand  (bit_generator.state = {...}; random_raw())
  2. seeding from an integer through SeedSequence (np.random.PCG64(seed).random_raw())
  3. seeding with a spawn key (np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(k,))))
  4. jumped(n): the state after n jumps of 0x9e3779b97f4a7c15f39cc0605cedc835 steps
  5. advance(delta) for a large delta
  6. uniform doubles in [0, 1) from 53 bits (np.random.Generator(PCG64(seed)).random())
"""
import numpy as np

M64 = (1 << 64) - 1


def hx(v):
    return "0x%016xULL" % v


def u128(v):
    return "{%s, %s}" % (hx(v >> 64), hx(v & M64))


def raw_from_state(state, inc, n):
    bg = np.random.PCG64()
    bg.state = {"bit_generator": "PCG64", "state": {"state": state, "inc": inc},
                "has_uint32": 0, "uinteger": 0}
    return [int(x) for x in bg.random_raw(n)]


print("// numpy", np.__version__)
# 1. hand-set state (inc must be odd; numpy stores the increment itself)
state = 0x0123456789abcdef_fedcba9876543210
inc = 0x0000000000000000_00000000000000da | 1
print("// 1. state", u128(state), "inc", u128(inc))
print("raw_state:", ", ".join(hx(x) for x in raw_from_state(state, inc, 8)))

# 2. integer seeds through SeedSequence
for seed in [0, 42, 20161201, (1 << 40) + 5, M64]:
    bg = np.random.PCG64(seed)
    st = bg.state["state"]
    print("seed %d: state %s inc %s" % (seed, u128(st["state"]), u128(st["inc"])))
    print("  raw:", ", ".join(hx(int(x)) for x in bg.random_raw(4)))

# 3. spawn keys
for seed, key in [(42, (0,)), (42, (3,)), (7, (1, 2))]:
    bg = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key))
    print("seed %d spawn_key %s raw:" % (seed, key), ", ".join(hx(int(x)) for x in bg.random_raw(3)))

# 4. jumped
for jumps in [1, 2, 5]:
    bg = np.random.PCG64(42).jumped(jumps)
    st = bg.state["state"]
    print("seed 42 jumped(%d): state %s inc %s" % (jumps, u128(st["state"]), u128(st["inc"])))
    print("  raw:", ", ".join(hx(int(x)) for x in bg.random_raw(2)))

# 5. advance
bg = np.random.PCG64(42)
bg.advance((1 << 100) + 12345)
print("seed 42 advance(2^100+12345) raw:", ", ".join(hx(int(x)) for x in bg.random_raw(2)))

# 6. uniforms
g = np.random.Generator(np.random.PCG64(42))
print("seed 42 random():", ", ".join(repr(float(x)) for x in g.random(5)))
