// pilotstats/changepoint/candidates.hpp: the inner loops of the penalized searches (pelt.hpp,
// fpop.hpp) over candidate last changes kept in arrays.
//
// A search keeps, per candidate s, F(s), s as a double and the cost's boundary values at s
// (summed_cost, cost.hpp) in separate arrays, padded to whole blocks of 4. Then
//   candidate_values   F(s) + C(s, t) + beta for every candidate, with the cost's own
//                      arithmetic (so the same bits as optimal partitioning), and
//   first_smallest     the first candidate with the smallest value (the smallest s: ties go
//                      to it, as in optimal partitioning),
// are loops without branches or lookups over whole blocks, which g++ -O2 vectorizes (its very
// cheap cost model takes no loop that needs a scalar rest) where the cost has no call in it
// (the normal mean). MBIC's log(t - s) is gathered by the search into an array first, and
// passed on to a cost that can use it (Poisson: between(a, b, length, log(length))).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>

namespace pilotstats::detail {

// The candidates in arrays padded to whole blocks of 4, so that the passes over them run over
// whole blocks (g++ -O2's very cheap cost model vectorizes no loop that needs a scalar rest).
inline constexpr std::size_t candidate_block = 4;
inline std::size_t candidate_blocks(std::size_t count) {
  return (count + candidate_block - 1) / candidate_block;
}

// values[i] = F(s) + C(s, t) + beta for the candidates in arrays: one pointer per boundary
// value (separate variables, not an array of them, so that g++ sees plain loads and
// vectorizes the loop where the cost has no call in it). Padding lanes compute garbage.
template <bool log_length, class Base, class... Column>
void candidate_values(const Base& base, const std::array<double, sizeof...(Column)> at_t, double now,
                      double penalty, std::size_t count, double* __restrict values,
                      const double* __restrict fs, const double* __restrict start,
                      const double* __restrict log_ts, const Column* __restrict... column) {
  for (std::size_t block = 0; block < candidate_blocks(count); ++block)
    for (std::size_t lane = 0; lane < candidate_block; ++lane) {
      const std::size_t i = block * candidate_block + lane;
      using boundary = std::array<double, sizeof...(Column)>;
      double c;
      if constexpr (log_length && requires { base.between(at_t, at_t, 1.0, 1.0); })
        c = base.between(boundary{column[i]...}, at_t, now - start[i], log_ts[i]);  // log(length) known
      else
        c = base.between(boundary{column[i]...}, at_t, now - start[i]);
      if constexpr (log_length) c += log_ts[i];
      values[i] = fs[i] + c + penalty;
    }
}

// The first index in [0, padded) whose value is the smallest, or padded if none is below
// +infinity (the search then keeps F(t) = infinity and last change 0, as optimal partitioning).
// The minimum is taken per lane (exact in any order), then found again in order.
inline std::size_t first_smallest(const double* values, std::size_t padded) {
  std::array<double, candidate_block> low;
  low.fill(std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < padded; i += candidate_block)
    for (std::size_t lane = 0; lane < candidate_block; ++lane)
      low[lane] = values[i + lane] < low[lane] ? values[i + lane] : low[lane];
  const double smallest = std::min(std::min(low[0], low[1]), std::min(low[2], low[3]));
  if (!(smallest < std::numeric_limits<double>::infinity())) return padded;
  std::size_t c = 0;
  while (!(values[c] == smallest)) ++c;  // its own bits are returned: +0 and -0 compare equal
  return c;
}

}  // namespace pilotstats::detail
