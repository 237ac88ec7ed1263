// pilotstats-did: difference-in-differences on a unit x month panel.
//
//   pilotstats-did examples/data/london_bcu.csv --unit borough --outcome complaints --offset calls
//       --first-treated bcu_start --to 2018-04 --estimator ppml --cluster bcu --json did.json --svg did.svg
//
// Treatment is a 0/1 column (--treatment) or each unit's first treated month (--first-treated,
// a per-unit month column; empty for never-treated units, and a start after --to is "not yet
// treated" within the window). Estimators: 2x2 (group x period means; --post-from splits the
// periods when the treated units start at different months), twfe (unit and month effects
// absorbed), ppml (Poisson with unit and month effects, as fixest::fepois; --offset takes the
// log of an exposure column). Analytic standard errors: iid, cr1 (fixest) or cr2 (clubSandwich),
// clustered by unit or by a per-unit column (--cluster bcu). With few treated clusters the
// program warns and, unless --inference analytic, shows the wild cluster bootstrap and the
// randomization inference first. Exit codes as pilotstats-describe: 0, 2 (bad data or usage,
// with the place), 1 (unexpected).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pilotstats/pilotstats.hpp"
#include "pilotstats/report/program.hpp"
#include "pilotstats/report/svg_chart.hpp"

namespace ps = pilotstats;

namespace {

struct arguments {
  std::string data, unit_column = "unit", month_column = "month", outcome, treatment, first_treated;
  std::string estimator = "twfe", offset, log_rate, cluster, se = "cr1", inference = "auto";
  std::string from, to, post_from;
  std::vector<std::string> covariates;
  std::string boot_weights = "auto";
  int draws = 9999, ri_draws = 9999;
  std::uint64_t seed = 20161201;
  double level = 0.95;
  std::string json_path, svg_path;
};

// The rows of the analysis and everything the estimators take, one entry per row.
struct did_data {
  std::vector<std::size_t> rows;              // panel rows used
  Eigen::VectorXd y, treatment, exposure;     // exposure: empty unless --offset
  Eigen::MatrixXd covariates;
  std::vector<std::size_t> unit, cluster;     // codes
  std::vector<ps::month> time;
  std::vector<std::string> cluster_names;
  std::set<std::size_t> treated_units;        // treated at some month of the window
  std::set<ps::month> starts;                 // first treated months of the treated units
  std::size_t treated_clusters = 0, clusters = 0;
  std::vector<std::string> warnings;
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

did_data prepare(const ps::panel& p, const arguments& a) {
  did_data d;
  const ps::month from = a.from.empty() ? p.first_month() : ps::month::parse(a.from);
  const ps::month to = a.to.empty() ? p.last_month() : ps::month::parse(a.to);
  if (to < from) throw ps::invalid_input("--from " + from.to_string() + " is after --to " + to.to_string());
  std::vector<std::string> needed = {a.outcome};
  if (!a.treatment.empty()) needed.push_back(a.treatment);
  if (!a.offset.empty()) needed.push_back(a.offset);
  if (!a.log_rate.empty()) needed.push_back(a.log_rate);
  needed.insert(needed.end(), a.covariates.begin(), a.covariates.end());

  std::map<std::string, std::size_t> cluster_code;
  std::vector<std::size_t> unit_cluster(p.n_units());
  for (std::size_t u = 0; u < p.n_units(); ++u) {
    const std::string name = a.cluster.empty() || a.cluster == a.unit_column ? p.units()[u] : p.attribute(u, a.cluster);
    auto [it, fresh] = cluster_code.try_emplace(name, cluster_code.size());
    if (fresh) d.cluster_names.push_back(name);
    unit_cluster[u] = it->second;
  }
  std::vector<std::optional<ps::month>> first(p.n_units());
  if (!a.first_treated.empty())
    for (std::size_t u = 0; u < p.n_units(); ++u) first[u] = p.attribute_month(u, a.first_treated);

  std::vector<double> y, treat, exposure;
  std::vector<std::vector<double>> z(a.covariates.size());
  std::size_t skipped = 0;
  std::string first_skipped;
  for (std::size_t r = 0; r < p.n_rows(); ++r) {
    const ps::month m = p.row_month(r);
    if (m < from || to < m) continue;
    const std::size_t u = p.row_unit(r);
    bool missing = false;
    for (const auto& c : needed) missing = missing || p.missing(c)[r];
    if (missing) {
      if (skipped++ == 0) first_skipped = p.units()[u] + " " + m.to_string();
      continue;
    }
    double dit = 0;
    if (!a.treatment.empty()) {
      dit = p.column(a.treatment)(static_cast<Eigen::Index>(r));
      if (dit != 0 && dit != 1)
        throw ps::invalid_input("column '" + a.treatment + "' is " + ps::detail::format_number(dit) + " at " +
                                p.units()[u] + " " + m.to_string() + ", but the treatment must be 0 or 1");
    } else {
      dit = first[u] && !(m < *first[u]) ? 1.0 : 0.0;
    }
    if (dit == 1) {
      d.treated_units.insert(u);
      if (first[u]) d.starts.insert(*first[u]);
    }
    const double yv = p.column(a.outcome)(static_cast<Eigen::Index>(r));
    if (a.estimator == "ppml" && yv < 0)
      throw ps::invalid_input("column '" + a.outcome + "' is " + ps::detail::format_number(yv) + " at " + p.units()[u] +
                              " " + m.to_string() + ", but a Poisson outcome must be nonnegative");
    if (!a.log_rate.empty()) {  // the log rate per 1,000 of the exposure
      const double e = p.column(a.log_rate)(static_cast<Eigen::Index>(r));
      if (!(yv > 0 && e > 0))
        throw ps::invalid_input("--log-rate " + a.log_rate + ": " + a.outcome + " is " + ps::detail::format_number(yv) +
                                " and " + a.log_rate + " is " + ps::detail::format_number(e) + " at " + p.units()[u] +
                                " " + m.to_string() + ", but both must be positive for a log rate");
      y.push_back(std::log(1000 * yv / e));
    } else {
      y.push_back(yv);
    }
    treat.push_back(dit);
    if (!a.offset.empty()) {
      const double e = p.column(a.offset)(static_cast<Eigen::Index>(r));
      if (!(e > 0))
        throw ps::invalid_input("column '" + a.offset + "' is " + ps::detail::format_number(e) + " at " + p.units()[u] +
                                " " + m.to_string() + ", but an exposure must be positive (its log is the offset)");
      exposure.push_back(e);
    }
    for (std::size_t j = 0; j < a.covariates.size(); ++j) z[j].push_back(p.column(a.covariates[j])(static_cast<Eigen::Index>(r)));
    d.rows.push_back(r);
    d.unit.push_back(u);
    d.time.push_back(m);
    d.cluster.push_back(unit_cluster[u]);
  }
  if (d.rows.empty()) throw ps::invalid_input("no rows with every needed column present between " + from.to_string() +
                                              " and " + to.to_string());
  if (skipped > 0)
    d.warnings.push_back(std::to_string(skipped) + " row(s) left out for missing values (the first: " + first_skipped + ")");
  if (!a.treatment.empty()) {  // with a 0/1 column, a unit's start is its first treated month
    std::map<std::size_t, ps::month> start;
    for (std::size_t i = 0; i < d.rows.size(); ++i)
      if (treat[i] == 1) {
        auto [it, fresh] = start.try_emplace(d.unit[i], d.time[i]);
        if (!fresh && d.time[i] < it->second) it->second = d.time[i];
      }
    for (const auto& [u, m] : start) d.starts.insert(m);
  }
  const auto n = static_cast<Eigen::Index>(y.size());
  d.y = Eigen::Map<Eigen::VectorXd>(y.data(), n);
  d.treatment = Eigen::Map<Eigen::VectorXd>(treat.data(), n);
  if (!exposure.empty()) d.exposure = Eigen::Map<Eigen::VectorXd>(exposure.data(), n);
  d.covariates.resize(n, static_cast<Eigen::Index>(z.size()));
  for (std::size_t j = 0; j < z.size(); ++j) d.covariates.col(static_cast<Eigen::Index>(j)) = Eigen::Map<Eigen::VectorXd>(z[j].data(), n);
  std::set<std::size_t> used_clusters, treated_clusters;
  for (std::size_t i = 0; i < d.rows.size(); ++i) {
    used_clusters.insert(d.cluster[i]);
    if (d.treated_units.count(d.unit[i])) treated_clusters.insert(d.cluster[i]);
  }
  d.clusters = used_clusters.size();
  d.treated_clusters = treated_clusters.size();
  if (d.treated_units.empty())
    throw ps::invalid_input("no unit is treated between " + from.to_string() + " and " + to.to_string() +
                            (a.first_treated.empty() ? "" : " (check --first-treated " + a.first_treated + " and --to)"));
  return d;
}

nlohmann::ordered_json row_json(const ps::coefficient_row& r) {
  return {{"term", r.term}, {"estimate", r.estimate}, {"std_error", r.std_error}, {"statistic", r.statistic},
          {"p_value", r.p_value}, {"conf_low", r.conf_low}, {"conf_high", r.conf_high}, {"df", r.df}};
}

ps::wild_weight_kind boot_weights(const std::string& name, std::size_t clusters) {
  if (name == "rademacher") return ps::wild_weight_kind::rademacher;
  if (name == "webb") return ps::wild_weight_kind::webb;
  if (name == "mammen") return ps::wild_weight_kind::mammen;
  if (name != "auto") throw ps::invalid_input("--boot-weights " + name + ": expected auto, rademacher, webb or mammen");
  // Rademacher weights have only 2^G distinct draws: Webb's below 12 clusters (Webb 2013);
  // Rademacher otherwise, enumerated when 2^G <= draws (boottest's rule, in the bootstrap).
  return clusters < 12 ? ps::wild_weight_kind::webb : ps::wild_weight_kind::rademacher;
}

// The wild cluster bootstrap (WCR) and randomization inference of the TWFE effect, printed and
// added to the JSON.
void resampling(const did_data& d, const arguments& a, const std::string& cluster_label, nlohmann::ordered_json& j,
                std::vector<std::string>& warnings) {
  ps::wild_bootstrap_options wo;
  wo.cluster = d.cluster;
  wo.weights = boot_weights(a.boot_weights, d.clusters);
  wo.draws = static_cast<std::size_t>(a.draws);
  wo.seed = a.seed;
  wo.level = a.level;
  const auto wb = ps::wild_cluster_bootstrap(d.y, d.treatment, d.unit, d.time, d.covariates, wo);
  std::printf("Wild cluster bootstrap (%s): p = %.4g; %.0f%% interval [%.4g, %.4g] by test inversion\n",
              wb.method.c_str(), wb.p_value, 100 * a.level, wb.conf_low, wb.conf_high);
  j["wild_bootstrap"] = {{"method", wb.method}, {"estimate", wb.estimate}, {"t_statistic", wb.t_statistic},
                         {"p_value", wb.p_value}, {"conf_low", wb.conf_low}, {"conf_high", wb.conf_high},
                         {"draws", wb.draws}, {"enumerated", wb.enumerated}, {"seed", a.seed}};
  warnings.insert(warnings.end(), wb.warnings.begin(), wb.warnings.end());

  ps::randomization_options ro;
  ro.cluster = d.cluster;
  ro.draws = static_cast<std::size_t>(a.ri_draws);
  ro.seed = a.seed;
  const auto ri = ps::randomization_inference(d.y, d.treatment, d.unit, d.time, d.covariates, ro);
  if (ri.enumerated)
    std::printf("Randomization inference: p = %.4g over all %zu assignments of the start months to the %zu %s clusters\n",
                ri.p_value, ri.draws, ri.clusters, cluster_label.c_str());
  else
    std::printf("Randomization inference: p = %.4g over %zu random reassignments (of %.3g) of the start months to the "
                "%zu %s clusters\n", ri.p_value, ri.draws, ri.assignments, ri.clusters, cluster_label.c_str());
  std::size_t as_large = 0;
  for (double s : ri.distribution) as_large += std::abs(s) >= std::abs(ri.statistic) ? 1 : 0;
  std::printf("  (%zu of them give an effect at least as large as %.4g)\n\n", as_large, ri.statistic);
  j["randomization"] = {{"statistic", "coefficient"}, {"estimate", ri.estimate}, {"p_value", ri.p_value},
                        {"enumerated", ri.enumerated}, {"assignments", ri.assignments}, {"draws", ri.draws},
                        {"distribution", ri.distribution}};
  warnings.insert(warnings.end(), ri.warnings.begin(), ri.warnings.end());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Difference-in-differences: did the treated units change, against the controls, and how sure are we?",
               "pilotstats-did"};
  arguments a;
  app.add_option("DATA", a.data, "CSV in long format, one row per unit and month")->required();
  app.add_option("--unit", a.unit_column, "column naming the unit")->capture_default_str();
  app.add_option("--month", a.month_column, "column holding the month (YYYY-MM)")->capture_default_str();
  app.add_option("--outcome", a.outcome, "outcome column")->required();
  app.add_option("--treatment", a.treatment, "0/1 treatment column");
  app.add_option("--first-treated", a.first_treated, "per-unit column with the first treated month (empty: never)");
  app.add_option("--estimator", a.estimator, "2x2, twfe or ppml")->capture_default_str();
  app.add_option("--offset", a.offset, "exposure column whose log is the offset (ppml), e.g. calls");
  app.add_option("--log-rate", a.log_rate, "2x2, twfe: analyse log(1000 outcome / this exposure column), e.g. calls");
  app.add_option("--covariates", a.covariates, "extra regressor column(s) (twfe, ppml)")->delimiter(',');
  app.add_option("--cluster", a.cluster, "per-unit column to cluster by (default: the unit)");
  app.add_option("--se", a.se, "analytic standard errors: iid, cr1 or cr2 (cr2: linear models)")->capture_default_str();
  app.add_option("--inference", a.inference,
                 "auto (bootstrap and randomization when treated clusters are few), analytic, or all")
      ->capture_default_str();
  app.add_option("--draws", a.draws, "wild cluster bootstrap draws")->capture_default_str();
  app.add_option("--boot-weights", a.boot_weights, "auto, rademacher, webb or mammen (auto: Webb below 12 clusters, else Rademacher)")->capture_default_str();
  app.add_option("--ri-draws", a.ri_draws, "randomization inference draws when not enumerated")->capture_default_str();
  app.add_option("--seed", a.seed, "seed of the bootstrap and the randomization draws")->capture_default_str();
  app.add_option("--from", a.from, "first month used (YYYY-MM)");
  app.add_option("--to", a.to, "last month used (YYYY-MM)");
  app.add_option("--post-from", a.post_from, "2x2: first month of the post period (default: the treated units' start)");
  app.add_option("--level", a.level, "confidence level")->capture_default_str();
  app.add_option("--json", a.json_path, "write the results as JSON to this file");
  app.add_option("--svg", a.svg_path, "draw treated and control means over time to this SVG file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ps::report::cli_exit(app, e);
  }

  return ps::report::run_program(app.get_name(), [&] {
    if (a.treatment.empty() == a.first_treated.empty())
      throw ps::invalid_input("give exactly one of --treatment (a 0/1 column) and --first-treated (a month column)");
    if (a.estimator != "2x2" && a.estimator != "twfe" && a.estimator != "ppml")
      throw ps::invalid_input("--estimator " + a.estimator + ": expected 2x2, twfe or ppml");
    if (a.se != "iid" && a.se != "cr1" && a.se != "cr2") throw ps::invalid_input("--se " + a.se + ": expected iid, cr1 or cr2");
    if (a.se == "cr2" && a.estimator == "ppml") throw ps::invalid_input("--se cr2: not available for ppml (use cr1)");
    if (a.inference != "auto" && a.inference != "analytic" && a.inference != "all")
      throw ps::invalid_input("--inference " + a.inference + ": expected auto, analytic or all");
    boot_weights(a.boot_weights, 0);  // an unknown name fails here, before the data are read
    if (a.draws < 1 || a.ri_draws < 1) throw ps::invalid_input("--draws and --ri-draws must be at least 1");
    if (!a.offset.empty() && a.estimator != "ppml")
      throw ps::invalid_input("--offset " + a.offset + ": only the ppml estimator takes an offset (use --log-rate " +
                              a.offset + " for a log rate under twfe or 2x2)");
    if (!a.log_rate.empty() && a.estimator == "ppml")
      throw ps::invalid_input("--log-rate " + a.log_rate + ": ppml models the count; give the exposure as --offset " + a.log_rate);
    if (!(a.level > 0 && a.level < 1)) throw ps::invalid_input("--level " + std::to_string(a.level) + ": must be in (0, 1)");

    std::vector<std::string> values = {a.outcome};
    if (!a.treatment.empty()) values.push_back(a.treatment);
    if (!a.offset.empty()) values.push_back(a.offset);
    if (!a.log_rate.empty() && a.log_rate != a.offset) values.push_back(a.log_rate);
    values.insert(values.end(), a.covariates.begin(), a.covariates.end());
    std::vector<std::string> attributes;
    if (!a.first_treated.empty()) attributes.push_back(a.first_treated);
    if (!a.cluster.empty() && a.cluster != a.unit_column && a.cluster != a.first_treated) attributes.push_back(a.cluster);
    const auto panel = ps::read_panel_csv(a.data, {.unit = a.unit_column, .month = a.month_column, .values = values,
                                                   .attributes = attributes});
    const did_data d = prepare(panel, a);
    const std::string cluster_label = a.cluster.empty() ? a.unit_column : a.cluster;

    nlohmann::ordered_json j;
    j["program"] = "pilotstats-did";
    j["outcome"] = a.log_rate.empty() ? a.outcome : "log(1000 " + a.outcome + " / " + a.log_rate + ")";
    j["estimator"] = a.estimator;
    j["rows"] = d.rows.size();
    j["units"] = std::set<std::size_t>(d.unit.begin(), d.unit.end()).size();
    j["treated_units"] = d.treated_units.size();
    j["clusters"] = d.clusters;
    j["treated_clusters"] = d.treated_clusters;
    std::vector<std::string> warnings = d.warnings;
    std::vector<std::string> shown;  // printed already with a coefficient table

    std::vector<std::string> treated_names;
    for (auto u : d.treated_units) treated_names.push_back(panel.units()[u]);
    std::cout << "Difference-in-differences: " << j["outcome"].get<std::string>() << ", " << d.rows.size() << " rows, "
              << j["units"].get<std::size_t>() << " units (" << d.treated_units.size() << " treated: "
              << join(treated_names) << "), " << d.time.front() << " to " << d.time.back() << "\n"
              << "Clusters: " << d.clusters << " by " << cluster_label << ", " << d.treated_clusters << " treated\n\n";

    ps::covariance_spec analytic = ps::classical_covariance{};
    if (a.se != "iid") analytic = ps::cluster_covariance{d.cluster, a.se == "cr1" ? ps::cr_type::cr1 : ps::cr_type::cr2};
    if (a.estimator == "2x2") {
      Eigen::VectorXd treated(d.y.size()), post(d.y.size());
      std::optional<ps::month> split;
      if (!a.post_from.empty()) split = ps::month::parse(a.post_from);
      else if (d.starts.size() == 1) split = *d.starts.begin();
      else {
        std::vector<std::string> s;
        for (auto m : d.starts) s.push_back(m.to_string());
        throw ps::invalid_input("2x2: the treated units start at different months (" + join(s) +
                                "); give --post-from MONTH to split the periods, or use twfe");
      }
      for (Eigen::Index i = 0; i < d.y.size(); ++i) {
        treated(i) = d.treated_units.count(d.unit[static_cast<std::size_t>(i)]) ? 1 : 0;
        post(i) = d.time[static_cast<std::size_t>(i)] < *split ? 0 : 1;
      }
      const auto r = ps::two_by_two(d.y, treated, post, {.covariance = analytic, .level = a.level});
      std::printf("2x2 means (post from %s)\n  %-10s %12s %12s\n", split->to_string().c_str(), "", "pre", "post");
      std::printf("  %-10s %12.4g %12.4g\n  %-10s %12.4g %12.4g\n", "treated", r.means[1][0], r.means[1][1], "control",
                  r.means[0][0], r.means[0][1]);
      std::cout << '\n' << ps::format_coefficients(r.table) << '\n';
      std::printf("DiD = (%.4g - %.4g) - (%.4g - %.4g) = %.4g [%.4g, %.4g] (%s)\n", r.means[1][1], r.means[1][0],
                  r.means[0][1], r.means[0][0], r.estimate, r.did.conf_low, r.did.conf_high, r.table.covariance.c_str());
      j["post_from"] = split->to_string();
      j["means"] = {{"treated_pre", r.means[1][0]}, {"treated_post", r.means[1][1]},
                    {"control_pre", r.means[0][0]}, {"control_post", r.means[0][1]}};
      j["estimate"] = row_json(r.did);
      for (const auto& r2 : r.table.rows) j["coefficients"].push_back(row_json(r2));
      warnings.insert(warnings.end(), r.warnings.begin(), r.warnings.end());
      shown = r.table.warnings;
    } else if (a.estimator == "twfe") {
      ps::twfe_options o;
      o.covariate_names = a.covariates;
      o.cluster = d.cluster;
      o.se = a.se == "iid" ? ps::twfe_se::iid : a.se == "cr1" ? ps::twfe_se::cr1 : ps::twfe_se::cr2;
      o.level = a.level;
      const auto r = ps::twfe(d.y, d.treatment, d.unit, d.time, d.covariates, o);
      if (a.inference == "all" || (a.inference == "auto" && d.treated_clusters < ps::few_treated_clusters)) {
        if (a.inference == "auto")
          std::cout << "Few treated clusters (" << d.treated_clusters << " of " << d.clusters << " by " << cluster_label
                    << "): the wild cluster bootstrap and randomization inference come first.\n";
        resampling(d, a, cluster_label, j, warnings);
      }
      std::cout << "Two-way fixed effects (unit and month effects absorbed), " << r.table.covariance << ":\n"
                << ps::format_coefficients(r.table) << '\n';
      const auto& t = r.table.rows.front();
      std::printf("Effect of the treatment: %.4g [%.4g, %.4g], p = %.3g (%s)\n", t.estimate, t.conf_low, t.conf_high,
                  t.p_value, r.table.covariance.c_str());
      j["estimate"] = row_json(t);
      for (const auto& r2 : r.table.rows) j["coefficients"].push_back(row_json(r2));
      warnings.insert(warnings.end(), r.warnings.begin(), r.warnings.end());
      shown = r.table.warnings;
    } else {
      ps::ppml_options o;
      o.covariate_names = a.covariates;
      o.cluster = d.cluster;
      if (d.exposure.size()) o.offset = d.exposure.array().log().matrix();
      o.se = a.se == "iid" ? ps::ppml_se::iid : ps::ppml_se::cr1;
      o.level = a.level;
      const auto r = ps::ppml(d.y, d.treatment, d.unit, d.time, d.covariates, o);
      std::cout << "Poisson two-way fixed effects (PPML; unit and month effects absorbed"
                << (d.exposure.size() ? ", offset log(" + a.offset + ")" : std::string()) << "), " << r.table.covariance
                << ":\n" << ps::format_coefficients(r.table) << '\n';
      std::printf("Effect of the treatment: rate x%.3f [%.3f, %.3f], p = %.3g (%s)\n", r.rate_ratio, r.rate_ratio_low,
                  r.rate_ratio_high, r.table.rows.front().p_value, r.table.covariance.c_str());
      if (d.treated_clusters < ps::few_treated_clusters && a.inference != "analytic")
        std::cout << "(The wild cluster bootstrap and randomization inference are for the linear estimator: run "
                     "--estimator twfe" << (a.offset.empty() ? "" : " --log-rate " + a.offset) << " for them.)\n";
      j["estimate"] = row_json(r.table.rows.front());
      j["rate_ratio"] = {{"estimate", r.rate_ratio}, {"conf_low", r.rate_ratio_low}, {"conf_high", r.rate_ratio_high}};
      for (const auto& r2 : r.table.rows) j["coefficients"].push_back(row_json(r2));
      j["iterations"] = r.iterations;
      j["converged"] = r.converged;
      warnings.insert(warnings.end(), r.warnings.begin(), r.warnings.end());
      shown = r.table.warnings;
    }
    for (const auto& w : warnings) {
      if (std::find(shown.begin(), shown.end(), w) == shown.end()) std::cout << "Warning: " << w << '\n';
      j["warnings"].push_back(w);
    }
    if (!a.json_path.empty()) ps::report::write_json(a.json_path, j);
    if (!a.svg_path.empty()) {
      // Treated and control means by month (rates per 1,000 of the exposure when there is an offset).
      std::map<ps::month, std::array<double, 4>> sums;  // treated y, treated exposure/count, control y, control ...
      for (std::size_t i = 0; i < d.rows.size(); ++i) {
        auto& s = sums[d.time[i]];
        const std::size_t g = d.treated_units.count(d.unit[i]) ? 0 : 2;
        s[g] += d.y(static_cast<Eigen::Index>(i));
        s[g + 1] += d.exposure.size() ? d.exposure(static_cast<Eigen::Index>(i)) / 1000.0 : 1.0;
      }
      const std::string what = a.offset.empty() ? "mean " + j["outcome"].get<std::string>() : a.outcome + " per 1,000 " + a.offset;
      ps::report::chart c{"Treated and control units: " + what, what, {}, {}, {}};
      ps::report::chart_series treated{"treated", {}, {}, "#d62728", true}, control{"control", {}, {}, "#1f77b4", true};
      for (const auto& [m, s] : sums) {
        if (s[1] > 0) treated.x.push_back(m), treated.y.push_back(s[0] / s[1]);
        if (s[3] > 0) control.x.push_back(m), control.y.push_back(s[2] / s[3]);
      }
      c.series = {treated, control};
      for (auto m : d.starts) c.marks.push_back(m);
      ps::report::write_svg(a.svg_path, c);
    }
    return ps::report::exit_success;
  });
}
