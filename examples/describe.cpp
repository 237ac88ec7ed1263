// pilotstats-describe: what is in a monthly panel CSV, before any model is fitted.
//
//   pilotstats-describe examples/data/london_bcu.csv --unit borough --json summary.json
//
// Reads the file as a panel (one row per unit and month), then prints its source, size, month
// span, a table of the numeric columns, the per-unit attributes and the gaps. Exit codes: 0
// success; 2 bad data or usage ("pilotstats-describe: error: file:line:column: ..."); 1 other.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pilotstats/core.hpp"
#include "pilotstats/report/panel_summary.hpp"

int main(int argc, char** argv) {
  namespace ps = pilotstats;
  CLI::App app{"Describe a monthly panel CSV: rows, units, months, numeric columns, attributes and gaps.",
               "pilotstats-describe"};
  std::string data, json_path;
  ps::panel_csv_options options;
  app.add_option("DATA", data, "CSV file in long format, one row per unit and month (',' or ';')")->required();
  app.add_option("--unit", options.unit, "Column naming the unit, e.g. the borough")->capture_default_str();
  app.add_option("--month", options.month, "Column holding the month as YYYY-MM")->capture_default_str();
  app.add_option("--values", options.values,
                 "Numeric columns to read, comma-separated; default: every column whose cells are numbers")
      ->delimiter(',');
  app.add_option("--attributes", options.attributes,
                 "Per-unit text columns to keep, comma-separated; default with --values: none")
      ->delimiter(',');
  app.add_option("--json", json_path, "Also write the summary as JSON to this file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ps::report::cli_exit(app, e);
  }

  return ps::report::run_program(app.get_name(), [&] {
    options.validate();  // before touching the file
    const ps::csv_table table = ps::read_csv(data, options.csv);
    const ps::panel panel = ps::read_panel(table, options);
    const auto summary = ps::report::summarize(panel, std::string(1, table.separator));
    ps::report::print(std::cout, summary);
    if (!json_path.empty()) ps::report::write_json(json_path, ps::report::to_json(summary));
    return ps::report::exit_success;
  });
}
