"""The post index: neighbours' tag votes, a post never voting for itself, similar titles."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import normalize

from classifier.neighbours import PostIndex

# Four posts over three terms (rows L2-normalized, as TF-IDF gives them), two tags.
X = normalize(np.array([[1.0, 0, 0], [0.9, 0.1, 0], [0, 1.0, 0], [0, 0.2, 1.0]]))
Y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
TITLES = ["京都の寺", "京都と奈良", "奈良の鹿", "大阪の食"]


def index(k: int = 2, weights=None) -> PostIndex:
    return PostIndex(X, Y, np.ones(4) if weights is None else weights, TITLES, k=k)


def test_votes_are_the_neighbours_weighted_share():
    query = normalize(np.array([[1.0, 0.05, 0]]))
    votes = index(k=2).votes(query)
    sims = (query @ X[:2].T)[0]
    expected = sims @ Y[:2] / sims.sum()
    assert votes.shape == (1, 2)
    np.testing.assert_allclose(votes[0], expected, rtol=1e-5)
    assert ((0 <= votes) & (votes <= 1)).all()


def test_recency_weights_scale_the_votes():
    query = normalize(np.array([[1.0, 0.05, 0]]))
    # The second post (both tags) weighs ten times the first (tag 0 only).
    votes = index(k=2, weights=np.array([0.1, 1.0, 1.0, 1.0])).votes(query)[0]
    plain = index(k=2).votes(query)[0]
    assert votes[1] > plain[1]
    assert votes[0] == pytest.approx(1.0)


def test_a_post_never_votes_for_itself():
    votes = index(k=1).votes(X[2:3])  # post 2 itself: its nearest other post is post 3
    np.testing.assert_allclose(votes[0], Y[3])
    assert "奈良の鹿" not in [title for title, _ in index(k=3).similar(X[2:3], 3)]


def test_a_draft_like_no_post_gets_no_votes():
    votes = index().votes(np.array([[0.0, 0.0, 0.0]]))
    assert (votes == 0).all()


def test_similar_lists_titles_most_similar_first():
    similar = index(k=3).similar(normalize(np.array([[1.0, 0.3, 0]])), 2)
    assert [title for title, _ in similar] == ["京都と奈良", "京都の寺"]
    assert similar[0][1] >= similar[1][1] > 0


def test_k_larger_than_the_index_uses_every_post():
    votes = index(k=50).votes(normalize(np.array([[1.0, 1.0, 1.0]])))
    assert votes.shape == (1, 2)
