// pilotstats/changepoint/fpop.hpp: exact penalized search by functional pruning (FPOP;
// Maidstone, Hocking, Rigaill & Fearnhead 2017, "On optimal multiple changepoint algorithms for
// large data", Statistics and Computing 27(2), 519-533), for a change in a normal mean and in a
// Poisson rate, with or without MBIC's log(length) terms.
//
// Synopsis
//   const pilotstats::normal_mean_cost cost(y);
//   const auto p = pilotstats::fpop(cost, penalty, 1);                   // as pelt(cost, penalty, 1)
//   const auto q = pilotstats::fpop(pilotstats::mbic_cost(cost), penalty, 1);  // under MBIC
//
// What it returns. Exactly what optimal_partitioning (and exact PELT) return for the same cost,
// penalty per change and minimum segment length m: the recursion, F(0) = -beta and
//     F(t) = min over s in {0} u [m, t - m] of F(s) + C(s, t) + beta,
// is evaluated with the same arithmetic (the cost object's own C(s, t), the same sums in the
// same order), ties go to the smallest s as in optimal_partitioning.hpp, and change points
// follow partition.hpp (R's cpts: the last 1-based index of each segment but the last). Only
// the set of s that is tried differs: FPOP drops s once no segment parameter mu is left at which
// s could still be the best last change.
//
// The functional view. For a candidate last change s and a segment parameter mu (the mean, or
// the Poisson rate), let f_s(mu) = F(s) + beta + L(s, t, mu) with L the segment's cost at mu
// (sum (y - mu)^2; or 2 sum (mu - y log mu) - 2 sum y, so that min over mu is C(s, t) exactly as
// normal_costs.hpp / poisson_cost.hpp define it). L is additive over data, so for two candidates
// a < b the difference f_a(mu) - f_b(mu) = F(a) + L(a, b, mu) - F(b) never changes once b is
// a candidate: where it is > 0, a can never again be the best at mu. Each candidate therefore
// keeps a set of mu (a list of intervals, "pieces"), and when b enters, every older candidate a
// keeps only {mu : F(a) + C(a, b) + n (mu - mean)^2 <= F(b)} (normal: a quadratic, solved in
// closed form) or {mu : F(a) + C(a, b) + 2 x (z - 1 - log z) <= F(b)}, z = mu / rate
// (Poisson; see poisson roots below). b gets the mu no older candidate wins. A candidate with no
// mu left is gone for good. F(t) is then the minimum of F(s) + C(s, t) + beta over the s that
// remain, computed exactly as optimal partitioning computes it.
//
// The minimum segment length m. Candidate s may end a segment only from t = s + m on, so it
// enters then (not at s + 1), and the comparison above is the same, with b = s: its data
// (a, s] are known. So any m works, at no extra cost (pelt.hpp's delayed pruning is the same
// idea), including the Poisson default m = 2 of find_changepoints.
//
// MBIC. mbic_cost adds log(t - s) to the cost of the final segment. For a < b,
// log(t - a) - log(t - b) > 0 and falls with t, so (i) an older a that loses to b at mu without
// the log terms loses at every later t: it is dropped as above; (ii) b loses to a at mu for
// every later t once F(b) - F(a) - L(a, b, mu) > log(t - a) - log(t - b) at the time b enters.
// So b gets less than "everything a does not keep", and a and b may both keep some mu. Pieces
// may therefore overlap: a mu may belong to several candidates, which only costs time.
// Because log(t - a) - log(t - b) keeps falling, b is checked again against every older piece,
// with its value at the time (the same rule as on entry, so the same margins). The first such
// check is also the cheapest place for b to enter: a new candidate under MBIC loses little at
// entry (its lambda is largest then), holds pieces and costs time until its first check, and
// most of them lose everything there. So under MBIC a candidate enters at age 64 (or m if
// larger): until then it is pending, evaluated for F(t) by index like an optimal-partitioning
// candidate (the same arithmetic), and it takes no part in the pruning. Entering late is exact:
// (i) and (ii) hold from any time on, and a pending candidate is always evaluated. It is then
// checked again at ages 128, 256, 512, ... (twice the entry age, doubling). On the benchmark
// series at n = 1e6 this keeps about 13 candidates with pieces (normal mean; 21 for Poisson)
// plus 63 pending, against 23 (36) entered at m with checks at 32m, 128m, ..., and takes 24%
// (20%) less time; entry ages 8-256 and checks every x2 or x4 were tried, and 64 with x2 was
// fastest for both costs.
//
// Rounding. Costs come from differences of cumulative sums and the roots are computed, so a
// comparison is only trusted beyond a margin, the one pelt.hpp uses:
// 1e-9 x (1 + |F(b)| + |F(a)| + |C(a, b)|). a keeps mu unless it loses by more than the margin;
// b is refused mu only where some a wins by more than the margin. Near-ties thus keep both
// candidates (the pieces overlap), so whichever one the computed F(t) prefers is still there.
// Roots are outer approximations for what a keeps (Newton from outside the root converges
// monotonically to it on a convex function) and inner ones for what a wins (the chord from the
// vertex lies above a convex function), so rounding in the roots keeps more, never less.
// As for PELT, the guarantee assumes the rounding in C(s, t) stays below the margin, which
// fails only for data whose mean is huge against its spread (sums of y^2 of about 1e7 times
// the squared spread).
//
// Poisson roots. Solving 2 x (z - 1 - log z) = level for z = mu / (x / n): the right root
// (z >= 1) by Newton in z, the left root (z <= 1) by Newton in u = log z on e^u - 1 - u; both
// start at the old end of the piece (or at u = -(1 + level / 2x), which is always left of the
// root), so they move monotonically towards the root and a few steps suffice when the piece
// moved little; they stop once the value is within a quarter of the margin. A segment with no
// counts (x = 0) has cost 2 n mu, a line. The rate lives on [0, max y], the mean on
// [min y, max y]: every segment's estimate lies there, so nothing outside can matter.
//
// Cost. Per step, O(number of pieces); with few changes this stays small where PELT keeps
// O(segment length) candidates (tests/changepoint/fpop_test.cpp checks it; bench/ times it).
// F(t) is computed once per candidate (not per piece) over arrays, as pelt.hpp does
// (candidates.hpp), and the shape of (a, s] once per candidate per step. What bounds the speed
// is the piece update, at about 25 ns per piece all told (branches, a division or two, a square
// root or Newton steps when a piece is cut), and under MBIC the pending candidates, about 2.5 ns
// each (normal mean). Those are consecutive, so they are evaluated four at a time
// (fpop_pending, with an AVX2 copy chosen at run time: lanes.hpp), their F(s), log(t - s) and
// the cost's boundary values (boundary_column) read four at a time from contiguous arrays; that
// made Poisson about 10% faster at 1e6 and the normal mean about 3%.
// With penalty 0 on data with exact ties (a run of zero counts) every tied candidate is kept,
// as the tie rule requires, and FPOP is quadratic like optimal partitioning.
//
// Supported costs: normal_mean_cost, poisson_cost, and mbic_cost of either (fpop_cost below).
// The variance and mean-and-variance costs have two-parameter or non-additive functional forms
// and are not supported: use pelt().
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "pilotstats/changepoint/candidates.hpp"
#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/lanes.hpp"
#include "pilotstats/changepoint/normal_costs.hpp"
#include "pilotstats/changepoint/partition.hpp"
#include "pilotstats/changepoint/poisson_cost.hpp"

namespace pilotstats {

// An interval of the segment parameter mu kept by a candidate last change (see below).
struct fpop_piece_view {
  double lo, hi;  // closed
  Eigen::Index candidate;
};

struct fpop_trace {
  std::vector<double> penalized_cost;  // F(t), t = 0..n (infinite where no split exists)
  std::size_t max_candidates = 0;      // the most candidate last changes holding pieces at once
  std::size_t max_pieces = 0;          // the most intervals of mu kept at once
  double mean_candidates = 0;          // averaged over t = m..n
  double mean_pending = 0;             // candidates not yet entered (MBIC), averaged likewise
  // If set, called after each step t with the pieces kept then and the first pending candidate:
  // every admissible s >= first_pending is evaluated directly (it holds no piece yet). For
  // tests of the functional pruning itself (fpop_test.cpp): at every mu, some s that keeps mu
  // or is pending must attain the minimum over all s of F(s) + beta + L(s, t, mu).
  std::function<void(Eigen::Index t, const std::vector<fpop_piece_view>& pieces, Eigen::Index first_pending)>
      on_step;
};

namespace detail {

struct fpop_root {
  double at;     // the point
  double aux;    // the shape's cached function of it (log mu for Poisson)
  double shape;  // the segment's cost above its minimum, there
};

struct fpop_domain {
  double lo, hi;
};

// Normal mean: L(a, b, mu) = C(a, b) + n (mu - mean)^2.
struct fpop_normal_shape {
  double vertex, length, cost;

  // From the cost's boundary values at a and b (as normal_mean_cost computes the mean and C).
  static fpop_normal_shape of(const std::array<double, 2>& at_a, const std::array<double, 2>& at_b,
                              double length) {
    return {(at_b[0] - at_a[0]) / length, length, normal_mean_cost::between(at_a, at_b, length)};
  }
  static fpop_domain domain(const normal_mean_cost& c) {
    fpop_domain d{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    for (Eigen::Index i = 0; i < c.size(); ++i) {
      const double y = *c.estimate(i, i + 1).mean;
      d.lo = std::min(d.lo, y);
      d.hi = std::max(d.hi, y);
    }
    return d;
  }
  static double aux(double) { return 0; }
  double operator()(double mu, double) const {
    const double d = mu - vertex;
    return length * d * d;
  }
  fpop_root left(double level, double, double, double, double) const {
    const double mu = vertex - std::sqrt(level / length);
    return {mu, 0, (*this)(mu, 0)};
  }
  fpop_root right(double level, double, double, double, double) const {
    const double mu = vertex + std::sqrt(level / length);
    return {mu, 0, (*this)(mu, 0)};
  }
};

// Poisson rate: L(a, b, mu) = C(a, b) + 2 x (z - 1 - log z), z = mu / rate, rate = x / n; and
// 2 n mu when x = 0. Pieces cache log mu at their ends, so checking a piece needs no logarithm.
struct fpop_poisson_shape {
  double vertex, length, count, log_vertex, cost;

  // From the cost's boundary values at a and b (as poisson_cost computes the rate).
  static fpop_poisson_shape of(const std::array<double, 1>& at_a, const std::array<double, 1>& at_b,
                               double n) {
    const double rate = (at_b[0] - at_a[0]) / n;
    const double x = static_cast<double>(static_cast<long long>(rate * n + 0.5));  // undo the division's rounding
    if (x == 0) return {0, n, 0, -std::numeric_limits<double>::infinity(), 0};
    const double log_rate = std::log(rate);
    return {rate, n, x, log_rate, -2 * x * log_rate};  // C(a, b) = 2 x (log n - log x)
  }
  static fpop_domain domain(const poisson_cost& c) {
    fpop_domain d{0.0, 0.0};
    for (Eigen::Index i = 0; i < c.size(); ++i) d.hi = std::max(d.hi, *c.estimate(i, i + 1).rate);
    return d;
  }
  static double aux(double mu) { return std::log(mu); }  // -inf at 0
  double operator()(double mu, double log_mu) const {
    if (count == 0) return 2 * length * mu;
    if (mu <= 0) return std::numeric_limits<double>::infinity();
    return 2 * count * (mu / vertex - 1 - (log_mu - log_vertex));
  }
  // Left of the vertex (only when count > 0): Newton on e^u - 1 - u = l in u = log z, from
  // u0 <= root (the old end, or -(1 + l), where e^u0 > 0 makes the left side positive).
  // `shape_from` is the shape at `from`, known to the caller.
  fpop_root left(double level, double from, double log_from, double shape_from, double tol) const {
    const double l = level / (2 * count);
    double u = -(1 + l), e = std::exp(u), excess = e - 1 - u - l;
    if (from > 0 && log_from - log_vertex > u) u = log_from - log_vertex, e = from / vertex, excess = shape_from / (2 * count) - l;
    for (int i = 0;; ++i) {
      if (i > 0) e = std::exp(u), excess = e - 1 - u - l;
      const double next = u - excess / (e - 1);
      if (2 * count * excess <= tol || e >= 1 || i == 100 || !(next > u))
        return {vertex * e, log_vertex + u, 2 * count * (excess + l)};
      u = next;
    }
  }
  // Right of the vertex: Newton on z - 1 - log z = l in z, from the old end (z0 >= root).
  fpop_root right(double level, double from, double log_from, double shape_from, double tol) const {
    if (count == 0) {
      const double mu = level / (2 * length);
      return {mu, std::log(mu), 2 * length * mu};
    }
    const double l = level / (2 * count);
    double z = from / vertex, log_z = log_from - log_vertex, excess = shape_from / (2 * count) - l;
    for (int i = 0;; ++i) {
      if (i > 0) excess = z - 1 - log_z - l;
      const double next = z - excess / (1 - 1 / z);
      if (2 * count * excess <= tol || z <= 1 || i == 100 || !(next < z))
        return {vertex * z, log_vertex + log_z, 2 * count * (excess + l)};
      z = next;
      log_z = std::log(z);
    }
  }
};

template <class Cost>
struct fpop_traits {
  static constexpr bool supported = false;
};

template <>
struct fpop_traits<normal_mean_cost> {
  static constexpr bool supported = true;
  static constexpr bool log_length = false;
  using shape = fpop_normal_shape;
  static const normal_mean_cost& base(const normal_mean_cost& c) { return c; }
};

template <>
struct fpop_traits<poisson_cost> {
  static constexpr bool supported = true;
  static constexpr bool log_length = false;
  using shape = fpop_poisson_shape;
  static const poisson_cost& base(const poisson_cost& c) { return c; }
};

template <class Cost>
  requires fpop_traits<Cost>::supported  // other MBIC costs fall to the primary template: not supported
struct fpop_traits<mbic_cost<Cost>> {
  static constexpr bool supported = true;
  static constexpr bool log_length = true;
  using shape = typename fpop_traits<Cost>::shape;
  static const Cost& base(const mbic_cost<Cost>& c) { return c.base(); }
};

struct fpop_piece {
  double lo, hi;          // a closed interval of mu
  Eigen::Index tau;       // the candidate last change that keeps it
  double aux_lo, aux_hi;  // the shape's cached function of lo and hi
};

template <class T>
void sort_by_lo(T* v, std::size_t size) {  // insertion sort: the lists are short and nearly sorted
  for (std::size_t i = 1; i < size; ++i) {
    const T x = v[i];
    std::size_t j = i;
    for (; j > 0 && v[j - 1].lo > x.lo; --j) v[j] = v[j - 1];
    v[j] = x;
  }
}

// The pending candidates under MBIC, s = first..last (consecutive, all admissible), four at a
// time: F(s) + C(s, t) + log(t - s) + beta as candidate_cost computes it (the same bits), and
// `best` / `arg` replaced by the first smaller one (so a tie goes to what came before, then to
// the smallest s). `log_length` is FPOP's table of log(k); the Poisson cost's log(count) come
// from `count_logs` where it reaches, else from `logs`. fpop_pending_avx2 inlines it as AVX2
// code.
template <class Base>
[[gnu::always_inline]] inline void fpop_pending(const Base& base,
                                                const std::array<double, Base::boundary_size>& at_t,
                                                Eigen::Index t, double penalty, const double* f,
                                                Eigen::Index first, Eigen::Index last,
                                                const double* log_length, const double* count_logs,
                                                integer_logs& logs, double& best, Eigen::Index& arg) {
  constexpr std::size_t width = Base::boundary_size;
  const double now = static_cast<double>(t);
  const lanes beta = {penalty, penalty, penalty, penalty}, later = {now, now, now, now};
  std::array<lanes, width> at_t_lanes{};
  splat_each(at_t_lanes, at_t);
  constexpr double gone = std::numeric_limits<double>::infinity();
  lanes low = {gone, gone, gone, gone}, low_at = {0, 0, 0, 0};
  std::array<const double*, width> column;
  for (std::size_t j = 0; j < width; ++j) column[j] = base.boundary_column(static_cast<int>(j));
  Eigen::Index s = first;
  const auto blocks = [&](const auto& log_of, auto) __attribute__((always_inline)) {
    lanes low_here = low, low_at_here = low_at;
    for (; s + 3 <= last; s += 4) {
      const auto d = static_cast<double>(s);
      const lanes at = {d, d + 1, d + 2, d + 3}, length = later - at;
      lanes fs, log_t, c;
      load_lanes(fs, f + s);
      load_lanes(log_t, log_length + (t - s - 3));  // log(t - s - 3) .. log(t - s): reversed
      reverse_lanes(log_t);
      std::array<lanes, width> at_s;  // boundary(s .. s + 3), contiguous in each column
      for (std::size_t j = 0; j < width; ++j) load_lanes(at_s[j], column[j] + s);
      lane_between<Base>(at_s, at_t_lanes, length, log_t, log_of, c);
      c += log_t;
      const lanes value = fs + c + beta;
      const lane_mask lower = value < low_here;
      low_here = lower ? value : low_here;
      low_at_here = lower ? at : low_at_here;
    }
    low = low_here, low_at = low_at_here;
  };
  with_whole_logs(count_logs, logs, blocks);  // (the normal mean takes no logs of counts)
  double block_best = gone, block_arg = 0;  // ties across lanes to the smallest s
  for (std::size_t lane = 0; lane < candidate_block; ++lane)
    if (low[lane] < block_best || (low[lane] == block_best && low_at[lane] < block_arg))
      block_best = low[lane], block_arg = low_at[lane];
  if (block_best < best) best = block_best, arg = static_cast<Eigen::Index>(block_arg);
  for (; s <= last; ++s) {  // the rest, one by one
    const auto length = static_cast<std::size_t>(t - s);
    const double value = f[s] + candidate_cost<true>(base, base.boundary(s), at_t, static_cast<double>(length),
                                                     log_length[length], logs) +
                         penalty;
    if (value < best) best = value, arg = s;
  }
}

#if PILOTSTATS_AVX2_DISPATCH
template <class Base>
[[gnu::target("avx2"), gnu::flatten]] void fpop_pending_avx2(const Base& base,
                                                             const std::array<double, Base::boundary_size>& at_t,
                                                             Eigen::Index t, double penalty, const double* f,
                                                             Eigen::Index first, Eigen::Index last,
                                                             const double* log_length, const double* count_logs,
                                                             integer_logs& logs, double& best, Eigen::Index& arg) {
  fpop_pending(base, at_t, t, penalty, f, first, last, log_length, count_logs, logs, best, arg);
}
#endif

}  // namespace detail

// Costs FPOP can search: normal mean and Poisson, plain or with MBIC's log(length) terms.
template <class Cost>
concept fpop_cost = segment_cost<Cost> && detail::fpop_traits<Cost>::supported;

template <fpop_cost Cost>
partition fpop(const Cost& cost, double penalty, Eigen::Index min_segment_length, fpop_trace* trace = nullptr) {
  using traits = detail::fpop_traits<Cost>;
  using shape_t = typename traits::shape;
  const Eigen::Index n = cost.size(), m = min_segment_length;
  detail::check_penalty("fpop", penalty);
  detail::check_search("fpop", n, m, Cost::minimum_segment_length);
  const auto& base = traits::base(cost);
  const detail::fpop_domain domain = shape_t::domain(base);

  const auto un = static_cast<std::size_t>(n);
  std::vector<double> f(un + 1, std::numeric_limits<double>::infinity());
  std::vector<Eigen::Index> last(un + 1, 0);
  f[0] = -penalty;
  std::vector<detail::fpop_piece> pieces, fresh;
  std::vector<detail::fpop_domain> wins;  // where an older candidate beats the new one for good
  std::size_t max_pieces = 0, max_candidates = 0;
  double sum_candidates = 0, sum_pending = 0;
  const double log_m = std::log(static_cast<double>(m));
  const double log_n_over_m = std::log(static_cast<double>(n)) - log_m;  // bounds MBIC's lambda
  // MBIC's log(length) for every length, computed as mbic_cost computes it (the same bits).
  std::vector<double> log_length;
  if constexpr (traits::log_length) {
    log_length.resize(un + 1);
    for (std::size_t k = 0; k <= un; ++k) log_length[k] = std::log(static_cast<double>(k));
  }
  detail::integer_logs logs;  // the Poisson cost's log(count)

  // The candidates that own a piece, increasing in s, in arrays for the evaluation of F(t)
  // (candidates.hpp): index, F(s), s, the cost's boundary values at s; padded to whole blocks.
  using base_t = std::remove_cvref_t<decltype(base)>;
  constexpr auto width = static_cast<std::size_t>(base_t::boundary_size);
  constexpr std::size_t block = detail::candidate_block;
  std::vector<std::uint32_t> owned(un + 1, 0);  // pieces per candidate
  std::vector<std::uint32_t> slot(un + 1, 0);   // where a live candidate is in the arrays
  std::vector<shape_t> shape_of;                // the shape of (a, b] for each candidate a, b given
  std::size_t live = 0;
  std::vector<Eigen::Index> index;
  std::vector<double> f_start, start, values, extra;  // F(s), s, this step's values, log(t - s)
  std::array<std::vector<double>, width> sums;
  bool died = false;  // some candidate lost its last piece
  const auto add_candidate = [&](Eigen::Index s) {
    if (index.size() < detail::candidate_blocks(live + 1) * block) {
      const std::size_t size = 2 * index.size() + block;
      index.resize(size), f_start.resize(size), start.resize(size), values.resize(size), extra.resize(size);
      shape_of.resize(size);
      for (auto& column : sums) column.resize(size);
    }
    index[live] = s;
    slot[static_cast<std::size_t>(s)] = static_cast<std::uint32_t>(live);
    f_start[live] = f[static_cast<std::size_t>(s)];
    start[live] = static_cast<double>(s);
    const auto at = base.boundary(s);
    for (std::size_t j = 0; j < width; ++j) sums[j][live] = at[j];
    ++live;
  };

  // Candidate s enters at time t = s + m, when it may first end a segment (under MBIC later, below).
  // The lists live in vectors that only grow; their lengths are counted apart.
  std::size_t count = 0;  // pieces[0, count) are live, sorted by lo (overlaps allowed)
  // Where the piece q of an older candidate beats the newer one by more than the margin for
  // good: where its shape is below win, taken by chords from the vertex v (inner approximation).
  const auto add_win_within = [](auto& add_win, const detail::fpop_piece& q, double v, double glo, double ghi,
                                 double win) {
    if (glo < win && ghi < win) {
      add_win(q.lo, q.hi);
      return;
    }
    const double wl = glo < win ? q.lo : v - (v - q.lo) * (win / glo);
    const double wh = ghi < win ? q.hi : v + (q.hi - v) * (win / ghi);
    if (v < q.lo) {
      if (glo < win) add_win(q.lo, std::max(q.lo, wh));
    } else if (v > q.hi) {
      if (ghi < win) add_win(std::min(q.hi, wl), q.hi);
    } else {
      add_win(wl, wh);
    }
  };
  const auto drop_dead_candidates = [&] {  // those left without a piece, keeping the order
    if (!died) return;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < live; ++i) {
      if (owned[static_cast<std::size_t>(index[i])] == 0) continue;
      index[kept] = index[i], f_start[kept] = f_start[i], start[kept] = start[i];
      for (auto& column : sums) column[kept] = column[i];
      slot[static_cast<std::size_t>(index[kept])] = static_cast<std::uint32_t>(kept);
      ++kept;
    }
    live = kept;
    died = false;
  };
  // The shape of (a, b] for the first `older` candidates a, once per candidate, not per piece.
  const auto shapes_to = [&](Eigen::Index b, std::size_t older) {
    const auto at_b = base.boundary(b);
    const double end = static_cast<double>(b);
    for (std::size_t i = 0; i < older; ++i) {
      std::array<double, width> at_a;
      for (std::size_t j = 0; j < width; ++j) at_a[j] = sums[j][i];
      shape_of[i] = shape_t::of(at_a, at_b, end - start[i]);
    }
  };
  // pieces[0, kept) sorted by lo, fresh[0, added) too: merge the new pieces in, from the back,
  // moving the kept ones in blocks.
  const auto merge_fresh = [&](std::size_t kept, std::size_t added) {
    count = kept + added;
    if (pieces.size() < count) pieces.resize(2 * count);
    for (std::size_t i = kept, j = added; j > 0; --j) {
      std::size_t at_most = i;
      while (at_most > 0 && pieces[at_most - 1].lo > fresh[j - 1].lo) --at_most;
      std::copy_backward(pieces.begin() + static_cast<std::ptrdiff_t>(at_most),
                         pieces.begin() + static_cast<std::ptrdiff_t>(i),
                         pieces.begin() + static_cast<std::ptrdiff_t>(i + j));
      pieces[at_most + j - 1] = fresh[j - 1];
      i = at_most;
    }
  };
  // Where older candidates beat a newer one for good (enter, recheck): intervals of mu.
  std::size_t won = 0;
  bool wins_sorted = true;
  const auto clear_wins = [&] {
    if (wins.size() < count + 2) wins.resize(2 * count + 2);
    if (fresh.size() < count + 2) fresh.resize(2 * count + 2);
    won = 0, wins_sorted = true;
  };
  const auto add_win = [&](double lo, double hi) {
    wins_sorted = wins_sorted && (won == 0 || wins[won - 1].lo <= lo);
    wins[won++] = {lo, hi};
  };
  // The parts of [lo, hi] that no win covers (closed: the boundary points are shared), as pieces
  // of candidate b appended to fresh[added, ...); aux_lo and aux_hi are the shape's at lo and hi.
  const auto keep_outside_wins = [&](double lo, double hi, double aux_lo, double aux_hi, Eigen::Index b,
                                     std::size_t& added) {
    if (!wins_sorted) detail::sort_by_lo(wins.data(), won), wins_sorted = true;
    bool touched = false;
    double at = lo;
    for (std::size_t w = 0; w < won && wins[w].lo <= hi; ++w) {
      if (wins[w].hi < lo) continue;
      touched = true;
      if (wins[w].lo > at)
        fresh[added++] = {at, wins[w].lo, b, at == lo ? aux_lo : shape_t::aux(at), shape_t::aux(wins[w].lo)};
      at = std::max(at, wins[w].hi);
    }
    if (!touched)
      fresh[added++] = {lo, hi, b, aux_lo, aux_hi};
    else if (at < hi)
      fresh[added++] = {at, hi, b, at == lo ? aux_lo : shape_t::aux(at), aux_hi};
  };
  const auto enter = [&](Eigen::Index s, Eigen::Index t) {
    const auto drop_piece = [&](Eigen::Index a) {
      died = (--owned[static_cast<std::size_t>(a)] == 0) || died;
    };
    clear_wins();
    std::size_t kept = 0;
    bool kept_sorted = true;
    const double fs = f[static_cast<std::size_t>(s)];
    shapes_to(s, live);
    for (std::size_t i = 0; i < count; ++i) {
      const detail::fpop_piece& p = pieces[i];
      const Eigen::Index a = p.tau;
      const std::uint32_t at_a = slot[static_cast<std::size_t>(a)];
      const double fa = f_start[at_a];
      const shape_t& shape = shape_of[at_a];
      const double c = shape.cost;
      const double margin = 1e-9 * (1 + std::abs(fs) + std::abs(fa) + std::abs(c));
      const double slack = fs - fa - c;  // a and s tie where the shape of (a, s] equals this
      const double keep = slack + margin;
      if (keep < 0) {  // a loses to s everywhere (PELT's pruning test)
        drop_piece(a);
        continue;
      }
      const double v = shape.vertex;
      detail::fpop_piece q = p;
      double glo = shape(q.lo, q.aux_lo), ghi = shape(q.hi, q.aux_hi);
      if (glo > keep || ghi > keep) {  // the piece is cut (a convex shape: the ends decide)
        bool lo_moved = false;
        if (glo > keep) {
          if (q.lo >= v) {
            drop_piece(a);
            continue;
          }
          const detail::fpop_root r = shape.left(keep, q.lo, q.aux_lo, glo, 0.25 * margin);
          q.lo = r.at, q.aux_lo = r.aux, glo = r.shape, lo_moved = true;
        }
        if (ghi > keep) {
          if (q.hi <= v) {
            drop_piece(a);
            continue;
          }
          const detail::fpop_root r = shape.right(keep, q.hi, q.aux_hi, ghi, 0.25 * margin);
          q.hi = r.at, q.aux_hi = r.aux, ghi = r.shape;
        }
        if (q.hi < q.lo) {  // rounding only: keep the end that was checked
          if (lo_moved)
            q.lo = q.hi, q.aux_lo = q.aux_hi, glo = ghi;
          else
            q.hi = q.lo, q.aux_hi = q.aux_lo, ghi = glo;
        }
      }
      kept_sorted = kept_sorted && (kept == 0 || pieces[kept - 1].lo <= q.lo);
      pieces[kept++] = q;  // in place: kept <= i

      // Where a beats s for good: below win (an inner approximation by chords from the vertex).
      if (!(slack - margin > 0)) continue;
      double win = slack - margin;
      if constexpr (traits::log_length) {
        const double top = std::max(glo, ghi);
        if (!(win - log_n_over_m > top))  // else the whole piece wins, whatever lambda is
          win -= log_length[static_cast<std::size_t>(t - a)] - log_length[static_cast<std::size_t>(t - s)];
        if (!(win > 0)) continue;
      }
      add_win_within(add_win, q, shape.vertex, glo, ghi, win);
    }
    // s keeps what no older candidate wins.
    std::size_t added = 0;
    keep_outside_wins(domain.lo, domain.hi, shape_t::aux(domain.lo), shape_t::aux(domain.hi), s, added);
    owned[static_cast<std::size_t>(s)] = static_cast<std::uint32_t>(added);
    drop_dead_candidates();
    if (added > 0) add_candidate(s);
    if (!kept_sorted) detail::sort_by_lo(pieces.data(), kept);
    merge_fresh(kept, added);
  };

  // MBIC only. When b entered (at t0 = b + m) an older a took from it only the mu where a leads
  // by more than lambda(t0) = log(t0 - a) - log(t0 - b); lambda(t) falls as t grows, so later
  // a leads b for good on more mu: where F(b) - F(a) - L(a, b, mu) > lambda(t). This takes those
  // mu from b again at time t, for every older piece, as enter() does with lambda(t0).
  const auto recheck = [&](Eigen::Index b, Eigen::Index t) {
    clear_wins();
    const double fb = f[static_cast<std::size_t>(b)];
    const double log_tb = log_length[static_cast<std::size_t>(t - b)];
    shapes_to(b, slot[static_cast<std::size_t>(b)]);
    for (std::size_t i = 0; i < count; ++i) {
      const detail::fpop_piece& q = pieces[i];
      const Eigen::Index a = q.tau;
      if (a >= b) continue;
      const std::uint32_t at_a = slot[static_cast<std::size_t>(a)];
      const double fa = f_start[at_a];
      const shape_t& shape = shape_of[at_a];
      const double c = shape.cost;
      const double margin = 1e-9 * (1 + std::abs(fb) + std::abs(fa) + std::abs(c));
      const double win = fb - fa - c - margin - (log_length[static_cast<std::size_t>(t - a)] - log_tb);
      if (!(win > 0)) continue;
      add_win_within(add_win, q, shape.vertex, shape(q.lo, q.aux_lo), shape(q.hi, q.aux_hi), win);
    }
    if (won == 0) return;
    // b keeps what no older candidate wins.
    std::size_t kept = 0, added = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const detail::fpop_piece p = pieces[i];
      if (p.tau == b)
        keep_outside_wins(p.lo, p.hi, p.aux_lo, p.aux_hi, b, added);
      else
        pieces[kept++] = p;
    }
    owned[static_cast<std::size_t>(b)] = static_cast<std::uint32_t>(added);
    died = died || added == 0;
    drop_dead_candidates();
    merge_fresh(kept, added);
  };

  // Under MBIC a candidate enters late, at age `entry` (see above): until then it is pending,
  // evaluated by index. The pending ones at time t are the s in (t - entry, t - m].
  const Eigen::Index entry = traits::log_length ? std::max<Eigen::Index>(64, m) : m;
  [[maybe_unused]] const bool use_avx2 = detail::has_avx2();
  for (Eigen::Index t = m; t <= n; ++t) {
    if (const Eigen::Index s = t - entry; s == 0 || s >= m) enter(s, t);
    if constexpr (traits::log_length)  // b is checked again at ages 2, 4, 8, ... times the entry age
      for (Eigen::Index age = 2 * entry; age <= t - m; age *= 2)
        if (owned[static_cast<std::size_t>(t - age)] > 0) recheck(t - age, t);
    // F(t) over the candidates left, as optimal partitioning computes it: ties to the smallest s.
    const std::size_t padded = detail::candidate_blocks(live) * block;
    if constexpr (traits::log_length)
      for (std::size_t i = 0; i < live; ++i) extra[i] = log_length[static_cast<std::size_t>(t - index[i])];
    const auto at_t = base.boundary(t);
    [&]<std::size_t... j>(std::index_sequence<j...>) {
      detail::candidate_values<traits::log_length>(base, at_t, static_cast<double>(t), penalty,
                                                   logs, live, values.data(), f_start.data(), start.data(),
                                                   extra.data(), sums[j].data()...);
    }
    (std::make_index_sequence<width>{});
    for (std::size_t i = live; i < padded; ++i) values[i] = std::numeric_limits<double>::infinity();
    double best = std::numeric_limits<double>::infinity();
    Eigen::Index arg = 0;
    if (const std::size_t c = detail::first_smallest(values.data(), padded); c < live)
      best = values[c], arg = index[c];
    // The pending candidates (MBIC), newer than all of the above: a tie goes to the above.
    std::size_t pending = 0;
    if constexpr (traits::log_length) {
      // The admissible s among them, in order: 0, then those from m on (four at a time).
      const auto evaluate = [&](Eigen::Index first, Eigen::Index last) {
        const double* count_logs = nullptr;
        if constexpr (detail::lane_log_cost<base_t>)
          count_logs = logs.through(base_t::largest_log_argument(base.boundary(first), at_t));
#if PILOTSTATS_AVX2_DISPATCH
        if (use_avx2)
          return detail::fpop_pending_avx2(base, at_t, t, penalty, f.data(), first, last, log_length.data(),
                                           count_logs, logs, best, arg);
#endif
        detail::fpop_pending(base, at_t, t, penalty, f.data(), first, last, log_length.data(), count_logs,
                             logs, best, arg);
      };
      const Eigen::Index first = std::max<Eigen::Index>(0, t - entry + 1), newest = t - m;
      if (first == 0) evaluate(0, 0), ++pending;
      if (const Eigen::Index from = std::max(first, m); from <= newest)
        evaluate(from, newest), pending += static_cast<std::size_t>(newest - from + 1);
    }
    f[static_cast<std::size_t>(t)] = best;
    last[static_cast<std::size_t>(t)] = arg;
    if (trace && trace->on_step) {
      std::vector<fpop_piece_view> view(count);
      for (std::size_t i = 0; i < count; ++i) view[i] = {pieces[i].lo, pieces[i].hi, pieces[i].tau};
      trace->on_step(t, view, t - entry + 1);  // (entry = m without MBIC: none pending)
    }
    if (trace) {
      max_pieces = std::max(max_pieces, count);
      max_candidates = std::max(max_candidates, live);
      sum_candidates += static_cast<double>(live);
      sum_pending += static_cast<double>(pending);
    }
  }
  if (trace) {
    trace->penalized_cost = f;
    trace->max_candidates = max_candidates;
    trace->max_pieces = max_pieces;
    trace->mean_candidates = sum_candidates / static_cast<double>(n - m + 1);
    trace->mean_pending = sum_pending / static_cast<double>(n - m + 1);
  }
  return detail::partition_from_last(cost, last, n);
}

}  // namespace pilotstats
