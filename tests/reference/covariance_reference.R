#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# covariance_reference.R
#
# Generates tests/inference/covariance_reference.hpp: reference values from R
# (stats::lm, sandwich, clubSandwich) that pilotstats' OLS/WLS fit and its
# heteroskedasticity-, autocorrelation- and cluster-robust covariance
# estimators are tested against.
#
# Run from the repository root:
#     Rscript tests/reference/covariance_reference.R
#
# Inputs (copies of /work/shared/data, see tests/data/README.md):
#     tests/data/sicily.csv            (59 months, 2002-01 .. 2006-11)
#     tests/data/mpdta.csv             (500 counties x 2003..2007)
#     tests/data/california_prop99.csv (39 states x 1970..2000, sep = ";")
#
# Cases (design matrices exactly as lm() builds them, R's column order):
#   sicily_ols     lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_scaled)
#                  pop_scaled = pop / 1e5 (only to keep X'X well scaled);
#                  cluster = year (5 clusters); HAC in row (= time) order.
#   sicily_wls     the same with weights = stdpop / mean(stdpop).
#   mpdta_ols      lm(lemp ~ lpop + treat + factor(year)); cluster = countyreal.
#   prop99_twfe    lm(PacksPerCapita ~ treated + factor(State) + factor(Year));
#                  cluster = State (39 clusters, only California treated).
#   sicily_aliased lm(aces ~ time + smokban + I(2 * time) + pop_scaled):
#                  I(2 * time) is aliased (coefficient NA in R); every
#                  covariance below is over the non-aliased columns only.
#
# Every number is written with 17 significant digits (sprintf("%.17g")).
# Matrices are p x p, row-major, p = number of NON-aliased coefficients.
# NA in R is written as NaN.
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(sandwich)
  library(clubSandwich)
  library(lmtest)
})

out_file <- "tests/inference/covariance_reference.hpp"
if (!file.exists("tests/data/sicily.csv"))
  stop("run from the repository root: Rscript tests/reference/covariance_reference.R")

# ---- data -------------------------------------------------------------------
sicily <- read.csv("tests/data/sicily.csv")
sicily$pop_scaled <- sicily$pop / 1e5
sicily$w <- sicily$stdpop / mean(sicily$stdpop)
# Centered copy of pop_scaled, used ONLY for the "_centered" cross-check blocks
# of sicily_ols / sicily_wls (see emit_case): cond(X) drops from 3.1e4 to 8.2e3.
sicily$pop_c <- sicily$pop_scaled - mean(sicily$pop_scaled)

mpdta <- read.csv("tests/data/mpdta.csv")

prop99 <- read.csv("tests/data/california_prop99.csv", sep = ";")

# ---- fits -------------------------------------------------------------------
fits <- list(
  sicily_ols = list(
    fit = lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_scaled,
             data = sicily),
    call = "lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_scaled, data = sicily)  # pop_scaled = pop / 1e5",
    fit_centered = lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_c,
                      data = sicily),
    cluster = sicily$year, cluster_name = "year", hac = TRUE, small = TRUE),
  sicily_wls = list(
    fit = lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_scaled,
             data = sicily, weights = w),
    call = "lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_scaled, data = sicily, weights = stdpop / mean(stdpop))",
    fit_centered = lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_c,
                      data = sicily, weights = w),
    cluster = sicily$year, cluster_name = "year", hac = TRUE, small = TRUE),
  mpdta_ols = list(
    fit = lm(lemp ~ lpop + treat + factor(year), data = mpdta),
    call = "lm(lemp ~ lpop + treat + factor(year), data = mpdta)",
    cluster = mpdta$countyreal, cluster_name = "countyreal", hac = FALSE, small = FALSE),
  prop99_twfe = list(
    fit = lm(PacksPerCapita ~ treated + factor(State) + factor(Year), data = prop99),
    call = "lm(PacksPerCapita ~ treated + factor(State) + factor(Year), data = prop99)",
    cluster = prop99$State, cluster_name = "State", hac = FALSE, small = FALSE),
  sicily_aliased = list(
    fit = lm(aces ~ time + smokban + I(2 * time) + pop_scaled, data = sicily),
    call = "lm(aces ~ time + smokban + I(2 * time) + pop_scaled, data = sicily)  # I(2 * time) aliased",
    cluster = sicily$year, cluster_name = "year", hac = TRUE, small = TRUE)
)

# ---- C++ emitters -----------------------------------------------------------
fmt_num <- function(x) {
  s <- ifelse(is.na(x), "NaN_",
       ifelse(is.infinite(x), ifelse(x > 0, "Inf_", "-Inf_"),
              sprintf("%.17g", x)))
  # make integral values explicit double literals ("3" -> "3.0")
  plain <- !grepl("[.eEN]|Inf", s)
  s[plain] <- paste0(s[plain], ".0")
  s
}
cpp_dvec <- function(name, x, comment = NULL, per_line = 4) {
  x <- as.numeric(x)
  s <- fmt_num(x)
  lines <- split(s, ceiling(seq_along(s) / per_line))
  body <- paste0("    ", vapply(lines, paste, "", collapse = ", "), collapse = ",\n")
  c(if (!is.null(comment)) paste0("  // ", comment),
    sprintf("  inline const std::vector<double> %s = {\n%s};", name, body))
}
cpp_mat <- function(name, m, comment = NULL) {
  m <- as.matrix(m)
  cpp_dvec(name, as.vector(t(m)), comment,          # row-major
           per_line = if (ncol(m) <= 6) ncol(m) else 5)
}
cpp_svec <- function(name, x, comment = NULL) {
  esc <- gsub("\\\\", "\\\\\\\\", x); esc <- gsub("\"", "\\\\\"", esc)
  s <- paste0("\"", esc, "\"")
  lines <- split(s, ceiling(seq_along(s) / 4))
  body <- paste0("    ", vapply(lines, paste, "", collapse = ", "), collapse = ",\n")
  c(if (!is.null(comment)) paste0("  // ", comment),
    sprintf("  inline const std::vector<std::string> %s = {\n%s};", name, body))
}
cpp_ivec <- function(name, x, comment = NULL) {
  s <- as.character(as.integer(x))
  lines <- split(s, ceiling(seq_along(s) / 16))
  body <- paste0("    ", vapply(lines, paste, "", collapse = ", "), collapse = ",\n")
  c(if (!is.null(comment)) paste0("  // ", comment),
    sprintf("  inline const std::vector<int> %s = {\n%s};", name, body))
}
cpp_scalar <- function(name, x, comment = NULL)
  c(if (!is.null(comment)) paste0("  // ", comment),
    sprintf("  inline constexpr double %s = %s;", name, fmt_num(x)))
cpp_size <- function(name, x, comment = NULL)
  c(if (!is.null(comment)) paste0("  // ", comment),
    sprintf("  inline constexpr std::size_t %s = %d;", name, as.integer(x)))
cpp_int <- function(name, x, comment = NULL)
  c(if (!is.null(comment)) paste0("  // ", comment),
    sprintf("  inline constexpr int %s = %d;", name, as.integer(x)))
cpp_bool <- function(name, x, comment = NULL)
  c(if (!is.null(comment)) paste0("  // ", comment),
    sprintf("  inline constexpr bool %s = %s;", name, if (isTRUE(x)) "true" else "false"))
cpp_text <- function(...) paste0("  // ", c(...))

# ---- one case ---------------------------------------------------------------
emit_case <- function(name, spec) {
  fit <- spec$fit
  cl <- spec$cluster
  X <- model.matrix(fit)
  b_full <- coef(fit)
  alias <- is.na(b_full)
  Xk <- X[, !alias, drop = FALSE]
  n <- nrow(X); p <- ncol(Xk); G <- length(unique(cl))
  s <- summary(fit)
  out <- c(sprintf("namespace %s {", name),
           cpp_text(paste0("R: fit <- ", spec$call)),
           cpp_size("n", n, "number of observations"),
           cpp_size("p_full", ncol(X), "columns of model.matrix(fit), aliased ones included"),
           cpp_size("p", p, "non-aliased coefficients: the dimension of every matrix below"),
           cpp_svec("terms", colnames(X), "names(coef(fit)), exactly as R prints them (all columns)"),
           cpp_ivec("aliased", alias, "1 = is.na(coef(fit)) (aliased, dropped from all matrices)"),
           cpp_svec("terms_kept", colnames(Xk), "names of the non-aliased columns: row/column order of every matrix"),
           cpp_dvec("coef", b_full, "coef(fit) (NaN = NA = aliased)"))
  if (spec$small) {
    out <- c(out,
             cpp_mat("design", X, "model.matrix(fit), n x p_full row-major (unweighted)"),
             cpp_dvec("y", model.response(model.frame(fit)), "response"))
    if (!is.null(weights(fit)))
      out <- c(out, cpp_dvec("weights", weights(fit), "weights(fit) = stdpop / mean(stdpop)"))
    out <- c(out,
             cpp_dvec("residuals", residuals(fit), "residuals(fit) = y - X b (unweighted, also for WLS)"),
             cpp_dvec("fitted", fitted(fit), "fitted(fit)"),
             cpp_dvec("hat", hatvalues(fit), "hatvalues(fit): diag of W^{1/2} X (X'WX)^{-1} X' W^{1/2}"))
  } else {
    h <- hatvalues(fit)
    out <- c(out,
             cpp_scalar("max_hat", max(h), "max(hatvalues(fit))"),
             cpp_int("n_hat_ge_1_minus_sqrt_eps", sum(h > 1 - sqrt(.Machine$double.eps)),
                     "sum(hatvalues(fit) > 1 - sqrt(.Machine$double.eps))  (sandwich's warning threshold)"))
  }
  fs <- s$fstatistic
  out <- c(out,
           cpp_scalar("sigma", s$sigma, "summary(fit)$sigma"),
           cpp_scalar("r_squared", s$r.squared, "summary(fit)$r.squared"),
           cpp_scalar("adj_r_squared", s$adj.r.squared, "summary(fit)$adj.r.squared"),
           cpp_scalar("f_statistic", fs[["value"]], "summary(fit)$fstatistic[\"value\"]"),
           cpp_scalar("f_df1", fs[["numdf"]], "summary(fit)$fstatistic[\"numdf\"]"),
           cpp_scalar("f_df2", fs[["dendf"]], "summary(fit)$fstatistic[\"dendf\"]"),
           cpp_scalar("df_residual", df.residual(fit), "df.residual(fit)"),
           cpp_mat("vcov", vcov(fit, complete = FALSE), "vcov(fit, complete = FALSE)  (classical sigma^2 (X'WX)^{-1})"))

  # --- HC ---
  for (t in c("HC0", "HC1", "HC2", "HC3")) {
    v <- suppressWarnings(vcovHC(fit, type = t))
    out <- c(out, cpp_mat(paste0("vcov_", tolower(t)), v,
                          sprintf("sandwich::vcovHC(fit, type = \"%s\")", t)))
  }

  # --- HAC (Newey-West, rows in time order) ---
  if (spec$hac) {
    out <- c(out, cpp_text("Newey-West: rows are already in time order (order.by = NULL)."),
             "  inline const std::vector<NeweyWestRef> newey_west = {")
    for (L in c(0, 1, 3, 12)) for (A in c(TRUE, FALSE)) {
      v <- NeweyWest(fit, lag = L, prewhite = FALSE, adjust = A)
      vals <- fmt_num(as.vector(t(v)))
      body <- paste0("      ", vapply(split(vals, ceiling(seq_along(vals) / 4)), paste, "",
                                      collapse = ", "), collapse = ",\n")
      out <- c(out,
               sprintf("    // sandwich::NeweyWest(fit, lag = %d, prewhite = FALSE, adjust = %s)", L, A),
               sprintf("    {%d, %s, {\n%s}},", L, if (A) "true" else "false", body))
    }
    out <- c(out, "  };")
    bw <- bwNeweyWest(fit, kernel = "Bartlett", prewhite = FALSE)
    out <- c(out,
             cpp_scalar("nw_bandwidth", bw,
                        "sandwich::bwNeweyWest(fit, kernel = \"Bartlett\", prewhite = FALSE)  (real-valued)"),
             cpp_int("nw_bandwidth_floor", floor(bw), "floor(bwNeweyWest(...)): the lag NeweyWest(lag = NULL) uses"),
             cpp_int("nw_m_pilot", floor(4 * (n / 100)^(2 / 9)),
                     "floor(4 * (n/100)^(2/9)): number of autocovariances in bwNeweyWest's pilot (prewhite = FALSE)"),
             cpp_mat("vcov_nw_auto", NeweyWest(fit, lag = NULL, prewhite = FALSE, adjust = TRUE),
                     "sandwich::NeweyWest(fit, lag = NULL, prewhite = FALSE, adjust = TRUE)"))
  }

  # --- cluster-robust ---
  out <- c(out,
           if (spec$small) {
             if (is.character(cl)) cpp_svec("cluster", cl, paste("cluster variable:", spec$cluster_name))
             else cpp_ivec("cluster", cl, paste("cluster variable:", spec$cluster_name))
           } else cpp_text(paste("cluster variable: column", spec$cluster_name, "of the data file")),
           cpp_size("n_clusters", G, "number of clusters G"))
  # vcovCL needs the cluster variable; pass the vector (same as cluster = ~ g)
  out <- c(out,
           cpp_mat("vcov_cl_hc1", vcovCL(fit, cluster = cl, type = "HC1", cadjust = TRUE),
                   sprintf("sandwich::vcovCL(fit, cluster = ~ %s, type = \"HC1\", cadjust = TRUE)", spec$cluster_name)),
           cpp_mat("vcov_cl_hc0", vcovCL(fit, cluster = cl, type = "HC0", cadjust = TRUE),
                   sprintf("sandwich::vcovCL(fit, cluster = ~ %s, type = \"HC0\", cadjust = TRUE)", spec$cluster_name)))
  for (t in c("CR0", "CR1", "CR1S", "CR2")) {
    v <- vcovCR(fit, cluster = cl, type = t)
    out <- c(out, cpp_mat(paste0("vcov_", tolower(t)), as.matrix(v),
                          sprintf("clubSandwich::vcovCR(fit, cluster = %s, type = \"%s\")", spec$cluster_name, t)))
  }
  ct2 <- coef_test(fit, vcov = "CR2", cluster = cl, test = "Satterthwaite")
  ct1 <- coef_test(fit, vcov = "CR1", cluster = cl, test = "naive-t")
  out <- c(out,
           cpp_text(sprintf("clubSandwich::coef_test(fit, vcov = \"CR2\", cluster = %s, test = \"Satterthwaite\")", spec$cluster_name),
                    "columns SE, tstat, df_Satt, p_Satt (one entry per non-aliased coefficient)"),
           cpp_dvec("cr2_satt_se", ct2$SE),
           cpp_dvec("cr2_satt_t", ct2$tstat),
           cpp_dvec("cr2_satt_df", ct2$df_Satt),
           cpp_dvec("cr2_satt_p", ct2$p_Satt),
           cpp_text(sprintf("clubSandwich::coef_test(fit, vcov = \"CR1\", cluster = %s, test = \"naive-t\")", spec$cluster_name),
                    "columns SE, tstat, df_t (= G - 1), p_t"),
           cpp_dvec("cr1_naive_se", ct1$SE),
           cpp_dvec("cr1_naive_t", ct1$tstat),
           cpp_scalar("cr1_naive_df", ct1$df_t[1]),
           cpp_dvec("cr1_naive_p", ct1$p_t))
  # Coefficients whose cluster-robust variance is exactly 0 in exact arithmetic
  # (prop99: every state dummy except California, because c'(X'X)^{-1}X_g'e_g
  # = 1_g'e_g / 31 = 0).  R's values for them are rounding noise (~1e-13 SE);
  # their rows/columns in vcov_cl_*, vcov_cr*, and their cr2_satt_* /
  # cr1_naive_* entries must be compared with an absolute tolerance or skipped.
  se_hc0 <- sqrt(diag(suppressWarnings(vcovHC(fit, type = "HC0"))))
  se_cr1 <- sqrt(diag(as.matrix(vcovCR(fit, cluster = cl, type = "CR1"))))
  out <- c(out, cpp_ivec("cluster_structural_zero", se_cr1 / se_hc0 < 1e-8,
                         "1 = cluster-robust variance is 0 in exact arithmetic; R's entries are rounding noise"))

  # --- CR2 on the centered design (accuracy cross-check) ---
  # clubSandwich forms (X'WX)^{-1} by eigen-inversion and, for weighted lm,
  # computes the Satterthwaite P matrix as a difference of large terms; on
  # the sicily design (cond(X'X) ~ 1e9) that costs ~4e-10 (OLS) and ~6e-8 in
  # V, ~5e-5 in df (WLS).  Replacing pop_scaled by pop_c = pop_scaled - mean
  # spans the same column space, so CR2 is identical in exact arithmetic:
  # V = T V_c T' with T = I except T[1, p] = -mean(pop_scaled), and the df of
  # every coefficient except the intercept are unchanged.
  if (!is.null(spec$fit_centered)) {
    fc <- spec$fit_centered
    Tm <- diag(p); Tm[1, p] <- -mean(sicily$pop_scaled)
    Vc <- Tm %*% as.matrix(vcovCR(fc, cluster = cl, type = "CR2")) %*% t(Tm)
    ctc <- coef_test(fc, vcov = "CR2", cluster = cl, test = "Satterthwaite")
    out <- c(out,
             cpp_text("Same CR2 quantities computed by clubSandwich on the CENTERED design",
                      "(pop_c = pop_scaled - mean(pop_scaled), same column space) and mapped back:",
                      "V = T Vc T', T = I except T[0][p-1] = -mean(pop_scaled).  These are the",
                      "numerically accurate values (see memo); the uncentered clubSandwich values",
                      "above differ by ~4e-10 (OLS) / ~6e-8 in V and ~5e-5 in df (WLS).",
                      "The intercept's df is not available this way: NaN."),
             cpp_mat("vcov_cr2_centered", Vc),
             cpp_dvec("cr2_centered_se", sqrt(diag(Vc))),
             cpp_dvec("cr2_centered_df", c(NA, ctc$df_Satt[-1])))
  }
  c(out, sprintf("}  // namespace %s", name), "")
}

# ---- header -----------------------------------------------------------------
pkg_ver <- function(p) as.character(packageVersion(p))
header <- c(
  "// GENERATED FILE - DO NOT EDIT.",
  "// Generated by tests/reference/covariance_reference.R (run from the repository root:",
  "//     Rscript tests/reference/covariance_reference.R)",
  sprintf("// %s; sandwich %s; clubSandwich %s; lmtest %s.", R.version.string,
          pkg_ver("sandwich"), pkg_ver("clubSandwich"), pkg_ver("lmtest")),
  "// Data: tests/data/{sicily,mpdta,california_prop99}.csv (see tests/data/README.md).",
  "//",
  "// Conventions: numbers have 17 significant digits; matrices are p x p ROW-MAJOR",
  "// over the non-aliased coefficients (order = terms_kept); NaN stands for R's NA.",
  "// sicily_*: pop enters as pop_scaled = pop / 1e5.",
  "// Factor columns follow R's treatment contrasts: levels sorted (years ascending,",
  "// states alphabetically), first level dropped, named e.g. \"factor(year)2004\".",
  "#pragma once",
  "",
  "#include <cstddef>",
  "#include <limits>",
  "#include <string>",
  "#include <vector>",
  "",
  "namespace pilotstats_reference {",
  "",
  "inline constexpr double NaN_ = std::numeric_limits<double>::quiet_NaN();",
  "",
  "// One sandwich::NeweyWest(fit, lag, prewhite = FALSE, adjust) result; vcov is p x p row-major.",
  "struct NeweyWestRef {",
  "  int lag;",
  "  bool adjust;",
  "  std::vector<double> vcov;",
  "};",
  "")
body <- unlist(Map(emit_case, names(fits), fits))
footer <- c("}  // namespace pilotstats_reference")
writeLines(c(header, body, footer), out_file)
cat("wrote", out_file, "\n")

# ---- console summary (not written to the header) ---------------------------
for (nm in names(fits)) {
  fit <- fits[[nm]]$fit
  cat("\n==", nm, "== aliased:", names(which(is.na(coef(fit)))), "\n")
}
