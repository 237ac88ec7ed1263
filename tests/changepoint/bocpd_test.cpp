// Bayesian online change-point detection against a brute-force R implementation of Adams &
// MacKay's Algorithm 1 (tests/reference/bocpd_reference.R, full run-length matrix, no pruning,
// R's dnbinom and dt as predictives): exact run to 1e-10, default pruning to 1e-8.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <numeric>

#include "bocpd_reference.hpp"
#include "pilotstats/changepoint/bocpd.hpp"
#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"

namespace {
namespace ps = pilotstats;

Eigen::VectorXd as_vector(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

template <class Model>
void check_against_reference(const Model& model, const bocpd_reference_case& ref, const ps::bocpd_options& options,
                             double tolerance) {
  const auto r = ps::bocpd_run(model, as_vector(ref.x), options);
  REQUIRE(r.steps.size() == ref.x.size());
  for (std::size_t t = 0; t < ref.x.size(); ++t) {
    INFO("step " << t + 1);
    const auto& s = r.steps[t];
    CHECK(s.t == static_cast<long>(t + 1));
    CHECK(s.map_run_length == ref.map_run_length[t]);
    CHECK(s.change_probability == Approx(ref.change_probability[t]).margin(tolerance).epsilon(0));
    CHECK(s.log_predictive == Approx(ref.log_predictive[t]).epsilon(tolerance));
    CHECK(s.predictive == Approx(std::exp(ref.log_predictive[t])).epsilon(tolerance));
    CHECK(s.posterior_mean == Approx(ref.posterior_mean[t]).epsilon(tolerance));
  }
}

const ps::bocpd_options exact{.hazard_lambda = 1, .prune_threshold = 0, .max_run_lengths = 0};
}  // namespace

TEST_CASE("BOCPD Poisson-Gamma: brute-force R reference (Adams & MacKay Algorithm 1)", "[changepoint][bocpd]") {
  const auto& ref = bocpd_poisson_reference;
  const ps::poisson_gamma model{.shape = ref.prior[0], .rate = ref.prior[1]};
  auto o = exact;
  o.hazard_lambda = ref.hazard_lambda;
  SECTION("no pruning, 1e-10") { check_against_reference(model, ref, o, 1e-10); }
  SECTION("default pruning, 1e-8") {
    check_against_reference(model, ref, {.hazard_lambda = ref.hazard_lambda}, 1e-8);
  }
  SECTION("pruning with a cap of 20 run lengths still finds the change") {
    const auto r = ps::bocpd_run(model, as_vector(ref.x), {.hazard_lambda = ref.hazard_lambda, .max_run_lengths = 20});
    CHECK(r.max_run_lengths_kept == 20);
    CHECK(r.steps.back().map_run_length == ref.map_run_length.back());
  }
}

TEST_CASE("BOCPD Normal-Gamma: brute-force R reference (Adams & MacKay Algorithm 1)", "[changepoint][bocpd]") {
  const auto& ref = bocpd_normal_reference;
  const ps::normal_gamma model{.mu0 = ref.prior[0], .kappa0 = ref.prior[1], .alpha0 = ref.prior[2], .beta0 = ref.prior[3]};
  auto o = exact;
  o.hazard_lambda = ref.hazard_lambda;
  SECTION("no pruning, 1e-10") { check_against_reference(model, ref, o, 1e-10); }
  SECTION("default pruning, 1e-8") {
    check_against_reference(model, ref, {.hazard_lambda = ref.hazard_lambda}, 1e-8);
  }
}

TEST_CASE("BOCPD Normal-Gamma predictive is R's Student t (dt)", "[changepoint][bocpd]") {
  for (const auto& row : normal_gamma_predictive_reference) {
    const auto post = ps::normal_gamma::make(row[0], row[1], row[2], row[3]);
    CHECK(ps::normal_gamma::log_predictive(post, row[4]) == Approx(row[5]).epsilon(1e-12));
  }
}

TEST_CASE("BOCPD: without pruning the run-length posterior sums to 1 and covers every run length",
          "[changepoint][bocpd]") {
  ps::pcg64 rng(7);
  ps::bocpd detector(ps::normal_gamma{}, {.hazard_lambda = 50, .prune_threshold = 0});
  for (int t = 1; t <= 400; ++t) {
    detector.update(ps::draw::normal(rng, t <= 200 ? 0.0 : 2.0, 1.0));
    const auto post = detector.run_length_posterior();
    REQUIRE(post.size() == static_cast<std::size_t>(t));  // r = 1..t, none dropped
    double sum = 0;
    for (const auto& p : post) sum += p.probability;
    REQUIRE(sum == Approx(1).epsilon(1e-12));
  }
}

TEST_CASE("BOCPD: pruning keeps the work per step bounded on a long series and agrees with the exact run",
          "[changepoint][bocpd]") {
  ps::pcg64 rng(11);
  Eigen::VectorXd y(3000);
  for (Eigen::Index t = 0; t < y.size(); ++t) y(t) = static_cast<double>(ps::draw::poisson(rng, (t / 500) % 2 ? 12.0 : 6.0));
  const ps::poisson_gamma model{.shape = 1, .rate = 0.1};
  const auto pruned = ps::bocpd_run(model, y, {.hazard_lambda = 200});
  const auto full = ps::bocpd_run(model, y, {.hazard_lambda = 200, .prune_threshold = 0});
  CHECK(full.max_run_lengths_kept == 3000);
  CHECK(pruned.max_run_lengths_kept < 1000);  // a segment is 500 long
  for (std::size_t t = 0; t < pruned.steps.size(); ++t) {
    INFO("step " << t + 1);
    // the brief's tolerance for the change probabilities and MAP run lengths
    REQUIRE(pruned.steps[t].map_run_length == full.steps[t].map_run_length);
    REQUIRE(pruned.steps[t].change_probability == Approx(full.steps[t].change_probability).margin(1e-8).epsilon(0));
    // the mass pruned over hundreds of steps moves these by up to 3e-8 (log predictive) and
    // 1.4e-7 (posterior mean) here
    REQUIRE(pruned.steps[t].log_predictive == Approx(full.steps[t].log_predictive).epsilon(1e-6));
    REQUIRE(pruned.steps[t].posterior_mean == Approx(full.steps[t].posterior_mean).epsilon(1e-6));
  }
  // 30 steps after each change (at 501, 1001, ...) the most probable segment is the new one
  for (std::size_t change = 500; change < 3000; change += 500) {
    INFO("change before step " << change + 1);
    CHECK(std::abs(pruned.steps[change + 29].map_run_length - 30) <= 5);
  }
  CHECK(std::isfinite(pruned.steps.back().log_predictive));  // no underflow after 3000 steps
}

TEST_CASE("BOCPD: errors name the argument", "[changepoint][bocpd][errors]") {
  CHECK_THROWS_AS(ps::bocpd(ps::poisson_gamma{.shape = 0}), ps::invalid_input);
  CHECK_THROWS_AS(ps::bocpd(ps::normal_gamma{.beta0 = -1}), ps::invalid_input);
  CHECK_THROWS_AS(ps::bocpd(ps::normal_gamma{}, {.hazard_lambda = 0.5}), ps::invalid_input);
  CHECK_THROWS_AS(ps::bocpd(ps::normal_gamma{}, {.prune_threshold = 1}), ps::invalid_input);
  ps::bocpd counts(ps::poisson_gamma{});
  CHECK_THROWS_WITH(counts.update(2.5), Catch::Contains("observation 1") && Catch::Contains("non-negative integers"));
  ps::bocpd normal(ps::normal_gamma{});
  CHECK_THROWS_AS(normal.update(std::nan("")), ps::invalid_input);
}
