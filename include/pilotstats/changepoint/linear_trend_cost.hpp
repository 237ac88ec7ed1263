// pilotstats/changepoint/linear_trend_cost.hpp: changes in a linear trend (level and slope).
//
// Each segment [a, b) gets its own least-squares line y = intercept + slope * t (t the 0-based
// index in the whole series). The fit is *discontinuous*: level and slope may both jump at a
// change, which keeps the cost segment-additive so every search here applies. (A continuous
// piecewise-linear fit, a change in slope only, couples neighbouring segments and needs
// another search, CPOP; it is not provided.) The cost is the residual sum of squares,
//     cost = Syy - Sty^2 / Stt   (sums of squares and products about the segment means),
// i.e. twice the negative log-likelihood with unit error variance, the regression analogue of
// normal_mean_cost (scale the data first if the noise sd is not 1). Two parameters change at
// each change. Sums of t and t^2 are exact closed forms (the times are consecutive
// integers: Stt = n (n^2 - 1) / 12); y, t y and y^2 come from cumulative sums, with t taken
// from the segment start so that the products stay small.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <string_view>

#include "pilotstats/changepoint/cost.hpp"

namespace pilotstats {

class linear_trend_cost {
 public:
  static constexpr std::string_view name = "linear trend";
  static constexpr int parameters_per_change = 2;
  static constexpr Eigen::Index minimum_segment_length = 2;  // a line needs two points
  static constexpr Eigen::Index default_segment_length = 3;  // and a residual needs three

  explicit linear_trend_cost(const Eigen::Ref<const Eigen::VectorXd>& y) {
    detail::check_cost_data(name, y);
    s1_ = detail::prefix_sums(y.size(), [&](Eigen::Index i) { return y(i); });
    s2_ = detail::prefix_sums(y.size(), [&](Eigen::Index i) { return y(i) * y(i); });
    st_ = detail::prefix_sums(y.size(), [&](Eigen::Index i) { return static_cast<double>(i) * y(i); });
  }

  Eigen::Index size() const { return s1_.size() - 1; }

  double operator()(Eigen::Index a, Eigen::Index b) const {
    return between(boundary(a), boundary(b), static_cast<double>(b - a));
  }
  // summed_cost (cost.hpp): sums of y, y^2 and t y before index i, and i itself.
  static constexpr int boundary_size = 4;
  std::array<double, 4> boundary(Eigen::Index i) const {
    return {s1_(i), s2_(i), st_(i), static_cast<double>(i)};
  }
  static double between(const std::array<double, 4>& a, const std::array<double, 4>& b, double n) {
    const sums s = centred(a, b, n);
    if (s.tt == 0) return 0.0;  // one point: a perfect fit
    return std::max(0.0, s.yy - s.ty * s.ty / s.tt);
  }
  double pruning_constant() const { return 0.0; }

  segment_estimate estimate(Eigen::Index a, Eigen::Index b) const {
    const sums s = centred(boundary(a), boundary(b), static_cast<double>(b - a));
    const double slope = s.tt == 0 ? 0.0 : s.ty / s.tt;
    const double t_mean = static_cast<double>(a) + (static_cast<double>(b - a) - 1) / 2;
    segment_estimate e;
    e.intercept = s.y_mean - slope * t_mean;
    e.slope = slope;
    return e;
  }

 private:
  struct sums {
    double y_mean, yy, ty, tt;
  };
  static sums centred(const std::array<double, 4>& a, const std::array<double, 4>& b, double n) {
    const double x = b[0] - a[0];
    const double u_mean = (n - 1) / 2;  // u = t - a runs over 0..n-1
    const double uy = (b[2] - a[2]) - a[3] * x;
    return {x / n, (b[1] - a[1]) - x * x / n, uy - u_mean * x, n * (n * n - 1) / 12};
  }

  Eigen::VectorXd s1_, s2_, st_;
};

}  // namespace pilotstats
