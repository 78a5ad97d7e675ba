"""Mentions: where a tag's own words stand in a draft, in its title or its body.

A draft that names a tag (「京都の紅葉」 and the tag 京都) very often carries it. The linear
models learn this only through the posts that carried the tag, word by word; a mention says
it at once, for a tag of two posts as for one of two hundred. How much a mention counts is
learned per blog on the validation windows, with the calibration (``calibration.platt``):
on a blog whose tags are rarely named in the text it counts for little.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .features import Document
from .series import YEAR

NO_MENTIONS = (0.0, 0.0)  # the weights of a mention in the title, in the body: none


class Mentions:
    """Finds each tag's words, as the tokenizer reads its label (``words``, one tuple per
    tag, in the order of the model's tags; an empty one is never found), as a run of a
    document's tokens: 京都 is in 「京都 紅葉」, not in 「東京 都」."""

    def __init__(self, words: Sequence[Sequence[str]]) -> None:
        self.words = [tuple(w) for w in words]
        self._starting: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for j, run in enumerate(self.words):
            if run:
                self._starting.setdefault(run[0], []).append((j, run))

    def _count(self, tokens: Sequence[str], row: np.ndarray) -> None:
        tokens = list(tokens)
        for i, token in enumerate(tokens):
            for j, run in self._starting.get(token, ()):
                if len(run) == 1 or tuple(tokens[i:i + len(run)]) == run:
                    row[j] += 1

    def shift(self, docs: Sequence[Document], weights: Sequence[float]) -> np.ndarray | None:
        """What the mentions add to each tag's log-odds (``weights``: of a mention in the
        title, in the body); None when they add nothing."""
        if not any(weights):
            return None
        title, body = self(docs)
        return weights[0] * title + weights[1] * body

    def __call__(self, docs: Sequence[Document]) -> tuple[np.ndarray, np.ndarray]:
        """(in the title, in the body), arrays of documents × tags: 1 for a tag the title
        names, else 0; how much the body names a tag beside the tag it names most, from 0
        to 1 (log(1 + times) over the most's): a news blog's post names many tags in
        passing, and only the ones it is about often."""
        title = np.zeros((len(docs), len(self.words)))
        body = np.zeros_like(title)
        for i, (title_tokens, body_tokens) in enumerate(docs):
            self._count(title_tokens, title[i])
            self._count(body_tokens, body[i])
        body = np.log1p(body)
        most = body.max(axis=1, keepdims=True) if len(self.words) else body
        return np.minimum(title, 1.0), np.divide(body, most, out=np.zeros_like(body),
                                                 where=most > 0)


def tag_words(labels: Sequence[str], tokens: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    """Each tag's words (``tokens``: its label as the tokenizer reads it); none for a
    yearly series' label (``advent{year}``), which no draft spells so."""
    return [() if YEAR in label else tuple(words)
            for label, words in zip(labels, tokens, strict=True)]
