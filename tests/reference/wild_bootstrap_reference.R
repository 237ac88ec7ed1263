#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# wild_bootstrap_reference.R
#
# Generates tests/did/wild_bootstrap_reference.hpp: brute-force reference values for
# pilotstats/did/wild_bootstrap.hpp (wild cluster bootstrap) and
# pilotstats/did/randomization.hpp (randomization inference). Shares no code with the C++:
# every bootstrap sample and every reassignment is refitted from scratch with
#     lm(y* ~ D + z + factor(unit) + factor(time))
# and its CR1 t statistic computed with sandwich::vcovCL, the slow obvious way.
#
# Run from the repository root (about 5 minutes):
#     Rscript tests/reference/wild_bootstrap_reference.R
#
# Conventions (those the C++ documents):
#   CR1 = fixest's: vcovCL(fit, cluster, type = "HC0", cadjust = TRUE) * (n-1)/(n-K), with K the
#     slopes plus the unit and time dummies fixest counts (units + times - 1), less (levels - 1)
#     for each dimension nested in the clusters (did_reference.R explains). The factor is common
#     to t and t*, so it cancels in the p-values; it is kept so that t* can be compared.
#   WCR: y* = r D + fitted(restricted) + u0 * v[cluster], t* = (b*_D - r) / se*.
#   WCU: y* = fitted + u * v[cluster], t* = (b*_D - b_D) / se*.
#   Enumeration: all 2^G Rademacher vectors. A constant weight vector gives t* = +-t exactly
#     (WCR); such draws are set to +-t (and the brute-force value is checked against it), so that
#     rounding cannot decide the two ties. No other |t*| comes near |t| (the smallest relative
#     gap is printed), so the counts below do not depend on any tolerance.
#   p-values: symmetric mean(|t*| >= |t|) (ties counted) and mean(|t*| > |t|) (ties excluded),
#     upper mean(t* >= t), lower mean(t* <= t), equal-tailed min(1, 2 min(upper, lower)).
#   CI: the r where the symmetric p-value (ties counted) crosses 1 - level = 0.05 (the test
#     rejects when p <= 0.05): from the estimate, steps of se, 2 se, 4 se, ... outward until the
#     test rejects, then bisection to 1e-9 se, each p(r) by brute force over all 2^G draws (all
#     refits at once by qr.coef on the full dummy design; checked against the lm/vcovCL t* at r).
#   Randomization inference: every distinct permutation of the clusters' first-treated years
#     across the clusters, each refitted by lm; p = mean(|stat*| >= |stat|) over all of them.
# -----------------------------------------------------------------------------

suppressPackageStartupMessages(library(sandwich))
source("tests/reference/cpp_emitters.R")
out_file <- "tests/did/wild_bootstrap_reference.hpp"

prop99 <- read.csv("tests/data/california_prop99.csv", sep = ";")
s10 <- c("Alabama", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Georgia",
         "Idaho", "Illinois", "Indiana")
s12 <- c(s10, "Iowa", "Kansas")
s16 <- sort(unique(prop99$State))[1:16]

# A subset of the panel, in file order, with the covariate z = cos(0.7 (Year - 1970) + 1.3 idx),
# idx = 1-based alphabetical rank of the state within the subset.
panel <- function(states) {
  p <- prop99[prop99$State %in% states, ]
  idx <- match(p$State, sort(states))
  p$z <- cos(0.7 * (p$Year - 1970) + 1.3 * idx)
  p$D <- p$treated
  rownames(p) <- NULL
  p
}
drop_seventh <- function(p) p[-seq(5, nrow(p), by = 7), ]   # 1-based rows 5, 12, 19, ... of the subset

fixest_k <- function(p, cl, slopes) {
  nested <- function(f) all(tapply(cl, f, function(x) length(unique(x))) == 1)
  nu <- length(unique(p$State)); nt <- length(unique(p$Year))
  slopes + nu + nt - 1 - (if (nested(p$State)) nu - 1 else 0) - (if (nested(p$Year)) nt - 1 else 0)
}

fit_t <- function(y, p, cl, K, with_z, null) {
  p$ystar <- y
  f <- if (with_z) lm(ystar ~ D + z + factor(State) + factor(Year), data = p)
       else lm(ystar ~ D + factor(State) + factor(Year), data = p)
  n <- nobs(f)
  v <- vcovCL(f, cluster = cl, type = "HC0", cadjust = TRUE) * (n - 1) / (n - K)
  c(beta = unname(coef(f)["D"]), t = unname((coef(f)["D"] - null) / sqrt(v["D", "D"])))
}

rademacher_all <- function(G) {
  b <- 0:(2^G - 1)
  sapply(0:(G - 1), function(g) ifelse(bitwAnd(b, 2^g) > 0, -1, 1))   # 2^G x G; row 1 all +1
}

# Restricted (WCR) or unrestricted (WCU) fit: fitted values and residuals.
base_fit <- function(p, with_z, null, restricted) {
  p$yr <- p$PacksPerCapita - if (restricted) null * p$D else 0
  f <- if (restricted) {
    if (with_z) lm(yr ~ z + factor(State) + factor(Year), data = p) else lm(yr ~ factor(State) + factor(Year), data = p)
  } else {
    if (with_z) lm(yr ~ D + z + factor(State) + factor(Year), data = p) else lm(yr ~ D + factor(State) + factor(Year), data = p)
  }
  list(fitted = fitted(f) + if (restricted) null * p$D else 0, resid = residuals(f))
}

# Every t* of the enumerated wild cluster bootstrap, by lm refits.
wild_enumerate <- function(p, cl, with_z, null, restricted) {
  clusters <- sort(unique(cl)); G <- length(clusters); gi <- match(cl, clusters)
  K <- fixest_k(p, cl, 1 + with_z)
  obs <- fit_t(p$PacksPerCapita, p, cl, K, with_z, null)
  base <- base_fit(p, with_z, null, restricted)
  V <- rademacher_all(G)
  center <- if (restricted) null else obs[["beta"]]
  ts <- apply(V, 1, function(v) fit_t(base$fitted + base$resid * v[gi], p, cl, K, with_z, center)[["t"]])
  constant <- apply(V, 1, function(v) all(v == v[1]))
  if (restricted) {
    tie <- V[constant, 1] * obs[["t"]]
    cat(sprintf("  constant-weight draws: brute force vs +-t differ by %.2e\n", max(abs(ts[constant] - tie))))
    stopifnot(max(abs(ts[constant] - tie)) < 1e-9 * abs(obs[["t"]]))
    ts[constant] <- tie
  } else {
    stopifnot(max(abs(ts[constant])) < 1e-9)
    ts[constant] <- 0
  }
  gap <- min(abs(abs(ts[!constant]) - abs(obs[["t"]]))) / abs(obs[["t"]])
  cat(sprintf("  smallest relative gap | |t*| - |t| | / |t| over the other draws: %.3g\n", gap))
  stopifnot(gap > 1e-6)
  list(t = obs[["t"]], beta = obs[["beta"]], ts = ts, G = G, K = K, n = nrow(p))
}

# The symmetric p-value at r by brute force over all 2^G draws, refitting every y* at once on the
# full dummy design (qr.coef), CR1 of D by hand.
p_at_fast <- function(p, cl, with_z, r, restricted, X, qrX, bread_d) {
  clusters <- sort(unique(cl)); G <- length(clusters); gi <- match(cl, clusters)
  K <- fixest_k(p, cl, 1 + with_z); n <- nrow(p)
  scale <- G / (G - 1) * (n - 1) / (n - K)
  t_of <- function(Y, center) {
    B <- qr.coef(qrX, Y)
    U <- Y - X %*% B
    s <- rowsum(as.vector(X %*% bread_d) * U, gi)          # G x draws: cluster scores of b_D
    (B["D", ] - center) / sqrt(scale * colSums(s^2))
  }
  t0 <- t_of(matrix(p$PacksPerCapita), r)
  base <- base_fit(p, with_z, r, restricted)
  V <- rademacher_all(G)
  Y <- base$fitted + base$resid * t(V[, gi])
  center <- if (restricted) r else qr.coef(qrX, p$PacksPerCapita)["D"]
  ts <- t_of(Y, center)
  constant <- apply(V, 1, function(v) all(v == v[1]))
  ts[constant] <- if (restricted) V[constant, 1] * t0 else 0
  list(p = mean(abs(ts) >= abs(t0)), ts = ts, t = t0)
}

ci_brute <- function(p, cl, with_z, restricted, est, se, alpha = 0.05) {
  X <- if (with_z) model.matrix(~ D + z + factor(State) + factor(Year), data = p)
       else model.matrix(~ D + factor(State) + factor(Year), data = p)
  qrX <- qr(X)
  bread_d <- solve(crossprod(X))[, "D"]                 # row D of (X'X)^-1
  rejects <- function(r) p_at_fast(p, cl, with_z, r, restricted, X, qrX, bread_d)$p <= alpha
  bound <- function(direction) {
    inside <- est; step <- se; outside <- NA
    for (i in 0:60) {
      r <- est + direction * step
      if (rejects(r)) { outside <- r; break }
      inside <- r; step <- 2 * step
    }
    while (abs(outside - inside) > 1e-9 * se) {
      mid <- (inside + outside) / 2
      if (rejects(mid)) outside <- mid else inside <- mid
    }
    (inside + outside) / 2
  }
  list(check = function(r) p_at_fast(p, cl, with_z, r, restricted, X, qrX, bread_d),
       low = bound(-1), high = bound(1))
}

order_positions <- function(B) unique(round(seq(1, B, length.out = 21)))

wild_case <- function(name, p, cl, with_z, null, restricted, call, ci = FALSE) {
  cat(name, "\n")
  w <- wild_enumerate(p, cl, with_z, null, restricted)
  ts <- w$ts; t0 <- w$t; B <- length(ts)
  upper <- mean(ts >= t0); lower <- mean(ts <= t0)
  pos <- order_positions(B)
  sorted <- sort(ts)
  out <- c(sprintf("namespace %s {", name),
           comment(paste("R:", call),
                   sprintf("%s, H0: beta_D = %s, all 2^%d Rademacher draws, each refitted by lm + vcovCL (CR1, K = %d)",
                           if (restricted) "WCR" else "WCU", format(null), w$G, w$K)),
           cpp_size("n", w$n), cpp_size("clusters", w$G), cpp_size("draws", B),
           cpp_scalar("null_value", null),
           cpp_scalar("estimate", w$beta, "coef(lm)[\"D\"]"),
           cpp_scalar("t", t0, "(coef - null) / sqrt(CR1)"),
           cpp_size("count_ge", sum(abs(ts) >= abs(t0)), "sum(abs(t*) >= abs(t))"),
           cpp_size("count_gt", sum(abs(ts) > abs(t0)), "sum(abs(t*) > abs(t))"),
           cpp_scalar("p_symmetric", mean(abs(ts) >= abs(t0)), "mean(abs(t*) >= abs(t))"),
           cpp_scalar("p_symmetric_strict", mean(abs(ts) > abs(t0)), "mean(abs(t*) > abs(t))"),
           cpp_scalar("p_upper", upper, "mean(t* >= t)"),
           cpp_scalar("p_lower", lower, "mean(t* <= t)"),
           cpp_scalar("p_equal_tailed", min(1, 2 * min(upper, lower)), "min(1, 2 min(upper, lower))"),
           cpp_dvec("sorted_positions", pos - 1, "0-based positions in sort(t*)"),
           cpp_dvec("sorted_t_star", sorted[pos], "sort(t*)[positions + 1]"),
           cpp_scalar("sum_t_star", sum(ts), "sum(t*)"),
           cpp_scalar("sum_t_star_sq", sum(ts^2), "sum(t*^2)"))
  if (ci) {
    se <- abs((w$beta - null) / t0)
    c0 <- ci_brute(p, cl, with_z, restricted, w$beta, se)
    chk <- c0$check(null)
    cat(sprintf("  qr.coef brute force vs lm/vcovCL t*: max diff %.2e; p %.6f vs %.6f\n",
                max(abs(sort(chk$ts) - sorted)), chk$p, mean(abs(ts) >= abs(t0))))
    stopifnot(max(abs(sort(chk$ts) - sorted)) < 1e-8, chk$p == mean(abs(ts) >= abs(t0)))
    cat(sprintf("  CI [%.10g, %.10g]\n", c0$low, c0$high))
    out <- c(out,
             cpp_scalar("conf_low", c0$low, "symmetric p-value crosses 0.05 (bisection to 1e-9 se, brute force)"),
             cpp_scalar("conf_high", c0$high))
  }
  c(out, sprintf("}  // namespace %s", name), "")
}

# --- randomization inference ---------------------------------------------------------------

mperms <- function(x) {   # every distinct permutation of the multiset x (rows)
  if (length(x) <= 1) return(matrix(x, ncol = length(x)))
  do.call(rbind, lapply(sort(unique(x)), function(v) cbind(v, mperms(x[-match(v, x)]))))
}

ri_case <- function(name, p, cl, start, with_z, call) {
  cat(name, "\n")
  clusters <- sort(unique(cl)); gi <- match(cl, clusters)
  K <- fixest_k(p, cl, 1 + with_z)
  actual <- start[as.character(clusters)]          # first treated year per cluster, Inf = never
  p$D <- as.numeric(p$Year >= actual[gi])
  stat_of <- function(code) {
    q <- p; q$D <- as.numeric(q$Year >= code[gi])
    fit_t(q$PacksPerCapita, q, cl, K, with_z, 0)
  }
  obs <- stat_of(actual)
  perms <- mperms(actual)
  st <- t(apply(perms, 1, stat_of))
  stopifnot(!anyNA(st))
  N <- nrow(perms)
  cat(sprintf("  %d assignments; p(beta) = %.6f, p(t) = %.6f\n", N,
              mean(abs(st[, "beta"]) >= abs(obs[["beta"]])), mean(abs(st[, "t"]) >= abs(obs[["t"]]))))
  gap_b <- sort(abs(abs(st[, "beta"]) - abs(obs[["beta"]])) / abs(obs[["beta"]]))
  gap_t <- sort(abs(abs(st[, "t"]) - abs(obs[["t"]])) / abs(obs[["t"]]))
  # the actual assignment ties with itself (gap 0, computed by the same lm call); no other near tie
  cat(sprintf("  ties: %d exact (the actual assignment); next relative gaps %.3g (beta), %.3g (t)\n",
              sum(gap_b == 0), gap_b[2], gap_t[2]))
  stopifnot(gap_b[2] > 1e-6, gap_t[2] > 1e-6)
  c(sprintf("namespace %s {", name),
    comment(paste("R:", call),
            sprintf("every distinct permutation of the clusters' first-treated years (%d), each refitted by lm; CR1 t with K = %d", N, K)),
    cpp_size("n", nrow(p)), cpp_size("clusters", length(clusters)), cpp_size("assignments", N),
    cpp_scalar("estimate", obs[["beta"]], "coef(lm)[\"D\"], actual assignment"),
    cpp_scalar("t", obs[["t"]], "its CR1 t"),
    cpp_scalar("p_coefficient", mean(abs(st[, "beta"]) >= abs(obs[["beta"]])), "mean(abs(beta*) >= abs(beta))"),
    cpp_scalar("p_t", mean(abs(st[, "t"]) >= abs(obs[["t"]])), "mean(abs(t*) >= abs(t))"),
    cpp_dvec("sorted_coefficient", sort(st[, "beta"]), "sort(beta*) over all assignments"),
    cpp_dvec("sorted_t", sort(st[, "t"]), "sort(t*) over all assignments"),
    sprintf("}  // namespace %s", name), "")
}

# --- the cases -----------------------------------------------------------------------------

cases <- list()
p10 <- panel(s10)
cases$wcr10 <- wild_case("wcr10", p10, p10$State, FALSE, 0, TRUE,
  "p10 <- prop99[State %in% s10, ] (10 states, 1970-2000); cluster = State", ci = TRUE)
cases$wcu10 <- wild_case("wcu10", p10, p10$State, FALSE, 0, FALSE,
  "p10, cluster = State", ci = TRUE)
cases$wcr10_null <- wild_case("wcr10_null", p10, p10$State, FALSE, -20, TRUE, "p10, cluster = State")
cases$wcr10_z <- wild_case("wcr10_z", p10, p10$State, TRUE, 0, TRUE,
  "p10 with covariate z = cos(0.7 (Year - 1970) + 1.3 idx); cluster = State")

p16 <- panel(s16)
pair16 <- (match(p16$State, s16) + 1) %/% 2            # Alabama+Arkansas = 1, California+Colorado = 2, ...
cases$wcr16_pairs <- wild_case("wcr16_pairs", p16, pair16, FALSE, 0, TRUE,
  "p16 <- prop99[State %in% first 16 states alphabetically, ]; cluster = (alphabetical rank + 1) %/% 2 (pairs of states)",
  ci = TRUE)

pu <- drop_seventh(p10)
cases$wcr10_unbalanced_z <- wild_case("wcr10_unbalanced_z", pu, pu$State, TRUE, 0, TRUE,
  "pu <- p10[-seq(5, nrow(p10), by = 7), ] (unbalanced) with z; cluster = State", ci = TRUE)

# Randomization inference.
p12 <- panel(s12)
start12 <- setNames(rep(Inf, 12), s12); start12[c("California", "Colorado", "Georgia")] <- 1989
cases$ri12 <- ri_case("ri12", p12, p12$State, start12, FALSE,
  "p12 (10 states + Iowa, Kansas); California, Colorado, Georgia treated from 1989; cluster = State")

pu10 <- drop_seventh(p10)
start10 <- setNames(rep(Inf, 10), s10); start10[c("California", "Connecticut", "Illinois")] <- c(1989, 1993, 1995)
cases$ri_staggered <- ri_case("ri_staggered", pu10, pu10$State, start10, TRUE,
  "pu (unbalanced) with z; California from 1989, Connecticut from 1993, Illinois from 1995; cluster = State")

start_pairs <- setNames(rep(Inf, 8), 1:8); start_pairs[c("2", "6")] <- c(1989, 1992)
cases$ri_pairs <- ri_case("ri_pairs", p16, pair16, start_pairs, FALSE,
  "p16, cluster = pairs of states; pair 2 (California, Colorado) from 1989, pair 6 (Iowa, Kansas) from 1992")

pkg_ver <- function(p) as.character(packageVersion(p))
header <- c(
  "// GENERATED FILE - DO NOT EDIT.",
  "// Generated by tests/reference/wild_bootstrap_reference.R (run from the repository root).",
  sprintf("// %s; sandwich %s.", R.version.string, pkg_ver("sandwich")),
  "// Data: tests/data/california_prop99.csv. Brute force: every bootstrap sample / reassignment refitted by lm.",
  "#pragma once", "", "#include <cstddef>", "#include <limits>", "#include <string>", "#include <vector>", "",
  "namespace pilotstats_resampling_reference {", "")
writeLines(c(header, unlist(cases), "}  // namespace pilotstats_resampling_reference"), out_file)
cat("wrote", out_file, "\n")
