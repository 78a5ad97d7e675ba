"""Training: posts in, what a ``Suggester`` learns from them (``Fitted``) and the facts for
its model card out. ``Suggester.fit`` is the way in."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from ..corpus.posts import Post
from ..errors import ModelError
from ..text.tokens import TokenCache, content_hash, tokenize_many
from ..workers import start_workers
from .card import ModelCard
from .config import TrainingConfig
from .conventions import categories_as_tags, learn_conventions
from .documents import learn_documents
from .fitted import Fitted, TrainingReport
from .fitting import fit_models, vectorizer_for
from .mentions import NO_MENTIONS, Mentions, tag_words
from .named_tags import NamedTags, named_rate, rate_of
from .new_tags import learn_new_tags
from .selection import Choices, choose
from .series import find_series, to_series


def fingerprint(posts: Sequence[Post]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for post in sorted(posts, key=lambda p: p.path):
        digest.update(post.path.encode())
        digest.update(content_hash(f"{post.title}\0{post.body}\0{post.categories}\0{post.tags}")
                      .encode())
    return digest.hexdigest()


@dataclass
class _Labels:
    """What there is to learn, read off the posts before any text is."""

    originals: list[Post]  # in date order
    # The same, with the tags the blog means (its categories, on a blog whose categories
    # are its tags: ``categories_as_tags``).
    tagged: list[Post]
    posts: list[Post]  # the same, a yearly series' tags as one label
    category_counts: Counter  # of each post's first category: what the model learns
    categories_used: Counter  # of every category a post carries: the blog's taxonomy
    tag_counts: Counter
    tag_labels: list[str]
    rare: dict[str, int]
    max_tags: int
    conventions: dict


def _read_labels(posts: Sequence[Post], config: TrainingConfig) -> _Labels:
    originals = sorted(posts, key=lambda p: (p.date or dt.date.min, p.path))
    if len(originals) < 2:
        raise ModelError(f"need at least 2 posts to train, got {len(originals)}")
    # A blog whose categories are its tags (``categories_as_tags``) learns them as both.
    as_tags = categories_as_tags(originals)
    tagged = [replace(p, tags=p.categories) for p in originals] if as_tags else originals
    series = find_series(tagged) if config.tag_series else frozenset()
    posts = [replace(p, tags=to_series(p.tags, series)) if series else p for p in tagged]
    category_counts = Counter(p.categories[0] for p in posts if p.categories)
    categories_used = Counter(c for p in posts for c in dict.fromkeys(p.categories))
    tag_counts = Counter(t for p in posts for t in dict.fromkeys(p.tags))
    if len(category_counts) < 2 and not tag_counts:
        raise ModelError("the posts have neither two categories nor any tags to learn")
    tag_labels = sorted(t for t, c in tag_counts.items() if c >= config.min_tag_count)
    # A blog of one-off tags still has its categories to learn.
    if tag_counts and not tag_labels and len(category_counts) < 2:
        raise ModelError(f"no tag is used at least {config.min_tag_count} times, and the "
                         "posts have fewer than two categories")
    conventions = learn_conventions(posts, category_counts, as_tags)
    return _Labels(
        originals, tagged, posts, category_counts, categories_used, tag_counts, tag_labels,
        rare={t: c for t, c in tag_counts.items() if c < config.min_tag_count},
        max_tags=config.max_tags or conventions["max_tags"], conventions=conventions)


def _named_tags(labels: _Labels, docs: Sequence, words_of: dict[str, tuple[str, ...]],
                config: TrainingConfig, threshold: float,
                has_tags: bool) -> tuple[NamedTags | None, dict]:
    """The seldom-used tags a draft's title may name (``named_tags``), if one-off tags
    are the blog's habit (``conventions``) and its newest titles carried them often enough
    to reach the tag threshold; and the figures."""
    carried, named = named_rate(labels.posts, docs, words_of, config.min_tag_count)
    rate = rate_of(carried, named)
    rare = sorted(t for t in labels.rare if words_of[t])
    used = (has_tags and bool(rare) and labels.conventions["one_off_tags"]
            and rate >= threshold)
    found = {"titles": named, "carried": carried, "rate": rate, "used": used}
    return (NamedTags(tuple(rare), tuple(words_of[t] for t in rare), rate) if used
            else None), found


def _report(labels: _Labels, choices: Choices, data_fingerprint: str,
            validation: dict) -> TrainingReport:
    dates = [p.date for p in labels.posts if p.date]
    counts = labels.tag_counts
    return TrainingReport(
        n_posts=len(labels.posts),
        category_counts=dict(labels.categories_used.most_common()),
        tag_counts={t: counts[t] for t in sorted(labels.tag_labels, key=lambda t: -counts[t])},
        rare_tags=dict(sorted(labels.rare.items(), key=lambda kv: -kv[1])),
        tag_threshold=choices.tag_threshold,
        max_tags=labels.max_tags,
        validation=validation,
        fingerprint=data_fingerprint,
        date_range=(str(min(dates)) if dates else None, str(max(dates)) if dates else None),
        half_life_days={"category": choices.category.half_life_days,
                        "tags": choices.tags.half_life_days},
        conventions=labels.conventions,
    )


def fit(
    posts: Sequence[Post],
    config: TrainingConfig,
    *,
    cache: TokenCache | None = None,
    n_jobs: int = 1,
    progress=None,
    previous: ModelCard | None = None,
) -> Fitted:
    """What a suggester learns from ``posts`` (see ``Suggester.fit``)."""
    labels = _read_labels(posts, config)
    start_workers(n_jobs)  # they start up while the posts are read from the cache
    boilerplate, docs = learn_documents(labels.posts, config.max_chars, cache=cache,
                                        n_jobs=n_jobs, progress=progress)
    every = list(labels.tag_counts)  # the rare tags too, for ``named_tags``
    words_of = dict(zip(every, tag_words(every, tokenize_many(every, cache=cache)),
                        strict=True))
    words = [words_of[t] for t in labels.tag_labels]
    # Counted once: each validation window's vectorizer and the final one are fitted from
    # the counts (a count of 2,000 posts takes a second).
    vectorizer = vectorizer_for(config)
    counts = vectorizer.count(docs)
    # Fitted before choosing: posts with no words to learn from are told of as a whole,
    # not as the first validation window.
    X = vectorizer.fit_counts(counts, len(docs))
    choices = choose(docs, counts, labels.posts, labels.tag_labels, labels.max_tags, config,
                     previous, n_jobs, Mentions(words))
    with ThreadPoolExecutor(1) as pool:
        # Hashing every post for the card takes a while: done while the models fit.
        data_fingerprint = pool.submit(fingerprint, labels.originals)
        models = fit_models(X, labels.posts, labels.tag_labels, choices.category, choices.tags,
                            n_jobs, choices.calibration["categories"])
    named, found = _named_tags(labels, docs, words_of, config, choices.tag_threshold,
                               models.tag_model is not None)
    new_tags, new_found = learn_new_tags(labels.tagged)
    return Fitted(
        boilerplate=boilerplate, vectorizer=vectorizer, category_model=models.category_model,
        category_labels=models.category_labels, tag_model=models.tag_model,
        tag_labels=labels.tag_labels, tag_threshold=choices.tag_threshold,
        max_tags=labels.max_tags, neighbours=models.neighbours,
        tag_mix=choices.tags.tag_mix if models.neighbours is not None else 1.0,
        plain_tag_model=models.plain_tag_model,
        tag_blend=choices.tags.tag_blend if models.plain_tag_model is not None else 0.0,
        tag_calibration=tuple(choices.calibration["tags"]),
        tag_words=tuple(words),
        tag_mentions=tuple(choices.calibration.get("mentions", NO_MENTIONS)),
        named_tags=named, new_tags=new_tags,
        report=_report(labels, choices, data_fingerprint.result(),
                       {**choices.validation, "named_tags": found, "new_tags": new_found}))
