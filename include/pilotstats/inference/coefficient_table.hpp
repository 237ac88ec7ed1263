// pilotstats/inference/coefficient_table.hpp: the tidy coefficient table every estimator
// returns, and its R-style printing.
//
// Columns follow broom: term, estimate, std_error, statistic, p_value, conf_low, conf_high,
// plus the reference degrees of freedom of each row (infinite: normal), since CR2's
// Satterthwaite df differ by coefficient. Intervals are estimate -/+ q * std_error with q the
// (1 + level)/2 quantile of the row's reference distribution. Printing is separate from the
// data (as R's print.summary.lm).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/inference/covariance.hpp"
#include "pilotstats/inference/distributions.hpp"

namespace pilotstats {

struct coefficient_row {
  std::string term;
  double estimate = 0;
  double std_error = 0;
  double statistic = 0;
  double p_value = 1;
  double conf_low = 0;
  double conf_high = 0;
  double df = infinite_df;
};

struct coefficient_table {
  std::vector<coefficient_row> rows;
  std::vector<std::string> aliased;   // terms not estimable (R prints NA)
  std::string covariance;             // e.g. "HC3"
  std::string reference;              // e.g. sandwich::vcovHC(type = "HC3")
  double level = 0.95;
  std::vector<std::string> warnings;

  const coefficient_row& operator[](std::string_view term) const {
    for (const auto& r : rows)
      if (r.term == term) return r;
    std::string known;
    for (const auto& r : rows) known += (known.empty() ? "" : ", ") + r.term;
    throw domain_error("coefficient_table: no term '" + std::string(term) + "' (terms are: " + known + ")");
  }
};

// Builds the table from estimates and a covariance over the same terms.
inline coefficient_table make_coefficient_table(const std::vector<std::string>& terms,
                                                const Eigen::VectorXd& estimates,
                                                const covariance_result& covariance,
                                                double level = 0.95) {
  const auto k = static_cast<std::size_t>(estimates.size());
  if (terms.size() != k || static_cast<std::size_t>(covariance.matrix.rows()) != k ||
      static_cast<std::size_t>(covariance.df.size()) != k)
    throw invalid_input("make_coefficient_table: " + std::to_string(terms.size()) + " terms, " +
                        std::to_string(k) + " estimates and a " +
                        std::to_string(covariance.matrix.rows()) + "-row covariance do not match");
  if (!(level > 0 && level < 1))
    throw invalid_input("make_coefficient_table: level is " + std::to_string(level) +
                        ", but must be in (0, 1)");
  coefficient_table table;
  table.covariance = covariance.kind;
  table.reference = covariance.reference;
  table.level = level;
  table.warnings = covariance.warnings;
  double quantile_df = std::nan(""), q = 0;
  for (std::size_t j = 0; j < k; ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    coefficient_row row;
    row.term = terms[j];
    row.estimate = estimates(jj);
    row.df = covariance.df(jj);
    const double variance = covariance.matrix(jj, jj);
    row.std_error = std::sqrt(std::max(variance, 0.0));
    if (row.std_error > 0) {
      row.statistic = row.estimate / row.std_error;
      row.p_value = two_sided_p_value(row.statistic, row.df);
    } else {
      row.statistic = row.estimate == 0 ? std::nan("") : std::copysign(INFINITY, row.estimate);
      row.p_value = row.estimate == 0 ? std::nan("") : 0.0;
      table.warnings.push_back("term '" + row.term + "' has standard error 0: its test is " +
                               (row.estimate == 0 ? "undefined (NaN)" : "degenerate (p = 0)"));
    }
    if (!(row.df == quantile_df)) {  // one quantile per distinct df (usually one per table): they are costly
      quantile_df = row.df;
      q = critical_value(level, row.df);
    }
    row.conf_low = row.estimate - q * row.std_error;
    row.conf_high = row.estimate + q * row.std_error;
    table.rows.push_back(row);
  }
  return table;
}

// The table of a least-squares fit under a covariance estimator.
inline coefficient_table tidy(const least_squares_fit& fit, const covariance_result& covariance,
                              double level = 0.95) {
  coefficient_table table = make_coefficient_table(fit.kept_names(), fit.coefficients, covariance, level);
  table.aliased = fit.aliased;
  return table;
}

namespace detail {

inline std::string format_number(double x, const char* format) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, x);
  return buffer;
}

// R's format.pval(p, digits) with eps = 2.2e-16, over a column: values below eps print as
// "<2e-16"; values of 1e-3 and above share one number of decimals (enough for `digits`
// significant digits of the smallest), the rest are scientific with `digits` digits.
inline std::vector<std::string> format_p_values(const std::vector<double>& p, int digits) {
  int decimals = 0;
  for (double v : p)
    if (v >= 1e-3 && v > 0) decimals = std::max(decimals, digits - 1 - static_cast<int>(std::floor(std::log10(v))));
  std::vector<std::string> out;
  for (double v : p) {
    if (std::isnan(v)) out.push_back("NA");
    else if (v < 2.2e-16) out.push_back("<2e-16");
    else if (v < 1e-3) out.push_back(format_number(v, ("%." + std::to_string(digits - 1) + "e").c_str()));
    else out.push_back(format_number(v, ("%." + std::to_string(decimals) + "f").c_str()));
  }
  return out;
}

inline std::string significance_stars(double p) {
  if (std::isnan(p)) return "";
  if (p < 0.001) return "***";
  if (p < 0.01) return "**";
  if (p < 0.05) return "*";
  if (p < 0.1) return ".";
  return "";
}

// A column of numbers with 4 significant digits in one common style (fixed unless the
// magnitudes call for scientific), as R's printCoefmat does per column.
inline std::vector<std::string> format_column(const std::vector<double>& values) {
  double largest = 0;
  double smallest = INFINITY;
  for (double v : values) {
    if (!std::isfinite(v) || v == 0) continue;
    largest = std::max(largest, std::abs(v));
    smallest = std::min(smallest, std::abs(v));
  }
  const bool scientific = largest >= 1e5 || (smallest < 1e-4 && std::isfinite(smallest));
  int decimals = 0;
  if (!scientific && std::isfinite(smallest))
    decimals = std::clamp(3 - static_cast<int>(std::floor(std::log10(smallest))), 0, 8);
  std::vector<std::string> out;
  for (double v : values) {
    if (std::isnan(v)) out.push_back("NA");
    else if (scientific) out.push_back(format_number(v, "%.3e"));
    else out.push_back(format_number(v, ("%." + std::to_string(decimals) + "f").c_str()));
  }
  return out;
}

inline std::string pad_left(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

inline std::string pad_right(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace detail

// The coefficient block as R's printCoefmat prints it, with the covariance named and the
// interval bounds added.
inline std::string format_coefficients(const coefficient_table& table) {
  const bool normal = std::all_of(table.rows.begin(), table.rows.end(),
                                  [](const auto& r) { return std::isinf(r.df); });
  const bool per_row_df = !normal && std::any_of(table.rows.begin(), table.rows.end(), [&](const auto& r) {
    return r.df != table.rows.front().df;
  });
  std::vector<double> est, se, lo, hi, p;
  for (const auto& r : table.rows) {
    p.push_back(r.p_value);
    est.push_back(r.estimate);
    se.push_back(r.std_error);
    lo.push_back(r.conf_low);
    hi.push_back(r.conf_high);
  }
  const auto est_s = detail::format_column(est);
  const auto se_s = detail::format_column(se);
  const auto lo_s = detail::format_column(lo);
  const auto hi_s = detail::format_column(hi);
  const auto p_s = detail::format_p_values(p, 3);  // printCoefmat's dig.tst
  const std::string pct = detail::format_number(100 * table.level, "%g") + "%";
  std::vector<std::vector<std::string>> cells = {
      {"", "Estimate", "Std. Error", normal ? "z value" : "t value"}};
  if (per_row_df) cells[0].push_back("df");
  cells[0].insert(cells[0].end(), {normal ? "Pr(>|z|)" : "Pr(>|t|)", "", "conf.low", "conf.high"});
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const auto& r = table.rows[i];
    std::vector<std::string> line = {r.term, est_s[i], se_s[i], detail::format_number(r.statistic, "%.3f")};
    if (per_row_df) line.push_back(detail::format_number(r.df, "%.2f"));
    line.insert(line.end(), {p_s[i], detail::significance_stars(r.p_value),
                             lo_s[i], hi_s[i]});
    cells.push_back(line);
  }
  for (const auto& a : table.aliased) {
    std::vector<std::string> line(cells[0].size(), "NA");
    line[0] = a;
    line[cells[0].size() - 3] = "";
    cells.push_back(line);
  }
  std::vector<std::size_t> width(cells[0].size(), 0);
  for (const auto& line : cells)
    for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  std::ostringstream out;
  out << "Coefficients";
  if (!table.aliased.empty())
    out << ": (" << table.aliased.size() << " not defined because of singularities)";
  out << " [" << table.covariance << " standard errors; " << pct << " intervals]:\n";
  const std::size_t stars_column = cells[0].size() - 3;
  for (const auto& line : cells) {
    for (std::size_t c = 0; c < line.size(); ++c) {
      if (c == 0) out << detail::pad_right(line[c], width[c]);
      else if (c == stars_column) out << ' ' << detail::pad_right(line[c], 3);
      else out << ' ' << detail::pad_left(line[c], width[c]);
    }
    out << '\n';
  }
  out << "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n";
  for (const auto& w : table.warnings) out << "Warning: " << w << '\n';
  return out.str();
}

// Like R's summary(lm): residual quantiles, coefficients, sigma, R², F.
inline std::string summary(const least_squares_fit& fit, const coefficient_table& table) {
  std::ostringstream out;
  std::vector<double> r;
  for (Eigen::Index i = 0; i < fit.residuals.size(); ++i)
    if (fit.sqrt_weights(i) > 0) r.push_back(fit.sqrt_weights(i) * fit.residuals(i));
  std::sort(r.begin(), r.end());
  auto quantile = [&](double p) {  // R's type 7
    const double h = (static_cast<double>(r.size()) - 1) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const auto hi = std::min(lo + 1, r.size() - 1);
    return r[lo] + (h - static_cast<double>(lo)) * (r[hi] - r[lo]);
  };
  out << (fit.sqrt_weights.minCoeff() == 1 && fit.sqrt_weights.maxCoeff() == 1 ? "Residuals:\n"
                                                                                 : "Weighted Residuals:\n");
  const auto q = detail::format_column({quantile(0), quantile(0.25), quantile(0.5), quantile(0.75), quantile(1)});
  const char* labels[] = {"Min", "1Q", "Median", "3Q", "Max"};
  std::size_t w = 6;
  for (const auto& s : q) w = std::max(w, s.size());
  for (auto* l : labels) out << detail::pad_left(l, w + 1);
  out << '\n';
  for (const auto& s : q) out << detail::pad_left(s, w + 1);
  out << "\n\n" << format_coefficients(table) << '\n';
  out << "Residual standard error: " << detail::format_number(fit.sigma, "%.4g") << " on "
      << fit.df_residual << " degrees of freedom\n";
  out << "Multiple R-squared:  " << detail::format_number(fit.r_squared, "%.4g")
      << ",\tAdjusted R-squared:  " << detail::format_number(fit.adj_r_squared, "%.4g") << '\n';
  if (fit.f_statistic)
    out << "F-statistic: " << detail::format_number(*fit.f_statistic, "%.4g") << " on "
        << fit.f_df_numerator << " and " << fit.f_df_denominator << " DF,  p-value: "
        << detail::format_p_values({f_upper_p_value(*fit.f_statistic, fit.f_df_numerator, fit.f_df_denominator)}, 4)[0]
        << '\n';
  for (const auto& warning : fit.warnings) out << "Warning: " << warning << '\n';
  return out.str();
}

}  // namespace pilotstats
