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

// Double precision throughout: Boost promotes double to long double by default, which costs
// several times the time for digits a p-value does not need (Boost's double versions are
// accurate to a few ulps).
using double_policy = boost::math::policies::policy<boost::math::policies::promote_float<false>,
                                                    boost::math::policies::promote_double<false>>;
using normal = boost::math::normal_distribution<double, double_policy>;
using students_t = boost::math::students_t_distribution<double, double_policy>;
using chi_squared = boost::math::chi_squared_distribution<double, double_policy>;
using fisher_f = boost::math::fisher_f_distribution<double, double_policy>;

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
    return 2 * boost::math::cdf(boost::math::complement(detail::normal(), a));
  return 2 * boost::math::cdf(boost::math::complement(detail::students_t(df), a));
}

// The q-quantile of t(df), or of N(0, 1) when df is infinite.
inline double t_quantile(double q, double df) {
  detail::check_probability("t_quantile", q);
  detail::check_df("t_quantile", "reference", df);
  if (std::isinf(df)) return boost::math::quantile(detail::normal(), q);
  return boost::math::quantile(detail::students_t(df), q);
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
  return boost::math::cdf(boost::math::complement(detail::chi_squared(df), statistic));
}

// P(X >= x) for X ~ F(df1, df2).
inline double f_upper_p_value(double statistic, double df1, double df2) {
  detail::check_statistic("f_upper_p_value", statistic);
  detail::check_df("f_upper_p_value", "numerator", df1);
  detail::check_df("f_upper_p_value", "denominator", df2);
  if (statistic <= 0) return 1.0;
  if (std::isinf(statistic)) return 0.0;
  return boost::math::cdf(boost::math::complement(detail::fisher_f(df1, df2), statistic));
}

// P(Z <= z) for the standard normal (used by tests for one change and the delta method).
inline double normal_cdf(double z) {
  detail::check_statistic("normal_cdf", z);
  if (std::isinf(z)) return z > 0 ? 1.0 : 0.0;
  return boost::math::cdf(detail::normal(), z);
}

}  // namespace pilotstats
