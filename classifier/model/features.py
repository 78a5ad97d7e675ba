"""Features: TF-IDF over a post's title and body tokens, the title weighted."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ..errors import ModelError

Document = tuple[Sequence[str], Sequence[str]]  # (title tokens, body tokens)


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    return tokens


def _tfidf(**fit_params) -> TfidfVectorizer:
    # Shared by fitting and restoring, so a restored vectorizer transforms as the fitted
    # one did; the ``fit_params`` (min_df, max_df, max_features) only shape a fit.
    return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, **fit_params)


class DocumentVectorizer:
    """TF-IDF over lemma tokens, with the title's tokens counted ``title_weight`` times.

    Sublinear term frequency keeps a long post's repeated words from swamping the rest;
    ``max_df`` drops words found in most posts, which say nothing of any label.
    """

    def __init__(
        self,
        title_weight: int = 3,
        min_df: int = 2,
        max_df: float = 0.8,
        ngram_range: tuple[int, int] = (1, 1),
        max_features: int | None = 30_000,
    ) -> None:
        self.title_weight = title_weight
        self.min_df = min_df
        self.max_df = max_df
        self.ngram_range = ngram_range
        self.max_features = max_features

    def _tokens(self, doc: Document) -> list[str]:
        title, body = doc
        return [*title] * self.title_weight + [*body]

    def _ngrams(self, doc: Document) -> list[str]:
        tokens = self._tokens(doc)
        lo, hi = self.ngram_range
        out = list(tokens) if lo <= 1 else []
        for n in range(max(2, lo), hi + 1):
            out += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return out

    def fit_transform(self, docs: Sequence[Document]):
        min_df = self.min_df if len(docs) > self.min_df * 5 else 1  # tiny corpora keep all
        self.tfidf_ = _tfidf(
            min_df=min_df,
            max_df=self.max_df if len(docs) >= 20 else 1.0,
            max_features=self.max_features,
        )
        self._terms = None
        try:
            X = self.tfidf_.fit_transform([self._ngrams(d) for d in docs])
        except ValueError as exc:  # scikit-learn's "empty vocabulary"
            raise ModelError("the posts hold no words to learn from (no noun, verb or "
                             f"adjective is left of their text): {exc}") from None
        # The set of every dropped term is only for introspection and would bloat the model.
        if hasattr(self.tfidf_, "stop_words_"):
            del self.tfidf_.stop_words_
        # Plain ints: scikit-learn's numpy integers are pickled one by one, which made
        # most of the time of saving a model.
        self.tfidf_.vocabulary_ = {term: int(j) for term, j in self.tfidf_.vocabulary_.items()}
        return X

    def fit(self, docs: Sequence[Document]) -> DocumentVectorizer:
        self.fit_transform(docs)
        return self

    def restore(self, terms: Sequence[str], idf: np.ndarray) -> DocumentVectorizer:
        """This vectorizer as a fit that kept ``terms`` (in feature order) with inverse
        document frequencies ``idf`` left it: what a saved model holds of a fit."""
        self.tfidf_ = _tfidf(max_features=self.max_features)
        self.tfidf_.vocabulary_ = {term: j for j, term in enumerate(terms)}
        self.tfidf_.idf_ = idf
        self._terms = np.asarray(terms, dtype=object)  # as get_feature_names_out gives them
        return self

    def transform(self, docs: Sequence[Document]):
        return self.tfidf_.transform([self._ngrams(d) for d in docs])

    @property
    def vocabulary(self):
        """Feature index -> term, for explanations."""
        # Built once: scikit-learn sorts the whole vocabulary on every call, which cost
        # more than the rest of a suggestion's explanations.
        terms = getattr(self, "_terms", None)
        if terms is None:
            terms = self._terms = self.tfidf_.get_feature_names_out()
        return terms

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_terms"}

