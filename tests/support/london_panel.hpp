// The bundled London panel (examples/data/london_bcu.csv, units = boroughs), read once per
// test executable.
#pragma once

#include <string>

#include "pilotstats/core/read_panel.hpp"

namespace pilotstats_test {

inline const pilotstats::panel& london_panel() {
  static const pilotstats::panel p = pilotstats::read_panel_csv(
      std::string(PILOTSTATS_EXAMPLES_DATA_DIR) + "/london_bcu.csv", {.unit = "borough"});
  return p;
}

}  // namespace pilotstats_test
