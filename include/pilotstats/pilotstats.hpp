// pilotstats/pilotstats.hpp: every statistics layer. The report layer (JSON, SVG) is opt-in.
#pragma once
#include "pilotstats/version.hpp"
#include "pilotstats/core.hpp"
#include "pilotstats/linalg.hpp"
#include "pilotstats/inference.hpp"
#include "pilotstats/its.hpp"
#include "pilotstats/did.hpp"
#include "pilotstats/changepoint.hpp"
#include "pilotstats/simulate.hpp"
