"""Choices made per blog on its newest posts: which candidate configuration its categories
and its tags are learned with, and the tag threshold; or an earlier model's choices when
they still apply.

Candidates are scored by rolling-origin validation: ``WINDOWS`` consecutive windows of
the newest posts (5% of the posts each, 5 to 50), each predicted by models fitted on every
post before it, so no single window (one that straddles a change of labelling, say)
decides alone: categories by accuracy, then by the log-likelihood of each post's category,
tags by each post's tag F1 and NDCG@5. Among candidates within noise of the best, the
simplest (the first listed) wins, and the first is the plain reference, so a blog never
gets a model that validated worse than the plain one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..corpus.posts import Post
from ..workers import run
from . import calibration
from .card import ModelCard
from .config import CANDIDATES, TrainingConfig
from .features import Counts
from .fitting import fit_models, label_matrix, vectorizer_for
from .linear import IDENTITY_PLATT, calibrate, logit, softmax
from .mentions import NO_MENTIONS, Mentions
from .ranking import choose_tags, mixed_tag_scores, ndcg

# Three windows of 5% of the posts each, at least 5 and at most 50 posts: the newest posts
# are the best guide to the next draft, and a blog that posts daily would otherwise reach
# back past its latest change of labelling (allforces re-labelled its posts on 2026-02-14).
WINDOWS, WINDOW_SHARE, WINDOW_MIN, WINDOW_MAX = 3, 0.05, 5, 50
# The probability a category the model never saw is taken to get, in a log-likelihood.
UNSEEN = 1e-6
# A tally's per-post scores, which the model card leaves out.
PER_POST = ("category_hits", "category_logp", "tag_scores")


def _span_days(posts: Sequence[Post]) -> float | None:
    dates = [p.date for p in posts if p.date]
    return max(1, (max(dates) - min(dates)).days) if len(dates) >= 2 else None


def candidate_config(name: str, config: TrainingConfig, posts: Sequence[Post]) -> TrainingConfig:
    """``config`` as candidate ``name`` sets it, for ``posts``. A half-life the config
    fixes (not "auto") holds for every candidate but the plain one."""
    changes = {k: v for k, v in CANDIDATES[name].items() if k not in ("tags", "categories")}
    life = changes.get("half_life_days")
    if name != "plain" and config.half_life_days != "auto":
        life = config.half_life_days
    elif isinstance(life, tuple):
        span = _span_days(posts)
        life = max(1.0, round(span * life[1], 1)) if span else None
    changes["half_life_days"] = life
    return replace(config, **changes, candidate=name)


def candidate_names(config: TrainingConfig) -> list[str]:
    if config.candidate != "auto":
        return [config.candidate]
    if config.half_life_days != "auto":  # one half-life: the recent ones are "tuned"
        return [name for name in CANDIDATES if "recent" not in name]
    return list(CANDIDATES)


@dataclass(frozen=True)
class Choices:
    category: TrainingConfig  # the candidate categories are learned with
    tags: TrainingConfig
    tag_threshold: float
    validation: dict
    # {"tags": Platt's [a, b] of the tag scores, "categories": an SVM's temperature}.
    calibration: dict


UNCALIBRATED = {"tags": list(IDENTITY_PLATT), "mentions": list(NO_MENTIONS), "categories": 1.0}


def windows(n: int) -> list[tuple[int, int]]:
    """(start, end) of each validation window over ``n`` posts in date order, oldest first;
    none when too few posts are left to fit on."""
    size = min(WINDOW_MAX, max(WINDOW_MIN, int(n * WINDOW_SHARE)))
    if n - WINDOWS * size < 2 * WINDOW_MIN:
        return []
    return [(n - (WINDOWS - w) * size, n - (WINDOWS - w - 1) * size) for w in range(WINDOWS)]


def _trial(X_head, X_valid, head: Sequence[Post], tag_labels: list[str],
           config: TrainingConfig, categories: bool) -> tuple:
    """(categories, tag scores, the blended-in SVM's tag scores) of one window by one
    candidate: categories as (classes, probabilities); None where there is no such model
    (or ``categories`` is False: a candidate for tags only). The tag scores are before
    blending and calibration, both made in ``_scored``."""
    models = fit_models(X_head, head, tag_labels, config if categories else None, config)
    categories = ((list(models.category_model.classes_),
                   models.category_model.predict_proba(X_valid))
                  if models.category_model is not None else None)
    own = simple = None
    if models.tag_model is not None:
        own = mixed_tag_scores(models.tag_model, models.neighbours, config.tag_mix, X_valid)
    if models.plain_tag_model is not None:
        simple = models.plain_tag_model.predict_proba(X_valid)
    return categories, own, simple


def _temperature(trials: list, windows_posts: list[Sequence[Post]]) -> float:
    """The temperature of an SVM's category margins, fitted on its validation windows (as
    fitted, its probabilities are the softmax of its margins: their logs give them back)."""
    parts = []
    for ((classes, probs), _, _), window in zip(trials, windows_posts, strict=True):
        known = [(row, classes.index(p.categories[0])) for row, p in zip(probs, window,
                                                                       strict=True)
                 if p.categories and p.categories[0] in classes]
        if known:
            rows, gold = zip(*known, strict=True)
            parts.append((np.log(np.clip(np.vstack(rows), 1e-300, None)), np.array(gold)))
    return calibration.temperature(parts) if parts else 1.0


def _calibrated(own: np.ndarray, gold_tags: np.ndarray, learned: np.ndarray,
                named: tuple[np.ndarray, np.ndarray], judge) -> tuple:
    """(Platt's a and b, the mentions' weights, the scores calibrated) of a candidate's
    tag scores on the windows: Platt scaling fitted on them (``learned``: the pairs to fit
    on), with the tags' mentions (``named``: in the title, in the body, of each window
    post) when they make the windows' figures better beyond noise."""
    margins, gold = logit(own)[learned], gold_tags[learned]
    ab = calibration.platt(margins, gold)
    plain = calibrate(own, ab)
    fit = calibration.platt(margins, gold, [found[learned] for found in named])
    weights = fit[2:]
    if any(weights):
        mentioned = calibrate(own, fit[:2], weights[0] * named[0] + weights[1] * named[1])
        if _beyond_noise(judge(mentioned)[0], judge(plain)[0]):
            return fit[:2], weights, mentioned
    return ab, NO_MENTIONS, plain


def _scored(results: dict[str, list], configs: dict[str, TrainingConfig],
            windows_posts: list[Sequence[Post]], gold_tags: np.ndarray,
            learned: np.ndarray, named: tuple[np.ndarray, np.ndarray],
            judge) -> tuple[dict, dict]:
    """Each candidate's (categories, tag scores) per window as its final models would give
    them, and its calibration: its tag scores blended as it blends (with its own SVM's, or
    the plain candidate's), then calibrated on all its windows (``_calibrated``); an SVM's
    category margins scaled by a temperature fitted likewise."""
    scored, fitted = {}, {}
    for name, trials in results.items():
        svm = configs[name].linear_model == "svm"
        t = _temperature(trials, windows_posts) if svm and trials[0][0] is not None else 1.0
        rows = []
        for w, (categories, own, simple) in enumerate(trials):
            if categories is not None and t != 1.0:
                classes, probs = categories
                categories = (classes, softmax(t * np.log(np.clip(probs, 1e-300, None))))
            if own is not None and configs[name].tag_blend:
                share = configs[name].tag_blend
                simple = results["plain"][w][1] if simple is None else simple
                own = (1 - share) * own + share * simple
            rows.append((categories, own))
        ab, weights = IDENTITY_PLATT, NO_MENTIONS
        if rows[0][1] is not None:
            own = np.vstack([own for _, own in rows])
            ab, weights, own = _calibrated(own, gold_tags, learned, named, judge)
            ends = np.cumsum([len(window) for window in windows_posts])[:-1]
            rows = [(c, part) for (c, _), part in zip(rows, np.split(own, ends), strict=True)]
        scored[name] = rows
        fitted[name] = {"tags": list(ab), "mentions": list(weights), "categories": t}
    return scored, fitted


def _f1s(scores: np.ndarray, gold: list[set[int]], threshold: float, min_tags: int,
         max_tags: int) -> np.ndarray:
    """Per post with gold tags: the F1 of the tags chosen at ``threshold``."""
    out = []
    for row, g in zip(scores, gold, strict=True):
        if g:
            chosen = set(choose_tags(row, threshold, min_tags, max_tags))
            out.append(2 * len(g & chosen) / (len(g) + len(chosen)))
    return np.array(out)


def _threshold(scores: np.ndarray, gold: list[set[int]], min_tags: int,
               max_tags: int) -> float:
    """The tag threshold with the best mean per-post F1."""
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.05, 0.96, 0.025):
        f1 = _f1s(scores, gold, threshold, min_tags, max_tags).mean()
        if f1 > best_f1 + 2e-9:
            best, best_f1 = round(float(threshold), 3), f1
    return best


def _simplest_within_noise(tally: dict[str, dict], *keys: str) -> str | None:
    """The first candidate left once, for each of ``keys`` in turn (per-post scores of its
    tally), those trailing the best left by more than one standard error of the paired
    difference are dropped; None without scores."""
    left = [name for name, figures in tally.items() if keys[0] in figures]
    for key in keys if left else ():
        best = max(left, key=lambda name: tally[name][key].mean())
        left = [name for name in left if not _beyond_noise(tally[best][key], tally[name][key])]
    return left[0] if left else None


def _judge(gold: np.ndarray, config: TrainingConfig, max_tags: int):
    """The figure of tag scores on the windows (``gold``: their posts' tags), as a function
    of the scores: (per-post scores, the mean of a post's tag F1 at the threshold chosen
    and its NDCG@5; that threshold)."""
    gold_tags = [set(np.flatnonzero(row)) for row in gold]

    def judge(scores: np.ndarray) -> tuple[np.ndarray, float]:
        threshold = _threshold(scores, gold_tags, config.min_tags, max_tags)
        rankings = [(np.argsort(-row, kind="stable")[:5], g)
                    for row, g in zip(scores, gold_tags, strict=True) if g]
        per_post = (_f1s(scores, gold_tags, threshold, config.min_tags, max_tags)
                    + np.array([ndcg(top, g) for top, g in rankings])) / 2
        return per_post, threshold

    return judge


def _beyond_noise(better: np.ndarray, worse: np.ndarray) -> bool:
    """Whether the paired per-post scores ``better`` lead ``worse`` by more than one
    standard error of their difference."""
    diff = better - worse
    if len(diff) < 2:
        return False
    # The sample's deviation (ddof 1): with the population's, one post better and the
    # rest equal would always count as beyond noise.
    return diff.mean() > diff.std(ddof=1) / math.sqrt(len(diff)) + 1e-12


def _category_log_likelihoods(parts: list, posts: Sequence[Post],
                              spans: list[tuple[int, int]]) -> np.ndarray:
    """Per window post with a category: the log of the probability its category got (a
    category the window's model never saw gets ``UNSEEN``)."""
    out = []
    for ((classes, probs), _), (a, b) in zip(parts, spans, strict=True):
        column = {c: k for k, c in enumerate(classes)}
        out += [math.log(max(row[column[p.categories[0]]], UNSEEN))
                if p.categories[0] in column else math.log(UNSEEN)
                for row, p in zip(probs, posts[a:b], strict=True) if p.categories]
    return np.array(out)


def _tally(results: dict[str, list], posts: Sequence[Post], spans: list[tuple[int, int]],
           judge) -> dict:
    """Per candidate: its pooled figures, per-post scores and threshold (see ``_judge``)."""
    valid = [p for a, b in spans for p in posts[a:b]]
    out = {}
    for name, parts in results.items():
        figures: dict = {}
        if parts[0][0] is not None:
            predicted = [classes[k] for (classes, probs), _ in parts
                         for k in probs.argmax(axis=1)]
            hits = np.array([p.categories[0] == c for p, c in zip(valid, predicted, strict=True)
                             if p.categories], dtype=float)
            logp = _category_log_likelihoods(parts, posts, spans)
            figures.update(category_hits=hits, category_accuracy=float(hits.mean()),
                           category_logp=logp, category_log_loss=float(-logp.mean()))
        if parts[0][1] is not None:
            per_post, threshold = judge(np.vstack([tags for _, tags in parts]))
            figures.update(tag_scores=per_post, tag_score=float(per_post.mean()),
                           tag_threshold=threshold)
        out[name] = figures
    return out


def _validate(docs: Sequence, counts: Counts, posts: Sequence[Post], tag_labels: list[str],
              max_tags: int, config: TrainingConfig, names: list[str], n_jobs: int,
              mentions: Mentions) -> Choices:
    spans = windows(len(posts))
    configs = {name: candidate_config(name, config, posts[:spans[0][0]]) for name in names}
    # An unweighted blend's SVM is the plain candidate's model: fitted once, blended after
    # ("plain" comes first, so its trials are there to blend).
    shared = {n for n in names if "plain" in names and n != "plain"
              and configs[n].tag_blend and configs[n].half_life_days is None}
    jobs, keys = [], []
    # What fitting reads of a post (its labels, date and title), without the body that
    # would be pickled to a worker with each task: 95 MB a task on allforces.
    labelled = [replace(p, body="", front_matter={}, field_lines={}) for p in posts]
    for a, b in spans:
        vectorizer = vectorizer_for(config)
        X_head = vectorizer.fit_counts(counts, a)
        X_valid = vectorizer.transform_counts(counts, a, b)
        for name in names:
            fitting = replace(configs[name], tag_blend=0.0) if name in shared else configs[name]
            alone = len(names) == 1  # a candidate named in the config learns both
            learns = tag_labels if CANDIDATES[name].get("tags", True) or alone else []
            jobs.append((X_head, X_valid, labelled[:a], learns, fitting,
                         CANDIDATES[name].get("categories", True) or alone))
            keys.append(name)
    results: dict[str, list] = {name: [] for name in names}
    for name, found in zip(keys, run(_trial, jobs, n_jobs), strict=True):
        results[name].append(found)
    gold = label_matrix(posts[spans[0][0]:spans[-1][1]], tag_labels)
    # The tags a window's models learned: one never used before the window is scored at a
    # constant floor, which says nothing of how margins map to probabilities.
    learned = np.vstack([np.repeat(label_matrix(posts[:a], tag_labels).any(axis=0)[None],
                                   b - a, axis=0) for a, b in spans])
    judge = _judge(gold, config, max_tags)
    scored, calibrations = _scored(results, configs, [posts[a:b] for a, b in spans],
                                   gold, learned, mentions(docs[spans[0][0]:spans[-1][1]]),
                                   judge)
    tally = _tally(scored, posts, spans, judge)
    # Categories by accuracy (what an editor sees), then, among those within noise of the
    # best, by the log-likelihood of the right category: a proper score, which tells
    # candidates apart on fewer posts than the accuracy, counting only the first.
    category = _simplest_within_noise(tally, "category_hits", "category_logp") or names[0]
    tags = _simplest_within_noise(tally, "tag_scores") or names[0]
    report = {
        "windows": [{"posts": b - a, "since": str(posts[a].date)} for a, b in spans],
        "chosen": {"categories": category, "tags": tags},
        "calibration": {"tags": calibrations[tags]["tags"],
                        "mentions": calibrations[tags]["mentions"],
                        "categories": calibrations[category]["categories"]},
        "candidates": {n: {k: v for k, v in f.items() if k not in PER_POST}
                       for n, f in tally.items()},
    }
    return Choices(candidate_config(category, config, posts),
                   candidate_config(tags, config, posts),
                   tally[tags].get("tag_threshold", 0.5), report, report["calibration"])


def _reusable(previous: ModelCard | None, config: TrainingConfig,
              posts: Sequence[Post]) -> Choices | None:
    """The choices of ``previous`` if they still apply to ``posts``."""
    if not previous:
        return None
    try:
        training = previous.training
        oldest = min((str(p.date) for p in posts if p.date), default=None)
        close = abs(training.posts - len(posts)) <= max(5, len(posts) // 100)
        if not (training.config == config.as_json() and close
                and training.date_range[:1] == [oldest]):
            return None
        chosen, lives = previous.validation["chosen"], previous.half_life_days
        category = replace(candidate_config(chosen["categories"], config, posts),
                           half_life_days=lives["category"])
        tags = replace(candidate_config(chosen["tags"], config, posts),
                       half_life_days=lives["tags"])
        return Choices(category, tags, float(previous.tag_threshold),
                       {**previous.validation, "reused_from": previous.created},
                       previous.validation.get("calibration", UNCALIBRATED))
    except (KeyError, TypeError, ValueError):
        return None  # choices of another shape: choose afresh


def choose(docs: Sequence, counts: Counts, posts: Sequence[Post], tag_labels: list[str],
           max_tags: int, config: TrainingConfig, previous: ModelCard | None, n_jobs: int,
           mentions: Mentions) -> Choices:
    """The candidates and tag threshold for this blog: an earlier model's when they still
    apply, else those that did best on the newest posts with models fitted on the older
    (``counts``: the term counts of ``docs``, see ``DocumentVectorizer.count``)."""
    reused = _reusable(previous, config, posts)
    if reused:
        return reused
    names = candidate_names(config)
    if not windows(len(posts)):  # too few posts to choose with: the simplest
        chosen = candidate_config(names[0], config, posts)
        return Choices(chosen, chosen, 0.5, {"chosen": {"categories": names[0],
                                                        "tags": names[0]}}, UNCALIBRATED)
    return _validate(docs, counts, posts, tag_labels, max_tags, config, names, n_jobs,
                     mentions)
