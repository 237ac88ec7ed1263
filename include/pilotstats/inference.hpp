// pilotstats/inference.hpp: distributions, covariance estimators, coefficient tables.
#pragma once
#include "pilotstats/inference/coefficient_table.hpp"
#include "pilotstats/inference/covariance.hpp"
#include "pilotstats/inference/distributions.hpp"
#include "pilotstats/inference/glm_covariance.hpp"
