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
