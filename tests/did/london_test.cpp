// The DiD layer on the bundled London data, against the truth the generator wrote
// (examples/data/london_bcu.truth.json): does it recover the East Area pathfinder's effect on
// complaints, and does it warn that one BCU is few treated clusters?
//
// Design: months up to 2018-04 (before the first rollout BCU), all 32 boroughs; the treatment is
// "East Area after its go-live (2016-12)"; Central North's go-live (2017-01) is a second 0/1
// column among the covariates, so it is neither treated nor control.
//
// The truth for this design. The generator draws complaints with mean
//   calls_it x rate_i / 1000 x RR(k),  log RR(k) = log(2.9) - 0.028 k,  k = months since go-live,
// for the East Area boroughs (truth.json: bcus[East Area].complaints_effect; rate_i is each
// borough's complaints_per_1000_calls). One treatment coefficient summarises RR(k) over the 17
// post months:
//   PPML: its score equates observed and fitted counts over the treated rows, so exp(beta)
//         estimates the counterfactual-weighted mean of RR(k), weights calls_it x rate_i;
//   TWFE on the log rate: beta estimates the plain mean of log RR(k) over the treated rows.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "../support/london_panel.hpp"
#include "pilotstats/did/ppml.hpp"
#include "pilotstats/did/randomization.hpp"
#include "pilotstats/did/twfe.hpp"
#include "pilotstats/did/wild_bootstrap.hpp"

using namespace pilotstats;

namespace {

struct london_did {
  Eigen::VectorXd complaints, log_calls, log_rate, east, central;  // east: the treatment
  Eigen::MatrixXd covariates;                                        // the Central North column
  std::vector<std::size_t> borough, bcu;
  std::vector<month> time;
  double truth_ppml_ratio = 0, truth_log_mean = 0;
};

const london_did& data() {
  static const london_did d = [] {
    const panel& p = pilotstats_test::london_panel();
    // truth.json, boroughs[].complaints_per_1000_calls of the East Area boroughs.
    const std::map<std::string, double> rate = {{"Barking & Dagenham", 2.69989451919476},
                                                {"Havering", 2.853729825005119},
                                                {"Redbridge", 2.6191848472940875}};
    const month east_live(2016, 12), central_live(2017, 1), last(2018, 4);
    std::vector<double> y, lc, lr, e, c;
    std::map<std::string, std::size_t> bcu_code;
    london_did out;
    double weighted = 0, weight = 0, log_sum = 0;
    int treated = 0;
    for (std::size_t r = 0; r < p.n_rows(); ++r) {
      const month m = p.row_month(r);
      if (last < m) continue;
      const std::size_t u = p.row_unit(r);
      const std::string& bcu = p.attribute(u, "bcu");
      const double calls = p.column("calls")(static_cast<Eigen::Index>(r));
      const double count = p.column("complaints")(static_cast<Eigen::Index>(r));
      const bool is_east = bcu == "East Area" && !(m < east_live);
      y.push_back(count);
      lc.push_back(std::log(calls));
      lr.push_back(std::log(1000 * count / calls));
      e.push_back(is_east ? 1 : 0);
      c.push_back(bcu == "Central North" && !(m < central_live) ? 1 : 0);
      out.borough.push_back(u);
      out.bcu.push_back(bcu_code.try_emplace(bcu, bcu_code.size()).first->second);
      out.time.push_back(m);
      if (is_east) {
        const double log_rr = std::log(2.9) - 0.028 * (m - east_live);
        const double mu0 = calls * rate.at(p.units()[u]) / 1000;
        weighted += mu0 * std::exp(log_rr);
        weight += mu0;
        log_sum += log_rr;
        ++treated;
      }
    }
    const auto map = [](std::vector<double>& v) { return Eigen::VectorXd(Eigen::Map<Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()))); };
    out.complaints = map(y);
    out.log_calls = map(lc);
    out.log_rate = map(lr);
    out.east = map(e);
    out.central = map(c);
    out.covariates = out.central;
    out.truth_ppml_ratio = weighted / weight;
    out.truth_log_mean = log_sum / treated;
    return out;
  }();
  return d;
}

bool warns_few_treated(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings)
    if (w.find("treated cluster(s) (fewer than 10)") != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("London: the truth of this design, computed from the data's calls and the generator's parameters",
          "[did][london]") {
  const auto& d = data();
  CHECK(d.complaints.size() == 32 * 52);  // 2014-01 .. 2018-04
  CHECK(d.east.sum() == 3 * 17);          // three boroughs, 2016-12 .. 2018-04
  // 2.9 exp(-0.028 k) over k = 0..16, weighted by the slowly rising calls: about 2.34.
  CHECK(d.truth_ppml_ratio == Approx(2.336).margin(0.002));
  CHECK(d.truth_log_mean == Approx(std::log(2.9) - 0.028 * 8).epsilon(1e-12));
}

TEST_CASE("London: PPML with offset log(calls) recovers East Area's complaint-rate ratio within its interval",
          "[did][london]") {
  const auto& d = data();
  for (const bool by_bcu : {false, true}) {
    ppml_options o;
    o.offset = d.log_calls;
    o.covariate_names = {"central_north"};
    if (by_bcu) o.cluster = d.bcu;
    const auto r = ppml(d.complaints, d.east, d.borough, d.time, d.covariates, o);
    INFO((by_bcu ? "clusters: BCUs" : "clusters: boroughs") << "; rate ratio " << r.rate_ratio << " ["
         << r.rate_ratio_low << ", " << r.rate_ratio_high << "], truth " << d.truth_ppml_ratio);
    CHECK(r.converged);
    CHECK(r.rate_ratio_low < d.truth_ppml_ratio);
    CHECK(d.truth_ppml_ratio < r.rate_ratio_high);
    CHECK(r.rate_ratio == Approx(d.truth_ppml_ratio).epsilon(0.1));  // and close: within 10%
    // Three treated boroughs, or one treated BCU: the few-treated-clusters warning fires.
    CHECK(warns_few_treated(r.warnings));
  }
}

TEST_CASE("London: on the log complaint rate, the wild cluster bootstrap and randomization inference see the effect",
          "[did][london]") {
  const auto& d = data();
  twfe_options t;
  t.covariate_names = {"central_north"};
  const auto fit = twfe(d.log_rate, d.east, d.borough, d.time, d.covariates, t);
  CHECK(warns_few_treated(fit.warnings));
  CHECK(fit.treated_clusters == 3);

  // 32 borough clusters: Rademacher weights, 2^32 > draws, so 9,999 Monte Carlo draws.
  wild_bootstrap_options w;
  w.draws = 9999;
  w.seed = 20161201;
  const auto wb = wild_cluster_bootstrap(d.log_rate, d.east, d.borough, d.time, d.covariates, w);
  INFO("WCR interval [" << wb.conf_low << ", " << wb.conf_high << "], truth " << d.truth_log_mean);
  CHECK(wb.estimate == Approx(fit.estimate).epsilon(1e-12));
  CHECK(wb.conf_low < d.truth_log_mean);
  CHECK(d.truth_log_mean < wb.conf_high);
  CHECK(wb.p_value < 0.05);

  // Which three of the 32 boroughs started in 2016-12: C(32, 3) = 4,960 assignments, enumerated.
  const auto ri = randomization_inference(d.log_rate, d.east, d.borough, d.time, d.covariates);
  CHECK(ri.enumerated);
  CHECK(ri.assignments == 4960);
  // East Area's jump is the largest of all: only assignments close to the actual one compete.
  CHECK(ri.p_value < 0.01);
}
