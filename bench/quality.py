"""Model quality on the user's blog and a second blog, time-ordered, with baselines.

Choices are made on validation splits inside the training period (allforces: train before
2026-02-14 and validate on 02-14 .. 02-20, the first week of its new labelling; train
before 02-21 and validate on 02-21 .. 02-28; mamezou: the 20% before its test period);
the test period (2026-03-01 .. 2026-03-14) is measured once, with the chosen configuration.

    python bench/quality.py validate            # compare configurations on validation
    python bench/quality.py test [--json FILE]  # chosen config vs baselines on the test split
    python bench/quality.py sizes [--json FILE] # smaller blogs: fewer training posts, same tests
    python bench/quality.py rolling [--json FILE]  # the test periods, retrained as posts come
    python bench/quality.py suite [--blogs …] [--split …] [--json FILE]  # issue 13's four blogs

`test` also measures the tags as served (`as_served`): what `suggest` and the service give
without a taxonomy file, with no tag named like a category.

`sizes` trains on 250, 500 and 1,000 of the posts before each split, taken two ways: the
newest ones (a young blog) and every k-th one over the whole period (a blog that posts
less often), and measures on the same validation and test posts as the full corpus.

`rolling` measures the same test periods with the model retrained before each day
(allforces) or week (mamezou) on every post before it, as a blog that retrains on every
change uses bunrui; the reference is retrained likewise.

`suite` runs issue 13's validation suite (four blogs; bunrui as served, the reference and
Annif side by side): see bench/suite.py, `python bench/quality.py suite --help`.

The reference in every table is issue 13's (bench/reference.py): TF-IDF over UniDic
lemmas, LinearSVC with C=0.5; it replaced the earlier "TF-IDF + LinearSVC, defaults".

Reads ../shared (never the tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import reference

from bunrui.classifier import (
    Suggester,
    TokenCache,
    TrainingConfig,
    evaluate_split,
    load_corpus,
    time_split,
)
from bunrui.classifier.conform import conform
from bunrui.classifier.model.evaluation import (
    category_metrics,
    evaluate_rolling,
    newest_share_date,
    rolling_windows,
    tag_metrics,
)
from bunrui.classifier.taxonomy import Taxonomy

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CACHE = TokenCache(str(Path.home() / ".cache" / "bunrui-bench"))
TEST_DATE = dt.date(2026, 3, 1)
VALID_WEEKS = [(dt.date(2026, 2, 14), dt.date(2026, 2, 21)), (dt.date(2026, 2, 21), TEST_DATE)]
REFERENCE = "reference (issue 13: UniDic lemmas, TF-IDF, LinearSVC C=0.5)"

# The configuration shipped as TrainingConfig's defaults, chosen with `validate`.
CANDIDATES = {
    "defaults": {},
    "tag model alone (no neighbour votes, no prior shift)": {"tag_neighbours": 0,
                                                             "tag_prior_shift": 0.0},
    "no neighbour votes": {"tag_neighbours": 0},
    "no prior shift": {"tag_prior_shift": 0.0},
    "prior shift 0.5": {"tag_prior_shift": 0.5},
    "10 neighbours": {"tag_neighbours": 10},
    "20 neighbours": {"tag_neighbours": 20},
    "tag mix 0.35": {"tag_mix": 0.35},
    "tag mix 0.65": {"tag_mix": 0.65},
    "no recency weighting": {"half_life_days": None},
    "half-life 7 days": {"half_life_days": 7},
    "whole body": {"max_chars": None},
    "title weight 2": {"title_weight": 2},
    "title weight 5": {"title_weight": 5},
    "tag C 16": {"tag_C": 16.0},
    "category C 10": {"category_C": 10.0},
    "no yearly series tags": {"tag_series": False},
}


def reference_predictions(train_posts, test_posts) -> tuple:
    """Issue 13's reference (bench/reference.py): (categories or None, ranked tags,
    suggested tags) of the test posts."""
    found = reference.predict(train_posts, test_posts)
    categories = found.categories if reference.trainable_categories(train_posts) else None
    return categories, [[t for t, _ in row] for row in found.ranked], found.chosen


def reference_metrics(test_posts, predictions: tuple) -> dict:
    categories, ranked, chosen = predictions
    out = {"tags": tag_metrics([p.tags for p in test_posts], ranked, chosen)}
    if categories is not None:
        out["category"] = category_metrics([p.categories[0] if p.categories else None
                                            for p in test_posts], categories)
    return out


def reference_figures(train_posts, test_posts) -> dict:
    return reference_metrics(test_posts, reference_predictions(train_posts, test_posts))


def as_served(train_posts, test_posts) -> dict:
    """The defaults' tags as `suggest` and the service give them without a taxonomy file:
    in the terms of the model card's taxonomy, so no tag named like a category."""
    suggester = Suggester(TrainingConfig()).fit(train_posts, cache=CACHE, n_jobs=2)
    taxonomy = Taxonomy(categories=tuple(suggester.category_labels_))
    served = [conform(s, taxonomy) for s in suggester.suggest_posts(test_posts)]
    return {"tags": tag_metrics([p.tags for p in test_posts],
                                [[t.label for t in s.tag_candidates] for s in served],
                                [[t.label for t in s.tags] for s in served])}


def _row(name: str, result: dict) -> str:
    cat, tags = result.get("category", {}), result.get("tags", {})
    cells = [cat.get("accuracy"), cat.get("macro_f1"), tags.get("precision@1"),
             tags.get("precision@3"), tags.get("recall@5"), tags.get("ndcg@5"), tags.get("f1")]
    return f"| {name} | " + " | ".join("-" if c is None else f"{c:.3f}" for c in cells) + " |"


HEADER = ("| model | cat. accuracy | cat. macro-F1 | tag P@1 | tag P@3 | tag R@5 | tag NDCG@5 "
          "| tag F1 |\n|---|---|---|---|---|---|---|---|")


def run(train_posts, test_posts, configs: dict, reference: bool = True) -> tuple[list, dict]:
    rows, results = [], {}
    for name, kwargs in configs.items():
        start = time.perf_counter()
        result = evaluate_split(train_posts, test_posts, TrainingConfig(**kwargs), cache=CACHE,
                                n_jobs=2)
        results[name] = result
        rows.append(_row(f"bunrui: {name}", result["model"]))
        print(f"  {name}: {time.perf_counter() - start:.0f}s", file=sys.stderr)
    if configs:
        first = next(iter(results.values()))
        rows.append(_row("most frequent category / tags", first["baseline"]))
    if reference:
        results["reference"] = reference_figures(train_posts, test_posts)
        rows.append(_row(REFERENCE, results["reference"]))
    return rows, results


SIZES = (250, 500, 1000)


def sizes(allforces, mamezou) -> dict:
    """Smaller blogs: the defaults trained on N posts of the training period."""
    report: dict = {}
    older, _ = time_split(allforces, TEST_DATE)
    start, end = VALID_WEEKS[1]
    head, valid = time_split(older, start)
    train_all, test = time_split(allforces, TEST_DATE)
    mame_split = newest_share_date(mamezou, 0.2)
    mame_train, mame_test = time_split(mamezou, mame_split)
    splits = {"allforces validation 02-21..28": (head, [p for p in valid if p.date < end]),
              "allforces test": (train_all, test),
              "mamezou test": (mame_train, mame_test)}
    for name, (train_posts, test_posts) in splits.items():
        train_posts = sorted(train_posts, key=lambda p: (p.date, p.path))
        print(f"\n{name}: {len(test_posts)} posts\n{HEADER}")
        for n in SIZES:
            if n >= len(train_posts):
                continue
            step = len(train_posts) / n
            samples = {f"newest {n}": train_posts[-n:],
                       f"every {step:.1f}th, {n}": [train_posts[int(i * step)]
                                                    for i in range(n)]}
            for label, sample in samples.items():
                rows, report[f"{name}, {label}"] = run(sample, test_posts, {label: {}})
                print("\n".join(rows))
        rows, report[f"{name}, all {len(train_posts)}"] = run(
            train_posts, test_posts, {f"all {len(train_posts)}": {}})
        print("\n".join(rows))
    return report


def rolling(allforces, mamezou) -> dict:
    """The test periods, with bunrui and the reference retrained before each window."""
    report: dict = {}
    periods = {"allforces": (allforces, TEST_DATE, 1),
               "mamezou": (mamezou, newest_share_date(mamezou, 0.2), 7)}
    for name, (posts, start, every) in periods.items():
        begun = time.perf_counter()
        result = evaluate_rolling(posts, start, TrainingConfig(), every_days=every,
                                  cache=CACHE, n_jobs=2)
        print(f"  {name}: {result['retrains']} retrains, {time.perf_counter() - begun:.0f}s",
              file=sys.stderr)
        pooled, test_posts = ([], [], []), []
        for train_posts, window in rolling_windows(posts, start, every):
            for whole, part in zip(pooled, reference_predictions(train_posts, window),
                                   strict=True):
                whole.extend(part or [])
            test_posts += window
        ref = reference_metrics(test_posts, (pooled[0] or None, *pooled[1:]))
        report[name] = {"bunrui": result, "reference": ref}
        print(f"\n{name}: retrained every {every} day(s) from {start}, "
              f"{result['retrains']} times, {result['test_posts']} test posts\n{HEADER}")
        print("\n".join([_row("bunrui: defaults", result["model"]),
                         _row("most frequent category / tags", result["baseline"]),
                         _row(REFERENCE, ref)]))
    return report


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["suite"]:
        import suite  # imported here: suite imports this module's constants

        return suite.main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=["validate", "test", "sizes", "rolling", "suite"])
    parser.add_argument("--json", help="write all figures to this file")
    args = parser.parse_args(argv)
    allforces = load_corpus([SHARED / "allforces"]).posts
    mamezou = load_corpus([SHARED / "mamezou"]).posts
    report: dict = {}
    if args.stage == "sizes":
        report = sizes(allforces, mamezou)
    elif args.stage == "rolling":
        report = rolling(allforces, mamezou)
    elif args.stage == "validate":
        older, _ = time_split(allforces, TEST_DATE)
        for start, end in VALID_WEEKS:
            train_posts, valid_posts = time_split(older, start)
            valid_posts = [p for p in valid_posts if p.date < end]
            print(f"allforces validation: train {len(train_posts)} < {start} <= "
                  f"{len(valid_posts)} < {end}\n{HEADER}")
            rows, report[f"allforces {start}"] = run(train_posts, valid_posts, CANDIDATES)
            print("\n".join(rows))
        # mamezou: validate on the 20% before its newest 20%.
        older, _ = time_split(mamezou, newest_share_date(mamezou, 0.2))
        train_posts, valid_posts = time_split(older, newest_share_date(older, 0.25))
        print(f"\nmamezou validation: train {len(train_posts)}, validate {len(valid_posts)}\n"
              f"{HEADER}")
        rows, report["mamezou"] = run(train_posts, valid_posts, CANDIDATES)
        print("\n".join(rows))
        print("\nmean tag F1 over the three validation splits")
        for name in CANDIDATES:
            f1 = [split[name]["model"]["tags"]["f1"] for split in report.values()]
            print(f"| {name} | {np.mean(f1):.3f} | " + " / ".join(f"{x:.3f}" for x in f1) + " |")
    else:
        chosen = {"defaults": {}}
        train_posts, test_posts = time_split(allforces, TEST_DATE)
        print(f"allforces test: train {len(train_posts)} < {TEST_DATE} <= {len(test_posts)}\n"
              f"{HEADER}")
        rows, report["allforces"] = run(train_posts, test_posts, chosen)
        report["allforces"]["as served"] = as_served(train_posts, test_posts)
        rows.insert(1, _row("bunrui: defaults, tags as served", report["allforces"]["as served"]))
        print("\n".join(rows))
        split = newest_share_date(mamezou, 0.2)
        train_posts, test_posts = time_split(mamezou, split)
        print(f"\nmamezou test: train {len(train_posts)} < {split} <= {len(test_posts)}\n"
              f"{HEADER}")
        rows, report["mamezou"] = run(train_posts, test_posts, chosen)
        print("\n".join(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
