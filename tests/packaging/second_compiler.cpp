// Built by a second compiler (clang; tests/packaging/CMakeLists.txt), because the change-point
// searches use GCC vector extensions and a run-time AVX2 copy (changepoint/lanes.hpp) that g++
// and clang spell differently. Includes every header, then runs PELT (both prunings), FPOP and
// optimal partitioning, with the AVX2 copy and the plain one, for the normal mean and Poisson
// under MBIC, and requires the same F(t), bit for bit, and the same change points from all of
// them. Prints "second compiler ok" on success.
#include <cstring>
#include <iostream>
#include <pilotstats/pilotstats.hpp>
#include <vector>

namespace {

using namespace pilotstats;

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// F(t) and the change points of every search on one cost; false (with a message) on a mismatch.
template <class Cost>
bool searches_agree(const char* what, const Cost& cost, Eigen::Index m) {
  const mbic_cost<Cost> with_log(cost);
  const double pen = penalty_value({}, cost.size(), Cost::parameters_per_change);
  pelt_trace reference_trace;
  const partition reference = pelt(with_log, pen, m, pelt_pruning::exact, &reference_trace);
  const partition by_op = optimal_partitioning(with_log, pen, m);
  bool ok = by_op.changepoints == reference.changepoints;
  for (const auto pruning : {pelt_pruning::exact, pelt_pruning::r_changepoint}) {
    pelt_trace with_avx2, plain;
    detail::avx2_allowed = true;
    const partition p = pelt(with_log, pen, m, pruning, &with_avx2);
    detail::avx2_allowed = false;
    pelt(with_log, pen, m, pruning, &plain);
    ok = ok && same_bits(with_avx2.penalized_cost, plain.penalized_cost);
    // R's pruning may miss the optimum under MBIC; the two copies must still agree bit for bit.
    if (pruning == pelt_pruning::exact)
      ok = ok && p.changepoints == reference.changepoints &&
           same_bits(with_avx2.penalized_cost, reference_trace.penalized_cost);
  }
  for (const bool avx2 : {true, false}) {
    detail::avx2_allowed = avx2;
    fpop_trace trace;
    const partition f = fpop(with_log, pen, m, &trace);
    ok = ok && f.changepoints == reference.changepoints &&
         same_bits(trace.penalized_cost, reference_trace.penalized_cost);
  }
  detail::avx2_allowed = true;
  if (!ok) std::cout << what << ": the searches disagree\n";
  return ok;
}

}  // namespace

int main() {
  pcg64 rng(2024);
  const Eigen::Index n = 600;
  Eigen::VectorXd y(n), counts(n);
  for (Eigen::Index t = 0; t < n; ++t) {
    const int segment = static_cast<int>(t / 150);  // changes after 150, 300 and 450
    y(t) = draw::normal(rng, segment % 2 == 0 ? 0.0 : 2.0, 1.0);
    counts(t) = static_cast<double>(draw::poisson(rng, segment % 2 == 0 ? 4.0 : 9.0));
  }
  bool ok = searches_agree("normal mean", normal_mean_cost(y), 1);
  ok = searches_agree("Poisson", poisson_cost(counts), 2) && ok;
  // The whole call, and that it finds the three changes (each within 5 of the truth).
  const auto r = find_changepoints(normal_mean_cost(y));
  bool found = r.changepoints.size() == 3;
  for (std::size_t i = 0; found && i < 3; ++i)
    found = std::abs(r.changepoints[i] - 150 * static_cast<Eigen::Index>(i + 1)) <= 5;
  if (!found) std::cout << "find_changepoints did not find the changes after 150, 300 and 450\n";
  if (!(ok && found)) return 1;
  std::cout << "second compiler ok\n";
  return 0;
}
