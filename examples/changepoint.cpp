// pilotstats-changepoint: when did the series change, and to what? Offline change points in one
// unit's monthly series (or the sum or mean of several units').
//
//   pilotstats-changepoint examples/data/london_bcu.csv --unit borough
//       --series "Barking & Dagenham,Havering,Redbridge" --outcome response_minutes --cost meanvar
//       --json changepoint.json --svg changepoint.svg
//
// Searches (pilotstats/changepoint/find_changepoints.hpp): PELT, optimal partitioning, binary
// segmentation, wild binary segmentation, segment neighbourhood, at most one change, with a
// normal mean / variance / mean-and-variance, Poisson or linear-trend cost and a penalty; or
// Bai-Perron breakpoints (breakpoints.hpp: number of breaks by BIC, break-date intervals, the
// sup-F test). Prints the series, the settings, a table of segments with the cost's estimates
// (Poisson: the rate ratio across each change), the change months (the first month of each new
// segment), the CUSUM single-change test as a quick check, and with --crops the CROPS path.
// The normal mean and linear-trend costs assume unit noise variance (R changepoint's cpt.mean
// does too, on unscaled data); here the data are divided by a noise sd first, by default the
// robust MAD of the first differences / sqrt 2 (Fryzlewicz 2014), which the changes barely
// move; --noise-sd 1 reproduces R's behaviour. Estimates are always on the data's scale.
// Exit codes as pilotstats-describe: 0, 2 (bad data or usage, with the place), 1 (unexpected).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pilotstats/pilotstats.hpp"
#include "pilotstats/report/program.hpp"
#include "pilotstats/report/svg_chart.hpp"

namespace ps = pilotstats;

namespace {

struct arguments {
  std::string data, unit_column = "unit", month_column = "month", outcome;
  std::vector<std::string> units;
  std::string combine, method = "pelt", cost, penalty = "mbic", crops, from, to, noise_sd = "auto";
  double penalty_value = 0, breaks_level = 0.95;
  int min_segment = 0, max_changes = 5;
  std::string json_path, svg_path;
};

enum class cost_kind { mean, var, meanvar, poisson, trend };

cost_kind parse_cost(const std::string& c) {
  static const std::map<std::string, cost_kind> costs = {{"mean", cost_kind::mean}, {"var", cost_kind::var},
                                                         {"meanvar", cost_kind::meanvar}, {"poisson", cost_kind::poisson},
                                                         {"trend", cost_kind::trend}};
  const auto it = costs.find(c);
  if (it == costs.end()) throw ps::invalid_input("--cost " + c + ": expected mean, var, meanvar, poisson or trend");
  return it->second;
}

// The search, or nothing for Bai-Perron breakpoints.
std::optional<ps::search_method> parse_method(const std::string& m) {
  static const std::map<std::string, ps::search_method> methods = {
      {"pelt", ps::search_method::pelt}, {"op", ps::search_method::optimal_partitioning},
      {"binseg", ps::search_method::binary_segmentation}, {"wbs", ps::search_method::wild_binary_segmentation},
      {"segneigh", ps::search_method::segment_neighbourhood}, {"amoc", ps::search_method::amoc}};
  if (m == "breakpoints") return std::nullopt;
  const auto it = methods.find(m);
  if (it == methods.end())
    throw ps::invalid_input("--method " + m + ": expected pelt, op, binseg, wbs, segneigh, amoc or breakpoints");
  return it->second;
}

ps::penalty_kind parse_penalty(const std::string& p) {
  static const std::map<std::string, ps::penalty_kind> penalties = {
      {"none", ps::penalty_kind::none}, {"sic", ps::penalty_kind::sic}, {"bic", ps::penalty_kind::bic},
      {"mbic", ps::penalty_kind::mbic}, {"aic", ps::penalty_kind::aic}, {"hq", ps::penalty_kind::hannan_quinn},
      {"manual", ps::penalty_kind::manual}};
  const auto it = penalties.find(p);
  if (it == penalties.end()) throw ps::invalid_input("--penalty " + p + ": expected none, sic, bic, mbic, aic, hq or manual");
  return it->second;
}

double parse_number(const std::string& option, const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v))
    throw ps::invalid_input(option + " " + text + ": expected a number");
  return v;
}

ps::month parse_month(const std::string& option, const std::string& text) {
  try {
    return ps::month::parse(text);
  } catch (const ps::invalid_input& e) {
    throw ps::invalid_input(option + ": " + e.what());
  }
}

std::string join(const std::vector<std::string>& xs, const std::string& sep = ", ") {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : sep) + x;
  return out;
}

// Months as "2015-03, 2015-04, ..." with at most `limit` listed.
std::string month_list(const std::vector<ps::month>& ms, std::size_t limit = 8) {
  std::string out;
  for (std::size_t i = 0; i < ms.size() && i < limit; ++i) out += (i ? ", " : "") + ms[i].to_string();
  if (ms.size() > limit) out += " and " + std::to_string(ms.size() - limit) + " more";
  return out;
}

struct analysed_series {
  std::string label;  // "Havering" or "Barking & Dagenham + Havering + Redbridge (sum)"
  std::vector<ps::month> months;
  Eigen::VectorXd y;
};

// One regular monthly series from one unit or several (summed or averaged month by month) over
// [from, to]: every month present and observed for every unit, or an error naming the months.
analysed_series build_series(const ps::panel& panel, const std::vector<std::string>& units, const std::string& outcome,
                             bool sum, std::optional<ps::month> from, std::optional<ps::month> to) {
  std::vector<ps::series> parts;
  for (const auto& u : units) parts.push_back(panel.unit_series(u, outcome));  // unknown unit: lists the units
  ps::month first = from.value_or(parts.front().months.front()), last = to.value_or(parts.front().months.back());
  for (const auto& s : parts) {
    if (s.months.empty()) throw ps::invalid_input("unit '" + s.unit + "' has no rows");
    if (!from) first = std::min(first, s.months.front());
    if (!to) last = std::max(last, s.months.back());
  }
  if (last < first)
    throw ps::invalid_input("--from " + first.to_string() + " is after --to " + last.to_string() + ": no months to analyse");
  analysed_series out;
  out.label = units.size() == 1 ? units.front() : join(units, " + ") + (sum ? " (sum)" : " (mean)");
  std::vector<std::string> problems;
  for (const auto& s : parts) {
    std::vector<ps::month> absent, missing;
    for (ps::month m = first; m <= last; m = m + 1) {
      const auto at = s.find(m);
      if (!at) absent.push_back(m);
      else if (s.missing[*at]) missing.push_back(m);
    }
    if (!missing.empty()) problems.push_back(s.unit + " has missing " + outcome + " in " + month_list(missing));
    if (!absent.empty()) problems.push_back(s.unit + " has no row for " + month_list(absent));
  }
  if (!problems.empty())
    throw ps::invalid_input("the series " + first.to_string() + " .. " + last.to_string() + " is incomplete: " +
                            join(problems, "; ") +
                            " (change-point searches need every month: choose a complete range with --from/--to)");
  const Eigen::Index n = (last - first) + 1;
  out.y = Eigen::VectorXd::Zero(n);
  for (Eigen::Index t = 0; t < n; ++t) {
    out.months.push_back(first + static_cast<int>(t));
    for (const auto& s : parts) out.y(t) += s.values(static_cast<Eigen::Index>(*s.find(out.months.back())));
    if (!sum) out.y(t) /= static_cast<double>(parts.size());
  }
  return out;
}

Eigen::Index minimum_segment_length(cost_kind c) {
  switch (c) {
    case cost_kind::mean: return ps::normal_mean_cost::minimum_segment_length;
    case cost_kind::var: return ps::normal_var_cost::minimum_segment_length;
    case cost_kind::meanvar: return ps::normal_meanvar_cost::minimum_segment_length;
    case cost_kind::poisson: return ps::poisson_cost::minimum_segment_length;
    case cost_kind::trend: return ps::linear_trend_cost::minimum_segment_length;
  }
  return 1;
}

// Robust noise sd: MAD of the first differences / sqrt(2), MAD scaled by 1.4826 as R's mad().
double noise_sd_estimate(const Eigen::VectorXd& y) {
  std::vector<double> d(static_cast<std::size_t>(y.size() - 1));
  for (Eigen::Index i = 1; i < y.size(); ++i) d[static_cast<std::size_t>(i - 1)] = y(i) - y(i - 1);
  const auto median = [](std::vector<double> v) {
    const std::size_t h = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h), v.end());
    const double upper = v[h];
    if (v.size() % 2 == 1) return upper;
    return (upper + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h))) / 2;
  };
  const double center = median(d);
  for (auto& x : d) x = std::abs(x - center);
  return 1.4826 * median(d) / std::sqrt(2.0);
}

// The result of a search with its estimates on the data's scale, and the CROPS path if asked.
struct search_outcome {
  ps::changepoint_result result;
  std::optional<ps::crops_result> crops;
};

template <class Cost>
search_outcome search(const Eigen::VectorXd& y, double scale, const ps::changepoint_options& options,
                      std::optional<std::pair<double, double>> crops_range) {
  const Eigen::VectorXd scaled = y / scale;
  const Cost cost(scaled);
  search_outcome out{ps::find_changepoints(cost, options), std::nullopt};
  if (scale != 1) {  // estimates from the unscaled data; the rest (penalty, costs) stays as searched
    const auto described = ps::describe_segmentation(Cost(y), out.result.changepoints);
    out.result.segments = described.segments;
    out.result.rate_ratios = described.rate_ratios;
  }
  if (crops_range) out.crops = ps::crops(cost, crops_range->first, crops_range->second, out.result.min_segment_length);
  return out;
}

// One row of the segment table, whichever way it was found.
struct segment_row {
  Eigen::Index start = 0, end = 0;  // [start, end), 0-based
  std::optional<double> mean, sd, rate, intercept, slope;
  std::optional<double> rate_ratio;  // rate / previous segment's rate
};

double fitted(const segment_row& s, Eigen::Index t) { return *s.intercept + *s.slope * static_cast<double>(t); }

nlohmann::ordered_json optional_json(const std::optional<double>& x) {
  return x ? nlohmann::ordered_json(*x) : nlohmann::ordered_json(nullptr);
}

template <class... Args>
std::string strf(const char* format, Args... args) {
  const int size = std::snprintf(nullptr, 0, format, args...);
  std::string out(static_cast<std::size_t>(size), '\0');
  std::snprintf(out.data(), out.size() + 1, format, args...);
  return out;
}

std::string fmt(double x, const char* format = "%.4g") { return strf(format, x); }

std::string months_text(int k) { return std::to_string(k) + (k == 1 ? " month" : " months"); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Change points: when did a unit's monthly series change, and to what?", "pilotstats-changepoint"};
  arguments a;
  app.add_option("DATA", a.data, "CSV in long format, one row per unit and month")->required();
  app.add_option("--unit", a.unit_column, "column naming the unit")->capture_default_str();
  app.add_option("--month", a.month_column, "column holding the month (YYYY-MM)")->capture_default_str();
  app.add_option("--series", a.units, "unit(s) to analyse; several are combined month by month (--combine)")
      ->required()->delimiter(',');
  app.add_option("--outcome", a.outcome, "outcome column")->required();
  app.add_option("--combine", a.combine, "sum or mean of several units (default: sum for --cost poisson, mean otherwise)");
  app.add_option("--method", a.method, "pelt, op (optimal partitioning), binseg, wbs, segneigh, amoc or breakpoints (Bai-Perron)")
      ->capture_default_str();
  app.add_option("--cost", a.cost, "what changes: mean, var, meanvar, poisson (counts) or trend (level and slope); "
                                   "default meanvar, breakpoints: mean");
  app.add_option("--penalty", a.penalty, "penalty per change: none, sic, bic, mbic, aic, hq or manual (not for breakpoints)")
      ->capture_default_str();
  app.add_option("--penalty-value", a.penalty_value, "the penalty with --penalty manual");
  app.add_option("--min-segment", a.min_segment,
                 "minimum segment length in months (default: the cost's, R changepoint's minseglen; breakpoints: 15% of n)");
  app.add_option("--max-changes", a.max_changes, "most changes considered (binseg, segneigh, breakpoints; default 5, "
                                                  "breakpoints: as many as the minimum segment allows)");
  app.add_option("--noise-sd", a.noise_sd,
                 "noise sd the mean and trend costs divide by: auto (MAD of differences / sqrt 2) or a number (1: unscaled)")
      ->capture_default_str();
  app.add_option("--crops", a.crops, "LOW,HIGH: print every optimal segmentation for penalties in [LOW, HIGH] (CROPS)");
  app.add_option("--breaks-level", a.breaks_level, "confidence level of the break-date intervals (breakpoints)")
      ->capture_default_str();
  app.add_option("--from", a.from, "first month analysed (YYYY-MM)");
  app.add_option("--to", a.to, "last month analysed (YYYY-MM)");
  app.add_option("--json", a.json_path, "write the results as JSON to this file");
  app.add_option("--svg", a.svg_path, "draw the series, the segments and the changes to this SVG file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ps::report::cli_exit(app, e);
  }

  return ps::report::run_program(app.get_name(), [&] {
    // ---- options, all checked before the file is read
    const auto method = parse_method(a.method);
    const bool breakpoints = !method;
    if (a.cost.empty()) a.cost = breakpoints ? "mean" : "meanvar";
    const cost_kind cost = parse_cost(a.cost);
    const bool given_penalty = app.count("--penalty") > 0, given_value = app.count("--penalty-value") > 0;
    const ps::penalty_kind penalty = parse_penalty(a.penalty);
    if (breakpoints && (given_penalty || given_value))
      throw ps::invalid_input("--penalty: --method breakpoints chooses the number of breaks by BIC and takes no penalty");
    if (penalty == ps::penalty_kind::manual && !given_value)
      throw ps::invalid_input("--penalty manual needs --penalty-value");
    if (given_value && penalty != ps::penalty_kind::manual)
      throw ps::invalid_input("--penalty-value is for --penalty manual, but the penalty is " + a.penalty);
    if (given_value && !(a.penalty_value >= 0))
      throw ps::invalid_input("--penalty-value " + fmt(a.penalty_value) + ": must be a number >= 0");
    if (breakpoints && cost != cost_kind::mean && cost != cost_kind::trend)
      throw ps::invalid_input("--cost " + a.cost + ": --method breakpoints (a regression) takes --cost mean (level) or trend");
    if (app.count("--min-segment") && a.min_segment < 1)
      throw ps::invalid_input("--min-segment " + std::to_string(a.min_segment) + ": must be at least 1 month");
    const bool given_max = app.count("--max-changes") > 0;
    if (given_max && !breakpoints && method != ps::search_method::binary_segmentation &&
        method != ps::search_method::segment_neighbourhood)
      throw ps::invalid_input("--max-changes is for --method binseg, segneigh or breakpoints, not " + a.method);
    if (given_max && a.max_changes < 1)
      throw ps::invalid_input("--max-changes " + std::to_string(a.max_changes) + ": must be at least 1");
    if (app.count("--breaks-level") && !breakpoints)
      throw ps::invalid_input("--breaks-level is for --method breakpoints, not " + a.method);
    if (!(a.breaks_level > 0 && a.breaks_level < 1))
      throw ps::invalid_input("--breaks-level " + fmt(a.breaks_level) + ": must be in (0, 1), e.g. 0.95");
    std::optional<std::pair<double, double>> crops_range;
    if (!a.crops.empty()) {
      if (breakpoints) throw ps::invalid_input("--crops runs PELT over a range of penalties: not with --method breakpoints");
      const auto comma = a.crops.find(',');
      if (comma == std::string::npos) throw ps::invalid_input("--crops " + a.crops + ": expected LOW,HIGH");
      crops_range = {parse_number("--crops", a.crops.substr(0, comma)), parse_number("--crops", a.crops.substr(comma + 1))};
      if (!(crops_range->first >= 0 && crops_range->first < crops_range->second))
        throw ps::invalid_input("--crops " + a.crops + ": expected 0 <= LOW < HIGH");
    }
    for (std::size_t i = 0; i < a.units.size(); ++i)
      for (std::size_t k = 0; k < i; ++k)
        if (a.units[i] == a.units[k]) throw ps::invalid_input("--series lists '" + a.units[i] + "' twice");
    if (a.combine.empty()) a.combine = cost == cost_kind::poisson ? "sum" : "mean";
    if (a.combine != "sum" && a.combine != "mean")
      throw ps::invalid_input("--combine " + a.combine + ": expected sum or mean");
    const bool scaled_cost = cost == cost_kind::mean || cost == cost_kind::trend;
    std::optional<double> given_noise_sd;
    if (a.noise_sd != "auto") {
      if (!scaled_cost || breakpoints)
        throw ps::invalid_input("--noise-sd is for --cost mean or trend with a penalized search (the other costs, and "
                                "breakpoints, estimate the variance)");
      given_noise_sd = parse_number("--noise-sd", a.noise_sd);
      if (!(*given_noise_sd > 0)) throw ps::invalid_input("--noise-sd " + a.noise_sd + ": must be positive");
    }
    std::optional<ps::month> from, to;
    if (!a.from.empty()) from = parse_month("--from", a.from);
    if (!a.to.empty()) to = parse_month("--to", a.to);
    if (from && to && *to < *from) throw ps::invalid_input("--from " + a.from + " is after --to " + a.to);

    // ---- the series
    std::ostringstream out;  // the report, printed whole once everything has succeeded
    const auto panel = ps::read_panel_csv(a.data, {.unit = a.unit_column, .month = a.month_column, .values = {a.outcome}});
    const auto s = build_series(panel, a.units, a.outcome, a.combine == "sum", from, to);
    const Eigen::Index n = s.y.size();
    if (n < 4) throw ps::invalid_input("the series has " + std::to_string(n) + " months, but needs at least 4");
    if (cost == cost_kind::poisson)
      for (Eigen::Index t = 0; t < n; ++t)
        if (s.y(t) < 0 || s.y(t) != std::floor(s.y(t)))
          throw ps::invalid_input("--cost poisson needs counts (whole numbers >= 0), but " + a.outcome + " of " + s.label +
                                  " is " + fmt(s.y(t), "%.6g") + " in " + s.months[static_cast<std::size_t>(t)].to_string() +
                                  (a.combine == "mean" && a.units.size() > 1 ? " (averaging units gives fractions: use --combine sum)" : ""));
    const auto month_at = [&](Eigen::Index i) { return s.months[static_cast<std::size_t>(i)]; };
    const bool trend = cost == cost_kind::trend;
    if (a.min_segment > 0) {  // checked here, so that the message names the option
      const Eigen::Index least = breakpoints ? (trend ? 3 : 2) : minimum_segment_length(cost);
      if (a.min_segment < least)
        throw ps::invalid_input("--min-segment " + std::to_string(a.min_segment) + ": " +
                                (breakpoints ? std::string("breakpoints with --cost ") + a.cost : "the " + a.cost + " cost") +
                                " needs segments of at least " + std::to_string(least) + " months");
      if (2 * a.min_segment > n)
        throw ps::invalid_input("--min-segment " + std::to_string(a.min_segment) + ": too long for a change in " +
                                std::to_string(n) + " months (at most " + std::to_string(n / 2) + ")");
    }

    out << "Change points in " << a.outcome << " of " << s.label << ": " << n << " months, " << s.months.front()
              << " to " << s.months.back() << "\n";
    nlohmann::ordered_json j;
    j["program"] = "pilotstats-changepoint";
    j["data"] = a.data;
    j["units"] = a.units;
    j["combine"] = a.units.size() > 1 ? nlohmann::ordered_json(a.combine) : nlohmann::ordered_json(nullptr);
    j["outcome"] = a.outcome;
    j["first_month"] = s.months.front().to_string();
    j["last_month"] = s.months.back().to_string();
    j["n"] = n;

    // ---- the search
    std::vector<segment_row> rows;
    std::ostringstream later;  // CROPS, break-date intervals: printed after the segments
    std::vector<Eigen::Index> changes;  // 0-based first index of each new segment (R's cpts)
    std::vector<std::string> warnings;
    std::vector<ps::report::chart_span> spans;  // break-date intervals
    std::optional<double> known_mean;           // the variance cost's mean (of the whole series)
    if (!breakpoints) {
      const ps::changepoint_options options{.method = *method,
                                            .penalty = {penalty, a.penalty_value},
                                            .min_segment_length = a.min_segment,
                                            .max_changes = a.max_changes};
      double scale = 1;
      if (scaled_cost) {
        scale = given_noise_sd.value_or(noise_sd_estimate(s.y));
        if (!(scale > 0))
          throw ps::domain_error("the noise sd estimate (MAD of the first differences / sqrt 2) is 0: most months "
                                 "repeat the month before; give the noise sd with --noise-sd");
      }
      search_outcome found;
      switch (cost) {
        case cost_kind::mean: found = search<ps::normal_mean_cost>(s.y, scale, options, crops_range); break;
        case cost_kind::var: found = search<ps::normal_var_cost>(s.y, scale, options, crops_range); break;
        case cost_kind::meanvar: found = search<ps::normal_meanvar_cost>(s.y, scale, options, crops_range); break;
        case cost_kind::poisson: found = search<ps::poisson_cost>(s.y, scale, options, crops_range); break;
        case cost_kind::trend: found = search<ps::linear_trend_cost>(s.y, scale, options, crops_range); break;
      }
      const auto& r = found.result;
      out << "Method " << r.method << ", cost " << r.cost << ", penalty " << r.penalty_type << " = "
                << fmt(r.penalty) << " per change, minimum segment " << r.min_segment_length << " months";
      if (options.method == ps::search_method::binary_segmentation ||
          options.method == ps::search_method::segment_neighbourhood)
        out << ", at most " << options.max_changes << " changes";
      if (options.method == ps::search_method::wild_binary_segmentation)
        out << ", " << options.wbs.intervals << " random intervals (seed " << options.wbs.seed << ")";
      out << '\n';
      if (scaled_cost)
        out << "The " << a.cost << " cost assumes unit noise variance: the search ran on the data divided by "
                  << (given_noise_sd ? "the given noise sd " : "the noise sd estimate ") << fmt(scale)
                  << (given_noise_sd ? "" : " (MAD of first differences / sqrt 2)") << "; estimates are in "
                  << a.outcome << '\n';
      if (cost == cost_kind::var) {
        known_mean = r.segments.front().estimate.mean;
        out << "The variance is about the mean of the whole series, " << fmt(*known_mean) << '\n';
      }
      for (std::size_t k = 0; k < r.segments.size(); ++k) {
        const auto& e = r.segments[k].estimate;
        segment_row row{r.segments[k].start, r.segments[k].end};
        if (cost != cost_kind::var) row.mean = e.mean;
        if (e.variance) row.sd = std::sqrt(*e.variance);
        row.rate = e.rate;
        row.intercept = e.intercept;
        row.slope = e.slope;
        if (k > 0 && k - 1 < r.rate_ratios.size()) row.rate_ratio = r.rate_ratios[k - 1];
        rows.push_back(row);
      }
      changes = r.changepoints;
      warnings = r.warnings;
      j["method"] = r.method;
      j["cost"] = r.cost;
      j["penalty"] = {{"type", r.penalty_type}, {"value", r.penalty}};
      j["min_segment_length"] = r.min_segment_length;
      if (options.method == ps::search_method::binary_segmentation ||
          options.method == ps::search_method::segment_neighbourhood)
        j["max_changes"] = options.max_changes;
      j["noise_sd"] = scaled_cost ? nlohmann::ordered_json(scale) : nlohmann::ordered_json(nullptr);
      j["cost_value"] = r.cost_value;
      j["penalized_cost"] = r.penalized_cost;
      if (found.crops) {
        later << "\nCROPS: every optimal segmentation for penalties " << fmt(crops_range->first) << " to "
                  << fmt(crops_range->second) << " (PELT, plain cost" << (scaled_cost ? " of the scaled data" : "")
                  << "; " << found.crops->pelt_runs << " runs)\n"
                  << "  penalty from    to     changes  cost        change months\n";
        j["crops"] = nlohmann::ordered_json::array();
        for (const auto& p : found.crops->path) {
          std::vector<std::string> ms;
          std::vector<ps::month> cms;
          for (auto b : p.segmentation.changepoints) cms.push_back(month_at(b)), ms.push_back(cms.back().to_string());
          later << strf("  %-10s %-10s %5zu  %-11s %s\n", fmt(p.penalty_low).c_str(), fmt(p.penalty_high).c_str(),
                      p.segmentation.changepoints.size(), fmt(p.segmentation.cost, "%.6g").c_str(),
                      ms.empty() ? "none" : month_list(cms, 10).c_str());
          j["crops"].push_back({{"penalty_low", p.penalty_low}, {"penalty_high", p.penalty_high},
                                {"n_changes", p.segmentation.changepoints.size()}, {"cost", p.segmentation.cost},
                                {"changes", ms}});
        }
      }
    } else {
      // strucchange would report BIC = -Inf and a sup-F of rounding noise: say what is wrong instead.
      if ((s.y.array() == s.y(0)).all())
        throw ps::domain_error("the series is constant (" + fmt(s.y(0)) + " every month): Bai-Perron breakpoints and "
                               "the sup-F test need some variation");
      Eigen::MatrixXd x = Eigen::MatrixXd::Ones(n, trend ? 2 : 1);
      if (trend) x.col(1) = Eigen::VectorXd::LinSpaced(n, 0, static_cast<double>(n - 1));
      ps::breakpoints_options bo{.h = a.min_segment > 0 ? static_cast<double>(a.min_segment) : 0.15,
                                 .level = a.breaks_level};
      if (given_max) bo.max_breaks = a.max_changes;
      const auto bp = ps::breakpoints(s.y, x, bo);
      out << "Method Bai-Perron breakpoints (strucchange), " << (trend ? "level and trend" : "level")
                << " changing at each break, minimum segment " << bp.h << " months, up to " << bp.max_breaks
                << " breaks, their number by BIC\nBIC by number of breaks:";
      for (const auto& f : bp.fits)
        out << "  " << f.breaks << ": " << fmt(f.bic, "%.2f") << (f.breaks == bp.chosen_breaks ? " *" : "");
      out << '\n';
      for (const auto& seg : bp.segments) {
        segment_row row{seg.start, seg.end};
        if (trend) row.intercept = seg.coefficients(0), row.slope = seg.coefficients(1);
        else row.mean = seg.coefficients(0);
        rows.push_back(row);
      }
      changes = bp.breakpoints;
      warnings = bp.warnings;
      const auto test = ps::supf_test(s.y, x);
      warnings.insert(warnings.end(), test.warnings.begin(), test.warnings.end());
      j["method"] = "Bai-Perron breakpoints";
      j["cost"] = trend ? "level and trend" : "level";
      j["penalty"] = nullptr;
      j["min_segment_length"] = bp.h;
      j["max_changes"] = bp.max_breaks;
      for (const auto& f : bp.fits) j["bic"].push_back({{"breaks", f.breaks}, {"rss", f.rss}, {"bic", f.bic}});
      j["chosen_breaks"] = bp.chosen_breaks;
      later << "\nBreak dates (first month of the new segment), " << fmt(100 * a.breaks_level, "%g")
                << "% confidence interval (Bai 1997):\n";
      j["break_intervals"] = nlohmann::ordered_json::array();
      for (const auto& bi : bp.intervals) {
        const ps::month at = month_at(bi.breakpoint);
        if (!bi.computed) {
          later << strf("  %s  interval not computed (see the warning below)\n", at.to_string().c_str());
          j["break_intervals"].push_back({{"month", at.to_string()}, {"level", a.breaks_level},
                                          {"conf_low", nullptr}, {"conf_high", nullptr}});
          continue;
        }
        const ps::month low = s.months.front() + static_cast<int>(bi.lower), high = s.months.front() + static_cast<int>(bi.upper);
        later << strf("  %s  [%s, %s]  (%s before, %s after)\n", at.to_string().c_str(), low.to_string().c_str(),
                      high.to_string().c_str(), months_text(at - low).c_str(), months_text(high - at).c_str());
        j["break_intervals"].push_back({{"month", at.to_string()}, {"level", a.breaks_level},
                                        {"conf_low", low.to_string()}, {"conf_high", high.to_string()}});
        spans.push_back({std::max(low, s.months.front()), std::min(high, s.months.back()), "#999999",
                         spans.empty() ? fmt(100 * a.breaks_level, "%g") + "% interval" : ""});
      }
      if (bp.intervals.empty()) later << "  none: BIC chose no break\n";
      later << strf("sup-F test of no break against one (%s): F = %.2f, p = %.3g, break at %s\n",
                  trend ? "level and trend, 15% trimming" : "level, 15% trimming", test.statistic, test.p_value,
                  month_at(test.breakpoint).to_string().c_str());
      j["supf_test"] = {{"statistic", test.statistic}, {"p_value", test.p_value},
                        {"month", month_at(test.breakpoint).to_string()}, {"from", test.from}, {"to", test.to}};
    }

    // ---- the segments and the changes
    std::vector<std::pair<std::string, std::function<std::optional<double>(const segment_row&)>>> columns;
    if (cost == cost_kind::trend) {
      columns = {{"start", [&](const segment_row& r) { return std::optional<double>(fitted(r, r.start)); }},
                 {"end", [&](const segment_row& r) { return std::optional<double>(fitted(r, r.end - 1)); }},
                 {"slope/month", [](const segment_row& r) { return r.slope; }}};
    } else {
      if (cost != cost_kind::var && cost != cost_kind::poisson) columns.push_back({"mean", [](const segment_row& r) { return r.mean; }});
      if (cost == cost_kind::var || cost == cost_kind::meanvar) columns.push_back({"sd", [](const segment_row& r) { return r.sd; }});
      if (cost == cost_kind::poisson) {
        columns.push_back({"rate", [](const segment_row& r) { return r.rate; }});
        columns.push_back({"rate ratio", [](const segment_row& r) { return r.rate_ratio; }});
      }
    }
    out << "\nSegments:\n  first    last         n";
    for (const auto& c : columns) out << strf(" %12s", c.first.c_str());
    out << '\n';
    for (const auto& r : rows) {
      out << strf("  %s  %s  %6ld", month_at(r.start).to_string().c_str(), month_at(r.end - 1).to_string().c_str(),
                        static_cast<long>(r.end - r.start));
      for (const auto& c : columns) {
        const auto v = c.second(r);
        const std::string text = !v ? "" : c.first == "rate ratio" ? "x" + fmt(*v, "%.3f") : fmt(*v);
        out << strf(" %12s", text.c_str());
      }
      out << '\n';
    }
    std::vector<std::string> change_months;
    for (auto b : changes) change_months.push_back(month_at(b).to_string());
    out << (breakpoints ? "Breaks" : "Changes") << " (first month of each new segment): "
              << (changes.empty() ? std::string("none") : join(change_months)) << '\n' << later.str();

    for (const auto& r : rows) {
      nlohmann::ordered_json sj = {{"first_month", month_at(r.start).to_string()},
                                   {"last_month", month_at(r.end - 1).to_string()},
                                   {"n", r.end - r.start},
                                   {"mean", optional_json(r.mean)},
                                   {"sd", optional_json(r.sd)},
                                   {"rate", optional_json(r.rate)},
                                   {"rate_ratio", optional_json(r.rate_ratio)}};
      if (trend) {
        sj["level_start"] = fitted(r, r.start);
        sj["level_end"] = fitted(r, r.end - 1);
      } else {
        sj["level_start"] = nullptr;
        sj["level_end"] = nullptr;
      }
      sj["slope"] = optional_json(r.slope);
      j["segments"].push_back(sj);
    }
    j["changes"] = nlohmann::ordered_json::array();
    for (auto b : changes) j["changes"].push_back({{"cpt", b}, {"month", month_at(b).to_string()}});

    // ---- the CUSUM quick check
    try {
      const auto c = ps::cusum_mean_test(s.y);
      out << strf("\nCUSUM test of one change in mean (OLS-CUSUM): statistic %.3f, p = %.3g, change at %s\n",
                        c.statistic, c.p_value, month_at(c.location).to_string().c_str());
      j["cusum"] = {{"statistic", c.statistic}, {"p_value", c.p_value}, {"month", month_at(c.location).to_string()}};
    } catch (const ps::domain_error& e) {
      out << strf("\nCUSUM test: not computed: %s\n", e.what());
      j["cusum"] = nullptr;
    }

    // ---- the series with the segment each month is in
    // "fitted": the segment's mean, rate or trend line (the variance cost: the series mean).
    const auto level_at = [&](const segment_row& r, Eigen::Index t) {
      return r.slope ? fitted(r, t) : r.rate ? *r.rate : r.mean ? *r.mean : *known_mean;
    };
    for (std::size_t k = 0; k < rows.size(); ++k)
      for (Eigen::Index t = rows[k].start; t < rows[k].end; ++t)
        j["series"].push_back({{"month", month_at(t).to_string()}, {"value", s.y(t)}, {"segment", k + 1},
                               {"fitted", level_at(rows[k], t)}});
    for (auto& w : warnings) {  // the library names its option; the user gave this program's
      if (const auto at = w.find("increase max_changes"); at != std::string::npos) w.replace(at + 9, 11, "--max-changes");
      // The library names a change by its index (R's cpt); the user reads months.
      for (auto b : changes) {
        const std::string at = "the change at " + std::to_string(b) + " ";
        if (const auto i = w.find(at); i != std::string::npos)
          w.replace(i, at.size(), "the change in " + month_at(b).to_string() + " ");
      }
    }
    for (const auto& w : warnings) out << "Warning: " << w << '\n';
    j["warnings"] = warnings;
    std::cout << out.str();
    if (!a.json_path.empty()) ps::report::write_json(a.json_path, j);

    if (!a.svg_path.empty()) {
      ps::report::chart c{s.label + ": " + a.outcome, a.outcome, {}, {}, {}, spans};
      ps::report::chart_series observed{"observed", s.months, {s.y.data(), s.y.data() + n}, "#333333", true};
      c.series.push_back(observed);
      // One legend entry per kind of line: the first segment's lines carry the labels.
      std::string line_label = trend ? "segment trends" : cost == cost_kind::poisson ? "segment rates"
                               : known_mean ? "series mean" : "segment means";
      std::string sd_label = known_mean ? "series mean +/- segment sd" : "segment mean +/- sd";
      for (const auto& r : rows) {
        const ps::month m0 = month_at(r.start), m1 = month_at(r.end - 1);
        c.series.push_back({line_label, {m0, m1}, {level_at(r, r.start), level_at(r, r.end - 1)}, "#d62728"});
        line_label.clear();
        if (r.sd) {
          const double centre = level_at(r, r.start);
          c.series.push_back({sd_label, {m0, m1}, {centre - *r.sd, centre - *r.sd}, "#1f77b4", false, true});
          c.series.push_back({"", {m0, m1}, {centre + *r.sd, centre + *r.sd}, "#1f77b4", false, true});
          sd_label.clear();
        }
      }
      for (auto b : changes) c.marks.push_back(month_at(b));
      ps::report::write_svg(a.svg_path, c);
    }
    return ps::report::exit_success;
  });
}
