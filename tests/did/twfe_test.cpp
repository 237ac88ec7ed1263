// Two-way fixed effects against R: every expected number comes from
// tests/reference/did_reference.R (lm on factor dummies; sandwich::vcovCL for fixest's CR1 with
// its nested-K small-sample factor, rebuilt by hand because fixest is not installed;
// clubSandwich::coef_test for CR2 and its Satterthwaite df), embedded in did_reference.hpp.
// Estimates to 1e-8 relative, standard errors and df to 1e-6 relative.
#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <string>

#include "did_data.hpp"
#include "did_reference.hpp"
#include "pilotstats/did/twfe.hpp"

namespace ref = pilotstats_did_reference;
namespace data = pilotstats_did_test;
using namespace pilotstats;
using Catch::Matchers::Contains;

namespace {

twfe_result fit(const data::long_panel& p, twfe_se se, const Eigen::MatrixXd& z = Eigen::MatrixXd(),
                twfe_options o = {}) {
  o.se = se;
  o.treatment_name = "treat";
  return twfe(p.y, p.treatment, p.unit, p.time, z, o);
}

// mpdta with its DiD treatment D = 1 from each county's first treated year on (mpdta's own
// `treat` is the ever-treated group indicator, which the county effects absorb).
data::long_panel mpdta_d() {
  auto p = data::mpdta();
  std::vector<std::optional<long>> first;
  for (Eigen::Index i = 0; i < p.y.size(); ++i)
    first.push_back(p.first_treat(i) == 0 ? std::nullopt : std::optional<long>(static_cast<long>(p.first_treat(i))));
  p.treatment = staggered_treatment(p.time, first);
  return p;
}

}  // namespace

TEST_CASE("twfe on mpdta: estimate, iid, CR1 (fixest nested K) and CR2 as R", "[did][twfe]") {
  const auto p = mpdta_d();
  const auto iid = fit(p, twfe_se::iid);
  CHECK(iid.exact_within);
  CHECK(iid.n == static_cast<Eigen::Index>(ref::mpdta::n));
  CHECK(iid.estimate == Approx(ref::mpdta::estimate[0]).epsilon(1e-8));
  CHECK(iid.std_error == Approx(ref::mpdta::se_iid[0]).epsilon(1e-6));
  CHECK(iid.df_residual == static_cast<Eigen::Index>(ref::mpdta::df_iid));
  CHECK(iid.table.rows[0].df == ref::mpdta::df_iid);

  const auto cr1 = fit(p, twfe_se::cr1);
  CHECK(cr1.units_nested);
  CHECK_FALSE(cr1.times_nested);
  CHECK(cr1.small_sample_k == ref::mpdta::k_nested);
  CHECK(cr1.clusters == ref::mpdta::n_clusters);
  CHECK(cr1.estimate == Approx(ref::mpdta::estimate[0]).epsilon(1e-8));
  CHECK(cr1.std_error == Approx(ref::mpdta::se_cr1[0]).epsilon(1e-6));
  CHECK(cr1.table.rows[0].df == static_cast<double>(ref::mpdta::n_clusters - 1));
  CHECK(std::abs(cr1.std_error / ref::mpdta::se_hc1_full_k[0] - 1) > 1e-3);  // not sandwich's full-K HC1

  const auto cr2 = fit(p, twfe_se::cr2);
  CHECK(cr2.estimate == Approx(ref::mpdta::estimate[0]).epsilon(1e-8));
  CHECK(cr2.std_error == Approx(ref::mpdta::se_cr2[0]).epsilon(1e-6));
  CHECK(cr2.table.rows[0].df == Approx(ref::mpdta::df_cr2[0]).epsilon(1e-6));
}

TEST_CASE("twfe on mpdta with lpop: the time-invariant covariate is absorbed and reported as aliased",
          "[did][twfe]") {
  const auto p = mpdta_d();
  twfe_options o;
  o.covariate_names = {"lpop"};
  Eigen::MatrixXd z = p.extra;
  const auto r = fit(p, twfe_se::cr1, z, o);
  REQUIRE(r.table.rows.size() == 1);
  CHECK(r.table.aliased == std::vector<std::string>{"lpop"});
  CHECK(r.estimate == Approx(ref::mpdta::estimate[0]).epsilon(1e-8));
  CHECK(r.std_error == Approx(ref::mpdta::se_cr1[0]).epsilon(1e-6));
  bool warned = false;
  for (const auto& w : r.warnings) warned = warned || w.find("absorbed") != std::string::npos;
  CHECK(warned);
}

TEST_CASE("twfe on Proposition 99: the published DID, iid, CR1 and CR2 as R", "[did][twfe]") {
  const auto p = data::prop99();
  const auto iid = fit(p, twfe_se::iid);
  CHECK(iid.estimate == Approx(-27.349111).margin(1e-6));  // Abadie et al. (2010) data; the DID of the synthdid paper
  CHECK(iid.estimate == Approx(ref::prop99::estimate[0]).epsilon(1e-8));
  CHECK(iid.std_error == Approx(ref::prop99::se_iid[0]).epsilon(1e-6));
  CHECK(iid.df_residual == static_cast<Eigen::Index>(ref::prop99::df_iid));

  const auto cr1 = fit(p, twfe_se::cr1);
  CHECK(cr1.small_sample_k == ref::prop99::k_nested);
  CHECK(cr1.std_error == Approx(ref::prop99::se_cr1[0]).epsilon(1e-6));
  CHECK(cr1.table.rows[0].df == 38);

  const auto cr2 = fit(p, twfe_se::cr2);
  CHECK(cr2.std_error == Approx(ref::prop99::se_cr2[0]).epsilon(1e-6));
  CHECK(cr2.table.rows[0].df == Approx(ref::prop99::df_cr2[0]).epsilon(1e-6));
}

TEST_CASE("twfe on an unbalanced Proposition 99 (every 7th row dropped): alternating projections as lm on dummies",
          "[did][twfe]") {
  const auto p = data::drop_every_seventh(data::prop99());
  REQUIRE(p.y.size() == static_cast<Eigen::Index>(ref::prop99_unbalanced::n));
  const auto iid = fit(p, twfe_se::iid);
  CHECK_FALSE(iid.exact_within);
  CHECK(iid.converged);
  CHECK(iid.estimate == Approx(ref::prop99_unbalanced::estimate[0]).epsilon(1e-8));
  CHECK(iid.std_error == Approx(ref::prop99_unbalanced::se_iid[0]).epsilon(1e-6));
  CHECK(iid.df_residual == static_cast<Eigen::Index>(ref::prop99_unbalanced::df_iid));
  const auto cr1 = fit(p, twfe_se::cr1);
  CHECK(cr1.std_error == Approx(ref::prop99_unbalanced::se_cr1[0]).epsilon(1e-6));
  const auto cr2 = fit(p, twfe_se::cr2);
  CHECK(cr2.std_error == Approx(ref::prop99_unbalanced::se_cr2[0]).epsilon(1e-6));
  CHECK(cr2.table.rows[0].df == Approx(ref::prop99_unbalanced::df_cr2[0]).epsilon(1e-6));
}

TEST_CASE("twfe with analytic weights on the unbalanced Proposition 99, as lm(weights =)", "[did][twfe]") {
  std::vector<double> w;
  const auto p = data::drop_every_seventh(data::prop99(), &w);
  twfe_options o;
  o.weights = Eigen::Map<const Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(w.size()));
  const auto iid = fit(p, twfe_se::iid, Eigen::MatrixXd(), o);
  CHECK(iid.estimate == Approx(ref::prop99_weighted::estimate[0]).epsilon(1e-8));
  CHECK(iid.std_error == Approx(ref::prop99_weighted::se_iid[0]).epsilon(1e-6));
  const auto cr1 = fit(p, twfe_se::cr1, Eigen::MatrixXd(), o);
  CHECK(cr1.std_error == Approx(ref::prop99_weighted::se_cr1[0]).epsilon(1e-6));
  const auto cr2 = fit(p, twfe_se::cr2, Eigen::MatrixXd(), o);
  CHECK(cr2.std_error == Approx(ref::prop99_weighted::se_cr2[0]).epsilon(1e-6));
  CHECK(cr2.table.rows[0].df == Approx(ref::prop99_weighted::df_cr2[0]).epsilon(1e-6));
}

TEST_CASE("twfe: the staggered treatment switches on in each unit's first treated year", "[did][twfe]") {
  const std::vector<long> year{2003, 2004, 2005, 2003, 2004, 2005};
  const std::vector<std::optional<long>> first{2004, 2004, 2004, std::nullopt, std::nullopt, std::nullopt};
  Eigen::VectorXd expected(6);
  expected << 0, 1, 1, 0, 0, 0;
  CHECK(staggered_treatment(year, first) == expected);
}

TEST_CASE("twfe: mpdta's own `treat` (the ever-treated group) is absorbed by the county effects: an error",
          "[did][twfe][errors]") {
  const auto p = data::mpdta();
  CHECK_THROWS_WITH(twfe(p.y, p.treatment, p.unit, p.time), Contains("never varies within a unit"));
}

TEST_CASE("twfe: clusters other than the units (states in 4 regions) change K and G", "[did][twfe]") {
  const auto p = data::prop99();
  twfe_options o;
  for (const auto& s : p.unit) o.cluster.push_back(static_cast<std::size_t>(s[0]) % 4);  // by first letter
  const auto r = fit(p, twfe_se::cr1, Eigen::MatrixXd(), o);
  CHECK(r.units_nested);
  CHECK(r.clusters == 4);
  CHECK(r.small_sample_k == 32);
}

TEST_CASE("twfe: invalid input is named", "[did][twfe][errors]") {
  const auto p = data::prop99();
  Eigen::VectorXd y = p.y;
  CHECK_THROWS_WITH(twfe(y.head(10), p.treatment, p.unit, p.time), Contains("y has 10 rows but the treatment has 1209"));
  y(41) = std::nan("");
  CHECK_THROWS_WITH(twfe(y, p.treatment, p.unit, p.time), Contains("y is nan at row 42"));
  const Eigen::VectorXd none = Eigen::VectorXd::Zero(p.y.size());
  CHECK_THROWS_WITH(twfe(p.y, none, p.unit, p.time), Contains("no treated units"));
  Eigen::VectorXd always = p.treatment;  // California treated in every year: absorbed by its unit effect
  for (Eigen::Index i = 0; i < always.size(); ++i) always(i) = p.unit[static_cast<std::size_t>(i)] == "California";
  CHECK_THROWS_WITH(twfe(p.y, always, p.unit, p.time), Contains("never varies within a unit"));
  Eigen::VectorXd everyone = p.treatment;  // every state treated from 1989: absorbed by the time effects
  for (Eigen::Index i = 0; i < everyone.size(); ++i) everyone(i) = p.time[static_cast<std::size_t>(i)] >= 1989;
  CHECK_THROWS_WITH(twfe(p.y, everyone, p.unit, p.time), Contains("never varies within a time period"));
  Eigen::VectorXd two = p.treatment;
  two(3) = 2;
  CHECK_THROWS_WITH(twfe(p.y, two, p.unit, p.time), Contains("the treatment is 2.000000 at row 4, but must be 0 or 1"));
}

TEST_CASE("twfe warns when few clusters are treated, and counts them by the cluster codes", "[did][twfe]") {
  const auto has_few_warning = [](const twfe_result& r) {
    for (const auto& w : r.warnings)
      if (w.find("treated cluster(s) (fewer than 10)") != std::string::npos) return true;
    return false;
  };
  // Proposition 99: California is the one treated state.
  const auto prop99 = fit(data::prop99(), twfe_se::cr1);
  CHECK(prop99.treated_clusters == 1);
  CHECK(has_few_warning(prop99));
  // mpdta: 191 of the 500 counties are treated at some year (first.treat > 0 in mpdta.csv).
  const auto p = mpdta_d();
  const auto mpdta = fit(p, twfe_se::cr1);
  CHECK(mpdta.treated_clusters == 191);
  CHECK_FALSE(has_few_warning(mpdta));
  // The counties clustered in 4 groups by countyreal modulo 4: the treated counties fall in
  // groups 1, 2 and 3 (98, 1 and 92 of them), none in group 0.
  twfe_options o;
  for (const auto& u : p.unit) o.cluster.push_back(static_cast<std::size_t>(std::stol(u)) % 4);
  const auto grouped = fit(p, twfe_se::cr1, Eigen::MatrixXd(), o);
  CHECK(grouped.treated_clusters == 3);
  CHECK(has_few_warning(grouped));
}
