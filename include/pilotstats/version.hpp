// pilotstats/version.hpp
#pragma once

#define PILOTSTATS_VERSION_MAJOR 0
#define PILOTSTATS_VERSION_MINOR 1
#define PILOTSTATS_VERSION_PATCH 0

namespace pilotstats {
inline constexpr const char* version_string = "0.1.0";
}
