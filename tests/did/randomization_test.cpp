// Randomization inference against brute force. Every expected number comes from
// tests/reference/wild_bootstrap_reference.R (embedded in wild_bootstrap_reference.hpp), which
// enumerates every distinct permutation of the clusters' first-treated years and refits each with
// lm(PacksPerCapita ~ D* [+ z] + factor(State) + factor(Year)), CR1 t by sandwich::vcovCL.
// Tolerances: p-values and the number of assignments EXACT; the estimate, t and every element of
// the sorted randomization distribution 1e-8 relative (1e-12 absolute near 0).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/did/randomization.hpp"
#include "resampling_data.hpp"
#include "wild_bootstrap_reference.hpp"

namespace ref = pilotstats_resampling_reference;
namespace data = pilotstats_resampling_test;
using namespace pilotstats;
using Catch::Matchers::Contains;
using data::has_warning;

namespace {

void check_sorted(std::vector<double> got, const std::vector<double>& expected) {
  std::sort(got.begin(), got.end());
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(expected[i]).epsilon(1e-8).margin(1e-12));
}

randomization_result run(const data::subset_panel& p, const Eigen::VectorXd& d, const Eigen::MatrixXd& z,
                         randomization_options o) {
  return randomization_inference(p.y, d, p.unit, p.time, z, o);
}

const std::map<std::string, long> staggered_starts = {{"California", 1989}, {"Connecticut", 1993}, {"Illinois", 1995}};

}  // namespace

TEST_CASE("randomization: 3 of 12 states treated, all 220 assignments as lm", "[did][randomization]") {
  const auto p = data::prop99_subset(data::s12());
  const Eigen::VectorXd d = data::staggered(p, {{"California", 1989}, {"Colorado", 1989}, {"Georgia", 1989}});
  randomization_options o;  // the coefficient; at most 10,000 assignments enumerated
  const auto r = run(p, d, Eigen::MatrixXd(), o);
  REQUIRE(r.enumerated);
  CHECK(r.assignments == 220);
  CHECK(r.draws == ref::ri12::assignments);
  CHECK(r.clusters == ref::ri12::clusters);
  CHECK(r.treated_clusters == 3);
  CHECK(r.start_times == 1);
  CHECK(r.estimate == Approx(ref::ri12::estimate).epsilon(1e-8));
  CHECK(r.statistic == Approx(ref::ri12::estimate).epsilon(1e-8));
  CHECK(r.t_statistic == Approx(ref::ri12::t).epsilon(1e-8));
  CHECK(r.p_value == ref::ri12::p_coefficient);
  check_sorted(r.distribution, ref::ri12::sorted_coefficient);

  o.statistic = randomization_statistic::t_statistic;
  const auto t = run(p, d, Eigen::MatrixXd(), o);
  CHECK(t.statistic == Approx(ref::ri12::t).epsilon(1e-8));
  CHECK(t.p_value == ref::ri12::p_t);
  check_sorted(t.distribution, ref::ri12::sorted_t);
}

TEST_CASE("randomization: staggered adoption, unbalanced panel with a covariate, 720 assignments as lm",
          "[did][randomization]") {
  const auto p = data::prop99_subset(data::s10, true);
  const Eigen::VectorXd d = data::staggered(p, staggered_starts);
  randomization_options o;
  o.tolerance = 1e-13;
  const auto r = run(p, d, p.z, o);
  REQUIRE(r.enumerated);
  CHECK(r.assignments == 720);  // 10! / 7!: three distinct start years, seven never treated
  CHECK(r.start_times == 3);
  CHECK(r.n == static_cast<Eigen::Index>(ref::ri_staggered::n));
  CHECK(r.estimate == Approx(ref::ri_staggered::estimate).epsilon(1e-8));
  CHECK(r.p_value == ref::ri_staggered::p_coefficient);
  check_sorted(r.distribution, ref::ri_staggered::sorted_coefficient);
  o.statistic = randomization_statistic::t_statistic;
  const auto t = run(p, d, p.z, o);
  CHECK(t.t_statistic == Approx(ref::ri_staggered::t).epsilon(1e-8));
  CHECK(t.p_value == ref::ri_staggered::p_t);
  check_sorted(t.distribution, ref::ri_staggered::sorted_t);
}

TEST_CASE("randomization: assignment by pairs of states (clusters coarser than units)", "[did][randomization]") {
  const auto p = data::prop99_subset(data::s16());
  // Pair 2 = California + Colorado from 1989, pair 6 = Iowa + Kansas from 1992.
  const Eigen::VectorXd d = data::staggered(
      p, {{"California", 1989}, {"Colorado", 1989}, {"Iowa", 1992}, {"Kansas", 1992}});
  randomization_options o;
  o.cluster = p.pair;
  const auto r = run(p, d, Eigen::MatrixXd(), o);
  REQUIRE(r.enumerated);
  CHECK(r.assignments == 56);
  CHECK(r.clusters == 8);
  CHECK(r.treated_clusters == 2);
  CHECK(r.p_value == ref::ri_pairs::p_coefficient);
  check_sorted(r.distribution, ref::ri_pairs::sorted_coefficient);
  o.statistic = randomization_statistic::t_statistic;
  const auto t = run(p, d, Eigen::MatrixXd(), o);
  CHECK(t.p_value == ref::ri_pairs::p_t);
  check_sorted(t.distribution, ref::ri_pairs::sorted_t);
}

TEST_CASE("randomization: Monte Carlo permutations are the documented shuffles and converge to the exact p-value",
          "[did][randomization]") {
  const auto p = data::prop99_subset(data::s10, true);
  const Eigen::VectorXd d = data::staggered(p, staggered_starts);
  randomization_options o;
  o.enumeration = enumeration_rule::never;
  o.tolerance = 1e-13;
  o.draws = 5;
  o.seed = 7;
  const auto few = run(p, d, p.z, o);
  REQUIRE_FALSE(few.enumerated);
  REQUIRE(few.distribution.size() == 5);
  // Clusters are the states in order of first appearance (no cluster codes given); start codes
  // 0 = 1989, 1 = 1993, 2 = 1995, 3 = never. Each draw is a Fisher-Yates shuffle of the actual codes.
  const std::vector<long> year_of_code = {1989, 1993, 1995, 0};
  std::vector<std::string> order;
  for (const auto& u : p.unit)
    if (std::find(order.begin(), order.end(), u) == order.end()) order.push_back(u);
  std::vector<std::size_t> actual;
  for (const auto& u : order) {
    const auto s = staggered_starts.find(u);
    actual.push_back(s == staggered_starts.end() ? 3 : static_cast<std::size_t>(
        std::find(year_of_code.begin(), year_of_code.end(), s->second) - year_of_code.begin()));
  }
  pcg64 rng(o.seed);
  twfe_options t;
  t.tolerance = 1e-13;
  for (std::size_t b = 0; b < 5; ++b) {
    std::vector<std::size_t> code = actual;
    for (std::size_t i = code.size() - 1; i > 0; --i) std::swap(code[i], code[draw::uniform_int(rng, i + 1)]);
    std::map<std::string, long> start;
    for (std::size_t g = 0; g < code.size(); ++g)
      if (code[g] < 3) start[order[g]] = year_of_code[code[g]];
    const auto f = twfe(p.y, data::staggered(p, start), p.unit, p.time, p.z, t);
    CHECK(few.distribution[b] == Approx(f.estimate).epsilon(1e-8));
  }

  // The count of |beta*| >= |beta| over B permutations is Binomial(B, p_exact) (p_exact counts the
  // actual assignment once among 720): within 4 binomial standard errors, plus the 1/(B+1) of
  // the "+1" in (1 + count) / (B + 1).
  o.draws = 20000;
  const auto mc = run(p, d, p.z, o);
  const double pe = ref::ri_staggered::p_coefficient;
  CHECK(std::abs(mc.p_value - pe) <= 4 * std::sqrt(pe * (1 - pe) / 20000.0) + 1.0 / 20001.0);
  // Automatic: more assignments than max_enumerated gives Monte Carlo.
  o.enumeration = enumeration_rule::automatic;
  o.max_enumerated = 700;
  o.draws = 100;
  CHECK_FALSE(run(p, d, p.z, o).enumerated);
  CHECK(run(p, d, p.z, o).distribution == run(p, d, p.z, o).distribution);  // seeded
}

TEST_CASE("randomization: warnings and errors", "[did][randomization]") {
  const auto p = data::prop99_subset(data::s10);
  randomization_options o;
  const auto one = run(p, p.d, Eigen::MatrixXd(), o);  // California only: 10 assignments
  CHECK(one.assignments == 10);
  CHECK(one.p_value >= 0.1);
  CHECK(has_warning(one.warnings, "only 10 distinct assignments"));
  CHECK(has_warning(one.warnings, "one treated cluster"));
  CHECK_FALSE(has_warning(one.warnings, "prefer the wild cluster bootstrap"));

  // Treatment switched off again: not a staggered adoption.
  Eigen::VectorXd off = p.d;
  for (Eigen::Index i = 0; i < off.size(); ++i)
    if (p.unit[static_cast<std::size_t>(i)] == "California" && p.time[static_cast<std::size_t>(i)] == 1995) off(i) = 0;
  CHECK_THROWS_WITH(run(p, off, Eigen::MatrixXd(), o), Contains("staggered adoption"));
  // Assignment by pairs, but only California of its pair is treated.
  const auto q = data::prop99_subset(data::s16());
  o.cluster = q.pair;
  CHECK_THROWS_WITH(run(q, q.d, Eigen::MatrixXd(), o), Contains("randomization_inference: the treatment is 0"));
  o = {};
  o.draws = 0;
  CHECK_THROWS_WITH(run(p, p.d, Eigen::MatrixXd(), o), Contains("randomization_inference: draws is 0"));
  o = {};
  Eigen::VectorXd never = Eigen::VectorXd::Zero(p.d.size());
  CHECK_THROWS_WITH(run(p, never, Eigen::MatrixXd(), o), Contains("randomization_inference: twfe: no treated units"));
}
