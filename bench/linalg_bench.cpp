// Least squares: the ITS-sized fit (n = 120, 15 terms) and a large one (n = 100,000, 20 terms).
// R's counterparts are timed by bench/compare/r_timings.R.
#include <benchmark/benchmark.h>

#include "bench_data.hpp"
#include "pilotstats/linalg/least_squares.hpp"

namespace {

void least_squares_fit(benchmark::State& state, int refinement_steps) {
  const auto d = pilotstats_bench::gaussian_design(state.range(0), state.range(1));
  for (auto _ : state) {
    auto fit = pilotstats::least_squares(d.x, d.y, {.refinement_steps = refinement_steps});
    benchmark::DoNotOptimize(fit.coefficients.data());
  }
  state.counters["n"] = static_cast<double>(state.range(0));
  state.counters["terms"] = static_cast<double>(state.range(1));
}

void BM_least_squares(benchmark::State& state) { least_squares_fit(state, 2); }
void BM_least_squares_unrefined(benchmark::State& state) { least_squares_fit(state, 0); }

}  // namespace

BENCHMARK(BM_least_squares)->Args({120, 15})->Args({100000, 20})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_least_squares_unrefined)->Args({120, 15})->Args({100000, 20})->Unit(benchmark::kMicrosecond);
