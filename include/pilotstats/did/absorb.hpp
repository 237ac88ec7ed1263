// pilotstats/did/absorb.hpp: absorbing unit and time fixed effects (the within transformation).
//
// absorb() replaces each column x by its residual from the regression on unit and time
// dummies, x - D (D'WD)^- D'W x, the Frisch-Waugh-Lovell step behind two-way fixed effects.
//
//   balanced, unweighted  the exact two-way within transformation
//                         x_it - mean_i - mean_t + mean (one pass; every unit at every time once)
//   otherwise             alternating projections (Gaure 2013, "OLS with multiple high dimensional
//                         category variables", CSDA 66; the method of lfe and, with acceleration,
//                         of fixest's demeaning): subtract weighted unit means, then weighted time
//                         means, until an iteration changes the column by at most `tolerance`
//                         times its norm (default 1e-10), at most `max_iterations` sweeps; a
//                         column that does not converge is a warning, not an error.
//
// Weights are analytic (as lm(weights =) and fixest's `weights`): the projection is W-orthogonal.
//
// absorb_in_place() is the iterative step alone, on dense codes, in place and with a warm start
// (the caller's columns may already be shifted by unit and time effects); IRLS with absorbed
// effects (did/ppml.hpp) calls it once per iteration.
//
// Singletons. fixest's default is fixef.rm = "perfect", which for feols removes nothing: a unit
// or time observed once is kept (its row is fitted exactly and carries no information on the
// slopes). fixef.rm = "singleton" drops, in ONE pass (fixest: "there is no recursivity"), every
// row whose unit or time occurs once. Both are offered (`singleton_rule`); the default keeps them,
// as fixest does, and either way the count is reported.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "pilotstats/core/error.hpp"

namespace pilotstats {

enum class singleton_rule {
  keep,       // fixest's default (fixef.rm = "perfect": nothing is removed in a linear model)
  drop_once,  // fixest's fixef.rm = "singleton": one pass, not repeated
};

struct absorb_options {
  Eigen::VectorXd weights;         // empty: unweighted; else one positive weight per row
  double tolerance = 1e-10;        // relative change of a column in one sweep that ends the iterations
  int max_iterations = 10000;      // sweeps (unit then time) per column
  singleton_rule singletons = singleton_rule::keep;

  void validate(std::size_t rows) const {
    if (weights.size() != 0 && static_cast<std::size_t>(weights.size()) != rows)
      throw invalid_input("absorb: " + std::to_string(weights.size()) + " weights given for " +
                          std::to_string(rows) + " rows");
    for (Eigen::Index i = 0; i < weights.size(); ++i)
      if (!std::isfinite(weights(i)) || weights(i) <= 0)
        throw invalid_input("absorb: weight of row " + std::to_string(i + 1) + " is " +
                            std::to_string(weights(i)) + ", but must be finite and positive");
    if (!(tolerance > 0 && tolerance < 1))
      throw invalid_input("absorb: tolerance is " + std::to_string(tolerance) + ", but must be in (0, 1)");
    if (max_iterations < 1)
      throw invalid_input("absorb: max_iterations is " + std::to_string(max_iterations) +
                          ", but must be at least 1");
  }
};

// Dense codes 0..levels-1 for arbitrary ids, in order of first appearance.
struct factor_codes {
  std::vector<std::size_t> code;
  std::size_t levels = 0;
};

namespace detail {
template <class Id>
factor_codes encode_ids(const std::vector<Id>& ids) {
  factor_codes out;
  out.code.resize(ids.size());
  if constexpr (std::is_integral_v<Id> && !std::is_same_v<Id, bool>) {
    // Integers of a modest range (years, dense codes): a lookup table, the same codes as the hash
    // map below (first appearance) at a fraction of its cost on large panels.
    if (!ids.empty()) {
      const auto [lo, hi] = std::minmax_element(ids.begin(), ids.end());
      const auto range = static_cast<std::uint64_t>(*hi) - static_cast<std::uint64_t>(*lo);
      if (range < std::max<std::uint64_t>(4 * ids.size(), 1u << 16)) {
        constexpr std::size_t none = static_cast<std::size_t>(-1);
        std::vector<std::size_t> table(static_cast<std::size_t>(range) + 1, none);
        for (std::size_t i = 0; i < ids.size(); ++i) {
          std::size_t& c = table[static_cast<std::size_t>(static_cast<std::uint64_t>(ids[i]) - static_cast<std::uint64_t>(*lo))];
          if (c == none) c = out.levels++;
          out.code[i] = c;
        }
        return out;
      }
    }
  }
  std::unordered_map<Id, std::size_t> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto [it, added] = seen.emplace(ids[i], seen.size());
    out.code[i] = it->second;
  }
  out.levels = seen.size();
  return out;
}

// Connected components of the bipartite unit-time graph (rows are edges): the rank of the
// unit and time dummies together is n_units + n_times - components.
inline std::size_t unit_time_components(const factor_codes& unit, const factor_codes& time) {
  std::vector<std::size_t> parent(unit.levels + time.levels);
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  const auto find = [&](std::size_t a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  };
  for (std::size_t i = 0; i < unit.code.size(); ++i) {
    const std::size_t a = find(unit.code[i]), b = find(unit.levels + time.code[i]);
    if (a != b) parent[a] = b;
  }
  std::size_t components = 0;
  for (std::size_t v = 0; v < parent.size(); ++v) components += find(v) == v;
  return components;
}

// The codes of `f` on `rows` (ascending), renumbered densely in order of first appearance: the
// same codes encode_ids gives the ids of those rows, without hashing them again.
inline factor_codes restrict_codes(const factor_codes& f, const std::vector<std::size_t>& rows) {
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<std::size_t> renumber(f.levels, none);
  factor_codes out;
  out.code.resize(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::size_t& c = renumber[f.code[rows[r]]];
    if (c == none) c = out.levels++;
    out.code[r] = c;
  }
  return out;
}

// Singletons: rows whose unit or time occurs once, counted in one pass (fixest: "there is no
// recursivity"); `rows` are the rows kept under `rule`, `warning` is empty when there are none.
struct singleton_scan {
  std::vector<std::size_t> rows;
  std::size_t singletons = 0;
  bool dropped = false;
  std::string warning;
};

inline singleton_scan scan_singletons(const factor_codes& unit, const factor_codes& time, singleton_rule rule) {
  const std::size_t n = unit.code.size();
  singleton_scan out;
  std::vector<std::size_t> unit_count(unit.levels), time_count(time.levels);
  for (std::size_t i = 0; i < n; ++i) ++unit_count[unit.code[i]], ++time_count[time.code[i]];
  out.rows.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const bool singleton = unit_count[unit.code[i]] == 1 || time_count[time.code[i]] == 1;
    out.singletons += singleton;
    if (!(singleton && rule == singleton_rule::drop_once)) out.rows.push_back(i);
  }
  if (out.singletons > 0) {
    out.dropped = rule == singleton_rule::drop_once;
    out.warning = std::to_string(out.singletons) + " singleton observation(s) (a unit or time observed once): " +
                  (out.dropped ? "dropped, as fixest's fixef.rm = \"singleton\" (one pass)"
                               : "kept, as fixest's default; they are fitted exactly and carry no "
                                 "information on the slopes");
  }
  return out;
}
}  // namespace detail

// What absorb_in_place did: the most sweeps any column took, and the columns (0-based) that
// did not converge.
struct absorb_sweeps {
  int iterations = 0;
  std::vector<std::size_t> unconverged;
};

// The iterative step of absorb() on dense codes, in place: every column of `columns` becomes its
// W-orthogonal residual from the unit and time dummies by alternating projections (weighted unit
// means, then weighted time means, until one sweep changes the column by at most `tolerance`
// times its weighted norm on entry, at most `max_iterations` sweeps). No checks: `unit`, `time`
// and `weights` (positive) must have one entry per row.
//
// Warm start. A column may enter as any point that differs from the column wanted by unit and
// time effects, x - D a, since x - D a and x have the same residual; the projections then start
// where a previous, similar problem ended. This is how an IRLS loop with absorbed effects
// (did/ppml.hpp; fixest and ppmlhdfe do the same) passes the previous iteration's demeaned
// columns: between iterations only the weights change, so few sweeps are needed.
inline absorb_sweeps absorb_in_place(Eigen::Ref<Eigen::MatrixXd> columns, const factor_codes& unit,
                                     const factor_codes& time, const Eigen::Ref<const Eigen::VectorXd>& weights,
                                     double tolerance, int max_iterations) {
  const std::size_t n = static_cast<std::size_t>(columns.rows());
  const double* w = weights.data();
  const std::size_t *unit_code = unit.code.data(), *time_code = time.code.data();
  // Adds a value to sums[code] row by row, holding the total of a run of equal codes in a
  // register (panels sorted by unit or by time have long runs; summing each run into memory row by
  // row would chain every addition through a store).
  struct run_sum {
    double* sums;
    std::size_t code = static_cast<std::size_t>(-1);
    double total = 0;
    void add(std::size_t c, double v) {
      if (c != code) {
        if (code != static_cast<std::size_t>(-1)) sums[code] += total;
        code = c;
        total = 0;
      }
      total += v;
    }
    void flush() {
      if (code != static_cast<std::size_t>(-1)) sums[code] += total;
    }
  };
  std::vector<double> unit_weight(unit.levels, 0.0), time_weight(time.levels, 0.0);
  {
    run_sum uw{unit_weight.data()}, tw{time_weight.data()};
    for (std::size_t r = 0; r < n; ++r) {
      uw.add(unit_code[r], w[r]);
      tw.add(time_code[r], w[r]);
    }
    uw.flush();
    tw.flush();
  }
  std::vector<double> unit_sum(unit.levels), time_sum(time.levels), mean(std::max(unit.levels, time.levels));
  absorb_sweeps out;
  // Each column is its own problem. A sweep is two passes: subtract the unit means while summing
  // for the time means, then subtract the time means while summing for the next sweep's unit means.
  for (Eigen::Index j = 0; j < columns.cols(); ++j) {
    double* c = columns.col(j).data();
    std::fill(unit_sum.begin(), unit_sum.end(), 0.0);
    double norm2 = 0;
    {
      run_sum us{unit_sum.data()};
      for (std::size_t r = 0; r < n; ++r) {
        norm2 += w[r] * c[r] * c[r];
        us.add(unit_code[r], w[r] * c[r]);
      }
      us.flush();
    }
    const double scale = std::sqrt(norm2);
    int it = 0;
    bool done = scale == 0;
    while (!done && it < max_iterations) {
      ++it;
      double removed = 0;
      for (std::size_t g = 0; g < unit.levels; ++g) mean[g] = unit_sum[g] / unit_weight[g];
      std::fill(time_sum.begin(), time_sum.end(), 0.0);
      {
        run_sum ts{time_sum.data()};
        for (std::size_t r = 0; r < n; ++r) {
          const double m = mean[unit_code[r]];
          c[r] -= m;
          removed += w[r] * m * m;
          ts.add(time_code[r], w[r] * c[r]);
        }
        ts.flush();
      }
      for (std::size_t g = 0; g < time.levels; ++g) mean[g] = time_sum[g] / time_weight[g];
      std::fill(unit_sum.begin(), unit_sum.end(), 0.0);
      {
        run_sum us{unit_sum.data()};
        for (std::size_t r = 0; r < n; ++r) {
          const double m = mean[time_code[r]];
          c[r] -= m;
          removed += w[r] * m * m;
          us.add(unit_code[r], w[r] * c[r]);
        }
        us.flush();
      }
      // After the first sweep a column is already free of unit means except for what the time
      // step puts back, so the change of one sweep is the norm of both projections removed.
      done = std::sqrt(removed) <= tolerance * scale;
    }
    out.iterations = std::max(out.iterations, it);
    if (!done) out.unconverged.push_back(static_cast<std::size_t>(j));
  }
  return out;
}

struct absorb_result {
  Eigen::MatrixXd columns;             // the demeaned columns, over `rows`
  std::vector<std::size_t> rows;       // the input rows kept (all, unless singletons were dropped)
  Eigen::VectorXd weights;             // weights of the kept rows (empty: unweighted)
  factor_codes unit, time;             // dense codes over the kept rows
  std::size_t components = 1;          // connected components of the unit-time graph
  std::size_t absorbed_rank = 0;       // rank of the unit and time dummies: units + times - components
  std::size_t singletons = 0;          // rows whose unit or time occurs once (dropped or not, see rule)
  bool singletons_dropped = false;
  bool exact = false;                  // balanced and unweighted: the one-pass within transformation
  int iterations = 0;                  // the most sweeps any column took (0 when exact)
  bool converged = true;
  std::vector<std::string> warnings;
};

// Absorbs unit and time effects from every column of `x` (rows as `unit` and `time`).
template <class UnitId, class TimeId>
absorb_result absorb(const Eigen::Ref<const Eigen::MatrixXd>& x, const std::vector<UnitId>& unit_ids,
                     const std::vector<TimeId>& time_ids, const absorb_options& options = {}) {
  const std::size_t n_in = static_cast<std::size_t>(x.rows());
  if (unit_ids.size() != n_in || time_ids.size() != n_in)
    throw invalid_input("absorb: " + std::to_string(n_in) + " rows, but " + std::to_string(unit_ids.size()) +
                        " unit ids and " + std::to_string(time_ids.size()) + " time ids");
  if (n_in == 0) throw invalid_input("absorb: no rows");
  options.validate(n_in);
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      if (!std::isfinite(x(i, j)))
        throw invalid_input("absorb: column " + std::to_string(j + 1) + " has a non-finite value (" +
                            std::to_string(x(i, j)) + ") at row " + std::to_string(i + 1));

  absorb_result out;
  const factor_codes all_units = detail::encode_ids(unit_ids), all_times = detail::encode_ids(time_ids);
  detail::singleton_scan scan = detail::scan_singletons(all_units, all_times, options.singletons);
  out.rows = std::move(scan.rows);
  out.singletons = scan.singletons;
  out.singletons_dropped = scan.dropped;
  if (!scan.warning.empty()) out.warnings.push_back(scan.warning);
  if (out.rows.empty()) throw invalid_input("absorb: every row is a singleton");
  const std::size_t n = out.rows.size();
  out.unit = detail::restrict_codes(all_units, out.rows);
  out.time = detail::restrict_codes(all_times, out.rows);
  out.components = detail::unit_time_components(out.unit, out.time);
  out.absorbed_rank = out.unit.levels + out.time.levels - out.components;

  const bool weighted = options.weights.size() != 0;
  Eigen::VectorXd w = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(n));
  if (weighted) {
    out.weights.resize(static_cast<Eigen::Index>(n));
    for (std::size_t r = 0; r < n; ++r) out.weights(static_cast<Eigen::Index>(r)) = options.weights(static_cast<Eigen::Index>(out.rows[r]));
    w = out.weights;
  }
  out.columns.resize(static_cast<Eigen::Index>(n), x.cols());
  for (std::size_t r = 0; r < n; ++r) out.columns.row(static_cast<Eigen::Index>(r)) = x.row(static_cast<Eigen::Index>(out.rows[r]));

  // Balanced: every (unit, time) cell exactly once.
  bool balanced = n == out.unit.levels * out.time.levels;
  if (balanced) {
    std::vector<char> cell(n, 0);
    for (std::size_t r = 0; r < n && balanced; ++r) {
      char& c = cell[out.unit.code[r] * out.time.levels + out.time.code[r]];
      balanced = c == 0;
      c = 1;
    }
  }

  if (balanced && !weighted) {
    out.exact = true;
    for (Eigen::Index j = 0; j < out.columns.cols(); ++j) {
      Eigen::VectorXd c = out.columns.col(j);
      const double grand = c.mean();
      Eigen::VectorXd um = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(out.unit.levels));
      Eigen::VectorXd tm = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(out.time.levels));
      for (std::size_t r = 0; r < n; ++r) {
        um(static_cast<Eigen::Index>(out.unit.code[r])) += c(static_cast<Eigen::Index>(r));
        tm(static_cast<Eigen::Index>(out.time.code[r])) += c(static_cast<Eigen::Index>(r));
      }
      um /= static_cast<double>(out.time.levels);
      tm /= static_cast<double>(out.unit.levels);
      for (std::size_t r = 0; r < n; ++r)
        out.columns(static_cast<Eigen::Index>(r), j) =
            c(static_cast<Eigen::Index>(r)) - um(static_cast<Eigen::Index>(out.unit.code[r])) -
            tm(static_cast<Eigen::Index>(out.time.code[r])) + grand;
    }
    return out;
  }

  const absorb_sweeps sweeps = absorb_in_place(out.columns, out.unit, out.time, w, options.tolerance, options.max_iterations);
  out.iterations = sweeps.iterations;
  const std::vector<std::size_t>& unconverged = sweeps.unconverged;
  if (!unconverged.empty()) {
    out.converged = false;
    std::string list;
    for (auto j : unconverged) list += (list.empty() ? "" : ", ") + std::to_string(j + 1);
    out.warnings.push_back("absorb: alternating projections did not reach a relative change of " +
                           std::to_string(options.tolerance) + " in " + std::to_string(options.max_iterations) +
                           " iterations for column(s) " + list + "; the estimates may be inaccurate");
  }
  return out;
}

}  // namespace pilotstats
