// pilotstats/changepoint/find_changepoints.hpp: one call from a cost to a described segmentation.
//
// Synopsis
//   const pilotstats::normal_mean_cost cost(y);
//   const auto r = pilotstats::find_changepoints(cost, {.penalty = {.kind = pilotstats::penalty_kind::mbic}});
//   r.changepoints;              // {151, 250, 380}: R changepoint's cpts(), see partition.hpp
//   r.segments[1].estimate.mean  // the second segment's mean
//
// As cpt.mean / cpt.var / cpt.meanvar(method = "PELT" | "BinSeg", penalty = ...) of R
// changepoint 2.3 with the cost chosen by its class: the penalty per change is
// penalty_value(penalty, n, Cost::parameters_per_change); MBIC also adds log(length) to every
// segment's cost (mbic_cost). The minimum segment length defaults to R's minseglen for the
// model (1 for a mean, 2 for variance, mean and variance, and Poisson). Segment neighbourhood
// picks among 0..max_changes changes by the penalty (R's SegNeigh, which refuses MBIC; here
// MBIC works as for the others). Wild binary segmentation uses the penalty as its threshold.
// AMOC is R's at-most-one-change decision (amoc.hpp); under MBIC, cost_value then leaves out
// the log(length) terms (R's AMOC adds its own to the test statistic only).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "pilotstats/changepoint/amoc.hpp"
#include "pilotstats/changepoint/binary_segmentation.hpp"
#include "pilotstats/changepoint/cost.hpp"
#include "pilotstats/changepoint/fpop.hpp"
#include "pilotstats/changepoint/optimal_partitioning.hpp"
#include "pilotstats/changepoint/partition.hpp"
#include "pilotstats/changepoint/pelt.hpp"
#include "pilotstats/changepoint/penalty.hpp"
#include "pilotstats/changepoint/segment_neighbourhood.hpp"
#include "pilotstats/changepoint/wild_binary_segmentation.hpp"

namespace pilotstats {

enum class search_method {
  pelt,
  optimal_partitioning,
  binary_segmentation,
  wild_binary_segmentation,
  segment_neighbourhood,
  amoc  // at most one change
};

inline const char* to_string(search_method m) {
  switch (m) {
    case search_method::pelt: return "PELT";
    case search_method::optimal_partitioning: return "optimal partitioning";
    case search_method::binary_segmentation: return "binary segmentation";
    case search_method::wild_binary_segmentation: return "wild binary segmentation";
    case search_method::segment_neighbourhood: return "segment neighbourhood";
    case search_method::amoc: return "AMOC";
  }
  return "?";
}

struct changepoint_options {
  search_method method = search_method::pelt;
  pilotstats::penalty penalty{};
  Eigen::Index min_segment_length = 0;  // 0: the cost's default (R's minseglen)
  int max_changes = 5;                  // Q: binary segmentation, segment neighbourhood
  // Reproduce R changepoint's answers where its search is not exact: PELT prunes as R's PELTC
  // (pelt.hpp) and binary segmentation uses R's split range (binary_segmentation.hpp).
  bool r_compatible = false;
  wbs_options wbs{};

  void validate() const {
    penalty.validate();
    if (min_segment_length < 0)
      throw invalid_input("changepoint_options: minimum segment length is " +
                          std::to_string(min_segment_length) + ", but must be >= 1 (or 0 for the default)");
    if (max_changes < 1 && (method == search_method::binary_segmentation ||
                            method == search_method::segment_neighbourhood))
      throw invalid_input("changepoint_options: max_changes (Q) is " + std::to_string(max_changes) +
                          ", but must be at least 1");
    wbs.validate();
  }
};

struct segment {
  Eigen::Index start = 0;  // 0-based first index
  Eigen::Index end = 0;    // one past the last: the segment is [start, end), end - start long
  segment_estimate estimate;
};

struct changepoint_result {
  std::string cost;
  std::string method;
  std::string penalty_type;
  double penalty = 0;  // per change (R's pen.value)
  Eigen::Index n = 0;
  Eigen::Index min_segment_length = 0;
  std::vector<Eigen::Index> changepoints;  // R's cpts(): last 1-based index of each segment but the last
  std::vector<segment> segments;
  // Poisson: rate after / rate before, one per change; empty entries where the rate before is 0.
  std::vector<std::optional<double>> rate_ratios;
  double cost_value = 0;      // sum of segment costs (with MBIC's log(length) terms under MBIC)
  double penalized_cost = 0;  // cost_value + penalty x number of changes
  std::vector<std::string> warnings;
};

namespace detail {

template <segment_cost Cost>
partition run_search(const Cost& cost, double pen, Eigen::Index m, const changepoint_options& o,
                     std::vector<std::string>& warnings) {
  switch (o.method) {
    case search_method::pelt:
      // Exact PELT's answer by functional pruning where the cost allows it: FPOP's F(t) equals
      // exact PELT's bit for bit, and far fewer candidates survive when changes are few.
      if constexpr (fpop_cost<Cost>)
        if (!o.r_compatible) return fpop(cost, pen, m);
      return pelt(cost, pen, m, o.r_compatible ? pelt_pruning::r_changepoint : pelt_pruning::exact);
    case search_method::optimal_partitioning: return optimal_partitioning(cost, pen, m);
    case search_method::binary_segmentation: {
      auto r = binary_segmentation(cost, pen, o.max_changes, m, o.r_compatible);
      if (static_cast<int>(r.chosen.changepoints.size()) == o.max_changes && pen > 0)
        warnings.push_back("binary segmentation kept all Q = " + std::to_string(o.max_changes) +
                           " changes it may find: increase max_changes to make sure none were missed");
      return r.chosen;
    }
    case search_method::wild_binary_segmentation:
      return wild_binary_segmentation(cost, pen, m, o.wbs).chosen;
    case search_method::amoc: break;  // handled on the plain cost, below
    case search_method::segment_neighbourhood: {
      check_search("segment_neighbourhood", cost.size(), m, Cost::minimum_segment_length);
      const auto all = segment_neighbourhood(cost, o.max_changes, m);
      const partition& p = choose_by_penalty(all, pen);
      if (p.changepoints.size() + 1 == all.size() && static_cast<int>(p.changepoints.size()) == o.max_changes)
        warnings.push_back("segment neighbourhood chose the largest number of changes allowed (Q = " +
                           std::to_string(o.max_changes) + "): increase max_changes");
      return p;
    }
  }
  throw invalid_input("find_changepoints: unknown search method");
}

}  // namespace detail

// Describes a given segmentation of the data behind `cost`: segments, estimates, rate ratios.
template <segment_cost Cost>
changepoint_result describe_segmentation(const Cost& cost, const std::vector<Eigen::Index>& changepoints) {
  changepoint_result r;
  r.cost = std::string(Cost::name);
  r.n = cost.size();
  r.changepoints = changepoints;
  Eigen::Index a = 0;
  for (std::size_t i = 0; i <= changepoints.size(); ++i) {
    const Eigen::Index b = i < changepoints.size() ? changepoints[i] : r.n;
    if (b <= a || b > r.n)
      throw invalid_input("describe_segmentation: change point " + std::to_string(b) +
                          " is out of order or outside 1.." + std::to_string(r.n - 1));
    r.segments.push_back({a, b, cost.estimate(a, b)});
    a = b;
  }
  for (std::size_t i = 1; i < r.segments.size(); ++i) {
    const auto& before = r.segments[i - 1].estimate.rate;
    const auto& after = r.segments[i].estimate.rate;
    if (!before || !after) continue;
    if (*before > 0) {
      r.rate_ratios.emplace_back(*after / *before);
    } else {
      r.rate_ratios.emplace_back(std::nullopt);
      r.warnings.push_back("the rate before the change at " + std::to_string(r.changepoints[i - 1]) +
                           " is 0: no rate ratio");
    }
  }
  return r;
}

template <segment_cost Cost>
changepoint_result find_changepoints(const Cost& cost, const changepoint_options& options = {}) {
  options.validate();
  const Eigen::Index n = cost.size();
  const Eigen::Index m = options.min_segment_length == 0 ? Cost::default_segment_length
                                                         : options.min_segment_length;
  detail::check_search("find_changepoints", n, m, Cost::minimum_segment_length);
  const double pen = penalty_value(options.penalty, n, Cost::parameters_per_change);
  std::vector<std::string> warnings;
  partition p;
  if (options.method == search_method::amoc) {  // R's own MBIC terms (amoc.hpp)
    p = at_most_one_change(cost, pen, m, options.penalty.kind == penalty_kind::mbic).chosen;
  } else if (options.penalty.kind == penalty_kind::mbic) {
    const mbic_cost<Cost> with_log_length(cost);
    p = detail::run_search(with_log_length, pen, m, options, warnings);
  } else {
    p = detail::run_search(cost, pen, m, options, warnings);
  }
  changepoint_result r = describe_segmentation(cost, p.changepoints);
  r.method = to_string(options.method);
  r.penalty_type = to_string(options.penalty.kind);
  r.penalty = pen;
  r.min_segment_length = m;
  r.cost_value = p.cost;
  r.penalized_cost = p.cost + pen * static_cast<double>(p.changepoints.size());
  r.warnings.insert(r.warnings.end(), warnings.begin(), warnings.end());
  return r;
}

}  // namespace pilotstats
