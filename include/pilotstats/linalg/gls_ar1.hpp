// pilotstats/linalg/gls_ar1.hpp: regression with AR(1) errors by maximum likelihood, as
// nlme::gls(correlation = corAR1(), method = "ML") for equally spaced months.
//
// Model: y = X b + u, Cov(u) = sigma^2 R(phi), R_ij = phi^|i - j|. For a given phi the
// Prais-Winsten transform L (first row sqrt(1 - phi^2), then u_t - phi u_{t-1}) whitens the
// errors, L R L' = (1 - phi^2) I, so b(phi) is least squares of L y on L X (QR, as
// least_squares) and the likelihood concentrated over b and sigma is
//   l(phi) = -n/2 (log(2 pi) + 1 + log(RSS*(phi) / n)) + log(1 - phi^2) / 2,
// RSS* the transformed residual sum of squares. phi maximizes l on (-1, 1) (Brent's method);
// sigma^2 = RSS* / (n (1 - phi^2)) (ML, denominator n) is the marginal error variance, as
// nlme reports it. Cov(b) = RSS* / (n - p) (X*'X*)^-1: nlme's vcov() of an ML fit scales the
// ML variance by n / (n - p), so it is the transformed least-squares fit's classical covariance.
// Rows are consecutive months (the caller ensures no gaps; a gap would need phi^gap).
#pragma once

#include <Eigen/Core>
#include <boost/math/tools/minima.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/linalg/least_squares.hpp"

namespace pilotstats {

struct gls_ar1_fit {
  least_squares_fit transformed;  // the fit of L y on L X at phi; covariance(transformed, classical) is vcov(gls)
  Eigen::VectorXd coefficients;   // over transformed.kept
  Eigen::VectorXd residuals;      // y - X b (untransformed)
  double phi = 0;
  double sigma = 0;               // marginal error SD (ML)
  double log_likelihood = 0;
  double aic = 0;                 // -2 l + 2 (rank + 2): b, sigma and phi
  std::vector<std::string> warnings;
};

namespace detail {

inline void prais_winsten(const Eigen::Ref<const Eigen::MatrixXd>& a, double phi, Eigen::MatrixXd& out) {
  out.resize(a.rows(), a.cols());
  out.row(0) = std::sqrt(1 - phi * phi) * a.row(0);
  out.bottomRows(a.rows() - 1) = a.bottomRows(a.rows() - 1) - phi * a.topRows(a.rows() - 1);
}

}  // namespace detail

// The log-likelihood concentrated over b and sigma at a given phi (nlme's logLik with phi fixed).
inline double gls_ar1_log_likelihood(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::VectorXd>& y,
                                     double phi) {
  if (!(std::abs(phi) < 1)) throw invalid_input("gls_ar1: phi is " + std::to_string(phi) + ", but must be in (-1, 1)");
  Eigen::MatrixXd xs, ys;
  detail::prais_winsten(x, phi, xs);
  detail::prais_winsten(y, phi, ys);
  const double n = static_cast<double>(x.rows());
  const double rss = least_squares(xs, ys.col(0), {.refinement_steps = 0}).rss;
  return -n / 2 * (std::log(2 * M_PI) + 1 + std::log(rss / n)) + 0.5 * std::log(1 - phi * phi);
}

inline gls_ar1_fit fit_gls_ar1(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::VectorXd>& y,
                               const std::vector<std::string>& names = {}) {
  const Eigen::Index n = x.rows();
  if (y.size() != n) throw invalid_input("gls_ar1: y has " + std::to_string(y.size()) + " rows but X has " + std::to_string(n));
  if (n < x.cols() + 3) throw invalid_input("gls_ar1: needs at least " + std::to_string(x.cols() + 3) + " rows");
  const double nd = static_cast<double>(n);
  Eigen::MatrixXd xs, ys;
  auto profile = [&](double phi) { return gls_ar1_log_likelihood(x, y, phi); };
  const double bound = 1 - 1e-9;
  const auto best = boost::math::tools::brent_find_minima([&](double phi) { return -profile(phi); }, -bound, bound,
                                                          std::numeric_limits<double>::digits / 2 + 8);
  gls_ar1_fit out;
  out.phi = best.first;
  out.log_likelihood = -best.second;
  detail::prais_winsten(x, out.phi, xs);
  detail::prais_winsten(y, out.phi, ys);
  out.transformed = least_squares(xs, ys.col(0), {.names = names});
  out.coefficients = out.transformed.coefficients;
  out.residuals = y - x(Eigen::all, out.transformed.kept) * out.coefficients;
  out.sigma = std::sqrt(out.transformed.rss / (nd * (1 - out.phi * out.phi)));
  out.aic = -2 * out.log_likelihood + 2 * static_cast<double>(out.transformed.rank + 2);
  if (std::abs(out.phi) > 0.99)
    out.warnings.push_back("gls_ar1: phi = " + std::to_string(out.phi) + " is at the edge of stationarity");
  return out;
}

}  // namespace pilotstats
