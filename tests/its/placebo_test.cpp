// In-time placebo: which dates are admissible, and that a real effect stands out while a
// series without one does not.
#include <catch2/catch.hpp>

#include "../support/london_panel.hpp"
#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/its/placebo.hpp"

using namespace pilotstats;

TEST_CASE("in-time placebo: Barking & Dagenham's level change stands out from every placebo", "[its][placebo]") {
  const auto& p = pilotstats_test::london_panel();
  const auto complaints = p.unit_series("Barking & Dagenham", "complaints");
  const auto calls = p.unit_series("Barking & Dagenham", "calls");
  const auto r = in_time_placebo(complaints, {.interruptions = {{month(2016, 12)}}, .model = glm_family::negative_binomial},
                                 &calls);
  // Pre-period 2014-01 .. 2016-11 (35 months); 8 months each side: 2014-09 .. 2016-04, 20 dates.
  REQUIRE(r.dates.size() == 20);
  CHECK(r.dates.front() == month(2014, 9));
  CHECK(r.dates.back() == month(2016, 4));
  CHECK(r.p_value == Approx(1.0 / 21));
  CHECK(r.warnings.empty());
}

TEST_CASE("in-time placebo: a series with no effect is not singled out", "[its][placebo]") {
  // Gaussian noise around a trend, no interruption effect: the real date's level change should
  // look like the placebos' (p well above 0.05 for this seed).
  pcg64 rng(11);
  panel_builder b({"y"});
  for (int t = 0; t < 60; ++t) b.add_row("A", month(2015, 1) + t, {20.0 + 0.1 * t + draw::standard_normal(rng)});
  const auto r = in_time_placebo(b.build().unit_series("A", "y"), {.interruptions = {{month(2018, 1)}}});
  CHECK(r.dates.size() == 21);  // 36 pre months, 8 each side: indices 8 .. 28
  CHECK(r.p_value > 0.2);
  const auto short_series = [&] {
    panel_builder s({"y"});
    for (int t = 0; t < 30; ++t) s.add_row("A", month(2015, 1) + t, {1.0 * t + (t % 2)});
    return s.build().unit_series("A", "y");
  }();
  CHECK_THROWS_WITH(in_time_placebo(short_series, {.interruptions = {{month(2015, 12)}}}), Catch::Contains("too short"));
}
