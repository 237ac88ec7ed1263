// Difference-in-differences benchmarks.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/did/randomization.hpp"
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
