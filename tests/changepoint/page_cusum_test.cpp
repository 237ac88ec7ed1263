// Page's CUSUM: the monitor by hand, the Brook-Evans ARL against R spc 0.6.7 (Debian
// r-cran-spc; xcusum.arl and xcusum.crit, Knoth's Nystroem solution of the ARL integral
// equation), against the textbook figures, and the simulated ARL and calibration against the
// Markov chain within their Monte Carlo error. The long Monte Carlo runs carry [montecarlo].
#include <catch2/catch.hpp>

#include <cmath>

#include "pilotstats/changepoint/page_cusum.hpp"

namespace {
namespace ps = pilotstats;
}

TEST_CASE("Page CUSUM normal: statistics and signals by hand", "[changepoint][page_cusum]") {
  // z = (y - 10) / 2 = {0, 1.5, 2, -1, 3}; k = 0.5, h = 2; restart after each signal:
  // S+ = 0, 1, 2.5 (signal), 0, 2.5 (signal); S- = 0, 0, 0, 0.5, 0
  const Eigen::VectorXd y = (Eigen::VectorXd(5) << 10, 13, 14, 8, 16).finished();
  const auto r = ps::page_cusum_normal(y, {.k = 0.5, .h = 2, .mean = 10, .sd = 2});
  const Eigen::VectorXd upper = (Eigen::VectorXd(5) << 0, 1, 2.5, 0, 2.5).finished();
  const Eigen::VectorXd lower = (Eigen::VectorXd(5) << 0, 0, 0, 0.5, 0).finished();
  CHECK(r.upper.isApprox(upper, 1e-15));
  CHECK((r.lower - lower).cwiseAbs().maxCoeff() < 1e-15);
  CHECK(r.signals == std::vector<Eigen::Index>{2, 4});
  CHECK(*r.first_signal == 2);
  CHECK(r.warnings.empty());
  // lower side only: never signals here
  CHECK(ps::page_cusum_normal(y, {.k = 0.5, .h = 2, .side = ps::cusum_side::lower, .mean = 10, .sd = 2}).signals.empty());
  // baseline estimates: mean and sd (n - 1) of the first 4, a warning, monitoring from index 4
  const Eigen::VectorXd z = (Eigen::VectorXd(6) << 1, 3, 2, 2, 2, 9).finished();
  const auto b = ps::page_cusum_normal(z, {.k = 0.5, .h = 4, .baseline = 4});
  CHECK(b.mean == Approx(2));
  CHECK(b.sd == Approx(std::sqrt(2.0 / 3.0)));
  CHECK(b.upper(3) == 0);
  CHECK(b.signals == std::vector<Eigen::Index>{5});  // (9 - 2) / 0.8165 - 0.5 = 8.07 > 4
  CHECK(b.warnings.size() == 1);
}

TEST_CASE("Page CUSUM Poisson: log-likelihood-ratio statistic by hand", "[changepoint][page_cusum]") {
  // lambda0 = 2, lambda1 = 4: S = max(0, S + x log 2 - 2); h = 1
  const Eigen::VectorXd y = (Eigen::VectorXd(4) << 1, 4, 5, 0).finished();
  const auto r = ps::page_cusum_poisson(y, {.rate_ratio = 2, .h = 1, .lambda0 = 2});
  CHECK(r.upper(0) == 0);
  CHECK(r.upper(1) == Approx(4 * std::log(2.0) - 2).epsilon(1e-14));
  CHECK(r.upper(2) == Approx(9 * std::log(2.0) - 4).epsilon(1e-14));
  CHECK(r.upper(3) == 0);
  CHECK(r.signals == std::vector<Eigen::Index>{2});
}

TEST_CASE("CUSUM ARL by Brook-Evans against R spc's xcusum.arl and the textbook", "[changepoint][page_cusum]") {
  // R: library(spc); xcusum.arl(k, h, mu) (one-sided upper), xcusum.arl(k, h, mu, sided = "two")
  const struct {
    double k, h, shift;
    ps::cusum_side side;
    double spc;
  } cases[] = {
      {0.5, 4, 0, ps::cusum_side::upper, 335.3675776272},      // xcusum.arl(0.5, 4, 0)
      {0.5, 5, 0, ps::cusum_side::upper, 930.8870120642},      // xcusum.arl(0.5, 5, 0)
      {0.5, 5, 1, ps::cusum_side::upper, 10.3759753002},       // xcusum.arl(0.5, 5, 1)
      {0.5, 4, 0, ps::cusum_side::two_sided, 167.6837888136},  // xcusum.arl(0.5, 4, 0, sided = "two")
      {0.5, 5, 0, ps::cusum_side::two_sided, 465.4435060321},  // xcusum.arl(0.5, 5, 0, sided = "two")
  };
  for (const auto& c : cases) {
    INFO("k " << c.k << " h " << c.h << " shift " << c.shift);
    // Richardson-extrapolated chain
    CHECK(ps::normal_cusum_arl(c.k, c.h, c.shift, c.side) == Approx(c.spc).epsilon(1e-6));
  }
  CHECK(ps::normal_cusum_arl(0.5, 5, 1, ps::cusum_side::lower) == Approx(ps::normal_cusum_arl(0.5, 5, -1)).epsilon(1e-12));
  // Montgomery, Introduction to Statistical Quality Control, table of the two-sided tabular
  // CUSUM's ARL for k = 1/2 (as quoted in the project's brief): h = 4 gives 168, h = 5 gives 465.
  CHECK(std::abs(ps::normal_cusum_arl(0.5, 4, 0, ps::cusum_side::two_sided) - 168) < 0.5);
  CHECK(std::abs(ps::normal_cusum_arl(0.5, 5, 0, ps::cusum_side::two_sided) - 465) < 0.5);
  // Siegmund's (1985) approximation for the one-sided ARL, Delta = -k in control, b = h + 1.166:
  // (exp(-2 Delta b) + 2 Delta b - 1) / (2 Delta^2): 338.09 (h = 4), 938.22 (h = 5), within 1 %.
  for (double h : {4.0, 5.0}) {
    const double delta = -0.5, b = h + 1.166;
    const double siegmund = (std::exp(-2 * delta * b) + 2 * delta * b - 1) / (2 * delta * delta);
    CHECK(ps::normal_cusum_arl(0.5, h) == Approx(siegmund).epsilon(0.01));
  }
}

TEST_CASE("CUSUM ARL: simulation agrees with the Markov chain within Monte Carlo error", "[changepoint][page_cusum]") {
  // normal, one-sided, h = 4: chain 335.37; 2000 runs
  const auto s = ps::simulate_cusum_arl({.target_arl = 335, .side = ps::cusum_side::upper, .replications = 2000, .seed = 3}, 4);
  CHECK(std::abs(s.arl - ps::normal_cusum_arl(0.5, 4)) < 4 * s.standard_error);
  CHECK(s.standard_error > 0);
  // Poisson lambda0 = 5 -> 7.5, h = 3: the chain on a 500-cell grid against 3000 runs
  const auto p = ps::simulate_cusum_arl(
      {.target_arl = 120, .model = ps::cusum_model::poisson_rate, .lambda0 = 5, .rate_ratio = 1.5, .replications = 3000, .seed = 4}, 3);
  CHECK(std::abs(p.arl - ps::poisson_cusum_arl(5, 1.5, 3)) < 4 * p.standard_error);
  // the chain under a shift: more counts, shorter ARL
  CHECK(ps::poisson_cusum_arl(5, 1.5, 3, 7.5) < ps::poisson_cusum_arl(5, 1.5, 3) / 5);
}

TEST_CASE("CUSUM calibration: h for ARL0 = 100 by simulation", "[changepoint][page_cusum]") {
  // R spc: xcusum.crit(0.5, 100, sided = "two") = 3.50203709387
  const auto c = ps::calibrate_cusum_h({.target_arl = 100, .k = 0.5, .replications = 1000, .seed = 5, .h_tolerance = 1e-3});
  CHECK(c.arl >= 100);
  CHECK(c.arl_standard_error > 0);
  CHECK(c.censored == 0);
  CHECK(c.warnings.empty());
  // the chain's ARL at the chosen h is the target within the simulation's error
  CHECK(std::abs(c.markov_chain_arl - 100) < 4 * c.arl_standard_error);
  CHECK(std::abs(c.h - 3.50203709387) < 0.1);
}

TEST_CASE("CUSUM calibration: h for ARL0 = 370 against spc's xcusum.crit [montecarlo]", "[changepoint][page_cusum][montecarlo]") {
  // R spc: xcusum.crit(0.5, 370, sided = "two") = 4.77383370688. 20000 runs: the ARL's standard
  // error is about 2.6, which moves h by about 0.007.
  const auto c = ps::calibrate_cusum_h({.target_arl = 370, .k = 0.5, .replications = 20000, .seed = 6, .h_tolerance = 1e-4});
  CHECK(std::abs(c.arl - 370) < 4 * c.arl_standard_error);
  CHECK(std::abs(c.markov_chain_arl - 370) < 4 * c.arl_standard_error);
  CHECK(std::abs(c.h - 4.77383370688) < 0.03);
  // two-sided by simulation against 1 / ARL = 1 / ARL+ + 1 / ARL-
  const auto s = ps::simulate_cusum_arl({.target_arl = 465, .replications = 20000, .seed = 7}, 5);
  CHECK(std::abs(s.arl - 465.4435060321) < 4 * s.standard_error);
}

TEST_CASE("Page CUSUM: errors", "[changepoint][page_cusum][errors]") {
  const Eigen::VectorXd y = Eigen::VectorXd::LinSpaced(10, 1, 10);
  CHECK_THROWS_AS(ps::page_cusum_normal(y, {.h = 0, .baseline = 5}), ps::invalid_input);
  CHECK_THROWS_AS(ps::page_cusum_normal(y, {.k = -1, .baseline = 5}), ps::invalid_input);
  CHECK_THROWS_WITH(ps::page_cusum_normal(y, {}), Catch::Contains("baseline"));
  CHECK_THROWS_AS(ps::page_cusum_normal(y, {.baseline = 10}), ps::invalid_input);
  CHECK_THROWS_AS(ps::page_cusum_normal(Eigen::VectorXd::Constant(10, 3.0), {.baseline = 5}), ps::domain_error);
  CHECK_THROWS_AS(ps::page_cusum_poisson(y / 2, {.baseline = 3}), ps::invalid_input);  // 0.5 is not a count
  CHECK_THROWS_AS(ps::page_cusum_poisson(y, {.rate_ratio = 1, .baseline = 3}), ps::invalid_input);
  CHECK_THROWS_AS(ps::normal_cusum_arl(0.5, 4, 0, ps::cusum_side::upper, 1), ps::invalid_input);
  CHECK_THROWS_AS(ps::calibrate_cusum_h({.target_arl = 0.5}), ps::invalid_input);
}
