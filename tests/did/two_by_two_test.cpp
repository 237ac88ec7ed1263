// The 2 x 2 design against R (tests/reference/did_reference.R, namespace two_by_two): mpdta's
// 2003 and 2004, treated group = counties first treated in 2004.
#include <catch2/catch.hpp>

#include "did_data.hpp"
#include "did_reference.hpp"
#include "pilotstats/did/two_by_two.hpp"

namespace ref = pilotstats_did_reference::two_by_two;
namespace data = pilotstats_did_test;
using namespace pilotstats;
using Catch::Matchers::Contains;

namespace {
struct design {
  Eigen::VectorXd y, g, post;
  std::vector<std::size_t> county;
};
design mpdta_2003_2004() {
  const auto p = data::mpdta();
  design d;
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < p.y.size(); ++i)
    if (p.time[static_cast<std::size_t>(i)] <= 2004) {
      rows.push_back(i);
      d.county.push_back(std::stoul(p.unit[static_cast<std::size_t>(i)]));
    }
  d.y = p.y(rows);
  d.g = (p.first_treat(rows).array() == 2004).cast<double>();
  d.post.resize(d.y.size());
  for (std::size_t r = 0; r < rows.size(); ++r) d.post(static_cast<Eigen::Index>(r)) = p.time[static_cast<std::size_t>(rows[r])] == 2004;
  return d;
}
}  // namespace

TEST_CASE("two_by_two on mpdta 2003-2004: means, DiD and its SEs as R", "[did][two_by_two]") {
  const auto d = mpdta_2003_2004();
  REQUIRE(d.y.size() == static_cast<Eigen::Index>(ref::n));
  const auto r = two_by_two(d.y, d.g, d.post);
  for (std::size_t g = 0; g < 2; ++g)
    for (std::size_t t = 0; t < 2; ++t) CHECK(r.means[g][t] == Approx(ref::means[g * 2 + t]).epsilon(1e-12));
  CHECK(r.estimate == Approx(ref::estimate[3]).epsilon(1e-8));
  CHECK(r.did.estimate == Approx(r.estimate).epsilon(1e-10));  // the interaction is the DiD
  for (std::size_t j = 0; j < 4; ++j) {
    CHECK(r.table.rows[j].estimate == Approx(ref::estimate[j]).epsilon(1e-8));
    CHECK(r.table.rows[j].std_error == Approx(ref::se_iid[j]).epsilon(1e-6));
  }
  const auto cr1 = two_by_two(d.y, d.g, d.post, {.covariance = cluster_covariance{d.county, cr_type::cr1}});
  const auto cr2 = two_by_two(d.y, d.g, d.post, {.covariance = cluster_covariance{d.county, cr_type::cr2}});
  for (std::size_t j = 0; j < 4; ++j) {
    CHECK(cr1.table.rows[j].std_error == Approx(ref::se_cr1[j]).epsilon(1e-6));
    CHECK(cr2.table.rows[j].std_error == Approx(ref::se_cr2[j]).epsilon(1e-6));
    CHECK(cr2.table.rows[j].df == Approx(ref::df_cr2[j]).epsilon(1e-6));
  }
}

TEST_CASE("two_by_two: invalid input is named", "[did][two_by_two][errors]") {
  Eigen::VectorXd y(4), g(4), post(4);
  y << 1, 2, 3, 4;
  g << 0, 0, 1, 1;
  post << 0, 1, 0, 1;
  CHECK_THROWS_WITH(two_by_two(y.head(3), g, post), Contains("y has 3 rows"));
  Eigen::VectorXd bad = post;
  bad(2) = 0.5;
  CHECK_THROWS_WITH(two_by_two(y, g, bad), Contains("post indicator is 0.500000 at row 3"));
  Eigen::VectorXd none = Eigen::VectorXd::Zero(4);
  CHECK_THROWS_WITH(two_by_two(y, none, post), Contains("no rows in the treated group's pre period"));
  y(1) = std::nan("");
  CHECK_THROWS_WITH(two_by_two(y, g, post), Contains("y is nan at row 2"));
}
