// pilotstats/changepoint/poisson_cost.hpp: a change in the rate of Poisson counts.
//
// R changepoint 2.3, cpt.meanvar(test.stat = "Poisson"), src/cost_general_functions.c
// (mll_meanvar_poisson): for a segment of length n with total count x,
//     cost = 2 x (log(n) - log(x)),   0 when x = 0,
// which is -2 x the Poisson log-likelihood at the rate x / n less the terms (x and log y!)
// that every segmentation shares. The data must be non-negative integers (R stops with
// "Poisson test statistic requires integer data"); each change adds one parameter (the rate).
#pragma once

#include <Eigen/Core>
#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include "pilotstats/changepoint/cost.hpp"

namespace pilotstats {

class poisson_cost {
 public:
  static constexpr std::string_view name = "poisson";
  static constexpr int parameters_per_change = 1;
  static constexpr Eigen::Index minimum_segment_length = 1;  // cpt.meanvar allows 1 for Poisson
  static constexpr Eigen::Index default_segment_length = 2;  // cpt.meanvar's default minseglen

  explicit poisson_cost(const Eigen::Ref<const Eigen::VectorXd>& y) {
    detail::check_cost_data(name, y);
    for (Eigen::Index i = 0; i < y.size(); ++i)
      if (y(i) < 0 || y(i) != std::floor(y(i)))
        throw invalid_input("poisson: value " + std::to_string(i + 1) + " (1-based) is " +
                            std::to_string(y(i)) + ", but counts must be non-negative integers");
    s1_ = detail::prefix_sums(y.size(), [&](Eigen::Index i) { return y(i); });
  }

  Eigen::Index size() const { return s1_.size() - 1; }
  double operator()(Eigen::Index a, Eigen::Index b) const {
    return between(boundary(a), boundary(b), static_cast<double>(b - a));
  }
  // summed_cost (cost.hpp): the total count before index i.
  static constexpr int boundary_size = 1;
  std::array<double, 1> boundary(Eigen::Index i) const { return {s1_(i)}; }
  // The same as a column, boundary(i)[0] = boundary_column(0)[i]: FPOP reads consecutive ones at once.
  const double* boundary_column(int) const { return s1_.data(); }
  static double between(const std::array<double, 1>& a, const std::array<double, 1>& b, double length) {
    return between(a, b, length, std::log(length), [](double x) { return std::log(x); });
  }
  // The same with log(length) given and the log of the total count (a whole number) taken from
  // `log`: the searches pass a table of std::log's results (candidates.hpp), so the same bits.
  template <class Log>
  static double between(const std::array<double, 1>& a, const std::array<double, 1>& b, double,
                        double log_length, Log&& log) {
    const double x = b[0] - a[0];
    if (x == 0) return 0.0;
    return 2 * x * (log_length - log(x));
  }
  // The same for four candidates at once (pelt.hpp; lanes.hpp: no vector by value, always
  // inlined): `log(x, log_x)` gives the logs of whole numbers.
  template <class Real, class Log>
  [[gnu::always_inline]] static void between(const std::array<Real, 1>& a, const std::array<Real, 1>& b, const Real&,
                                             const Real& log_length, Log&& log, Real& cost) {
    const Real x = b[0] - a[0];
    Real log_x;
    log(x, log_x);
    cost = 2 * x * (log_length - log_x);
    cost = x == 0 ? Real{} : cost;  // (log 0 = -infinity made it NaN)
  }
  // The largest total count between two boundaries a <= b: between() takes its log.
  static double largest_log_argument(const std::array<double, 1>& a, const std::array<double, 1>& b) {
    return b[0] - a[0];
  }
  double pruning_constant() const { return 0.0; }
  segment_estimate estimate(Eigen::Index a, Eigen::Index b) const {
    segment_estimate e;
    e.rate = (s1_(b) - s1_(a)) / static_cast<double>(b - a);
    return e;
  }

 private:
  Eigen::VectorXd s1_;
};

}  // namespace pilotstats
