// pilotstats/report/svg_chart.hpp: a small line chart in SVG for the programs' --svg output:
// observed points, lines (solid or dashed), a shaded band, vertical marks and shaded month
// spans (a break date's confidence interval), months on x. A series with an empty label is
// drawn without a legend entry (one entry for many segment lines).
#pragma once

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/core/month.hpp"

namespace pilotstats::report {

struct chart_series {
  std::string label;
  std::vector<month> x;
  std::vector<double> y;
  std::string colour = "#1f77b4";
  bool points = false;  // markers instead of a line
  bool dashed = false;
};

struct chart_band {
  std::vector<month> x;
  std::vector<double> low, high;
  std::string colour = "#ff7f0e";
};

// A shaded vertical band over the months first..last (inclusive), full chart height.
struct chart_span {
  month first, last;
  std::string colour = "#999999";
  std::string label;  // legend entry; empty: none
};

struct chart {
  std::string title, y_label;
  std::vector<chart_series> series;
  std::vector<chart_band> bands;
  std::vector<month> marks;  // vertical lines (interruptions)
  std::vector<chart_span> spans;
};

// Text for an SVG element: &, < and > escaped (unit names such as "Barking & Dagenham").
inline std::string xml_escape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '&') out += "&amp;";
    else if (ch == '<') out += "&lt;";
    else if (ch == '>') out += "&gt;";
    else out += ch;
  }
  return out;
}

inline std::string to_svg(const chart& c, int width = 900, int height = 420) {
  const double left = 70, right = 20, top = 48, bottom = 50;
  month first = month(9999, 12), last = month(1, 1);
  double low = INFINITY, high = -INFINITY;
  auto extend = [&](const std::vector<month>& x, const std::vector<double>& y) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      first = std::min(first, x[i]);
      last = std::max(last, x[i]);
      if (std::isfinite(y[i])) low = std::min(low, y[i]), high = std::max(high, y[i]);
    }
  };
  for (const auto& s : c.series) extend(s.x, s.y);
  for (const auto& b : c.bands) extend(b.x, b.low), extend(b.x, b.high);
  for (const auto& s : c.spans) first = std::min(first, s.first), last = std::max(last, s.last);
  if (!(low <= high) || last < first) throw invalid_input("svg chart: nothing to draw");
  // A flat series (or one whose values differ by rounding only) gets a range of 1: a grid step
  // below the values' precision would never advance.
  if (high - low <= 1e-9 * std::max({1.0, std::abs(low), std::abs(high)})) high = low + 1;
  const double pad = 0.05 * (high - low);
  low -= pad;
  high += pad;
  const double span = std::max(1, last - first);
  auto px = [&](month m) { return left + (width - left - right) * (m - first) / span; };
  auto py = [&](double v) { return top + (height - top - bottom) * (high - v) / (high - low); };
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(1);
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << left << "\" y=\"22\" font-size=\"15\">" << xml_escape(c.title) << "</text>\n";
  // y grid at round values: a step of 1, 2 or 5 times a power of ten giving 4 to 8 lines.
  const double raw_step = (high - low) / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  const double step = raw_step / magnitude < 1.5 ? magnitude : raw_step / magnitude < 3.5 ? 2 * magnitude : 5 * magnitude;
  std::ostringstream label;
  label.precision(step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step))));
  label.setf(std::ios::fixed);
  for (double k = std::ceil(low / step), v = k * step; v <= high; v = ++k * step) {
    label.str("");
    label << (std::abs(v) < step / 2 ? 0.0 : v);
    o << "<line x1=\"" << left << "\" x2=\"" << width - right << "\" y1=\"" << py(v) << "\" y2=\"" << py(v)
      << "\" stroke=\"#ddd\"/><text x=\"" << left - 6 << "\" y=\"" << py(v) + 4 << "\" text-anchor=\"end\">"
      << label.str() << "</text>\n";
  }
  for (month m = month(first.year(), 1); m <= last; m = m + 12)  // x labels: Januaries
    if (first <= m)
      o << "<text x=\"" << px(m) << "\" y=\"" << height - bottom + 18 << "\" text-anchor=\"middle\">" << m.year() << "</text>\n";
  o << "<text x=\"16\" y=\"" << (top + height - bottom) / 2 << "\" transform=\"rotate(-90 16 " << (top + height - bottom) / 2
    << ")\" text-anchor=\"middle\">" << xml_escape(c.y_label) << "</text>\n";
  for (const auto& b : c.bands) {
    o << "<polygon fill=\"" << b.colour << "\" fill-opacity=\"0.2\" stroke=\"none\" points=\"";
    for (std::size_t i = 0; i < b.x.size(); ++i) o << px(b.x[i]) << ',' << py(b.high[i]) << ' ';
    for (std::size_t i = b.x.size(); i-- > 0;) o << px(b.x[i]) << ',' << py(b.low[i]) << ' ';
    o << "\"/>\n";
  }
  const double half_month = 0.5 * (width - left - right) / span;  // a span covers its months' points
  for (const auto& s : c.spans) {
    const double x0 = std::max(left, px(s.first) - half_month), x1 = std::min(width - right, px(s.last) + half_month);
    o << "<rect x=\"" << x0 << "\" y=\"" << top << "\" width=\"" << x1 - x0 << "\" height=\"" << height - bottom - top
      << "\" fill=\"" << s.colour << "\" fill-opacity=\"0.25\" stroke=\"none\"/>\n";
  }
  // Mark labels ("2016-12", about 50 px) go one line lower when they would overlap the one before.
  std::vector<double> label_end;  // per line, where its last label ends
  std::vector<month> marks = c.marks;
  std::sort(marks.begin(), marks.end());
  for (const auto& m : marks) {
    std::size_t line = 0;
    while (line < label_end.size() && px(m) + 4 < label_end[line] + 6) ++line;
    if (line == label_end.size()) label_end.push_back(0);
    label_end[line] = px(m) + 4 + 50;
    o << "<line x1=\"" << px(m) << "\" x2=\"" << px(m) << "\" y1=\"" << top << "\" y2=\"" << height - bottom
      << "\" stroke=\"#555\" stroke-dasharray=\"2,3\"/><text x=\"" << px(m) + 4 << "\" y=\"" << top + 12 + 14 * line
      << "\">" << m.to_string() << "</text>\n";
  }
  // The legend is one row between the title and the plot, so it covers no point or mark label;
  // an entry's width is estimated at 7 px a character.
  double legend_x = left;
  for (const auto& s : c.series) {
    if (s.points) {
      for (std::size_t i = 0; i < s.x.size(); ++i)
        o << "<circle cx=\"" << px(s.x[i]) << "\" cy=\"" << py(s.y[i]) << "\" r=\"2.5\" fill=\"" << s.colour << "\"/>\n";
    } else {
      o << "<polyline fill=\"none\" stroke=\"" << s.colour << "\" stroke-width=\"2\""
        << (s.dashed ? " stroke-dasharray=\"6,4\"" : "") << " points=\"";
      for (std::size_t i = 0; i < s.x.size(); ++i) o << px(s.x[i]) << ',' << py(s.y[i]) << ' ';
      o << "\"/>\n";
    }
    if (s.label.empty()) continue;
    o << "<text x=\"" << legend_x << "\" y=\"" << top - 8 << "\" fill=\"" << s.colour << "\">" << xml_escape(s.label) << "</text>\n";
    legend_x += 7.0 * static_cast<double>(s.label.size()) + 24;
  }
  for (const auto& s : c.spans) {
    if (s.label.empty()) continue;
    o << "<rect x=\"" << legend_x << "\" y=\"" << top - 18 << "\" width=\"12\" height=\"12\" fill=\"" << s.colour
      << "\" fill-opacity=\"0.25\"/><text x=\"" << legend_x + 16 << "\" y=\"" << top - 8 << "\">" << xml_escape(s.label)
      << "</text>\n";
    legend_x += 7.0 * static_cast<double>(s.label.size()) + 40;
  }
  o << "</svg>\n";
  return o.str();
}

inline void write_svg(const std::string& path, const chart& c) {
  std::ofstream out(path);
  if (!out) throw invalid_input(path + ": cannot write the file");
  out << to_svg(c);
}

}  // namespace pilotstats::report
