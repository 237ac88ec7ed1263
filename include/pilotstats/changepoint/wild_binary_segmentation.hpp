// pilotstats/changepoint/wild_binary_segmentation.hpp: wild binary segmentation (Fryzlewicz
// 2014, Ann. Statist. 42(6)).
//
// M intervals [s, e) are drawn once, uniformly: two end points from {0, ..., n}, sorted,
// redrawn until the interval holds two segments of the minimum length m (after 64 misses,
// which only happens when m is near n / 2, a start is drawn on {0..n-2m} and then an end). Then, recursively on
// [s, e) (starting from [0, n)): among the drawn intervals inside [s, e), and [s, e) itself,
// take the split with the largest gain C(a, c) - C(a, b) - C(b, c) (within its interval; ties
// to [s, e) itself, then to the first interval drawn, then to the smallest b); if the gain is >= the threshold, keep the
// change and recurse on both sides. For normal_mean_cost the gain is the squared CUSUM
// statistic of the paper, so its threshold zeta_T = C sqrt(2 log T) (C = 1.3 recommended, unit
// noise) is a gain threshold of C^2 2 log(n) here; any penalty_value() serves too.
// Each interval's best split does not depend on the recursion, so it is found once.
// The draws come from pilotstats::pcg64 with the given seed: the same answer on every platform.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "pilotstats/changepoint/binary_segmentation.hpp"
#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/partition.hpp"
#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"

namespace pilotstats {

struct wbs_options {
  int intervals = 5000;       // M; Fryzlewicz's default
  std::uint64_t seed = 2014;  // the random intervals are drawn from pcg64(seed)

  void validate() const {
    if (intervals < 0)
      throw invalid_input("wild_binary_segmentation: number of intervals M is " +
                          std::to_string(intervals) + ", but must be >= 0");
  }
};

struct wild_binary_segmentation_result {
  std::vector<binary_segmentation_step> steps;  // each change kept, in the order found, with its gain
  partition chosen;
};

namespace detail {

struct wbs_interval {
  Eigen::Index start = 0, end = 0;  // [start, end)
  Eigen::Index split = -1;          // its best split, -1 when none
  double gain = -std::numeric_limits<double>::infinity();
};

template <segment_cost Cost>
void best_split(const Cost& cost, wbs_interval& iv, Eigen::Index m) {
  const double whole = cost(iv.start, iv.end);
  for (Eigen::Index b = iv.start + m; b <= iv.end - m; ++b) {
    const double g = whole - cost(iv.start, b) - cost(b, iv.end);
    if (g > iv.gain) {
      iv.gain = g;
      iv.split = b;
    }
  }
}

}  // namespace detail

template <segment_cost Cost>
wild_binary_segmentation_result wild_binary_segmentation(const Cost& cost, double threshold,
                                                         Eigen::Index min_segment_length,
                                                         const wbs_options& options = {}) {
  const Eigen::Index n = cost.size(), m = min_segment_length;
  options.validate();
  detail::check_penalty("wild_binary_segmentation", threshold);
  detail::check_search("wild_binary_segmentation", n, m, Cost::minimum_segment_length);

  pcg64 rng(options.seed);
  std::vector<detail::wbs_interval> drawn(static_cast<std::size_t>(options.intervals));
  const auto uniform = [&](Eigen::Index count) {  // uniform on {0, ..., count - 1}
    return static_cast<Eigen::Index>(draw::uniform_int(rng, static_cast<std::uint64_t>(count)));
  };
  for (auto& iv : drawn) {
    int tries = 0;
    do {
      const Eigen::Index u = uniform(n + 1), v = uniform(n + 1);
      iv.start = std::min(u, v);
      iv.end = std::max(u, v);
    } while (iv.end - iv.start < 2 * m && ++tries < 64);
    if (iv.end - iv.start < 2 * m) {  // m close to n / 2: draw a usable interval directly
      iv.start = uniform(n - 2 * m + 1);
      iv.end = iv.start + 2 * m + uniform(n - iv.start - 2 * m + 1);
    }
    detail::best_split(cost, iv, m);
  }

  wild_binary_segmentation_result out;
  std::vector<std::pair<Eigen::Index, Eigen::Index>> todo{{0, n}};
  while (!todo.empty()) {
    const auto [s, e] = todo.back();
    todo.pop_back();
    if (e - s < 2 * m) continue;
    detail::wbs_interval best{s, e};
    detail::best_split(cost, best, m);
    for (const auto& iv : drawn)
      if (iv.start >= s && iv.end <= e && iv.gain > best.gain) best = iv;
    if (best.split < 0 || !(best.gain >= threshold)) continue;
    out.steps.push_back({best.split, best.gain});
    todo.push_back({best.split, e});  // the left side is popped first
    todo.push_back({s, best.split});
  }
  for (const auto& st : out.steps) out.chosen.changepoints.push_back(st.location);
  std::sort(out.chosen.changepoints.begin(), out.chosen.changepoints.end());
  out.chosen.cost = detail::partition_cost(cost, out.chosen.changepoints);
  return out;
}

}  // namespace pilotstats
