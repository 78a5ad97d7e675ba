"""Fitting the models on a feature matrix: categories, tags, the similar posts' index."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from ..corpus.posts import Post
from .config import PLAIN_TAGS, TrainingConfig
from .estimators import TagClassifier
from .features import DocumentVectorizer
from .linear import LinearModel
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


@dataclass
class Models:
    category_model: LinearModel | None
    category_labels: list[str]
    tag_model: LinearModel | None
    neighbours: PostIndex | None
    plain_tag_model: LinearModel | None  # blended in, when tag_blend is set


def _linear(model: TagClassifier) -> LinearModel:
    """A fitted tag model as the arrays it scores with."""
    return LinearModel("tags", model.classes_, model.coef_, model.intercept_)


def _fit_category(X, posts: Sequence[Post], config: TrainingConfig,
                  temperature: float) -> LinearModel | None:
    labelled = [i for i, p in enumerate(posts) if p.categories]
    cats = [posts[i].categories[0] for i in labelled]
    if len(set(cats)) < 2:
        return None
    weights = recency_weights(posts, config.half_life_days)
    if config.linear_model == "svm":  # its margins read through ``temperature``
        model = LinearSVC(C=config.category_C, class_weight="balanced", random_state=0)
    else:
        model, temperature = LogisticRegression(C=config.category_C, class_weight="balanced",
                                                max_iter=2000), 1.0
    model.fit(X[labelled], cats, sample_weight=weights[labelled])
    return LinearModel(config.linear_model, model.classes_, model.coef_, model.intercept_,
                       temperature)


def _tag_model(config: TrainingConfig, n_jobs: int) -> TagClassifier:
    return TagClassifier(C=config.tag_C, class_weight=config.tag_class_weight, n_jobs=n_jobs,
                         prior_shift=config.tag_prior_shift, recent_share=RECENT_SHARE,
                         recent_min=RECENT_MIN, coef_dtype="float32",
                         loss="squared_hinge" if config.linear_model == "svm" else "log")


def _fit_tags(config: TrainingConfig, n_jobs: int, X, Y, weights) -> LinearModel:
    with warnings.catch_warnings():
        # One tag (a blog that tags a few posts one way): scikit-learn's convention reads
        # a one-column Y as one target, with a warning; the model is the same.
        warnings.simplefilter("ignore", DataConversionWarning)
        return _linear(_tag_model(config, n_jobs).fit(X, Y, sample_weight=weights))


def fit_models(X, posts: Sequence[Post], tag_labels: list[str], category: TrainingConfig | None,
               tags: TrainingConfig, n_jobs: int = 1, temperature: float = 1.0) -> Models:
    """The category model as ``category`` sets it (an SVM's margins times
    ``temperature``; None: no category model), the tag model and neighbours as ``tags``
    does (each with a numeric half-life or None)."""
    # The category model fits in a thread while the tag models fit. One BLAS
    # thread: with the cores taken, OpenBLAS's threads wait for each other on every
    # vector operation of its L-BFGS (6 s instead of 0.6 s on allforces).
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(1) as pool:
        # An SVM's category model is fitted first, not beside the tag models: liblinear
        # draws from one global random generator, which two fits at once would share.
        beside = category is not None and category.linear_model != "svm"
        done = (_fit_category(X, posts, category, temperature)
                if category is not None and not beside else None)
        pending = pool.submit(_fit_category, X, posts, category, temperature) if beside else None
        tag_model = neighbours = plain = None
        if tag_labels:
            Y = label_matrix(posts, tag_labels)
            weights = recency_weights(posts, tags.half_life_days)
            tag_model = _fit_tags(tags, n_jobs, X, Y, weights)
            if tags.tag_neighbours:  # votes (unless tag_mix is 1), and the similar posts
                neighbours = PostIndex(X, Y, weights, [p.title for p in posts],
                                       k=tags.tag_neighbours)
            if tags.tag_blend:
                # Weighted as the tag model: a recent candidate's SVM follows the drift too.
                plain = _fit_tags(replace(tags, **PLAIN_TAGS), n_jobs, X, Y, weights)
        category_model = pending.result() if beside else done
    labels = [str(c) for c in category_model.classes_] if category_model is not None else []
    return Models(category_model, labels, tag_model, neighbours, plain)


def vectorizer_for(config: TrainingConfig) -> DocumentVectorizer:
    return DocumentVectorizer(title_weight=config.title_weight, min_df=config.min_df,
                              max_df=config.max_df, ngram_range=config.ngram_range)
