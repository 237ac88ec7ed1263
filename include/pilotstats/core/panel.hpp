// pilotstats/core/panel.hpp: monthly panel data in long format, and the builder that makes it.
//
// One row per (unit, month). Rows are grouped by unit, units in the order they were first
// seen (the order of the file), and sorted by month within a unit, so that a unit is a
// contiguous row range and a numeric column is one Eigen vector over all rows. Months with no
// row are gaps: reported by gaps(), never invented. Per-unit attributes (a borough's BCU, the
// month its pilot started) are text, constant within a unit by construction.
//
// A panel is immutable; panel_builder is the only way to make one, and build() checks the
// invariants (no duplicate (unit, month), finite values) once for every producer: the CSV
// reader, the simulators and the tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "pilotstats/core/error.hpp"
#include "pilotstats/core/month.hpp"
#include "pilotstats/core/series.hpp"

namespace pilotstats {

// An inclusive run of months with no row, between two rows of the same unit.
struct panel_gap {
  std::string unit;
  month first, last;
  int n_months() const noexcept { return last - first + 1; }
};

namespace detail {
inline std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "(none)" : out;
}
}  // namespace detail

class panel_builder;

class panel {
 public:
  struct row_range {
    std::size_t begin, end;  // [begin, end)
    std::size_t size() const noexcept { return end - begin; }
  };

  panel() = default;  // no units, no rows, no columns

  std::size_t n_units() const noexcept { return units_.size(); }
  std::size_t n_rows() const noexcept { return row_months_.size(); }
  const std::string& source() const noexcept { return source_; }

  // --- units
  const std::vector<std::string>& units() const noexcept { return units_; }
  std::optional<std::size_t> find_unit(std::string_view name) const {
    const auto it = unit_lookup_.find(name);
    if (it == unit_lookup_.end()) return std::nullopt;
    return it->second;
  }
  std::size_t unit_index(std::string_view name) const {
    if (auto u = find_unit(name)) return *u;
    throw domain_error("unknown unit '" + std::string(name) + "' (units are: " +
                       detail::join_names(units_) + ")");
  }
  row_range unit_rows(std::size_t unit) const {
    check_unit(unit);
    return {unit_begin_[unit], unit_begin_[unit + 1]};
  }

  // --- rows
  std::size_t row_unit(std::size_t row) const { return row_units_.at(row); }
  month row_month(std::size_t row) const { return row_months_.at(row); }
  const std::vector<month>& row_months() const noexcept { return row_months_; }
  const std::vector<std::size_t>& row_units() const noexcept { return row_units_; }
  // Throw domain_error on an empty panel: there is no month to return.
  month first_month() const { return non_empty(), first_; }
  month last_month() const { return non_empty(), last_; }

  // --- numeric columns, over rows
  const std::vector<std::string>& columns() const noexcept { return columns_; }
  bool has_column(std::string_view name) const noexcept { return find(columns_, name).has_value(); }
  const Eigen::VectorXd& column(std::string_view name) const { return values_[column_at(name)]; }
  const std::vector<bool>& missing(std::string_view name) const { return missing_[column_at(name)]; }

  series unit_series(std::string_view unit, std::string_view column) const {
    const std::size_t u = unit_index(unit), c = column_at(column);
    const row_range r = unit_rows(u);
    series s;
    s.unit = units_[u];
    s.column = columns_[c];
    s.months.assign(row_months_.begin() + static_cast<std::ptrdiff_t>(r.begin),
                    row_months_.begin() + static_cast<std::ptrdiff_t>(r.end));
    s.values = values_[c].segment(static_cast<Eigen::Index>(r.begin), static_cast<Eigen::Index>(r.size()));
    s.missing.assign(missing_[c].begin() + static_cast<std::ptrdiff_t>(r.begin),
                     missing_[c].begin() + static_cast<std::ptrdiff_t>(r.end));
    return s;
  }

  // --- per-unit attributes
  const std::vector<std::string>& attributes() const noexcept { return attributes_; }
  bool has_attribute(std::string_view name) const noexcept { return find(attributes_, name).has_value(); }
  // The text as written, including a missing token such as "NA".
  const std::string& attribute(std::size_t unit, std::string_view name) const {
    check_unit(unit);
    return attribute_text_[attribute_at(name)][unit];
  }
  bool attribute_missing(std::size_t unit, std::string_view name) const {
    check_unit(unit);
    return attribute_missing_[attribute_at(name)][unit];
  }
  // The attribute read as a month ("2016-09"); nothing when it is missing (a control unit).
  std::optional<month> attribute_month(std::size_t unit, std::string_view name) const {
    const std::size_t a = attribute_at(name);
    check_unit(unit);
    if (attribute_missing_[a][unit]) return std::nullopt;
    try {
      return month::parse(attribute_text_[a][unit]);
    } catch (const invalid_input& e) {
      throw invalid_input("attribute '" + attributes_[a] + "' of unit '" + units_[unit] +
                          "': " + e.what());
    }
  }

  // Runs of absent months inside each unit's span, units in order, months increasing.
  std::vector<panel_gap> gaps() const {
    std::vector<panel_gap> out;
    for (std::size_t u = 0; u < n_units(); ++u)
      for (std::size_t r = unit_begin_[u] + 1; r < unit_begin_[u + 1]; ++r)
        if (row_months_[r] - row_months_[r - 1] > 1)
          out.push_back({units_[u], row_months_[r - 1] + 1, row_months_[r] - 1});
    return out;
  }

 private:
  friend class panel_builder;

  static std::optional<std::size_t> find(const std::vector<std::string>& names, std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return i;
    return std::nullopt;
  }
  std::size_t column_at(std::string_view name) const {
    if (auto c = find(columns_, name)) return *c;
    std::string hint;
    if (find(attributes_, name)) hint = "; '" + std::string(name) + "' is a text attribute";
    throw domain_error("unknown numeric column '" + std::string(name) + "' (numeric columns are: " +
                       detail::join_names(columns_) + ")" + hint);
  }
  std::size_t attribute_at(std::string_view name) const {
    if (auto a = find(attributes_, name)) return *a;
    throw domain_error("unknown attribute '" + std::string(name) + "' (attributes are: " +
                       detail::join_names(attributes_) + ")");
  }
  void check_unit(std::size_t unit) const {
    if (unit >= n_units())
      throw domain_error("unit index " + std::to_string(unit) + " is out of range (the panel has " +
                         std::to_string(n_units()) + " units)");
  }
  void non_empty() const {
    if (n_rows() == 0) throw domain_error("the panel has no rows, so it has no first or last month");
  }

  std::string source_;
  std::vector<std::string> units_;
  std::map<std::string, std::size_t, std::less<>> unit_lookup_;
  std::vector<std::size_t> unit_begin_{0};  // n_units + 1 boundaries
  std::vector<std::size_t> row_units_;
  std::vector<month> row_months_;
  month first_, last_;
  std::vector<std::string> columns_;
  std::vector<Eigen::VectorXd> values_;
  std::vector<std::vector<bool>> missing_;
  std::vector<std::string> attributes_;
  std::vector<std::vector<std::string>> attribute_text_;  // [attribute][unit]
  std::vector<std::vector<bool>> attribute_missing_;      // [attribute][unit]
};

// Collects rows in any order, then build() sorts and checks them.
//
//   panel p = panel_builder({"complaints"}, {"bcu"})
//                 .add_row("Camden", month(2016, 1), {12.0})
//                 .add_row("Camden", month(2016, 2), {std::nullopt})  // missing
//                 .set_attribute("Camden", "bcu", "Central North")
//                 .build();
class panel_builder {
 public:
  explicit panel_builder(std::vector<std::string> columns, std::vector<std::string> attributes = {},
                         std::vector<std::string> missing_tokens = {"", "NA"})
      : columns_(std::move(columns)),
        attributes_(std::move(attributes)),
        missing_tokens_(std::move(missing_tokens)) {
    check_names("column", columns_);
    check_names("attribute", attributes_);
    for (const auto& a : attributes_)
      if (std::find(columns_.begin(), columns_.end(), a) != columns_.end())
        throw invalid_input("panel_builder: '" + a + "' is both a numeric column and an attribute");
    attribute_values_.resize(attributes_.size());
  }

  panel_builder& source(std::string name) {
    source_ = std::move(name);
    return *this;
  }

  // One value per column, in the order of the columns; NaN or nullopt is missing.
  panel_builder& add_row(std::string_view unit, month m, std::span<const std::optional<double>> values) {
    return add(unit, m, values.size(), [&](std::size_t c) {
      return values[c] ? *values[c] : std::numeric_limits<double>::quiet_NaN();
    });
  }
  panel_builder& add_row(std::string_view unit, month m, std::initializer_list<std::optional<double>> values) {
    return add_row(unit, m, std::span<const std::optional<double>>(values.begin(), values.size()));
  }
  panel_builder& add_row(std::string_view unit, month m, std::span<const double> values) {
    return add(unit, m, values.size(), [&](std::size_t c) { return values[c]; });
  }

  // Text that equals a missing token (by default "" and "NA") is missing; an attribute never
  // set for a unit is missing too. Setting a different value twice is an error.
  panel_builder& set_attribute(std::string_view unit, std::string_view name, std::string value) {
    const auto a = std::find(attributes_.begin(), attributes_.end(), name);
    if (a == attributes_.end())
      throw invalid_input("panel_builder: unknown attribute '" + std::string(name) +
                          "' (attributes are: " + detail::join_names(attributes_) + ")");
    const std::size_t u = unit_id(unit);
    auto& slot = attribute_values_[static_cast<std::size_t>(a - attributes_.begin())][u];
    if (slot && *slot != value)
      throw invalid_input("panel_builder: attribute '" + std::string(name) + "' of unit '" +
                          std::string(unit) + "' is '" + *slot + "', and cannot be set to '" + value + "'");
    slot = std::move(value);
    return *this;
  }

  panel build() const {
    const std::size_t n = months_.size();
    std::vector<std::size_t> rows_of(units_.size(), 0);
    for (std::size_t u : row_units_) ++rows_of[u];
    for (std::size_t u = 0; u < units_.size(); ++u)
      if (rows_of[u] == 0)
        throw invalid_input("panel_builder: unit '" + units_[u] + "' has attributes but no rows");

    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return row_units_[a] != row_units_[b] ? row_units_[a] < row_units_[b] : months_[a] < months_[b];
    });
    for (std::size_t i = 1; i < n; ++i) {
      const std::size_t a = order[i - 1], b = order[i];
      if (row_units_[a] == row_units_[b] && months_[a] == months_[b])
        throw invalid_input("panel_builder: duplicate row for unit '" + units_[row_units_[a]] +
                            "' and month " + months_[a].to_string() + " (rows " + std::to_string(a + 1) +
                            " and " + std::to_string(b + 1) + " as added)");
    }

    panel p;
    p.source_ = source_;
    p.units_ = units_;
    for (std::size_t u = 0; u < units_.size(); ++u) p.unit_lookup_.emplace(units_[u], u);
    p.unit_begin_.assign(units_.size() + 1, 0);
    p.row_units_.resize(n);
    p.row_months_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      p.row_units_[i] = row_units_[order[i]];
      p.row_months_[i] = months_[order[i]];
      ++p.unit_begin_[p.row_units_[i] + 1];
    }
    std::partial_sum(p.unit_begin_.begin(), p.unit_begin_.end(), p.unit_begin_.begin());
    if (n > 0) {
      p.first_ = *std::min_element(p.row_months_.begin(), p.row_months_.end());
      p.last_ = *std::max_element(p.row_months_.begin(), p.row_months_.end());
    }

    p.columns_ = columns_;
    const std::size_t k = columns_.size();
    for (std::size_t c = 0; c < k; ++c) {
      Eigen::VectorXd v(static_cast<Eigen::Index>(n));
      std::vector<bool> miss(n);
      for (std::size_t i = 0; i < n; ++i) {
        v[static_cast<Eigen::Index>(i)] = values_[order[i] * k + c];
        miss[i] = std::isnan(v[static_cast<Eigen::Index>(i)]);
      }
      p.values_.push_back(std::move(v));
      p.missing_.push_back(std::move(miss));
    }

    p.attributes_ = attributes_;
    for (const auto& per_unit : attribute_values_) {
      std::vector<std::string> text(units_.size());
      std::vector<bool> miss(units_.size());
      for (std::size_t u = 0; u < units_.size(); ++u) {
        text[u] = per_unit[u].value_or("");
        miss[u] = std::find(missing_tokens_.begin(), missing_tokens_.end(), text[u]) != missing_tokens_.end() ||
                  !per_unit[u];
      }
      p.attribute_text_.push_back(std::move(text));
      p.attribute_missing_.push_back(std::move(miss));
    }
    return p;
  }

 private:
  static void check_names(const char* what, const std::vector<std::string>& names) {
    for (std::size_t i = 0; i < names.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (names[i] == names[j])
          throw invalid_input(std::string("panel_builder: ") + what + " '" + names[i] + "' is listed twice");
  }

  std::size_t unit_id(std::string_view unit) {
    if (unit.empty()) throw invalid_input("panel_builder: a unit name is empty");
    const auto it = unit_lookup_.find(unit);
    if (it != unit_lookup_.end()) return it->second;
    units_.emplace_back(unit);
    unit_lookup_.emplace(std::string(unit), units_.size() - 1);
    for (auto& per_unit : attribute_values_) per_unit.emplace_back();
    return units_.size() - 1;
  }

  // Checks the whole row before storing any of it, so a rejected row leaves the builder as it was.
  template <class ValueAt>
  panel_builder& add(std::string_view unit, month m, std::size_t n_values, ValueAt value_at) {
    const auto where = [&] { return "panel_builder: the row for unit '" + std::string(unit) + "' and month " + m.to_string(); };
    if (n_values != columns_.size())
      throw invalid_input(where() + " has " + std::to_string(n_values) + " values, but there are " +
                          std::to_string(columns_.size()) + " columns");
    if (m.year() < 1) throw invalid_input("panel_builder: a row has the placeholder month 0000-01");
    for (std::size_t c = 0; c < n_values; ++c)
      if (const double v = value_at(c); std::isinf(v))
        throw invalid_input(where() + " has " + (v > 0 ? "inf" : "-inf") + " in column '" + columns_[c] +
                            "', but values must be finite (NaN = missing)");
    const std::size_t u = unit_id(unit);
    row_units_.push_back(u);
    months_.push_back(m);
    for (std::size_t c = 0; c < n_values; ++c) values_.push_back(value_at(c));
    return *this;
  }

  std::string source_;
  std::vector<std::string> columns_, attributes_, missing_tokens_;
  std::vector<std::string> units_;
  std::map<std::string, std::size_t, std::less<>> unit_lookup_;
  std::vector<std::size_t> row_units_;
  std::vector<month> months_;
  std::vector<double> values_;  // row-major, rows as added
  std::vector<std::vector<std::optional<std::string>>> attribute_values_;  // [attribute][unit]
};

}  // namespace pilotstats
