"""`bunrui check`: posts' categories and tags against the taxonomy and the model.

Exit status: 0 when there is no error (warnings too with ``--strict``), 1 when there is, 2
on a usage or internal problem (a bad option, taxonomy or model, a failing git).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import traceback

from bunrui.classifier import BunruiError, InputError, load_model, read_card
from bunrui.classifier.check import RULES, Checker, has_errors, rule_table
from bunrui.classifier.check.fixes import fix_files
from bunrui.classifier.corpus.files import write_atomic
from bunrui.classifier.corpus.posts import POST_SUFFIXES, iter_post_paths
from bunrui.classifier.model.persistence import CARD_FILE
from bunrui.classifier.taxonomy import TAXONOMY_FILE, resolve_taxonomy

from ..bundled import default_model, refusal
from . import check_report, options
from .progress import Progress


def add_parser(commands) -> None:
    p = commands.add_parser(
        "check", help="check posts' categories and tags against the taxonomy and the model",
        description="Check posts' front-matter categories and tags: against the taxonomy "
                    "(bunrui.toml, else the Jekyll _config.yml, else the model's labels) and "
                    "against the model's scores. Exit status: 0 no error, 1 errors (or "
                    "warnings with --strict), 2 a usage or internal problem.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="post files, a folder of posts, or a Jekyll/Hugo site root")
    options.add_model(p, "model folder for the model-based rules (default: the bundled model "
                         f"{os.path.relpath(default_model())}, the allforces blog's, for "
                         "posts at least half of whose labels it knows)")
    p.add_argument("--no-model", action="store_true",
                   help="skip the model-based rules (no model is loaded: fastest)")
    options.add_taxonomy(p, f"taxonomy file (default: {TAXONOMY_FILE} at the site root)")
    p.add_argument("--format", choices=list(check_report.FORMATS), default="text",
                   help="the report's format (default text): " + ", ".join(
                       f"{f.name} ({f.description})" for f in check_report.FORMATS.values()))
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
    options.add_token_cache(p, "tokenizing")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
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


def _usage(message: str) -> int:
    print(f"bunrui check: {message}", file=sys.stderr)
    return 2


def _chosen_rules(args: argparse.Namespace) -> list[str] | None:
    if not args.rules:
        return None
    return [r.strip() for r in args.rules.split(",") if r.strip()]


def _usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the options together, if anything."""
    if not args.paths:
        return "give at least one PATH (a post, a folder of posts, or a site root)"
    if args.dry_run and not args.fix:
        return "--dry-run goes with --fix"
    if args.no_model and args.model:
        return "--model and --no-model contradict each other"
    unknown = [r for r in _chosen_rules(args) or () if r not in RULES]
    if unknown:
        return f"unknown rule(s): {', '.join(unknown)} (see --list-rules)"
    return None


def _check(args: argparse.Namespace) -> int:
    if args.list_rules:
        severities = {}
        if args.taxonomy:
            severities = dict(resolve_taxonomy(args.taxonomy).severities)
        sys.stdout.write(check_report.format_rules(rule_table(severities)))
        return 0
    problem = _usage_problem(args)
    if problem:
        return _usage(problem)
    chosen = _chosen_rules(args)
    paths = _post_paths(args)
    needs_model = bool(paths) and (chosen is None or any(RULES[r].model for r in chosen))
    suggester, card = _model(args, needs_model, paths)
    taxonomy = resolve_taxonomy(args.taxonomy, start=args.paths[0], card=card)
    checker = Checker(taxonomy, suggester,
                      cache=options.token_cache(args) if suggester is not None else None,
                      n_jobs=args.jobs, model_key=card.key if card else None,
                      rules=chosen)
    progress = Progress(2 * len(paths), "reading posts") if checker.uses_model else None
    try:
        report = checker.check_files(paths, progress)
    finally:
        if progress:
            progress.close()
    findings = report.findings
    if args.fix:
        fixed = _apply_fixes(report, dry_run=args.dry_run)
        if args.dry_run:
            _write(args, "".join(r.diff(check_report.display_path(r.path)) for r in fixed))
            print(f"bunrui check: {sum(len(r.findings) for r in fixed)} fix(es) in "
                  f"{len(fixed)} file(s) would be applied; "
                  + check_report.summary(findings, report.files), file=sys.stderr)
            return 1 if has_errors(findings, strict=args.strict) else 0
        findings = _check_fixed(checker, report, fixed)
    _write(args, _format(args, findings, report.files, checker, taxonomy.describe()))
    return 1 if has_errors(findings, strict=args.strict) else 0


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


def _model(args: argparse.Namespace, needed: bool, paths: list[str]):
    """(suggester, card) for the model rules, or (None, None)."""
    if args.no_model or not needed:
        return None, None
    folder = args.model or default_model()
    if args.model is None and not os.path.isfile(os.path.join(folder, CARD_FILE)):
        print(f"bunrui check: no model at {folder}; the model-based rules are skipped "
              "(--model DIR names one)", file=sys.stderr)
        return None, None
    card = read_card(folder)
    problem = refusal(card, paths) if args.model is None else None
    if problem:
        print(f"bunrui check: {problem}: the model-based rules are skipped (train one with "
              "`bunrui train` and name it with --model)", file=sys.stderr)
        return None, None
    return load_model(folder)


def _apply_fixes(report, *, dry_run: bool) -> list:
    """The files the safe fixes change (written unless ``dry_run``); files that cannot be
    fixed are reported and left untouched."""
    results = fix_files(report.findings, report.sources, dry_run=dry_run)
    for result in results:
        if result.problem:
            print(f"bunrui check: not fixed, left untouched: "
                  f"{check_report.display_path(result.path)}: {result.problem}",
                  file=sys.stderr)
    return [r for r in results if r.changed and r.problem is None]


def _check_fixed(checker: Checker, report, fixed: list) -> list:
    """The findings once the fixes are written: the fixed files are checked again."""
    findings = report.findings
    written = [r.path for r in fixed if r.written]
    if written:
        again = checker.check_files(written, scores=report.scores)
        findings = [f for f in findings if f.path not in set(written)] + again.findings
    print(f"bunrui check: fixed {sum(len(r.findings) for r in fixed)} finding(s) in "
          f"{len(written)} file(s)", file=sys.stderr)
    return findings


def _format(args: argparse.Namespace, findings: list, files: int, checker: Checker,
            taxonomy: str) -> str:
    run = check_report.CheckRun(findings, files, checker.severity, taxonomy, checker.uses_model)
    return check_report.FORMATS[args.format].render(run)


def _write(args: argparse.Namespace, text: str) -> None:
    if args.output:
        write_atomic(args.output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
