// pilotstats/changepoint/supf_test.hpp: the sup-F test for one structural change in a linear
// regression (Andrews 1993), with Hansen's (1997) approximate asymptotic p-value.
//
// Synopsis
//   const auto t = pilotstats::supf_test(y, x);   // x: n x k regressors (a column of ones, ...)
//   t.statistic; t.p_value; t.breakpoint;         // breakpoint: last observation before the change
//
// As R strucchange 1.5-3's sctest(Fstats(y ~ X, from = 0.15), type = "supF"): for every
// candidate break p in [from, n - from] (1-based index of the last observation of the first
// segment; from = floor(0.15 n) when given as a fraction below 1, raised to k + 1 and the upper
// end lowered to n - k - 1 with a warning, as strucchange does),
//     F(p) = (RSS - RSS_1(p) - RSS_2(p)) / ((RSS_1(p) + RSS_2(p)) / (n - 2k)),
// all k coefficients changing; the statistic is max_p F(p) and the breakpoint its first argmax.
// The p-value is Hansen's response surface (supf_table.hpp, strucchange's pvalue.Fstats):
// with lambda = (n - from) to / (from (n - to)) and tau = 1 / (1 + sqrt(lambda)),
//     p_tau = P(chi2(d_tau) > max(0, b0_tau + b1_tau F))  on the grid tau = 0.01, 0.03, ..., 0.49,
// linearly interpolated in tau; tau >= 0.49 interpolates towards P(chi2(k) > F) at tau = 0.5,
// and tau <= 0.01 uses the 0.01 row. When from = to (lambda = 1) it is the Chow test,
// P(F(k, n - 2k) > F). k above 40 uses the k = 40 rows, with a warning. Upper tails are computed
// by complement, so tiny p-values keep their digits (strucchange's 1 - pchisq rounds them
// to multiples of 1e-16, or to 0).
//
// RSS_1 and RSS_2 come from Givens row updates of a QR factorization (forward for the first
// segment, backward for the second), O(n k^2) in all: the same least-squares fits as
// strucchange's lm.fit on every split, without refitting.
#pragma once

#include <Eigen/Core>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "pilotstats/changepoint/supf_table.hpp"
#include "pilotstats/core/error.hpp"
#include "pilotstats/inference/distributions.hpp"

namespace pilotstats {

namespace detail {

// Least squares by Givens row updates: add rows one at a time; rss() is the residual sum of
// squares of the rows added so far (exact least squares also while rank deficient).
class givens_least_squares {
 public:
  explicit givens_least_squares(Eigen::Index k)
      : r_(Eigen::MatrixXd::Zero(k, k)), row_(k), z_(Eigen::VectorXd::Zero(k)) {}

  void add(const Eigen::Ref<const Eigen::RowVectorXd>& x, double y) {
    const Eigen::Index k = r_.rows();
    row_ = x;
    for (Eigen::Index c = 0; c < k; ++c) {
      const double xc = row_(c);
      if (xc == 0) continue;
      const double rc = r_(c, c);
      const double h = std::hypot(rc, xc);
      const double cs = rc / h, sn = xc / h;
      r_(c, c) = h;
      row_(c) = 0;
      for (Eigen::Index j = c + 1; j < k; ++j) {
        const double a = r_(c, j), b = row_(j);
        r_(c, j) = cs * a + sn * b;
        row_(j) = -sn * a + cs * b;
      }
      const double za = z_(c);  // the response is rotated with the row: z = Q'y
      z_(c) = cs * za + sn * y;
      y = -sn * za + cs * y;
    }
    rss_ += y * y;
  }

  double rss() const { return rss_; }
  // Whether the rows so far determine every coefficient (no diagonal of R below tol x the largest).
  bool full_rank(double tol = 1e-7) const {
    const Eigen::VectorXd d = r_.diagonal().cwiseAbs();
    return d.minCoeff() > tol * d.maxCoeff();
  }

 private:
  Eigen::MatrixXd r_;
  Eigen::RowVectorXd row_;
  Eigen::VectorXd z_;
  double rss_ = 0;
};

inline void check_regression_data(const char* function, const Eigen::Ref<const Eigen::VectorXd>& y,
                                  const Eigen::Ref<const Eigen::MatrixXd>& x) {
  if (x.rows() != y.size())
    throw invalid_input(std::string(function) + ": the regressor matrix has " + std::to_string(x.rows()) +
                        " rows, but y has " + std::to_string(y.size()) + " values");
  if (x.cols() < 1) throw invalid_input(std::string(function) + ": the regressor matrix has no columns");
  for (Eigen::Index i = 0; i < y.size(); ++i)
    if (!std::isfinite(y(i)))
      throw invalid_input(std::string(function) + ": y at observation " + std::to_string(i + 1) + " is " +
                          std::to_string(y(i)) + ", but must be finite");
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      if (!std::isfinite(x(i, j)))
        throw invalid_input(std::string(function) + ": regressor " + std::to_string(j + 1) + " at observation " +
                            std::to_string(i + 1) + " is " + std::to_string(x(i, j)) + ", but must be finite");
}

// strucchange's reading of a trimming or minimum segment size: below 1 a fraction of n
// (floor(n h)), otherwise a count, which must be a whole number.
inline Eigen::Index segment_size_from(const char* function, const char* what, double h, Eigen::Index n) {
  if (!(h > 0) || !std::isfinite(h))
    throw invalid_input(std::string(function) + ": " + what + " is " + std::to_string(h) +
                        ", but must be a fraction in (0, 1) or a count >= 1");
  if (h < 1) return static_cast<Eigen::Index>(std::floor(static_cast<double>(n) * h));
  if (h != std::floor(h))
    throw invalid_input(std::string(function) + ": " + what + " is " + std::to_string(h) +
                        ", but a count (h >= 1) must be a whole number");
  return static_cast<Eigen::Index>(h);
}

inline double chi_squared_upper(double x, double df) {
  if (x <= 0) return 1.0;
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<>(df), x));
}

}  // namespace detail

struct supf_p_value_result {
  double p_value = 1;
  bool k_truncated = false;  // k > 40: the k = 40 rows were used
};

// Hansen's (1997) approximate asymptotic p-value of a sup-F statistic with k regressors and
// trimming lambda = (n - from) to / (from (n - to)), as strucchange's pvalue.Fstats(type = "supF").
inline supf_p_value_result supf_p_value(double statistic, Eigen::Index k, double lambda) {
  if (std::isnan(statistic)) throw invalid_input("supf_p_value: statistic is NaN, but must be a number");
  if (k < 1) throw invalid_input("supf_p_value: k is " + std::to_string(k) + ", but must be >= 1");
  if (!(lambda > 0)) throw invalid_input("supf_p_value: lambda is " + std::to_string(lambda) + ", but must be positive");
  supf_p_value_result r;
  if (k > 40) {
    k = 40;
    r.k_truncated = true;
  }
  const double tau = lambda < 1 ? lambda : 1 / (1 + std::sqrt(lambda));
  const auto pp = [&](int row) {  // row 1..25 of block k
    const double* b = detail::supf_response_surface[(k - 1) * 25 + row - 1];
    return detail::chi_squared_upper(std::max(0.0, b[0] + b[1] * statistic), b[2]);
  };
  const double kd = static_cast<double>(k);
  if (tau == 0.5) {
    r.p_value = detail::chi_squared_upper(statistic, kd);
  } else if (tau <= 0.01) {
    r.p_value = pp(25);
  } else if (tau >= 0.49) {
    r.p_value = ((0.5 - tau) * pp(1) + (tau - 0.49) * detail::chi_squared_upper(statistic, kd)) * 100;
  } else {
    const double taua = (0.51 - tau) * 50;
    const int tau1 = static_cast<int>(std::floor(taua));
    r.p_value = (tau1 + 1 - taua) * pp(tau1) + (taua - tau1) * pp(tau1 + 1);
  }
  return r;
}

struct supf_options {
  double from = 0.15;  // below 1: fraction of n (floor(n from)); otherwise the first candidate break
  double to = 0;       // 0: n - from; below 1: fraction; otherwise the last candidate break

  void validate() const {
    if (!(from > 0) || !std::isfinite(from))
      throw invalid_input("supf_test: from is " + std::to_string(from) + ", but must be positive");
    if (!(to >= 0) || !std::isfinite(to))
      throw invalid_input("supf_test: to is " + std::to_string(to) + ", but must be >= 0 (0: n - from)");
  }
};

struct supf_test_result {
  double statistic = 0;           // sup F
  double p_value = 1;             // Hansen (1997); the Chow test's F p-value when from = to
  Eigen::Index breakpoint = 0;    // 1-based last observation before the change (strucchange's)
  Eigen::Index from = 0, to = 0;  // the candidate breaks used
  double lambda = 1;
  bool chow = false;
  Eigen::VectorXd f_statistics;   // F(p) for p = from..to
  std::vector<std::string> warnings;
};

namespace detail {
// A model that fits y exactly (a constant series under a level model) leaves F statistics and
// BIC made of rounding noise: say so instead.
inline void require_residual_variation(const char* function, double rss, const Eigen::Ref<const Eigen::VectorXd>& y) {
  if (rss <= 1e-20 * y.squaredNorm())
    throw domain_error(std::string(function) + ": the regressors fit y exactly (residual sum of squares " +
                       std::to_string(rss) + "), e.g. a constant series: there is no variation left in which to find a break");
}
}  // namespace detail

inline supf_test_result supf_test(const Eigen::Ref<const Eigen::VectorXd>& y,
                                  const Eigen::Ref<const Eigen::MatrixXd>& x, const supf_options& options = {}) {
  options.validate();
  detail::check_regression_data("supf_test", y, x);
  const Eigen::Index n = y.size(), k = x.cols();
  if (n < 2 * k + 2)
    throw invalid_input("supf_test: " + std::to_string(n) + " observations, but " + std::to_string(k) +
                        " regressors need at least " + std::to_string(2 * k + 2));
  supf_test_result r;
  Eigen::Index from = detail::segment_size_from("supf_test", "from", options.from, n);
  Eigen::Index to = options.to == 0 ? n - from : detail::segment_size_from("supf_test", "to", options.to, n);
  if (from < k + 1) {
    from = k + 1;
    r.warnings.push_back("from raised to k + 1 = " + std::to_string(from) + " (it was too small)");
  }
  if (to > n - k - 1) {
    to = n - k - 1;
    r.warnings.push_back("to lowered to n - k - 1 = " + std::to_string(to) + " (it was too large)");
  }
  if (from > to)
    throw invalid_input("supf_test: no admissible break: from = " + std::to_string(from) + " is larger than to = " +
                        std::to_string(to));
  r.from = from;
  r.to = to;
  r.lambda = static_cast<double>((n - from) * to) / static_cast<double>(from * (n - to));

  Eigen::VectorXd before(n + 1), after(n + 1);  // RSS of rows [0, p) and of rows [p, n)
  {
    detail::givens_least_squares f(k);
    before(0) = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      f.add(x.row(i), y(i));
      before(i + 1) = f.rss();
    }
    detail::givens_least_squares b(k);
    after(n) = 0;
    for (Eigen::Index i = n - 1; i >= 0; --i) {
      b.add(x.row(i), y(i));
      after(i) = b.rss();
    }
  }
  const double total = before(n);
  detail::require_residual_variation("supf_test", total, y);
  const double df = static_cast<double>(n - 2 * k);
  r.f_statistics.resize(to - from + 1);
  for (Eigen::Index p = from; p <= to; ++p) {
    const double u = before(p) + after(p);
    const double f = (total - u) / (u / df);
    r.f_statistics(p - from) = f;
    if (p == from || f > r.statistic) {
      r.statistic = f;
      r.breakpoint = p;
    }
  }
  if (r.lambda == 1) {
    r.chow = true;
    r.p_value = f_upper_p_value(r.statistic, static_cast<double>(k), df);
  } else {
    const auto p = supf_p_value(r.statistic, k, r.lambda);
    r.p_value = p.p_value;
    if (p.k_truncated) r.warnings.push_back("no p-values are tabulated for k > 40 regressors: k = 40 used");
  }
  return r;
}

}  // namespace pilotstats
