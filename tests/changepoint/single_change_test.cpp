// Single-change test: the maximal LR statistic and its asymptotic p-value against R
// changepoint 2.3's AMOC statistic and "Asymptotic" penalty, evaluated from their definitions
// in tests/reference/single_change_reference.R (changepoint is not in Debian; the script finds
// each p-value by uniroot on R's penalty formula, not by our closed form), the location
// interval against strucchange 1.5-3's confint(breakpoints(y ~ 1, h = 2, breaks = 1)), and the
// permutation p-values by their defining properties.
#include <catch2/catch.hpp>

#include <string>

#include "../support/numeric_csv.hpp"
#include "pilotstats/changepoint/single_change_test.hpp"

namespace {
namespace ps = pilotstats;

Eigen::VectorXd series(const std::string& name) {
  return pilotstats_test::read_numeric_csv(std::string(PILOTSTATS_TEST_DATA_DIR) + "/changepoint/" + name + ".csv").column("y");
}

// R's p-values come from 1 - alpha, which keeps about 16 - |log10 p| digits.
double p_tolerance(double p) { return p > 1e-6 ? 1e-8 : 1e-4; }
}  // namespace

TEST_CASE("Asymptotic penalty and p-value as R changepoint's penalty_decision (mean.norm)", "[changepoint][single_change]") {
  // Rscript tests/reference/single_change_reference.R: pen(alpha, n)
  const struct {
    Eigen::Index n;
    double alpha, pen;
  } cases[] = {
      {16, 0.01, 30.716148445436797},  {16, 0.05, 19.36789255924209},   {16, 0.5, 6.6448424908568517},
      {72, 0.01, 27.615967913427582},  {72, 0.05, 18.481345652853964},  {72, 0.5, 7.6824826464279967},
      {500, 0.01, 26.396500505777148}, {500, 0.05, 18.361567425686641}, {500, 0.5, 8.5434624781834891},
      {5000, 0.01, 25.885079201633669}, {5000, 0.05, 18.492184452754184}, {5000, 0.5, 9.2557708149606714},
  };
  for (const auto& c : cases) {
    INFO("n " << c.n << " alpha " << c.alpha);
    CHECK(ps::max_lr_asymptotic_penalty(c.alpha, c.n) == Approx(c.pen).epsilon(1e-12));
    // the p-value at R's critical value is the level: R's decision (statistic >= pen) at alpha
    CHECK(ps::max_lr_asymptotic_p_value(c.pen, c.n) == Approx(c.alpha).epsilon(1e-10));
  }
  CHECK(ps::max_lr_asymptotic_p_value(0, 100) == Approx(1).epsilon(1e-15));
  CHECK(ps::max_lr_asymptotic_p_value(1e4, 100) >= 0);
}

TEST_CASE("Single-change test, normal mean: R changepoint's statistic, p-value by uniroot, strucchange's interval",
          "[changepoint][single_change]") {
  // {series, sd (0: default, R's mad(diff(y)) / sqrt(2)), location, statistic, p, sd used, confint 2.5 %, 97.5 %}
  const struct {
    const char* name;
    double sd;
    Eigen::Index location;
    double statistic, p, sd_used;
    Eigen::Index lower, upper;
  } cases[] = {
      {"monthly_response_72", 1, 35, 70.377514903473639, 4.8058547494623415e-05, 1, 12, 38},
      {"monthly_response_72", 0, 35, 53.896794406529807, 0.00028668931143343912, 1.1427086000280209, 12, 38},
      {"normal_mean_500", 1, 380, 183.66352024085165, 1.0396259964018465e-09, 1, 376, 393},
      {"normal_mean_500", 0, 380, 185.14657466872291, 9.3658231170578998e-10, 0.99598686537324499, 376, 393},
      {"normal_var_600", 1, 234, 7.0093219076097739, 0.70003287412527337, 1, -802, 768},
      {"normal_var_600", 0, 234, 5.352307686377344, 0.89888433557276337, 1.1443726426857677, -802, 768},
  };
  for (const auto& c : cases) {
    INFO(c.name << " sd " << c.sd);
    ps::single_change_options o;
    if (c.sd > 0) o.sd = c.sd;
    const auto r = ps::single_change_test(series(c.name), ps::single_change_model::normal_mean, o);
    CHECK(r.location == c.location);
    CHECK(r.sd == Approx(c.sd_used).epsilon(1e-14));
    CHECK(r.lr_statistic == Approx(c.statistic).epsilon(1e-10));
    REQUIRE(r.lr_p_value);
    CHECK(*r.lr_p_value == Approx(c.p).epsilon(p_tolerance(c.p)));
    CHECK(r.interval.computed);
    CHECK(r.interval.lower == c.lower);
    CHECK(r.interval.upper == c.upper);
    CHECK_FALSE(r.lr_p_permutation);
  }
}

TEST_CASE("Single-change test, Poisson rate: statistic and p-value by uniroot", "[changepoint][single_change]") {
  // {"poisson_300", 99, 280.14401695859124, 4.1477377088483172e-12} (the script's last line)
  const auto r = ps::single_change_test(series("poisson_300"), ps::single_change_model::poisson_rate);
  CHECK(r.location == 99);
  CHECK(r.lr_statistic == Approx(280.14401695859124).epsilon(1e-10));
  REQUIRE(r.lr_p_value);
  CHECK(*r.lr_p_value == Approx(4.1477377088483172e-12).epsilon(1e-4));
  CHECK(r.before < r.after);
  CHECK(r.interval.computed);
  CHECK(r.interval.lower <= 99);
  CHECK(r.interval.upper >= 99);
}

TEST_CASE("Single-change test: permutation p-values", "[changepoint][single_change]") {
  SECTION("a large shift: no permutation reaches the statistic") {
    const auto r = ps::single_change_test(series("normal_mean_500"), ps::single_change_model::normal_mean,
                                          {.permutations = 199, .seed = 3});
    CHECK(*r.lr_p_permutation == Approx(1.0 / 200));
    CHECK(*r.cusum_p_permutation == Approx(1.0 / 200));
    // reproducible from the seed
    const auto again = ps::single_change_test(series("normal_mean_500"), ps::single_change_model::normal_mean,
                                              {.permutations = 199, .seed = 3});
    CHECK(*again.lr_p_permutation == *r.lr_p_permutation);
  }
  SECTION("level: under no change, P(p <= 0.1) <= 0.1 (exact for exchangeable data)") {
    // 300 null series of 40 normals, 99 permutations each: the rejection count at 0.1 is
    // Binomial(300, <= 0.1), mean <= 30, sd 5.2; 45 is 2.9 sd above.
    ps::pcg64 rng(99);
    int lr_rejections = 0, cusum_rejections = 0, poisson_rejections = 0;
    for (int rep = 0; rep < 300; ++rep) {
      Eigen::VectorXd y(40), counts(40);
      for (Eigen::Index t = 0; t < 40; ++t) {
        y(t) = ps::draw::standard_normal(rng);
        counts(t) = static_cast<double>(ps::draw::poisson(rng, 4.0));
      }
      const auto r = ps::single_change_test(y, ps::single_change_model::normal_mean,
                                            {.permutations = 99, .seed = static_cast<std::uint64_t>(rep)});
      lr_rejections += *r.lr_p_permutation <= 0.1;
      cusum_rejections += *r.cusum_p_permutation <= 0.1;
      const auto p = ps::single_change_test(counts, ps::single_change_model::poisson_rate,
                                            {.permutations = 99, .seed = static_cast<std::uint64_t>(rep)});
      poisson_rejections += *p.lr_p_permutation <= 0.1;
    }
    CHECK(lr_rejections <= 45);
    CHECK(cusum_rejections <= 45);
    CHECK(poisson_rejections <= 45);
    // and not degenerate (a test that never rejects would pass the above): at least 15
    CHECK(lr_rejections >= 15);
    CHECK(cusum_rejections >= 15);
    CHECK(poisson_rejections >= 15);
  }
}

TEST_CASE("Single-change test: errors and warnings", "[changepoint][single_change][errors]") {
  const Eigen::VectorXd y = Eigen::VectorXd::LinSpaced(10, 0, 1);
  const auto r = ps::single_change_test(y, ps::single_change_model::normal_mean, {.sd = 1});
  CHECK_FALSE(r.lr_p_value);  // n < 16
  CHECK(r.warnings.size() >= 1);
  CHECK_THROWS_AS(ps::single_change_test(y.head(3), ps::single_change_model::normal_mean), ps::invalid_input);
  CHECK_THROWS_AS(ps::single_change_test(y, ps::single_change_model::normal_mean, {.sd = -1}), ps::invalid_input);
  CHECK_THROWS_AS(ps::single_change_test(y, ps::single_change_model::normal_mean, {.permutations = -1}), ps::invalid_input);
  CHECK_THROWS_AS(ps::single_change_test(y, ps::single_change_model::poisson_rate), ps::invalid_input);  // not counts
  Eigen::VectorXd steps(20);
  for (Eigen::Index t = 0; t < 20; ++t) steps(t) = t < 10 ? 0 : 1;  // differences all 0 but one: MAD 0
  CHECK_THROWS_AS(ps::single_change_test(steps, ps::single_change_model::normal_mean), ps::domain_error);
  CHECK_THROWS_AS(ps::max_lr_asymptotic_p_value(1, 15), ps::invalid_input);
  CHECK_THROWS_AS(ps::max_lr_asymptotic_penalty(0, 100), ps::invalid_input);
}
