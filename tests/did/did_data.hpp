// tests/did/did_data.hpp: the DiD test data sets as columns (mpdta, Proposition 99).
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "pilotstats/core/csv.hpp"

namespace pilotstats_did_test {

struct long_panel {
  std::vector<std::string> unit;   // unit names, one per row (file order)
  std::vector<long> time;          // years
  Eigen::VectorXd y, treatment, extra;  // extra: lpop (mpdta), unused otherwise
  Eigen::VectorXd first_treat;     // mpdta: first.treat (0 = never)
};

inline long_panel load(const std::string& file, const std::string& unit, const std::string& time,
                       const std::string& y, const std::string& treatment, const std::string& extra = "",
                       const std::string& first_treat = "") {
  const auto t = pilotstats::read_csv(std::string(PILOTSTATS_TEST_DATA_DIR) + "/" + file);
  long_panel p;
  const auto n = static_cast<Eigen::Index>(t.n_rows());
  p.y.resize(n);
  p.treatment.resize(n);
  p.extra.resize(n);
  p.first_treat.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& row = t.rows[static_cast<std::size_t>(i)];
    p.unit.push_back(row[t.column_index(unit)]);
    p.time.push_back(std::stol(row[t.column_index(time)]));
    p.y(i) = std::stod(row[t.column_index(y)]);
    p.treatment(i) = std::stod(row[t.column_index(treatment)]);
    p.extra(i) = extra.empty() ? 0.0 : std::stod(row[t.column_index(extra)]);
    p.first_treat(i) = first_treat.empty() ? 0.0 : std::stod(row[t.column_index(first_treat)]);
  }
  return p;
}

inline long_panel mpdta() { return load("mpdta.csv", "countyreal", "year", "lemp", "treat", "lpop", "first.treat"); }
inline long_panel prop99() { return load("california_prop99.csv", "State", "Year", "PacksPerCapita", "treated"); }

// Rows of `p` except the 1-based file rows 5, 12, 19, ... (R: x[-seq(5, nrow(x), by = 7), ]).
inline long_panel drop_every_seventh(const long_panel& p, std::vector<double>* weights = nullptr) {
  long_panel out;
  std::vector<Eigen::Index> keep;
  for (Eigen::Index i = 0; i < p.y.size(); ++i)
    if ((i + 1) < 5 || (i + 1 - 5) % 7 != 0) {
      keep.push_back(i);
      out.unit.push_back(p.unit[static_cast<std::size_t>(i)]);
      out.time.push_back(p.time[static_cast<std::size_t>(i)]);
      if (weights) weights->push_back(1.0 + static_cast<double>((i + 1) % 3));  // R: 1 + (file row %% 3)
    }
  out.y = p.y(keep);
  out.treatment = p.treatment(keep);
  out.extra = p.extra(keep);
  out.first_treat = p.first_treat(keep);
  return out;
}

}  // namespace pilotstats_did_test
