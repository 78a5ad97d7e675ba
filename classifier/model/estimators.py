"""Estimators: a one-vs-rest linear model that takes sample weights, for tags."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import label_binarize
from sklearn.svm import LinearSVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..workers import run
from .linear import sigmoid


def _column_model(loss: str, C: float, class_weight, dual: bool, tol: float):
    # A fixed seed: liblinear's dual solver visits samples in a random order.
    if loss == "squared_hinge":  # LinearSVC's defaults otherwise, as the plain reference
        return LinearSVC(C=C, class_weight=class_weight, dual=dual, random_state=0)
    return LogisticRegression(C=C, class_weight=class_weight, solver="liblinear", dual=dual,
                              tol=tol, random_state=0)


def _fit_columns(X, Y, weight, C, class_weight, dual, tol,
                 loss) -> tuple[np.ndarray, np.ndarray]:
    """One linear model per column of Y: (coefficients, intercepts)."""
    coef, intercept = np.zeros((Y.shape[1], X.shape[1])), np.zeros(Y.shape[1])
    for j in range(Y.shape[1]):
        column = Y[:, j]
        if column.min() == column.max():
            prior = 1 - 1e-6 if column[0] else 1e-6
            intercept[j] = np.log(prior / (1 - prior))
            continue
        model = _column_model(loss, C, class_weight, dual, tol)
        model.fit(X, column, sample_weight=weight)
        coef[j], intercept[j] = model.coef_[0], model.intercept_[0]
    return coef, intercept


def prior_shift(Y: np.ndarray, recent: int) -> np.ndarray:
    """Per label, the log-odds of its frequency in the last ``recent`` rows of ``Y`` minus
    that in all rows (add-one smoothed): how much more likely the label is now."""
    def log_odds(rows: np.ndarray) -> np.ndarray:
        share = (rows.sum(axis=0) + 1) / (len(rows) + 2)
        return np.log(share / (1 - share))

    return log_odds(Y[-recent:]) - log_odds(Y)


class TagClassifier(ClassifierMixin, BaseEstimator):
    """Binary relevance: one L2 logistic regression per label (``loss="log"``), or one
    linear SVM (``"squared_hinge"``, its margins through the logistic function: scores
    in order, made probabilities by ``calibration.platt``).

    Takes a multi-label indicator matrix (the tag case) or a 1-D class vector (one
    column per class, argmax wins). Unlike ``OneVsRestClassifier`` it passes
    ``sample_weight`` to every label's fit (for weighting recent posts) and keeps one
    ``coef_`` matrix, so scoring is one sparse product and each score can be explained
    term by term. A label always present or always absent gets a constant score.
    """

    def __init__(self, C: float = 4.0, class_weight: str | dict | None = "balanced",
                 dual: bool | str = "auto", tol: float = 1e-2, n_jobs: int = 1,
                 prior_shift: float = 0.0, recent_share: float = 0.05, recent_min: int = 20,
                 coef_dtype: str = "float64", loss: str = "log") -> None:
        self.C = C
        self.class_weight = class_weight
        self.dual = dual
        # 1e-2 rather than liblinear's 1e-4: coefficients agree to 1e-4 of their
        # L1 norm on the allforces tags, in 60% of the time.
        self.tol = tol
        self.n_jobs = n_jobs
        # Labels drift: each label's log-odds move this far (0: not at all, 1: fully)
        # toward its frequency among the newest rows (``recent_share`` of them, at least
        # ``recent_min``; rows in date order), as in a prior-shift correction.
        self.prior_shift = prior_shift
        self.recent_share = recent_share
        self.recent_min = recent_min
        # "float32" halves a saved model; scores differ in the 7th digit.
        self.coef_dtype = coef_dtype
        self.loss = loss

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y, sample_weight=None) -> TagClassifier:
        if self.loss not in ("log", "squared_hinge"):
            raise ValueError(f"loss must be 'log' or 'squared_hinge', not {self.loss!r}")
        X, y = validate_data(self, X, y, accept_sparse="csr", multi_output=True,
                             y_numeric=False)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("a column-vector y was passed; ravelling it", DataConversionWarning,
                          stacklevel=2)
            y = y.ravel()
        check_classification_targets(y)
        self.multilabel_ = y.ndim == 2
        if self.multilabel_:
            self.classes_ = np.arange(y.shape[1])
            Y = np.asarray(y, dtype=int)
        else:
            self.classes_ = np.unique(y)
            Y = label_binarize(y, classes=self.classes_)
            if len(self.classes_) == 1:
                Y = np.ones((len(y), 1), dtype=int)
        # Column-major, so `X @ coef_.T` reads coef_.T in place: row-major made scipy copy
        # the whole matrix on every prediction (most of a suggestion's scoring time).
        self.coef_ = np.zeros((Y.shape[1], X.shape[1]), order="F")
        self.intercept_ = np.zeros(Y.shape[1])
        weight = np.ones(len(Y)) if sample_weight is None else np.asarray(sample_weight, float)
        class_weight = self.class_weight
        if isinstance(class_weight, dict):  # per-class weights become per-sample weights
            lookup = self.classes_ if not self.multilabel_ else None
            weight = weight * np.array([class_weight.get(v, 1.0) for v in (
                y if lookup is not None else Y.argmax(axis=1))])
            class_weight = None

        # liblinear's dual solver is many times faster when there are fewer posts than
        # terms (the usual case for TF-IDF) and reaches the same optimum, within tolerance.
        dual = X.shape[0] < X.shape[1] if self.dual == "auto" else bool(self.dual)

        columns = np.array_split(np.arange(Y.shape[1]), max(1, min(self.n_jobs, Y.shape[1])))
        # Processes, not threads: liblinear draws from one global random generator, which
        # fits in threads would reseed under each other.
        fitted = run(_fit_columns, [(X, Y[:, cols], weight, self.C, class_weight, dual,
                                     self.tol, self.loss) for cols in columns], self.n_jobs)
        for cols, (coef, intercept) in zip(columns, fitted, strict=True):
            self.coef_[cols] = coef
            self.intercept_[cols] = intercept
        if self.prior_shift:
            recent = max(self.recent_min, int(len(Y) * self.recent_share))
            self.intercept_ += self.prior_shift * prior_shift(Y, recent)
        self.coef_ = np.asfortranarray(self.coef_, dtype=self.coef_dtype)  # see above: order
        return self

    def decision_function(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 and not self.multilabel_ else scores

    def predict_proba(self, X):
        p = sigmoid(self.decision_function(X))
        if self.multilabel_:
            return p
        if p.ndim == 1:
            return np.column_stack([1 - p, p]) if len(self.classes_) == 2 else p[:, None] ** 0
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X):
        scores = self.decision_function(X)
        if self.multilabel_:
            return (scores > 0).astype(int)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int) if len(self.classes_) == 2 else 0]
        return self.classes_[scores.argmax(axis=1)]
