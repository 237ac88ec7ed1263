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
// passed on to a cost that can use it; a cost that takes logarithms of whole numbers (Poisson:
// log of a segment's total count) takes them from the search's integer_logs table.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace pilotstats::detail {

// The candidates in arrays padded to whole blocks of 4, so that the passes over them run over
// whole blocks (g++ -O2's very cheap cost model vectorizes no loop that needs a scalar rest).
inline constexpr std::size_t candidate_block = 4;
inline std::size_t candidate_blocks(std::size_t count) {
  return (count + candidate_block - 1) / candidate_block;
}

// log(k) for whole numbers k >= 0, from a table grown on demand, with std::log's bits (the
// table holds std::log's own results): a search takes log(t - s), and the Poisson cost the log
// of a segment's total count, at about 1 ns instead of about 8. Beyond 2^22 (a 32 MB table)
// it calls std::log.
class integer_logs {
 public:
  integer_logs() { grow(1023); }
  double operator()(double k) {  // k must be a whole number >= 0, exact as a double
    if (k >= 0 && k < static_cast<double>(table_.size())) [[likely]]
      return table_[static_cast<std::int64_t>(k)];  // not size_t: its conversion has a branch
    if (!(k >= 0 && k < static_cast<double>(largest))) return std::log(k);
    grow(static_cast<std::size_t>(k));
    return table_[static_cast<std::int64_t>(k)];
  }
  // The table through k, for a loop that looks up many k <= that (none if k is too large).
  const double* through(double k) {
    if (!(k >= 0 && k < static_cast<double>(largest))) return nullptr;
    if (!(k < static_cast<double>(table_.size()))) grow(static_cast<std::size_t>(k));
    return table_.data();
  }

 private:
  static constexpr std::size_t largest = std::size_t{1} << 22;
  void grow(std::size_t k) {  // to hold k, at least doubling
    const std::size_t from = table_.size(), size = std::min(largest, std::max(2 * from, k + 1));
    table_.resize(size);
    for (std::size_t i = from; i < size; ++i) table_[i] = std::log(static_cast<double>(i));
  }
  std::vector<double> table_;
};

// C(s, t) for one candidate from its boundary values, plus log(t - s) = log_t under MBIC; a
// cost that takes logarithms of whole numbers gets them from `logs`.
template <bool log_length, class Base, std::size_t width>
double candidate_cost(const Base& base, const std::array<double, width>& at_s, const std::array<double, width>& at_t,
                      double length, double log_t, integer_logs& logs) {
  double c;
  if constexpr (requires { base.between(at_s, at_t, 1.0, 1.0, logs); })
    c = base.between(at_s, at_t, length, log_length ? log_t : logs(length), logs);
  else
    c = base.between(at_s, at_t, length);
  if constexpr (log_length) c += log_t;
  return c;
}

// values[i] = F(s) + C(s, t) + beta for the candidates in arrays: one pointer per boundary
// value (separate variables, not an array of them, so that g++ sees plain loads and
// vectorizes the loop where the cost has no call in it). Padding lanes compute garbage.
template <bool log_length, class Base, class... Column>
void candidate_values(const Base& base, const std::array<double, sizeof...(Column)> at_t, double now,
                      double penalty, integer_logs& logs, std::size_t count, double* __restrict values,
                      const double* __restrict fs, const double* __restrict start,
                      const double* __restrict log_ts, const Column* __restrict... column) {
  for (std::size_t block = 0; block < candidate_blocks(count); ++block)
    for (std::size_t lane = 0; lane < candidate_block; ++lane) {
      const std::size_t i = block * candidate_block + lane;
      const double c = candidate_cost<log_length>(base, std::array<double, sizeof...(Column)>{column[i]...}, at_t,
                                                  now - start[i], log_ts[i], logs);
      values[i] = fs[i] + c + penalty;
    }
}

// The smallest of values[0, padded): a minimum per lane (exact in any order), then across.
inline double smallest_value(const double* values, std::size_t padded) {
  std::array<double, candidate_block> low;
  low.fill(std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < padded; i += candidate_block)
    for (std::size_t lane = 0; lane < candidate_block; ++lane)
      low[lane] = values[i + lane] < low[lane] ? values[i + lane] : low[lane];
  return std::min(std::min(low[0], low[1]), std::min(low[2], low[3]));
}

// The first index whose value is `smallest` (found by smallest_value or alike), or padded if
// that is not below +infinity (the search then keeps F(t) = infinity and last change 0, as
// optimal partitioning).
inline std::size_t first_at(const double* values, std::size_t padded, double smallest) {
  if (!(smallest < std::numeric_limits<double>::infinity())) return padded;
  std::size_t c = 0;
  while (!(values[c] == smallest)) ++c;  // its own bits are returned: +0 and -0 compare equal
  return c;
}

// The first index in [0, padded) whose value is the smallest (ties go to the smallest s), or
// padded if none is below +infinity.
inline std::size_t first_smallest(const double* values, std::size_t padded) {
  return first_at(values, padded, smallest_value(values, padded));
}

}  // namespace pilotstats::detail
