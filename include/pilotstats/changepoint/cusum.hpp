// pilotstats/changepoint/cusum.hpp: the CUSUM test for a single change in mean, with its
// asymptotic p-value.
//
// The OLS-based CUSUM (Ploberger & Kraemer 1992) of a mean-only model, as R strucchange's
// sctest(efp(y ~ 1, type = "OLS-CUSUM")):
//     W(k) = sum_{i <= k} (y_i - ybar) / (sigma sqrt(n)),  sigma^2 = sum (y_i - ybar)^2 / (n - 1),
//     statistic S = max_k |W(k)|,
// which converges under no change to the supremum of a Brownian bridge, so
//     p = P(sup |B| > S) = 2 sum_{j >= 1} (-1)^(j+1) exp(-2 j^2 S^2)          (Kolmogorov),
// summed directly for S >= 1 and as 1 - sqrt(2 pi)/S sum exp(-(2j-1)^2 pi^2 / (8 S^2)) below,
// where each series converges fast. strucchange sums a truncated series and subtracts from 1,
// so below about 1e-10 its p-values lose digits (and reach 0); these keep them. The location
// is the k of the maximum: the change is after observation k (R changepoint's cpt convention).
// The series must not be constant (sigma = 0 leaves S undefined: a domain_error).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/core/error.hpp"

namespace pilotstats {

struct cusum_test_result {
  double statistic = 0;       // max_k |W(k)|
  double p_value = 1;         // asymptotic, Brownian bridge
  Eigen::Index location = 0;  // k of the maximum, 1..n-1
  double sigma = 0;           // residual sd with divisor n - 1
};

// P(sup over [0, 1] of |Brownian bridge| > x).
inline double brownian_bridge_sup_upper(double x) {
  if (!(x >= 0)) throw invalid_input("brownian_bridge_sup_upper: x is " + std::to_string(x) + ", but must be >= 0");
  if (x == 0) return 1.0;
  if (x >= 1) {
    double p = 0;
    for (int j = 1; j <= 100; ++j) {
      const double term = std::exp(-2.0 * j * j * x * x);
      p += (j % 2 == 1 ? 2 : -2) * term;
      if (term < 1e-300) break;
    }
    return p;
  }
  const double pi2 = std::numbers::pi * std::numbers::pi;
  double cdf = 0;
  for (int j = 1; j <= 100; ++j) {
    const double k = 2.0 * j - 1;
    const double term = std::exp(-k * k * pi2 / (8 * x * x));
    cdf += term;
    if (term < 1e-17 * cdf) break;
  }
  cdf *= std::sqrt(2 * std::numbers::pi) / x;
  return std::max(0.0, 1.0 - cdf);
}

inline cusum_test_result cusum_mean_test(const Eigen::Ref<const Eigen::VectorXd>& y) {
  detail::check_cost_data("cusum_mean_test", y);
  const Eigen::Index n = y.size();
  if (n < 3) throw invalid_input("cusum_mean_test: the series has " + std::to_string(n) + " values, but needs at least 3");
  const double mean = y.mean();
  const double ss = (y.array() - mean).square().sum();
  if (!(ss > 0)) throw domain_error("cusum_mean_test: the series is constant, so the CUSUM statistic is undefined");
  cusum_test_result r;
  r.sigma = std::sqrt(ss / static_cast<double>(n - 1));
  const double scale = r.sigma * std::sqrt(static_cast<double>(n));
  double partial = 0;
  for (Eigen::Index k = 1; k < n; ++k) {
    partial += y(k - 1) - mean;
    const double w = std::abs(partial) / scale;
    if (w > r.statistic) {
      r.statistic = w;
      r.location = k;
    }
  }
  r.p_value = brownian_bridge_sup_upper(r.statistic);
  return r;
}

}  // namespace pilotstats
