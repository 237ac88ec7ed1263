// Tests for pilotstats/core/month.hpp: parsing, printing and calendar arithmetic.
#include <catch2/catch.hpp>

#include <sstream>
#include <unordered_set>

#include "pilotstats/core/month.hpp"

using pilotstats::month;

TEST_CASE("month stores year and month of year", "[core][month]") {
  const month m(2016, 12);
  CHECK(m.year() == 2016);
  CHECK(m.month_of_year() == 12);
  CHECK(m.to_string() == "2016-12");
  CHECK(month(2016, 1).to_string() == "2016-01");
  CHECK(month(1, 1).to_string() == "0001-01");
  CHECK(month(9999, 12).to_string() == "9999-12");
  std::ostringstream out;
  out << month(2020, 3);
  CHECK(out.str() == "2020-03");
}

TEST_CASE("month constructor rejects out-of-range parts", "[core][month]") {
  REQUIRE_THROWS_AS(month(2016, 0), pilotstats::invalid_input);
  REQUIRE_THROWS_WITH(month(2016, 13), Catch::Contains("13") && Catch::Contains("1..12"));
  REQUIRE_THROWS_WITH(month(0, 5), Catch::Contains("year is 0"));
  REQUIRE_THROWS_AS(month(10000, 1), pilotstats::invalid_input);
}

TEST_CASE("month::parse reads exactly YYYY-MM", "[core][month]") {
  CHECK(month::parse("2016-01") == month(2016, 1));
  CHECK(month::parse("2016-12") == month(2016, 12));
  CHECK(month::parse("0001-01") == month(1, 1));
  CHECK(month::parse("1999-10").to_string() == "1999-10");
  for (int y : {1, 999, 2016, 9999})
    for (int m = 1; m <= 12; ++m) CHECK(month::parse(month(y, m).to_string()) == month(y, m));
}

TEST_CASE("month::parse rejects anything else and quotes the text", "[core][month]") {
  for (const char* bad : {"2016-1", "2016-00", "2016-13", "16-01", "2016/01", "2016-01-01", " 2016-01",
                          "2016-01 ", "", "2016", "201a-01", "2016-1a", "+016-01", "2016--1", "2016_01",
                          "Jan 2016", "2016-011"}) {
    INFO("text: '" << bad << "'");
    REQUIRE_THROWS_AS(month::parse(bad), pilotstats::invalid_input);
    REQUIRE_THROWS_WITH(month::parse(bad), Catch::Contains("month \"" + std::string(bad) + "\"") &&
                                               Catch::Contains("expected YYYY-MM"));
  }
  REQUIRE_THROWS_WITH(month::parse("2016-13"),
                      "month \"2016-13\": expected YYYY-MM with month 01..12");
  REQUIRE_THROWS_WITH(month::parse("0000-05"), Catch::Contains("year 0001..9999"));
}

TEST_CASE("month arithmetic crosses year boundaries", "[core][month]") {
  const month dec(2016, 12);
  CHECK(dec + 1 == month(2017, 1));
  CHECK(1 + dec == month(2017, 1));
  CHECK(month(2017, 1) - 1 == dec);
  CHECK(dec + 12 == month(2017, 12));
  CHECK(dec + 25 == month(2019, 1));
  CHECK(dec - 12 == month(2015, 12));
  CHECK(dec - 23 == month(2015, 1));
  CHECK(month(2016, 3) + (-3) == month(2015, 12));
  CHECK(month(2016, 1) + 0 == month(2016, 1));

  month m(2016, 11);
  CHECK(++m == month(2016, 12));
  CHECK(m++ == month(2016, 12));
  CHECK(m == month(2017, 1));
  CHECK(--m == month(2016, 12));
  m += 14;
  CHECK(m == month(2018, 2));
  m -= 2;
  CHECK(m == month(2017, 12));
}

TEST_CASE("month differences are signed counts of months", "[core][month]") {
  CHECK(month(2017, 1) - month(2016, 12) == 1);
  CHECK(month(2016, 12) - month(2017, 1) == -1);
  CHECK(month(2016, 1) - month(2016, 1) == 0);
  CHECK(month(2020, 3) - month(2016, 9) == 42);  // 3 years 6 months
  CHECK(month(2016, 9) - month(2020, 3) == -42);
  for (int k = -30; k <= 30; ++k) CHECK((month(2016, 6) + k) - month(2016, 6) == k);
}

TEST_CASE("month ordering, index and hashing", "[core][month]") {
  CHECK(month(2016, 12) < month(2017, 1));
  CHECK(month(2016, 2) > month(2016, 1));
  CHECK(month(2016, 2) <= month(2016, 2));
  CHECK(month(2016, 2) != month(2016, 3));
  CHECK(month(2016, 1).index() == 2016 * 12);
  CHECK(month(2016, 12).index() == 2016 * 12 + 11);
  std::unordered_set<month> set{month(2016, 1), month(2016, 1), month(2016, 2)};
  CHECK(set.size() == 2);
}

TEST_CASE("month arithmetic outside years 0001..9999 throws", "[core][month]") {
  CHECK_THROWS_AS(month(1, 1) - 1, pilotstats::invalid_input);
  CHECK_THROWS_AS(month(9999, 12) + 1, pilotstats::invalid_input);
  CHECK(month(9999, 11) + 1 == month(9999, 12));
  month m(1, 1);
  CHECK_THROWS_AS(--m, pilotstats::invalid_input);
  CHECK(m == month(1, 1));  // unchanged after the failed step
}
