// The shape of one reference case of tests/changepoint/breakpoints_reference.hpp.
#pragma once
#include <array>
#include <vector>
#include <string>
#include <tuple>
#include <vector>

struct breakpoints_reference_case {
  std::string data, design;
  double h;                  // as passed to strucchange
  long h_count;              // strucchange's h after floor(n h)
  int max_breaks;
  std::vector<double> rss, bic;                  // m = 0..max_breaks
  std::vector<std::vector<long>> breakpoints;    // m = 1..max_breaks
  int chosen;                                    // by BIC
  std::vector<std::vector<double>> coefficients; // per segment of the chosen fit
  std::vector<std::array<long, 3>> confint;      // lower, breakpoint, upper; NA as -1
  std::vector<std::array<double, 2>> distances;  // uniroot's roots x sigma_1^2 / d'Q_1 d: upper, lower
  double supf, supf_p;
  long supf_break;
  std::vector<std::tuple<long, long, double>> rss_spots;  // bp$RSS(i, j), 1-based inclusive
};
