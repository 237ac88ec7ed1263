// pilotstats/linalg/householder_qr.hpp: Householder QR with R's rank rule.
//
// Rank rule: the columns are kept in their given order and a column is moved to the end when,
// after the reflections of the columns kept before it, its remaining norm has fallen below
// `tolerance` times its original norm. This is the limited pivoting of LINPACK's dqrdc2 as
// modified for R (the routine behind `lm`), so the columns reported as aliased are the ones
// R's `lm` reports as NA: the later of two collinear columns, never an arbitrary one. (Full
// norm pivoting, as Eigen's ColPivHouseholderQR does, would alias a different column.)
//
// Tolerance: R's `lm` uses 1e-7, which declares NIST's Filip polynomial (a legitimate but
// badly conditioned design) rank deficient. Exactly collinear columns leave a remaining norm
// near 1e-15 of the original, so the default of least_squares, 1e-10, still catches them while
// fitting Filip. Pass 1e-7 to reproduce R's choice on borderline designs.
//
// Speed: until a column is aliased, dqrdc2 is plain Householder QR in the given order, so the
// fast path factorizes [X y] without pivoting (R and Q'y at once) and then applies the rule to
// |R_kk|; only when a column fails does the column-by-column algorithm run. Tall matrices are
// factorized as TSQR (Demmel et al. 2012): Householder QR of row chunks that fit in cache,
// then of their stacked R factors. Same R up to the signs of its rows, the same backward
// stability, without streaming the whole matrix through memory once per column.
#pragma once

#include <Eigen/Core>
#include <Eigen/Householder>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <vector>

namespace pilotstats {

// The triangular factor of X[:, order[0..rank)] = Q R and Q'y; Q itself is not formed (the
// least-squares fit forms X R^-1 when it needs it).
struct householder_qr {
  Eigen::MatrixXd q;                // n x rank, only when asked for (form_q)
  Eigen::MatrixXd r;                // rank x rank, upper triangular
  Eigen::VectorXd qty;              // the first `rank` entries of Q'y
  std::vector<Eigen::Index> order;  // order[j] = original index of column j; aliased ones last
  Eigen::Index rank = 0;
};

namespace detail {

// R of the augmented matrix [X y] by unpivoted Householder QR: its leading p x p block is R
// and its last column holds Q'y. Tall matrices go through TSQR.
inline Eigen::MatrixXd augmented_r(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::VectorXd>& y) {
  const Eigen::Index n = x.rows();
  const Eigen::Index p = x.cols() + 1;
  const Eigen::Index kept = std::min(n, p);
  // Chunks of about 512 KiB, and never fewer rows than 4p.
  const Eigen::Index chunk = std::max<Eigen::Index>(4 * p, 65536 / p);
  const Eigen::Index chunks = n < 2 * chunk ? 1 : n / chunk;  // the last chunk takes the remainder
  if (chunks == 1) {
    Eigen::MatrixXd work(n, p);
    work.leftCols(p - 1) = x;
    work.col(p - 1) = y;
    Eigen::HouseholderQR<Eigen::Ref<Eigen::MatrixXd>> qr(work);  // in place
    return work.topRows(kept).triangularView<Eigen::Upper>();
  }
  Eigen::MatrixXd stacked = Eigen::MatrixXd::Zero(chunks * p, p);
  Eigen::MatrixXd work;
  for (Eigen::Index c = 0; c < chunks; ++c) {
    const Eigen::Index start = c * chunk;
    const Eigen::Index rows = c + 1 == chunks ? n - start : chunk;
    work.resize(rows, p);
    work.leftCols(p - 1) = x.middleRows(start, rows);
    work.col(p - 1) = y.segment(start, rows);
    Eigen::HouseholderQR<Eigen::Ref<Eigen::MatrixXd>> qr(work);  // in place
    const Eigen::Index top = std::min(rows, p);
    stacked.block(c * p, 0, top, p) = work.topRows(top).triangularView<Eigen::Upper>();
  }
  Eigen::HouseholderQR<Eigen::Ref<Eigen::MatrixXd>> qr(stacked);
  return stacked.topRows(p).triangularView<Eigen::Upper>();
}

// dqrdc2's rule, one column at a time: factorize in the given order, moving a column whose
// remaining norm is below tolerance x its original norm to the end (keeping the others' order).
inline householder_qr sequential_householder_qr(Eigen::MatrixXd x, Eigen::VectorXd y,
                                                const Eigen::VectorXd& original_norm, double tolerance,
                                                bool form_q) {
  const Eigen::Index n = x.rows();
  const Eigen::Index p = x.cols();
  householder_qr qr;
  qr.order.resize(static_cast<std::size_t>(p));
  for (Eigen::Index j = 0; j < p; ++j) qr.order[static_cast<std::size_t>(j)] = j;
  Eigen::VectorXd taus = Eigen::VectorXd::Zero(std::min(n, p));
  Eigen::VectorXd workspace(p);

  Eigen::Index end = p;  // columns [end, p) have been found aliased
  Eigen::Index k = 0;
  while (k < end && k < n) {
    const double remaining = x.col(k).tail(n - k).norm();
    const double scale = original_norm(qr.order[static_cast<std::size_t>(k)]);
    if (!(remaining >= tolerance * scale) || scale == 0.0) {
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
    taus(k) = tau;
    if (k + 1 < p) {
      x.bottomRightCorner(n - k, p - k - 1)
          .applyHouseholderOnTheLeft(x.col(k).tail(n - k - 1), tau, workspace.data());
    }
    y.tail(n - k).applyHouseholderOnTheLeft(x.col(k).tail(n - k - 1), tau, workspace.data());
    ++k;
  }
  qr.rank = k;
  qr.r = x.topLeftCorner(k, k).triangularView<Eigen::Upper>();
  qr.qty = y.head(k);
  if (form_q) {
    // HouseholderSequence keeps references: give it named matrices, not temporaries.
    const Eigen::MatrixXd vectors = x.leftCols(k);
    const Eigen::VectorXd coefficients = taus.head(k);
    Eigen::HouseholderSequence<Eigen::MatrixXd, Eigen::VectorXd> q(vectors, coefficients);
    q.setLength(k);
    qr.q = Eigen::MatrixXd::Identity(n, k);
    q.applyThisOnTheLeft(qr.q);
  }
  return qr;
}

}  // namespace detail

// Factorizes `x` (n x p, n >= 1) and applies Q' to y. Column norms are compared with the
// original norms, so the rule does not depend on the scale of a column.
// With form_q, Q is formed from the reflectors (column by column: for ill-conditioned designs,
// where X R^-1 would lose orthogonality).
inline householder_qr factorize_householder_qr(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                               const Eigen::Ref<const Eigen::VectorXd>& y, double tolerance,
                                               bool form_q = false) {
  const Eigen::Index n = x.rows();
  const Eigen::Index p = x.cols();
  const Eigen::VectorXd original_norm = x.colwise().norm().transpose();
  if (p <= n && !form_q) {
    const Eigen::MatrixXd augmented = detail::augmented_r(x, y);
    bool full_rank = true;
    for (Eigen::Index k = 0; k < p && full_rank; ++k)
      full_rank = original_norm(k) > 0 && std::abs(augmented(k, k)) >= tolerance * original_norm(k);
    if (full_rank) {
      householder_qr qr;
      qr.r = augmented.topLeftCorner(p, p);
      qr.qty = augmented.col(p).head(p);
      qr.order.resize(static_cast<std::size_t>(p));
      for (Eigen::Index j = 0; j < p; ++j) qr.order[static_cast<std::size_t>(j)] = j;
      qr.rank = p;
      return qr;
    }
  }
  return detail::sequential_householder_qr(x, y, original_norm, tolerance, form_q);
}

}  // namespace pilotstats
