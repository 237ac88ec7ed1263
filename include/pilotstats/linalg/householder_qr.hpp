// pilotstats/linalg/householder_qr.hpp: Householder QR with R's rank rule.
//
// Method: Householder QR that keeps the columns in their given order and moves a column to
// the end when, after the reflections of the columns kept before it, its remaining norm has
// fallen below `tolerance` times its original norm. This is the limited pivoting of LINPACK's
// dqrdc2 as modified for R (the routine behind `lm`), so the columns reported as aliased are
// the ones R's `lm` reports as NA: the later of two collinear columns, never an arbitrary one.
// (Full norm pivoting, as Eigen's ColPivHouseholderQR does, would alias a different column.)
//
// Tolerance: R's `lm` uses 1e-7, which declares NIST's Filip polynomial (a legitimate but
// badly conditioned design) rank deficient. Exactly collinear columns leave a remaining norm
// near 1e-15 of the original, so the default here, 1e-10, still catches them while fitting
// Filip. Pass 1e-7 to reproduce R's choice on borderline designs.
#pragma once

#include <Eigen/Core>
#include <Eigen/Householder>
#include <cmath>
#include <vector>

namespace pilotstats {

struct householder_qr {
  Eigen::MatrixXd packed;        // R in the upper triangle, reflectors below (columns in `order`)
  Eigen::VectorXd coefficients;  // Householder coefficients (tau) of the first `rank` reflectors
  std::vector<Eigen::Index> order;  // order[j] = original index of packed column j
  Eigen::Index rank = 0;         // columns 0..rank-1 of `packed` are the estimable ones

  // R (rank x rank), upper triangular, for the estimable columns.
  Eigen::MatrixXd r() const {
    return packed.topLeftCorner(rank, rank).triangularView<Eigen::Upper>();
  }

  // Q' v for a vector of length rows(), applied reflector by reflector.
  Eigen::VectorXd apply_qt(Eigen::VectorXd v) const {
    Eigen::VectorXd workspace(1);
    for (Eigen::Index k = 0; k < rank; ++k) {
      v.tail(v.size() - k).applyHouseholderOnTheLeft(
          packed.col(k).tail(packed.rows() - k - 1), coefficients(k), workspace.data());
    }
    return v;
  }

  // Q v (the inverse of apply_qt).
  Eigen::VectorXd apply_q(Eigen::VectorXd v) const {
    Eigen::VectorXd workspace(1);
    for (Eigen::Index k = rank - 1; k >= 0; --k) {
      v.tail(v.size() - k).applyHouseholderOnTheLeft(
          packed.col(k).tail(packed.rows() - k - 1), coefficients(k), workspace.data());
    }
    return v;
  }

  // The first `rank` columns of Q (n x rank), orthonormal.
  Eigen::MatrixXd thin_q() const {
    // HouseholderSequence keeps references: give it named matrices, not temporaries.
    const Eigen::MatrixXd vectors = packed.leftCols(rank);
    const Eigen::VectorXd taus = coefficients.head(rank);
    Eigen::HouseholderSequence<Eigen::MatrixXd, Eigen::VectorXd> q(vectors, taus);
    q.setLength(rank);
    Eigen::MatrixXd thin = Eigen::MatrixXd::Identity(packed.rows(), rank);
    q.applyThisOnTheLeft(thin);
    return thin;
  }
};

// Factorizes `x` (n x p, n >= 1). Column norms are compared with the original norms, so the
// rule does not depend on the scale of a column.
inline householder_qr factorize_householder_qr(Eigen::MatrixXd x, double tolerance) {
  const Eigen::Index n = x.rows();
  const Eigen::Index p = x.cols();
  householder_qr qr;
  qr.order.resize(static_cast<std::size_t>(p));
  Eigen::VectorXd original_norm(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    qr.order[static_cast<std::size_t>(j)] = j;
    original_norm(j) = x.col(j).norm();
  }
  qr.coefficients.setZero(std::min(n, p));
  Eigen::VectorXd workspace(p);

  Eigen::Index end = p;  // columns [end, p) have been found aliased
  Eigen::Index k = 0;
  while (k < end && k < n) {
    const double remaining = x.col(k).tail(n - k).norm();
    const double scale = original_norm(qr.order[static_cast<std::size_t>(k)]);
    if (!(remaining >= tolerance * scale) || scale == 0.0) {
      // Aliased: rotate it to the end, keeping the others in order (as dqrdc2 does).
      Eigen::VectorXd aliased = x.col(k);
      const Eigen::Index moved = qr.order[static_cast<std::size_t>(k)];
      for (Eigen::Index j = k; j + 1 < p; ++j) {
        x.col(j) = x.col(j + 1);
        qr.order[static_cast<std::size_t>(j)] = qr.order[static_cast<std::size_t>(j + 1)];
      }
      x.col(p - 1) = aliased;
      qr.order[static_cast<std::size_t>(p - 1)] = moved;
      --end;
      continue;
    }
    double tau = 0.0;
    double beta = 0.0;
    x.col(k).tail(n - k).makeHouseholderInPlace(tau, beta);
    x(k, k) = beta;
    qr.coefficients(k) = tau;
    if (k + 1 < p) {
      x.bottomRightCorner(n - k, p - k - 1)
          .applyHouseholderOnTheLeft(x.col(k).tail(n - k - 1), tau, workspace.data());
    }
    ++k;
  }
  qr.rank = k;
  qr.packed = std::move(x);
  return qr;
}

}  // namespace pilotstats
