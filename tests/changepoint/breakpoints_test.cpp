// Bai-Perron breakpoints, BIC, the sup-F test and break-date intervals against R strucchange
// 1.5-3. The numbers are in breakpoints_reference.hpp, written by
//   Rscript tests/reference/breakpoints_reference.R > tests/changepoint/breakpoints_reference.hpp
// (each case names the strucchange calls; the data are in tests/data/changepoint/).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "../support/numeric_csv.hpp"
#include "breakpoints_reference.hpp"
#include "pilotstats/changepoint/breakpoints.hpp"

namespace {
namespace ps = pilotstats;

Eigen::VectorXd series(const std::string& name) {
  return pilotstats_test::read_numeric_csv(std::string(PILOTSTATS_TEST_DATA_DIR) + "/changepoint/" + name + ".csv")
      .column("y");
}

// The regressors of the R script's designs, built the same way.
Eigen::MatrixXd design(const std::string& data, const std::string& kind, Eigen::Index n) {
  if (kind == "level") return Eigen::MatrixXd::Ones(n, 1);
  if (kind == "level_trend") {
    Eigen::MatrixXd x(n, 2);
    for (Eigen::Index t = 0; t < n; ++t) x.row(t) << 1.0, static_cast<double>(t + 1);
    return x;
  }
  if (kind == "level_fourier") {  // cbind(1, sin(2 pi t / 12), cos(2 pi t / 12)), t = 1..n
    Eigen::MatrixXd x(n, 3);
    for (Eigen::Index t = 0; t < n; ++t) {
      const double a = 2 * std::numbers::pi * static_cast<double>(t + 1) / 12;
      x.row(t) << 1.0, std::sin(a), std::cos(a);
    }
    return x;
  }
  if (kind == "month_dummies") {  // model.matrix(~ factor(month)): intercept, months 2..12
    const Eigen::VectorXd month =
        pilotstats_test::read_numeric_csv(std::string(PILOTSTATS_TEST_DATA_DIR) + "/changepoint/" + data + ".csv")
            .column("month");
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, 12);
    for (Eigen::Index t = 0; t < n; ++t) {
      x(t, 0) = 1;
      const auto m = static_cast<Eigen::Index>(month(t));
      if (m >= 2) x(t, m - 1) = 1;
    }
    return x;
  }
  FAIL("unknown design " << kind);
  return {};
}

}  // namespace

TEST_CASE("breakpoints: RSS, BIC, breaks, coefficients and intervals as strucchange", "[changepoint][breakpoints]") {
  for (const auto& c : breakpoints_reference_cases) {
    INFO(c.data << " / " << c.design << ", h = " << c.h);
    const Eigen::VectorXd y = series(c.data);
    const Eigen::MatrixXd x = design(c.data, c.design, y.size());
    const auto r = ps::breakpoints(y, x, {.h = c.h});
    REQUIRE(r.h == c.h_count);
    REQUIRE(r.max_breaks == c.max_breaks);
    REQUIRE(r.fits.size() == c.rss.size());
    for (std::size_t m = 0; m < r.fits.size(); ++m) {
      INFO("m = " << m);
      CHECK(r.fits[m].rss == Approx(c.rss[m]).epsilon(1e-8));  // summary(bp)$RSS["RSS", ]
      CHECK(r.fits[m].bic == Approx(c.bic[m]).epsilon(1e-8));  // summary(bp)$RSS["BIC", ]
      if (m > 0) {
        const auto& want = c.breakpoints[m - 1];  // breakpoints(bp, breaks = m)$breakpoints
        REQUIRE(r.fits[m].breakpoints.size() == want.size());
        for (std::size_t j = 0; j < want.size(); ++j) CHECK(r.fits[m].breakpoints[j] == want[j]);
      }
    }
    CHECK(r.chosen_breaks == c.chosen);  // breakpoints(bp)
    for (const auto& w : r.warnings) CHECK_THAT(w, !Catch::Contains("rank-deficient"));
    REQUIRE(r.segments.size() == c.coefficients.size());
    for (std::size_t s = 0; s < r.segments.size(); ++s)  // coef(bp, breaks = m)
      for (std::size_t j = 0; j < c.coefficients[s].size(); ++j)
        CHECK(r.segments[s].coefficients(static_cast<Eigen::Index>(j)) ==
              Approx(c.coefficients[s][j]).epsilon(1e-8).margin(1e-10));
    REQUIRE(r.intervals.size() == c.confint.size());  // confint(bp, breaks = m)$confint
    for (std::size_t i = 0; i < c.confint.size(); ++i) {
      CHECK(r.intervals[i].breakpoint == c.confint[i][1]);
      CHECK(r.intervals[i].computed == (c.confint[i][0] != -1));
      if (r.intervals[i].computed) {
        CHECK(r.intervals[i].lower == c.confint[i][0]);
        CHECK(r.intervals[i].upper == c.confint[i][2]);
        // before rounding: uniroot's tolerance is eps^(1/4), so its roots, and ours (the same
        // Brent steps), agree far better than that only because the function values agree
        CHECK(r.intervals[i].upper_distance == Approx(c.distances[i][0]).epsilon(1e-6));
        CHECK(r.intervals[i].lower_distance == Approx(c.distances[i][1]).epsilon(1e-6));
      }
    }
    // the RSS triangle itself: bp$RSS(i, j) over observations i..j is [i - 1, j) here
    const ps::detail::rss_triangle tri(y, x, r.h);
    for (const auto& [i, j, v] : c.rss_spots) CHECK(tri(i - 1, j) == Approx(v).epsilon(1e-8));

    // sctest(Fstats(y ~ X), type = "supF")
    const auto f = ps::supf_test(y, x);
    CHECK(f.statistic == Approx(c.supf).epsilon(1e-8));
    CHECK(f.breakpoint == c.supf_break);
    // strucchange computes 1 - pchisq(...), exact to about 2e-16 absolute; ours by complement
    CHECK(f.p_value == Approx(c.supf_p).epsilon(1e-8).margin(5e-16));
  }
}

TEST_CASE("sup-F p-values: Hansen's response surface as strucchange's pvalue.Fstats", "[changepoint][breakpoints]") {
  for (const auto& [x, k, lambda, p] : supf_p_value_reference) {
    INFO("x = " << x << ", k = " << k << ", lambda = " << lambda);
    const auto r = ps::supf_p_value(x, static_cast<Eigen::Index>(k), lambda);
    CHECK(r.p_value == Approx(p).epsilon(1e-10).margin(1e-15));
    CHECK(r.k_truncated == (k > 40));
  }
}

TEST_CASE("break-date distribution as strucchange's pargmaxV (Bai 1997)", "[changepoint][breakpoints]") {
  for (const auto& [x, xi, phi1, phi2, p] : argmax_v_reference) {
    INFO("x = " << x << ", xi = " << xi << ", phi1 = " << phi1 << ", phi2 = " << phi2);
    CHECK(ps::detail::argmax_v_cdf(x, xi, phi1, phi2) == Approx(p).epsilon(1e-12).margin(1e-15));
  }
}

TEST_CASE("breakpoints: with no break chosen, and with max_breaks", "[changepoint][breakpoints]") {
  const Eigen::VectorXd y = series("nile");
  const Eigen::MatrixXd x = Eigen::MatrixXd::Ones(y.size(), 1);
  // max_breaks = 2 keeps summary's columns 0..2 (the same optimal segmentations)
  const auto two = ps::breakpoints(y, x, {.h = 15, .max_breaks = 2});
  REQUIRE(two.fits.size() == 3);
  CHECK(two.fits[2].breakpoints == std::vector<Eigen::Index>{28, 83});
  CHECK(two.breakpoints == std::vector<Eigen::Index>{28});
  const auto many = ps::breakpoints(y, x, {.h = 15, .max_breaks = 9});
  CHECK(many.max_breaks == 5);
  CHECK_FALSE(many.warnings.empty());
  // white noise: BIC chooses no break, one segment, no intervals
  Eigen::VectorXd flat(60);
  for (Eigen::Index t = 0; t < 60; ++t) flat(t) = std::sin(1.7 * static_cast<double>(t * t));
  const auto none = ps::breakpoints(flat, Eigen::MatrixXd::Ones(60, 1));
  CHECK(none.chosen_breaks == 0);
  CHECK(none.breakpoints.empty());
  CHECK(none.segments.size() == 1);
  CHECK(none.intervals.empty());
  CHECK(none.segments[0].coefficients(0) == Approx(flat.mean()).epsilon(1e-12));
}

TEST_CASE("breakpoints: a regressor zero over the first rows of segments is flagged", "[changepoint][breakpoints]") {
  // strucchange: breakpoints(Nile ~ d, h = 15), d = 1:100 > 50, gives RSS(1, n) = 2458123.466
  // from recursive residuals started on rank-deficient rows; least squares gives less.
  const Eigen::VectorXd y = series("nile");
  Eigen::MatrixXd x(100, 2);
  for (Eigen::Index t = 0; t < 100; ++t) x.row(t) << 1.0, (t >= 50 ? 1.0 : 0.0);
  const auto r = ps::breakpoints(y, x, {.h = 15});
  CHECK(r.fits[0].rss < 2458123.466);
  bool flagged = false;
  for (const auto& w : r.warnings) flagged = flagged || w.find("85 of the 86 segment starts") != std::string::npos;
  CHECK(flagged);
}

TEST_CASE("breakpoints and supf_test: errors", "[changepoint][breakpoints][errors]") {
  const Eigen::VectorXd y = series("nile");
  const Eigen::MatrixXd one = Eigen::MatrixXd::Ones(y.size(), 1);
  CHECK_THROWS_AS(ps::breakpoints(y, one, {.h = 0}), ps::invalid_input);
  CHECK_THROWS_AS(ps::breakpoints(y, one, {.h = -0.1}), ps::invalid_input);
  CHECK_THROWS_AS(ps::breakpoints(y, one, {.h = 2.5}), ps::invalid_input);       // a count must be whole
  CHECK_THROWS_AS(ps::breakpoints(y, one, {.h = 51}), ps::invalid_input);        // more than n / 2
  CHECK_THROWS_AS(ps::breakpoints(y, one, {.h = 0.005}), ps::invalid_input);     // floor(0.5) = 0 <= k
  CHECK_THROWS_AS(ps::breakpoints(y, Eigen::MatrixXd::Ones(y.size(), 12), {.h = 12}), ps::invalid_input);  // h <= k
  CHECK_THROWS_AS(ps::breakpoints(y, one, {.max_breaks = 0}), ps::invalid_input);
  CHECK_THROWS_AS(ps::breakpoints(y, one, {.level = 1}), ps::invalid_input);
  CHECK_THROWS_AS(ps::breakpoints(y.head(3), Eigen::MatrixXd::Ones(3, 1), {.h = 1}), ps::invalid_input);  // too few
  CHECK_THROWS_AS(ps::breakpoints(y, Eigen::MatrixXd::Ones(y.size() - 1, 1)), ps::invalid_input);
  Eigen::VectorXd bad = y;
  bad(7) = std::nan("");
  CHECK_THROWS_WITH(ps::breakpoints(bad, one), Catch::Contains("observation 8"));
  Eigen::MatrixXd xbad = one;
  xbad(3, 0) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(ps::breakpoints(y, xbad), ps::invalid_input);
  CHECK_THROWS_AS(ps::supf_test(bad, one), ps::invalid_input);
  CHECK_THROWS_AS(ps::supf_test(y.head(3), Eigen::MatrixXd::Ones(3, 1)), ps::invalid_input);
  CHECK_THROWS_AS(ps::supf_test(y, one, {.from = 0}), ps::invalid_input);
  CHECK_THROWS_AS(ps::supf_test(y, one, {.from = 10.5}), ps::invalid_input);
  CHECK_THROWS_AS(ps::supf_test(y, one, {.from = 60}), ps::invalid_input);  // from > to = 40
  CHECK_THROWS_AS(ps::supf_p_value(std::nan(""), 1, 2), ps::invalid_input);
}

TEST_CASE("breakpoints and supf_test refuse a series the model fits exactly", "[changepoint][breakpoints]") {
  const Eigen::VectorXd flat = Eigen::VectorXd::Constant(40, 3.0);
  const Eigen::MatrixXd level = Eigen::MatrixXd::Ones(40, 1);
  CHECK_THROWS_WITH(pilotstats::supf_test(flat, level), Catch::Matchers::Contains("fit y exactly"));
  CHECK_THROWS_WITH(pilotstats::breakpoints(flat, level), Catch::Matchers::Contains("fit y exactly"));
  // A straight line under a level-and-trend model, likewise; with a little noise both run.
  Eigen::MatrixXd trend(40, 2);
  Eigen::VectorXd line(40), noisy(40);
  for (int i = 0; i < 40; ++i) {
    trend.row(i) << 1.0, i;
    line(i) = 2 + 0.5 * i;
    noisy(i) = line(i) + ((i * 7) % 5 - 2) * 0.1;
  }
  CHECK_THROWS_WITH(pilotstats::breakpoints(line, trend), Catch::Matchers::Contains("fit y exactly"));
  CHECK_NOTHROW(pilotstats::breakpoints(noisy, trend));
  CHECK_NOTHROW(pilotstats::supf_test(noisy, trend));
}
