"""Training: posts in, a fitted ``Suggester`` and its model card facts out."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression

from .errors import ModelError
from .estimators import TagClassifier
from .features import Document, DocumentVectorizer
from .posts import Post
from .suggest import Suggester, tokenize_posts
from .text import BoilerplateFilter, extract_blocks
from .tokens import TokenCache, content_hash


@dataclass
class TrainingConfig:
    """Every choice training makes; saved in the model card."""

    title_weight: int = 3
    min_df: int = 2
    max_df: float = 0.8
    category_C: float = 10.0
    tag_C: float = 4.0
    min_tag_count: int = 3
    # Recent posts count more: a post `half_life_days` older than the newest weighs half.
    half_life_days: float | None = None
    max_chars: int | None = None
    validation_share: float = 0.15
    min_tags: int = 1
    max_tags: int | None = None  # None: the 95th percentile of tags per post, at most 10

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainingReport:
    """Facts about a training run for the model card."""

    n_posts: int
    category_counts: dict[str, int]
    tag_counts: dict[str, int]
    rare_tags: dict[str, int]
    tag_threshold: float
    max_tags: int
    validation: dict
    fingerprint: str
    date_range: tuple[str | None, str | None]


    def card(self, config: TrainingConfig) -> dict:
        """The model-card facts of this run (persistence adds versions and the date)."""
        return {
            "training": {
                "posts": self.n_posts,
                "date_range": list(self.date_range),
                "fingerprint": self.fingerprint,
                "config": config.as_dict(),
            },
            "labels": {"categories": self.category_counts, "tags": self.tag_counts},
            "rare_tags": self.rare_tags,
            "tag_threshold": self.tag_threshold,
            "max_tags": self.max_tags,
            "validation": self.validation,
        }


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


def fingerprint(posts: Sequence[Post]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for post in sorted(posts, key=lambda p: p.path):
        digest.update(post.path.encode())
        digest.update(content_hash(f"{post.title}\0{post.body}\0{post.categories}\0{post.tags}")
                      .encode())
    return digest.hexdigest()


def _example_f1(gold: Sequence[set], chosen: Sequence[set]) -> float:
    scores = []
    for g, c in zip(gold, chosen, strict=True):
        hit = len(g & c)
        scores.append(2 * hit / (len(g) + len(c)) if g or c else 1.0)
    return float(np.mean(scores)) if scores else 0.0


class _Fitter:
    """Fits the models on documents already tokenized, so training and validation share work."""

    def __init__(self, config: TrainingConfig, boilerplate: BoilerplateFilter) -> None:
        self.config = config
        self.boilerplate = boilerplate

    def fit(self, posts: Sequence[Post], docs: Sequence[Document], tag_labels: list[str],
            max_tags: int) -> Suggester:
        cfg = self.config
        vectorizer = DocumentVectorizer(title_weight=cfg.title_weight, min_df=cfg.min_df,
                                        max_df=cfg.max_df)
        X = vectorizer.fit_transform(docs)
        weights = recency_weights(posts, cfg.half_life_days)
        category_model, category_labels = None, []
        labelled = [i for i, p in enumerate(posts) if p.categories]
        cats = [posts[i].categories[0] for i in labelled]
        if len(set(cats)) >= 2:
            category_model = LogisticRegression(C=cfg.category_C, class_weight="balanced",
                                                max_iter=2000)
            category_model.fit(X[labelled], cats, sample_weight=weights[labelled])
            category_labels = [str(c) for c in category_model.classes_]
        tag_model = None
        if tag_labels:
            index = {t: j for j, t in enumerate(tag_labels)}
            Y = np.zeros((len(posts), len(tag_labels)), dtype=int)
            for i, post in enumerate(posts):
                for tag in post.tags:
                    if tag in index:
                        Y[i, index[tag]] = 1
            tag_model = TagClassifier(C=cfg.tag_C).fit(X, Y, sample_weight=weights)
        return Suggester(
            boilerplate=self.boilerplate, vectorizer=vectorizer, category_model=category_model,
            category_labels=category_labels, tag_model=tag_model, tag_labels=tag_labels,
            min_tags=cfg.min_tags, max_tags=max_tags,
            max_chars=cfg.max_chars,
        )


def _choose_threshold(suggester: Suggester, docs: Sequence[Document],
                      posts: Sequence[Post]) -> tuple[float, float]:
    """The tag threshold that maximizes mean per-post F1 on held-out posts."""
    _, tags, _ = suggester.score(docs)
    gold = [set(p.tags) for p in posts]
    best = (0.5, -1.0)
    for threshold in np.arange(0.05, 0.96, 0.025):
        chosen = [{suggester.tag_labels[k] for k in suggester.choose_tags(row, None, threshold)}
                  for row in tags]
        f1 = _example_f1(gold, chosen)
        if f1 > best[1] + 1e-9:
            best = (round(float(threshold), 3), f1)
    return best


def train(
    posts: Sequence[Post],
    config: TrainingConfig | None = None,
    *,
    cache: TokenCache | None = None,
    n_jobs: int = 1,
    progress=None,
) -> tuple[Suggester, TrainingReport]:
    """Fit a suggester on ``posts``.

    The tag threshold is chosen on the newest ``validation_share`` of the posts with a
    model fitted on the older ones, then the final model is fitted on all of them.
    """
    config = config or TrainingConfig()
    posts = sorted(posts, key=lambda p: (p.date or dt.date.min, p.path))
    if len(posts) < 2:
        raise ModelError(f"need at least 2 posts to train, got {len(posts)}")
    category_counts = Counter(p.categories[0] for p in posts if p.categories)
    tag_counts = Counter(t for p in posts for t in dict.fromkeys(p.tags))
    if len(category_counts) < 2 and not tag_counts:
        raise ModelError("the posts have neither two categories nor any tags to learn")
    tag_labels = sorted(t for t, c in tag_counts.items() if c >= config.min_tag_count)
    rare = {t: c for t, c in tag_counts.items() if c < config.min_tag_count}
    if tag_counts and not tag_labels:
        raise ModelError(f"no tag is used at least {config.min_tag_count} times")
    per_post = [len(p.tags) for p in posts if p.tags] or [1]
    max_tags = config.max_tags or int(min(10, max(1, np.percentile(per_post, 95))))

    blocks = [extract_blocks(p.body) for p in posts]
    boilerplate = BoilerplateFilter().fit(blocks)
    fitter = _Fitter(config, boilerplate)
    docs = tokenize_posts(posts, boilerplate, config.max_chars, blocks=blocks, cache=cache,
                          n_jobs=n_jobs, progress=progress)

    # The held-out fit (to choose the tag threshold) and the final fit are independent:
    # on two cores they run side by side.
    n_valid = int(len(posts) * config.validation_share)
    head = len(posts) - n_valid
    jobs = [(posts, docs)]
    if tag_labels and n_valid >= 5:
        jobs.append((posts[:head], docs[:head]))
    fitted = Parallel(n_jobs=min(n_jobs, len(jobs)))(
        delayed(fitter.fit)(p, d, tag_labels, max_tags) for p, d in jobs)
    suggester, validation = fitted[0], {}
    if len(fitted) == 2:
        threshold, f1 = _choose_threshold(fitted[1], docs[head:], posts[head:])
        suggester.tag_threshold = threshold
        validation = {"posts": n_valid, "since": str(posts[head].date), "tag_f1": round(f1, 4),
                      "tag_threshold": threshold}
    dates = [p.date for p in posts if p.date]
    report = TrainingReport(
        n_posts=len(posts),
        category_counts=dict(category_counts.most_common()),
        tag_counts={t: tag_counts[t] for t in sorted(tag_labels, key=lambda t: -tag_counts[t])},
        rare_tags=dict(sorted(rare.items(), key=lambda kv: -kv[1])),
        tag_threshold=suggester.tag_threshold,
        max_tags=max_tags,
        validation=validation,
        fingerprint=fingerprint(posts),
        date_range=(str(min(dates)) if dates else None, str(max(dates)) if dates else None),
    )
    return suggester, report
