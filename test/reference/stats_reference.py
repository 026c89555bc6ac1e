"""Reference values for test/unit/stats.test.ts, computed once with SciPy 1.10.1 and scikit-learn 1.2.1 (Debian 12).

Run: /usr/bin/python3 test/reference/stats_reference.py
The samples are deterministic formulas, repeated in the TypeScript test.
"""
import json
import math

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.calibration import calibration_curve

# Small samples with ties (rounded to one decimal).
a = [round(2 * math.sin(i * 1.3) + i * 0.01, 1) for i in range(40)]
b = [round(2.2 * math.cos(i * 0.7) + 0.3, 1) for i in range(55)]
ks = stats.ks_2samp(a, b, method="exact")

# Large samples: the limiting Kolmogorov distribution.
big_a = [math.sin(i * 0.37) * 3 + (i % 17) * 0.05 for i in range(6000)]
big_b = [math.sin(i * 0.41) * 3 + 0.08 + (i % 13) * 0.05 for i in range(5000)]
big = stats.ks_2samp(big_a, big_b, method="asymp")
en = len(big_a) * len(big_b) / (len(big_a) + len(big_b))
big_p_limit = stats.kstwobign.sf(math.sqrt(en) * big.statistic)

ref_counts = [120, 80, 45, 30, 0, 25]
cur_counts = [100, 95, 40, 20, 5, 40]
chi = stats.chi2_contingency(np.array([ref_counts, cur_counts]), correction=False)
js = jensenshannon(ref_counts, cur_counts, base=2)

# Scores with ties and outcomes for AUC, AP, Brier and ECE.
scores = [round((math.sin(i * 0.9) + 1) / 2, 2) for i in range(200)]
labels = [1 if (math.sin(i * 0.9) + 0.6 * math.cos(i * 2.3)) > 0.1 else 0 for i in range(200)]
prob_true, prob_pred = calibration_curve(labels, scores, n_bins=10, strategy="uniform")
bin_ids = np.searchsorted(np.linspace(0.0, 1.0, 11)[1:-1], scores)
counts = np.bincount(bin_ids, minlength=10)
nonempty = counts[counts > 0]
ece = float(np.sum(nonempty / len(scores) * np.abs(prob_true - prob_pred)))

# PSI has no SciPy function: the textbook formula in numpy, shares floored at 1e-4 as the project does.
def psi(expected, actual, eps=1e-4):
    p = np.maximum(np.asarray(expected, float) / np.sum(expected), eps)
    q = np.maximum(np.asarray(actual, float) / np.sum(actual), eps)
    return float(np.sum((q - p) * np.log(q / p)))

print(json.dumps({
    "psi": psi(ref_counts, cur_counts),
    "ks_exact": {"statistic": ks.statistic, "pvalue": ks.pvalue},
    "ks_asymptotic": {"statistic": big.statistic, "pvalue_kstwobign": big_p_limit},
    "kstwobign_sf": {str(x): stats.kstwobign.sf(x) for x in [0.3, 0.5, 0.9, 1.0, 1.36, 2.0]},
    "chi2": {"statistic": chi[0], "pvalue": chi[1], "dof": int(chi[2])},
    "chi2_sf": {"7.5_3": stats.chi2.sf(7.5, 3), "0.2_1": stats.chi2.sf(0.2, 1), "45_20": stats.chi2.sf(45, 20)},
    "jensenshannon_base2": js,
    "wasserstein": stats.wasserstein_distance(a, b),
    "wasserstein_big": stats.wasserstein_distance(big_a, big_b),
    "roc_auc": roc_auc_score(labels, scores),
    "average_precision": average_precision_score(labels, scores),
    "brier": brier_score_loss(labels, scores),
    "ece": ece,
}, indent=2))
