// pilotstats/changepoint/format.hpp: a changepoint_result as text, after R changepoint's
// summary() of a cpt object, followed by one line per segment.
//
//   Changepoint type      : normal mean
//   Method of analysis    : PELT
//   Type of penalty       : MBIC with value 18.64382
//   Minimum segment length: 1
//   Changepoint locations : 151 250 380
//   Segments:
//     [1, 151]   n = 151  mean -0.003332
//     ...
// Segment bounds are printed 1-based and inclusive, as R users read them.
#pragma once

#include <iomanip>
#include <sstream>
#include <string>

#include "pilotstats/changepoint/find_changepoints.hpp"

namespace pilotstats {

inline std::string format_changepoints(const changepoint_result& r) {
  std::ostringstream out;
  out << std::setprecision(7);
  out << "Changepoint type      : " << r.cost << '\n'
      << "Method of analysis    : " << r.method << '\n'
      << "Type of penalty       : " << r.penalty_type << " with value " << r.penalty << '\n'
      << "Minimum segment length: " << r.min_segment_length << '\n'
      << "Changepoint locations :";
  if (r.changepoints.empty()) out << " none";
  for (auto c : r.changepoints) out << ' ' << c;
  out << "\nSegments:\n";
  for (std::size_t k = 0; k < r.segments.size(); ++k) {
    const auto& s = r.segments[k];
    std::ostringstream bounds;
    bounds << '[' << s.start + 1 << ", " << s.end << ']';
    out << "  " << std::left << std::setw(14) << bounds.str() << std::right << " n = " << std::setw(6)
        << s.end - s.start;
    const auto& e = s.estimate;
    if (e.mean) out << "  mean " << *e.mean;
    if (e.variance) out << "  variance " << *e.variance;
    if (e.rate) out << "  rate " << *e.rate;
    if (e.intercept) out << "  intercept " << *e.intercept;
    if (e.slope) out << "  slope " << *e.slope;
    if (k > 0 && k - 1 < r.rate_ratios.size()) {
      if (r.rate_ratios[k - 1]) out << "  (x" << std::setprecision(3) << *r.rate_ratios[k - 1] << std::setprecision(7) << " rate)";
      else out << "  (rate ratio undefined: previous rate 0)";
    }
    out << '\n';
  }
  for (const auto& w : r.warnings) out << "Warning: " << w << '\n';
  return out.str();
}

}  // namespace pilotstats
