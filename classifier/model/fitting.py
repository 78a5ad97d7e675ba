"""Fitting the models on a feature matrix: categories, tags, the similar posts' index."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from ..corpus.posts import Post
from .config import TrainingConfig
from .estimators import TagClassifier
from .features import DocumentVectorizer
from .neighbours import PostIndex

# The newest posts, for prior shift: 5% of them, at least 20 (posts are in date order).
RECENT_SHARE, RECENT_MIN = 0.05, 20


def recency_weights(posts: Sequence[Post], half_life_days: float | None) -> np.ndarray:
    """Exponential decay by age relative to the newest post; undated posts weigh as the oldest."""
    if not half_life_days:
        return np.ones(len(posts))
    dates = [p.date for p in posts if p.date]
    if not dates:
        return np.ones(len(posts))
    newest, oldest = max(dates), min(dates)
    ages = np.array([(newest - (p.date or oldest)).days for p in posts], dtype=float)
    return 0.5 ** (ages / half_life_days)


def label_matrix(posts: Sequence[Post], labels: list[str]) -> np.ndarray:
    index = {t: j for j, t in enumerate(labels)}
    Y = np.zeros((len(posts), len(labels)), dtype=int)
    for i, post in enumerate(posts):
        for tag in post.tags:
            if tag in index:
                Y[i, index[tag]] = 1
    return Y


@dataclass(frozen=True)
class HalfLives:
    """Recency half-lives in days (None: no weighting), one per model: categories and
    tags drift at their own pace."""

    category: float | None
    tags: float | None


@dataclass
class Models:
    category_model: LogisticRegression | None
    category_labels: list[str]
    tag_model: TagClassifier | None
    neighbours: PostIndex | None


def _fit_category(X, posts: Sequence[Post], config: TrainingConfig,
                  half_life: float | None) -> LogisticRegression | None:
    labelled = [i for i, p in enumerate(posts) if p.categories]
    cats = [posts[i].categories[0] for i in labelled]
    if len(set(cats)) < 2:
        return None
    weights = recency_weights(posts, half_life)
    model = LogisticRegression(C=config.category_C, class_weight="balanced", max_iter=2000)
    return model.fit(X[labelled], cats, sample_weight=weights[labelled])


def fit_models(X, posts: Sequence[Post], tag_labels: list[str], config: TrainingConfig,
                half_life: HalfLives, n_jobs: int = 1) -> Models:
    # The category model fits in a thread while the tag models fit. One BLAS
    # thread: with the cores taken, OpenBLAS's threads wait for each other on every
    # vector operation of its L-BFGS (6 s instead of 0.6 s on allforces).
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(1) as pool:
        category = pool.submit(_fit_category, X, posts, config, half_life.category)
        tag_model = neighbours = None
        if tag_labels:
            Y, weights = label_matrix(posts, tag_labels), recency_weights(posts, half_life.tags)
            tag_model = TagClassifier(C=config.tag_C, class_weight=config.tag_class_weight,
                                      n_jobs=n_jobs, prior_shift=config.tag_prior_shift,
                                      recent_share=RECENT_SHARE, recent_min=RECENT_MIN,
                                      coef_dtype="float32")
            tag_model.fit(X, Y, sample_weight=weights)
            if config.tag_neighbours and config.tag_mix < 1:
                neighbours = PostIndex(X, Y, weights, [p.title for p in posts],
                                       k=config.tag_neighbours)
        category_model = category.result()
    labels = [str(c) for c in category_model.classes_] if category_model is not None else []
    return Models(category_model, labels, tag_model, neighbours)


def vectorizer_for(config: TrainingConfig) -> DocumentVectorizer:
    return DocumentVectorizer(title_weight=config.title_weight, min_df=config.min_df,
                              max_df=config.max_df, ngram_range=config.ngram_range)
