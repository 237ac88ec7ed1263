// The London use case for online monitoring: East Area's monthly response times (mean of
// Barking & Dagenham, Havering and Redbridge; go-live 2016-12 with a jump of 8 minutes,
// london_bcu.truth.json). A Page CUSUM with a 24-month baseline (2014-01..2015-12) sets the
// in-control mean and sd and must signal in the first months after go-live and never before;
// BOCPD must put a high change probability on go-live and a low one on every earlier month.
#include <catch2/catch.hpp>

#include "../support/london_panel.hpp"
#include "pilotstats/changepoint/bocpd.hpp"
#include "pilotstats/changepoint/page_cusum.hpp"

using namespace pilotstats;

namespace {
struct east_area_series {
  std::vector<month> months;
  Eigen::VectorXd minutes;
};

east_area_series east_area_response() {
  const auto& p = pilotstats_test::london_panel();
  east_area_series d;
  const std::vector<std::string> boroughs = {"Barking & Dagenham", "Havering", "Redbridge"};
  for (const auto& b : boroughs) {
    const auto s = p.unit_series(b, "response_minutes");
    if (d.months.empty()) {
      d.months = s.months;
      d.minutes = Eigen::VectorXd::Zero(s.values.size());
    }
    d.minutes += s.values / static_cast<double>(boroughs.size());
  }
  return d;
}

Eigen::Index index_of(const std::vector<month>& months, month m) {
  return static_cast<Eigen::Index>(std::find(months.begin(), months.end(), m) - months.begin());
}
}  // namespace

TEST_CASE("London: the Page CUSUM on East Area response times signals after go-live, not before",
          "[changepoint][page_cusum][london]") {
  const auto d = east_area_response();
  const Eigen::Index go_live = index_of(d.months, month(2016, 12));
  REQUIRE(go_live == 35);
  // k = 0.5, h = 5: in-control two-sided ARL 465 months (R spc xcusum.arl(0.5, 5, 0, sided = "two"))
  const auto m = page_cusum_normal(d.minutes, {.k = 0.5, .h = 5, .baseline = 24});
  REQUIRE(m.first_signal);
  INFO("first signal " << d.months[static_cast<std::size_t>(*m.first_signal)]);
  CHECK(*m.first_signal >= go_live);
  CHECK(*m.first_signal <= go_live + 3);
  CHECK(m.warnings.size() == 1);  // parameters estimated from 24 months
  // the same for each borough on its own
  for (const char* b : {"Barking & Dagenham", "Havering", "Redbridge"}) {
    INFO(b);
    const auto s = pilotstats_test::london_panel().unit_series(b, "response_minutes");
    const auto r = page_cusum_normal(s.values, {.k = 0.5, .h = 5, .baseline = 24});
    REQUIRE(r.first_signal);
    CHECK(*r.first_signal >= go_live);
    CHECK(*r.first_signal <= go_live + 3);
  }
}

TEST_CASE("London: BOCPD puts the East Area change at go-live", "[changepoint][bocpd][london]") {
  const auto d = east_area_response();
  const Eigen::Index go_live = index_of(d.months, month(2016, 12));
  // a vague prior around 15 minutes (precision ~ Gamma(1, 0.5)); a change every 5 years a priori
  const auto r = bocpd_run(normal_gamma{.mu0 = 15, .kappa0 = 0.1, .alpha0 = 1, .beta0 = 0.5}, d.minutes, {.hazard_lambda = 60});
  CHECK(r.steps[static_cast<std::size_t>(go_live)].change_probability > 0.9);
  for (Eigen::Index t = 1; t < go_live; ++t) {
    INFO(d.months[static_cast<std::size_t>(t)]);
    CHECK(r.steps[static_cast<std::size_t>(t)].change_probability < 0.1);
  }
  // a month later the run that began at go-live is the most probable
  CHECK(r.steps[static_cast<std::size_t>(go_live + 1)].map_run_length == 2);
}
