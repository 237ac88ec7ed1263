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
// idea). The brief's worry that m > 1 is awkward does not arise for these costs.
//
// MBIC. mbic_cost adds log(t - s) to the cost of the final segment. For a < b,
// log(t - a) - log(t - b) > 0 and falls with t, so (i) an older a that loses to b at mu without
// the log terms loses at every later t: it is dropped as above; (ii) b loses to a at mu for
// every later t once F(b) - F(a) - L(a, b, mu) > log(t - a) - log(t - b) at the time b enters.
// So b gets less than "everything a does not keep", and a and b may both keep some mu. Pieces
// may therefore overlap: a mu may belong to several candidates, which only costs time.
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
// With penalty 0 on data with exact ties (a run of zero counts) every tied candidate is kept,
// as the tie rule requires, and FPOP is quadratic like optimal partitioning.
//
// Supported costs: normal_mean_cost, poisson_cost, and mbic_cost of either (fpop_cost below).
// The variance and mean-and-variance costs have two-parameter or non-additive functional forms
// and are not supported: use pelt().
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/normal_costs.hpp"
#include "pilotstats/changepoint/partition.hpp"
#include "pilotstats/changepoint/poisson_cost.hpp"

namespace pilotstats {

struct fpop_trace {
  std::vector<double> penalized_cost;  // F(t), t = 0..n (infinite where no split exists)
  std::size_t max_candidates = 0;      // the most candidate last changes kept at once
  std::size_t max_pieces = 0;          // the most intervals of mu kept at once
  double mean_candidates = 0;          // averaged over t = m..n
};

namespace detail {

struct fpop_root {
  double at;     // the point
  double shape;  // the segment's cost above its minimum, there
};

struct fpop_domain {
  double lo, hi;
};

// Normal mean: L(a, b, mu) = C(a, b) + n (mu - mean)^2.
struct fpop_normal_shape {
  double vertex, length;

  static fpop_normal_shape of(const normal_mean_cost& c, Eigen::Index a, Eigen::Index b) {
    return {*c.estimate(a, b).mean, static_cast<double>(b - a)};
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
  double operator()(double mu) const {
    const double d = mu - vertex;
    return length * d * d;
  }
  fpop_root left(double level, double, double) const {
    const double mu = vertex - std::sqrt(level / length);
    return {mu, (*this)(mu)};
  }
  fpop_root right(double level, double, double) const {
    const double mu = vertex + std::sqrt(level / length);
    return {mu, (*this)(mu)};
  }
};

// Poisson rate: L(a, b, mu) = C(a, b) + 2 x (z - 1 - log z), z = mu / rate, rate = x / n; and
// 2 n mu when x = 0.
struct fpop_poisson_shape {
  double vertex, length, count;

  static fpop_poisson_shape of(const poisson_cost& c, Eigen::Index a, Eigen::Index b) {
    const double n = static_cast<double>(b - a);
    const double rate = *c.estimate(a, b).rate;
    return {rate, n, std::round(rate * n)};  // the count is an integer: undo the division's rounding
  }
  static fpop_domain domain(const poisson_cost& c) {
    fpop_domain d{0.0, 0.0};
    for (Eigen::Index i = 0; i < c.size(); ++i) d.hi = std::max(d.hi, *c.estimate(i, i + 1).rate);
    return d;
  }
  double operator()(double mu) const {
    if (count == 0) return 2 * length * mu;
    if (mu <= 0) return std::numeric_limits<double>::infinity();
    const double z = mu / vertex;
    return 2 * count * (z - 1 - std::log(z));
  }
  // Left of the vertex (only when count > 0): Newton on e^u - 1 - u = l in u = log z, from
  // u0 <= root (the old end `from`, or -(1 + l), where e^u0 > 0 makes the left side positive).
  fpop_root left(double level, double from, double tol) const {
    const double l = level / (2 * count);
    double u = -(1 + l);
    if (from > 0) u = std::max(u, std::log(from / vertex));
    for (int i = 0;; ++i) {
      const double e = std::exp(u);
      const double excess = e - 1 - u - l;
      const double next = u - excess / (e - 1);
      if (2 * count * excess <= tol || e >= 1 || i == 100 || !(next > u)) return {vertex * e, 2 * count * (excess + l)};
      u = next;
    }
  }
  // Right of the vertex: Newton on z - 1 - log z = l in z, from the old end (z0 >= root).
  fpop_root right(double level, double from, double tol) const {
    if (count == 0) {
      const double mu = level / (2 * length);
      return {mu, 2 * length * mu};
    }
    const double l = level / (2 * count);
    double z = from / vertex;
    for (int i = 0;; ++i) {
      const double excess = z - 1 - std::log(z) - l;
      const double next = z - excess / (1 - 1 / z);
      if (2 * count * excess <= tol || z <= 1 || i == 100 || !(next < z)) return {vertex * z, 2 * count * (excess + l)};
      z = next;
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
struct fpop_traits<mbic_cost<Cost>> {
  static constexpr bool supported = fpop_traits<Cost>::supported;
  static constexpr bool log_length = true;
  using shape = typename fpop_traits<Cost>::shape;
  static const Cost& base(const mbic_cost<Cost>& c) { return c.base(); }
};

struct fpop_piece {
  double lo, hi;     // a closed interval of mu
  Eigen::Index tau;  // the candidate last change that keeps it
};

template <class T>
void sort_by_lo(std::vector<T>& v) {  // insertion sort: the lists are short and nearly sorted
  for (std::size_t i = 1; i < v.size(); ++i) {
    const T x = v[i];
    std::size_t j = i;
    for (; j > 0 && v[j - 1].lo > x.lo; --j) v[j] = v[j - 1];
    v[j] = x;
  }
}

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
  std::vector<detail::fpop_piece> pieces, kept, fresh;
  std::vector<detail::fpop_domain> wins;  // where an older candidate beats the new one for good
  std::size_t max_pieces = 0, max_candidates = 0;
  double sum_candidates = 0;
  std::vector<Eigen::Index> owners;  // trace only

  // Candidate s enters at time t = s + m, when it may first end a segment.
  const auto enter = [&](Eigen::Index s, Eigen::Index t) {
    kept.clear();
    wins.clear();
    const double fs = f[static_cast<std::size_t>(s)];
    for (const detail::fpop_piece& p : pieces) {
      const Eigen::Index a = p.tau;
      const double fa = f[static_cast<std::size_t>(a)];
      const double c = base(a, s);
      const double margin = 1e-9 * (1 + std::abs(fs) + std::abs(fa) + std::abs(c));
      const double slack = fs - fa - c;  // a and s tie where the shape of (a, s] equals this
      const double keep = slack + margin;
      if (keep < 0) continue;  // a loses to s everywhere (PELT's pruning test)
      const shape_t shape = shape_t::of(base, a, s);
      const double v = shape.vertex, tol = 0.25 * margin;
      double lo = p.lo, hi = p.hi, glo = shape(lo), ghi = shape(hi);
      bool lo_moved = false;
      if (glo > keep) {
        if (lo >= v) continue;
        const detail::fpop_root r = shape.left(keep, lo, tol);
        lo = r.at, glo = r.shape, lo_moved = true;
      }
      if (ghi > keep) {
        if (hi <= v) continue;
        const detail::fpop_root r = shape.right(keep, hi, tol);
        hi = r.at, ghi = r.shape;
      }
      if (hi < lo) {  // rounding only: keep the end that was checked
        if (lo_moved) lo = hi, glo = ghi;
        else hi = lo, ghi = glo;
      }
      kept.push_back({lo, hi, a});

      // Where a beats s for good: below win (an inner approximation by chords from the vertex).
      double lambda = 0;
      if constexpr (traits::log_length)
        lambda = std::log(static_cast<double>(t - a)) - std::log(static_cast<double>(t - s));
      const double win = slack - lambda - margin;
      if (!(win > 0)) continue;
      const double wl = glo < win ? lo : v - (v - lo) * (win / glo);
      const double wh = ghi < win ? hi : v + (hi - v) * (win / ghi);
      if (v < lo) {
        if (glo < win) wins.push_back({lo, std::max(lo, wh)});
      } else if (v > hi) {
        if (ghi < win) wins.push_back({std::min(hi, wl), hi});
      } else {
        wins.push_back({wl, wh});
      }
    }
    // s keeps what no older candidate wins (closed: the boundary points are shared).
    detail::sort_by_lo(wins);
    fresh.clear();
    double at = domain.lo;
    for (const auto& w : wins) {
      if (w.lo > at) fresh.push_back({at, w.lo, s});
      at = std::max(at, w.hi);
    }
    if (at < domain.hi || wins.empty()) fresh.push_back({at, domain.hi, s});
    detail::sort_by_lo(kept);
    pieces.clear();
    std::merge(kept.begin(), kept.end(), fresh.begin(), fresh.end(), std::back_inserter(pieces),
               [](const detail::fpop_piece& x, const detail::fpop_piece& y) { return x.lo < y.lo; });
  };

  for (Eigen::Index t = m; t <= n; ++t) {
    const Eigen::Index s = t - m;
    if (s == 0 || s >= m) enter(s, t);
    // F(t) over the candidates left, as optimal partitioning computes it: ties to the smallest s.
    double best = std::numeric_limits<double>::infinity();
    Eigen::Index arg = 0, previous = -1;
    for (const detail::fpop_piece& p : pieces) {
      if (p.tau == previous) continue;
      previous = p.tau;
      const double v = f[static_cast<std::size_t>(p.tau)] + cost(p.tau, t) + penalty;
      if (v < best || (v == best && p.tau < arg)) {
        best = v;
        arg = p.tau;
      }
    }
    f[static_cast<std::size_t>(t)] = best;
    last[static_cast<std::size_t>(t)] = arg;
    if (trace) {
      max_pieces = std::max(max_pieces, pieces.size());
      owners.clear();
      for (const auto& p : pieces) owners.push_back(p.tau);
      std::sort(owners.begin(), owners.end());
      const auto k = static_cast<std::size_t>(std::unique(owners.begin(), owners.end()) - owners.begin());
      max_candidates = std::max(max_candidates, k);
      sum_candidates += static_cast<double>(k);
    }
  }
  if (trace) {
    trace->penalized_cost = f;
    trace->max_candidates = max_candidates;
    trace->max_pieces = max_pieces;
    trace->mean_candidates = sum_candidates / static_cast<double>(n - m + 1);
  }
  partition out;
  out.changepoints = detail::backtrack(last, n);
  out.cost = detail::partition_cost(cost, out.changepoints);
  return out;
}

}  // namespace pilotstats
