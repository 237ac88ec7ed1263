// pilotstats/did/twfe.hpp: difference-in-differences by two-way fixed effects.
//
//   y_it = beta D_it + gamma' z_it + alpha_i + lambda_t + e_it
//
// estimated by absorbing the unit and time effects (did/absorb.hpp) and least squares on the
// demeaned columns (Frisch-Waugh-Lovell: beta equals lm on unit and time dummies). The result is
// the coefficient table of the slopes; the fixed effects are not reported.
//
// Standard errors, and the reference each matches:
//   iid   sigma^2 (X~'W X~)^-1, sigma^2 = RSS / (n - k - r), r = rank of the unit and time dummies
//         = units + times - (connected components of the unit-time graph; 1 in a connected panel).
//         t(n - k - r). Equals vcov(lm) on the dummy design, and fixest's iid vcov (fixest takes
//         r = units + times - 1 unless fixef.force_exact; the same in a connected panel).
//   CR1   G/(G-1) (n-1)/(n-K) times the cluster sandwich, t(G - 1): fixest's default ssc()
//         (adj = TRUE, fixef.K = "nested", cluster.adj = TRUE, t.df = "min"). K counts the slopes
//         and the fixed-effect coefficients fixest counts, units + times - 1, less (levels - 1) for
//         each fixed-effect dimension nested in the clusters (every level in one cluster): unit
//         effects with clusters = units give K = k + times. As fixest's vcov.fixest (R/VCOV.R).
//   CR2   Bell-McCaffrey with Satterthwaite df, as clubSandwich::vcovCR(type = "CR2") on the FULL
//         dummy design lm(y ~ D + z + factor(unit) + factor(time)). CR2 on the two-way demeaned
//         design is a different estimator (its hat matrix omits the absorbed effects), so it is
//         not what we compute: when the units are nested in the clusters, the unit effects are
//         absorbed and the time dummies kept as columns, which gives the full-design CR2 exactly
//         (Pustejovsky & Tipton 2018, JBES 36(4), Theorem 2: fixed effects nested in clusters can
//         be absorbed; it covers WLS, and the weighted test agrees with clubSandwich on lm(weights =)
//         to 1e-6); otherwise the full dummy design is used: exact, but k + units + times columns.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/did/absorb.hpp"
#include "pilotstats/inference/coefficient_table.hpp"
#include "pilotstats/inference/covariance.hpp"
#include "pilotstats/linalg/least_squares.hpp"

namespace pilotstats {

enum class twfe_se { iid, cr1, cr2 };

struct twfe_options {
  std::string treatment_name = "treatment";
  std::vector<std::string> covariate_names;  // empty: z1, z2, ...
  Eigen::VectorXd weights;                    // analytic weights; empty: unweighted
  std::vector<std::size_t> cluster;           // one code per row; empty: the units
  twfe_se se = twfe_se::cr1;
  double level = 0.95;
  double tolerance = 1e-10;                   // alternating projections, see absorb.hpp
  int max_iterations = 10000;
  singleton_rule singletons = singleton_rule::keep;
  // A covariate whose demeaned norm is at most this times its norm is absorbed by the effects.
  double absorbed_tolerance = 1e-8;
};

struct twfe_result {
  coefficient_table table;                    // the slopes: treatment first, then kept covariates
  double estimate = 0;                        // the treatment's coefficient
  double std_error = 0;
  Eigen::Index n = 0;                         // rows used (positive weight, singletons as the rule says)
  std::size_t n_units = 0, n_times = 0;
  std::size_t absorbed_rank = 0;              // units + times - components
  Eigen::Index df_residual = 0;               // n - slopes - absorbed_rank
  double sigma = 0;                           // sqrt(RSS / df_residual)
  std::size_t clusters = 0;                   // CR1 / CR2
  std::size_t treated_clusters = 0;           // clusters with a treated row (the units when no clusters are given)
  bool units_nested = false, times_nested = false;  // in the clusters
  double small_sample_k = 0;                  // CR1: fixest's K
  bool exact_within = false;                  // balanced and unweighted: no iterations
  int iterations = 0;
  bool converged = true;
  std::size_t singletons = 0;
  std::vector<std::size_t> rows;              // input rows used
  std::vector<std::string> warnings;
};

// The 0/1 treatment of a staggered adoption: 1 from each unit's first treated time on.
// `first_treated` holds, per row, the first treated time of the row's unit (nothing: never treated).
template <class TimeId>
Eigen::VectorXd staggered_treatment(const std::vector<TimeId>& time,
                                    const std::vector<std::optional<TimeId>>& first_treated) {
  if (time.size() != first_treated.size())
    throw invalid_input("staggered_treatment: " + std::to_string(time.size()) + " times but " +
                        std::to_string(first_treated.size()) + " first-treated times");
  Eigen::VectorXd d(static_cast<Eigen::Index>(time.size()));
  for (std::size_t i = 0; i < time.size(); ++i)
    d(static_cast<Eigen::Index>(i)) = first_treated[i] && !(time[i] < *first_treated[i]) ? 1.0 : 0.0;
  return d;
}

namespace detail {

inline void require_finite_rows(const Eigen::Ref<const Eigen::MatrixXd>& m, const std::string& what) {
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      if (!std::isfinite(m(i, j)))
        throw invalid_input("twfe: " + what + (m.cols() > 1 ? " (column " + std::to_string(j + 1) + ")" : "") +
                            " is " + std::to_string(m(i, j)) + " at row " + std::to_string(i + 1) +
                            "; remove the row or impute it first");
}

// Whether every level of `f` falls in a single cluster.
inline bool nested_in(const factor_codes& f, const std::vector<std::size_t>& cluster) {
  std::vector<std::optional<std::size_t>> of(f.levels);
  for (std::size_t r = 0; r < f.code.size(); ++r) {
    auto& c = of[f.code[r]];
    if (!c) c = cluster[r];
    else if (*c != cluster[r]) return false;
  }
  return true;
}

// Dummies for levels 1..levels-1 of `f` (level 0 is the reference).
inline Eigen::MatrixXd dummies(const factor_codes& f) {
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(f.code.size()),
                                            static_cast<Eigen::Index>(f.levels) - 1);
  for (std::size_t r = 0; r < f.code.size(); ++r)
    if (f.code[r] > 0) d(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(f.code[r]) - 1) = 1;
  return d;
}

// Subtracts the weighted unit means of every column (exact one-way within transformation).
inline void within_units(Eigen::MatrixXd& m, const factor_codes& unit, const Eigen::VectorXd& w) {
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(unit.levels), m.cols());
  Eigen::VectorXd total = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(unit.levels));
  for (std::size_t r = 0; r < unit.code.size(); ++r) {
    const auto u = static_cast<Eigen::Index>(unit.code[r]), i = static_cast<Eigen::Index>(r);
    sums.row(u) += w(i) * m.row(i);
    total(u) += w(i);
  }
  for (std::size_t r = 0; r < unit.code.size(); ++r) {
    const auto u = static_cast<Eigen::Index>(unit.code[r]), i = static_cast<Eigen::Index>(r);
    m.row(i) -= sums.row(u) / total(u);
  }
}

// The shape checks the DiD estimators share: y, the treatment, the unit and time ids and the
// covariates describe the same rows, and the covariate names (if any) match the covariates.
inline void check_did_shapes(const std::string& function, std::size_t n, const Eigen::Ref<const Eigen::VectorXd>& treatment,
                             std::size_t units, std::size_t times, const Eigen::Ref<const Eigen::MatrixXd>& covariates,
                             const std::vector<std::string>& covariate_names) {
  const auto mismatch = [&](const std::string& what, std::size_t size) {
    if (size != n)
      throw invalid_input(function + ": y has " + std::to_string(n) + " rows but " + what + " has " + std::to_string(size));
  };
  if (n == 0) throw invalid_input(function + ": no rows");
  mismatch("the treatment", static_cast<std::size_t>(treatment.size()));
  mismatch("the unit ids", units);
  mismatch("the time ids", times);
  if (covariates.cols() > 0) mismatch("the covariates", static_cast<std::size_t>(covariates.rows()));
  if (!covariate_names.empty() && static_cast<Eigen::Index>(covariate_names.size()) != covariates.cols())
    throw invalid_input(function + ": " + std::to_string(covariate_names.size()) + " covariate names for " +
                        std::to_string(covariates.cols()) + " covariates");
}

// The treatment checks the DiD estimators share: 0/1, on somewhere, and varying within some unit
// and within some time (a treatment constant within every unit, or every time, is absorbed by
// those effects).
inline void check_treatment(const std::string& function, const Eigen::Ref<const Eigen::VectorXd>& treatment,
                            const factor_codes& unit, const factor_codes& time) {
  for (Eigen::Index i = 0; i < treatment.size(); ++i) {
    const double d = treatment(i);
    if (d != 0 && d != 1)
      throw invalid_input(function + ": the treatment is " + std::to_string(d) + " at row " + std::to_string(i + 1) +
                          ", but must be 0 or 1");
  }
  if (treatment.sum() == 0) throw invalid_input(function + ": no treated units (the treatment is 0 on every row)");
  const auto varies_within = [&](const factor_codes& f) {
    std::vector<double> first(f.levels, -1);
    for (std::size_t i = 0; i < f.code.size(); ++i) {
      double& v = first[f.code[i]];
      const double d = treatment(static_cast<Eigen::Index>(i));
      if (v < 0) v = d;
      else if (v != d) return true;
    }
    return false;
  };
  if (!varies_within(unit))
    throw invalid_input(function + ": the treatment never varies within a unit, so the unit effects absorb it "
                        "(no unit is observed both untreated and treated)");
  if (!varies_within(time))
    throw invalid_input(function + ": the treatment never varies within a time period, so the time effects absorb it "
                        "(every unit switches at once, or there is no control unit)");
}

// Clusters holding at least one treated row (`treatment` over the input rows, `rows` the rows used).
inline std::size_t treated_clusters(const std::vector<std::size_t>& cluster, const Eigen::Ref<const Eigen::VectorXd>& treatment,
                                    const std::vector<std::size_t>& rows) {
  std::vector<std::size_t> treated;
  for (std::size_t r = 0; r < rows.size(); ++r)
    if (treatment(static_cast<Eigen::Index>(rows[r])) != 0) treated.push_back(cluster[r]);
  std::sort(treated.begin(), treated.end());
  return static_cast<std::size_t>(std::unique(treated.begin(), treated.end()) - treated.begin());
}

}  // namespace detail

// Below this many treated clusters, cluster-robust t tests over-reject, badly so with one or two:
// the variance of the treatment coefficient rests on the few treated clusters' residuals, which
// the fit shrinks toward zero (MacKinnon & Webb 2017, J. Applied Econometrics 32(2), whose
// simulations show CR1 rejection rates far above the nominal level with fewer than about ten
// treated clusters; Conley & Taber 2011). The message recommends the inference that stays honest.
inline constexpr std::size_t few_treated_clusters = 10;

namespace detail {
inline std::optional<std::string> few_treated_clusters_warning(std::size_t treated) {
  if (treated >= few_treated_clusters) return std::nullopt;
  return "only " + std::to_string(treated) + " treated cluster(s) (fewer than " + std::to_string(few_treated_clusters) +
         "): cluster-robust standard errors understate the uncertainty when few clusters are treated (MacKinnon & "
         "Webb 2017); prefer the wild cluster bootstrap (null imposed, Webb weights) or randomization inference";
}
}  // namespace detail

// Two-way fixed effects regression of y on the treatment (and covariates) with unit and time
// effects absorbed. Throws invalid_input on mismatched lengths, non-finite data (naming the row),
// a treatment that is not 0/1, never on, or absorbed by the unit or time effects.
template <class UnitId, class TimeId>
twfe_result twfe(const Eigen::Ref<const Eigen::VectorXd>& y, const Eigen::Ref<const Eigen::VectorXd>& treatment,
                 const std::vector<UnitId>& unit, const std::vector<TimeId>& time,
                 const Eigen::Ref<const Eigen::MatrixXd>& covariates = Eigen::MatrixXd(),
                 const twfe_options& options = {}) {
  const std::size_t n_in = static_cast<std::size_t>(y.size());
  detail::check_did_shapes("twfe", n_in, treatment, unit.size(), time.size(), covariates, options.covariate_names);
  if (!options.cluster.empty() && options.cluster.size() != n_in)
    throw invalid_input("twfe: y has " + std::to_string(n_in) + " rows but the cluster codes have " +
                        std::to_string(options.cluster.size()));
  detail::require_finite_rows(y, "y");
  detail::require_finite_rows(treatment, "the treatment");
  if (covariates.cols() > 0) detail::require_finite_rows(covariates, "a covariate");
  detail::check_treatment("twfe", treatment, detail::encode_ids(unit), detail::encode_ids(time));

  twfe_result out;
  // Columns: y, treatment, covariates.
  const Eigen::Index k_in = 1 + covariates.cols();
  Eigen::MatrixXd all(static_cast<Eigen::Index>(n_in), 1 + k_in);
  all.col(0) = y;
  all.col(1) = treatment;
  if (covariates.cols() > 0) all.rightCols(covariates.cols()) = covariates;
  std::vector<std::string> names{options.treatment_name};
  for (Eigen::Index j = 0; j < covariates.cols(); ++j)
    names.push_back(options.covariate_names.empty() ? "z" + std::to_string(j + 1)
                                                    : options.covariate_names[static_cast<std::size_t>(j)]);

  absorb_options absorb_opts;
  absorb_opts.weights = options.weights;
  absorb_opts.tolerance = options.tolerance;
  absorb_opts.max_iterations = options.max_iterations;
  absorb_opts.singletons = options.singletons;
  const absorb_result a = absorb(all, unit, time, absorb_opts);
  out.warnings = a.warnings;
  out.rows = a.rows;
  out.n_units = a.unit.levels;
  out.n_times = a.time.levels;
  out.absorbed_rank = a.absorbed_rank;
  out.exact_within = a.exact;
  out.iterations = a.iterations;
  out.converged = a.converged;
  out.singletons = a.singletons;
  const std::size_t n = a.rows.size();
  const Eigen::VectorXd w = a.weights.size() ? a.weights : Eigen::VectorXd::Ones(static_cast<Eigen::Index>(n));

  // Columns absorbed by the effects (a time-invariant covariate): aliased, as lm reports them.
  std::vector<Eigen::Index> kept;
  std::vector<std::string> kept_names, absorbed_names;
  for (Eigen::Index j = 0; j < k_in; ++j) {
    const auto rows_in = Eigen::Map<const Eigen::Array<std::size_t, Eigen::Dynamic, 1>>(a.rows.data(), static_cast<Eigen::Index>(n));
    double before = 0, after = 0;
    for (Eigen::Index r = 0; r < static_cast<Eigen::Index>(n); ++r) {
      const double x = all(static_cast<Eigen::Index>(rows_in(r)), 1 + j);
      before += w(r) * x * x;
      after += w(r) * a.columns(r, 1 + j) * a.columns(r, 1 + j);
    }
    if (std::sqrt(after) <= options.absorbed_tolerance * std::sqrt(before)) {
      if (j == 0)
        throw invalid_input("twfe: the treatment is collinear with the unit and time effects");
      absorbed_names.push_back(names[static_cast<std::size_t>(j)]);
    } else {
      kept.push_back(1 + j);
      kept_names.push_back(names[static_cast<std::size_t>(j)]);
    }
  }
  if (!absorbed_names.empty()) {
    std::string list;
    for (const auto& s : absorbed_names) list += (list.empty() ? "" : ", ") + s;
    out.warnings.push_back(std::to_string(absorbed_names.size()) +
                           " covariate(s) absorbed by the unit and time effects (constant within units or "
                           "within times), reported as aliased: " + list);
  }
  const Eigen::MatrixXd xd = a.columns(Eigen::all, kept);
  const Eigen::VectorXd yd = a.columns.col(0);
  least_squares_options ls;
  ls.names = kept_names;
  ls.weights = a.weights;
  ls.has_intercept = false;
  least_squares_fit fit = least_squares(xd, yd, ls);
  if (std::find(fit.aliased.begin(), fit.aliased.end(), options.treatment_name) != fit.aliased.end())
    throw invalid_input("twfe: the treatment is collinear with the covariates and the fixed effects");
  for (auto& wmsg : fit.warnings)
    if (wmsg.find("no residual degrees of freedom") == std::string::npos) out.warnings.push_back(wmsg);

  out.n = fit.n;
  out.df_residual = fit.n - fit.rank - static_cast<Eigen::Index>(a.absorbed_rank);
  if (out.df_residual <= 0)
    throw domain_error("twfe: no residual degrees of freedom (n = " + std::to_string(fit.n) + ", " +
                       std::to_string(fit.rank) + " slopes, " + std::to_string(a.absorbed_rank) + " fixed effects)");
  out.sigma = std::sqrt(fit.rss / static_cast<double>(out.df_residual));

  std::vector<std::size_t> cluster(n);
  for (std::size_t r = 0; r < n; ++r) cluster[r] = options.cluster.empty() ? a.unit.code[r] : options.cluster[a.rows[r]];

  out.treated_clusters = detail::treated_clusters(cluster, treatment, a.rows);
  if (const auto w = detail::few_treated_clusters_warning(out.treated_clusters)) out.warnings.push_back(*w);

  covariance_result cov;
  std::vector<std::string> terms = fit.kept_names();
  if (options.se == twfe_se::iid) {
    cov.matrix = out.sigma * out.sigma * fit.unscaled_covariance;
    cov.df = Eigen::VectorXd::Constant(fit.rank, static_cast<double>(out.df_residual));
    cov.kind = "iid";
    cov.reference = "vcov(lm) on unit and time dummies; fixest::feols(vcov = \"iid\")";
  } else {
    out.units_nested = detail::nested_in(a.unit, cluster);
    out.times_nested = detail::nested_in(a.time, cluster);
    if (options.se == twfe_se::cr1) {
      cov = covariance(fit, cluster_covariance{cluster, cr_type::cr0});
      double k = static_cast<double>(fit.rank) + static_cast<double>(a.unit.levels + a.time.levels - 1);
      if (out.units_nested) k -= static_cast<double>(a.unit.levels - 1);
      if (out.times_nested) k -= static_cast<double>(a.time.levels - 1);
      out.small_sample_k = k;
      const double nd = static_cast<double>(fit.n);
      cov.matrix *= (nd - 1) / (nd - k);
      cov.kind = "CR1";
      cov.reference = "fixest::feols(cluster =), ssc(fixef.K = \"nested\"): G/(G-1) (n-1)/(n-K), K = " +
                      std::to_string(static_cast<long>(k));
    } else {
      // CR2 on the full dummy design (see the header), with the unit effects absorbed exactly
      // (weighted one-way within) when they are nested in the clusters.
      const bool absorb_units = out.units_nested;
      const Eigen::MatrixXd time_dummies = detail::dummies(a.time);
      Eigen::MatrixXd design(static_cast<Eigen::Index>(n), xd.cols() + time_dummies.cols() +
                                                               (absorb_units ? 0 : static_cast<Eigen::Index>(a.unit.levels)));
      Eigen::MatrixXd raw(static_cast<Eigen::Index>(n), 1 + xd.cols());
      for (std::size_t r = 0; r < n; ++r) {
        raw(static_cast<Eigen::Index>(r), 0) = all(static_cast<Eigen::Index>(a.rows[r]), 0);
        for (Eigen::Index j = 0; j < xd.cols(); ++j)
          raw(static_cast<Eigen::Index>(r), 1 + j) = all(static_cast<Eigen::Index>(a.rows[r]), kept[static_cast<std::size_t>(j)]);
      }
      design.leftCols(xd.cols()) = raw.rightCols(xd.cols());
      design.middleCols(xd.cols(), time_dummies.cols()) = time_dummies;
      Eigen::VectorXd ycr2 = raw.col(0);
      if (absorb_units) {
        Eigen::MatrixXd both(static_cast<Eigen::Index>(n), 1 + design.cols());
        both << ycr2, design;
        detail::within_units(both, a.unit, w);
        ycr2 = both.col(0);
        design = both.rightCols(design.cols());
      } else {
        Eigen::MatrixXd unit_d = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(a.unit.levels));
        for (std::size_t r = 0; r < n; ++r) unit_d(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(a.unit.code[r])) = 1;
        design.rightCols(unit_d.cols()) = unit_d;
      }
      least_squares_options ls2;
      ls2.weights = a.weights;
      ls2.has_intercept = false;
      const least_squares_fit full = least_squares(design, ycr2, ls2);
      const covariance_result c2 = covariance(full, cluster_covariance{cluster, cr_type::cr2});
      // The slopes are the first columns and are kept (they are estimable, as above).
      std::vector<Eigen::Index> pos;
      for (Eigen::Index j = 0; j < xd.cols(); ++j)
        if (std::find(fit.kept.begin(), fit.kept.end(), j) != fit.kept.end()) {
          const auto at = std::find(full.kept.begin(), full.kept.end(), j);
          if (at == full.kept.end()) throw domain_error("twfe: CR2 design lost a slope column (please report)");
          pos.push_back(at - full.kept.begin());
        }
      cov = c2;
      cov.matrix = c2.matrix(pos, pos);
      cov.df = c2.df(pos);
      cov.kind = "CR2";
      cov.reference = "clubSandwich::vcovCR(type = \"CR2\"), coef_test(test = \"Satterthwaite\") on the unit and time dummy design";
    }
    out.clusters = cov.clusters;
  }
  // The point estimates are those of the absorbed fit in every case (CR2's design gives the same
  // numbers up to rounding; the absorbed ones are reported so that the estimate never depends on
  // the covariance chosen).
  out.table = make_coefficient_table(terms, fit.coefficients, cov, options.level);
  out.table.aliased = absorbed_names;
  out.table.aliased.insert(out.table.aliased.end(), fit.aliased.begin(), fit.aliased.end());
  for (const auto& wmsg : out.table.warnings) out.warnings.push_back(wmsg);
  out.estimate = out.table.rows.front().estimate;
  out.std_error = out.table.rows.front().std_error;
  return out;
}

}  // namespace pilotstats
