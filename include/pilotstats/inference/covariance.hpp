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
//   CR2        Bell-McCaffrey: residuals of cluster g premultiplied by A_g = B_gg^(+1/2) with
//              B = (I - H)(I - H)' (unweighted: I - H_gg), the symmetric pseudo-inverse root
//              (eigenvalues <= 1e-12 dropped), working model Theta = I also for weighted fits
//                                                     clubSandwich::vcovCR(type = "CR2")
//
// Reference distributions (per coefficient, in `df`): t(n - k) for classical, HC and HAC
// (as lmtest::coeftest on an lm); t(G - 1) for CR0 and CR1 (Stata, fixest); for CR2 the
// Satterthwaite degrees of freedom of Bell & McCaffrey (2002) / Pustejovsky & Tipton (2018),
// as clubSandwich::coef_test(test = "Satterthwaite").
#pragma once

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
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

// R^-1 S R^-T, symmetrized against rounding.
inline Eigen::MatrixXd sandwich_from_q_meat(const least_squares_fit& fit, const Eigen::MatrixXd& s) {
  Eigen::MatrixXd v = fit.r_inverse * s * fit.r_inverse.transpose();
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
  if (fit.intercept && fit.rank > 1) column_weights(*fit.intercept) = 0;
  const Eigen::VectorXd r_w = fit.r * column_weights;  // sum_j w_j x_tj = q_t' R w
  const Eigen::VectorXd q_r_w = fit.q * r_w;
  Eigen::VectorXd u(n);
  for (Eigen::Index t = 0; t < n; ++t) {
    const Eigen::Index i = rows[static_cast<std::size_t>(t)];
    u(t) = e(i) * q_r_w(i);
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
  // u_t = q_t e_t over the informative rows in their order (the time order), one per column
  // of u (k x n), so that shifting in time is shifting whole contiguous columns.
  const Eigen::VectorXd e = fit.weighted_residuals();
  const Eigen::Index k = fit.rank, m = lag + 1, boxes = n + m - 1;
  Eigen::MatrixXd u(k, n);
  for (Eigen::Index t = 0; t < n; ++t) {
    const Eigen::Index i = rows[static_cast<std::size_t>(t)];
    for (Eigen::Index j = 0; j < k; ++j) u(j, t) = fit.q(i, j) * e(i);
  }
  // S = sum_j w_j (Gamma_j + Gamma_j') = U B U' with B_ts = max(0, 1 - |t - s| / M), M = lag + 1.
  // The Bartlett triangle is a box convolved with itself: B = E E' / M, E_ta = 1 when
  // a <= t < a + M (a = -(M-1) .. n-1). So S = W W' / M with W = U E, the box sums of u,
  // which are differences of prefix sums: O(n k) whatever the lag, then one symmetric product.
  // Plain loops over the k entries of a column: at ITS sizes, expression overhead would cost
  // more than the sums.
  Eigen::MatrixXd prefix(k, n + 1), w(k, boxes);
  prefix.col(0).setZero();
  for (Eigen::Index t = 0; t < n; ++t)
    for (Eigen::Index j = 0; j < k; ++j) prefix(j, t + 1) = prefix(j, t) + u(j, t);
  for (Eigen::Index i = 0; i < boxes; ++i) {
    const Eigen::Index a = i - (m - 1), hi = std::min(a + m, n), lo = std::max<Eigen::Index>(a, 0);
    for (Eigen::Index j = 0; j < k; ++j) w(j, i) = prefix(j, hi) - prefix(j, lo);
  }
  const Eigen::MatrixXd wt = w.transpose();  // contiguous columns: the products below are dot products
  Eigen::MatrixXd s(k, k);
  for (Eigen::Index j = 0; j < k; ++j)
    for (Eigen::Index i = j; i < k; ++i) s(i, j) = s(j, i) = wt.col(i).dot(wt.col(j)) / static_cast<double>(m);
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

// The CR2 adjustment of one cluster, A_g = B_gg^(+1/2), where B = (I - H)(I - H)' is the
// covariance of the residuals under clubSandwich's working model Theta = I, H = X M X' W the
// (weighted) hat matrix and +1/2 the pseudo-inverse root: eigenvalues at or below 1e-12 (an
// absolute cutoff, as clubSandwich's matrix_power) get 0. In the fit's basis, with
// L = W_g^-1/2 Q_g, U = W_g^1/2 Q_g and C = Q'WQ,
//   B_gg = I - L U' - U L' + L C L',
// the identity plus a matrix of rank <= 2k (k when unweighted: B_gg = I - Q_g Q_g'). A_g is
// therefore I + V K V' for an orthonormal basis V of span[L, U]; when that basis is not
// smaller than the cluster, B_gg is decomposed directly.
struct cr2_adjustment {
  Eigen::MatrixXd basis;  // V, n_g x m (empty: `dense` holds A_g)
  Eigen::MatrixXd kernel; // K, m x m
  Eigen::MatrixXd dense;
  bool singular = false;

  Eigen::MatrixXd apply(const Eigen::MatrixXd& x) const {
    if (basis.size() == 0) return dense * x;
    return x + basis * (kernel * (basis.transpose() * x));
  }
};

inline constexpr double cr2_eigenvalue_cutoff = 1e-12;

inline cr2_adjustment make_cr2_adjustment(const Eigen::MatrixXd& qg, const Eigen::VectorXd& sqrt_wg,
                                          const Eigen::MatrixXd& c, bool weighted) {
  const Eigen::Index ng = qg.rows();
  Eigen::MatrixXd l, u;
  if (weighted) {
    l = sqrt_wg.cwiseInverse().asDiagonal() * qg;
    u = sqrt_wg.asDiagonal() * qg;
  }
  cr2_adjustment out;
  auto inverse_root = [&](double lambda) {
    if (lambda <= cr2_eigenvalue_cutoff) {
      out.singular = true;
      return 0.0;
    }
    return 1.0 / std::sqrt(lambda);
  };
  Eigen::MatrixXd span;
  if (weighted) {
    span.resize(ng, 2 * qg.cols());
    span << l, u;
  }
  const Eigen::MatrixXd& basis_of = weighted ? span : qg;
  if (basis_of.cols() >= ng) {
    Eigen::MatrixXd b = Eigen::MatrixXd::Identity(ng, ng);
    if (weighted) b += l * c * l.transpose() - l * u.transpose() - u * l.transpose();
    else b.noalias() -= qg * qg.transpose();  // equal weights: every term above is Q_g Q_g^T
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig((b + b.transpose()) / 2);
    Eigen::VectorXd f(ng);
    for (Eigen::Index i = 0; i < ng; ++i) f(i) = inverse_root(eig.eigenvalues()(i));
    out.dense = eig.eigenvectors() * f.asDiagonal() * eig.eigenvectors().transpose();
    return out;
  }
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(basis_of);
  out.basis = qr.householderQ() * Eigen::MatrixXd::Identity(ng, basis_of.cols());
  const Eigen::Index m = basis_of.cols();
  Eigen::MatrixXd small = Eigen::MatrixXd::Identity(m, m);
  if (weighted) {
    const Eigen::MatrixXd vl = out.basis.transpose() * l;
    const Eigen::MatrixXd vu = out.basis.transpose() * u;
    small += vl * c * vl.transpose() - vl * vu.transpose() - vu * vl.transpose();
  } else {
    const Eigen::MatrixXd vq = out.basis.transpose() * qg;
    small.noalias() -= vq * vq.transpose();
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig((small + small.transpose()) / 2);
  Eigen::VectorXd f(m);
  for (Eigen::Index i = 0; i < m; ++i) f(i) = inverse_root(eig.eigenvalues()(i));
  out.kernel = eig.eigenvectors() * f.asDiagonal() * eig.eigenvectors().transpose() -
               Eigen::MatrixXd::Identity(m, m);
  return out;
}

// Satterthwaite df per coefficient from the per-cluster vectors a_g, b_g (columns = coefs) and
// |p_g|^2. With E = B - C A / 2, P = D - A'E - E'A, so
//   tr P = sum_g (|p_g|^2 - 2 a_g'e_g),
//   ||P||^2 = sum_g |p_g|^4 - 4 sum_g |p_g|^2 a_g'e_g + 2 tr((E A')^2) + 2 tr((E E')(A A')),
// k x k sums costing O(G k^2) per coefficient; forming P costs O(G^2 k). Take the cheaper.
inline Eigen::VectorXd satterthwaite_df(const std::vector<Eigen::MatrixXd>& a_vectors,
                                        const std::vector<Eigen::MatrixXd>& b_vectors,
                                        const std::vector<Eigen::VectorXd>& p_norms, const Eigen::MatrixXd& c,
                                        bool c_is_identity) {
  const auto g_count = static_cast<Eigen::Index>(a_vectors.size());
  const Eigen::Index k = c.rows();
  Eigen::VectorXd df(k);
  Eigen::MatrixXd a(k, g_count), e(k, g_count);
  Eigen::VectorXd delta(g_count);
  for (Eigen::Index j = 0; j < k; ++j) {
    for (Eigen::Index g = 0; g < g_count; ++g) {
      const auto gg = static_cast<std::size_t>(g);
      a.col(g) = a_vectors[gg].col(j);
      e.col(g) = b_vectors[gg].col(j);
      delta(g) = p_norms[gg](j);
    }
    if (c_is_identity) e -= 0.5 * a;
    else e -= 0.5 * c * a;
    double trace = 0, frobenius = 0;
    if (g_count <= k) {
      Eigen::MatrixXd p = -a.transpose() * e;
      p += p.transpose().eval();
      p.diagonal() += delta;
      trace = p.trace();
      frobenius = p.squaredNorm();
    } else {
      const Eigen::VectorXd ae = a.cwiseProduct(e).colwise().sum().transpose();
      const Eigen::MatrixXd ea = e * a.transpose();
      trace = delta.sum() - 2 * ae.sum();
      frobenius = delta.squaredNorm() - 4 * delta.dot(ae) + 2 * (ea * ea).trace() +
                  2 * ((e * e.transpose()) * (a * a.transpose())).trace();
    }
    df(j) = trace * trace / frobenius;
  }
  return df;
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
    // (tr P)^2 / ||P||_F^2 with P[g,h] = p_g' [(I-H)(I-H)']_gh p_h and p_g = A_g W_g X_g M c
    // (clubSandwich's Satterthwaite). In the fit's basis, with d = R^-T c, p_g = A_g U_g d,
    // a_g = L_g' p_g, b_g = U_g' p_g:  P[g,h] = [g = h] |p_g|^2 - a_g'b_h - b_g'a_h + a_g'C a_h.
    // P is G x G; it is formed when G <= k, otherwise its trace and norm come from k x k sums
    // (see satterthwaite_df_from_sums), whichever is cheaper.
    // Equal weights leave span[L, U] = span Q_g; only unequal ones need the 2k-wide basis.
    const bool weighted = (fit.sqrt_weights.array() != fit.sqrt_weights(0)).any();
    const bool unit_weights = (fit.sqrt_weights.array() == 1.0).all();
    Eigen::MatrixXd c_matrix = Eigen::MatrixXd::Identity(fit.rank, fit.rank);
    if (!unit_weights)
      c_matrix = fit.q.transpose() * fit.sqrt_weights.array().square().matrix().asDiagonal() * fit.q;
    const Eigen::MatrixXd d = fit.r_inverse.transpose();  // column j: R^-T e_j
    std::vector<Eigen::MatrixXd> a_vectors, b_vectors;     // per cluster, k x k: column j for coef j
    std::vector<Eigen::VectorXd> p_norms;                  // per cluster, |p_g|^2 for each coef
    bool singular = false;
    for (const auto& rows : index.rows) {
      const Eigen::MatrixXd qg = gather_rows(fit.q, rows);
      const Eigen::VectorXd sqrt_wg = fit.sqrt_weights(rows);
      const cr2_adjustment a = make_cr2_adjustment(qg, sqrt_wg, c_matrix, weighted);
      singular = singular || a.singular;
      const Eigen::MatrixXd ug = sqrt_wg.asDiagonal() * qg;
      const Eigen::VectorXd z = ug.transpose() * a.apply(Eigen::MatrixXd(fit.residuals(rows)));
      s.noalias() += z * z.transpose();
      const Eigen::MatrixXd p = a.apply(ug * d);
      p_norms.push_back(p.colwise().squaredNorm().transpose());
      b_vectors.push_back(ug.transpose() * p);
      if (unit_weights) a_vectors.push_back(b_vectors.back());  // L_g = U_g = Q_g
      else a_vectors.push_back((sqrt_wg.cwiseInverse().asDiagonal() * qg).transpose() * p);
    }
    out.matrix = sandwich_from_q_meat(fit, s);
    out.df = satterthwaite_df(a_vectors, b_vectors, p_norms, c_matrix, unit_weights);
    if (singular)
      out.warnings.push_back(
          "CR2: I - H_gg is singular for at least one cluster (a coefficient is identified within "
          "one cluster, such as a unit fixed effect or a single treated unit); the pseudo-inverse "
          "root is used, as clubSandwich does");
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
