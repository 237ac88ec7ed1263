# Reference values for tests/its/extensions_test.cpp (R 4.2.2, stats::lm / predict.lm): the ITS
# extensions on Barking & Dagenham's response times (examples/data/london_bcu.csv):
#   covariate     lm(response_minutes ~ t + after + since + calls)
#   prediction    lm(response_minutes ~ t + after + since); predict(interval = "prediction") for
#                 2017-06 with after = since = 0 (the counterfactual month), level 0.95
#   two cuts      lm(response_minutes ~ t + after1 + since1 + after2 + since2), cuts 2016-12, 2017-09
#   controlled    Linden's design with both cuts on the stack of B&D and the mean of Bromley,
#                 Croydon and Sutton, 2014-01 .. 2018-04
# Run from the repository root: Rscript tests/reference/its_extensions_reference.R
d <- read.csv("examples/data/london_bcu.csv", stringsAsFactors = FALSE)
unit <- function(name) { u <- d[d$borough == name, ]; u[order(u$month), ] }
cut_terms <- function(u, start, suffix) {
  t0 <- u$t[u$month == start][1]
  u[[paste0("after", suffix)]] <- as.numeric(u$t >= t0)
  u[[paste0("since", suffix)]] <- pmax(0, u$t - t0)
  u
}
b <- unit("Barking & Dagenham"); b$t <- 0:(nrow(b) - 1)
b <- cut_terms(b, "2016-12", "")
show <- function(name, f) {
  cat(sprintf("%s coef %s\n", name, paste(sprintf("%.17g", coef(f)), collapse = ", ")))
  cat(sprintf("%s se %s\n", name, paste(sprintf("%.17g", sqrt(diag(vcov(f)))), collapse = ", ")))
}
show("covariate", lm(response_minutes ~ t + after + since + calls, data = b))
f <- lm(response_minutes ~ t + after + since, data = b)
nd <- b[b$month == "2017-06", ]; nd$after <- 0; nd$since <- 0
p <- predict(f, newdata = nd, interval = "prediction", level = 0.95)
cat(sprintf("prediction %.17g, %.17g, %.17g\n", p[1, "fit"], p[1, "lwr"], p[1, "upr"]))
p <- predict(f, newdata = nd, interval = "confidence", level = 0.95)
cat(sprintf("confidence %.17g, %.17g, %.17g\n", p[1, "fit"], p[1, "lwr"], p[1, "upr"]))
b2 <- cut_terms(cut_terms(b, "2016-12", "1"), "2017-09", "2")
show("two_cuts", lm(response_minutes ~ t + after1 + since1 + after2 + since2, data = b2))
# Controlled, averaged controls, two cuts, months before 2018-05.
keep <- function(u) u[u$month < "2018-05", ]
tr <- keep(b)[, c("month", "response_minutes")]
ctrl <- Reduce(function(a, c) merge(a, keep(unit(c))[, c("month", "response_minutes")], by = "month"),
               c("Croydon", "Sutton"), keep(unit("Bromley"))[, c("month", "response_minutes")])
co <- data.frame(month = ctrl$month, response_minutes = rowMeans(ctrl[, -1]))
stack <- rbind(cbind(tr, z = 1), cbind(co, z = 0))
stack$t <- match(stack$month, sort(unique(stack$month))) - 1
stack <- cut_terms(cut_terms(stack, "2016-12", "1"), "2017-09", "2")
fc <- lm(response_minutes ~ t + z + z:t + after1 + since1 + z:after1 + z:since1 + after2 + since2 + z:after2 + z:since2,
         data = stack)
# Our order: intercept, trend, group, group_trend, then per cut level, slope, group_level, group_slope.
ord <- c("(Intercept)", "t", "z", "t:z", "after1", "since1", "z:after1", "z:since1", "after2", "since2", "z:after2", "z:since2")
cat(sprintf("controlled coef %s\n", paste(sprintf("%.17g", coef(fc)[ord]), collapse = ", ")))
cat(sprintf("controlled se %s\n", paste(sprintf("%.17g", sqrt(diag(vcov(fc)))[ord]), collapse = ", ")))
