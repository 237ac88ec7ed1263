// pilotstats/its/fit.hpp: fit an interrupted time series to one unit's monthly series.
//
// The design is its/design.hpp's; the model a GLM (linalg/glm.hpp): gaussian (OLS) for
// continuous outcomes, Poisson, quasi-Poisson or negative binomial (log link) for counts, with
// an optional exposure whose log is the offset (complaints per call). Standard errors: any
// covariance_spec (model-based by default; HC, or HAC Newey-West for autocorrelation).
// Effects on the log-link models are also reported as rate ratios, exp(estimate) with the
// interval's ends exponentiated.
//
// Months whose outcome (or exposure, or a covariate) is missing are left out and listed in a warning; gaps
// are never filled. Doubtful but legal situations are warnings: few points before or after an
// interruption, overdispersion under Poisson (Pearson chi2 / df above 1.5), autocorrelated
// residuals under model-based standard errors (Ljung-Box on the Pearson residuals, lag
// min(12, n/4), p < 0.05: use HAC standard errors or GLS AR(1)).
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/core/series.hpp"
#include "pilotstats/inference/glm_covariance.hpp"
#include "pilotstats/its/design.hpp"
#include "pilotstats/its/diagnostics.hpp"
#include "pilotstats/linalg/glm.hpp"

namespace pilotstats {

struct its_options {
  std::vector<interruption> interruptions;
  seasonality season;
  std::vector<series> covariates;          // extra regressors (design.hpp); months with a missing value are left out
  glm_family model = glm_family::gaussian;
  covariance_spec covariance = classical_covariance{};
  double level = 0.95;
};

struct rate_ratio {
  double estimate, conf_low, conf_high;
};

struct its_effect {
  month start;
  coefficient_row level_change;            // the effect in the interruption's first month
  coefficient_row slope_change;            // the change of trend per month after it
  std::optional<rate_ratio> level_ratio;   // log-link models: exp(level_change)
  std::optional<rate_ratio> slope_ratio;   // log-link models: exp(slope_change), per month
};

struct its_result {
  its_design design;
  glm_fit fit;
  covariance_result covariance;
  coefficient_table table;
  std::vector<its_effect> effects;         // one per interruption, in order
  std::vector<Eigen::Index> fitted_design_rows;  // design rows in the fit, aligned with fit.fitted
  std::vector<std::string> warnings;
};

namespace detail {

inline rate_ratio exponentiate(const coefficient_row& row) {
  return {std::exp(row.estimate), std::exp(row.conf_low), std::exp(row.conf_high)};
}

}  // namespace detail

namespace detail {

// The design and the data of the fit: the months left out (missing outcome, exposure or
// covariate) are listed in `warnings`, with the design's own warnings.
struct its_inputs {
  its_design design;
  std::vector<Eigen::Index> rows;  // design rows in the fit
  Eigen::MatrixXd x;
  Eigen::VectorXd y, offset;       // offset empty without an exposure
  std::vector<std::string> warnings;
};

inline its_inputs prepare_its(const series& outcome, const its_options& options, const series* exposure) {
  const bool log_link = options.model != glm_family::gaussian;
  if (exposure && !log_link)
    throw invalid_input("fit_its: an exposure (offset) needs a log-link model (poisson, quasipoisson, negative binomial)");
  its_inputs in;
  in.design = make_its_design(outcome.months, {.interruptions = options.interruptions, .season = options.season,
                                               .covariates = options.covariates});
  std::string skipped;
  int n_skipped = 0;
  std::vector<double> kept_exposure;  // the exposure of each kept row, found once
  for (auto r : in.design.rows) {
    const auto i = static_cast<std::size_t>(r);
    bool missing = outcome.missing[i] || !in.design.x.row(r).allFinite();
    double exposure_value = 0;
    if (exposure) {
      const auto at = exposure->find(outcome.months[i]);
      if (!at)
        throw invalid_input("fit_its: the exposure '" + exposure->column + "' of " + exposure->unit +
                            " has no row for " + outcome.months[i].to_string());
      missing = missing || exposure->missing[*at];
      exposure_value = exposure->values(static_cast<Eigen::Index>(*at));
      if (!missing && !(exposure_value > 0))
        throw invalid_input("fit_its: the exposure '" + exposure->column + "' of " + exposure->unit + " is " +
                            std::to_string(exposure_value) + " in " +
                            outcome.months[i].to_string() + ", but must be positive (its log is the offset)");
    }
    if (missing) {
      if (n_skipped++ < 10) skipped += (skipped.empty() ? "" : ", ") + outcome.months[i].to_string();
      continue;
    }
    in.rows.push_back(r);
    if (exposure) kept_exposure.push_back(exposure_value);
  }
  if (n_skipped > 0)
    in.warnings.push_back(std::to_string(n_skipped) + " month(s) with a missing value left out: " + skipped +
                          (n_skipped > 10 ? ", ..." : ""));
  in.warnings.insert(in.warnings.end(), in.design.warnings.begin(), in.design.warnings.end());

  in.x = in.design.x(in.rows, Eigen::all);
  in.y.resize(static_cast<Eigen::Index>(in.rows.size()));
  if (exposure) in.offset.resize(in.y.size());
  for (std::size_t k = 0; k < in.rows.size(); ++k) {
    in.y(static_cast<Eigen::Index>(k)) = outcome.values(in.rows[k]);
    if (exposure) in.offset(static_cast<Eigen::Index>(k)) = std::log(kept_exposure[k]);
  }
  return in;
}

}  // namespace detail

// Fits the ITS. `exposure`, when given, must cover every month of `outcome` (its log is the
// offset; log-link models only).
inline its_result fit_its(const series& outcome, const its_options& options, const series* exposure = nullptr) {
  const bool log_link = options.model != glm_family::gaussian;
  detail::its_inputs in = detail::prepare_its(outcome, options, exposure);
  its_result result;
  result.design = std::move(in.design);
  result.warnings = std::move(in.warnings);
  const Eigen::MatrixXd& x = in.x;
  const Eigen::VectorXd& y = in.y;
  const Eigen::VectorXd& offset = in.offset;
  const std::vector<Eigen::Index>& rows = in.rows;
  result.fit = fit_glm(x, y, {.family = options.model, .names = result.design.names, .offset = offset});
  result.fitted_design_rows = rows;
  result.covariance = covariance(result.fit, options.covariance);
  result.table = tidy(result.fit, result.covariance, options.level);
  result.warnings.insert(result.warnings.end(), result.table.warnings.begin(), result.table.warnings.end());

  if (options.model == glm_family::poisson && result.fit.df_residual > 0) {
    const double ratio = result.fit.pearson_chi2 / static_cast<double>(result.fit.df_residual);
    if (ratio > 1.5)
      result.warnings.push_back("overdispersion under Poisson: Pearson chi2 / df = " + std::to_string(ratio) +
                                "; model-based standard errors are too small (use quasipoisson or negative binomial)");
  }
  const auto n = result.fit.fitted.size();
  if (std::holds_alternative<classical_covariance>(options.covariance) && n >= 16) {
    const auto lb = ljung_box(result.fit.pearson_residuals(), static_cast<int>(std::min<Eigen::Index>(12, n / 4)));
    if (lb.p_value < 0.05)
      result.warnings.push_back("autocorrelated residuals (Ljung-Box " + std::to_string(lb.statistic) + " on " +
                                std::to_string(static_cast<int>(lb.df)) + " lags, p = " + std::to_string(lb.p_value) +
                                "): model-based standard errors are too small; use HAC or GLS AR(1)");
  }
  const its_design_options design_options{.interruptions = options.interruptions, .season = options.season};
  for (std::size_t i = 0; i < options.interruptions.size(); ++i) {
    its_effect e;
    e.start = options.interruptions[i].start;
    e.level_change = result.table[level_term(design_options, i)];
    e.slope_change = result.table[slope_term(design_options, i)];
    if (log_link) {
      e.level_ratio = detail::exponentiate(e.level_change);
      e.slope_ratio = detail::exponentiate(e.slope_change);
    }
    result.effects.push_back(e);
  }
  return result;
}

}  // namespace pilotstats
