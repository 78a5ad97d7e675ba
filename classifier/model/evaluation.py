"""Honest evaluation: time-ordered and k-fold splits, every gold label counted, baselines."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence

import numpy as np

from ..corpus.posts import Post
from ..errors import InputError
from ..text.tokens import TokenCache
from .config import TrainingConfig
from .ranking import ndcg
from .series import label_of
from .suggest import Suggester

K_VALUES = (1, 3, 5)


def time_split(posts: Sequence[Post], date: dt.date) -> tuple[list[Post], list[Post]]:
    """Posts dated before ``date`` to train on, the rest to test on; undated posts are dropped."""
    dated = [p for p in posts if p.date]
    train_posts = [p for p in dated if p.date < date]
    test_posts = [p for p in dated if p.date >= date]
    if not train_posts or not test_posts:
        raise InputError(f"splitting at {date} leaves {len(train_posts)} posts to train on "
                         f"and {len(test_posts)} to test on", field="split-date")
    return train_posts, test_posts


def newest_share_date(posts: Sequence[Post], share: float) -> dt.date:
    """The date that leaves the newest ``share`` of dated posts on its right."""
    dates = sorted(p.date for p in posts if p.date)
    if not dates:
        raise InputError("no post has a date, so there is no time to split on")
    return dates[min(len(dates) - 1, int(len(dates) * (1 - share)))]


def tag_metrics(gold: Sequence[Sequence[str]], ranked: Sequence[Sequence[str]],
                chosen: Sequence[Sequence[str]]) -> dict[str, float]:
    """Ranking and set metrics over test posts that have at least one gold tag.

    Every gold tag counts, including tags the model has never seen (they are misses).
    """
    rows = [(set(g), list(r), set(c)) for g, r, c in zip(gold, ranked, chosen, strict=True) if g]
    if not rows:
        return {}
    out: dict[str, float] = {}
    for k in K_VALUES:
        out[f"precision@{k}"] = float(np.mean([len(g & set(r[:k])) / k for g, r, _ in rows]))
    out["recall@5"] = float(np.mean([len(g & set(r[:5])) / len(g) for g, r, _ in rows]))
    out["ndcg@5"] = float(np.mean([ndcg(r, g) for g, r, _ in rows]))
    f1 = [2 * len(g & c) / (len(g) + len(c)) for g, _, c in rows]
    out["f1"] = float(np.mean(f1))
    hits = sum(len(g & c) for g, _, c in rows)
    n_chosen, n_gold = sum(len(c) for *_, c in rows), sum(len(g) for g, *_ in rows)
    out["micro_precision"] = hits / n_chosen if n_chosen else 0.0
    out["micro_recall"] = hits / n_gold
    out["tags_per_post"] = n_chosen / len(rows)
    out["posts"] = len(rows)
    return out


def category_metrics(gold: Sequence[str | None], predicted: Sequence[str | None]) -> dict:
    pairs = [(g, p) for g, p in zip(gold, predicted, strict=True) if g]
    if not pairs:
        return {}
    # Imported here, as training is: `import bunrui.classifier` serves models without
    # scikit-learn (see ``linear``).
    from sklearn.metrics import f1_score

    g, p = zip(*pairs, strict=True)
    return {
        "accuracy": float(np.mean([a == b for a, b in pairs])),
        "macro_f1": float(f1_score(g, [x or "" for x in p], average="macro",
                                   labels=sorted(set(g)), zero_division=0)),
        "posts": len(pairs),
    }


def _baseline_predictions(train_posts: Sequence[Post], test_posts: Sequence[Post]) -> tuple:
    """Most frequent category; most frequent tags (as many as the median post has)."""
    cats = Counter(p.categories[0] for p in train_posts if p.categories)
    tags = Counter(t for p in train_posts for t in p.tags)
    ranked = [t for t, _ in tags.most_common()]
    k = max(1, int(np.median([len(p.tags) for p in train_posts if p.tags] or [1])))
    top_cat = cats.most_common(1)[0][0] if cats else None
    n = len(test_posts)
    return [top_cat] * n, [ranked] * n, [ranked[:k]] * n


def _metrics(test_posts: Sequence[Post], predictions: tuple) -> dict:
    predicted, ranked, chosen = predictions
    return {"category": category_metrics([_first(p) for p in test_posts], predicted),
            "tags": tag_metrics([p.tags for p in test_posts], ranked, chosen)}


def baseline(train_posts: Sequence[Post], test_posts: Sequence[Post]) -> dict:
    """The figures of the most-frequent baseline on ``test_posts``."""
    return _metrics(test_posts, _baseline_predictions(train_posts, test_posts))


def _first(post: Post) -> str | None:
    return post.categories[0] if post.categories else None


def _model_predictions(suggester, test_posts: Sequence[Post], cache: TokenCache | None,
                       n_jobs: int) -> tuple:
    """(best category, ranked tags, suggested tags) of each test post, as suggested."""
    docs = suggester.documents(test_posts, cache=cache, n_jobs=n_jobs)
    suggestions = suggester.suggestions(test_posts, docs, suggester.score(docs))
    return ([s.category.label if s.category else None for s in suggestions],
            [[t.label for t in s.tag_candidates] for s in suggestions],
            [[t.label for t in s.tags] for s in suggestions])


def _unknown_tags(suggester, test_posts: Sequence[Post]) -> int:
    known = set(suggester.tag_labels_)
    return sum(label_of(t, known) not in known for p in test_posts for t in p.tags)


def _without_skipped_categories(result: dict, report) -> dict:
    """No category figures where training learned no category model (one category on
    every post teaches nothing), with the card's reason instead."""
    note = report.conventions.get("categories")
    if note:
        for side in ("model", "baseline"):
            result[side]["category"] = {}
        result["categories"] = note
    return result


def evaluate_split(train_posts: Sequence[Post], test_posts: Sequence[Post],
                   config: TrainingConfig | None = None, *, cache: TokenCache | None = None,
                   n_jobs: int = 1) -> dict:
    """Train on ``train_posts``, measure on ``test_posts``, with the baselines beside."""
    suggester = Suggester(config).fit(train_posts, cache=cache, n_jobs=n_jobs)
    report = suggester.report_
    result = {
        "train_posts": len(train_posts),
        "test_posts": len(test_posts),
        "model": _metrics(test_posts, _model_predictions(suggester, test_posts, cache, n_jobs)),
        "baseline": baseline(train_posts, test_posts),
        "tag_threshold": report.tag_threshold,
        "gold_tags_unknown_to_model": _unknown_tags(suggester, test_posts),
        "half_life_days": report.half_life_days,
        "candidates": report.validation.get("chosen"),
    }
    return _without_skipped_categories(result, report)


def rolling_windows(posts: Sequence[Post], start: dt.date,
                    every_days: int = 1) -> Iterator[tuple[list[Post], list[Post]]]:
    """(posts before the window, posts of the window) for windows of ``every_days`` days
    from ``start`` to the newest post; windows with no post are skipped."""
    if every_days < 1:
        raise InputError("--every must be at least 1 day", field="every")
    dated = sorted((p for p in posts if p.date), key=lambda p: (p.date, p.path))
    dates = [p.date for p in dated]
    before = bisect.bisect_left(dates, start)
    if not before or before == len(dated):
        raise InputError(f"starting at {start} leaves {before} posts to train on and "
                         f"{len(dated) - before} to test on", field="rolling-from")
    day = start
    while before < len(dated):
        day += dt.timedelta(days=every_days)
        end = bisect.bisect_left(dates, day)
        if end > before:
            yield dated[:before], dated[before:end]
        before = end


def evaluate_rolling(posts: Sequence[Post], start: dt.date, config: TrainingConfig | None = None,
                     *, every_days: int = 1, cache: TokenCache | None = None,
                     n_jobs: int = 1) -> dict:
    """Retrain before every ``every_days`` days from ``start`` on, and test each model on the
    posts of its days only: how the tool does when the model is retrained as posts come.

    Figures are over all the test posts together. Each retraining reuses the previous
    one's choices where they still apply, as ``bunrui train`` into the same folder does.
    """
    config = config or TrainingConfig()
    test_posts: list[Post] = []
    model: tuple[list, list, list] = ([], [], [])
    base: tuple[list, list, list] = ([], [], [])
    previous, retrains, unknown = None, 0, 0
    for train_posts, window in rolling_windows(posts, start, every_days):
        suggester = Suggester(config).fit(train_posts, cache=cache, n_jobs=n_jobs,
                                          previous=previous)
        report = suggester.report_
        previous = report.card(config)
        for side, found in ((model, _model_predictions(suggester, window, cache, n_jobs)),
                            (base, _baseline_predictions(train_posts, window))):
            for pooled, part in zip(side, found, strict=True):
                pooled.extend(part)
        test_posts += window
        retrains += 1
        unknown += _unknown_tags(suggester, window)
    result = {
        "rolling_from": str(start),
        "every_days": every_days,
        "retrains": retrains,
        "test_posts": len(test_posts),
        "model": _metrics(test_posts, model),
        "baseline": _metrics(test_posts, base),
        "gold_tags_unknown_to_model": unknown,
    }
    return _without_skipped_categories(result, report)


def evaluate_folds(posts: Sequence[Post], k: int, config: TrainingConfig | None = None, *,
                   cache: TokenCache | None = None, n_jobs: int = 1) -> dict:
    """K-fold over posts in time order (contiguous folds), figures averaged over folds."""
    if k < 2 or k > len(posts):
        raise InputError(f"--folds must be between 2 and the number of posts ({len(posts)})",
                         field="folds")
    ordered = sorted(posts, key=lambda p: (p.date or dt.date.min, p.path))
    bounds = np.linspace(0, len(ordered), k + 1).astype(int)
    folds = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        folds.append(evaluate_split(ordered[:a] + ordered[b:], ordered[a:b], config,
                                    cache=cache, n_jobs=n_jobs))
    return {"folds": k, "test_posts": len(ordered), **_mean(folds)}


def _mean(results: list[dict]) -> dict:
    out: dict = {}
    for side in ("model", "baseline"):
        out[side] = {}
        for kind in ("category", "tags"):
            keys = set().union(*(r[side][kind].keys() for r in results))
            out[side][kind] = {key: float(np.mean([r[side][kind][key] for r in results
                                                   if key in r[side][kind]])) for key in keys}
    return out
