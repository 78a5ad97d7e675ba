"""`bunrui suggest`: a category and tags for drafts, once or again on each save."""

from __future__ import annotations

import argparse
import json
import os
import sys

from bunrui.classifier import BunruiError, InputError, load_model, parse_post
from bunrui.classifier.conform import conform
from bunrui.classifier.corpus.posts import (
    POST_SUFFIXES,
    decode,
    iter_post_paths,
    read_limited,
    read_text,
)
from bunrui.classifier.taxonomy import Taxonomy, resolve_taxonomy

from ..bundled import default_model
from ..retrain import Retrained
from . import options
from .options import UsageError
from .watch import watch


def add_parser(commands) -> None:
    p = commands.add_parser("suggest", help="suggest a category and tags for drafts")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="draft files, or folders of them; '-' reads standard input")
    options.add_model(p, default=default_model())
    p.add_argument("--json", action="store_true", help="one JSON object per draft, one per line")
    p.add_argument("--limit", type=options.positive, help="suggest at most this many tags")
    p.add_argument("--explain", type=int, default=0, metavar="N",
                   help="show the N terms that weigh most for each suggestion")
    options.add_taxonomy(p, "a bunrui.toml the suggestions follow (default: the one found "
                            "from each draft's folder upward, as `check` does)")
    p.add_argument("--watch", action="store_true",
                   help="keep running: suggest again each time a draft is saved, and for "
                        "new drafts in the folders given")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.watch and "-" in args.files:
        raise UsageError("suggest --watch watches files and folders, not standard input ('-')")
    drafts = _Drafts(args)
    if args.watch:
        missing = [name for name in args.files if not os.path.exists(name)]
        if missing:
            raise InputError("no such file or folder to watch", path=", ".join(missing))
        print(f"bunrui: watching {', '.join(args.files)}: suggestions follow each save "
              "and each retraining of the model (Ctrl-C stops)", file=sys.stderr, flush=True)
        watch(args.files, drafts.suggest, refresh=drafts.reload_model)
        return 0
    # A folder stands for the drafts in it; a draft that fails does not stop the others.
    names, failures = [], 0
    for name in args.files:
        found = [name] if name == "-" else list(iter_post_paths([name]))
        if not found:
            print(f"bunrui: {name}: no drafts ({', '.join(POST_SUFFIXES)}) in this folder",
                  file=sys.stderr)
            failures += 1
        names += found
    failures += sum(not drafts.suggest(name) for name in names)
    return 1 if failures else 0


class _Drafts:
    """Suggests for drafts with the model of ``--model``, in each draft's taxonomy."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.retrained = Retrained(args.model)
        self.suggester, self.card = load_model(args.model)
        self.taxonomies: dict[str, Taxonomy] = {}

    def taxonomy_for(self, path: str) -> Taxonomy:
        # What `bunrui check` of this draft would hold it to: suggest nothing it flags.
        folder = os.getcwd() if path == "<stdin>" else os.path.dirname(os.path.abspath(path))
        if self.args.watch or folder not in self.taxonomies:  # an edited bunrui.toml counts
            self.taxonomies[folder] = resolve_taxonomy(self.args.taxonomy, start=folder,
                                                       card=self.card)
        return self.taxonomies[folder]

    def suggest(self, name: str) -> bool:
        """Print one draft's suggestion; False (after saying why) when there is none."""
        args = self.args
        try:
            path, text = _read_draft(name)
            post = parse_post(text, path, require_front_matter=False)
            suggestion = self.suggester.suggest_posts([post], limit=args.limit,
                                                      explain=args.explain)[0]
            suggestion = conform(suggestion, self.taxonomy_for(path))
        except BunruiError as exc:
            print(f"bunrui: {exc}", file=sys.stderr, flush=True)
            return False
        result = suggestion.as_dict()
        if args.json:
            print(json.dumps({"path": path, **result}, ensure_ascii=False), flush=True)
        else:
            print(_format_text(path, result), flush=True)
        return True

    def reload_model(self) -> bool:
        """Load the model again once it is retrained (its card is written last); True when
        it was, so that every draft is suggested for again."""
        if not self.retrained():
            return False
        try:
            self.suggester, self.card = load_model(self.args.model)
        except BunruiError as exc:
            print(f"bunrui: {exc} (keeping the model loaded before)", file=sys.stderr,
                  flush=True)
            return False
        print(f"bunrui: {self.args.model}: retrained model loaded (created "
              f"{self.card.created}); suggesting again", file=sys.stderr, flush=True)
        return True


def _read_draft(name: str) -> tuple[str, str]:
    """(the name to report, the text) of a draft file, or of standard input for '-'."""
    if name == "-":
        return "<stdin>", decode(read_limited(sys.stdin.buffer, "<stdin>"), "<stdin>")
    return name, read_text(name)


def _format_text(path: str, result: dict) -> str:
    lines = [path]
    category = result["category"]
    if category:
        others = ", ".join(f"{c['label']} {c['score']:.2f}" for c in result["categories"][1:3])
        lines.append(f"  category: {category['label']} ({category['score']:.2f})"
                     + (f"   next: {others}" if others else ""))
    tags = ", ".join(f"{t['label']} ({t['score']:.2f})" for t in result["tags"])
    lines.append(f"  tags: {tags or '-'}")
    explanations = result.get("explanations", {})
    for kind in ("category", "tags"):
        for label, terms in explanations.get(kind, {}).items():
            why = ", ".join(t["label"] for t in terms)
            lines.append(f"  why {kind[:-1] if kind == 'tags' else kind} {label}: {why}")
    for post in explanations.get("similar_posts", []):
        lines.append(f"  similar post: {post['label']} ({post['score']:.2f})")
    return "\n".join(lines)
