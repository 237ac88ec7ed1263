// pilotstats/report/program.hpp: the conventions the pilotstats-* programs share.
//
// Exit 0 on success, 2 on bad data or bad usage with "<program>: error: <message>" on stderr
// (the message names file:line:column, or unit and month), 1 on anything unexpected; JSON
// output carries the pilotstats version. pilotstats-describe set them; every program follows.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pilotstats/core/error.hpp"
#include "pilotstats/version.hpp"

namespace pilotstats::report {

// Writes `j` indented, with the pilotstats version, to `path`; failure is invalid_input naming it.
inline void write_json(const std::filesystem::path& path, nlohmann::ordered_json j) {
  j["pilotstats_version"] = version_string;
  std::ofstream out(path);
  if (!out) throw invalid_input(path.string() + ": cannot write the file (" + std::strerror(errno) + ")");
  out << j.dump(2) << '\n';
  if (!out.flush()) throw invalid_input(path.string() + ": cannot write the file");
}

inline constexpr int exit_success = 0;
inline constexpr int exit_unexpected = 1;
inline constexpr int exit_bad_input = 2;  // bad data, bad options, bad usage

inline void print_error(std::string_view program, std::string_view message) {
  std::cerr << program << ": error: " << message << '\n';
}

// Runs a program's body and turns what it throws into the exit code and one line on stderr.
template <class Body>
int run_program(std::string_view program, Body&& body) {
  try {
    return body();
  } catch (const error& e) {
    print_error(program, e.what());
    return exit_bad_input;
  } catch (const std::exception& e) {
    print_error(program, std::string("unexpected failure: ") + e.what());
    return exit_unexpected;
  }
}

// For CLI11's ParseError without tying this header to CLI11: --help prints the help and
// returns 0; a usage error is reported in the house format and returns 2.
//   try { app.parse(argc, argv); } catch (const CLI::ParseError& e) { return cli_exit(app, e); }
template <class App, class ParseError>
int cli_exit(const App& app, const ParseError& e) {
  if (e.get_exit_code() == 0) return app.exit(e);
  print_error(app.get_name(), std::string(e.what()) + " (run with --help for usage)");
  return exit_bad_input;
}

}  // namespace pilotstats::report
