// The wild cluster bootstrap against brute force. Every expected number comes from
// tests/reference/wild_bootstrap_reference.R (embedded in wild_bootstrap_reference.hpp), which
// enumerates all 2^G Rademacher draws and refits each bootstrap sample with
// lm(y* ~ D [+ z] + factor(State) + factor(Year)) and sandwich::vcovCL (fixest's CR1).
// Tolerances: p-values EXACT (the same count of draws over the same 2^G); the t statistic and the
// t* order statistics 1e-8 relative (1e-10 absolute near 0); the test-inversion bounds 1e-6
// relative (R bisects to 1e-9 se by brute force, we to 1e-10 se).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <Eigen/QR>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/did/wild_bootstrap.hpp"
#include "resampling_data.hpp"
#include "wild_bootstrap_reference.hpp"

namespace ref = pilotstats_resampling_reference;
namespace data = pilotstats_resampling_test;
using namespace pilotstats;
using Catch::Matchers::Contains;
using data::has_warning;

namespace {

// The enumerated bootstrap against one R case.
template <class Ref>
void check_enumerated(const wild_bootstrap_result& r, const Ref&) {
  REQUIRE(r.enumerated);
  REQUIRE(r.draws == Ref::draws);
  CHECK(r.clusters == Ref::clusters);
  CHECK(r.n == static_cast<Eigen::Index>(Ref::n));
  CHECK(r.estimate == Approx(Ref::estimate).epsilon(1e-8));
  CHECK(r.t_statistic == Approx(Ref::t).epsilon(1e-8));
  // Exact: the same number of draws at least as extreme, out of the same 2^G.
  CHECK(r.p_symmetric == Ref::p_symmetric);
  CHECK(r.p_upper == Ref::p_upper);
  CHECK(r.p_lower == Ref::p_lower);
  CHECK(r.p_equal_tailed == Ref::p_equal_tailed);
  CHECK(r.p_value == Ref::p_symmetric);  // symmetric is the default
  std::vector<double> sorted = r.t_star;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < Ref::sorted_positions().size(); ++i) {
    const auto at = static_cast<std::size_t>(Ref::sorted_positions()[i]);
    CHECK(sorted[at] == Approx(Ref::sorted_t_star()[i]).epsilon(1e-8).margin(1e-10));
  }
  double sum = 0, sum_sq = 0;
  for (double t : r.t_star) sum += t, sum_sq += t * t;
  CHECK(sum == Approx(Ref::sum_t_star).epsilon(1e-8).margin(1e-8));
  CHECK(sum_sq == Approx(Ref::sum_t_star_sq).epsilon(1e-8));
}

// Adapters: the generated namespaces hold inline variables; these give them one shape.
#define PILOTSTATS_REF_CASE(ns)                                                            \
  struct ns##_ref {                                                                        \
    static constexpr std::size_t draws = ref::ns::draws, clusters = ref::ns::clusters,     \
                                 n = ref::ns::n, count_ge = ref::ns::count_ge,             \
                                 count_gt = ref::ns::count_gt;                             \
    static constexpr double estimate = ref::ns::estimate, t = ref::ns::t,                  \
                            p_symmetric = ref::ns::p_symmetric,                            \
                            p_symmetric_strict = ref::ns::p_symmetric_strict,              \
                            p_upper = ref::ns::p_upper, p_lower = ref::ns::p_lower,        \
                            p_equal_tailed = ref::ns::p_equal_tailed,                      \
                            sum_t_star = ref::ns::sum_t_star,                              \
                            sum_t_star_sq = ref::ns::sum_t_star_sq;                        \
    static const std::vector<double>& sorted_positions() { return ref::ns::sorted_positions; } \
    static const std::vector<double>& sorted_t_star() { return ref::ns::sorted_t_star; }   \
  };
PILOTSTATS_REF_CASE(wcr10)
PILOTSTATS_REF_CASE(wcu10)
PILOTSTATS_REF_CASE(wcr10_null)
PILOTSTATS_REF_CASE(wcr10_z)
PILOTSTATS_REF_CASE(wcr16_pairs)
PILOTSTATS_REF_CASE(wcr10_unbalanced_z)
#undef PILOTSTATS_REF_CASE

wild_bootstrap_result run(const data::subset_panel& p, const Eigen::MatrixXd& z, wild_bootstrap_options o) {
  return wild_cluster_bootstrap(p.y, p.d, p.unit, p.time, z, o);
}

// Brute force in C++: least squares on [x, unit dummies, time dummies] by a pivoted QR (no absorb()).
struct dummy_fit {
  Eigen::VectorXd fitted, residuals;
};
dummy_fit fit_dummies(const Eigen::VectorXd& y, const Eigen::MatrixXd& x, const data::subset_panel& p) {
  const auto u = detail::encode_ids(p.unit), t = detail::encode_ids(p.time);
  const auto n = y.size();
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(n, x.cols() + static_cast<Eigen::Index>(u.levels + t.levels) - 1);
  m.leftCols(x.cols()) = x;
  for (Eigen::Index i = 0; i < n; ++i) {
    m(i, x.cols() + static_cast<Eigen::Index>(u.code[static_cast<std::size_t>(i)])) = 1;
    if (t.code[static_cast<std::size_t>(i)] > 0)
      m(i, x.cols() + static_cast<Eigen::Index>(u.levels + t.code[static_cast<std::size_t>(i)]) - 1) = 1;
  }
  const Eigen::VectorXd fitted = m * m.colPivHouseholderQr().solve(y);
  return {fitted, y - fitted};
}

}  // namespace

TEST_CASE("wild bootstrap: enumerated WCR and WCU on 10 Prop 99 states match lm refits exactly",
          "[did][wild_bootstrap]") {
  const auto p = data::prop99_subset(data::s10);
  wild_bootstrap_options o;  // Rademacher, 9999 draws >= 2^10: enumerated, as boottest
  const auto wcr = run(p, Eigen::MatrixXd(), o);
  check_enumerated(wcr, wcr10_ref{});
  CHECK(wcr.method == "WCR, Rademacher weights, full enumeration (1024 draws)");
  // Test inversion: where the brute-force p-value crosses 0.05.
  REQUIRE(wcr.has_interval);
  CHECK(wcr.conf_low == Approx(ref::wcr10::conf_low).epsilon(1e-6));
  CHECK(wcr.conf_high == Approx(ref::wcr10::conf_high).epsilon(1e-6));

  o.type = wild_bootstrap_type::unrestricted;
  const auto wcu = run(p, Eigen::MatrixXd(), o);
  check_enumerated(wcu, wcu10_ref{});
  CHECK(wcu.conf_low == Approx(ref::wcu10::conf_low).epsilon(1e-6));
  CHECK(wcu.conf_high == Approx(ref::wcu10::conf_high).epsilon(1e-6));

  wild_bootstrap_options h;
  h.null_value = -20;
  h.confidence_interval = false;
  const auto r20 = run(p, Eigen::MatrixXd(), h);
  check_enumerated(r20, wcr10_null_ref{});
  CHECK_FALSE(r20.has_interval);
}

TEST_CASE("wild bootstrap: ties counted or excluded differ by the two constant draws", "[did][wild_bootstrap]") {
  const auto p = data::prop99_subset(data::s10);
  wild_bootstrap_options o;
  o.confidence_interval = false;
  o.ties = bootstrap_ties::exclude;
  const auto r = run(p, Eigen::MatrixXd(), o);
  CHECK(r.p_symmetric == ref::wcr10::p_symmetric_strict);
  CHECK(ref::wcr10::count_ge - ref::wcr10::count_gt == 2);  // draws 0 (all +1) and 1023 (all -1)
  CHECK(r.t_star[0] == r.t_statistic);  // recognised from the weights, not computed
  CHECK(r.t_star[1023] == -r.t_statistic);
}

TEST_CASE("wild bootstrap: a covariate, clusters coarser than units, an unbalanced panel", "[did][wild_bootstrap]") {
  wild_bootstrap_options o;
  SECTION("covariate") {
    const auto p = data::prop99_subset(data::s10);
    o.confidence_interval = false;
    check_enumerated(run(p, p.z, o), wcr10_z_ref{});
  }
  SECTION("pairs of states as clusters (unit effects nested, time effects not)") {
    const auto p = data::prop99_subset(data::s16());
    o.cluster = p.pair;
    const auto r = run(p, Eigen::MatrixXd(), o);
    check_enumerated(r, wcr16_pairs_ref{});
    CHECK(r.fit.units_nested);
    CHECK_FALSE(r.fit.times_nested);
    CHECK(has_warning(r.warnings, "only 8 clusters: the bootstrap p-value is coarse"));
    CHECK(r.conf_low == Approx(ref::wcr16_pairs::conf_low).epsilon(1e-6));
    CHECK(r.conf_high == Approx(ref::wcr16_pairs::conf_high).epsilon(1e-6));
  }
  SECTION("unbalanced, with a covariate (alternating projections)") {
    const auto p = data::prop99_subset(data::s10, true);
    o.tolerance = 1e-13;
    const auto r = run(p, p.z, o);
    CHECK_FALSE(r.fit.exact_within);
    check_enumerated(r, wcr10_unbalanced_z_ref{});
    CHECK(r.conf_low == Approx(ref::wcr10_unbalanced_z::conf_low).epsilon(1e-6));
    CHECK(r.conf_high == Approx(ref::wcr10_unbalanced_z::conf_high).epsilon(1e-6));
  }
}

TEST_CASE("wild bootstrap: Monte Carlo draws are twfe() refits of the documented weights", "[did][wild_bootstrap]") {
  // Webb weights (never enumerated), pairs as clusters, unbalanced panel with a covariate, r != 0:
  // draw b takes draw::webb(pcg64(seed)) for clusters 1, 2, ..., 8 in turn; each y* is refitted by
  // twfe() (checked against lm elsewhere) after the restricted fit by QR on the dummy design.
  const auto p = data::prop99_subset(data::s16(), true);
  wild_bootstrap_options o;
  o.weights = wild_weight_kind::webb;
  o.draws = 6;
  o.seed = 20240601;
  o.cluster = p.pair;
  o.null_value = -5;
  o.tolerance = 1e-13;
  o.confidence_interval = false;
  const auto r = run(p, p.z, o);
  REQUIRE_FALSE(r.enumerated);
  REQUIRE(r.t_star.size() == 6);
  CHECK(r.method == "WCR, Webb six-point weights, Monte Carlo (6 draws, seed 20240601)");

  const dummy_fit restricted = fit_dummies(p.y - o.null_value * p.d, p.z, p);
  const Eigen::VectorXd base = restricted.fitted + o.null_value * p.d;
  twfe_options t;
  t.cluster = p.pair;
  t.tolerance = 1e-13;
  pcg64 rng(o.seed);
  for (std::size_t b = 0; b < 6; ++b) {
    std::vector<double> v(8);
    for (double& w : v) w = draw::webb(rng);  // pairs 1..8 = dense clusters 0..7
    Eigen::VectorXd ystar(p.y.size());
    for (Eigen::Index i = 0; i < p.y.size(); ++i)
      ystar(i) = base(i) + restricted.residuals(i) * v[p.pair[static_cast<std::size_t>(i)] - 1];
    const auto f = twfe(ystar, p.d, p.unit, p.time, p.z, t);
    CHECK(r.t_star[b] == Approx((f.estimate - o.null_value) / f.std_error).epsilon(1e-8));
  }
}

TEST_CASE("wild bootstrap: Monte Carlo p-values converge to the enumerated one", "[did][wild_bootstrap]") {
  // With Rademacher draws at random, the count is Binomial(B, p_enum): |p_MC - p_enum| is within
  // 4 binomial standard errors sqrt(p (1 - p) / B) but for a 6e-5 chance.
  const auto p = data::prop99_subset(data::s10);
  wild_bootstrap_options o;
  o.enumeration = enumeration_rule::never;
  o.draws = 99999;
  o.seed = 99;
  o.confidence_interval = false;
  const auto r = run(p, Eigen::MatrixXd(), o);
  REQUIRE_FALSE(r.enumerated);
  const double pe = ref::wcr10::p_symmetric, se = std::sqrt(pe * (1 - pe) / 99999.0);
  CHECK(std::abs(r.p_symmetric - pe) <= 4 * se);
  // Equal-tailed: twice a tail share, so twice that tail's binomial standard error.
  const double tail = ref::wcr10::p_equal_tailed / 2;
  CHECK(std::abs(r.p_equal_tailed - ref::wcr10::p_equal_tailed) <= 4 * 2 * std::sqrt(tail * (1 - tail) / 99999.0));
  // The same seed gives the same draws; another seed others.
  o.draws = 500;
  const auto a = run(p, Eigen::MatrixXd(), o), b = run(p, Eigen::MatrixXd(), o);
  CHECK(a.t_star == b.t_star);
  o.seed = 100;
  CHECK(run(p, Eigen::MatrixXd(), o).t_star != a.t_star);
  // Fewer draws than 2^G: automatic Monte Carlo.
  o.enumeration = enumeration_rule::automatic;
  o.draws = 1000;
  CHECK_FALSE(run(p, Eigen::MatrixXd(), o).enumerated);
  o.enumeration = enumeration_rule::always;
  CHECK(run(p, Eigen::MatrixXd(), o).draws == 1024);
}

TEST_CASE("wild bootstrap: warnings for one treated cluster and Rademacher with few clusters",
          "[did][wild_bootstrap]") {
  const auto p = data::prop99_subset(data::s10);
  wild_bootstrap_options o;
  o.confidence_interval = false;
  const auto r = run(p, Eigen::MatrixXd(), o);
  CHECK(r.treated_clusters == 1);
  CHECK(has_warning(r.warnings, "one treated cluster: the WCR bootstrap is known to fail"));
  CHECK(has_warning(r.warnings, "Rademacher weights with 10 clusters"));
  CHECK_FALSE(has_warning(r.warnings, "only 10 clusters"));  // the few-clusters warning is for G < 10
  // twfe()'s advice to use the bootstrap stays with the fit, not with the bootstrap's result.
  CHECK(has_warning(r.fit.warnings, "prefer the wild cluster bootstrap"));
  CHECK_FALSE(has_warning(r.warnings, "prefer the wild cluster bootstrap"));
  o.weights = wild_weight_kind::webb;
  const auto w = run(p, Eigen::MatrixXd(), o);
  CHECK_FALSE(has_warning(w.warnings, "Rademacher"));
  // Three treated states: no one-treated-cluster warning.
  auto q = p;
  q.d = data::staggered(q, {{"California", 1989}, {"Colorado", 1990}, {"Georgia", 1985}});
  CHECK(run(q, Eigen::MatrixXd(), o).treated_clusters == 3);
  CHECK_FALSE(has_warning(run(q, Eigen::MatrixXd(), o).warnings, "one treated cluster"));
}

TEST_CASE("wild bootstrap: bad options and data throw, naming the function", "[did][wild_bootstrap]") {
  const auto p = data::prop99_subset(data::s10);
  wild_bootstrap_options o;
  o.draws = 0;
  CHECK_THROWS_WITH(run(p, Eigen::MatrixXd(), o), Contains("wild_cluster_bootstrap: draws is 0"));
  o = {};
  o.level = 1.5;
  CHECK_THROWS_AS(run(p, Eigen::MatrixXd(), o), invalid_input);
  o = {};
  o.weights = wild_weight_kind::mammen;
  o.enumeration = enumeration_rule::always;
  CHECK_THROWS_WITH(run(p, Eigen::MatrixXd(), o), Contains("needs Rademacher"));
  o = {};
  o.cluster = {1, 2, 3};
  CHECK_THROWS_WITH(run(p, Eigen::MatrixXd(), o), Contains("cluster codes have 3"));
  o = {};
  auto bad = p;
  bad.d(3) = 2;
  CHECK_THROWS_WITH(run(bad, Eigen::MatrixXd(), o), Contains("wild_cluster_bootstrap: twfe: the treatment is 2"));
  o.cluster.assign(p.unit.size(), 7);
  CHECK_THROWS_WITH(run(p, Eigen::MatrixXd(), o), Contains("wild_cluster_bootstrap: cluster covariance: needs at least 2 clusters"));
  // 39 states cannot be enumerated.
  const auto all = data::prop99_subset(pilotstats_did_test::prop99().unit);
  o = {};
  o.enumeration = enumeration_rule::always;
  CHECK_THROWS_WITH(run(all, Eigen::MatrixXd(), o), Contains("at most 24 clusters"));
}
