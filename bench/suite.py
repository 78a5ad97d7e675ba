"""The validation suite of issue 13: four blogs, bunrui as served beside the reference and Annif.

    python bench/quality.py suite [--blogs allforces,znz] [--split test|validation]
                                  [--set tag_C=16 ...] [--json FILE] [--no-peer-cache]

Splits: allforces trains before 2026-03-01 and tests on 2026-03-01 .. 14; the others test
on their newest 20% (``newest_share_date``). ``--split validation`` measures on a window
inside the training period instead (allforces: train before 2026-02-21, validate on
02-21 .. 28; the others: the newest 20% of their training posts), for tuning: never tune
on the test split.

bunrui is measured as served: trained with a ``TrainingConfig`` (``--set`` overrides its
defaults), its suggestions put in the terms of the taxonomy ``bunrui suggest`` would find
for each test post's folder (``resolve_taxonomy`` with the model card). The reference
(``reference.py``) and Annif (``annif_peer.py``) are cached per blog and split in
``~/.cache/bunrui-bench/suite/``, keyed by the posts' paths and content and the
systems' spec versions, so a rerun after a library change retrains bunrui only.
All three are measured by the library's ``tag_metrics`` and ``category_metrics``.
Category figures only where the training posts carry two or more categories (not znz,
whose one category ``blog`` is on every post).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import annif_peer
import numpy as np
import reference
from quality import CACHE, SHARED, TEST_DATE, VALID_WEEKS
from reference import Predictions, trainable_categories

from bunrui.classifier import (
    Post,
    Suggester,
    TrainingConfig,
    load_corpus,
    newest_share_date,
    time_split,
)
from bunrui.classifier.conform import conform
from bunrui.classifier.model.evaluation import category_metrics, tag_metrics
from bunrui.classifier.taxonomy import resolve_taxonomy

BLOGS = ("allforces", "mamezou", "znz", "lacolaco")
PEER_CACHE = Path.home() / ".cache" / "bunrui-bench" / "suite"
SYSTEMS = ("bunrui", "reference", "annif")
# (key in the figures, column title)
METRICS = (("accuracy", "cat. acc"), ("precision@1", "P@1"), ("precision@3", "P@3"),
           ("ndcg@5", "NDCG@5"), ("recall@5", "R@5"), ("f1", "tag F1"))


def fit_bunrui(train_posts: Sequence[Post], config: TrainingConfig | None = None):
    """bunrui trained on ``train_posts``: (suggester, model card). The one place that
    calls the library's training, so a change of its signature is made here only."""
    config = config or TrainingConfig()
    suggester = Suggester(config).fit(train_posts, cache=CACHE, n_jobs=2)
    return suggester, suggester.report_.card(config)


def bunrui_predictions(train_posts: Sequence[Post], test_posts: Sequence[Post],
                       config: TrainingConfig | None = None) -> tuple[Predictions, dict]:
    """bunrui as served: the suggestions `bunrui suggest` gives for each test post."""
    start = time.perf_counter()
    suggester, card = fit_bunrui(train_posts, config)
    trained = time.perf_counter() - start
    taxonomies: dict[str, object] = {}
    categories, ranked, chosen = [], [], []
    for post, suggestion in zip(test_posts, suggester.suggest_posts(test_posts), strict=True):
        folder = os.path.dirname(os.path.abspath(post.path))
        if folder not in taxonomies:
            taxonomies[folder] = resolve_taxonomy(None, start=folder, card=card)
        served = conform(suggestion, taxonomies[folder])
        categories.append(served.category.label if served.category else None)
        ranked.append([(t.label, t.score) for t in served.tag_candidates])
        chosen.append([t.label for t in served.tags])
    return Predictions(categories, ranked, chosen), {
        "train_seconds": trained, "wall_seconds": time.perf_counter() - start,
        "chosen": card.validation.get("chosen"), "half_life_days": card.half_life_days,
        "tag_threshold": card.tag_threshold}


def _post_digest(post: Post) -> str:
    data = json.dumps([post.path, post.title, post.body, list(post.categories),
                       list(post.tags), str(post.date)], ensure_ascii=False)
    return hashlib.blake2b(data.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def cache_key(train_posts: Sequence[Post], test_posts: Sequence[Post], version: str) -> str:
    """What a peer's predictions depend on: the posts on each side and its spec version."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(version.encode())
    for side in (train_posts, test_posts):
        digest.update(b"\0side")
        for post in side:
            digest.update(_post_digest(post).encode())
    return digest.hexdigest()


def cached(blog: str, system: str, version: str, train_posts, test_posts,
           compute: Callable[[], tuple[Predictions, dict]], refresh: bool
           ) -> tuple[Predictions, dict]:
    """A peer's predictions from the cache, or computed (and timed) and stored."""
    path = PEER_CACHE / f"{blog}-{system}-{cache_key(train_posts, test_posts, version)}.json"
    if not refresh and path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return Predictions.from_dict(data["predictions"]), {**data["facts"], "cached": True}
    start = time.perf_counter()
    predictions, facts = compute()
    facts = {**facts, "wall_seconds": time.perf_counter() - start}
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    temp.write_text(json.dumps({"predictions": predictions.as_dict(), "facts": facts},
                               ensure_ascii=False), encoding="utf-8")
    temp.replace(path)
    return predictions, {**facts, "cached": False}


def _reference(train_posts, test_posts) -> tuple[Predictions, dict]:
    return reference.predict(train_posts, test_posts), {}


def split(blog: str, posts: Sequence[Post], which: str) -> tuple[list[Post], list[Post]]:
    """(training posts, posts measured on) of ``blog`` for the test or validation split."""
    if blog == "allforces":
        if which == "test":
            return time_split(posts, TEST_DATE)
        start, end = VALID_WEEKS[1]
        older, _ = time_split(posts, TEST_DATE)
        train_posts, valid = time_split(older, start)
        return train_posts, [p for p in valid if p.date < end]
    train_posts, test_posts = time_split(posts, newest_share_date(posts, 0.2))
    if which == "test":
        return train_posts, test_posts
    # The newest 20% of the training posts: 0.25 of the 80%.
    return time_split(train_posts, newest_share_date(train_posts, 0.25))


def measure(test_posts: Sequence[Post], predictions: Predictions, categories: bool) -> dict:
    """The library's figures of ``predictions``: tags, and the category where it counts."""
    out = {"tags": tag_metrics([p.tags for p in test_posts],
                               [[t for t, _ in row] for row in predictions.ranked],
                               predictions.chosen)}
    if categories:
        out["category"] = category_metrics(
            [p.categories[0] if p.categories else None for p in test_posts],
            predictions.categories)
    return out


def run_blog(blog: str, which: str, config: TrainingConfig | None, refresh: bool) -> dict:
    posts = load_corpus([SHARED / blog]).posts
    train_posts, test_posts = split(blog, posts, which)
    with_categories = trainable_categories(train_posts)
    print(f"{blog}: train {len(train_posts)} ({min(p.date for p in train_posts)} .. "
          f"{max(p.date for p in train_posts)}), {which} {len(test_posts)} "
          f"({min(p.date for p in test_posts)} .. {max(p.date for p in test_posts)})",
          file=sys.stderr)
    runs = {
        "bunrui": lambda: bunrui_predictions(train_posts, test_posts, config),
        "reference": lambda: cached(blog, "reference", reference.SPEC_VERSION, train_posts,
                                    test_posts, lambda: _reference(train_posts, test_posts),
                                    refresh),
        "annif": lambda: cached(blog, "annif",
                                f"{annif_peer.SPEC_VERSION}/{reference.SPEC_VERSION}",
                                train_posts, test_posts,
                                lambda: annif_peer.predict(train_posts, test_posts), refresh),
    }
    out: dict = {"train_posts": len(train_posts), "test_posts": len(test_posts),
                 "categories": with_categories, "split": which, "systems": {}}
    for system, run in runs.items():
        start = time.perf_counter()
        predictions, facts = run()
        facts["seconds_this_run"] = time.perf_counter() - start
        out["systems"][system] = {**measure(test_posts, predictions, with_categories),
                                  "facts": facts}
        print(f"  {system}: {facts['seconds_this_run']:.0f}s"
              + (" (cached)" if facts.get("cached") else "")
              + (f", chose {facts['chosen']}" if facts.get("chosen") else ""), file=sys.stderr)
    return out


def _figure(result: dict, key: str) -> float | None:
    side = result.get("category", {}) if key == "accuracy" else result.get("tags", {})
    return side.get(key)


def _cells(values: Sequence[float | None]) -> str:
    return " | ".join("–" if v is None else f"{v:.3f}" for v in values)


def summarize(report: dict) -> dict:
    """Means per system, bunrui's margins (mean and worst blog) and the targets."""
    blogs = list(report)
    means: dict = {}
    for system in SYSTEMS:
        means[system] = {}
        for key, _ in METRICS:
            values = [_figure(report[b]["systems"][system], key) for b in blogs]
            values = [v for v in values if v is not None]
            means[system][key] = float(np.mean(values)) if values else None
    margins: dict = {}
    for other in ("reference", "annif"):
        margins[other] = {}
        for key, _ in METRICS:
            pairs = {b: (_figure(report[b]["systems"]["bunrui"], key),
                         _figure(report[b]["systems"][other], key)) for b in blogs}
            pairs = {b: p for b, p in pairs.items() if None not in p}
            if not pairs:
                continue
            diffs = {b: x - y for b, (x, y) in pairs.items()}
            worst = min(diffs, key=diffs.get)
            entry = {"mean": means["bunrui"][key] - means[other][key],
                     "worst_blog": worst, "worst": diffs[worst]}
            if key in ("f1", "precision@3"):
                ratios = {b: x / y if y else float("inf") for b, (x, y) in pairs.items()}
                low = min(ratios, key=ratios.get)
                entry.update(mean_ratio=(means["bunrui"][key] / means[other][key]
                                         if means[other][key] else None),
                             worst_ratio_blog=low, worst_ratio=ratios[low])
            margins[other][key] = entry
    return {"means": means, "margins": margins, "targets": targets(report, means)}


def targets(report: dict, means: dict) -> list[tuple[str, bool | None, str]]:
    """Issue 13's figures for bunrui: (what, met or None when not measurable, detail)."""
    def per_blog(system: str, key: str) -> dict:
        return {b: _figure(r["systems"][system], key) for b, r in report.items()
                if _figure(r["systems"][system], key) is not None}

    out = []
    for key, name in (("precision@3", "P@3"), ("ndcg@5", "NDCG@5")):
        ours, ref = per_blog("bunrui", key), per_blog("reference", key)
        low = [b for b in ours if ours[b] < ref[b]]
        out.append((f"tag {name} ≥ reference on every blog", not low,
                    "below on " + ", ".join(low) if low else "all blogs"))
        ratio = means["bunrui"][key] / means["reference"][key]
        out.append((f"tag {name} ≥ 1.05 × reference on the mean", ratio >= 1.05,
                    f"{ratio:.3f}×"))
    ours, ref = per_blog("bunrui", "f1"), per_blog("reference", "f1")
    ratios = {b: ours[b] / ref[b] if ref[b] else float("inf") for b in ours}
    out.append(("tag F1 ≥ 1.15 × reference on every blog", min(ratios.values()) >= 1.15,
                ", ".join(f"{b} {r:.2f}×" for b, r in ratios.items())))
    for key, name in (("f1", "F1"), ("precision@3", "P@3")):
        ours, peer = per_blog("bunrui", key), per_blog("annif", key)
        won = [b for b in ours if ours[b] >= peer[b]]
        on_mean = means["bunrui"][key] >= means["annif"][key]
        needed = math.ceil(0.75 * len(ours))  # 3 of the 4 blogs
        out.append((f"tag {name} ≥ Annif on the mean and on ≥ {needed} of {len(ours)} blogs",
                    on_mean and len(won) >= needed,
                    f"mean {'met' if on_mean else 'not met'}; {len(won)} of {len(ours)} "
                    f"blogs ({', '.join(won) or 'none'})"))
    ours, ref = per_blog("bunrui", "accuracy"), per_blog("reference", "accuracy")
    low = [b for b in ours if ours[b] < ref[b]]
    out.append(("category accuracy ≥ reference on every blog with categories", not low,
                "below on " + ", ".join(low) if low else ", ".join(ours)))
    if "allforces" in ours:
        out.append(("category accuracy ≥ 0.85 on allforces", ours["allforces"] >= 0.85,
                     f"{ours['allforces']:.3f}"))
    return out


def table(report: dict, summary: dict) -> str:
    head = " | ".join(title for _, title in METRICS)
    which = next(iter(report.values()))["split"] if report else "test"
    lines = [f"| blog (train / {which}) | system | {head} |",
             "|---|---|" + "---|" * len(METRICS)]
    for blog, result in report.items():
        for i, system in enumerate(SYSTEMS):
            label = f"{blog} ({result['train_posts']} / {result['test_posts']})" if not i else ""
            values = [_figure(result["systems"][system], key) for key, _ in METRICS]
            lines.append(f"| {label} | {system} | {_cells(values)} |")
    for i, system in enumerate(SYSTEMS):
        values = [summary["means"][system][key] for key, _ in METRICS]
        lines.append(f"| {'mean' if not i else ''} | {system} | {_cells(values)} |")
    for other in ("reference", "annif"):
        margins = summary["margins"][other]
        mean = [margins.get(key, {}).get("mean") for key, _ in METRICS]
        lines.append(f"| bunrui − {other} | mean | {_cells(mean)} |")
        lines.append("| | worst blog | " + " | ".join(
            "–" if margins.get(key) is None else
            f"{margins[key]['worst']:+.3f} ({margins[key]['worst_blog']})"
            for key, _ in METRICS) + " |")
        ratios = []
        for key, _ in METRICS:
            entry = margins.get(key, {})
            ratios.append(f"{entry['mean_ratio']:.3f}× mean, {entry['worst_ratio']:.3f}× "
                          f"({entry['worst_ratio_blog']})" if "mean_ratio" in entry else "")
        lines.append(f"| | ratio | {' | '.join(ratios)} |")
    lines.append("")
    for what, met, detail in summary["targets"]:
        lines.append(f"- {'PASS' if met else 'FAIL'}: {what} ({detail})")
    return "\n".join(lines)


def _config(settings: Sequence[str]) -> TrainingConfig | None:
    if not settings:
        return None
    values = {}
    for item in settings:
        name, _, text = item.partition("=")
        try:
            values[name] = json.loads(text)
        except ValueError:
            values[name] = text
    return TrainingConfig(**values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="quality.py suite",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--blogs", default=",".join(BLOGS),
                        help=f"comma-separated, of {', '.join(BLOGS)} (default: all)")
    parser.add_argument("--split", choices=["test", "validation"], default="test")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a TrainingConfig field for bunrui (JSON value), repeatable")
    parser.add_argument("--json", help="write all figures to this file")
    parser.add_argument("--no-peer-cache", action="store_true",
                        help="recompute the reference's and Annif's predictions")
    args = parser.parse_args(argv)
    blogs = [b for b in args.blogs.split(",") if b]
    unknown = sorted(set(blogs) - set(BLOGS))
    if unknown:
        parser.error(f"unknown blog(s): {', '.join(unknown)}")
    config = _config(args.set)
    report = {blog: run_blog(blog, args.split, config, args.no_peer_cache) for blog in blogs}
    summary = summarize(report)
    print(f"\n{args.split} split, {dt.date.today()}, bunrui config: "
          f"{', '.join(args.set) or 'defaults'}\n")
    print(table(report, summary))
    if args.json:
        Path(args.json).write_text(json.dumps({"blogs": report, **summary},
                                              ensure_ascii=False, indent=2, default=str))
    return 0
