// pilotstats/core/draws.hpp: random draws on a 64-bit engine (pcg64), with no std::
// distributions, so that a seed gives the same numbers with every standard library.
//
// Synopsis
//   pcg64 rng(1);
//   double u = uniform01(rng);                        // [0, 1), 53 bits
//   double z = standard_normal(rng);
//   double g = gamma(rng, 2.5, 1.0);                  // shape, scale
//   std::int64_t n = poisson(rng, 12.3);
//   std::int64_t c = negative_binomial(rng, 30.0, 20.0);  // NB2: mean 30, variance 30 + 30^2/20
//   double w = webb(rng);                             // wild bootstrap weights
//
// Methods and conventions
//   uniform01          (x >> 11) * 2^-53, numpy's Generator.random() bit for bit.
//   uniform_int(n)     {0, ..., n-1}, Lemire's multiply-and-reject (unbiased; Lemire 2019,
//                      "Fast random integer generation in an interval", ACM TOMACS 29(1)).
//   standard_normal    Marsaglia's polar method (SIAM Review 6, 1964); one of the pair is
//                      returned and the other dropped, so that draws need no hidden state.
//   gamma(shape,scale) Marsaglia & Tsang (2000), ACM TOMS 26(3), with the squeeze
//                      1 - 0.0331 x^4; for shape < 1 the boost gamma(shape + 1) * U^(1/shape).
//   poisson(mean)      mean < 10: inversion by sequential search (one uniform per draw);
//                      mean >= 10: Hoermann's PTRS, transformed rejection with squeeze
//                      (Hoermann 1993, Insurance: Mathematics and Economics 12), as in numpy.
//   negative_binomial  NB2 as a gamma-Poisson mixture: lambda ~ gamma(theta, mu / theta),
//                      count ~ poisson(lambda); mean mu, variance mu + mu^2 / theta (R's
//                      rnbinom(size = theta, mu = mu)). theta = +infinity gives poisson(mu).
//   rademacher         -1 or +1, each 1/2 (from the top bit).
//   webb               +-sqrt(1/2), +-1, +-sqrt(3/2), each 1/6 (Webb 2014, Queen's WP 1315).
//   mammen             -(sqrt5 - 1)/2 with probability (sqrt5 + 1)/(2 sqrt5), else
//                      (sqrt5 + 1)/2 (Mammen 1993): mean 0, variance 1, third moment 1.
//
// Reproducibility. The integer-valued and uniform draws are exact integer arithmetic. Draws
// that use log, exp or sqrt depend on the C library's log and exp being correctly rounded
// (glibc's are, to within the last bit in practice); compile without -ffast-math.
//
// Arguments are checked before any number is drawn; a broken rule throws invalid_input
// ("negative_binomial: size theta is -1, but must be positive").
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include "pilotstats/core/error.hpp"
#include "pilotstats/core/rng.hpp"

namespace pilotstats {

// A 64-bit engine covering all of [0, 2^64), such as pcg64.
template <class E>
concept random_engine64 = std::uniform_random_bit_generator<E> &&
                          std::same_as<typename E::result_type, std::uint64_t> &&
                          (E::min() == 0) &&
                          (E::max() == std::numeric_limits<std::uint64_t>::max());

namespace detail {

inline std::string format_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

[[noreturn]] inline void fail_argument(const char* function, const char* argument, double value,
                                       const char* rule) {
  throw invalid_input(std::string(function) + ": " + argument + " is " + format_number(value) +
                      ", but must be " + rule);
}

inline void check_finite(const char* function, const char* argument, double value) {
  if (!std::isfinite(value)) fail_argument(function, argument, value, "finite");
}

inline void check_positive(const char* function, const char* argument, double value) {
  if (!(value > 0.0)) fail_argument(function, argument, value, "positive");
}

inline void check_positive_finite(const char* function, const char* argument, double value) {
  if (!(value > 0.0) || !std::isfinite(value))
    fail_argument(function, argument, value, "positive and finite");
}

inline void check_nonnegative_finite(const char* function, const char* argument, double value) {
  if (!(value >= 0.0) || !std::isfinite(value))
    fail_argument(function, argument, value, "nonnegative and finite");
}

// log(Gamma(x)) for x >= 1 by the Stirling series after shifting x up to 7 (numpy's
// random_loggam). Plain double arithmetic, so it gives the same bits everywhere, unlike
// lgamma implementations that work in long double. Relative error below 1e-14 for x >= 1.
inline double log_gamma_stirling(double x) {
  static constexpr double a[10] = {8.333333333333333e-02,  -2.777777777777778e-03,
                                   7.936507936507937e-04,  -5.952380952380952e-04,
                                   8.417508417508418e-04,  -1.917526917526918e-03,
                                   6.410256410256410e-03,  -2.955065359477124e-02,
                                   1.796443723688307e-01,  -1.39243221690590e+00};
  if (x == 1.0 || x == 2.0) return 0.0;
  const int n = x < 7.0 ? static_cast<int>(7.0 - x) : 0;
  double x0 = x + n;
  const double x2 = (1.0 / x0) * (1.0 / x0);
  double gl0 = a[9];
  for (int k = 8; k >= 0; --k) gl0 = gl0 * x2 + a[k];
  const double log_2pi = 1.8378770664093453e+00;
  double gl = gl0 / x0 + 0.5 * log_2pi + (x0 - 0.5) * std::log(x0) - x0;
  for (int k = 1; k <= n; ++k) {
    gl -= std::log(x0 - 1.0);
    x0 -= 1.0;
  }
  return gl;
}

template <random_engine64 E>
std::int64_t poisson_inversion(E& engine, double mean) {
  const double u = (engine() >> 11) * 0x1.0p-53;
  std::int64_t k = 0;
  double p = std::exp(-mean);
  double cdf = p;
  while (u >= cdf) {
    ++k;
    p *= mean / static_cast<double>(k);
    const double next = cdf + p;
    if (next == cdf) break;  // the tail no longer adds to the cdf: u is within rounding of 1
    cdf = next;
  }
  return k;
}

template <random_engine64 E>
std::int64_t poisson_ptrs(E& engine, double mean) {
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = (engine() >> 11) * 0x1.0p-53 - 0.5;
    const double v = (engine() >> 11) * 0x1.0p-53;
    const double us = 0.5 - std::fabs(u);
    const double kd = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(kd);
    if (kd < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -mean + kd * loglam - log_gamma_stirling(kd + 1.0))
      return static_cast<std::int64_t>(kd);
  }
}

}  // namespace detail

// Draws are free functions in pilotstats::draw, so their names (normal, gamma, ...) stay
// out of the way of the library's types: draw::poisson(rng, mean).
namespace draw {

// Uniform on [0, 1) with 53 random bits (numpy: Generator.random()).
template <random_engine64 E>
double uniform01(E& engine) {
  return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

// Uniform on [low, high).
template <random_engine64 E>
double uniform(E& engine, double low, double high) {
  detail::check_finite("uniform", "lower bound low", low);
  detail::check_finite("uniform", "upper bound high", high);
  if (!(high > low))
    throw invalid_input("uniform: upper bound high is " + detail::format_number(high) +
                        ", but must be greater than the lower bound " +
                        detail::format_number(low));
  return low + (high - low) * uniform01(engine);
}

// Uniform on {0, 1, ..., n - 1}, unbiased.
template <random_engine64 E>
std::uint64_t uniform_int(E& engine, std::uint64_t n) {
  if (n == 0) throw invalid_input("uniform_int: range size n is 0, but must be at least 1");
  uint128 m = detail::mul_64x64(engine(), n);
  if (m.lo < n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (m.lo < threshold) m = detail::mul_64x64(engine(), n);
  }
  return m.hi;
}

// true with probability p.
template <random_engine64 E>
bool bernoulli(E& engine, double p) {
  if (!(p >= 0.0 && p <= 1.0))
    detail::fail_argument("bernoulli", "probability p", p, "in [0, 1]");
  return uniform01(engine) < p;
}

template <random_engine64 E>
double standard_normal(E& engine) {
  for (;;) {
    const double u = 2.0 * uniform01(engine) - 1.0;
    const double v = 2.0 * uniform01(engine) - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * std::log(s) / s);
  }
}

template <random_engine64 E>
double normal(E& engine, double mean, double sd) {
  detail::check_finite("normal", "mean", mean);
  detail::check_nonnegative_finite("normal", "standard deviation sd", sd);
  return mean + sd * standard_normal(engine);
}

// Gamma with the given shape and scale: mean shape * scale, variance shape * scale^2.
template <random_engine64 E>
double gamma(E& engine, double shape, double scale) {
  detail::check_positive_finite("gamma", "shape", shape);
  detail::check_positive_finite("gamma", "scale", scale);
  double boost = 1.0;
  double a = shape;
  if (a < 1.0) {
    // gamma(a) = gamma(a + 1) * U^(1/a); U is drawn first so the stream order is fixed.
    const double u = uniform01(engine);
    boost = std::exp(std::log(u) / a);  // u = 0 gives 0, a legitimate (rounded) value
    a += 1.0;
  }
  const double d = a - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0.0, v = 0.0;
    do {
      x = standard_normal(engine);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = uniform01(engine);
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2 ||
        std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v)))
      return d * v * boost * scale;
  }
}

// Poisson with the given mean (0 <= mean <= 1e15).
template <random_engine64 E>
std::int64_t poisson(E& engine, double mean) {
  detail::check_nonnegative_finite("poisson", "mean", mean);
  if (mean > 1e15) detail::fail_argument("poisson", "mean", mean, "at most 1e15");
  if (mean == 0.0) return 0;
  return mean < 10.0 ? detail::poisson_inversion(engine, mean) : detail::poisson_ptrs(engine, mean);
}

// Negative binomial NB2 with mean mu and size theta: variance mu + mu^2 / theta.
template <random_engine64 E>
std::int64_t negative_binomial(E& engine, double mu, double theta) {
  detail::check_nonnegative_finite("negative_binomial", "mean mu", mu);
  if (std::isnan(theta) || !(theta > 0.0))
    detail::fail_argument("negative_binomial", "size theta", theta, "positive");
  if (mu == 0.0) return 0;
  if (std::isinf(theta)) return poisson(engine, mu);
  return poisson(engine, gamma(engine, theta, mu / theta));
}

template <random_engine64 E>
double rademacher(E& engine) {
  return (engine() >> 63) != 0 ? 1.0 : -1.0;
}

template <random_engine64 E>
double webb(E& engine) {
  static constexpr double magnitude[3] = {0.70710678118654752440, 1.0, 1.22474487139158904910};
  const std::uint64_t i = uniform_int(engine, 6);
  return i < 3 ? -magnitude[i] : magnitude[i - 3];
}

template <random_engine64 E>
double mammen(E& engine) {
  constexpr double sqrt5 = 2.23606797749978969641;
  constexpr double p_low = (sqrt5 + 1.0) / (2.0 * sqrt5);
  return uniform01(engine) < p_low ? -(sqrt5 - 1.0) / 2.0 : (sqrt5 + 1.0) / 2.0;
}

}  // namespace draw

}  // namespace pilotstats
