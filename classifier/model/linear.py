"""A fitted linear model as plain arrays, and its scores with NumPy alone.

Fitting needs scikit-learn; serving a fitted model does not, and importing scikit-learn
(with the SciPy it loads) took 1.7 s of every start of `bunrui check`, `suggest` and the
language server. So a fit ends in a ``LinearModel``, and so does a model loaded from disk:
the suggester scores both the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IDENTITY_PLATT = (1.0, 0.0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x, -30, 30)))


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax of a 2-D array."""
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def calibrate(scores: np.ndarray, ab: tuple[float, float],
              shift: np.ndarray | None = None) -> np.ndarray:
    """``scores`` in 0..1 as probabilities: sigmoid(a * logit(score) + b + shift), Platt's
    (a, b) as ``calibration.platt`` fits them, ``shift`` what the tags' mentions add."""
    if tuple(ab) == IDENTITY_PLATT and shift is None:
        return scores
    a, b = ab
    z = a * logit(scores) + b
    return sigmoid(z if shift is None else z + shift)


@dataclass(frozen=True, eq=False)
class LinearModel:
    """Scores ``X @ coef_.T + intercept_``, one row of ``coef_`` per label.

    ``kind`` says how scores become probabilities: "tags", each label's own sigmoid (one
    binary model per tag); "logistic" and "svm", a softmax over the classes, an SVM's
    margins first scaled by ``temperature_`` (fitted on held-out posts). A two-class model
    keeps one row, the second class's score; its softmax is the sigmoid of that score.
    """

    kind: str
    classes_: np.ndarray
    coef_: np.ndarray  # tags' column-major: X @ coef_.T reads it in place, copying nothing
    intercept_: np.ndarray
    temperature_: float = 1.0

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        scores = self.decision_function(X)
        if self.kind == "tags":
            return sigmoid(scores)
        margins = self.temperature_ * scores
        if margins.shape[1] == 1:  # two classes
            margins = np.hstack([-margins / 2, margins / 2])
        return softmax(margins)
