# R timings for the ITS benchmarks (bench/its_bench.cpp): one fit of n = 120 months with 15 terms
# (intercept, trend, level and slope change, 11 month dummies), as the C++ benchmark does:
#   lm + sandwich::NeweyWest (automatic lag, prewhite = FALSE), glm(poisson), MASS::glm.nb,
#   and the in-time placebo sweep (refits of lm + NeweyWest on the pre-period).
# Each case is run in a loop for about 2 s after a warm-up; the figure is elapsed / calls.
# Run: Rscript bench/compare/its_r_timings.R
suppressMessages({library(sandwich); library(MASS)})
set.seed(7)
t <- 0:119; after <- as.numeric(t >= 72); since <- pmax(0, t - 72); m <- factor(t %% 12)
mu <- exp(3 + 0.002 * t + after * (0.5 - 0.01 * since) + 0.1 * sin(2 * pi * t / 12))
d <- data.frame(y = rnbinom(120, mu = mu, size = 30), z = 15 + 0.02 * t + 3 * after + rnorm(120), t, after, since, m)
per_call <- function(f) {
  for (i in 1:20) f()
  calls <- 0; start <- proc.time()[["elapsed"]]
  repeat { f(); calls <- calls + 1; if (proc.time()[["elapsed"]] - start > 2) break }
  (proc.time()[["elapsed"]] - start) / calls
}
placebo <- function() {
  pre <- d[d$t < 72, ]
  for (p in 8:64) {
    pre$a <- as.numeric(pre$t >= p); pre$s <- pmax(0, pre$t - p)
    f <- lm(z ~ t + a + s + m, data = pre); v <- NeweyWest(f, prewhite = FALSE)
  }
}
cases <- list(
  "lm + NeweyWest (auto lag)" = function() { f <- lm(z ~ t + after + since + m, data = d); NeweyWest(f, prewhite = FALSE) },
  "glm poisson + vcov" = function() { f <- glm(y ~ t + after + since + m, family = poisson, data = d); vcov(f) },
  "MASS::glm.nb + vcov" = function() { f <- glm.nb(y ~ t + after + since + m, data = d); vcov(f) },
  "placebo sweep (57 refits, lm + NeweyWest)" = placebo)
cat(R.version.string, "sandwich", as.character(packageVersion("sandwich")), "MASS", as.character(packageVersion("MASS")), "\n")
for (nm in names(cases)) cat(sprintf("%-45s %10.1f us\n", nm, 1e6 * per_call(cases[[nm]])))
