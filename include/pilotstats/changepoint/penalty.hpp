// pilotstats/changepoint/penalty.hpp: the penalty per change, as R changepoint defines it.
//
// R changepoint 2.3, R/penalty_decision.R, with p = `diffparam`, the number of parameters that
// change at a change (normal mean 1, variance 1, mean and variance 2, Poisson 1; our linear
// trend 2), and n the length of the series:
//
//   none           0
//   sic, bic       (p + 1) log(n)          the change's location counts as a parameter
//   mbic           (p + 2) log(n)          and every segment's cost gets + log(its length)
//                                          (Zhang & Siegmund 2007; see mbic_cost in cost.hpp)
//   aic            2 (p + 1)
//   hannan_quinn   2 (p + 1) log(log(n))
//   manual         `value`, as given
//
// R's "SIC0"/"AIC0"/"Hannan-Quinn0" (p instead of p + 1) are manual penalties here; its
// "Asymptotic" penalty belongs to the single-change tests. A negative or non-finite result is
// an error, as in R ("pen.value cannot be negative").
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <string>

#include "pilotstats/core/error.hpp"

namespace pilotstats {

enum class penalty_kind { none, sic, bic, mbic, aic, hannan_quinn, manual };

struct penalty {
  penalty_kind kind = penalty_kind::mbic;  // R changepoint's default
  double value = 0;                        // the penalty itself when kind == manual

  void validate() const {
    if (kind == penalty_kind::manual && !(std::isfinite(value) && value >= 0))
      throw invalid_input("penalty: manual value is " + std::to_string(value) +
                          ", but must be a finite number >= 0");
  }
};

inline const char* to_string(penalty_kind k) {
  switch (k) {
    case penalty_kind::none: return "None";
    case penalty_kind::sic: return "SIC";
    case penalty_kind::bic: return "BIC";
    case penalty_kind::mbic: return "MBIC";
    case penalty_kind::aic: return "AIC";
    case penalty_kind::hannan_quinn: return "Hannan-Quinn";
    case penalty_kind::manual: return "Manual";
  }
  return "?";
}

// The penalty per change for a series of length n and a cost with p parameters per change.
inline double penalty_value(const penalty& pen, Eigen::Index n, int parameters_per_change) {
  pen.validate();
  if (n < 2) throw invalid_input("penalty: the series has " + std::to_string(n) + " values, but needs at least 2");
  const double ln = std::log(static_cast<double>(n));
  const double p = parameters_per_change;
  double v = 0;
  switch (pen.kind) {
    case penalty_kind::none: v = 0; break;
    case penalty_kind::sic:
    case penalty_kind::bic: v = (p + 1) * ln; break;
    case penalty_kind::mbic: v = (p + 2) * ln; break;
    case penalty_kind::aic: v = 2 * (p + 1); break;
    case penalty_kind::hannan_quinn: v = 2 * (p + 1) * std::log(ln); break;
    case penalty_kind::manual: v = pen.value; break;
  }
  if (!(v >= 0))
    throw invalid_input(std::string("penalty: ") + to_string(pen.kind) + " is " + std::to_string(v) +
                        " for n = " + std::to_string(n) + ", but a penalty must be >= 0");
  return v;
}

}  // namespace pilotstats
