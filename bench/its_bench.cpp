// ITS-sized fits (n = 120 months, 15 terms: intercept, trend, level and slope change, 11 month
// dummies) and the in-time placebo sweep (the actual fit with its covariance, then 57 placebo
// refits, estimates only). For scale (from the issue): R and statsmodels take about 160-210 us
// (OLS + HAC), 1 ms (Poisson) and 4-5 ms (negative binomial) per fit; measured here they take
// more (bench/compare/its_r_timings.R, its_statsmodels_timings.py; README, Benchmarks).
#include <benchmark/benchmark.h>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/panel.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/its/placebo.hpp"

namespace {

using namespace pilotstats;

struct its_data {
  series counts, continuous;
};

const its_data& data() {
  static const its_data d = [] {
    pcg64 rng(7);
    panel_builder b({"counts", "minutes"});
    for (int t = 0; t < 120; ++t) {
      const bool after = t >= 72;
      const double mu = std::exp(3.0 + 0.002 * t + (after ? 0.5 - 0.01 * (t - 72) : 0.0) +
                                 0.1 * std::sin(2 * M_PI * t / 12));
      b.add_row("A", month(2010, 1) + t,
                {static_cast<double>(draw::negative_binomial(rng, mu, 30.0)),
                 15 + 0.02 * t + (after ? 3.0 : 0.0) + draw::standard_normal(rng)});
    }
    const auto p = b.build();
    return its_data{p.unit_series("A", "counts"), p.unit_series("A", "minutes")};
  }();
  return d;
}

its_options options(glm_family model, covariance_spec se) {
  return {.interruptions = {{month(2016, 1)}}, .season = {seasonality_kind::month_dummies}, .model = model, .covariance = se};
}

void BM_its_ols_hac(benchmark::State& state) {
  const auto o = options(glm_family::gaussian, hac_covariance{});
  for (auto _ : state) benchmark::DoNotOptimize(fit_its(data().continuous, o).effects.front().level_change.estimate);
}
void BM_its_poisson(benchmark::State& state) {
  const auto o = options(glm_family::poisson, classical_covariance{});
  for (auto _ : state) benchmark::DoNotOptimize(fit_its(data().counts, o).effects.front().level_change.estimate);
}
void BM_its_negative_binomial(benchmark::State& state) {
  const auto o = options(glm_family::negative_binomial, classical_covariance{});
  for (auto _ : state) benchmark::DoNotOptimize(fit_its(data().counts, o).effects.front().level_change.estimate);
}
void BM_its_placebo_sweep_ols_hac(benchmark::State& state) {
  const auto o = options(glm_family::gaussian, hac_covariance{});
  for (auto _ : state) benchmark::DoNotOptimize(in_time_placebo(data().continuous, o).p_value);
}

}  // namespace

BENCHMARK(BM_its_ols_hac)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_its_poisson)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_its_negative_binomial)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_its_placebo_sweep_ols_hac)->Unit(benchmark::kMillisecond);
