// Tests of the bundled London sample data (examples/data/london_bcu.csv and .truth.json) and
// of the generator behind it (pilotstats/simulate/london.hpp). The CSV is read with a local
// line splitter on purpose: these tests must not depend on the core CSV reader.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pilotstats/simulate/london.hpp"

namespace {

const std::string data_dir = PILOTSTATS_EXAMPLES_DATA_DIR;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct row {
  std::string borough, bcu, month;
  long complaints = 0;
  double response = 0;
  long calls = 0;
  std::string bcu_start;
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream s(line);
  while (std::getline(s, field, ',')) out.push_back(field);
  return out;
}

std::vector<row> read_csv() {
  std::istringstream in(slurp(data_dir + "/london_bcu.csv"));
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "borough,bcu,month,complaints,response_minutes,calls,bcu_start");
  std::vector<row> rows;
  while (std::getline(in, line)) {
    const auto f = split(line);
    REQUIRE(f.size() == 7);
    rows.push_back(row{f[0], f[1], f[2], std::stol(f[3]), std::stod(f[4]), std::stol(f[5]), f[6]});
    // response_minutes is written with exactly 2 decimals
    REQUIRE(f[4].find('.') == f[4].size() - 3);
  }
  return rows;
}

// The number after "key": in the truth JSON (a flat lookup; keys are unique there).
double json_number(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\": ";
  const auto at = json.find(needle);
  REQUIRE(at != std::string::npos);
  return std::strtod(json.c_str() + at + needle.size(), nullptr);
}

}  // namespace

TEST_CASE("London CSV: 32 boroughs in 12 BCUs, 72 months each", "[simulate][london]") {
  const auto rows = read_csv();
  CHECK(rows.size() == 32 * 72);

  const std::map<std::string, std::set<std::string>> expected = {
      {"Central North", {"Camden", "Islington"}},
      {"East Area", {"Barking & Dagenham", "Havering", "Redbridge"}},
      {"Central East", {"Hackney", "Tower Hamlets"}},
      {"Central South", {"Lambeth", "Southwark"}},
      {"Central West", {"Westminster", "Kensington & Chelsea", "Hammersmith & Fulham"}},
      {"North Area", {"Enfield", "Haringey"}},
      {"North East", {"Newham", "Waltham Forest"}},
      {"North West", {"Barnet", "Brent", "Harrow"}},
      {"South Area", {"Bromley", "Croydon", "Sutton"}},
      {"South East", {"Bexley", "Greenwich", "Lewisham"}},
      {"South West", {"Kingston", "Merton", "Richmond", "Wandsworth"}},
      {"West Area", {"Ealing", "Hillingdon", "Hounslow"}}};
  std::map<std::string, std::set<std::string>> membership;
  std::map<std::string, std::vector<std::string>> months;
  for (const auto& r : rows) {
    membership[r.bcu].insert(r.borough);
    months[r.borough].push_back(r.month);
  }
  CHECK(membership == expected);
  CHECK(months.size() == 32);

  std::vector<std::string> all;
  for (pilotstats::month m(2014, 1); m <= pilotstats::month(2019, 12); ++m)
    all.push_back(m.to_string());
  REQUIRE(all.size() == 72);
  for (const auto& [borough, ms] : months) {
    INFO(borough);
    CHECK(ms == all);  // balanced, in order, no duplicates
  }
}

TEST_CASE("London CSV: go-live months", "[simulate][london]") {
  const std::map<std::string, std::string> go_live = {
      {"East Area", "2016-12"},     {"Central North", "2017-01"}, {"South West", "2018-05"},
      {"Central South", "2018-06"}, {"South East", "2018-07"},    {"North Area", "2018-08"},
      {"North West", "2018-09"},    {"Central West", "2018-10"},  {"West Area", "2018-11"},
      {"South Area", "2018-12"},    {"Central East", "2019-01"},  {"North East", "2019-02"}};
  for (const auto& r : read_csv()) {
    INFO(r.borough << " " << r.month);
    CHECK(r.bcu_start == go_live.at(r.bcu));
  }
  // the rollout BCUs other than South West and North West lie in 2018-06..2019-02
  for (const auto& [bcu, m] : go_live)
    if (bcu != "East Area" && bcu != "Central North") {
      CHECK(m >= "2018-05");
      CHECK(m <= "2019-02");
    }
}

TEST_CASE("London CSV: the pathfinder facts", "[simulate][london]") {
  const auto rows = read_csv();
  long nov = 0, dec = 0;
  double june = 0;
  int n_june = 0;
  std::map<std::string, double> calls_sum;
  std::map<std::string, int> calls_n;
  for (const auto& r : rows) {
    if (r.bcu == "East Area" && r.month == "2016-11") nov += r.complaints;
    if (r.bcu == "East Area" && r.month == "2016-12") dec += r.complaints;
    if (r.bcu == "East Area" && r.month == "2017-06") {
      june += r.response;
      ++n_june;
    }
    calls_sum[r.borough] += r.calls;
    ++calls_n[r.borough];
    CHECK(r.calls >= 1000);
    CHECK(r.complaints >= 0);
    CHECK(r.response > 5.0);
  }
  REQUIRE(n_june == 3);
  const double ratio = static_cast<double>(dec) / nov;
  june /= n_june;
  INFO("East Area complaints 2016-11 " << nov << ", 2016-12 " << dec << ", mean response 2017-06 "
                                       << june);
  CHECK(ratio > 2.5);
  CHECK(ratio < 3.5);
  CHECK(june > 35.0);
  CHECK(june < 40.0);

  // Havering has the lowest mean calls in London
  std::string lowest;
  double lowest_mean = 1e300;
  for (const auto& [b, sum] : calls_sum)
    if (sum / calls_n[b] < lowest_mean) {
      lowest_mean = sum / calls_n[b];
      lowest = b;
    }
  CHECK(lowest == "Havering");

  // the truth JSON records what the CSV gives
  const std::string json = slurp(data_dir + "/london_bcu.truth.json");
  CHECK(json_number(json, "east_area_complaints_2016_11") == nov);
  CHECK(json_number(json, "east_area_complaints_2016_12") == dec);
  CHECK(json_number(json, "east_area_dec_nov_2016_complaints_ratio") == Approx(ratio).epsilon(1e-12));
  CHECK(json_number(json, "east_area_mean_response_2017_06") == Approx(june).epsilon(1e-12));
  CHECK(json_number(json, "seed") == pilotstats::london_default_seed);
}

TEST_CASE("London generator: the default seed reproduces the committed CSV byte for byte",
          "[simulate][london]") {
  const pilotstats::london_data d = pilotstats::simulate_london();
  CHECK(d.options.seed == pilotstats::london_default_seed);
  const std::string committed = slurp(data_dir + "/london_bcu.csv");
  const std::string generated = pilotstats::london_csv(d);
  CHECK(generated.size() == committed.size());
  CHECK(generated == committed);

  // and the checks it computes agree with its rows
  CHECK(d.checks.east_complaints_2016_12 > 0);
  CHECK(d.checks.east_dec_nov_2016_complaints_ratio ==
        static_cast<double>(d.checks.east_complaints_2016_12) / d.checks.east_complaints_2016_11);
}

TEST_CASE("London generator: true effects as specified", "[simulate][london]") {
  const pilotstats::london_data d = pilotstats::simulate_london();
  const auto find = [&](const std::string& name) {
    const auto it = std::find_if(d.bcus.begin(), d.bcus.end(),
                                 [&](const pilotstats::london_bcu& u) { return u.name == name; });
    REQUIRE(it != d.bcus.end());
    return *it;
  };
  const auto east = find("East Area");
  CHECK(std::exp(east.log_rate_ratio(0)) == Approx(2.9));
  CHECK(east.log_rate_ratio(5) == Approx(std::log(2.9) - 0.028 * 5));
  CHECK(east.log_rate_ratio(pilotstats::month(2019, 12) - east.go_live) > 0);  // k = 36
  CHECK(east.log_rate_ratio(-1) == 0);
  CHECK(east.response_effect(6) == Approx(23.0));  // the peak, 2017-06
  CHECK(east.response_effect(18) < 1.0);           // near baseline by mid-2018
  const auto north = find("Central North");
  CHECK(std::exp(north.log_rate_ratio(0)) == Approx(1.5));
  const auto sw = find("South West");
  CHECK(sw.log_rate_ratio(6) == Approx(std::log(1.3) * std::exp(-1.0)));

  // officers: about 32000 in 2014, about 30000 in 2019, most of the fall in 2016-2018
  REQUIRE(d.officers.size() == 72);
  CHECK(d.officers.front() == 32000);
  CHECK(d.officers.back() == 30000);
  const double fall_2016_2018 = d.officers[24] - d.officers[60];  // 2016-01 .. 2019-01
  CHECK(fall_2016_2018 > 0.8 * 2000);
  for (std::size_t t = 1; t < d.officers.size(); ++t) CHECK(d.officers[t] <= d.officers[t - 1]);

  // another seed gives other data, the same seed the same
  CHECK(pilotstats::london_csv(pilotstats::simulate_london({.seed = 6})) != pilotstats::london_csv(d));
  CHECK(pilotstats::london_csv(pilotstats::simulate_london({.seed = 6})) ==
        pilotstats::london_csv(pilotstats::simulate_london({.seed = 6})));

  pilotstats::london_options bad;
  bad.parameters.complaints_theta = -1;
  CHECK_THROWS_AS(pilotstats::simulate_london(bad), pilotstats::invalid_input);
}
