// pilotstats/linalg/least_squares.hpp: ordinary and weighted least squares.
//
// Method: Householder QR of sqrt(W) X with R's rank rule (see householder_qr.hpp); never the
// normal equations. Matches R's `lm` / `lm.wfit`:
//   - aliased columns (rank deficiency) are reported by name and left out of the estimates,
//     as R prints NA for them; the fit is the fit on the remaining columns;
//   - weights are case weights in the sense of `lm(weights = w)`: rows with weight 0 are kept
//     in the residuals and fitted values but do not count in n or the degrees of freedom;
//   - residuals are y - fitted (unweighted); sigma, R² and F use the weighted residuals;
//   - R² is centred (about the weighted mean) when the model has an intercept and uncentred
//     otherwise, as `summary.lm`; an intercept is a kept column that is constant and nonzero
//     over the rows with positive weight, unless `has_intercept` says otherwise
//     (the statsmodels rule; R knows it from the formula).
// Residuals come from the QR (y - Q Q'y), which keeps the digits that y - X b loses on
// ill-conditioned designs. The solution is then refined (Björck 1967:
// iterative refinement of the augmented system [I A; A' 0][e; b] = [y; 0] with its residuals
// accumulated in long double), which removes the cond(X)² error term of large-residual
// problems: without it NIST's Wampler 4-5 reach only 6-8 correct digits, with it all eleven
// NIST StRD sets reach 9 or more (Filip 7+).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/linalg/householder_qr.hpp"

namespace pilotstats {

struct least_squares_options {
  std::vector<std::string> names;      // one per column; empty: x1, x2, ...
  Eigen::VectorXd weights;             // empty: unweighted; else one nonnegative weight per row
  double tolerance = 1e-10;            // rank rule, see householder_qr.hpp (R: 1e-7)
  std::optional<bool> has_intercept;   // empty: detect a constant column
  int refinement_steps = 2;            // at most this many refinement steps, taken when needed; 0: off

  void validate(Eigen::Index rows, Eigen::Index cols) const {
    if (!names.empty() && static_cast<Eigen::Index>(names.size()) != cols)
      throw invalid_input("least_squares: " + std::to_string(names.size()) +
                          " names given for " + std::to_string(cols) + " columns");
    if (weights.size() != 0 && weights.size() != rows)
      throw invalid_input("least_squares: " + std::to_string(weights.size()) +
                          " weights given for " + std::to_string(rows) + " rows");
    for (Eigen::Index i = 0; i < weights.size(); ++i)
      if (!std::isfinite(weights(i)) || weights(i) < 0)
        throw invalid_input("least_squares: weight of row " + std::to_string(i + 1) + " is " +
                            std::to_string(weights(i)) + ", but must be finite and nonnegative");
    if (refinement_steps < 0)
      throw invalid_input("least_squares: refinement_steps is " + std::to_string(refinement_steps) +
                          ", but must be nonnegative");
    if (!(tolerance > 0 && tolerance < 1))
      throw invalid_input("least_squares: tolerance is " + std::to_string(tolerance) +
                          ", but must be in (0, 1)");
  }
};

struct least_squares_fit {
  // Terms.
  std::vector<std::string> names;      // every column, in the given order
  std::vector<Eigen::Index> kept;      // indices of the estimable columns, increasing
  std::vector<std::string> aliased;    // names of the columns R would report as NA
  Eigen::VectorXd coefficients;        // one per kept column, in the order of `kept`

  // Observations (all rows, in the given order).
  Eigen::VectorXd fitted;
  Eigen::VectorXd residuals;           // y - fitted
  Eigen::VectorXd sqrt_weights;        // all ones when unweighted
  Eigen::VectorXd hat;                 // leverages of sqrt(W) X; 0 for zero-weight rows

  // The factorization of sqrt(W) X[:, kept] = Q R, which every covariance estimator uses.
  Eigen::MatrixXd q;                   // n_rows x rank, orthonormal columns
  Eigen::MatrixXd r;                   // rank x rank, upper triangular: sqrt(W) X[:, kept] = Q R
  Eigen::MatrixXd r_inverse;           // R^-1, upper triangular
  Eigen::MatrixXd unscaled_covariance; // (X' W X)^-1 over kept = R^-1 R^-T (R's cov.unscaled)
  double condition_number = 1;         // Frobenius-norm condition number of R, columns scaled to 1

  // Model statistics as summary.lm reports them.
  Eigen::Index n = 0;                  // rows with positive weight
  Eigen::Index rank = 0;
  Eigen::Index df_residual = 0;        // n - rank
  bool has_intercept = false;
  std::optional<Eigen::Index> intercept; // position among the kept coefficients of the constant column
  double rss = 0;                      // weighted residual sum of squares
  double sigma = 0;                    // sqrt(rss / df_residual); NaN-free: 0 df gives 0 and a warning
  double r_squared = 0;
  double adj_r_squared = 0;
  std::optional<double> f_statistic;   // empty when the model has no term besides the intercept
  double f_df_numerator = 0;
  double f_df_denominator = 0;
  std::vector<std::string> warnings;

  // Residuals on the weighted scale, sqrt(w) (y - fitted): what the sandwich estimators use.
  Eigen::VectorXd weighted_residuals() const { return sqrt_weights.cwiseProduct(residuals); }
  // Names of the kept terms, in coefficient order.
  std::vector<std::string> kept_names() const {
    std::vector<std::string> out;
    for (auto j : kept) out.push_back(names[static_cast<std::size_t>(j)]);
    return out;
  }
};

namespace detail {

inline void require_finite(const Eigen::Ref<const Eigen::MatrixXd>& m, const char* what) {
  if (m.allFinite()) return;
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i)
      if (!std::isfinite(m(i, j)))
        throw invalid_input(std::string("least_squares: ") + what + " has a non-finite value (" +
                            std::to_string(m(i, j)) + ") at row " + std::to_string(i + 1) +
                            (m.cols() > 1 ? ", column " + std::to_string(j + 1) : std::string()));
}

// The Frobenius-norm condition number of R with its columns scaled to norm 1 (the condition
// that governs Householder least squares, which is invariant to column scaling):
// ||R D^-1|| ||D R^-1||, D the column norms, from the R^-1 already at hand.
inline double scaled_condition_number(const Eigen::MatrixXd& r, const Eigen::MatrixXd& r_inverse) {
  if (r.rows() == 0) return 1;
  const Eigen::VectorXd column_norms = r.colwise().norm().transpose();
  return (r * column_norms.cwiseInverse().asDiagonal()).norm() * (column_norms.asDiagonal() * r_inverse).norm();
}

inline bool is_constant_nonzero(const Eigen::Ref<const Eigen::VectorXd>& column,
                                const Eigen::VectorXd& sqrt_weights) {
  std::optional<double> value;
  for (Eigen::Index i = 0; i < column.size(); ++i) {
    if (sqrt_weights(i) == 0) continue;
    if (!value) value = column(i);
    else if (column(i) != *value) return false;
  }
  return value && *value != 0;
}

// One or more steps of iterative refinement for min ||y - A b|| given A = Q R (thin Q):
// with f = y - e - A b and g = -A' e computed in long double, the correction solves
// [I A; A' 0][de; db] = [f; g]: db = R^-1 (Q'f - R^-T g), de = f - Q (Q'f - R^-T g).
inline void refine_least_squares(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::VectorXd& y,
                                 const Eigen::MatrixXd& q, const Eigen::MatrixXd& r, int steps,
                                 Eigen::VectorXd& b, Eigen::VectorXd& e) {
  const Eigen::Index n = a.rows();
  const Eigen::Index k = a.cols();
  std::vector<long double> f_long(static_cast<std::size_t>(n));
  Eigen::VectorXd f(n), g(k);
  for (int step = 0; step < steps; ++step) {
    // Column by column: the design is column-major.
    for (Eigen::Index i = 0; i < n; ++i) f_long[static_cast<std::size_t>(i)] = static_cast<long double>(y(i)) - e(i);
    for (Eigen::Index j = 0; j < k; ++j) {
      const double* column = a.col(j).data();
      const long double bj = b(j);
      long double gj = 0.0L;
      for (Eigen::Index i = 0; i < n; ++i) {
        f_long[static_cast<std::size_t>(i)] -= column[i] * bj;
        gj -= static_cast<long double>(column[i]) * e(i);
      }
      g(j) = static_cast<double>(gj);
    }
    for (Eigen::Index i = 0; i < n; ++i) f(i) = static_cast<double>(f_long[static_cast<std::size_t>(i)]);
    const Eigen::VectorXd h = r.transpose().triangularView<Eigen::Lower>().solve(g);
    const Eigen::VectorXd c = q.transpose() * f - h;
    const Eigen::VectorXd db = r.triangularView<Eigen::Upper>().solve(c);
    b += db;
    e += f - q * c;
    if (db.norm() <= 1e-17 * b.norm()) break;
  }
}

}  // namespace detail

// Fits y = X b by (weighted) least squares. Throws invalid_input on mismatched sizes,
// non-finite data or bad weights; rank deficiency is a result, not an error.
inline least_squares_fit least_squares(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                       const Eigen::Ref<const Eigen::VectorXd>& y,
                                       const least_squares_options& options = {}) {
  const Eigen::Index rows = x.rows();
  const Eigen::Index cols = x.cols();
  if (y.size() != rows)
    throw invalid_input("least_squares: y has " + std::to_string(y.size()) +
                        " rows but X has " + std::to_string(rows));
  if (rows == 0 || cols == 0) throw invalid_input("least_squares: X is empty");
  options.validate(rows, cols);
  detail::require_finite(x, "X");
  detail::require_finite(y, "y");

  least_squares_fit fit;
  fit.names = options.names;
  if (fit.names.empty())
    for (Eigen::Index j = 0; j < cols; ++j) fit.names.push_back("x" + std::to_string(j + 1));
  fit.sqrt_weights = options.weights.size() ? Eigen::VectorXd(options.weights.cwiseSqrt())
                                            : Eigen::VectorXd::Ones(rows);
  fit.n = (fit.sqrt_weights.array() > 0).count();
  if (fit.n == 0) throw invalid_input("least_squares: every weight is zero");

  // sqrt(W) X, without a copy when unweighted.
  const bool weighted = options.weights.size() != 0;
  Eigen::MatrixXd weighted_x;
  if (weighted) weighted_x = fit.sqrt_weights.asDiagonal() * x;
  const Eigen::Ref<const Eigen::MatrixXd> xw = weighted ? Eigen::Ref<const Eigen::MatrixXd>(weighted_x) : x;
  const Eigen::VectorXd yw = fit.sqrt_weights.cwiseProduct(y);
  householder_qr qr = factorize_householder_qr(xw, yw, options.tolerance);
  // Q = X R^-1 (below) loses orthogonality in proportion to the column-scaled condition number
  // of R; past 1e5 (a loss above ~1e-11) Q comes from the reflectors instead.
  const auto invert_r = [&] {
    fit.r_inverse = Eigen::MatrixXd::Identity(qr.rank, qr.rank);
    qr.r.triangularView<Eigen::Upper>().solveInPlace(fit.r_inverse);
  };
  invert_r();
  const double kappa = detail::scaled_condition_number(qr.r, fit.r_inverse);
  if (kappa > 1e5) {
    qr = factorize_householder_qr(xw, yw, options.tolerance, true);
    invert_r();
  }
  fit.condition_number = kappa;
  fit.rank = qr.rank;

  // Only aliased columns move (to the end), so the kept ones are in increasing order and
  // the packed R needs no permutation.
  for (Eigen::Index j = 0; j < qr.rank; ++j) fit.kept.push_back(qr.order[static_cast<std::size_t>(j)]);
  for (Eigen::Index j = qr.rank; j < cols; ++j)
    fit.aliased.push_back(fit.names[static_cast<std::size_t>(qr.order[static_cast<std::size_t>(j)])]);
  if (!fit.aliased.empty()) {
    std::string list;
    for (const auto& a : fit.aliased) list += (list.empty() ? "" : ", ") + a;
    fit.warnings.push_back(std::to_string(fit.aliased.size()) +
                           " coefficient(s) not defined because of singularities: " + list);
  }

  fit.r = qr.r;
  fit.coefficients = fit.r.triangularView<Eigen::Upper>().solve(qr.qty);
  fit.unscaled_covariance = fit.r_inverse * fit.r_inverse.transpose();

  // Q = sqrt(W) X R^-1; its loss of orthogonality is about
  // kappa * eps with kappa the column-scaled condition number (Higham 2002, ch. 8), which is
  // what the leverages and sandwiches can bear, and what the refinement below contracts by.
  Eigen::MatrixXd kept_x;
  if (qr.rank < cols) kept_x = xw(Eigen::all, fit.kept);
  const Eigen::Ref<const Eigen::MatrixXd> a = qr.rank < cols ? Eigen::Ref<const Eigen::MatrixXd>(kept_x) : xw;
  if (qr.q.size() != 0) {
    fit.q = std::move(qr.q);
  } else {
    // Q = X R^-1 as one matrix product (R^-1 is at hand); the rank-revealing factorization
    // forms Q from the reflectors instead when R is ill-conditioned (see above).
    fit.q.noalias() = a * fit.r_inverse.triangularView<Eigen::Upper>();
  }
  fit.hat = fit.q.rowwise().squaredNorm();
  Eigen::VectorXd weighted_residuals = yw - a * fit.coefficients;

  // Refine when the first-order error bound of least squares, eps (kappa + kappa^2 |e| / |X b|)
  // (Golub & Van Loan 2013, 5.3.7), exceeds 1e-13: ill-conditioned or large-residual problems.
  if (options.refinement_steps > 0 && qr.rank > 0) {
    const double fitted_norm = (yw - weighted_residuals).norm();
    const double eps = std::numeric_limits<double>::epsilon();
    if (eps * (kappa + kappa * kappa * weighted_residuals.norm() / std::max(fitted_norm, 1e-300)) > 1e-13)
      detail::refine_least_squares(a, yw, fit.q, fit.r, options.refinement_steps, fit.coefficients,
                                   weighted_residuals);
  }
  fit.rss = weighted_residuals.squaredNorm();
  if (weighted) {
    // Zero-weight rows are not in the fit: their residual is y - x b, computed directly.
    fit.residuals = weighted_residuals.cwiseQuotient(fit.sqrt_weights);
    const Eigen::VectorXd x_b = x(Eigen::all, fit.kept) * fit.coefficients;
    for (Eigen::Index i = 0; i < rows; ++i)
      if (fit.sqrt_weights(i) == 0) fit.residuals(i) = y(i) - x_b(i);
  } else {
    fit.residuals = weighted_residuals;
  }
  fit.fitted = y - fit.residuals;

  for (std::size_t j = 0; j < fit.kept.size() && !fit.intercept; ++j)
    if (detail::is_constant_nonzero(x.col(fit.kept[j]), fit.sqrt_weights)) fit.intercept = static_cast<Eigen::Index>(j);
  fit.has_intercept = options.has_intercept.value_or(fit.intercept.has_value());

  fit.df_residual = fit.n - fit.rank;
  const int intercept_terms = fit.has_intercept ? 1 : 0;
  double tss = 0;
  const double weight_sum = fit.sqrt_weights.squaredNorm();
  const double weighted_mean = fit.sqrt_weights.squaredNorm() > 0
                                   ? fit.sqrt_weights.cwiseProduct(yw).sum() / weight_sum
                                   : 0.0;
  for (Eigen::Index i = 0; i < rows; ++i) {
    const double centred = fit.has_intercept ? y(i) - weighted_mean : y(i);
    tss += fit.sqrt_weights(i) * fit.sqrt_weights(i) * centred * centred;
  }
  if (fit.df_residual > 0) {
    fit.sigma = std::sqrt(fit.rss / static_cast<double>(fit.df_residual));
  } else {
    fit.warnings.push_back("no residual degrees of freedom: sigma, standard errors and tests are undefined");
  }
  if (tss > 0) {
    fit.r_squared = 1.0 - fit.rss / tss;
    if (fit.df_residual > 0)
      fit.adj_r_squared = 1.0 - (1.0 - fit.r_squared) *
                                    static_cast<double>(fit.n - intercept_terms) /
                                    static_cast<double>(fit.df_residual);
  }
  const Eigen::Index model_df = fit.rank - intercept_terms;
  if (model_df > 0 && fit.df_residual > 0 && fit.rss > 0) {
    fit.f_df_numerator = static_cast<double>(model_df);
    fit.f_df_denominator = static_cast<double>(fit.df_residual);
    fit.f_statistic = ((tss - fit.rss) / fit.f_df_numerator) / (fit.rss / fit.f_df_denominator);
  }
  return fit;
}

}  // namespace pilotstats
