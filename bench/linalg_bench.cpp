// Least squares: the ITS-sized fit (n = 120, 15 terms) and a large one (n = 100,000, 20 terms).
// R's counterparts are timed by bench/compare/r_timings.R.
#include <benchmark/benchmark.h>

#include "bench_data.hpp"
#include "pilotstats/linalg/glm.hpp"
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

namespace {

// Counts for the ITS-sized GLMs: y ~ Poisson / NB2(theta = 20) with log mean 3 + 0.1 x'1.
pilotstats_bench::regression_data count_data(pilotstats::glm_family family) {
  auto d = pilotstats_bench::gaussian_design(120, 15, 4);
  pilotstats::pcg64 rng(5);
  for (Eigen::Index i = 0; i < d.y.size(); ++i) {
    const double mu = std::exp(3.0 + 0.1 * d.x.row(i).tail(14).sum());
    d.y(i) = static_cast<double>(family == pilotstats::glm_family::negative_binomial
                                     ? pilotstats::draw::negative_binomial(rng, mu, 20.0)
                                     : pilotstats::draw::poisson(rng, mu));
  }
  return d;
}

void glm_benchmark(benchmark::State& state, pilotstats::glm_family family) {
  const auto d = count_data(family);
  for (auto _ : state) {
    auto fit = pilotstats::fit_glm(d.x, d.y, {.family = family});
    benchmark::DoNotOptimize(fit.coefficients.data());
  }
}

void BM_glm_poisson(benchmark::State& state) { glm_benchmark(state, pilotstats::glm_family::poisson); }
void BM_glm_negative_binomial(benchmark::State& state) {
  glm_benchmark(state, pilotstats::glm_family::negative_binomial);
}

}  // namespace

BENCHMARK(BM_glm_poisson)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_glm_negative_binomial)->Unit(benchmark::kMicrosecond);
