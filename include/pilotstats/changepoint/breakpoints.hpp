// pilotstats/changepoint/breakpoints.hpp: Bai-Perron breakpoints in a linear regression, the
// number of breaks by BIC, and confidence intervals for the break dates.
//
// Synopsis
//   Eigen::MatrixXd x = Eigen::MatrixXd::Ones(y.size(), 1);          // level only
//   const auto bp = pilotstats::breakpoints(y, x, {.h = 0.15});
//   bp.breakpoints;          // {28} for the Nile: the last observation (1-based) of each segment
//   bp.fits[m].rss, .bic     // summary(bp)$RSS for m = 0..max_breaks
//   bp.intervals[0].lower    // 25: confint(bp)'s 2.5 % bound, in the same convention
//
// Method: Bai & Perron (2003), "Computation and analysis of multiple structural change models",
// J. Applied Econometrics 18, 1-22: pure structural change (all k coefficients change at every
// break), the residual sum of squares of every admissible segment, then for each m the m breaks
// minimizing the total RSS by dynamic programming. Matches R strucchange 1.5-3's
// breakpoints(y ~ X, h) exactly, including its conventions:
//   - h is the minimum segment size: below 1 a fraction, floor(n h); otherwise a count. It must
//     exceed k and be at most floor(n / 2). The default number of breaks considered is
//     ceiling(n / h) - 2 (a larger request is lowered to it, with a warning, as strucchange does).
//   - Breaks are R's: b = the 1-based index of the last observation of a segment, which is also
//     the 0-based index of the first observation of the next one (the convention of the rest of
//     this layer, partition.hpp). Segment i runs over 0-based rows [b_{i-1}, b_i).
//   - The DP scans candidates in increasing order and keeps the first minimum (R's which.min).
//   - BIC_m = n (log RSS_m + 1 - log n + log 2 pi) + log(n) (k + 1)(m + 1) (strucchange's
//     logLik.breakpoints and AIC(k = log n): it counts k + 1 parameters per segment and nothing
//     for a break date); the chosen m is the first minimum over m = 0..max_breaks, as
//     breakpoints(bp) with no `breaks`.
//   - Segment RSS: strucchange cumulates squared recursive residuals (its RSS triangle); here
//     Givens row updates of a QR factorization give the same least-squares RSS (for a
//     constant-only design, running means). They agree whenever the first k rows of each
//     segment have full rank, e.g. a constant, a trend, Fourier terms, or month dummies with
//     segments of 12 months or more. Otherwise (a step dummy zero over a segment's first rows)
//     these stay least squares while strucchange's do not, and the result warns.
//   - Per-segment coefficients are lm.fit's (R's rank rule, tolerance 1e-7); an aliased
//     coefficient is NaN, as R's NA, with a warning.
//   - Confidence intervals (confint.breakpointsfull, default het.reg = TRUE, het.err = TRUE,
//     no vcov.): Bai (1997), "Estimation of a change point in multiple regression models",
//     Rev. Econ. Stat. 79, 551-563. For break i between segments 1 and 2, with
//     delta = beta_2 - beta_1, Q_j = X_j'X_j / n_j, sigma_j^2 = RSS_j / n_j, the quantiles of
//     argmax V (strucchange's pargmaxV, Bai's closed-form distribution with xi = d'Q_2 d /
//     d'Q_1 d and phi_j = sigma_j) are found by Brent's method with R uniroot's tolerance
//     (eps^(1/4)) and scaled by sigma_1^2 / d'Q_1 d; the bounds are b - ceil(upper) and
//     b - floor(lower), integers as R's. When P(argmax V <= 0) falls outside [a/2, 1 - a/2]
//     the interval is not computed (a warning, as R's).
// Cost: the RSS of the O(n^2) admissible segments, O(n^2 k^2) in all (O(n^2) for a constant),
// and O(max_breaks n^2) for the dynamic programme.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "pilotstats/changepoint/supf_test.hpp"
#include "pilotstats/core/error.hpp"
#include "pilotstats/linalg/least_squares.hpp"

namespace pilotstats {

struct breakpoints_options {
  double h = 0.15;                // minimum segment size: fraction of n (< 1) or count (>= 1)
  std::optional<int> max_breaks;  // empty: ceiling(n / h) - 2, strucchange's default
  double level = 0.95;            // of the break-date confidence intervals

  void validate() const {
    if (!(h > 0) || !std::isfinite(h))
      throw invalid_input("breakpoints: h is " + std::to_string(h) +
                          ", but must be a fraction in (0, 1) or a count >= 1");
    if (max_breaks && *max_breaks < 1)
      throw invalid_input("breakpoints: max_breaks is " + std::to_string(*max_breaks) + ", but must be >= 1");
    if (!(level > 0 && level < 1))
      throw invalid_input("breakpoints: level is " + std::to_string(level) + ", but must be in (0, 1)");
  }
};

// The best segmentation with exactly m breaks (summary(bp) column m).
struct breakpoints_fit {
  int breaks = 0;
  std::vector<Eigen::Index> breakpoints;  // R's: 1-based last observation of each segment but the last
  double rss = 0;
  double bic = 0;
};

struct regression_segment {
  Eigen::Index start = 0;        // 0-based first row
  Eigen::Index end = 0;          // one past the last: rows [start, end); end is R's breakpoint
  Eigen::VectorXd coefficients;  // k, lm.fit's; NaN where aliased (R's NA)
  double rss = 0;
};

struct break_interval {
  Eigen::Index breakpoint = 0;
  bool computed = false;         // false: P(argmax V <= 0) outside [a/2, 1 - a/2], see warnings
  Eigen::Index lower = 0;        // breakpoint - ceil(upper_distance): R's "2.5 %" column
  Eigen::Index upper = 0;        // breakpoint - floor(lower_distance): R's "97.5 %" column
  double upper_distance = 0;     // the unrounded quantiles of the break date minus the breakpoint,
  double lower_distance = 0;     // as confint computes them before rounding (upper > 0 > lower)
};

struct breakpoints_result {
  Eigen::Index n = 0, k = 0;
  Eigen::Index h = 0;            // minimum segment size as a count
  int max_breaks = 0;
  std::vector<breakpoints_fit> fits;      // m = 0..max_breaks
  int chosen_breaks = 0;                  // by BIC
  std::vector<Eigen::Index> breakpoints;  // of the chosen fit
  std::vector<regression_segment> segments;
  double level = 0.95;
  std::vector<break_interval> intervals;  // one per chosen break
  std::vector<std::string> warnings;
};

namespace detail {

// RSS of every segment [i, j) with j - i >= h (0-based, half-open), i = 0..n-h.
class rss_triangle {
 public:
  rss_triangle(const Eigen::Ref<const Eigen::VectorXd>& y, const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Index h)
      : n_(y.size()), h_(h), start_(static_cast<std::size_t>(n_ - h + 2), 0) {
    // Row i holds j = i + h .. n; offsets into one flat array.
    for (Eigen::Index i = 0; i <= n_ - h_; ++i)
      start_[static_cast<std::size_t>(i + 1)] = start_[static_cast<std::size_t>(i)] + (n_ - i - h_ + 1);
    values_.resize(start_.back());
    const bool constant_only = x.cols() == 1 && (x.array() == 1.0).all();
    for (Eigen::Index i = 0; i <= n_ - h_; ++i) {
      double* out = values_.data() + start_[static_cast<std::size_t>(i)];
      if (constant_only) {
        double mean = 0, ss = 0;
        for (Eigen::Index j = i; j < n_; ++j) {
          const double c = static_cast<double>(j - i);  // values so far
          const double d = y(j) - mean;
          ss += d * d * c / (c + 1);
          mean += d / (c + 1);
          if (j + 1 - i >= h_) out[j + 1 - i - h_] = ss;
        }
      } else {
        givens_least_squares ls(x.cols());
        for (Eigen::Index j = i; j < n_; ++j) {
          ls.add(x.row(j), y(j));
          if (j + 1 - i == x.cols() && !ls.full_rank()) ++rank_deficient_starts_;
          if (j + 1 - i >= h_) out[j + 1 - i - h_] = ls.rss();
        }
      }
    }
  }
  // Segment starts whose first k rows do not determine the coefficients (strucchange's
  // recursive residuals are then not least squares, and its RSS differ from these).
  Eigen::Index rank_deficient_starts() const { return rank_deficient_starts_; }
  double operator()(Eigen::Index i, Eigen::Index j) const {
    return values_[start_[static_cast<std::size_t>(i)] + static_cast<std::size_t>(j - i - h_)];
  }

 private:
  Eigen::Index n_, h_;
  Eigen::Index rank_deficient_starts_ = 0;
  std::vector<std::size_t> start_;
  std::vector<double> values_;
};

// log P(Z <= z) for the standard normal, also far in the lower tail.
inline double log_normal_cdf(double z) {
  if (z > -37) return std::log(0.5 * std::erfc(-z / std::numbers::sqrt2));
  // Mills ratio: P(Z <= z) = phi(z)/|z| (1 - 1/z^2 + 3/z^4 - 15/z^6 + ...)
  const double z2 = z * z;
  double term = 1, sum = 1;
  for (int i = 1; i <= 12; ++i) {
    term *= -(2.0 * i - 1) / z2;
    sum += term;
  }
  return -z2 / 2 - std::log(-z) - 0.5 * std::log(2 * std::numbers::pi) + std::log(sum);
}

// P(argmax V <= x), Bai (1997) (strucchange's pargmaxV).
inline double argmax_v_cdf(double x, double xi, double phi1, double phi2) {
  const double phi = xi * (phi2 / phi1) * (phi2 / phi1);
  const double log2pi = std::log(2 * std::numbers::pi);
  const double a = std::abs(x);
  if (x < 0) {
    const double frac = xi / phi;
    return -std::exp(std::log(a) / 2 - a / 8 - log2pi / 2) -
           (phi / xi * (phi + 2 * xi) / (phi + xi)) *
               std::exp(frac * (1 + frac) * a / 2 + log_normal_cdf(-(0.5 + frac) * std::sqrt(a))) +
           std::exp(std::log(a / 2 - 2 + (phi + 2 * xi) * (phi + 2 * xi) / ((phi + xi) * xi)) +
                    log_normal_cdf(-std::sqrt(a) / 2));
  }
  const double frac = xi * xi / phi;
  return 1 + std::sqrt(frac) * std::exp(std::log(a) / 2 - frac * a / 8 - log2pi / 2) +
         (xi / phi * (2 * phi + xi) / (phi + xi)) *
             std::exp((phi + xi) * a / 2 + log_normal_cdf(-(phi + xi / 2) / std::sqrt(phi) * std::sqrt(a))) -
         std::exp(std::log((2 * phi + xi) * (2 * phi + xi) / ((phi + xi) * phi) - 2 + frac * a / 2) +
                  log_normal_cdf(-std::sqrt(frac) * std::sqrt(a) / 2));
}

// Brent's (1973) root finder in the form of R's uniroot (zeroin; the same steps, so the same
// root to the last digit when f agrees): f(a) and f(b) of opposite signs.
template <class F>
double brent_root(F&& f, double a, double b, double fa, double fb, double tol, int max_iterations = 1000) {
  if (fa == 0) return a;
  if (fb == 0) return b;
  double c = a, fc = fa;
  constexpr double eps = std::numeric_limits<double>::epsilon();
  for (int it = 0; it <= max_iterations; ++it) {
    const double previous_step = b - a;
    if (std::abs(fc) < std::abs(fb)) {  // b is the best approximation
      a = b; b = c; c = a;
      fa = fb; fb = fc; fc = fa;
    }
    const double tolerance = 2 * eps * std::abs(b) + tol / 2;
    double step = (c - b) / 2;
    if (std::abs(step) <= tolerance || fb == 0) return b;
    if (std::abs(previous_step) >= tolerance && std::abs(fa) > std::abs(fb)) {
      double p, q;
      const double cb = c - b;
      if (a == c) {  // secant
        const double t1 = fb / fa;
        p = cb * t1;
        q = 1 - t1;
      } else {  // inverse quadratic interpolation
        const double qa = fa / fc, t1 = fb / fc, t2 = fb / fa;
        p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1));
        q = (qa - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q; else p = -p;
      if (p < 0.75 * cb * q - std::abs(tolerance * q) / 2 && p < std::abs(previous_step * q / 2)) step = p / q;
    }
    if (std::abs(step) < tolerance) step = step > 0 ? tolerance : -tolerance;
    a = b;
    fa = fb;
    b += step;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  return b;
}

inline double quadratic_form(const Eigen::VectorXd& d, const Eigen::MatrixXd& m) { return d.dot(m * d); }

}  // namespace detail

// The fitted segments of a given segmentation (R's breakpoints convention), by lm.fit.
inline std::vector<regression_segment> fit_regression_segments(const Eigen::Ref<const Eigen::VectorXd>& y,
                                                                const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                                const std::vector<Eigen::Index>& breaks,
                                                                std::vector<std::string>& warnings) {
  const Eigen::Index n = y.size(), k = x.cols();
  std::vector<regression_segment> out;
  least_squares_options ls_options;  // lm.fit's rank rule; no R-squared needed
  ls_options.tolerance = 1e-7;
  ls_options.has_intercept = false;
  Eigen::Index a = 0;
  for (std::size_t i = 0; i <= breaks.size(); ++i) {
    const Eigen::Index b = i < breaks.size() ? breaks[i] : n;
    if (b <= a || b > n)
      throw invalid_input("fit_regression_segments: breakpoint " + std::to_string(b) + " is out of order or outside 1.." +
                          std::to_string(n - 1));
    const auto fit = least_squares(x.middleRows(a, b - a), y.segment(a, b - a), ls_options);
    regression_segment s{a, b, Eigen::VectorXd::Constant(k, std::numeric_limits<double>::quiet_NaN()), fit.rss};
    for (std::size_t j = 0; j < fit.kept.size(); ++j) s.coefficients(fit.kept[j]) = fit.coefficients(static_cast<Eigen::Index>(j));
    if (!fit.aliased.empty())
      warnings.push_back("segment " + std::to_string(i + 1) + " (observations " + std::to_string(a + 1) + "-" +
                         std::to_string(b) + "): " + std::to_string(fit.aliased.size()) +
                         " coefficient(s) not estimable (aliased, NaN as R's NA)");
    out.push_back(std::move(s));
    a = b;
  }
  return out;
}

// Confidence intervals for the break dates of a segmentation, as strucchange's
// confint(bp, breaks = m, level) with its defaults (het.reg = TRUE, het.err = TRUE).
inline std::vector<break_interval> break_date_intervals(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                        const std::vector<regression_segment>& segments,
                                                        double level, std::vector<std::string>& warnings) {
  std::vector<break_interval> out;
  if (segments.size() < 2) return out;
  const double a2 = (1 - level) / 2;
  const double tol = std::pow(std::numeric_limits<double>::epsilon(), 0.25);  // uniroot's default
  const auto segment_moments = [&](const regression_segment& s, Eigen::MatrixXd& q, double& sigma2) {
    const Eigen::Index len = s.end - s.start;
    const auto xs = x.middleRows(s.start, len);
    q = xs.transpose() * xs / static_cast<double>(len);
    sigma2 = s.rss / static_cast<double>(len);
  };
  Eigen::MatrixXd q1, q2;
  double sigma1 = 0, sigma2 = 0;
  segment_moments(segments[0], q2, sigma2);
  for (std::size_t i = 1; i < segments.size(); ++i) {
    q1 = q2;
    sigma1 = sigma2;
    segment_moments(segments[i], q2, sigma2);
    break_interval bi;
    bi.breakpoint = segments[i].start;
    const Eigen::VectorXd delta = segments[i].coefficients - segments[i - 1].coefficients;
    if (!delta.allFinite()) {
      warnings.push_back("confidence interval " + std::to_string(i) + " cannot be computed: a coefficient is aliased");
      out.push_back(bi);
      continue;
    }
    const double qprod1 = detail::quadratic_form(delta, q1), qprod2 = detail::quadratic_form(delta, q2);
    const double xi = qprod2 / qprod1, phi1 = std::sqrt(sigma1), phi2 = std::sqrt(sigma2);
    const auto cdf = [&](double v) { return detail::argmax_v_cdf(v, xi, phi1, phi2); };
    const double p0 = cdf(0);
    if (std::isnan(p0) || p0 < a2 || p0 > 1 - a2) {
      warnings.push_back("confidence interval " + std::to_string(i) + " cannot be computed: P(argmax V <= 0) = " +
                         std::to_string(p0));
      out.push_back(bi);
      continue;
    }
    double ub = 0, lb = 0;
    while (cdf(ub) < 1 - a2) ub += 1000;
    while (cdf(lb) > a2) lb -= 1000;
    const auto fu = [&](double v) { return cdf(v) - (1 - a2); };
    const auto fl = [&](double v) { return cdf(v) - a2; };
    const double upper = detail::brent_root(fu, 0, ub, fu(0), fu(ub), tol);
    const double lower = detail::brent_root(fl, lb, 0, fl(lb), fl(0), tol);
    const double scale = sigma1 / qprod1;  // phi1^2 / Qprod1
    bi.computed = true;
    bi.upper_distance = upper * scale;
    bi.lower_distance = lower * scale;
    bi.lower = bi.breakpoint - static_cast<Eigen::Index>(std::ceil(bi.upper_distance));
    bi.upper = bi.breakpoint - static_cast<Eigen::Index>(std::floor(bi.lower_distance));
    out.push_back(bi);
  }
  return out;
}

inline breakpoints_result breakpoints(const Eigen::Ref<const Eigen::VectorXd>& y,
                                      const Eigen::Ref<const Eigen::MatrixXd>& x,
                                      const breakpoints_options& options = {}) {
  options.validate();
  detail::check_regression_data("breakpoints", y, x);
  breakpoints_result r;
  const Eigen::Index n = y.size(), k = x.cols();
  r.n = n;
  r.k = k;
  r.level = options.level;
  const Eigen::Index h = detail::segment_size_from("breakpoints", "h", options.h, n);
  if (h <= k)
    throw invalid_input("breakpoints: minimum segment size h = " + std::to_string(h) + " (from h = " +
                        std::to_string(options.h) + ", n = " + std::to_string(n) +
                        "), but it must be greater than the number of regressors k = " + std::to_string(k));
  if (h > n / 2)
    throw invalid_input("breakpoints: minimum segment size h = " + std::to_string(h) +
                        ", but it must be at most half the number of observations (n = " + std::to_string(n) + ")");
  r.h = h;
  const int limit = static_cast<int>((n + h - 1) / h) - 2;  // ceiling(n / h) - 2
  if (limit < 1)
    throw invalid_input("breakpoints: with n = " + std::to_string(n) + " and h = " + std::to_string(h) +
                        " no break is possible");
  int M = options.max_breaks.value_or(limit);
  if (M > limit) {
    r.warnings.push_back("requested number of breaks = " + std::to_string(M) + " too large, changed to " +
                         std::to_string(limit));
    M = limit;
  }
  r.max_breaks = M;

  {
    detail::givens_least_squares whole(k);
    for (Eigen::Index i = 0; i < n; ++i) whole.add(x.row(i), y(i));
    detail::require_residual_variation("breakpoints", whole.rss(), y);
  }
  const detail::rss_triangle rss(y, x, h);
  if (rss.rank_deficient_starts() > 0)
    r.warnings.push_back(std::to_string(rss.rank_deficient_starts()) + " of the " + std::to_string(n - h + 1) +
                         " segment starts have a rank-deficient first k = " + std::to_string(k) +
                         " rows (a regressor constant or zero there): these RSS are least squares, strucchange's "
                         "recursive residuals are not, so its RSS and breaks may differ");
  // best[m][b]: the least RSS of rows [0, b) with m breaks (m + 1 segments); from[m][b]: the last break.
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> best(static_cast<std::size_t>(M + 1), std::vector<double>(n + 1, inf));
  std::vector<std::vector<Eigen::Index>> from(static_cast<std::size_t>(M + 1), std::vector<Eigen::Index>(n + 1, -1));
  for (Eigen::Index b = h; b <= n - h; ++b) best[0][b] = rss(0, b);
  for (int m = 1; m < M; ++m) {
    auto& cur = best[static_cast<std::size_t>(m)];
    const auto& prev = best[static_cast<std::size_t>(m - 1)];
    for (Eigen::Index b = (m + 1) * h; b <= n - h; ++b) {
      for (Eigen::Index j = m * h; j <= b - h; ++j) {
        const double v = prev[j] + rss(j, b);
        if (v < cur[b]) {
          cur[b] = v;
          from[static_cast<std::size_t>(m)][b] = j;
        }
      }
    }
  }
  r.fits.push_back({0, {}, rss(0, n), 0});
  for (int m = 1; m <= M; ++m) {
    const auto& last = best[static_cast<std::size_t>(m - 1)];
    double top = inf;
    Eigen::Index arg = -1;
    for (Eigen::Index b = h; b <= n - h; ++b) {
      const double v = last[b] + rss(b, n);
      if (v < top) {
        top = v;
        arg = b;
      }
    }
    breakpoints_fit f{m, std::vector<Eigen::Index>(static_cast<std::size_t>(m)), 0, 0};
    Eigen::Index b = arg;
    for (int j = m - 1; j >= 0; --j) {
      f.breakpoints[static_cast<std::size_t>(j)] = b;
      if (j > 0) b = from[static_cast<std::size_t>(j)][b];
    }
    // the RSS as strucchange sums it: segment by segment
    Eigen::Index a = 0;
    for (Eigen::Index bb : f.breakpoints) {
      f.rss += rss(a, bb);
      a = bb;
    }
    f.rss += rss(a, n);
    r.fits.push_back(std::move(f));
  }
  const double nd = static_cast<double>(n), log_n = std::log(nd);
  for (auto& f : r.fits)
    f.bic = nd * (std::log(f.rss) + 1 - log_n + std::log(2 * std::numbers::pi)) +
            log_n * static_cast<double>((k + 1) * (f.breaks + 1));
  for (const auto& f : r.fits)
    if (f.bic < r.fits[static_cast<std::size_t>(r.chosen_breaks)].bic) r.chosen_breaks = f.breaks;
  r.breakpoints = r.fits[static_cast<std::size_t>(r.chosen_breaks)].breakpoints;
  r.segments = fit_regression_segments(y, x, r.breakpoints, r.warnings);
  r.intervals = break_date_intervals(x, r.segments, options.level, r.warnings);
  if (r.chosen_breaks == M)
    r.warnings.push_back("BIC chose the largest number of breaks considered (" + std::to_string(M) +
                         "): a smaller h allows more");
  return r;
}

}  // namespace pilotstats
