// p-values and quantiles against R 4.2.2 (tests/reference/distributions_reference.R prints
// each value beside its R call). Tolerance 1e-12 relative, tiny upper tails included: they
// go through Boost's complement, which keeps their digits.
#include <catch2/catch.hpp>

#include "pilotstats/inference/distributions.hpp"

using namespace pilotstats;

TEST_CASE("distributions: p-values and quantiles match R, tiny tails included", "[inference][distributions]") {
  const double tol = 1e-12;
  CHECK(two_sided_p_value(2.5, 10) == Approx(0.031446844236608776).epsilon(tol));   // 2 * pt(2.5, 10, lower.tail = FALSE)
  CHECK(two_sided_p_value(-40, 3) == Approx(3.438068078915854e-05).epsilon(tol));   // 2 * pt(40, 3, lower.tail = FALSE)
  CHECK(two_sided_p_value(9.5, 120) == Approx(2.6741802249313994e-16).epsilon(1e-10));  // 2 * pt(9.5, 120, ...)
  CHECK(two_sided_p_value(1.3, 2.46) == Approx(0.3020127813060135).epsilon(tol));   // 2 * pt(1.3, 2.46, ...)
  CHECK(two_sided_p_value(1.96, infinite_df) == Approx(0.049995790296440856).epsilon(tol));  // 2 * pnorm(1.96, ...)
  CHECK(two_sided_p_value(12, infinite_df) == Approx(3.5529642241553581e-33).epsilon(1e-10));  // 2 * pnorm(12, ...)
  CHECK(t_quantile(0.975, 5) == Approx(2.5705818356363137).epsilon(tol));           // qt(0.975, 5)
  CHECK(critical_value(0.95, 37.000000000000007) == Approx(2.0261924630291088).epsilon(tol));  // qt(0.975, 37)
  CHECK(critical_value(0.90, 1.15) == Approx(5.0843971815645839).epsilon(1e-10));   // qt(0.95, 1.15)
  CHECK(critical_value(0.95, infinite_df) == Approx(1.9599639845400536).epsilon(tol));  // qnorm(0.975)
  CHECK(chi_squared_upper_p_value(30, 4) == Approx(4.8944371280292126e-06).epsilon(tol));  // pchisq(30, 4, lower.tail = FALSE)
  CHECK(chi_squared_upper_p_value(3.2, 2.5) == Approx(0.27971515163811006).epsilon(tol));  // pchisq(3.2, 2.5, ...)
  CHECK(f_upper_p_value(5436385.54079785, 1, 34) == Approx(4.6540408524723738e-90).epsilon(1e-9));  // NIST Norris F
  CHECK(f_upper_p_value(2.7, 3, 55) == Approx(0.054463600715519166).epsilon(tol));  // pf(2.7, 3, 55, lower.tail = FALSE)
  CHECK(normal_cdf(-3.3) == Approx(0.00048342414238377744).epsilon(tol));           // pnorm(-3.3)
}

TEST_CASE("distributions: nonsense arguments are errors, not NaN", "[inference][distributions]") {
  CHECK_THROWS_WITH(two_sided_p_value(std::nan(""), 5), Catch::Contains("statistic is NaN"));
  CHECK_THROWS_WITH(two_sided_p_value(1.0, 0), Catch::Contains("degrees of freedom are 0"));
  CHECK_THROWS_WITH(critical_value(1.5, 10), Catch::Contains("probability is 1.5"));
  CHECK_THROWS_AS(f_upper_p_value(1.0, 2, -1), domain_error);
  CHECK(chi_squared_upper_p_value(0, 3) == 1.0);
  CHECK(two_sided_p_value(INFINITY, 3) == 0.0);
}
