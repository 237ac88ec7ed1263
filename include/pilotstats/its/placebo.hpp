// pilotstats/its/placebo.hpp: in-time placebo for an interrupted time series.
//
// The series before the interruption under test (`which`, the first by default) is refitted
// with a pretend interruption at every admissible month: at least `min_segment` fitted months
// before it (after the previous interruption, which stays in the model, or the series start)
// and from it to the real interruption. If the real level change is an effect, it should stand out from these placebo
// level changes; if a pre-existing trend or a wobble produces effects of its size, it will
// not. p = (1 + #{placebo : |placebo| >= |actual|}) / (1 + n placebo dates), the usual
// permutation convention (Abadie, Diamond & Hainmueller 2015 use in-time placebos the same way).
// Level changes are compared on the link scale; the model, seasonality and offset are the
// actual fit's (the covariance plays no part: only the estimates are compared). The placebo fits
// are coefficients only (glm_coefficients), which agree with fit_its's to the last digits.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/core/series.hpp"
#include "pilotstats/its/fit.hpp"

namespace pilotstats {

struct placebo_result {
  double actual = 0;                    // the real level change (link scale)
  std::vector<month> dates;             // the placebo interruptions
  std::vector<double> level_changes;    // their level changes (link scale)
  double p_value = 1;
  std::vector<std::string> warnings;
};

namespace detail {

inline series head_before(const series& s, month end) {
  series out{s.unit, s.column, {}, Eigen::VectorXd(), {}};
  std::vector<double> values;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s.months[i] < end) {
      out.months.push_back(s.months[i]);
      values.push_back(s.values(static_cast<Eigen::Index>(i)));
      out.missing.push_back(s.missing[i]);
    }
  out.values = Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
  return out;
}

}  // namespace detail

inline placebo_result in_time_placebo(const series& outcome, const its_options& options, const series* exposure = nullptr,
                                      int min_segment = 8, std::size_t which = 0) {
  if (options.interruptions.empty()) throw invalid_input("in_time_placebo: no interruption given");
  if (which >= options.interruptions.size())
    throw invalid_input("in_time_placebo: interruption " + std::to_string(which + 1) + " asked for, but " +
                        std::to_string(options.interruptions.size()) + " given");
  if (min_segment < 2) throw invalid_input("in_time_placebo: min_segment must be at least 2");
  placebo_result out;
  const month real = options.interruptions[which].start;
  out.actual = fit_its(outcome, options, exposure).effects[which].level_change.estimate;
  const series before = detail::head_before(outcome, real);
  // Admissible dates count observed months after the previous interruption (its transition
  // window included in the count: a placebo there would test the previous effect, not this one).
  std::vector<month> observed;
  for (std::size_t i = 0; i < before.size(); ++i)
    if (!before.missing[i] && (which == 0 || !(before.months[i] < options.interruptions[which - 1].start)))
      observed.push_back(before.months[i]);
  its_options placebo = options;
  placebo.interruptions.resize(which + 1);
  placebo.interruptions[which].transition_months = 0;
  // Each placebo needs its level change only: the coefficients without covariance or tables.
  std::vector<Eigen::Index> aliased;
  for (std::size_t i = static_cast<std::size_t>(min_segment); i + static_cast<std::size_t>(min_segment) <= observed.size(); ++i) {
    placebo.interruptions[which].start = observed[i];
    const detail::its_inputs in = detail::prepare_its(before, placebo, exposure);
    const Eigen::VectorXd b = glm_coefficients(in.x, in.y, {.family = placebo.model, .offset = in.offset}, &aliased);
    const std::string term = level_term({.interruptions = placebo.interruptions}, which);
    const Eigen::Index column = in.design.column(term);
    if (std::find(aliased.begin(), aliased.end(), column) != aliased.end())
      throw domain_error("in_time_placebo: the level change at the placebo date " + observed[i].to_string() +
                         " is not estimable (its column is collinear with the others)");
    out.dates.push_back(observed[i]);
    out.level_changes.push_back(b(column));
  }
  if (out.dates.empty())
    throw domain_error("in_time_placebo: the pre-period (" + std::to_string(observed.size()) +
                       " months) is too short for placebo dates with " + std::to_string(min_segment) + " months on each side");
  int as_large = 0;
  for (double v : out.level_changes) as_large += std::abs(v) >= std::abs(out.actual) ? 1 : 0;
  out.p_value = (1.0 + as_large) / (1.0 + static_cast<double>(out.dates.size()));
  if (out.dates.size() < 19)
    out.warnings.push_back("only " + std::to_string(out.dates.size()) +
                           " placebo dates: the smallest attainable p-value is " + std::to_string(1.0 / (1.0 + out.dates.size())));
  return out;
}

}  // namespace pilotstats
