"""The vectorizer: TF-IDF as scikit-learn's, and fitted from counts taken once as on the
documents alone (choosing fits one per validation window that way)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from bunrui.classifier.errors import ModelError
from bunrui.classifier.model.features import DocumentVectorizer

WORDS = ["京都", "紅葉", "python", "寺", "旅", "カメラ", "写真", "秋"]

documents = st.lists(
    st.tuples(st.lists(st.sampled_from(WORDS), max_size=3),
              st.lists(st.sampled_from(WORDS), min_size=1, max_size=12)),
    min_size=2, max_size=40)


def _same(a, b) -> None:
    assert a.shape == b.shape
    assert np.array_equal(a.toarray(), b.toarray())


@settings(max_examples=60, deadline=None)
@given(docs=documents, cut=st.floats(0.05, 1.0), limit=st.sampled_from([None, 3]),
       min_df=st.sampled_from([1, 2]), max_df=st.sampled_from([0.5, 0.95, 1.0]))
def test_a_fit_from_shared_counts_is_a_fit_on_the_head_alone(docs, cut, limit, min_df, max_df):
    rows = max(1, int(len(docs) * cut))
    params = {"min_df": min_df, "max_df": max_df, "max_features": limit}
    alone = DocumentVectorizer(**params)
    try:
        expected = alone.fit_transform(docs[:rows])
    except ModelError:
        with pytest.raises(ModelError):
            shared = DocumentVectorizer(**params)
            shared.fit_counts(shared.count(docs), rows)
        return
    shared = DocumentVectorizer(**params)
    counts = shared.count(docs)
    _same(shared.fit_counts(counts, rows), expected)
    assert shared.vocabulary_ == alone.vocabulary_
    assert np.array_equal(shared.idf_, alone.idf_)
    _same(shared.transform_counts(counts, rows, len(docs)), alone.transform(docs[rows:]))


def test_tf_idf_is_scikit_learns():
    docs = [(["京都", "紅葉"], ["寺", "寺", "紅葉", "秋"]), (["python"], ["写真", "python", "旅"]),
            (["旅"], ["京都", "旅", "カメラ", "秋"]), ([], ["寺", "写真", "秋", "秋"]),
            (["京都"], ["一度"])] * 5  # 秋, in 3 of 5, goes above max_df; 一度 stays
    ours = DocumentVectorizer(title_weight=2, min_df=2, max_df=0.5)
    theirs = TfidfVectorizer(analyzer=lambda tokens: tokens, sublinear_tf=True, min_df=2,
                             max_df=0.5)
    flat = [[*title, *title, *body] for title, body in docs]
    np.testing.assert_allclose(ours.fit_transform(docs).toarray(),
                               theirs.fit_transform(flat).toarray(), rtol=0, atol=1e-15)
    assert ours.vocabulary_ == theirs.vocabulary_ and "秋" not in ours.vocabulary_
    np.testing.assert_allclose(ours.transform(docs[:2]).toarray(),
                               theirs.transform(flat[:2]).toarray(), rtol=0, atol=1e-15)


def test_posts_with_no_words_are_a_model_error():
    with pytest.raises(ModelError, match="no words"):
        DocumentVectorizer().fit_transform([([], []), ([], [])])
