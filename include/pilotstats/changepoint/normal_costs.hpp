// pilotstats/changepoint/normal_costs.hpp: the three normal costs of R changepoint.
//
// Each is R changepoint 2.3's cost function (src/cost_general_functions.c) on the summary
// statistics R's SumStats builds (cumulative sums of y, y^2 and (y - mu)^2), for segment
// [a, b) of length n with sums x = sum y, x2 = sum y^2, x3 = sum (y - mu)^2:
//
//   normal_mean_cost     x2 - x^2 / n  (mll_mean): the sum of squared deviations from the
//                        segment mean, i.e. twice the negative log-likelihood with the
//                        variance known to be 1, up to a constant. The data are used as
//                        given, not scaled: cpt.mean(test.stat = "Normal") assumes unit
//                        variance, so divide y by an estimate of its sd first if it is not 1.
//   normal_var_cost      n (log(2 pi) + log(x3 / n) + 1) (mll_var), x3 floored at 1e-11; the
//                        mean mu is known: the mean of the whole series unless given
//                        (cpt.var(know.mean = FALSE) uses mean(data)).
//   normal_meanvar_cost  n (log(2 pi) + log(s2) + 1) with s2 = (x2 - x^2 / n) / n floored at
//                        1e-11 (mll_meanvar): -2 x the profile log-likelihood.
//
// The floors keep a constant segment from costing -infinity; R applies the var floor to the
// sum x3 and the meanvar floor to the variance s2, and so does this code.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <optional>
#include <string_view>

#include "pilotstats/changepoint/cost.hpp"

namespace pilotstats {

class normal_mean_cost {
 public:
  static constexpr std::string_view name = "normal mean";
  static constexpr int parameters_per_change = 1;
  static constexpr Eigen::Index minimum_segment_length = 1;
  static constexpr Eigen::Index default_segment_length = 1;

  explicit normal_mean_cost(const Eigen::Ref<const Eigen::VectorXd>& y) {
    detail::check_cost_data(name, y);
    s1_ = detail::prefix_sums(y.size(), [&](Eigen::Index i) { return y(i); });
    s2_ = detail::prefix_sums(y.size(), [&](Eigen::Index i) { return y(i) * y(i); });
  }

  Eigen::Index size() const { return s1_.size() - 1; }
  double operator()(Eigen::Index a, Eigen::Index b) const {
    return between(boundary(a), boundary(b), static_cast<double>(b - a));
  }
  // summed_cost (cost.hpp): sums of y and y^2 before index i.
  static constexpr int boundary_size = 2;
  std::array<double, 2> boundary(Eigen::Index i) const { return {s1_(i), s2_(i)}; }
  // The same as columns, boundary(i)[j] = boundary_column(j)[i]: FPOP reads consecutive ones at once.
  const double* boundary_column(int j) const { return j == 0 ? s1_.data() : s2_.data(); }
  static double between(const std::array<double, 2>& a, const std::array<double, 2>& b, double length) {
    double cost;
    between(a, b, length, cost);
    return cost;
  }
  // The same for four candidates at once (lanes.hpp: no vector by value, always inlined).
  template <class Real>
  [[gnu::always_inline]] static void between(const std::array<Real, 2>& a, const std::array<Real, 2>& b,
                                             const Real& length, Real& cost) {
    const Real x = b[0] - a[0];
    cost = (b[1] - a[1]) - x * x / length;
  }
  double pruning_constant() const { return 0.0; }
  segment_estimate estimate(Eigen::Index a, Eigen::Index b) const {
    segment_estimate e;
    e.mean = (s1_(b) - s1_(a)) / static_cast<double>(b - a);
    return e;
  }

 private:
  Eigen::VectorXd s1_, s2_;
};

class normal_var_cost {
 public:
  static constexpr std::string_view name = "normal variance";
  static constexpr int parameters_per_change = 1;
  static constexpr Eigen::Index minimum_segment_length = 2;  // cpt.var raises minseglen to 2
  static constexpr Eigen::Index default_segment_length = 2;

  // The mean is that of the whole series, as cpt.var(know.mean = FALSE).
  explicit normal_var_cost(const Eigen::Ref<const Eigen::VectorXd>& y)
      : normal_var_cost(y, std::nullopt) {}
  // A known mean, as cpt.var(know.mean = TRUE, mu = mean).
  normal_var_cost(const Eigen::Ref<const Eigen::VectorXd>& y, std::optional<double> mean) {
    detail::check_cost_data(name, y);
    if (mean && !std::isfinite(*mean))
      throw invalid_input("normal variance: the known mean is not a finite number");
    mu_ = mean ? *mean : y.mean();
    s3_ = detail::prefix_sums(y.size(), [&](Eigen::Index i) { return (y(i) - mu_) * (y(i) - mu_); });
  }

  Eigen::Index size() const { return s3_.size() - 1; }
  double mean() const { return mu_; }
  double operator()(Eigen::Index a, Eigen::Index b) const {
    return between(boundary(a), boundary(b), static_cast<double>(b - a));
  }
  // summed_cost (cost.hpp): the sum of (y - mu)^2 before index i.
  static constexpr int boundary_size = 1;
  std::array<double, 1> boundary(Eigen::Index i) const { return {s3_(i)}; }
  static double between(const std::array<double, 1>& a, const std::array<double, 1>& b, double n) {
    double x3 = b[0] - a[0];
    if (x3 <= 0) x3 = 1e-11;
    return n * (std::log(2 * std::numbers::pi) + std::log(x3 / n) + 1);
  }
  double pruning_constant() const { return 0.0; }
  segment_estimate estimate(Eigen::Index a, Eigen::Index b) const {
    segment_estimate e;
    e.mean = mu_;
    e.variance = (s3_(b) - s3_(a)) / static_cast<double>(b - a);
    return e;
  }

 private:
  double mu_ = 0;
  Eigen::VectorXd s3_;
};

class normal_meanvar_cost {
 public:
  static constexpr std::string_view name = "normal mean and variance";
  static constexpr int parameters_per_change = 2;
  static constexpr Eigen::Index minimum_segment_length = 2;  // cpt.meanvar raises minseglen to 2
  static constexpr Eigen::Index default_segment_length = 2;

  explicit normal_meanvar_cost(const Eigen::Ref<const Eigen::VectorXd>& y) {
    detail::check_cost_data(name, y);
    s1_ = detail::prefix_sums(y.size(), [&](Eigen::Index i) { return y(i); });
    s2_ = detail::prefix_sums(y.size(), [&](Eigen::Index i) { return y(i) * y(i); });
  }

  Eigen::Index size() const { return s1_.size() - 1; }
  double operator()(Eigen::Index a, Eigen::Index b) const {
    return between(boundary(a), boundary(b), static_cast<double>(b - a));
  }
  // summed_cost (cost.hpp): sums of y and y^2 before index i.
  static constexpr int boundary_size = 2;
  std::array<double, 2> boundary(Eigen::Index i) const { return {s1_(i), s2_(i)}; }
  static double between(const std::array<double, 2>& a, const std::array<double, 2>& b, double n) {
    const double x = b[0] - a[0];
    double s2 = ((b[1] - a[1]) - x * x / n) / n;
    if (s2 <= 0) s2 = 1e-11;
    return n * (std::log(2 * std::numbers::pi) + std::log(s2) + 1);
  }
  double pruning_constant() const { return 0.0; }
  segment_estimate estimate(Eigen::Index a, Eigen::Index b) const {
    const double n = static_cast<double>(b - a);
    const double x = s1_(b) - s1_(a);
    segment_estimate e;
    e.mean = x / n;
    e.variance = std::max(0.0, ((s2_(b) - s2_(a)) - x * x / n) / n);
    return e;
  }

 private:
  Eigen::VectorXd s1_, s2_;
};

}  // namespace pilotstats
