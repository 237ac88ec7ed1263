// GLMs against R 4.2.2 (glm, MASS::glm.nb 7.3.58.2, sandwich 3.0.2, lmtest 0.9.40): every
// expected number comes from tests/reference/glm_reference.R, embedded in glm_reference.hpp.
// Cases: the Sicily smoking-ban series (Bernal, Cummins & Gasparrini 2017: Poisson,
// quasi-Poisson, with harmonics, with a slope change, negative binomial) and Barking &
// Dagenham's complaints in the bundled London data (Poisson and negative binomial, offset
// log(calls)). Tolerances: coefficients 1e-9 relative (the issue asks 1e-6), standard errors
// and covariances 1e-8 of their scale (the issue asks 1e-5), iteration counts exactly.
#include <catch2/catch.hpp>

#include <cmath>

#include "glm_reference.hpp"
#include "pilotstats/inference/glm_covariance.hpp"
#include "pilotstats/linalg/glm.hpp"

namespace ref = pilotstats_reference;
using namespace pilotstats;

namespace {

Eigen::VectorXd vec(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

Eigen::MatrixXd rows_of(const std::vector<double>& v, std::size_t n, std::size_t p) {
  Eigen::MatrixXd m(n, p);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < p; ++j) m(i, j) = v[i * p + j];
  return m;
}

double max_relative(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  REQUIRE(a.size() == b.size());
  return ((a - b).array().abs() / b.array().abs().max(1e-300)).maxCoeff();
}

double scaled_difference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  double worst = 0;
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      worst = std::max(worst, std::abs(a(i, j) - b(i, j)) / std::sqrt(b(i, i) * b(j, j)));
  return worst;
}

// The fields every case has.
struct glm_reference {
  std::size_t n, p;
  const std::vector<std::string>& terms;
  const std::vector<double>&design, &y, &offset, &coefficients, &vcov, &std_errors;
  double deviance, null_deviance;
  int df_residual, df_null, iter;
  const std::vector<double>&fitted, &working_residuals, &working_weights, &hat;
  double dispersion, pearson_dispersion;
  const std::vector<double>&vcov_hc0, &vcov_hc3, &vcov_nw3, &vcov_nw3_adjusted, &coeftest_p;
};

#define PILOTSTATS_GLM_REFERENCE(m)                                                                          \
  glm_reference {                                                                                          \
    m::n, m::p, m::term_names, m::design, m::y, m::offset, m::coefficients, m::vcov, m::std_errors,          \
        m::deviance, m::null_deviance, m::df_residual, m::df_null, m::iter, m::fitted_values,                \
        m::residuals_working, m::weights_working, m::hat_values, m::dispersion, m::pearson_dispersion,       \
        m::vcov_hc0, m::vcov_hc3, m::vcov_nw3, m::vcov_nw3_adjusted, m::coeftest_p                           \
  }

glm_fit check_glm(const glm_reference& r, glm_family family) {
  const auto fit = fit_glm(rows_of(r.design, r.n, r.p), vec(r.y),
                           {.family = family, .names = r.terms, .offset = vec(r.offset)});
  REQUIRE(fit.converged);
  REQUIRE(fit.wls.kept_names() == r.terms);
  CHECK(max_relative(fit.coefficients, vec(r.coefficients)) < 1e-9);
  CHECK(fit.deviance == Approx(r.deviance).epsilon(1e-10));
  CHECK(fit.null_deviance == Approx(r.null_deviance).epsilon(1e-9));
  CHECK(fit.df_residual == r.df_residual);
  CHECK(fit.df_null == r.df_null);
  CHECK(fit.iterations == r.iter);
  CHECK(max_relative(fit.fitted, vec(r.fitted)) < 1e-10);
  CHECK(max_relative(fit.wls.residuals, vec(r.working_residuals)) < 1e-7);  // near-zero residuals: relative
  CHECK((fit.wls.residuals - vec(r.working_residuals)).cwiseAbs().maxCoeff() < 1e-10);
  CHECK(max_relative(fit.wls.sqrt_weights.array().square().matrix(), vec(r.working_weights)) < 1e-10);
  CHECK(max_relative(fit.wls.hat, vec(r.hat)) < 1e-8);
  CHECK(fit.dispersion == Approx(r.dispersion).epsilon(1e-10));
  CHECK(fit.pearson_chi2 / fit.df_residual == Approx(r.pearson_dispersion).epsilon(1e-10));

  const auto model = covariance(fit, classical_covariance{});
  CHECK(scaled_difference(model.matrix, rows_of(r.vcov, r.p, r.p)) < 1e-8);
  CHECK(max_relative(model.matrix.diagonal().cwiseSqrt(), vec(r.std_errors)) < 1e-8);
  CHECK(scaled_difference(covariance(fit, hc_covariance{hc_type::hc0}).matrix, rows_of(r.vcov_hc0, r.p, r.p)) < 1e-8);
  CHECK(scaled_difference(covariance(fit, hc_covariance{hc_type::hc3}).matrix, rows_of(r.vcov_hc3, r.p, r.p)) < 1e-8);
  CHECK(scaled_difference(covariance(fit, hac_covariance{.lag = 3, .adjust = false}).matrix,
                          rows_of(r.vcov_nw3, r.p, r.p)) < 1e-8);
  CHECK(scaled_difference(covariance(fit, hac_covariance{.lag = 3, .adjust = true}).matrix,
                          rows_of(r.vcov_nw3_adjusted, r.p, r.p)) < 1e-8);
  return fit;
}

void check_z_p_values(const glm_fit& fit, const glm_reference& r) {
  // lmtest::coeftest(fit): z tests with the model-based covariance (the intercepts' p-values
  // underflow to 0 in R and here).
  const auto table = tidy(fit, covariance(fit, classical_covariance{}));
  for (std::size_t j = 0; j < r.p; ++j) {
    INFO("term " << r.terms[j]);
    CHECK(table.rows[j].p_value == Approx(r.coeftest_p[j]).epsilon(1e-7).margin(1e-300));
  }
}

}  // namespace

TEST_CASE("glm Poisson: the Sicily tutorial model matches R's glm", "[linalg][glm]") {
  const auto r = PILOTSTATS_GLM_REFERENCE(ref::sicily_poisson);
  const auto fit = check_glm(r, glm_family::poisson);
  CHECK(fit.aic == Approx(ref::sicily_poisson::aic).epsilon(1e-11));
  check_z_p_values(fit, r);
}

TEST_CASE("glm quasi-Poisson: dispersion and t tests as summary.glm", "[linalg][glm]") {
  namespace m = ref::sicily_quasipoisson;
  const auto fit = check_glm(PILOTSTATS_GLM_REFERENCE(m), glm_family::quasipoisson);
  const auto table = tidy(fit, covariance(fit, classical_covariance{}));
  for (std::size_t j = 0; j < m::p; ++j) {
    CHECK(table.rows[j].df == m::df_residual);
    CHECK(table.rows[j].p_value == Approx(m::summary_p_t[j]).epsilon(1e-7).margin(1e-300));
  }
}

TEST_CASE("glm Poisson with harmonics and with a slope change match R", "[linalg][glm]") {
  check_z_p_values(check_glm(PILOTSTATS_GLM_REFERENCE(ref::sicily_poisson_harmonic), glm_family::poisson),
                   PILOTSTATS_GLM_REFERENCE(ref::sicily_poisson_harmonic));
  const auto slope = check_glm(PILOTSTATS_GLM_REFERENCE(ref::sicily_poisson_slope), glm_family::poisson);
  CHECK(slope.aic == Approx(ref::sicily_poisson_slope::aic).epsilon(1e-11));
}

TEST_CASE("glm negative binomial: theta by ML and every output as MASS::glm.nb", "[linalg][glm]") {
  SECTION("Sicily with harmonics") {
    namespace m = ref::sicily_negbin;
    const auto fit = check_glm(PILOTSTATS_GLM_REFERENCE(m), glm_family::negative_binomial);
    REQUIRE(fit.theta);
    CHECK(*fit.theta == Approx(m::theta).epsilon(1e-9));
    CHECK(*fit.theta_std_error == Approx(m::se_theta).epsilon(1e-8));
    CHECK(2 * fit.log_likelihood == Approx(m::twologlik).epsilon(1e-11));
    CHECK(fit.aic == Approx(m::aic).epsilon(1e-11));
    CHECK(fit.outer_iterations == m::outer_iterations);
  }
  SECTION("Barking & Dagenham complaints, offset log(calls)") {
    namespace m = ref::london_negbin;
    const auto fit = check_glm(PILOTSTATS_GLM_REFERENCE(m), glm_family::negative_binomial);
    CHECK(*fit.theta == Approx(m::theta).epsilon(1e-9));
    CHECK(*fit.theta_std_error == Approx(m::se_theta).epsilon(1e-8));
    CHECK(2 * fit.log_likelihood == Approx(m::twologlik).epsilon(1e-11));
    CHECK(fit.outer_iterations == m::outer_iterations);
    check_z_p_values(fit, PILOTSTATS_GLM_REFERENCE(m));
  }
}

TEST_CASE("glm Poisson on the London complaints matches R", "[linalg][glm]") {
  const auto r = PILOTSTATS_GLM_REFERENCE(ref::london_poisson);
  check_z_p_values(check_glm(r, glm_family::poisson), r);
}

TEST_CASE("glm_coefficients: the estimates alone match R's (the in-time placebo's refits)", "[linalg][glm]") {
  // The same references as above: R's coefficients, 1e-9 relative.
  const auto check = [](const glm_reference& r, glm_family family) {
    std::vector<Eigen::Index> aliased{99};
    const Eigen::VectorXd b =
        glm_coefficients(rows_of(r.design, r.n, r.p), vec(r.y), {.family = family, .offset = vec(r.offset)}, &aliased);
    CHECK(aliased.empty());
    CHECK(max_relative(b, vec(r.coefficients)) < 1e-9);
  };
  check(PILOTSTATS_GLM_REFERENCE(ref::sicily_poisson_harmonic), glm_family::poisson);
  check(PILOTSTATS_GLM_REFERENCE(ref::sicily_quasipoisson), glm_family::quasipoisson);
  check(PILOTSTATS_GLM_REFERENCE(ref::sicily_negbin), glm_family::negative_binomial);
  check(PILOTSTATS_GLM_REFERENCE(ref::london_negbin), glm_family::negative_binomial);
  check(PILOTSTATS_GLM_REFERENCE(ref::london_poisson), glm_family::poisson);

  // A repeated column is aliased, as fit_glm (and R) report it: the later copy, estimate 0.
  namespace m = ref::sicily_poisson_slope;
  Eigen::MatrixXd x(m::n, m::p + 1);
  x << rows_of(m::design, m::n, m::p), rows_of(m::design, m::n, m::p).col(1);
  std::vector<Eigen::Index> aliased;
  const Eigen::VectorXd b = glm_coefficients(x, vec(m::y), {.family = glm_family::poisson, .offset = vec(m::offset)}, &aliased);
  REQUIRE(aliased == std::vector<Eigen::Index>{static_cast<Eigen::Index>(m::p)});
  CHECK(b(static_cast<Eigen::Index>(m::p)) == 0);
  CHECK(max_relative(b.head(static_cast<Eigen::Index>(m::p)), vec(m::coefficients)) < 1e-9);
  CHECK_THROWS_WITH(glm_coefficients(x, -vec(m::y), {.family = glm_family::poisson}), Catch::Contains("nonnegative"));
}

TEST_CASE("glm: bad input says what and where", "[linalg][glm]") {
  Eigen::MatrixXd x = Eigen::MatrixXd::Ones(4, 1);
  Eigen::VectorXd y(4);
  y << 1, 2, -3, 4;
  CHECK_THROWS_WITH(fit_glm(x, y), Catch::Contains("y at row 3 is -3") && Catch::Contains("nonnegative"));
  y(2) = 3;
  Eigen::VectorXd offset(4);
  offset << 0, 0, -INFINITY, 0;
  CHECK_THROWS_WITH(fit_glm(x, y, {.offset = offset}), Catch::Contains("offset of row 3"));
  CHECK_THROWS_WITH(fit_glm(x, y, {.family = glm_family::negative_binomial, .theta = -1.0}),
                    Catch::Contains("theta is -1"));
}
