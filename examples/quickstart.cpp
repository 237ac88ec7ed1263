// pilotstats-quickstart: the README's first example, end to end on the bundled London data.
//
//   pilotstats-quickstart examples/data/london_bcu.csv
//
// Did complaints change when the two pathfinder BCUs merged? A two-way fixed-effects
// regression of the log complaint rate (complaints per 1,000 calls) on one indicator per
// pathfinder BCU after its go-live, with borough and month effects, on the months before the
// rollout began (to 2018-04), so every other borough is a control. Standard errors: CR2
// clustered by borough with Satterthwaite degrees of freedom (few treated clusters).
// exp(estimate) is the average complaint-rate ratio after go-live. The ITS and DiD layers
// will do this with count models; this example needs only the foundation.
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
  CLI::App app{"Pathfinder BCUs and complaints: two-way fixed effects with CR2 standard errors.",
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
    const std::vector<std::string> pathfinders = {"East Area", "Central North"};

    // Rows in the window; columns: intercept, one indicator per pathfinder, borough and month dummies.
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < panel.n_rows(); ++r)
      if (panel.row_month(r) <= end) rows.push_back(r);
    const int months = end - panel.first_month() + 1;
    const auto units = static_cast<Eigen::Index>(panel.n_units());
    const Eigen::Index terms = 1 + 2 + (units - 1) + (months - 1);
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows.size()), terms);
    Eigen::VectorXd y(x.rows());
    std::vector<std::string> names = {"(Intercept)", "East Area after go-live", "Central North after go-live"};
    for (Eigen::Index u = 1; u < units; ++u) names.push_back("borough " + panel.units()[static_cast<std::size_t>(u)]);
    for (int t = 1; t < months; ++t) names.push_back("month " + (panel.first_month() + t).to_string());
    std::vector<std::size_t> cluster;
    const auto& complaints = panel.column("complaints");
    const auto& calls = panel.column("calls");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::size_t r = rows[i];
      const std::size_t unit = panel.row_unit(r);
      const ps::month m = panel.row_month(r);
      const auto row = static_cast<Eigen::Index>(i);
      if (panel.missing("complaints")[r] || panel.missing("calls")[r] || complaints(r) <= 0)
        throw ps::invalid_input(panel.units()[unit] + " " + m.to_string() +
                                ": complaints must be present and positive for a log rate");
      y(row) = std::log(1000.0 * complaints(r) / calls(r));
      x(row, 0) = 1;
      for (std::size_t p = 0; p < pathfinders.size(); ++p)
        if (panel.attribute(unit, "bcu") == pathfinders[p] && m >= *panel.attribute_month(unit, "bcu_start"))
          x(row, static_cast<Eigen::Index>(1 + p)) = 1;
      if (unit > 0) x(row, 2 + static_cast<Eigen::Index>(unit)) = 1;
      if (m > panel.first_month()) x(row, 1 + units + (m - panel.first_month())) = 1;
      cluster.push_back(unit);
    }

    const auto fit = ps::least_squares(x, y, {.names = names});
    const auto cr2 = ps::covariance(fit, ps::cluster_covariance{cluster, ps::cr_type::cr2});
    const auto table = ps::tidy(fit, cr2);

    std::cout << "Log complaint rate, " << panel.first_month() << " to " << end << ", "
              << fit.n << " borough-months, " << panel.n_units() << " boroughs ("
              << fit.rank << " terms; borough and month effects not shown)\n\n";
    ps::coefficient_table shown = table;
    shown.rows.resize(3);
    std::cout << ps::format_coefficients(shown) << '\n';
    for (int j = 1; j <= 2; ++j) {
      const auto& row = table.rows[static_cast<std::size_t>(j)];
      std::printf("%-28s complaint rate x%.2f [%.2f, %.2f] (95%%, CR2, %.1f df)\n", row.term.c_str(),
                  std::exp(row.estimate), std::exp(row.conf_low), std::exp(row.conf_high), row.df);
    }
    return ps::report::exit_success;
  });
}
