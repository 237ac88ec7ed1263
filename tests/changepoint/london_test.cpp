// The London done-means check: the East Area response-time change (go-live 2016-12, a jump of
// 8 minutes; london_bcu.truth.json) is found within one month by each offline method an
// analyst would reach for: PELT under MBIC with the normal mean, mean-and-variance and trend
// costs, and Bai-Perron breakpoints (level only; level and trend, whose date interval must
// contain the truth). The series is the mean of the three East Area boroughs, 2014-01..2019-12.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "pilotstats/changepoint.hpp"
#include "../support/london_panel.hpp"

using namespace pilotstats;

namespace {

struct east_area_response {
  std::vector<month> months;
  Eigen::VectorXd minutes;
};

east_area_response east_area() {
  const auto& p = pilotstats_test::london_panel();
  east_area_response d;
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

// The first month of the segment that a change (R's cpt: observations before it) opens.
month first_month_after(const east_area_response& d, Eigen::Index change) {
  return d.months[static_cast<std::size_t>(change)];
}

}  // namespace

TEST_CASE("London: PELT finds the East Area response-time change within a month", "[changepoint][london]") {
  const auto d = east_area();
  const month truth = month(2016, 12);
  const changepoint_options options{.penalty = {.kind = penalty_kind::mbic}};
  const auto mean = find_changepoints(normal_mean_cost(d.minutes), options);
  const auto meanvar = find_changepoints(normal_meanvar_cost(d.minutes), options);
  const auto trend = find_changepoints(linear_trend_cost(d.minutes), options);
  for (const auto* r : {&mean, &meanvar, &trend}) {
    REQUIRE_FALSE(r->changepoints.empty());
    const month found = first_month_after(d, r->changepoints.front());
    INFO("first change opens " << found);
    CHECK(std::abs(found - truth) <= 1);
  }
}

TEST_CASE("London: Bai-Perron dates the East Area response-time change, its interval covers it", "[changepoint][london]") {
  const auto d = east_area();
  const auto n = d.minutes.size();
  const Eigen::Index truth = month(2016, 12) - d.months.front();  // 35: the first post month, 0-based
  const Eigen::MatrixXd level = Eigen::MatrixXd::Ones(n, 1);
  const auto bp_level = breakpoints(d.minutes, level, {.h = 0.1});
  REQUIRE_FALSE(bp_level.breakpoints.empty());
  CHECK(std::abs(bp_level.breakpoints.front() - truth) <= 1);

  Eigen::MatrixXd level_trend(n, 2);
  level_trend.col(0).setOnes();
  level_trend.col(1) = Eigen::VectorXd::LinSpaced(n, 0, static_cast<double>(n - 1));
  const auto bp_trend = breakpoints(d.minutes, level_trend, {.h = 0.1});
  // The break nearest the truth, and its 95% interval (confint's convention, as the breaks).
  std::size_t nearest = 0;
  for (std::size_t i = 1; i < bp_trend.breakpoints.size(); ++i)
    if (std::abs(bp_trend.breakpoints[i] - truth) < std::abs(bp_trend.breakpoints[nearest] - truth)) nearest = i;
  REQUIRE(nearest < bp_trend.intervals.size());
  CHECK(std::abs(bp_trend.breakpoints[nearest] - truth) <= 1);
  CHECK(bp_trend.intervals[nearest].lower <= truth);
  CHECK(bp_trend.intervals[nearest].upper >= truth);
}
