// pilotstats/did/randomization.hpp: randomization inference for a two-way fixed-effects
// difference-in-differences with few treated clusters.
//
// Synopsis
//   randomization_options o;
//   o.cluster = bcu;                          // the units of assignment; empty: the units
//   auto r = randomization_inference(y, d, borough, month, Eigen::MatrixXd(), o);
//   r.p_value; r.distribution; r.enumerated;
//
// Method (Fisher's randomization test; for DiD MacKinnon & Webb 2020, "Randomization inference
// for difference-in-differences with few treated clusters", J. Econometrics 218(2)). Treatment is
// assigned to clusters: each cluster has a first-treated time (or none), and the treatment must be
// on exactly from that time, D_it = 1(t >= start of i's cluster), for every row (staggered
// adoption; a single start time is the classic case). Under the sharp null of no effect, y is
// fixed and any permutation of the clusters' start times across the clusters was as likely as
// the one observed. Each reassignment (same number treated, same multiset of start times) is
// refitted by TWFE, y on D* and the covariates with unit and time effects, and gives the
// statistic: the coefficient (default; RI-beta in MacKinnon & Webb) or its CR1 t statistic (RI-t,
// better when the treated clusters differ in size from the controls; MacKinnon & Webb 2020).
//   p-value: two-sided, the share of assignments with |stat*| >= |stat|, the actual assignment
//   counted. Enumerated: count / N over all N distinct assignments (the actual one among them).
//   Monte Carlo: (1 + count) / (B + 1) over B random permutations.
//   Enumeration when the number of distinct assignments, G! / prod_k m_k! (m_k clusters starting
//   at the k-th start time, or never), is at most max_enumerated (default 10,000), in the
//   lexicographic order of the start codes (std::next_permutation over the sorted codes; code k
//   is the k-th earliest start, never-treated last). Monte Carlo otherwise, from pcg64(seed):
//   each draw is a Fisher-Yates shuffle of the actual start codes, for i = G-1 down to 1 swapping
//   entries i and draw::uniform_int(rng, i + 1). Clusters are in increasing order of the caller's
//   codes; with no codes, the units in order of first appearance in the rows kept.
//
// Cheap refits: the absorbed columns M_[Z,F] 1(cluster c, t >= s) are computed once for every
// cluster c and every start time s (G x S columns; absorb() is linear), so an assignment's
// residualised treatment is a sum of its treated clusters' columns, and the coefficient is
// D~'y~ / D~'D~ (Frisch-Waugh-Lovell), O(n) per treated cluster and no refit of the effects. An
// assignment whose treatment the effects absorb entirely has no statistic: it is left out, with
// a warning. Checked against brute-force enumeration with lm(y ~ D* + z + factor(unit) +
// factor(time)) in tests/reference/wild_bootstrap_reference.R.
//
// Unweighted fits only.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/error.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/did/absorb.hpp"
#include "pilotstats/did/absorbed_design.hpp"
#include "pilotstats/did/twfe.hpp"

namespace pilotstats {

enum class randomization_statistic {
  coefficient,  // the TWFE coefficient (default)
  t_statistic,  // its CR1 t statistic against 0
};

struct randomization_options {
  std::vector<std::size_t> cluster;         // the units of assignment, one code per row; empty: units
  randomization_statistic statistic = randomization_statistic::coefficient;
  enumeration_rule enumeration = enumeration_rule::automatic;
  std::size_t max_enumerated = 10000;       // automatic: enumerate when at most this many assignments
  std::size_t draws = 9999;                 // Monte Carlo permutations
  std::uint64_t seed = 1;
  double tolerance = 1e-10;                 // absorb(): alternating projections
  int max_iterations = 10000;
  singleton_rule singletons = singleton_rule::keep;

  void validate() const {
    const std::string f = "randomization_inference: ";
    if (draws < 1) throw invalid_input(f + "draws is 0, but must be at least 1");
    if (!(tolerance > 0 && tolerance < 1))
      throw invalid_input(f + "tolerance is " + std::to_string(tolerance) + ", but must be in (0, 1)");
    if (max_iterations < 1)
      throw invalid_input(f + "max_iterations is " + std::to_string(max_iterations) + ", but must be at least 1");
  }
};

struct randomization_result {
  double estimate = 0;                // the TWFE coefficient of the actual assignment
  double t_statistic = 0;             // its CR1 t statistic against 0
  double statistic = 0;               // the one used (options.statistic)
  double p_value = 0;
  bool enumerated = false;
  double assignments = 0;             // distinct assignments G! / prod m_k! (a double: it can be huge)
  std::size_t draws = 0;              // size of `distribution`
  std::vector<double> distribution;   // stat* per assignment: enumeration order (the actual one
                                      // included) or draw order (Monte Carlo, the actual one not included)
  std::size_t excluded = 0;           // assignments whose treatment the effects absorb (no statistic)
  std::size_t clusters = 0, treated_clusters = 0, start_times = 0;
  Eigen::Index n = 0;
  twfe_result fit;                    // the TWFE fit (CR1 with these clusters)
  std::vector<std::string> warnings;
};

namespace detail {

// G! / prod m_k! for the counts m_k, in double (exact while below 2^53).
inline double multiset_permutations(const std::vector<std::size_t>& counts) {
  double out = 1;
  std::size_t placed = 0;
  for (std::size_t m : counts)
    for (std::size_t i = 1; i <= m; ++i) out = out * static_cast<double>(++placed) / static_cast<double>(i);
  return std::round(out);
}

}  // namespace detail

// Randomization inference for the TWFE treatment effect. Arguments as twfe(); TimeId must be
// ordered (start times are compared). Throws invalid_input on bad options or data (twfe's checks)
// and when the treatment is not on from a per-cluster start time.
template <class UnitId, class TimeId>
  requires std::totally_ordered<TimeId>
randomization_result randomization_inference(const Eigen::Ref<const Eigen::VectorXd>& y,
                                             const Eigen::Ref<const Eigen::VectorXd>& treatment,
                                             const std::vector<UnitId>& unit, const std::vector<TimeId>& time,
                                             const Eigen::Ref<const Eigen::MatrixXd>& covariates = Eigen::MatrixXd(),
                                             const randomization_options& options = {}) {
  options.validate();
  const std::string fn = "randomization_inference";
  const detail::absorbed_design d =
      detail::make_absorbed_design(fn, y, treatment, unit, time, covariates, options.cluster, options.tolerance,
                                   options.max_iterations, options.singletons);
  const auto n = static_cast<Eigen::Index>(d.rows.size());
  const std::size_t g_count = d.clusters;

  // Each cluster's start time, and the check that the treatment is on exactly from it.
  std::vector<std::optional<TimeId>> start(g_count);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (d.treatment(i) == 0) continue;
    auto& s = start[d.cluster[static_cast<std::size_t>(i)]];
    const TimeId& t = time[d.rows[static_cast<std::size_t>(i)]];
    if (!s || t < *s) s = t;
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::size_t row = d.rows[static_cast<std::size_t>(i)];
    const auto& s = start[d.cluster[static_cast<std::size_t>(i)]];
    const bool on = s && !(time[row] < *s);
    if (on != (d.treatment(i) != 0))
      throw invalid_input(fn + ": the treatment is " + detail::format_number(d.treatment(i)) + " at row " +
                          std::to_string(row + 1) + ", but its cluster (code " +
                          std::to_string(d.cluster_ids[d.cluster[static_cast<std::size_t>(i)]]) +
                          ") is treated from its first treated time on; randomization inference needs every "
                          "unit of a cluster to be treated from the cluster's start time (staggered adoption)");
  }
  std::vector<TimeId> starts;
  for (const auto& s : start)
    if (s) starts.push_back(*s);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end(), [](const TimeId& a, const TimeId& b) { return !(a < b) && !(b < a); }),
               starts.end());
  const std::size_t s_count = starts.size();
  std::vector<std::size_t> actual(g_count, s_count);  // code s_count: never treated
  std::vector<std::size_t> per_start(s_count + 1, 0);
  for (std::size_t g = 0; g < g_count; ++g) {
    if (start[g]) actual[g] = static_cast<std::size_t>(std::lower_bound(starts.begin(), starts.end(), *start[g]) - starts.begin());
    ++per_start[actual[g]];
  }

  randomization_result out;
  out.fit = d.fit;
  out.warnings = d.warnings;
  out.n = n;
  out.clusters = g_count;
  out.treated_clusters = g_count - per_start[s_count];
  out.start_times = s_count;

  // The residualised columns M_[Z,F] 1(cluster c, t >= start s), column c * S + s.
  const Eigen::MatrixXd z = d.x.rightCols(d.x.cols() - 1);
  Eigen::MatrixXd columns = Eigen::MatrixXd::Zero(n, static_cast<Eigen::Index>(g_count * s_count));
  for (Eigen::Index i = 0; i < n; ++i) {
    const TimeId& t = time[d.rows[static_cast<std::size_t>(i)]];
    for (std::size_t s = 0; s < s_count; ++s)
      if (!(t < starts[s])) columns(i, static_cast<Eigen::Index>(d.cluster[static_cast<std::size_t>(i)] * s_count + s)) = 1;
  }
  const double scale_norm = d.treatment.squaredNorm();
  columns = detail::partial_out(absorb(columns, d.unit, d.time, d.absorb_again).columns, z);
  const Eigen::VectorXd yz = detail::partial_out(d.y, z);

  // The statistic of an assignment (start code per cluster); nothing when the effects absorb it.
  Eigen::VectorXd dz(n), resid(n);
  const auto evaluate = [&](const std::vector<std::size_t>& code, double* t_out) -> std::optional<double> {
    dz.setZero();
    for (std::size_t g = 0; g < g_count; ++g)
      if (code[g] < s_count) dz += columns.col(static_cast<Eigen::Index>(g * s_count + code[g]));
    const double den = dz.squaredNorm();
    if (!(den > 1e-16 * scale_norm)) return std::nullopt;
    const double beta = dz.dot(yz) / den;
    if (options.statistic == randomization_statistic::coefficient && t_out == nullptr) return beta;
    resid = yz - beta * dz;
    const Eigen::VectorXd scores = detail::cluster_sums(dz.cwiseProduct(resid), d.cluster, g_count) / den;
    const double t = beta / std::sqrt(d.cr1_scale * scores.squaredNorm());
    if (t_out) *t_out = t;
    return options.statistic == randomization_statistic::coefficient ? beta : t;
  };
  {
    double t = 0;
    const auto observed = evaluate(actual, &t);
    if (!observed) throw domain_error(fn + ": the actual treatment is absorbed by the effects (please report)");
    out.estimate = d.fit.estimate;
    out.t_statistic = t;
    out.statistic = *observed;
  }
  const double threshold = std::abs(out.statistic);

  out.assignments = detail::multiset_permutations(per_start);
  constexpr double max_enumerable = 1e8;
  bool enumerate = false;
  if (options.enumeration == enumeration_rule::always) {
    if (out.assignments > max_enumerable)
      throw invalid_input(fn + ": enumeration = always with " + detail::format_number(out.assignments) +
                          " distinct assignments; at most 1e8 can be enumerated");
    enumerate = true;
  } else if (options.enumeration == enumeration_rule::automatic) {
    enumerate = out.assignments <= static_cast<double>(options.max_enumerated);
  }
  out.enumerated = enumerate;
  std::size_t extreme = 0;
  const auto record = [&](const std::vector<std::size_t>& code) {
    const auto s = evaluate(code, nullptr);
    if (!s) {
      ++out.excluded;
      return;
    }
    out.distribution.push_back(*s);
    extreme += std::abs(*s) >= threshold;
  };
  if (enumerate) {
    std::vector<std::size_t> code = actual;
    std::sort(code.begin(), code.end());
    do record(code);
    while (std::next_permutation(code.begin(), code.end()));
    out.p_value = static_cast<double>(extreme) / static_cast<double>(out.distribution.size());
  } else {
    pcg64 rng(options.seed);
    std::vector<std::size_t> code(g_count);
    for (std::size_t b = 0; b < options.draws; ++b) {
      code = actual;
      for (std::size_t i = g_count - 1; i > 0; --i) std::swap(code[i], code[draw::uniform_int(rng, i + 1)]);
      record(code);
    }
    out.p_value = static_cast<double>(1 + extreme) / static_cast<double>(out.distribution.size() + 1);
  }
  out.draws = out.distribution.size();

  if (out.excluded > 0)
    out.warnings.push_back(std::to_string(out.excluded) +
                           " reassignment(s) left out: the unit and time effects absorb their treatment");
  if (out.assignments < 20)
    out.warnings.push_back("only " + detail::format_number(out.assignments) +
                           " distinct assignments: the smallest attainable p-value is " +
                           detail::format_number(1 / out.assignments) + ", so the test cannot reject at 5%");
  if (out.treated_clusters == 1 && options.statistic == randomization_statistic::coefficient)
    out.warnings.push_back("one treated cluster: randomization inference on the coefficient is unreliable when the "
                           "treated cluster differs in size from the controls (MacKinnon & Webb 2020); compare "
                           "with the t statistic");
  return out;
}

}  // namespace pilotstats
