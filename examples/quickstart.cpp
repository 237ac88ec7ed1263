// pilotstats-quickstart: the README's first example, end to end on the bundled London data.
//
//   pilotstats-quickstart examples/data/london_bcu.csv
//
// Did complaints change when the two pathfinder BCUs merged? A Poisson regression of complaints
// with borough and month effects and the offset log(calls) (PPML, did/ppml.hpp), one indicator
// per pathfinder BCU after its go-live, on the months before the rollout began (to 2018-04), so
// every other borough is a control; CR1 standard errors clustered by borough. exp(estimate) is
// the average complaint-rate ratio after go-live. Three treated boroughs are few clusters, so
// East Area's effect is also tested by the wild cluster bootstrap and randomization inference
// (on the log complaint rate, did/wild_bootstrap.hpp and did/randomization.hpp).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pilotstats/pilotstats.hpp"
#include "pilotstats/report/panel_summary.hpp"

namespace ps = pilotstats;

int main(int argc, char** argv) {
  CLI::App app{"Pathfinder BCUs and complaints: Poisson DiD with borough and month effects, and the wild cluster bootstrap.",
               "pilotstats-quickstart"};
  std::string data = "examples/data/london_bcu.csv";
  std::string last = "2018-04";
  app.add_option("DATA", data, "the London panel (borough, bcu, month, complaints, calls, bcu_start)")
      ->capture_default_str();
  app.add_option("--last-month", last, "last month used (before the rollout of the other BCUs)")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ps::report::cli_exit(app, e);
  }

  return ps::report::run_program(app.get_name(), [&] {
    const auto panel = ps::read_panel_csv(data, {.unit = "borough"});
    const ps::month end = ps::month::parse(last);

    // One row per borough-month in the window: complaints, calls, and the two go-live indicators
    // (East Area's is the treatment; Central North's is the covariate).
    std::vector<double> y, log_calls, log_rate, east, central;
    std::vector<std::size_t> borough;
    std::vector<ps::month> time;
    const auto& complaints = panel.column("complaints");
    const auto& calls = panel.column("calls");
    for (std::size_t r = 0; r < panel.n_rows(); ++r) {
      const ps::month m = panel.row_month(r);
      if (end < m) continue;
      const std::size_t unit = panel.row_unit(r);
      const auto i = static_cast<Eigen::Index>(r);
      if (panel.missing("complaints")[r] || panel.missing("calls")[r] || complaints(i) <= 0 || calls(i) <= 0)
        throw ps::invalid_input(panel.units()[unit] + " " + m.to_string() +
                                ": complaints and calls must be present and positive");
      const bool live = m >= *panel.attribute_month(unit, "bcu_start");
      y.push_back(complaints(i));
      log_calls.push_back(std::log(calls(i)));
      log_rate.push_back(std::log(1000.0 * complaints(i) / calls(i)));
      east.push_back(live && panel.attribute(unit, "bcu") == "East Area" ? 1 : 0);
      central.push_back(live && panel.attribute(unit, "bcu") == "Central North" ? 1 : 0);
      borough.push_back(unit);
      time.push_back(m);
    }
    const auto vec = [](std::vector<double>& v) { return Eigen::Map<Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())); };
    const Eigen::MatrixXd central_north = vec(central);

    ps::ppml_options o;
    o.treatment_name = "East Area after go-live";
    o.covariate_names = {"Central North after go-live"};
    o.offset = vec(log_calls);
    const auto fit = ps::ppml(vec(y), vec(east), borough, time, central_north, o);
    std::cout << "Complaints, " << panel.first_month() << " to " << end << ", " << fit.n << " borough-months, "
              << fit.n_units << " boroughs: Poisson with borough and month effects, offset log(calls)\n\n"
              << ps::format_coefficients(fit.table) << '\n';
    for (const auto& rr : fit.rate_ratios)
      std::printf("%-28s complaint rate x%.2f [%.2f, %.2f] (95%%, CR1 by borough)\n", rr.term.c_str(), rr.ratio,
                  rr.conf_low, rr.conf_high);
    for (const auto& w : fit.warnings) std::cout << "Warning: " << w << '\n';

    // Few treated clusters: the same question on the log complaint rate, by the wild cluster
    // bootstrap (null imposed) and by reassigning East Area's go-live to every 3 of the 32 boroughs.
    ps::wild_bootstrap_options w;
    w.seed = 20161201;
    const auto boot = ps::wild_cluster_bootstrap(vec(log_rate), vec(east), borough, time, central_north, w);
    const auto ri = ps::randomization_inference(vec(log_rate), vec(east), borough, time, central_north);
    const std::string boot_p = boot.p_value > 0 ? "p = " + ps::detail::format_number(boot.p_value)
                                                : "p < 1/" + std::to_string(boot.draws) + " (no draw as extreme)";
    std::printf("\nEast Area on the log complaint rate: x%.2f\n  wild cluster bootstrap (%s): %s, 95%% interval x%.2f "
                "to x%.2f\n  randomization inference: p = %.2g over all %.0f assignments of the go-live to 3 boroughs\n",
                std::exp(boot.estimate), boot.method.c_str(), boot_p.c_str(), std::exp(boot.conf_low),
                std::exp(boot.conf_high), ri.p_value, ri.assignments);
    return ps::report::exit_success;
  });
}
