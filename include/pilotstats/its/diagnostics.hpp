// pilotstats/its/diagnostics.hpp: tests for autocorrelated residuals.
//
//   durbin_watson      sum (e_t - e_{t-1})^2 / sum e_t^2 (the statistic; 2 means none)
//   breusch_godfrey    order k: regress e on [X, e_{t-1}, ..., e_{t-k}] (missing lags filled with
//                      0), LM = n x (explained sum of squares / sum e^2) ~ chi2(k), or the F form
//                      ((SSR_0 - SSR_1)/k) / (SSR_1/(n - p - k)) ~ F(k, n - p - k)
//                                                                  lmtest::bgtest(type = "Chisq" / "F")
//   ljung_box          Q = n (n + 2) sum_{j<=k} r_j^2 / (n - j) ~ chi2(k - fitdf), r_j the
//                      autocorrelations about the mean                  Box.test(type = "Ljung-Box")
//   box_pierce         Q = n sum_{j<=k} r_j^2                           Box.test(type = "Box-Pierce")
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/inference/distributions.hpp"
#include "pilotstats/linalg/least_squares.hpp"

namespace pilotstats {

struct test_result {
  std::string name;
  double statistic = 0;
  double df = 0;              // chi-squared df, or the numerator df of an F
  double df_denominator = 0;  // F tests only
  double p_value = 1;
};

inline double durbin_watson(const Eigen::VectorXd& e) {
  if (e.size() < 2) throw invalid_input("durbin_watson: needs at least 2 residuals");
  const double denominator = e.squaredNorm();
  if (denominator == 0) throw domain_error("durbin_watson: every residual is 0");
  return (e.tail(e.size() - 1) - e.head(e.size() - 1)).squaredNorm() / denominator;
}

// Autocorrelations r_1..r_k about the mean, as acf().
inline Eigen::VectorXd autocorrelations(const Eigen::VectorXd& e, int lags) {
  const Eigen::Index n = e.size();
  if (lags < 1 || lags >= n)
    throw invalid_input("autocorrelations: lag " + std::to_string(lags) + " must be in 1.." + std::to_string(n - 1));
  const Eigen::VectorXd c = e.array() - e.mean();
  const double c0 = c.squaredNorm();
  if (c0 == 0) throw domain_error("autocorrelations: the residuals are constant");
  Eigen::VectorXd r(lags);
  for (int j = 1; j <= lags; ++j) r(j - 1) = c.tail(n - j).dot(c.head(n - j)) / c0;
  return r;
}

inline test_result ljung_box(const Eigen::VectorXd& e, int lags, int fitdf = 0) {
  const Eigen::VectorXd r = autocorrelations(e, lags);
  const double n = static_cast<double>(e.size());
  double q = 0;
  for (int j = 1; j <= lags; ++j) q += r(j - 1) * r(j - 1) / (n - j);
  test_result t{"Ljung-Box", n * (n + 2) * q, static_cast<double>(lags - fitdf)};
  if (t.df <= 0) throw invalid_input("ljung_box: lags - fitdf must be positive");
  t.p_value = chi_squared_upper_p_value(t.statistic, t.df);
  return t;
}

inline test_result box_pierce(const Eigen::VectorXd& e, int lags, int fitdf = 0) {
  const Eigen::VectorXd r = autocorrelations(e, lags);
  test_result t{"Box-Pierce", static_cast<double>(e.size()) * r.squaredNorm(), static_cast<double>(lags - fitdf)};
  if (t.df <= 0) throw invalid_input("box_pierce: lags - fitdf must be positive");
  t.p_value = chi_squared_upper_p_value(t.statistic, t.df);
  return t;
}

enum class bg_form { chi_squared, f };

// Breusch-Godfrey for the residuals `e` of a regression on `x` (rows in time order).
inline test_result breusch_godfrey(const Eigen::MatrixXd& x, const Eigen::VectorXd& e, int order,
                                   bg_form form = bg_form::chi_squared) {
  const Eigen::Index n = x.rows();
  if (e.size() != n) throw invalid_input("breusch_godfrey: residuals and design differ in rows");
  if (order < 1 || order >= n) throw invalid_input("breusch_godfrey: order must be in 1.." + std::to_string(n - 1));
  Eigen::MatrixXd z(n, x.cols() + order);
  z.leftCols(x.cols()) = x;
  z.rightCols(order).setZero();
  for (int k = 1; k <= order; ++k) z.col(x.cols() + k - 1).tail(n - k) = e.head(n - k);
  const auto aux = least_squares(z, e);
  const double total = e.squaredNorm();
  test_result t;
  if (form == bg_form::chi_squared) {
    t = {"Breusch-Godfrey (chi-squared)", static_cast<double>(n) * (total - aux.rss) / total, static_cast<double>(order)};
    t.p_value = chi_squared_upper_p_value(t.statistic, t.df);
  } else {
    const double denominator_df = static_cast<double>(n - x.cols() - order);
    t = {"Breusch-Godfrey (F)", ((total - aux.rss) / order) / (aux.rss / denominator_df), static_cast<double>(order),
         denominator_df};
    t.p_value = f_upper_p_value(t.statistic, t.df, t.df_denominator);
  }
  return t;
}

}  // namespace pilotstats
