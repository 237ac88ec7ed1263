// Tests of pilotstats/core/draws.hpp.
//
// Moments: each distribution's sample mean and variance over n draws (fixed seed) must lie
// within 5 standard errors of the exact values; the standard error of the variance uses the
// sample fourth central moment, se(s^2) = sqrt((m4 - s^4) / n). Exact moments: gamma(k, s)
// mean k s, variance k s^2; Poisson mean = variance = lambda; NB2 variance mu + mu^2/theta;
// Rademacher, Webb and Mammen mean 0, variance 1 (Mammen third moment 1).
// Shapes: Kolmogorov-Smirnov distance against Boost.Math cdfs, below the asymptotic 0.1%
// critical value 1.949 / sqrt(n); chi-square goodness of fit against Boost.Math's Poisson pmf.
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pilotstats/core/draws.hpp"

using pilotstats::pcg64;

namespace {

struct moments {
  double n = 0, mean = 0, var = 0, m3 = 0, m4 = 0;
};

moments sample_moments(const std::vector<double>& x) {
  moments m;
  m.n = static_cast<double>(x.size());
  for (double v : x) m.mean += v;
  m.mean /= m.n;
  for (double v : x) {
    const double d = v - m.mean, d2 = d * d;
    m.var += d2;
    m.m3 += d2 * d;
    m.m4 += d2 * d2;
  }
  m.m3 /= m.n;
  m.m4 /= m.n;
  m.var /= (m.n - 1);
  return m;
}

template <class Draw>
std::vector<double> draws(std::uint64_t seed, std::size_t n, Draw draw) {
  pcg64 g(seed);
  std::vector<double> x(n);
  for (auto& v : x) v = static_cast<double>(draw(g));
  return x;
}

void check_mean_variance(const std::vector<double>& x, double mean, double var) {
  const moments m = sample_moments(x);
  const double se_mean = std::sqrt(var / m.n);
  const double se_var = std::sqrt(std::max(m.m4 - m.var * m.var, 0.0) / m.n);
  INFO("sample mean " << m.mean << " (exact " << mean << ", se " << se_mean << "); sample variance "
                      << m.var << " (exact " << var << ", se " << se_var << ")");
  CHECK(std::fabs(m.mean - mean) < 5 * se_mean);
  CHECK(std::fabs(m.var - var) < 5 * se_var);
}

double ks_distance(std::vector<double> x, const std::function<double(double)>& cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

constexpr std::size_t n_draws = 200000;

}  // namespace

TEST_CASE("uniform01, uniform, uniform_int and bernoulli", "[core][draws]") {
  check_mean_variance(draws(1, n_draws, [](pcg64& g) { return pilotstats::draw::uniform01(g); }), 0.5,
                      1.0 / 12);
  check_mean_variance(
      draws(2, n_draws, [](pcg64& g) { return pilotstats::draw::uniform(g, -3.0, 5.0); }), 1.0,
      64.0 / 12);
  // {0..5}: mean 2.5, variance 35/12
  check_mean_variance(draws(3, n_draws, [](pcg64& g) { return pilotstats::draw::uniform_int(g, 6); }),
                      2.5, 35.0 / 12);
  check_mean_variance(
      draws(4, n_draws, [](pcg64& g) { return pilotstats::draw::bernoulli(g, 0.3) ? 1.0 : 0.0; }), 0.3,
      0.21);
  pcg64 g(5);
  for (int i = 0; i < 1000; ++i) CHECK(pilotstats::draw::uniform_int(g, 1) == 0);
}

TEST_CASE("normal: moments and Kolmogorov-Smirnov against Boost.Math", "[core][draws]") {
  const auto z = draws(11, n_draws, [](pcg64& g) { return pilotstats::draw::standard_normal(g); });
  check_mean_variance(z, 0.0, 1.0);
  const boost::math::normal_distribution<> n01;
  CHECK(ks_distance(z, [&](double x) { return cdf(n01, x); }) < 1.949 / std::sqrt(double(n_draws)));

  const auto y = draws(12, n_draws, [](pcg64& g) { return pilotstats::draw::normal(g, 3.0, 2.0); });
  check_mean_variance(y, 3.0, 4.0);
  const boost::math::normal_distribution<> n32(3.0, 2.0);
  CHECK(ks_distance(y, [&](double x) { return cdf(n32, x); }) < 1.949 / std::sqrt(double(n_draws)));
}

TEST_CASE("gamma: moments and Kolmogorov-Smirnov against Boost.Math", "[core][draws]") {
  std::uint64_t seed = 20;
  for (double shape : {0.3, 1.0, 2.5, 50.0}) {
    for (double scale : {0.5, 2.0}) {
      INFO("shape " << shape << ", scale " << scale);
      const auto x =
          draws(++seed, n_draws, [=](pcg64& g) { return pilotstats::draw::gamma(g, shape, scale); });
      check_mean_variance(x, shape * scale, shape * scale * scale);
      const boost::math::gamma_distribution<> d(shape, scale);
      CHECK(ks_distance(x, [&](double v) { return cdf(d, v); }) <
            1.949 / std::sqrt(double(n_draws)));
    }
  }
}

TEST_CASE("poisson: moments on both sides of the method switch", "[core][draws]") {
  std::uint64_t seed = 40;
  for (double mean : {0.05, 0.5, 3.0, 9.99, 10.0, 25.0, 1000.0, 1e7}) {
    INFO("mean " << mean);
    check_mean_variance(
        draws(++seed, n_draws, [=](pcg64& g) { return pilotstats::draw::poisson(g, mean); }), mean,
        mean);
  }
  pcg64 g(1);
  CHECK(pilotstats::draw::poisson(g, 0.0) == 0);
}

TEST_CASE("poisson: chi-square goodness of fit against Boost.Math's pmf", "[core][draws]") {
  std::uint64_t seed = 60;
  for (double mean : {3.0, 25.0}) {
    INFO("mean " << mean);
    const auto x = draws(++seed, n_draws, [=](pcg64& g) { return pilotstats::draw::poisson(g, mean); });
    const boost::math::poisson_distribution<> d(mean);
    // cells k = lo..hi with lo and hi pooling their tails, each expecting at least 50 counts
    int lo = 0, hi = 0;
    while (cdf(d, lo) * n_draws < 50) ++lo;
    hi = lo;
    while (cdf(complement(d, hi)) * n_draws >= 50) ++hi;
    std::vector<double> observed(hi - lo + 1, 0.0);
    for (double v : x) observed[std::clamp(static_cast<int>(v), lo, hi) - lo] += 1;
    double chi2 = 0;
    for (int k = lo; k <= hi; ++k) {
      const double p = k == lo ? cdf(d, lo) : k == hi ? cdf(complement(d, hi - 1)) : pdf(d, k);
      const double e = p * n_draws;
      chi2 += (observed[k - lo] - e) * (observed[k - lo] - e) / e;
    }
    const boost::math::chi_squared_distribution<> ref(hi - lo);
    INFO("chi-square " << chi2 << " on " << hi - lo << " df");
    CHECK(cdf(complement(ref, chi2)) > 0.001);
  }
}

TEST_CASE("negative_binomial NB2: mean mu, variance mu + mu^2/theta", "[core][draws]") {
  struct nb {
    double mu, theta;
  };
  std::uint64_t seed = 80;
  for (const nb p : {nb{0.8, 0.5}, nb{30.0, 20.0}, nb{45.0, 15.0}, nb{500.0, 30.0}}) {
    INFO("mu " << p.mu << ", theta " << p.theta);
    check_mean_variance(draws(++seed, n_draws,
                              [=](pcg64& g) { return pilotstats::draw::negative_binomial(g, p.mu, p.theta); }),
                        p.mu, p.mu + p.mu * p.mu / p.theta);
  }
  // theta = infinity is the Poisson limit
  check_mean_variance(draws(90, n_draws,
                            [](pcg64& g) {
                              return pilotstats::draw::negative_binomial(
                                  g, 12.0, std::numeric_limits<double>::infinity());
                            }),
                      12.0, 12.0);
  pcg64 g(1);
  CHECK(pilotstats::draw::negative_binomial(g, 0.0, 3.0) == 0);
}

TEST_CASE("wild bootstrap weights: Rademacher, Webb, Mammen", "[core][draws]") {
  const auto r = draws(101, n_draws, [](pcg64& g) { return pilotstats::draw::rademacher(g); });
  const auto w = draws(102, n_draws, [](pcg64& g) { return pilotstats::draw::webb(g); });
  const auto m = draws(103, n_draws, [](pcg64& g) { return pilotstats::draw::mammen(g); });
  check_mean_variance(r, 0.0, 1.0);
  check_mean_variance(w, 0.0, 1.0);
  check_mean_variance(m, 0.0, 1.0);
  for (double v : r) REQUIRE((v == 1.0 || v == -1.0));
  // Webb: six points, each 1/6
  for (double point : {-std::sqrt(1.5), -1.0, -std::sqrt(0.5), std::sqrt(0.5), 1.0, std::sqrt(1.5)}) {
    const double count = static_cast<double>(
        std::count_if(w.begin(), w.end(), [&](double v) { return std::fabs(v - point) < 1e-15; }));
    const double se = std::sqrt(n_draws * (1.0 / 6) * (5.0 / 6));
    CHECK(std::fabs(count - n_draws / 6.0) < 5 * se);
  }
  // Mammen: E v^3 = 1 and Var v^3 = E v^6 - 1 = 4 (exact), so se = sqrt(4 / n)
  double third = 0;
  for (double v : m) third += v * v * v;
  third /= static_cast<double>(m.size());
  CHECK(std::fabs(third - 1.0) < 5 * std::sqrt(4.0 / n_draws));
}

TEST_CASE("draws are reproducible from a seed", "[core][draws]") {
  pcg64 a(2016), b(2016);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(pilotstats::draw::negative_binomial(a, 40.0, 20.0) ==
            pilotstats::draw::negative_binomial(b, 40.0, 20.0));
    REQUIRE(pilotstats::draw::gamma(a, 0.7, 1.0) == pilotstats::draw::gamma(b, 0.7, 1.0));
    REQUIRE(pilotstats::draw::poisson(a, 123.4) == pilotstats::draw::poisson(b, 123.4));
  }
}

TEST_CASE("log_gamma_stirling agrees with Boost.Math lgamma", "[core][draws]") {
  for (double x : {1.0, 1.5, 2.0, 3.0, 6.5, 7.0, 11.0, 101.0, 1e4, 1e7}) {
    INFO("x " << x);
    CHECK(pilotstats::detail::log_gamma_stirling(x) ==
          Approx(boost::math::lgamma(x)).epsilon(1e-13).margin(1e-14));
  }
}

TEST_CASE("draws check their arguments", "[core][draws]") {
  pcg64 g(1);
  using pilotstats::invalid_input;
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  const auto inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(pilotstats::draw::negative_binomial(g, 5.0, -1.0),
                    "negative_binomial: size theta is -1, but must be positive");
  CHECK_THROWS_AS(pilotstats::draw::negative_binomial(g, 5.0, 0.0), invalid_input);
  CHECK_THROWS_AS(pilotstats::draw::negative_binomial(g, 5.0, nan), invalid_input);
  CHECK_THROWS_WITH(pilotstats::draw::negative_binomial(g, -2.0, 1.0),
                    "negative_binomial: mean mu is -2, but must be nonnegative and finite");
  CHECK_THROWS_WITH(pilotstats::draw::gamma(g, 0.0, 1.0),
                    "gamma: shape is 0, but must be positive and finite");
  CHECK_THROWS_WITH(pilotstats::draw::gamma(g, 1.0, -0.5),
                    "gamma: scale is -0.5, but must be positive and finite");
  CHECK_THROWS_AS(pilotstats::draw::gamma(g, inf, 1.0), invalid_input);
  CHECK_THROWS_WITH(pilotstats::draw::poisson(g, -1.0),
                    "poisson: mean is -1, but must be nonnegative and finite");
  CHECK_THROWS_AS(pilotstats::draw::poisson(g, nan), invalid_input);
  CHECK_THROWS_AS(pilotstats::draw::poisson(g, 1e16), invalid_input);
  CHECK_THROWS_WITH(pilotstats::draw::normal(g, 0.0, -1.0),
                    "normal: standard deviation sd is -1, but must be nonnegative and finite");
  CHECK_THROWS_AS(pilotstats::draw::uniform(g, 1.0, 1.0), invalid_input);
  CHECK_THROWS_AS(pilotstats::draw::uniform_int(g, 0), invalid_input);
  CHECK_THROWS_AS(pilotstats::draw::bernoulli(g, 1.5), invalid_input);
  // a failed check draws nothing
  pcg64 fresh(1), used(1);
  CHECK_THROWS(pilotstats::draw::gamma(used, -1.0, 1.0));
  CHECK(fresh == used);
}
