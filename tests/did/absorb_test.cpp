// Absorbing unit and time effects: the exact within transformation, alternating projections,
// singletons and convergence. The reference for a demeaned column is the residual of the
// regression on unit and time dummies, computed here by least squares on the dummy design.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "did_data.hpp"
#include "pilotstats/did/absorb.hpp"
#include "pilotstats/linalg/least_squares.hpp"

namespace data = pilotstats_did_test;
using namespace pilotstats;
using Catch::Matchers::Contains;

namespace {

// Residuals of y on unit and time dummies (intercept, units 2.., times 2..), by QR.
Eigen::VectorXd dummy_residuals(const Eigen::VectorXd& y, const std::vector<std::string>& unit,
                                const std::vector<long>& time, const Eigen::VectorXd& weights = Eigen::VectorXd()) {
  const auto u = detail::encode_ids(unit);
  const auto t = detail::encode_ids(time);
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(y.size(), static_cast<Eigen::Index>(u.levels + t.levels - 1));
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    x(i, 0) = 1;
    if (u.code[static_cast<std::size_t>(i)] > 0) x(i, static_cast<Eigen::Index>(u.code[static_cast<std::size_t>(i)])) = 1;
    if (t.code[static_cast<std::size_t>(i)] > 0)
      x(i, static_cast<Eigen::Index>(u.levels + t.code[static_cast<std::size_t>(i)] - 1)) = 1;
  }
  least_squares_options o;
  o.weights = weights;
  return least_squares(x, y, o).residuals;
}

}  // namespace

TEST_CASE("absorb: the balanced within transformation equals the dummy regression's residuals", "[did][absorb]") {
  const auto p = data::prop99();
  const auto a = absorb(Eigen::MatrixXd(p.y), p.unit, p.time);
  CHECK(a.exact);
  CHECK(a.absorbed_rank == 39 + 31 - 1);
  CHECK(a.components == 1);
  const Eigen::VectorXd e = dummy_residuals(p.y, p.unit, p.time);
  CHECK((a.columns.col(0) - e).cwiseAbs().maxCoeff() < 1e-10 * e.cwiseAbs().maxCoeff());
}

TEST_CASE("absorb: alternating projections on an unbalanced, weighted panel reach the dummy residuals",
          "[did][absorb]") {
  std::vector<double> w;
  const auto p = data::drop_every_seventh(data::prop99(), &w);
  const Eigen::VectorXd weights = Eigen::Map<const Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(w.size()));
  for (const bool weighted : {false, true}) {
    absorb_options o;
    if (weighted) o.weights = weights;
    const auto a = absorb(Eigen::MatrixXd(p.y), p.unit, p.time, o);
    CHECK_FALSE(a.exact);
    CHECK(a.converged);
    CHECK(a.iterations > 1);
    const Eigen::VectorXd e = dummy_residuals(p.y, p.unit, p.time, weighted ? weights : Eigen::VectorXd());
    CHECK((a.columns.col(0) - e).cwiseAbs().maxCoeff() < 1e-8 * e.cwiseAbs().maxCoeff());
  }
}

TEST_CASE("absorb: too few iterations is a warning, not an error", "[did][absorb]") {
  const auto p = data::drop_every_seventh(data::prop99());
  absorb_options o;
  o.max_iterations = 1;
  const auto a = absorb(Eigen::MatrixXd(p.y), p.unit, p.time, o);
  CHECK_FALSE(a.converged);
  REQUIRE(a.warnings.size() == 1);
  CHECK_THAT(a.warnings[0], Contains("did not reach"));
}

TEST_CASE("absorb: singletons are kept by default (fixest's fixef.rm = \"perfect\") or dropped in one pass",
          "[did][absorb]") {
  // Units a, b, c over times 1..3, plus unit d seen once (time 1) and time 9 seen once (unit a).
  const std::vector<std::string> unit{"a", "a", "a", "b", "b", "b", "c", "c", "c", "d", "a"};
  const std::vector<long> time{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 9};
  Eigen::VectorXd y(11);
  y << 1, 4, 2, 5, 3, 8, 2, 2, 7, 4, 6;
  const auto kept = absorb(Eigen::MatrixXd(y), unit, time);
  CHECK(kept.singletons == 2);
  CHECK_FALSE(kept.singletons_dropped);
  CHECK(kept.rows.size() == 11);
  CHECK(kept.absorbed_rank == 4 + 4 - 1);
  CHECK(std::abs(kept.columns(9, 0)) < 1e-8);   // a singleton is fitted exactly (to the projections' tolerance)
  CHECK(std::abs(kept.columns(10, 0)) < 1e-8);
  REQUIRE(kept.warnings.size() == 1);
  CHECK_THAT(kept.warnings[0], Contains("2 singleton observation(s)") && Contains("kept"));

  absorb_options o;
  o.singletons = singleton_rule::drop_once;
  const auto dropped = absorb(Eigen::MatrixXd(y), unit, time, o);
  CHECK(dropped.singletons_dropped);
  CHECK(dropped.rows == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(dropped.exact);  // what is left is balanced
  CHECK_THAT(dropped.warnings[0], Contains("dropped"));
  // Without the singletons the demeaned column is unchanged (they carried no information).
  CHECK((dropped.columns.col(0) - kept.columns.col(0).head(9)).cwiseAbs().maxCoeff() < 1e-9);
}

TEST_CASE("absorb: a disconnected panel has one more component", "[did][absorb]") {
  const std::vector<int> unit{1, 1, 2, 2, 3, 3};
  const std::vector<int> time{1, 2, 1, 2, 7, 8};
  const auto a = absorb(Eigen::MatrixXd(Eigen::VectorXd::LinSpaced(6, 0, 5)), unit, time);
  CHECK(a.components == 2);
  CHECK(a.absorbed_rank == 3 + 4 - 2);
}

TEST_CASE("absorb: invalid input is named", "[did][absorb][errors]") {
  const std::vector<int> unit{1, 1, 2, 2};
  const std::vector<int> time{1, 2, 1, 2};
  Eigen::MatrixXd x(4, 1);
  x << 1, 2, std::nan(""), 4;
  CHECK_THROWS_WITH(absorb(x, unit, time), Contains("non-finite value (nan) at row 3"));
  CHECK_THROWS_WITH(absorb(x.topRows(3), unit, time), Contains("3 rows, but 4 unit ids"));
  absorb_options o;
  o.weights = Eigen::VectorXd::Ones(4);
  o.weights(1) = -1;
  x(2, 0) = 3;
  CHECK_THROWS_WITH(absorb(x, unit, time, o), Contains("weight of row 2"));
}
