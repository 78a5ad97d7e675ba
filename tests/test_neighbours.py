"""The post index: neighbours' tag votes, a post never voting for itself, similar titles."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import normalize

from bunrui.classifier.model.neighbours import PostIndex

# Four posts over three terms (rows L2-normalized, as TF-IDF gives them), two tags.
X = normalize(np.array([[1.0, 0.2, 0], [0.6, 0.6, 0], [0, 1.0, 0.3], [0, 0.2, 1.0]]))
Y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
TITLES = ["京都の寺", "京都と奈良", "奈良の鹿", "大阪の食"]


def index(k: int = 2, weights=None) -> PostIndex:
    return PostIndex(X, Y, np.ones(4) if weights is None else weights, TITLES, k=k)


QUERY = normalize(np.array([[1.0, 0.8, 0.6]]))  # nearest: posts 0 and 1


def test_votes_are_the_neighbours_weighted_share():
    votes = index(k=2).votes(QUERY)
    sims = (QUERY @ X[:2].T)[0]
    assert sims.min() > (QUERY @ X[2:].T).max()
    expected = sims @ Y[:2] / sims.sum()
    assert votes.shape == (1, 2)
    np.testing.assert_allclose(votes[0], expected, rtol=1e-5)
    assert ((0 <= votes) & (votes <= 1)).all()


def test_recency_weights_scale_the_votes():
    # The second post (both tags) weighs ten times the first (tag 0 only).
    votes = index(k=2, weights=np.array([0.1, 1.0, 1.0, 1.0])).votes(QUERY)[0]
    plain = index(k=2).votes(QUERY)[0]
    assert votes[1] > plain[1]
    assert votes[0] == pytest.approx(1.0)


@pytest.mark.parametrize("edit", [0.0, 0.05], ids=["as-is", "lightly-edited"])
def test_a_post_never_votes_for_itself(edit):
    # Post 2, or a version of it with a word added: its nearest other post is post 1.
    own = normalize(X[2:3] + np.array([[edit, 0, 0]]))
    votes = index(k=1).votes(own)
    np.testing.assert_allclose(votes[0], Y[1])
    assert "奈良の鹿" not in [title for title, _ in index(k=3).similar(own, 3)]


def test_a_draft_like_no_post_gets_no_votes():
    votes = index().votes(np.array([[0.0, 0.0, 0.0]]))
    assert (votes == 0).all()


def test_similar_lists_titles_most_similar_first():
    similar = index(k=3).similar(normalize(np.array([[0.5, 1.0, 0.1]])), 2)
    assert [title for title, _ in similar] == ["京都と奈良", "奈良の鹿"]
    assert similar[0][1] >= similar[1][1] > 0


def test_k_larger_than_the_index_uses_every_post():
    votes = index(k=50).votes(normalize(np.array([[1.0, 1.0, 1.0]])))
    assert votes.shape == (1, 2)
