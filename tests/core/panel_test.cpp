// Tests for pilotstats/core/panel.hpp and series.hpp: building, ordering, gaps, attributes.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "pilotstats/core/panel.hpp"

using pilotstats::month;
using pilotstats::panel;
using pilotstats::panel_builder;
using Catch::Contains;

namespace {
constexpr double na = std::numeric_limits<double>::quiet_NaN();

// Two units added out of order, one with a two-month gap and a missing value.
panel small_panel() {
  return panel_builder({"y", "x"}, {"bcu", "start"})
      .source("built")
      .add_row("B", month(2016, 3), {3.0, 30.0})
      .add_row("A", month(2016, 2), {std::nullopt, 20.0})
      .add_row("A", month(2016, 1), {1.0, 10.0})
      .add_row("B", month(2015, 12), {0.5, na})
      .add_row("B", month(2016, 4), {4.0, 40.0})
      .add_row("A", month(2016, 5), {5.0, 50.0})
      .set_attribute("A", "bcu", "North")
      .set_attribute("A", "start", "2016-02")
      .set_attribute("B", "bcu", "South")
      .set_attribute("B", "start", "NA")
      .build();
}
}  // namespace

TEST_CASE("panel groups rows by unit in order of appearance, then by month", "[core][panel]") {
  const panel p = small_panel();
  CHECK(p.source() == "built");
  CHECK(p.n_units() == 2);
  CHECK(p.n_rows() == 6);
  CHECK(p.units() == std::vector<std::string>{"B", "A"});
  CHECK(p.row_months() == std::vector<month>{month(2015, 12), month(2016, 3), month(2016, 4),
                                             month(2016, 1), month(2016, 2), month(2016, 5)});
  CHECK(p.row_units() == std::vector<std::size_t>{0, 0, 0, 1, 1, 1});
  CHECK(p.unit_rows(0).begin == 0);
  CHECK(p.unit_rows(0).end == 3);
  CHECK(p.unit_rows(1).begin == 3);
  CHECK(p.unit_rows(1).size() == 3);
  CHECK(p.row_unit(4) == 1);
  CHECK(p.row_month(4) == month(2016, 2));
  CHECK(p.first_month() == month(2015, 12));
  CHECK(p.last_month() == month(2016, 5));
  CHECK(p.find_unit("A") == std::optional<std::size_t>(1));
  CHECK_FALSE(p.find_unit("C"));
  CHECK(p.unit_index("B") == 0);
  REQUIRE_THROWS_AS(p.unit_index("C"), pilotstats::domain_error);
  REQUIRE_THROWS_WITH(p.unit_index("C"), Contains("unknown unit 'C'") && Contains("units are: B, A"));
  CHECK_THROWS_AS(p.unit_rows(2), pilotstats::domain_error);
}

TEST_CASE("panel numeric columns are vectors over rows with NaN and a flag where missing", "[core][panel]") {
  const panel p = small_panel();
  CHECK(p.columns() == std::vector<std::string>{"y", "x"});
  CHECK(p.has_column("y"));
  CHECK_FALSE(p.has_column("bcu"));
  const Eigen::VectorXd& y = p.column("y");
  REQUIRE(y.size() == 6);
  CHECK(y[0] == 0.5);
  CHECK(y[3] == 1.0);
  CHECK(std::isnan(y[4]));
  CHECK(p.missing("y") == std::vector<bool>{false, false, false, false, true, false});
  CHECK(p.missing("x") == std::vector<bool>{true, false, false, false, false, false});
  REQUIRE_THROWS_AS(p.column("z"), pilotstats::domain_error);
  REQUIRE_THROWS_WITH(p.column("z"), Contains("unknown numeric column 'z'") && Contains("columns are: y, x"));
  REQUIRE_THROWS_WITH(p.missing("bcu"), Contains("'bcu' is a text attribute"));
}

TEST_CASE("panel unit_series cuts one unit's months without filling gaps", "[core][panel][series]") {
  const panel p = small_panel();
  const pilotstats::series s = p.unit_series("A", "y");
  CHECK(s.unit == "A");
  CHECK(s.column == "y");
  CHECK(s.months == std::vector<month>{month(2016, 1), month(2016, 2), month(2016, 5)});
  REQUIRE(s.size() == 3);
  CHECK(s.values[0] == 1.0);
  CHECK(std::isnan(s.values[1]));
  CHECK(s.values[2] == 5.0);
  CHECK(s.missing == std::vector<bool>{false, true, false});
  CHECK(s.n_observed() == 2);
  CHECK(s.find(month(2016, 5)) == std::optional<std::size_t>(2));
  CHECK_FALSE(s.find(month(2016, 3)));
  REQUIRE_THROWS_AS(p.unit_series("Z", "y"), pilotstats::domain_error);
}

TEST_CASE("panel gaps are reported, not filled in", "[core][panel][gaps]") {
  const panel p = small_panel();
  const auto gaps = p.gaps();
  REQUIRE(gaps.size() == 2);
  CHECK(gaps[0].unit == "B");
  CHECK(gaps[0].first == month(2016, 1));
  CHECK(gaps[0].last == month(2016, 2));
  CHECK(gaps[0].n_months() == 2);
  CHECK(gaps[1].unit == "A");
  CHECK(gaps[1].first == month(2016, 3));
  CHECK(gaps[1].last == month(2016, 4));
  CHECK(p.n_rows() == 6);  // nothing was invented
}

TEST_CASE("panel attributes are per unit; a missing token reads as no month", "[core][panel]") {
  const panel p = small_panel();
  CHECK(p.attributes() == std::vector<std::string>{"bcu", "start"});
  CHECK(p.has_attribute("bcu"));
  CHECK(p.attribute(0, "bcu") == "South");
  CHECK(p.attribute(1, "bcu") == "North");
  CHECK(p.attribute(0, "start") == "NA");
  CHECK(p.attribute_missing(0, "start"));
  CHECK_FALSE(p.attribute_month(0, "start"));
  CHECK(p.attribute_month(1, "start") == std::optional<month>(month(2016, 2)));
  REQUIRE_THROWS_AS(p.attribute_month(0, "bcu"), pilotstats::invalid_input);
  REQUIRE_THROWS_WITH(p.attribute_month(0, "bcu"),
                      Contains("attribute 'bcu'") && Contains("unit 'B'") && Contains("\"South\""));
  REQUIRE_THROWS_WITH(p.attribute(0, "pilot"), Contains("unknown attribute 'pilot'") && Contains("bcu, start"));
}

TEST_CASE("panel_builder rejects duplicates, wrong widths and infinities", "[core][panel]") {
  panel_builder b({"y"});
  b.add_row("A", month(2016, 1), {1.0});
  b.add_row("A", month(2016, 1), {2.0});
  REQUIRE_THROWS_WITH(b.build(), Contains("duplicate row for unit 'A' and month 2016-01") &&
                                     Contains("rows 1 and 2"));

  panel_builder w({"y", "x"});
  REQUIRE_THROWS_WITH(w.add_row("A", month(2016, 1), {1.0}), Contains("has 1 values") && Contains("2 columns"));
  const double inf = std::numeric_limits<double>::infinity();
  REQUIRE_THROWS_WITH(w.add_row("A", month(2016, 1), {1.0, -inf}), Contains("-inf in column 'x'"));
  CHECK(w.build().n_rows() == 0);  // rejected rows left nothing behind

  CHECK_THROWS_AS(panel_builder({"y", "y"}), pilotstats::invalid_input);
  CHECK_THROWS_AS(panel_builder({"y"}, {"y"}), pilotstats::invalid_input);
  CHECK_THROWS_AS(panel_builder({"y"}).add_row("", month(2016, 1), {1.0}), pilotstats::invalid_input);
  CHECK_THROWS_AS(panel_builder({"y"}).add_row("A", month(), {1.0}), pilotstats::invalid_input);

  panel_builder a({"y"}, {"bcu"});
  a.set_attribute("A", "bcu", "N");
  CHECK_NOTHROW(a.set_attribute("A", "bcu", "N"));
  REQUIRE_THROWS_WITH(a.set_attribute("A", "bcu", "S"), Contains("'N'") && Contains("'S'"));
  CHECK_THROWS_AS(a.set_attribute("A", "other", "x"), pilotstats::invalid_input);
  REQUIRE_THROWS_WITH(a.build(), Contains("unit 'A' has attributes but no rows"));
}

TEST_CASE("panel_builder takes rows as spans of doubles with NaN for missing", "[core][panel]") {
  const std::vector<double> r1{1.0, na}, r2{2.0, 3.0};
  const panel p = panel_builder({"y", "x"}).add_row("A", month(2016, 1), r1).add_row("A", month(2016, 2), r2).build();
  CHECK(p.missing("x") == std::vector<bool>{true, false});
  CHECK(p.attributes().empty());
}

TEST_CASE("an empty panel has no months", "[core][panel]") {
  const panel p = panel_builder({"y"}).build();
  CHECK(p.n_rows() == 0);
  CHECK(p.n_units() == 0);
  CHECK(p.gaps().empty());
  CHECK(p.column("y").size() == 0);
  REQUIRE_THROWS_AS(p.first_month(), pilotstats::domain_error);
  CHECK(panel().n_rows() == 0);
}
