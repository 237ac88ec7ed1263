// A downstream program: uses the installed headers through find_package or pkg-config.
#include <pilotstats/pilotstats.hpp>

#include <iostream>

int main() {
  Eigen::MatrixXd x(4, 2);
  x << 1, 0, 1, 1, 1, 2, 1, 3;
  Eigen::VectorXd y(4);
  y << 1, 3, 5, 7;
  const auto fit = pilotstats::least_squares(x, y, {.names = {"(Intercept)", "t"}});
  const auto month = pilotstats::month::parse("2016-12") + 1;
  if (std::abs(fit.coefficients(1) - 2.0) > 1e-12 || month.to_string() != "2017-01") return 1;
  std::cout << "pilotstats " << pilotstats::version_string << " ok\n";
  return 0;
}
