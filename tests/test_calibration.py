"""Margins made probabilities: Platt scaling and temperature scaling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

from bunrui.classifier.model.calibration import platt, temperature
from bunrui.classifier.model.linear import IDENTITY_PLATT, logit


def test_platt_recovers_the_scale_of_margins():
    rng = np.random.default_rng(0)
    margins = rng.normal(size=(400, 5))
    truth = (rng.random(margins.shape) < 1 / (1 + np.exp(-(4 * margins - 1)))).astype(int)
    a, b = platt(margins, truth)
    assert a == pytest.approx(4, rel=0.2) and b == pytest.approx(-1, abs=0.3)


def test_platt_without_both_outcomes_is_the_identity():
    assert platt(np.ones((3, 2)), np.zeros((3, 2), dtype=int)) == IDENTITY_PLATT


def test_temperature_sharpens_margins_that_are_too_flat():
    rng = np.random.default_rng(1)
    margins = rng.normal(size=(300, 4))
    gold = np.array([rng.choice(4, p=softmax(5 * row)) for row in margins])
    # Two parts that know their own classes, as windows may.
    t = temperature([(margins[:150], gold[:150]), (margins[150:], gold[150:])])
    assert 3 < t < 8


def test_logit_is_bounded():
    assert np.isfinite(logit(np.array([0.0, 1.0]))).all()
