// pilotstats/core/rng.hpp: the random engine, PCG64 (XSL-RR 128/64), bit-for-bit numpy's.
//
// Synopsis
//   pcg64 rng(20161201);                 // seeded exactly as numpy.random.PCG64(20161201)
//   std::uint64_t x = rng();             // numpy: bit_generator.random_raw()
//   pcg64 stream = rng.split(3);         // an independent stream: rng.jumped(4)
//   pcg64 child(42, {3});                // numpy: PCG64(SeedSequence(42, spawn_key=(3,)))
//
// Background. PCG64 is O'Neill's permuted congruential generator: a 128-bit LCG
// (multiplier 0x2360ed051fc65da44385df649fccf645) whose state is output through XSL-RR
// ("xor the halves, rotate right by the top 6 bits"). It is the default engine of numpy, so
// every number can be checked against an implementation no one here wrote: the tests compare
// raw output, SeedSequence seeding, spawn keys, jumped() and advance() with numpy 1.24
// (tests/reference/rng_pcg64_numpy.py prints the numbers).
//
// Conventions (all numpy's):
//   - seeding: an integer seed goes through numpy's SeedSequence (entropy as 32-bit words,
//     a 4-word pool, hashmix / mix), which yields 4 words: state = (w0, w1) and increment
//     = ((w2, w3) << 1) | 1, then the PCG "srandom" dance (step, add, step);
//   - the output is taken after stepping;
//   - jumped(n) advances by n * 0x9e3779b97f4a7c15f39cc0605cedc835 steps (mod 2^128), so
//     jumped streams are far apart on one cycle of length 2^128 and never overlap in practice.
//
// The engine is plain integer arithmetic (a portable 128-bit type, with the compiler's
// unsigned __int128 used for the 64x64 product when available), so a seed gives the same
// numbers on every platform. Draws built on it live in pilotstats/core/draws.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

namespace pilotstats {

// An unsigned 128-bit integer as two 64-bit halves; arithmetic is modulo 2^128.
struct uint128 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;

  friend constexpr bool operator==(uint128, uint128) noexcept = default;
};

namespace detail {

// The schoolbook 64 x 64 -> 128-bit product on 32-bit halves (used without __int128).
constexpr uint128 mul_64x64_portable(std::uint64_t a, std::uint64_t b) noexcept {
  const std::uint64_t mask = 0xffffffffULL;
  const std::uint64_t a_lo = a & mask, a_hi = a >> 32, b_lo = b & mask, b_hi = b >> 32;
  const std::uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  const std::uint64_t mid = (ll >> 32) + (lh & mask) + (hl & mask);
  return {hh + (lh >> 32) + (hl >> 32) + (mid >> 32), (mid << 32) | (ll & mask)};
}

// Full 64 x 64 -> 128-bit product.
constexpr uint128 mul_64x64(std::uint64_t a, std::uint64_t b) noexcept {
#if defined(__SIZEOF_INT128__)
  if (!std::is_constant_evaluated()) {
    const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    return {static_cast<std::uint64_t>(p >> 64), static_cast<std::uint64_t>(p)};
  }
#endif
  return mul_64x64_portable(a, b);
}

}  // namespace detail

constexpr uint128 operator+(uint128 a, uint128 b) noexcept {
  const std::uint64_t lo = a.lo + b.lo;
  return {a.hi + b.hi + (lo < a.lo ? 1U : 0U), lo};
}

constexpr uint128 operator*(uint128 a, uint128 b) noexcept {
  uint128 p = detail::mul_64x64(a.lo, b.lo);
  p.hi += a.hi * b.lo + a.lo * b.hi;
  return p;
}

namespace detail {

// numpy's SeedSequence (numpy/random/bit_generator.pyx), reduced to what PCG64 needs: the
// entropy is an unsigned integer, the spawn key a list of unsigned integers, the pool has 4
// words, and generate_state(4, uint64) is returned.
class seed_sequence {
 public:
  seed_sequence(std::uint64_t entropy, std::span<const std::uint64_t> spawn_key) {
    std::vector<std::uint32_t> words;
    append_words(words, entropy);
    if (!spawn_key.empty() && words.size() < pool_size) words.resize(pool_size, 0U);
    for (const std::uint64_t k : spawn_key) append_words(words, k);
    mix_entropy(words);
  }

  // generate_state(4, np.uint64): 8 words from the pool, paired little-endian.
  std::array<std::uint64_t, 4> generate_state_u64x4() const {
    std::uint32_t hash_const = init_b;
    std::array<std::uint32_t, 8> w{};
    for (std::size_t i = 0; i < w.size(); ++i) {
      std::uint32_t v = pool_[i % pool_size];
      v ^= hash_const;
      hash_const *= mult_b;
      v *= hash_const;
      v ^= v >> xshift;
      w[i] = v;
    }
    std::array<std::uint64_t, 4> out{};
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<std::uint64_t>(w[2 * i]) |
               (static_cast<std::uint64_t>(w[2 * i + 1]) << 32);
    return out;
  }

 private:
  static constexpr std::size_t pool_size = 4;
  static constexpr std::uint32_t init_a = 0x43b0d7e5U, mult_a = 0x931e8875U;
  static constexpr std::uint32_t init_b = 0x8b51f9ddU, mult_b = 0x58f38dedU;
  static constexpr std::uint32_t mix_mult_l = 0xca01f9ddU, mix_mult_r = 0x4973f715U;
  static constexpr int xshift = 16;

  // numpy's _int_to_uint32_array: little-endian 32-bit words, and [0] for zero.
  static void append_words(std::vector<std::uint32_t>& words, std::uint64_t n) {
    if (n == 0) words.push_back(0U);
    while (n > 0) {
      words.push_back(static_cast<std::uint32_t>(n & 0xffffffffULL));
      n >>= 32;
    }
  }

  static std::uint32_t hashmix(std::uint32_t value, std::uint32_t& hash_const) {
    value ^= hash_const;
    hash_const *= mult_a;
    value *= hash_const;
    value ^= value >> xshift;
    return value;
  }

  static std::uint32_t mix(std::uint32_t x, std::uint32_t y) {
    std::uint32_t r = mix_mult_l * x - mix_mult_r * y;
    r ^= r >> xshift;
    return r;
  }

  void mix_entropy(const std::vector<std::uint32_t>& entropy) {
    std::uint32_t hash_const = init_a;
    for (std::size_t i = 0; i < pool_size; ++i)
      pool_[i] = hashmix(i < entropy.size() ? entropy[i] : 0U, hash_const);
    for (std::size_t src = 0; src < pool_size; ++src)
      for (std::size_t dst = 0; dst < pool_size; ++dst)
        if (src != dst) pool_[dst] = mix(pool_[dst], hashmix(pool_[src], hash_const));
    for (std::size_t src = pool_size; src < entropy.size(); ++src)
      for (std::size_t dst = 0; dst < pool_size; ++dst)
        pool_[dst] = mix(pool_[dst], hashmix(entropy[src], hash_const));
  }

  std::array<std::uint32_t, pool_size> pool_{};
};

}  // namespace detail

// PCG64 (XSL-RR 128/64). Satisfies std::uniform_random_bit_generator, but pilotstats never
// feeds it to std:: distributions (their output differs between standard libraries): use
// the draws in pilotstats/core/draws.hpp.
class pcg64 {
 public:
  using result_type = std::uint64_t;

  static constexpr uint128 multiplier{0x2360ed051fc65da4ULL, 0x4385df649fccf645ULL};
  // numpy's jump distance, the golden ratio times 2^128.
  static constexpr uint128 jump_distance{0x9e3779b97f4a7c15ULL, 0xf39cc0605cedc835ULL};

  // Seeded as numpy.random.PCG64(seed).
  explicit pcg64(std::uint64_t seed = 0) : pcg64(seed, std::span<const std::uint64_t>{}) {}

  // Seeded as numpy.random.PCG64(numpy.random.SeedSequence(seed, spawn_key=spawn_key)):
  // child streams of one seed, e.g. one per Monte Carlo replication.
  pcg64(std::uint64_t seed, std::initializer_list<std::uint64_t> spawn_key)
      : pcg64(seed, std::span<const std::uint64_t>(spawn_key.begin(), spawn_key.size())) {}

  pcg64(std::uint64_t seed, std::span<const std::uint64_t> spawn_key) {
    const auto w = detail::seed_sequence(seed, spawn_key).generate_state_u64x4();
    seed_with(uint128{w[0], w[1]}, uint128{w[2], w[3]});
  }

  // The raw state, as numpy's bit_generator.state["state"] shows it: `increment` is the odd
  // increment itself (not the sequence number), and is forced odd here.
  static pcg64 from_state(uint128 state, uint128 increment) {
    pcg64 g;
    g.state_ = state;
    g.inc_ = uint128{increment.hi, increment.lo | 1U};
    return g;
  }

  uint128 state() const noexcept { return state_; }
  uint128 increment() const noexcept { return inc_; }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  // The next 64 bits (numpy: random_raw()).
  result_type operator()() noexcept {
    step();
    const std::uint64_t x = state_.hi ^ state_.lo;
    const unsigned rot = static_cast<unsigned>(state_.hi >> 58);
    return (x >> rot) | (x << ((64U - rot) & 63U));
  }

  // Advance as if `delta` outputs had been drawn (mod 2^128), in O(log delta) steps
  // (Brown, "Random number generation with arbitrary strides", 1994).
  void advance(uint128 delta) noexcept {
    uint128 acc_mult{0, 1}, acc_plus{0, 0}, cur_mult = multiplier, cur_plus = inc_;
    while (delta.hi != 0 || delta.lo != 0) {
      if (delta.lo & 1U) {
        acc_mult = acc_mult * cur_mult;
        acc_plus = acc_plus * cur_mult + cur_plus;
      }
      cur_plus = (cur_mult + uint128{0, 1}) * cur_plus;
      cur_mult = cur_mult * cur_mult;
      delta = uint128{delta.hi >> 1, (delta.lo >> 1) | (delta.hi << 63)};
    }
    state_ = acc_mult * state_ + acc_plus;
  }
  void advance(std::uint64_t delta) noexcept { advance(uint128{0, delta}); }

  // A copy advanced by jumps * jump_distance (numpy: PCG64.jumped(jumps)).
  pcg64 jumped(std::uint64_t jumps = 1) const noexcept {
    pcg64 g = *this;
    g.advance(jump_distance * uint128{0, jumps});
    return g;
  }

  // Stream k (k = 0, 1, ...) derived from this engine: jumped(k + 1), so no stream is the
  // parent itself. Streams of one parent are 2^128 * frac(j * golden ratio) steps apart.
  pcg64 split(std::uint64_t k) const noexcept { return jumped(k + 1); }

  friend bool operator==(const pcg64&, const pcg64&) noexcept = default;

 private:
  void step() noexcept { state_ = state_ * multiplier + inc_; }

  // pcg_setseq_128_srandom_r
  void seed_with(uint128 init_state, uint128 init_seq) noexcept {
    state_ = uint128{0, 0};
    inc_ = uint128{(init_seq.hi << 1) | (init_seq.lo >> 63), (init_seq.lo << 1) | 1U};
    step();
    state_ = state_ + init_state;
    step();
  }

  uint128 state_{};
  uint128 inc_{0, 1};
};

}  // namespace pilotstats
