// Controlled ITS against R (tests/reference/its_controlled_reference.R: lm on the stacked data):
// Barking & Dagenham's response times against Bromley, Croydon and Sutton, 2014-01 .. 2018-04,
// interruption 2016-12. Tolerance 1e-10 relative.
#include <catch2/catch.hpp>

#include "../support/london_panel.hpp"
#include "pilotstats/its/controlled.hpp"
#include "pilotstats/its/placebo.hpp"

using namespace pilotstats;

namespace {

struct data {
  series treated;
  std::vector<series> controls;
};

data response_times() {
  const auto& p = pilotstats_test::london_panel();
  const month end = month(2018, 5);  // before the first rollout
  data d{detail::head_before(p.unit_series("Barking & Dagenham", "response_minutes"), end), {}};
  for (const char* c : {"Bromley", "Croydon", "Sutton"})
    d.controls.push_back(detail::head_before(p.unit_series(c, "response_minutes"), end));
  return d;
}

}  // namespace

TEST_CASE("controlled ITS: pooled and averaged controls match lm on the stacked data", "[its][controlled]") {
  const auto d = response_times();
  const its_options options{.interruptions = {{month(2016, 12)}}};
  // R: coef(f), sqrt(diag(vcov(f))) in the order intercept, t, group, group:t, level, slope,
  // group:level, group:slope (the order of our terms).
  const double coef[] = {16.255285714285715670, 0.010955182072829021, -1.427619047619056669, -0.026868347338935204,
                         0.618276377217544248, 0.062116713352007975, 18.370233426704018598, -0.913164332399626466};
  const double pooled_se[] = {0.330550480790688328, 0.016716656345186279, 0.661100961581378432, 0.033433312690372585,
                              0.578116020222771865, 0.052197742707801136, 1.156232040445542841, 0.104395485415602243};
  const double averaged_se[] = {0.670149508737227673, 0.033890917389254739, 0.947734524073854945, 0.047928995013150226,
                                1.172057490337570673, 0.105824355629890621, 1.657539598716365026, 0.149658238961184908};
  const auto pooled = fit_controlled_its(d.treated, d.controls, options, control_mode::pooled);
  const auto averaged = fit_controlled_its(d.treated, d.controls, options, control_mode::averaged);
  REQUIRE(pooled.table.rows.size() == 8);
  for (std::size_t j = 0; j < 8; ++j) {
    INFO("term " << pooled.table.rows[j].term);
    CHECK(pooled.table.rows[j].estimate == Approx(coef[j]).epsilon(1e-10).margin(1e-13));
    CHECK(pooled.table.rows[j].std_error == Approx(pooled_se[j]).epsilon(1e-10));
    CHECK(averaged.table.rows[j].estimate == Approx(coef[j]).epsilon(1e-10).margin(1e-13));
    CHECK(averaged.table.rows[j].std_error == Approx(averaged_se[j]).epsilon(1e-10));
  }
  REQUIRE(pooled.effects.size() == 1);
  CHECK(pooled.effects[0].level_difference.term == "group_level_change");
  CHECK(pooled.effects[0].level_difference.estimate == Approx(18.370233426704018598).epsilon(1e-10));
  CHECK(pooled.pre_trend_difference.term == "group_trend");
}

TEST_CASE("controlled ITS: inconsistent arguments are errors", "[its][controlled]") {
  const auto d = response_times();
  CHECK_THROWS_WITH(fit_controlled_its(d.treated, {}, {.interruptions = {{month(2016, 12)}}}),
                    Catch::Contains("no control series"));
  CHECK_THROWS_WITH(fit_controlled_its(d.treated, d.controls, {.interruptions = {{month(2016, 12)}}},
                                       control_mode::pooled, &d.treated),
                    Catch::Contains("or for neither"));
}
