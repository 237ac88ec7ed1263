// pilotstats/its.hpp: interrupted time series.
#pragma once
#include "pilotstats/its/design.hpp"
#include "pilotstats/its/fit.hpp"
#include "pilotstats/its/diagnostics.hpp"
#include "pilotstats/its/effects.hpp"
#include "pilotstats/its/placebo.hpp"
#include "pilotstats/its/controlled.hpp"
