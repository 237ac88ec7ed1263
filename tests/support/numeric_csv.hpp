// tests/support/numeric_csv.hpp: reads the small all-numeric reference files the tests embed
// (header row, comma separated, '#' comment lines kept apart). Test infrastructure only: the
// library's own reader is pilotstats/core/csv.hpp.
#pragma once

#include <Eigen/Core>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace pilotstats_test {

struct numeric_csv {
  std::vector<std::string> header;
  Eigen::MatrixXd values;
  std::vector<std::string> comments;  // the '#' lines without the '#'

  Eigen::VectorXd column(const std::string& name) const {
    for (std::size_t j = 0; j < header.size(); ++j)
      if (header[j] == name) return values.col(static_cast<Eigen::Index>(j));
    throw std::runtime_error("no column " + name);
  }
};

inline numeric_csv read_numeric_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  numeric_csv out;
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') { out.comments.push_back(line.substr(1)); continue; }
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) fields.push_back(f);
    if (out.header.empty()) { out.header = fields; continue; }
    std::vector<double> row;
    for (const auto& x : fields) row.push_back(std::stod(x));
    rows.push_back(row);
  }
  out.values.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(out.header.size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < rows[i].size(); ++j)
      out.values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
  return out;
}

// The log relative error of NIST StRD: the number of correct significant digits;
// -log10|estimate| when the certified value is 0.
inline double log_relative_error(double estimate, double certified) {
  if (estimate == certified) return 16.0;
  if (certified == 0) return -std::log10(std::abs(estimate));
  return -std::log10(std::abs(estimate - certified) / std::abs(certified));
}

}  // namespace pilotstats_test
