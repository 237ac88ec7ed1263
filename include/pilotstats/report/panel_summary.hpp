// pilotstats/report/panel_summary.hpp: what is in a panel, as plain data, text and JSON, and
// the conventions the pilotstats-* programs share.
//
// summarize() computes the facts (rows, units, month span, per-column n/missing/mean/sd/
// quantiles, attribute values, gaps); print() and to_json() render them. Every program that
// reads a panel writes this summary first, so a reader of any report sees the same account
// of the data. The report layer is opt-in: it needs nlohmann/json, the core layer does not.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pilotstats/core/error.hpp"
#include "pilotstats/core/month.hpp"
#include "pilotstats/core/panel.hpp"
#include "pilotstats/report/program.hpp"
#include "pilotstats/version.hpp"

namespace pilotstats::report {

// Over the observed (non-missing) cells; statistics are empty when there are too few cells
// (sd needs two), never NaN.
struct column_summary {
  std::string name;
  std::size_t n = 0;
  std::size_t missing = 0;
  std::optional<double> mean, sd, min, median, max;  // sd with divisor n - 1, as R's sd()
};

struct attribute_summary {
  std::string name;
  std::vector<std::string> values;  // distinct non-missing values, sorted
  std::size_t n_missing_units = 0;  // units whose value is a missing token
};

struct panel_summary {
  std::string source;
  std::string separator;  // as read, e.g. ","; empty when the panel did not come from text
  std::size_t n_rows = 0;
  std::vector<std::string> units;  // in panel order
  std::optional<month> first_month, last_month;
  int n_months = 0;  // months from first to last inclusive, gaps included
  std::vector<column_summary> columns;
  std::vector<attribute_summary> attributes;
  std::vector<panel_gap> gaps;
};

inline column_summary summarize_column(const std::string& name, const Eigen::VectorXd& values,
                                       const std::vector<bool>& missing) {
  column_summary s;
  s.name = name;
  std::vector<double> x;
  for (Eigen::Index i = 0; i < values.size(); ++i)
    if (!missing[static_cast<std::size_t>(i)]) x.push_back(values[i]);
  s.n = x.size();
  s.missing = missing.size() - x.size();
  if (x.empty()) return s;
  double sum = 0;
  for (double v : x) sum += v;
  const double mean = sum / static_cast<double>(x.size());
  s.mean = mean;
  if (x.size() > 1) {
    double ss = 0;  // two passes: the one-pass formula loses digits when the mean is large
    for (double v : x) ss += (v - mean) * (v - mean);
    s.sd = std::sqrt(ss / static_cast<double>(x.size() - 1));
  }
  std::sort(x.begin(), x.end());
  s.min = x.front();
  s.max = x.back();
  const std::size_t h = x.size() / 2;
  s.median = x.size() % 2 == 1 ? x[h] : (x[h - 1] + x[h]) / 2;
  return s;
}

inline panel_summary summarize(const panel& p, std::string separator = {}) {
  panel_summary s;
  s.source = p.source();
  s.separator = std::move(separator);
  s.n_rows = p.n_rows();
  s.units = p.units();
  if (p.n_rows() > 0) {
    s.first_month = p.first_month();
    s.last_month = p.last_month();
    s.n_months = p.last_month() - p.first_month() + 1;
  }
  for (const auto& c : p.columns()) s.columns.push_back(summarize_column(c, p.column(c), p.missing(c)));
  for (const auto& a : p.attributes()) {
    attribute_summary as;
    as.name = a;
    std::set<std::string> distinct;
    for (std::size_t u = 0; u < p.n_units(); ++u) {
      if (p.attribute_missing(u, a)) ++as.n_missing_units;
      else distinct.insert(p.attribute(u, a));
    }
    as.values.assign(distinct.begin(), distinct.end());
    s.attributes.push_back(std::move(as));
  }
  s.gaps = p.gaps();
  return s;
}

namespace detail {
inline std::string format_number(const std::optional<double>& x) {
  if (!x) return "-";
  std::ostringstream out;
  out << std::setprecision(6) << *x;
  return out.str();
}

inline std::string join(const std::vector<std::string>& xs, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < xs.size() && i < limit; ++i) out += (i ? ", " : "") + xs[i];
  if (xs.size() > limit) out += ", ... and " + std::to_string(xs.size() - limit) + " more";
  return out;
}
}  // namespace detail

struct print_options {
  std::size_t max_listed = 12;  // attribute values and unit names listed only up to this many
  std::size_t max_gaps = 20;    // gaps listed before "... and N more"
};

inline void print(std::ostream& out, const panel_summary& s, const print_options& o = {}) {
  out << "source     " << s.source << '\n';
  if (!s.separator.empty()) out << "separator  '" << s.separator << "'\n";
  out << "rows       " << s.n_rows << '\n';
  out << "units      " << s.units.size();
  if (!s.units.empty() && s.units.size() <= o.max_listed) out << ": " << detail::join(s.units, o.max_listed);
  out << '\n';
  if (s.first_month)
    out << "months     " << *s.first_month << " .. " << *s.last_month << " (" << s.n_months << " months)\n";
  else
    out << "months     none\n";

  out << "\nnumeric columns";
  if (s.columns.empty()) out << ": none\n";
  else {
    out << '\n';
    std::size_t w = 6;
    for (const auto& c : s.columns) w = std::max(w, c.name.size());
    const auto row = [&](const std::vector<std::string>& cells) {
      out << "  " << std::left << std::setw(static_cast<int>(w)) << cells[0] << std::right;
      for (std::size_t i = 1; i < cells.size(); ++i) out << std::setw(i == 1 ? 6 : i == 2 ? 9 : 11) << cells[i];
      out << '\n';
    };
    row({"column", "n", "missing", "mean", "sd", "min", "median", "max"});
    for (const auto& c : s.columns)
      row({c.name, std::to_string(c.n), std::to_string(c.missing), detail::format_number(c.mean),
           detail::format_number(c.sd), detail::format_number(c.min), detail::format_number(c.median),
           detail::format_number(c.max)});
  }

  out << "\nattributes";
  if (s.attributes.empty()) out << ": none\n";
  else {
    out << '\n';
    std::size_t w = 0;
    for (const auto& a : s.attributes) w = std::max(w, a.name.size());
    for (const auto& a : s.attributes) {
      out << "  " << std::left << std::setw(static_cast<int>(w)) << a.name << std::right << "  "
          << a.values.size() << " distinct";
      if (a.n_missing_units > 0)
        out << ", missing for " << a.n_missing_units << (a.n_missing_units == 1 ? " unit" : " units");
      if (!a.values.empty() && a.values.size() <= o.max_listed) out << ": " << detail::join(a.values, o.max_listed);
      out << '\n';
    }
  }

  out << "\ngaps (months with no row inside a unit's span)";
  if (s.gaps.empty()) out << ": none\n";
  else {
    out << ": " << s.gaps.size() << '\n';
    std::size_t w = 0;
    for (const auto& g : s.gaps) w = std::max(w, g.unit.size());
    for (std::size_t i = 0; i < s.gaps.size() && i < o.max_gaps; ++i) {
      const auto& g = s.gaps[i];
      out << "  " << std::left << std::setw(static_cast<int>(w)) << g.unit << std::right << "  " << g.first;
      if (g.last != g.first) out << " .. " << g.last;
      out << " (" << g.n_months() << (g.n_months() == 1 ? " month)\n" : " months)\n");
    }
    if (s.gaps.size() > o.max_gaps) out << "  ... and " << s.gaps.size() - o.max_gaps << " more\n";
  }
}

// Every fact, nothing truncated; empty statistics are null.
// Keys keep the order written here (ordered_json), so the file reads top to bottom like print().
inline nlohmann::ordered_json to_json(const panel_summary& s) {
  using json = nlohmann::ordered_json;
  const auto number = [](const std::optional<double>& x) { return x ? json(*x) : json(nullptr); };
  const auto when = [](const std::optional<month>& m) { return m ? json(m->to_string()) : json(nullptr); };
  json j;
  j["source"] = s.source;
  j["separator"] = s.separator.empty() ? json(nullptr) : json(s.separator);
  j["n_rows"] = s.n_rows;
  j["n_units"] = s.units.size();
  j["units"] = s.units;
  j["first_month"] = when(s.first_month);
  j["last_month"] = when(s.last_month);
  j["n_months"] = s.n_months;
  j["columns"] = json::array();
  for (const auto& c : s.columns)
    j["columns"].push_back({{"name", c.name}, {"n", c.n}, {"missing", c.missing}, {"mean", number(c.mean)},
                            {"sd", number(c.sd)}, {"min", number(c.min)}, {"median", number(c.median)},
                            {"max", number(c.max)}});
  j["attributes"] = json::array();
  for (const auto& a : s.attributes)
    j["attributes"].push_back({{"name", a.name}, {"n_distinct", a.values.size()}, {"values", a.values},
                               {"n_missing_units", a.n_missing_units}});
  j["gaps"] = json::array();
  for (const auto& g : s.gaps)
    j["gaps"].push_back({{"unit", g.unit}, {"first", g.first.to_string()}, {"last", g.last.to_string()},
                         {"n_months", g.n_months()}});
  return j;
}

}  // namespace pilotstats::report
