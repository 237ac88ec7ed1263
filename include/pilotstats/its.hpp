// pilotstats/its.hpp: interrupted time series.
#pragma once
#include "pilotstats/its/design.hpp"
