// pilotstats/changepoint/optimal_partitioning.hpp: the exact penalized search, O(n^2).
//
// Optimal partitioning (Jackson et al. 2005): F(0) = -beta, and for t = m..n
//     F(t) = min over s in {0} u [m, t - m] of F(s) + C(s, t) + beta,
// so F(n) = sum of segment costs + beta x (number of changes), minimised over every
// segmentation whose segments are at least m long. Ties go to the smallest s (R changepoint's
// min_which). It is the reference PELT must reproduce exactly; use PELT for real work.
#pragma once

#include <Eigen/Core>
#include <limits>
#include <vector>

#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/partition.hpp"

namespace pilotstats {

template <segment_cost Cost>
partition optimal_partitioning(const Cost& cost, double penalty, Eigen::Index min_segment_length) {
  const Eigen::Index n = cost.size(), m = min_segment_length;
  detail::check_penalty("optimal_partitioning", penalty);
  detail::check_search("optimal_partitioning", n, m, Cost::minimum_segment_length);
  const auto un = static_cast<std::size_t>(n);
  std::vector<double> f(un + 1, std::numeric_limits<double>::infinity());
  std::vector<Eigen::Index> last(un + 1, 0);
  f[0] = -penalty;
  for (Eigen::Index t = m; t <= n; ++t) {
    double best = std::numeric_limits<double>::infinity();
    Eigen::Index arg = 0;
    for (Eigen::Index s = 0; s <= t - m; s = (s == 0 ? m : s + 1)) {
      const double v = f[static_cast<std::size_t>(s)] + cost(s, t) + penalty;
      if (v < best) {
        best = v;
        arg = s;
      }
    }
    f[static_cast<std::size_t>(t)] = best;
    last[static_cast<std::size_t>(t)] = arg;
  }
  return detail::partition_from_last(cost, last, n);
}

}  // namespace pilotstats
