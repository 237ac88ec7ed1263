// pilotstats/core/series.hpp: one unit's monthly values of one measure, cut from a panel.
//
// The months are the months the data has, strictly increasing; a month with no row is absent,
// never filled in, so `months[i] - months[0]` is the time index a model should use, not `i`.
// A missing cell is both NaN in `values` (so Eigen arithmetic cannot silently use it) and
// flagged in `missing` (so no code has to test for NaN to find it).
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "pilotstats/core/month.hpp"

namespace pilotstats {

struct series {
  std::string unit;
  std::string column;
  std::vector<month> months;
  Eigen::VectorXd values;
  std::vector<bool> missing;

  std::size_t size() const noexcept { return months.size(); }

  std::size_t n_observed() const noexcept {
    return static_cast<std::size_t>(std::count(missing.begin(), missing.end(), false));
  }

  // Position of month m, or nothing when the series has no row for it.
  std::optional<std::size_t> find(month m) const {
    const auto it = std::lower_bound(months.begin(), months.end(), m);
    if (it == months.end() || *it != m) return std::nullopt;
    return static_cast<std::size_t>(it - months.begin());
  }
};

}  // namespace pilotstats
