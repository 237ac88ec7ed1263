// pilotstats/changepoint/partition.hpp: what a search returns, and the checks searches share.
//
// Location convention. Segments are half-open, 0-based: [a, b). A change point is reported as
// b, the first index of the new segment, which is also the number of observations before it and
// therefore exactly R changepoint's cpt (the 1-based index of the last observation of the
// segment that ends there). R's cpts() leaves out n; so do we.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <string>
#include <vector>

#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/core/error.hpp"

namespace pilotstats {

struct partition {
  std::vector<Eigen::Index> changepoints;  // increasing, each in [m, n - m]
  double cost = 0;                         // sum of the segment costs (no penalty)
};

namespace detail {

inline void check_search(const char* function, Eigen::Index n, Eigen::Index min_segment_length,
                         Eigen::Index cost_minimum) {
  if (min_segment_length < cost_minimum)
    throw invalid_input(std::string(function) + ": minimum segment length is " +
                        std::to_string(min_segment_length) + ", but this cost needs at least " +
                        std::to_string(cost_minimum));
  if (n < 2 * min_segment_length)
    throw invalid_input(std::string(function) + ": minimum segment length " +
                        std::to_string(min_segment_length) + " is too large for a change in " +
                        std::to_string(n) + " values (needs n >= 2 x the minimum)");
}

inline void check_penalty(const char* function, double penalty) {
  if (!(std::isfinite(penalty) && penalty >= 0))
    throw invalid_input(std::string(function) + ": penalty is " + std::to_string(penalty) +
                        ", but must be a finite number >= 0");
}

template <segment_cost Cost>
double partition_cost(const Cost& cost, const std::vector<Eigen::Index>& changepoints) {
  double total = 0;
  Eigen::Index a = 0;
  for (Eigen::Index b : changepoints) {
    total += cost(a, b);
    a = b;
  }
  return total + cost(a, cost.size());
}

// Follows last[] back from n: last[t] is the start of the final segment of the best split of
// [0, t).
inline std::vector<Eigen::Index> backtrack(const std::vector<Eigen::Index>& last, Eigen::Index n) {
  std::vector<Eigen::Index> cps;
  for (Eigen::Index t = last[static_cast<std::size_t>(n)]; t > 0; t = last[static_cast<std::size_t>(t)])
    cps.push_back(t);
  return {cps.rbegin(), cps.rend()};
}

// The partition a penalized search ends with: its change points from `last`, and their cost.
template <class Cost>
partition partition_from_last(const Cost& cost, const std::vector<Eigen::Index>& last, Eigen::Index n) {
  partition out;
  out.changepoints = backtrack(last, n);
  out.cost = partition_cost(cost, out.changepoints);
  return out;
}

}  // namespace detail
}  // namespace pilotstats
