#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# cr2_by_hand.R
#
# Checks the formulas written down for pilotstats (the memo accompanying
# covariance_reference.R) by re-implementing them in plain R matrix code and
# comparing with the packages:
#   * CR2 (Bell-McCaffrey / Pustejovsky-Tipton) covariance and Satterthwaite df,
#     as clubSandwich 0.5.8 computes them for lm / weighted lm  (no clubSandwich
#     code is used in the hand version);
#   * CR1, CR1S scalings; sandwich::vcovCL HC0/HC1;
#   * sandwich::NeweyWest (Bartlett, prewhite = FALSE) and bwNeweyWest.
#
# Run from the repository root:  Rscript tests/reference/cr2_by_hand.R
# -----------------------------------------------------------------------------
suppressPackageStartupMessages({ library(sandwich); library(clubSandwich) })

# symmetric matrix power with clubSandwich's rule: eigenvalues <= 1e-12 -> 0
sym_pow <- function(S, pw, tol = 1e-12) {
  e <- eigen(S, symmetric = TRUE)
  v <- ifelse(e$values > tol, e$values^pw, 0)
  e$vectors %*% (v * t(e$vectors))
}

# CR2 for y ~ X with weights w (w = 1 for OLS) and working model Theta = I
# (what clubSandwich uses for lm: W^{-1} = I when unweighted, its default
# target I when weighted).  Returns V_CR2 and, per coefficient, the
# Satterthwaite df.
#
# Numerics: everything goes through the QR factorisation sqrt(W) X = Q R and
# the well-conditioned basis Z = X R^{-1} (so Z'WZ = I, X M X' = Z Z'), never
# through (X'WX)^{-1} formed explicitly.  Plain solve(X'WX) loses ~1e-7 on the
# sicily design (cond(X'X) ~ 1e9) and would not reproduce R to 1e-10.
cr2_by_hand <- function(X, y, w, cl) {
  n <- nrow(X); k <- ncol(X)
  sw <- sqrt(w)
  qx <- qr(sw * X)
  R  <- qr.R(qx); Ri <- backsolve(R, diag(k))      # R^{-1}
  b  <- Ri %*% crossprod(qr.Q(qx), sw * y)
  e  <- drop(y - X %*% b)                           # raw residuals y - Xb
  Z  <- X %*% Ri                                    # Z'WZ = I
  Qz <- crossprod(Z, w^2 * Z)                       # Z'W^2Z  (= I when w = 1)
  idx <- split(seq_len(n), cl)
  G <- length(idx)
  A <- lapply(idx, function(i) {                   # A_g = ([(I-H) (I-H)']_gg)^{+1/2}
    Zg <- Z[i, , drop = FALSE]; wg <- w[i]
    Hgg <- Zg %*% t(Zg * wg)                       # H_gg = X_g M X_g' W_g
    Bgg <- diag(length(i)) - Hgg - t(Hgg) + Zg %*% Qz %*% t(Zg)
    sym_pow(Bgg, -1/2)
  })
  # meat and sandwich:  V = M [sum_g X_g'W_g A_g e_g e_g' A_g W_g X_g] M
  u <- sapply(seq_len(G), function(g) {
    i <- idx[[g]]
    crossprod(Z[i, , drop = FALSE] * w[i], A[[g]] %*% e[i])   # R^{-T} X_g'W_g A_g e_g
  })
  u <- matrix(u, nrow = k)
  V <- Ri %*% tcrossprod(u) %*% t(Ri)
  # Satterthwaite df, one coefficient at a time (c = e_j; df is scale-free in c)
  df <- sapply(seq_len(k), function(j) {
    r <- Ri[j, ]                                    # R^{-T} e_j, so X M c = Z r
    pg <- lapply(seq_len(G), function(g) {        # p_g = A_g W_g X_g M c
      i <- idx[[g]]; drop(A[[g]] %*% (w[i] * (Z[i, , drop = FALSE] %*% r)))
    })
    a  <- matrix(sapply(seq_len(G), function(g) crossprod(Z[idx[[g]], , drop = FALSE], pg[[g]])), nrow = k)
    bb <- matrix(sapply(seq_len(G), function(g) crossprod(Z[idx[[g]], , drop = FALSE] * w[idx[[g]]], pg[[g]])), nrow = k)
    # P[g,h] = p_g' [(I-H)(I-H)']_gh p_h
    P <- -crossprod(a, bb) - crossprod(bb, a) + t(a) %*% Qz %*% a
    diag(P) <- diag(P) + sapply(pg, function(x) sum(x^2))
    sum(diag(P))^2 / sum(P^2)                     # (tr P)^2 / ||P||_F^2
  })
  list(V = V, se = sqrt(diag(V)), df = df, e = e, Ri = Ri, G = G, idx = idx)
}

# CR0 / CR1 / CR1S / vcovCL(HC0, HC1) by hand
cluster_basic <- function(X, e, w, cl) {
  n <- nrow(X); k <- ncol(X)
  M <- chol2inv(qr.R(qr(sqrt(w) * X)))            # (X'WX)^{-1} via QR
  S <- rowsum(X * (w * e), cl)                      # G x k cluster score sums
  G <- nrow(S)
  V0 <- M %*% crossprod(S) %*% M
  list(CR0 = V0,
       CR1 = G / (G - 1) * V0,
       CR1S = G / (G - 1) * (n - 1) / (n - k) * V0,
       CL_HC0 = G / (G - 1) * V0,
       CL_HC1 = G / (G - 1) * (n - 1) / (n - k) * V0)
}

# Newey-West (Bartlett, prewhite = FALSE) by hand
nw_by_hand <- function(X, e, w, lag, adjust) {
  n <- nrow(X); k <- ncol(X)
  U <- X * (w * e)                                  # estfun: w_t e_t x_t
  S <- crossprod(U)                                 # Gamma_0
  if (lag > 0) for (j in 1:lag) {
    Gj <- crossprod(U[1:(n - j), , drop = FALSE], U[(j + 1):n, , drop = FALSE])
    S <- S + (1 - j / (lag + 1)) * (Gj + t(Gj))
  }
  M <- chol2inv(qr.R(qr(sqrt(w) * X)))            # (X'WX)^{-1} via QR
  V <- M %*% S %*% M
  if (adjust) V <- n / (n - k) * V
  V
}
bw_nw_by_hand <- function(X, e, w) {
  n <- nrow(X)
  U <- X * (w * e)
  wt <- ifelse(colnames(X) == "(Intercept)", 0, 1)  # intercept column gets weight 0
  h <- drop(U %*% wt)
  m <- floor(4 * (n / 100)^(2 / 9))
  sig <- sapply(0:m, function(j) sum(h[1:(n - j)] * h[(j + 1):n]) / n)
  s0 <- sig[1] + 2 * sum(sig[-1])
  s1 <- 2 * sum((1:m) * sig[-1])
  1.1447 * ((s1 / s0)^2)^(1 / 3) * n^(1 / 3)
}

# vectors (SE, df): plain relative difference.  Matrices: entrywise difference
# scaled by sqrt(V_ii V_jj) (relative for the diagonal; for off-diagonal
# entries it avoids dividing by covariances that are small by cancellation).
relmax <- function(a, b) {
  if (is.matrix(b) && nrow(b) == ncol(b) && nrow(b) > 1)
    return(max(abs(a - b) / sqrt(outer(diag(b), diag(b)))))
  max(abs(a - b) / pmax(abs(b), 1e-300))
}

# ---- data and cases ---------------------------------------------------------
sicily <- read.csv("tests/data/sicily.csv")
sicily$pop_scaled <- sicily$pop / 1e5
sicily$w <- sicily$stdpop / mean(sicily$stdpop)
sicily$pop_c <- sicily$pop_scaled - mean(sicily$pop_scaled)   # same column space, better conditioned
mpdta <- read.csv("tests/data/mpdta.csv")
prop99 <- read.csv("tests/data/california_prop99.csv", sep = ";")

cases <- list(
  sicily_ols = list(fit = lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_scaled, data = sicily),
                    cl = sicily$year, nw = TRUE,
                    centered = lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_c, data = sicily)),
  sicily_wls = list(fit = lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_scaled, data = sicily,
                             weights = w), cl = sicily$year, nw = TRUE,
                    centered = lm(aces ~ time + smokban + I((time - 36) * smokban) + pop_c, data = sicily,
                                  weights = w)),
  mpdta_ols  = list(fit = lm(lemp ~ lpop + treat + factor(year), data = mpdta),
                    cl = mpdta$countyreal, nw = FALSE),
  prop99_twfe = list(fit = lm(PacksPerCapita ~ treated + factor(State) + factor(Year), data = prop99),
                     cl = prop99$State, nw = FALSE)
)

for (nm in names(cases)) {
  fit <- cases[[nm]]$fit; cl <- cases[[nm]]$cl
  X <- model.matrix(fit); y <- model.response(model.frame(fit))
  w <- if (is.null(weights(fit))) rep(1, nrow(X)) else weights(fit)
  hb <- cr2_by_hand(X, y, w, cl)
  ct <- coef_test(fit, vcov = "CR2", cluster = cl, test = "Satterthwaite")
  V2 <- as.matrix(vcovCR(fit, cluster = cl, type = "CR2"))
  cat(sprintf("\n== %s (n = %d, p = %d, G = %d)\n", nm, nrow(X), ncol(X), hb$G))
  if (nm == "prop99_twfe") {
    # state-FE rows/cols of every cluster-robust matrix are 0 in exact
    # arithmetic (R's values are rounding noise); compare the rest only.
    keep <- !grepl("^factor\\(State\\)", colnames(X)) | colnames(X) == "factor(State)California"
    cat("   (prop99: state fixed effects other than California excluded: structural zeros)\n")
  } else keep <- rep(TRUE, ncol(X))
  cat(sprintf("   CR2 SE  max rel diff: %.3e\n", relmax(hb$se[keep], ct$SE[keep])))
  cat(sprintf("   CR2 V   max scaled diff: %.3e\n",
              relmax(hb$V[keep, keep], V2[keep, keep])))
  cat(sprintf("   Satterthwaite df max rel diff: %.3e\n", relmax(hb$df[keep], ct$df_Satt[keep])))
  if (nm == "prop99_twfe")
    cat(sprintf("   treated: SE %.17g (club %.17g), df %.17g (club %.17g)\n",
                hb$se[2], ct$SE[2], hb$df[2], ct$df_Satt[2]))
  if (!is.null(fc <- cases[[nm]]$centered)) {
    # clubSandwich on the centered design, mapped back with V = T Vc T'
    # (accurate reference; the uncentered clubSandwich run loses digits).
    k <- ncol(X); Tm <- diag(k); Tm[1, k] <- -mean(sicily$pop_scaled)
    Vc <- Tm %*% as.matrix(vcovCR(fc, cluster = cl, type = "CR2")) %*% t(Tm)
    ctc <- coef_test(fc, vcov = "CR2", cluster = cl, test = "Satterthwaite")
    cat(sprintf("   vs clubSandwich on centered design: SE %.3e, V %.3e, df (slopes) %.3e\n",
                relmax(hb$se, sqrt(diag(Vc))), relmax(hb$V, Vc), relmax(hb$df[-1], ctc$df_Satt[-1])))
    cat(sprintf("   clubSandwich uncentered vs centered: SE %.3e, df (slopes) %.3e\n",
                relmax(ct$SE, sqrt(diag(Vc))), relmax(ct$df_Satt[-1], ctc$df_Satt[-1])))
    cat(sprintf("   intercept df: hand %.17g, clubSandwich (uncentered) %.17g\n", hb$df[1], ct$df_Satt[1]))
  }
  cb <- cluster_basic(X, hb$e, w, cl)
  for (t in c("CR0", "CR1", "CR1S"))
    cat(sprintf("   %-4s    max rel diff: %.3e\n", t,
                relmax(cb[[t]][keep, keep], as.matrix(vcovCR(fit, cluster = cl, type = t))[keep, keep])))
  cat(sprintf("   vcovCL HC0 max rel diff: %.3e\n",
              relmax(cb$CL_HC0[keep, keep], vcovCL(fit, cluster = cl, type = "HC0")[keep, keep])))
  cat(sprintf("   vcovCL HC1 max rel diff: %.3e\n",
              relmax(cb$CL_HC1[keep, keep], vcovCL(fit, cluster = cl, type = "HC1")[keep, keep])))
  if (cases[[nm]]$nw) {
    d <- 0
    for (L in c(0, 1, 3, 12)) for (A in c(TRUE, FALSE))
      d <- max(d, relmax(nw_by_hand(X, hb$e, w, L, A), NeweyWest(fit, lag = L, prewhite = FALSE, adjust = A)))
    cat(sprintf("   NeweyWest (8 variants) max rel diff: %.3e\n", d))
    bw <- bw_nw_by_hand(X, hb$e, w)
    cat(sprintf("   bwNeweyWest: hand %.17g  sandwich %.17g  rel diff %.3e\n", bw,
                bwNeweyWest(fit, kernel = "Bartlett", prewhite = FALSE),
                relmax(bw, bwNeweyWest(fit, kernel = "Bartlett", prewhite = FALSE))))
  }
}
