"""How many injected metadata errors `bunrui check` catches, and how often it cries wolf.

Reads ../shared/corpus/allforces. A model is trained on the posts before 2026-03-01; the
posts from 2026-03-01 on (which it never saw) are copied into a temporary folder, once
untouched and once per kind of injected error, and checked with every rule:

  taxonomy errors (target: >= 95% caught): unknown category, deprecated category,
      malformed tag, duplicate tag (exact or width/case variant), alias instead of the
      canonical tag;
  errors only the model can see (reported): a swapped category (another valid one), a
      dropped tag, a foreign tag (a known tag the post does not have, in place of one).

An injection counts as caught when a finding of the expected rule names the injected
label. False alarms: the share of untouched posts with a warning or error from a model
rule (target < 10%); taxonomy-rule findings on untouched posts are listed too: they are
the blog's real defects (tags equal to a category name, malformed tags).

The model rules' thresholds are chosen here on a validation split, never on the test
posts: a model trained on the older 90% of the pre-March posts scores the newest 10%,
errors are injected into those, and for each rule the threshold catching the most while
tripping at most its budget of the clean validation posts (and whose next looser neighbour
does too: the split is small) wins (--budget for the
category-mismatch warning, --notice-budget for the two notices). The validation posts are
those from --valid-since (default 2026-02-21) to 2026-02-28, scored by a model trained on
the posts before them: like the test posts, they are labelled the way the blog labels now
(since 2026-02-14), by a model that has seen a week or two of such labels.

    .venv/bin/python bench/check_detection.py [--jobs 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bunrui.classifier import Suggester, TokenCache, load_corpus, parse_post  # noqa: E402
from bunrui.classifier.check import DEFAULT_THRESHOLDS, RULES, Checker, ModelScores  # noqa: E402
from bunrui.classifier.taxonomy import Taxonomy, read_jekyll_categories  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "allforces"
SPLIT = dt.date(2026, 3, 1)
# The blog's own migration of 2026-02-12/13 (../shared/README.md): old name -> new name.
MIGRATION = {"投資分析": "AI導入戦略", "最新動向": "AI最新ニュース", "技術解説": "AI技術ガイド",
             "業界分析": "業界別AI活用", "実装事例": "導入事例"}
# Probable duplicates `bunrui taxonomy init` proposes for this blog, as an editor would
# confirm them, plus two the README names.
ALIASES = {"AI規制対応": "AI規制", "ROI": "ROI分析", "DX": "DX推進", "AI人材育成": "AI人材",
           "画像生成AI": "画像生成", "投資": "AI投資"}
UNKNOWN_CATEGORIES = ["AIニュース", "生成AI活用", "テクノロジー", "ビジネス", "未分類"]
TAXONOMY_KINDS = ["unknown-category", "deprecated-category", "malformed-tag", "duplicate-tag",
                  "alias-tag"]
MODEL_KINDS = ["swapped-category", "dropped-tag", "foreign-tag"]
EXPECTED = {"unknown-category": "category-unknown", "deprecated-category": "category-deprecated",
            "malformed-tag": "tag-malformed", "duplicate-tag": "tag-duplicate",
            "alias-tag": "tag-alias", "swapped-category": "category-mismatch",
            "dropped-tag": "tag-likely-missing", "foreign-tag": "tag-unlikely"}
_CATS = re.compile(r"^categories:.*$", re.M)
_TAGS = re.compile(r"^tags:.*$", re.M)
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


def _flow(values) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def _relabel(text: str, categories=None, tags=None) -> str:
    head, sep, body = text.partition("\n---\n")
    if categories is not None:
        head = _CATS.sub(lambda _: f"categories: {_flow(categories)}", head, count=1)
    if tags is not None:
        head = _TAGS.sub(lambda _: f"tags: {_flow(tags)}", head, count=1)
    return head + sep + body


def inject(kind: str, post, text: str, rng: random.Random, categories: list[str],
           vocabulary: list[str]):
    """(new text, the injected label) for one kind of error; None if it does not apply."""
    cat, tags = post.categories[0], list(post.tags)
    if kind == "unknown-category":
        label = rng.choice(UNKNOWN_CATEGORIES)
        return _relabel(text, categories=[label]), label
    if kind == "deprecated-category":
        old = [o for o, n in MIGRATION.items() if n == cat] or list(MIGRATION)
        label = rng.choice(old)
        return _relabel(text, categories=[label]), label
    if kind == "swapped-category":
        label = rng.choice([c for c in categories if c != cat])
        return _relabel(text, categories=[label]), label
    if not tags:
        return None
    i = rng.randrange(len(tags))
    if kind == "malformed-tag":
        shape = rng.choice(["spaces", "key-value", "empty"])
        label = {"spaces": f" {tags[i]} ", "key-value": f"技術: {tags[i]}", "empty": ""}[shape]
        tags[i] = label
        return _relabel(text, tags=tags), label
    if kind == "duplicate-tag":
        original = tags[i]
        variant = rng.choice(["exact", "width", "case"])
        label = {"exact": original,
                 "width": "".join(_FULLWIDTH.get(c, c) for c in original),
                 "case": original.swapcase()}[variant]
        if label == original and variant != "exact":
            label = original  # no ASCII to vary: an exact duplicate
        tags.insert(rng.randrange(i + 1, len(tags) + 1), label)
        return _relabel(text, tags=tags), label
    if kind == "alias-tag":
        reverse = {canonical: alias for alias, canonical in ALIASES.items()}
        hits = [j for j, t in enumerate(tags) if t in reverse]
        if hits:
            j = rng.choice(hits)
            label = reverse[tags[j]]
        else:
            j, label = i, rng.choice(sorted(ALIASES))
        tags[j] = label
        return _relabel(text, tags=tags), label
    if kind == "dropped-tag":
        label = tags.pop(i)
        return _relabel(text, tags=tags), label
    if kind == "foreign-tag":
        label = rng.choice([t for t in vocabulary if t not in tags])
        tags[i] = label
        return _relabel(text, tags=tags), label
    raise ValueError(kind)


def caught(kind: str, label: str, findings) -> bool:
    rule = EXPECTED[kind]
    for f in findings:
        if f.rule != rule:
            continue
        if kind in ("unknown-category", "deprecated-category", "swapped-category"):
            return True
        if kind == "dropped-tag" and f.fix and f.fix.new == label:
            return True
        if kind != "dropped-tag" and f.fix and f.fix.old == label:
            return True
    return False


def _texts(posts):
    return {p.path: Path(p.path).read_text(encoding="utf-8") for p in posts}


def make_cases(posts, texts, categories, vocabulary, seed, repeat=1):
    """[(kind, post path, text, label)]: a clean copy of each post and ``repeat`` copies
    per kind of error (distinct labels where the kind allows)."""
    rng = random.Random(seed)
    cases = []
    for post in posts:
        text = texts[post.path]
        cases.append(("clean", post.path, text, None))
        for kind in TAXONOMY_KINDS + MODEL_KINDS:
            seen = set()
            for _ in range(repeat * 3):
                made = inject(kind, post, text, rng, categories, vocabulary)
                if made is None or made[1] in seen:
                    continue
                seen.add(made[1])
                cases.append((kind, post.path, made[0], made[1]))
                if len(seen) >= repeat:
                    break
    return cases


def evaluate(checker: Checker, cases, scores: dict[str, ModelScores]) -> dict:
    """Catch rate per kind and the findings on clean copies, reusing the posts' scores."""
    hits, totals = Counter(), Counter()
    clean_rules, clean_model, clean_any = Counter(), 0, 0
    clean_posts = 0
    for kind, path, text, label in cases:
        post = parse_post(text, path)
        findings = [f for f in checker.check_post(post, text, scores.get(path))
                    if f.severity != "off"]
        if kind == "clean":
            clean_posts += 1
            rules = {f.rule for f in findings if f.severity in ("error", "warning")}
            clean_rules.update({f.rule for f in findings})
            clean_any += bool(rules)
            clean_model += any(RULES[f.rule].model and f.severity in ("error", "warning")
                               for f in findings)
            continue
        totals[kind] += 1
        hits[kind] += caught(kind, label, findings)
    return {"hits": hits, "totals": totals, "clean_posts": clean_posts,
            "clean_rules": clean_rules, "clean_model_warned": clean_model,
            "clean_any_warned": clean_any}


def trip_rate(checker, cases, scores, rule) -> float:
    tripped = n = 0
    for kind, path, text, _ in cases:
        if kind != "clean":
            continue
        n += 1
        post = parse_post(text, path)
        tripped += any(f.rule == rule for f in checker.check_post(post, text, scores.get(path)))
    return tripped / max(n, 1)


def _grid(rule: str) -> list[tuple[dict, dict | None]]:
    """(thresholds, the next looser thresholds or None) for a rule's grid."""
    if rule == "category-mismatch":
        ratios = [1.5, 2, 3, 5, 10, 20]
        return [({"category_min": m, "category_ratio": r},
                 {"category_min": m, "category_ratio": ratios[i - 1]} if i else None)
                for m in [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] for i, r in enumerate(ratios)]
    if rule == "tag-unlikely":  # higher is looser
        values = [0.001, 0.002, 0.003, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.08, 0.1, 0.12,
                  0.15, 0.2]
        return [({"tag_unlikely": v}, {"tag_unlikely": values[i + 1]}
                 if i + 1 < len(values) else None) for i, v in enumerate(values)]
    values = [0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995]  # lower: looser
    return [({"tag_missing": v}, {"tag_missing": values[i - 1]} if i else None)
            for i, v in enumerate(values)]


def choose_thresholds(taxonomy, suggester, cases, scores, budgets) -> dict:
    """Per model rule, the threshold that catches the most injected errors of its kind
    while tripping at most its budget (share) of the clean validation posts.

    The validation split is small (a week of posts), so a threshold right at the edge
    where clean posts start to trip is an accident of those posts: a threshold counts only
    if the next looser one in the grid is within the budget too.
    """
    chosen = dict(DEFAULT_THRESHOLDS)
    kinds = {"category-mismatch": "swapped-category", "tag-unlikely": "foreign-tag",
             "tag-likely-missing": "dropped-tag"}
    table = {}
    for rule, kind in kinds.items():
        subset = [c for c in cases if c[0] in ("clean", kind)]
        measured: dict[tuple, tuple[float, float]] = {}

        def measure(params: dict, rule=rule, kind=kind, subset=subset,
                    measured=measured) -> tuple[float, float]:
            key = tuple(sorted(params.items()))
            if key not in measured:
                t = dataclasses.replace(taxonomy, thresholds={**chosen, **params},
                                        severities={r: "off" for r in RULES if r != rule})
                checker = Checker(t, suggester)
                result = evaluate(checker, subset, scores)
                measured[key] = (result["hits"][kind] / max(result["totals"][kind], 1),
                                 trip_rate(checker, subset, scores, rule))
            return measured[key]

        best, rows = None, []
        for params, looser in _grid(rule):
            rate, trips = measure(params)
            ok = trips <= budgets[rule] and (looser is None or measure(looser)[1]
                                             <= budgets[rule])
            rows.append({**params, "caught": round(rate, 3), "clean_tripped": round(trips, 3),
                         "eligible": ok})
            if ok and (best is None or rate > best[0] + 1e-9):
                best = (rate, params)
        if best is not None:
            chosen.update(best[1])
        table[rule] = rows
    return {"thresholds": chosen, "grid": table}


def train_model(posts, cache, jobs):
    started = time.perf_counter()
    suggester = Suggester().fit(posts, cache=cache, n_jobs=jobs)
    report = suggester.report_
    return suggester, report, time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--budget", type=float, default=0.05,
                        help="most share of clean validation posts category-mismatch (a "
                             "warning) may trip")
    parser.add_argument("--notice-budget", type=float, default=0.05,
                        help="most share of clean validation posts each model notice may trip")
    parser.add_argument("--valid-since", type=dt.date.fromisoformat,
                        default=dt.date(2026, 2, 21))
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--cache-dir", default=None, help="token cache (default: a temp dir)")
    parser.add_argument("--json", help="write the full results here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bunrui-check-bench-") as tmp:
        cache = TokenCache(args.cache_dir or os.path.join(tmp, "cache"))
        corpus = load_corpus([CORPUS])
        posts = sorted(corpus.posts, key=lambda p: (p.date, p.path))
        before = [p for p in posts if p.date < SPLIT]
        test = [p for p in posts if p.date >= SPLIT]
        fit = [p for p in before if p.date < args.valid_since]
        valid = [p for p in before if p.date >= args.valid_since]
        categories = list(read_jekyll_categories(CORPUS / "_config.yml"))
        print(f"posts: {len(fit)} fit + {len(valid)} validation (from {valid[0].date}) before "
              f"{SPLIT}; {len(test)} test (from {test[0].date})", flush=True)

        # 1. Thresholds: a model of the older 90% scores the newest 10% of pre-March posts.
        suggester_v, report_v, secs = train_model(fit, cache, args.jobs)
        print(f"validation model trained in {secs:.0f} s", flush=True)
        base = Taxonomy(categories=tuple(categories), deprecated_categories=MIGRATION,
                        tag_aliases=ALIASES,
                        known_tags=(*report_v.tag_counts, *report_v.rare_tags),
                        max_tags=report_v.max_tags, sources=("bench",))
        texts_v = _texts(valid)
        vocabulary_v = [t for t, n in report_v.tag_counts.items() if n >= 20]
        cases_v = make_cases(valid, texts_v, categories, vocabulary_v, args.seed, repeat=5)
        scores_v = Checker(base, suggester_v).score(valid)
        choice = choose_thresholds(base, suggester_v, cases_v, scores_v,
                                   {"category-mismatch": args.budget,
                                    "tag-unlikely": args.notice_budget,
                                    "tag-likely-missing": args.notice_budget})
        thresholds = choice["thresholds"]
        print("chosen thresholds: " + json.dumps(thresholds), flush=True)

        # 2. Test: a model of every pre-March post; copies of the March posts on disk.
        suggester, report, secs = train_model(before, cache, args.jobs)
        print(f"test model trained in {secs:.0f} s ({len(before)} posts)", flush=True)
        taxonomy = dataclasses.replace(
            base, known_tags=(*report.tag_counts, *report.rare_tags),
            max_tags=report.max_tags, thresholds=thresholds)
        vocabulary = [t for t, n in report.tag_counts.items() if n >= 20]
        cases = make_cases(test, _texts(test), categories, vocabulary, args.seed + 1)
        folder = Path(tmp) / "posts"
        folder.mkdir()
        files, labels = [], {}
        for n, (kind, path, text, label) in enumerate(cases):
            name = folder / f"{n:05d}-{kind}-{os.path.basename(path)}"
            name.write_text(text, encoding="utf-8")
            files.append(str(name))
            labels[str(name)] = (kind, label)
        # A key of this run's model: the cache may hold scores of another run's model.
        checker = Checker(taxonomy, suggester, cache=cache,
                          model_key=f"bench-{os.getpid()}-{time.time_ns()}")
        started = time.perf_counter()
        result = checker.check_files(files)
        secs = time.perf_counter() - started
        by_file: dict[str, list] = {f: [] for f in files}
        for finding in result.findings:
            by_file[finding.path].append(finding)
        hits, totals = Counter(), Counter()
        clean = {"posts": 0, "any": 0, "model": 0, "rules": Counter(), "severity": Counter()}
        for name, (kind, label) in labels.items():
            found = by_file[name]
            if kind == "clean":
                clean["posts"] += 1
                warned = [f for f in found if f.severity in ("error", "warning")]
                clean["any"] += bool(warned)
                clean["model"] += any(RULES[f.rule].model for f in warned)
                clean["rules"].update({(f.rule, f.severity) for f in found})
                continue
            totals[kind] += 1
            hits[kind] += caught(kind, label, found)

    taxonomy_hits = sum(hits[k] for k in TAXONOMY_KINDS)
    taxonomy_total = sum(totals[k] for k in TAXONOMY_KINDS)
    out = {
        "split": str(SPLIT), "train_posts": len(before), "test_posts": len(test),
        "validation_posts": len(valid), "files_checked": len(files),
        "check_seconds": round(secs, 1), "thresholds": thresholds,
        "caught": {k: {"caught": hits[k], "injected": totals[k],
                       "share": round(hits[k] / max(totals[k], 1), 3)}
                   for k in TAXONOMY_KINDS + MODEL_KINDS},
        "taxonomy_errors_caught": round(taxonomy_hits / max(taxonomy_total, 1), 4),
        "clean": {"posts": clean["posts"],
                  "with_model_warning": clean["model"],
                  "model_false_alarm_rate": round(clean["model"] / max(clean["posts"], 1), 4),
                  "with_any_warning_or_error": clean["any"],
                  "findings_by_rule": {f"{r} ({s})": n
                                       for (r, s), n in clean["rules"].most_common()}},
        "validation_grid": choice["grid"],
    }
    print(f"\n{'kind':<22}{'caught':>8}{'of':>6}{'share':>8}  rule")
    for kind in TAXONOMY_KINDS + MODEL_KINDS:
        c = out["caught"][kind]
        print(f"{kind:<22}{c['caught']:>8}{c['injected']:>6}{c['share']:>8.1%}  {EXPECTED[kind]}")
    print(f"taxonomy errors caught: {out['taxonomy_errors_caught']:.1%} "
          f"({taxonomy_hits}/{taxonomy_total})")
    cl = out["clean"]
    print(f"clean posts: {cl['posts']}; with a model-rule warning: {cl['with_model_warning']} "
          f"({cl['model_false_alarm_rate']:.1%}); with any warning or error: "
          f"{cl['with_any_warning_or_error']}")
    print("findings on clean posts (posts per rule): " + json.dumps(cl["findings_by_rule"],
                                                                   ensure_ascii=False))
    print(f"checked {len(files)} files in {secs:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
