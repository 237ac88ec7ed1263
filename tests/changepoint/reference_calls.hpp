// Reading the R changepoint reference calls (changepoint_reference.hpp): the series a call ran
// on, and the penalty its name gives.
#pragma once

#include <Eigen/Core>
#include <stdexcept>
#include <string>

#include "../support/numeric_csv.hpp"
#include "pilotstats/changepoint/penalty.hpp"

namespace pilotstats_test {

// The series of a reference call, from tests/data/changepoint/<stem>.csv.
inline Eigen::VectorXd reference_series(const std::string& stem) {
  return read_numeric_csv(std::string(PILOTSTATS_TEST_DATA_DIR) + "/changepoint/" + stem + ".csv").column("y");
}

// The penalty named in a call such as mean_PELT_MBIC.
inline pilotstats::penalty penalty_of(const std::string& call) {
  using pilotstats::penalty_kind;
  if (call.find("_MBIC") != std::string::npos) return {.kind = penalty_kind::mbic};
  if (call.find("_BIC") != std::string::npos) return {.kind = penalty_kind::bic};
  if (call.find("_AIC") != std::string::npos) return {.kind = penalty_kind::aic};
  if (call.find("_Hannan-Quinn") != std::string::npos) return {.kind = penalty_kind::hannan_quinn};
  if (call.find("_Manual25") != std::string::npos) return {.kind = penalty_kind::manual, .value = 25};
  throw std::runtime_error("no penalty in " + call);
}

}  // namespace pilotstats_test
