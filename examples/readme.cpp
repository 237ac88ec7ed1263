// The library example shown in README.md, compiled and run by ctest so that it cannot rot.
#include <pilotstats/pilotstats.hpp>

#include <cmath>
#include <iostream>

int main(int argc, char** argv) {
  namespace ps = pilotstats;
  const auto panel = ps::read_panel_csv(argc > 1 ? argv[1] : "examples/data/london_bcu.csv", {.unit = "borough"});
  const std::size_t unit = panel.unit_index("Barking & Dagenham");
  const ps::month live = *panel.attribute_month(unit, "bcu_start");  // 2016-12
  const auto complaints = panel.unit_series("Barking & Dagenham", "complaints");
  const auto calls = panel.unit_series("Barking & Dagenham", "calls");

  // Segmented regression of the log complaint rate: level and slope change at go-live.
  const auto n = static_cast<Eigen::Index>(complaints.size());
  Eigen::MatrixXd x(n, 4);
  Eigen::VectorXd y(n);
  for (Eigen::Index t = 0; t < n; ++t) {
    const int since = complaints.months[t] - live;  // months since go-live
    x.row(t) << 1.0, t, since >= 0, since >= 0 ? since : 0;
    y(t) = std::log(complaints.values(t) / calls.values(t) * 1000);
  }
  const auto fit = ps::least_squares(x, y, {.names = {"intercept", "trend", "level_change", "slope_change"}});
  const auto table = ps::tidy(fit, ps::covariance(fit, ps::hac_covariance{}));  // Newey-West, automatic lag
  std::cout << ps::format_coefficients(table);
  const auto& level = table["level_change"];
  std::cout << "complaint rate at go-live: x" << std::exp(level.estimate) << " [" << std::exp(level.conf_low)
            << ", " << std::exp(level.conf_high) << "]\n";
}
