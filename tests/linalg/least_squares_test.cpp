// least_squares beyond NIST's designs: bad input, weights, rank deficiency as R reports it,
// and the tall-matrix (TSQR) path.
#include <catch2/catch.hpp>

#include <string>

#include "../support/numeric_csv.hpp"
#include "pilotstats/linalg/least_squares.hpp"

using namespace pilotstats;
using pilotstats_test::log_relative_error;
using pilotstats_test::read_numeric_csv;

namespace {

Eigen::MatrixXd polynomial_design(const Eigen::VectorXd& x, int degree) {
  Eigen::MatrixXd d(x.size(), degree + 1);
  for (int j = 0; j <= degree; ++j) d.col(j) = x.array().pow(j);
  return d;
}

}  // namespace

TEST_CASE("least_squares: bad input is an error that says what and where", "[linalg][least_squares]") {
  Eigen::MatrixXd x(4, 2);
  x << 1, 0, 1, 1, 1, 2, 1, 3;
  Eigen::VectorXd y(4);
  y << 1, 2, 3, 5;
  CHECK_THROWS_WITH(least_squares(x, Eigen::VectorXd::Ones(3)), Catch::Contains("y has 3 rows but X has 4"));
  CHECK_THROWS_WITH(least_squares(x, y, {.names = {"a"}}), Catch::Contains("1 names given for 2 columns"));
  Eigen::VectorXd w = Eigen::VectorXd::Ones(4);
  w(2) = -1;
  CHECK_THROWS_WITH(least_squares(x, y, {.weights = w}), Catch::Contains("weight of row 3 is -1"));
  CHECK_THROWS_WITH(least_squares(x, y, {.weights = Eigen::VectorXd::Zero(4)}), Catch::Contains("every weight is zero"));
  Eigen::MatrixXd bad = x;
  bad(1, 1) = std::nan("");
  CHECK_THROWS_WITH(least_squares(bad, y), Catch::Contains("X has a non-finite value") && Catch::Contains("row 2, column 2"));
  Eigen::VectorXd bad_y = y;
  bad_y(3) = INFINITY;
  CHECK_THROWS_WITH(least_squares(x, bad_y), Catch::Contains("y has a non-finite value") && Catch::Contains("row 4"));
  CHECK_THROWS_AS(least_squares(x, y, {.tolerance = 0}), invalid_input);
  CHECK_THROWS_AS(least_squares(x, y, {.refinement_steps = -1}), invalid_input);
}

TEST_CASE("least_squares: a zero weight removes the row from the fit, n and df, as lm does",
          "[linalg][least_squares]") {
  const std::string dir = std::string(PILOTSTATS_TEST_DATA_DIR) + "/nist/";
  const auto data = read_numeric_csv(dir + "norris.csv");
  const Eigen::MatrixXd x = polynomial_design(data.column("x"), 1);
  const Eigen::VectorXd y = data.column("y");
  Eigen::VectorXd w = Eigen::VectorXd::Ones(y.size());
  w(0) = 0;
  w(10) = 0;
  const auto weighted = least_squares(x, y, {.weights = w});
  std::vector<Eigen::Index> kept;
  for (Eigen::Index i = 0; i < y.size(); ++i)
    if (w(i) > 0) kept.push_back(i);
  const auto subset = least_squares(x(kept, Eigen::all), y(kept));
  CHECK(weighted.n == 34);
  CHECK(weighted.df_residual == 32);
  CHECK((weighted.coefficients - subset.coefficients).norm() < 1e-12 * subset.coefficients.norm());
  CHECK(weighted.sigma == Approx(subset.sigma).epsilon(1e-12));
  CHECK(weighted.hat(0) == 0);
  // A zero-weight row keeps its residual y - x b.
  CHECK(weighted.residuals(10) == Approx(y(10) - x.row(10).dot(weighted.coefficients)).epsilon(1e-12));
}

TEST_CASE("least_squares: more columns than rows leaves the trailing columns aliased, as lm does",
          "[linalg][least_squares]") {
  // R: lm(y ~ x1 + x2 + x3 + x4 - 1) on 3 rows reports x4 as NA (and is exact on the rest).
  Eigen::MatrixXd x(3, 4);
  x << 1, 0, 2, 1, 1, 1, 0, 3, 1, 2, 5, 2;
  Eigen::VectorXd y(3);
  y << 1, 4, 2;
  const auto fit = least_squares(x, y, {.names = {"x1", "x2", "x3", "x4"}});
  CHECK(fit.rank == 3);
  CHECK(fit.aliased == std::vector<std::string>{"x4"});
  CHECK(fit.df_residual == 0);
  CHECK(fit.residuals.norm() < 1e-12);
  CHECK_FALSE(fit.warnings.empty());
}

TEST_CASE("least_squares: an exactly collinear column is the later one, wherever it stands",
          "[linalg][least_squares]") {
  // R: lm(y ~ a + b + c) with b = 2 a reports b as NA, with c after it kept.
  Eigen::MatrixXd x(6, 4);
  x << 1, 1, 2, 5, 1, 2, 4, 3, 1, 3, 6, 8, 1, 4, 8, 1, 1, 5, 10, 9, 1, 6, 12, 2;
  Eigen::VectorXd y(6);
  y << 1, 3, 2, 5, 4, 6;
  const auto fit = least_squares(x, y, {.names = {"(Intercept)", "a", "b", "c"}});
  CHECK(fit.aliased == std::vector<std::string>{"b"});
  CHECK(fit.kept == std::vector<Eigen::Index>{0, 1, 3});
}

TEST_CASE("least_squares: the tall-matrix path (TSQR) keeps NIST's certified digits",
          "[linalg][least_squares][nist]") {
  // Repeating every row r times leaves the least-squares coefficients unchanged, so NIST's
  // certified coefficients still hold; r is chosen so that n is well past the chunk size.
  const std::string dir = std::string(PILOTSTATS_TEST_DATA_DIR) + "/nist/";
  struct tall_case {
    const char* name;
    int degree;
    double required_lre;
  };
  for (const auto& c : {tall_case{"filip", 10, 7}, tall_case{"wampler4", 5, 9}, tall_case{"wampler5", 5, 9},
                        tall_case{"pontius", 2, 9}}) {
    SECTION(c.name) {
      const auto data = read_numeric_csv(dir + c.name + ".csv");
      const auto certified = read_numeric_csv(dir + c.name + "_certified.csv");
      const Eigen::MatrixXd x = polynomial_design(data.column("x"), c.degree);
      const Eigen::VectorXd y = data.column("y");
      const Eigen::Index repeats = 60000 / x.rows() + 1;
      Eigen::MatrixXd tall_x(x.rows() * repeats, x.cols());
      Eigen::VectorXd tall_y(y.size() * repeats);
      for (Eigen::Index r = 0; r < repeats; ++r) {
        tall_x.middleRows(r * x.rows(), x.rows()) = x;
        tall_y.segment(r * y.size(), y.size()) = y;
      }
      const auto fit = least_squares(tall_x, tall_y);
      REQUIRE(fit.aliased.empty());
      for (Eigen::Index j = 0; j < fit.coefficients.size(); ++j) {
        INFO(c.name << " b" << j << " = " << fit.coefficients(j) << ", certified " << certified.values(j, 0));
        CHECK(log_relative_error(fit.coefficients(j), certified.values(j, 0)) >= c.required_lre);
      }
      // Leverages of r identical copies of a row are 1/r of the original ones, and sum to the rank.
      CHECK(fit.hat.sum() == Approx(static_cast<double>(fit.rank)).epsilon(1e-9));
    }
  }
}
