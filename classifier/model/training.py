"""Training: posts in, a fitted ``Suggester`` and its model card facts out."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from ..corpus.posts import Post
from ..errors import ModelError
from ..text.tokens import TokenCache, content_hash
from ..workers import run, start_workers
from .card import ModelCard, TrainingFacts
from .estimators import TagClassifier
from .features import DocumentVectorizer
from .neighbours import PostIndex
from .series import find_series, to_series
from .suggest import Suggester, choose_tags, learn_documents, mixed_tag_scores

# The newest posts, for prior shift: 5% of them, at least 20 (posts are in date order).
RECENT_SHARE, RECENT_MIN = 0.05, 20


@dataclass
class TrainingConfig:
    """Every choice training makes; saved in the model card."""

    title_weight: int = 3
    ngram_range: tuple[int, int] = (1, 1)
    min_df: int = 2
    max_df: float = 0.8
    category_C: float = 30.0
    tag_C: float = 64.0
    tag_class_weight: str | None = "balanced"
    min_tag_count: int = 2
    # Tags of a yearly series (advent2024, advent2025) learned as one label, advent{year}.
    tag_series: bool = True
    # A tag's score: this share from the tag model, the rest from the votes of the
    # `tag_neighbours` most similar posts (weighted like the tag model's posts).
    tag_mix: float = 0.5
    tag_neighbours: int = 5
    # Labels drift: each tag's log-odds move this far (0: not at all, 1: fully) toward its
    # frequency among the newest posts, as in a prior-shift correction.
    tag_prior_shift: float = 0.25
    # Recent posts count more: a post `half_life_days` older than the newest weighs half.
    # "auto" chooses among half_life_candidates() on the held-out newest posts; None: off.
    half_life_days: float | str | None = "auto"
    # Only the start of a body is read: the topic is set early, and long tails wander.
    max_chars: int | None = 6000
    validation_share: float = 0.1
    min_tags: int = 1
    max_tags: int | None = None  # None: the 95th percentile of tags per post, at most 10

    def as_dict(self) -> dict:
        return asdict(self)

    def as_json(self) -> dict:
        """As the model card holds it (tuples become lists), to compare with a card's."""
        return json.loads(json.dumps(self.as_dict()))


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
    half_life_days: dict[str, float | None]


    def card(self, config: TrainingConfig, *, sources: list[str] | None = None,
             skipped: int | None = None, evaluation: dict | None = None) -> ModelCard:
        """The model card of this run (``save_model`` dates it and names the files)."""
        facts = TrainingFacts(posts=self.n_posts, date_range=list(self.date_range),
                              fingerprint=self.fingerprint, config=config.as_json(),
                              sources=sources, skipped=skipped)
        return ModelCard(
            training=facts,
            labels={"categories": self.category_counts, "tags": self.tag_counts},
            rare_tags=self.rare_tags, tag_threshold=self.tag_threshold,
            max_tags=self.max_tags, half_life_days=self.half_life_days,
            validation=self.validation, evaluation=evaluation)


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


def _label_matrix(posts: Sequence[Post], labels: list[str]) -> np.ndarray:
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
class _Models:
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


def _fit_models(X, posts: Sequence[Post], tag_labels: list[str], config: TrainingConfig,
                half_life: HalfLives, n_jobs: int = 1) -> _Models:
    # The category model fits in a thread while the tag models fit. One BLAS
    # thread: with the cores taken, OpenBLAS's threads wait for each other on every
    # vector operation of its L-BFGS (6 s instead of 0.6 s on allforces).
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(1) as pool:
        category = pool.submit(_fit_category, X, posts, config, half_life.category)
        tag_model = neighbours = None
        if tag_labels:
            Y, weights = _label_matrix(posts, tag_labels), recency_weights(posts, half_life.tags)
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
    return _Models(category_model, labels, tag_model, neighbours)


def _choose_threshold(tag_scores: np.ndarray, posts: Sequence[Post], labels: list[str],
                      min_tags: int, max_tags: int) -> tuple[float, float]:
    """The tag threshold that maximizes mean per-post F1 on held-out posts."""
    gold = [set(p.tags) for p in posts]
    best = (0.5, -1.0)
    for threshold in np.arange(0.05, 0.96, 0.025):
        chosen = [{labels[k] for k in choose_tags(row, threshold, min_tags, max_tags)}
                  for row in tag_scores]
        f1 = _example_f1(gold, chosen)
        if f1 > best[1] + 1e-9:
            best = (round(float(threshold), 3), f1)
    return best


def _validate(X_head, X_valid, head: Sequence[Post], valid: Sequence[Post],
              tag_labels: list[str], config: TrainingConfig, half_life: float | None,
              max_tags: int) -> dict:
    """Fit on the older posts with one half-life, measure on the newest."""
    models = _fit_models(X_head, head, tag_labels, config, HalfLives(half_life, half_life))
    result: dict = {"half_life_days": half_life}
    if models.category_model is not None:
        gold = [p.categories[0] if p.categories else None for p in valid]
        predicted = models.category_model.predict(X_valid)
        pairs = [(g, q) for g, q in zip(gold, predicted, strict=True) if g]
        if pairs:
            result["category_accuracy"] = float(np.mean([g == q for g, q in pairs]))
    if models.tag_model is not None:
        scores = mixed_tag_scores(models.tag_model, models.neighbours, config.tag_mix, X_valid)
        threshold, f1 = _choose_threshold(scores, valid, tag_labels, config.min_tags, max_tags)
        result.update(tag_threshold=threshold, tag_f1=f1)
    return result


def _reusable_choices(previous: ModelCard | None, config: TrainingConfig,
                      posts: Sequence[Post]) -> tuple[HalfLives, float, dict] | None:
    """The half-lives and threshold of ``previous`` if they still apply to ``posts``."""
    if not previous:
        return None
    try:
        training = previous.training
        oldest = min((str(p.date) for p in posts if p.date), default=None)
        close = abs(training.posts - len(posts)) <= max(5, len(posts) // 100)
        if not (training.config == config.as_json() and close
                and training.date_range[:1] == [oldest]):
            return None
        lives = previous.half_life_days
        return (HalfLives(lives["category"], lives["tags"]), float(previous.tag_threshold),
                {**previous.validation, "reused_from": previous.created})
    except (KeyError, TypeError, ValueError):
        return None  # half-lives of another shape: choose afresh


def half_life_candidates(posts: Sequence[Post]) -> list[float | None]:
    """No weighting, and half-lives of 1/2, 1/8 and 1/32 of the corpus's time span.

    Relative to the span, so a blog posting daily for months and one posting weekly for
    years get comparable choices.
    """
    dates = [p.date for p in posts if p.date]
    if len(dates) < 2:
        return [None]
    span = max(1, (max(dates) - min(dates)).days)
    return [None, *sorted({max(1.0, round(span / d, 1)) for d in (2, 8, 32)}, reverse=True)]


@dataclass
class _Labels:
    """What there is to learn, read off the posts before any text is."""

    originals: list[Post]  # in date order
    posts: list[Post]  # the same, a yearly series' tags as one label
    category_counts: Counter
    tag_counts: Counter
    tag_labels: list[str]
    rare: dict[str, int]
    max_tags: int


def _read_labels(posts: Sequence[Post], config: TrainingConfig) -> _Labels:
    originals = sorted(posts, key=lambda p: (p.date or dt.date.min, p.path))
    if len(originals) < 2:
        raise ModelError(f"need at least 2 posts to train, got {len(originals)}")
    series = find_series(originals) if config.tag_series else frozenset()
    posts = [replace(p, tags=to_series(p.tags, series)) if series else p for p in originals]
    category_counts = Counter(p.categories[0] for p in posts if p.categories)
    tag_counts = Counter(t for p in posts for t in dict.fromkeys(p.tags))
    if len(category_counts) < 2 and not tag_counts:
        raise ModelError("the posts have neither two categories nor any tags to learn")
    tag_labels = sorted(t for t, c in tag_counts.items() if c >= config.min_tag_count)
    if tag_counts and not tag_labels:
        raise ModelError(f"no tag is used at least {config.min_tag_count} times")
    per_post = [len(p.tags) for p in posts if p.tags] or [1]
    return _Labels(
        originals, posts, category_counts, tag_counts, tag_labels,
        rare={t: c for t, c in tag_counts.items() if c < config.min_tag_count},
        max_tags=config.max_tags or int(min(10, max(1, np.percentile(per_post, 95)))))


def _vectorizer(config: TrainingConfig) -> DocumentVectorizer:
    return DocumentVectorizer(title_weight=config.title_weight, min_df=config.min_df,
                              max_df=config.max_df, ngram_range=config.ngram_range)


@dataclass(frozen=True)
class _Choices:
    half_life: HalfLives
    tag_threshold: float
    validation: dict


def _choose(docs: Sequence, labels: _Labels, config: TrainingConfig, previous: dict | None,
            n_jobs: int) -> _Choices:
    """The half-lives and tag threshold: an earlier model's when they still apply, else
    those that did best on the newest posts with models fitted on the older ones."""
    posts = labels.posts
    candidates = (half_life_candidates(posts) if config.half_life_days == "auto"
                  else [config.half_life_days or None])
    reused = _reusable_choices(previous, config, posts)
    if reused:
        return _Choices(*reused)
    n_valid = int(len(posts) * config.validation_share)
    head = len(posts) - n_valid
    if n_valid < 5 or head < 5:
        return _Choices(HalfLives(candidates[0], candidates[0]), 0.5, {})
    head_vectorizer = _vectorizer(config)
    X_head = head_vectorizer.fit_transform(docs[:head])
    X_valid = head_vectorizer.transform(docs[head:])
    trials = list(run(_validate, [(X_head, X_valid, posts[:head], posts[head:],
                                   labels.tag_labels, config, h, labels.max_tags)
                                  for h in candidates], n_jobs))
    # Each model keeps the half-life it did best with; ties go to the least weighting.
    best_category = max(trials, key=lambda t: t.get("category_accuracy", 0.0))
    best_tags = max(trials, key=lambda t: t.get("tag_f1", 0.0))
    return _Choices(
        HalfLives(best_category["half_life_days"], best_tags["half_life_days"]),
        best_tags.get("tag_threshold", 0.5),
        {"posts": n_valid, "since": str(posts[head].date),
         "category_accuracy": best_category.get("category_accuracy"),
         "tag_f1": best_tags.get("tag_f1"), "trials": trials})


def _report(labels: _Labels, choices: _Choices, data_fingerprint: str) -> TrainingReport:
    dates = [p.date for p in labels.posts if p.date]
    counts = labels.tag_counts
    half_life = choices.half_life
    return TrainingReport(
        n_posts=len(labels.posts),
        category_counts=dict(labels.category_counts.most_common()),
        tag_counts={t: counts[t] for t in sorted(labels.tag_labels, key=lambda t: -counts[t])},
        rare_tags=dict(sorted(labels.rare.items(), key=lambda kv: -kv[1])),
        tag_threshold=choices.tag_threshold,
        max_tags=labels.max_tags,
        validation=choices.validation,
        fingerprint=data_fingerprint,
        date_range=(str(min(dates)) if dates else None, str(max(dates)) if dates else None),
        half_life_days={"category": half_life.category, "tags": half_life.tags},
    )


def train(
    posts: Sequence[Post],
    config: TrainingConfig | None = None,
    *,
    cache: TokenCache | None = None,
    n_jobs: int = 1,
    progress=None,
    previous: ModelCard | None = None,
) -> tuple[Suggester, TrainingReport]:
    """Fit a suggester on ``posts``.

    The newest ``validation_share`` of the posts is held out to choose the recency
    half-life (when ``half_life_days`` is "auto") and the tag threshold, with models
    fitted on the older ones; then the final model is fitted on all posts.

    The tags of a yearly series (``advent2024``, ``advent2025``) are learned as one label,
    ``advent{year}`` (see ``series``).

    ``previous`` is the card of an earlier model of the same blog: when it was trained
    with the same settings on nearly the same posts (a post edited or added), its
    choices are reused and the held-out fits skipped, so retraining stays quick.
    """
    config = config or TrainingConfig()
    labels = _read_labels(posts, config)
    start_workers(n_jobs)  # they start up while the posts are read from the cache
    boilerplate, docs = learn_documents(labels.posts, config.max_chars, cache=cache,
                                        n_jobs=n_jobs, progress=progress)
    choices = _choose(docs, labels, config, previous, n_jobs)
    vectorizer = _vectorizer(config)
    X = vectorizer.fit_transform(docs)
    with ThreadPoolExecutor(1) as pool:
        # Hashing every post for the card takes a while: done while the models fit.
        data_fingerprint = pool.submit(fingerprint, labels.originals)
        models = _fit_models(X, labels.posts, labels.tag_labels, config, choices.half_life,
                             n_jobs)
    suggester = Suggester(
        boilerplate=boilerplate, vectorizer=vectorizer, category_model=models.category_model,
        category_labels=models.category_labels, tag_model=models.tag_model,
        tag_labels=labels.tag_labels, tag_threshold=choices.tag_threshold,
        min_tags=config.min_tags, max_tags=labels.max_tags, max_chars=config.max_chars,
        neighbours=models.neighbours,
        tag_mix=config.tag_mix if models.neighbours is not None else 1.0)
    return suggester, _report(labels, choices, data_fingerprint.result())
