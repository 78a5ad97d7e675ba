"""Choices made on held-out posts: recency half-lives and the tag threshold, or an earlier
model's when they still apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..corpus.posts import Post
from ..workers import run
from .card import ModelCard
from .config import TrainingConfig
from .fitting import HalfLives, fit_models, vectorizer_for
from .ranking import choose_tags, mixed_tag_scores


def _example_f1(gold: Sequence[set], chosen: Sequence[set]) -> float:
    scores = []
    for g, c in zip(gold, chosen, strict=True):
        hit = len(g & c)
        scores.append(2 * hit / (len(g) + len(c)) if g or c else 1.0)
    return float(np.mean(scores)) if scores else 0.0


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
    models = fit_models(X_head, head, tag_labels, config, HalfLives(half_life, half_life))
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


@dataclass(frozen=True)
class Choices:
    half_life: HalfLives
    tag_threshold: float
    validation: dict


def choose(docs: Sequence, posts: Sequence[Post], tag_labels: list[str], max_tags: int,
           config: TrainingConfig, previous: ModelCard | None, n_jobs: int) -> Choices:
    """The half-lives and tag threshold: an earlier model's when they still apply, else
    those that did best on the newest posts with models fitted on the older ones."""
    candidates = (half_life_candidates(posts) if config.half_life_days == "auto"
                  else [config.half_life_days or None])
    reused = _reusable_choices(previous, config, posts)
    if reused:
        return Choices(*reused)
    n_valid = int(len(posts) * config.validation_share)
    head = len(posts) - n_valid
    if n_valid < 5 or head < 5:
        return Choices(HalfLives(candidates[0], candidates[0]), 0.5, {})
    head_vectorizer = vectorizer_for(config)
    X_head = head_vectorizer.fit_transform(docs[:head])
    X_valid = head_vectorizer.transform(docs[head:])
    trials = list(run(_validate, [(X_head, X_valid, posts[:head], posts[head:],
                                   tag_labels, config, h, max_tags)
                                  for h in candidates], n_jobs))
    # Each model keeps the half-life it did best with; ties go to the least weighting.
    best_category = max(trials, key=lambda t: t.get("category_accuracy", 0.0))
    best_tags = max(trials, key=lambda t: t.get("tag_f1", 0.0))
    return Choices(
        HalfLives(best_category["half_life_days"], best_tags["half_life_days"]),
        best_tags.get("tag_threshold", 0.5),
        {"posts": n_valid, "since": str(posts[head].date),
         "category_accuracy": best_category.get("category_accuracy"),
         "tag_f1": best_tags.get("tag_f1"), "trials": trials})
