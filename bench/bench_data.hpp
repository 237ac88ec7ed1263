// bench/bench_data.hpp: designs the benchmarks share, drawn from a fixed seed.
#pragma once

#include <Eigen/Core>

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"

namespace pilotstats_bench {

// An n x p design: a column of ones, then N(0, 1) columns; y = X 1 + N(0, 1).
struct regression_data {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};

inline regression_data gaussian_design(Eigen::Index n, Eigen::Index p, std::uint64_t seed = 1) {
  pilotstats::pcg64 rng(seed);
  regression_data d{Eigen::MatrixXd(n, p), Eigen::VectorXd(n)};
  d.x.col(0).setOnes();
  for (Eigen::Index j = 1; j < p; ++j)
    for (Eigen::Index i = 0; i < n; ++i) d.x(i, j) = pilotstats::draw::standard_normal(rng);
  for (Eigen::Index i = 0; i < n; ++i) d.y(i) = d.x.row(i).sum() + pilotstats::draw::standard_normal(rng);
  return d;
}

// The two-way fixed-effects design of a units x months panel with dummies, as lm(y ~ treated +
// factor(unit) + factor(month)) builds it: intercept, treated, units-1 and months-1 dummies.
// Units 0-4 are treated from month 40 on (the London pathfinder shape: 5 of 32).
struct panel_data {
  regression_data data;
  std::vector<std::size_t> unit;
};

inline panel_data twfe_panel(int units, int months, std::uint64_t seed = 2) {
  pilotstats::pcg64 rng(seed);
  const Eigen::Index n = static_cast<Eigen::Index>(units) * months;
  const Eigen::Index p = 2 + (units - 1) + (months - 1);
  panel_data d{{Eigen::MatrixXd::Zero(n, p), Eigen::VectorXd(n)}, std::vector<std::size_t>(static_cast<std::size_t>(n))};
  Eigen::VectorXd unit_effect(units), month_effect(months);
  for (int u = 0; u < units; ++u) unit_effect(u) = pilotstats::draw::standard_normal(rng);
  for (int t = 0; t < months; ++t) month_effect(t) = 0.02 * t;
  for (int u = 0; u < units; ++u)
    for (int t = 0; t < months; ++t) {
      const Eigen::Index i = static_cast<Eigen::Index>(u) * months + t;
      const double treated = (u < 5 && t >= 40) ? 1.0 : 0.0;
      d.data.x(i, 0) = 1;
      d.data.x(i, 1) = treated;
      if (u > 0) d.data.x(i, 1 + u) = 1;
      if (t > 0) d.data.x(i, units + t) = 1;
      d.data.y(i) = 0.5 * treated + unit_effect(u) + month_effect(t) + pilotstats::draw::standard_normal(rng);
      d.unit[static_cast<std::size_t>(i)] = static_cast<std::size_t>(u);
    }
  return d;
}

}  // namespace pilotstats_bench
