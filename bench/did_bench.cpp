// DiD fits on simulated panels: PPML (did/ppml.hpp) on a 32 units x 84 months panel (the London
// shape) and on 3000 x 120. Counts are Poisson with unit effects N(log 20, 0.5^2), a seasonal
// time effect plus N(0, 0.1^2), and a rate ratio of 1.2 for the treated: the first tenth of the
// units from the middle month on. Seeded (pcg64), so every run fits the same data.
// For scale: R's fixest::fepois takes about 288 ms at 3000 x 120 on this machine class, and
// glm(family = poisson) with unit and month dummies is timed by bench/compare/ppml_r_timings.R.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/did/ppml.hpp"

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

}  // namespace

BENCHMARK(BM_ppml)->Args({32, 84, 0})->Args({32, 84, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ppml)->Args({3000, 120, 0})->Args({3000, 120, 1})->Unit(benchmark::kMillisecond);
