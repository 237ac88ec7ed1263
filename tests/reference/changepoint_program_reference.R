# Reference numbers for the end-to-end tests of pilotstats-changepoint (examples/CMakeLists.txt):
# the London East Area series (Barking & Dagenham, Havering, Redbridge) from
# examples/data/london_bcu.csv, computed here without pilotstats:
#   - penalized segmentations by brute-force optimal partitioning (O(n^2) dynamic programme)
#     with R changepoint 2.3's costs and MBIC (changepoint is not packaged for Debian; the
#     library's own tests check against it), minimum segment length 2;
#   - Bai-Perron breakpoints, break-date intervals, sup-F and OLS-CUSUM by strucchange 1.5-3.
# Run: Rscript tests/reference/changepoint_program_reference.R (from the repository root).
suppressMessages(library(strucchange))
d <- read.csv("examples/data/london_bcu.csv", check.names = FALSE)
east <- d[d$borough %in% c("Barking & Dagenham", "Havering", "Redbridge"), ]
months <- sort(unique(east$month))
response <- tapply(east$response_minutes, east$month, mean)[months]   # --combine mean
complaints <- tapply(east$complaints, east$month, sum)[months]        # --combine sum
n <- length(months)

# Optimal partitioning: F(t) = min_s F(s) + cost(s, t) + pen, segments of at least m.
op <- function(cost, n, pen, m) {
  f <- c(-pen, rep(Inf, n)); last <- integer(n + 1)
  for (t in (2 * m):n) {
    for (s in c(0, m:(t - m))) {
      if (s > 0 && !is.finite(f[s + 1])) next
      v <- f[s + 1] + cost(s, t) + pen
      if (v < f[t + 1]) { f[t + 1] <- v; last[t + 1] <- s }
    }
  }
  cps <- integer(0); t <- n
  while (last[t + 1] > 0) { cps <- c(last[t + 1], cps); t <- last[t + 1] }
  cps
}
meanvar_mbic <- function(y) function(a, b) {     # segment y[(a+1):b]
  x <- y[(a + 1):b]; k <- length(x); s2 <- max(sum((x - mean(x))^2) / k, 1e-11)
  k * (log(2 * pi) + log(s2) + 1) + log(k)
}
poisson_mbic <- function(y) function(a, b) {
  x <- sum(y[(a + 1):b]); k <- b - a
  (if (x == 0) 0 else 2 * x * (log(k) - log(x))) + log(k)
}
show_segments <- function(label, y, cps) {
  bounds <- c(0, cps, length(y))
  cat(label, ": changes at", months[cps + 1], "\n")
  for (i in seq_len(length(bounds) - 1)) {
    x <- y[(bounds[i] + 1):bounds[i + 1]]
    cat(sprintf("  %s..%s n=%d mean=%.6g sd(ML)=%.6g\n", months[bounds[i] + 1], months[bounds[i + 1]],
                length(x), mean(x), sqrt(mean((x - mean(x))^2))))
  }
  means <- sapply(seq_len(length(bounds) - 1), function(i) mean(y[(bounds[i] + 1):bounds[i + 1]]))
  cat("  ratios of successive means:", sprintf("%.4f", means[-1] / means[-length(means)]), "\n")
}
# PELT meanvar MBIC: penalty (2 + 2) log n = 17.10666
show_segments("meanvar MBIC, response", response, op(meanvar_mbic(response), n, 4 * log(n), 2))
# PELT Poisson MBIC: penalty (1 + 2) log n = 12.82999
show_segments("Poisson MBIC, complaints", complaints, op(poisson_mbic(complaints), n, 3 * log(n), 2))

# Bai-Perron, level only, h = 0.15 (floor(0.15 * 72) = 10)
bp <- breakpoints(response ~ 1, h = 0.15)
cat("breakpoints: BIC", sprintf("%.2f", summary(bp)$RSS["BIC", ]), "\n")
cat("chosen breaks", bp$breakpoints, "-> first months", months[bp$breakpoints + 1], "\n")
ci <- tryCatch(confint(bp)$confint, warning = function(w) { cat("confint warning:", conditionMessage(w), "\n");
                                                              suppressWarnings(confint(bp)$confint) })
print(ci)
cat("interval first months:\n"); print(apply(ci, 2, function(b) months[b + 1]))
fs <- Fstats(response ~ 1, from = 0.15)
st <- sctest(fs, type = "supF")
cat(sprintf("supF %.4f p %.6g at %s\n", st$statistic, st$p.value, months[fs$breakpoint + 1]))
cu <- efp(response ~ 1, type = "OLS-CUSUM")
cs <- sctest(cu)
k <- which.max(abs(cu$process[-c(1, n + 1)]))    # process has n + 1 points, 0 at both ends
cat(sprintf("OLS-CUSUM %.4f p %.6g change at %s\n", cs$statistic, cs$p.value, months[k + 1]))
# The noise sd the mean and trend costs divide by: MAD of the first differences / sqrt 2
cat(sprintf("noise sd %.6g\n", mad(diff(response)) / sqrt(2)))
# CROPS (--crops 5,60) uses the plain cost (no MBIC log terms): the optimum at penalties 17 and 30
meanvar <- function(y) function(a, b) {
  x <- y[(a + 1):b]; k <- length(x); k * (log(2 * pi) + log(max(sum((x - mean(x))^2) / k, 1e-11)) + 1)
}
for (pen in c(17, 30)) {
  cps <- op(meanvar(response), n, pen, 2)
  bounds <- c(0, cps, n)
  total <- sum(sapply(seq_len(length(bounds) - 1), function(i) meanvar(response)(bounds[i], bounds[i + 1])))
  cat(sprintf("plain meanvar, penalty %g: changes at %s, cost %.6g\n", pen, paste(months[cps + 1], collapse = " "), total))
}

# The zero-rate fixture (tests/data/core/zero_rate.csv, one unit): Poisson, MBIC (1 + 2) log 24,
# minimum segment 2. The first segment has no counts, so it has no rate ratio.
z <- read.csv("tests/data/core/zero_rate.csv")
months <- z$month
cat(sprintf("zero_rate: penalty %.4f\n", 3 * log(nrow(z))))
show_segments("Poisson MBIC, zero_rate", z$complaints, op(poisson_mbic(z$complaints), nrow(z), 3 * log(nrow(z)), 2))
