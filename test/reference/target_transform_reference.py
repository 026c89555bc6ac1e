"""Reference values for test/unit/target-transform.test.ts, with NumPy and SciPy (Debian 12's python3-numpy/scipy).

Run: /usr/bin/python3 test/reference/target_transform_reference.py
A log1p model is what scikit-learn's TransformedTargetRegressor(func=np.log1p, inverse_func=np.expm1) builds: the
regressor predicts log1p(y) and the prediction is expm1 of that; the metrics are taken on the original scale. Here the
regressor is the test's one-weight network, whose output on the transformed (standardized) scale is x exactly, with the
encoder's mean 3 and spread 0.5: prediction = expm1(3 + 0.5 x). scikit-learn is not installed on this machine, so its
metric formulas (mean_squared_error, mean_absolute_error, r2_score) are written out; skewness is scipy.stats.skew.
"""
import json
import math

import numpy as np
from scipy.stats import skew

n = 40
x = np.array([(i - 20) / 4 for i in range(n)])
truth = np.expm1(3 + 0.5 * x + np.array([(((i * 7) % 5) - 2) * 0.1 for i in range(n)]))
pred = np.expm1(3 + 0.5 * x)

residual = truth - pred
out = {
    "skewness": float(skew(truth)),
    "skewness_of_log1p": float(skew(np.log1p(truth))),
    "rmse": math.sqrt(float(np.mean(residual ** 2))),
    "mae": float(np.mean(np.abs(residual))),
    "r2": float(1 - np.sum(residual ** 2) / np.sum((truth - truth.mean()) ** 2)),
}
print(json.dumps(out, indent=2))
