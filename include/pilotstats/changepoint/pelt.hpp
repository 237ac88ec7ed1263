// pilotstats/changepoint/pelt.hpp: Pruned Exact Linear Time search (Killick, Fearnhead &
// Eckley 2012), the default search of R changepoint.
//
// The recursion is optimal partitioning's (optimal_partitioning.hpp), computed with the same
// arithmetic in the same order, so the two return the same change points. PELT drops a
// candidate last change s once, at some time t,
//     F(s) + C(s, t) - K > F(t)                                          (*)
// where K is the cost's pruning constant: then for every later T that t can serve (T >= t + m)
// F(s) + C(s, T) >= F(s) + C(s, t) + C(t, T) - K > F(t) + C(t, T), so s can never be the best
// last change again. Three things differ from R's PELTC (src/PELT_one_func_minseglen.c), all
// so that PELT stays exact:
//   - with a minimum segment length m > 1, R drops s at once, but t cannot be a last change
//     for T in (t, t + m), where s may still win; here s is dropped from time t + m on;
//   - R prunes with K = 0 always, but MBIC's log(length) terms break C(s, T) >= C(s, t) + C(t, T)
//     by up to log(n / 4) (cost.hpp), so under MBIC R's PELT can drop the optimum: on the
//     reference series it does (tests/changepoint/reference_test.cpp lists where);
//   - (*) must hold by more than a rounding margin, 1e-9 x (1 + |F(t)| + |F(s)| + |C(s, t)|),
//     because the costs come from differences of cumulative sums and the inequality behind
//     pruning can fail by a few ulps.
// They keep more candidates than R; none changes an answer except where R's is not optimal.
// pelt_pruning::r_changepoint prunes exactly as R does, to reproduce what R reports.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <vector>

#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/partition.hpp"

namespace pilotstats {

struct pelt_trace {
  std::vector<double> penalized_cost;  // F(t), t = 0..n (infinite where no split exists)
  std::size_t max_candidates = 0;      // the largest candidate set seen (pruning diagnostics)
  double mean_candidates = 0;          // candidates tried per step, averaged over t = m..n
};

// How PELT prunes: exact (the default), or exactly as R changepoint's PELTC, which can miss
// the optimum (see above) but is what cpt.mean & co. report.
enum class pelt_pruning { exact, r_changepoint };

template <segment_cost Cost>
partition pelt(const Cost& cost, double penalty, Eigen::Index min_segment_length,
               pelt_pruning pruning = pelt_pruning::exact, pelt_trace* trace = nullptr) {
  const Eigen::Index n = cost.size(), m = min_segment_length;
  detail::check_penalty("pelt", penalty);
  detail::check_search("pelt", n, m, Cost::minimum_segment_length);
  const auto un = static_cast<std::size_t>(n);
  constexpr Eigen::Index never = std::numeric_limits<Eigen::Index>::max();
  const bool as_r = pruning == pelt_pruning::r_changepoint;
  const double k = as_r ? 0.0 : cost.pruning_constant();
  const Eigen::Index delay = as_r ? 1 : m;

  std::vector<double> f(un + 1, std::numeric_limits<double>::infinity());
  std::vector<Eigen::Index> last(un + 1, 0);
  std::vector<Eigen::Index> drop_at(un + 1, never);  // time from which a candidate is gone
  std::vector<Eigen::Index> candidates;              // increasing, like optimal partitioning's
  std::vector<double> values;
  f[0] = -penalty;
  std::size_t max_candidates = 0;
  double sum_candidates = 0;

  for (Eigen::Index t = m; t <= n; ++t) {
    const Eigen::Index fresh = t - m;  // the newest admissible last change
    if (fresh == 0 || fresh >= m) candidates.push_back(fresh);

    double best = std::numeric_limits<double>::infinity();
    Eigen::Index arg = 0;
    std::size_t kept = 0;
    values.resize(candidates.size());
    for (const Eigen::Index s : candidates) {
      if (drop_at[static_cast<std::size_t>(s)] <= t) continue;
      const double v = f[static_cast<std::size_t>(s)] + cost(s, t) + penalty;
      if (v < best) {
        best = v;
        arg = s;
      }
      candidates[kept] = s;
      values[kept] = v;
      ++kept;
    }
    candidates.resize(kept);
    max_candidates = std::max(max_candidates, kept);
    sum_candidates += static_cast<double>(kept);
    f[static_cast<std::size_t>(t)] = best;
    last[static_cast<std::size_t>(t)] = arg;

    for (std::size_t i = 0; i < kept; ++i) {
      const Eigen::Index s = candidates[i];
      if (drop_at[static_cast<std::size_t>(s)] != never) continue;
      // values[i] - penalty = F(s) + C(s, t); compare with F(t) = best.
      const double fs = f[static_cast<std::size_t>(s)];
      const double lhs = values[i] - penalty - k;
      const double margin =
          as_r ? 0.0 : 1e-9 * (1 + std::abs(best) + std::abs(fs) + std::abs(values[i] - penalty - fs));
      if (lhs > best + margin) drop_at[static_cast<std::size_t>(s)] = t + delay;
    }
  }
  if (trace) {
    trace->penalized_cost = f;
    trace->max_candidates = max_candidates;
    trace->mean_candidates = sum_candidates / static_cast<double>(n - m + 1);
  }
  partition out;
  out.changepoints = detail::backtrack(last, n);
  out.cost = detail::partition_cost(cost, out.changepoints);
  return out;
}

}  // namespace pilotstats
