#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# glm_reference.R
#
# Generates tests/linalg/glm_reference.hpp: reference values from R's
# stats::glm (IRLS, Poisson / quasi-Poisson, log link) and MASS::glm.nb
# (negative binomial, log link, theta by ML), plus sandwich / lmtest
# quantities computed on those fits, for pilotstats' GLM implementation.
#
# Run from the repository root:
#     Rscript tests/reference/glm_reference.R
#
# Inputs:
#     tests/data/sicily.csv            (59 months, 2002-01 .. 2006-11;
#                                       Bernal, Cummins & Gasparrini 2017)
#     examples/data/london_bcu.csv     (read directly; only the 72 rows of
#                                       borough "Barking & Dagenham" are used)
#
# Cases (design matrices exactly as model.matrix builds them, R's column order;
# every model has the offset log(stdpop) or log(calls)):
#   sicily_poisson           glm(aces ~ offset(log(stdpop)) + smokban + time, poisson)
#   sicily_quasipoisson      the same with family = quasipoisson
#   sicily_poisson_harmonic  + sin1 + cos1 + sin2 + cos2, poisson, where
#                            sin1 = sin(2*pi*month/12), cos1 = cos(2*pi*month/12),
#                            sin2 = sin(4*pi*month/12), cos2 = cos(4*pi*month/12)
#                            (same column space as the tutorial's
#                            tsModel::harmonic(month, 2, 12), whose columns are
#                            ordered sin1, sin2, cos1, cos2 -- see the memo)
#   sicily_poisson_slope     the harmonic model + I((time - 36) * smokban)
#   sicily_negbin            MASS::glm.nb(aces ~ offset(log(stdpop)) + smokban + time
#                                         + sin1 + cos1 + sin2 + cos2)
#   london_negbin            MASS::glm.nb(complaints ~ offset(log(calls)) + t + after + since)
#                            Barking & Dagenham, month order, t = 0..71,
#                            after = month >= "2016-12" (logical -> column "afterTRUE"),
#                            since = pmax(0, t - t[month == "2016-12"])
#   london_poisson           the same formula with glm(family = poisson)
#
# Every number is written with 17 significant digits (sprintf("%.17g")).
# Matrices are ROW-MAJOR: design is n x p, covariances p x p.
# The script also re-implements glm.fit's IRLS and glm.nb's outer loop in
# plain R (section "independent re-implementation") and prints how closely
# that reproduces glm / glm.nb; the header does not depend on it.
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(MASS)
  library(sandwich)
  library(lmtest)
})

out_file <- "tests/linalg/glm_reference.hpp"
if (!file.exists("tests/data/sicily.csv") || !file.exists("examples/data/london_bcu.csv"))
  stop("run from the repository root: Rscript tests/reference/glm_reference.R")

# ---- data -------------------------------------------------------------------
sicily <- read.csv("tests/data/sicily.csv")
sicily$sin1 <- sin(2 * pi * sicily$month / 12)
sicily$cos1 <- cos(2 * pi * sicily$month / 12)
sicily$sin2 <- sin(4 * pi * sicily$month / 12)
sicily$cos2 <- cos(4 * pi * sicily$month / 12)

london_all <- read.csv("examples/data/london_bcu.csv", stringsAsFactors = FALSE)
bd <- london_all[london_all$borough == "Barking & Dagenham", ]
bd <- bd[order(bd$month), ]
stopifnot(nrow(bd) == 72, !anyDuplicated(bd$month))
rownames(bd) <- NULL
bd$t <- 0:71
bd$after <- bd$month >= "2016-12"
bd$since <- pmax(0, bd$t - bd$t[bd$month == "2016-12"])

# ---- fits -------------------------------------------------------------------
# glm.nb's number of outer (theta <-> beta) alternations is a local variable
# that glm.nb does not return.  With control$trace = 1 glm.nb emits exactly one
# message "Theta(k) = ..." per outer iteration and nothing else (trace > 1 is
# needed for the inner fits, > 2 for theta.ml), and tracing does not change
# any computation, so the count of those messages is the outer iteration count.
fit_nb_counted <- function(formula, data) {
  n_outer <- 0L
  fit <- withCallingHandlers(
    glm.nb(formula, data = data, control = glm.control(trace = 1)),
    message = function(m) {
      if (grepl("^Theta\\(", conditionMessage(m))) n_outer <<- n_outer + 1L
      invokeRestart("muffleMessage")
    })
  ref <- glm.nb(formula, data = data)     # untraced fit, must be identical
  stopifnot(identical(coef(fit), coef(ref)), identical(fit$theta, ref$theta))
  ref$n_outer <- n_outer
  ref
}

f_base   <- aces ~ offset(log(stdpop)) + smokban + time
f_harm   <- aces ~ offset(log(stdpop)) + smokban + time + sin1 + cos1 + sin2 + cos2
f_slope  <- aces ~ offset(log(stdpop)) + smokban + time + sin1 + cos1 + sin2 + cos2 +
  I((time - 36) * smokban)
f_london <- complaints ~ offset(log(calls)) + t + after + since

cases <- list(
  sicily_poisson = list(
    fit = glm(f_base, family = poisson, data = sicily),
    call = "glm(aces ~ offset(log(stdpop)) + smokban + time, family = poisson, data = sicily)"),
  sicily_quasipoisson = list(
    fit = glm(f_base, family = quasipoisson, data = sicily),
    call = "glm(aces ~ offset(log(stdpop)) + smokban + time, family = quasipoisson, data = sicily)"),
  sicily_poisson_harmonic = list(
    fit = glm(f_harm, family = poisson, data = sicily),
    call = "glm(aces ~ offset(log(stdpop)) + smokban + time + sin1 + cos1 + sin2 + cos2, family = poisson, data = sicily)"),
  sicily_poisson_slope = list(
    fit = glm(f_slope, family = poisson, data = sicily),
    call = "glm(aces ~ offset(log(stdpop)) + smokban + time + sin1 + cos1 + sin2 + cos2 + I((time - 36) * smokban), family = poisson, data = sicily)"),
  sicily_negbin = list(
    fit = fit_nb_counted(f_harm, sicily),
    call = "MASS::glm.nb(aces ~ offset(log(stdpop)) + smokban + time + sin1 + cos1 + sin2 + cos2, data = sicily)"),
  london_negbin = list(
    fit = fit_nb_counted(f_london, bd),
    call = "MASS::glm.nb(complaints ~ offset(log(calls)) + t + after + since, data = Barking & Dagenham rows)"),
  london_poisson = list(
    fit = glm(f_london, family = poisson, data = bd),
    call = "glm(complaints ~ offset(log(calls)) + t + after + since, family = poisson, data = Barking & Dagenham rows)")
)

# ---- C++ emitters -----------------------------------------------------------
source("tests/reference/cpp_emitters.R")  # fmt, comment, wrap, cpp_* emitters
# theta actually used by the LAST inner glm.fit of glm.nb (= the theta of
# fit$family); glm.nb's reported fit$theta is one theta.ml step later.
family_theta <- function(fit) get(".Theta", envir = environment(fit$family$variance))

emit_case <- function(name, spec) {
  fit <- spec$fit
  X <- model.matrix(fit)
  n <- nrow(X); p <- ncol(X)
  is_nb <- inherits(fit, "negbin")
  fam <- if (is_nb) "negative binomial (MASS::glm.nb), log link" else
    paste0(fit$family$family, ", ", fit$family$link, " link")
  off <- if (is.null(fit$offset)) rep(0, n) else as.vector(fit$offset)
  V <- vcov(fit)
  s <- summary(fit)
  rp <- residuals(fit, "pearson")
  ct <- coeftest(fit)
  out <- c(sprintf("namespace %s {", name),
           cpp_str("call", spec$call),
           cpp_str("family", fam),
           cpp_size("n", n), cpp_size("p", p),
           cpp_svec("term_names", colnames(X), "coefficient names exactly as R prints them (model.matrix column order)"),
           cpp_mat("design", X, "model.matrix(fit)"),
           cpp_dvec("y", fit$y, "response"),
           cpp_dvec("offset", off, "offset (log of exposure), already logged"),
           cpp_dvec("coefficients", coef(fit), "coef(fit)"),
           cpp_mat("vcov", V, if (is_nb) "vcov(fit) = summary.negbin(dispersion = 1)$cov.unscaled: theta treated as fixed"
                              else "vcov(fit) = summary(fit)$dispersion * cov.unscaled"),
           cpp_dvec("std_errors", sqrt(diag(V)), "sqrt(diag(vcov(fit)))"),
           cpp_scalar("deviance", deviance(fit), "fit$deviance"),
           cpp_scalar("null_deviance", fit$null.deviance,
                      if (is_nb) "fit$null.deviance (glm.nb refits the intercept-only model with the FINAL theta, fit$theta)"
                      else "fit$null.deviance (offset present: glm() refits the intercept-only model, mustart = fitted(fit))"),
           cpp_int("df_residual", fit$df.residual, "fit$df.residual"),
           cpp_int("df_null", fit$df.null, "fit$df.null"),
           cpp_scalar("aic", fit$aic, if (is_nb) "fit$aic = -twologlik + 2 * rank + 2"
                                      else if (is.na(fit$aic)) "fit$aic: NA for quasi families"
                                      else "fit$aic = -2 * sum(dpois(y, mu, log = TRUE)) + 2 * rank"),
           cpp_int("iter", fit$iter, if (is_nb) "fit$iter: IRLS iterations of glm.nb's LAST inner glm.fit call"
                                     else "fit$iter: IRLS iterations"),
           cpp_bool("converged", fit$converged, "fit$converged"),
           cpp_dvec("fitted_values", fitted(fit), "fit$fitted.values (mu)"),
           cpp_dvec("linear_predictors", fit$linear.predictors, "fit$linear.predictors (eta, includes the offset)"),
           cpp_dvec("residuals_pearson", rp, "residuals(fit, \"pearson\") = (y - mu) / sqrt(V(mu)) at the final mu"),
           cpp_dvec("residuals_deviance", residuals(fit, "deviance"), "residuals(fit, \"deviance\")"),
           cpp_dvec("residuals_working", residuals(fit, "working"), "residuals(fit, \"working\") = (y - mu) / mu at the final mu"),
           cpp_dvec("weights_working", weights(fit, "working"),
                    "weights(fit, \"working\"): from the LAST IRLS iteration, i.e. evaluated at the",
                    "PREVIOUS iterate's mu (not at fitted_values) -- see the memo"),
           cpp_dvec("hat_values", hatvalues(fit), "hatvalues(fit) (diag of the weighted hat matrix, used by HC3)"),
           cpp_scalar("dispersion", s$dispersion,
                      "summary(fit)$dispersion (quasi: sum(weights_working * residuals_working^2) / df_residual)"),
           cpp_scalar("pearson_dispersion", sum(rp^2) / fit$df.residual,
                      "sum(residuals(fit, \"pearson\")^2) / df.residual"))
  if (is_nb) {
    out <- c(out,
             cpp_scalar("theta", fit$theta, "fit$theta (last theta.ml result)"),
             cpp_scalar("se_theta", fit$SE.theta, "fit$SE.theta"),
             cpp_scalar("twologlik", fit$twologlik, "fit$twologlik = 2 * loglik(theta, mu)"),
             cpp_scalar("theta_inner", family_theta(fit),
                        "theta of fit$family: the theta the last inner glm.fit used (weights, vcov, deviance)"),
             cpp_int("outer_iterations", fit$n_outer,
                     "glm.nb's outer alternation count (not returned by glm.nb; counted from trace messages)"),
             cpp_str("th_warn", if (is.null(fit$th.warn)) "" else fit$th.warn, "fit$th.warn (empty = NULL)"))
  }
  hc0 <- vcovHC(fit, type = "HC0")
  hc3 <- vcovHC(fit, type = "HC3")
  nw <- NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = FALSE)
  nwa <- NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = TRUE)
  out <- c(out,
           cpp_mat("vcov_hc0", hc0, "sandwich::vcovHC(fit, type = \"HC0\")"),
           cpp_mat("vcov_hc3", hc3, "sandwich::vcovHC(fit, type = \"HC3\")"),
           cpp_mat("vcov_nw3", nw, "sandwich::NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = FALSE)"),
           cpp_mat("vcov_nw3_adjusted", nwa, "sandwich::NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = TRUE)"),
           cpp_dvec("coeftest_z", ct[, 3], "lmtest::coeftest(fit)[, 3]: estimate / std_errors"),
           cpp_dvec("coeftest_p", ct[, 4],
                    "lmtest::coeftest(fit)[, 4]: coeftest.glm uses df = Inf, so these are NORMAL",
                    "p-values 2 * pnorm(-|z|) for EVERY glm, quasi-Poisson included"))
  if (!is.null(s$coefficients) && colnames(s$coefficients)[4] == "Pr(>|t|)") {
    out <- c(out,
             cpp_dvec("summary_p_t", s$coefficients[, 4],
                      "summary(fit)$coefficients[, 4]: 2 * pt(-|t|, df_residual) (estimated dispersion)"),
             cpp_dvec("coeftest_df_p_t", coeftest(fit, df = fit$df.residual)[, 4],
                      "lmtest::coeftest(fit, df = df.residual(fit))[, 4]: same t p-values"))
  }
  c(out, sprintf("}  // namespace %s", name), "")
}

# ---- header -----------------------------------------------------------------
pkg_ver <- function(p) as.character(packageVersion(p))
header <- c(
  "// GENERATED FILE - DO NOT EDIT.",
  "// Generated by tests/reference/glm_reference.R (run from the repository root:",
  "//     Rscript tests/reference/glm_reference.R)",
  sprintf("// %s; MASS %s; sandwich %s; lmtest %s.", R.version.string,
          pkg_ver("MASS"), pkg_ver("sandwich"), pkg_ver("lmtest")),
  "// Data: tests/data/sicily.csv; examples/data/london_bcu.csv (Barking & Dagenham rows).",
  "//",
  "// Conventions: numbers have 17 significant digits; design is n x p ROW-MAJOR,",
  "// covariance matrices p x p ROW-MAJOR, coefficient order = term_names.",
  "// glm.control defaults throughout: epsilon = 1e-8, maxit = 25.",
  "// NaN stands for R's NA (quasi-Poisson aic).",
  "#pragma once",
  "",
  "#include <cstddef>",
  "#include <limits>",
  "#include <string>",
  "#include <vector>",
  "",
  "namespace pilotstats_reference {",
  "")
body <- unlist(Map(emit_case, names(cases), cases))
footer <- c("}  // namespace pilotstats_reference")
writeLines(c(header, body, footer), out_file)
cat("wrote", out_file, "\n")

# =============================================================================
# Console checks (not written to the header)
# =============================================================================
relmax <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-300))

cat("\n---- per-case summary ----\n")
for (nm in names(cases)) {
  fit <- cases[[nm]]$fit
  mu <- fitted(fit)
  Vmu <- fit$family$variance(mu)
  w_final <- mu^2 / Vmu                          # working weights at the FINAL mu
  cat(sprintf("%-24s iter %2d  dev %.10g  conv %s\n", nm, fit$iter, deviance(fit), fit$converged))
  cat(sprintf("   working weights vs mu^2/V(mu) at final mu: max rel diff %.3e\n",
              relmax(weights(fit, "working"), w_final)))
  cat(sprintf("   summary dispersion %.17g  pearson dispersion %.17g\n",
              summary(fit)$dispersion, sum(residuals(fit, "pearson")^2) / fit$df.residual))
  if (inherits(fit, "negbin"))
    cat(sprintf("   theta %.17g  theta_inner %.17g  SE %.17g  outer %d  th.warn %s\n",
                fit$theta, family_theta(fit), fit$SE.theta, fit$n_outer,
                if (is.null(fit$th.warn)) "NULL" else fit$th.warn))
}

# For the quasi-Poisson case the sandwich matrices equal the Poisson ones
# (sandwich's dispersion cancels between bread and estfun).
cat(sprintf("\nquasi vs poisson HC0 max rel diff %.3e, NW %.3e\n",
            relmax(vcovHC(cases$sicily_quasipoisson$fit, type = "HC0"),
                   vcovHC(cases$sicily_poisson$fit, type = "HC0")),
            relmax(NeweyWest(cases$sicily_quasipoisson$fit, lag = 3, prewhite = FALSE),
                   NeweyWest(cases$sicily_poisson$fit, lag = 3, prewhite = FALSE))))

# =============================================================================
# Independent re-implementation (plain R, no glm/glm.fit/glm.nb/sandwich):
# checks the algorithm memo.  Weighted least squares by normal equations
# (solve), which differs from R's Householder QR only by rounding.
# =============================================================================
irls <- function(X, y, off, variance, dev_resids, eta_start, coefold = NULL,
                 eps = 1e-8, maxit = 25L) {
  linkinv <- function(eta) pmax(exp(eta), .Machine$double.eps)
  eta <- eta_start
  mu <- linkinv(eta)
  devold <- sum(dev_resids(y, mu))
  for (iter in 1:maxit) {
    mu_eta <- linkinv(eta)                    # d mu / d eta for the log link
    z <- (eta - off) + (y - mu) / mu_eta      # working response (offset removed)
    w <- mu_eta^2 / variance(mu)              # working weights (squared)
    beta <- solve(crossprod(X, w * X), crossprod(X, w * z))
    eta <- drop(X %*% beta) + off
    mu <- linkinv(eta)
    dev <- sum(dev_resids(y, mu))
    if (abs(dev - devold) / (abs(dev) + 0.1) < eps) break
    devold <- dev
  }
  list(coef = drop(beta), eta = eta, mu = mu, dev = dev, iter = iter, w = w,
       wres = (y - mu) / mu, cov = solve(crossprod(X, w * X)))
}
pois_var <- function(mu) mu
pois_dev <- function(y, mu) {
  r <- mu; p <- y > 0; r[p] <- y[p] * log(y[p] / mu[p]) - (y[p] - mu[p]); 2 * r
}
nb_var <- function(th) function(mu) mu + mu^2 / th
nb_dev <- function(th) function(y, mu)
  2 * (y * log(pmax(1, y) / mu) - (y + th) * log((y + th) / (mu + th)))
nb_loglik <- function(th, mu, y)
  sum(lgamma(th + y) - lgamma(th) - lgamma(y + 1) + th * log(th) +
      y * log(mu + (y == 0)) - (th + y) * log(th + mu))
theta_ml <- function(y, mu, limit = 25L, eps = .Machine$double.eps^0.25) {
  n <- length(y)
  t0 <- n / sum((y / mu - 1)^2)
  it <- 0; del <- 1
  while ((it <- it + 1) < limit && abs(del) > eps) {
    t0 <- abs(t0)
    sc <- sum(digamma(t0 + y) - digamma(t0) + log(t0) + 1 - log(t0 + mu) - (y + t0) / (mu + t0))
    i <- sum(-trigamma(t0 + y) + trigamma(t0) - 1 / t0 + 2 / (mu + t0) - (y + t0) / (mu + t0)^2)
    del <- sc / i
    t0 <- t0 + del
  }
  list(theta = t0, se = sqrt(1 / i), it = it)
}
glm_nb_hand <- function(X, y, off, eps = 1e-8, maxit = 25L) {
  f <- irls(X, y, off, pois_var, pois_dev, log(y + 0.1))
  mu <- f$mu
  th <- theta_ml(y, mu)$theta
  d1 <- sqrt(2 * max(1, length(y) - ncol(X))); d2 <- del <- 1
  Lm <- nb_loglik(th, mu, y); Lm0 <- Lm + 2 * d1
  iter <- 0
  while ((iter <- iter + 1) <= maxit && (abs(Lm0 - Lm) / d1 + abs(del) / d2) > eps) {
    f <- irls(X, y, off, nb_var(th), nb_dev(th), log(mu))   # etastart = log(mu_prev)
    t0 <- th
    tm <- theta_ml(y, mu)                                   # NOTE: previous mu
    th <- tm$theta
    mu <- f$mu
    del <- t0 - th
    Lm0 <- Lm
    Lm <- nb_loglik(th, mu, y)
  }
  c(f, list(theta = th, theta_inner = t0, se_theta = tm$se, twologlik = 2 * Lm, outer = iter - 1))
}
hand_hc <- function(h, X, hat = FALSE) {
  u <- h$w * h$wres
  if (hat) {
    hv <- rowSums((X %*% h$cov) * X) * h$w
    u <- u / (1 - hv)
  }
  h$cov %*% crossprod(X * u) %*% h$cov
}
hand_nw <- function(h, X, lag, adjust) {
  U <- X * (h$w * h$wres); n <- nrow(U); k <- ncol(U)
  wts <- 1 - (0:lag) / (lag + 1)
  S <- 0.5 * wts[1] * crossprod(U)
  for (j in seq_len(lag)) S <- S + wts[j + 1] * crossprod(U[1:(n - j), , drop = FALSE], U[(1 + j):n, , drop = FALSE])
  S <- S + t(S)
  if (adjust) S <- S * n / (n - k)
  h$cov %*% S %*% h$cov
}

cat("\n---- independent re-implementation vs R (max relative differences) ----\n")
for (nm in names(cases)) {
  fit <- cases[[nm]]$fit
  X <- model.matrix(fit); y <- fit$y; off <- as.vector(fit$offset)
  h <- if (inherits(fit, "negbin")) glm_nb_hand(X, y, off)
       else irls(X, y, off, pois_var, pois_dev, log(y + 0.1))
  line <- sprintf("%-24s coef %.1e  mu %.1e  dev %.1e  ww %.1e  cov.unscaled %.1e  HC0 %.1e  HC3 %.1e  NW3adj %.1e  iter %d/%d",
                  nm, relmax(h$coef, coef(fit)), relmax(h$mu, fitted(fit)),
                  relmax(h$dev, deviance(fit)), relmax(h$w, weights(fit, "working")),
                  relmax(h$cov, summary(fit)$cov.unscaled),
                  relmax(hand_hc(h, X), vcovHC(fit, type = "HC0")),
                  relmax(hand_hc(h, X, TRUE), vcovHC(fit, type = "HC3")),
                  relmax(hand_nw(h, X, 3, TRUE), NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = TRUE)),
                  h$iter, fit$iter)
  if (inherits(fit, "negbin"))
    line <- paste0(line, sprintf("\n   theta %.1e  theta_inner %.1e  SE.theta %.1e  twologlik %.1e  outer %d/%d",
                                 relmax(h$theta, fit$theta), relmax(h$theta_inner, family_theta(fit)),
                                 relmax(h$se_theta, fit$SE.theta), relmax(h$twologlik, fit$twologlik),
                                 h$outer, fit$n_outer))
  cat(line, "\n")
}
