// pilotstats/changepoint/cost.hpp: what a segment cost is, and the checks every cost shares.
//
// A cost is a compile-time policy built once from the data (cumulative sums), after which the
// cost of any half-open segment [a, b) (0-based, a < b) is O(1). The searches (PELT, optimal
// partitioning, binary segmentation, WBS, segment neighbourhood) are templates on it, so the
// inner loop that runs millions of times is inlined. A cost also says
//   - `name`                    for messages and results;
//   - `parameters_per_change`   what R changepoint calls `diffparam`, used by the penalties;
//   - `minimum_segment_length`  the shortest segment on which the cost is defined, and
//     `default_segment_length`  R changepoint's default `minseglen` for the same model;
//   - `pruning_constant()`      K >= 0 with cost(s, T) + K >= cost(s, t) + cost(t, T) for all
//                               s < t < T: PELT may prune with it and stay exact (0 for every
//                               likelihood cost here; log(n / 4) once MBIC adds log(length));
//   - `estimate(a, b)`          the segment's parameter estimates.
// Every cost here is also a `summed_cost`: C(a, b) is a function of a few values at each end
// (cumulative sums, `boundary(i)`) and of the length, `between(boundary(a), boundary(b), b - a)`,
// which is exactly how operator() computes it. Searches that keep their candidate starts in
// arrays (pelt.hpp, fpop.hpp) copy the values at each start once, so their inner loop reads contiguous
// memory and can be vectorized, with the same arithmetic and so the same bits. A cost without
// this form still works everywhere, through operator().
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>

#include "pilotstats/core/error.hpp"

namespace pilotstats {

// Estimates for one segment; a cost fills the fields of its model and leaves the others empty.
struct segment_estimate {
  std::optional<double> mean;       // normal mean / normal mean-and-variance (the known mean for
                                    // a change in variance)
  std::optional<double> variance;   // maximum likelihood (divisor = segment length)
  std::optional<double> rate;       // Poisson
  std::optional<double> intercept;  // linear trend: y = intercept + slope * t, t the 0-based
  std::optional<double> slope;      //   index in the whole series (not within the segment)
};

template <class C>
concept segment_cost = requires(const C& c, Eigen::Index a, Eigen::Index b) {
  { C::name } -> std::convertible_to<std::string_view>;
  { C::parameters_per_change } -> std::convertible_to<int>;
  { C::minimum_segment_length } -> std::convertible_to<Eigen::Index>;
  { C::default_segment_length } -> std::convertible_to<Eigen::Index>;
  { c.size() } -> std::same_as<Eigen::Index>;
  { c(a, b) } -> std::same_as<double>;
  { c.pruning_constant() } -> std::same_as<double>;
  { c.estimate(a, b) } -> std::same_as<segment_estimate>;
};

// The batch form (see above): boundary values at index i, and the cost from two of them.
template <class C>
concept summed_cost = segment_cost<C> && requires(const C& c, Eigen::Index i, double length) {
  { C::boundary_size } -> std::convertible_to<int>;
  { c.boundary(i) } -> std::same_as<std::array<double, C::boundary_size>>;
  { c.between(c.boundary(i), c.boundary(i), length) } -> std::same_as<double>;
};

// R changepoint's MBIC (Zhang & Siegmund 2007) is a penalty of (diffparam + 2) log(n) per
// change *and* log(segment length) added to every segment's cost (its "*.mbic" cost functions
// in src/cost_general_functions.c). This adapter adds the second part to any cost, so every
// search serves MBIC unchanged. It holds a reference: the base cost must outlive it.
template <segment_cost Cost>
class mbic_cost {
 public:
  static constexpr std::string_view name = Cost::name;
  static constexpr int parameters_per_change = Cost::parameters_per_change;
  static constexpr Eigen::Index minimum_segment_length = Cost::minimum_segment_length;
  static constexpr Eigen::Index default_segment_length = Cost::default_segment_length;

  explicit mbic_cost(const Cost& base) : base_(&base) {}

  Eigen::Index size() const { return base_->size(); }
  double operator()(Eigen::Index a, Eigen::Index b) const {
    return (*base_)(a, b) + std::log(static_cast<double>(b - a));
  }
  // log(a) + log(b) - log(a + b) <= log(n / 4) for a + b <= n: the log terms alone can break
  // PELT's condition by that much, so pruning allows for it.
  double pruning_constant() const {
    return base_->pruning_constant() + std::log(std::max(1.0, static_cast<double>(size()) / 4.0));
  }
  segment_estimate estimate(Eigen::Index a, Eigen::Index b) const { return base_->estimate(a, b); }
  const Cost& base() const { return *base_; }  // the cost without the log(length) terms

 private:
  const Cost* base_;
};

namespace detail {

// Every value finite; at least 2 of them (R changepoint: "Data must have atleast 2
// observations to fit a changepoint model").
inline void check_cost_data(std::string_view cost, const Eigen::Ref<const Eigen::VectorXd>& y) {
  if (y.size() < 2)
    throw invalid_input(std::string(cost) + ": the series has " + std::to_string(y.size()) +
                        " values, but needs at least 2");
  for (Eigen::Index i = 0; i < y.size(); ++i)
    if (!std::isfinite(y(i)))
      throw invalid_input(std::string(cost) + ": value " + std::to_string(i + 1) + " (1-based) is " +
                          (std::isnan(y(i)) ? "NaN" : "infinite") +
                          ", but every value must be a finite number (missing months are not "
                          "allowed: the search assumes regularly spaced data)");
}

// Prefix sums with a leading 0: s[b] - s[a] is the sum over [a, b).
template <class F>
Eigen::VectorXd prefix_sums(Eigen::Index n, F&& value) {
  Eigen::VectorXd s(n + 1);
  s(0) = 0;
  for (Eigen::Index i = 0; i < n; ++i) s(i + 1) = s(i) + value(i);
  return s;
}

}  // namespace detail
}  // namespace pilotstats
