"""Margins made probabilities, fitted on the validation windows.

A linear SVM ranks well but its margins are no probabilities: read through the logistic
function as they are, a sure tag scores 0.73 and a hopeless one 0.27, so a threshold of
``check`` (a missing tag at least 0.995 probable) could never be met and a blend with a
logistic model's probabilities would weigh them wrongly. Platt scaling (tags) and
temperature scaling (categories) fitted on held-out predictions fix the scale, not the
order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit, log_softmax

from .linear import IDENTITY_PLATT

# The ridge on the extra features' weights: against the posts' thousands of (post, tag)
# pairs it only keeps a weight finite when a feature never misses.
EXTRA_RIDGE = 1.0


def platt(margins: np.ndarray, truth: np.ndarray,
          extra: Sequence[np.ndarray] = ()) -> tuple[float, ...]:
    """(a, b, *w) with sigmoid(a * margin + b + w · extra) the probability of the label,
    fitted on every (post, tag) pair of ``margins`` against ``truth`` (0/1, the same
    shape); ``extra``: more features of each pair (the tags' mentions), the same shape,
    whose weights are never below 0 (one that would be is left out, as 0): a tag named in
    a draft is never the less likely for it, whatever a few windows say.
    """
    weights = _platt(margins, truth, extra)
    while any(w < 0 for w in weights[2:]):
        kept = [np.zeros_like(e) if w <= 0 else e for e, w in zip(extra, weights[2:],
                                                                  strict=True)]
        weights = _platt(margins, truth, kept)
    return weights


def _platt(margins: np.ndarray, truth: np.ndarray,
           extra: Sequence[np.ndarray]) -> tuple[float, ...]:
    """``platt``, the extra weights of any sign.

    Platt's method: Newton steps on the log loss against his smoothed targets, which keep
    ``a`` finite when the margins separate the labels (as on a small blog's windows); the
    extra weights have a small ridge, for a feature that every positive pair has.
    Written out rather than a LogisticRegression, each sum with ``np.sum``: the fit is the
    same on every run, to the last bit, whatever the BLAS threads.
    """
    y = truth.reshape(-1)
    positives = int(y.sum())
    if positives in (0, len(y)):
        return IDENTITY_PLATT + (0.0,) * len(extra)
    columns = [margins.reshape(-1).astype(float), np.ones(len(y)),
               *(e.reshape(-1).astype(float) for e in extra)]
    k = len(columns)
    ridge = np.array([0.0, 0.0] + [EXTRA_RIDGE] * len(extra))
    target = np.where(y > 0, (positives + 1) / (positives + 2),
                      1 / (len(y) - positives + 2))

    def linear(theta: np.ndarray) -> np.ndarray:
        z = theta[0] * columns[0] + theta[1]
        for weight, column in zip(theta[2:], columns[2:], strict=True):
            z = z + weight * column
        return z

    def loss(theta: np.ndarray) -> float:
        z = linear(theta)
        return float(np.sum(np.logaddexp(0, z) - target * z) + np.sum(ridge * theta ** 2) / 2)

    theta = np.array([*IDENTITY_PLATT] + [0.0] * len(extra))
    current = loss(theta)
    for _ in range(100):
        p = expit(linear(theta))
        w = np.maximum(p * (1 - p), 1e-12)
        gradient = np.array([np.sum((p - target) * c) for c in columns]) + ridge * theta
        hessian = np.diag(ridge)
        for i in range(k):
            for j in range(i, k):
                hessian[i, j] = hessian[j, i] = hessian[i, j] + np.sum(w * columns[i] * columns[j])
        step = np.linalg.solve(hessian + 1e-9 * np.eye(k), gradient)
        # Backtracking: a full Newton step can overshoot far from the optimum.
        size = 1.0
        while size > 1e-10 and loss(theta - size * step) > current:
            size /= 2
        if size <= 1e-10:
            break
        theta = theta - size * step
        current = loss(theta)
        if np.abs(size * step).max() < 1e-9:
            break
    return tuple(round(float(t), 6) for t in theta)


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
