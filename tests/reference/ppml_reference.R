#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# ppml_reference.R
#
# Generates tests/did/ppml_reference.hpp: reference values for Poisson
# difference-in-differences with unit and time fixed effects
# (pilotstats/did/ppml.hpp), from stats::glm(family = poisson) on factor
# dummies and sandwich::vcovCL.
#
# Run from the repository root:
#     Rscript tests/reference/ppml_reference.R
#
# Why glm with dummies equals fixest::fepois (fixest is not installed here, nor
# in Debian):
#  * Estimates. fepois(y ~ D | unit + time) maximises the same Poisson
#    likelihood as glm(y ~ D + factor(unit) + factor(time), poisson): the fixed
#    effects are only concentrated out (absorbed) instead of estimated as
#    dummies. fixest first drops the units and times whose outcome is 0 in
#    every row (their effect is -Inf); the glm here is fitted on the same rows
#    (the all-zero case below drops them explicitly). glm is run to
#    epsilon = 1e-12 so that its coefficients are the maximum-likelihood point
#    to ~1e-10, not to glm's default stopping error.
#  * iid. fixest's bread for fepois is the inverse Hessian, (X~'WX~)^-1 with
#    W = mu (no dispersion), which by Frisch-Waugh-Lovell is the slopes' block
#    of vcov(glm). vcov.fixest (R/VCOV.R) then applies its ssc() to every
#    vcov type and model: (n-1)/(n-K) with adj = TRUE, where for "iid" nothing
#    is nested, so K = nparams = slopes + units + times - 1. Hence
#        fixest iid = vcov(glm) * (n-1)/(n-K).
#    (fixest's own docs: "vcov(res_pois, ssc = ssc(adj = FALSE)) / vcov(res_glm)"
#    is 1, i.e. glm's vcov is fixest's without the adjustment.)
#  * CR1. fixest's scores for Poisson are (working residual * irls weight) *
#    X~ = (y - mu) x~, and the slopes' block of the full dummy model's sandwich
#    equals the sandwich on X~ (the dummies' rows of the bread map the scores to
#    the demeaned x). With cluster.adj = TRUE the meat carries G/(G-1), which is
#    vcovCL(type = "HC0", cadjust = TRUE); then (n-1)/(n-K) with K = slopes +
#    the fixed-effect coefficients NOT nested in the clusters (fixef.K =
#    "nested": K = nparams - (levels - 1) per nested dimension). Hence
#        fixest CR1 = vcovCL(fit, cluster, type = "HC0", cadjust = TRUE) * (n-1)/(n-K).
#  * Reference distribution: fixest uses pnorm for poisson (summary.fixest:
#    t only for feols and for feglm families other than poisson and binomial),
#    also when clustered; so z statistics and normal intervals.
#  * Log-likelihood: sum w (y log mu - mu - lgamma(y + 1)), written out because
#    logLik(glm) uses dpois, which is -Inf for the non-integer outcomes of
#    mpdta (exp(lemp)) and Prop 99 (packs per capita); for integer outcomes it
#    equals logLik(glm) (checked below on the London panel).
# -----------------------------------------------------------------------------

suppressPackageStartupMessages(library(sandwich))
source("tests/reference/cpp_emitters.R")
out_file <- "tests/did/ppml_reference.hpp"
tight <- glm.control(epsilon = 1e-12, maxit = 100)
# glm's poisson()$aic calls dpois, which warns on the non-integer outcomes of mpdta and Prop 99;
# the fit itself is unaffected (the quasi-likelihood is the same), so those warnings are muffled.
glm_poisson <- function(formula, data, prior = rep(1, nrow(data))) {
  data$.prior <- prior
  suppressWarnings(glm(formula, family = poisson, data = data, weights = .prior, control = tight))
}

# One case: a glm with dummies (slopes first), the cluster variable, the
# number of slope terms reported, and fixest's nested K for the clustering.
ppml_case <- function(name, fit, cl, terms, call, notes = NULL, extra = NULL) {
  stopifnot(fit$converged)
  n <- nobs(fit)
  b <- coef(fit)
  stopifnot(!anyNA(b[terms]))
  fe_levels <- sum(grepl("^factor\\(", names(b)))      # (units - 1) + (times - 1) dummies
  k_full <- length(terms) + fe_levels + 1              # slopes + units + times - 1
  nested <- attr(cl, "k_nested")                       # fixest's K for this clustering
  v_glm <- vcov(fit)[terms, terms, drop = FALSE]
  v_cr0 <- vcovCL(fit, cluster = cl, type = "HC0", cadjust = TRUE)[terms, terms, drop = FALSE]
  w <- weights(fit, "prior")
  mu <- fitted(fit)
  y <- fit$y
  ll <- sum(w * (y * log(mu) - mu - lgamma(y + 1)))
  z <- qnorm(0.975)
  se_cr1 <- sqrt(diag(v_cr0 * (n - 1) / (n - nested)))
  c(sprintf("namespace %s {", name),
    comment(paste("R:", call), notes),
    cpp_size("n", n, "nobs(fit)"),
    cpp_size("n_clusters", length(unique(cl)), "number of clusters G"),
    cpp_int("k_full", k_full, "fixest's K for iid: slopes + units + times - 1"),
    cpp_int("k_nested", nested, "fixest's K for the clustering (fixef.K = \"nested\")"),
    cpp_svec("terms", terms, "the slope terms"),
    cpp_dvec("estimate", b[terms], "coef(fit)[terms]"),
    cpp_dvec("se_glm", sqrt(diag(v_glm)), "sqrt(diag(vcov(fit)))[terms]: model-based, no adjustment"),
    cpp_dvec("se_iid", sqrt(diag(v_glm * (n - 1) / (n - k_full))), "fixest iid: sqrt(diag(vcov(fit) * (n-1)/(n-k_full)))"),
    cpp_dvec("se_cr0", sqrt(diag(v_cr0)), "sqrt(diag(vcovCL(fit, cluster, type = \"HC0\", cadjust = TRUE)))"),
    cpp_dvec("se_cr1", se_cr1, "fixest CR1: sqrt(diag(vcovCL(..., type = \"HC0\", cadjust = TRUE) * (n-1)/(n-k_nested)))"),
    cpp_dvec("rate_ratio_cr1", exp(c(b[terms[1]], b[terms[1]] - z * se_cr1[1], b[terms[1]] + z * se_cr1[1])),
             "exp(c(b, b - qnorm(0.975) se_cr1, b + qnorm(0.975) se_cr1)) for the treatment"),
    cpp_scalar("deviance", deviance(fit), "deviance(fit)"),
    cpp_scalar("log_likelihood", ll, "sum(w * (y * log(mu) - mu - lgamma(y + 1)))"),
    extra,
    sprintf("}  // namespace %s", name), "")
}
with_k <- function(cl, k) { attr(cl, "k_nested") <- k; cl }

cases <- list()

# mpdta: 500 counties x 2003..2007; outcome employment exp(lemp); D = 1 from first.treat on.
mpdta <- read.csv("tests/data/mpdta.csv")
mpdta$emp <- exp(mpdta$lemp)
mpdta$D <- as.numeric(mpdta$first.treat > 0 & mpdta$year >= mpdta$first.treat)
f <- glm_poisson(emp ~ D + factor(countyreal) + factor(year), data = mpdta)
cases$mpdta <- ppml_case("mpdta", f, with_k(mpdta$countyreal, 1 + 5), "D",
  "glm(exp(lemp) ~ D + factor(countyreal) + factor(year), poisson, mpdta); cluster countyreal",
  "K nested: the county effects are nested in county clusters, K = 1 + 5 years")

# Prop 99: 39 states x 1970..2000, cigarette packs per capita, California treated from 1989.
prop99 <- read.csv("tests/data/california_prop99.csv", sep = ";")
f <- glm_poisson(PacksPerCapita ~ treated + factor(State) + factor(Year), data = prop99)
cases$prop99 <- ppml_case("prop99", f, with_k(prop99$State, 1 + 31), "treated",
  "glm(PacksPerCapita ~ treated + factor(State) + factor(Year), poisson, prop99); cluster State")

# Prop 99 unbalanced (every 7th row from the 5th dropped) with prior weights 1 + (file row %% 3):
# alternating projections with weights, as tests/did/did_data.hpp's drop_every_seventh.
drop <- seq(5, nrow(prop99), by = 7)
pu <- prop99[-drop, ]
pu$w <- 1 + ((seq_len(nrow(prop99))[-drop]) %% 3)
f <- glm_poisson(PacksPerCapita ~ treated + factor(State) + factor(Year), data = pu, prior = pu$w)
cases$prop99_unbalanced <- ppml_case("prop99_unbalanced", f, with_k(pu$State, 1 + 31), "treated",
  "glm(PacksPerCapita ~ treated + factor(State) + factor(Year), poisson, prop99[-seq(5, 1209, by = 7), ], weights = 1 + (file row %% 3))")

# Prop 99 with an all-zero unit and an all-zero time: Alabama's outcome and 1970's outcome set to 0.
# fixest drops both (their effects are -Inf): 31 + 39 - 1 = 69 rows. glm on the remaining rows.
pz <- prop99
pz$PacksPerCapita[pz$State == "Alabama" | pz$Year == 1970] <- 0
kept <- !(pz$State == "Alabama" | pz$Year == 1970)
pk <- pz[kept, ]
f <- glm_poisson(PacksPerCapita ~ treated + factor(State) + factor(Year), data = pk)
cases$prop99_zero <- c(
  comment("prop99_zero: prop99 with PacksPerCapita = 0 for State == \"Alabama\" and for Year == 1970;",
          "the fit drops those 69 rows (fixest's fixef.rm = \"perfect\") and equals glm on the rest"),
  ppml_case("prop99_zero", f, with_k(pk$State, 1 + length(unique(pk$Year))), "treated",
    "glm(PacksPerCapita ~ treated + factor(State) + factor(Year), poisson, prop99 without Alabama and 1970)",
    extra = cpp_size("dropped", sum(!kept), "rows of Alabama or 1970")))

# London (simulated, examples/data/london_bcu.csv): complaints with offset log(calls), boroughs
# clustered in their 12 BCUs. D = 1 for the pathfinder boroughs (BCUs live 2016-12 and 2017-01)
# from their BCU's go-live month; the panel stops at 2018-04, before the first rollout BCU goes
# live (2018-05), so the other boroughs are untreated controls throughout.
london <- read.csv("examples/data/london_bcu.csv", check.names = FALSE)
london <- london[london$month < "2018-05", ]
london$D <- as.numeric(london$bcu_start <= "2017-01" & london$month >= london$bcu_start)
stopifnot(sum(london$D) > 0, length(unique(london$borough[london$D == 1])) == 5)
f <- glm(complaints ~ D + factor(borough) + factor(month) + offset(log(calls)), family = poisson,
         data = london, control = tight)
stopifnot(isTRUE(all.equal(as.numeric(logLik(f)),
                           sum(dpois(london$complaints, fitted(f), log = TRUE)))))
stopifnot(abs(as.numeric(logLik(f)) - sum(london$complaints * log(fitted(f)) - fitted(f) -
                                              lgamma(london$complaints + 1))) < 1e-8 * abs(as.numeric(logLik(f))))
t_london <- length(unique(london$month))
cases$london <- ppml_case("london", f, with_k(london$bcu, 1 + t_london), "D",
  "glm(complaints ~ D + factor(borough) + factor(month) + offset(log(calls)), poisson, london[month < \"2018-05\", ]); cluster bcu",
  sprintf("boroughs are nested in BCUs: K = 1 + %d months", t_london))
# ... and with a time-varying covariate (response_minutes).
f <- glm(complaints ~ D + response_minutes + factor(borough) + factor(month) + offset(log(calls)),
         family = poisson, data = london, control = tight)
cases$london_covariate <- ppml_case("london_covariate", f, with_k(london$bcu, 2 + t_london),
  c("D", "response_minutes"),
  "glm(complaints ~ D + response_minutes + factor(borough) + factor(month) + offset(log(calls)), poisson, london[month < \"2018-05\", ]); cluster bcu")

pkg_ver <- function(p) as.character(packageVersion(p))
header <- c(
  "// GENERATED FILE - DO NOT EDIT.",
  "// Generated by tests/reference/ppml_reference.R (run from the repository root).",
  sprintf("// %s; sandwich %s.", R.version.string, pkg_ver("sandwich")),
  "// Data: tests/data/mpdta.csv, tests/data/california_prop99.csv, examples/data/london_bcu.csv.",
  "// glm(..., control = glm.control(epsilon = 1e-12, maxit = 100)) throughout.",
  "#pragma once", "", "#include <cstddef>", "#include <limits>", "#include <string>", "#include <vector>", "",
  "namespace pilotstats_ppml_reference {", "")
writeLines(c(header, unlist(cases), "}  // namespace pilotstats_ppml_reference"), out_file)
cat("wrote", out_file, "\n")
