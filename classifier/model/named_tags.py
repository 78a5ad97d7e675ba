"""Tags used too seldom to learn, suggested when a draft's title names them.

A tag the blog has used fewer than ``min_tag_count`` times is no label of the tag model:
one post is too few to learn from. Yet on a blog of many one-off tags a title that names
one very often carries it (mamezou: 「Moodle 4.4をAmazon EC2にインストールする」 and the tag
`moodle`). Such a tag gets the share of the titles that carried it, counted as each of the
newest posts met it (the tags used before it, its title's tokens), and is suggested
only where that share reaches the blog's tag threshold, as any tag is chosen.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..corpus.posts import Post
from .features import Document
from .mentions import Mentions

# The newest share of the posts the rate is counted on: the newest habits count.
RATE_SHARE = 0.15
# Titles added to the count, none carrying the tag: a rate from a handful of titles
# stays low (lacolaco: 7 of 8 titles carried theirs, so 7 / 10).
PRIOR_TITLES = 2


@dataclass(frozen=True)
class NamedTags:
    """The seldom-used tags (their labels, and each label's words as the tokenizer reads
    it) and the score a title's naming one gives it."""

    labels: tuple[str, ...]
    words: tuple[tuple[str, ...], ...]
    rate: float

    @functools.cached_property
    def _mentions(self) -> Mentions:
        return Mentions(self.words)

    def named(self, doc: Document) -> list[str]:
        """The labels ``doc``'s title names."""
        title, _ = self._mentions([doc])
        return [self.labels[j] for j in title[0].nonzero()[0]]


def named_rate(posts: Sequence[Post], docs: Sequence[Document],
               words: dict[str, tuple[str, ...]], min_count: int) -> tuple[int, int]:
    """(titles that carried the tag they named, titles that named one) among the newest
    ``RATE_SHARE`` of ``posts`` (in date order, ``docs`` theirs): a title names a tag used
    before it, but fewer than ``min_count`` times (``words``: every tag's)."""
    labels = list(words)
    first = int(len(posts) * (1 - RATE_SHARE))
    title, _ = Mentions([words[t] for t in labels])(docs[first:])
    used: Counter = Counter()
    carried = named = 0
    for n, post in enumerate(posts):
        if n >= first:
            for j in title[n - first].nonzero()[0]:
                if 0 < used[labels[j]] < min_count:
                    named += 1
                    carried += labels[j] in post.tags
        used.update(dict.fromkeys(post.tags, 1))
    return carried, named


def rate_of(carried: int, named: int) -> float:
    return round(carried / (named + PRIOR_TITLES), 4)
