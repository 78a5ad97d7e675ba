"""Features: TF-IDF over a post's title and body tokens, the title weighted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import ModelError

Document = tuple[Sequence[str], Sequence[str]]  # (title tokens, body tokens)


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    return tokens


@dataclass(frozen=True)
class Counts:
    """Documents' counts of every term they hold (``terms``, in alphabetical order, the
    columns of ``matrix``)."""

    terms: np.ndarray
    matrix: sp.csr_matrix


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

    def count(self, docs: Sequence[Document]) -> Counts:
        """Every term of ``docs`` counted in each, for ``fit_counts``."""
        # Counted by Counter, numbered with set and dict operations: in C, where
        # CountVectorizer loops over every token in Python (1.2 s -> 0.5 s on allforces).
        numbers: dict[str, int] = {}
        columns: list[int] = []
        values: list[int] = []
        lengths = []
        for doc in docs:
            counted = Counter(self._ngrams(doc))
            for term in set(counted).difference(numbers):
                numbers[term] = len(numbers)
            columns += map(numbers.__getitem__, counted)
            values += counted.values()
            lengths.append(len(counted))
        if not numbers:
            raise ModelError("the posts hold no words to learn from (no noun, verb or "
                             "adjective is left of their text)")
        terms = sorted(numbers)  # columns in alphabetical order, as CountVectorizer's
        rank = np.empty(len(terms), dtype=np.int64)
        rank[[numbers[t] for t in terms]] = np.arange(len(terms))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        matrix = sp.csr_matrix((np.array(values, dtype=np.float64), rank[columns], indptr),
                               shape=(len(docs), len(terms)))
        matrix.sort_indices()
        return Counts(np.asarray(terms, dtype=object), matrix)

    def fit_counts(self, counts: Counts, rows: int) -> sp.csr_matrix:
        """Fitted on the first ``rows`` documents of ``counts``, as ``fit_transform`` on
        those alone; their TF-IDF rows. Choosing fits one per validation window from
        counts taken once."""
        from sklearn.feature_extraction.text import TfidfTransformer

        head = counts.matrix[:rows]
        # CountVectorizer's pruning: document frequency within bounds (tiny corpora keep
        # every term), then the max_features most frequent, ties as its argsort breaks them.
        low = self.min_df if rows > self.min_df * 5 else 1
        high = self.max_df * rows if rows >= 20 else rows
        df = np.bincount(head.indices, minlength=head.shape[1])
        keep = (df >= max(low, 1)) & (df <= high)
        if self.max_features is not None and keep.sum() > self.max_features:
            frequency = np.asarray(head.sum(axis=0)).ravel()
            top = np.flatnonzero(keep)[(-frequency[keep]).argsort()[: self.max_features]]
            keep = np.zeros_like(keep)
            keep[top] = True
        if not keep.any():
            raise ModelError("the posts hold no words to learn from: no term is in at least "
                             f"{low} and at most {high:g} of the {rows} posts")
        self._columns = np.flatnonzero(keep)
        kept = head[:, self._columns]
        self.restore(list(counts.terms[self._columns]),
                     TfidfTransformer(sublinear_tf=True).fit(kept).idf_)
        return self._weigh(kept)

    def transform_counts(self, counts: Counts, start: int, end: int) -> sp.csr_matrix:
        """The TF-IDF rows of documents ``start`` to ``end`` of the ``counts`` this
        vectorizer was fitted on (``fit_counts``), as ``transform`` gives them."""
        return self._weigh(counts.matrix[start:end][:, self._columns])

    def fit_transform(self, docs: Sequence[Document]) -> sp.csr_matrix:
        return self.fit_counts(self.count(docs), len(docs))

    def fit(self, docs: Sequence[Document]) -> DocumentVectorizer:
        self.fit_transform(docs)
        return self

    def restore(self, terms: Sequence[str], idf: np.ndarray) -> DocumentVectorizer:
        """This vectorizer as a fit that kept ``terms`` (in feature order) with inverse
        document frequencies ``idf`` left it: what a saved model holds of a fit."""
        self.vocabulary_ = {term: j for j, term in enumerate(terms)}
        self.idf_ = idf
        self._terms = np.asarray(terms, dtype=object)
        return self

    def transform(self, docs: Sequence[Document]) -> sp.csr_matrix:
        """Each document's terms counted, as ``TfidfVectorizer.transform`` counts them."""
        vocabulary = self.vocabulary_
        indices, counts, indptr = [], [], [0]
        for doc in docs:
            seen: dict[int, int] = {}
            for term in self._ngrams(doc):
                j = vocabulary.get(term)
                if j is not None:
                    seen[j] = seen.get(j, 0) + 1
            indices += seen.keys()
            counts += seen.values()
            indptr.append(len(indices))
        X = sp.csr_matrix((np.array(counts, dtype=np.float64), np.array(indices, dtype=np.int32),
                           np.array(indptr, dtype=np.int32)), shape=(len(docs), len(vocabulary)))
        return self._weigh(X)

    def _weigh(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """Counts to TF-IDF, in place: sublinear tf times idf, rows of unit length; the
        operations of scikit-learn's ``TfidfTransformer`` in its order, to the last bit."""
        X.sort_indices()  # a row's sum in one order, however its counts were selected
        np.log(X.data, X.data)
        X.data += 1.0
        X.data *= self.idf_[X.indices]
        norms = np.sqrt(X.multiply(X) @ np.ones(X.shape[1]))  # each row's sum in order
        X.data /= np.repeat(norms, np.diff(X.indptr))
        return X

    @property
    def vocabulary(self) -> np.ndarray:
        """Feature index -> term, for explanations."""
        return self._terms
