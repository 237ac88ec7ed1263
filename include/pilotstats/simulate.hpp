// pilotstats/simulate.hpp: the simulate layer, data-generating processes with known effects.
// The random engine and draws it uses live in core (core/rng.hpp, core/draws.hpp), so that
// inference's bootstrap and randomization tests can use them too.
//
//   london.hpp  the bundled London borough/BCU sample panel and its true effects
#pragma once

#include "pilotstats/core/draws.hpp"
#include "pilotstats/core/rng.hpp"
#include "pilotstats/simulate/london.hpp"
