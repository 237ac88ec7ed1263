#!/usr/bin/env Rscript
# bench/compare/r_timings.R
#
# Times R's equivalents of the pilotstats benchmarks (bench/linalg_bench.cpp and
# bench/inference_bench.cpp) on this machine, so that pilotstats can be compared with R.
#
# Run:   Rscript bench/compare/r_timings.R
# Needs: R (tested with 4.2.2), sandwich, clubSandwich. No other packages.
#
# How timing works
#   * Wall-clock time from proc.time()[["elapsed"]] deltas, in base R only.
#   * proc.time() has a 1 ms resolution, so a call that is faster than that cannot be timed
#     alone. Each "repetition" is therefore a batch of k back-to-back calls, with k chosen
#     (by doubling) so that a batch takes at least BATCH_SECS; the per-call time of a batch is
#     its elapsed time / k. For slow calls k = 1, i.e. one call per repetition.
#   * Every row: gc() first, then one untimed warm-up call, then the calibration of k, then
#     batches until there are at least MIN_REPS batches AND at least MIN_SECS of timed work.
#     Calls so slow that this would take more than MAX_SECS stop after MAX_SECS once they have
#     at least MIN_REPS_SLOW batches.
#   * Reported: the median over batches of the per-call time, in milliseconds, and the number
#     of batches x calls per batch.
#   * Model fits used by covariance calls are done once, outside the timed loop; only the
#     covariance (or test) call itself is timed.
#
# The data are drawn with set.seed(1) and rnorm; they follow the shapes of bench/bench_data.hpp
# (the values differ from the C++ generator, which has its own RNG; the timings do not depend on
# the values, except for the data-dependent Newey-West lag of case hac_panel, which is printed).

suppressPackageStartupMessages({
  library(sandwich)
  library(clubSandwich)
})

BATCH_SECS    <- 0.1   # a batch must take at least this long (1 ms resolution -> <= 1% error)
MIN_REPS      <- 20L   # at least this many batches ...
MIN_SECS      <- 2     # ... and at least this much timed work per row
MAX_SECS      <- 20    # cap for slow calls ...
MIN_REPS_SLOW <- 5L    # ... which still get at least this many batches

now <- function() proc.time()[["elapsed"]]

# Time f() as described above; returns a one-row data frame.
bench <- function(case, call_label, f) {
  invisible(gc())
  t0 <- now(); f(); warm <- now() - t0          # warm-up (untimed for the result)
  # Calibrate the batch size k: double until a batch of k calls takes >= BATCH_SECS.
  k <- 1L
  if (warm < BATCH_SECS) {
    repeat {
      t0 <- now(); for (i in seq_len(k)) f(); t <- now() - t0
      if (t >= BATCH_SECS) break
      k <- k * 2L
    }
  }
  per_call <- numeric(0)
  total <- 0
  repeat {
    t0 <- now(); for (i in seq_len(k)) f(); t <- now() - t0
    per_call <- c(per_call, t / k)
    total <- total + t
    n <- length(per_call)
    if (n >= MIN_REPS && total >= MIN_SECS) break
    if (total >= MAX_SECS && n >= MIN_REPS_SLOW) break
  }
  row <- data.frame(case = case, call = call_label,
                    median_ms = 1000 * median(per_call),
                    reps = sprintf("%d x %d", length(per_call), k),
                    total_s = total, stringsAsFactors = FALSE)
  cat(sprintf("  done: %-20s %-70s %10.4f ms  (%s)\n", case, call_label, row$median_ms, row$reps))
  flush.console()
  row
}

cat("Load average at start:", readLines("/proc/loadavg"), "\n")
cpu <- grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)
cat("CPU:", sub("^model name\\s*:\\s*", "", cpu[1]), "x", length(cpu), "logical cores\n\n")

set.seed(1)
results <- list()

# An n x p design: a column of 1s, then p - 1 N(0, 1) columns.
gaussian_design <- function(n, p) cbind(1, matrix(rnorm(n * (p - 1)), n, p - 1))

# ---- 1. ols_n120_p15: X 120 x 15, y ~ N(0, 1) ----------------------------------------------
X1 <- gaussian_design(120, 15); y1 <- rnorm(120)
results[[length(results) + 1]] <- bench("ols_n120_p15", "lm.fit(X, y)",
                                        function() lm.fit(X1, y1))
results[[length(results) + 1]] <- bench("ols_n120_p15", "lm(y ~ X - 1)",
                                        function() lm(y1 ~ X1 - 1))

# ---- 2. ols_n100000_p20: X 100000 x 20, y ~ N(0, 1) ----------------------------------------
X2 <- gaussian_design(100000, 20); y2 <- rnorm(100000)
results[[length(results) + 1]] <- bench("ols_n100000_p20", "lm.fit(X, y)",
                                        function() lm.fit(X2, y2))
results[[length(results) + 1]] <- bench("ols_n100000_p20", "lm(y ~ X - 1)",
                                        function() lm(y2 ~ X2 - 1))
rm(X2, y2); invisible(gc())

# ---- Panel shared by cases 3-5: 32 units x 84 months, stacked unit by unit (n = 2688) ------
units <- 32L; months <- 84L
panel <- expand.grid(month = seq_len(months), unit = seq_len(units))[, c("unit", "month")]
unit <- panel$unit                      # clustering vector, so that `cluster = unit` works below
n_panel <- nrow(panel)

# Pooled 15-column design (intercept + 14 N(0, 1) columns); as in bench_data.hpp's
# gaussian_design, y = X 1 + N(0, 1).
Xp <- gaussian_design(n_panel, 15)
pooled <- data.frame(y = drop(Xp %*% rep(1, 15)) + rnorm(n_panel), Xp[, -1])
fit_pooled <- lm(y ~ ., data = pooled)  # fitted once, outside every timed loop

# ---- 3. hac_panel: Newey-West on the pooled design (rows in stacked panel order) -----------
nw_auto_lag <- floor(bwNeweyWest(fit_pooled, prewhite = FALSE))  # the lag NeweyWest(lag = NULL) picks
results[[length(results) + 1]] <- bench("hac_panel",
  sprintf("NeweyWest(fit, lag = NULL, prewhite = FALSE, adjust = TRUE) [lag %d]", nw_auto_lag),
  function() NeweyWest(fit_pooled, lag = NULL, prewhite = FALSE, adjust = TRUE))
results[[length(results) + 1]] <- bench("hac_panel",
  "NeweyWest(fit, lag = 4, prewhite = FALSE)",
  function() NeweyWest(fit_pooled, lag = 4, prewhite = FALSE))

# ---- 4. cluster_twfe_32x84: y ~ treated + factor(unit) + factor(month), 32 clusters --------
# Units 1-5 treated from month 40 on; y = 0.5 treated + unit effect + month effect + N(0, 1),
# unit effects N(0, 1), month effects 0.02 * (month - 1) (as in bench_data.hpp's twfe_panel).
panel$treated <- as.numeric(panel$unit <= 5 & panel$month >= 40)
unit_effect <- rnorm(units)
panel$y <- 0.5 * panel$treated + unit_effect[panel$unit] + 0.02 * (panel$month - 1) + rnorm(n_panel)
twfe_formula <- y ~ treated + factor(unit) + factor(month)
fit_twfe <- lm(twfe_formula, data = panel)         # fitted once for the covariance calls
X_twfe <- model.matrix(fit_twfe)                   # 2688 x 116, for the lm.fit-only row

results[[length(results) + 1]] <- bench("cluster_twfe_32x84",
  "lm(y ~ treated + factor(unit) + factor(month))",
  function() lm(twfe_formula, data = panel))
results[[length(results) + 1]] <- bench("cluster_twfe_32x84",
  "lm.fit(model.matrix, y) [extra: fit only, 2688 x 116]",
  function() lm.fit(X_twfe, panel$y))
results[[length(results) + 1]] <- bench("cluster_twfe_32x84",
  "vcovCL(fit, cluster = ~unit, type = \"HC1\")",
  function() vcovCL(fit_twfe, cluster = ~unit, type = "HC1"))
results[[length(results) + 1]] <- bench("cluster_twfe_32x84",
  "vcovCR(fit, cluster = unit, type = \"CR2\")",
  function() vcovCR(fit_twfe, cluster = unit, type = "CR2"))
# coef_test has a `coefs` argument in clubSandwich 0.5.8; fall back to all coefficients if not.
has_coefs <- "coefs" %in% names(formals(clubSandwich::coef_test))
ct_label <- if (has_coefs) {
  "coef_test(fit, vcov = \"CR2\", cluster = unit, test = \"Satterthwaite\", coefs = \"treated\")"
} else {
  "coef_test(fit, vcov = \"CR2\", cluster = unit, test = \"Satterthwaite\") [no coefs arg]"
}
ct_fun <- if (has_coefs) {
  function() coef_test(fit_twfe, vcov = "CR2", cluster = unit, test = "Satterthwaite", coefs = "treated")
} else {
  function() coef_test(fit_twfe, vcov = "CR2", cluster = unit, test = "Satterthwaite")
}
results[[length(results) + 1]] <- bench("cluster_twfe_32x84", ct_label, ct_fun)

# ---- 5. cluster_small_32x84: the pooled 15-column design of case 3, clustered by unit ------
pooled$unit <- unit   # added after the fit; vcovCL's ~unit is looked up in this data frame
results[[length(results) + 1]] <- bench("cluster_small_32x84",
  "vcovCL(fit, cluster = ~unit, type = \"HC1\")",
  function() vcovCL(fit_pooled, cluster = ~unit, type = "HC1"))
results[[length(results) + 1]] <- bench("cluster_small_32x84",
  "vcovCR(fit, cluster = unit, type = \"CR2\")",
  function() vcovCR(fit_pooled, cluster = unit, type = "CR2"))

# ---- Results ----------------------------------------------------------------------------------
res <- do.call(rbind, results)
cat("\nMedian wall time per call (reps = batches x calls per batch)\n\n")
# Plain fixed-width table, written with sprintf so that the console width cannot wrap it.
w_case <- max(nchar(c("case", res$case))); w_call <- max(nchar(c("R call", res$call)))
fmt <- paste0("%-", w_case, "s  %-", w_call, "s  %12s  %s\n")
cat(sprintf(fmt, "case", "R call", "median ms", "reps"))
cat(sprintf(fmt, strrep("-", w_case), strrep("-", w_call), strrep("-", 12), strrep("-", 9)))
cat(sprintf(fmt, res$case, res$call, formatC(res$median_ms, format = "f", digits = 4), res$reps),
    sep = "")

# A few values to cross-check against pilotstats on the same data (not timed).
cat("\nChecks (not timed):\n")
cat(sprintf("  hac_panel automatic lag (floor of bwNeweyWest, prewhite = FALSE): %d\n", nw_auto_lag))
cat(sprintf("  twfe: %d x %d design, treated coef %.4f, SE HC1 %.4f, SE CR2 %.4f\n",
            nrow(X_twfe), ncol(X_twfe), coef(fit_twfe)[["treated"]],
            sqrt(vcovCL(fit_twfe, cluster = ~unit, type = "HC1")["treated", "treated"]),
            sqrt(as.matrix(vcovCR(fit_twfe, cluster = unit, type = "CR2"))["treated", "treated"])))
ct <- ct_fun()
print(ct)

cat("\nLoad average at end:", readLines("/proc/loadavg"), "\n")
cat("Total timed work:", sprintf("%.1f s", sum(res$total_s)), "\n\n")
cat(R.version.string, "\n")
cat("sandwich", format(packageVersion("sandwich")), " clubSandwich", format(packageVersion("clubSandwich")), "\n")
si <- sessionInfo()
cat("BLAS:  ", si$BLAS, "\n")
cat("LAPACK:", si$LAPACK, "\n")
# Debian's /usr/lib/x86_64-linux-gnu/blas/libblas.so.3 (package libblas3) is the reference
# (netlib) BLAS, single-threaded; OpenBLAS would show up as .../openblas-pthread/libblas.so.3.
blas_kind <- if (grepl("openblas", si$BLAS, ignore.case = TRUE)) "OpenBLAS" else
             if (grepl("mkl", si$BLAS, ignore.case = TRUE)) "MKL" else
             if (grepl("atlas", si$BLAS, ignore.case = TRUE)) "ATLAS" else
             if (grepl("/blas/libblas", si$BLAS)) "reference (netlib) BLAS" else "unknown"
cat("BLAS in use:", blas_kind, "\n")
