// Tests of pilotstats/core/rng.hpp: PCG64 against numpy 1.24.2.
// Every expected number below was printed by tests/reference/rng_pcg64_numpy.py (numpy's
// PCG64, XSL-RR 128/64, an implementation no one here wrote); the comment above each block
// names the numpy call.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"

using pilotstats::pcg64;
using pilotstats::uint128;

namespace {

std::vector<std::uint64_t> raw(pcg64& g, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(g());
  return out;
}

}  // namespace

TEST_CASE("pcg64 raw output from a state set by hand matches numpy", "[core][rng]") {
  // bg.state = {"state": {"state": 0x0123456789abcdeffedcba9876543210, "inc": 0xdb}}
  // bg.random_raw(8)
  pcg64 g = pcg64::from_state({0x0123456789abcdefULL, 0xfedcba9876543210ULL}, {0, 0xdbULL});
  const std::vector<std::uint64_t> expected = {
      0xb6a2b73170105853ULL, 0x851ab086af174302ULL, 0xc20f675de7146a4dULL,
      0x4f84c75048f61b2bULL, 0xd34fa99b9b33b9baULL, 0x23a13d40a68aeba4ULL,
      0x06b17f55436c3575ULL, 0x604839176aa41982ULL};
  CHECK(raw(g, 8) == expected);
}

TEST_CASE("pcg64 seeding through SeedSequence matches numpy.random.PCG64(seed)",
          "[core][rng]") {
  struct case_t {
    std::uint64_t seed;
    uint128 state, inc;
    std::vector<std::uint64_t> raw;
  };
  // np.random.PCG64(seed).state["state"], then .random_raw(4)
  const std::vector<case_t> cases = {
      {0,
       {0x1aa1b5345996452dULL, 0x09585eb7a69561e3ULL},
       {0x418ddadb3af71a82ULL, 0x588133bc447873a9ULL},
       {0xa30febcfd9c2825fULL, 0x4510bdf882d9d721ULL, 0x0a7d3da94ecde8b8ULL,
        0x043b27b61342f01dULL}},
      {42,
       {0xcea44f6798798f2aULL, 0xacbc7c9d68860ac8ULL},
       {0xfa505436c9a8416eULL, 0x66caf2e28d25abffULL},
       {0xc621fbcd16d92688ULL, 0x705a5661a791ffc1ULL, 0xdbcd12c26eda1624ULL,
        0xb286b60e1600888dULL}},
      {20161201,
       {0x0a8666312f5d56d3ULL, 0xa7f9fe4483c6bed3ULL},
       {0xd11146e7027d356dULL, 0x8d5291f70d199131ULL},
       {0x084a1f1a2da923f7ULL, 0xb0a57c915045e384ULL, 0x7598952c8316ff71ULL,
        0x8b682604f576267dULL}},
      {(std::uint64_t{1} << 40) + 5,  // two 32-bit entropy words
       {0xd972711564fcbcf2ULL, 0xa1511cb73ed6e086ULL},
       {0x4a4b8b68972231a0ULL, 0x8584f27e67257da7ULL},
       {0x01369aef039fedebULL, 0x5f61b40473314316ULL, 0x9654aaeeea6ebe77ULL,
        0x26c2209be6417518ULL}},
      {0xffffffffffffffffULL,
       {0xddc419442aebde79ULL, 0x4d8b0a3b048acdb0ULL},
       {0x37762aacb3cc854fULL, 0x4ed623c7d18951edULL},
       {0xae163a7a8c47568fULL, 0xd86659f5f3382359ULL, 0x01e52b195bc2d24aULL,
        0xe5026aaf19a22db1ULL}},
  };
  for (const auto& c : cases) {
    INFO("seed " << c.seed);
    pcg64 g(c.seed);
    CHECK(g.state() == c.state);
    CHECK(g.increment() == c.inc);
    CHECK(raw(g, 4) == c.raw);
  }
}

TEST_CASE("pcg64 spawn keys match numpy SeedSequence(seed, spawn_key)", "[core][rng]") {
  // np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)).random_raw(3)
  pcg64 a(42, {0}), b(42, {3}), c(7, {1, 2});
  CHECK(raw(a, 3) == std::vector<std::uint64_t>{0xeaafbebf7f55d256ULL, 0xe9366c1894d944c8ULL,
                                               0xe0685dcb37cff0d6ULL});
  CHECK(raw(b, 3) == std::vector<std::uint64_t>{0xc3911abae641ff28ULL, 0xf8a97ba0ebfe86b1ULL,
                                               0xb6853a7d1dbea1d5ULL});
  CHECK(raw(c, 3) == std::vector<std::uint64_t>{0x7a98df51990736c9ULL, 0x24258ee255688dbaULL,
                                               0xeeda9bd217e77a5aULL});
}

TEST_CASE("pcg64 jumped and advance match numpy", "[core][rng]") {
  // np.random.PCG64(42).jumped(n).state["state"]["state"], then .random_raw(2)
  const pcg64 root(42);
  pcg64 j1 = root.jumped(1), j2 = root.jumped(2), j5 = root.jumped(5);
  CHECK(j1.state() == uint128{0xb99ccb59ba4084e2ULL, 0x5f1a0025268e2dcbULL});
  CHECK(j2.state() == uint128{0xd965eae5c818b0abULL, 0x2213d2dad2eaffeaULL});
  CHECK(j5.state() == uint128{0xa0b29d5ab0448f26ULL, 0xa6a2d7714f4b8f8fULL});
  CHECK(j5.increment() == root.increment());
  CHECK(raw(j1, 2) == std::vector<std::uint64_t>{0xc193c65d22914c57ULL, 0xa181a23fef8331faULL});
  CHECK(raw(j2, 2) == std::vector<std::uint64_t>{0x787268e85a26161dULL, 0x833f2ba28e9a60fcULL});
  CHECK(raw(j5, 2) == std::vector<std::uint64_t>{0xd09837759dbf61cdULL, 0xae0897e8c8ebebc5ULL});

  // bg = np.random.PCG64(42); bg.advance(2**100 + 12345); bg.random_raw(2)
  pcg64 g(42);
  g.advance(uint128{std::uint64_t{1} << 36, 12345});
  CHECK(raw(g, 2) == std::vector<std::uint64_t>{0x6b222a1d890d4509ULL, 0xff259d0461f224d8ULL});

  // advance(n) is n steps
  pcg64 stepped(7), jumped(7);
  for (int i = 0; i < 1000; ++i) stepped();
  jumped.advance(std::uint64_t{1000});
  CHECK(stepped == jumped);
}

TEST_CASE("uniform01 matches numpy Generator.random()", "[core][rng]") {
  // np.random.Generator(np.random.PCG64(42)).random(5), printed with repr()
  pcg64 g(42);
  const double expected[] = {0.7739560485559633, 0.4388784397520523, 0.8585979199113825,
                             0.6973680290593639, 0.09417734788764953};
  for (double e : expected) CHECK(pilotstats::draw::uniform01(g) == e);
}

TEST_CASE("same seed gives the same sequence; streams differ", "[core][rng]") {
  pcg64 a(123), b(123), c(124);
  const auto ra = raw(a, 1000);
  CHECK(ra == raw(b, 1000));
  CHECK(ra != raw(c, 1000));

  const pcg64 root(123);
  CHECK(root.split(0) == root.jumped(1));
  CHECK(root.split(4) == root.jumped(5));
  pcg64 s0 = root.split(0), s1 = root.split(1);
  CHECK(raw(s0, 10) != raw(s1, 10));
  // split() does not move the parent
  pcg64 again(123);
  CHECK(root == again);
}

TEST_CASE("portable 64x64 product agrees with the compiler's", "[core][rng]") {
  pcg64 g(99);
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t a = g(), b = (i % 3 == 0) ? ~std::uint64_t{0} : g();
    CHECK(pilotstats::detail::mul_64x64_portable(a, b) == pilotstats::detail::mul_64x64(a, b));
  }
  static_assert(pilotstats::detail::mul_64x64(~std::uint64_t{0}, ~std::uint64_t{0}) ==
                uint128{0xfffffffffffffffeULL, 1});
}
