"""Tag scores and the tags chosen from them."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import numpy as np

from .linear import IDENTITY_PLATT, calibrate
from .neighbours import PostIndex


def mixed_tag_scores(tag_model, neighbours: PostIndex | None, tag_mix: float, X,
                     plain=None, blend: float = 0.0,
                     calibration: tuple[float, float] = IDENTITY_PLATT,
                     shift: np.ndarray | None = None) -> np.ndarray:
    """``tag_mix`` times the tag model's probabilities plus the rest times the neighbours'
    votes (the model's alone without neighbours or with ``tag_mix`` 1); of that,
    ``1 - blend``, plus ``blend`` times the ``plain`` model's scores, when there is one;
    made probabilities by ``calibration`` (Platt's a, b), which keeps their order, and
    ``shift`` (the tags' mentions, see ``mentions``) added to their log-odds."""
    scores = tag_model.predict_proba(X)
    if neighbours is not None and tag_mix < 1:
        scores = tag_mix * scores + (1 - tag_mix) * neighbours.votes(X)
    if plain is not None:
        scores = (1 - blend) * scores + blend * plain.predict_proba(X)
    return calibrate(scores, calibration, shift)


def choose_tags(scores: np.ndarray, threshold: float, min_tags: int, max_tags: int) -> list[int]:
    """Indices of the tags scoring at least ``threshold``, best first, at most
    ``max_tags``; the best ``min_tags`` when fewer pass."""
    order = np.argsort(-scores, kind="stable")
    chosen = [i for i in order[:max_tags] if scores[i] >= threshold]
    if len(chosen) < min(min_tags, max_tags):
        chosen = list(order[: min(min_tags, max_tags)])
    return chosen


def ndcg(ranked: Sequence, gold: Collection, k: int = 5) -> float:
    """NDCG@k of a ranking against the gold labels (binary relevance; ``gold`` not empty)."""
    dcg = sum(1 / math.log2(i + 2) for i, label in enumerate(ranked[:k]) if label in gold)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(gold))))
    return dcg / ideal
