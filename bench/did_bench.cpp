// Difference-in-differences benchmarks.
//
// DiD fits on simulated panels: PPML (did/ppml.hpp) on a 32 units x 84 months panel (the London
// shape) and on 3000 x 120. Counts are Poisson with unit effects N(log 20, 0.5^2), a seasonal
// time effect plus N(0, 0.1^2), and a rate ratio of 1.2 for the treated: the first tenth of the
// units from the middle month on. Seeded (pcg64), so every run fits the same data.
// For scale: R's fixest::fepois takes about 288 ms at 3000 x 120 on this machine class, and
// glm(family = poisson) with unit and month dummies is timed by bench/compare/ppml_r_timings.R.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/did/ppml.hpp"
#include "pilotstats/did/randomization.hpp"
#include "pilotstats/did/twfe.hpp"
#include "pilotstats/did/wild_bootstrap.hpp"

// --- wild cluster bootstrap and randomization inference -------------------------------------
// A 32 x 84 panel (the London shape), 32 clusters (the units), units 0-4 treated from month 40;
// y = 0.5 D + unit effect + 0.02 month + N(0, 1). Each iteration is the whole call: twfe(), the
// set-up (32 absorbed cluster columns per residual vector) and the draws.
namespace wild_bench {

using namespace pilotstats;

struct panel {
  Eigen::VectorXd y, d;
  std::vector<std::size_t> unit;
  std::vector<int> month;
};

const panel& london_shape() {
  static const panel p = [] {
    panel q;
    const int units = 32, months = 84;
    pcg64 rng(3);
    q.y.resize(units * months);
    q.d.resize(units * months);
    std::vector<double> effect(units);
    for (double& e : effect) e = draw::standard_normal(rng);
    for (int u = 0; u < units; ++u)
      for (int t = 0; t < months; ++t) {
        const int i = u * months + t;
        q.d(i) = (u < 5 && t >= 40) ? 1.0 : 0.0;
        q.y(i) = 0.5 * q.d(i) + effect[static_cast<std::size_t>(u)] + 0.02 * t + draw::standard_normal(rng);
        q.unit.push_back(static_cast<std::size_t>(u));
        q.month.push_back(t);
      }
    return q;
  }();
  return p;
}

void wild(benchmark::State& state, std::size_t draws, bool interval) {
  const panel& p = london_shape();
  wild_bootstrap_options o;
  o.draws = draws;
  o.confidence_interval = interval;
  for (auto _ : state) {
    auto r = wild_cluster_bootstrap(p.y, p.d, p.unit, p.month, Eigen::MatrixXd(), o);
    benchmark::DoNotOptimize(r.p_value);
  }
}

void BM_wild_bootstrap_9999(benchmark::State& s) { wild(s, 9999, false); }
void BM_wild_bootstrap_99999(benchmark::State& s) { wild(s, 99999, false); }
void BM_wild_bootstrap_ci_9999(benchmark::State& s) { wild(s, 9999, true); }
void BM_wild_bootstrap_ci_99999(benchmark::State& s) { wild(s, 99999, true); }

void BM_randomization_9999(benchmark::State& state) {
  const panel& p = london_shape();
  randomization_options o;  // C(32, 5) = 201,376 assignments: Monte Carlo
  o.draws = 9999;
  for (auto _ : state) {
    auto r = randomization_inference(p.y, p.d, p.unit, p.month, Eigen::MatrixXd(), o);
    benchmark::DoNotOptimize(r.p_value);
  }
}

BENCHMARK(BM_wild_bootstrap_9999)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_wild_bootstrap_99999)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_wild_bootstrap_ci_9999)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_wild_bootstrap_ci_99999)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_randomization_9999)->Unit(benchmark::kMillisecond);

}  // namespace wild_bench

namespace {

using namespace pilotstats;

struct poisson_panel {
  Eigen::VectorXd y, treatment;
  std::vector<int> unit, month;
};

poisson_panel simulate(int units, int months, std::uint64_t seed) {
  pcg64 rng(seed);
  std::vector<double> unit_effect(static_cast<std::size_t>(units)), month_effect(static_cast<std::size_t>(months));
  for (auto& a : unit_effect) a = std::log(20.0) + 0.5 * draw::standard_normal(rng);
  for (int t = 0; t < months; ++t)
    month_effect[static_cast<std::size_t>(t)] = 0.2 * std::sin(2 * M_PI * t / 12) + 0.1 * draw::standard_normal(rng);
  poisson_panel p;
  const Eigen::Index n = static_cast<Eigen::Index>(units) * months;
  p.y.resize(n);
  p.treatment.resize(n);
  Eigen::Index i = 0;
  for (int u = 0; u < units; ++u)
    for (int t = 0; t < months; ++t, ++i) {
      const bool treated = u < std::max(1, units / 10) && t >= months / 2;
      p.treatment(i) = treated ? 1.0 : 0.0;
      const double mu = std::exp(unit_effect[static_cast<std::size_t>(u)] + month_effect[static_cast<std::size_t>(t)] +
                                 (treated ? std::log(1.2) : 0.0));
      p.y(i) = static_cast<double>(draw::poisson(rng, mu));
      p.unit.push_back(u);
      p.month.push_back(t);
    }
  return p;
}

// The two panels, simulated once each: 32 x 84 (seed 11) and 3000 x 120 (seed 12).
const poisson_panel& panel(int units) {
  if (units == 32) {
    static const poisson_panel small = simulate(32, 84, 11);
    return small;
  }
  static const poisson_panel large = simulate(3000, 120, 12);
  return large;
}

void BM_ppml(benchmark::State& state) {
  const auto& p = panel(static_cast<int>(state.range(0)));
  ppml_options o;
  o.se = state.range(2) ? ppml_se::cr1 : ppml_se::iid;
  for (auto _ : state) benchmark::DoNotOptimize(ppml(p.y, p.treatment, p.unit, p.month, Eigen::MatrixXd(), o).estimate);
  state.SetLabel(state.range(2) ? "CR1 by unit" : "iid");
}

// Linear TWFE on the same panels (the counts as the outcome): CR1 clustered by unit at both
// sizes, CR2 at 32 x 84. For scale: fixest::feols about 7 ms (32 x 84) and 63 ms (3000 x 120),
// clubSandwich's CR2 about 176 ms at 32 x 84, on this machine class (the figures).
void BM_twfe(benchmark::State& state) {
  const auto& p = panel(static_cast<int>(state.range(0)));
  twfe_options o;
  o.se = state.range(2) == 2 ? twfe_se::cr2 : twfe_se::cr1;
  for (auto _ : state) benchmark::DoNotOptimize(twfe(p.y, p.treatment, p.unit, p.month, Eigen::MatrixXd(), o).estimate);
  state.SetLabel(state.range(2) == 2 ? "CR2 by unit" : "CR1 by unit");
}

}  // namespace

BENCHMARK(BM_twfe)->Args({32, 84, 1})->Args({32, 84, 2})->Args({3000, 120, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ppml)->Args({32, 84, 0})->Args({32, 84, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ppml)->Args({3000, 120, 0})->Args({3000, 120, 1})->Unit(benchmark::kMillisecond);
