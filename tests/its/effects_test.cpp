// Effects of an interruption against R (tests/reference/its_effects_reference.R prints each
// number): Barking & Dagenham complaints, glm.nb with offset log(calls), interruption 2016-12.
// Tolerances 1e-8 relative (the fit itself matches glm.nb to 1e-9, see fit_test.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "../support/london_panel.hpp"
#include "pilotstats/its/effects.hpp"

using namespace pilotstats;

namespace {

its_result barking_and_dagenham() {
  const auto& p = pilotstats_test::london_panel();
  const auto complaints = p.unit_series("Barking & Dagenham", "complaints");
  const auto calls = p.unit_series("Barking & Dagenham", "calls");
  return fit_its(complaints, {.interruptions = {{month(2016, 12)}}, .model = glm_family::negative_binomial}, &calls);
}

}  // namespace

TEST_CASE("its effects: effect at month k, window effects and counterfactual match R", "[its][effects]") {
  const auto its = barking_and_dagenham();
  // R: c6 <- c(0, 0, 1, 6); sum(c6 * coef(f)); sqrt(t(c6) %*% vcov(f) %*% c6)
  const auto k6 = effect_at(its, month(2016, 12), 6);
  CHECK(k6.estimate == Approx(0.77851741066864122).epsilon(1e-8));
  CHECK(k6.std_error == Approx(0.11892861863404652).epsilon(1e-8));
  REQUIRE(k6.ratio);
  CHECK(k6.ratio->estimate == Approx(std::exp(0.77851741066864122)).epsilon(1e-8));
  CHECK(k6.ratio->conf_low == Approx(std::exp(0.77851741066864122 - 1.959963984540054 * 0.11892861863404652)).epsilon(1e-8));

  // R: predict(f, newdata = 2017-06 with after = since = 0, type = "link", se.fit = TRUE)
  const auto path = counterfactual(its, month(2016, 12));
  const auto june = std::find_if(path.begin(), path.end(), [](const auto& p) { return p.at == month(2017, 6); });
  REQUIRE(june != path.end());
  CHECK(june->counterfactual == Approx(30.426171691703956).epsilon(1e-8));
  CHECK(june->conf_high == Approx(30.426171691703956 * std::exp(1.959963984540054 * 0.108233431530318)).epsilon(1e-8));
  // Before the interruption the counterfactual is the fit.
  CHECK(path.front().counterfactual == Approx(path.front().fitted).epsilon(1e-14));

  // R: cumulative sum(mu - mu_cf) over 2016-12 .. 2017-11 and its delta-method SE
  const auto w = window_effect(its, month(2016, 12), month(2016, 12), month(2017, 11));
  CHECK(w.months == 12);
  CHECK(w.cumulative.estimate == Approx(401.90971898164628).epsilon(1e-8));
  CHECK(w.cumulative.std_error == Approx(51.374820653072504).epsilon(1e-8));
  CHECK(w.average.estimate == Approx(33.492476581803857).epsilon(1e-8));
  CHECK(w.average.std_error == Approx(4.2812350544227069).epsilon(1e-8));
}

TEST_CASE("its effects: bad requests are errors", "[its][effects]") {
  const auto its = barking_and_dagenham();
  CHECK_THROWS_WITH(effect_at(its, month(2017, 1), 0), Catch::Contains("no interruption at 2017-01"));
  CHECK_THROWS_WITH(effect_at(its, month(2016, 12), -1), Catch::Contains("k is -1"));
  CHECK_THROWS_WITH(window_effect(its, month(2016, 12), month(2016, 6), month(2017, 1)),
                    Catch::Contains("must start at or after the interruption"));
}
