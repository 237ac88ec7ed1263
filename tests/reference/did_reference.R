#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# did_reference.R
#
# Generates tests/did/did_reference.hpp: reference values for the DiD layer
# (pilotstats/did/{two_by_two,absorb,twfe}.hpp), from stats::lm on factor dummies,
# sandwich::vcovCL and clubSandwich::vcovCR / coef_test.
#
# Run from the repository root:
#     Rscript tests/reference/did_reference.R
#
# fixest is not installed here (and not in Debian), so its cluster-robust SEs are
# rebuilt by hand from sandwich. fixest's CR1 for feols(y ~ x | unit + time,
# cluster = ~cl) is, with its defaults ssc(adj = TRUE, fixef.K = "nested",
# cluster.adj = TRUE, t.df = "min"):
#     V = G/(G-1) * (n-1)/(n-K) * (X'X)^-1 (sum_g X_g'e_g e_g'X_g) (X'X)^-1
# with K = (estimated slopes) + (fixed-effect coefficients not nested in the
# clusters). fixest counts the fixed-effect coefficients as
#     sum(levels) - (number of FE dimensions - 1)
# and, for every FE dimension nested in the cluster variable, removes
# (levels - 1) of them (fixest R/VCOV.R, vcov.fixest: "K = K - (sum(fixef_sizes
# [is_nested]) - sum(fixef_sizes[is_nested] > 0))"). Unit effects nested in unit
# clusters therefore leave K = slopes + n_times: for mpdta 1 + 5 = 6, for
# Prop 99 1 + 31 = 32 (not the 1 + 50 + 5 - 1 that vcovCL(type = "HC1") on the
# dummy regression uses). The sandwich part is vcovCL(type = "HC0",
# cadjust = TRUE), which is G/(G-1) times the meat, so
#     fixest CR1 = vcovCL(fit, cluster, type = "HC0", cadjust = TRUE) * (n-1)/(n-K).
# Its t reference has G - 1 df (t.df = "min" with one cluster variable).
# fixest's iid vcov equals vcov(lm) on the dummy design (K = all parameters).
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(sandwich)
  library(clubSandwich)
})
source("tests/reference/cpp_emitters.R")
out_file <- "tests/did/did_reference.hpp"

mpdta <- read.csv("tests/data/mpdta.csv")
# mpdta's `treat` is the GROUP indicator (ever treated): constant within a county, so the county
# effects absorb it. The DiD treatment is D = 1 from a county's first treated year on
# (first.treat = 0: never treated); the TWFE estimate on it is the well-known -0.0366.
mpdta$D <- as.numeric(mpdta$first.treat > 0 & mpdta$year >= mpdta$first.treat)
prop99 <- read.csv("tests/data/california_prop99.csv", sep = ";")

fixest_cr1 <- function(fit, cl, k_nested) {
  n <- nobs(fit)
  vcovCL(fit, cluster = cl, type = "HC0", cadjust = TRUE) * (n - 1) / (n - k_nested)
}

# One TWFE case: estimate, classical SE and df, fixest CR1 (nested K), sandwich HC1
# (full K, for contrast), clubSandwich CR2 with Satterthwaite df (on the full dummy design).
twfe_case <- function(name, fit, cl, k_nested, call, term = NULL, weights_note = NULL, cr2 = TRUE) {
  b <- coef(fit)
  terms <- if (is.null(term)) names(b)[2] else term
  v_iid <- vcov(fit)[terms, terms, drop = FALSE]
  v_cr1 <- fixest_cr1(fit, cl, k_nested)[terms, terms, drop = FALSE]
  v_hc1 <- vcovCL(fit, cluster = cl, type = "HC1", cadjust = TRUE)[terms, terms, drop = FALSE]
  out <- c(sprintf("namespace %s {", name),
           comment(paste("R:", call), weights_note),
           cpp_size("n", nobs(fit), "nobs(fit)"),
           cpp_size("n_clusters", length(unique(cl)), "number of clusters G"),
           cpp_int("k_nested", k_nested, "fixest's K under fixef.K = \"nested\" (see the header of did_reference.R)"),
           cpp_svec("terms", terms, "the slope terms (the fixed-effect dummies are not reported)"),
           cpp_dvec("estimate", b[terms], "coef(fit)[terms]"),
           cpp_dvec("se_iid", sqrt(diag(v_iid)), "sqrt(diag(vcov(fit)))[terms]"),
           cpp_scalar("df_iid", df.residual(fit), "df.residual(fit)"),
           cpp_dvec("se_cr1", sqrt(diag(v_cr1)),
                    "fixest CR1: sqrt(diag(vcovCL(fit, cluster, type = \"HC0\", cadjust = TRUE) * (n-1)/(n-k_nested)))"),
           cpp_dvec("se_hc1_full_k", sqrt(diag(v_hc1)),
                    "sandwich::vcovCL(fit, cluster, type = \"HC1\"): K = every dummy (not fixest's)"))
  if (cr2) {
    ct <- coef_test(fit, vcov = "CR2", cluster = cl, test = "Satterthwaite", coefs = terms)
    out <- c(out,
             cpp_dvec("se_cr2", ct$SE, "clubSandwich::coef_test(fit, vcov = \"CR2\", cluster, test = \"Satterthwaite\")$SE"),
             cpp_dvec("df_cr2", ct$df_Satt, "... $df_Satt"))
  }
  c(out, sprintf("}  // namespace %s", name), "")
}

cases <- list()

# mpdta: 500 counties x 2003..2007, balanced. Cluster = county.
f <- lm(lemp ~ D + factor(countyreal) + factor(year), data = mpdta)
cases$mpdta <- twfe_case("mpdta", f, mpdta$countyreal, 1 + 5,
                         "lm(lemp ~ D + factor(countyreal) + factor(year), data = mpdta)")
# lpop is constant within county: lm reports it as NA (aliased); the rest is unchanged.
f2 <- lm(lemp ~ D + factor(countyreal) + factor(year) + lpop, data = mpdta)
stopifnot(is.na(coef(f2)["lpop"]), isTRUE(all.equal(coef(f2)["D"], coef(f)["D"])))

# Prop 99: 39 states x 1970..2000, balanced, one treated state. Cluster = State.
f <- lm(PacksPerCapita ~ treated + factor(State) + factor(Year), data = prop99)
stopifnot(abs(coef(f)["treated"] - (-27.349111)) < 1e-6)
cases$prop99 <- twfe_case("prop99", f, prop99$State, 1 + 31,
                          "lm(PacksPerCapita ~ treated + factor(State) + factor(Year), data = prop99)")

# Prop 99 made unbalanced: rows 5, 12, 19, ... (every 7th from the 5th, in file order) dropped.
drop <- seq(5, nrow(prop99), by = 7)
pu <- prop99[-drop, ]
f <- lm(PacksPerCapita ~ treated + factor(State) + factor(Year), data = pu)
cases$prop99_unbalanced <- c(
  comment("prop99_unbalanced: prop99[-seq(5, nrow(prop99), by = 7), ] (1-based file rows dropped)"),
  twfe_case("prop99_unbalanced", f, pu$State, 1 + 31,
            "lm(PacksPerCapita ~ treated + factor(State) + factor(Year), data = prop99[-seq(5, 1209, by = 7), ])"))

# The same, weighted: w = 1 + (file row %% 3) (analytic weights as lm(weights =)).
pu$w <- 1 + ((seq_len(nrow(prop99))[-drop]) %% 3)
f <- lm(PacksPerCapita ~ treated + factor(State) + factor(Year), data = pu, weights = w)
cases$prop99_weighted <- twfe_case("prop99_weighted", f, pu$State, 1 + 31,
  "lm(PacksPerCapita ~ treated + factor(State) + factor(Year), data = prop99[-seq(5, 1209, by = 7), ], weights = 1 + (file row %% 3))")

# 2x2: mpdta, years 2003 and 2004, treated group = first.treat == 2004, post = year == 2004.
m2 <- subset(mpdta, year %in% c(2003, 2004))
m2$g <- as.numeric(m2$first.treat == 2004); m2$post <- as.numeric(m2$year == 2004)
f <- lm(lemp ~ g * post, data = m2)
means <- with(m2, tapply(lemp, list(g, post), mean))
v_cl <- vcovCL(f, cluster = m2$countyreal, type = "HC1", cadjust = TRUE)
ct <- coef_test(f, vcov = "CR2", cluster = m2$countyreal, test = "Satterthwaite")
cases$two_by_two <- c(
  "namespace two_by_two {",
  comment("R: m2 <- subset(mpdta, year %in% c(2003, 2004)); g <- first.treat == 2004; post <- year == 2004",
          "   fit <- lm(lemp ~ g * post, data = m2)"),
  cpp_size("n", nrow(m2)),
  cpp_mat("means", means, "tapply(lemp, list(g, post), mean): rows g = 0, 1; columns post = 0, 1"),
  cpp_dvec("estimate", coef(f), "coef(fit): (Intercept), g, post, g:post"),
  cpp_dvec("se_iid", sqrt(diag(vcov(f))), "sqrt(diag(vcov(fit)))"),
  cpp_dvec("se_cr1", sqrt(diag(v_cl)), "sqrt(diag(vcovCL(fit, cluster = ~countyreal, type = \"HC1\")))"),
  cpp_dvec("se_cr2", ct$SE, "coef_test(fit, vcov = \"CR2\", cluster = countyreal, test = \"Satterthwaite\")$SE"),
  cpp_dvec("df_cr2", ct$df_Satt, "... $df_Satt"),
  "}  // namespace two_by_two", "")

pkg_ver <- function(p) as.character(packageVersion(p))
header <- c(
  "// GENERATED FILE - DO NOT EDIT.",
  "// Generated by tests/reference/did_reference.R (run from the repository root).",
  sprintf("// %s; sandwich %s; clubSandwich %s.", R.version.string, pkg_ver("sandwich"), pkg_ver("clubSandwich")),
  "// Data: tests/data/mpdta.csv, tests/data/california_prop99.csv.",
  "#pragma once", "", "#include <cstddef>", "#include <limits>", "#include <string>", "#include <vector>", "",
  "namespace pilotstats_did_reference {", "")
writeLines(c(header, unlist(cases), "}  // namespace pilotstats_did_reference"), out_file)
cat("wrote", out_file, "\n")
