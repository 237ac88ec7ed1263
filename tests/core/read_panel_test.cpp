// Tests for pilotstats/core/read_panel.hpp: CSV to panel, automatic and explicit columns, and
// an error test for every way a file can be wrong (each names file:line:column).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "pilotstats/core/read_panel.hpp"

using pilotstats::month;
using pilotstats::panel;
using pilotstats::panel_csv_options;
using pilotstats::parse_error;
using pilotstats::read_panel_text;
using Catch::Contains;

namespace {
const std::string data_dir = PILOTSTATS_TEST_DATA_DIR "/core/";
const std::string header = "borough,bcu,month,complaints,response_minutes,calls,bcu_start\n";

panel_csv_options borough() {
  panel_csv_options o;
  o.unit = "borough";
  return o;
}

// A header and `n` good rows for Camden from 2016-01 (lines 2..n+1), then `extra`.
std::string london(int n, const std::string& extra = "") {
  std::string text = header;
  for (int i = 0; i < n; ++i)
    text += "Camden,Central North," + (month(2016, 1) + i).to_string() + "," + std::to_string(10 + i) +
            ",8.5," + std::to_string(300 + i) + ",2016-04\n";
  return text + extra;
}

// Asserts that reading `text` as london.csv fails with a parse_error at line:column whose
// message contains every one of `words`.
void require_error(const std::string& text, std::size_t line, std::size_t column,
                   std::initializer_list<std::string> words, const panel_csv_options& o = borough()) {
  try {
    read_panel_text(text, "london.csv", o);
    FAIL("no exception for:\n" << text);
  } catch (const parse_error& e) {
    INFO(e.what());
    CHECK(e.source() == "london.csv");
    CHECK(e.line() == line);
    CHECK(e.column() == column);
    const std::string where = "london.csv:" + std::to_string(line) +
                              (column > 0 ? ":" + std::to_string(column) : std::string()) + ": ";
    CHECK_THAT(e.what(), Contains(where));
    for (const auto& w : words) CHECK_THAT(e.what(), Contains(w));
  }
}
}  // namespace

TEST_CASE("read_panel automatic mode: numeric columns are values, others attributes", "[core][read_panel]") {
  const panel p = pilotstats::read_panel_csv(data_dir + "london_small.csv", borough());
  CHECK(p.source() == data_dir + "london_small.csv");
  CHECK(p.units() == std::vector<std::string>{"Camden", "Islington", "Barnet"});
  CHECK(p.n_rows() == 22);
  CHECK(p.columns() == std::vector<std::string>{"complaints", "response_minutes", "calls"});
  CHECK(p.attributes() == std::vector<std::string>{"bcu", "bcu_start"});
  CHECK(p.first_month() == month(2016, 1));
  CHECK(p.last_month() == month(2016, 8));

  // Islington's rows are out of order in the file; the panel sorts them by month.
  const auto s = p.unit_series("Islington", "complaints");
  CHECK(s.months.front() == month(2016, 1));
  CHECK(s.values[0] == 20.0);
  CHECK(s.missing[6]);  // 2016-07 is an empty cell
  CHECK(p.unit_series("Camden", "complaints").missing[2]);  // 2016-03 is NA
  CHECK(p.unit_series("Camden", "response_minutes").values[1] == 8.5);

  CHECK(p.attribute(p.unit_index("Barnet"), "bcu") == "North West");
  CHECK(p.attribute_month(p.unit_index("Camden"), "bcu_start") == std::optional<month>(month(2016, 4)));
  CHECK_FALSE(p.attribute_month(p.unit_index("Barnet"), "bcu_start"));

  // Barnet has no rows for 2016-05 and 2016-06: a gap, reported and not filled.
  const auto gaps = p.gaps();
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].unit == "Barnet");
  CHECK(gaps[0].first == month(2016, 5));
  CHECK(gaps[0].last == month(2016, 6));
  CHECK(p.unit_rows(p.unit_index("Barnet")).size() == 6);
}

TEST_CASE("read_panel reads ';', CRLF, BOM and quoted files the same", "[core][read_panel]") {
  const panel a = pilotstats::read_panel_csv(data_dir + "london_small.csv", borough());
  const panel b = pilotstats::read_panel_csv(data_dir + "london_small_semicolon.csv", borough());
  CHECK(a.units() == b.units());
  CHECK(a.row_months() == b.row_months());
  CHECK(a.columns() == b.columns());
  for (const auto& c : a.columns()) {
    CHECK(a.missing(c) == b.missing(c));
    CHECK(a.column(c).array().isNaN().matrix() == b.column(c).array().isNaN().matrix());
    CHECK(a.column(c).array().isNaN().select(0.0, a.column(c)).isApprox(b.column(c).array().isNaN().select(0.0, b.column(c))));
  }
  CHECK(a.attribute(0, "bcu") == b.attribute(0, "bcu"));
}

TEST_CASE("read_panel explicit mode reads listed columns and ignores the rest", "[core][read_panel]") {
  panel_csv_options o = borough();
  o.values = {"calls"};
  o.attributes = {"bcu_start"};
  const panel p = read_panel_text(london(3), "london.csv", o);
  CHECK(p.columns() == std::vector<std::string>{"calls"});
  CHECK(p.attributes() == std::vector<std::string>{"bcu_start"});
  CHECK(p.column("calls")[2] == 302.0);

  // A listed attribute stays text even when it looks numeric.
  panel_csv_options a = borough();
  a.attributes = {"calls"};
  CHECK_THROWS_WITH(read_panel_text(london(2), "london.csv", a),
                    Contains("london.csv:3:6") && Contains("attribute changes within unit 'Camden'"));
}

TEST_CASE("read_panel numbers: trimmed, signed, exponents; NA and empty are missing", "[core][read_panel]") {
  const panel p = read_panel_text("unit,month,y\nA,2016-01, 1.5 \nA,2016-02,-2e3\nA,2016-03,+7\n"
                                  "A,2016-04,NA\nA,2016-05,\nA,2016-06,\" 3 \"\nA,2016-07,1e-320\n",
                                  "t.csv");
  const Eigen::VectorXd& y = p.column("y");
  CHECK(y[0] == 1.5);
  CHECK(y[1] == -2000.0);
  CHECK(y[2] == 7.0);
  CHECK(std::isnan(y[3]));
  CHECK(std::isnan(y[4]));
  CHECK(y[5] == 3.0);
  CHECK(y[6] >= 0.0);  // underflow is a (tiny) number, not an error
  CHECK(p.missing("y") == std::vector<bool>{false, false, false, true, true, false, false});

  panel_csv_options o;
  o.csv.missing_tokens = {"-", "."};
  o.values = {"y"};
  const panel q = read_panel_text("unit,month,y\nA,2016-01,-\nA,2016-02,.\n", "t.csv", o);
  CHECK(q.missing("y") == std::vector<bool>{true, true});
  REQUIRE_THROWS_WITH(read_panel_text("unit,month,y\nA,2016-01,\n", "t.csv", o),
                      Contains("t.csv:2:3") && Contains("expected a number or - or ., found ''"));
}

TEST_CASE("read_panel header only gives an empty panel", "[core][read_panel]") {
  const panel p = read_panel_text(header, "london.csv", borough());
  CHECK(p.n_rows() == 0);
  CHECK(p.n_units() == 0);
  CHECK(p.columns().size() == 5);  // with no cells, every column reads as numeric
}

TEST_CASE("read_panel error: non-numeric cell", "[core][read_panel][errors]") {
  panel_csv_options o = borough();
  o.values = {"complaints", "calls"};
  require_error(london(10, "Camden,Central North,2016-11,abc,8.5,310,2016-04\n"), 12, 4,
                {"london.csv:12:4: column 'complaints': expected a number or NA, found 'abc'"}, o);
  require_error(london(1, "Camden,Central North,2016-02,12x,8.5,310,2016-04\n"), 3, 4,
                {"column 'complaints'", "found '12x'"}, o);
  require_error(london(1, "Camden,Central North,2016-02,1.5.2,8.5,310,2016-04\n"), 3, 4, {"found '1.5.2'"}, o);
  require_error(london(1, "Camden,Central North,2016-02,0x1A,8.5,310,2016-04\n"), 3, 4, {"found '0x1A'"}, o);
  require_error(london(1, "Camden,Central North,2016-02,12,8.5,3 10,2016-04\n"), 3, 6,
                {"column 'calls'", "found '3 10'"}, o);
}

TEST_CASE("read_panel error: decimal comma gets a hint", "[core][read_panel][errors]") {
  panel_csv_options o;
  o.values = {"y"};
  require_error("unit;month;y\nA;2016-01;1,5\n", 2, 3, {"column 'y'", "found '1,5'", "decimal commas"}, o);
}

TEST_CASE("read_panel error: non-finite numbers", "[core][read_panel][errors]") {
  for (const char* bad : {"inf", "-inf", "nan", "NaN", "Infinity", "1e999"}) {
    INFO(bad);
    require_error(london(2, std::string("Camden,Central North,2016-03,") + bad + ",8.5,310,2016-04\n"), 4, 4,
                  {"column 'complaints'", "expected a finite number or NA", "found '" + std::string(bad) + "'"});
  }
}

TEST_CASE("read_panel error: ragged row", "[core][read_panel][errors]") {
  require_error(london(3, "Camden,Central North,2016-04,13,8.5\n"), 5, 6, {"expected 7 fields", "found 5"});
}

TEST_CASE("read_panel error: missing unit or month column lists the header", "[core][read_panel][errors]") {
  require_error(london(1), 1, 0, {"no column 'unit'", "the header has: borough, bcu, month, complaints"},
                panel_csv_options{});
  panel_csv_options o = borough();
  o.values = {"complaint"};
  require_error(london(1), 1, 0, {"no column 'complaint'", "response_minutes"}, o);
  try {
    read_panel_text(london(1), "london.csv", panel_csv_options{});
  } catch (const parse_error& e) {
    CHECK(std::string(e.what()).rfind("london.csv:1: no column 'unit'", 0) == 0);
  }
}

TEST_CASE("read_panel error: duplicate unit and month names both lines", "[core][read_panel][errors]") {
  require_error(london(5, "Camden,Central North,2016-03,99,8.5,310,2016-04\n"), 7, 3,
                {"duplicate row for unit 'Camden' and month 2016-03", "line 7 repeats line 4"});
}

TEST_CASE("read_panel error: bad month quotes the text", "[core][read_panel][errors]") {
  for (const char* bad : {"2016-13", "2016-1", "2016/01", "2016-01-01", "NA", ""}) {
    INFO(bad);
    require_error(london(2, std::string("Camden,Central North,") + bad + ",12,8.5,310,2016-04\n"), 4, 3,
                  {"column 'month'", "month \"" + std::string(bad) + "\"", "expected YYYY-MM"});
  }
}

TEST_CASE("read_panel error: unterminated quoted field names its first line", "[core][read_panel][errors]") {
  require_error(london(4, "Camden,\"Central North,2016-05,12,8.5,310,2016-04\nCamden,x,2016-06,1,2,3,4\n"), 6, 2,
                {"unterminated quoted field", "line 6"});
}

TEST_CASE("read_panel error: empty file has no header", "[core][read_panel][errors]") {
  require_error("", 1, 0, {"empty", "header"});
  require_error("\n\n", 1, 0, {"empty", "header"});
}

TEST_CASE("read_panel error: duplicate header names", "[core][read_panel][errors]") {
  require_error("borough,month,calls,calls\nCamden,2016-01,1,2\n", 1, 4,
                {"duplicate column name 'calls'", "also column 3"});
}

TEST_CASE("read_panel error: attribute varying within a unit", "[core][read_panel][errors]") {
  require_error(london(4, "Camden,Central South,2016-05,12,8.5,310,2016-04\n"), 6, 2,
                {"column 'bcu'", "unit 'Camden'", "'Central North' on line 2", "'Central South' on line 6"});
  // A missing value does not match a value either: "NA" on one row and "2016-04" on another.
  require_error(london(2, "Camden,Central North,2016-03,12,8.5,310,NA\n"), 4, 7,
                {"column 'bcu_start'", "'2016-04' on line 2", "'NA' on line 4"});
}

TEST_CASE("read_panel error: automatic mode reports a bad cell in a numeric column", "[core][read_panel][errors]") {
  // 'abc' makes the column text, but its numbers change within Camden: the cell is the error.
  require_error(london(10, "Camden,Central North,2016-11,abc,8.5,310,2016-04\n"), 12, 4,
                {"london.csv:12:4: column 'complaints': expected a number or NA, found 'abc'",
                 "changes within unit 'Camden'"});
  // A text column that varies is an attribute error, with the way out.
  require_error("unit,month,note\nA,2016-01,fine\nA,2016-02,late\n", 3, 3,
                {"column 'note'", "attribute changes within unit 'A'", "list the value columns"}, panel_csv_options{});
  panel_csv_options o;
  o.values = {"note"};
  require_error("unit,month,note,y\nA,2016-01,fine,1\nA,2016-02,late,2\n", 2, 3,
                {"column 'note'", "expected a number or NA, found 'fine'"}, o);
  o.values = {"y"};  // unlisted columns are ignored in explicit mode
  CHECK(read_panel_text("unit,month,note,y\nA,2016-01,fine,1\nA,2016-02,late,2\n", "t.csv", o).columns().size() == 1);
}

TEST_CASE("read_panel error: empty or missing unit cell", "[core][read_panel][errors]") {
  require_error(london(2, ",Central North,2016-03,12,8.5,310,2016-04\n"), 4, 1, {"column 'borough'", "unit is empty"});
  require_error(london(2, "NA,Central North,2016-03,12,8.5,310,2016-04\n"), 4, 1,
                {"column 'borough'", "unit is missing", "'NA'"});
}

TEST_CASE("read_panel error: a file that cannot be opened names the path", "[core][read_panel][errors]") {
  const std::string path = data_dir + "does_not_exist.csv";
  REQUIRE_THROWS_AS(pilotstats::read_panel_csv(path, borough()), pilotstats::invalid_input);
  REQUIRE_THROWS_WITH(pilotstats::read_panel_csv(path, borough()), Contains(path) && Contains("cannot open"));
}

TEST_CASE("panel_csv_options::validate rejects nonsense before reading", "[core][read_panel]") {
  const auto bad = [](auto edit) {
    panel_csv_options o = borough();
    edit(o);
    return o;
  };
  CHECK_THROWS_WITH(bad([](auto& o) { o.month = "borough"; }).validate(),
                    Contains("unit and month are both 'borough'"));
  CHECK_THROWS_WITH(bad([](auto& o) { o.unit = ""; }).validate(), Contains("unit is empty"));
  CHECK_THROWS_WITH(bad([](auto& o) { o.values = {"month"}; }).validate(), Contains("the month column"));
  CHECK_THROWS_WITH(bad([](auto& o) { o.values = {"a", "a"}; }).validate(), Contains("'a' twice"));
  CHECK_THROWS_WITH(bad([](auto& o) { o.attributes = {"borough"}; }).validate(), Contains("the unit column"));
  CHECK_THROWS_WITH(bad([](auto& o) { o.values = {"a"}, o.attributes = {"a"}; }).validate(),
                    Contains("both in values and in attributes"));
  CHECK_THROWS_AS(bad([](auto& o) { o.csv.separator = '\n'; }).validate(), pilotstats::invalid_input);
  CHECK_NOTHROW(borough().validate());
  // read functions validate first.
  CHECK_THROWS_AS(read_panel_text(london(1), "london.csv", bad([](auto& o) { o.month = "borough"; })),
                  pilotstats::invalid_input);
}
