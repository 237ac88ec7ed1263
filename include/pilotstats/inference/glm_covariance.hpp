// pilotstats/inference/glm_covariance.hpp: covariance estimators and tables for GLM fits.
//
// A GLM's final IRLS step is a weighted least-squares fit whose residuals are the working
// residuals (glm.hpp), so each estimator of covariance.hpp applies to it as sandwich applies
// to a glm: model-based = dispersion (X'WX)^-1 (summary.glm), HC0-HC3 and HAC on the
// working residuals x working weights (sandwich::estfun.glm, hatvalues.glm).
// Reference distributions: model-based standard errors use N(0, 1) when the dispersion is
// fixed (Poisson, negative binomial) and t(df residual) when it is estimated (quasi-Poisson,
// gaussian), as summary.glm; the sandwich estimators use N(0, 1) on count models, as
// lmtest::coeftest on a glm, and t(df residual) on gaussian ones, as coeftest on the lm that a
// gaussian GLM is; cluster estimators keep their own (t(G - 1), Satterthwaite).
#pragma once

#include "pilotstats/inference/coefficient_table.hpp"
#include "pilotstats/inference/covariance.hpp"
#include "pilotstats/linalg/glm.hpp"

namespace pilotstats {

inline covariance_result covariance(const glm_fit& fit, const covariance_spec& spec) {
  covariance_result out = covariance(fit.wls, spec);
  const bool estimated_dispersion =
      fit.family == glm_family::quasipoisson || fit.family == glm_family::gaussian;
  if (std::holds_alternative<classical_covariance>(spec)) {
    out.kind = estimated_dispersion ? "model-based (estimated dispersion)" : "model-based";
    out.reference = fit.family == glm_family::negative_binomial ? "vcov(MASS::glm.nb) (theta fixed)" : "vcov(glm)";
    if (!estimated_dispersion) out.df.setConstant(infinite_df);
  } else if (!std::holds_alternative<cluster_covariance>(spec) && fit.family != glm_family::gaussian) {
    out.df.setConstant(infinite_df);
  }
  return out;
}

inline coefficient_table tidy(const glm_fit& fit, const covariance_result& covariance, double level = 0.95) {
  coefficient_table table = make_coefficient_table(fit.wls.kept_names(), fit.coefficients, covariance, level);
  table.aliased = fit.wls.aliased;
  table.warnings.insert(table.warnings.end(), fit.warnings.begin(), fit.warnings.end());
  return table;
}

}  // namespace pilotstats
