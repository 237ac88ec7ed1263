// pilotstats-its: interrupted time series evaluation of one unit (or the sum of several).
//
//   pilotstats-its examples/data/london_bcu.csv --unit borough --treated "Barking & Dagenham"
//       --outcome complaints --offset calls --interruption 2016-12 --model negbin --json its.json --svg its.svg
//
// Prints the coefficient table, the effects of each interruption (level change as a rate
// ratio on count models, the effect a window on, the cumulative effect over the window),
// residual diagnostics and every warning; --covariates adds regressors; --controls adds a
// controlled ITS (Linden's design) against the named units; --placebo runs the in-time
// placebo for each interruption. The JSON and SVG counterfactual is the first interruption's
// (the path without it), with its confidence band and prediction band. Exit codes as pilotstats-describe: 0, 2 (bad data or
// usage, with the place), 1 (unexpected).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pilotstats/pilotstats.hpp"
#include "pilotstats/report/program.hpp"
#include "pilotstats/report/svg_chart.hpp"

namespace ps = pilotstats;

namespace {

struct arguments {
  std::string data, unit_column = "unit", month_column = "month", outcome, offset, model = "gaussian";
  std::vector<std::string> treated, controls, interruptions, covariates;
  std::string seasonality = "none", se = "model", control_mode = "pooled";
  int transition = 0, fourier_pairs = 2, hac_lag = -1, window = 12;
  double level = 0.95;
  bool placebo = false;
  std::string json_path, svg_path;
};

ps::glm_family parse_model(const std::string& m) {
  static const std::map<std::string, ps::glm_family> models = {{"gaussian", ps::glm_family::gaussian},
                                                              {"poisson", ps::glm_family::poisson},
                                                              {"quasipoisson", ps::glm_family::quasipoisson},
                                                              {"negbin", ps::glm_family::negative_binomial}};
  const auto it = models.find(m);
  if (it == models.end()) throw ps::invalid_input("--model " + m + ": expected gaussian, poisson, quasipoisson or negbin");
  return it->second;
}

ps::covariance_spec parse_se(const std::string& se, int lag) {
  if (se == "model") return ps::classical_covariance{};
  if (se == "hc0") return ps::hc_covariance{ps::hc_type::hc0};
  if (se == "hc1") return ps::hc_covariance{ps::hc_type::hc1};
  if (se == "hc3") return ps::hc_covariance{ps::hc_type::hc3};
  if (se == "hac") return lag >= 0 ? ps::hac_covariance{.lag = lag} : ps::hac_covariance{};
  throw ps::invalid_input("--se " + se + ": expected model, hc0, hc1, hc3 or hac");
}

// One series from several units: sums for counts (and exposures), means for gaussian outcomes.
ps::series combined(const ps::panel& p, const std::vector<std::string>& units, const std::string& column, bool sum) {
  std::vector<ps::series> parts;
  for (const auto& u : units) parts.push_back(p.unit_series(u, column));
  if (parts.size() == 1) return parts.front();
  auto s = ps::detail::combine_controls(parts, sum);
  s.unit = units.front() + " + " + std::to_string(units.size() - 1) + " more";
  return s;
}

nlohmann::ordered_json row_json(const ps::coefficient_row& r) {
  return {{"term", r.term}, {"estimate", r.estimate}, {"std_error", r.std_error}, {"statistic", r.statistic},
          {"p_value", r.p_value}, {"conf_low", r.conf_low}, {"conf_high", r.conf_high}, {"df", r.df}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Interrupted time series: did the outcome change at the interruption, by how much, how sure?",
               "pilotstats-its"};
  arguments a;
  app.add_option("DATA", a.data, "CSV in long format, one row per unit and month")->required();
  app.add_option("--unit", a.unit_column, "column naming the unit")->capture_default_str();
  app.add_option("--month", a.month_column, "column holding the month (YYYY-MM)")->capture_default_str();
  app.add_option("--treated", a.treated, "unit(s) to evaluate; several are summed (counts) or averaged")
      ->required()->delimiter(',');
  app.add_option("--outcome", a.outcome, "outcome column")->required();
  app.add_option("--interruption", a.interruptions, "first month(s) under the new regime (YYYY-MM[,YYYY-MM...])")
      ->required()->delimiter(',');
  app.add_option("--transition", a.transition, "months from each interruption left out of the fit")->capture_default_str();
  app.add_option("--covariates", a.covariates, "extra regressor column(s) of the treated unit(s)")->delimiter(',');
  app.add_option("--model", a.model, "gaussian, poisson, quasipoisson or negbin")->capture_default_str();
  app.add_option("--seasonality", a.seasonality, "none, months (dummies) or fourier")->capture_default_str();
  app.add_option("--fourier-pairs", a.fourier_pairs, "Fourier pairs with --seasonality fourier")->capture_default_str();
  app.add_option("--se", a.se, "standard errors: model, hc0, hc1, hc3 or hac")->capture_default_str();
  app.add_option("--hac-lag", a.hac_lag, "HAC lag (default: Newey-West 1994 automatic)");
  app.add_option("--offset", a.offset, "exposure column whose log is the offset (count models), e.g. calls");
  app.add_option("--controls", a.controls, "control units for a controlled ITS")->delimiter(',');
  app.add_option("--control-mode", a.control_mode, "pooled (each control its own series) or averaged")
      ->capture_default_str();
  app.add_option("--window", a.window, "months after the interruption for the cumulative effect")->capture_default_str();
  app.add_option("--level", a.level, "confidence level")->capture_default_str();
  app.add_flag("--placebo", a.placebo, "run the in-time placebo over the pre-period");
  app.add_option("--json", a.json_path, "write the results as JSON to this file");
  app.add_option("--svg", a.svg_path, "draw observed, fitted and counterfactual to this SVG file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ps::report::cli_exit(app, e);
  }

  return ps::report::run_program(app.get_name(), [&] {
    const ps::glm_family model = parse_model(a.model);
    const bool counts = model != ps::glm_family::gaussian;
    ps::seasonality season;
    if (a.seasonality == "months") season.kind = ps::seasonality_kind::month_dummies;
    else if (a.seasonality == "fourier") season = {ps::seasonality_kind::fourier, a.fourier_pairs};
    else if (a.seasonality != "none") throw ps::invalid_input("--seasonality " + a.seasonality + ": expected none, months or fourier");
    if (a.control_mode != "pooled" && a.control_mode != "averaged")
      throw ps::invalid_input("--control-mode " + a.control_mode + ": expected pooled or averaged");
    ps::its_options options{.season = season, .model = model, .covariance = parse_se(a.se, a.hac_lag), .level = a.level};
    for (const auto& m : a.interruptions) options.interruptions.push_back({ps::month::parse(m), a.transition});
    std::vector<std::string> columns = {a.outcome};
    if (!a.offset.empty()) columns.push_back(a.offset);
    columns.insert(columns.end(), a.covariates.begin(), a.covariates.end());
    const auto panel = ps::read_panel_csv(a.data, {.unit = a.unit_column, .month = a.month_column, .values = columns});
    const auto y = combined(panel, a.treated, a.outcome, counts);
    std::optional<ps::series> exposure;
    if (!a.offset.empty()) exposure = combined(panel, a.treated, a.offset, true);
    for (const auto& c : a.covariates) options.covariates.push_back(combined(panel, a.treated, c, false));
    const auto its = ps::fit_its(y, options, exposure ? &*exposure : nullptr);
    const ps::month start = options.interruptions.front().start;

    std::string cuts;
    for (const auto& cut : options.interruptions) cuts += (cuts.empty() ? "" : ", ") + cut.start.to_string();
    std::cout << "Interrupted time series: " << y.unit << ", " << a.outcome << " (" << ps::family_name(model)
              << (exposure ? ", offset log(" + a.offset + ")" : std::string()) << "), " << its.fit.wls.n << " months "
              << y.months.front() << " to " << y.months.back() << ", interruption" << (cuts.size() > 7 ? "s " : " ")
              << cuts << "\n\n" << ps::format_coefficients(its.table) << '\n';
    nlohmann::ordered_json effects_json = nlohmann::ordered_json::array();
    for (const auto& e : its.effects) {
      const auto k_on = ps::effect_at(its, e.start, a.window, a.level);
      const auto window = ps::window_effect(its, e.start, e.start, e.start + (a.window - 1), a.level);
      if (e.level_ratio) {
        std::printf("Level change at %s: rate x%.3f [%.3f, %.3f]\n", e.start.to_string().c_str(), e.level_ratio->estimate,
                    e.level_ratio->conf_low, e.level_ratio->conf_high);
        std::printf("Effect %d months on: rate x%.3f [%.3f, %.3f]\n", a.window, k_on.ratio->estimate,
                    k_on.ratio->conf_low, k_on.ratio->conf_high);
      } else {
        std::printf("Level change at %s: %.4g [%.4g, %.4g]\n", e.start.to_string().c_str(), e.level_change.estimate,
                    e.level_change.conf_low, e.level_change.conf_high);
        std::printf("Effect %d months on: %.4g [%.4g, %.4g]\n", a.window, k_on.estimate, k_on.conf_low, k_on.conf_high);
      }
      std::printf("Cumulative effect over %d months: %.4g [%.4g, %.4g]\n", window.months, window.cumulative.estimate,
                  window.cumulative.conf_low, window.cumulative.conf_high);
      nlohmann::ordered_json ej = {
          {"interruption", e.start.to_string()},
          {"level_change", row_json(e.level_change)},
          {"slope_change", row_json(e.slope_change)},
          {"effect_at", {{"months_on", a.window}, {"estimate", k_on.estimate}, {"conf_low", k_on.conf_low},
                         {"conf_high", k_on.conf_high}}},
          {"cumulative", {{"months", window.months}, {"estimate", window.cumulative.estimate},
                          {"conf_low", window.cumulative.conf_low}, {"conf_high", window.cumulative.conf_high}}}};
      if (e.level_ratio)
        ej["level_rate_ratio"] = {{"estimate", e.level_ratio->estimate}, {"conf_low", e.level_ratio->conf_low},
                                  {"conf_high", e.level_ratio->conf_high}};
      effects_json.push_back(ej);
    }
    if (counts) {
      std::printf("Pearson dispersion: %.3f\n", its.fit.pearson_chi2 / static_cast<double>(its.fit.df_residual));
    } else {
      const auto& r = its.fit.wls.residuals;
      const auto bg = ps::breusch_godfrey(its.design.x(its.fitted_design_rows, Eigen::all), r, 12);
      std::printf("Durbin-Watson %.3f; Breusch-Godfrey(12) %.2f, p = %.3g\n", ps::durbin_watson(r), bg.statistic, bg.p_value);
    }

    nlohmann::ordered_json j;
    j["program"] = "pilotstats-its";
    j["unit"] = y.unit;
    j["outcome"] = a.outcome;
    j["model"] = ps::family_name(model);
    j["covariance"] = its.table.covariance;
    for (const auto& cut : options.interruptions) j["interruptions"].push_back(cut.start.to_string());
    for (const auto& r : its.table.rows) j["coefficients"].push_back(row_json(r));
    j["effects"] = effects_json;
    const auto path = ps::counterfactual(its, start, a.level);
    for (const auto& p : path)
      j["counterfactual"].push_back({{"month", p.at.to_string()}, {"fitted", p.fitted}, {"counterfactual", p.counterfactual},
                                     {"conf_low", p.conf_low}, {"conf_high", p.conf_high},
                                     {"pred_low", p.pred_low}, {"pred_high", p.pred_high}});

    if (!a.controls.empty()) {
      std::vector<ps::series> controls, control_exposures;
      for (const auto& c : a.controls) {
        controls.push_back(panel.unit_series(c, a.outcome));
        if (exposure) control_exposures.push_back(panel.unit_series(c, a.offset));
      }
      ps::its_options controlled_options = options;
      controlled_options.covariates.clear();
      if (!options.covariates.empty())
        std::cout << "\n(The controlled ITS leaves out the covariates: it does not take them.)\n";
      const auto mode = a.control_mode == "averaged" ? ps::control_mode::averaged : ps::control_mode::pooled;
      const auto cits = ps::fit_controlled_its(y, controls, controlled_options, mode, exposure ? &*exposure : nullptr,
                                               exposure ? &control_exposures : nullptr);
      std::cout << "\nControlled ITS against " << a.controls.size() << " control unit(s), " << a.control_mode << ":\n"
                << ps::format_coefficients(cits.table);
      j["controlled"] = {{"mode", a.control_mode},
                         {"pre_level_difference", row_json(cits.pre_level_difference)},
                         {"pre_trend_difference", row_json(cits.pre_trend_difference)}};
      for (const auto& e : cits.effects) {
        nlohmann::ordered_json ej = {{"interruption", e.start.to_string()},
                                     {"level_difference", row_json(e.level_difference)},
                                     {"slope_difference", row_json(e.slope_difference)}};
        if (e.level_ratio)
          ej["level_rate_ratio"] = {{"estimate", e.level_ratio->estimate}, {"conf_low", e.level_ratio->conf_low},
                                    {"conf_high", e.level_ratio->conf_high}};
        j["controlled"]["effects"].push_back(ej);
      }
      for (const auto& w : cits.warnings) j["warnings"].push_back(w);
      for (const auto& w : cits.warnings) std::cout << "Warning: " << w << '\n';
    }
    if (a.placebo) {
      std::cout << '\n';
      for (std::size_t i = 0; i < options.interruptions.size(); ++i) {
        ps::placebo_result placebo;
        try {
          placebo = ps::in_time_placebo(y, options, exposure ? &*exposure : nullptr, 8, i);
        } catch (const ps::domain_error& e) {  // too short a pre-period for this interruption: say so, go on
          std::printf("In-time placebo (%s): not run: %s\n", options.interruptions[i].start.to_string().c_str(), e.what());
          j["warnings"].push_back(std::string("in-time placebo not run: ") + e.what());
          continue;
        }
        const auto as_large = static_cast<int>(std::lround(placebo.p_value * (1.0 + placebo.dates.size()) - 1));
        std::printf("In-time placebo (%s): %d of %zu pre-period placebo dates give a level change as large as the "
                    "real one (p = %.3f)\n", options.interruptions[i].start.to_string().c_str(), as_large,
                    placebo.dates.size(), placebo.p_value);
        j["placebo"].push_back({{"interruption", options.interruptions[i].start.to_string()},
                                {"dates", placebo.dates.size()}, {"p_value", placebo.p_value}});
        for (const auto& w : placebo.warnings) j["warnings"].push_back(w);
      }
    }
    for (const auto& w : its.warnings) {
      std::cout << "Warning: " << w << '\n';
      j["warnings"].push_back(w);
    }
    if (!a.json_path.empty()) ps::report::write_json(a.json_path, j);
    if (!a.svg_path.empty()) {
      ps::report::chart c{y.unit + ": " + a.outcome, a.outcome, {}, {}, {}};
      for (const auto& cut : options.interruptions) c.marks.push_back(cut.start);
      ps::report::chart_series observed{"observed", {}, {}, "#333333", true};
      for (auto r : its.fitted_design_rows) {
        observed.x.push_back(y.months[static_cast<std::size_t>(r)]);
        observed.y.push_back(y.values(r));
      }
      ps::report::chart_series fitted{"fitted", {}, {}, "#1f77b4"}, cf{"counterfactual", {}, {}, "#ff7f0e", false, true};
      ps::report::chart_band band, prediction{{}, {}, {}, "#ffbb78"};
      for (const auto& p : path) {
        fitted.x.push_back(p.at);
        fitted.y.push_back(p.fitted);
        if (p.at < start) continue;
        cf.x.push_back(p.at);
        cf.y.push_back(p.counterfactual);
        band.x.push_back(p.at);
        band.low.push_back(p.conf_low);
        band.high.push_back(p.conf_high);
        prediction.x.push_back(p.at);
        prediction.low.push_back(p.pred_low);
        prediction.high.push_back(p.pred_high);
      }
      c.series = {observed, fitted, cf};
      c.bands = {prediction, band};
      ps::report::write_svg(a.svg_path, c);
    }
    return ps::report::exit_success;
  });
}
