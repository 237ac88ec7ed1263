// tests/changepoint/simulated_series.hpp: random piecewise series for the property tests.
// Everything is drawn from pilotstats::pcg64, so a failing seed can be replayed.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <vector>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"

namespace pilotstats_test {

enum class series_kind { normal, normal_rounded, poisson, trend };

// n values in 1..5 random segments; per segment a random level, sd, rate or slope.
inline Eigen::VectorXd simulated_series(pilotstats::pcg64& rng, Eigen::Index n, series_kind kind) {
  namespace draw = pilotstats::draw;
  const auto pieces = 1 + static_cast<int>(draw::uniform_int(rng, 5));
  std::vector<Eigen::Index> cuts{0, n};
  for (int i = 1; i < pieces; ++i) cuts.push_back(static_cast<Eigen::Index>(draw::uniform_int(rng, static_cast<std::uint64_t>(n))));
  std::sort(cuts.begin(), cuts.end());
  Eigen::VectorXd y(n);
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const double level = draw::normal(rng, 0, 2);
    const double sd = std::exp(draw::normal(rng, 0, 0.7));
    const double rate = std::exp(draw::normal(rng, 0.5, 1.2));  // some near 0: zero counts
    const double slope = draw::normal(rng, 0, 0.3);
    for (Eigen::Index t = cuts[k]; t < cuts[k + 1]; ++t) {
      switch (kind) {
        case series_kind::normal: y(t) = draw::normal(rng, level, sd); break;
        case series_kind::normal_rounded: y(t) = std::round(draw::normal(rng, level, sd)); break;  // ties
        case series_kind::poisson: y(t) = static_cast<double>(draw::poisson(rng, rate)); break;
        case series_kind::trend:
          y(t) = level + slope * static_cast<double>(t - cuts[k]) + draw::normal(rng, 0, sd);
          break;
      }
    }
  }
  return y;
}

}  // namespace pilotstats_test
