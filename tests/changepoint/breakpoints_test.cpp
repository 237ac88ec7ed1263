// Bai-Perron breakpoints, BIC, the sup-F test and break-date intervals against R strucchange
// 1.5-3. The numbers are in breakpoints_reference.hpp, written by
//   Rscript tests/reference/breakpoints_reference.R > tests/changepoint/breakpoints_reference.hpp
// (each case names the strucchange calls; the data are in tests/data/changepoint/).
#include <catch2/catch.hpp>

#include <cmath>
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
