// pilotstats/changepoint/lanes.hpp: four doubles as one value, for the searches' passes over
// candidates (pelt.hpp), and an AVX2 copy of such a pass chosen at run time.
//
// `lanes` is a GCC vector (vector_size(32)): +, -, *, / and comparisons act lane by lane with
// the same IEEE arithmetic as on one double, so a pass over lanes gives the same bits as a loop
// over doubles. g++ compiles it to SSE2 pairs by default and to 256-bit AVX instructions in a
// function with target("avx2"), so a pass written once serves both: the search calls the AVX2
// copy where the processor has it (`has_avx2`). target("avx2") does not include FMA, so no
// multiply-add is fused and the bits stay the same. Only x86-64 with g++ or clang has the copy.
//
// No function here takes or returns a `lanes` by value: that has one ABI with AVX and another
// without (g++ -Wpsabi warns of it), and the plain and AVX2 copies must never call each other
// with a different one. They take references, and are always inlined.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "pilotstats/changepoint/candidates.hpp"
#include "pilotstats/changepoint/cost.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define PILOTSTATS_AVX2_DISPATCH 1
#else
#define PILOTSTATS_AVX2_DISPATCH 0
#endif

namespace pilotstats::detail {

using lanes = double __attribute__((vector_size(32)));
using lane_mask = std::int64_t __attribute__((vector_size(32)));  // a comparison: -1 (true) or 0

[[gnu::always_inline]] inline void load_lanes(lanes& v, const double* p) { std::memcpy(&v, p, sizeof v); }
[[gnu::always_inline]] inline void store_lanes(double* p, const lanes& v) { std::memcpy(p, &v, sizeof v); }
[[gnu::always_inline]] inline void abs_lanes(lanes& x) {  // clears the sign bit, as std::abs
  x = reinterpret_cast<lanes>(reinterpret_cast<lane_mask>(x) & std::int64_t{0x7fffffffffffffff});
}

// v = table[k] for the whole numbers k in `index`, by four loads: on AMD Zen 3 (the machines
// this project is measured and tested on) AVX2's vgatherdpd was slower than that, by about
// 1.8 ns per four values in PELT's pass (not measured on Intel cores).
[[gnu::always_inline]] inline void gather(lanes& v, const double* table, const lanes& index) {
  v = lanes{table[static_cast<std::int64_t>(index[0])], table[static_cast<std::int64_t>(index[1])],
            table[static_cast<std::int64_t>(index[2])], table[static_cast<std::int64_t>(index[3])]};
}

// v = end[-k] for the four whole numbers k at `k`: a table read backwards from `end` by
// integer offsets, with no conversion from doubles (PELT's log(t - s) from the candidates' s).
[[gnu::always_inline]] inline void gather_back(lanes& v, const double* end, const std::int64_t* k) {
  v = lanes{end[-k[0]], end[-k[1]], end[-k[2]], end[-k[3]]};
}

// body(log_of, from_table), with log_of(whole, log) giving the logs of whole numbers: from
// `table`, or where there is none (it does not reach them) one by one from `logs`; from_table
// says which, as std::true_type or std::false_type. The body is instantiated for each, so the
// choice is made once per pass, not per block.
template <class Body>
[[gnu::always_inline]] inline void with_whole_logs(const double* table, integer_logs& logs, Body&& body) {
  if (table)
    body([&](const lanes& whole, lanes& log) { gather(log, table, whole); }, std::true_type{});
  else
    body(
        [&](const lanes& whole, lanes& log) {
          for (std::size_t lane = 0; lane < candidate_block; ++lane) log[lane] = logs(whole[lane]);
        },
        std::false_type{});
}

// The four lanes in reverse order (g++ and clang name the shuffle differently).
[[gnu::always_inline]] inline void reverse_lanes(lanes& v) {
#if defined(__clang__)
  v = __builtin_shufflevector(v, v, 3, 2, 1, 0);
#else
  v = __builtin_shuffle(v, lane_mask{3, 2, 1, 0});
#endif
}

// Each value in all four lanes.
template <std::size_t width>
[[gnu::always_inline]] inline void splat_each(std::array<lanes, width>& v, const std::array<double, width>& x) {
  for (std::size_t j = 0; j < width; ++j) v[j] = lanes{x[j], x[j], x[j], x[j]};
}

// A cost whose between() takes four candidates at once (a template over the number type,
// giving its result through a reference: lanes.hpp).
template <class Base>
concept lane_cost = summed_cost<Base> && requires(const std::array<lanes, Base::boundary_size>& at, lanes& c) {
  Base::between(at, at, c, c);
};
// The same for a cost that takes logarithms of whole numbers (Poisson: the length and the
// total count): given log(length), and a function that gives the log of whole numbers in
// lanes; `largest_log_argument(a, b)` bounds the numbers it takes logs of between a and b.
template <class Base>
concept lane_log_cost = summed_cost<Base> && requires(const std::array<lanes, Base::boundary_size>& at, lanes& c,
                                                      const std::array<double, Base::boundary_size>& at_one) {
  Base::between(at, at, c, c, [](const lanes&, lanes&) {}, c);
  { Base::largest_log_argument(at_one, at_one) } -> std::same_as<double>;
};

// C(s, t) for four candidates by whichever lane form the cost has; log_length (log(t - s)) and
// log_of (lanes of whole numbers to their logs) are used only by a lane_log_cost.
template <class Base, class Log>
[[gnu::always_inline]] inline void lane_between(const std::array<lanes, Base::boundary_size>& at_s,
                                                const std::array<lanes, Base::boundary_size>& at_t,
                                                const lanes& length, const lanes& log_length,
                                                const Log& log_of, lanes& cost) {
  if constexpr (lane_cost<Base>)
    Base::between(at_s, at_t, length, cost);
  else
    Base::between(at_s, at_t, length, log_length, log_of, cost);
}

// Tests set this to false to run the plain copies on a machine that has AVX2.
inline bool avx2_allowed = true;

inline bool has_avx2() {
#if PILOTSTATS_AVX2_DISPATCH
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes && avx2_allowed;
#else
  return false;
#endif
}

}  // namespace pilotstats::detail
