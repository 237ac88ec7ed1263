// The segmented-regression design: its terms, and the Sicily tutorial model refitted through
// it, against R (tests/reference/glm_reference.R, case sicily_poisson_slope).
#include <catch2/catch.hpp>

#include <cmath>

#include "../linalg/glm_reference.hpp"
#include "pilotstats/inference/glm_covariance.hpp"
#include "pilotstats/its/design.hpp"
#include "pilotstats/linalg/glm.hpp"

using namespace pilotstats;

namespace {

std::vector<month> month_range(month first, int count) {
  std::vector<month> out;
  for (int i = 0; i < count; ++i) out.push_back(first + i);
  return out;
}

}  // namespace

TEST_CASE("its design: level change is the first post month's effect, slope change 0 there", "[its][design]") {
  const auto d = make_its_design(month_range(month(2016, 1), 24), {.interruptions = {{month(2016, 12)}}});
  REQUIRE(d.names == std::vector<std::string>{"intercept", "trend", "level_change", "slope_change"});
  const Eigen::Index nov = 10, dec = 11, jan = 12;
  CHECK(d.x(nov, 1) == 10);
  CHECK(d.x(nov, 2) == 0);
  CHECK(d.x(dec, 2) == 1);
  CHECK(d.x(dec, 3) == 0);
  CHECK(d.x(jan, 3) == 1);
  CHECK(d.rows.size() == 24);
  CHECK(d.warnings.empty());
}

TEST_CASE("its design: several interruptions, transition window, seasonality", "[its][design]") {
  const auto d = make_its_design(month_range(month(2014, 1), 72),
                                 {.interruptions = {{month(2016, 12), 2}, {month(2018, 6)}},
                                  .season = {seasonality_kind::month_dummies}});
  CHECK(d.column("level_change_2016-12") == 2);
  CHECK(d.column("slope_change_2018-06") == 5);
  CHECK(d.column("month_12") == 16);
  CHECK(d.rows.size() == 70);  // 2016-12 and 2017-01 left out
  CHECK(d.x(0, d.column("month_02")) == 0);   // January is the reference
  CHECK(d.x(1, d.column("month_02")) == 1);
  const auto f = make_its_design(month_range(month(2014, 1), 72),
                                 {.interruptions = {{month(2016, 12)}}, .season = {seasonality_kind::fourier, 3}});
  CHECK(f.names.back() == "cos_3");
  CHECK(f.x(2, f.column("sin_1")) == Approx(std::sin(2 * M_PI * 3 / 12.0)));
  CHECK_THROWS_WITH(d.column("level_change"), Catch::Contains("no term 'level_change'"));
}

TEST_CASE("its design: bad or doubtful interruptions", "[its][design]") {
  const auto months = month_range(month(2016, 1), 24);
  CHECK_THROWS_WITH(make_its_design(months, {}), Catch::Contains("no interruption"));
  CHECK_THROWS_WITH(make_its_design(months, {.interruptions = {{month(2019, 1)}}}),
                    Catch::Contains("2019-01 is outside the series (2016-01 to 2017-12)"));
  CHECK_THROWS_WITH(make_its_design(months, {.interruptions = {{month(2017, 1)}, {month(2016, 6)}}}),
                    Catch::Contains("increasing order"));
  const auto late = make_its_design(months, {.interruptions = {{month(2017, 8)}}});
  REQUIRE(late.warnings.size() == 1);
  CHECK_THAT(late.warnings[0], Catch::Contains("only 5 months after it"));
}

TEST_CASE("its design: the Sicily tutorial model refitted through it matches R", "[its][design]") {
  // R's parametrization: smokban, time (1..59), I((time - 36) * smokban). Ours: trend = time - 1,
  // slope_change = (time - 37) smokban, so level_change = b_smokban + b_slope and the fitted
  // values, deviance and slope are R's.
  namespace r = pilotstats_reference::sicily_poisson_slope;
  const auto d = make_its_design(month_range(month(2002, 1), 59),
                                 {.interruptions = {{month(2005, 1)}}, .season = {seasonality_kind::fourier, 2}});
  Eigen::VectorXd y(59), offset(59);
  for (Eigen::Index i = 0; i < 59; ++i) {
    y(i) = r::y[static_cast<std::size_t>(i)];
    offset(i) = r::offset[static_cast<std::size_t>(i)];
  }
  const auto fit = fit_glm(d.x, y, {.family = glm_family::poisson, .names = d.names, .offset = offset});
  CHECK(fit.deviance == Approx(r::deviance).epsilon(1e-10));
  for (Eigen::Index i = 0; i < 59; ++i) CHECK(fit.fitted(i) == Approx(r::fitted_values[static_cast<std::size_t>(i)]).epsilon(1e-9));
  const auto at = [&](const char* term) {
    for (std::size_t j = 0; j < r::term_names.size(); ++j)
      if (r::term_names[j] == term) return j;
    FAIL("no R term " << term);
    return std::size_t{0};
  };
  const std::size_t smokban = at("smokban"), slope = at("I((time - 36) * smokban)"), time = at("time");
  const auto v = [&](std::size_t i, std::size_t j) { return r::vcov[i * r::p + j]; };
  const auto table = tidy(fit, covariance(fit, classical_covariance{}));
  CHECK(table["level_change"].estimate == Approx(r::coefficients[smokban] + r::coefficients[slope]).epsilon(1e-8));
  CHECK(table["level_change"].std_error ==
        Approx(std::sqrt(v(smokban, smokban) + v(slope, slope) + 2 * v(smokban, slope))).epsilon(1e-7));
  CHECK(table["slope_change"].estimate == Approx(r::coefficients[slope]).epsilon(1e-8));
  CHECK(table["trend"].estimate == Approx(r::coefficients[time]).epsilon(1e-8));
  CHECK(table["trend"].std_error == Approx(r::std_errors[time]).epsilon(1e-7));
}
