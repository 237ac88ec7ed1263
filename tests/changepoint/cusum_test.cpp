// CUSUM test for a change in mean against R strucchange 1.5-3:
// sctest(efp(y ~ 1, type = "OLS-CUSUM")) on the reference series
// (tests/reference/changepoint_cusum_reference.R prints these numbers).
#include <catch2/catch.hpp>

#include <string>

#include "../support/numeric_csv.hpp"
#include "pilotstats/changepoint/cusum.hpp"

namespace {
namespace ps = pilotstats;

struct cusum_case {
  std::string series;
  double statistic, p_value;
  Eigen::Index location;
};
}  // namespace

TEST_CASE("CUSUM mean test: statistic, p-value and location as strucchange", "[changepoint][cusum]") {
  const cusum_case cases[] = {
      {"monthly_response_72", 1.7678967275597188, 0.0038573667969608039, 35},
      {"normal_mean_500", 3.8458094610914602, 2.8466118351389014e-13, 380},
      {"poisson_300", 4.5667632465243244, 0, 99},
      {"normal_var_600", 0.67002755826734006, 0.76037348259106674, 234},
  };
  for (const auto& c : cases) {
    INFO(c.series);
    const Eigen::VectorXd y =
        pilotstats_test::read_numeric_csv(std::string(PILOTSTATS_TEST_DATA_DIR) + "/changepoint/" + c.series + ".csv").column("y");
    const auto r = ps::cusum_mean_test(y);
    CHECK(r.statistic == Approx(c.statistic).epsilon(1e-12));
    CHECK(r.location == c.location);
    if (c.p_value > 1e-10) {
      CHECK(r.p_value == Approx(c.p_value).epsilon(1e-10));
    } else {
      // strucchange computes 1 - (1 - p) and loses the digits here (0 for poisson_300); the
      // leading term 2 exp(-2 S^2) is the p-value to many digits at such S.
      CHECK(r.p_value == Approx(2 * std::exp(-2 * c.statistic * c.statistic)).epsilon(1e-9));
      CHECK(r.p_value == Approx(c.p_value).epsilon(1e-3).margin(1e-15));
    }
  }
}

TEST_CASE("Brownian-bridge supremum tail against strucchange's pvalue.efp", "[changepoint][cusum]") {
  const std::pair<double, double> points[] = {{0.3, 0.99999069419866549}, {0.5, 0.96394524366487511},
                                              {0.8, 0.54414241157419807}, {1.0, 0.2699996716773545},
                                              {1.358, 0.050026797334447037}, {2.0, 0.00067092525577971962}};
  for (const auto& [x, p] : points) CHECK(ps::brownian_bridge_sup_upper(x) == Approx(p).epsilon(1e-10));
  CHECK(ps::brownian_bridge_sup_upper(0) == 1);
  // The two series agree where they meet.
  CHECK(ps::brownian_bridge_sup_upper(1 - 1e-12) == Approx(ps::brownian_bridge_sup_upper(1)).epsilon(1e-10));
}

TEST_CASE("CUSUM mean test: errors", "[changepoint][cusum][errors]") {
  CHECK_THROWS_AS(ps::cusum_mean_test(Eigen::VectorXd::Constant(10, 2.0)), ps::domain_error);
  CHECK_THROWS_AS(ps::cusum_mean_test(Eigen::VectorXd::LinSpaced(2, 0, 1)), ps::invalid_input);
  Eigen::VectorXd y = Eigen::VectorXd::LinSpaced(10, 0, 1);
  y(3) = std::nan("");
  CHECK_THROWS_AS(ps::cusum_mean_test(y), ps::invalid_input);
  CHECK_THROWS_AS(ps::brownian_bridge_sup_upper(-1), ps::invalid_input);
}
