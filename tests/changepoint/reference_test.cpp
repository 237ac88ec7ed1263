// Agreement with R changepoint 2.3 on the series in tests/data/changepoint/ (numbers in
// changepoint_reference.hpp, generated from the JSON there). Every call of the JSON that the
// searches here cover is checked: change points exactly, the penalty value, and the segment
// means / rates. The AMOC calls are checked in amoc_test.cpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "../support/numeric_csv.hpp"
#include "changepoint_reference.hpp"
#include "reference_calls.hpp"
#include "pilotstats/changepoint.hpp"

namespace {

namespace ps = pilotstats;
using pilotstats_test::penalty_of;
using pilotstats_test::reference_series;
using pilotstats_test::changepoint_case;

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

ps::changepoint_options options_of(const std::string& call, bool r_compatible) {
  ps::changepoint_options o{.penalty = penalty_of(call), .r_compatible = r_compatible};
  if (call.find("_BinSeg_") != std::string::npos) {
    o.method = ps::search_method::binary_segmentation;
    o.max_changes = 5;
  }
  if (call.find("_minseglen10") != std::string::npos) o.min_segment_length = 10;
  return o;
}

// The penalized cost of R's answer, on the cost the search used (with MBIC's log terms).
template <class Cost>
double penalized_cost_of(const Cost& cost, const ps::changepoint_options& o, const std::vector<Eigen::Index>& cps) {
  const double pen = ps::penalty_value(o.penalty, cost.size(), Cost::parameters_per_change);
  const double c = o.penalty.kind == ps::penalty_kind::mbic
                       ? ps::detail::partition_cost(ps::mbic_cost<Cost>(cost), cps)
                       : ps::detail::partition_cost(cost, cps);
  return c + pen * static_cast<double>(cps.size());
}

struct outcome {
  ps::changepoint_result as_r;  // r_compatible = true
  ps::changepoint_result exact;
  double r_answer_cost;         // penalized cost of R's cpts
};

template <class Cost>
outcome run(const Eigen::VectorXd& y, const changepoint_case& c) {
  const Cost cost(y);
  const std::vector<Eigen::Index> expected(c.cpts.begin(), c.cpts.end());
  return {ps::find_changepoints(cost, options_of(c.call, true)), ps::find_changepoints(cost, options_of(c.call, false)),
          penalized_cost_of(cost, options_of(c.call, false), expected)};
}

std::vector<std::string> r_not_optimal;  // PELT calls where R's answer is not the optimum

void check_case(const changepoint_case& c) {
  const Eigen::VectorXd y = reference_series(c.series);
  outcome o;
  if (starts_with(c.call, "meanvar_")) o = run<ps::normal_meanvar_cost>(y, c);
  else if (starts_with(c.call, "var_")) o = run<ps::normal_var_cost>(y, c);
  else if (starts_with(c.call, "mean_")) o = run<ps::normal_mean_cost>(y, c);
  else if (starts_with(c.call, "poisson_")) o = run<ps::poisson_cost>(y, c);
  else FAIL("unknown model in " << c.call);
  const ps::changepoint_result& r = o.as_r;

  const std::vector<Eigen::Index> expected(c.cpts.begin(), c.cpts.end());
  CHECK(r.changepoints == expected);
  if (c.has_pen_value) CHECK(r.penalty == Approx(c.pen_value).epsilon(1e-12));
  if (!c.params.empty() && r.changepoints == expected) {
    REQUIRE(r.segments.size() == c.params.size());
    for (std::size_t k = 0; k < c.params.size(); ++k) {
      const auto& e = r.segments[k].estimate;
      const double got = e.rate ? *e.rate : e.mean.value();
      CHECK(got == Approx(c.params[k]).epsilon(1e-10).margin(1e-12));
    }
  }
  if (c.call.find("_BinSeg_") != std::string::npos)  // our own split range gives R's answers here too
    CHECK(o.exact.changepoints == expected);
  if (c.call.find("_PELT_") != std::string::npos) {
    // Exact PELT never does worse than R's answer; where they differ it does strictly better.
    const double tol = 1e-9 * (1 + std::abs(o.r_answer_cost));
    CHECK(o.exact.penalized_cost <= o.r_answer_cost + tol);
    if (o.exact.changepoints != expected) {
      CHECK(o.exact.penalized_cost < o.r_answer_cost - tol);
      r_not_optimal.push_back(c.series + " " + c.call);
    }
  }
}

}  // namespace

TEST_CASE("R changepoint 2.3: PELT and BinSeg calls on the reference series", "[changepoint][reference]") {
  int checked = 0;
  for (const auto& c : pilotstats_test::changepoint_reference()) {
    if (c.call.find("_AMOC_") != std::string::npos || c.call.find("_CROPS_") != std::string::npos) continue;
    INFO(c.series << " " << c.call);
    check_case(c);
    ++checked;
  }
  CHECK(checked == 48);  // every PELT / BinSeg call in the JSON
  std::string list;
  for (const auto& s : r_not_optimal) list += "\n  " + s;
  WARN("PELT calls where R changepoint's answer is not optimal (exact PELT does better):" << list);
}

TEST_CASE("R changepoint 2.3: CROPS path of cpt.mean over [5, 200]", "[changepoint][reference][crops]") {
  int checked = 0;
  for (const auto& c : pilotstats_test::changepoint_reference()) {
    if (c.call != "mean_PELT_CROPS_5_200") continue;
    INFO(c.series);
    const Eigen::VectorXd y = reference_series(c.series);
    const ps::normal_mean_cost cost(y);
    const auto r = ps::crops(cost, 5, 200, 1);
    // R's pen.value.full: the boundaries of the intervals on which each segmentation is optimal,
    // from 5 to 200; ncpts: the number of changes on each interval.
    std::vector<long> ncpts;
    std::vector<double> bounds;
    for (const auto& s : r.path) {
      ncpts.push_back(static_cast<long>(s.segmentation.changepoints.size()));
      bounds.push_back(s.penalty_low);
    }
    bounds.push_back(r.path.back().penalty_high);
    CHECK(ncpts == c.crops_ncpts);
    REQUIRE(bounds.size() == c.crops_penalties.size());
    for (std::size_t k = 0; k < bounds.size(); ++k)
      CHECK(bounds[k] == Approx(c.crops_penalties[k]).epsilon(1e-8));
    ++checked;
  }
  CHECK(checked == 5);  // every series but the Poisson one
}
