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
//
// Speed. The candidates live in arrays (structure of arrays): their index, F(s), s as a double
// and, for a summed_cost (cost.hpp), the cost's boundary values at s. Each step is then a few
// tight passes (candidates.hpp): the values F(s) + C(s, t) + beta (vectorized for the normal
// mean cost: no branch, no lookup; MBIC's log(t - s) comes from a table of log(length), the
// same bits as mbic_cost's std::log), their minimum, the first candidate that attains it (ties
// go to the smallest s), the pruning test, and a compaction once a dropped candidate's time has
// come. Same arithmetic per candidate as optimal partitioning, so the same F(t) bit for bit.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "pilotstats/changepoint/candidates.hpp"
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

namespace detail {

// A cost seen as its base plus, under MBIC, log(length) (taken from a table by the search).
template <class Cost>
struct length_term_split {
  using base_type = Cost;
  static constexpr bool log_length = false;
  static const Cost& base(const Cost& c) { return c; }
};
template <class Base>
struct length_term_split<mbic_cost<Base>> {
  using base_type = Base;
  static constexpr bool log_length = true;
  static const Base& base(const mbic_cost<Base>& c) { return c.base(); }
};

// What a candidate carries besides its index, F(s) and s: the cost's boundary values at s
// (summed costs), or nothing (the cost is called by index).
template <class Base>
struct pelt_boundaries {
  static constexpr int size = 0;
};
template <summed_cost Base>
struct pelt_boundaries<Base> {
  static constexpr int size = Base::boundary_size;
};

// PELT's test (*) over whole blocks: values[i] - penalty = F(s) + C(s, t) against F(t) = best;
// a candidate not yet dropped that fails it is gone from time `drop` on. Padding lanes hold
// +infinity values and are never dropped. Returns the earliest drop time pending (a minimum
// per lane: a reduction across lanes, or a count, would keep g++ from vectorizing).
template <bool exact>
double pelt_prune(std::size_t padded, const double* __restrict values, const double* __restrict fs,
                  double* __restrict drop_time, double penalty, double k, double best, double drop) {
  constexpr double never = std::numeric_limits<double>::infinity();
  std::array<double, candidate_block> next;
  next.fill(never);
  for (std::size_t block = 0; block < padded / candidate_block; ++block)
    for (std::size_t lane = 0; lane < candidate_block; ++lane) {
      const std::size_t i = block * candidate_block + lane;
      const double lhs = values[i] - penalty - k;
      double margin = 0.0;
      if constexpr (exact)
        margin = 1e-9 * (1 + std::abs(best) + std::abs(fs[i]) + std::abs(values[i] - penalty - fs[i]));
      const double was = drop_time[i];
      const double now = (was == never) & (lhs > best + margin) ? drop : was;
      drop_time[i] = now;
      next[lane] = now < next[lane] ? now : next[lane];
    }
  return std::min(std::min(next[0], next[1]), std::min(next[2], next[3]));
}

}  // namespace detail

template <segment_cost Cost>
partition pelt(const Cost& cost, double penalty, Eigen::Index min_segment_length,
               pelt_pruning pruning = pelt_pruning::exact, pelt_trace* trace = nullptr) {
  using split = detail::length_term_split<Cost>;
  using base_t = typename split::base_type;
  constexpr auto width = static_cast<std::size_t>(detail::pelt_boundaries<base_t>::size);
  constexpr std::size_t block = detail::candidate_block;
  const Eigen::Index n = cost.size(), m = min_segment_length;
  detail::check_penalty("pelt", penalty);
  detail::check_search("pelt", n, m, Cost::minimum_segment_length);
  const auto un = static_cast<std::size_t>(n);
  constexpr double never = std::numeric_limits<double>::infinity();
  const bool as_r = pruning == pelt_pruning::r_changepoint;
  const double k = as_r ? 0.0 : cost.pruning_constant();
  const Eigen::Index delay = as_r ? 1 : m;  // a dropped candidate is gone from time t + delay
  const base_t& base = split::base(cost);

  std::vector<double> f(un + 1, std::numeric_limits<double>::infinity());
  std::vector<Eigen::Index> last(un + 1, 0);
  f[0] = -penalty;
  // MBIC's log(length) for every length, computed as mbic_cost computes it (the same bits).
  std::vector<double> log_length;
  if constexpr (split::log_length) {
    log_length.resize(un + 1);
    for (std::size_t len = 0; len <= un; ++len) log_length[len] = std::log(static_cast<double>(len));
  }

  // The candidates, increasing in s: [0, count) of arrays whose size is a multiple of the block.
  std::size_t count = 0;
  std::vector<Eigen::Index> index;
  std::vector<double> drop_time;                 // the time from which it is gone (or never)
  std::vector<double> fs, start, values, extra;  // F(s), s, this step's values, log(t - s)
  std::array<std::vector<double>, width> sums;   // the cost's boundary values at s
  const auto reserve = [&](std::size_t size) {
    index.resize(size), drop_time.resize(size, never), fs.resize(size), start.resize(size);
    values.resize(size), extra.resize(size);
    for (auto& column : sums) column.resize(size);
  };
  double next_drop = never;  // the earliest drop time pending
  std::size_t max_candidates = 0;
  double sum_candidates = 0;

  for (Eigen::Index t = m; t <= n; ++t) {
    const double now = static_cast<double>(t);  // times and indices are exact as doubles
    if (now >= next_drop) {  // remove the candidates whose time has come, keeping the order
      std::size_t kept = 0;
      for (std::size_t i = 0; i < count; ++i) {
        if (drop_time[i] <= now) continue;
        index[kept] = index[i], drop_time[kept] = drop_time[i], fs[kept] = fs[i], start[kept] = start[i];
        for (auto& column : sums) column[kept] = column[i];
        ++kept;
      }
      count = kept;
    }
    const Eigen::Index fresh = t - m;  // the newest admissible last change
    if (fresh == 0 || fresh >= m) {
      if (index.size() < detail::candidate_blocks(count + 1) * block) reserve(2 * index.size() + block);
      index[count] = fresh;
      drop_time[count] = never;
      fs[count] = f[static_cast<std::size_t>(fresh)];
      start[count] = static_cast<double>(fresh);
      if constexpr (width > 0) {
        const auto at = base.boundary(fresh);
        for (std::size_t j = 0; j < width; ++j) sums[j][count] = at[j];
      }
      ++count;
    }
    const std::size_t padded = detail::candidate_blocks(count) * block;

    // The values F(s) + C(s, t) + beta, as optimal partitioning computes them.
    if constexpr (split::log_length)
      for (std::size_t i = 0; i < count; ++i) extra[i] = log_length[static_cast<std::size_t>(t - index[i])];
    if constexpr (width > 0) {
      [&]<std::size_t... j>(std::index_sequence<j...>) {
        detail::candidate_values<split::log_length>(base, base.boundary(t), now, penalty, count,
                                                    values.data(), fs.data(), start.data(), extra.data(),
                                                    sums[j].data()...);
      }
      (std::make_index_sequence<width>{});
    } else {
      for (std::size_t i = 0; i < count; ++i) {
        double c = base(index[i], t);
        if constexpr (split::log_length) c += extra[i];
        values[i] = fs[i] + c + penalty;
      }
    }
    // Padding lanes: +infinity for the minimum below, and so never pruned either.
    for (std::size_t i = count; i < padded; ++i)
      values[i] = std::numeric_limits<double>::infinity(), drop_time[i] = never;

    double best = std::numeric_limits<double>::infinity();
    Eigen::Index arg = 0;
    if (const std::size_t c = detail::first_smallest(values.data(), padded); c < count)
      best = values[c], arg = index[c];
    max_candidates = std::max(max_candidates, count);
    sum_candidates += static_cast<double>(count);
    f[static_cast<std::size_t>(t)] = best;
    last[static_cast<std::size_t>(t)] = arg;

    // PELT's test (*): values[i] - penalty = F(s) + C(s, t); compare with F(t) = best.
    const double drop = static_cast<double>(t + delay);
    next_drop = as_r ? detail::pelt_prune<false>(padded, values.data(), fs.data(), drop_time.data(), penalty,
                                                 k, best, drop)
                     : detail::pelt_prune<true>(padded, values.data(), fs.data(), drop_time.data(), penalty,
                                                k, best, drop);
  }
  if (trace) {
    trace->penalized_cost = f;
    trace->max_candidates = max_candidates;
    trace->mean_candidates = sum_candidates / static_cast<double>(n - m + 1);
  }
  return detail::partition_from_last(cost, last, n);
}

}  // namespace pilotstats
