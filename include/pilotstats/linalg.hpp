// pilotstats/linalg.hpp: least squares by Householder QR with R's rank rule.
#pragma once
#include "pilotstats/linalg/householder_qr.hpp"
#include "pilotstats/linalg/glm.hpp"
#include "pilotstats/linalg/least_squares.hpp"
#include "pilotstats/linalg/gls_ar1.hpp"
