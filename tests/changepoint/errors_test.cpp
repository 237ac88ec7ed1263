// Bad input throws pilotstats::invalid_input with a message that says what and where.
#include <catch2/catch.hpp>

#include <limits>

#include "pilotstats/changepoint.hpp"

namespace {
namespace ps = pilotstats;
using Catch::Matchers::Contains;

Eigen::VectorXd ramp(Eigen::Index n) { return Eigen::VectorXd::LinSpaced(n, 0.0, 1.0); }
}  // namespace

TEST_CASE("too short a series", "[changepoint][errors]") {
  const Eigen::VectorXd one = Eigen::VectorXd::Constant(1, 2.0);
  CHECK_THROWS_WITH(ps::normal_mean_cost(one), Contains("1 values") && Contains("at least 2"));
  CHECK_THROWS_AS(ps::poisson_cost(Eigen::VectorXd()), ps::invalid_input);
  CHECK_THROWS_AS(ps::linear_trend_cost(one), ps::invalid_input);
}

TEST_CASE("NaN and infinite values name their position", "[changepoint][errors]") {
  Eigen::VectorXd y = ramp(10);
  y(6) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(ps::normal_mean_cost(y), Contains("value 7 (1-based) is NaN"));
  CHECK_THROWS_WITH(ps::normal_meanvar_cost(y), Contains("normal mean and variance"));
  y(6) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(ps::normal_var_cost(y), Contains("value 7 (1-based) is infinite"));
  CHECK_THROWS_WITH(ps::normal_var_cost(ramp(10), std::numeric_limits<double>::quiet_NaN()), Contains("known mean"));
}

TEST_CASE("Poisson needs non-negative integer counts", "[changepoint][errors]") {
  Eigen::VectorXd y = Eigen::VectorXd::Constant(8, 3.0);
  y(2) = 2.5;
  CHECK_THROWS_WITH(ps::poisson_cost(y), Contains("value 3 (1-based)") && Contains("non-negative integers"));
  y(2) = -1;
  CHECK_THROWS_AS(ps::poisson_cost(y), ps::invalid_input);
}

TEST_CASE("minimum segment length too big, or below what the cost needs", "[changepoint][errors]") {
  const ps::normal_mean_cost cost(ramp(9));
  CHECK_THROWS_WITH(ps::pelt(cost, 1.0, 5), Contains("pelt: minimum segment length 5 is too large") && Contains("9 values"));
  CHECK_THROWS_AS(ps::optimal_partitioning(cost, 1.0, 5), ps::invalid_input);
  CHECK_THROWS_AS(ps::binary_segmentation(cost, 1.0, 3, 5), ps::invalid_input);
  CHECK_THROWS_AS(ps::wild_binary_segmentation(cost, 1.0, 5), ps::invalid_input);
  CHECK_THROWS_AS(ps::find_changepoints(cost, {.min_segment_length = 5}), ps::invalid_input);
  CHECK_THROWS_AS(ps::fixed_changes(cost, 2, 4), ps::invalid_input);  // 3 segments of 4 > 9
  CHECK_THROWS_AS(ps::pelt(cost, 1.0, 0), ps::invalid_input);
  const ps::normal_meanvar_cost mv(ramp(9));
  CHECK_THROWS_WITH(ps::pelt(mv, 1.0, 1), Contains("needs at least 2"));
  CHECK_THROWS_AS(ps::find_changepoints(mv, {.min_segment_length = -1}), ps::invalid_input);
  CHECK_NOTHROW(ps::pelt(cost, 1.0, 4));  // 9 >= 2 x 4
}

TEST_CASE("bad penalties", "[changepoint][errors]") {
  const ps::normal_mean_cost cost(ramp(20));
  CHECK_THROWS_WITH(ps::pelt(cost, -1.0, 1), Contains("penalty is -1"));
  CHECK_THROWS_AS(ps::pelt(cost, std::numeric_limits<double>::quiet_NaN(), 1), ps::invalid_input);
  CHECK_THROWS_AS(ps::optimal_partitioning(cost, std::numeric_limits<double>::infinity(), 1), ps::invalid_input);
  CHECK_THROWS_WITH(ps::find_changepoints(cost, {.penalty = {.kind = ps::penalty_kind::manual, .value = -3}}),
                    Contains("manual value is -3"));
  CHECK_THROWS_AS(ps::penalty_value({.kind = ps::penalty_kind::manual, .value = std::nan("")}, 20, 1), ps::invalid_input);
  // log(log(2)) < 0: R stops with "pen.value cannot be negative".
  CHECK_THROWS_WITH(ps::penalty_value({.kind = ps::penalty_kind::hannan_quinn}, 2, 1), Contains("must be >= 0"));
  CHECK_THROWS_AS(ps::crops(cost, 10, 5, 1), ps::invalid_input);
  CHECK_THROWS_AS(ps::crops(cost, -1, 5, 1), ps::invalid_input);
  CHECK_THROWS_AS(ps::wild_binary_segmentation(cost, -1.0, 1), ps::invalid_input);
}

TEST_CASE("bad search options", "[changepoint][errors]") {
  const ps::normal_mean_cost cost(ramp(20));
  CHECK_THROWS_WITH(ps::binary_segmentation(cost, 1.0, 0, 1), Contains("Q is 0"));
  CHECK_THROWS_AS(ps::find_changepoints(cost, {.method = ps::search_method::segment_neighbourhood, .max_changes = 0}),
                  ps::invalid_input);
  CHECK_THROWS_AS(ps::wild_binary_segmentation(cost, 1.0, 1, {.intervals = -5}), ps::invalid_input);
  CHECK_THROWS_AS(ps::fixed_changes(cost, -1, 1), ps::invalid_input);
  CHECK_THROWS_AS(ps::describe_segmentation(cost, {5, 3}), ps::invalid_input);
  CHECK_THROWS_AS(ps::describe_segmentation(cost, {20}), ps::invalid_input);
}

TEST_CASE("penalty values follow R's penalty_decision", "[changepoint][penalty]") {
  // R changepoint: SIC (p+1) log n, MBIC (p+2) log n, AIC 2(p+1), HQ 2(p+1) log log n.
  const double ln = std::log(500.0);
  CHECK(ps::penalty_value({.kind = ps::penalty_kind::sic}, 500, 2) == Approx(3 * ln));
  CHECK(ps::penalty_value({.kind = ps::penalty_kind::bic}, 500, 2) == Approx(3 * ln));
  CHECK(ps::penalty_value({.kind = ps::penalty_kind::mbic}, 500, 2) == Approx(4 * ln));
  CHECK(ps::penalty_value({.kind = ps::penalty_kind::aic}, 500, 2) == 6);
  CHECK(ps::penalty_value({.kind = ps::penalty_kind::hannan_quinn}, 500, 2) == Approx(6 * std::log(ln)));
  CHECK(ps::penalty_value({.kind = ps::penalty_kind::none}, 500, 2) == 0);
  CHECK(ps::penalty_value({.kind = ps::penalty_kind::manual, .value = 7.5}, 500, 2) == 7.5);
}
