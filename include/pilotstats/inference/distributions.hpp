// pilotstats/inference/distributions.hpp: p-values and critical values via Boost.Math.
//
// Upper tails go through cdf(complement(d, x)), which keeps the digits of tiny p-values that
// 1 - cdf(d, x) loses. A reference distribution is Student's t with `df` degrees of freedom,
// or the standard normal when df is infinite (the convention of the coefficient tables).
// Arguments are checked here, so Boost's own error policy never fires on user data.
#pragma once

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "pilotstats/core/error.hpp"

namespace pilotstats {

inline constexpr double infinite_df = std::numeric_limits<double>::infinity();

namespace detail {

inline void check_statistic(const char* function, double x) {
  if (std::isnan(x))
    throw domain_error(std::string(function) + ": statistic is NaN, but must be a number");
}

inline void check_df(const char* function, const char* which, double df) {
  if (!(df > 0))
    throw domain_error(std::string(function) + ": " + which + " degrees of freedom are " +
                       std::to_string(df) + ", but must be positive");
}

inline void check_probability(const char* function, double p) {
  if (!(p > 0 && p < 1))
    throw domain_error(std::string(function) + ": probability is " + std::to_string(p) +
                       ", but must be in (0, 1)");
}

}  // namespace detail

// P(|T| >= |t|) for T ~ t(df), or N(0, 1) when df is infinite.
inline double two_sided_p_value(double statistic, double df) {
  detail::check_statistic("two_sided_p_value", statistic);
  detail::check_df("two_sided_p_value", "reference", df);
  const double a = std::abs(statistic);
  if (std::isinf(a)) return 0.0;
  if (std::isinf(df))
    return 2 * boost::math::cdf(boost::math::complement(boost::math::normal_distribution<>(), a));
  return 2 * boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<>(df), a));
}

// The q-quantile of t(df), or of N(0, 1) when df is infinite.
inline double t_quantile(double q, double df) {
  detail::check_probability("t_quantile", q);
  detail::check_df("t_quantile", "reference", df);
  if (std::isinf(df)) return boost::math::quantile(boost::math::normal_distribution<>(), q);
  return boost::math::quantile(boost::math::students_t_distribution<>(df), q);
}

// The multiplier of a two-sided interval at `level` (0.95 gives 1.96 for the normal).
inline double critical_value(double level, double df) {
  detail::check_probability("critical_value", level);
  return t_quantile(0.5 + level / 2, df);
}

// P(X >= x) for X ~ chi-squared(df).
inline double chi_squared_upper_p_value(double statistic, double df) {
  detail::check_statistic("chi_squared_upper_p_value", statistic);
  detail::check_df("chi_squared_upper_p_value", "chi-squared", df);
  if (statistic <= 0) return 1.0;
  if (std::isinf(statistic)) return 0.0;
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<>(df), statistic));
}

// P(X >= x) for X ~ F(df1, df2).
inline double f_upper_p_value(double statistic, double df1, double df2) {
  detail::check_statistic("f_upper_p_value", statistic);
  detail::check_df("f_upper_p_value", "numerator", df1);
  detail::check_df("f_upper_p_value", "denominator", df2);
  if (statistic <= 0) return 1.0;
  if (std::isinf(statistic)) return 0.0;
  return boost::math::cdf(boost::math::complement(boost::math::fisher_f_distribution<>(df1, df2), statistic));
}

// P(Z <= z) for the standard normal (used by tests for one change and the delta method).
inline double normal_cdf(double z) {
  detail::check_statistic("normal_cdf", z);
  if (std::isinf(z)) return z > 0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::normal_distribution<>(), z);
}

}  // namespace pilotstats
