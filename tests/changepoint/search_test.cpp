// The searches against brute force (every segmentation of short series), and their known
// properties: segment neighbourhood against optimal partitioning, binary segmentation's first
// split, WBS's reproducibility, CROPS against PELT inside each interval.
#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "pilotstats/changepoint.hpp"
#include "simulated_series.hpp"

namespace {
namespace ps = pilotstats;
using pilotstats_test::series_kind;

struct brute_force_answer {
  double penalized = std::numeric_limits<double>::infinity();
  std::vector<double> best_with_k;  // best cost with exactly k changes
};

// Every subset of {1..n-1} as change points (n <= 14), segments at least m long.
template <class Cost>
brute_force_answer brute_force(const Cost& cost, double pen, Eigen::Index m) {
  const Eigen::Index n = cost.size();
  brute_force_answer out;
  out.best_with_k.assign(static_cast<std::size_t>(n), std::numeric_limits<double>::infinity());
  for (unsigned mask = 0; mask < (1u << (n - 1)); ++mask) {
    std::vector<Eigen::Index> cps;
    for (Eigen::Index i = 1; i < n; ++i)
      if (mask & (1u << (i - 1))) cps.push_back(i);
    bool ok = true;
    Eigen::Index a = 0;
    for (Eigen::Index b : cps) ok = ok && b - a >= m, a = b;
    if (!ok || n - a < m) continue;
    const double c = ps::detail::partition_cost(cost, cps);
    out.penalized = std::min(out.penalized, c + pen * static_cast<double>(cps.size()));
    out.best_with_k[cps.size()] = std::min(out.best_with_k[cps.size()], c);
  }
  return out;
}

}  // namespace

TEST_CASE("optimal partitioning and segment neighbourhood are optimal (brute force)", "[changepoint][search]") {
  ps::pcg64 rng(31);
  for (int i = 0; i < 300; ++i) {
    const auto n = static_cast<Eigen::Index>(4 + ps::draw::uniform_int(rng, 10));
    const Eigen::VectorXd y = pilotstats_test::simulated_series(rng, n, series_kind::normal);
    const Eigen::Index m = 1 + static_cast<Eigen::Index>(ps::draw::uniform_int(rng, 3));
    const double pen = ps::draw::uniform(rng, 0.0, 6.0);
    const ps::normal_mean_cost cost(y);
    if (n < 2 * m) continue;
    const auto bf = brute_force(cost, pen, m);
    const auto op = ps::optimal_partitioning(cost, pen, m);
    INFO("n=" << n << " m=" << m << " pen=" << pen);
    CHECK(op.cost + pen * static_cast<double>(op.changepoints.size()) == Approx(bf.penalized).epsilon(1e-12));
    const auto sn = ps::segment_neighbourhood(cost, static_cast<int>(n), m);
    for (std::size_t k = 0; k < sn.size(); ++k) CHECK(sn[k].cost == Approx(bf.best_with_k[k]).epsilon(1e-12));
    for (std::size_t k = sn.size(); k < bf.best_with_k.size(); ++k) CHECK(std::isinf(bf.best_with_k[k]));
    // With Q large enough, the penalized choice among them is optimal partitioning's answer.
    CHECK(ps::choose_by_penalty(sn, pen).cost + pen * static_cast<double>(ps::choose_by_penalty(sn, pen).changepoints.size()) ==
          Approx(bf.penalized).epsilon(1e-12));
  }
}

TEST_CASE("fixed number of changes: the best k-change segmentation, for any cost", "[changepoint][search]") {
  ps::pcg64 rng(32);
  const Eigen::VectorXd y = pilotstats_test::simulated_series(rng, 12, series_kind::poisson);
  const ps::poisson_cost cost(y);
  const auto bf = brute_force(cost, 0.0, 2);
  for (int k = 0; k <= 5; ++k) {
    const auto p = ps::fixed_changes(cost, k, 2);
    CHECK(static_cast<int>(p.changepoints.size()) == k);
    CHECK(p.cost == Approx(bf.best_with_k[static_cast<std::size_t>(k)]).epsilon(1e-12).margin(1e-12));
  }
}

TEST_CASE("binary segmentation: first split is the best single split; steps are non-increasing", "[changepoint][binseg]") {
  ps::pcg64 rng(33);
  for (int i = 0; i < 50; ++i) {
    const Eigen::VectorXd y = pilotstats_test::simulated_series(rng, 200, series_kind::normal);
    const ps::normal_mean_cost cost(y);
    const auto r = ps::binary_segmentation(cost, 0.0, 5, 3);
    REQUIRE(r.steps.size() == 5);
    const auto one = ps::fixed_changes(cost, 1, 3);
    CHECK(r.steps[0].location == one.changepoints[0]);
    CHECK(r.steps[0].gain == Approx(cost(0, 200) - one.cost));
    for (std::size_t k = 1; k < r.steps.size(); ++k) CHECK(r.steps[k].gain <= r.steps[k - 1].gain);
    CHECK(r.chosen.changepoints.size() == 5);  // penalty 0 keeps every step
  }
}

TEST_CASE("binary segmentation and WBS find clear changes", "[changepoint][binseg][wbs]") {
  Eigen::VectorXd y(600);
  ps::pcg64 rng(34);
  for (Eigen::Index t = 0; t < 600; ++t) y(t) = ps::draw::normal(rng, t < 150 ? 0 : t < 300 ? 2 : t < 310 ? -2 : 1, 1);
  const ps::normal_mean_cost cost(y);
  const double pen = ps::penalty_value({.kind = ps::penalty_kind::bic}, 600, 1);
  const auto exact = ps::pelt(cost, pen, 1);
  // Fryzlewicz's threshold (C = 1.3) in gain units: each split is tested once, so it must be
  // higher than a penalty that every change pays.
  const double zeta = 1.3 * 1.3 * 2 * std::log(600.0);
  const auto wbs = ps::wild_binary_segmentation(cost, zeta, 1, {.intervals = 2000, .seed = 7});
  CHECK(wbs.chosen.changepoints == exact.changepoints);
  REQUIRE(exact.changepoints.size() == 3);
  // Same seed, same answer; a short burst (300..310) is what WBS is for.
  const auto again = ps::wild_binary_segmentation(cost, zeta, 1, {.intervals = 2000, .seed = 7});
  REQUIRE(again.steps.size() == wbs.steps.size());
  for (std::size_t k = 0; k < wbs.steps.size(); ++k) CHECK(again.steps[k].gain == wbs.steps[k].gain);
  const auto other = ps::wild_binary_segmentation(cost, zeta, 1, {.intervals = 2000, .seed = 8});
  CHECK(other.chosen.changepoints == exact.changepoints);
  const auto bs = ps::binary_segmentation(cost, pen, 5, 1);
  CHECK(bs.chosen.changepoints.size() >= 1);
}

TEST_CASE("WBS with no random intervals is plain binary segmentation by threshold", "[changepoint][wbs]") {
  ps::pcg64 rng(35);
  for (int i = 0; i < 50; ++i) {
    const Eigen::VectorXd y = pilotstats_test::simulated_series(rng, 150, series_kind::normal);
    const ps::normal_mean_cost cost(y);
    const double pen = 8.0;
    const auto w = ps::wild_binary_segmentation(cost, pen, 2, {.intervals = 0});
    // Each kept change is the best split of the segment it was found in, by at least pen.
    for (const auto& st : w.steps) CHECK(st.gain >= pen);
    for (std::size_t k = 0; k <= w.chosen.changepoints.size(); ++k) {  // no segment left with a split worth pen
      const Eigen::Index a = k == 0 ? 0 : w.chosen.changepoints[k - 1];
      const Eigen::Index b = k == w.chosen.changepoints.size() ? 150 : w.chosen.changepoints[k];
      for (Eigen::Index s = a + 2; s <= b - 2; ++s) CHECK(cost(a, b) - cost(a, s) - cost(s, b) < pen);
    }
  }
}

TEST_CASE("CROPS: each segmentation is PELT's answer inside its interval", "[changepoint][crops]") {
  ps::pcg64 rng(36);
  for (int i = 0; i < 20; ++i) {
    const Eigen::VectorXd y = pilotstats_test::simulated_series(rng, 300, series_kind::normal);
    const ps::normal_mean_cost cost(y);
    const auto r = ps::crops(cost, 2, 60, 1);
    REQUIRE(!r.path.empty());
    CHECK(r.path.front().penalty_low == 2);
    CHECK(r.path.back().penalty_high == 60);
    const std::size_t most = r.path.front().segmentation.changepoints.size();
    const std::size_t fewest = r.path.back().segmentation.changepoints.size();
    CHECK(r.pelt_runs <= static_cast<int>(most - fewest) + 2);
    for (std::size_t k = 0; k < r.path.size(); ++k) {
      const auto& s = r.path[k];
      CHECK(s.penalty_low <= s.penalty_high);
      if (k > 0) CHECK(r.path[k - 1].segmentation.changepoints.size() > s.segmentation.changepoints.size());
      if (s.penalty_high - s.penalty_low < 1e-6) continue;
      const double mid = (s.penalty_low + s.penalty_high) / 2;
      CHECK(ps::pelt(cost, mid, 1).changepoints == s.segmentation.changepoints);
    }
  }
}
