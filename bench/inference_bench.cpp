// Covariance estimators on a 32 x 84 panel (the London shape): HAC on a 15-term pooled
// design, CR1 and CR2 (with Satterthwaite df) on the 15-term design and on the two-way
// fixed-effects design with dummies (116 terms). The fit is outside the timed loop.
#include <benchmark/benchmark.h>

#include "bench_data.hpp"
#include "pilotstats/inference/covariance.hpp"

namespace {

using namespace pilotstats;

const least_squares_fit& pooled_fit() {
  static const auto d = pilotstats_bench::gaussian_design(32 * 84, 15, 3);
  static const auto fit = least_squares(d.x, d.y);
  return fit;
}

const pilotstats_bench::panel_data& panel() {
  static const auto d = pilotstats_bench::twfe_panel(32, 84);
  return d;
}

const least_squares_fit& twfe_fit() {
  static const auto fit = least_squares(panel().data.x, panel().data.y);
  return fit;
}

void run(benchmark::State& state, const least_squares_fit& fit, const covariance_spec& spec) {
  for (auto _ : state) {
    auto v = covariance(fit, spec);
    benchmark::DoNotOptimize(v.matrix.data());
  }
}

void BM_hac_automatic_lag(benchmark::State& s) { run(s, pooled_fit(), hac_covariance{}); }
void BM_hac_lag4(benchmark::State& s) { run(s, pooled_fit(), hac_covariance{.lag = 4}); }
void BM_cr1_pooled(benchmark::State& s) { run(s, pooled_fit(), cluster_covariance{panel().unit, cr_type::cr1}); }
void BM_cr2_pooled(benchmark::State& s) { run(s, pooled_fit(), cluster_covariance{panel().unit, cr_type::cr2}); }
void BM_cr1_twfe(benchmark::State& s) { run(s, twfe_fit(), cluster_covariance{panel().unit, cr_type::cr1}); }
void BM_cr2_twfe(benchmark::State& s) { run(s, twfe_fit(), cluster_covariance{panel().unit, cr_type::cr2}); }

void BM_twfe_fit(benchmark::State& state) {
  for (auto _ : state) {
    auto fit = least_squares(panel().data.x, panel().data.y);
    benchmark::DoNotOptimize(fit.coefficients.data());
  }
}

}  // namespace

BENCHMARK(BM_hac_automatic_lag)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_hac_lag4)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_cr1_pooled)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_cr2_pooled)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_twfe_fit)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cr1_twfe)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cr2_twfe)->Unit(benchmark::kMillisecond);
