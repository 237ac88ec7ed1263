// pilotstats/inference/covariance.hpp: covariance estimators for a least-squares fit.
//
// Every estimator is a sandwich (X'WX)^-1 B (X'WX)^-1 computed in the basis of the fit's QR
// (sqrt(W) X = Q R), as R^-1 S R^-T with S built from the rows of Q and the weighted
// residuals e; this keeps the digits on ill-conditioned designs. Conventions and the
// reference each matches (checked in tests/inference against tests/reference/*.R):
//
//   classical  sigma^2 (X'WX)^-1                                       R vcov(lm)
//   HC0..HC3   e_i^2 scaled by 1, n/(n-k), 1/(1-h_i), 1/(1-h_i)^2      sandwich::vcovHC(type)
//   HAC        Newey-West, Bartlett kernel with weights 1 - j/(L+1), no prewhitening,
//              optional n/(n-k) adjustment            sandwich::NeweyWest(lag, prewhite = FALSE, adjust)
//              automatic lag: floor of the Newey-West (1994) plug-in bandwidth
//                                                     sandwich::bwNeweyWest(prewhite = FALSE)
//              or the rule of thumb floor(4 (n/100)^(2/9)).
//   CR0        sum over clusters of (X_g' e_g)(X_g' e_g)', times G/(G-1)
//                                                     sandwich::vcovCL(type = "HC0")
//   CR1        times G/(G-1) (n-1)/(n-k): Stata's and fixest's small-sample factor
//                                                     sandwich::vcovCL(type = "HC1"), clubSandwich "CR1S"
//   CR2        Bell-McCaffrey: residuals of cluster g premultiplied by A_g = (I - H_gg)^(-1/2)
//              (symmetric root; pseudo-inverse root where I - H_gg is singular), working
//              model the identity                     clubSandwich::vcovCR(type = "CR2")
//
// Reference distributions (per coefficient, in `df`): t(n - k) for classical, HC and HAC
// (as lmtest::coeftest on an lm); t(G - 1) for CR0 and CR1 (Stata, fixest); for CR2 the
// Satterthwaite degrees of freedom of Bell & McCaffrey (2002) / Pustejovsky & Tipton (2018),
// as clubSandwich::coef_test(test = "Satterthwaite").
#pragma once

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/linalg/least_squares.hpp"

namespace pilotstats {

struct classical_covariance {};

enum class hc_type { hc0, hc1, hc2, hc3 };
struct hc_covariance {
  hc_type type = hc_type::hc3;
};

enum class hac_lag_rule {
  newey_west_1994,  // floor of sandwich::bwNeweyWest(kernel = "Bartlett", prewhite = FALSE)
  rule_of_thumb,    // floor(4 (n / 100)^(2/9))
};
struct hac_covariance {
  std::optional<int> lag;                  // empty: chosen by `lag_rule`
  hac_lag_rule lag_rule = hac_lag_rule::newey_west_1994;
  bool adjust = true;                      // multiply by n / (n - k), as sandwich's default
};

enum class cr_type { cr0, cr1, cr2 };
struct cluster_covariance {
  std::vector<std::size_t> cluster;        // one cluster code per row of the fit
  cr_type type = cr_type::cr1;
};

using covariance_spec =
    std::variant<classical_covariance, hc_covariance, hac_covariance, cluster_covariance>;

struct covariance_result {
  Eigen::MatrixXd matrix;        // over the fit's kept coefficients
  Eigen::VectorXd df;            // reference degrees of freedom per coefficient (inf: normal)
  std::string kind;              // "HC3", "HAC (Newey-West, lag 3)", "CR2", ...
  std::string reference;         // the R call it matches
  int lag = -1;                  // HAC only
  double bandwidth = 0;          // HAC with the automatic rule: the real-valued bandwidth
  std::size_t clusters = 0;      // cluster estimators only
  std::vector<std::string> warnings;
};

// Below this many clusters a cluster covariance carries a warning (see compute()).
inline constexpr std::size_t few_clusters_threshold = 20;

namespace detail {

inline Eigen::MatrixXd r_inverse(const least_squares_fit& fit) {
  Eigen::MatrixXd inverse = Eigen::MatrixXd::Identity(fit.rank, fit.rank);
  fit.r.triangularView<Eigen::Upper>().solveInPlace(inverse);
  return inverse;
}

// R^-1 S R^-T, symmetrized against rounding.
inline Eigen::MatrixXd sandwich_from_q_meat(const least_squares_fit& fit, const Eigen::MatrixXd& s) {
  const Eigen::MatrixXd ri = r_inverse(fit);
  Eigen::MatrixXd v = ri * s * ri.transpose();
  return (v + v.transpose()) / 2;
}

inline void require_residual_df(const least_squares_fit& fit, const char* estimator) {
  if (fit.df_residual <= 0)
    throw domain_error(std::string(estimator) +
                       ": the fit has no residual degrees of freedom (n = " + std::to_string(fit.n) +
                       ", rank = " + std::to_string(fit.rank) + ")");
}

inline Eigen::VectorXd constant_df(const least_squares_fit& fit, double df) {
  return Eigen::VectorXd::Constant(fit.rank, df);
}

// Rows of the fit whose weight is positive: the observations that carry information.
inline std::vector<Eigen::Index> informative_rows(const least_squares_fit& fit) {
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < fit.sqrt_weights.size(); ++i)
    if (fit.sqrt_weights(i) > 0) rows.push_back(i);
  return rows;
}

// --- classical and HC ----------------------------------------------------------------------

inline covariance_result compute(const least_squares_fit& fit, const classical_covariance&) {
  require_residual_df(fit, "classical covariance");
  covariance_result out;
  out.matrix = fit.sigma * fit.sigma * fit.unscaled_covariance;
  out.df = constant_df(fit, static_cast<double>(fit.df_residual));
  out.kind = "classical";
  out.reference = "vcov(lm)";
  return out;
}

inline covariance_result compute(const least_squares_fit& fit, const hc_covariance& spec) {
  require_residual_df(fit, "HC covariance");
  const Eigen::VectorXd e = fit.weighted_residuals();
  const double n = static_cast<double>(fit.n);
  const double k = static_cast<double>(fit.rank);
  Eigen::VectorXd omega = e.array().square();
  static const char* names[] = {"HC0", "HC1", "HC2", "HC3"};
  covariance_result out;
  for (Eigen::Index i = 0; i < omega.size(); ++i) {
    if (fit.sqrt_weights(i) == 0) continue;
    const double one_minus_h = 1.0 - fit.hat(i);
    switch (spec.type) {
      case hc_type::hc0: break;
      case hc_type::hc1: omega(i) *= n / (n - k); break;
      case hc_type::hc2:
      case hc_type::hc3:
        if (one_minus_h <= 1e-10) {
          // sandwich divides by zero here and returns NaN/Inf; we drop the row's contribution
          // (its residual is 0 up to rounding) and say so.
          omega(i) = 0;
          out.warnings.push_back("observation " + std::to_string(i + 1) +
                                 " has leverage 1: its term is left out of the " +
                                 names[static_cast<int>(spec.type)] + " estimate");
        } else {
          omega(i) /= spec.type == hc_type::hc2 ? one_minus_h : one_minus_h * one_minus_h;
        }
        break;
    }
  }
  const Eigen::MatrixXd s = fit.q.transpose() * omega.asDiagonal() * fit.q;
  out.matrix = sandwich_from_q_meat(fit, s);
  out.df = constant_df(fit, static_cast<double>(fit.df_residual));
  out.kind = names[static_cast<int>(spec.type)];
  out.reference = std::string("sandwich::vcovHC(type = \"") + out.kind + "\")";
  return out;
}

// --- HAC -----------------------------------------------------------------------------------

// The Newey-West (1994) plug-in bandwidth for the Bartlett kernel without prewhitening, as
// sandwich::bwNeweyWest: scores x_t e_t summed over the columns with weight 1 for every
// column but the intercept (weight 0), autocovariances up to m = floor(4 (n/100)^(2/9)),
// bandwidth = 1.1447 ((s1 / s0)^2)^(1/3) n^(1/3).
inline double newey_west_bandwidth(const least_squares_fit& fit) {
  const std::vector<Eigen::Index> rows = informative_rows(fit);
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
  // Scores in the original basis: x_t e_t = R' q_t e_t.
  const Eigen::VectorXd e = fit.weighted_residuals();
  Eigen::VectorXd column_weights = Eigen::VectorXd::Ones(fit.rank);
  if (fit.has_intercept && fit.rank > 1) {
    // The intercept column is the constant one among the kept columns: in the QR basis it is
    // the column of R whose X column is constant. Find it from X = Q R.
    const Eigen::MatrixXd x = fit.q * fit.r;
    for (Eigen::Index j = 0; j < fit.rank; ++j) {
      Eigen::VectorXd c(n);
      for (Eigen::Index t = 0; t < n; ++t) c(t) = x(rows[static_cast<std::size_t>(t)], j) /
                                                 fit.sqrt_weights(rows[static_cast<std::size_t>(t)]);
      if ((c.array() - c(0)).abs().maxCoeff() <= 1e-12 * std::max(1.0, std::abs(c(0)))) {
        column_weights(j) = 0;
        break;
      }
    }
  }
  const Eigen::VectorXd r_w = fit.r * column_weights;  // sum_j w_j x_tj = q_t' R w
  Eigen::VectorXd u(n);
  for (Eigen::Index t = 0; t < n; ++t) {
    const Eigen::Index i = rows[static_cast<std::size_t>(t)];
    u(t) = e(i) * fit.q.row(i).dot(r_w);
  }
  const double nd = static_cast<double>(n);
  const int m = static_cast<int>(std::floor(4.0 * std::pow(nd / 100.0, 2.0 / 9.0)));
  std::vector<double> sigma(static_cast<std::size_t>(m) + 1);
  for (int j = 0; j <= m; ++j)
    sigma[static_cast<std::size_t>(j)] =
        (j < n ? u.head(n - j).dot(u.tail(n - j)) : 0.0) / nd;
  double s0 = sigma[0];
  double s1 = 0;
  for (int j = 1; j <= m; ++j) {
    s0 += 2 * sigma[static_cast<std::size_t>(j)];
    s1 += 2 * j * sigma[static_cast<std::size_t>(j)];
  }
  if (s0 == 0) return 0.0;
  return 1.1447 * std::pow((s1 / s0) * (s1 / s0), 1.0 / 3.0) * std::pow(nd, 1.0 / 3.0);
}

inline covariance_result compute(const least_squares_fit& fit, const hac_covariance& spec) {
  require_residual_df(fit, "HAC covariance");
  covariance_result out;
  const std::vector<Eigen::Index> rows = informative_rows(fit);
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
  int lag = 0;
  if (spec.lag) {
    if (*spec.lag < 0)
      throw invalid_input("HAC covariance: lag is " + std::to_string(*spec.lag) +
                          ", but must be nonnegative");
    lag = *spec.lag;
  } else if (spec.lag_rule == hac_lag_rule::rule_of_thumb) {
    lag = static_cast<int>(std::floor(4.0 * std::pow(static_cast<double>(n) / 100.0, 2.0 / 9.0)));
  } else {
    out.bandwidth = newey_west_bandwidth(fit);
    lag = static_cast<int>(std::floor(out.bandwidth));
  }
  if (lag >= n) {
    out.warnings.push_back("HAC lag " + std::to_string(lag) + " is not below n = " +
                           std::to_string(n) + "; using " + std::to_string(n - 1));
    lag = static_cast<int>(n - 1);
  }
  // u_t = q_t e_t over the informative rows in their order (the time order).
  const Eigen::VectorXd e = fit.weighted_residuals();
  Eigen::MatrixXd u(n, fit.rank);
  for (Eigen::Index t = 0; t < n; ++t) {
    const Eigen::Index i = rows[static_cast<std::size_t>(t)];
    u.row(t) = fit.q.row(i) * e(i);
  }
  Eigen::MatrixXd s = u.transpose() * u;
  for (int j = 1; j <= lag; ++j) {
    const double w = 1.0 - static_cast<double>(j) / static_cast<double>(lag + 1);
    const Eigen::MatrixXd gamma = u.topRows(n - j).transpose() * u.bottomRows(n - j);
    s += w * (gamma + gamma.transpose());
  }
  if (spec.adjust) s *= static_cast<double>(n) / static_cast<double>(n - fit.rank);
  out.matrix = sandwich_from_q_meat(fit, s);
  out.df = constant_df(fit, static_cast<double>(fit.df_residual));
  out.lag = lag;
  out.kind = "HAC (Newey-West, Bartlett, lag " + std::to_string(lag) + ")";
  out.reference = "sandwich::NeweyWest(lag = " + std::to_string(lag) +
                  ", prewhite = FALSE, adjust = " + (spec.adjust ? "TRUE" : "FALSE") + ")";
  return out;
}

// --- cluster-robust ------------------------------------------------------------------------

struct cluster_index {
  std::vector<std::vector<Eigen::Index>> rows;  // informative rows of each cluster
};

inline cluster_index group_rows(const least_squares_fit& fit, const std::vector<std::size_t>& cluster) {
  if (static_cast<Eigen::Index>(cluster.size()) != fit.residuals.size())
    throw invalid_input("cluster covariance: " + std::to_string(cluster.size()) +
                        " cluster codes given for " + std::to_string(fit.residuals.size()) + " rows");
  std::vector<std::size_t> codes(cluster);
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  cluster_index index;
  index.rows.resize(codes.size());
  for (Eigen::Index i = 0; i < fit.residuals.size(); ++i) {
    if (fit.sqrt_weights(i) == 0) continue;
    const auto g = std::lower_bound(codes.begin(), codes.end(), cluster[static_cast<std::size_t>(i)]) - codes.begin();
    index.rows[static_cast<std::size_t>(g)].push_back(i);
  }
  std::erase_if(index.rows, [](const auto& r) { return r.empty(); });
  return index;
}

inline Eigen::MatrixXd gather_rows(const Eigen::MatrixXd& m, const std::vector<Eigen::Index>& rows) {
  return m(rows, Eigen::all);
}

// A_g = (I - Q_g Q_g')^(-1/2), the symmetric inverse square root; eigenvalues of I - H_gg
// below `singular_tolerance` are treated as zero (pseudo-inverse root). Computed through the
// smaller of Q_g Q_g' (n_g x n_g) and Q_g' Q_g (k x k).
inline Eigen::MatrixXd cr2_adjustment(const Eigen::MatrixXd& qg, double singular_tolerance,
                                      bool& singular) {
  const Eigen::Index ng = qg.rows();
  auto root = [&](double one_minus_lambda) {
    if (one_minus_lambda < singular_tolerance) {
      singular = true;
      return 0.0;
    }
    return 1.0 / std::sqrt(one_minus_lambda);
  };
  if (ng <= qg.cols()) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(Eigen::MatrixXd::Identity(ng, ng) - qg * qg.transpose());
    Eigen::VectorXd d(ng);
    for (Eigen::Index i = 0; i < ng; ++i) d(i) = root(eig.eigenvalues()(i));
    return eig.eigenvectors() * d.asDiagonal() * eig.eigenvectors().transpose();
  }
  // Q_g Q_g' = U diag(lambda) U' with U = Q_g V diag(lambda^-1/2) over lambda > 0; on the
  // complement of U, I - H_gg is the identity.
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(qg.transpose() * qg);
  Eigen::MatrixXd a = Eigen::MatrixXd::Identity(ng, ng);
  for (Eigen::Index i = 0; i < qg.cols(); ++i) {
    const double lambda = eig.eigenvalues()(i);
    if (lambda <= 1e-14) continue;
    const Eigen::VectorXd ui = qg * eig.eigenvectors().col(i) / std::sqrt(lambda);
    a += (root(1.0 - lambda) - 1.0) * ui * ui.transpose();
  }
  return a;
}

inline covariance_result compute(const least_squares_fit& fit, const cluster_covariance& spec) {
  const cluster_index index = group_rows(fit, spec.cluster);
  const std::size_t clusters = index.rows.size();
  covariance_result out;
  out.clusters = clusters;
  if (clusters < 2)
    throw domain_error("cluster covariance: needs at least 2 clusters with observations, found " +
                       std::to_string(clusters));
  const double g = static_cast<double>(clusters);
  const double n = static_cast<double>(fit.n);
  const double k = static_cast<double>(fit.rank);
  const Eigen::VectorXd e = fit.weighted_residuals();

  Eigen::MatrixXd s = Eigen::MatrixXd::Zero(fit.rank, fit.rank);
  if (spec.type != cr_type::cr2) {
    for (const auto& rows : index.rows) {
      const Eigen::VectorXd z = gather_rows(fit.q, rows).transpose() * e(rows);
      s.noalias() += z * z.transpose();
    }
    s *= g / (g - 1);
    if (spec.type == cr_type::cr1) {
      require_residual_df(fit, "CR1 covariance");
      s *= (n - 1) / (n - k);
    }
    out.matrix = sandwich_from_q_meat(fit, s);
    out.df = constant_df(fit, g - 1);
    out.kind = spec.type == cr_type::cr1 ? "CR1" : "CR0";
    out.reference = spec.type == cr_type::cr1
                        ? "sandwich::vcovCL(type = \"HC1\"); clubSandwich \"CR1S\""
                        : "sandwich::vcovCL(type = \"HC0\")";
  } else {
    // CR2 and, for each coefficient c = e_j, the Satterthwaite degrees of freedom
    // (sum_g p_g'p_g)^2 / sum_{g,h} (p_g'p_h)^2 with p_g = (I - H)_g' A_g X_g M c. With
    // v_g = A_g Q_g d (d = R^-T c) and w_g = Q_g' v_g, p_g'p_h = [g = h] v_g'v_g - w_g'w_h.
    const Eigen::MatrixXd d = r_inverse(fit).transpose();  // column j: R^-T e_j
    const Eigen::Index k_int = fit.rank;
    Eigen::VectorXd trace(k_int), diagonal(k_int), fourth(k_int);
    trace.setZero(); diagonal.setZero(); fourth.setZero();
    std::vector<Eigen::MatrixXd> gram_sum(static_cast<std::size_t>(k_int), Eigen::MatrixXd::Zero(k_int, k_int));
    bool singular = false;
    for (const auto& rows : index.rows) {
      const Eigen::MatrixXd qg = gather_rows(fit.q, rows);
      const Eigen::MatrixXd a = cr2_adjustment(qg, 1e-12, singular);
      const Eigen::VectorXd z = qg.transpose() * (a * e(rows));
      s.noalias() += z * z.transpose();
      const Eigen::MatrixXd v = a * (qg * d);          // n_g x k: column j is v_g for coef j
      const Eigen::MatrixXd w = qg.transpose() * v;    // k x k: column j is w_g for coef j
      for (Eigen::Index j = 0; j < k_int; ++j) {
        const double vv = v.col(j).squaredNorm();
        const double ww = w.col(j).squaredNorm();
        trace(j) += vv - ww;
        diagonal(j) += (vv - ww) * (vv - ww);
        fourth(j) += ww * ww;
        gram_sum[static_cast<std::size_t>(j)].noalias() += w.col(j) * w.col(j).transpose();
      }
    }
    out.matrix = sandwich_from_q_meat(fit, s);
    out.df.resize(k_int);
    for (Eigen::Index j = 0; j < k_int; ++j) {
      const double cross = gram_sum[static_cast<std::size_t>(j)].squaredNorm() - fourth(j);
      out.df(j) = trace(j) * trace(j) / (diagonal(j) + cross);
    }
    if (singular)
      out.warnings.push_back(
          "CR2: I - H_gg is singular for at least one cluster (a coefficient is identified by "
          "one cluster alone, such as a single treated unit); its generalized inverse root is used");
    out.kind = "CR2";
    out.reference = "clubSandwich::vcovCR(type = \"CR2\"), coef_test(test = \"Satterthwaite\")";
  }
  // Cameron & Miller (2015, J. Human Resources) find over-rejection of CR1 t tests below
  // roughly 20-50 clusters; 20 is the lower end, where it is already material.
  if (clusters < few_clusters_threshold)
    out.warnings.push_back("only " + std::to_string(clusters) + " clusters (fewer than " +
                           std::to_string(few_clusters_threshold) +
                           "): cluster-robust tests can over-reject; prefer CR2 with Satterthwaite "
                           "df or a wild cluster bootstrap");
  return out;
}

}  // namespace detail

// The covariance of the fit's kept coefficients under the chosen estimator.
inline covariance_result covariance(const least_squares_fit& fit, const covariance_spec& spec) {
  return std::visit([&](const auto& s) { return detail::compute(fit, s); }, spec);
}

}  // namespace pilotstats
