"""`bunrui check` and `bunrui taxonomy init`: their options and what they do.

Kept out of ``cli.py`` so that file only registers them. Exit status of ``check``: 0 when
there is no error (warnings too with ``--strict``), 1 when there is, 2 on a usage or
internal problem (a bad option, taxonomy or model, a failing git).
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback

from classifier import BunruiError, InputError, load_corpus, load_model, read_card
from classifier.check import RULES, Checker, has_errors, model_key, rule_table
from classifier.files import write_atomic
from classifier.fixes import fix_files
from classifier.persistence import CARD_FILE
from classifier.posts import POST_SUFFIXES, iter_post_paths
from classifier.taxonomy import (
    JEKYLL_CONFIG,
    TAXONOMY_FILE,
    find_site_file,
    init_taxonomy,
    read_jekyll_categories,
    resolve_taxonomy,
)
from classifier.tokens import TokenCache

from . import check_output


def add_parsers(commands, default_model: str) -> None:
    """Add the ``check`` and ``taxonomy`` subcommands to the CLI's subparsers."""
    p = commands.add_parser(
        "check", help="check posts' categories and tags against the taxonomy and the model",
        description="Check posts' front-matter categories and tags: against the taxonomy "
                    "(bunrui.toml, else the Jekyll _config.yml, else the model's labels) and "
                    "against the model's scores. Exit status: 0 no error, 1 errors (or "
                    "warnings with --strict), 2 a usage or internal problem.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="post files, a folder of posts, or a Jekyll/Hugo site root")
    p.add_argument("--model", metavar="DIR",
                   help="model folder for the model-based rules (default: the bundled model "
                        f"{os.path.relpath(default_model) if default_model else ''} when "
                        "present)")
    p.add_argument("--no-model", action="store_true",
                   help="skip the model-based rules (no model is loaded: fastest)")
    p.add_argument("--taxonomy", metavar="FILE",
                   help=f"taxonomy file (default: {TAXONOMY_FILE} at the site root)")
    p.add_argument("--format", choices=list(check_output.FORMATS), default="text",
                   help="the report's format (default text): " + ", ".join(
                       f"{f.name} ({f.description})" for f in check_output.FORMATS.values()))
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    p.add_argument("--changed-since", metavar="GIT_REF",
                   help="check only the posts changed since GIT_REF (git diff, plus untracked "
                        "files)")
    p.add_argument("--strict", action="store_true", help="warnings fail the check too")
    p.add_argument("--fix", action="store_true",
                   help="apply the safe fixes (aliases, retired labels, exact duplicates, "
                        "spaces) in place, changing only those front-matter lines")
    p.add_argument("--dry-run", action="store_true",
                   help="with --fix: print the fixes as a unified diff, change nothing")
    p.add_argument("--rules", metavar="IDS",
                   help="comma-separated rule ids to run (default: all); see --list-rules")
    p.add_argument("--list-rules", action="store_true", help="print the rules and exit")
    p.add_argument("--cache-dir", default=None,
                   help="token cache folder (default $BUNRUI_CACHE_DIR or ~/.cache/bunrui)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="processes for tokenizing (default %(default)s)")
    p.set_defaults(default_model=default_model)

    p = commands.add_parser("taxonomy", help="work with taxonomy files (bunrui.toml)")
    sub = p.add_subparsers(dest="taxonomy_command", required=True, metavar="ACTION")
    init = sub.add_parser(
        "init", help="write a starter bunrui.toml from a corpus",
        description="Write a starter taxonomy from a corpus: every category and tag with its "
                    "count, and probable duplicates as commented-out aliases to confirm.")
    init.add_argument("path", metavar="PATH", help="a Jekyll or Hugo site, or a folder of posts")
    init.add_argument("--out", metavar="FILE", help="file to write (default: standard output)")
    init.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


def _usage(message: str) -> int:
    print(f"bunrui check: {message}", file=sys.stderr)
    return 2


def git_changed_files(start: str, ref: str) -> set[str]:
    """Real paths of the files changed since ``ref`` (committed or not) and untracked files,
    in the git repository holding ``start``."""
    folder = start if os.path.isdir(start) else os.path.dirname(os.path.abspath(start))

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", folder, *args], capture_output=True,
                                  check=False)
        except OSError as exc:
            raise InputError(f"cannot run git: {exc.strerror}", field="changed-since") from None
        if done.returncode != 0:
            problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise InputError(f"git {' '.join(args[:2])} failed: "
                             f"{problem[-1] if problem else done.returncode}",
                             field="changed-since")
        return done.stdout.decode("utf-8", "surrogateescape")

    root = git("rev-parse", "--show-toplevel").strip()
    names = git("diff", "--name-only", "-z", ref, "--").split("\0")
    names += git("ls-files", "-z", "--others", "--exclude-standard").split("\0")
    return {os.path.realpath(os.path.join(root, n)) for n in names if n}


def _post_paths(args) -> list[str]:
    for path in args.paths:
        if not os.path.lexists(path):
            raise InputError("no such file or folder", path=path)
    paths = list(dict.fromkeys(iter_post_paths(args.paths)))
    if args.changed_since:
        changed = git_changed_files(args.paths[0], args.changed_since)
        paths = [p for p in paths if os.path.realpath(p) in changed
                 and p.endswith(POST_SUFFIXES)]
    return paths


def _model(args, needed: bool):
    """(suggester, card) for the model rules, or (None, card-or-None)."""
    if args.no_model or not needed:
        return None, None
    folder = args.model or args.default_model
    if args.model is None and not os.path.isfile(os.path.join(folder, CARD_FILE)):
        print(f"bunrui check: no model at {folder}; the model-based rules are skipped "
              "(--model DIR names one)", file=sys.stderr)
        return None, None
    read_card(folder)
    return load_model(folder)


def _progress(total: int):
    from .cli import _Progress  # imported here: cli imports this module

    return _Progress(total, "reading posts")


def _write(args, text: str) -> None:
    if args.output:
        write_atomic(args.output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def cmd_check(args) -> int:
    """Run the checks; never lets an error escape as a traceback (exit 2 instead)."""
    try:
        return _check(args)
    except BunruiError as exc:
        print(f"bunrui check: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception:
        traceback.print_exc()
        print("bunrui check: internal error (please report it with the trace above)",
              file=sys.stderr)
        return 2


def _list_rules(args) -> int:
    severities = dict(resolve_taxonomy(args.taxonomy).severities) if args.taxonomy else {}
    sys.stdout.write(check_output.format_rules(rule_table(severities)))
    return 0


def _check(args) -> int:
    if args.list_rules:
        return _list_rules(args)
    if not args.paths:
        return _usage("give at least one PATH (a post, a folder of posts, or a site root)")
    if args.dry_run and not args.fix:
        return _usage("--dry-run goes with --fix")
    if args.no_model and args.model:
        return _usage("--model and --no-model contradict each other")
    chosen = None
    if args.rules:
        chosen = [r.strip() for r in args.rules.split(",") if r.strip()]
        unknown = [r for r in chosen if r not in RULES]
        if unknown:
            return _usage(f"unknown rule(s): {', '.join(unknown)} (see --list-rules)")
    paths = _post_paths(args)
    needs_model = bool(paths) and (chosen is None or any(RULES[r].model for r in chosen))
    suggester, card = _model(args, needs_model)
    taxonomy = resolve_taxonomy(args.taxonomy, start=args.paths[0], card=card)
    cache = None
    if suggester is not None and not args.no_cache:
        from .cli import default_cache_dir

        cache = TokenCache(args.cache_dir or default_cache_dir())
    checker = Checker(taxonomy, suggester, cache=cache, n_jobs=max(1, args.jobs),
                      model_key=model_key(card) if card else None, rules=chosen)
    progress = _progress(2 * len(paths)) if checker.uses_model else None
    try:
        report = checker.check_files(paths, progress)
    finally:
        if progress:
            progress.close()
    findings = report.findings
    if args.fix:
        results = fix_files(findings, report.sources, dry_run=args.dry_run)
        fixed = [r for r in results if r.changed and r.problem is None]
        for result in results:
            if result.problem:
                print(f"bunrui check: not fixed, left untouched: "
                      f"{check_output.display_path(result.path)}: {result.problem}",
                      file=sys.stderr)
        if args.dry_run:
            _write(args, "".join(r.diff(check_output.display_path(r.path)) for r in fixed))
            print(f"bunrui check: {sum(len(r.findings) for r in fixed)} fix(es) in "
                  f"{len(fixed)} file(s) would be applied; "
                  + check_output.summary(findings, report.files), file=sys.stderr)
            return 1 if has_errors(findings, strict=args.strict) else 0
        written = [r.path for r in fixed if r.written]
        if written:
            again = checker.check_files(written, scores=report.scores)
            findings = [f for f in findings if f.path not in set(written)] + again.findings
        print(f"bunrui check: fixed {sum(len(r.findings) for r in fixed)} finding(s) in "
              f"{len(written)} file(s)", file=sys.stderr)
    run = check_output.CheckRun(findings, report.files, checker.severity, taxonomy.describe(),
                                checker.uses_model)
    text = check_output.FORMATS[args.format].render(run)
    _write(args, text)
    return 1 if has_errors(findings, strict=args.strict) else 0


def cmd_taxonomy(args) -> int:
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

