// pilotstats/did.hpp: difference-in-differences (2 x 2 design, fixed-effect absorption, TWFE,
// Poisson with fixed effects, wild cluster bootstrap, randomization inference).
#pragma once
#include "pilotstats/did/two_by_two.hpp"
#include "pilotstats/did/absorb.hpp"
#include "pilotstats/did/twfe.hpp"
#include "pilotstats/did/wild_bootstrap.hpp"
#include "pilotstats/did/randomization.hpp"
#include "pilotstats/did/ppml.hpp"
