# R changepoint's time for the PELT cases of bench/changepoint_bench.cpp: 11 equal segments
# (10 changes), normal mean 0 / 1 alternating with sd 1, Poisson rate 5 / 7 alternating.
# cpt.mean(y, method = "PELT") and cpt.meanvar(y, test.stat = "Poisson", method = "PELT") under
# R's default penalty (MBIC), and cpt.mean under BIC. Median of 5 runs after a warm-up (1 run
# for BIC at 1e6: about 3 minutes). Writes the 1e6 series and R's change points, so that
# pilotstats can be run on the very same data (its answers are compared in the README).
#   Rscript bench/compare/changepoint_r_timings.R [OUTDIR]
# changepoint is not a Debian package: install it from CRAN (or its source) first. The README's
# figures come from changepoint 2.2.4 built from its CRAN source on the benchmark machine.
suppressPackageStartupMessages(library(changepoint))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else tempdir()
segment <- function(n) floor((seq_len(n) - 1) * 11 / n)
normal_series <- function(n) { set.seed(2012); rnorm(n, mean = segment(n) %% 2, sd = 1) }
poisson_series <- function(n) { set.seed(2017); rpois(n, ifelse(segment(n) %% 2 == 0, 5, 7)) }
calls <- list(
  "cpt.mean PELT (MBIC)" = list(make = normal_series, fit = function(y) cpt.mean(y, method = "PELT")),
  "cpt.meanvar Poisson PELT (MBIC)" = list(make = poisson_series,
                                           fit = function(y) cpt.meanvar(y, test.stat = "Poisson", method = "PELT")),
  "cpt.mean PELT (BIC)" = list(make = normal_series, fit = function(y) cpt.mean(y, method = "PELT", penalty = "BIC"))
)
for (n in c(1e4, 1e5, 1e6)) {
  for (name in names(calls)) {
    y <- calls[[name]]$make(n)
    fit <- calls[[name]]$fit(y)
    runs <- if (n == 1e6 && grepl("BIC)", name, fixed = TRUE) && !grepl("MBIC", name)) 1 else 5
    t <- replicate(runs, system.time(fit <- calls[[name]]$fit(y))[["elapsed"]])
    cat(sprintf("%-32s n = %7d: %8.3f s, %d changes, penalty %.6f\n", name, as.integer(n), median(t),
                length(cpts(fit)), pen.value(fit)))
    if (n == 1e6) {
      tag <- gsub("[^A-Za-z]+", "_", name)
      writeLines(format(y, digits = 17), file.path(out, paste0("series_", tag, ".txt")))
      writeLines(as.character(cpts(fit)), file.path(out, paste0("cpts_", tag, ".txt")))
    }
  }
}
cat("series and change points in", out, "\n")
