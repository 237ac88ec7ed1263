# CUSUM test for a change in mean: the numbers in tests/changepoint/cusum_test.cpp.
# R 4.2.2, strucchange 1.5-3 (Debian r-cran-strucchange). Run from the repository root:
#   Rscript tests/reference/changepoint_cusum_reference.R
suppressMessages(library(strucchange))
for (f in c("monthly_response_72", "normal_mean_500", "poisson_300", "normal_var_600")) {
  y <- read.csv(file.path("tests/data/changepoint", paste0(f, ".csv")))$y
  e <- efp(y ~ 1, type = "OLS-CUSUM")
  t <- sctest(e)
  # process has n + 1 entries (W(0) = 0 first): the maximum at entry k + 1 is after observation k
  cat(sprintf("{\"%s\", %.17g, %.17g, %d},\n", f, unname(t$statistic), t$p.value, which.max(abs(e$process)) - 1))
}
# strucchange's Brownian-bridge p-value function at fixed points
for (x in c(0.3, 0.5, 0.8, 1.0, 1.358, 2.0)) {
  cat(sprintf("{%.17g, %.17g},\n", x, strucchange:::pvalue.efp(x, lim.process = "Brownian bridge", alt.boundary = FALSE, functional = "max", h = NULL, k = 1)))
}
