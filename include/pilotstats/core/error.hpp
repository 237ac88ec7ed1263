// pilotstats/core/error.hpp: the one exception hierarchy.
//
// A caller's mistake throws a subclass of pilotstats::error whose message says what is wrong
// and where. Numerical outcomes (rank deficiency, non-convergence, few clusters) are never
// exceptions: they are statuses and warnings in a result.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace pilotstats {

// Base of everything pilotstats throws.
class error : public std::runtime_error {
 public:
  explicit error(const std::string& what) : std::runtime_error(what) {}
};

// An argument or option that breaks a documented rule ("weights: entry 4 is -1, but must be
// nonnegative").
class invalid_input : public error {
 public:
  explicit invalid_input(const std::string& what) : error(what) {}
};

// A request outside what the data can answer (a month outside the panel, an unknown unit).
class domain_error : public error {
 public:
  explicit domain_error(const std::string& what) : error(what) {}
};

// Text that cannot be read: names the source (file name or "<input>"), the 1-based line and
// column, and what was expected. what() reads "file:line:column: message".
class parse_error : public error {
 public:
  parse_error(std::string source, std::size_t line, std::size_t column, std::string message)
      : error(format(source, line, column, message)),
        source_(std::move(source)),
        line_(line),
        column_(column),
        message_(std::move(message)) {}

  const std::string& source() const noexcept { return source_; }
  std::size_t line() const noexcept { return line_; }      // 1-based; 0 when not known
  std::size_t column() const noexcept { return column_; }  // 1-based; 0 when not known
  const std::string& message() const noexcept { return message_; }

 private:
  static std::string format(const std::string& source, std::size_t line, std::size_t column,
                            const std::string& message) {
    // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) on ":" + std::to_string().
    std::string where = source.empty() ? std::string("<input>") : source;
    if (line > 0) {
      where += ':';
      where += std::to_string(line);
    }
    if (column > 0) {
      where += ':';
      where += std::to_string(column);
    }
    where += ": ";
    where += message;
    return where;
  }

  std::string source_;
  std::size_t line_;
  std::size_t column_;
  std::string message_;
};

}  // namespace pilotstats
