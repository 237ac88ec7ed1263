// The SVG chart of the programs: round y grid values, escaped text, refusal of an empty chart.
#include <catch2/catch.hpp>

#include <regex>

#include "pilotstats/report/svg_chart.hpp"

using namespace pilotstats;

namespace {

std::vector<std::string> y_labels(const std::string& svg) {
  std::vector<std::string> out;
  const std::regex label("text-anchor=\"end\">([^<]*)</text>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), label); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

report::chart line(double low, double high) {
  return {"A & B <test>", "y", {{"y", {month(2014, 1), month(2015, 1)}, {low, high}}}, {}, {month(2014, 6)}};
}

}  // namespace

TEST_CASE("svg chart: the y grid sits at round values", "[report][svg]") {
  // The range is padded by 5% each side, and the step is the 1-2-5 value nearest a fifth of it:
  // 40..192 -> 32.4..199.6, a fifth 33.4 -> 20;  0.12..0.31 -> 0.1105..0.3195, 0.042 -> 0.05;
  // -3..3 -> -3.3..3.3, 1.32 -> 1.
  CHECK(y_labels(report::to_svg(line(40, 192))) ==
        std::vector<std::string>{"40", "60", "80", "100", "120", "140", "160", "180"});
  CHECK(y_labels(report::to_svg(line(0.12, 0.31))) == std::vector<std::string>{"0.15", "0.20", "0.25", "0.30"});
  CHECK(y_labels(report::to_svg(line(-3, 3))) == std::vector<std::string>{"-3", "-2", "-1", "0", "1", "2", "3"});
}

TEST_CASE("svg chart: text is escaped; an empty chart is an error", "[report][svg]") {
  const auto svg = report::to_svg(line(1, 2));
  CHECK(svg.find("A &amp; B &lt;test&gt;") != std::string::npos);
  CHECK_THROWS_WITH(report::to_svg(report::chart{}), Catch::Contains("nothing to draw"));
}

TEST_CASE("svg chart: shaded month spans, unlabelled series, staggered mark labels", "[report][svg]") {
  // x runs over 2014-01..2014-11: 810 px for 10 months, 81 px a month from x = 70. A span covers
  // its months' points, half a month either side, clipped to the plot.
  report::chart c{"spans", "y", {{"a", {month(2014, 1), month(2014, 11)}, {1, 2}}, {"", {month(2014, 1), month(2014, 11)}, {2, 1}},
                                  {"b", {month(2014, 1), month(2014, 11)}, {1, 1}}},
                  {}, {}, {{month(2014, 4), month(2014, 5), "#999999", "95% interval"}, {month(2014, 1), month(2014, 2)}}};
  const auto svg = report::to_svg(c);
  // 2014-04 is at 70 + 3 x 81 = 313, 2014-05 at 394: the span runs from 272.5 to 434.5
  CHECK(svg.find("<rect x=\"272.5\" y=\"48.0\" width=\"162.0\" height=\"322.0\" fill=\"#999999\"") != std::string::npos);
  CHECK(svg.find("<rect x=\"70.0\" y=\"48.0\" width=\"121.5\"") != std::string::npos);  // 70 .. 151 + 40.5
  // legend: "a" and "b" only (the unlabelled line has no entry), then the span's label
  const std::regex legend("<text x=\"[0-9.]+\" y=\"40.0\"[^>]*>([^<]*)</text>");
  std::vector<std::string> entries;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), legend); it != std::sregex_iterator(); ++it)
    entries.push_back((*it)[1]);
  CHECK(entries == std::vector<std::string>{"a", "b", "95% interval"});

  // Marks two months apart on a five-year axis (13.5 px a month) would overlap: the second label
  // goes one line down (y 60 -> 74); a mark a year later is back on the first line.
  report::chart marks{"marks", "y", {{"y", {month(2014, 1), month(2019, 1)}, {0, 1}}}, {},
                      {month(2018, 1), month(2016, 12), month(2017, 2)}};
  const auto svg2 = report::to_svg(marks);
  CHECK(svg2.find("y=\"60.0\">2016-12</text>") != std::string::npos);
  CHECK(svg2.find("y=\"74.0\">2017-02</text>") != std::string::npos);
  CHECK(svg2.find("y=\"60.0\">2018-01</text>") != std::string::npos);
}

TEST_CASE("svg chart: a series flat up to rounding gets a range of 1", "[report][svg]") {
  // 3 and 3 + 4e-16 (a segment mean that differs from the data by rounding): before the fix the
  // grid step fell below the precision of 3 and the grid loop never ended. Now 3 .. 4, padded to
  // 2.95 .. 4.05, a fifth 0.22 -> step 0.2.
  CHECK(y_labels(report::to_svg(line(3, 3 + 4e-16))) ==
        std::vector<std::string>{"3.0", "3.2", "3.4", "3.6", "3.8", "4.0"});
}
