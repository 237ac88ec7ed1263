// pilotstats/changepoint/amoc.hpp: at most one change (R changepoint's method = "AMOC").
//
// As R changepoint 2.3's single.*.calc and decision() (R/single.norm.R, R/poisson.R,
// R/decision.R): the candidate is the split tau minimising C(0, tau) + C(tau, n) (ties to the
// smallest tau), the statistic is the cost reduction
//     C(0, n) - C(0, tau) - C(tau, n)     less log(tau) + log(n - tau + 1) under MBIC,
// and there is a change when the statistic is >= the penalty. Under MBIC R adds its log terms
// to the chosen split only (they do not move tau), and uses log(n - tau + 1), not log(n - tau);
// the unsplit series gets no log(n): we do the same, so that AMOC's answers are R's.
// Candidates run over [m, n - m], so both parts are at least m long (R's normal versions also
// try tau = n - m + 1, a last segment one shorter than the minimum).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <limits>

#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/partition.hpp"

namespace pilotstats {

struct amoc_result {
  Eigen::Index location = 0;  // the best split (R's cpt convention), whether kept or not
  double statistic = 0;       // cost reduction at it (with R's MBIC terms when asked)
  bool change = false;        // statistic >= penalty
  partition chosen;           // no change, or the one change
};

template <segment_cost Cost>
amoc_result at_most_one_change(const Cost& cost, double penalty, Eigen::Index min_segment_length,
                               bool mbic_terms = false) {
  const Eigen::Index n = cost.size(), m = min_segment_length;
  detail::check_penalty("at_most_one_change", penalty);
  detail::check_search("at_most_one_change", n, m, Cost::minimum_segment_length);
  amoc_result out;
  double best = std::numeric_limits<double>::infinity();
  for (Eigen::Index b = m; b <= n - m; ++b) {
    const double alt = cost(0, b) + cost(b, n);
    if (alt < best) {
      best = alt;
      out.location = b;
    }
  }
  out.statistic = cost(0, n) - best;
  if (mbic_terms)
    out.statistic -= std::log(static_cast<double>(out.location)) +
                     std::log(static_cast<double>(n - out.location + 1));
  out.change = out.statistic >= penalty;
  if (out.change) out.chosen.changepoints.push_back(out.location);
  out.chosen.cost = detail::partition_cost(cost, out.chosen.changepoints);
  return out;
}

}  // namespace pilotstats
