"""Reference values for test/unit/evaluation.test.ts, computed with scikit-learn 1.2.1 (Debian 12).

Run: /usr/bin/python3 test/reference/evaluation_reference.py
Every task scores the same 40 rows, x = (i - 20) / 4, with a one-weight network whose outputs are known exactly:
regression predicts 10 + 2x, binary P(positive) = sigmoid(x), multiclass softmax([-x, 1, 1.5x]) (no ties: float32 would break them). Labels are
deterministic formulas, repeated in the TypeScript test. A 41st row (binary, multiclass) has a class the model never
saw: it must be left out; regression must score every row, those below the training mean included.
"""
import json
import math

import numpy as np
from sklearn.metrics import (accuracy_score, f1_score, log_loss, mean_absolute_error, mean_squared_error,
                             precision_score, r2_score, recall_score, roc_auc_score)

n = 40
x = np.array([(i - 20) / 4 for i in range(n)])

reg_truth = np.array([10 + 2 * x[i] + (((i * 7) % 5) - 2) * 0.5 for i in range(n)])
reg_pred = 10 + 2 * x

bin_truth = np.array([1 if x[i] + (((i * 3) % 7) - 3) * 0.4 > 0 else 0 for i in range(n)])
p = 1 / (1 + np.exp(-x))
bin_pred = (p >= 0.5).astype(int)

def cls(i):
    t = x[i] + (((i * 5) % 9) - 4) * 0.3
    return 0 if t < -1.5 else (1 if t < 1.5 else 2)
multi_truth = np.array([cls(i) for i in range(n)])
logits = np.stack([-x, np.ones(n), 1.5 * x], axis=1)
probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
multi_pred = probs.argmax(axis=1)

out = {
    "regression": {
        "rmse": math.sqrt(mean_squared_error(reg_truth, reg_pred)),
        "mae": mean_absolute_error(reg_truth, reg_pred),
        "r2": r2_score(reg_truth, reg_pred),
        "rows_below_mean": int((reg_truth < reg_truth.mean()).sum()),
    },
    "binary": {
        "accuracy": accuracy_score(bin_truth, bin_pred),
        "precision": precision_score(bin_truth, bin_pred),
        "recall": recall_score(bin_truth, bin_pred),
        "f1": f1_score(bin_truth, bin_pred),
        "roc_auc": roc_auc_score(bin_truth, p),
        "log_loss": log_loss(bin_truth, p),
    },
    "multiclass": {
        "accuracy": accuracy_score(multi_truth, multi_pred),
        "precision": precision_score(multi_truth, multi_pred, average="macro"),
        "recall": recall_score(multi_truth, multi_pred, average="macro"),
        "f1": f1_score(multi_truth, multi_pred, average="macro"),
        "roc_auc": roc_auc_score(multi_truth, probs, multi_class="ovr", average="macro"),
        "log_loss": log_loss(multi_truth, probs),
    },
}
print(json.dumps(out, indent=2))
