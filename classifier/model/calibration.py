"""Margins made probabilities, fitted on the validation windows.

A linear SVM ranks well but its margins are no probabilities: read through the logistic
function as they are, a sure tag scores 0.73 and a hopeless one 0.27, so a threshold of
``check`` (a missing tag at least 0.995 probable) could never be met and a blend with a
logistic model's probabilities would weigh them wrongly. Platt scaling (tags) and
temperature scaling (categories) fitted on held-out predictions fix the scale, not the
order.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_softmax

from .linear import IDENTITY_PLATT


def platt(margins: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(a, b) with sigmoid(a * margin + b) the probability of the label, fitted on every
    (post, tag) pair of ``margins`` against ``truth`` (0/1, the same shape).

    Platt's method: Newton steps on the log loss against his smoothed targets, which keep
    ``a`` finite when the margins separate the labels (as on a small blog's windows).
    Written out rather than a LogisticRegression: the fit is the same on every run, to
    the last bit, whatever the BLAS threads.
    """
    x, y = margins.reshape(-1).astype(float), truth.reshape(-1)
    positives = int(y.sum())
    if positives in (0, len(y)):
        return IDENTITY_PLATT
    target = np.where(y > 0, (positives + 1) / (positives + 2),
                      1 / (len(y) - positives + 2))
    def loss(a: float, b: float) -> float:
        z = a * x + b
        return float(np.sum(np.logaddexp(0, z) - target * z))

    a, b = IDENTITY_PLATT
    current = loss(a, b)
    for _ in range(100):
        p = expit(a * x + b)
        w = np.maximum(p * (1 - p), 1e-12)
        gradient = np.array([np.sum((p - target) * x), np.sum(p - target)])
        hessian = np.array([[np.sum(w * x * x), np.sum(w * x)], [np.sum(w * x), np.sum(w)]])
        step = np.linalg.solve(hessian + 1e-9 * np.eye(2), gradient)
        # Backtracking: a full Newton step can overshoot far from the optimum.
        size = 1.0
        while size > 1e-10 and loss(a - size * step[0], b - size * step[1]) > current:
            size /= 2
        if size <= 1e-10:
            break
        a, b = a - size * step[0], b - size * step[1]
        current = loss(a, b)
        if np.abs(size * step).max() < 1e-9:
            break
    return round(float(a), 6), round(float(b), 6)


def temperature(parts: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """The t that makes softmax(t * scores) most likely for the gold classes, over
    ``parts`` of (scores, gold class index of each row); a row's scores count up to a
    constant, as margins do, and each part may know other classes.

    The gold class is smoothed as Platt's targets are (1 - 1/(n + 2), the rest shared by
    the other classes), which keeps t finite when the windows are all predicted right.
    """
    n = sum(len(gold) for _, gold in parts)
    smoothing = 1 / (n + 2)
    best, best_ll = 1.0, -np.inf
    for t in np.geomspace(0.1, 100, 61):
        ll = 0.0
        for scores, gold in parts:
            logs = log_softmax(t * scores, axis=1)
            rows = np.arange(len(gold))
            others = (logs.sum(axis=1) - logs[rows, gold]) / max(1, logs.shape[1] - 1)
            ll += ((1 - smoothing) * logs[rows, gold] + smoothing * others).sum()
        if ll > best_ll:
            best, best_ll = float(t), ll
    return round(best, 4)
