// pilotstats/core.hpp: the core layer: errors, months, CSV, panels and series.
#pragma once

#include "pilotstats/core/error.hpp"
#include "pilotstats/core/month.hpp"
#include "pilotstats/core/csv.hpp"
#include "pilotstats/core/series.hpp"
#include "pilotstats/core/panel.hpp"
#include "pilotstats/core/read_panel.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/core/draws.hpp"
