// pilotstats/its/controlled.hpp: controlled (comparative) interrupted time series.
//
// Linden's multiple-group ITSA (Linden 2015, Stata Journal 15(2)): the treated series and the
// controls are stacked with z = 1 for treated rows and 0 for control rows, and the design is
//   intercept, trend, group, group_trend, level_change, slope_change,
//   group_level_change, group_slope_change            (+ seasonality, shared)
// where level_change / slope_change are the controls' changes at the interruption and
// group_level_change / group_slope_change the treated series' changes beyond them: the
// effects. group and group_trend are the pre-period differences in level and trend, the
// balance check (small and insignificant when the controls track the treated series).
// Controls are either pooled (each control unit's series stacked as its own rows) or averaged
// (one control series, the mean over control units of each month's value; with an exposure,
// the sums of outcome and exposure, so the rate is the pooled rate).
// Several interruptions: each gets its four terms, suffixed with its month as in design.hpp
// (group_level_change_2016-12). Covariates are not supported here (fit_its takes them).
// Standard errors: HAC treats the stacked rows as one series, so its lag window crosses the
// seams between units; a warning says so (within-unit HAC is planned).
#pragma once

#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/core/series.hpp"
#include "pilotstats/its/fit.hpp"

namespace pilotstats {

enum class control_mode { pooled, averaged };

struct controlled_its_effect {
  month start;
  coefficient_row level_difference;      // group_level_change: the treated change beyond the controls'
  coefficient_row slope_difference;      // group_slope_change
  std::optional<rate_ratio> level_ratio; // log-link models: exp(level_difference)
};

struct controlled_its_result {
  std::vector<std::string> names;
  glm_fit fit;
  covariance_result covariance;
  coefficient_table table;
  std::vector<controlled_its_effect> effects;  // one per interruption, in order
  coefficient_row pre_level_difference;  // group (balance)
  coefficient_row pre_trend_difference;  // group_trend (balance)
  std::vector<std::string> warnings;
};

namespace detail {

// The control series averaged month by month (means; sums when `sum` is set), over the months
// every control has observed.
inline series combine_controls(const std::vector<series>& controls, bool sum) {
  series out{"controls", controls.front().column, {}, Eigen::VectorXd(), {}};
  std::vector<double> values;
  for (std::size_t i = 0; i < controls.front().size(); ++i) {
    const month m = controls.front().months[i];
    double total = 0;
    bool complete = true;
    for (const auto& c : controls) {
      const auto at = c.find(m);
      if (!at || c.missing[*at]) {
        complete = false;
        break;
      }
      total += c.values(static_cast<Eigen::Index>(*at));
    }
    if (!complete) continue;
    out.months.push_back(m);
    out.missing.push_back(false);
    values.push_back(sum ? total : total / static_cast<double>(controls.size()));
  }
  out.values = Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
  return out;
}

}  // namespace detail

inline controlled_its_result fit_controlled_its(const series& treated, const std::vector<series>& controls,
                                                const its_options& options, control_mode mode = control_mode::pooled,
                                                const series* treated_exposure = nullptr,
                                                const std::vector<series>* control_exposures = nullptr) {
  if (controls.empty()) throw invalid_input("controlled ITS: no control series given");
  if (!options.covariates.empty()) throw invalid_input("controlled ITS: covariates are not supported (fit_its takes them)");
  if ((treated_exposure == nullptr) != (control_exposures == nullptr))
    throw invalid_input("controlled ITS: give an exposure for the treated series and the controls, or for neither");
  if (control_exposures && control_exposures->size() != controls.size())
    throw invalid_input("controlled ITS: " + std::to_string(control_exposures->size()) + " exposures for " +
                        std::to_string(controls.size()) + " controls");
  const bool log_link = options.model != glm_family::gaussian;
  if (treated_exposure && !log_link) throw invalid_input("controlled ITS: an exposure needs a log-link model");

  std::vector<series> group_series, group_exposure;
  if (mode == control_mode::averaged) {
    group_series.push_back(detail::combine_controls(controls, control_exposures != nullptr));
    if (control_exposures) group_exposure.push_back(detail::combine_controls(*control_exposures, true));
  } else {
    group_series = controls;
    if (control_exposures) group_exposure = *control_exposures;
  }
  group_series.insert(group_series.begin(), treated);
  if (treated_exposure) group_exposure.insert(group_exposure.begin(), *treated_exposure);

  controlled_its_result out;
  const its_design_options design_options{.interruptions = options.interruptions, .season = options.season};
  const auto cuts = static_cast<Eigen::Index>(options.interruptions.size());
  std::vector<Eigen::VectorXd> rows;
  std::vector<double> y, offset;
  for (std::size_t g = 0; g < group_series.size(); ++g) {
    const series& s = group_series[g];
    const its_design d = make_its_design(s.months, design_options);
    if (g == 0) {
      out.warnings = d.warnings;
      out.names = {"intercept", "trend", "group", "group_trend"};
      for (std::size_t i = 0; i < options.interruptions.size(); ++i) {
        const std::string level = level_term(design_options, i), slope = slope_term(design_options, i);
        out.names.insert(out.names.end(), {level, slope, "group_" + level, "group_" + slope});
      }
      out.names.insert(out.names.end(), d.names.begin() + 2 + 2 * cuts, d.names.end());
    }
    const double z = g == 0 ? 1.0 : 0.0;
    for (auto r : d.rows) {
      const auto i = static_cast<std::size_t>(r);
      if (s.missing[i]) continue;
      double log_exposure = 0;
      if (treated_exposure) {
        const series& e = group_exposure[g];
        const auto at = e.find(s.months[i]);
        if (!at || e.missing[*at]) continue;
        const double v = e.values(static_cast<Eigen::Index>(*at));
        if (!(v > 0))
          throw invalid_input("controlled ITS: exposure of " + e.unit + " is " + std::to_string(v) + " in " +
                              s.months[i].to_string() + ", but must be positive");
        log_exposure = std::log(v);
      }
      Eigen::VectorXd x(static_cast<Eigen::Index>(out.names.size()));
      const double t = d.x(r, 1);
      x.head(4) << 1, t, z, z * t;
      for (Eigen::Index i = 0; i < cuts; ++i) {
        const double level = d.x(r, 2 + 2 * i), slope = d.x(r, 3 + 2 * i);
        x.segment(4 + 4 * i, 4) << level, slope, z * level, z * slope;
      }
      const Eigen::Index shared = d.x.cols() - 2 - 2 * cuts;  // seasonality
      x.tail(shared) = d.x.row(r).tail(shared).transpose();
      rows.push_back(x);
      y.push_back(s.values(r));
      offset.push_back(log_exposure);
    }
  }
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(out.names.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) x.row(static_cast<Eigen::Index>(i)) = rows[i].transpose();
  const Eigen::VectorXd yv = Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  Eigen::VectorXd off;
  if (treated_exposure) off = Eigen::Map<const Eigen::VectorXd>(offset.data(), static_cast<Eigen::Index>(offset.size()));
  out.fit = fit_glm(x, yv, {.family = options.model, .names = out.names, .offset = off});
  out.covariance = covariance(out.fit, options.covariance);
  out.table = tidy(out.fit, out.covariance, options.level);
  out.warnings.insert(out.warnings.end(), out.table.warnings.begin(), out.table.warnings.end());
  for (std::size_t i = 0; i < options.interruptions.size(); ++i) {
    controlled_its_effect e{options.interruptions[i].start, out.table["group_" + level_term(design_options, i)],
                            out.table["group_" + slope_term(design_options, i)], std::nullopt};
    if (log_link) e.level_ratio = detail::exponentiate(e.level_difference);
    out.effects.push_back(e);
  }
  out.pre_level_difference = out.table["group"];
  out.pre_trend_difference = out.table["group_trend"];
  if (std::holds_alternative<hac_covariance>(options.covariance))
    out.warnings.push_back("HAC standard errors treat the " + std::to_string(group_series.size()) +
                           " stacked series as one time series: the lag window crosses the " +
                           std::to_string(group_series.size() - 1) +
                           " seam(s) between them (Stata's newey on panel data leaves those terms out)");
  for (const auto* row : {&out.pre_level_difference, &out.pre_trend_difference})
    if (row->p_value < 0.05)
      out.warnings.push_back("balance: the pre-period " + std::string(row == &out.pre_level_difference ? "level" : "trend") +
                             " differs between treated and controls (p = " + std::to_string(row->p_value) + ")");
  return out;
}

}  // namespace pilotstats
