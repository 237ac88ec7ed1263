// PELT returns exactly optimal partitioning's change points, for every cost (with and without
// MBIC's log(length) terms), random penalties and minimum segment lengths: thousands of
// simulated series with 0-4 changes, including integer data (ties, zero counts).
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <string>

#include "pilotstats/changepoint.hpp"
#include "simulated_series.hpp"

namespace {

namespace ps = pilotstats;
using pilotstats_test::series_kind;

// A random penalty: 0 (every admissible split), around BIC, or large (no change).
double random_penalty(ps::pcg64& rng, Eigen::Index n) {
  switch (ps::draw::uniform_int(rng, 4)) {
    case 0: return 0.0;
    case 1: return ps::draw::uniform(rng, 0.0, 2.0);
    case 2: return ps::draw::uniform(rng, 0.5, 3.0) * std::log(static_cast<double>(n));
    default: return ps::draw::uniform(rng, 10.0, 100.0);
  }
}

template <class Cost>
void check_pelt_equals_op(const Cost& cost, double pen, Eigen::Index m, const std::string& what) {
  const ps::partition op = ps::optimal_partitioning(cost, pen, m);
  const ps::partition pe = ps::pelt(cost, pen, m);
  INFO(what << " n=" << cost.size() << " m=" << m << " penalty=" << pen);
  REQUIRE(pe.changepoints == op.changepoints);
  REQUIRE(pe.cost == op.cost);
  for (std::size_t i = 0; i < op.changepoints.size(); ++i) {  // segments respect the minimum
    const Eigen::Index a = i == 0 ? 0 : op.changepoints[i - 1];
    REQUIRE(op.changepoints[i] - a >= m);
  }
  if (!op.changepoints.empty()) REQUIRE(cost.size() - op.changepoints.back() >= m);
}

// PELT's pass over the candidates has a plain (SSE2) copy and an AVX2 one, chosen at run time
// (lanes.hpp): both give the same F(t), bit for bit, under both prunings. (On a machine without
// AVX2 both runs take the plain copy.)
template <class Cost>
void check_copies_agree(const Cost& cost, double pen, Eigen::Index m, const std::string& what) {
  for (const auto pruning : {ps::pelt_pruning::exact, ps::pelt_pruning::r_changepoint}) {
    ps::pelt_trace chosen, plain;
    const ps::partition a = ps::pelt(cost, pen, m, pruning, &chosen);
    ps::detail::avx2_allowed = false;
    const ps::partition b = ps::pelt(cost, pen, m, pruning, &plain);
    ps::detail::avx2_allowed = true;
    INFO(what << " n=" << cost.size() << " m=" << m << " penalty=" << pen << " R pruning "
              << (pruning == ps::pelt_pruning::r_changepoint));
    REQUIRE(a.changepoints == b.changepoints);
    REQUIRE(chosen.penalized_cost.size() == plain.penalized_cost.size());
    for (std::size_t t = 0; t < plain.penalized_cost.size(); ++t)
      REQUIRE(std::bit_cast<std::uint64_t>(chosen.penalized_cost[t]) == std::bit_cast<std::uint64_t>(plain.penalized_cost[t]));
  }
}

template <class Cost>
void property(std::uint64_t seed, series_kind kind, int series) {
  ps::pcg64 rng(seed);
  int with_changes = 0;
  for (int i = 0; i < series; ++i) {
    const auto n = static_cast<Eigen::Index>(4 + ps::draw::uniform_int(rng, 150));
    const Eigen::VectorXd y = pilotstats_test::simulated_series(rng, n, kind);
    const Eigen::Index max_m = std::max<Eigen::Index>(Cost::minimum_segment_length, std::min<Eigen::Index>(n / 2, 12));
    const Eigen::Index m = Cost::minimum_segment_length +
        static_cast<Eigen::Index>(ps::draw::uniform_int(rng, static_cast<std::uint64_t>(max_m - Cost::minimum_segment_length + 1)));
    const double pen = random_penalty(rng, n);
    const Cost cost(y);
    const std::string what = std::string(Cost::name) + " series " + std::to_string(i) + " seed " + std::to_string(seed);
    check_pelt_equals_op(cost, pen, m, what);
    check_pelt_equals_op(ps::mbic_cost<Cost>(cost), pen, m, what + " (MBIC)");
    if (i % 4 == 0) {
      check_copies_agree(cost, pen, i % 8 == 0 ? Cost::minimum_segment_length : m, what);
      check_copies_agree(ps::mbic_cost<Cost>(cost), pen, m, what + " (MBIC)");
    }
    with_changes += !ps::pelt(cost, pen, m).changepoints.empty();
  }
  CHECK(with_changes > series / 4);  // the property was exercised on real segmentations
}

constexpr int series_per_cost = 1000;

}  // namespace

TEST_CASE("PELT equals optimal partitioning: normal mean", "[changepoint][pelt][property]") {
  property<ps::normal_mean_cost>(1, series_kind::normal, series_per_cost);
  property<ps::normal_mean_cost>(2, series_kind::normal_rounded, series_per_cost);
}

TEST_CASE("PELT equals optimal partitioning: normal variance", "[changepoint][pelt][property]") {
  property<ps::normal_var_cost>(3, series_kind::normal, series_per_cost);
}

TEST_CASE("PELT equals optimal partitioning: normal mean and variance", "[changepoint][pelt][property]") {
  property<ps::normal_meanvar_cost>(4, series_kind::normal, series_per_cost);
}

TEST_CASE("PELT equals optimal partitioning: Poisson", "[changepoint][pelt][property]") {
  property<ps::poisson_cost>(5, series_kind::poisson, series_per_cost);
}

TEST_CASE("PELT equals optimal partitioning: Poisson counts past the table of logarithms", "[changepoint][pelt][property]") {
  // Totals up to about 4e7, past integer_logs' table (2^22): PELT's pass then takes the logs one
  // by one instead of gathering them from the table (pelt.hpp). Rates 1e5 and 2e5 are far apart,
  // so a small extra rate per series moves the answer.
  ps::pcg64 rng(8);
  for (int i = 0; i < 60; ++i) {
    const auto n = static_cast<Eigen::Index>(60 + ps::draw::uniform_int(rng, 140));
    const Eigen::Index cut = n / 3 + static_cast<Eigen::Index>(ps::draw::uniform_int(rng, static_cast<std::uint64_t>(n / 3)));
    const double extra = ps::draw::uniform(rng, 0.0, 2000.0);
    Eigen::VectorXd y(n);
    for (Eigen::Index t = 0; t < n; ++t)
      y(t) = static_cast<double>(ps::draw::poisson(rng, (t < cut ? 1e5 : 2e5) + extra * static_cast<double>(t % 3)));
    REQUIRE(y.sum() > 4.2e6);  // beyond the table: 2^22 = 4194304
    const ps::poisson_cost cost(y);
    const double pen = random_penalty(rng, n);
    const Eigen::Index m = 1 + static_cast<Eigen::Index>(i % 3);
    const std::string what = "large counts series " + std::to_string(i);
    check_pelt_equals_op(cost, pen, m, what);
    check_pelt_equals_op(ps::mbic_cost<ps::poisson_cost>(cost), pen, m, what + " (MBIC)");
    check_copies_agree(cost, pen, m, what);
    check_copies_agree(ps::mbic_cost<ps::poisson_cost>(cost), pen, m, what + " (MBIC)");
  }
}

TEST_CASE("PELT equals optimal partitioning: linear trend", "[changepoint][pelt][property]") {
  property<ps::linear_trend_cost>(6, series_kind::trend, series_per_cost);
  property<ps::linear_trend_cost>(7, series_kind::normal_rounded, series_per_cost / 2);
}

TEST_CASE("PELT prunes: few candidates on a long series with regular changes", "[changepoint][pelt]") {
  ps::pcg64 rng(11);
  Eigen::VectorXd y(20000);
  for (Eigen::Index t = 0; t < y.size(); ++t) y(t) = ps::draw::normal(rng, (t / 1000) % 2 == 0 ? 0.0 : 3.0, 1);
  const ps::normal_mean_cost cost(y);
  ps::pelt_trace trace;
  const auto p = ps::pelt(cost, 3 * std::log(20000.0), 1, ps::pelt_pruning::exact, &trace);
  CHECK(p.changepoints.size() == 19);
  CHECK(trace.max_candidates < 3000);  // without pruning it would reach 20000
}
