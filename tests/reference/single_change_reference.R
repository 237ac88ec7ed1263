# Single-change test: the numbers in tests/changepoint/single_change_test.cpp.
# R 4.2.2, strucchange 1.5-3 (Debian r-cran-strucchange). Run from the repository root:
#   Rscript tests/reference/single_change_reference.R
#
# R changepoint 2.3 is not packaged for Debian, so its AMOC statistic and "Asymptotic" penalty
# are evaluated here from their definitions (changepoint's R/single.norm.R and
# R/penalty_decision.R, asymcheck = "mean.norm"):
#   statistic  null - alt: sum of squares about the mean, less the smallest two-segment sum of
#              squares over tau = minseglen..n - minseglen (data as given, unit variance)
#   penalty    alogn = (2 log log n)^(-1/2), blogn = 1 / alogn + alogn log log log n / 2,
#              pen(alpha) = (-alogn log(log((1 - alpha + exp(-2 sqrt(pi) exp(blogn / alogn)))^(-1 / (2 sqrt(pi))))) + blogn)^2
# and the p-value is the alpha at which pen(alpha) equals the statistic, found by uniroot (on
# log alpha), not by the closed form the C++ uses.
suppressMessages(library(strucchange))

pen <- function(alpha, n) {
  alogn <- (2 * log(log(n)))^(-(1 / 2))
  blogn <- (alogn^(-1)) + (1 / 2) * alogn * log(log(log(n)))
  (-alogn * log(log((1 - alpha + exp(-2 * (pi^(1 / 2)) * exp(blogn / alogn)))^(-1 / (2 * (pi^(1 / 2)))))) + blogn)^2
}
p_by_root <- function(stat, n) {
  if (stat <= pen(1, n)) return(1)
  exp(uniroot(function(la) pen(exp(la), n) - stat, c(-700, 0), tol = 1e-14)$root)
}
amoc <- function(y, m) {
  n <- length(y); s <- c(0, cumsum(y)); s2 <- c(0, cumsum(y^2))
  null <- s2[n + 1] - s[n + 1]^2 / n
  tau <- m:(n - m)
  alt <- s2[tau + 1] - s[tau + 1]^2 / tau + (s2[n + 1] - s2[tau + 1]) - (s[n + 1] - s[tau + 1])^2 / (n - tau)
  list(tau = tau[which.min(alt)], stat = null - min(alt))
}

cat("// pen(alpha, n): {n, alpha, pen}\n")
for (n in c(16, 72, 500, 5000)) for (a in c(0.01, 0.05, 0.5)) cat(sprintf("{%d, %.17g, %.17g},\n", n, a, pen(a, n)))

cat("// per series: {name, sd (0: mad(diff(y))/sqrt(2)), location, statistic, p by uniroot, sd used, confint lower, upper}\n")
for (f in c("monthly_response_72", "normal_mean_500", "normal_var_600")) {
  y <- read.csv(file.path("tests/data/changepoint", paste0(f, ".csv")))$y
  n <- length(y)
  for (sd_given in c(1, 0)) {
    s <- if (sd_given > 0) sd_given else mad(diff(y)) / sqrt(2)
    a <- amoc(y / s, 2)
    bp <- breakpoints(y ~ 1, h = 2, breaks = 1)
    stopifnot(breakpoints(bp, breaks = 1)$breakpoints == a$tau)
    ci <- confint(bp, breaks = 1)$confint
    cat(sprintf("{\"%s\", %g, %d, %.17g, %.17g, %.17g, %d, %d},\n", f, sd_given, a$tau, a$stat, p_by_root(a$stat, n), s, ci[1], ci[3]))
  }
}

# Poisson rate: 2 log LR = C(0, n) - min_tau C(0, tau) + C(tau, n), C = -2 x log(x / len)
# (changepoint's mll_meanvar_poisson), tau = 2..n-2; p-value by the same limit (uniroot).
cat("// poisson: {name, location, statistic, p by uniroot}\n")
for (f in c("poisson_300")) {
  y <- read.csv(file.path("tests/data/changepoint", paste0(f, ".csv")))$y
  n <- length(y)
  cost <- function(x, len) ifelse(x == 0, 0, 2 * x * (log(len) - log(x)))
  s <- c(0, cumsum(y)); tau <- 2:(n - 2)
  alt <- cost(s[tau + 1], tau) + cost(s[n + 1] - s[tau + 1], n - tau)
  stat <- cost(s[n + 1], n) - min(alt)
  cat(sprintf("{\"%s\", %d, %.17g, %.17g},\n", f, tau[which.min(alt)], stat, p_by_root(stat, n)))
}
