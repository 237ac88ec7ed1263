#!/usr/bin/env Rscript
# bench/compare/ppml_r_timings.R
#
# Times R's glm(family = poisson) with unit and month dummies, the Debian-available equivalent of
# the PPML fit in bench/did_bench.cpp (fixest is not installed here), on the 32 units x 84 months
# panel, with and without the cluster-robust covariance (sandwich::vcovCL by unit).
# 3000 x 120 is not timed: its dummy design would be 360000 x 3120 dense (9 GB).
#
# Run:   Rscript bench/compare/ppml_r_timings.R
# Needs: R (tested with 4.2.2), sandwich.
#
# The panel follows bench/did_bench.cpp's design (unit effects N(log 20, 0.5^2), a seasonal
# month effect plus N(0, 0.1^2), rate ratio 1.2 for the first tenth of the units from the middle
# month on), drawn with set.seed(11) and rpois: the values differ from the C++ generator, the
# timings do not depend on them. Reported: the median wall time of 20 calls (after one warm-up),
# in milliseconds.

suppressPackageStartupMessages(library(sandwich))

now <- function() proc.time()[["elapsed"]]
time_call <- function(label, f, reps = 20L) {
  invisible(gc())
  f()
  t <- vapply(seq_len(reps), function(i) { t0 <- now(); f(); now() - t0 }, numeric(1))
  cat(sprintf("  %-75s %9.2f ms (median of %d)\n", label, 1000 * median(t), reps))
}

cat("Load average at start:", readLines("/proc/loadavg"), "\n")

simulate <- function(units, months) {
  unit_effect <- log(20) + 0.5 * rnorm(units)
  month_effect <- 0.2 * sin(2 * pi * (0:(months - 1)) / 12) + 0.1 * rnorm(months)
  d <- expand.grid(month = 0:(months - 1), unit = 0:(units - 1))
  d$D <- as.numeric(d$unit < max(1, units %/% 10) & d$month >= months %/% 2)
  d$y <- rpois(nrow(d), exp(unit_effect[d$unit + 1] + month_effect[d$month + 1] + log(1.2) * d$D))
  d
}

set.seed(11)
small <- simulate(32, 84)
cat("32 units x 84 months (n = 2688):\n")
time_call("glm(y ~ D + factor(unit) + factor(month), poisson)",
          function() glm(y ~ D + factor(unit) + factor(month), family = poisson, data = small))
time_call("glm(...) + vcovCL(fit, cluster = ~unit, type = \"HC0\")",
          function() {
            f <- glm(y ~ D + factor(unit) + factor(month), family = poisson, data = small)
            vcovCL(f, cluster = small$unit, type = "HC0")
          })
