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
// Speed. The candidates live in arrays (structure of arrays): F(s), s as a double (and as an
// integer, to index tables) and, for a summed_cost (cost.hpp), the cost's boundary values at s.
// Each step is then a few tight passes (candidates.hpp): MBIC's log(t - s) read from a table
// (integer_logs: std::log's own results, so the same bits as mbic_cost), the values
// F(s) + C(s, t) + beta with their minimum, the first candidate that attains it (ties go to the
// smallest s), and the pruning test. A dropped candidate is not removed at once: its F(s) becomes
// +infinity, which makes its value +infinity, and the arrays are compacted once a quarter of the
// candidates are gone (new candidates go soonest, so the old ones in front rarely move).
//   - With the test due at once (R's pruning, or m = 1), a step is one pass (pelt_pass): the
//     test of step t - 1, the values of step t and their first minimum, and already C(s, t + 1),
//     so that the divisions and logarithms are off the chain from F(t) to F(t + 1). It is
//     written on four lanes at once (lanes.hpp) and runs as AVX2 code where the processor has
//     it (chosen at run time; the same bits, tests compare the two). The normal mean and
//     Poisson costs take four candidates at once, Poisson's logarithms of whole numbers (the
//     length and the segment's total count) read from the table where it reaches.
//   - Otherwise (a delayed test: exact pruning with m > 1) the test is a pass of its own after
//     the step.
// Same arithmetic per candidate as optimal partitioning, so the same F(t) bit for bit.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "pilotstats/changepoint/candidates.hpp"
#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/lanes.hpp"
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

// PELT's test (*) for one candidate: value - penalty = F(s) + C(s, t) against F(t) = best, with
// the rounding margin when exact.
template <bool exact>
bool pelt_fails(double value, double fs, double penalty, double k, double best) {
  double margin = 0.0;
  if constexpr (exact) margin = 1e-9 * (1 + std::abs(best) + std::abs(fs) + std::abs(value - penalty - fs));
  return value - penalty - k > best + margin;
}

// The test applied to one candidate: F(s) becomes +infinity if it fails (and was not gone
// already); returns 1 if it went now, else 0 (a double: the passes count per lane).
template <bool exact>
double pelt_test(double& fs, double value, double penalty, double k, double best) {
  constexpr double gone = std::numeric_limits<double>::infinity();
  const double was = fs;
  fs = ((was < gone) & pelt_fails<exact>(value, was, penalty, k, best)) ? gone : was;
  return fs == was ? 0.0 : 1.0;
}

inline std::size_t lane_total(const std::array<double, candidate_block>& count) {
  return static_cast<std::size_t>(count[0] + count[1] + count[2] + count[3]);
}

// A dropped candidate gets F(s) = +infinity: its value is +infinity from then on (it can no
// longer be the best, nor be dropped again), and the search compacts the arrays once enough
// have gone. Padding lanes hold F(s) = +infinity too. The passes over blocks below count per
// lane, in doubles, and take no branch, so that g++ vectorizes them (pelt_pass is written on
// four lanes at once instead, lanes.hpp).

// The first candidate with the smallest value, or at = padded if none is below +infinity (the
// search then keeps F(t) = infinity and last change 0, as optimal partitioning).
struct pelt_smallest {
  std::size_t at;
  std::size_t dropped;  // by the test that ran in the same pass
};

// The whole step when a candidate that fails (*) goes from the next step on (R's pruning, or
// m = 1), for a cost without logarithms or one that takes them of whole numbers only (from
// `log_table`, or `logs` where the table does not reach), in one pass over the candidates:
//   - the previous step's test, on its values (still in `values`) and its F(t - 1) = `last_best`;
//   - this step's values F(s) + C(s, t) + beta, from C(s, t) (+ log(t - s) under MBIC) in
//     `costs`, and the first that attains their minimum, kept per lane (strictly smaller: the
//     first in a lane stays) and then across the lanes (ties to the smallest index);
//   - the next step's C(s, t + 1) (+ log(t + 1 - s) under MBIC) into `costs`, for the
//     candidates of this step and the spare (the search's next new candidate).
// Only the first two wait for F(t - 1): the divisions (and the loads of the logarithms) of the
// third are off the chain from one step to the next (that made a step about 10% faster). Same
// arithmetic per candidate as candidate_values, so the same values. log(t + 1 - s) is read from
// the table by the integer s (`whole_start`), not converted from the double s.
template <bool exact, bool log_length, class Base, class... Column>
[[gnu::always_inline]] inline pelt_smallest pelt_pass(
    const Base& base, const std::array<double, sizeof...(Column)> at_next, double next, double penalty,
    double k, double last_best, const double* log_table, integer_logs& logs, std::size_t padded,
    double* __restrict values, double* __restrict fs, double* __restrict costs,
    const double* __restrict start, const std::int64_t* __restrict whole_start,
    const Column* __restrict... column) {
  constexpr std::size_t width = sizeof...(Column);
  constexpr double gone = std::numeric_limits<double>::infinity();
  const lanes infinity = {gone, gone, gone, gone}, beta = {penalty, penalty, penalty, penalty}, kk = {k, k, k, k},
              before = {last_best, last_best, last_best, last_best}, later = {next, next, next, next};
  std::array<lanes, width> at_next_lanes{};
  splat_each(at_next_lanes, at_next);
  const auto pad = static_cast<std::int64_t>(padded);
  lanes low = infinity;
  lane_mask low_at = {pad, pad, pad, pad}, dropped = {0, 0, 0, 0};
  const double* log_table_next = log_table ? log_table + static_cast<std::int64_t>(next) : nullptr;
  const auto pass = [&](const auto& log_of, auto from_table) __attribute__((always_inline)) {
    // Its own running minimum and count, which g++ then keeps in registers (not the captured ones).
    lanes low_here = low;
    lane_mask low_at_here = low_at, dropped_here = dropped, index = {0, 1, 2, 3};
    for (std::size_t i = 0; i < padded; i += candidate_block, index += std::int64_t{candidate_block}) {
      lanes f, previous, cost;
      load_lanes(f, fs + i), load_lanes(previous, values + i), load_lanes(cost, costs + i);
      lane_mask fails;  // pelt_fails, lane by lane
      if constexpr (exact) {
        lanes size_before = before, size_f = f, size_c = previous - beta - f;
        abs_lanes(size_before), abs_lanes(size_f), abs_lanes(size_c);
        const lanes margin = 1e-9 * (1 + size_before + size_f + size_c);
        fails = previous - beta - kk > before + margin;
      } else {
        fails = previous - beta - kk > before;
      }
      const lane_mask drop = (f < infinity) & fails;
      store_lanes(fs + i, drop ? infinity : f);
      dropped_here -= drop;
      // F(s) + C + beta is +infinity for a dropped one (C is finite): the sum need not wait for
      // the test, which waits for F(t - 1).
      const lanes sum = f + cost + beta, value = drop ? infinity : sum;
      store_lanes(values + i, value);
      const lane_mask lower = value < low_here;
      low_here = lower ? value : low_here;
      low_at_here = lower ? index : low_at_here;

      lanes length, log_length_of{}, c;  // (log_length_of: only with logs)
      load_lanes(length, start + i);
      length = later - length;
      if constexpr (log_length || lane_log_cost<Base>) {  // log(t + 1 - s)
        if constexpr (from_table)
          gather_back(log_length_of, log_table_next, whole_start + i);
        else
          log_of(length, log_length_of);
      }
      std::array<lanes, width> at_s;
      [&]<std::size_t... j>(std::index_sequence<j...>) { (load_lanes(at_s[j], column + i), ...); }
      (std::make_index_sequence<width>{});
      if constexpr (lane_cost<Base> || lane_log_cost<Base>) {
        lane_between<Base>(at_s, at_next_lanes, length, log_length_of, log_of, c);
      } else {
        for (std::size_t lane = 0; lane < candidate_block; ++lane)
          c[lane] = base.between(std::array<double, width>{column[i + lane]...}, at_next, length[lane]);
      }
      if constexpr (log_length) c += log_length_of;
      store_lanes(costs + i, c);
    }
    low = low_here, low_at = low_at_here, dropped = dropped_here;
  };
  with_whole_logs(log_table, logs, pass);  // logarithms from the table, or one by one
  // Across the lanes with branches: the best candidate, so its lane, is mostly the same from one
  // step to the next, and a predicted branch lets the next step start early (a branch-free choice
  // made the whole search 10% slower).
  pelt_smallest best{padded, static_cast<std::size_t>(dropped[0] + dropped[1] + dropped[2] + dropped[3])};
  double best_value = gone;
  for (std::size_t lane = 0; lane < candidate_block; ++lane) {
    const auto at = static_cast<std::size_t>(low_at[lane]);
    if (low[lane] < best_value || (low[lane] == best_value && at < best.at)) best.at = at, best_value = low[lane];
  }
  return best;
}

#if PILOTSTATS_AVX2_DISPATCH
template <bool exact, bool log_length, class Base, class... Column>
[[gnu::target("avx2"), gnu::flatten]] pelt_smallest pelt_pass_avx2(
    const Base& base, const std::array<double, sizeof...(Column)> at_next, double next, double penalty,
    double k, double last_best, const double* log_table, integer_logs& logs, std::size_t padded,
    double* __restrict values, double* __restrict fs, double* __restrict costs,
    const double* __restrict start, const std::int64_t* __restrict whole_start,
    const Column* __restrict... column) {
  return pelt_pass<exact, log_length>(base, at_next, next, penalty, k, last_best, log_table, logs, padded,
                                      values, fs, costs, start, whole_start, column...);
}
#endif

// The same test right after the step, on its values, for a cost whose C(s, t) takes logarithms
// (no vectorized pass over it: a separate vectorized test is then faster) or is called by index.
template <bool exact>
std::size_t pelt_drop_now(std::size_t padded, const double* __restrict values, double* __restrict fs,
                          double penalty, double k, double best) {
  std::array<double, candidate_block> dropped{};
  for (std::size_t block = 0; block < padded / candidate_block; ++block)
    for (std::size_t lane = 0; lane < candidate_block; ++lane) {
      const std::size_t i = block * candidate_block + lane;
      dropped[lane] += pelt_test<exact>(fs[i], values[i], penalty, k, best);
    }
  return lane_total(dropped);
}

// Dropped from time `drop` on (a minimum segment length m > 1: t cannot end a segment before
// t + m, so s may still win until then): the candidate gets that drop time. Returns the
// earliest drop time pending.
template <bool exact>
double pelt_drop_later(std::size_t padded, const double* __restrict values, const double* __restrict fs,
                       double* __restrict drop_time, double penalty, double k, double best, double drop) {
  constexpr double never = std::numeric_limits<double>::infinity();
  std::array<double, candidate_block> next;
  next.fill(never);
  for (std::size_t block = 0; block < padded / candidate_block; ++block)
    for (std::size_t lane = 0; lane < candidate_block; ++lane) {
      const std::size_t i = block * candidate_block + lane;
      const double was = drop_time[i];
      const double now =
          ((was == never) & (fs[i] < never) & pelt_fails<exact>(values[i], fs[i], penalty, k, best)) ? drop
                                                                                                     : was;
      drop_time[i] = now;
      next[lane] = now < next[lane] ? now : next[lane];
    }
  return std::min(std::min(next[0], next[1]), std::min(next[2], next[3]));
}

// The candidates whose drop time has come (<= now) are dropped (F(s) = +infinity); returns how
// many. Only at the steps where one is due.
inline std::size_t pelt_drop_due(std::size_t padded, double* fs, double* drop_time, double now) {
  constexpr double never = std::numeric_limits<double>::infinity();
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < padded; ++i)
    if (drop_time[i] <= now) fs[i] = never, drop_time[i] = never, ++dropped;
  return dropped;
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
  detail::integer_logs logs;  // MBIC's log(t - s) (std::log's bits, as mbic_cost), Poisson's log(count)

  // The candidates, increasing in s: [0, count) of arrays whose size is a multiple of the block,
  // `dropped` of them gone (F(s) = +infinity) until the arrays are compacted.
  std::size_t count = 0, dropped = 0;
  std::vector<double> drop_time;                 // when it goes (or never): pruning delayed by m
  std::vector<double> fs, start, values, extra;  // F(s), s, this step's values, log(t - s)
  std::vector<double> costs;                     // C(s, t) (+ log(t - s)), from the step before (pelt_pass)
  std::vector<std::int64_t> whole_start;         // s as an integer (pelt_pass: the logs of t - s by s)
  std::array<std::vector<double>, width> sums;   // the cost's boundary values at s
  const auto reserve = [&](std::size_t size) {
    drop_time.resize(size, never), fs.resize(size, never), start.resize(size), values.resize(size);
    extra.resize(size), costs.resize(size), whole_start.resize(size);
    for (auto& column : sums) column.resize(size);
  };
  const auto set_start = [&](std::size_t i, Eigen::Index s) {  // s, as a double and as an integer
    start[i] = static_cast<double>(s), whole_start[i] = s;
  };
  std::size_t padded_before = 0;  // the lanes through which padding holds a candidate's data
  // A dropped candidate goes from the next step on (R's pruning, or m = 1): for a summed cost
  // without logarithms, or with logarithms of whole numbers only (Poisson), the whole step is
  // one pass (pelt_pass, in its AVX2 copy where the processor has it), which also takes the test
  // and works out the next step's costs; otherwise the test runs right after the step
  // (pelt_drop_now).
  const bool drop_next = delay == 1;
  constexpr bool plain_cost = [] {
    if constexpr (width > 0)
      return !requires(const base_t& b, std::array<double, width> at, detail::integer_logs& l) {
        b.between(at, at, 1.0, 1.0, l);
      };
    return false;
  }();
  const bool one_pass = (plain_cost || detail::lane_log_cost<base_t>) && drop_next;
  [[maybe_unused]] const bool use_avx2 = detail::has_avx2();
  // In one pass, lane `count` is a spare that holds the next step's new candidate (F = +infinity
  // until then), so that the pass works out its cost too.
  const std::size_t spare = one_pass ? 1 : 0;
  // Keep the candidates not dropped, in order (with their values: the next step's test reads
  // them), and the spare lane after them. Those before the first dropped one stay where they
  // are: mostly the old ones, since new candidates are the ones that go soon.
  const auto compact = [&] {
    std::size_t kept = 0;
    while (kept < count && fs[kept] < never) ++kept;
    // No branch: the same cost whatever goes. The spare (F = +infinity) is copied last, to `kept`.
    for (std::size_t i = kept; i < count + spare; ++i) {
      fs[kept] = fs[i], start[kept] = start[i], whole_start[kept] = whole_start[i], values[kept] = values[i];
      if (one_pass)
        costs[kept] = costs[i];
      else
        drop_time[kept] = drop_time[i];  // (loop-invariant tests: g++ takes them out of the loop)
      for (auto& column : sums) column[kept] = column[i];
      kept += fs[i] < never;
    }
    count = kept, dropped = 0;
    padded_before = 0;  // what was left behind is padding now (below)
  };
  double next_drop = never;  // the earliest drop time pending (pruning delayed by m > 1)
  double last_best = never;  // F(t - 1)
  std::size_t max_candidates = 0;
  double sum_candidates = 0;

  for (Eigen::Index t = m; t <= n; ++t) {
    const double now = static_cast<double>(t);  // times and indices are exact as doubles
    if (now >= next_drop) dropped += detail::pelt_drop_due(detail::candidate_blocks(count) * block, fs.data(),
                                                           drop_time.data(), now);
    // Compacting costs about as much as a pass over the candidates: do it once a quarter are gone.
    if (dropped > 0 && 4 * dropped >= count) compact();
    const Eigen::Index fresh = t - m;  // the newest admissible last change
    const bool admit = fresh == 0 || fresh >= m;
    const std::size_t padded = detail::candidate_blocks(count + admit + spare) * block;
    if (fs.size() < padded) reserve(2 * fs.size() + block);
    if (admit) {
      drop_time[count] = never;
      fs[count] = f[static_cast<std::size_t>(fresh)];
      set_start(count, fresh);
      values[count] = -never;  // it had no value last step: the test keeps it
      if constexpr (width > 0) {
        const auto at = base.boundary(fresh);
        for (std::size_t j = 0; j < width; ++j) sums[j][count] = at[j];
        if (one_pass && t == m) {  // its C(s, t); later the step before works it out in the spare
          const double length = now - start[count];
          costs[count] = detail::candidate_cost<split::log_length>(base, at, base.boundary(t), length, logs(length), logs);
        }
      }
      ++count;
    }
    // The spare: the next step's new candidate (or any, if none is admissible then).
    if constexpr (width > 0)
      if (one_pass) {
        const Eigen::Index next_fresh = std::min(t + 1 - m, n);
        drop_time[count] = never, fs[count] = never;
        set_start(count, next_fresh);
        const auto at = base.boundary(next_fresh);
        for (std::size_t j = 0; j < width; ++j) sums[j][count] = at[j];
      }
    // Padding lanes: gone (F(s) = +infinity, so their value too), with a real candidate's data
    // (finite costs, lengths the log table covers). They keep it from step to step: only new
    // blocks, and lanes left behind by compacting, need it.
    if (padded != padded_before) {
      for (std::size_t i = count + spare; i < padded; ++i) {
        drop_time[i] = never, fs[i] = never;
        set_start(i, whole_start[i - 1]);
        for (auto& column : sums) column[i] = column[i - 1];
      }
      padded_before = padded;
    }

    // The values F(s) + C(s, t) + beta, as optimal partitioning computes them, and the first
    // smallest. MBIC's log(t - s) comes from the table, or std::log if t - s is too long for it.
    std::size_t first = padded;
    if constexpr (width > 0) {
      [&]<std::size_t... j>(std::index_sequence<j...>) {
        if (one_pass) {
          const double next = now + 1;  // at t = n the next step's costs are not used
          const auto at_next = base.boundary(std::min(t + 1, n));
          // The logarithms it takes, of whole numbers up to `largest`, from the table if it reaches.
          double largest = next - start[0];  // start[0]: the oldest
          if constexpr (detail::lane_log_cost<base_t>)
            largest = std::max(largest, base_t::largest_log_argument({sums[j][0]...}, at_next));
          const double* log_table =
              split::log_length || detail::lane_log_cost<base_t> ? logs.through(largest) : nullptr;
          const auto pass = [&]<bool exact>() __attribute__((always_inline)) {
#if PILOTSTATS_AVX2_DISPATCH
            if (use_avx2)
              return detail::pelt_pass_avx2<exact, split::log_length>(
                  base, at_next, next, penalty, k, last_best, log_table, logs, padded, values.data(),
                  fs.data(), costs.data(), start.data(), whole_start.data(), sums[j].data()...);
#endif
            return detail::pelt_pass<exact, split::log_length>(
                base, at_next, next, penalty, k, last_best, log_table, logs, padded, values.data(), fs.data(),
                costs.data(), start.data(), whole_start.data(), sums[j].data()...);
          };
          const detail::pelt_smallest found = as_r ? pass.template operator()<false>() : pass.template operator()<true>();
          first = found.at;
          dropped += found.dropped;
          return;
        }
        if constexpr (split::log_length) {
          if (const double* log_of = logs.through(now - start[0]))
            for (std::size_t i = 0; i < padded; ++i) extra[i] = log_of[static_cast<std::int64_t>(now - start[i])];
          else
            for (std::size_t i = 0; i < padded; ++i) extra[i] = logs(now - start[i]);
        }
        detail::candidate_values<split::log_length>(base, base.boundary(t), now, penalty, logs, count,
                                                    values.data(), fs.data(), start.data(), extra.data(),
                                                    sums[j].data()...);
      }
      (std::make_index_sequence<width>{});
    } else {
      for (std::size_t i = 0; i < padded; ++i) {
        double c = base(static_cast<Eigen::Index>(start[i]), t);
        if constexpr (split::log_length) c += logs(now - start[i]);
        values[i] = fs[i] + c + penalty;
      }
    }
    if (!one_pass) first = detail::first_smallest(values.data(), padded);

    double best = never;
    Eigen::Index arg = 0;
    if (first < count) best = values[first], arg = static_cast<Eigen::Index>(start[first]);
    max_candidates = std::max(max_candidates, count - dropped);
    sum_candidates += static_cast<double>(count - dropped);
    f[static_cast<std::size_t>(t)] = best;
    last[static_cast<std::size_t>(t)] = arg;
    last_best = best;

    // PELT's test (*) where the pass above did not make it (it makes this step's next time).
    if (!drop_next) {
      const double drop = static_cast<double>(t + delay);
      next_drop = detail::pelt_drop_later<true>(padded, values.data(), fs.data(), drop_time.data(), penalty, k,
                                                best, drop);
    } else if (!one_pass) {
      dropped += as_r ? detail::pelt_drop_now<false>(padded, values.data(), fs.data(), penalty, k, best)
                      : detail::pelt_drop_now<true>(padded, values.data(), fs.data(), penalty, k, best);
    }
  }
  if (trace) {
    trace->penalized_cost = f;
    trace->max_candidates = max_candidates;
    trace->mean_candidates = sum_candidates / static_cast<double>(n - m + 1);
  }
  return detail::partition_from_last(cost, last, n);
}

}  // namespace pilotstats
