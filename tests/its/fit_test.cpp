// fit_its on the bundled London data: against R (glm_reference.R, cases london_negbin and
// london_poisson, the same parametrization) and against the simulation's truth.
#include <catch2/catch.hpp>

#include <cmath>

#include "../linalg/glm_reference.hpp"
#include "../support/london_panel.hpp"
#include "pilotstats/its/fit.hpp"

using namespace pilotstats;

namespace {

const panel& london() { return pilotstats_test::london_panel(); }

}  // namespace

TEST_CASE("fit_its: Barking & Dagenham complaints, NB with log(calls) offset, as MASS::glm.nb", "[its][fit]") {
  namespace r = pilotstats_reference::london_negbin;
  const auto complaints = london().unit_series("Barking & Dagenham", "complaints");
  const auto calls = london().unit_series("Barking & Dagenham", "calls");
  const auto its = fit_its(complaints, {.interruptions = {{month(2016, 12)}}, .model = glm_family::negative_binomial}, &calls);
  REQUIRE(its.table.rows.size() == 4);
  for (std::size_t j = 0; j < 4; ++j) {
    CHECK(its.table.rows[j].estimate == Approx(r::coefficients[j]).epsilon(1e-9));
    CHECK(its.table.rows[j].std_error == Approx(r::std_errors[j]).epsilon(1e-8));
  }
  CHECK(*its.fit.theta == Approx(r::theta).epsilon(1e-9));
  REQUIRE(its.effects.size() == 1);
  REQUIRE(its.effects[0].level_ratio);
  CHECK(its.effects[0].level_ratio->estimate == Approx(std::exp(r::coefficients[2])).epsilon(1e-9));
  // The simulation's truth (london_bcu.truth.json): East Area rate ratio 2.9 at go-live,
  // log slope -0.028 per month. The 95% intervals must contain them.
  CHECK(its.effects[0].level_ratio->conf_low < 2.9);
  CHECK(its.effects[0].level_ratio->conf_high > 2.9);
  CHECK(its.effects[0].slope_change.conf_low < -0.028);
  CHECK(its.effects[0].slope_change.conf_high > -0.028);
}

TEST_CASE("fit_its: Poisson on overdispersed counts warns; gaussian rejects an offset", "[its][fit]") {
  namespace r = pilotstats_reference::london_poisson;
  const auto complaints = london().unit_series("Barking & Dagenham", "complaints");
  const auto calls = london().unit_series("Barking & Dagenham", "calls");
  const auto its = fit_its(complaints, {.interruptions = {{month(2016, 12)}}, .model = glm_family::poisson}, &calls);
  for (std::size_t j = 0; j < 4; ++j) CHECK(its.table.rows[j].estimate == Approx(r::coefficients[j]).epsilon(1e-9));
  const double ratio = r::pearson_dispersion;  // R: sum(residuals(fit, "pearson")^2) / df.residual
  INFO("R's Pearson dispersion " << ratio);
  const bool warned = std::any_of(its.warnings.begin(), its.warnings.end(),
                                  [](const std::string& w) { return w.find("overdispersion") != std::string::npos; });
  CHECK(warned == (ratio > 1.5));
  CHECK_THROWS_WITH(fit_its(complaints, {.interruptions = {{month(2016, 12)}}}, &calls),
                    Catch::Contains("needs a log-link model"));
}

TEST_CASE("fit_its: missing months are left out and listed", "[its][fit]") {
  panel_builder b({"y"});
  for (int t = 0; t < 30; ++t) {
    std::optional<double> v = 10.0 + t + (t >= 15 ? 5.0 : 0.0) + (t % 3) * 0.1;
    if (t == 4 || t == 20) v.reset();
    b.add_row("A", month(2016, 1) + t, {v});
  }
  const auto p = b.build();
  const auto its = fit_its(p.unit_series("A", "y"), {.interruptions = {{month(2017, 4)}}});
  CHECK(its.fit.wls.n == 28);
  REQUIRE_FALSE(its.warnings.empty());
  CHECK_THAT(its.warnings[0], Catch::Contains("2 month(s) with a missing value left out: 2016-05, 2017-09"));
  CHECK(its.effects[0].level_change.estimate == Approx(5.0).margin(0.2));
}
