// pilotstats/core/month.hpp: a calendar month, the time index of every panel.
//
// Stored as one integer, year * 12 + (month - 1), so that differences, ordering and hashing are
// integer operations and a time trend is just `m - first`. Years run 0001..9999, which is what
// the text form "YYYY-MM" can hold; arithmetic that leaves that range throws.
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "pilotstats/core/error.hpp"

namespace pilotstats {

class month {
 public:
  // 0000-01: a placeholder so that month can live in containers; no constructor or parse makes it.
  constexpr month() = default;

  month(int year, int month_of_year) {
    if (month_of_year < 1 || month_of_year > 12)
      throw invalid_input("month: month of year is " + std::to_string(month_of_year) +
                          ", but must be in 1..12");
    if (year < 1 || year > 9999)
      throw invalid_input("month: year is " + std::to_string(year) + ", but must be in 1..9999");
    index_ = year * 12 + (month_of_year - 1);
  }

  // Exactly "YYYY-MM": four digits, a dash, two digits. No spaces, no day, no other separator,
  // so that "2016-1" or "2016-01-01" in a file is reported instead of guessed at.
  static month parse(std::string_view text) {
    const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    const bool shape = text.size() == 7 && digit(0) && digit(1) && digit(2) && digit(3) &&
                       text[4] == '-' && digit(5) && digit(6);
    const auto fail = [&](const char* rule) -> month {
      throw invalid_input("month \"" + std::string(text) + "\": expected YYYY-MM with " + rule);
    };
    if (!shape) return fail("month 01..12");
    const auto value = [&](std::size_t from, std::size_t n) {
      int v = 0;
      for (std::size_t i = from; i < from + n; ++i) v = v * 10 + (text[i] - '0');
      return v;
    };
    const int y = value(0, 4), m = value(5, 2);
    if (m < 1 || m > 12) return fail("month 01..12");
    if (y < 1) return fail("year 0001..9999");
    return month(y, m);
  }

  // Months since 0000-01; for hashing and for code that wants a plain integer time axis.
  constexpr int index() const noexcept { return index_; }
  constexpr int year() const noexcept { return index_ / 12; }
  constexpr int month_of_year() const noexcept { return index_ % 12 + 1; }

  std::string to_string() const {
    std::string s = std::to_string(year());
    s.insert(0, 4 - std::min<std::size_t>(4, s.size()), '0');
    const int m = month_of_year();
    s += m < 10 ? "-0" : "-";
    s += std::to_string(m);
    return s;
  }

  month& operator+=(int n) {
    index_ = checked(static_cast<long long>(index_) + n);
    return *this;
  }
  month& operator-=(int n) { return *this += -n; }
  month& operator++() { return *this += 1; }
  month operator++(int) {
    month old = *this;
    *this += 1;
    return old;
  }
  month& operator--() { return *this -= 1; }
  month operator--(int) {
    month old = *this;
    *this -= 1;
    return old;
  }

  friend month operator+(month m, int n) { return m += n; }
  friend month operator+(int n, month m) { return m += n; }
  friend month operator-(month m, int n) { return m -= n; }
  // Signed number of months from b to a: month(2017, 1) - month(2016, 12) == 1.
  friend constexpr int operator-(month a, month b) noexcept { return a.index_ - b.index_; }

  friend constexpr auto operator<=>(month, month) noexcept = default;
  friend constexpr bool operator==(month, month) noexcept = default;

 private:
  static int checked(long long index) {
    if (index < 12 || index > 9999LL * 12 + 11)
      throw invalid_input("month: arithmetic leaves the years 0001..9999 (month index " +
                          std::to_string(index) + ")");
    return static_cast<int>(index);
  }

  int index_ = 0;
};

inline std::ostream& operator<<(std::ostream& out, month m) { return out << m.to_string(); }

}  // namespace pilotstats

template <>
struct std::hash<pilotstats::month> {
  std::size_t operator()(pilotstats::month m) const noexcept {
    return std::hash<int>{}(m.index());
  }
};
