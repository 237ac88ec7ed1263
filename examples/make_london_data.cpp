// pilotstats-make-london-data: writes the bundled London sample panel and its truth.
//
//   pilotstats-make-london-data --out-dir examples/data          # the committed files
//   pilotstats-make-london-data --seed 87 --out-dir /tmp/london  # another realization
//
// Writes <out-dir>/london_bcu.csv (borough,bcu,month,complaints,response_minutes,calls,bcu_start)
// and <out-dir>/london_bcu.truth.json (seed, generator version, every parameter, the true
// effects by BCU and month, borough baselines, the officer series and the realized pathfinder
// numbers). The data-generating process is documented in pilotstats/simulate/london.hpp and
// examples/data/README.md.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "pilotstats/simulate/london.hpp"
#include "pilotstats/version.hpp"

namespace {

using json = nlohmann::ordered_json;

json assumptions() {
  return json::array({
      "Simulated data. Only the borough names, their BCU membership and the pathfinder "
      "go-live months (East Area 2016-12, Central North 2017-01) come from the design brief; "
      "the rollout go-live months (South West 2018-05, North West 2018-09, the others spread "
      "over 2018-06..2019-02) and every number are simulated.",
      "Balanced monthly panel 2014-01..2019-12: 32 boroughs x 72 months = 2304 rows.",
      "k = months since the BCU's go-live month; k = 0 is the first live month. bcu_start is "
      "the go-live month of the borough's BCU.",
      "London-wide officer numbers fall from 32000 to 30000 along a logistic centred on "
      "2017-06 (scale 5 months), so most of the fall happens in 2016-2018. fall_share s(t) is "
      "that logistic rescaled to 0 at 2014-01 and 1 at 2019-12.",
      "calls ~ Poisson(calls_base * calls_season[month] * exp(0.02 t/71 + 0.06 s(t) + e)), "
      "e ~ N(0, 0.03^2): demand rises London-wide, in every borough. Calls are not affected "
      "by the BCU merger.",
      "complaints ~ NB2(mean = calls * complaints_per_1000_calls / 1000 * exp(log RR(k)), "
      "theta = 20), variance mean + mean^2/theta. Calls are the exposure: model them with "
      "offset(log(calls)).",
      "log RR(k) = L exp(-k/tau) + S k for k >= 0, 0 before go-live. Pathfinders: tau = "
      "infinity (a log-linear interrupted time series, so a segmented Poisson/NB regression "
      "with offset log(calls), level and slope change is correctly specified). East Area "
      "L = log(2.9), S = -0.028; Central North L = log(1.5), S = -0.015 (its rate ratio falls "
      "below 1 from k = 28, 2019-05). Rollout BCUs: L = log(1.3), S = 0, tau = 6.",
      "response_minutes = base + 0.8 cos(2 pi (month-1)/12) + 2.4 s(t) + effect(k) + a_t, "
      "a_t = 0.5 a_{t-1} + N(0, 0.5^2) (stationary start), written with 2 decimals. Winter is "
      "slower, the officer fall adds up to 2.4 minutes everywhere.",
      "effect(k) rises linearly from jump (k = 0) to peak (k = peak_month) and then decays as "
      "peak exp(-(k - peak_month)/decay). East Area: 8 -> 23 minutes at 2017-06, decay 3.5 "
      "months (near baseline by mid-2018). Central North: 2 -> 6 minutes at 2017-06, decay 3. "
      "Rollout BCUs: 1.5 exp(-k/4).",
      "All boroughs in a BCU share its effects. BCU averages in pathfinder_checks are "
      "unweighted means of the borough values.",
      "Borough baselines (calls_base, response_base_minutes, population_thousands) are set by "
      "hand; complaints_per_1000_calls is 2.6 exp(N(0, 0.12^2)) drawn from the seed. Havering "
      "has the lowest demand in London; Barking & Dagenham has more calls per resident than "
      "boroughs of its size. population_thousands is an approximate figure for context only "
      "and is not used.",
      "Randomness: pilotstats::pcg64 (numpy's PCG64) seeded with the seed; stream 0 draws the "
      "borough parameters, and each borough has its own streams for calls, response and "
      "complaints (pcg64::split).",
      "The default seed 5 is the first seed from 1 upwards whose realized East Area Dec/Nov "
      "2016 complaints ratio is within 3 +- 0.1 and whose East Area mean response in 2017-06 "
      "is within 39 +- 0.5 minutes.",
  });
}

json decay_or_null(double months) {
  return std::isinf(months) ? json(nullptr) : json(months);
}

json truth_json(const pilotstats::london_data& d) {
  const auto& p = d.options.parameters;
  json j;
  j["description"] =
      "Truth for london_bcu.csv: simulated London borough panel with known effects of the "
      "merger into 12 BCUs";
  j["generator"] = "pilotstats-make-london-data";
  j["generator_version"] = pilotstats::london_generator_version;
  j["pilotstats_version"] = pilotstats::version_string;
  j["seed"] = d.options.seed;
  j["rng"] = "pilotstats::pcg64: PCG64 XSL-RR 128/64 seeded as numpy.random.PCG64(seed); "
             "streams by pcg64::split(k) = jumped(k + 1)";
  j["csv"] = {{"file", "london_bcu.csv"},
              {"columns", {"borough", "bcu", "month", "complaints", "response_minutes", "calls",
                           "bcu_start"}},
              {"rows", d.rows.size()},
              {"first_month", d.months.front().to_string()},
              {"last_month", d.months.back().to_string()}};
  j["assumptions"] = assumptions();

  json params;
  params["first_year"] = p.first_year;
  params["last_year"] = p.last_year;
  params["officers_start"] = p.officers_start;
  params["officers_end"] = p.officers_end;
  params["officer_fall_centre"] =
      pilotstats::month(p.officer_fall_centre_year, p.officer_fall_centre_month).to_string();
  params["officer_fall_scale_months"] = p.officer_fall_scale_months;
  params["calls_linear_growth"] = p.calls_linear_growth;
  params["calls_growth_with_fall"] = p.calls_growth_with_fall;
  params["calls_noise_sd"] = p.calls_noise_sd;
  params["calls_season_jan_to_dec"] = p.calls_season;
  params["complaints_per_1000_calls_median"] = p.complaints_per_1000_calls;
  params["complaints_rate_sd"] = p.complaints_rate_sd;
  params["complaints_theta"] = p.complaints_theta;
  params["response_season_amplitude_minutes"] = p.response_season_amplitude;
  params["response_drift_with_fall_minutes"] = p.response_drift_with_fall;
  params["response_ar_phi"] = p.response_ar_phi;
  params["response_ar_sd_minutes"] = p.response_ar_sd;
  j["parameters"] = params;

  json officers = json::array();
  for (std::size_t t = 0; t < d.months.size(); ++t)
    officers.push_back({{"month", d.months[t].to_string()},
                        {"officers", static_cast<long>(d.officers[t])},
                        {"fall_share", d.fall_share[t]}});
  j["officers"] = officers;

  json bcus = json::array();
  for (const auto& u : d.bcus) {
    json b;
    b["name"] = u.name;
    b["boroughs"] = u.boroughs;
    b["role"] = u.pathfinder ? "pathfinder" : "rollout";
    b["go_live"] = u.go_live.to_string();
    b["go_live_source"] =
        u.pathfinder ? "design brief" : "simulated (staggered rollout 2018-05..2019-02)";
    b["complaints_effect"] = {
        {"form", "log RR(k) = L exp(-k/tau) + S k, k >= 0"},
        {"L", u.complaints_level},
        {"S", u.complaints_slope},
        {"tau_months", decay_or_null(u.complaints_decay_months)},
        {"rate_ratio_at_k0", std::exp(u.log_rate_ratio(0))},
        {"rate_ratio_at_2019_12", std::exp(u.log_rate_ratio(d.months.back() - u.go_live))}};
    b["response_effect"] = {
        {"form",
         "minutes: jump + (peak - jump) k/peak_month for k <= peak_month, then "
         "peak exp(-(k - peak_month)/decay_months)"},
        {"jump", u.response_jump},
        {"peak", u.response_peak},
        {"peak_month", (u.go_live + u.response_peak_month).to_string()},
        {"peak_k", u.response_peak_month},
        {"decay_months", u.response_decay_months}};
    json path = json::array();
    for (pilotstats::month m = u.go_live; m <= d.months.back(); ++m) {
      const int k = m - u.go_live;
      path.push_back({{"month", m.to_string()},
                      {"k", k},
                      {"complaints_log_rate_ratio", u.log_rate_ratio(k)},
                      {"complaints_rate_ratio", std::exp(u.log_rate_ratio(k))},
                      {"response_minutes", u.response_effect(k)}});
    }
    b["effects_by_month"] = path;
    bcus.push_back(b);
  }
  j["bcus"] = bcus;

  json boroughs = json::array();
  for (const auto& b : d.boroughs)
    boroughs.push_back({{"name", b.name},
                        {"bcu", b.bcu},
                        {"population_thousands", b.population_thousands},
                        {"calls_base", b.calls_base},
                        {"calls_per_1000_residents", b.calls_base / b.population_thousands},
                        {"complaints_per_1000_calls", b.complaints_per_1000_calls},
                        {"response_base_minutes", b.response_base_minutes}});
  j["boroughs"] = boroughs;

  const auto& c = d.checks;
  j["pathfinder_checks"] = {
      {"east_area_complaints_2016_11", c.east_complaints_2016_11},
      {"east_area_complaints_2016_12", c.east_complaints_2016_12},
      {"east_area_dec_nov_2016_complaints_ratio", c.east_dec_nov_2016_complaints_ratio},
      {"east_area_mean_response_2016_11", c.east_mean_response_2016_11},
      {"east_area_mean_response_2016_12", c.east_mean_response_2016_12},
      {"east_area_mean_response_2017_06", c.east_mean_response_2017_06},
      {"central_north_jan_dec_complaints_ratio", c.central_north_jan_dec_complaints_ratio},
      {"note",
       "realized in the CSV (sums of complaints, unweighted borough means of response_minutes "
       "as written); compare with the true rate ratio 2.9 at k = 0"}};
  return j;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw pilotstats::invalid_input("cannot open " + path.string() + " for writing");
  out << text;
  if (!out.flush()) throw pilotstats::invalid_input("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Writes the simulated London borough/BCU panel (london_bcu.csv) and its truth "
      "(london_bcu.truth.json). The default seed reproduces the files in examples/data."};
  std::uint64_t seed = pilotstats::london_default_seed;
  std::string out_dir = ".";
  app.add_option("--seed", seed, "Seed of the PCG64 engine")->capture_default_str();
  app.add_option("--out-dir", out_dir, "Directory to write the two files to")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    const pilotstats::london_data d = pilotstats::simulate_london({.seed = seed});
    std::filesystem::create_directories(out_dir);
    const std::filesystem::path dir(out_dir);
    write_file(dir / "london_bcu.csv", pilotstats::london_csv(d));
    write_file(dir / "london_bcu.truth.json", truth_json(d).dump(2) + "\n");
    const auto& c = d.checks;
    std::cout << "wrote " << (dir / "london_bcu.csv").string() << " (" << d.rows.size()
              << " rows) and " << (dir / "london_bcu.truth.json").string() << "\n"
              << "seed " << seed << ": East Area complaints 2016-11 " << c.east_complaints_2016_11
              << ", 2016-12 " << c.east_complaints_2016_12 << " (ratio "
              << c.east_dec_nov_2016_complaints_ratio << "); East Area mean response 2017-06 "
              << c.east_mean_response_2017_06 << " minutes\n";
  } catch (const std::exception& e) {
    std::cerr << "pilotstats-make-london-data: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
