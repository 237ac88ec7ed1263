// Poisson DiD with absorbed unit and time effects (did/ppml.hpp) against R: every expected number
// comes from tests/reference/ppml_reference.R (glm(family = poisson) on factor dummies, run to
// epsilon = 1e-12; fixest's iid and CR1 rebuilt from vcov(glm) and sandwich::vcovCL with its
// (n-1)/(n-K) written out, because fixest is not installed), embedded in ppml_reference.hpp.
// Tolerances: estimates, deviance and log-likelihood 1e-8 relative; standard errors and rate-ratio
// intervals 1e-6 relative.
#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "did_data.hpp"
#include "pilotstats/core/csv.hpp"
#include "pilotstats/did/ppml.hpp"
#include "ppml_reference.hpp"

namespace ref = pilotstats_ppml_reference;
namespace data = pilotstats_did_test;
using namespace pilotstats;
using Catch::Matchers::Contains;

namespace {

constexpr double est_tol = 1e-8, se_tol = 1e-6;

ppml_result fit(const data::long_panel& p, ppml_se se, bool small_sample = true, ppml_options o = {}) {
  o.se = se;
  o.small_sample = small_sample;
  return ppml(p.y, p.treatment, p.unit, p.time, Eigen::MatrixXd(), o);
}

// mpdta with employment exp(lemp) as the outcome and D = 1 from each county's first treated year.
data::long_panel mpdta_employment() {
  auto p = data::mpdta();
  std::vector<std::optional<long>> first;
  for (Eigen::Index i = 0; i < p.y.size(); ++i)
    first.push_back(p.first_treat(i) == 0 ? std::nullopt : std::optional<long>(static_cast<long>(p.first_treat(i))));
  p.treatment = staggered_treatment(p.time, first);
  p.y = p.y.array().exp().matrix();
  return p;
}

// The London panel before the first rollout BCU (month < 2018-05): complaints, offset log(calls),
// D = 1 for the pathfinder boroughs (BCU live by 2017-01) from their BCU's go-live month.
struct london_panel {
  std::vector<std::string> borough, month;
  std::vector<std::size_t> bcu;
  Eigen::VectorXd complaints, treatment, log_calls, response_minutes;
};

london_panel london() {
  const auto t = read_csv(std::string(PILOTSTATS_EXAMPLES_DATA_DIR) + "/london_bcu.csv");
  london_panel p;
  std::vector<std::string> bcu;
  std::vector<double> y, d, off, resp;
  for (const auto& row : t.rows) {
    const std::string month = row[t.column_index("month")], start = row[t.column_index("bcu_start")];
    if (month >= "2018-05") continue;
    p.borough.push_back(row[t.column_index("borough")]);
    p.month.push_back(month);
    bcu.push_back(row[t.column_index("bcu")]);
    y.push_back(std::stod(row[t.column_index("complaints")]));
    d.push_back(start <= "2017-01" && month >= start ? 1.0 : 0.0);
    off.push_back(std::log(std::stod(row[t.column_index("calls")])));
    resp.push_back(std::stod(row[t.column_index("response_minutes")]));
  }
  p.bcu = detail::encode_ids(bcu).code;
  const auto map = [](const std::vector<double>& v) {
    return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())));
  };
  p.complaints = map(y);
  p.treatment = map(d);
  p.log_calls = map(off);
  p.response_minutes = map(resp);
  return p;
}

bool has_warning(const ppml_result& r, const std::string& text) {
  for (const auto& w : r.warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("ppml on mpdta: estimate, fixest iid and CR1, glm's iid and CR0, deviance, log-likelihood", "[did][ppml]") {
  namespace r = ref::mpdta;
  const auto p = mpdta_employment();
  const auto cr1 = fit(p, ppml_se::cr1);
  CHECK(cr1.converged);
  CHECK(cr1.n == static_cast<Eigen::Index>(r::n));
  CHECK(cr1.dropped_rows.empty());
  CHECK(cr1.estimate == Approx(r::estimate[0]).epsilon(est_tol));
  CHECK(cr1.std_error == Approx(r::se_cr1[0]).epsilon(se_tol));
  CHECK(cr1.clusters == r::n_clusters);
  CHECK(cr1.units_nested);
  CHECK_FALSE(cr1.times_nested);
  CHECK(cr1.small_sample_k == r::k_nested);
  CHECK(std::isinf(cr1.table.rows[0].df));  // z, as fixest for Poisson
  CHECK(cr1.deviance == Approx(r::deviance).epsilon(est_tol));
  CHECK(cr1.log_likelihood == Approx(r::log_likelihood).epsilon(est_tol));
  // The rate ratio and its normal interval.
  CHECK(cr1.rate_ratio == Approx(r::rate_ratio_cr1[0]).epsilon(est_tol));
  CHECK(cr1.rate_ratio_low == Approx(r::rate_ratio_cr1[1]).epsilon(se_tol));
  CHECK(cr1.rate_ratio_high == Approx(r::rate_ratio_cr1[2]).epsilon(se_tol));
  CHECK(cr1.rate_ratios.front().term == "treatment");

  const auto iid = fit(p, ppml_se::iid);
  CHECK(iid.estimate == Approx(r::estimate[0]).epsilon(est_tol));
  CHECK(iid.std_error == Approx(r::se_iid[0]).epsilon(se_tol));
  CHECK(iid.small_sample_k == r::k_full);
  const auto glm_iid = fit(p, ppml_se::iid, false);
  CHECK(glm_iid.std_error == Approx(r::se_glm[0]).epsilon(se_tol));
  const auto cr0 = fit(p, ppml_se::cr1, false);
  CHECK(cr0.std_error == Approx(r::se_cr0[0]).epsilon(se_tol));
  // The small-sample factors are not interchangeable: fixest's iid differs from glm's here.
  CHECK(std::abs(iid.std_error / glm_iid.std_error - 1) > 1e-2);
}

TEST_CASE("ppml on Proposition 99: estimate and standard errors as R", "[did][ppml]") {
  namespace r = ref::prop99;
  const auto p = data::prop99();
  const auto cr1 = fit(p, ppml_se::cr1);
  CHECK(cr1.converged);
  CHECK(cr1.estimate == Approx(r::estimate[0]).epsilon(est_tol));
  CHECK(cr1.std_error == Approx(r::se_cr1[0]).epsilon(se_tol));
  CHECK(cr1.small_sample_k == r::k_nested);
  CHECK(cr1.deviance == Approx(r::deviance).epsilon(est_tol));
  CHECK(cr1.log_likelihood == Approx(r::log_likelihood).epsilon(est_tol));
  CHECK(fit(p, ppml_se::iid).std_error == Approx(r::se_iid[0]).epsilon(se_tol));
  CHECK(fit(p, ppml_se::iid, false).std_error == Approx(r::se_glm[0]).epsilon(se_tol));
  CHECK(fit(p, ppml_se::cr1, false).std_error == Approx(r::se_cr0[0]).epsilon(se_tol));
}

TEST_CASE("ppml on an unbalanced, weighted Proposition 99 panel (alternating projections)", "[did][ppml]") {
  namespace r = ref::prop99_unbalanced;
  std::vector<double> w;
  const auto p = data::drop_every_seventh(data::prop99(), &w);
  ppml_options o;
  o.weights = Eigen::Map<const Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(w.size()));
  const auto cr1 = fit(p, ppml_se::cr1, true, o);
  CHECK(cr1.converged);
  CHECK(cr1.n == static_cast<Eigen::Index>(r::n));
  CHECK(cr1.sweeps > cr1.iterations);  // the projections iterated
  CHECK(cr1.estimate == Approx(r::estimate[0]).epsilon(est_tol));
  CHECK(cr1.std_error == Approx(r::se_cr1[0]).epsilon(se_tol));
  CHECK(cr1.deviance == Approx(r::deviance).epsilon(est_tol));
  CHECK(cr1.log_likelihood == Approx(r::log_likelihood).epsilon(est_tol));
  CHECK(fit(p, ppml_se::iid, true, o).std_error == Approx(r::se_iid[0]).epsilon(se_tol));
  CHECK(fit(p, ppml_se::cr1, false, o).std_error == Approx(r::se_cr0[0]).epsilon(se_tol));
}

TEST_CASE("ppml drops a unit and a time whose outcome is 0 in every row, as fixest", "[did][ppml]") {
  namespace r = ref::prop99_zero;
  auto p = data::prop99();
  for (Eigen::Index i = 0; i < p.y.size(); ++i)
    if (p.unit[static_cast<std::size_t>(i)] == "Alabama" || p.time[static_cast<std::size_t>(i)] == 1970) p.y(i) = 0;
  const auto cr1 = fit(p, ppml_se::cr1);
  CHECK(cr1.zero_outcome_rows == r::dropped);
  CHECK(cr1.dropped_rows.size() == r::dropped);
  CHECK(cr1.n == static_cast<Eigen::Index>(r::n));
  CHECK(cr1.zero_outcome_units == std::vector<std::string>{"Alabama"});
  CHECK(cr1.zero_outcome_times == std::vector<std::string>{"1970"});
  CHECK(has_warning(cr1, "69 row(s) dropped"));
  CHECK(has_warning(cr1, "Alabama"));
  CHECK(has_warning(cr1, "1970"));
  for (auto i : cr1.dropped_rows)
    CHECK((p.unit[i] == "Alabama" || p.time[i] == 1970));
  CHECK(cr1.n_units == 38);
  CHECK(cr1.n_times == 30);
  CHECK(cr1.estimate == Approx(r::estimate[0]).epsilon(est_tol));
  CHECK(cr1.std_error == Approx(r::se_cr1[0]).epsilon(se_tol));
  CHECK(cr1.small_sample_k == r::k_nested);
  CHECK(cr1.deviance == Approx(r::deviance).epsilon(est_tol));
  CHECK(fit(p, ppml_se::iid).std_error == Approx(r::se_iid[0]).epsilon(se_tol));
}

TEST_CASE("ppml on the London panel: offset log(calls), boroughs clustered in BCUs", "[did][ppml]") {
  const auto l = london();
  ppml_options o;
  o.offset = l.log_calls;
  o.cluster = l.bcu;
  o.treatment_name = "D";
  {
    namespace r = ref::london;
    const auto cr1 = ppml(l.complaints, l.treatment, l.borough, l.month, Eigen::MatrixXd(), o);
    CHECK(cr1.converged);
    CHECK(cr1.n == static_cast<Eigen::Index>(r::n));
    CHECK(cr1.clusters == r::n_clusters);
    CHECK(cr1.units_nested);  // boroughs within BCUs: K = 1 + months
    CHECK(cr1.small_sample_k == r::k_nested);
    CHECK(cr1.estimate == Approx(r::estimate[0]).epsilon(est_tol));
    CHECK(cr1.std_error == Approx(r::se_cr1[0]).epsilon(se_tol));
    CHECK(cr1.rate_ratio_low == Approx(r::rate_ratio_cr1[1]).epsilon(se_tol));
    CHECK(cr1.rate_ratio_high == Approx(r::rate_ratio_cr1[2]).epsilon(se_tol));
    CHECK(cr1.deviance == Approx(r::deviance).epsilon(est_tol));
    CHECK(cr1.log_likelihood == Approx(r::log_likelihood).epsilon(est_tol));  // = logLik(glm): integer counts
    CHECK(has_warning(cr1, "only 12 clusters"));
    auto oi = o;
    oi.se = ppml_se::iid;
    CHECK(ppml(l.complaints, l.treatment, l.borough, l.month, Eigen::MatrixXd(), oi).std_error ==
          Approx(r::se_iid[0]).epsilon(se_tol));
  }
  {
    namespace r = ref::london_covariate;
    auto oc = o;
    oc.covariate_names = {"response_minutes"};
    const Eigen::MatrixXd z = l.response_minutes;
    const auto cr1 = ppml(l.complaints, l.treatment, l.borough, l.month, z, oc);
    REQUIRE(cr1.table.rows.size() == 2);
    CHECK(cr1.small_sample_k == r::k_nested);
    for (std::size_t j = 0; j < 2; ++j) {
      CHECK(cr1.table.rows[j].term == r::terms[j]);
      CHECK(cr1.table.rows[j].estimate == Approx(r::estimate[j]).epsilon(est_tol));
      CHECK(cr1.table.rows[j].std_error == Approx(r::se_cr1[j]).epsilon(se_tol));
    }
    oc.se = ppml_se::iid;
    const auto iid = ppml(l.complaints, l.treatment, l.borough, l.month, z, oc);
    for (std::size_t j = 0; j < 2; ++j) CHECK(iid.table.rows[j].std_error == Approx(r::se_iid[j]).epsilon(se_tol));
  }
}

TEST_CASE("ppml: a time-invariant covariate is absorbed and reported as aliased", "[did][ppml]") {
  const auto p = mpdta_employment();
  ppml_options o;
  o.covariate_names = {"lpop"};
  const Eigen::MatrixXd z = p.extra;
  const auto r = ppml(p.y, p.treatment, p.unit, p.time, z, o);
  REQUIRE(r.table.rows.size() == 1);
  CHECK(r.table.aliased == std::vector<std::string>{"lpop"});
  CHECK(r.estimate == Approx(ref::mpdta::estimate[0]).epsilon(est_tol));
  CHECK(r.std_error == Approx(ref::mpdta::se_cr1[0]).epsilon(se_tol));
  CHECK(has_warning(r, "lpop"));
}

TEST_CASE("ppml: bad input is rejected with the row named", "[did][ppml]") {
  const auto p = data::prop99();
  {
    auto q = p;
    q.y(4) = -1;
    CHECK_THROWS_WITH(fit(q, ppml_se::cr1), Contains("y is -1") && Contains("row 5") && Contains("non-negative"));
    q.y(4) = std::nan("");
    CHECK_THROWS_WITH(fit(q, ppml_se::cr1), Contains("row 5"));
    q.y(4) = INFINITY;
    CHECK_THROWS_AS(fit(q, ppml_se::cr1), invalid_input);
  }
  {
    ppml_options o;
    o.offset = Eigen::VectorXd::Zero(p.y.size());
    o.offset(7) = -INFINITY;
    CHECK_THROWS_WITH(fit(p, ppml_se::cr1, true, o), Contains("offset") && Contains("row 8"));
    o.offset.resize(3);
    CHECK_THROWS_WITH(fit(p, ppml_se::cr1, true, o), Contains("3 offsets"));
  }
  {
    auto q = p;
    q.treatment.setZero();
    CHECK_THROWS_WITH(fit(q, ppml_se::cr1), Contains("no treated units"));
    q.treatment(0) = 2;
    CHECK_THROWS_WITH(fit(q, ppml_se::cr1), Contains("must be 0 or 1"));
  }
  {
    // mpdta's `treat` is the ever-treated group: constant within every county.
    auto q = data::mpdta();
    q.y = q.y.array().exp().matrix();
    CHECK_THROWS_WITH(fit(q, ppml_se::cr1), Contains("never varies within a unit"));
  }
  {
    auto q = p;
    q.y.setZero();
    CHECK_THROWS_WITH(fit(q, ppml_se::cr1), Contains("outcome is 0 on every row"));
  }
  {
    // California, the only treated state, has outcome 0 throughout: it is dropped, and with it the treatment.
    auto q = p;
    for (Eigen::Index i = 0; i < q.y.size(); ++i)
      if (q.unit[static_cast<std::size_t>(i)] == "California") q.y(i) = 0;
    CHECK_THROWS_WITH(fit(q, ppml_se::cr1), Contains("collinear with the unit and time effects") &&
                                               Contains("outcome 0 in every row are dropped"));
  }
}

TEST_CASE("ppml: non-convergence is a flag and a warning, not an exception", "[did][ppml]") {
  ppml_options o;
  o.max_iterations = 1;
  const auto r = fit(data::prop99(), ppml_se::cr1, true, o);
  CHECK_FALSE(r.converged);
  CHECK(r.iterations == 1);
  CHECK(has_warning(r, "did not converge"));
}

TEST_CASE("absorb_in_place: a warm start reaches the same residuals as a cold start", "[did][absorb]") {
  std::vector<double> w;
  const auto p = data::drop_every_seventh(data::prop99(), &w);
  const Eigen::VectorXd weights = Eigen::Map<const Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(w.size()));
  const auto u = detail::encode_ids(p.unit), t = detail::encode_ids(p.time);
  Eigen::MatrixXd cold(p.y.size(), 2);
  cold << p.y, p.treatment;
  const Eigen::MatrixXd raw = cold;
  const auto c = absorb_in_place(cold, u, t, weights, 1e-13, 10000);
  CHECK(c.unconverged.empty());
  // Warm: shift the columns by arbitrary unit and time effects first.
  Eigen::MatrixXd warm = raw;
  for (Eigen::Index i = 0; i < warm.rows(); ++i)
    warm.row(i).array() += 3.0 * static_cast<double>(u.code[static_cast<std::size_t>(i)]) -
                           0.5 * static_cast<double>(t.code[static_cast<std::size_t>(i)]);
  const auto h = absorb_in_place(warm, u, t, weights, 1e-13, 10000);
  CHECK(h.unconverged.empty());
  CHECK((warm - cold).cwiseAbs().maxCoeff() < 1e-9 * cold.cwiseAbs().maxCoeff());
  // Starting from the answer takes one sweep.
  const auto again = absorb_in_place(cold, u, t, weights, 1e-10, 10000);
  CHECK(again.iterations == 1);
  // And absorb() itself gives the same columns.
  absorb_options o;
  o.weights = weights;
  o.tolerance = 1e-13;
  const auto a = absorb(raw, p.unit, p.time, o);
  CHECK((a.columns - cold).cwiseAbs().maxCoeff() < 1e-9 * cold.cwiseAbs().maxCoeff());
}

TEST_CASE("encode_ids: integer ids take the table path with the same first-appearance codes", "[did][absorb]") {
  const std::vector<long> small = {2003, 2001, 2003, -7, 2001};
  const std::vector<std::string> as_text = {"2003", "2001", "2003", "-7", "2001"};
  const auto a = detail::encode_ids(small), b = detail::encode_ids(as_text);
  CHECK(a.code == b.code);
  CHECK(a.levels == 3);
  const std::vector<long long> wide = {5, 1LL << 40, 5, -(1LL << 40)};  // too wide for a table: hashed
  const auto c = detail::encode_ids(wide);
  CHECK(c.code == std::vector<std::size_t>{0, 1, 0, 2});
  CHECK(c.levels == 3);
}
