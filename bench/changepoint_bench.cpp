// PELT with 10 changes (11 equal segments), with Google Benchmark's complexity fit. Each
// iteration is the whole call, as R's cpt.mean(y, method = "PELT") or cpt.meanvar(y,
// test.stat = "Poisson", method = "PELT"): cumulative sums, the search under MBIC (R's default
// penalty), segment estimates. For scale: R changepoint takes about 0.5 s for cpt.mean PELT
// at n = 1e6.
//
// `_r_pruning` prunes as R's PELTC does (pelt.hpp); it is what R's speed comes from: under
// MBIC its pruning also drops candidates inside a segment, which the log(length) terms do not
// justify (and on 2 of the reference calls it misses the optimum). Exact PELT can only drop a
// candidate that is worse even with a free change, so with a fixed number of changes it keeps
// O(segment length) candidates and is quadratic, n^2 / 11 here (about 13 min at n = 1e6, so
// it runs to 1e5 only). With the number of changes growing like n (`_changes_grow`, one per
// 1,000 values) it is linear, as Killick et al. (2012) show.
#include <benchmark/benchmark.h>

#include "pilotstats/changepoint.hpp"
#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"

namespace {

using namespace pilotstats;

Eigen::VectorXd normal_series(Eigen::Index n) {
  pcg64 rng(2012);
  Eigen::VectorXd y(n);
  for (Eigen::Index t = 0; t < n; ++t) y(t) = draw::normal(rng, (t * 11 / n) % 2 == 0 ? 0.0 : 1.0, 1.0);
  return y;
}

Eigen::VectorXd normal_series_many_changes(Eigen::Index n) {  // a change every 1,000 values
  pcg64 rng(2012);
  Eigen::VectorXd y(n);
  for (Eigen::Index t = 0; t < n; ++t) y(t) = draw::normal(rng, (t / 1000) % 2 == 0 ? 0.0 : 1.0, 1.0);
  return y;
}

Eigen::VectorXd poisson_series(Eigen::Index n) {
  pcg64 rng(2017);
  Eigen::VectorXd y(n);
  for (Eigen::Index t = 0; t < n; ++t)
    y(t) = static_cast<double>(draw::poisson(rng, (t * 11 / n) % 2 == 0 ? 5.0 : 7.0));
  return y;
}

template <class Cost>
void run(benchmark::State& state, Eigen::VectorXd (*make)(Eigen::Index), bool r_pruning) {
  const Eigen::VectorXd y = make(state.range(0));
  std::size_t found = 0;
  for (auto _ : state) {
    const Cost cost(y);
    const auto r = find_changepoints(cost, {.r_compatible = r_pruning});
    found = r.changepoints.size();
    benchmark::DoNotOptimize(found);
  }
  state.counters["changes"] = static_cast<double>(found);
  state.SetComplexityN(state.range(0));
}

void BM_pelt_normal_mean(benchmark::State& s) { run<normal_mean_cost>(s, normal_series, false); }
void BM_pelt_normal_mean_r_pruning(benchmark::State& s) { run<normal_mean_cost>(s, normal_series, true); }
void BM_pelt_normal_mean_changes_grow(benchmark::State& s) { run<normal_mean_cost>(s, normal_series_many_changes, false); }
void BM_pelt_poisson(benchmark::State& s) { run<poisson_cost>(s, poisson_series, false); }
void BM_pelt_poisson_r_pruning(benchmark::State& s) { run<poisson_cost>(s, poisson_series, true); }

}  // namespace

BENCHMARK(BM_pelt_normal_mean_r_pruning)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_pelt_poisson_r_pruning)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_pelt_normal_mean_changes_grow)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_pelt_normal_mean)->RangeMultiplier(10)->Range(10000, 100000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oNSquared);
BENCHMARK(BM_pelt_poisson)->RangeMultiplier(10)->Range(10000, 100000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oNSquared);
