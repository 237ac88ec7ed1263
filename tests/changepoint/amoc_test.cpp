// At most one change: R changepoint 2.3's AMOC calls on the reference series (cpt.mean and
// cpt.meanvar(test.stat = "Poisson"), MBIC), and the statistic against a direct scan.
#include <catch2/catch.hpp>

#include <string>

#include "../support/numeric_csv.hpp"
#include "changepoint_reference.hpp"
#include "pilotstats/changepoint.hpp"

namespace {
namespace ps = pilotstats;
}

TEST_CASE("R changepoint 2.3: AMOC calls on the reference series", "[changepoint][reference][amoc]") {
  int checked = 0;
  for (const auto& c : pilotstats_test::changepoint_reference()) {
    if (c.call.find("_AMOC_") == std::string::npos) continue;
    INFO(c.series << " " << c.call);
    const Eigen::VectorXd y =
        pilotstats_test::read_numeric_csv(std::string(PILOTSTATS_TEST_DATA_DIR) + "/changepoint/" + c.series + ".csv").column("y");
    const ps::changepoint_options o{.method = ps::search_method::amoc, .penalty = {.kind = ps::penalty_kind::mbic}};
    const auto r = c.call.rfind("poisson_", 0) == 0 ? ps::find_changepoints(ps::poisson_cost(y), o)
                                                    : ps::find_changepoints(ps::normal_mean_cost(y), o);
    CHECK(r.changepoints == std::vector<Eigen::Index>(c.cpts.begin(), c.cpts.end()));
    CHECK(r.changepoints.size() <= 1);
    ++checked;
  }
  CHECK(checked == 6);
}

TEST_CASE("AMOC: the best single split, kept when its reduction reaches the penalty", "[changepoint][amoc]") {
  ps::pcg64 rng(41);
  Eigen::VectorXd y(80);
  for (Eigen::Index t = 0; t < 80; ++t) y(t) = ps::draw::normal(rng, t < 50 ? 0.0 : 1.5, 1.0);
  const ps::normal_mean_cost cost(y);
  const auto a = ps::at_most_one_change(cost, 0.0, 3);
  const auto one = ps::fixed_changes(cost, 1, 3);
  CHECK(a.location == one.changepoints[0]);
  CHECK(a.statistic == Approx(cost(0, 80) - one.cost));
  CHECK(a.change);
  CHECK_FALSE(ps::at_most_one_change(cost, a.statistic + 1e-6, 3).change);
  CHECK(ps::at_most_one_change(cost, a.statistic, 3).change);  // >=, as R's decision()
  // R's MBIC terms: log(tau) + log(n - tau + 1) off the statistic.
  const auto m = ps::at_most_one_change(cost, 0.0, 3, true);
  CHECK(m.statistic == Approx(a.statistic - std::log(double(a.location)) - std::log(80.0 - double(a.location) + 1)));
}
