// pilotstats/changepoint/binary_segmentation.hpp: binary segmentation with at most Q changes.
//
// As R changepoint 2.3's binseg (src/BinSeg_one_func_minseglen.c): Q times, over every
// current segment [s, e) and every split b leaving both parts at least m long, find the
// largest gain C(s, e) - C(s, b) - C(b, e) (ties to the smallest b) and split there. The gains
// are made non-increasing (each is capped at the one before, as R does), and the answer keeps
// the leading changes whose gain is >= the penalty. With MBIC pass an mbic_cost, as R uses
// its "*.mbic" costs here too. Approximate: it need not find PELT's optimum.
//
// One deliberate difference: R's loop (j = 2..n-3, split accepted when j - st >= m) makes
// the segment left of a split at least m + 1 long and never splits within 2 of either end;
// here both parts need m, no more. `r_compatible = true` reproduces R's rule exactly.
// A Q larger than the data allow is not an error: the search stops when nothing can be split.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/partition.hpp"

namespace pilotstats {

struct binary_segmentation_step {
  Eigen::Index location = 0;  // the change found at this step (R's cpt convention)
  double gain = 0;            // cost reduction, capped at the previous step's (R: 2 x likeout)
};

struct binary_segmentation_result {
  std::vector<binary_segmentation_step> steps;  // in the order found, at most Q
  partition chosen;                             // the leading steps with gain >= penalty
};

template <segment_cost Cost>
binary_segmentation_result binary_segmentation(const Cost& cost, double penalty, int max_changes,
                                               Eigen::Index min_segment_length,
                                               bool r_compatible = false) {
  const Eigen::Index n = cost.size(), m = min_segment_length;
  detail::check_penalty("binary_segmentation", penalty);
  detail::check_search("binary_segmentation", n, m, Cost::minimum_segment_length);
  if (max_changes < 1)
    throw invalid_input("binary_segmentation: maximum number of changes Q is " +
                        std::to_string(max_changes) + ", but must be at least 1");

  binary_segmentation_result out;
  std::vector<Eigen::Index> bounds{0, n};
  double cap = std::numeric_limits<double>::infinity();
  for (int q = 0; q < max_changes; ++q) {
    double best = -std::numeric_limits<double>::infinity();
    Eigen::Index arg = -1;
    for (std::size_t i = 0; i + 1 < bounds.size(); ++i) {
      const Eigen::Index s = bounds[i], e = bounds[i + 1];
      Eigen::Index lo = s + m, hi = e - m;
      if (r_compatible) lo = std::max({lo + 1, Eigen::Index{2}}), hi = std::min(hi, n - 3);
      if (lo > hi) continue;
      const double whole = cost(s, e);
      for (Eigen::Index b = lo; b <= hi; ++b) {
        const double g = whole - cost(s, b) - cost(b, e);
        if (g > best) {
          best = g;
          arg = b;
        }
      }
    }
    if (arg < 0) break;  // no segment can be split any more
    cap = std::min(cap, best);
    out.steps.push_back({arg, cap});
    bounds.insert(std::upper_bound(bounds.begin(), bounds.end(), arg), arg);
  }
  for (const auto& step : out.steps) {
    if (!(step.gain >= penalty)) break;
    out.chosen.changepoints.push_back(step.location);
  }
  std::sort(out.chosen.changepoints.begin(), out.chosen.changepoints.end());
  out.chosen.cost = detail::partition_cost(cost, out.chosen.changepoints);
  return out;
}

}  // namespace pilotstats
