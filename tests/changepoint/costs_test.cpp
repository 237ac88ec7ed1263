// Each cost against its definition computed directly (two-pass sums, a QR fit, the Poisson
// log-likelihood), on random segments; estimates and rate ratios.
#include <catch2/catch.hpp>

#include <Eigen/QR>
#include <cmath>
#include <cstring>
#include <numbers>

#include "pilotstats/changepoint.hpp"
#include "simulated_series.hpp"

namespace {
namespace ps = pilotstats;
using pilotstats_test::series_kind;

struct segment_draw {
  Eigen::Index a, b;
};
segment_draw random_segment(ps::pcg64& rng, Eigen::Index n, Eigen::Index min_length) {
  const auto a = static_cast<Eigen::Index>(ps::draw::uniform_int(rng, static_cast<std::uint64_t>(n - min_length + 1)));
  const auto b = a + min_length + static_cast<Eigen::Index>(ps::draw::uniform_int(rng, static_cast<std::uint64_t>(n - a - min_length + 1)));
  return {a, b};
}
}  // namespace

TEST_CASE("normal costs equal -2 log-likelihood forms computed directly", "[changepoint][cost]") {
  ps::pcg64 rng(21);
  const Eigen::VectorXd y = pilotstats_test::simulated_series(rng, 300, series_kind::normal).array() + 5.0;
  const ps::normal_mean_cost mean(y);
  const ps::normal_var_cost var(y);
  const ps::normal_var_cost var_known(y, 4.5);
  const ps::normal_meanvar_cost meanvar(y);
  for (int i = 0; i < 200; ++i) {
    const auto [a, b] = random_segment(rng, 300, 2);
    const Eigen::VectorXd s = y.segment(a, b - a);
    const double n = static_cast<double>(b - a);
    const double ss = (s.array() - s.mean()).square().sum();  // two-pass
    CHECK(mean(a, b) == Approx(ss).epsilon(1e-9));
    CHECK(mean.estimate(a, b).mean.value() == Approx(s.mean()).epsilon(1e-12));
    CHECK(meanvar(a, b) == Approx(n * std::log(2 * std::numbers::pi * ss / n) + n).epsilon(1e-9));
    CHECK(meanvar.estimate(a, b).variance.value() == Approx(ss / n).epsilon(1e-9));
    const double mu = y.mean();
    const double sm = (s.array() - mu).square().sum();
    CHECK(var(a, b) == Approx(n * std::log(2 * std::numbers::pi * sm / n) + n).epsilon(1e-9));
    CHECK(var.estimate(a, b).mean.value() == mu);
    const double sk = (s.array() - 4.5).square().sum();
    CHECK(var_known(a, b) == Approx(n * std::log(2 * std::numbers::pi * sk / n) + n).epsilon(1e-9));
  }
}

TEST_CASE("normal costs floor a zero variance as R does", "[changepoint][cost]") {
  const Eigen::VectorXd y = Eigen::VectorXd::Constant(6, 3.0);
  const ps::normal_meanvar_cost meanvar(y);
  CHECK(meanvar(0, 4) == Approx(4 * (std::log(2 * std::numbers::pi) + std::log(1e-11) + 1)));
  const ps::normal_var_cost var(y);  // the known mean is 3: x3 = 0, floored at 1e-11 (the sum)
  CHECK(var(0, 4) == Approx(4 * (std::log(2 * std::numbers::pi) + std::log(1e-11 / 4) + 1)));
}

TEST_CASE("Poisson cost is -2 log-likelihood less the shared terms", "[changepoint][cost]") {
  ps::pcg64 rng(22);
  const Eigen::VectorXd y = pilotstats_test::simulated_series(rng, 300, series_kind::poisson);
  const ps::poisson_cost cost(y);
  for (int i = 0; i < 200; ++i) {
    const auto [a, b] = random_segment(rng, 300, 1);
    const Eigen::VectorXd s = y.segment(a, b - a);
    const double x = s.sum(), rate = x / static_cast<double>(b - a);
    double loglik = 0;
    for (Eigen::Index t = 0; t < s.size(); ++t)
      loglik += (s(t) > 0 ? s(t) * std::log(rate) : 0.0) - rate - std::lgamma(s(t) + 1);
    double shared = 0;  // x and sum log y! do not depend on the segmentation
    for (Eigen::Index t = 0; t < s.size(); ++t) shared += std::lgamma(s(t) + 1);
    CHECK(cost(a, b) == Approx(-2 * loglik - 2 * x - 2 * shared).margin(1e-8));
    CHECK(cost.estimate(a, b).rate.value() == Approx(rate).epsilon(1e-12));
  }
  const Eigen::VectorXd zeros = Eigen::VectorXd::Zero(5);
  CHECK(ps::poisson_cost(zeros)(0, 5) == 0.0);
}

TEST_CASE("linear trend cost is the residual sum of squares of a least-squares line", "[changepoint][cost]") {
  ps::pcg64 rng(23);
  const Eigen::VectorXd y = pilotstats_test::simulated_series(rng, 400, series_kind::trend);
  const ps::linear_trend_cost cost(y);
  for (int i = 0; i < 200; ++i) {
    const auto [a, b] = random_segment(rng, 400, 3);
    Eigen::MatrixXd x(b - a, 2);
    for (Eigen::Index t = a; t < b; ++t) x.row(t - a) << 1.0, static_cast<double>(t);
    const Eigen::VectorXd s = y.segment(a, b - a);
    const Eigen::VectorXd beta = x.colPivHouseholderQr().solve(s);
    const double rss = (s - x * beta).squaredNorm();
    CHECK(cost(a, b) == Approx(rss).epsilon(1e-7).margin(1e-9));
    const auto e = cost.estimate(a, b);
    CHECK(e.intercept.value() == Approx(beta(0)).epsilon(1e-8).margin(1e-8));
    CHECK(e.slope.value() == Approx(beta(1)).epsilon(1e-8).margin(1e-10));
  }
  CHECK(cost(5, 7) == Approx(0.0).margin(1e-9));  // two points: a perfect line
}

TEST_CASE("linear trend: PELT finds a change of slope and reports both lines", "[changepoint][cost]") {
  Eigen::VectorXd y(120);
  ps::pcg64 rng(24);
  for (Eigen::Index t = 0; t < 120; ++t)
    y(t) = (t < 70 ? 10 + 0.1 * t : 17 - 0.4 * (t - 70)) + ps::draw::normal(rng, 0, 0.5);
  const Eigen::VectorXd scaled = y / 0.5;  // unit noise, as the cost assumes
  const auto r = ps::find_changepoints(ps::linear_trend_cost(scaled), {.penalty = {.kind = ps::penalty_kind::bic}});
  REQUIRE(r.changepoints.size() == 1);
  CHECK(std::abs(r.changepoints[0] - 70) <= 5);  // a kink: the discontinuous fit places it loosely
  CHECK(*r.segments[0].estimate.slope * 0.5 == Approx(0.1).margin(0.02));
  CHECK(*r.segments[1].estimate.slope * 0.5 == Approx(-0.4).margin(0.03));
}

TEST_CASE("Poisson: rates per segment and rate ratios across changes", "[changepoint][estimates]") {
  Eigen::VectorXd y(90);
  ps::pcg64 rng(25);
  for (Eigen::Index t = 0; t < 90; ++t) y(t) = static_cast<double>(ps::draw::poisson(rng, t < 30 ? 4.0 : t < 60 ? 12.0 : 6.0));
  const auto r = ps::find_changepoints(ps::poisson_cost(y));  // PELT, MBIC
  REQUIRE(r.changepoints.size() == 2);
  REQUIRE(r.rate_ratios.size() == 2);
  for (std::size_t k = 0; k < 2; ++k) {
    const auto& s0 = r.segments[k];
    const auto& s1 = r.segments[k + 1];
    CHECK(*s0.estimate.rate == Approx(y.segment(s0.start, s0.end - s0.start).mean()));
    CHECK(r.rate_ratios[k].value() == Approx(*s1.estimate.rate / *s0.estimate.rate));
  }
  CHECK(*r.rate_ratios[0] > 2);
  CHECK(*r.rate_ratios[1] < 0.7);
  CHECK(r.segments.front().start == 0);
  CHECK(r.segments.back().end == 90);
  CHECK(r.segments[1].start == r.changepoints[0]);  // R's cpt = first index of the next segment
  const std::string text = ps::format_changepoints(r);
  INFO(text);
  CHECK(text.find("Changepoint locations : " + std::to_string(r.changepoints[0]) + " " +
                  std::to_string(r.changepoints[1])) != std::string::npos);
  CHECK(text.find("[1, " + std::to_string(r.changepoints[0]) + "]") != std::string::npos);
  CHECK(text.find(" rate)") != std::string::npos);
}

TEST_CASE("Poisson: a change from a zero rate has no ratio, and says so", "[changepoint][estimates]") {
  Eigen::VectorXd y = Eigen::VectorXd::Zero(40);
  y.tail(20).setConstant(7);
  const auto r = ps::describe_segmentation(ps::poisson_cost(y), {20});
  REQUIRE(r.rate_ratios.size() == 1);
  CHECK_FALSE(r.rate_ratios[0].has_value());
  CHECK(r.warnings.size() == 1);
}

TEST_CASE("integer_logs gives std::log's own bits, as the table grows and beyond it", "[changepoint][cost]") {
  // The searches take MBIC's log(t - s) and the Poisson cost's log(count) from this table and
  // promise the same F(t), bit for bit, as optimal partitioning, which calls std::log.
  pilotstats::detail::integer_logs logs;
  CHECK(std::isinf(logs(0.0)));
  CHECK(logs(0.0) < 0);
  const auto same_bits = [](double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  bool all_same = true;
  for (double k : {1.0, 2.0, 3.0, 1023.0, 1024.0, 5000.0, 70001.0, 4194303.0, 4194304.0, 9.0e6, 1.0e12})
    all_same = all_same && same_bits(logs(k), std::log(k));
  for (double k = 1; k < 200000; k += 7) all_same = all_same && same_bits(logs(k), std::log(k));
  CHECK(all_same);
  const double* table = logs.through(300000.0);
  REQUIRE(table != nullptr);
  CHECK(same_bits(table[299999], std::log(299999.0)));
  CHECK(logs.through(1.0e9) == nullptr);  // past the table's largest size: no table
}
