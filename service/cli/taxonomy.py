"""`bunrui taxonomy init`: a starter bunrui.toml written from a blog's own posts."""

from __future__ import annotations

import argparse
import os
import sys

from bunrui.classifier import load_corpus
from bunrui.classifier.corpus.files import write_atomic
from bunrui.classifier.taxonomy import (
    JEKYLL_CONFIG,
    find_site_file,
    init_taxonomy,
    read_jekyll_categories,
)


def add_parser(commands) -> None:
    p = commands.add_parser("taxonomy", help="work with taxonomy files (bunrui.toml)")
    sub = p.add_subparsers(dest="taxonomy_command", required=True, metavar="ACTION")
    init = sub.add_parser(
        "init", help="write a starter bunrui.toml from a corpus",
        description="Write a starter taxonomy from a corpus: every category and tag with its "
                    "count, and probable duplicates as commented-out aliases to confirm.")
    init.add_argument("path", metavar="PATH", help="a Jekyll or Hugo site, or a folder of posts")
    init.add_argument("--out", metavar="FILE", help="file to write (default: standard output)")
    init.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """`bunrui taxonomy init PATH [--out FILE]`."""
    if args.out and os.path.exists(args.out) and not args.force:
        print(f"bunrui taxonomy: {args.out} exists (use --force to overwrite it)",
              file=sys.stderr)
        return 2
    if not os.path.exists(args.path):
        print(f"bunrui taxonomy: {args.path}: no such file or folder", file=sys.stderr)
        return 2
    corpus = load_corpus([args.path], include_drafts=True)
    for problem in corpus.skipped:
        print(f"skipped {problem}", file=sys.stderr)
    if not corpus.posts:
        print(f"bunrui taxonomy: no posts found under {args.path}", file=sys.stderr)
        return 1
    config = find_site_file(args.path, JEKYLL_CONFIG)
    categories = read_jekyll_categories(config) if config else ()
    text = init_taxonomy(corpus.posts, categories=categories,
                         source=os.path.basename(os.path.abspath(args.path)))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        write_atomic(args.out, text.encode("utf-8"))
        print(f"wrote {args.out}: {len(corpus.posts)} posts"
              + (f", categories from {config}" if categories else ""), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0

