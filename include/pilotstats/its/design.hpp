// pilotstats/its/design.hpp: the segmented-regression design of an interrupted time series.
//
// Terms (in this order), for months t = 0, 1, ... counted from the first month of the series:
//   intercept       1
//   trend           t (months since the first month)
//   level_change    1 from the interruption's first month on
//   slope_change    months since the interruption: 0 in its first month, 1 in the next, ...
// so that level_change is the effect in the interruption's first month and slope_change the
// change of trend after it (Bernal, Cummins & Gasparrini 2017 put the 0 one month earlier;
// their level term then means the effect one month before the first post month). With
// several interruptions the two terms carry the month: level_change_2016-12.
//   seasonality     none; month-of-year dummies month_02 .. month_12 (January the reference);
//                   or K Fourier pairs sin_k, cos_k = sin, cos(2 pi k m / 12), m the calendar
//                   month 1..12 (as the tutorial's harmonic(month, K, 12) spans).
//   covariates      one column per covariate series, named by its column (e.g. calls, officers);
//                   a month the covariate does not cover is an error, a missing value NaN
//                   (fit_its leaves such months out and lists them).
// A transition window (e.g. a roll-out period) is excluded from the fit: its rows are marked
// and left out of `rows`, the design keeps them so that the counterfactual covers them.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/core/month.hpp"
#include "pilotstats/core/series.hpp"

namespace pilotstats {

struct interruption {
  month start;                          // first month under the new regime
  int transition_months = 0;            // months from `start` left out of the fit
};

enum class seasonality_kind { none, month_dummies, fourier };

struct seasonality {
  seasonality_kind kind = seasonality_kind::none;
  int pairs = 2;                        // Fourier pairs, 1..6
};

struct its_design_options {
  std::vector<interruption> interruptions;
  seasonality season;
  std::vector<series> covariates;       // extra regressors, one series each, by month

  void validate() const {
    if (interruptions.empty()) throw invalid_input("its design: no interruption given");
    for (std::size_t i = 0; i < interruptions.size(); ++i) {
      if (interruptions[i].transition_months < 0)
        throw invalid_input("its design: interruption " + interruptions[i].start.to_string() +
                            " has a negative transition window");
      if (i > 0 && !(interruptions[i - 1].start < interruptions[i].start))
        throw invalid_input("its design: interruptions must be in increasing order of month (" +
                            interruptions[i - 1].start.to_string() + " then " + interruptions[i].start.to_string() + ")");
    }
    if (season.kind == seasonality_kind::fourier && (season.pairs < 1 || season.pairs > 6))
      throw invalid_input("its design: Fourier pairs is " + std::to_string(season.pairs) + ", but must be 1..6");
  }
};

struct its_design {
  Eigen::MatrixXd x;                    // one row per month of the series, one column per term
  std::vector<std::string> names;
  std::vector<month> months;
  std::vector<Eigen::Index> rows;       // the rows the fit uses (outside every transition window)
  std::vector<std::string> warnings;

  // The column of a term; throws domain_error naming the terms when there is none.
  Eigen::Index column(const std::string& term) const {
    for (std::size_t j = 0; j < names.size(); ++j)
      if (names[j] == term) return static_cast<Eigen::Index>(j);
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    throw domain_error("its design: no term '" + term + "' (terms are: " + known + ")");
  }
};

// The level and slope term names of interruption i (suffixed with the month when there are several).
inline std::string level_term(const its_design_options& o, std::size_t i) {
  return o.interruptions.size() == 1 ? "level_change" : "level_change_" + o.interruptions[i].start.to_string();
}
inline std::string slope_term(const its_design_options& o, std::size_t i) {
  return o.interruptions.size() == 1 ? "slope_change" : "slope_change_" + o.interruptions[i].start.to_string();
}

// Builds the design over the given months (strictly increasing; gaps allowed: t counts
// calendar months, so a gap does not shift the trend).
inline its_design make_its_design(const std::vector<month>& months, const its_design_options& options) {
  options.validate();
  if (months.empty()) throw invalid_input("its design: the series has no months");
  for (std::size_t i = 1; i < months.size(); ++i)
    if (!(months[i - 1] < months[i]))
      throw invalid_input("its design: months must be strictly increasing (" + months[i - 1].to_string() +
                          " then " + months[i].to_string() + ")");
  its_design d;
  d.months = months;
  d.names = {"intercept", "trend"};
  for (std::size_t i = 0; i < options.interruptions.size(); ++i) {
    d.names.push_back(level_term(options, i));
    d.names.push_back(slope_term(options, i));
  }
  if (options.season.kind == seasonality_kind::month_dummies) {
    for (int m = 2; m <= 12; ++m) d.names.push_back(std::string("month_") + (m < 10 ? "0" : "") + std::to_string(m));
  } else if (options.season.kind == seasonality_kind::fourier) {
    for (int k = 1; k <= options.season.pairs; ++k) {
      d.names.push_back("sin_" + std::to_string(k));
      d.names.push_back("cos_" + std::to_string(k));
    }
  }
  const auto seasonal_end = static_cast<Eigen::Index>(d.names.size());
  for (const auto& c : options.covariates) {
    if (std::find(d.names.begin(), d.names.end(), c.column) != d.names.end())
      throw invalid_input("its design: the covariate '" + c.column + "' has the name of another term");
    d.names.push_back(c.column);
  }
  const auto n = static_cast<Eigen::Index>(months.size());
  d.x = Eigen::MatrixXd::Zero(n, static_cast<Eigen::Index>(d.names.size()));
  for (std::size_t j = 0; j < options.covariates.size(); ++j) {
    const series& c = options.covariates[j];
    for (Eigen::Index r = 0; r < n; ++r) {
      const auto at = c.find(months[static_cast<std::size_t>(r)]);
      if (!at)
        throw invalid_input("its design: the covariate '" + c.column + "' of " + c.unit + " has no row for " +
                            months[static_cast<std::size_t>(r)].to_string());
      d.x(r, seasonal_end + static_cast<Eigen::Index>(j)) =
          c.missing[*at] ? std::numeric_limits<double>::quiet_NaN() : c.values(static_cast<Eigen::Index>(*at));
    }
  }
  const month first = months.front();
  for (Eigen::Index r = 0; r < n; ++r) {
    const month m = months[static_cast<std::size_t>(r)];
    Eigen::Index c = 0;
    d.x(r, c++) = 1;
    d.x(r, c++) = m - first;
    bool in_transition = false;
    for (const auto& cut : options.interruptions) {
      const int since = m - cut.start;
      d.x(r, c++) = since >= 0 ? 1 : 0;
      d.x(r, c++) = since >= 0 ? since : 0;
      if (since >= 0 && since < cut.transition_months) in_transition = true;
    }
    if (options.season.kind == seasonality_kind::month_dummies) {
      if (m.month_of_year() > 1) d.x(r, c + m.month_of_year() - 2) = 1;
    } else if (options.season.kind == seasonality_kind::fourier) {
      for (int k = 1; k <= options.season.pairs; ++k) {
        const double angle = 2 * M_PI * k * m.month_of_year() / 12.0;
        d.x(r, c++) = std::sin(angle);
        d.x(r, c++) = std::cos(angle);
      }
    }
    if (!in_transition) d.rows.push_back(r);
  }
  for (const auto& cut : options.interruptions) {
    int before = 0, after = 0;
    for (auto r : d.rows) {
      const int since = months[static_cast<std::size_t>(r)] - cut.start;
      (since < 0 ? before : after) += 1;
    }
    if (cut.start <= first || cut.start > months.back())
      throw domain_error("its design: interruption " + cut.start.to_string() + " is outside the series (" +
                         first.to_string() + " to " + months.back().to_string() + ")");
    // Eight points on each side: the least the literature suggests for a segmented trend
    // (Penfold & Zhang 2013; Bernal et al. 2017 advise more, especially with seasonality).
    if (before < 8)
      d.warnings.push_back("interruption " + cut.start.to_string() + ": only " + std::to_string(before) +
                           " months before it (fewer than 8)");
    if (after < 8)
      d.warnings.push_back("interruption " + cut.start.to_string() + ": only " + std::to_string(after) +
                           " months after it (fewer than 8)");
  }
  return d;
}

}  // namespace pilotstats
