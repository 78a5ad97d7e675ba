"""`bunrui train`: learn a blog's categories and tags and write a model folder."""

from __future__ import annotations

import argparse
import os

from bunrui.classifier import BunruiError, Suggester, read_card, save_model
from bunrui.classifier.model.persistence import CARD_FILE
from bunrui.classifier.workers import start_workers

from . import options
from .progress import Progress


def add_parser(commands) -> None:
    p = commands.add_parser("train", help="train a model on a blog's posts")
    options.add_corpus(p)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the model to")
    p.add_argument("--retune", action="store_true",
                   help="choose the recency half-life and tag threshold afresh even when the "
                        "model in --out was trained with the same settings on nearly the "
                        "same posts (by default its choices are reused: quick retraining)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start_workers(args.jobs)  # they start up while the posts are read
    corpus = options.load_posts(args)
    previous = None
    if not args.retune and os.path.isfile(os.path.join(args.out, CARD_FILE)):
        try:
            previous = read_card(args.out)
        except BunruiError:
            previous = None  # an unreadable old model is simply replaced
    config = options.training_config(args)
    progress = Progress(2 * len(corpus.posts), "tokenizing")
    try:
        suggester = Suggester(config).fit(corpus.posts, cache=options.token_cache(args),
                                          n_jobs=args.jobs, progress=progress,
                                          previous=previous)
    finally:
        progress.close()
    report = suggester.report_
    card = report.card(config, skipped=len(corpus.skipped),
                       sources=[os.path.basename(os.path.abspath(p)) for p in args.paths])
    save_model(suggester, args.out, card)
    learned, used = len(suggester.category_labels_), len(report.category_counts)
    # On a blog with several categories a post, the model learns the first ones only.
    others = f" ({used} in all, the first of a post learned)" if 0 < learned < used else ""
    print(f"trained on {corpus.summary()}: {learned} categories{others}, "
          f"{len(suggester.tag_labels_)} tags ({len(report.rare_tags)} rare tags left out); "
          f"tag threshold {report.tag_threshold}; model written to {args.out}")
    return 0
