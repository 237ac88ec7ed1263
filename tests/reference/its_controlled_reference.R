# Reference values for tests/its/controlled_test.cpp (R 4.2.2): Linden's multiple-group ITS by
# lm on the stacked data. Treated: Barking & Dagenham; controls: Bromley, Croydon, Sutton (South
# Area, live 2018-06 or later); months 2014-01 .. 2018-04 (before any rollout); interruption 2016-12.
# Run from the repository root: Rscript tests/reference/its_controlled_reference.R
d <- read.csv("examples/data/london_bcu.csv")
d <- d[d$month <= "2018-04" & d$borough %in% c("Barking & Dagenham", "Bromley", "Croydon", "Sutton"), ]
d <- d[order(d$borough, d$month), ]
d$t <- match(d$month, sort(unique(d$month))) - 1
d$group <- as.numeric(d$borough == "Barking & Dagenham")
d$level <- as.numeric(d$month >= "2016-12")
d$slope <- pmax(0, d$t - (match("2016-12", sort(unique(d$month))) - 1))
f <- lm(response_minutes ~ t + group + I(group * t) + level + slope + I(group * level) + I(group * slope), data = d)
print(coef(f), digits = 17)
print(sqrt(diag(vcov(f))), digits = 17)
a <- aggregate(response_minutes ~ month + t + level + slope, data = d[d$group == 0, ], FUN = mean)
a$group <- 0
s <- rbind(d[d$group == 1, c("month", "t", "level", "slope", "response_minutes", "group")], a[, c("month", "t", "level", "slope", "response_minutes", "group")])
g <- lm(response_minutes ~ t + group + I(group * t) + level + slope + I(group * level) + I(group * slope), data = s)
cat("averaged controls:\n"); print(coef(g), digits = 17); print(sqrt(diag(vcov(g))), digits = 17)
