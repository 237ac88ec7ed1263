// pilotstats/did/absorbed_design.hpp: the absorbed two-way fixed-effects design that the
// resampling methods (did/wild_bootstrap.hpp, did/randomization.hpp) start from.
//
// It runs twfe() once (CR1, clustered as asked) for the checks of the data and the reported fit,
// then absorbs the unit and time effects from y, the treatment and the covariates twfe() kept,
// and gives the clusters dense codes 0..G-1 in increasing order of the caller's codes. Internal
// to the did layer (namespace detail); the public API is in the two headers above.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/did/absorb.hpp"
#include "pilotstats/did/twfe.hpp"

namespace pilotstats {

// Whether a resampling distribution is enumerated in full or drawn at random (Monte Carlo).
enum class enumeration_rule {
  automatic,  // enumerate when the number of distinct draws is small enough (see each method)
  always,     // enumerate (throws when the enumeration would be impossibly large)
  never,      // Monte Carlo from the seed
};

}  // namespace pilotstats

namespace pilotstats::detail {

struct absorbed_design {
  twfe_result fit;                        // twfe(), CR1 with the clusters asked
  std::vector<std::string> warnings;      // fit's, less its advice on CR1 t tests with few (treated)
                                          // clusters, which recommends these very methods
  Eigen::VectorXd y;                      // M_F y over the kept rows
  Eigen::MatrixXd x;                      // M_F [treatment, kept covariates]
  Eigen::VectorXd treatment;              // the raw 0/1 treatment over the kept rows
  std::vector<std::size_t> rows;          // input rows kept (singletons as the rule says)
  std::vector<std::size_t> unit, time;    // dense unit and time codes of the kept rows
  std::vector<std::size_t> cluster;       // dense cluster code of each kept row, 0..G-1
  std::vector<std::size_t> cluster_ids;   // the caller's code of each dense cluster (increasing)
  std::size_t clusters = 0;               // G
  double cr1_scale = 1;                   // G/(G-1) (n-1)/(n-K), fixest's K as twfe
  absorb_options absorb_again;            // for absorbing further columns over the kept rows
};

// Residual of `m`'s columns from least squares on the columns of `z` (none: `m` itself).
inline Eigen::MatrixXd partial_out(const Eigen::MatrixXd& m, const Eigen::MatrixXd& z) {
  if (z.cols() == 0) return m;
  const Eigen::LDLT<Eigen::MatrixXd> zz(z.transpose() * z);
  return m - z * zz.solve(z.transpose() * m);
}

// `function` prefixes the messages of twfe()'s checks ("wild_cluster_bootstrap: twfe: ...").
template <class UnitId, class TimeId>
absorbed_design make_absorbed_design(const std::string& function, const Eigen::Ref<const Eigen::VectorXd>& y,
                                     const Eigen::Ref<const Eigen::VectorXd>& treatment,
                                     const std::vector<UnitId>& unit, const std::vector<TimeId>& time,
                                     const Eigen::Ref<const Eigen::MatrixXd>& covariates,
                                     const std::vector<std::size_t>& cluster, double tolerance, int max_iterations,
                                     singleton_rule singletons) {
  absorbed_design d;
  twfe_options o;
  o.se = twfe_se::cr1;
  o.cluster = cluster;
  o.tolerance = tolerance;
  o.max_iterations = max_iterations;
  o.singletons = singletons;
  o.treatment_name = "treatment";
  for (Eigen::Index j = 0; j < covariates.cols(); ++j) o.covariate_names.push_back("z" + std::to_string(j + 1));
  try {
    d.fit = twfe(y, treatment, unit, time, covariates, o);
  } catch (const invalid_input& e) {
    throw invalid_input(function + ": " + e.what());
  } catch (const domain_error& e) {
    throw domain_error(function + ": " + e.what());
  }
  for (const auto& w : d.fit.warnings)
    if (w.find("cluster-robust tests can over-reject") == std::string::npos &&
        w.find("cluster-robust standard errors understate") == std::string::npos)
      d.warnings.push_back(w);
  // The covariates twfe() kept (not absorbed by the effects, not collinear).
  std::vector<Eigen::Index> kept;
  for (std::size_t r = 1; r < d.fit.table.rows.size(); ++r)
    kept.push_back(std::stol(d.fit.table.rows[r].term.substr(1)) - 1);

  const auto n_in = static_cast<Eigen::Index>(y.size());
  Eigen::MatrixXd all(n_in, 2 + static_cast<Eigen::Index>(kept.size()));
  all.col(0) = y;
  all.col(1) = treatment;
  for (std::size_t j = 0; j < kept.size(); ++j) all.col(2 + static_cast<Eigen::Index>(j)) = covariates.col(kept[j]);
  absorb_options ao;
  ao.tolerance = tolerance;
  ao.max_iterations = max_iterations;
  ao.singletons = singletons;
  const absorb_result a = absorb(all, unit, time, ao);
  d.rows = a.rows;
  d.unit = a.unit.code;
  d.time = a.time.code;
  d.y = a.columns.col(0);
  d.x = a.columns.rightCols(a.columns.cols() - 1);
  d.treatment = treatment(Eigen::Map<const Eigen::Array<std::size_t, Eigen::Dynamic, 1>>(
      d.rows.data(), static_cast<Eigen::Index>(d.rows.size())));

  std::map<std::size_t, std::size_t> dense;
  for (std::size_t i = 0; i < d.rows.size(); ++i) dense.emplace(cluster.empty() ? a.unit.code[i] : cluster[d.rows[i]], 0);
  for (auto& [id, code] : dense) {
    code = d.cluster_ids.size();
    d.cluster_ids.push_back(id);
  }
  d.clusters = dense.size();
  d.cluster.resize(d.rows.size());
  for (std::size_t i = 0; i < d.rows.size(); ++i)
    d.cluster[i] = dense.at(cluster.empty() ? a.unit.code[i] : cluster[d.rows[i]]);
  if (d.clusters < 2)
    throw invalid_input(function + ": " + std::to_string(d.clusters) +
                        " cluster; cluster-robust inference needs at least 2");

  const double g = static_cast<double>(d.clusters), n = static_cast<double>(d.rows.size());
  d.cr1_scale = g / (g - 1) * (n - 1) / (n - d.fit.small_sample_k);
  d.absorb_again.tolerance = tolerance;
  d.absorb_again.max_iterations = max_iterations;
  d.absorb_again.singletons = singleton_rule::keep;  // the rows are already chosen
  return d;
}

// Sums of `v` over the rows of each cluster.
inline Eigen::VectorXd cluster_sums(const Eigen::VectorXd& v, const std::vector<std::size_t>& cluster,
                                    std::size_t clusters) {
  Eigen::VectorXd s = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(clusters));
  for (std::size_t i = 0; i < cluster.size(); ++i) s(static_cast<Eigen::Index>(cluster[i])) += v(static_cast<Eigen::Index>(i));
  return s;
}

}  // namespace pilotstats::detail
