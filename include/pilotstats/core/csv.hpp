// pilotstats/core/csv.hpp: reads delimited text into a table of strings.
//
// RFC 4180 with the habits of real files: ',' or ';' (detected from the header line outside
// quotes unless given), quoted fields with doubled quotes and embedded separators and line
// breaks, CRLF or LF (or a lone CR), a UTF-8 byte-order mark, an optional final line break.
// Decisions beyond the RFC, each made so that a spreadsheet export reads as a person expects:
//   - spaces and tabs around an unquoted field are trimmed, and around a quoted one ignored;
//     quote a field to keep its spaces;
//   - blank lines are skipped wherever they are (as R's read.csv and pandas do), so a file may
//     end in any number of them; row_line keeps the physical line of every record;
//   - a '"' inside an unquoted field is an ordinary character (5'10" stays 5'10").
// The table holds text only; what a cell means (number, missing, month) is decided by the
// reader that knows the column, so that its error can name the column. Every error is a
// parse_error with the source, the 1-based line and the 1-based field number.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "pilotstats/core/error.hpp"

namespace pilotstats {

struct csv_options {
  char separator = 0;  // 0: ';' if the header has more ';' than ',' outside quotes, else ','
  // Cells that mean "no value". Compared after trimming; quoting does not change the meaning.
  std::vector<std::string> missing_tokens{"", "NA"};

  void validate() const {
    if (separator == '"' || separator == '\n' || separator == '\r' || separator == ' ')
      throw invalid_input("csv_options: separator is '" + std::string(1, separator) +
                          "', but must not be a quote, a space or a line break");
  }
};

struct csv_table {
  std::string source;  // file name, or the name given for text
  char separator = ',';
  std::size_t header_line = 1;  // physical line of the header (later than 1 after blank lines)
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // every row has header.size() fields
  std::vector<std::size_t> row_line;           // 1-based physical line where each record starts

  std::size_t n_rows() const noexcept { return rows.size(); }

  bool has_column(std::string_view name) const noexcept {
    for (const auto& h : header)
      if (h == name) return true;
    return false;
  }

  // 0-based index of the column called `name`; an unknown name is an error in the file.
  std::size_t column_index(std::string_view name) const {
    for (std::size_t j = 0; j < header.size(); ++j)
      if (header[j] == name) return j;
    std::string listed;
    for (const auto& h : header) listed += (listed.empty() ? "" : ", ") + h;
    throw parse_error(source, header_line, 0,
                      "no column '" + std::string(name) + "'; the header has: " + listed);
  }
};

namespace detail {

inline bool csv_blank(char c, char separator) {
  return (c == ' ' || c == '\t') && c != separator;
}

inline std::string_view csv_trim(std::string_view s, char separator = 0) {
  while (!s.empty() && csv_blank(s.front(), separator)) s.remove_prefix(1);
  while (!s.empty() && csv_blank(s.back(), separator)) s.remove_suffix(1);
  return s;
}

// ';' only when the header line says so: a ',' file with no ';' is by far the common case.
inline char csv_detect_separator(std::string_view text) {
  std::size_t commas = 0, semicolons = 0;
  bool quoted = false, content = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '\n' || c == '\r')) {
      if (content) break;  // the header is the first line that is not blank
    } else if (c != ' ' && c != '\t') {
      content = true;
    }
    if (!quoted && c == ',') ++commas;
    else if (!quoted && c == ';') ++semicolons;
  }
  return semicolons > commas ? ';' : ',';
}

inline std::string csv_show_char(char c) {
  if (c == '\n') return "a line break";
  if (c == '\r') return "a carriage return";
  return "'" + std::string(1, c) + "'";
}

// Reads one record from text[pos..], advancing pos past its line break and line past every
// line break consumed. Returns false when the record is a blank line.
inline bool csv_read_record(std::string_view text, std::size_t& pos, std::size_t& line,
                            char sep, const std::string& source,
                            std::vector<std::string>& record) {
  const std::size_t n = text.size();
  bool any_quoted = false;
  const auto end_of_line = [&] {
    if (text[pos++] == '\r' && pos < n && text[pos] == '\n') ++pos;
    ++line;
  };
  for (;;) {
    const std::size_t field = record.size() + 1;
    std::size_t start = pos;
    while (pos < n && csv_blank(text[pos], sep)) ++pos;
    if (pos < n && text[pos] == '"') {
      any_quoted = true;
      const std::size_t opened = line;
      ++pos;
      std::string value;
      for (;;) {
        if (pos >= n)
          throw parse_error(source, opened, field,
                            "unterminated quoted field: the quote that opens it on line " +
                                std::to_string(opened) + " is never closed");
        const char c = text[pos++];
        if (c == '"') {
          if (pos < n && text[pos] == '"') {
            value += '"';
            ++pos;
          } else {
            break;
          }
        } else if (c == '\r') {  // CRLF or CR inside quotes is one line break, kept as '\n'
          if (pos < n && text[pos] == '\n') ++pos;
          value += '\n';
          ++line;
        } else {
          if (c == '\n') ++line;
          value += c;
        }
      }
      while (pos < n && csv_blank(text[pos], sep)) ++pos;
      if (pos < n && text[pos] != sep && text[pos] != '\n' && text[pos] != '\r')
        throw parse_error(source, line, field,
                          "expected the separator '" + std::string(1, sep) +
                              "' or the end of the line after a closing quote, found " +
                              csv_show_char(text[pos]));
      record.push_back(std::move(value));
    } else {
      start = pos;
      while (pos < n && text[pos] != sep && text[pos] != '\n' && text[pos] != '\r') ++pos;
      record.emplace_back(csv_trim(text.substr(start, pos - start), sep));
    }
    if (pos >= n) break;
    if (text[pos] == sep) {
      ++pos;
      continue;
    }
    end_of_line();
    break;
  }
  return any_quoted || record.size() > 1 || !record.front().empty();
}

}  // namespace detail

inline csv_table parse_csv(std::string_view text, std::string source = "<input>",
                           const csv_options& options = {}) {
  options.validate();
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

  csv_table table;
  table.source = std::move(source);
  table.separator = options.separator != 0 ? options.separator : detail::csv_detect_separator(text);

  std::size_t pos = 0, line = 1;
  bool have_header = false;
  std::vector<std::string> record;
  while (pos < text.size()) {
    const std::size_t record_line = line;
    record.clear();
    if (!detail::csv_read_record(text, pos, line, table.separator, table.source, record))
      continue;
    if (!have_header) {
      for (std::size_t j = 0; j < record.size(); ++j)
        for (std::size_t k = 0; k < j; ++k)
          if (record[j] == record[k])
            throw parse_error(table.source, record_line, j + 1,
                              "duplicate column name '" + record[j] + "' (also column " +
                                  std::to_string(k + 1) + ")");
      table.header = std::move(record);
      table.header_line = record_line;
      have_header = true;
      record = {};
      continue;
    }
    if (record.size() != table.header.size())
      throw parse_error(table.source, record_line, std::min(record.size(), table.header.size()) + 1,
                        "expected " + std::to_string(table.header.size()) +
                            " fields (as in the header), found " + std::to_string(record.size()));
    table.rows.push_back(record);
    table.row_line.push_back(record_line);
  }
  if (!have_header)
    throw parse_error(table.source, 1, 0, "the file is empty: expected a header line naming the columns");
  return table;
}

inline csv_table read_csv(const std::filesystem::path& path, const csv_options& options = {}) {
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw invalid_input(name + ": cannot open the file (it is a directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int code = errno;
    throw invalid_input(name + ": cannot open the file (" +
                        (code != 0 ? std::string(std::strerror(code)) : std::string("unknown reason")) +
                        ")");
  }
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw invalid_input(name + ": cannot read the file");
  return parse_csv(text, name, options);
}

}  // namespace pilotstats
