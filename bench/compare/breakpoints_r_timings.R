# R strucchange's time for the cases of BM_breakpoints_level (bench/changepoint_bench.cpp):
# level only, h = 0.15, at most 5 breaks, three level shifts of 1 sd; breakpoints(), then
# summary() (the BIC table; breakpoints(bp) uses it) and confint(). Median of 3 runs (1 at 2000).
#   Rscript bench/compare/breakpoints_r_timings.R
suppressMessages(library(strucchange))
set.seed(1997)
for (n in c(120, 500, 2000)) {
  u <- (0:(n - 1)) / n
  y <- rnorm(n, (u >= 0.3) + (u >= 0.55) - (u >= 0.8))
  runs <- if (n >= 2000) 1 else 3
  t <- replicate(runs, system.time({
    bp <<- breakpoints(y ~ 1, h = 0.15, breaks = 5)
    s <- summary(bp)
    ci <- confint(bp)
  })[["elapsed"]])
  cat(sprintf("n = %4d: %.3f s (breaks %s)\n", n, median(t), paste(bp$breakpoints, collapse = " ")))
}
