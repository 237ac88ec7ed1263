// pilotstats/did/ppml.hpp: Poisson difference-in-differences with unit and time fixed effects
// (Poisson pseudo-maximum likelihood, PPML), as R's fixest::fepois(y ~ D + z | unit + time).
//
//   E[y_it] = exp(beta D_it + gamma' z_it + alpha_i + lambda_t + offset_it)
//
// exp(beta) is the rate ratio of the treatment. The model needs only the mean to be right (the
// counts need not be Poisson: Santos Silva & Tenreyro 2006, REStat 88(4)); the cluster-robust
// standard errors do not assume the Poisson variance.
//
// Method: IRLS with the log link, the fixed effects absorbed at every iteration by weighted
// alternating projections of the working response and the regressors (did/absorb.hpp,
// absorb_in_place), with weights mu_i times the prior weight; each iteration starts the
// projections from the previous iteration's demeaned columns (a warm start). This is the
// approach of Bergé (2018, "Efficient estimation of maximum likelihood models with multiple
// fixed-effects: the R package FENmlm", CREA DP 13), fixest's feglm, and of Correia, Guimarães &
// Zylkin (2020, "Fast Poisson estimation with high-dimensional fixed effects", Stata J. 20(1)).
//   start          mu = y + 0.1 (glm's and fixest's poisson()$initialize)
//   iteration      z = eta - offset + (y - mu) / mu, w = prior * mu; demean z and X with weights
//                  w; beta by weighted least squares on the demeaned columns; the new linear
//                  predictor is z minus the residual (plus the offset)
//   projections    warm-started; their tolerance starts at 1e-4 (ppmlhdfe's start) and is
//                  tightened to a tenth of the squared relative deviance change, down to
//                  `tolerance` (1e-10); the loop only stops on an iteration run at `tolerance`
//   convergence    |dev - dev_old| / (0.1 + |dev|) < epsilon (1e-8): glm.control's rule and
//                  fixest's glm.tol, at most `max_iterations` (25, fixest's glm.iter) iterations
//   step halving   as fixest's feglm: when the deviance is not finite, or (after the first
//                  iteration) rises, the linear predictor is moved halfway back, repeatedly;
//                  an iteration that halved never ends the loop
//   not converged  a warning and converged = false, never an exception
//
// Separation. A unit or time whose outcome is 0 in every row has a fixed effect of -infinity;
// its rows are dropped before fitting, as fixest (fixef.rm = "perfect": one pass over both
// dimensions on the full sample; for Poisson one pass is final, since rows with y = 0 change no
// other group's total). They are counted, listed in a warning and returned (dropped_rows).
// Separation by the covariates (ppmlhdfe's ReLU check) is not detected.
//
// Standard errors (the slopes' block of the full dummy model's, by Frisch-Waugh-Lovell), at the
// final mu, with X~ the regressors demeaned with the final weights:
//   bread  (X~' W X~)^-1, W = prior * mu: the inverse Fisher information (no dispersion)
//   iid    the bread; with small_sample (the default), times (n-1)/(n-K), K = slopes + units +
//          times - 1: fixest's vcov = "iid" for fepois (ssc(adj = TRUE), fixef.K = "nested" with
//          nothing nested). small_sample = false gives vcov(glm) on the unit and time dummies.
//   CR1    G/(G-1) bread (sum_g s_g s_g') bread with s_g = sum over cluster g of prior (y - mu) x~,
//          with small_sample times (n-1)/(n-K), K = slopes + (units + times - 1) less (levels - 1)
//          for each fixed-effect dimension nested in the clusters (the rule of twfe.hpp; fixest's
//          vcov.fixest, R/VCOV.R, applies one ssc to every model, fepois included). Clusters
//          default to the units and may be coarser (boroughs in BCUs). small_sample = false gives
//          sandwich::vcovCL(type = "HC0", cadjust = TRUE) on the glm with dummies.
//   reference distribution: N(0, 1) for both, clustered or not, as fixest for Poisson (its
//   fixest_pvalue and fixest_CI_factor use pnorm/qnorm unless use_t_distr(), which holds for
//   feols and the GLM families other than poisson and binomial) and as summary.glm. Intervals are estimate -/+ z se; the rate ratio's
//   are their exponentials.
// fixest computes its scores and bread at the weights of its last iteration (mu one step before
// the final one); pilotstats uses the final mu, the exact maximum-likelihood point. The two
// differ by the convergence error only.
//
// Checked against R's glm(family = poisson) on factor(unit) + factor(time) dummies with
// sandwich::vcovCL, the adjustments written out (tests/reference/ppml_reference.R).
#pragma once

#include <Eigen/Core>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/did/absorb.hpp"
#include "pilotstats/did/twfe.hpp"
#include "pilotstats/inference/coefficient_table.hpp"
#include "pilotstats/inference/covariance.hpp"
#include "pilotstats/linalg/householder_qr.hpp"

namespace pilotstats {

enum class ppml_se { iid, cr1 };

struct ppml_options {
  std::string treatment_name = "treatment";
  std::vector<std::string> covariate_names;  // empty: z1, z2, ...
  Eigen::VectorXd offset;                     // per row, on the log scale (log exposure); empty: none
  Eigen::VectorXd weights;                    // prior weights, positive; empty: all 1
  std::vector<std::size_t> cluster;           // one code per row; empty: the units
  ppml_se se = ppml_se::cr1;
  bool small_sample = true;                   // fixest's ssc(adj = TRUE): times (n-1)/(n-K); false: glm's
  double level = 0.95;
  // IRLS. (twfe's max_iterations counts projection sweeps; here, as in glm_options, IRLS steps.)
  double epsilon = 1e-8;                      // |dev - dev_old| / (0.1 + |dev|) below this: converged
  int max_iterations = 25;
  // Alternating projections inside each iteration (see absorb.hpp).
  double tolerance = 1e-10;
  int max_sweeps = 10000;
  singleton_rule singletons = singleton_rule::keep;
  // A covariate whose demeaned norm is at most this times its norm is absorbed by the effects.
  double absorbed_tolerance = 1e-8;

  void validate(std::size_t rows) const {
    if (offset.size() != 0 && static_cast<std::size_t>(offset.size()) != rows)
      throw invalid_input("ppml: " + std::to_string(offset.size()) + " offsets given for " + std::to_string(rows) + " rows");
    for (Eigen::Index i = 0; i < offset.size(); ++i)
      if (!std::isfinite(offset(i)))
        throw invalid_input("ppml: the offset is " + std::to_string(offset(i)) + " at row " + std::to_string(i + 1) +
                            ", but must be finite (a zero exposure gives log(0))");
    if (weights.size() != 0 && static_cast<std::size_t>(weights.size()) != rows)
      throw invalid_input("ppml: " + std::to_string(weights.size()) + " weights given for " + std::to_string(rows) + " rows");
    for (Eigen::Index i = 0; i < weights.size(); ++i)
      if (!std::isfinite(weights(i)) || weights(i) <= 0)
        throw invalid_input("ppml: the weight is " + std::to_string(weights(i)) + " at row " + std::to_string(i + 1) +
                            ", but must be finite and positive");
    if (!cluster.empty() && cluster.size() != rows)
      throw invalid_input("ppml: " + std::to_string(cluster.size()) + " cluster codes given for " + std::to_string(rows) + " rows");
    if (!(level > 0 && level < 1))
      throw invalid_input("ppml: level is " + std::to_string(level) + ", but must be in (0, 1)");
    if (!(epsilon > 0 && epsilon < 1))
      throw invalid_input("ppml: epsilon is " + std::to_string(epsilon) + ", but must be in (0, 1)");
    if (max_iterations < 1)
      throw invalid_input("ppml: max_iterations is " + std::to_string(max_iterations) + ", but must be at least 1");
    if (!(tolerance > 0 && tolerance < 1))
      throw invalid_input("ppml: tolerance is " + std::to_string(tolerance) + ", but must be in (0, 1)");
    if (max_sweeps < 1)
      throw invalid_input("ppml: max_sweeps is " + std::to_string(max_sweeps) + ", but must be at least 1");
  }
};

// The rate ratio exp(estimate) of one slope and its interval.
struct ppml_rate_ratio {
  std::string term;
  double ratio = 1, conf_low = 1, conf_high = 1;
};

struct ppml_result {
  coefficient_table table;                    // the slopes (log scale): treatment first, then kept covariates
  std::vector<ppml_rate_ratio> rate_ratios;   // exp of each row of the table: estimate, conf_low, conf_high
  double estimate = 0;                        // the treatment's coefficient (log rate ratio)
  double std_error = 0;
  double rate_ratio = 1, rate_ratio_low = 1, rate_ratio_high = 1;  // the treatment's exp(estimate), interval
  double log_likelihood = 0;                  // sum prior (y log mu - mu - log y!)
  double deviance = 0;                        // 2 sum prior (y log(y / mu) - (y - mu))
  int iterations = 0;                         // IRLS iterations
  bool converged = false;                     // IRLS (and every projection) converged
  int sweeps = 0;                             // alternating-projection sweeps, summed over iterations
  Eigen::Index n = 0;                         // rows used
  std::size_t n_units = 0, n_times = 0;
  std::size_t clusters = 0;                   // CR1
  std::size_t treated_clusters = 0;           // clusters with a treated row (units when no clusters are given)
  bool units_nested = false, times_nested = false;  // in the clusters (CR1)
  double small_sample_k = 0;                  // fixest's K in (n-1)/(n-K) (0 without small_sample)
  std::vector<std::size_t> rows;              // input rows used (0-based)
  Eigen::VectorXd fitted;                     // mu over `rows`
  // Rows not used (0-based, ascending) and why.
  std::vector<std::size_t> dropped_rows;
  std::size_t zero_outcome_rows = 0;          // their unit or time has outcome 0 in every row
  std::vector<std::string> zero_outcome_units, zero_outcome_times;  // those units' and times' ids
  std::size_t singletons = 0;                 // as absorb.hpp counts them (after the zero-outcome drop)
  bool singletons_dropped = false;
  std::vector<std::string> warnings;
};

namespace detail {

template <class Id>
std::string id_text(const Id& id) {
  if constexpr (std::is_convertible_v<const Id&, std::string>) {
    return std::string(id);
  } else if constexpr (requires(std::ostream& out, const Id& v) { out << v; }) {
    std::ostringstream out;
    out << id;
    return out.str();
  } else {
    return "?";
  }
}

inline std::string list_some(const std::vector<std::string>& items, std::size_t most = 20) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < most; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > most) out += ", ... (" + std::to_string(items.size() - most) + " more)";
  return out;
}

inline void require_finite_ppml(const Eigen::Ref<const Eigen::MatrixXd>& m, const std::string& what) {
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      if (!std::isfinite(m(i, j)))
        throw invalid_input("ppml: " + what + (m.cols() > 1 ? " (column " + std::to_string(j + 1) + ")" : "") +
                            " is " + std::to_string(m(i, j)) + " at row " + std::to_string(i + 1) +
                            "; remove the row or impute it first");
}

// Householder QR of the n x k matrix `x` in place (an IRLS step on millions of rows should not
// copy them), with Q' applied to `y` in place. The columns passed the rank check at setup; a
// column whose remaining norm falls below 1e-7 of its norm (R's rule) now means the fit collapsed.
struct in_place_qr {
  Eigen::MatrixXd r;  // k x k, upper triangular
  bool full_rank = true;
};

inline in_place_qr qr_in_place(Eigen::Ref<Eigen::MatrixXd> x, Eigen::Ref<Eigen::VectorXd> y) {
  const Eigen::Index k = x.cols();
  const Eigen::VectorXd norms = x.colwise().norm().transpose();
  Eigen::HouseholderQR<Eigen::Ref<Eigen::MatrixXd>> qr(x);
  y.applyOnTheLeft(qr.householderQ().adjoint());
  in_place_qr out;
  out.r = qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
  for (Eigen::Index j = 0; j < k; ++j)
    out.full_rank = out.full_rank && norms(j) > 0 && std::abs(out.r(j, j)) >= 1e-7 * norms(j);
  return out;
}

// (X~' W X~)^-1 = R^-1 R^-T from the R factor of sqrt(W) X~.
inline Eigen::MatrixXd inverse_information(const Eigen::MatrixXd& r) {
  const Eigen::MatrixXd r_inv =
      r.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(r.rows(), r.cols()));
  return r_inv * r_inv.transpose();
}

}  // namespace detail

// Poisson regression of y on the treatment (and covariates) with unit and time effects absorbed.
// Throws invalid_input on mismatched lengths, a negative or non-finite outcome, non-finite
// regressors or offsets (naming the row), a treatment that is not 0/1, never on, or absorbed by
// the unit or time effects, and an outcome that is 0 everywhere.
template <class UnitId, class TimeId>
ppml_result ppml(const Eigen::Ref<const Eigen::VectorXd>& y, const Eigen::Ref<const Eigen::VectorXd>& treatment,
                 const std::vector<UnitId>& unit, const std::vector<TimeId>& time,
                 const Eigen::Ref<const Eigen::MatrixXd>& covariates = Eigen::MatrixXd(),
                 const ppml_options& options = {}) {
  const std::size_t n_in = static_cast<std::size_t>(y.size());
  detail::check_did_shapes("ppml", n_in, treatment, unit.size(), time.size(), covariates, options.covariate_names);
  options.validate(n_in);
  for (std::size_t i = 0; i < n_in; ++i) {
    const double v = y(static_cast<Eigen::Index>(i));
    if (!std::isfinite(v) || v < 0)
      throw invalid_input("ppml: y is " + std::to_string(v) + " at row " + std::to_string(i + 1) +
                          ", but must be finite and non-negative (a count or a rate)");
  }
  detail::require_finite_ppml(treatment, "the treatment");
  if (covariates.cols() > 0) detail::require_finite_ppml(covariates, "a covariate");
  const factor_codes all_units = detail::encode_ids(unit), all_times = detail::encode_ids(time);
  detail::check_treatment("ppml", treatment, all_units, all_times);
  if (y.sum() == 0) throw invalid_input("ppml: the outcome is 0 on every row; there is nothing to fit");

  ppml_result out;

  // Units and times whose outcome is 0 in every row (one pass over both, as fixest).
  std::vector<std::size_t> keep;
  {
    const auto all_zero = [&](const factor_codes& f) {
      std::vector<double> total(f.levels, 0.0);
      for (std::size_t i = 0; i < n_in; ++i) total[f.code[i]] += y(static_cast<Eigen::Index>(i));
      std::vector<char> zero(f.levels);
      for (std::size_t g = 0; g < f.levels; ++g) zero[g] = total[g] == 0;
      return zero;
    };
    const std::vector<char> zero_unit = all_zero(all_units), zero_time = all_zero(all_times);
    std::vector<char> named_unit(all_units.levels, 0), named_time(all_times.levels, 0);
    for (std::size_t i = 0; i < n_in; ++i) {
      const std::size_t u = all_units.code[i], t = all_times.code[i];
      if (zero_unit[u] && !named_unit[u]) named_unit[u] = 1, out.zero_outcome_units.push_back(detail::id_text(unit[i]));
      if (zero_time[t] && !named_time[t]) named_time[t] = 1, out.zero_outcome_times.push_back(detail::id_text(time[i]));
      if (zero_unit[u] || zero_time[t]) ++out.zero_outcome_rows;
      else keep.push_back(i);
    }
    if (out.zero_outcome_rows > 0) {
      std::string what;
      if (!out.zero_outcome_units.empty())
        what += std::to_string(out.zero_outcome_units.size()) + " unit(s): " + detail::list_some(out.zero_outcome_units);
      if (!out.zero_outcome_times.empty())
        what += std::string(what.empty() ? "" : "; ") + std::to_string(out.zero_outcome_times.size()) +
                " time(s): " + detail::list_some(out.zero_outcome_times);
      out.warnings.push_back("ppml: " + std::to_string(out.zero_outcome_rows) +
                             " row(s) dropped because their unit or time has outcome 0 in every row (its fixed "
                             "effect would be -infinity: separation), as fixest does; " + what);
    }
  }

  // Singletons among the remaining rows (absorb.hpp's rule and warning), then dense codes over the
  // rows used.
  // (Without drops the codes of all rows serve as they are: no copies of n-row arrays.)
  const bool all_kept = keep.size() == n_in;
  const detail::singleton_scan scan =
      all_kept ? detail::scan_singletons(all_units, all_times, options.singletons)
               : detail::scan_singletons(detail::restrict_codes(all_units, keep), detail::restrict_codes(all_times, keep),
                                         options.singletons);
  if (!scan.warning.empty()) out.warnings.push_back(scan.warning);
  out.singletons = scan.singletons;
  out.singletons_dropped = scan.dropped;
  if (scan.rows.empty()) throw invalid_input("ppml: every row is a singleton");
  out.rows.resize(scan.rows.size());
  for (std::size_t r = 0; r < scan.rows.size(); ++r) out.rows[r] = keep[scan.rows[r]];
  const bool all_used = out.rows.size() == n_in;
  const factor_codes unit_codes = all_used ? all_units : detail::restrict_codes(all_units, out.rows);
  const factor_codes time_codes = all_used ? all_times : detail::restrict_codes(all_times, out.rows);
  out.n_units = unit_codes.levels;
  out.n_times = time_codes.levels;
  const Eigen::Index n = static_cast<Eigen::Index>(out.rows.size());
  {
    std::vector<char> used(n_in, 0);
    for (auto i : out.rows) used[i] = 1;
    for (std::size_t i = 0; i < n_in; ++i)
      if (!used[i]) out.dropped_rows.push_back(i);
  }
  const auto used_rows = [&](const Eigen::Ref<const Eigen::VectorXd>& v) {
    Eigen::VectorXd o(n);
    for (Eigen::Index r = 0; r < n; ++r) o(r) = v(static_cast<Eigen::Index>(out.rows[static_cast<std::size_t>(r)]));
    return o;
  };
  const Eigen::VectorXd yv = used_rows(y);
  const Eigen::VectorXd prior = options.weights.size() ? used_rows(options.weights) : Eigen::VectorXd::Ones(n);
  const Eigen::VectorXd offset = options.offset.size() ? used_rows(options.offset) : Eigen::VectorXd::Zero(n);

  // The slopes' columns over the rows used (treatment, covariates), demeaned once with the prior
  // weights to find the ones the effects absorb; the demeaned columns also warm-start the IRLS.
  const Eigen::Index k_in = 1 + covariates.cols();
  std::vector<std::string> names{options.treatment_name};
  for (Eigen::Index j = 0; j < covariates.cols(); ++j)
    names.push_back(options.covariate_names.empty() ? "z" + std::to_string(j + 1)
                                                    : options.covariate_names[static_cast<std::size_t>(j)]);
  Eigen::MatrixXd x_demeaned(n, k_in);
  x_demeaned.col(0) = used_rows(treatment);
  for (Eigen::Index j = 1; j < k_in; ++j) x_demeaned.col(j) = used_rows(covariates.col(j - 1));
  Eigen::VectorXd raw_norm2 = Eigen::VectorXd::Zero(k_in);
  for (Eigen::Index j = 0; j < k_in; ++j)
    for (Eigen::Index r = 0; r < n; ++r) raw_norm2(j) += prior(r) * x_demeaned(r, j) * x_demeaned(r, j);
  bool projections_converged = true;
  {
    const absorb_sweeps s = absorb_in_place(x_demeaned, unit_codes, time_codes, prior, options.tolerance, options.max_sweeps);
    out.sweeps += s.iterations;
    projections_converged = s.unconverged.empty();
  }

  // Columns absorbed by the effects (a time-invariant covariate): aliased, as twfe.
  std::vector<Eigen::Index> kept;
  std::vector<std::string> kept_names, absorbed_names;
  for (Eigen::Index j = 0; j < k_in; ++j) {
    const double before = raw_norm2(j);
    double after = 0;
    for (Eigen::Index r = 0; r < n; ++r) after += prior(r) * x_demeaned(r, j) * x_demeaned(r, j);
    if (std::sqrt(after) <= options.absorbed_tolerance * std::sqrt(before)) {
      if (j == 0)
        throw invalid_input(std::string("ppml: the treatment is collinear with the unit and time effects") +
                            (out.zero_outcome_rows > 0 ? " once the units and times with outcome 0 in every row are dropped" : ""));
      absorbed_names.push_back(names[static_cast<std::size_t>(j)]);
    } else {
      kept.push_back(j);
      kept_names.push_back(names[static_cast<std::size_t>(j)]);
    }
  }
  // Columns collinear with the ones before them (R's rule, as lm and glm): aliased too.
  {
    const Eigen::VectorXd root = prior.cwiseSqrt();
    const Eigen::MatrixXd xd = root.asDiagonal() * x_demeaned(Eigen::all, kept);
    const householder_qr qr = factorize_householder_qr(xd, Eigen::VectorXd::Zero(n), 1e-7);
    if (qr.rank < static_cast<Eigen::Index>(kept.size())) {
      std::vector<Eigen::Index> still;
      std::vector<std::string> still_names;
      for (Eigen::Index j = 0; j < qr.rank; ++j) {
        const auto c = static_cast<std::size_t>(qr.order[static_cast<std::size_t>(j)]);
        still.push_back(kept[c]);
        still_names.push_back(kept_names[c]);
      }
      std::vector<std::string> collinear;
      for (std::size_t c = 0; c < kept.size(); ++c)
        if (std::find(still.begin(), still.end(), kept[c]) == still.end()) collinear.push_back(kept_names[c]);
      if (std::find(collinear.begin(), collinear.end(), options.treatment_name) != collinear.end())
        throw invalid_input("ppml: the treatment is collinear with the covariates and the fixed effects");
      // Keep the original order of the survivors.
      std::vector<Eigen::Index> ordered;
      std::vector<std::string> ordered_names;
      for (std::size_t c = 0; c < kept.size(); ++c)
        if (std::find(still.begin(), still.end(), kept[c]) != still.end()) {
          ordered.push_back(kept[c]);
          ordered_names.push_back(kept_names[c]);
        }
      kept = ordered;
      kept_names = ordered_names;
      absorbed_names.insert(absorbed_names.end(), collinear.begin(), collinear.end());
    }
  }
  if (!absorbed_names.empty())
    out.warnings.push_back(std::to_string(absorbed_names.size()) +
                           " covariate(s) absorbed by the unit and time effects or collinear with the other "
                           "regressors, reported as aliased: " + detail::list_some(absorbed_names));
  const auto k = static_cast<Eigen::Index>(kept.size());

  // IRLS. m holds [z, X] demeaned; between iterations it keeps the previous demeaned columns, and
  // z enters as z - (z_prev - z~_prev): both differ from the wanted columns by fixed effects only.
  Eigen::MatrixXd m(n, 1 + k);
  for (Eigen::Index j = 0; j < k; ++j) m.col(1 + j) = x_demeaned.col(kept[static_cast<std::size_t>(j)]);
  x_demeaned.resize(0, 0);
  Eigen::VectorXd z_effects = Eigen::VectorXd::Zero(n);  // z - z~ of the previous iteration
  Eigen::VectorXd mu = (yv.array() + 0.1).matrix();
  Eigen::VectorXd eta = mu.array().log().matrix();       // the linear predictor, offset included
  Eigen::VectorXd log_y(n);
  for (Eigen::Index r = 0; r < n; ++r) log_y(r) = yv(r) > 0 ? std::log(yv(r)) : 0.0;
  const auto deviance_of = [&](const Eigen::VectorXd& e, const Eigen::VectorXd& m_) {
    double d = 0;
    for (Eigen::Index r = 0; r < n; ++r) d += prior(r) * (yv(r) * (log_y(r) - e(r)) - (yv(r) - m_(r)));
    return 2 * d;
  };
  const auto valid = [](const Eigen::VectorXd& m_) {
    for (Eigen::Index r = 0; r < m_.size(); ++r)
      if (!(m_(r) > 0) || !std::isfinite(m_(r))) return false;
    return true;
  };
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(k), w(n), root(n), z(n), eta_new(n), mu_new(n), z_weighted(n);
  Eigen::MatrixXd x_weighted(n, k);
  double deviance_old = std::numeric_limits<double>::infinity();
  double deviance = deviance_old;
  // The projections start loose (1e-4, as ppmlhdfe) and tighten as the deviance settles; the loop
  // only ends on an iteration whose projections met `tolerance`, so the result is the same as with
  // `tolerance` throughout.
  double inner_tolerance = std::max(options.tolerance, 1e-4);
  for (int iter = 1; iter <= options.max_iterations; ++iter) {
    out.iterations = iter;
    // (Explicit loops: one pass each over the rows, no temporaries; n can be in the millions.)
    for (Eigen::Index r = 0; r < n; ++r) {
      w(r) = prior(r) * mu(r);
      z(r) = eta(r) - offset(r) + (yv(r) - mu(r)) / mu(r);
      m(r, 0) = z(r) - z_effects(r);
    }
    const absorb_sweeps s = absorb_in_place(m, unit_codes, time_codes, w, inner_tolerance, options.max_sweeps);
    out.sweeps += s.iterations;
    projections_converged = projections_converged && s.unconverged.empty();
    for (Eigen::Index r = 0; r < n; ++r) {
      z_effects(r) = z(r) - m(r, 0);
      root(r) = std::sqrt(w(r));
      z_weighted(r) = root(r) * m(r, 0);
    }
    for (Eigen::Index j = 0; j < k; ++j)
      for (Eigen::Index r = 0; r < n; ++r) x_weighted(r, j) = root(r) * m(r, 1 + j);
    const detail::in_place_qr qr = detail::qr_in_place(x_weighted, z_weighted);
    if (!qr.full_rank)
      throw domain_error("ppml: the weighted regressors became collinear at IRLS iteration " + std::to_string(iter) +
                         " (the fitted means have collapsed; check for separation by a covariate)");
    beta = qr.r.triangularView<Eigen::Upper>().solve(z_weighted.head(k));
    // Fitted linear predictor: z less the residual of the demeaned regression.
    for (Eigen::Index r = 0; r < n; ++r) {
      double fit = 0;
      for (Eigen::Index j = 0; j < k; ++j) fit += m(r, 1 + j) * beta(j);
      eta_new(r) = z(r) - (m(r, 0) - fit) + offset(r);
    }
    mu_new = eta_new.array().exp().matrix();
    deviance = deviance_of(eta_new, mu_new);
    const auto change = [&] { return std::abs(deviance - deviance_old) / (0.1 + std::abs(deviance)); };
    const bool settled = std::isfinite(deviance) && change() < options.epsilon;
    bool halved = false;
    if (!settled && (!std::isfinite(deviance) || (iter > 1 && deviance > deviance_old) || !valid(mu_new))) {
      const Eigen::VectorXd eta_from = eta;
      int halvings = 0;
      while (!std::isfinite(deviance) || (iter > 1 && deviance > deviance_old) || !valid(mu_new)) {
        if (halvings == 60) {
          if (!std::isfinite(deviance) || !valid(mu_new))
            throw domain_error("ppml: IRLS step halving found no finite deviance at iteration " + std::to_string(iter));
          break;  // the deviance cannot be lowered at this precision: keep the halved step
        }
        ++halvings;
        eta_new = (eta_from + eta_new) / 2;
        mu_new = eta_new.array().exp().matrix();
        deviance = deviance_of(eta_new, mu_new);
      }
      halved = true;
    }
    eta.swap(eta_new);
    mu.swap(mu_new);
    if (!halved && change() < options.epsilon) {
      if (inner_tolerance <= options.tolerance) {
        out.converged = true;
        break;
      }
      inner_tolerance = options.tolerance;
    } else if (std::isfinite(deviance_old)) {
      // IRLS converges quadratically: the next change is about this one squared, so the
      // projections are tightened to a tenth of that (reaching `tolerance` one iteration before
      // the deviance settles rather than spending an extra iteration after it).
      inner_tolerance = std::max(options.tolerance, std::min(inner_tolerance, 0.1 * change() * change()));
    }
    deviance_old = deviance;
  }
  if (!out.converged)
    out.warnings.push_back("ppml: IRLS did not converge in " + std::to_string(options.max_iterations) +
                           " iterations (relative deviance change above " + std::to_string(options.epsilon) +
                           "); the estimates are not reliable");

  // At the final mu: regressors demeaned with the final weights, information and scores.
  w = prior.cwiseProduct(mu);
  Eigen::MatrixXd xf = m.rightCols(k);
  {
    const absorb_sweeps s = absorb_in_place(xf, unit_codes, time_codes, w, options.tolerance, options.max_sweeps);
    out.sweeps += s.iterations;
    projections_converged = projections_converged && s.unconverged.empty();
  }
  if (!projections_converged) {
    out.converged = false;
    out.warnings.push_back("ppml: alternating projections did not reach a relative change of " +
                           std::to_string(options.tolerance) + " in " + std::to_string(options.max_sweeps) +
                           " sweeps in some iteration; the estimates may be inaccurate");
  }
  for (Eigen::Index r = 0; r < n; ++r) root(r) = std::sqrt(w(r));
  for (Eigen::Index j = 0; j < k; ++j)
    for (Eigen::Index r = 0; r < n; ++r) x_weighted(r, j) = root(r) * xf(r, j);
  z_weighted.setZero();
  const detail::in_place_qr info = detail::qr_in_place(x_weighted, z_weighted);
  if (!info.full_rank)
    throw domain_error("ppml: the information matrix is singular at the final fitted means");
  const Eigen::MatrixXd bread = detail::inverse_information(info.r);

  out.n = n;
  out.fitted = mu;
  out.deviance = deviance_of(eta, mu);
  out.log_likelihood = 0;
  std::vector<double> log_factorial;  // log(y!) of the small integer counts, computed once each
  for (Eigen::Index r = 0; r < n; ++r) {
    const double v = yv(r);
    double lf = 0;
    if (v == std::floor(v) && v < 65536) {
      const auto c = static_cast<std::size_t>(v);
      while (log_factorial.size() <= c) log_factorial.push_back(std::lgamma(static_cast<double>(log_factorial.size()) + 1));
      lf = log_factorial[c];
    } else {
      lf = std::lgamma(v + 1);
    }
    out.log_likelihood += prior(r) * (yv(r) * eta(r) - mu(r) - lf);
  }

  const double nd = static_cast<double>(n);
  const auto adjustment = [&](double k_ss) {
    if (!options.small_sample) return 1.0;
    if (nd - k_ss <= 0)
      throw domain_error("ppml: no degrees of freedom for the small-sample factor (n = " + std::to_string(n) +
                         ", K = " + std::to_string(static_cast<long>(k_ss)) + ")");
    out.small_sample_k = k_ss;
    return (nd - 1) / (nd - k_ss);
  };
  {
    std::vector<std::size_t> codes(out.rows.size());
    for (std::size_t r = 0; r < codes.size(); ++r)
      codes[r] = options.cluster.empty() ? unit_codes.code[r] : options.cluster[out.rows[r]];
    out.treated_clusters = detail::treated_clusters(codes, treatment, out.rows);
    if (const auto w = detail::few_treated_clusters_warning(out.treated_clusters)) out.warnings.push_back(*w);
  }
  const double k_full = static_cast<double>(k) + static_cast<double>(unit_codes.levels + time_codes.levels - 1);
  covariance_result cov;
  cov.df = Eigen::VectorXd::Constant(k, infinite_df);
  if (options.se == ppml_se::iid) {
    cov.matrix = bread * adjustment(k_full);
    cov.kind = "iid";
    cov.reference = options.small_sample
                        ? "fixest::fepois(vcov = \"iid\"): vcov(glm) * (n-1)/(n-K), K = " + std::to_string(static_cast<long>(k_full))
                        : "vcov(glm(family = poisson)) on unit and time dummies";
  } else {
    std::vector<std::size_t> cluster(static_cast<std::size_t>(n));
    for (std::size_t r = 0; r < cluster.size(); ++r)
      cluster[r] = options.cluster.empty() ? unit_codes.code[r] : options.cluster[out.rows[r]];
    const factor_codes groups = detail::encode_ids(cluster);
    const std::size_t g_count = groups.levels;
    if (g_count < 2)
      throw domain_error("ppml: the cluster covariance needs at least 2 clusters with observations, found " +
                         std::to_string(g_count));
    out.clusters = g_count;
    out.units_nested = detail::nested_in(unit_codes, cluster);
    out.times_nested = detail::nested_in(time_codes, cluster);
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(g_count), k);
    for (Eigen::Index r = 0; r < n; ++r)
      sums.row(static_cast<Eigen::Index>(groups.code[static_cast<std::size_t>(r)])) += prior(r) * (yv(r) - mu(r)) * xf.row(r);
    const Eigen::MatrixXd meat = sums.transpose() * sums;
    double k_nested = k_full;
    if (out.units_nested) k_nested -= static_cast<double>(unit_codes.levels - 1);
    if (out.times_nested) k_nested -= static_cast<double>(time_codes.levels - 1);
    k_nested = std::max(k_nested, static_cast<double>(k) + 1);
    const double g = static_cast<double>(g_count);
    cov.matrix = bread * meat * bread * (g / (g - 1)) * adjustment(k_nested);
    cov.clusters = g_count;
    cov.kind = "CR1";
    cov.reference = options.small_sample
                        ? "fixest::fepois(cluster =), ssc(fixef.K = \"nested\"): G/(G-1) (n-1)/(n-K), K = " +
                              std::to_string(static_cast<long>(k_nested))
                        : "sandwich::vcovCL(type = \"HC0\") on glm(family = poisson) with unit and time dummies";
    if (g_count < few_clusters_threshold)
      cov.warnings.push_back("only " + std::to_string(g_count) + " clusters (fewer than " +
                             std::to_string(few_clusters_threshold) +
                             "): cluster-robust tests can over-reject; prefer a wild cluster bootstrap");
  }
  out.table = make_coefficient_table(kept_names, beta, cov, options.level);
  out.table.aliased = absorbed_names;
  for (const auto& wmsg : out.table.warnings) out.warnings.push_back(wmsg);
  for (const auto& row : out.table.rows)
    out.rate_ratios.push_back({row.term, std::exp(row.estimate), std::exp(row.conf_low), std::exp(row.conf_high)});
  out.estimate = out.table.rows.front().estimate;
  out.std_error = out.table.rows.front().std_error;
  out.rate_ratio = out.rate_ratios.front().ratio;
  out.rate_ratio_low = out.rate_ratios.front().conf_low;
  out.rate_ratio_high = out.rate_ratios.front().conf_high;
  return out;
}

}  // namespace pilotstats
