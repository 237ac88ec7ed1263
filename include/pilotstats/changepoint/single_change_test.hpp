// pilotstats/changepoint/single_change_test.hpp: at most one change, tested: the maximal
// likelihood-ratio and CUSUM statistics with asymptotic and permutation p-values, and an
// interval for the location.
//
// Synopsis
//   const auto t = pilotstats::single_change_test(y, pilotstats::single_change_model::normal_mean,
//                                                 {.permutations = 999, .seed = 1});
//   t.location;                      // R's cpt: the change is after observation `location`
//   t.lr_statistic, t.lr_p_value;    // 2 log LR and its asymptotic p-value
//   t.lr_p_permutation;              // (1 + #{permuted >= observed}) / (1 + permutations)
//   t.cusum_statistic, t.cusum_p_value, t.cusum_p_permutation;
//   t.interval.lower, t.interval.upper;
//
// The LR statistic is the cost reduction of the best single split (amoc.hpp, candidates
// [m, n - m], m = min_segment_length): 2 log LR = C(0, n) - min_tau C(0, tau) + C(tau, n).
//   normal_mean   C the sum of squared deviations from the segment mean, divided by sd^2:
//                 sd as given, or else R's mad(diff(y)) / sqrt(2) (the MAD of the first
//                 differences: consistent with or without one change in mean).
//                 With sd = 1 this is R changepoint's cpt.mean(test.stat = "Normal",
//                 method = "AMOC") statistic, null - alt in single.mean.norm.calc.
//   poisson_rate  C the Poisson cost of poisson_cost.hpp (R's cpt.meanvar(test.stat = "Poisson")).
// Asymptotic p-value: Csörgő & Horváth (1997), Limit Theorems in Change-Point Analysis,
// Theorem 1.3.1 (one changing parameter, no trimming): with a = (2 log log n)^(-1/2) and
// b = 1/a + (a/2) log log log n,
//     P(sqrt(2 log LR) <= c) -> exp(-2 sqrt(pi) exp(-(c - b) / a)),
// as R changepoint 2.3 uses it for its "Asymptotic" penalty (penalty_decision(), "mean.norm"):
// pen(alpha) = c^2 where 1 - alpha + exp(-2 sqrt(pi) exp(b / a)) is the limit at c. The p-value
// here is that equation solved for alpha at c = sqrt(statistic), so p(pen(alpha)) = alpha and a
// test at level alpha rejects exactly when R's AMOC with penalty = "Asymptotic", pen.value =
// alpha finds a change (R's decision: statistic >= pen). (R's class = FALSE "conf.value" uses
// a sqrt(S) where the penalty uses sqrt(S) / a, so it is not 1 - this p-value; we follow the
// penalty, which is what R's decisions use.) The same limit holds for the Poisson rate (one
// parameter; Csörgő & Horváth's general theorem), where R has no asymptotic penalty. It needs
// n >= 16 (log log log n > 0); below, no asymptotic p-value is given (a warning). The
// approximation is known to be conservative at moderate n; prefer the permutation p-value there.
//
// CUSUM: the OLS-CUSUM test of cusum.hpp (strucchange's efp(type = "OLS-CUSUM")) on the same
// series, with its Brownian-bridge p-value.
//
// Permutation p-values: both statistics recomputed (the sd estimate too) on `permutations`
// random orderings of the series (Fisher-Yates with pcg64(seed)), p = (1 + #{T* >= T}) /
// (1 + B): a valid test, exact in the sense of never exceeding its level, whenever the
// observations are exchangeable under no change (Good 2005, Permutation Tests); not under
// autocorrelation.
//
// Location interval: Bai (1997), "Estimation of a change point in multiple regression models",
// Rev. Econ. Stat. 79, 551-563, the asymptotic distribution of the least-squares break date,
// computed as strucchange's confint(breakpoints(y ~ 1, h = m, breaks = 1)) (breakpoints.hpp's
// break_date_intervals, heteroskedastic across the two segments). Chosen over a likelihood-ratio
// profile set, whose calibration for a break date is not chi-square, and over a bootstrap, which
// is not consistent for a fixed shift (the estimator's limit is not normal); Bai's interval has
// a known limit and a reference implementation to match. For normal_mean the two segments'
// residual variances are used (as strucchange); for poisson_rate the same formula with the
// Poisson variances (the segment rates) in their place, an approximation for counts.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "pilotstats/changepoint/amoc.hpp"
#include "pilotstats/changepoint/breakpoints.hpp"
#include "pilotstats/changepoint/cusum.hpp"
#include "pilotstats/changepoint/normal_costs.hpp"
#include "pilotstats/changepoint/poisson_cost.hpp"
#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/error.hpp"
#include "pilotstats/core/rng.hpp"

namespace pilotstats {

enum class single_change_model { normal_mean, poisson_rate };

struct single_change_options {
  Eigen::Index min_segment_length = 2;  // both parts at least this long (>= 2 for the interval)
  std::optional<double> sd;             // normal_mean: known sd; empty: MAD of differences
  int permutations = 0;                 // 0: no permutation p-values
  std::uint64_t seed = 1;
  double level = 0.95;                  // of the location interval

  void validate() const {
    if (min_segment_length < 1)
      throw invalid_input("single_change_test: min_segment_length is " + std::to_string(min_segment_length) + ", but must be >= 1");
    if (sd && !(*sd > 0 && std::isfinite(*sd)))
      throw invalid_input("single_change_test: sd is " + std::to_string(*sd) + ", but must be finite and > 0");
    if (permutations < 0)
      throw invalid_input("single_change_test: permutations is " + std::to_string(permutations) + ", but must be >= 0");
    if (!(level > 0 && level < 1))
      throw invalid_input("single_change_test: level is " + std::to_string(level) + ", but must be in (0, 1)");
  }
};

struct single_change_test_result {
  single_change_model model = single_change_model::normal_mean;
  Eigen::Index n = 0;
  Eigen::Index location = 0;                 // R's cpt: last observation (1-based) before the change
  double lr_statistic = 0;                   // 2 log LR at the location
  std::optional<double> lr_p_value;          // asymptotic (n >= 16)
  std::optional<double> lr_p_permutation;
  double cusum_statistic = 0;                // max |W(k)|, cusum.hpp
  double cusum_p_value = 1;                  // Brownian bridge
  Eigen::Index cusum_location = 0;
  std::optional<double> cusum_p_permutation;
  int permutations = 0;
  double sd = 1;                             // normal_mean: the sd used; poisson_rate: 1
  double before = 0, after = 0;              // segment means (rates) either side of the location
  break_interval interval;                   // for the location, R's convention; see `computed`
  std::vector<std::string> warnings;
};

// P-value of the maximal 2 log LR statistic for one changing parameter, n observations.
inline double max_lr_asymptotic_p_value(double statistic, Eigen::Index n) {
  if (n < 16) throw invalid_input("max_lr_asymptotic_p_value: n is " + std::to_string(n) + ", but must be >= 16 (log log log n > 0)");
  if (!(statistic >= 0) || !std::isfinite(statistic))
    throw invalid_input("max_lr_asymptotic_p_value: statistic is " + std::to_string(statistic) + ", but must be finite and >= 0");
  const double ll = std::log(std::log(static_cast<double>(n)));
  const double a = 1 / std::sqrt(2 * ll), b = 1 / a + 0.5 * a * std::log(ll);
  const double c = 2 * std::sqrt(std::numbers::pi);
  const double floor = std::exp(-c * std::exp(b / a));  // the limit's mass at c = 0
  const double p = -std::expm1(-c * std::exp(-(std::sqrt(statistic) - b) / a)) + floor;
  return std::clamp(p, 0.0, 1.0);
}

// R changepoint's "Asymptotic" penalty for the normal mean at level alpha (the statistic's
// critical value): the inverse of max_lr_asymptotic_p_value.
inline double max_lr_asymptotic_penalty(double alpha, Eigen::Index n) {
  if (!(alpha > 0 && alpha <= 1)) throw invalid_input("max_lr_asymptotic_penalty: alpha is " + std::to_string(alpha) + ", but must be in (0, 1]");
  if (n < 16) throw invalid_input("max_lr_asymptotic_penalty: n is " + std::to_string(n) + ", but must be >= 16 (log log log n > 0)");
  const double ll = std::log(std::log(static_cast<double>(n)));
  const double a = 1 / std::sqrt(2 * ll), b = 1 / a + 0.5 * a * std::log(ll);
  const double c = 2 * std::sqrt(std::numbers::pi);
  const double root = b - a * std::log(-std::log1p(-alpha + std::exp(-c * std::exp(b / a))) / c);
  return root * root;
}

namespace detail {

inline double median_in_place(std::vector<double>& v) {
  const std::size_t m = v.size();
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(m / 2);
  std::nth_element(v.begin(), mid, v.end());
  double med = *mid;
  if (m % 2 == 0) med = 0.5 * (med + *std::max_element(v.begin(), mid));
  return med;
}

// R's mad(diff(y)) / sqrt(2): 1.4826 median |d - median(d)| of the first differences d.
inline double mad_of_differences(const Eigen::Ref<const Eigen::VectorXd>& y, std::vector<double>& work) {
  work.resize(static_cast<std::size_t>(y.size() - 1));
  for (Eigen::Index i = 0; i + 1 < y.size(); ++i) work[static_cast<std::size_t>(i)] = y(i + 1) - y(i);
  const double centre = median_in_place(work);
  for (auto& d : work) d = std::abs(d - centre);
  return 1.4826 * median_in_place(work) / std::numbers::sqrt2;  // R mad()'s constant
}

struct lr_fit {
  double statistic, sd;
  Eigen::Index location;
};

inline lr_fit max_lr(const Eigen::Ref<const Eigen::VectorXd>& y, single_change_model model, const single_change_options& o,
                     std::vector<double>& work) {
  if (model == single_change_model::poisson_rate) {
    const auto a = at_most_one_change(poisson_cost(y), 0.0, o.min_segment_length);
    return {a.statistic, 1.0, a.location};
  }
  const double sd = o.sd ? *o.sd : mad_of_differences(y, work);
  if (!(sd > 0)) return {0.0, 0.0, 0};  // flagged by the caller
  const auto a = at_most_one_change(normal_mean_cost(y / sd), 0.0, o.min_segment_length);
  return {a.statistic, sd, a.location};
}

}  // namespace detail

inline single_change_test_result single_change_test(const Eigen::Ref<const Eigen::VectorXd>& y, single_change_model model,
                                                    const single_change_options& o = {}) {
  o.validate();
  const Eigen::Index n = y.size();
  const std::string where = "single_change_test";
  if (n < 2 * o.min_segment_length || n < 4)
    throw invalid_input(where + ": the series has " + std::to_string(n) + " values, but needs at least max(4, 2 x min_segment_length = " +
                        std::to_string(2 * o.min_segment_length) + ")");
  single_change_test_result r;
  r.model = model;
  r.n = n;
  r.permutations = o.permutations;
  std::vector<double> work;
  // the costs check finiteness (and counts for Poisson)
  const auto fit = detail::max_lr(y, model, o, work);
  if (model == single_change_model::normal_mean && !(fit.sd > 0))
    throw domain_error(where + ": the sd estimate (MAD of first differences) is 0, so the normal statistic is undefined; give sd");
  r.lr_statistic = fit.statistic;
  r.sd = fit.sd;
  r.location = fit.location;
  if (n >= 16) r.lr_p_value = max_lr_asymptotic_p_value(std::max(0.0, r.lr_statistic), n);
  else r.warnings.push_back("n = " + std::to_string(n) + " is below 16: no asymptotic p-value for the LR statistic");
  const auto cusum = cusum_mean_test(y);
  r.cusum_statistic = cusum.statistic;
  r.cusum_p_value = cusum.p_value;
  r.cusum_location = cusum.location;
  r.before = y.head(r.location).mean();
  r.after = y.tail(n - r.location).mean();

  if (o.permutations > 0) {
    pcg64 rng(o.seed);
    Eigen::VectorXd shuffled = y;
    int lr_count = 0, cusum_count = 0;
    // relative slack so that a permutation equal to the data (ties) counts as >=
    const double lr_bar = r.lr_statistic * (1 - 1e-12), cusum_bar = r.cusum_statistic * (1 - 1e-12);
    for (int b = 0; b < o.permutations; ++b) {
      for (Eigen::Index i = n - 1; i > 0; --i)
        std::swap(shuffled(i), shuffled(static_cast<Eigen::Index>(draw::uniform_int(rng, static_cast<std::uint64_t>(i + 1)))));
      const auto p = detail::max_lr(shuffled, model, o, work);
      if (p.sd > 0 && p.statistic >= lr_bar) ++lr_count;
      if (cusum_mean_test(shuffled).statistic >= cusum_bar) ++cusum_count;
    }
    r.lr_p_permutation = (1.0 + lr_count) / (1.0 + o.permutations);
    r.cusum_p_permutation = (1.0 + cusum_count) / (1.0 + o.permutations);
  }

  // Bai's interval: a constant-only design, segments either side of the location
  const Eigen::MatrixXd ones = Eigen::MatrixXd::Ones(n, 1);
  std::vector<regression_segment> segments;
  if (model == single_change_model::normal_mean) {
    segments = fit_regression_segments(y, ones, {r.location}, r.warnings);
  } else {
    for (const auto& [a, b] : {std::pair{Eigen::Index{0}, r.location}, std::pair{r.location, n}}) {
      const double rate = y.segment(a, b - a).mean();
      segments.push_back({a, b, Eigen::VectorXd::Constant(1, rate), rate * static_cast<double>(b - a)});
    }
  }
  const auto intervals = break_date_intervals(ones, segments, o.level, r.warnings);
  r.interval = intervals.front();
  return r;
}

}  // namespace pilotstats
