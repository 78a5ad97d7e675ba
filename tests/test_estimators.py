"""TagClassifier: scikit-learn's estimator checks, and multi-label fitting with sample weights."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.utils.estimator_checks import parametrize_with_checks

from bunrui.classifier.model.estimators import TagClassifier, prior_shift

# With dual="auto" the solver follows the shape of X, so a fit on repeated rows may use
# the other liblinear solver: the same optimum to liblinear's tolerance, not to 1e-7.
_SOLVER_SWITCH = "dual='auto' picks the solver by shape, tol 1e-2: equal to tolerance, not to 1e-7"


@parametrize_with_checks(
    [TagClassifier(), TagClassifier(dual=False, tol=1e-4)],
    expected_failed_checks=lambda est: (
        {"check_sample_weight_equivalence_on_dense_data": _SOLVER_SWITCH,
         "check_sample_weight_equivalence_on_sparse_data": _SOLVER_SWITCH}
        if est.dual == "auto" else {}),
)
# check_classifiers_one_label_sample_weights zeroes a class's weights, and sklearn's own
# "balanced" class-weight arithmetic then divides by zero before the check passes.
@pytest.mark.filterwarnings("ignore:divide by zero encountered in divide:RuntimeWarning")
def test_sklearn_compatible(estimator, check):
    check(estimator)


# Rows 0-1 and rows 2-3 have the same features and disagree on their labels, so only
# the sample weights can decide what those features mean.
X = sp.csr_matrix(np.array([
    [1.0, 0.0, 0.0],
    [1.0, 0.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 0.0, 1.0],
    [0.0, 0.0, 1.0],
]))
Y = np.array([
    [1, 0, 1],
    [0, 1, 1],
    [1, 0, 1],
    [0, 1, 1],
    [0, 0, 1],
    [0, 0, 1],
])


def fit(weights, **params):
    return TagClassifier(**params).fit(X, Y, sample_weight=np.array(weights, dtype=float))


def test_multilabel_shapes_and_scores():
    model = fit([1] * 6)
    assert model.multilabel_
    assert list(model.classes_) == [0, 1, 2]
    proba = model.predict_proba(X)
    assert proba.shape == (6, 3)
    assert ((proba >= 0) & (proba <= 1)).all()
    assert model.predict(X).shape == (6, 3)
    assert set(np.unique(model.predict(X))) <= {0, 1}
    assert model.coef_.shape == (3, 3)


@pytest.mark.parametrize("params", [{}, {"class_weight": None}])
def test_sample_weights_reach_every_label(params):
    first = fit([9, 1, 9, 1, 1, 1], **params).predict_proba(X)
    second = fit([1, 9, 1, 9, 1, 1], **params).predict_proba(X)
    for row in (0, 2):
        # Label 0 wins where its rows weigh most, label 1 where its rows do.
        assert first[row, 0] > first[row, 1]
        assert second[row, 1] > second[row, 0]
        assert first[row, 0] > second[row, 0]
        assert first[row, 1] < second[row, 1]
    if params.get("class_weight", "balanced") is None:
        assert first[0, 0] > 0.5 > first[0, 1]


def test_weight_two_is_a_duplicated_row():
    weighted = fit([2, 1, 1, 1, 1, 1], class_weight=None)
    rows = [0, 0, 1, 2, 3, 4, 5]
    duplicated = TagClassifier(class_weight=None).fit(X[rows], Y[rows])
    np.testing.assert_allclose(weighted.coef_, duplicated.coef_, atol=1e-3)
    np.testing.assert_allclose(weighted.intercept_, duplicated.intercept_, atol=1e-3)


def test_no_weights_is_equal_weights():
    np.testing.assert_allclose(
        TagClassifier().fit(X, Y).predict_proba(X), fit([3] * 6, C=4.0 / 3).predict_proba(X),
        atol=1e-3,
    )


def test_constant_labels_get_constant_scores():
    labels = np.column_stack([Y[:, 0], np.ones(6, dtype=int), np.zeros(6, dtype=int)])
    proba = TagClassifier().fit(X, labels).predict_proba(X)
    assert (proba[:, 1] > 0.999).all()
    assert (proba[:, 2] < 0.001).all()


def test_single_label_probabilities_sum_to_one():
    y = np.array(["a", "a", "b", "b", "c", "c"])
    model = TagClassifier().fit(X, y)
    proba = model.predict_proba(X)
    assert list(model.classes_) == ["a", "b", "c"]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(model.predict(X[[4]])) == ["c"]


def test_class_weight_dict_tilts_a_tie():
    y = np.array(["a", "b", "a", "b", "a", "b"])
    proba = TagClassifier(class_weight={"a": 5.0}).fit(X, y).predict_proba(X)
    assert (proba[:, 0] > 0.5).all()


def test_more_weight_on_recent_rows_changes_scores_smoothly():
    base = fit([1] * 6).predict_proba(X)[0, 0]
    tilted = fit([1, 0.5, 1, 0.5, 1, 1]).predict_proba(X)[0, 0]
    more = fit([1, 0.25, 1, 0.25, 1, 1]).predict_proba(X)[0, 0]
    assert base < tilted < more


def test_prior_shift_and_coefficient_type_are_parameters():
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.random((60, 8)))
    Y = (rng.random((60, 3)) < 0.3).astype(int)
    Y[-20:, 0] = 1  # label 0 is on every recent row
    plain = TagClassifier().fit(X, Y)
    shifted = TagClassifier(prior_shift=0.5, recent_share=0.05, recent_min=20,
                            coef_dtype="float32").fit(X, Y)
    assert shifted.intercept_ == pytest.approx(plain.intercept_ + 0.5 * prior_shift(Y, 20))
    assert shifted.intercept_[0] > plain.intercept_[0]
    assert shifted.coef_.dtype == np.float32 and shifted.coef_.flags.f_contiguous
    assert shifted.coef_ == pytest.approx(plain.coef_, abs=1e-6)
