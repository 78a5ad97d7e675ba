"""Options the commands share, each defined once so that it is spelled, checked and
resolved the same everywhere, and the argument types they use."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from bunrui.classifier import Corpus, InputError, TokenCache, TrainingConfig, load_corpus
from bunrui.classifier.corpus.posts import POST_SUFFIXES
from bunrui.classifier.model.config import CANDIDATES

MODEL_HELP = "model folder (default: the bundled model of the allforces blog)"


class UsageError(Exception):
    """Options that are valid one by one but not together: a usage error (exit 2)."""


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1: {text!r}")
    return value


def share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1: {text!r}")
    return value


def half_life(text: str) -> float | str | None:
    if text == "auto":
        return text
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 'auto' or a number of days >= 0: {text!r}")
    return value or None


def add_model(parser: argparse.ArgumentParser, help: str = MODEL_HELP, *,
              default: str | None = None) -> None:
    """``--model DIR``; ``help`` says what the command falls back to without it."""
    parser.add_argument("--model", metavar="DIR", default=default, help=help)


def add_taxonomy(parser: argparse.ArgumentParser, help: str) -> None:
    """``--taxonomy FILE``; ``help`` says where the command looks for one without it."""
    parser.add_argument("--taxonomy", metavar="FILE", help=help)


def add_token_cache(parser: argparse.ArgumentParser, work: str) -> None:
    """``--cache-dir``, ``--no-cache`` and ``--jobs`` (processes for ``work``)."""
    parser.add_argument("--cache-dir", default=None,
                        help="token cache folder (default $BUNRUI_CACHE_DIR or ~/.cache/bunrui)")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    parser.add_argument("--jobs", type=positive, default=min(2, os.cpu_count() or 1),
                        help=f"processes for {work} (default %(default)s)")


def default_cache_dir() -> str:
    """The per-user cache folder: $BUNRUI_CACHE_DIR, else the XDG cache home."""
    if os.environ.get("BUNRUI_CACHE_DIR"):
        return os.environ["BUNRUI_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "bunrui")


def token_cache(args: argparse.Namespace) -> TokenCache | None:
    """The token cache ``add_token_cache``'s options name (None with ``--no-cache``)."""
    return None if args.no_cache else TokenCache(args.cache_dir or default_cache_dir())


def add_corpus(parser: argparse.ArgumentParser) -> None:
    """The posts to learn from and how: the options of ``train`` and ``evaluate``."""
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a Jekyll or Hugo site, any folder of posts, or post files")
    parser.add_argument("--since", type=date, help="use only posts dated on or after this day")
    parser.add_argument("--until", type=date, help="use only posts dated before this day")
    parser.add_argument("--include-drafts", action="store_true",
                        help="also learn from posts marked draft: true or published: false")
    parser.add_argument("--half-life", type=half_life, metavar="DAYS|auto", default="auto",
                        help="weight posts by recency: one this many days older than the "
                             "newest counts half; 0: all posts count the same; auto (default): "
                             "chosen on the newest posts held out")
    parser.add_argument("--candidate", choices=["auto", *CANDIDATES], default="auto",
                        help="how to learn: auto (default): for categories and for tags, "
                             "the candidate that does best on the blog's newest posts "
                             "(rolling-origin validation); or one of them by name")
    parser.add_argument("--min-tag-count", type=positive, default=TrainingConfig.min_tag_count,
                        help="leave out tags used fewer times (default %(default)s)")
    parser.add_argument("--literal-years", action="store_true",
                        help="learn yearly tags (advent2024, advent2025) one by one, not as a "
                             "series whose year follows the draft's date")
    add_token_cache(parser, "tokenizing and fitting")


def training_config(args: argparse.Namespace) -> TrainingConfig:
    return TrainingConfig(half_life_days=args.half_life, min_tag_count=args.min_tag_count,
                          tag_series=not args.literal_years, candidate=args.candidate)


def load_posts(args: argparse.Namespace) -> Corpus:
    """The corpus ``add_corpus``'s options name, skipped files reported; at least 2 posts."""
    corpus = load_corpus(args.paths, include_drafts=args.include_drafts,
                         since=args.since, until=args.until)
    for problem in corpus.skipped:
        print(f"skipped {problem}", file=sys.stderr)
    if len(corpus.posts) < 2:
        found = ("no post files (" + ", ".join(POST_SUFFIXES) + ")"
                 if not (corpus.posts or corpus.skipped or corpus.left_out)
                 else corpus.summary())
        raise InputError(f"need at least 2 posts to learn from: {found}",
                         path=", ".join(args.paths))
    return corpus
