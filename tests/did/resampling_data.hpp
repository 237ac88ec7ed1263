// tests/did/resampling_data.hpp: the Proposition 99 subsets of
// tests/reference/wild_bootstrap_reference.R (wild cluster bootstrap, randomization inference).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "did_data.hpp"

namespace pilotstats_resampling_test {

// Whether some warning contains `part`.
inline bool has_warning(const std::vector<std::string>& w, const std::string& part) {
  for (const auto& s : w)
    if (s.find(part) != std::string::npos) return true;
  return false;
}

struct subset_panel {
  std::vector<std::string> unit;
  std::vector<long> time;
  Eigen::VectorXd y, d;
  Eigen::MatrixXd z;                 // one column: cos(0.7 (Year - 1970) + 1.3 idx)
  std::vector<std::size_t> pair;     // (idx + 1) / 2: pairs of states in alphabetical order
};

inline const std::vector<std::string> s10 = {"Alabama",  "Arkansas",    "California", "Colorado", "Connecticut",
                                             "Delaware", "Georgia",     "Idaho",      "Illinois", "Indiana"};
inline std::vector<std::string> s12() {
  auto s = s10;
  s.push_back("Iowa");
  s.push_back("Kansas");
  return s;
}
inline std::vector<std::string> s16() {
  auto s = s12();
  for (const char* x : {"Kentucky", "Louisiana", "Maine", "Minnesota"}) s.push_back(x);
  return s;
}

// R: panel(states), and with drop_seventh R's p[-seq(5, nrow(p), by = 7), ] of the subset.
// idx is the 1-based alphabetical rank of the state within `states` (given sorted).
inline subset_panel prop99_subset(const std::vector<std::string>& states, bool drop_seventh = false) {
  static const auto all = pilotstats_did_test::prop99();
  subset_panel p;
  std::vector<double> y, d, z;
  std::size_t kept_in_subset = 0;
  for (Eigen::Index i = 0; i < all.y.size(); ++i) {
    const auto& s = all.unit[static_cast<std::size_t>(i)];
    const auto at = std::find(states.begin(), states.end(), s);
    if (at == states.end()) continue;
    ++kept_in_subset;
    if (drop_seventh && kept_in_subset >= 5 && (kept_in_subset - 5) % 7 == 0) continue;
    const auto idx = static_cast<double>(at - states.begin() + 1);
    const long year = all.time[static_cast<std::size_t>(i)];
    p.unit.push_back(s);
    p.time.push_back(year);
    p.pair.push_back((static_cast<std::size_t>(idx) + 1) / 2);
    y.push_back(all.y(i));
    d.push_back(all.treatment(i));
    z.push_back(std::cos(0.7 * static_cast<double>(year - 1970) + 1.3 * idx));
  }
  p.y = Eigen::Map<Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  p.d = Eigen::Map<Eigen::VectorXd>(d.data(), static_cast<Eigen::Index>(d.size()));
  p.z = Eigen::Map<Eigen::VectorXd>(z.data(), static_cast<Eigen::Index>(z.size()));
  return p;
}

// D = 1 from the first treated year of the row's state (absent: never).
inline Eigen::VectorXd staggered(const subset_panel& p, const std::map<std::string, long>& start) {
  Eigen::VectorXd d(p.y.size());
  for (std::size_t i = 0; i < p.unit.size(); ++i) {
    const auto s = start.find(p.unit[i]);
    d(static_cast<Eigen::Index>(i)) = s != start.end() && p.time[i] >= s->second ? 1.0 : 0.0;
  }
  return d;
}

}  // namespace pilotstats_resampling_test
