"""`bunrui evaluate`: train on older posts, measure on newer ones, baselines beside."""

from __future__ import annotations

import argparse
import json

from bunrui.classifier import (
    evaluate_folds,
    evaluate_rolling,
    evaluate_split,
    newest_share_date,
    time_split,
)

from . import options
from .options import UsageError


def add_parser(commands) -> None:
    p = commands.add_parser("evaluate", help="measure a model on posts it did not see")
    options.add_corpus(p)
    split = p.add_mutually_exclusive_group(required=True)
    split.add_argument("--split-date", type=options.date, metavar="DATE",
                       help="train on posts before DATE, test on the rest")
    split.add_argument("--test-share", type=options.share, metavar="SHARE",
                       help="test on the newest SHARE (0-1) of the posts")
    split.add_argument("--folds", type=options.positive, metavar="K",
                       help="K contiguous time folds")
    split.add_argument("--rolling-from", type=options.date, metavar="DATE",
                       help="retrain before each day from DATE on and test on that day's "
                            "posts, as when the model is retrained as posts come")
    p.add_argument("--every", type=options.positive, metavar="DAYS",
                   help="with --rolling-from: retrain every DAYS days (default 1)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.every and not args.rolling_from:
        raise UsageError("evaluate --every goes with --rolling-from")
    corpus = options.load_posts(args)
    config, cache = options.training_config(args), options.token_cache(args)
    if args.folds:
        result = evaluate_folds(corpus.posts, args.folds, config, cache=cache, n_jobs=args.jobs)
    elif args.rolling_from:
        result = evaluate_rolling(corpus.posts, args.rolling_from, config,
                                  every_days=args.every or 1, cache=cache, n_jobs=args.jobs)
    else:
        date = args.split_date or newest_share_date(corpus.posts, args.test_share)
        train_posts, test_posts = time_split(corpus.posts, date)
        result = evaluate_split(train_posts, test_posts, config, cache=cache, n_jobs=args.jobs)
        result["split_date"] = str(date)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json
          else _format(result))
    return 0


def _format(result: dict) -> str:
    rows = []
    names = [("category", "accuracy"), ("category", "macro_f1"), ("tags", "precision@1"),
             ("tags", "precision@3"), ("tags", "precision@5"), ("tags", "recall@5"),
             ("tags", "ndcg@5"), ("tags", "f1"), ("tags", "tags_per_post")]
    rows.append(f"{'metric':<24}{'model':>10}{'baseline':>10}")
    for kind, key in names:
        model = result["model"][kind].get(key)
        base = result["baseline"][kind].get(key)
        if model is None:
            continue
        rows.append(f"{kind + ' ' + key:<24}{model:>10.3f}{base if base is not None else 0:>10.3f}")
    head = f"trained on {result.get('train_posts', '-')} posts, tested on {result['test_posts']}"
    if "folds" in result:
        head = f"{result['folds']}-fold (time-contiguous), {result['test_posts']} posts"
    if "retrains" in result:
        head = (f"retrained {result['retrains']} times from {result['rolling_from']} "
                f"(every {result['every_days']} day{'s' if result['every_days'] > 1 else ''}), "
                f"tested on {result['test_posts']} posts")
    return head + "\n" + "\n".join(rows)
