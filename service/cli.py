"""The `bunrui` command line: train, suggest, evaluate, info (and serve, check)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from classifier import (
    BunruiError,
    InputError,
    TokenCache,
    TrainingConfig,
    evaluate_folds,
    evaluate_rolling,
    evaluate_split,
    load_corpus,
    load_model,
    newest_share_date,
    parse_post,
    read_card,
    save_model,
    time_split,
    train,
)
from classifier.conform import conform
from classifier.persistence import CARD_FILE
from classifier.posts import MAX_FILE_BYTES, POST_SUFFIXES, decode, iter_post_paths, read_text
from classifier.taxonomy import Taxonomy, resolve_taxonomy

from . import check_command
from .watch import stamp, watch

DEFAULT_MODEL = str(Path(__file__).resolve().parent.parent / "models" / "allforces")


def default_cache_dir() -> str:
    """The per-user cache folder: $BUNRUI_CACHE_DIR, else the XDG cache home."""
    if os.environ.get("BUNRUI_CACHE_DIR"):
        return os.environ["BUNRUI_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "bunrui")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1: {text!r}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1: {text!r}")
    return value


def _half_life(text: str) -> float | str | None:
    if text == "auto":
        return text
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 'auto' or a number of days >= 0: {text!r}")
    return value or None


def _add_corpus_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a Jekyll or Hugo site, any folder of posts, or post files")
    parser.add_argument("--since", type=_date, help="use only posts dated on or after this day")
    parser.add_argument("--until", type=_date, help="use only posts dated before this day")
    parser.add_argument("--include-drafts", action="store_true",
                        help="also learn from posts marked draft: true or published: false")
    parser.add_argument("--half-life", type=_half_life, metavar="DAYS|auto", default="auto",
                        help="weight posts by recency: one this many days older than the "
                             "newest counts half; 0: all posts count the same; auto (default): "
                             "chosen on the newest posts held out")
    parser.add_argument("--min-tag-count", type=_positive, default=TrainingConfig.min_tag_count,
                        help="leave out tags used fewer times (default %(default)s)")
    parser.add_argument("--literal-years", action="store_true",
                        help="learn yearly tags (advent2024, advent2025) one by one, not as a "
                             "series whose year follows the draft's date")
    parser.add_argument("--cache-dir", default=None,
                        help="token cache folder (default $BUNRUI_CACHE_DIR or ~/.cache/bunrui)")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    parser.add_argument("--jobs", type=_positive, default=min(2, os.cpu_count() or 1),
                        help="processes for tokenizing and fitting (default %(default)s)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bunrui",
        description="Learn a blog's categories and tags from its posts; suggest them for drafts.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("train", help="train a model on a blog's posts")
    _add_corpus_options(p)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the model to")
    p.add_argument("--retune", action="store_true",
                   help="choose the recency half-life and tag threshold afresh even when the "
                        "model in --out was trained with the same settings on nearly the "
                        "same posts (by default its choices are reused: quick retraining)")

    p = commands.add_parser("suggest", help="suggest a category and tags for drafts")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="draft files, or folders of them; '-' reads standard input")
    p.add_argument("--model", default=DEFAULT_MODEL, metavar="DIR",
                   help="model folder (default: the bundled model of the allforces blog)")
    p.add_argument("--json", action="store_true", help="one JSON object per draft, one per line")
    p.add_argument("--limit", type=_positive, help="suggest at most this many tags")
    p.add_argument("--explain", type=int, default=0, metavar="N",
                   help="show the N terms that weigh most for each suggestion")
    p.add_argument("--taxonomy", metavar="FILE",
                   help="a bunrui.toml the suggestions follow (default: the one found from "
                        "each draft's folder upward, as `check` does)")
    p.add_argument("--watch", action="store_true",
                   help="keep running: suggest again each time a draft is saved, and for "
                        "new drafts in the folders given")

    p = commands.add_parser("evaluate", help="measure a model on posts it did not see")
    _add_corpus_options(p)
    split = p.add_mutually_exclusive_group(required=True)
    split.add_argument("--split-date", type=_date, metavar="DATE",
                       help="train on posts before DATE, test on the rest")
    split.add_argument("--test-share", type=_share, metavar="SHARE",
                       help="test on the newest SHARE (0-1) of the posts")
    split.add_argument("--folds", type=_positive, metavar="K", help="K contiguous time folds")
    split.add_argument("--rolling-from", type=_date, metavar="DATE",
                       help="retrain before each day from DATE on and test on that day's "
                            "posts, as when the model is retrained as posts come")
    p.add_argument("--every", type=_positive, metavar="DAYS",
                   help="with --rolling-from: retrain every DAYS days (default 1)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")

    p = commands.add_parser("info", help="print a model's card")
    p.add_argument("--model", default=DEFAULT_MODEL, metavar="DIR")
    p.add_argument("--json", action="store_true", help="print the card as JSON")

    p = commands.add_parser("serve", help="serve suggestions over HTTP, with the editor's page")
    p.add_argument("--model", metavar="DIR",
                   help="model folder (default: $BUNRUI_MODEL, else the bundled model)")
    p.add_argument("--host", help="address to bind (default: $BUNRUI_HOST, else 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: $BUNRUI_PORT, else 8000)")
    p.add_argument("--workers", type=_positive,
                   help="worker processes (default: $BUNRUI_WORKERS, else 1)")
    check_command.add_parsers(commands, DEFAULT_MODEL)
    return parser


def _cache(args) -> TokenCache | None:
    return None if args.no_cache else TokenCache(args.cache_dir or default_cache_dir())


def _config(args) -> TrainingConfig:
    return TrainingConfig(half_life_days=args.half_life, min_tag_count=args.min_tag_count,
                          tag_series=not args.literal_years)


def _load(args):
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


class _Progress:
    """A tqdm bar on a terminal, nothing when piped."""

    def __init__(self, total: int, desc: str) -> None:
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="text", file=sys.stderr)

    def __call__(self, n: int) -> None:
        if self.bar:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar:
            self.bar.close()


def cmd_train(args) -> int:
    corpus = _load(args)
    previous = None
    if not args.retune and os.path.isfile(os.path.join(args.out, CARD_FILE)):
        try:
            previous = read_card(args.out)
        except BunruiError:
            previous = None  # an unreadable old model is simply replaced
    progress = _Progress(2 * len(corpus.posts), "tokenizing")
    try:
        suggester, report = train(corpus.posts, _config(args), cache=_cache(args),
                                  n_jobs=args.jobs, progress=progress, previous=previous)
    finally:
        progress.close()
    card = report.card(_config(args))
    card["training"]["sources"] = [os.path.basename(os.path.abspath(p)) for p in args.paths]
    card["training"]["skipped"] = len(corpus.skipped)
    save_model(suggester, args.out, card)
    print(f"trained on {corpus.summary()}: {len(suggester.category_labels)} categories, "
          f"{len(suggester.tag_labels)} tags ({len(report.rare_tags)} rare tags left out); "
          f"tag threshold {report.tag_threshold}; model written to {args.out}")
    return 0


def _read_draft(name: str) -> tuple[str, str]:
    """(the name to report, the text) of a draft file, or of standard input for '-'."""
    if name == "-":
        raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise InputError(f"larger than {MAX_FILE_BYTES // 2**20} MB; not read",
                             path="<stdin>")
        return "<stdin>", decode(raw, "<stdin>")
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


def cmd_suggest(args) -> int:
    suggester, card = load_model(args.model)
    taxonomies: dict[str, Taxonomy] = {}

    def taxonomy_for(path: str) -> Taxonomy:
        # What `bunrui check` of this draft would hold it to: suggest nothing it flags.
        folder = os.getcwd() if path == "<stdin>" else os.path.dirname(os.path.abspath(path))
        if args.watch or folder not in taxonomies:  # watching: an edited bunrui.toml counts
            taxonomies[folder] = resolve_taxonomy(args.taxonomy, start=folder, card=card)
        return taxonomies[folder]

    def suggest(name: str) -> bool:
        """Print one draft's suggestion; False (after saying why) when there is none."""
        try:
            path, text = _read_draft(name)
            post = parse_post(text, path, require_front_matter=False)
            suggestion = suggester.suggest_posts([post], limit=args.limit, explain=args.explain)[0]
            suggestion = conform(suggestion, taxonomy_for(path))
        except BunruiError as exc:
            print(f"bunrui: {exc}", file=sys.stderr, flush=True)
            return False
        result = suggestion.as_dict()
        if args.json:
            print(json.dumps({"path": path, **result}, ensure_ascii=False), flush=True)
        else:
            print(_format_text(path, result), flush=True)
        return True

    if args.watch:
        missing = [name for name in args.files if not os.path.exists(name)]
        if missing:
            raise InputError("no such file or folder to watch", path=", ".join(missing))
        card_path = os.path.join(args.model, CARD_FILE)
        card_stamp = stamp(card_path)

        def reload_model() -> bool:
            """Load the model again once it is retrained (its card is written last); True when
            it was, so that every draft is suggested for again."""
            nonlocal suggester, card, card_stamp
            current = stamp(card_path)
            if current == card_stamp:
                return False
            card_stamp = current
            try:
                suggester, card = load_model(args.model)
            except BunruiError as exc:
                print(f"bunrui: {exc} (keeping the model loaded before)", file=sys.stderr,
                      flush=True)
                return False
            print(f"bunrui: {args.model}: retrained model loaded (created {card.get('created')}); "
                  "suggesting again", file=sys.stderr, flush=True)
            return True

        print(f"bunrui: watching {', '.join(args.files)}: suggestions follow each save "
              "and each retraining of the model (Ctrl-C stops)", file=sys.stderr, flush=True)
        watch(args.files, suggest, refresh=reload_model)
        return 0
    # A folder stands for the drafts in it; a draft that fails does not stop the others.
    drafts, failures = [], 0
    for name in args.files:
        found = [name] if name == "-" else list(iter_post_paths([name]))
        if not found:
            print(f"bunrui: {name}: no drafts ({', '.join(POST_SUFFIXES)}) in this folder",
                  file=sys.stderr)
            failures += 1
        drafts += found
    failures += sum(not suggest(name) for name in drafts)
    return 1 if failures else 0


def _format_evaluation(result: dict) -> str:
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


def cmd_evaluate(args) -> int:
    corpus = _load(args)
    config, cache = _config(args), _cache(args)
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
          else _format_evaluation(result))
    return 0


def cmd_info(args) -> int:
    card = read_card(args.model)
    if args.json:
        print(json.dumps(card, ensure_ascii=False, indent=2))
        return 0
    training = card.get("training", {})
    labels = card.get("labels", {})
    print(f"model: {args.model}")
    print(f"created: {card.get('created')}  format {card.get('format_version')}")
    print(f"trained on {training.get('posts')} posts dated "
          f"{' .. '.join(map(str, training.get('date_range', [])))}, fingerprint "
          f"{training.get('fingerprint')}")
    print("categories: " + ", ".join(f"{k} {v}" for k, v in labels.get("categories", {}).items()))
    print(f"tags ({len(labels.get('tags', {}))}): "
          + ", ".join(f"{k} {v}" for k, v in labels.get("tags", {}).items()))
    print("recency half-life (days; none = no weighting): "
          + ", ".join(f"{k} {v or 'none'}" for k, v in (card.get("half_life_days") or {}).items()))
    print(f"rare tags left out: {len(card.get('rare_tags', {}))}; tag threshold "
          f"{card.get('tag_threshold')}, at most {card.get('max_tags')} tags")
    if card.get("validation"):
        print(f"validation: {json.dumps(card['validation'], ensure_ascii=False)}")
    if card.get("evaluation"):
        print(f"evaluation: {json.dumps(card['evaluation'], ensure_ascii=False)}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in card.get("versions", {}).items()))
    return 0


def cmd_serve(args) -> int:
    # FastAPI and uvicorn load only here, so the other commands start fast.
    from pydantic import ValidationError

    from .main import serve
    from .settings import Settings

    given = {k: getattr(args, k) for k in ("model", "host", "port", "workers")
             if getattr(args, k) is not None}
    if "model" in given:
        given["model"] = os.path.abspath(given["model"])
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise InputError(problem["msg"], field=".".join(map(str, problem["loc"]))) from None
    read_card(settings.model)  # a missing or foreign model stops here, with the reason
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"bunrui: the editor's page is at http://{host}:{settings.port}/ (API docs: /docs; "
          f"model {settings.model}; {settings.workers} worker(s))", flush=True)
    serve(settings)
    return 0


COMMANDS = {"train": cmd_train, "suggest": cmd_suggest, "evaluate": cmd_evaluate,
            "info": cmd_info, "serve": cmd_serve, "check": check_command.cmd_check,
            "taxonomy": check_command.cmd_taxonomy}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "watch", False) and "-" in args.files:
        parser.error("suggest --watch watches files and folders, not standard input ('-')")
    if getattr(args, "every", None) and not args.rolling_from:
        parser.error("evaluate --every goes with --rolling-from")
    try:
        return COMMANDS[args.command](args)
    except BunruiError as exc:
        print(f"bunrui: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
