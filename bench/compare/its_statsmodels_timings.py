# statsmodels timings for the ITS benchmarks (bench/its_bench.cpp): n = 120, 15 terms, arrays in
# (no formula): OLS with HAC (Bartlett, maxlags = 4 as the rule of thumb 4 (n/100)^(2/9)),
# Poisson GLM, NB2 GLM with theta fixed (statsmodels has no glm.nb-style theta search in GLM;
# the discrete NegativeBinomial model estimates alpha by ML with the full Hessian).
# Run: /usr/bin/python3 bench/compare/its_statsmodels_timings.py
import timeit
import numpy as np
import statsmodels
import statsmodels.api as sm

rng = np.random.default_rng(7)
t = np.arange(120.0)
after = (t >= 72).astype(float)
since = np.maximum(0, t - 72)
dummies = np.stack([(t % 12 == k).astype(float) for k in range(1, 12)], axis=1)
x = np.column_stack([np.ones(120), t, after, since, dummies])
mu = np.exp(3 + 0.002 * t + after * (0.5 - 0.01 * since) + 0.1 * np.sin(2 * np.pi * t / 12))
y = rng.negative_binomial(30, 30 / (30 + mu)).astype(float)
z = 15 + 0.02 * t + 3 * after + rng.standard_normal(120)

cases = {
    "OLS + HAC (maxlags 4)": lambda: sm.OLS(z, x).fit(cov_type="HAC", cov_kwds={"maxlags": 4}).bse,
    "GLM Poisson": lambda: sm.GLM(y, x, family=sm.families.Poisson()).fit().bse,
    "NegativeBinomial (alpha by ML)": lambda: sm.NegativeBinomial(y, x).fit(disp=0).bse,
}
print("statsmodels", statsmodels.__version__, "numpy", np.__version__)
for name, f in cases.items():
    timer = timeit.Timer(f)
    calls, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=calls)) / calls
    print(f"{name:35s} {best * 1e6:10.1f} us")
