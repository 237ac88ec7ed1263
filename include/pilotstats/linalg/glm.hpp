// pilotstats/linalg/glm.hpp: generalized linear models by IRLS, as R's glm and MASS::glm.nb.
//
// Families (link): gaussian (identity), poisson (log), quasipoisson (log), negative binomial
// NB2 (log; variance mu + mu^2/theta). Prior weights and an offset on the link scale (log
// exposure, e.g. log(calls)) are supported.
//
// Gaussian models are one weighted least-squares fit (iterations = 1). Otherwise the
// iteration is R's glm.fit: start from mu = y + 0.1 (Poisson; the NB start is the Poisson
// fit, as glm.nb), then repeat: working response z = eta - offset + (y - mu) / mu'(eta) and
// weights w = prior mu'(eta)^2 / V(mu); weighted least squares; stop when
// |dev - dev_old| / (|dev| + 0.1) < epsilon (1e-8), at most 25 iterations. The iterations solve
// by the normal equations (Cholesky, one refinement step) unless the factor's pivot check
// declines, and then by Householder QR with glm.fit's rank tolerance min(1e-7, epsilon/1000);
// the reported fit is always the Householder QR of the last iteration's weighted problem. Step
// halving towards the previous coefficients when the deviance is not finite or mu leaves its
// domain.
//
// Negative binomial, as MASS::glm.nb: a Poisson fit, theta by maximum likelihood (theta.ml:
// Newton on the score from n / sum((y/mu - 1)^2)), then alternate the NB fit at fixed theta
// and theta.ml until |L0 - L| / d1 + |dtheta| / d2 < epsilon, with d1 = sqrt(2 max(1, df)),
// d2 = 1 (the first time) or as glm.nb. Standard errors treat theta as fixed, as glm.nb's
// vcov() (statsmodels' NegativeBinomial uses the full Hessian instead); theta's own SE is
// 1 / sqrt(information), as theta.ml's.
//
// The result keeps the final iteration's weighted least squares (`wls`): its Q, R, leverages
// and weights are the weighted fit R's summary.glm, hatvalues and sandwich use, and its
// residuals are the working residuals at the final mu, so every covariance estimator of
// inference/covariance.hpp applies (see inference/glm_covariance.hpp).
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/linalg/least_squares.hpp"

namespace pilotstats {

enum class glm_family { gaussian, poisson, quasipoisson, negative_binomial };

inline const char* family_name(glm_family f) {
  switch (f) {
    case glm_family::gaussian: return "gaussian";
    case glm_family::poisson: return "poisson";
    case glm_family::quasipoisson: return "quasipoisson";
    case glm_family::negative_binomial: return "negative binomial";
  }
  return "?";
}

struct glm_options {
  glm_family family = glm_family::poisson;
  std::vector<std::string> names;  // one per column; empty: x1, x2, ...
  Eigen::VectorXd offset;          // on the link scale; empty: none
  Eigen::VectorXd weights;         // prior weights; empty: all 1
  std::optional<double> theta;     // negative binomial: a fixed theta; empty: estimated (glm.nb)
  double epsilon = 1e-8;           // glm.control()
  int max_iterations = 25;         // glm.control()

  void validate(Eigen::Index rows) const {
    if (offset.size() != 0 && offset.size() != rows)
      throw invalid_input("glm: " + std::to_string(offset.size()) + " offsets given for " +
                          std::to_string(rows) + " rows");
    for (Eigen::Index i = 0; i < offset.size(); ++i)
      if (!std::isfinite(offset(i)))
        throw invalid_input("glm: offset of row " + std::to_string(i + 1) + " is " + std::to_string(offset(i)) +
                            ", but must be finite (a zero exposure gives log(0))");
    if (theta && !(*theta > 0 && std::isfinite(*theta)))
      throw invalid_input("glm: theta is " + std::to_string(*theta) + ", but must be positive and finite");
    if (!(epsilon > 0)) throw invalid_input("glm: epsilon must be positive");
    if (max_iterations < 1) throw invalid_input("glm: max_iterations must be at least 1");
  }
};

struct glm_fit {
  glm_family family = glm_family::poisson;
  least_squares_fit wls;           // the final IRLS step (see the header comment)
  Eigen::VectorXd coefficients;    // over wls.kept
  Eigen::VectorXd linear_predictor;
  Eigen::VectorXd fitted;          // mu
  double deviance = 0;
  double null_deviance = 0;
  double aic = 0;                  // NaN-free: 0 with a warning for quasipoisson, which has none
  double log_likelihood = 0;
  Eigen::Index df_residual = 0;
  Eigen::Index df_null = 0;
  double dispersion = 1;           // estimated for quasipoisson and gaussian (as summary.glm); 1 otherwise
  double pearson_chi2 = 0;         // sum of squared Pearson residuals at the final mu (overdispersion: / df)
  std::optional<double> theta;     // negative binomial
  std::optional<double> theta_std_error;
  int iterations = 0;              // IRLS iterations of the final fit
  int outer_iterations = 0;        // negative binomial: theta / fit alternations
  bool converged = false;
  std::vector<std::string> warnings;

  Eigen::VectorXd pearson_residuals() const;
  Eigen::VectorXd y;               // the response, kept for residuals
  Eigen::VectorXd prior_weights;
};

namespace detail {

struct glm_family_functions {
  glm_family family;
  double theta = 0;  // negative binomial

  bool log_link() const { return family != glm_family::gaussian; }
  double link_inverse(double eta) const { return log_link() ? std::exp(eta) : eta; }
  // d mu / d eta at mu = link_inverse(eta): R's max(exp(eta), DBL_EPSILON), without the second exp.
  double mu_eta(double mu) const { return log_link() ? std::max(mu, 2.220446e-16) : 1.0; }
  double variance(double mu) const {
    switch (family) {
      case glm_family::gaussian: return 1.0;
      case glm_family::poisson:
      case glm_family::quasipoisson: return mu;
      case glm_family::negative_binomial: return mu + mu * mu / theta;
    }
    return 1.0;
  }
  bool valid_mu(double mu) const { return log_link() ? std::isfinite(mu) && mu > 0 : std::isfinite(mu); }
  // Unit deviance times the prior weight, as family$dev.resids.
  double deviance_residual(double y, double mu, double w) const {
    switch (family) {
      case glm_family::gaussian: return w * (y - mu) * (y - mu);
      case glm_family::poisson:
      case glm_family::quasipoisson: {
        const double r = mu * w;
        return y > 0 ? 2 * w * (y * std::log(y / mu) - (y - mu)) : 2 * r;
      }
      case glm_family::negative_binomial:
        return 2 * w * (y * std::log(std::max(1.0, y) / mu) - (y + theta) * std::log((y + theta) / (mu + theta)));
    }
    return 0;
  }
};

inline double poisson_log_density(double y, double mu) {
  return y * std::log(mu) - mu - std::lgamma(y + 1);
}

// The distinct values of y: digamma, trigamma and lgamma at y + theta are then evaluated once
// per value, not once per observation (counts repeat). Each observation's term is still
// formed and summed in its own order, as MASS does, so the sums keep MASS's rounding.
struct count_groups {
  std::vector<double> value;
  std::vector<std::size_t> of;  // of[i]: the group of observation i

  explicit count_groups(const Eigen::VectorXd& y) : of(static_cast<std::size_t>(y.size())) {
    std::vector<Eigen::Index> order(static_cast<std::size_t>(y.size()));
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<Eigen::Index>(i);
    std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return y(a) < y(b); });
    for (const Eigen::Index i : order) {
      if (value.empty() || value.back() != y(i)) value.push_back(y(i));
      of[static_cast<std::size_t>(i)] = value.size() - 1;
    }
  }
  template <class F>
  std::vector<double> map(F f) const {  // f(value) for each distinct value
    std::vector<double> out(value.size());
    for (std::size_t g = 0; g < value.size(); ++g) out[g] = f(value[g]);
    return out;
  }
};

// MASS's loglik for the negative binomial.
inline double negative_binomial_log_likelihood(double theta, const Eigen::VectorXd& mu, const Eigen::VectorXd& y,
                                               const Eigen::VectorXd& w, const count_groups& groups) {
  const std::vector<double> lgamma_theta_y = groups.map([&](double v) { return std::lgamma(theta + v); });
  const std::vector<double> lgamma_y1 = groups.map([](double v) { return std::lgamma(v + 1); });
  const double lgamma_theta = std::lgamma(theta), theta_log_theta = theta * std::log(theta);
  double sum = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const std::size_t g = groups.of[static_cast<std::size_t>(i)];
    sum += w(i) * (lgamma_theta_y[g] - lgamma_theta - lgamma_y1[g] + theta_log_theta +
                   y(i) * std::log(mu(i) + (y(i) == 0 ? 1.0 : 0.0)) - (theta + y(i)) * std::log(theta + mu(i)));
  }
  return sum;
}

struct theta_estimate {
  double theta;
  double std_error;
  bool at_limit;
};

// MASS::theta.ml: Newton's method on the score of theta, from n / sum(w (y/mu - 1)^2), at most
// `limit` steps, stopping when the step is below eps = DBL_EPSILON^(1/4).
inline theta_estimate theta_ml(const Eigen::VectorXd& y, const Eigen::VectorXd& mu, const Eigen::VectorXd& w,
                               const count_groups& groups, int limit) {
  // Double precision throughout: Boost's default promotes double to long double, which costs
  // twice the time for digits the Newton step does not use.
  using double_policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
  const double n = w.sum();
  double denominator = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) denominator += w(i) * (y(i) / mu(i) - 1) * (y(i) / mu(i) - 1);
  double t0 = n / denominator;
  const double eps = std::pow(std::numeric_limits<double>::epsilon(), 0.25);
  int it = 0;
  double del = 1;
  double info = 0;
  while (++it < limit && std::abs(del) > eps) {
    t0 = std::abs(t0);
    const double digamma_t0 = boost::math::digamma(t0, double_policy());
    const double trigamma_t0 = boost::math::trigamma(t0, double_policy());
    const double log_t0 = std::log(t0);
    const std::vector<double> digamma_yt = groups.map([&](double v) { return boost::math::digamma(v + t0, double_policy()); });
    const std::vector<double> trigamma_yt = groups.map([&](double v) { return boost::math::trigamma(v + t0, double_policy()); });
    double score = 0;
    info = 0;
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      const std::size_t g = groups.of[static_cast<std::size_t>(i)];
      const double tm = t0 + mu(i);
      const double yt = y(i) + t0;
      score += w(i) * (digamma_yt[g] - digamma_t0 + log_t0 + 1 - std::log(tm) - yt / tm);
      info += w(i) * (-trigamma_yt[g] + trigamma_t0 - 1 / t0 + 2 / tm - yt / (tm * tm));
    }
    del = score / info;
    t0 += del;
  }
  return {std::max(t0, 0.0), std::sqrt(1 / info), it == limit};
}

// Weighted least squares by Cholesky on the normal equations X'WX b = X'Wz, with one step of
// refinement (the corrected seminormal equations; Bjorck 1996, 2.5.1), for the IRLS iterations,
// where only the next coefficients are needed. About a tenth of a Householder QR's work for an
// ITS-sized design. Declines (false) when a pivot of the Cholesky factor shows a column within
// 1e-4 (in angle) of the span of the earlier ones, or when the error bound of the normal
// equations exceeds 1e-10 (see below); the caller then uses Householder QR.
inline bool cholesky_least_squares(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::VectorXd& w, const Eigen::VectorXd& z,
                                   Eigen::VectorXd& b) {
  const Eigen::Index k = x.cols();
  const Eigen::MatrixXd w_x = w.asDiagonal() * x;
  // X'WX by dot products of columns (its lower half): at ITS sizes faster than a GEMM's packing.
  Eigen::MatrixXd a(k, k);
  for (Eigen::Index j = 0; j < k; ++j)
    for (Eigen::Index i = j; i < k; ++i) a(i, j) = x.col(i).dot(w_x.col(j));
  const Eigen::LLT<Eigen::MatrixXd> llt(a);
  if (llt.info() != Eigen::Success) return false;
  const Eigen::MatrixXd& l = llt.matrixLLT();
  for (Eigen::Index j = 0; j < k; ++j)
    if (!(l(j, j) * l(j, j) > 1e-8 * a(j, j))) return false;
  b = llt.solve(w_x.transpose() * z);
  const Eigen::VectorXd r = z - x * b;
  b += llt.solve(w_x.transpose() * r);
  // The normal equations' error bound, eps kappa^2 (1 + |r| / |X b|) in the weighted norms, with
  // kappa the Frobenius condition number of the column-scaled factor (least_squares' measure):
  // beyond 1e-10 (large residuals or kappa above a few hundred: NIST's Wampler 4-5) decline.
  Eigen::MatrixXd scaled_inverse = Eigen::MatrixXd::Identity(k, k);
  const Eigen::MatrixXd lower = l.triangularView<Eigen::Lower>();
  const Eigen::MatrixXd scaled = a.diagonal().cwiseSqrt().cwiseInverse().asDiagonal() * lower;
  scaled.triangularView<Eigen::Lower>().solveInPlace(scaled_inverse);
  const double kappa_squared = static_cast<double>(k) * scaled_inverse.squaredNorm();
  const double residual = std::sqrt(r.dot(w.cwiseProduct(r)));
  const Eigen::VectorXd fitted = z - r;
  const double fitted_norm = std::sqrt(fitted.dot(w.cwiseProduct(fitted)));
  const double bound = std::numeric_limits<double>::epsilon() * kappa_squared * (1 + residual / std::max(fitted_norm, 1e-300));
  return bound <= 1e-10 && b.allFinite();
}

struct irls_result {
  Eigen::VectorXd coefficients;  // full length (aliased entries 0)
  least_squares_fit wls;
  Eigen::VectorXd eta, mu;
  double deviance = 0;
  int iterations = 0;
  bool converged = false;
  bool boundary = false;
  // The last iteration's working response and weights, its kept columns, and whether
  // step-halving moved its coefficients: what the final weighted fit is built from.
  Eigen::VectorXd working_response, working_weights;
  std::vector<Eigen::Index> kept;
  bool halved = false;
};

// The last iteration's weighted least squares, with its Q, leverages and statistics. Its
// Householder coefficients are reported (unless step-halving moved them), so the result has
// QR accuracy whichever way the iterations solved.
inline void finish_irls(irls_result& out, const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::VectorXd& y,
                        const Eigen::VectorXd& prior, const Eigen::VectorXd& offset, const glm_family_functions& f,
                        const glm_options& options) {
  const double tolerance = std::min(1e-7, options.epsilon / 1000);
  out.wls = least_squares(x, out.working_response,
                          {.names = options.names, .weights = out.working_weights, .tolerance = tolerance});
  if (out.halved || out.wls.kept != out.kept) return;
  out.coefficients.setZero();
  for (std::size_t j = 0; j < out.kept.size(); ++j)
    out.coefficients(out.kept[j]) = out.wls.coefficients(static_cast<Eigen::Index>(j));
  out.eta = x * out.coefficients + offset;
  out.mu = out.eta.unaryExpr([&](double e) { return f.link_inverse(e); });
  out.deviance = 0;
  for (Eigen::Index i = 0; i < x.rows(); ++i) out.deviance += f.deviance_residual(y(i), out.mu(i), prior(i));
}

// glm.fit's loop for one family (theta fixed). Either `start_mu` or `start_eta` seeds it.
inline irls_result irls(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::VectorXd& y,
                        const Eigen::VectorXd& prior, const Eigen::VectorXd& offset,
                        const glm_family_functions& f, const glm_options& options,
                        const Eigen::VectorXd& start_eta, bool weighted_fit = true) {
  const Eigen::Index n = x.rows();
  irls_result out;
  out.eta = start_eta;
  out.mu = out.eta.unaryExpr([&](double e) { return f.link_inverse(e); });
  auto deviance_of = [&](const Eigen::VectorXd& mu) {
    double d = 0;
    for (Eigen::Index i = 0; i < n; ++i) d += f.deviance_residual(y(i), mu(i), prior(i));
    return d;
  };
  if (f.family == glm_family::gaussian) {
    // Identity link and constant variance: one weighted least-squares fit is the solution
    // (glm.fit reaches it in its first step and spends a second confirming it). For estimates
    // only, the normal equations with refinement, as the IRLS iterations below.
    Eigen::VectorXd b;
    if (!weighted_fit && cholesky_least_squares(x, prior, y - offset, b)) {
      out.coefficients = std::move(b);
      for (Eigen::Index j = 0; j < x.cols(); ++j) out.kept.push_back(j);
    } else {
      out.wls = least_squares(x, y - offset, {.names = options.names, .weights = prior,
                                              .tolerance = std::min(1e-7, options.epsilon / 1000)});
      out.coefficients = Eigen::VectorXd::Zero(x.cols());
      for (std::size_t j = 0; j < out.wls.kept.size(); ++j)
        out.coefficients(out.wls.kept[j]) = out.wls.coefficients(static_cast<Eigen::Index>(j));
      out.kept = out.wls.kept;
    }
    out.eta = x * out.coefficients + offset;
    out.mu = out.eta;
    out.deviance = deviance_of(out.mu);
    out.iterations = 1;
    out.converged = true;
    return out;
  }
  double deviance_old = deviance_of(out.mu);
  std::optional<Eigen::VectorXd> previous;
  const double tolerance = std::min(1e-7, options.epsilon / 1000);
  Eigen::VectorXd z(n), w(n), last_z, last_w;
  std::vector<Eigen::Index> kept;  // estimable columns, from the first iteration's QR
  Eigen::MatrixXd kept_design;
  bool halved = false;             // the last iteration's coefficients were step-halved
  for (int iter = 1; iter <= options.max_iterations; ++iter) {
    out.iterations = iter;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double d = f.mu_eta(out.mu(i));
      z(i) = out.eta(i) - offset(i) + (y(i) - out.mu(i)) / d;
      w(i) = prior(i) * d * d / f.variance(out.mu(i));
    }
    // Only the coefficients are needed here; the full weighted fit is built once, after the loop.
    // A reported fit's first iteration is glm.fit's: Householder QR, which decides the rank by
    // R's rule. Later iterations, and all of NB's inner fits (whose coefficients glm.nb only
    // carries forward), solve the normal equations on the kept columns (all, for an inner fit:
    // a factor that passes its checks proves them estimable under R's far looser rule); when
    // the Cholesky factor declines, the QR solves.
    Eigen::VectorXd coefficients = Eigen::VectorXd::Zero(x.cols());
    Eigen::VectorXd kept_coefficients;
    const bool rank_by_qr = kept.empty() && weighted_fit;  // a reported fit's first iteration
    const bool solved =
        !rank_by_qr && cholesky_least_squares(kept_design.size() ? Eigen::Ref<const Eigen::MatrixXd>(kept_design) : x,
                                              w, z, kept_coefficients);
    if (solved && kept.empty())
      for (Eigen::Index j = 0; j < x.cols(); ++j) kept.push_back(j);
    if (!solved) {
      const Eigen::VectorXd root_w = w.cwiseSqrt();
      const householder_qr qr =
          factorize_householder_qr(root_w.asDiagonal() * x, root_w.cwiseProduct(z), tolerance);
      kept_coefficients = qr.r.triangularView<Eigen::Upper>().solve(qr.qty);
      kept.assign(qr.order.begin(), qr.order.begin() + qr.rank);
      kept_design = qr.rank < x.cols() ? Eigen::MatrixXd(x(Eigen::all, kept)) : Eigen::MatrixXd();
    }
    for (std::size_t j = 0; j < kept.size(); ++j) coefficients(kept[j]) = kept_coefficients(static_cast<Eigen::Index>(j));
    last_z = z;
    last_w = w;
    auto update = [&](const Eigen::VectorXd& b) {
      out.eta = x * b + offset;
      out.mu = out.eta.unaryExpr([&](double e) { return f.link_inverse(e); });
    };
    update(coefficients);
    halved = false;
    double deviance = deviance_of(out.mu);
    const auto valid = [&] { return std::isfinite(deviance) && out.mu.unaryExpr([&](double m) { return f.valid_mu(m) ? 0.0 : 1.0; }).sum() == 0; };
    for (int halving = 0; !valid(); ++halving) {
      if (!previous || halving >= options.max_iterations)
        throw domain_error(std::string("glm (") + family_name(f.family) +
                           "): no valid set of coefficients found: the fitted means leave their domain");
      coefficients = (coefficients + *previous) / 2;
      update(coefficients);
      deviance = deviance_of(out.mu);
      out.boundary = true;
      halved = true;
    }
    out.coefficients = coefficients;
    out.deviance = deviance;
    if (std::abs(deviance - deviance_old) / (std::abs(deviance) + 0.1) < options.epsilon) {
      out.converged = true;
      break;
    }
    deviance_old = deviance;
    previous = coefficients;
  }
  out.working_response = std::move(last_z);
  out.working_weights = std::move(last_w);
  out.kept = std::move(kept);
  out.halved = halved;
  if (weighted_fit) finish_irls(out, x, y, prior, offset, f, options);
  return out;
}

}  // namespace detail

inline Eigen::VectorXd glm_fit::pearson_residuals() const {
  const detail::glm_family_functions f{family, theta.value_or(1.0)};
  Eigen::VectorXd r(y.size());
  for (Eigen::Index i = 0; i < y.size(); ++i)
    r(i) = (y(i) - fitted(i)) * std::sqrt(prior_weights(i)) / std::sqrt(f.variance(fitted(i)));
  return r;
}

namespace detail {

struct glm_weights_offset {
  Eigen::VectorXd prior, offset;  // the options' or ones / zeros
};

// fit_glm's checks of its inputs (sizes, finite values, counts nonnegative, options); returns
// the prior weights and the offset.
inline glm_weights_offset check_glm_inputs(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                           const Eigen::Ref<const Eigen::VectorXd>& y, const glm_options& options) {
  const Eigen::Index n = x.rows();
  if (y.size() != n)
    throw invalid_input("glm: y has " + std::to_string(y.size()) + " rows but X has " + std::to_string(n));
  if (n == 0 || x.cols() == 0) throw invalid_input("glm: X is empty");
  options.validate(n);
  require_finite(x, "X");
  require_finite(y, "y");
  if (options.family != glm_family::gaussian)
    for (Eigen::Index i = 0; i < n; ++i)
      if (y(i) < 0)
        throw invalid_input(std::string("glm (") + family_name(options.family) + "): y at row " + std::to_string(i + 1) +
                            " is " + std::to_string(y(i)) + ", but counts must be nonnegative");
  return {options.weights.size() ? Eigen::VectorXd(options.weights) : Eigen::VectorXd::Ones(n),
          options.offset.size() ? Eigen::VectorXd(options.offset) : Eigen::VectorXd::Zero(n)};
}

// The iterations: IRLS for the family, and for the negative binomial with theta estimated,
// glm.nb's alternation. With `weighted_fit` false the final Householder fit (and so `wls`) is
// skipped: the coefficients are the last iteration's.
struct glm_estimate {
  irls_result result;
  glm_family_functions f{glm_family::gaussian};
  std::optional<theta_estimate> theta;  // negative binomial with theta estimated
  double log_likelihood = 0;            // idem
  int outer_iterations = 0;             // idem
  std::vector<std::string> warnings;
};

inline glm_estimate estimate_glm(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::VectorXd& y,
                                 const Eigen::VectorXd& prior, const Eigen::VectorXd& offset,
                                 const glm_options& options, bool weighted_fit) {
  const Eigen::Index n = x.rows();
  glm_estimate out;
  const bool estimate_theta = options.family == glm_family::negative_binomial && !options.theta;
  // The Poisson (or gaussian) fit; for the negative binomial it is glm.nb's first step.
  const glm_family first_family = estimate_theta ? glm_family::poisson : options.family;
  out.f = {first_family, options.theta.value_or(1.0)};
  Eigen::VectorXd start_eta(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    // glm's initialize: poisson mu = y + 0.1; negative.binomial mu = y + (y == 0)/6; gaussian mu = y.
    const double mu0 = first_family == glm_family::gaussian           ? y(i)
                       : first_family == glm_family::negative_binomial ? y(i) + (y(i) == 0 ? 1.0 / 6 : 0.0)
                                                                       : y(i) + 0.1;
    start_eta(i) = first_family == glm_family::gaussian ? mu0 : std::log(mu0);
  }
  irls_result& result = out.result;
  // glm.nb starts theta from this fit's final (Householder) means, so it is finished even then.
  result = irls(x, y, prior, offset, out.f, options, start_eta, weighted_fit || estimate_theta);
  if (!estimate_theta) return out;

  const count_groups groups(y);
  auto th = theta_ml(y, result.mu, prior, groups, options.max_iterations);
  out.f = {glm_family::negative_binomial, th.theta};
  const double d1 = std::sqrt(2.0 * std::max<double>(1.0, static_cast<double>(result.wls.df_residual)));
  double d2 = 1, del = 1;
  double lm = negative_binomial_log_likelihood(th.theta, result.mu, y, prior, groups);
  double lm0 = lm + 2 * d1;
  int outer = 0;
  while (++outer <= options.max_iterations && (std::abs(lm0 - lm) / d1 + std::abs(del) / d2) > options.epsilon) {
    const Eigen::VectorXd mu_before = result.mu;  // glm.nb updates theta from the mu before the fit
    result = irls(x, y, prior, offset, out.f, options, mu_before.array().log().matrix(), false);
    const double t0 = th.theta;
    th = theta_ml(y, mu_before, prior, groups, options.max_iterations);
    out.f = {glm_family::negative_binomial, th.theta};
    del = t0 - th.theta;
    lm0 = lm;
    lm = negative_binomial_log_likelihood(th.theta, result.mu, y, prior, groups);
  }
  if (weighted_fit) finish_irls(result, x, y, prior, offset, out.f, options);
  out.outer_iterations = outer - 1;  // the last increment is the test that ended the loop
  if (outer > options.max_iterations) out.warnings.push_back("negative binomial: alternation limit reached");
  if (th.at_limit) out.warnings.push_back("negative binomial: theta iteration limit reached");
  out.theta = th;
  out.log_likelihood = lm;
  return out;
}

}  // namespace detail

// The coefficients alone, one per column of x (aliased columns 0, and listed in `aliased` when
// given), for loops that refit many times (the in-time placebo): the iterations of fit_glm
// without its final Householder fit, covariance or statistics. They agree with fit_glm's to
// the last digits (the normal equations with refinement, not the QR, give the last step).
inline Eigen::VectorXd glm_coefficients(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::VectorXd>& y,
                                        const glm_options& options = {}, std::vector<Eigen::Index>* aliased = nullptr) {
  const auto [prior, offset] = detail::check_glm_inputs(x, y, options);
  auto estimate = detail::estimate_glm(x, y, prior, offset, options, false);
  if (aliased) {
    aliased->clear();
    std::vector<bool> kept(static_cast<std::size_t>(x.cols()), false);
    for (const auto j : estimate.result.kept) kept[static_cast<std::size_t>(j)] = true;
    for (Eigen::Index j = 0; j < x.cols(); ++j)
      if (!kept[static_cast<std::size_t>(j)]) aliased->push_back(j);
  }
  return std::move(estimate.result.coefficients);
}

// Fits the GLM. Throws invalid_input on bad data (negative counts, sizes, offsets); a fit that
// does not converge is a result with converged = false and a warning.
inline glm_fit fit_glm(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::VectorXd>& y,
                       const glm_options& options = {}) {
  const auto [prior, offset] = detail::check_glm_inputs(x, y, options);
  const Eigen::Index n = x.rows();
  const Eigen::VectorXd y_vec = y;

  glm_fit fit;
  fit.family = options.family;
  fit.y = y_vec;
  fit.prior_weights = prior;
  detail::glm_estimate estimate = detail::estimate_glm(x, y_vec, prior, offset, options, true);
  detail::irls_result& result = estimate.result;
  const detail::glm_family_functions& f = estimate.f;
  fit.warnings = std::move(estimate.warnings);
  fit.outer_iterations = estimate.outer_iterations;
  if (estimate.theta) {
    fit.theta = estimate.theta->theta;
    fit.theta_std_error = estimate.theta->std_error;
    fit.log_likelihood = estimate.log_likelihood;
  } else if (options.family == glm_family::negative_binomial) {
    fit.theta = *options.theta;
  }

  fit.wls = std::move(result.wls);
  fit.coefficients = result.coefficients(fit.wls.kept);
  fit.linear_predictor = result.eta;
  fit.fitted = result.mu;
  fit.deviance = result.deviance;
  fit.iterations = result.iterations;
  fit.converged = result.converged;
  if (!result.converged)
    fit.warnings.push_back(std::string("glm (") + family_name(options.family) + "): did not converge in " +
                           std::to_string(options.max_iterations) + " iterations");
  if (result.boundary) fit.warnings.push_back("glm: the algorithm stopped at the boundary of the parameter space");

  // The final WLS carries the working residuals at the final mu (as R's residuals(, "working")).
  for (Eigen::Index i = 0; i < n; ++i)
    fit.wls.residuals(i) = (y(i) - result.mu(i)) / f.mu_eta(result.mu(i));
  fit.wls.fitted = result.eta - offset;
  fit.df_residual = fit.wls.df_residual;
  fit.df_null = fit.wls.n - (fit.wls.intercept ? 1 : 0);

  fit.pearson_chi2 = fit.pearson_residuals().squaredNorm();
  const bool estimated_dispersion = options.family == glm_family::quasipoisson || options.family == glm_family::gaussian;
  // summary.glm's dispersion: working weights (of the last iteration) x working residuals^2
  // over df; at convergence it differs from Pearson chi2 / df only in the last digits.
  if (estimated_dispersion && fit.df_residual > 0)
    fit.dispersion = fit.wls.weighted_residuals().squaredNorm() / static_cast<double>(fit.df_residual);
  // The classical covariance of the WLS is sigma^2 (X'WX)^-1: make sigma^2 the dispersion.
  fit.wls.sigma = std::sqrt(fit.dispersion);

  // Null deviance: the intercept-only model (with the offset, refitted as R's glm does).
  if (fit.wls.intercept) {
    const Eigen::MatrixXd ones = Eigen::MatrixXd::Ones(n, 1);
    if (options.offset.size() == 0) {
      const double mean = prior.dot(y_vec) / prior.sum();
      for (Eigen::Index i = 0; i < n; ++i) fit.null_deviance += f.deviance_residual(y(i), mean, prior(i));
    } else {
      glm_options null_options = options;
      null_options.names = {"(Intercept)"};
      // glm refits from the fitted means; glm.nb from the family's start, y + (y == 0) / 6.
      Eigen::VectorXd start = result.eta;
      if (options.family == glm_family::negative_binomial)
        for (Eigen::Index i = 0; i < n; ++i) start(i) = std::log(y(i) + (y(i) == 0 ? 1.0 / 6 : 0.0));
      const auto null_fit = detail::irls(ones, y_vec, prior, offset, f, null_options, start, false);
      fit.null_deviance = null_fit.deviance;
    }
  } else {
    for (Eigen::Index i = 0; i < n; ++i) fit.null_deviance += f.deviance_residual(y(i), f.link_inverse(offset(i)), prior(i));
  }

  // AIC as R's family$aic + 2 rank (+ 2 for theta).
  const double rank = static_cast<double>(fit.wls.rank);
  switch (options.family) {
    case glm_family::poisson: {
      double ll = 0;
      for (Eigen::Index i = 0; i < n; ++i) ll += prior(i) * detail::poisson_log_density(y(i), result.mu(i));
      fit.log_likelihood = ll;
      fit.aic = -2 * ll + 2 * rank;
      break;
    }
    case glm_family::negative_binomial:
      if (!options.theta) {
        fit.aic = -2 * fit.log_likelihood + 2 * rank + 2;
      } else {
        fit.log_likelihood = detail::negative_binomial_log_likelihood(*fit.theta, result.mu, y_vec, prior,
                                                                      detail::count_groups(y_vec));
        fit.aic = -2 * fit.log_likelihood + 2 * rank;
      }
      break;
    case glm_family::gaussian: {
      const double nobs = static_cast<double>(fit.wls.n);
      fit.log_likelihood = -0.5 * nobs * (std::log(2 * M_PI * fit.deviance / nobs) + 1);
      fit.aic = -2 * fit.log_likelihood + 2 * (rank + 1);
      break;
    }
    case glm_family::quasipoisson:
      fit.warnings.push_back("quasipoisson has no likelihood: aic and log_likelihood are not defined (0)");
      break;
  }
  return fit;
}

}  // namespace pilotstats
