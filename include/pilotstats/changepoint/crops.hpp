// pilotstats/changepoint/crops.hpp: every optimal segmentation over a range of penalties.
//
// CROPS (Haynes, Eckley & Fearnhead 2017, J. Comput. Graph. Stat. 26(1)): the penalized
// optimum is piecewise constant in the penalty beta, with fewer changes as beta grows. Run PELT
// at beta_min and beta_max; while two neighbouring answers differ by more than one change,
// run PELT at the penalty where they cost the same,
//     beta = (Q_fewer - Q_more) / (m_more - m_fewer)     (Q unpenalized cost, m changes),
// and if that finds a new number of changes, do the same on both sides. It needs at most
// m(beta_min) - m(beta_max) + 2 runs. As R changepoint's range_of_penalties
// (R/range_of_penalties.R), which is called by cpt.mean(penalty = "CROPS", method = "PELT") with
// the plain cost (never MBIC's); its pen.value.full are our interval boundaries.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/partition.hpp"
#include "pilotstats/changepoint/pelt.hpp"

namespace pilotstats {

struct crops_segmentation {
  double penalty_low = 0;   // optimal for penalties in [penalty_low, penalty_high]
  double penalty_high = 0;
  partition segmentation;
};

struct crops_result {
  std::vector<crops_segmentation> path;  // by increasing penalty: decreasing number of changes
  int pelt_runs = 0;
};

template <segment_cost Cost>
crops_result crops(const Cost& cost, double penalty_min, double penalty_max,
                   Eigen::Index min_segment_length) {
  detail::check_penalty("crops", penalty_min);
  detail::check_penalty("crops", penalty_max);
  if (!(penalty_min < penalty_max))
    throw invalid_input("crops: penalty range [" + std::to_string(penalty_min) + ", " +
                        std::to_string(penalty_max) + "] is empty; the minimum must be below the maximum");
  crops_result out;
  std::map<std::size_t, partition> found;  // by number of changes
  const auto run = [&](double beta) {
    ++out.pelt_runs;
    partition p = pelt(cost, beta, min_segment_length);
    found.try_emplace(p.changepoints.size(), p);
    return p;
  };
  struct pending {
    partition more, fewer;  // the answers at the two ends of a penalty interval
  };
  std::vector<pending> todo{{run(penalty_min), run(penalty_max)}};
  while (!todo.empty()) {
    const pending iv = todo.back();
    todo.pop_back();
    const std::size_t m_more = iv.more.changepoints.size(), m_fewer = iv.fewer.changepoints.size();
    if (m_more <= m_fewer + 1) continue;
    const double beta = (iv.fewer.cost - iv.more.cost) / static_cast<double>(m_more - m_fewer);
    const partition mid = run(beta);
    const std::size_t m_mid = mid.changepoints.size();
    if (m_mid == m_more || m_mid == m_fewer) continue;  // the two meet at beta: nothing between
    todo.push_back({mid, iv.fewer});
    todo.push_back({iv.more, mid});
  }
  // Keep the segmentations that are optimal somewhere (found, decreasing in changes), with the
  // penalty where each hands over to the next.
  for (auto it = found.rbegin(); it != found.rend(); ++it)
    out.path.push_back({penalty_min, penalty_max, it->second});
  for (std::size_t k = 0; k + 1 < out.path.size(); ++k) {
    const partition& a = out.path[k].segmentation;  // more changes
    const partition& b = out.path[k + 1].segmentation;
    const double beta = (b.cost - a.cost) /
                        static_cast<double>(a.changepoints.size() - b.changepoints.size());
    out.path[k].penalty_high = beta;
    out.path[k + 1].penalty_low = beta;
  }
  return out;
}

}  // namespace pilotstats
