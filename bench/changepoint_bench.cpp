// PELT with 10 changes (11 equal segments), with Google Benchmark's complexity fit. Each
// iteration is the whole call, as R's cpt.mean(y, method = "PELT") or cpt.meanvar(y,
// test.stat = "Poisson", method = "PELT"): cumulative sums, the search under MBIC (R's default
// penalty), segment estimates. For scale, R changepoint 2.2.4 on the same machine and series
// shapes (bench/compare/changepoint_r_timings.R) takes 0.38 s for cpt.mean PELT at n = 1e6,
// 0.65 s for the Poisson cpt.meanvar, and 188 s for cpt.mean PELT under BIC (quadratic: see
// below). `mean_candidates` is the number of candidate last changes tried per step.
// At 1e6 the whole call also pays for its memory: 32 MB (the cost's sums, F(t), the last
// changes), whose first touch costs about 20 ms here when glibc has handed it back to the kernel
// between calls, as it does after the smaller sizes have run (README: 76 ms alone, 97 ms in the
// suite, for the normal mean pruned as R).
//
// `_r_pruning` prunes as R's PELTC does (pelt.hpp); it is what R's speed comes from: under
// MBIC its pruning also drops candidates inside a segment, which the log(length) terms do not
// justify (and on 2 of the reference calls it misses the optimum). `BM_pelt_exact_*` time
// pelt() itself, exact: it can only drop a candidate that is worse even with a free change, so
// with a fixed number of changes it keeps O(segment length) candidates and is quadratic, n^2 / 11
// here (minutes at n = 1e6, so it runs to 1e5 only). With the number of changes growing like n
// (`_changes_grow`, one per 1,000 values) it is linear, as Killick et al. (2012) show. The
// `BM_pelt_normal_mean*` and `BM_pelt_poisson` cases go through find_changepoints, whose exact
// PELT is FPOP for these costs (the same answer).
//
// FPOP (fpop.hpp) on the same series and the same whole call (sums, search, estimates), under
// MBIC and under BIC: exact, the answer of optimal partitioning / exact PELT. Under BIC it keeps
// about 6-10 candidates at every n; under MBIC more (a short first segment costs little there),
// and a candidate enters only at age 64, pending until then (`mean_pending`, about 63), so it
// grows a little faster than n.
//
// Bai-Perron breakpoints (breakpoints.hpp), level only, h = 0.15, at most 5 breaks, on a series
// with 3 level shifts: the whole call (RSS triangle, dynamic programme for m = 0..5, BIC,
// segment fits, break-date intervals), as strucchange::breakpoints(y ~ 1, h = 0.15, breaks = 5)
// followed by summary() and confint(); bench/compare/breakpoints_r_timings.R times R.
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

Eigen::VectorXd level_shift_series(Eigen::Index n) {  // shifts of 1 sd after 30%, 55% and 80%
  pcg64 rng(1997);
  Eigen::VectorXd y(n);
  for (Eigen::Index t = 0; t < n; ++t) {
    const double u = static_cast<double>(t) / static_cast<double>(n);
    y(t) = draw::normal(rng, (u >= 0.3) + (u >= 0.55) - (u >= 0.8), 1.0);
  }
  return y;
}

void BM_breakpoints_level(benchmark::State& state) {
  const Eigen::VectorXd y = level_shift_series(state.range(0));
  const Eigen::MatrixXd x = Eigen::MatrixXd::Ones(y.size(), 1);
  std::size_t found = 0;
  for (auto _ : state) {
    const auto r = breakpoints(y, x, {.h = 0.15, .max_breaks = 5});
    found = r.breakpoints.size();
    benchmark::DoNotOptimize(found);
  }
  state.counters["breaks"] = static_cast<double>(found);
  state.SetComplexityN(state.range(0));
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
  if (r_pruning) {  // candidates per step, from one traced call outside the timing
    const Cost cost(y);
    pelt_trace trace;
    pelt(mbic_cost<Cost>(cost), penalty_value({}, cost.size(), Cost::parameters_per_change),
         Cost::default_segment_length, pelt_pruning::r_changepoint, &trace);
    state.counters["mean_candidates"] = trace.mean_candidates;
  }
  state.SetComplexityN(state.range(0));
}

// pelt() itself, exact, under MBIC (find_changepoints runs FPOP instead for these costs).
template <class Cost>
void run_exact_pelt(benchmark::State& state, Eigen::VectorXd (*make)(Eigen::Index)) {
  const Eigen::VectorXd y = make(state.range(0));
  std::size_t found = 0;
  for (auto _ : state) {
    const Cost cost(y);
    const double pen = penalty_value({}, cost.size(), Cost::parameters_per_change);
    const partition p = pelt(mbic_cost<Cost>(cost), pen, Cost::default_segment_length);
    const auto r = describe_segmentation(cost, p.changepoints);
    found = r.changepoints.size();
    benchmark::DoNotOptimize(found);
  }
  const Cost cost(y);
  pelt_trace trace;
  pelt(mbic_cost<Cost>(cost), penalty_value({}, cost.size(), Cost::parameters_per_change), Cost::default_segment_length,
       pelt_pruning::exact, &trace);
  state.counters["changes"] = static_cast<double>(found);
  state.counters["mean_candidates"] = trace.mean_candidates;
  state.SetComplexityN(state.range(0));
}

template <class Cost>
void run_fpop(benchmark::State& state, Eigen::VectorXd (*make)(Eigen::Index), penalty_kind kind) {
  const Eigen::VectorXd y = make(state.range(0));
  std::size_t found = 0;
  fpop_trace trace;
  for (auto _ : state) {
    const Cost cost(y);
    const double pen = penalty_value({.kind = kind}, cost.size(), Cost::parameters_per_change);
    const partition p = kind == penalty_kind::mbic ? fpop(mbic_cost<Cost>(cost), pen, Cost::default_segment_length)
                                                   : fpop(cost, pen, Cost::default_segment_length);
    const auto r = describe_segmentation(cost, p.changepoints);
    found = r.changepoints.size();
    benchmark::DoNotOptimize(found);
  }
  {
    const Cost cost(y);
    const double pen = penalty_value({.kind = kind}, cost.size(), Cost::parameters_per_change);
    if (kind == penalty_kind::mbic) fpop(mbic_cost<Cost>(cost), pen, Cost::default_segment_length, &trace);
    else fpop(cost, pen, Cost::default_segment_length, &trace);
  }
  state.counters["changes"] = static_cast<double>(found);
  state.counters["mean_candidates"] = trace.mean_candidates;
  if (kind == penalty_kind::mbic) state.counters["mean_pending"] = trace.mean_pending;
  state.SetComplexityN(state.range(0));
}

void BM_fpop_normal_mean(benchmark::State& s) { run_fpop<normal_mean_cost>(s, normal_series, penalty_kind::mbic); }
void BM_fpop_poisson(benchmark::State& s) { run_fpop<poisson_cost>(s, poisson_series, penalty_kind::mbic); }
void BM_fpop_normal_mean_bic(benchmark::State& s) { run_fpop<normal_mean_cost>(s, normal_series, penalty_kind::bic); }
void BM_fpop_poisson_bic(benchmark::State& s) { run_fpop<poisson_cost>(s, poisson_series, penalty_kind::bic); }

Eigen::VectorXd poisson_series_many_changes(Eigen::Index n) {  // rate 5 / 8, switching every 1,000
  pcg64 rng(2018);
  Eigen::VectorXd y(n);
  for (Eigen::Index t = 0; t < n; ++t) y(t) = static_cast<double>(draw::poisson(rng, (t / 1000) % 2 == 0 ? 5.0 : 8.0));
  return y;
}

template <class Model>
void run_bocpd(benchmark::State& state, const Model& model, Eigen::VectorXd (*make)(Eigen::Index), std::size_t cap) {
  const Eigen::VectorXd y = make(state.range(0));
  std::size_t kept = 0;
  for (auto _ : state) {
    bocpd<Model> detector(model, {.hazard_lambda = 1000, .max_run_lengths = cap});
    std::size_t total = 0;
    for (Eigen::Index t = 0; t < y.size(); ++t) total += detector.update(y(t)).run_lengths_kept;
    kept = total / static_cast<std::size_t>(y.size());
    benchmark::DoNotOptimize(kept);
  }
  state.counters["mean_kept"] = static_cast<double>(kept);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_bocpd_poisson(benchmark::State& s) { run_bocpd(s, poisson_gamma{.shape = 1, .rate = 0.2}, poisson_series_many_changes, 0); }
void BM_bocpd_poisson_cap100(benchmark::State& s) { run_bocpd(s, poisson_gamma{.shape = 1, .rate = 0.2}, poisson_series_many_changes, 100); }
void BM_bocpd_normal(benchmark::State& s) { run_bocpd(s, normal_gamma{}, normal_series_many_changes, 0); }
void BM_bocpd_normal_cap100(benchmark::State& s) { run_bocpd(s, normal_gamma{}, normal_series_many_changes, 100); }

void BM_cusum_arl_brook_evans(benchmark::State& state) {
  double arl = 0;
  for (auto _ : state) benchmark::DoNotOptimize(arl = normal_cusum_arl(0.5, 4.77, 0, cusum_side::two_sided));
  state.counters["arl"] = arl;
}

void BM_cusum_calibrate_h(benchmark::State& state) {
  cusum_calibration_result c;
  for (auto _ : state) c = calibrate_cusum_h({.target_arl = 370, .k = 0.5, .replications = 1000});
  state.counters["h"] = c.h;
  state.counters["arl"] = c.arl;
  state.counters["arl_se"] = c.arl_standard_error;
  state.counters["evaluations"] = c.evaluations;
}

void BM_pelt_normal_mean(benchmark::State& s) { run<normal_mean_cost>(s, normal_series, false); }
void BM_pelt_normal_mean_r_pruning(benchmark::State& s) { run<normal_mean_cost>(s, normal_series, true); }
void BM_pelt_normal_mean_changes_grow(benchmark::State& s) { run<normal_mean_cost>(s, normal_series_many_changes, false); }
void BM_pelt_poisson(benchmark::State& s) { run<poisson_cost>(s, poisson_series, false); }
void BM_pelt_poisson_r_pruning(benchmark::State& s) { run<poisson_cost>(s, poisson_series, true); }
void BM_pelt_exact_normal_mean(benchmark::State& s) { run_exact_pelt<normal_mean_cost>(s, normal_series); }
void BM_pelt_exact_poisson(benchmark::State& s) { run_exact_pelt<poisson_cost>(s, poisson_series); }
void BM_pelt_exact_normal_mean_changes_grow(benchmark::State& s) { run_exact_pelt<normal_mean_cost>(s, normal_series_many_changes); }
void BM_pelt_exact_poisson_changes_grow(benchmark::State& s) { run_exact_pelt<poisson_cost>(s, poisson_series_many_changes); }

}  // namespace

BENCHMARK(BM_breakpoints_level)->Arg(120)->Arg(500)->Arg(2000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oNSquared);
BENCHMARK(BM_pelt_normal_mean_r_pruning)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_pelt_poisson_r_pruning)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_fpop_normal_mean)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_fpop_poisson)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_fpop_normal_mean_bic)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_fpop_poisson_bic)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_pelt_normal_mean_changes_grow)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_pelt_normal_mean)->RangeMultiplier(10)->Range(10000, 100000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oNSquared);
BENCHMARK(BM_pelt_poisson)->RangeMultiplier(10)->Range(10000, 100000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oNSquared);
BENCHMARK(BM_pelt_exact_normal_mean)->RangeMultiplier(10)->Range(10000, 100000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oNSquared);
BENCHMARK(BM_pelt_exact_poisson)->RangeMultiplier(10)->Range(10000, 100000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oNSquared);
BENCHMARK(BM_pelt_exact_normal_mean_changes_grow)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_pelt_exact_poisson_changes_grow)->RangeMultiplier(10)->Range(10000, 1000000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
BENCHMARK(BM_bocpd_poisson)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_bocpd_poisson_cap100)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_bocpd_normal)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_bocpd_normal_cap100)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cusum_arl_brook_evans)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cusum_calibrate_h)->Unit(benchmark::kMillisecond)->Iterations(1);
