// pilotstats/simulate/london.hpp: the bundled London sample panel, simulated with known effects.
//
// Synopsis
//   const london_data d = simulate_london();          // default seed: the committed files
//   std::string csv = london_csv(d);                   // examples/data/london_bcu.csv, byte for byte
//   d.bcus[1].log_rate_ratio(0);                       // East Area's true log RR at go-live
//
// Background. In 2016-2019 the Metropolitan Police merged London's 32 borough commands into
// 12 Basic Command Units (BCUs): two pathfinders first (East Area, Central North), the rest in
// a staggered rollout. This generator produces a monthly borough panel 2014-01..2019-12 with
// `borough,bcu,month,complaints,response_minutes,calls,bcu_start` whose true effects are known,
// so that every estimator in pilotstats can be run on it and compared with the truth. The
// borough/BCU membership and the pathfinder go-live months are the real ones as given in the
// design; every number (demand, complaint rates, response times, effect sizes, the rollout
// go-live months) is simulated. examples/data/README.md lists the assumptions, and the
// program pilotstats-make-london-data writes them with the truth into london_bcu.truth.json.
//
// The data-generating process, for borough b in BCU u, month t (t = 0 at 2014-01) with
// month-of-year m(t), and k = t - go_live(u) months since the BCU went live:
//   s(t)        share of the London-wide officer fall reached by t: a logistic centred on
//               2017-06 with a 5-month scale, rescaled to 0 at 2014-01 and 1 at 2019-12;
//               officers(t) = 32000 - 2000 s(t), rounded.
//   calls       Poisson( calls_base_b * season_calls[m] * exp(0.02 t/71 + 0.06 s(t) + e) ),
//               e ~ N(0, 0.03^2) independent: demand grows London-wide.
//   complaints  NB2( mean = calls * rate_b / 1000 * RR_u(k) [k >= 0], theta = 20 ): the
//               mean is proportional to calls (the exposure) and log RR_u(k) =
//               L_u exp(-k / tau_u) + S_u k, so that a segmented Poisson / NB regression with
//               offset log(calls), a level change and a slope change is correctly specified
//               for the pathfinders (tau = infinity there).
//   response    base_b + 0.8 cos(2 pi (m - 1) / 12) + 2.4 s(t) + effect_u(k) [k >= 0] + a_t,
//               a_t = 0.5 a_{t-1} + N(0, 0.5^2) started from its stationary law; effect_u(k)
//               rises linearly from `jump` at k = 0 to `peak` at k = peak_month, then decays
//               as peak exp(-(k - peak_month) / decay); written with 2 decimals.
//
// Randomness: pcg64(seed) with one stream (pcg64::split) for the borough parameters and one
// per borough and series, so a series does not change when another one is redrawn.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/core/month.hpp"
#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"

namespace pilotstats {

inline constexpr const char* london_generator_version = "1.0.0";
// The default seed: the first seed from 1 upwards whose realization satisfies the pathfinder
// checks described in examples/data/README.md (Dec/Nov 2016 East Area complaints within
// 3 +- 0.1, East Area mean response in 2017-06 within 39 +- 0.5). With NB noise on about 60
// complaints a month the realized ratio varies a lot between seeds (seeds 1-4 give 2.86,
// 2.68, 2.59 and 4.48); the true rate ratio at go-live is 2.9 whatever the seed.
inline constexpr std::uint64_t london_default_seed = 5;

// Everything the generator assumes that is not per borough or per BCU.
struct london_parameters {
  int first_year = 2014;                  // panel runs first_year-01 .. last_year-12
  int last_year = 2019;
  double officers_start = 32000;          // London-wide officer numbers at 2014-01
  double officers_end = 30000;            // ... and at 2019-12
  int officer_fall_centre_year = 2017;    // the logistic s(t) is centred here
  int officer_fall_centre_month = 6;
  double officer_fall_scale_months = 5;   // logistic scale: most of the fall within 2016-2018
  double calls_linear_growth = 0.02;      // log calls gain over the whole panel, linear
  double calls_growth_with_fall = 0.06;   // log calls gain along s(t)
  double calls_noise_sd = 0.03;           // sd of the monthly log-normal demand shock
  // calls seasonality, January..December (mean 1; summer high, December above November)
  std::array<double, 12> calls_season = {0.95, 0.92, 0.98, 0.99, 1.03, 1.05,
                                         1.07, 1.04, 1.00, 1.00, 0.97, 1.00};
  double complaints_per_1000_calls = 2.6; // London median complaint rate before any pilot
  double complaints_rate_sd = 0.12;       // sd of the borough log-rate around it
  double complaints_theta = 20;           // NB2 size: variance mu + mu^2 / theta
  double response_season_amplitude = 0.8; // minutes, peak in January (winter higher)
  double response_drift_with_fall = 2.4;  // minutes added along s(t) (fewer officers)
  double response_ar_phi = 0.5;           // AR(1) coefficient of the response noise
  double response_ar_sd = 0.5;            // sd of its innovations, minutes

  void validate() const {
    const auto fail = [](const std::string& what) {
      throw invalid_input("london_parameters: " + what);
    };
    if (first_year < 1 || last_year < first_year || last_year > 9999)
      fail("years " + std::to_string(first_year) + ".." + std::to_string(last_year) +
           " do not form a range");
    if (!(officers_start > 0) || !(officers_end > 0)) fail("officer numbers must be positive");
    if (officer_fall_centre_month < 1 || officer_fall_centre_month > 12)
      fail("officer_fall_centre_month must be in 1..12");
    if (!(officer_fall_scale_months > 0)) fail("officer_fall_scale_months must be positive");
    for (double v : calls_season)
      if (!(v > 0)) fail("calls_season entries must be positive");
    if (!(calls_noise_sd >= 0) || !(complaints_rate_sd >= 0) || !(response_ar_sd >= 0))
      fail("standard deviations must be nonnegative");
    if (!(complaints_per_1000_calls > 0)) fail("complaints_per_1000_calls must be positive");
    if (!(complaints_theta > 0)) fail("complaints_theta must be positive");
    if (!(response_ar_phi > -1 && response_ar_phi < 1))
      fail("response_ar_phi is " + std::to_string(response_ar_phi) + ", but must be in (-1, 1)");
  }
};

struct london_options {
  std::uint64_t seed = london_default_seed;
  london_parameters parameters = {};
  void validate() const { parameters.validate(); }
};

// One borough's fixed inputs. calls_base, response_base_minutes and population are set by
// hand (see README); complaints_per_1000_calls is drawn from the seed.
struct london_borough {
  std::string name;
  std::string bcu;
  int population_thousands = 0;        // approximate residents; context only, not used
  double calls_base = 0;               // expected monthly calls at 2014-01 before seasonality
  double response_base_minutes = 0;    // mean emergency response time before any change
  double complaints_per_1000_calls = 0;
};

// One BCU's go-live and true effects (k = months since go-live, k = 0 the first live month).
struct london_bcu {
  std::string name;
  std::vector<std::string> boroughs;
  month go_live;
  bool pathfinder = false;
  // complaints: log RR(k) = level * exp(-k / decay_months) + slope * k; decay_months =
  // infinity means no decay, i.e. the log-linear interrupted time series L + S k.
  double complaints_level = 0;
  double complaints_slope = 0;
  double complaints_decay_months = std::numeric_limits<double>::infinity();
  // response: minutes added; linear from jump (k = 0) to peak (k = peak_month), then
  // peak * exp(-(k - peak_month) / decay_months).
  double response_jump = 0;
  double response_peak = 0;
  int response_peak_month = 0;
  double response_decay_months = 1;

  double log_rate_ratio(int k) const {
    if (k < 0) return 0.0;
    const double decay =
        std::isinf(complaints_decay_months) ? 1.0 : std::exp(-k / complaints_decay_months);
    return complaints_level * decay + complaints_slope * k;
  }
  double response_effect(int k) const {
    if (k < 0) return 0.0;
    if (k <= response_peak_month) {
      if (response_peak_month == 0) return response_peak;
      return response_jump +
             (response_peak - response_jump) * static_cast<double>(k) / response_peak_month;
    }
    return response_peak * std::exp(-(k - response_peak_month) / response_decay_months);
  }
};

struct london_row {
  std::string borough;
  std::string bcu;
  month when;
  std::int64_t complaints = 0;
  double response_minutes = 0;  // already rounded to 2 decimals, as written
  std::int64_t calls = 0;
  month bcu_start;
};

// Realized numbers that the design promises (computed from the rows as written).
struct london_checks {
  std::int64_t east_complaints_2016_11 = 0;
  std::int64_t east_complaints_2016_12 = 0;
  double east_dec_nov_2016_complaints_ratio = 0;
  double east_mean_response_2017_06 = 0;  // unweighted mean over the three boroughs
  double east_mean_response_2016_11 = 0;
  double east_mean_response_2016_12 = 0;
  double central_north_jan_dec_complaints_ratio = 0;  // 2017-01 over 2016-12
};

struct london_data {
  london_options options;
  std::vector<month> months;
  std::vector<double> officers;      // one per month, rounded to whole officers
  std::vector<double> fall_share;    // s(t), one per month
  std::vector<london_bcu> bcus;
  std::vector<london_borough> boroughs;
  std::vector<london_row> rows;      // borough by borough (in BCU order), months ascending
  london_checks checks;
};

namespace detail {

struct london_borough_input {
  const char* name;
  const char* bcu;
  int population_thousands;
  double calls_base;
  double response_base_minutes;
};

// Hand-set inputs. Populations are rounded approximations of mid-2010s estimates, for
// context only. Calls: Havering lowest (lowest crime), Barking & Dagenham high for its size.
inline const std::vector<london_borough_input>& london_borough_inputs() {
  static const std::vector<london_borough_input> inputs = {
      {"Camden", "Central North", 250, 11800, 12.5},
      {"Islington", "Central North", 239, 10600, 12.0},
      {"Barking & Dagenham", "East Area", 206, 9200, 14.5},
      {"Havering", "East Area", 257, 5000, 17.0},
      {"Redbridge", "East Area", 303, 9000, 15.0},
      {"Hackney", "Central East", 275, 11400, 12.8},
      {"Tower Hamlets", "Central East", 308, 12600, 12.6},
      {"Lambeth", "Central South", 327, 13600, 12.9},
      {"Southwark", "Central South", 316, 13200, 13.1},
      {"Westminster", "Central West", 247, 19500, 12.2},
      {"Kensington & Chelsea", "Central West", 156, 7800, 12.4},
      {"Hammersmith & Fulham", "Central West", 183, 8400, 12.7},
      {"Enfield", "North Area", 333, 11000, 15.6},
      {"Haringey", "North Area", 271, 11200, 13.5},
      {"Newham", "North East", 350, 13400, 13.4},
      {"Waltham Forest", "North East", 276, 9600, 14.2},
      {"Barnet", "North West", 389, 10800, 15.3},
      {"Brent", "North West", 329, 11600, 14.0},
      {"Harrow", "North West", 250, 6400, 15.8},
      {"Bromley", "South Area", 330, 9400, 17.4},
      {"Croydon", "South Area", 385, 13800, 15.2},
      {"Sutton", "South Area", 204, 5900, 16.3},
      {"Bexley", "South East", 246, 6300, 16.8},
      {"Greenwich", "South East", 284, 10400, 14.6},
      {"Lewisham", "South East", 302, 10900, 14.1},
      {"Kingston", "South West", 176, 5800, 15.9},
      {"Merton", "South West", 206, 6600, 14.8},
      {"Richmond", "South West", 196, 6000, 16.5},
      {"Wandsworth", "South West", 323, 10300, 13.6},
      {"Ealing", "West Area", 342, 12000, 14.4},
      {"Hillingdon", "West Area", 302, 10200, 17.8},
      {"Hounslow", "West Area", 270, 10100, 15.5},
  };
  return inputs;
}

inline std::vector<london_bcu> london_bcu_inputs() {
  const double inf = std::numeric_limits<double>::infinity();
  // East Area: complaints L = log 2.9, S = -0.028 (RR still > 1 at 2019-12, k = 36);
  // response +8 min at go-live rising to +23 min in 2017-06, then decaying (3.5-month scale).
  london_bcu east{"East Area", {}, month(2016, 12), true, std::log(2.9), -0.028, inf,
                  8.0, 23.0, 6, 3.5};
  // Central North: milder, L = log 1.5, S = -0.015; a 2 -> 6 minute hump peaking in 2017-06.
  london_bcu north{"Central North", {}, month(2017, 1), true, std::log(1.5), -0.015, inf,
                   2.0, 6.0, 5, 3.0};
  // Rollout BCUs: log RR = log(1.3) exp(-k/6); response +1.5 exp(-k/4) minutes.
  const auto rollout = [&](const char* name, int y, int m) {
    return london_bcu{name, {}, month(y, m), false, std::log(1.3), 0.0, 6.0, 1.5, 1.5, 0, 4.0};
  };
  return {north,
          east,
          rollout("Central East", 2019, 1),
          rollout("Central South", 2018, 6),
          rollout("Central West", 2018, 10),
          rollout("North Area", 2018, 8),
          rollout("North East", 2019, 2),
          rollout("North West", 2018, 9),
          rollout("South Area", 2018, 12),
          rollout("South East", 2018, 7),
          rollout("South West", 2018, 5),
          rollout("West Area", 2018, 11)};
}

inline double round_to_cents(double x) { return std::round(x * 100.0) / 100.0; }

}  // namespace detail

// Simulate the London panel. The same options give the same data on every platform.
inline london_data simulate_london(const london_options& options = {}) {
  options.validate();
  const london_parameters& p = options.parameters;
  london_data d;
  d.options = options;

  const month first(p.first_year, 1), last(p.last_year, 12);
  const int n_months = last - first + 1;
  for (int t = 0; t < n_months; ++t) d.months.push_back(first + t);

  // s(t): the logistic officer fall, rescaled to run from 0 to 1 over the panel
  const int centre = month(p.officer_fall_centre_year, p.officer_fall_centre_month) - first;
  const auto logistic = [&](int t) {
    return 1.0 / (1.0 + std::exp(-(t - centre) / p.officer_fall_scale_months));
  };
  const double l0 = logistic(0), l1 = logistic(n_months - 1);
  for (int t = 0; t < n_months; ++t) {
    const double s = (logistic(t) - l0) / (l1 - l0);
    d.fall_share.push_back(s);
    d.officers.push_back(std::round(p.officers_start + (p.officers_end - p.officers_start) * s));
  }

  d.bcus = detail::london_bcu_inputs();
  const pcg64 root(options.seed);
  pcg64 parameter_stream = root.split(0);
  const auto& inputs = detail::london_borough_inputs();
  for (const auto& in : inputs) {
    london_borough b{in.name, in.bcu, in.population_thousands, in.calls_base,
                     in.response_base_minutes, 0.0};
    b.complaints_per_1000_calls =
        p.complaints_per_1000_calls * std::exp(draw::normal(parameter_stream, 0.0, p.complaints_rate_sd));
    d.boroughs.push_back(b);
    for (auto& u : d.bcus)
      if (u.name == in.bcu) u.boroughs.push_back(in.name);
  }

  // rows, borough by borough in BCU order
  for (const auto& u : d.bcus) {
    for (const auto& name : u.boroughs) {
      const london_borough* b = nullptr;
      std::uint64_t stream = 0;
      for (std::size_t i = 0; i < d.boroughs.size(); ++i)
        if (d.boroughs[i].name == name) {
          b = &d.boroughs[i];
          stream = i;
        }
      pcg64 calls_rng = root.split(1 + 3 * stream);
      pcg64 response_rng = root.split(2 + 3 * stream);
      pcg64 complaints_rng = root.split(3 + 3 * stream);
      const double ar_sd0 = p.response_ar_sd / std::sqrt(1.0 - p.response_ar_phi * p.response_ar_phi);
      double ar = draw::normal(response_rng, 0.0, ar_sd0);
      for (int t = 0; t < n_months; ++t) {
        const month when = d.months[t];
        const int m = when.month_of_year();
        const int k = when - u.go_live;  // negative before go-live
        const double s = d.fall_share[t];

        const double calls_mean =
            b->calls_base * p.calls_season[m - 1] *
            std::exp(p.calls_linear_growth * t / (n_months - 1) + p.calls_growth_with_fall * s +
                     draw::normal(calls_rng, 0.0, p.calls_noise_sd));
        const std::int64_t calls = draw::poisson(calls_rng, calls_mean);

        const double complaints_mean = static_cast<double>(calls) * b->complaints_per_1000_calls /
                                       1000.0 * std::exp(u.log_rate_ratio(k));
        const std::int64_t complaints =
            draw::negative_binomial(complaints_rng, complaints_mean, p.complaints_theta);

        if (t > 0) ar = p.response_ar_phi * ar + draw::normal(response_rng, 0.0, p.response_ar_sd);
        const double pi = 3.14159265358979323846;
        const double response = b->response_base_minutes +
                                p.response_season_amplitude * std::cos(2.0 * pi * (m - 1) / 12.0) +
                                p.response_drift_with_fall * s + u.response_effect(k) + ar;

        d.rows.push_back(london_row{name, u.name, when, complaints, detail::round_to_cents(response),
                                    calls, u.go_live});
      }
    }
  }

  // the realized pathfinder numbers
  double east_resp_jun = 0, east_resp_nov = 0, east_resp_dec = 0;
  int n_east_jun = 0, n_east_nov = 0, n_east_dec = 0;
  std::int64_t cn_dec = 0, cn_jan = 0;
  for (const auto& r : d.rows) {
    if (r.bcu == "East Area") {
      if (r.when == month(2016, 11)) {
        d.checks.east_complaints_2016_11 += r.complaints;
        east_resp_nov += r.response_minutes;
        ++n_east_nov;
      }
      if (r.when == month(2016, 12)) {
        d.checks.east_complaints_2016_12 += r.complaints;
        east_resp_dec += r.response_minutes;
        ++n_east_dec;
      }
      if (r.when == month(2017, 6)) {
        east_resp_jun += r.response_minutes;
        ++n_east_jun;
      }
    }
    if (r.bcu == "Central North") {
      if (r.when == month(2016, 12)) cn_dec += r.complaints;
      if (r.when == month(2017, 1)) cn_jan += r.complaints;
    }
  }
  const auto ratio = [](std::int64_t a, std::int64_t b) {
    return b > 0 ? static_cast<double>(a) / static_cast<double>(b)
                 : std::numeric_limits<double>::quiet_NaN();
  };
  const auto mean = [](double sum, int n) {
    return n > 0 ? sum / n : std::numeric_limits<double>::quiet_NaN();
  };
  d.checks.east_dec_nov_2016_complaints_ratio =
      ratio(d.checks.east_complaints_2016_12, d.checks.east_complaints_2016_11);
  d.checks.east_mean_response_2017_06 = mean(east_resp_jun, n_east_jun);
  d.checks.east_mean_response_2016_11 = mean(east_resp_nov, n_east_nov);
  d.checks.east_mean_response_2016_12 = mean(east_resp_dec, n_east_dec);
  d.checks.central_north_jan_dec_complaints_ratio = ratio(cn_jan, cn_dec);
  return d;
}

// The CSV text: header `borough,bcu,month,complaints,response_minutes,calls,bcu_start`, one
// row per borough-month, "\n" line ends, response_minutes with 2 decimals. No name contains
// a comma or a quote, so no field is quoted.
inline std::string london_csv(const london_data& d) {
  std::string out = "borough,bcu,month,complaints,response_minutes,calls,bcu_start\n";
  char buf[64];
  for (const auto& r : d.rows) {
    out += r.borough;
    out += ',';
    out += r.bcu;
    out += ',';
    out += r.when.to_string();
    out += ',';
    out += std::to_string(r.complaints);
    std::snprintf(buf, sizeof buf, ",%.2f,", r.response_minutes);
    out += buf;
    out += std::to_string(r.calls);
    out += ',';
    out += r.bcu_start.to_string();
    out += '\n';
  }
  return out;
}

}  // namespace pilotstats
