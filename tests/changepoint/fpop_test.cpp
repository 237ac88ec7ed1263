// FPOP (fpop.hpp) returns exactly optimal partitioning's change points and cost, and the same
// F(t) bit for bit as exact PELT, for the normal mean and Poisson costs with and without MBIC's
// log(length) terms, random penalties and minimum segment lengths: thousands of simulated
// series, including rounded data and long runs of equal values (ties, zero counts), which
// stress the interval logic. That at every step the pieces of mu still hold the best candidate
// (a check of the pruning itself, which sees pieces cut too short where F(t) does not). R
// changepoint 2.3's answers on the reference series; edge cases; and that it prunes where PELT
// cannot.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "../support/numeric_csv.hpp"
#include "changepoint_reference.hpp"
#include "reference_calls.hpp"
#include "pilotstats/changepoint.hpp"
#include "simulated_series.hpp"

namespace {

namespace ps = pilotstats;
using pilotstats_test::penalty_of;
using pilotstats_test::reference_series;
using pilotstats_test::series_kind;

static_assert(ps::fpop_cost<ps::normal_mean_cost> && ps::fpop_cost<ps::poisson_cost>);
static_assert(ps::fpop_cost<ps::mbic_cost<ps::normal_mean_cost>> && ps::fpop_cost<ps::mbic_cost<ps::poisson_cost>>);
static_assert(!ps::fpop_cost<ps::normal_var_cost> && !ps::fpop_cost<ps::normal_meanvar_cost> &&
              !ps::fpop_cost<ps::linear_trend_cost>);

// A random penalty: 0 (every admissible split), around BIC, or large (no change).
double random_penalty(ps::pcg64& rng, Eigen::Index n) {
  switch (ps::draw::uniform_int(rng, 4)) {
    case 0: return 0.0;
    case 1: return ps::draw::uniform(rng, 0.0, 2.0);
    case 2: return ps::draw::uniform(rng, 0.5, 3.0) * std::log(static_cast<double>(n));
    default: return ps::draw::uniform(rng, 10.0, 100.0);
  }
}

// Runs of equal values (1 to 30 long): many exact ties between candidate changes.
Eigen::VectorXd runs_series(ps::pcg64& rng, Eigen::Index n, bool counts) {
  static const double count_values[] = {0, 0, 0, 1, 2, 7};
  static const double level_values[] = {-1, 0, 0, 1, 2.5};
  Eigen::VectorXd y(n);
  for (Eigen::Index t = 0; t < n;) {
    const auto run = static_cast<Eigen::Index>(1 + ps::draw::uniform_int(rng, 30));
    const double v = counts ? count_values[ps::draw::uniform_int(rng, 6)] : level_values[ps::draw::uniform_int(rng, 5)];
    for (Eigen::Index k = 0; k < run && t < n; ++k, ++t) y(t) = v;
  }
  return y;
}

template <class Cost>
void check_fpop(const Cost& cost, double pen, Eigen::Index m, const std::string& what) {
  INFO(what << " n=" << cost.size() << " m=" << m << " penalty=" << pen);
  const ps::partition op = ps::optimal_partitioning(cost, pen, m);
  ps::fpop_trace ft;
  const ps::partition fp = ps::fpop(cost, pen, m, &ft);
  REQUIRE(fp.changepoints == op.changepoints);
  REQUIRE(fp.cost == Approx(op.cost).epsilon(1e-9).margin(1e-9));
  ps::pelt_trace pt;
  ps::pelt(cost, pen, m, ps::pelt_pruning::exact, &pt);
  // FPOP's pending candidates (MBIC) are evaluated four at a time, in an AVX2 copy where the
  // processor has it (lanes.hpp): the plain copy must give the same F(t) too.
  ps::fpop_trace plain;
  ps::detail::avx2_allowed = false;
  ps::fpop(cost, pen, m, &plain);
  ps::detail::avx2_allowed = true;
  REQUIRE(ft.penalized_cost.size() == pt.penalized_cost.size());
  REQUIRE(plain.penalized_cost.size() == pt.penalized_cost.size());
  for (std::size_t t = 0; t < pt.penalized_cost.size(); ++t) {
    INFO("F(" << t << ")");
    REQUIRE(ft.penalized_cost[t] == pt.penalized_cost[t]);  // same arithmetic: the same bits
    REQUIRE(plain.penalized_cost[t] == pt.penalized_cost[t]);
  }
}

enum class source { simulated_normal, simulated_rounded, simulated_poisson, runs_levels, runs_counts };

template <class Cost>
void property(std::uint64_t seed, source from, int series) {
  ps::pcg64 rng(seed);
  int with_changes = 0;
  for (int i = 0; i < series; ++i) {
    const auto n = static_cast<Eigen::Index>(4 + ps::draw::uniform_int(rng, 150));
    Eigen::VectorXd y;
    switch (from) {
      case source::simulated_normal: y = pilotstats_test::simulated_series(rng, n, series_kind::normal); break;
      case source::simulated_rounded: y = pilotstats_test::simulated_series(rng, n, series_kind::normal_rounded); break;
      case source::simulated_poisson: y = pilotstats_test::simulated_series(rng, n, series_kind::poisson); break;
      case source::runs_levels: y = runs_series(rng, n, false); break;
      case source::runs_counts: y = runs_series(rng, n, true); break;
    }
    // Half the series with m = 1 (the costs' minimum), half with m up to 12.
    const Eigen::Index max_m = std::max<Eigen::Index>(1, std::min<Eigen::Index>(n / 2, 12));
    const Eigen::Index m =
        i % 2 == 0 ? 1 : 1 + static_cast<Eigen::Index>(ps::draw::uniform_int(rng, static_cast<std::uint64_t>(max_m)));
    const double pen = random_penalty(rng, n);
    const Cost cost(y);
    const std::string what = std::string(Cost::name) + " series " + std::to_string(i) + " seed " + std::to_string(seed);
    check_fpop(cost, pen, m, what);
    check_fpop(ps::mbic_cost<Cost>(cost), pen, m, what + " (MBIC)");
    with_changes += !ps::optimal_partitioning(cost, pen, m).changepoints.empty();
  }
  CHECK(with_changes > series / 4);  // the property was exercised on real segmentations
}

constexpr int series_per_source = 1000;

// FPOP on a reference call, set up as find_changepoints sets up PELT.
template <class Cost>
std::vector<Eigen::Index> fpop_call(const Eigen::VectorXd& y, const std::string& call) {
  const Cost cost(y);
  const ps::penalty pen = penalty_of(call);
  const double beta = ps::penalty_value(pen, cost.size(), Cost::parameters_per_change);
  const Eigen::Index m = call.find("_minseglen10") != std::string::npos ? 10 : Cost::default_segment_length;
  if (pen.kind == ps::penalty_kind::mbic) return ps::fpop(ps::mbic_cost<Cost>(cost), beta, m).changepoints;
  return ps::fpop(cost, beta, m).changepoints;
}

}  // namespace

TEST_CASE("FPOP equals optimal partitioning: normal mean", "[changepoint][fpop][property]") {
  property<ps::normal_mean_cost>(101, source::simulated_normal, series_per_source);
  property<ps::normal_mean_cost>(102, source::simulated_rounded, series_per_source);
  property<ps::normal_mean_cost>(103, source::runs_levels, series_per_source);
}

TEST_CASE("FPOP equals optimal partitioning: Poisson", "[changepoint][fpop][property]") {
  property<ps::poisson_cost>(104, source::simulated_poisson, series_per_source);
  property<ps::poisson_cost>(105, source::runs_counts, series_per_source);
}

// Under MBIC, FPOP checks a candidate again when its age reaches 32m, 128m, 512m (fpop.hpp):
// series long enough for that, against exact PELT's F(t) bit for bit and optimal partitioning's
// change points. Small penalties, and for the normal mean a variance that changes with the mean
// and a trend, keep many candidates close. (A check that grants the old candidates no
// log(length) lead, a wrong rule, fails on 3 of these 40 normal series.)
TEST_CASE("FPOP under MBIC equals exact PELT on longer series", "[changepoint][fpop][property]") {
  ps::pcg64 rng(106);
  for (int i = 0; i < 50; ++i) {
    const auto n = static_cast<Eigen::Index>(600 + ps::draw::uniform_int(rng, 1400));
    const auto changes = static_cast<Eigen::Index>(1 + ps::draw::uniform_int(rng, 5));
    const bool counts = i >= 40;
    Eigen::VectorXd y(n);
    for (Eigen::Index t = 0; t < n; ++t) {
      const double level = (t * (changes + 1) / n) % 2 == 1 ? 2.0 : 0.0;
      y(t) = counts ? static_cast<double>(ps::draw::poisson(rng, level + 0.5))
                    : ps::draw::normal(rng, level, 0.5 + level) + 0.01 * static_cast<double>(t);
    }
    const double pen = ps::draw::uniform(rng, 0.5, 1.5);
    const std::string what = "longer series " + std::to_string(i);
    if (counts)
      check_fpop(ps::mbic_cost<ps::poisson_cost>(ps::poisson_cost(y)), pen, 1, what);
    else
      check_fpop(ps::mbic_cost<ps::normal_mean_cost>(ps::normal_mean_cost(y)), pen, 1, what);
  }
}

// The functional pruning itself, not only its F(t): after every third step, at every probed mu,
// the smallest F(s) + beta + L(s, t, mu) (+ log(t - s) under MBIC) over all admissible s, by
// brute force, must be attained by an s that keeps mu in one of its pieces or is still pending
// (fpop_trace::on_step). The probes are 21 points over the range of mu (ends included) and
// just outside both ends of every piece, where a piece cut too short shows first. This sees
// pieces cut too short even where the cut does not change F(t) (a mu no segment's mean reaches
// yet), which the F(t) checks above cannot. Tolerance 1e-7 x (1 + |minimum|), 100 times FPOP's
// margin.
template <class Cost>
void check_pieces(const Eigen::VectorXd& y, double pen, Eigen::Index m, bool mbic, const std::string& what) {
  constexpr bool counts = std::is_same_v<Cost, ps::poisson_cost>;
  const Cost cost(y);
  const Eigen::Index n = cost.size();
  ps::pelt_trace exact;  // F(s), the same bits as FPOP's
  if (mbic)
    ps::pelt(ps::mbic_cost<Cost>(cost), pen, m, ps::pelt_pruning::exact, &exact);
  else
    ps::pelt(cost, pen, m, ps::pelt_pruning::exact, &exact);
  const std::vector<double>& f = exact.penalized_cost;
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(n + 1);
  for (Eigen::Index i = 0; i < n; ++i) sum(i + 1) = sum(i) + y(i);
  // The range of mu FPOP works on: the one-value segments' estimates, from the cost's sums.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (Eigen::Index i = 0; i < n; ++i) {
    const ps::segment_estimate e = cost.estimate(i, i + 1);
    const double mu = counts ? *e.rate : *e.mean;
    lo = std::min(lo, counts ? 0.0 : mu), hi = std::max(hi, mu);
  }
  constexpr int grid = 21;
  const double step_out = 1e-6 * (hi - lo);  // "just outside" a piece
  std::string first_failure;
  std::size_t steps = 0, checked = 0, pieces_seen = 0;
  // Per candidate s at time t: F(s) + beta (+ log(t - s)), the length and the total of (s, t], and
  // for the normal mean C(s, t); then L(s, t, mu) is C + length (mu - mean)^2 (normal mean) or
  // 2 (length mu - x log mu) - 2 x (Poisson, x the total), whose minimum over mu is C(s, t).
  std::vector<double> base, length, total, segment_cost;
  std::vector<char> keeps;
  ps::fpop_trace trace;
  trace.on_step = [&](Eigen::Index t, const std::vector<ps::fpop_piece_view>& pieces,
                      Eigen::Index first_pending) {
    ++steps, pieces_seen += pieces.size();
    if (t % 3 != 0) return;
    ++checked;
    if (!first_failure.empty()) return;  // one failure is enough
    const auto size = static_cast<std::size_t>(t + 1);
    base.assign(size, std::numeric_limits<double>::infinity()), length.resize(size), total.resize(size);
    segment_cost.resize(size), keeps.resize(size);
    for (Eigen::Index s = 0; s <= t - m; ++s) {
      if (s != 0 && s < m) continue;  // not admissible
      const auto k = static_cast<std::size_t>(s);
      base[k] = f[k] + pen + (mbic ? std::log(static_cast<double>(t - s)) : 0.0);
      length[k] = static_cast<double>(t - s), total[k] = sum(t) - sum(s);
      if constexpr (!counts) segment_cost[k] = cost(s, t);
    }
    std::vector<double> probes;
    for (int g = 0; g < grid; ++g) probes.push_back(g == grid - 1 ? hi : lo + (hi - lo) * g / (grid - 1));
    for (const auto& p : pieces) {
      if (p.lo - step_out >= lo) probes.push_back(p.lo - step_out);
      if (p.hi + step_out <= hi) probes.push_back(p.hi + step_out);
    }
    for (const double mu : probes) {
      std::fill(keeps.begin(), keeps.end(), 0);
      for (const auto& p : pieces)
        if (p.lo <= mu && mu <= p.hi) keeps[static_cast<std::size_t>(p.candidate)] = 1;
      const double log_mu = std::log(mu);
      double best = std::numeric_limits<double>::infinity(), best_kept = best;
      Eigen::Index best_at = -1;
      for (std::size_t k = 0; k < size; ++k) {
        if (std::isinf(base[k])) continue;
        double at_mu;
        if constexpr (counts) {
          at_mu =
              total[k] == 0 ? 2 * length[k] * mu : 2 * (length[k] * mu - total[k] * log_mu) - 2 * total[k];
        } else {
          const double d = mu - total[k] / length[k];
          at_mu = segment_cost[k] + length[k] * d * d;
        }
        const double value = base[k] + at_mu;
        if (value < best) best = value, best_at = static_cast<Eigen::Index>(k);
        if (static_cast<Eigen::Index>(k) >= first_pending || keeps[k]) best_kept = std::min(best_kept, value);
      }
      if (!(best_kept <= best + 1e-7 * (1 + std::abs(best))) &&
          !(std::isinf(best) && std::isinf(best_kept))) {
        first_failure = "t=" + std::to_string(t) + " mu=" + std::to_string(mu) + ": best " +
                        std::to_string(best) + " (s=" + std::to_string(best_at) + "), best kept " +
                        std::to_string(best_kept);
        return;
      }
    }
  };
  if (mbic)
    ps::fpop(ps::mbic_cost<Cost>(cost), pen, m, &trace);
  else
    ps::fpop(cost, pen, m, &trace);
  INFO(what << " n=" << n << " m=" << m << " penalty=" << pen << (mbic ? " MBIC" : ""));
  CHECK(first_failure == "");
  CHECK(steps == static_cast<std::size_t>(n - m + 1));
  CHECK(checked >= steps / 3);
  CHECK(pieces_seen > steps);  // the check saw pieces
}

TEST_CASE("FPOP keeps the best candidate at every mu and every step", "[changepoint][fpop][property]") {
  ps::pcg64 rng(107);
  for (int i = 0; i < 24; ++i) {
    const auto n = static_cast<Eigen::Index>(1000 + ps::draw::uniform_int(rng, 1500));
    const auto changes = static_cast<Eigen::Index>(1 + ps::draw::uniform_int(rng, 4));
    const bool counts = i % 2 == 1, mbic = i % 3 != 2;  // 16 under MBIC (rechecked at ages 128, 256)
    Eigen::VectorXd y(n);
    for (Eigen::Index t = 0; t < n; ++t) {
      const double level = (t * (changes + 1) / n) % 2 == 1 ? 2.0 : 0.0;
      y(t) = counts ? static_cast<double>(ps::draw::poisson(rng, level + 0.5))
                    : ps::draw::normal(rng, level, 1.0);
    }
    const double pen = ps::draw::uniform(rng, 0.5, 2.0) * (mbic ? 1.0 : std::log(static_cast<double>(n)));
    const Eigen::Index m = i % 4 == 3 ? 3 : 1;
    const std::string what = "series " + std::to_string(i);
    if (counts)
      check_pieces<ps::poisson_cost>(y, pen, m, mbic, what);
    else
      check_pieces<ps::normal_mean_cost>(y, pen, m, mbic, what);
  }
}

TEST_CASE("FPOP gives R changepoint 2.3's PELT answers on the reference series",
          "[changepoint][fpop][reference]") {
  int checked = 0;
  for (const auto& c : pilotstats_test::changepoint_reference()) {
    if (c.call.find("_PELT_") == std::string::npos || c.call.find("_CROPS_") != std::string::npos) continue;
    const bool mean = c.call.rfind("mean_", 0) == 0, poisson = c.call.rfind("poisson_", 0) == 0;
    if (!mean && !poisson) continue;  // variance costs: no FPOP
    INFO(c.series << " " << c.call);
    const Eigen::VectorXd y = reference_series(c.series);
    const std::vector<Eigen::Index> expected(c.cpts.begin(), c.cpts.end());  // R's cpts()
    // R's answer is the optimum on every one of these calls (reference_test.cpp: R misses it
    // only on two cpt.var calls), so FPOP must give it exactly.
    CHECK((mean ? fpop_call<ps::normal_mean_cost>(y, c.call) : fpop_call<ps::poisson_cost>(y, c.call)) == expected);
    ++checked;
  }
  CHECK(checked == 32);  // cpt.mean on 5 series x 6 calls, cpt.meanvar(Poisson) x 2
}

TEST_CASE("FPOP: edge cases", "[changepoint][fpop]") {
  SECTION("a constant series has no change, whatever the penalty") {
    const Eigen::VectorXd y = Eigen::VectorXd::Constant(50, 3.0);
    for (double pen : {0.0, 1.0, 10.0}) {
      CHECK(ps::fpop(ps::normal_mean_cost(y), pen, 1).changepoints.empty());  // every cost exactly 0
      CHECK(ps::fpop(ps::poisson_cost(Eigen::VectorXd::Zero(50)), pen, 1).changepoints.empty());
      check_fpop(ps::poisson_cost(y), pen, 1, "constant counts");
      check_fpop(ps::mbic_cost<ps::poisson_cost>(ps::poisson_cost(y)), pen, 1, "constant counts (MBIC)");
      check_fpop(ps::mbic_cost<ps::normal_mean_cost>(ps::normal_mean_cost(y)), pen, 1, "constant (MBIC)");
    }
    // Poisson: 2 x (log n - log x) = -6 n log 3 for every segment of 3s, so any split ties in
    // exact arithmetic and rounding decides at penalty 0 (check_fpop: as optimal partitioning).
    CHECK(ps::fpop(ps::poisson_cost(y), 1.0, 1).changepoints.empty());
  }
  SECTION("n = 2") {
    const Eigen::VectorXd y = (Eigen::VectorXd(2) << 0.0, 4.0).finished();
    // No change costs (0 - 2)^2 + (4 - 2)^2 = 8; a change at 1 costs 0 + penalty.
    CHECK(ps::fpop(ps::normal_mean_cost(y), 7.9, 1).changepoints == std::vector<Eigen::Index>{1});
    CHECK(ps::fpop(ps::normal_mean_cost(y), 8.1, 1).changepoints.empty());
    check_fpop(ps::poisson_cost((Eigen::VectorXd(2) << 0.0, 4.0).finished()), 0.5, 1, "n = 2 counts");
    CHECK_THROWS_AS(ps::fpop(ps::normal_mean_cost(y), 0.0, 2), ps::invalid_input);  // n < 2 m
  }
  SECTION("n = 1: the cost refuses the series") {
    CHECK_THROWS_AS(ps::normal_mean_cost(Eigen::VectorXd::Zero(1)), ps::invalid_input);
  }
  SECTION("ties go to the earlier last change, as optimal partitioning's") {
    // (0, 0, 1, 1): no change costs 4 x 0.25 = 1 (exactly); a change at 2 costs 0 + penalty.
    const Eigen::VectorXd y = (Eigen::VectorXd(4) << 0.0, 0.0, 1.0, 1.0).finished();
    CHECK(ps::fpop(ps::normal_mean_cost(y), 1.0, 1).changepoints.empty());  // the tie
    CHECK(ps::fpop(ps::normal_mean_cost(y), 0.999, 1).changepoints == std::vector<Eigen::Index>{2});
    CHECK(ps::optimal_partitioning(ps::normal_mean_cost(y), 1.0, 1).changepoints.empty());
  }
  SECTION("a huge outlier") {
    ps::pcg64 rng(7);
    Eigen::VectorXd y(300), counts(300);
    for (Eigen::Index t = 0; t < 300; ++t) {
      y(t) = ps::draw::normal(rng, t < 200 ? 0.0 : 2.0, 1.0);
      counts(t) = static_cast<double>(ps::draw::poisson(rng, t < 200 ? 1.0 : 3.0));
    }
    y(120) = 1e6;
    counts(120) = 1e5;
    const double pen = 3 * std::log(300.0);
    check_fpop(ps::normal_mean_cost(y), pen, 1, "normal outlier");
    check_fpop(ps::poisson_cost(counts), pen, 1, "poisson outlier");
    check_fpop(ps::mbic_cost<ps::normal_mean_cost>(ps::normal_mean_cost(y)), pen, 1, "normal outlier (MBIC)");
    const auto p = ps::fpop(ps::normal_mean_cost(y), pen, 1).changepoints;
    CHECK(p == std::vector<Eigen::Index>{120, 121, 200});  // the outlier alone, then the shift
  }
  SECTION("bad arguments") {
    const ps::normal_mean_cost cost(Eigen::VectorXd::LinSpaced(10, 0, 1));
    CHECK_THROWS_WITH(ps::fpop(cost, -1.0, 1), Catch::Contains("fpop") && Catch::Contains("penalty"));
    CHECK_THROWS_WITH(ps::fpop(cost, std::nan(""), 1), Catch::Contains("fpop"));
    CHECK_THROWS_WITH(ps::fpop(cost, 1.0, 0), Catch::Contains("fpop") && Catch::Contains("minimum segment length"));
    CHECK_THROWS_WITH(ps::fpop(cost, 1.0, 6), Catch::Contains("fpop") && Catch::Contains("too large"));
  }
}

TEST_CASE("FPOP prunes where PELT cannot: 10 changes in 20,000 values", "[changepoint][fpop]") {
  ps::pcg64 rng(2017);
  const Eigen::Index n = 20000;
  Eigen::VectorXd y(n), counts(n);
  for (Eigen::Index t = 0; t < n; ++t) {
    const bool odd = (t * 11 / n) % 2 == 1;
    y(t) = ps::draw::normal(rng, odd ? 1.0 : 0.0, 1.0);
    counts(t) = static_cast<double>(ps::draw::poisson(rng, odd ? 7.0 : 5.0));
  }
  const double bic = 2 * std::log(static_cast<double>(n)), mbic = 3 * std::log(static_cast<double>(n));
  const ps::normal_mean_cost normal(y);
  const ps::poisson_cost poisson(counts);

  ps::fpop_trace ft;
  ps::pelt_trace pt;
  const auto f1 = ps::fpop(normal, bic, 1, &ft);
  const auto p1 = ps::pelt(normal, bic, 1, ps::pelt_pruning::exact, &pt);
  CHECK(f1.changepoints == p1.changepoints);
  CHECK(f1.changepoints.size() == 10);
  CHECK(ft.max_candidates < 50);
  CHECK(pt.max_candidates > 500);  // PELT keeps O(segment length) candidates

  const auto f2 = ps::fpop(poisson, bic, 2, &ft);
  CHECK(f2.changepoints == ps::pelt(poisson, bic, 2).changepoints);
  CHECK(f2.changepoints.size() == 10);
  CHECK(ft.max_candidates < 50);

  // MBIC keeps more (a short first segment costs little there), still far fewer than PELT.
  const auto f3 = ps::fpop(ps::mbic_cost(normal), mbic, 1, &ft);
  CHECK(f3.changepoints == ps::pelt(ps::mbic_cost(normal), mbic, 1).changepoints);
  CHECK(f3.changepoints.size() == 10);
  CHECK(ft.max_candidates < 200);
}
