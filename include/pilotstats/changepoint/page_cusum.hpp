// pilotstats/changepoint/page_cusum.hpp: Page's CUSUM monitor for a shift in a normal mean or
// a Poisson rate, its average run length, and the decision interval for a target ARL.
//
// Synopsis
//   // 24 baseline months set the in-control mean and sd; monitoring starts at month 25
//   const auto m = pilotstats::page_cusum_normal(y, {.k = 0.5, .h = 5, .baseline = 24});
//   m.first_signal;                                   // 0-based index of the first alarm
//   pilotstats::normal_cusum_arl(0.5, 5);             // 930.9: one-sided in-control ARL
//   const auto c = pilotstats::calibrate_cusum_h({.target_arl = 370, .k = 0.5});
//   c.h, c.arl, c.arl_standard_error;                  // by simulation
//
// Method: Page (1954), "Continuous inspection schemes", Biometrika 41, 100-115, in the tabular
// form (Montgomery, Introduction to Statistical Quality Control, sec. 9.1). Normal mean, with
// z_t = (x_t - mean) / sd, k and h in sd units:
//     S+_t = max(0, S+_{t-1} + z_t - k),   S-_t = max(0, S-_{t-1} - z_t - k),   S_0 = 0,
// a signal when a statistic exceeds h (S > h). Poisson rate, the log-likelihood-ratio CUSUM
// for rate lambda0 against lambda1 = rate_ratio lambda0 (Lucas 1985, "Counted data CUSUMs",
// Technometrics 27, 129-144):
//     S_t = max(0, S_{t-1} + x_t log(lambda1 / lambda0) - (lambda1 - lambda0)),
// a signal when S_t > h (h in log-likelihood units); an increase when rate_ratio > 1, a
// decrease when below. After a signal the statistic restarts at 0 (restart_after_signal), so
// later alarms are counted too.
//
// In-control parameters: given, or estimated from the first `baseline` observations (sample
// mean and sd with divisor n - 1; the mean count); monitoring starts after the baseline.
// Estimated parameters make the in-control ARL shorter and more variable than the nominal one
// (Jones, Champ & Rigdon 2004, Technometrics 46), hence the warning below 50 baseline values.
//
// Average run length (zero start, S_0 = 0): the Markov chain of Brook & Evans (1972), "An
// approach to the probability distribution of cusum run length", Biometrika 59, 539-548: [0, h]
// is cut into N cells of width w = 2h / (2N - 1), cell 0 = [0, w/2) and cell j = [(j - 1/2) w,
// (j + 1/2) w), the statistic is the cell's midpoint j w, and ARL = (I - P)^{-1} 1 at cell 0;
// its error falls like 1 / N^2 (normal), so by default two grids (250 and 500 cells) are
// combined by Richardson extrapolation; that matches R spc's xcusum.arl (Knoth, Nystroem
// quadrature) to 1e-6 relative. For Poisson counts the increments are discrete and the chain
// (500 cells by default) rounds each new value to its cell.
// Two-sided: 1 / ARL = 1 / ARL+ + 1 / ARL- (Lucas & Crosier 1982, Technometrics 24, 199-205;
// spc's sided = "two" for the normal mean).
//
// Calibration by simulation (calibrate_cusum_h): in-control series from pcg64(seed, {r}) for
// replication r (common random numbers, so the estimated ARL is non-decreasing in h and
// bisection is well defined), each run until its first signal (or `max_run_length`, counted as
// censored with a warning); bisection on h until the bracket is below `h_tolerance`. The
// result carries the Monte Carlo standard error sd(run length) / sqrt(replications) at the
// chosen h and the Markov-chain ARL there as a cross-check.
#pragma once

#include <Eigen/Core>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/error.hpp"
#include "pilotstats/core/rng.hpp"

namespace pilotstats {

enum class cusum_side { upper, lower, two_sided };

namespace detail {
inline std::string cusum_number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", x);
  return buffer;
}
inline void cusum_check(bool ok, const char* where, const char* what, double v, const char* rule) {
  if (!ok) throw invalid_input(std::string(where) + ": " + what + " is " + cusum_number(v) + ", but " + rule);
}
inline double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Online monitors.

// Normal mean, on standardized values z = (x - mean) / sd.
class normal_page_cusum {
 public:
  normal_page_cusum(double k, double h, cusum_side side = cusum_side::two_sided) : k_(k), h_(h), side_(side) {
    detail::cusum_check(k >= 0 && std::isfinite(k), "normal_page_cusum", "reference value k", k, "must be finite and >= 0");
    detail::cusum_check(h > 0 && std::isfinite(h), "normal_page_cusum", "decision interval h", h, "must be finite and > 0");
  }
  // Adds one standardized value; true when it signals.
  bool update(double z) {
    if (side_ != cusum_side::lower) upper_ = std::max(0.0, upper_ + z - k_);
    if (side_ != cusum_side::upper) lower_ = std::max(0.0, lower_ - z - k_);
    return upper_ > h_ || lower_ > h_;
  }
  void reset() { upper_ = lower_ = 0; }
  double upper() const { return upper_; }
  double lower() const { return lower_; }

 private:
  double k_, h_;
  cusum_side side_;
  double upper_ = 0, lower_ = 0;
};

// Poisson rate lambda0 against lambda1 = ratio * lambda0.
class poisson_page_cusum {
 public:
  poisson_page_cusum(double lambda0, double rate_ratio, double h)
      : slope_(std::log(rate_ratio)), drift_(lambda0 * (rate_ratio - 1)), h_(h) {
    detail::cusum_check(lambda0 > 0 && std::isfinite(lambda0), "poisson_page_cusum", "lambda0", lambda0, "must be finite and > 0");
    detail::cusum_check(rate_ratio > 0 && rate_ratio != 1 && std::isfinite(rate_ratio), "poisson_page_cusum", "rate_ratio",
                        rate_ratio, "must be finite, > 0 and not 1");
    detail::cusum_check(h > 0 && std::isfinite(h), "poisson_page_cusum", "decision interval h", h, "must be finite and > 0");
  }
  bool update(double count) {
    s_ = std::max(0.0, s_ + count * slope_ - drift_);
    return s_ > h_;
  }
  void reset() { s_ = 0; }
  double statistic() const { return s_; }

 private:
  double slope_, drift_, h_;
  double s_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Monitoring a series.

struct normal_cusum_options {
  double k = 0.5;                     // reference value, sd units (half the shift to detect)
  double h = 5;                       // decision interval, sd units
  cusum_side side = cusum_side::two_sided;
  std::optional<double> mean;         // in-control mean; empty: from the baseline
  std::optional<double> sd;           // in-control sd; empty: from the baseline
  Eigen::Index baseline = 0;          // leading observations not monitored (and used to estimate)
  bool restart_after_signal = true;

  void validate() const {
    (void)normal_page_cusum(k, h, side);
    if (mean) detail::cusum_check(std::isfinite(*mean), "page_cusum_normal", "mean", *mean, "must be finite");
    if (sd) detail::cusum_check(*sd > 0 && std::isfinite(*sd), "page_cusum_normal", "sd", *sd, "must be finite and > 0");
    detail::cusum_check(baseline >= 0, "page_cusum_normal", "baseline", static_cast<double>(baseline), "must be >= 0");
    if ((!mean || !sd) && baseline < 2)
      throw invalid_input("page_cusum_normal: the in-control " + std::string(!mean ? "mean" : "sd") +
                          " is not given, so baseline must hold at least 2 observations to estimate it (it is " +
                          std::to_string(baseline) + ")");
  }
};

struct poisson_cusum_options {
  double rate_ratio = 1.5;            // lambda1 / lambda0: the shift to detect
  double h = 5;                       // decision interval, log-likelihood units
  std::optional<double> lambda0;      // in-control rate; empty: the baseline's mean count
  Eigen::Index baseline = 0;
  bool restart_after_signal = true;

  void validate() const {
    (void)poisson_page_cusum(lambda0.value_or(1.0), rate_ratio, h);
    detail::cusum_check(baseline >= 0, "page_cusum_poisson", "baseline", static_cast<double>(baseline), "must be >= 0");
    if (!lambda0 && baseline < 1)
      throw invalid_input("page_cusum_poisson: lambda0 is not given, so baseline must hold at least 1 observation to estimate it");
  }
};

struct cusum_monitor_result {
  Eigen::VectorXd upper;              // S+ (Poisson: S) after each observation; 0 in the baseline
  Eigen::VectorXd lower;              // S- (normal two-sided or lower); 0 otherwise
  std::vector<Eigen::Index> signals;  // 0-based indices of the observations that signalled
  std::optional<Eigen::Index> first_signal;
  double mean = 0;                    // in-control mean (Poisson: lambda0) used
  double sd = 0;                      // in-control sd used (Poisson: sqrt(lambda0))
  Eigen::Index monitoring_start = 0;  // = baseline
  std::vector<std::string> warnings;
};

namespace detail {
inline void cusum_check_series(const char* where, const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Index baseline, bool counts) {
  if (baseline >= y.size())
    throw invalid_input(std::string(where) + ": baseline is " + std::to_string(baseline) + ", but the series has only " +
                        std::to_string(y.size()) + " values (nothing left to monitor)");
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y(i)))
      throw invalid_input(std::string(where) + ": value " + std::to_string(i + 1) + " (1-based) is not a finite number");
    if (counts && (y(i) < 0 || y(i) != std::floor(y(i))))
      throw invalid_input(std::string(where) + ": value " + std::to_string(i + 1) + " (1-based) is " + cusum_number(y(i)) +
                          ", but counts must be non-negative integers");
  }
}
}  // namespace detail

inline cusum_monitor_result page_cusum_normal(const Eigen::Ref<const Eigen::VectorXd>& y, const normal_cusum_options& o = {}) {
  o.validate();
  detail::cusum_check_series("page_cusum_normal", y, o.baseline, false);
  cusum_monitor_result r;
  r.monitoring_start = o.baseline;
  const auto base = y.head(o.baseline);
  r.mean = o.mean ? *o.mean : base.mean();
  if (o.sd) {
    r.sd = *o.sd;
  } else {
    r.sd = std::sqrt((base.array() - base.mean()).square().sum() / static_cast<double>(o.baseline - 1));
    if (!(r.sd > 0)) throw domain_error("page_cusum_normal: the baseline is constant, so its sd is 0 and z is undefined");
  }
  if ((!o.mean || !o.sd) && o.baseline < 50)
    r.warnings.push_back("in-control " + std::string(!o.sd ? "sd" : "mean") + " estimated from " + std::to_string(o.baseline) +
                         " baseline values: the in-control ARL is shorter and more variable than the nominal one");
  r.upper = Eigen::VectorXd::Zero(y.size());
  r.lower = Eigen::VectorXd::Zero(y.size());
  normal_page_cusum c(o.k, o.h, o.side);
  for (Eigen::Index t = o.baseline; t < y.size(); ++t) {
    const bool signal = c.update((y(t) - r.mean) / r.sd);
    r.upper(t) = c.upper();
    r.lower(t) = c.lower();
    if (signal) {
      r.signals.push_back(t);
      if (o.restart_after_signal) c.reset();
    }
  }
  if (!r.signals.empty()) r.first_signal = r.signals.front();
  return r;
}

inline cusum_monitor_result page_cusum_poisson(const Eigen::Ref<const Eigen::VectorXd>& y, const poisson_cusum_options& o = {}) {
  o.validate();
  detail::cusum_check_series("page_cusum_poisson", y, o.baseline, true);
  cusum_monitor_result r;
  r.monitoring_start = o.baseline;
  r.mean = o.lambda0 ? *o.lambda0 : y.head(o.baseline).mean();
  if (!(r.mean > 0)) throw domain_error("page_cusum_poisson: every baseline count is 0, so lambda0 = 0 and the LLR is undefined");
  r.sd = std::sqrt(r.mean);
  if (!o.lambda0 && o.baseline < 50)
    r.warnings.push_back("lambda0 estimated from " + std::to_string(o.baseline) +
                         " baseline values: the in-control ARL is shorter and more variable than the nominal one");
  r.upper = Eigen::VectorXd::Zero(y.size());
  r.lower = Eigen::VectorXd::Zero(y.size());
  poisson_page_cusum c(r.mean, o.rate_ratio, o.h);
  for (Eigen::Index t = o.baseline; t < y.size(); ++t) {
    const bool signal = c.update(y(t));
    r.upper(t) = c.statistic();
    if (signal) {
      r.signals.push_back(t);
      if (o.restart_after_signal) c.reset();
    }
  }
  if (!r.signals.empty()) r.first_signal = r.signals.front();
  return r;
}

// ---------------------------------------------------------------------------------------------
// Average run length by the Brook-Evans Markov chain.

namespace detail {
// ARL from cell 0 given the transient transition matrix.
inline double chain_arl(const Eigen::MatrixXd& p) {
  const Eigen::Index n = p.rows();
  const Eigen::MatrixXd a = Eigen::MatrixXd::Identity(n, n) - p;
  const Eigen::VectorXd arl = a.partialPivLu().solve(Eigen::VectorXd::Ones(n));
  return arl(0);
}
inline void check_states(const char* where, int states) {
  if (states < 2) throw invalid_input(std::string(where) + ": states is " + std::to_string(states) + ", but must be >= 2");
}
}  // namespace detail

// One-sided upper CUSUM on z = (x - mean) / sd when the true standardized mean is `shift`
// (0 in control). By symmetry the lower CUSUM's ARL at shift s is this at -s.
// states = 0 (the default): Richardson extrapolation of 250 and 500 cells, (4 ARL_500 - ARL_250) / 3,
// which removes the 1 / N^2 term.
inline double normal_cusum_arl(double k, double h, double shift = 0, cusum_side side = cusum_side::upper, int states = 0) {
  (void)normal_page_cusum(k, h, side);  // checks k and h
  detail::cusum_check(std::isfinite(shift), "normal_cusum_arl", "shift", shift, "must be finite");
  if (states != 0) detail::check_states("normal_cusum_arl", states);
  const auto chain = [&](double s, int cells) {
    const double w = 2 * h / (2.0 * cells - 1);
    Eigen::MatrixXd p(cells, cells);
    for (int i = 0; i < cells; ++i) {
      // new value c_i + z - k, z ~ N(s, 1): P(new < b) = Phi(b - c_i + k - s)
      const double offset = -i * w + k - s;
      double below = detail::standard_normal_cdf(0.5 * w + offset);
      p(i, 0) = below;
      for (int j = 1; j < cells; ++j) {
        const double next = detail::standard_normal_cdf((j + 0.5) * w + offset);
        p(i, j) = next - below;
        below = next;
      }
    }
    return detail::chain_arl(p);
  };
  const auto one_sided = [&](double s) {
    return states != 0 ? chain(s, states) : (4 * chain(s, 500) - chain(s, 250)) / 3;
  };
  switch (side) {
    case cusum_side::upper: return one_sided(shift);
    case cusum_side::lower: return one_sided(-shift);
    case cusum_side::two_sided: return 1 / (1 / one_sided(shift) + 1 / one_sided(-shift));
  }
  return 0;
}

// Poisson LLR CUSUM for lambda0 -> rate_ratio lambda0 when the true rate is `rate`.
inline double poisson_cusum_arl(double lambda0, double rate_ratio, double h, std::optional<double> rate = std::nullopt,
                                int states = 500) {
  (void)poisson_page_cusum(lambda0, rate_ratio, h);  // checks
  const double mu = rate.value_or(lambda0);
  detail::cusum_check(mu > 0 && std::isfinite(mu), "poisson_cusum_arl", "rate", mu, "must be finite and > 0");
  detail::check_states("poisson_cusum_arl", states);
  const double slope = std::log(rate_ratio), drift = lambda0 * (rate_ratio - 1);
  const double w = 2 * h / (2.0 * states - 1);
  // counts up to where the Poisson tail is negligible
  const int x_max = static_cast<int>(std::ceil(mu + 12 * std::sqrt(mu) + 30));
  std::vector<double> pmf(static_cast<std::size_t>(x_max + 1));
  for (int x = 0; x <= x_max; ++x) pmf[static_cast<std::size_t>(x)] = std::exp(x * std::log(mu) - mu - std::lgamma(x + 1.0));
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(states, states);
  for (int i = 0; i < states; ++i)
    for (int x = 0; x <= x_max; ++x) {
      const double v = std::max(0.0, i * w + x * slope - drift);
      if (v > h) continue;  // absorbed: a signal
      const int j = std::min(states - 1, static_cast<int>(std::floor(v / w + 0.5)));
      p(i, j) += pmf[static_cast<std::size_t>(x)];
    }
  return detail::chain_arl(p);
}

// ---------------------------------------------------------------------------------------------
// Decision interval for a target in-control ARL, by simulation.

enum class cusum_model { normal_mean, poisson_rate };

struct cusum_calibration_options {
  double target_arl = 370;            // in-control ARL wanted
  cusum_model model = cusum_model::normal_mean;
  double k = 0.5;                     // normal: reference value
  cusum_side side = cusum_side::two_sided;  // normal only; Poisson is one-sided
  double lambda0 = 1;                 // Poisson: in-control rate
  double rate_ratio = 1.5;            // Poisson: lambda1 / lambda0
  int replications = 2000;
  std::uint64_t seed = 1;
  double h_tolerance = 1e-3;          // bisection stops when the bracket is narrower
  std::int64_t max_run_length = 0;    // 0: 100 x target_arl

  void validate() const {
    detail::cusum_check(target_arl > 1 && std::isfinite(target_arl), "calibrate_cusum_h", "target_arl", target_arl, "must be finite and > 1");
    if (model == cusum_model::normal_mean) (void)normal_page_cusum(k, 1, side);
    else (void)poisson_page_cusum(lambda0, rate_ratio, 1);
    detail::cusum_check(replications >= 2, "calibrate_cusum_h", "replications", replications, "must be >= 2");
    detail::cusum_check(h_tolerance > 0, "calibrate_cusum_h", "h_tolerance", h_tolerance, "must be > 0");
    detail::cusum_check(max_run_length >= 0, "calibrate_cusum_h", "max_run_length", static_cast<double>(max_run_length), "must be >= 0");
  }
};

struct cusum_calibration_result {
  double h = 0;
  double arl = 0;                     // simulated in-control ARL at h
  double arl_standard_error = 0;      // Monte Carlo: sd(run length) / sqrt(replications)
  double markov_chain_arl = 0;        // Brook-Evans ARL at h, for comparison
  int evaluations = 0;                // simulated ARLs computed during the search
  std::int64_t censored = 0;          // runs stopped at max_run_length at the chosen h
  std::vector<std::string> warnings;
};

struct simulated_arl {
  double arl = 0, standard_error = 0;
  std::int64_t censored = 0;
};

// In-control ARL at h by simulation (common random numbers: replication r draws from
// pcg64(seed, {r})).
inline simulated_arl simulate_cusum_arl(const cusum_calibration_options& o, double h) {
  o.validate();
  detail::cusum_check(h > 0 && std::isfinite(h), "simulate_cusum_arl", "h", h, "must be finite and > 0");
  const std::int64_t cap = o.max_run_length > 0 ? o.max_run_length : static_cast<std::int64_t>(100 * o.target_arl);
  double sum = 0, sum2 = 0;
  simulated_arl out;
  for (int r = 0; r < o.replications; ++r) {
    pcg64 rng(o.seed, {static_cast<std::uint64_t>(r)});
    std::int64_t t = 0;
    if (o.model == cusum_model::normal_mean) {
      normal_page_cusum c(o.k, h, o.side);
      while (t < cap && !c.update(draw::standard_normal(rng))) ++t;
    } else {
      poisson_page_cusum c(o.lambda0, o.rate_ratio, h);
      while (t < cap && !c.update(static_cast<double>(draw::poisson(rng, o.lambda0)))) ++t;
    }
    if (t == cap) ++out.censored; else ++t;  // run length counts the signalling observation
    sum += static_cast<double>(t);
    sum2 += static_cast<double>(t) * static_cast<double>(t);
  }
  const double n = o.replications;
  out.arl = sum / n;
  out.standard_error = std::sqrt(std::max(0.0, (sum2 - n * out.arl * out.arl) / (n - 1)) / n);
  return out;
}

inline cusum_calibration_result calibrate_cusum_h(const cusum_calibration_options& o) {
  o.validate();
  cusum_calibration_result r;
  double lo = 0, hi = 1;
  simulated_arl at_hi = simulate_cusum_arl(o, hi);
  ++r.evaluations;
  while (at_hi.arl < o.target_arl) {
    lo = hi;
    hi *= 2;
    if (hi > 1e6) throw domain_error("calibrate_cusum_h: no h up to 1e6 reaches the target ARL");
    at_hi = simulate_cusum_arl(o, hi);
    ++r.evaluations;
  }
  simulated_arl best = at_hi;
  while (hi - lo > o.h_tolerance) {
    const double mid = 0.5 * (lo + hi);
    const simulated_arl a = simulate_cusum_arl(o, mid);
    ++r.evaluations;
    if (a.arl >= o.target_arl) {
      hi = mid;
      best = a;
    } else {
      lo = mid;
    }
  }
  r.h = hi;  // the smallest h (to the tolerance) whose simulated ARL reaches the target
  r.arl = best.arl;
  r.arl_standard_error = best.standard_error;
  r.censored = best.censored;
  if (r.censored > 0)
    r.warnings.push_back(std::to_string(r.censored) + " of " + std::to_string(o.replications) +
                         " runs reached max_run_length without a signal and count as that length: the ARL is underestimated");
  r.markov_chain_arl = o.model == cusum_model::normal_mean ? normal_cusum_arl(o.k, r.h, 0, o.side)
                                                           : poisson_cusum_arl(o.lambda0, o.rate_ratio, r.h);
  return r;
}

}  // namespace pilotstats
