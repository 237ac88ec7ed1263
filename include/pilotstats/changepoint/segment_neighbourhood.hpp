// pilotstats/changepoint/segment_neighbourhood.hpp: the best segmentation with exactly k
// changes, for every k up to Q, by dynamic programming (Auger & Lawrence 1989), O(Q n^2).
//
//     G(0, t) = C(0, t),   G(k, t) = min over s in [k m, t - m] of G(k - 1, s) + C(s, t),
//
// ties to the smallest s. R changepoint's SegNeigh then picks the k minimising
// G(k, n) + k x penalty (ties to the smaller k); choose_by_penalty() does the same. A k that
// the data cannot hold ((k + 1) m > n) is left out of the answer.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/partition.hpp"

namespace pilotstats {

// best[k]: the optimal segmentation with exactly k changes, k = 0..min(Q, n / m - 1).
template <segment_cost Cost>
std::vector<partition> segment_neighbourhood(const Cost& cost, int max_changes,
                                             Eigen::Index min_segment_length) {
  const Eigen::Index n = cost.size(), m = min_segment_length;
  if (m < Cost::minimum_segment_length)
    throw invalid_input("segment_neighbourhood: minimum segment length is " + std::to_string(m) +
                        ", but this cost needs at least " +
                        std::to_string(Cost::minimum_segment_length));
  if (n < m)
    throw invalid_input("segment_neighbourhood: minimum segment length " + std::to_string(m) +
                        " is longer than the series (" + std::to_string(n) + " values)");
  if (max_changes < 0)
    throw invalid_input("segment_neighbourhood: number of changes is " +
                        std::to_string(max_changes) + ", but must be >= 0");
  const Eigen::Index kmax = std::min<Eigen::Index>(max_changes, n / m - 1);
  const auto un = static_cast<std::size_t>(n);
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> g(static_cast<std::size_t>(kmax) + 1, std::vector<double>(un + 1, inf));
  std::vector<std::vector<Eigen::Index>> arg(g.size(), std::vector<Eigen::Index>(un + 1, 0));
  for (Eigen::Index t = m; t <= n; ++t) g[0][static_cast<std::size_t>(t)] = cost(0, t);
  for (Eigen::Index k = 1; k <= kmax; ++k) {
    auto& gk = g[static_cast<std::size_t>(k)];
    const auto& gp = g[static_cast<std::size_t>(k - 1)];
    for (Eigen::Index t = (k + 1) * m; t <= n; ++t) {
      double best = inf;
      Eigen::Index a = 0;
      for (Eigen::Index s = k * m; s <= t - m; ++s) {
        const double v = gp[static_cast<std::size_t>(s)] + cost(s, t);
        if (v < best) {
          best = v;
          a = s;
        }
      }
      gk[static_cast<std::size_t>(t)] = best;
      arg[static_cast<std::size_t>(k)][static_cast<std::size_t>(t)] = a;
    }
  }
  std::vector<partition> best(static_cast<std::size_t>(kmax) + 1);
  for (Eigen::Index k = 0; k <= kmax; ++k) {
    auto& p = best[static_cast<std::size_t>(k)];
    Eigen::Index t = n;
    for (Eigen::Index j = k; j >= 1; --j) {
      t = arg[static_cast<std::size_t>(j)][static_cast<std::size_t>(t)];
      p.changepoints.insert(p.changepoints.begin(), t);
    }
    p.cost = detail::partition_cost(cost, p.changepoints);
  }
  return best;
}

// The best segmentation with exactly k changes.
template <segment_cost Cost>
partition fixed_changes(const Cost& cost, int changes, Eigen::Index min_segment_length) {
  if (changes < 0)
    throw invalid_input("fixed_changes: number of changes is " + std::to_string(changes) + ", but must be >= 0");
  if (static_cast<Eigen::Index>(changes + 1) * min_segment_length > cost.size())
    throw invalid_input("fixed_changes: " + std::to_string(changes) + " changes with segments of at least " +
                        std::to_string(min_segment_length) + " need " +
                        std::to_string((changes + 1) * min_segment_length) + " values, but the series has " +
                        std::to_string(cost.size()));
  return segment_neighbourhood(cost, changes, min_segment_length)[static_cast<std::size_t>(changes)];
}

// R's SegNeigh choice: the k minimising cost + k x penalty, ties to the smaller k.
inline const partition& choose_by_penalty(const std::vector<partition>& best, double penalty) {
  detail::check_penalty("choose_by_penalty", penalty);
  if (best.empty()) throw invalid_input("choose_by_penalty: no segmentations to choose from");
  std::size_t k = 0;
  for (std::size_t j = 1; j < best.size(); ++j)
    if (best[j].cost + static_cast<double>(j) * penalty < best[k].cost + static_cast<double>(k) * penalty) k = j;
  return best[k];
}

}  // namespace pilotstats
