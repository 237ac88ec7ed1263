// pilotstats/did/wild_bootstrap.hpp: the wild cluster bootstrap for the treatment effect of a
// two-way fixed-effects difference-in-differences (did/twfe.hpp), with few clusters in mind.
//
// Synopsis
//   wild_bootstrap_options o;
//   o.cluster = bcu;                                  // codes per row; empty: the units
//   o.weights = wild_weight_kind::webb;               // G <= 11: Webb rather than Rademacher
//   auto r = wild_cluster_bootstrap(y, d, unit, month, Eigen::MatrixXd(), o);
//   r.p_value; r.conf_low; r.conf_high; r.warnings;
//
// Method. H0: beta_D = r (null_value, default 0) in y = beta_D D + gamma'z + unit FE + time FE + e,
// clustered by the given codes (which may be coarser than the units). The statistic is the CR1
// t statistic of twfe() (fixest's G/(G-1) (n-1)/(n-K)); that factor is common to t and every t*,
// so it cancels in every p-value and in the confidence interval (it matters only for t itself).
//   WCR (default, as boottest): the bootstrap samples are built from the fit with the null imposed,
//       y* = X b0 + F f0 + u0 . v_g, and t* = (beta*_D - r) / se*  (Cameron, Gelbach & Miller 2008,
//       REStat 90(3); Davidson & MacKinnon 2010).
//   WCU: from the unrestricted fit, and t* = (beta*_D - beta_D) / se*.
// Each cluster's residuals are multiplied by one weight v_g: Rademacher (+-1), Webb's six-point
// (+-sqrt(1/2), +-1, +-sqrt(3/2); Webb 2013, Queen's WP 1315) or Mammen's two-point. Weights come
// from pilotstats/core/draws.hpp on pcg64(seed): draw b (b = 0, 1, ...) takes weights for clusters
// 0, 1, ..., G-1 in that order (clusters in increasing order of the caller's codes; with no codes,
// the units in order of first appearance in the rows kept), one draw::rademacher / webb / mammen
// call each, so weight (b, g) is the (b G + g)-th such call.
// Full enumeration (Rademacher only): as boottest, when 2^G <= draws (automatic) or when asked;
// draw b then has v_g = -1 where bit g of b is set, so draw 0 is all +1 (the original sample).
//
// p-values (share of the B draws; boottest's convention, no "+1"):
//   symmetric (default, as boottest)  #{|t*| >= |t|} / B
//   equal_tailed                      2 min(lower, upper)
//   upper (H1: beta > r)              #{t* >= t} / B;  lower (H1: beta < r): #{t* <= t} / B
// Ties: `ties = count` (default) counts t* equal to t, as the >= above; `exclude` counts strictly
// (fwildclusterboot's mean(abs(t) < abs(t_boot))). In WCR a constant weight vector (v_g = c for
// every g) gives t* = sign(c) t exactly, so under enumeration draws 0 and 2^G - 1 tie with t and
// the two rules differ by 2/2^G. Such draws are recognised from the weights, and given t* = +-t
// (WCU: t* = 0), so that rounding cannot decide a tie.
//
// Confidence interval by test inversion (as boottest): the set of r with p(r) > 1 - level, for the
// symmetric p-value (equal-tailed when that is the p-value asked). From the estimate, steps of
// se, 2 se, 4 se, ... outward bracket the first r with p(r) <= alpha on each side, and bisection
// on p(r) (a step function) shrinks the bracket to ci_tolerance * se; the bound reported is the
// middle of the last bracket. The draws are the same for every r. No rejection within 2^60 se: the
// bound is infinite, with a warning.
//
// The fast algorithm (Roodman, MacKinnon, Nielsen & Webb 2019, "Fast and wild", Stata Journal
// 19(1), section 5), with the fixed effects. F: the unit and time dummies, M_F: absorb(),
// X~ = M_F [D, Z], A = (X~'X~)^-1, q = X~ A e_1 (so beta_D = q'y). The bootstrap sample is
// y* = X b0 + F f0 + u0 . v, with (b0, f0, u0) the restricted (WCR: u0 = M_[Z,F](y - r D)) or
// the unrestricted (WCU) fit. Refitting the FULL model on y* (slopes and both sets of effects):
//   beta*_D - b0_D = q'(u0 . v) = sum_h v_h c_h,   c_h = q_h'u0_h,
//   u* = M_[X,F] y* = M_[X,F](u0 . v) = sum_h v_h M_[X,F] e_h,
// with e_h = u0 on the rows of cluster h and 0 elsewhere, and M_[X,F] e_h = M_F e_h - X~ A X~_h'u0_h
// (Frisch-Waugh-Lovell). So cluster g's score of the bootstrap CR1 variance K sum_g (q_g'u*_g)^2 is
//   q_g'u*_g = (S v)_g,   S_gh = q_g'(M_F e_h)_g - (q_g'X~_g) A (X~_h'u0_h),
// linear in v: each draw costs O(G^2) once S (G x G) and c are known, independent of n.
// M_F e_h is not zero outside cluster h when an effect is not nested in the clusters (the time
// effects, always): its spill-over into other clusters is the re-estimation of the time effects
// on y*, and leaving it out (u* = u0 . v - X~(beta* - b0)) is a different bootstrap from refitting
// the model. So S takes G absorbed columns M_F e_h at set-up (absorb() on an n x G matrix, in
// chunks). In WCR u0(r) = M_[Z,F] y - r M_[Z,F] D is affine in r, so c(r) = c0 - r c1 and
// S(r) = S0 - r S1, and each draw keeps five numbers
//   t*(r) = (n0 - r n1) / sqrt(K (a - 2 r b + r^2 c)),
//   n0 = c0'v, n1 = c1'v, a = |S0 v|^2, b = (S0 v)'(S1 v), c = |S1 v|^2,
// which make the p-value at any r an O(B) pass (the test inversion above). The draws are done in
// blocks of 1024 as matrix products S V. Checked against brute force (lm on y* with unit and time
// dummies, CR1 by hand) in tests/reference/wild_bootstrap_reference.R and, draw by draw, against
// twfe() refits in tests/did/wild_bootstrap_test.cpp.
//
// Unweighted fits only (twfe's analytic weights are not supported here).
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/error.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/did/absorb.hpp"
#include "pilotstats/did/absorbed_design.hpp"
#include "pilotstats/did/twfe.hpp"

namespace pilotstats {

enum class wild_bootstrap_type {
  restricted,    // WCR: the null imposed on the bootstrap samples (boottest's default)
  unrestricted,  // WCU
};

enum class wild_weight_kind { rademacher, webb, mammen };

enum class bootstrap_p_value { symmetric, equal_tailed, upper, lower };

enum class bootstrap_ties {
  count,    // t* equal to t counts as at least as extreme (|t*| >= |t|)
  exclude,  // strictly more extreme only (fwildclusterboot)
};

struct wild_bootstrap_options {
  double null_value = 0;                                   // r in H0: beta_D = r
  wild_bootstrap_type type = wild_bootstrap_type::restricted;
  wild_weight_kind weights = wild_weight_kind::rademacher;  // boottest's default
  std::size_t draws = 9999;                                // B for Monte Carlo
  enumeration_rule enumeration = enumeration_rule::automatic;  // Rademacher: 2^G <= draws
  std::uint64_t seed = 1;
  bootstrap_p_value p_value = bootstrap_p_value::symmetric;
  bootstrap_ties ties = bootstrap_ties::count;
  std::vector<std::size_t> cluster;                        // one code per row; empty: the units
  bool confidence_interval = true;
  double level = 0.95;
  double ci_tolerance = 1e-10;                             // final bracket width, in standard errors
  double tolerance = 1e-10;                                // absorb(): alternating projections
  int max_iterations = 10000;
  singleton_rule singletons = singleton_rule::keep;

  void validate() const {
    const std::string f = "wild_cluster_bootstrap: ";
    if (!std::isfinite(null_value))
      throw invalid_input(f + "null_value is " + std::to_string(null_value) + ", but must be finite");
    if (draws < 1) throw invalid_input(f + "draws is 0, but must be at least 1");
    if (enumeration == enumeration_rule::always && weights != wild_weight_kind::rademacher)
      throw invalid_input(f + "enumeration = always needs Rademacher weights (the others are not enumerated)");
    if (!(level > 0 && level < 1))
      throw invalid_input(f + "level is " + std::to_string(level) + ", but must be in (0, 1)");
    if (!(ci_tolerance > 0) || !std::isfinite(ci_tolerance))
      throw invalid_input(f + "ci_tolerance is " + std::to_string(ci_tolerance) + ", but must be positive");
    if (!(tolerance > 0 && tolerance < 1))
      throw invalid_input(f + "tolerance is " + std::to_string(tolerance) + ", but must be in (0, 1)");
    if (max_iterations < 1)
      throw invalid_input(f + "max_iterations is " + std::to_string(max_iterations) + ", but must be at least 1");
  }
};

struct wild_bootstrap_result {
  double estimate = 0;                 // beta_D (twfe)
  double std_error = 0;                // its CR1 standard error (twfe)
  double null_value = 0;
  double t_statistic = 0;              // (estimate - null_value) / std_error
  double p_value = 0;                  // the kind asked (options.p_value)
  double p_symmetric = 0, p_equal_tailed = 0, p_upper = 0, p_lower = 0;
  bool has_interval = false;           // options.confidence_interval
  double conf_low = 0, conf_high = 0;  // +-infinity when the test never rejects on that side
  double level = 0.95;
  std::size_t draws = 0;               // B (2^G when enumerated)
  bool enumerated = false;
  std::vector<double> t_star;          // the bootstrap t statistics at null_value, in draw order
  std::size_t clusters = 0, treated_clusters = 0;
  Eigen::Index n = 0;
  std::string method;                  // e.g. "WCR, Rademacher weights, full enumeration (1024 draws)"
  twfe_result fit;                     // the TWFE fit (CR1 with these clusters)
  std::vector<std::string> warnings;
};

namespace detail {

template <random_engine64 E>
double wild_weight(E& rng, wild_weight_kind kind) {
  switch (kind) {
    case wild_weight_kind::rademacher: return draw::rademacher(rng);
    case wild_weight_kind::webb: return draw::webb(rng);
    case wild_weight_kind::mammen: return draw::mammen(rng);
  }
  return 0;
}

// The bootstrap t statistics as functions of r (see the header): five numbers per draw.
struct wild_t_function {
  bool restricted = true;
  double estimate = 0, std_error = 0, scale = 1;  // scale: the CR1 factor K
  Eigen::ArrayXd n0, n1, a, b, c;
  std::vector<signed char> constant;             // sign of a constant weight vector, else 0

  std::size_t draws() const { return constant.size(); }
  double t(double r) const { return (estimate - r) / std_error; }
  double t_star(std::size_t i, double r) const {
    const auto k = static_cast<Eigen::Index>(i);
    if (constant[i] != 0) return restricted ? constant[i] * t(r) : 0.0;
    const double num = restricted ? n0(k) - r * n1(k) : n0(k);
    const double q = restricted ? a(k) - 2 * r * b(k) + r * r * c(k) : a(k);
    if (!(q > 0)) return num == 0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), num);
    return num / std::sqrt(scale * q);
  }
};

struct wild_p_values {
  double symmetric = 0, equal_tailed = 0, upper = 0, lower = 0;
  double of(bootstrap_p_value kind) const {
    switch (kind) {
      case bootstrap_p_value::symmetric: return symmetric;
      case bootstrap_p_value::equal_tailed: return equal_tailed;
      case bootstrap_p_value::upper: return upper;
      case bootstrap_p_value::lower: return lower;
    }
    return symmetric;
  }
};

inline wild_p_values wild_p_at(const wild_t_function& f, double r, bootstrap_ties ties) {
  const double t = f.t(r), abs_t = std::abs(t);
  std::size_t more = 0, above = 0, below = 0;
  const bool count = ties == bootstrap_ties::count;
  for (std::size_t i = 0; i < f.draws(); ++i) {
    const double s = f.t_star(i, r);
    more += count ? std::abs(s) >= abs_t : std::abs(s) > abs_t;
    above += count ? s >= t : s > t;
    below += count ? s <= t : s < t;
  }
  const double b = static_cast<double>(f.draws());
  wild_p_values p;
  p.symmetric = static_cast<double>(more) / b;
  p.upper = static_cast<double>(above) / b;
  p.lower = static_cast<double>(below) / b;
  p.equal_tailed = std::min(1.0, 2 * std::min(p.upper, p.lower));
  return p;
}

// S (G x G) and c (G) of the header for each residual vector in `residuals` (columns).
inline void wild_score_maps(const absorbed_design& d, const Eigen::VectorXd& q, const Eigen::MatrixXd& qxa,
                            const Eigen::MatrixXd& residuals, std::vector<Eigen::MatrixXd>& s,
                            std::vector<Eigen::VectorXd>& c) {
  const auto n = static_cast<Eigen::Index>(d.rows.size());
  const auto g_count = static_cast<Eigen::Index>(d.clusters);
  const Eigen::Index k = d.x.cols();
  const Eigen::Index m = residuals.cols();
  s.assign(static_cast<std::size_t>(m), Eigen::MatrixXd::Zero(g_count, g_count));
  c.assign(static_cast<std::size_t>(m), Eigen::VectorXd::Zero(g_count));
  // Block columns (residual j, cluster h) -> j * G + h, absorbed a chunk at a time.
  const Eigen::Index total = m * g_count;
  const Eigen::Index chunk = std::max<Eigen::Index>(1, std::min<Eigen::Index>(total, 4'000'000 / std::max<Eigen::Index>(n, 1)));
  for (Eigen::Index first = 0; first < total; first += chunk) {
    const Eigen::Index width = std::min(chunk, total - first);
    Eigen::MatrixXd e = Eigen::MatrixXd::Zero(n, width);
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto h = static_cast<Eigen::Index>(d.cluster[static_cast<std::size_t>(i)]);
      for (Eigen::Index j = 0; j < m; ++j) {
        const Eigen::Index col = j * g_count + h - first;
        if (col >= 0 && col < width) e(i, col) = residuals(i, j);
      }
    }
    const absorb_result a = absorb(e, d.unit, d.time, d.absorb_again);
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto g = static_cast<Eigen::Index>(d.cluster[static_cast<std::size_t>(i)]);
      for (Eigen::Index col = 0; col < width; ++col) {
        const Eigen::Index j = (first + col) / g_count, h = (first + col) % g_count;
        s[static_cast<std::size_t>(j)](g, h) += q(i) * a.columns(i, col);
      }
    }
  }
  for (Eigen::Index j = 0; j < m; ++j) {
    Eigen::MatrixXd xu = Eigen::MatrixXd::Zero(k, g_count);  // X~_h'u0_h
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto h = static_cast<Eigen::Index>(d.cluster[static_cast<std::size_t>(i)]);
      xu.col(h) += d.x.row(i).transpose() * residuals(i, j);
      c[static_cast<std::size_t>(j)](h) += q(i) * residuals(i, j);
    }
    s[static_cast<std::size_t>(j)] -= qxa * xu;
  }
}

}  // namespace detail

// The wild cluster bootstrap test of beta_D = null_value, and the confidence interval by test
// inversion. Arguments as twfe(); throws invalid_input on bad options or data (twfe's checks).
template <class UnitId, class TimeId>
wild_bootstrap_result wild_cluster_bootstrap(const Eigen::Ref<const Eigen::VectorXd>& y,
                                             const Eigen::Ref<const Eigen::VectorXd>& treatment,
                                             const std::vector<UnitId>& unit, const std::vector<TimeId>& time,
                                             const Eigen::Ref<const Eigen::MatrixXd>& covariates = Eigen::MatrixXd(),
                                             const wild_bootstrap_options& options = {}) {
  options.validate();
  const std::string fn = "wild_cluster_bootstrap";
  const detail::absorbed_design d =
      detail::make_absorbed_design(fn, y, treatment, unit, time, covariates, options.cluster, options.tolerance,
                                   options.max_iterations, options.singletons);
  const auto n = static_cast<Eigen::Index>(d.rows.size());
  const std::size_t g_count = d.clusters;
  const bool restricted = options.type == wild_bootstrap_type::restricted;

  wild_bootstrap_result out;
  out.fit = d.fit;
  out.warnings = d.warnings;
  out.n = n;
  out.clusters = g_count;
  out.null_value = options.null_value;
  out.level = options.level;
  {
    std::vector<char> treated(g_count, 0);
    for (Eigen::Index i = 0; i < n; ++i)
      if (d.treatment(i) != 0) treated[d.cluster[static_cast<std::size_t>(i)]] = 1;
    out.treated_clusters = static_cast<std::size_t>(std::count(treated.begin(), treated.end(), 1));
  }

  // The unrestricted fit on the absorbed columns.
  const Eigen::LDLT<Eigen::MatrixXd> xx(d.x.transpose() * d.x);
  const Eigen::MatrixXd a_inv = xx.solve(Eigen::MatrixXd::Identity(d.x.cols(), d.x.cols()));
  const Eigen::VectorXd beta = a_inv * (d.x.transpose() * d.y);
  const Eigen::VectorXd resid = d.y - d.x * beta;
  const Eigen::VectorXd q = d.x * a_inv.col(0);  // beta_D = q'y~
  const Eigen::VectorXd scores = detail::cluster_sums(q.cwiseProduct(resid), d.cluster, g_count);
  detail::wild_t_function f;
  f.restricted = restricted;
  f.scale = d.cr1_scale;
  f.estimate = beta(0);
  f.std_error = std::sqrt(d.cr1_scale * scores.squaredNorm());
  out.estimate = d.fit.estimate;
  out.std_error = d.fit.std_error;
  out.t_statistic = f.t(options.null_value);  // the t the draws are compared with (= twfe CR1 t to rounding)

  // qxa: row g = (q_g'X~_g) A.
  Eigen::MatrixXd qx = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(g_count), d.x.cols());
  for (Eigen::Index i = 0; i < n; ++i) qx.row(static_cast<Eigen::Index>(d.cluster[static_cast<std::size_t>(i)])) += q(i) * d.x.row(i);
  const Eigen::MatrixXd qxa = qx * a_inv;
  Eigen::MatrixXd residuals;
  if (restricted) {
    // u0(r) = M_[Z,F] y - r M_[Z,F] D.
    const Eigen::MatrixXd z = d.x.rightCols(d.x.cols() - 1);
    Eigen::MatrixXd yd(n, 2);
    yd << d.y, d.x.col(0);
    residuals = detail::partial_out(yd, z);
  } else {
    residuals = resid;
  }
  std::vector<Eigen::MatrixXd> s;
  std::vector<Eigen::VectorXd> c;
  detail::wild_score_maps(d, q, qxa, residuals, s, c);

  // Enumerate or draw.
  constexpr std::size_t max_enumerated_clusters = 24;
  bool enumerate = false;
  if (options.enumeration == enumeration_rule::always) {
    if (g_count > max_enumerated_clusters)
      throw invalid_input(fn + ": enumeration = always with " + std::to_string(g_count) +
                          " clusters (2^G draws); at most " + std::to_string(max_enumerated_clusters) +
                          " clusters can be enumerated");
    enumerate = true;
  } else if (options.enumeration == enumeration_rule::automatic && options.weights == wild_weight_kind::rademacher &&
             g_count < 64 && (std::uint64_t{1} << g_count) <= options.draws) {
    enumerate = true;
  }
  const std::size_t b_count = enumerate ? (std::size_t{1} << g_count) : options.draws;
  out.enumerated = enumerate;
  out.draws = b_count;
  f.n0.resize(static_cast<Eigen::Index>(b_count));
  f.a.resize(static_cast<Eigen::Index>(b_count));
  if (restricted) {
    f.n1.resize(static_cast<Eigen::Index>(b_count));
    f.b.resize(static_cast<Eigen::Index>(b_count));
    f.c.resize(static_cast<Eigen::Index>(b_count));
  }
  f.constant.assign(b_count, 0);
  pcg64 rng(options.seed);
  constexpr std::size_t block = 1024;
  const auto g_rows = static_cast<Eigen::Index>(g_count);
  for (std::size_t first = 0; first < b_count; first += block) {
    const auto width = static_cast<Eigen::Index>(std::min(block, b_count - first));
    Eigen::MatrixXd v(g_rows, width);
    for (Eigen::Index j = 0; j < width; ++j) {
      const std::size_t b = first + static_cast<std::size_t>(j);
      for (Eigen::Index g = 0; g < g_rows; ++g)
        v(g, j) = enumerate ? (((b >> g) & 1U) != 0 ? -1.0 : 1.0) : detail::wild_weight(rng, options.weights);
      if ((v.col(j).array() == v(0, j)).all()) f.constant[b] = v(0, j) > 0 ? 1 : -1;
    }
    const auto at = static_cast<Eigen::Index>(first);
    const Eigen::MatrixXd t0 = s[0] * v;
    f.n0.segment(at, width) = (c[0].transpose() * v).transpose().array();
    f.a.segment(at, width) = t0.colwise().squaredNorm().transpose().array();
    if (restricted) {
      const Eigen::MatrixXd t1 = s[1] * v;
      f.n1.segment(at, width) = (c[1].transpose() * v).transpose().array();
      f.b.segment(at, width) = t0.cwiseProduct(t1).colwise().sum().transpose().array();
      f.c.segment(at, width) = t1.colwise().squaredNorm().transpose().array();
    }
  }

  const char* kind = restricted ? "WCR" : "WCU";
  const char* weight_name = options.weights == wild_weight_kind::rademacher ? "Rademacher"
                            : options.weights == wild_weight_kind::webb     ? "Webb six-point"
                                                                            : "Mammen";
  out.method = std::string(kind) + ", " + weight_name + " weights, " +
               (enumerate ? "full enumeration (" + std::to_string(b_count) + " draws)"
                          : "Monte Carlo (" + std::to_string(b_count) + " draws, seed " + std::to_string(options.seed) + ")");

  const detail::wild_p_values p = detail::wild_p_at(f, options.null_value, options.ties);
  out.p_symmetric = p.symmetric;
  out.p_equal_tailed = p.equal_tailed;
  out.p_upper = p.upper;
  out.p_lower = p.lower;
  out.p_value = p.of(options.p_value);
  out.t_star.resize(b_count);
  std::size_t degenerate = 0;
  for (std::size_t i = 0; i < b_count; ++i) {
    out.t_star[i] = f.t_star(i, options.null_value);
    degenerate += !std::isfinite(out.t_star[i]);
  }

  if (options.confidence_interval) {
    out.has_interval = true;
    const double alpha = 1 - options.level;
    const bootstrap_p_value inverted =
        options.p_value == bootstrap_p_value::equal_tailed ? bootstrap_p_value::equal_tailed : bootstrap_p_value::symmetric;
    const auto rejects = [&](double r) { return detail::wild_p_at(f, r, options.ties).of(inverted) <= alpha; };
    const auto bound = [&](double direction) {
      double inside = f.estimate, outside = 0, step = f.std_error;
      bool found = false;
      for (int i = 0; i <= 60 && !found; ++i, step *= 2) {
        const double r = f.estimate + direction * step;
        if (rejects(r)) {
          outside = r;
          found = true;
        } else {
          inside = r;
        }
      }
      if (!found) return direction * std::numeric_limits<double>::infinity();
      while (std::abs(outside - inside) > options.ci_tolerance * f.std_error) {
        const double mid = 0.5 * (inside + outside);
        if (mid == inside || mid == outside) break;
        (rejects(mid) ? outside : inside) = mid;
      }
      return 0.5 * (inside + outside);
    };
    out.conf_low = bound(-1);
    out.conf_high = bound(1);
    if (!std::isfinite(out.conf_low) || !std::isfinite(out.conf_high))
      out.warnings.push_back("the bootstrap test does not reject at level " + std::to_string(alpha) +
                             " within 2^60 standard errors on one side: the confidence interval is unbounded there");
  }

  // Warnings for designs where the bootstrap is known to be unreliable.
  if (g_count < 10)
    out.warnings.push_back("only " + std::to_string(g_count) +
                           " clusters: the bootstrap p-value is coarse and its size can still be off with so few "
                           "clusters (Cameron, Gelbach & Miller 2008; MacKinnon & Webb 2017)");
  if (options.weights == wild_weight_kind::rademacher && g_count <= 11)
    out.warnings.push_back("Rademacher weights with " + std::to_string(g_count) + " clusters: only 2^" +
                           std::to_string(g_count) + " = " + std::to_string(std::size_t{1} << g_count) +
                           " distinct weight vectors (half as many distinct |t*|), so the p-value can take few "
                           "values; Webb's six-point weights are recommended for G <= 11 (Webb 2013)");
  if (out.treated_clusters == 1)
    out.warnings.push_back(std::string("one treated cluster: ") +
                           (restricted ? "the WCR bootstrap is known to fail here (it under-rejects severely; "
                                         "MacKinnon & Webb 2017, J. Applied Econometrics 32(2))"
                                       : "the WCU bootstrap is known to over-reject here (MacKinnon & Webb 2017)") +
                           "; randomization inference (did/randomization.hpp) is an alternative");
  if (degenerate > 0)
    out.warnings.push_back(std::to_string(degenerate) +
                           " bootstrap draw(s) with a zero standard error (t* infinite or 0)");
  return out;
}

}  // namespace pilotstats
