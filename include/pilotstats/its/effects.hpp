// pilotstats/its/effects.hpp: the effects of an interruption that people read.
//
//   effect_at       the effect k months after the interruption's first month, on the link scale:
//                   level_change + k slope_change (a rate ratio exp(.) on log-link models)
//   window_effect   the average and the cumulative effect over post months [from, to] on the
//                   response scale: sum_t (mu_t - mu_t^cf) (complaints added), mu^cf the
//                   counterfactual (this interruption's level and slope terms set to 0)
//   counterfactual  per fitted month: fitted and counterfactual means, the counterfactual's
//                   confidence band (for its mean, transformed from the link scale) and its
//                   prediction band (for a month observed without the interruption)
// Intervals: delta method with the fit's covariance (Var g(b) = grad' V grad), normal quantiles
// on log-link models and t(df) for gaussian ones with model-based standard errors (the
// reference distribution of the coefficient table).
// Prediction band: gaussian, exactly as predict.lm(interval = "prediction"): mu_cf +- t sqrt(
// se^2 + sigma^2). Counts, a normal approximation on the response scale: mu_cf +- q sqrt(
// Var(mu_cf) + Var(Y | mu_cf)), Var(mu_cf) = mu_cf^2 se^2 (delta method on the log link) and
// Var(Y | mu) = mu (Poisson), phi mu (quasi-Poisson), mu + mu^2 / theta (negative binomial);
// the lower end is cut at 0. Good when the counts are not small (tens and up, as monthly
// complaints); for counts near 0 the band is only indicative.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/inference/distributions.hpp"
#include "pilotstats/its/fit.hpp"

namespace pilotstats {

struct its_estimate {
  double estimate = 0, std_error = 0, conf_low = 0, conf_high = 0;
  std::optional<rate_ratio> ratio;  // log-link models, for link-scale estimates
};

struct its_window {
  month from, to;
  its_estimate average;     // mean over the window of mu - mu^cf
  its_estimate cumulative;  // sum over the window of mu - mu^cf
  int months = 0;           // fitted months in the window
};

struct counterfactual_point {
  month at;
  double fitted = 0;          // mu_t
  double counterfactual = 0;  // mu_t^cf
  double conf_low = 0, conf_high = 0;  // for the counterfactual mean
  double pred_low = 0, pred_high = 0;  // for an observation of the counterfactual month
};

namespace detail {

inline bool log_link(const its_result& r) { return r.fit.family != glm_family::gaussian; }

inline double mean_of(const its_result& r, double eta) { return log_link(r) ? std::exp(eta) : eta; }

// The reference quantile of the fit's table (its first row's df).
inline double its_quantile(const its_result& r, double level) { return critical_value(level, r.table.rows.front().df); }

inline its_estimate finish(const its_result& r, double estimate, const Eigen::VectorXd& gradient, double level,
                           bool link_scale) {
  its_estimate e;
  e.estimate = estimate;
  e.std_error = std::sqrt(std::max(0.0, gradient.dot(r.covariance.matrix * gradient)));
  const double q = its_quantile(r, level);
  e.conf_low = estimate - q * e.std_error;
  e.conf_high = estimate + q * e.std_error;
  if (link_scale && log_link(r)) e.ratio = rate_ratio{std::exp(estimate), std::exp(e.conf_low), std::exp(e.conf_high)};
  return e;
}

// Var(Y | mu) of one month under the fitted family: dispersion x the family's variance
// function (the dispersion is 1 for Poisson and NB, phi for quasi-Poisson, sigma^2 for gaussian).
inline double observation_variance(const its_result& r, double mu) {
  return r.fit.dispersion * glm_family_functions{r.fit.family, r.fit.theta.value_or(1.0)}.variance(mu);
}

inline std::size_t interruption_index(const its_result& r, month start) {
  for (std::size_t i = 0; i < r.effects.size(); ++i)
    if (r.effects[i].start == start) return i;
  throw domain_error("its: no interruption at " + start.to_string());
}

// Position among the kept coefficients of a design term (throws when it was aliased).
inline Eigen::Index kept_position(const its_result& r, const std::string& term) {
  const auto names = r.fit.wls.kept_names();
  for (std::size_t j = 0; j < names.size(); ++j)
    if (names[j] == term) return static_cast<Eigen::Index>(j);
  throw domain_error("its: the term '" + term + "' was not estimable");
}

}  // namespace detail

inline its_estimate effect_at(const its_result& r, month start, int k, double level = 0.95) {
  const std::size_t i = detail::interruption_index(r, start);
  if (k < 0) throw invalid_input("effect_at: k is " + std::to_string(k) + ", but must be 0 or more");
  const auto& e = r.effects[i];
  Eigen::VectorXd gradient = Eigen::VectorXd::Zero(r.fit.coefficients.size());
  gradient(detail::kept_position(r, e.level_change.term)) = 1;
  gradient(detail::kept_position(r, e.slope_change.term)) = k;
  return detail::finish(r, e.level_change.estimate + k * e.slope_change.estimate, gradient, level, true);
}

inline its_window window_effect(const its_result& r, month start, month from, month to, double level = 0.95) {
  const std::size_t i = detail::interruption_index(r, start);
  if (from < start || to < from)
    throw invalid_input("window_effect: the window " + from.to_string() + " to " + to.to_string() +
                        " must start at or after the interruption " + start.to_string() + " and not end before it starts");
  const auto& e = r.effects[i];
  const Eigen::Index level_col = detail::kept_position(r, e.level_change.term);
  const Eigen::Index slope_col = detail::kept_position(r, e.slope_change.term);
  const auto kept = r.fit.wls.kept;
  its_window w{.from = from, .to = to};
  double sum = 0;
  Eigen::VectorXd gradient = Eigen::VectorXd::Zero(r.fit.coefficients.size());
  for (std::size_t k = 0; k < r.fitted_design_rows.size(); ++k) {
    const Eigen::Index row = r.fitted_design_rows[k];
    const month m = r.design.months[static_cast<std::size_t>(row)];
    if (m < from || to < m) continue;
    const double eta = r.fit.linear_predictor(static_cast<Eigen::Index>(k));
    const Eigen::VectorXd x = r.design.x.row(row)(kept).transpose();
    Eigen::VectorXd x_cf = x;
    x_cf(level_col) = 0;
    x_cf(slope_col) = 0;
    const double eta_cf = eta - (x - x_cf).dot(r.fit.coefficients);
    const double mu = detail::mean_of(r, eta), mu_cf = detail::mean_of(r, eta_cf);
    sum += mu - mu_cf;
    gradient += detail::log_link(r) ? Eigen::VectorXd(mu * x - mu_cf * x_cf) : Eigen::VectorXd(x - x_cf);
    ++w.months;
  }
  if (w.months == 0) throw domain_error("window_effect: no fitted month between " + from.to_string() + " and " + to.to_string());
  w.cumulative = detail::finish(r, sum, gradient, level, false);
  w.average = detail::finish(r, sum / w.months, gradient / w.months, level, false);
  return w;
}

// The path without the interruption at `start`, over the fitted months.
inline std::vector<counterfactual_point> counterfactual(const its_result& r, month start, double level = 0.95) {
  const std::size_t i = detail::interruption_index(r, start);
  const auto& e = r.effects[i];
  const Eigen::Index level_col = detail::kept_position(r, e.level_change.term);
  const Eigen::Index slope_col = detail::kept_position(r, e.slope_change.term);
  const double q = detail::its_quantile(r, level);
  std::vector<counterfactual_point> path;
  for (std::size_t k = 0; k < r.fitted_design_rows.size(); ++k) {
    const Eigen::Index row = r.fitted_design_rows[k];
    const double eta = r.fit.linear_predictor(static_cast<Eigen::Index>(k));
    Eigen::VectorXd x_cf = r.design.x.row(row)(r.fit.wls.kept).transpose();
    const double shift = x_cf(level_col) * r.fit.coefficients(level_col) + x_cf(slope_col) * r.fit.coefficients(slope_col);
    x_cf(level_col) = 0;
    x_cf(slope_col) = 0;
    const double eta_cf = eta - shift;
    const double se = std::sqrt(std::max(0.0, x_cf.dot(r.covariance.matrix * x_cf)));
    counterfactual_point p{r.design.months[static_cast<std::size_t>(row)], detail::mean_of(r, eta),
                           detail::mean_of(r, eta_cf), detail::mean_of(r, eta_cf - q * se),
                           detail::mean_of(r, eta_cf + q * se)};
    const double mu = p.counterfactual;
    const double mean_variance = detail::log_link(r) ? mu * mu * se * se : se * se;
    const double spread = q * std::sqrt(mean_variance + detail::observation_variance(r, mu));
    p.pred_low = detail::log_link(r) ? std::max(0.0, mu - spread) : mu - spread;
    p.pred_high = mu + spread;
    path.push_back(p);
  }
  return path;
}

}  // namespace pilotstats
