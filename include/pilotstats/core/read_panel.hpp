// pilotstats/core/read_panel.hpp: a long-format CSV (one row per unit and month) to a panel.
//
// The unit and month columns are named in the options. The other columns are either numeric
// value columns or per-unit text attributes:
//   - automatic (values empty): a column whose non-missing cells all read as numbers is a value
//     column, any other column an attribute; columns listed in `attributes` are attributes
//     even when they look numeric (a BCU coded 1, 2, 3). A column with numbers and one bad
//     cell ("abc") would become an attribute that changes within a unit; that is reported as
//     the bad cell ("expected a number or NA, found 'abc'"), which is what went wrong;
//   - explicit (values listed): the listed value columns must be numeric, the listed
//     attributes are kept, every other column is ignored.
// Numbers are read with std::from_chars (the C locale: "1.5", never "1,5"); "inf", "nan" and
// trailing junk are errors, as are attributes that change within a unit and a second row
// for the same unit and month. Every error is a parse_error naming file:line:column and the
// column by name.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "pilotstats/core/csv.hpp"
#include "pilotstats/core/error.hpp"
#include "pilotstats/core/month.hpp"
#include "pilotstats/core/panel.hpp"

namespace pilotstats {

struct panel_csv_options {
  std::string unit = "unit";
  std::string month = "month";
  std::vector<std::string> values;      // numeric columns to read; empty = automatic
  std::vector<std::string> attributes;  // per-unit text columns to keep
  csv_options csv;

  void validate() const {
    const auto fail = [](const std::string& what) { throw invalid_input("panel_csv_options: " + what); };
    if (unit.empty()) fail("unit is empty, but must name the unit column");
    if (month.empty()) fail("month is empty, but must name the month column");
    if (unit == month) fail("unit and month are both '" + unit + "', but must be different columns");
    const auto check = [&](const std::vector<std::string>& names, const char* what) {
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == unit || names[i] == month)
          fail(std::string(what) + " lists '" + names[i] + "', which is the " +
               (names[i] == unit ? "unit" : "month") + " column");
        for (std::size_t j = 0; j < i; ++j)
          if (names[i] == names[j]) fail(std::string(what) + " lists '" + names[i] + "' twice");
      }
    };
    check(values, "values");
    check(attributes, "attributes");
    for (const auto& v : values)
      for (const auto& a : attributes)
        if (v == a) fail("'" + v + "' is listed both in values and in attributes");
    csv.validate();
  }
};

namespace detail {

enum class cell_kind { number, missing, not_finite, not_a_number };

struct number_cell {
  cell_kind kind;
  double value;
};

inline bool is_missing_token(std::string_view cell, const std::vector<std::string>& tokens) {
  for (const auto& t : tokens)
    if (cell == t) return true;
  return false;
}

inline number_cell read_number_cell(std::string_view cell, const std::vector<std::string>& tokens) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  cell = csv_trim(cell);
  if (is_missing_token(cell, tokens)) return {cell_kind::missing, nan};
  std::string_view s = cell;
  if (s.size() > 1 && s.front() == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (end != s.data() + s.size() || (ec != std::errc{} && ec != std::errc::result_out_of_range))
    return {cell_kind::not_a_number, nan};
  if (ec == std::errc::result_out_of_range) {
    // from_chars reports underflow and overflow alike; only overflow is not a finite number.
    v = std::strtod(std::string(s).c_str(), nullptr);
  }
  if (!std::isfinite(v)) return {cell_kind::not_finite, nan};
  return {cell_kind::number, v};
}

inline std::string describe_missing(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens)
    if (!t.empty()) out += (out.empty() ? "" : " or ") + t;
  if (out.empty()) out = "an empty cell";
  return out;
}

}  // namespace detail

inline panel read_panel(const csv_table& table, const panel_csv_options& options = {}) {
  options.validate();
  const std::string& src = table.source;
  const auto& tokens = options.csv.missing_tokens;
  const std::size_t unit_col = table.column_index(options.unit);
  const std::size_t month_col = table.column_index(options.month);
  const auto column_name = [&](std::size_t j) { return "column '" + table.header[j] + "': "; };

  // Which columns are values and which attributes, in header order.
  const std::size_t n_cols = table.header.size();
  std::vector<char> role(n_cols, 0);  // 'v' value, 'a' attribute, 0 ignored
  // Automatic mode: the first cell that made a column an attribute, and whether it has numbers.
  struct first_text {
    std::size_t line = 0;
    std::string text;
    bool has_numbers = false;
  };
  std::vector<first_text> why(n_cols);
  for (const auto& a : options.attributes) role[table.column_index(a)] = 'a';
  for (const auto& v : options.values) role[table.column_index(v)] = 'v';
  if (options.values.empty()) {
    for (std::size_t j = 0; j < n_cols; ++j) {
      if (j == unit_col || j == month_col || role[j] != 0) continue;
      role[j] = 'v';
      for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const auto kind = detail::read_number_cell(table.rows[i][j], tokens).kind;
        if (kind == detail::cell_kind::number) why[j].has_numbers = true;
        if (kind == detail::cell_kind::not_a_number && role[j] == 'v') {
          role[j] = 'a';
          why[j].line = table.row_line[i];
          why[j].text = table.rows[i][j];
        }
      }
    }
  }
  std::vector<std::size_t> value_cols, attribute_cols;
  std::vector<std::string> value_names, attribute_names;
  for (std::size_t j = 0; j < n_cols; ++j) {
    if (role[j] == 'v') value_cols.push_back(j), value_names.push_back(table.header[j]);
    if (role[j] == 'a') attribute_cols.push_back(j), attribute_names.push_back(table.header[j]);
  }

  struct unit_state {
    std::string name;
    std::unordered_map<int, std::size_t> month_line;  // month index -> line of its row
    std::vector<std::size_t> attribute_line;          // line where each attribute was first seen
    std::vector<std::string> attribute_value;
  };
  std::vector<unit_state> seen;
  std::unordered_map<std::string, std::size_t> unit_lookup;

  panel_builder builder(value_names, attribute_names, tokens);
  builder.source(src);
  std::vector<double> row(value_cols.size());
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const auto& cells = table.rows[i];
    const std::size_t line = table.row_line[i];
    const auto fail = [&](std::size_t j, const std::string& what) {
      throw parse_error(src, line, j + 1, column_name(j) + what);
    };

    const std::string& unit = cells[unit_col];
    if (detail::is_missing_token(detail::csv_trim(unit), tokens))
      fail(unit_col, unit.empty() ? "the unit is empty" : "the unit is missing (found '" + unit + "')");
    month m;
    try {
      m = month::parse(cells[month_col]);
    } catch (const invalid_input& e) {
      fail(month_col, e.what());
    }

    auto [it, is_new] = unit_lookup.try_emplace(unit, seen.size());
    if (is_new) seen.push_back({unit, {}, std::vector<std::size_t>(attribute_cols.size(), 0),
                                std::vector<std::string>(attribute_cols.size())});
    unit_state& u = seen[it->second];
    if (auto [at, fresh] = u.month_line.try_emplace(m.index(), line); !fresh)
      fail(month_col, "duplicate row for unit '" + unit + "' and month " + m.to_string() + ": line " +
                          std::to_string(line) + " repeats line " + std::to_string(at->second));

    for (std::size_t c = 0; c < value_cols.size(); ++c) {
      const std::size_t j = value_cols[c];
      const auto cell = detail::read_number_cell(cells[j], tokens);
      if (cell.kind == detail::cell_kind::not_a_number) {
        std::string hint;
        if (table.separator == ';' && cells[j].find(',') != std::string::npos)
          hint = " (decimal commas are not read: write 1.5, not 1,5)";
        fail(j, "expected a number or " + detail::describe_missing(tokens) + ", found '" + cells[j] + "'" + hint);
      }
      if (cell.kind == detail::cell_kind::not_finite)
        fail(j, "expected a finite number or " + detail::describe_missing(tokens) + ", found '" + cells[j] +
                    "' (infinite and NaN values are not data; write a missing value as " +
                    detail::describe_missing(tokens) + ")");
      row[c] = cell.value;
    }

    for (std::size_t a = 0; a < attribute_cols.size(); ++a) {
      const std::size_t j = attribute_cols[a];
      if (u.attribute_line[a] == 0) {
        u.attribute_line[a] = line;
        u.attribute_value[a] = cells[j];
      } else if (u.attribute_value[a] != cells[j]) {
        const std::string change = "'" + u.attribute_value[a] + "' on line " + std::to_string(u.attribute_line[a]) +
                                   ", '" + cells[j] + "' on line " + std::to_string(line);
        if (why[j].has_numbers)  // a numeric column with a bad cell: report the cell
          throw parse_error(src, why[j].line, j + 1,
                            column_name(j) + "expected a number or " + detail::describe_missing(tokens) +
                                ", found '" + why[j].text + "' (the column has numbers elsewhere and changes " +
                                "within unit '" + unit + "', so it is not a per-unit attribute)");
        std::string hint;
        if (why[j].line > 0)
          hint = "; columns that are not numeric are read as attributes: list the value columns to ignore the others";
        fail(j, "the attribute changes within unit '" + unit + "' (" + change +
                    "); a per-unit attribute must be the same on every row of the unit" + hint);
      }
    }
    builder.add_row(unit, m, std::span<const double>(row));
  }
  for (const auto& u : seen)
    for (std::size_t a = 0; a < attribute_cols.size(); ++a)
      builder.set_attribute(u.name, attribute_names[a], u.attribute_value[a]);
  return builder.build();
}

inline panel read_panel_text(std::string_view text, std::string source, const panel_csv_options& options = {}) {
  options.validate();
  return read_panel(parse_csv(text, std::move(source), options.csv), options);
}

inline panel read_panel_csv(const std::filesystem::path& path, const panel_csv_options& options = {}) {
  options.validate();
  return read_panel(read_csv(path, options.csv), options);
}

}  // namespace pilotstats
