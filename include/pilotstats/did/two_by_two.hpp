// pilotstats/did/two_by_two.hpp: the canonical 2 x 2 difference-in-differences.
//
// From a 0/1 treated-group indicator and a 0/1 post-period indicator per row: the table of
// group x period means (T0, T1 treated before/after; C0, C1 controls), the estimate
//     DiD = (T1 - T0) - (C1 - C0),
// and its inference from the saturated regression y ~ 1 + treated + post + treated:post,
// whose interaction coefficient equals the DiD exactly. Any covariance of
// inference/covariance.hpp applies (classical as vcov(lm); cluster CR1 as
// sandwich::vcovCL(type = "HC1"); CR2 with Satterthwaite df as clubSandwich).
#pragma once

#include <Eigen/Core>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "pilotstats/core/error.hpp"
#include "pilotstats/inference/coefficient_table.hpp"
#include "pilotstats/inference/covariance.hpp"
#include "pilotstats/linalg/least_squares.hpp"

namespace pilotstats {

struct two_by_two_options {
  covariance_spec covariance = classical_covariance{};
  double level = 0.95;
};

struct two_by_two_result {
  // means[group][period], counts likewise: group 0 = control, 1 = treated; period 0 = pre, 1 = post.
  std::array<std::array<double, 2>, 2> means{};
  std::array<std::array<std::size_t, 2>, 2> counts{};
  double estimate = 0;                 // (T1 - T0) - (C1 - C0)
  coefficient_row did;                 // the interaction row of `table`
  coefficient_table table;             // (Intercept), treated, post, treated:post
  std::vector<std::string> warnings;
};

inline two_by_two_result two_by_two(const Eigen::Ref<const Eigen::VectorXd>& y,
                                    const Eigen::Ref<const Eigen::VectorXd>& treated,
                                    const Eigen::Ref<const Eigen::VectorXd>& post,
                                    const two_by_two_options& options = {}) {
  const Eigen::Index n = y.size();
  if (treated.size() != n || post.size() != n)
    throw invalid_input("two_by_two: y has " + std::to_string(n) + " rows, the treated indicator " +
                        std::to_string(treated.size()) + " and the post indicator " + std::to_string(post.size()));
  two_by_two_result out;
  std::array<std::array<double, 2>, 2> sums{};
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!std::isfinite(y(i)))
      throw invalid_input("two_by_two: y is " + std::to_string(y(i)) + " at row " + std::to_string(i + 1));
    for (const auto& [v, what] : {std::pair{treated(i), "treated"}, std::pair{post(i), "post"}})
      if (v != 0 && v != 1)
        throw invalid_input(std::string("two_by_two: the ") + what + " indicator is " + std::to_string(v) +
                            " at row " + std::to_string(i + 1) + ", but must be 0 or 1");
    const auto g = static_cast<std::size_t>(treated(i)), t = static_cast<std::size_t>(post(i));
    sums[g][t] += y(i);
    ++out.counts[g][t];
  }
  static const char* group[] = {"control", "treated"};
  static const char* period[] = {"pre", "post"};
  for (std::size_t g = 0; g < 2; ++g)
    for (std::size_t t = 0; t < 2; ++t) {
      if (out.counts[g][t] == 0)
        throw invalid_input(std::string("two_by_two: no rows in the ") + group[g] + " group's " + period[t] +
                            " period: the 2 x 2 design needs all four cells");
      out.means[g][t] = sums[g][t] / static_cast<double>(out.counts[g][t]);
    }
  out.estimate = (out.means[1][1] - out.means[1][0]) - (out.means[0][1] - out.means[0][0]);

  Eigen::MatrixXd x(n, 4);
  x.col(0).setOnes();
  x.col(1) = treated;
  x.col(2) = post;
  x.col(3) = treated.cwiseProduct(post);
  least_squares_options ls;
  ls.names = {"(Intercept)", "treated", "post", "treated:post"};
  const least_squares_fit fit = least_squares(x, y, ls);
  out.table = tidy(fit, covariance(fit, options.covariance), options.level);
  out.did = out.table["treated:post"];
  out.warnings = fit.warnings;
  out.warnings.insert(out.warnings.end(), out.table.warnings.begin(), out.table.warnings.end());
  return out;
}

}  // namespace pilotstats
