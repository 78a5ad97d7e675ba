"""Metadata checks: rules with stable ids over posts' front matter, a taxonomy and a model."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .conform import Rules
from .errors import BunruiError, PostError, TaxonomyError
from .frontmatter import locate_field, locate_front_matter
from .posts import Post, parse_post, read_text
from .series import YEAR, label_of, render
from .taxonomy import OFF, SEVERITIES, Taxonomy, label_key, nearest_label
from .tokens import TokenCache, content_hash, tokenize_many
from .workers import run


@dataclass(frozen=True)
class Rule:
    """A check: its stable id, default severity, and what it looks for."""

    id: str
    severity: str
    summary: str
    model: bool = False  # needs a trained model
    fixable: bool = False  # `--fix` can apply its fix


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("front-matter-missing", "error", "the file has no front matter"),
    Rule("front-matter-invalid", "error",
         "the front matter cannot be read (encoding, YAML/TOML syntax, field types)"),
    Rule("category-missing", "error", "the post has no category"),
    Rule("category-multiple", "error", "more categories than the blog allows per post"),
    Rule("category-unknown", "error", "a category outside the taxonomy"),
    Rule("category-deprecated", "error", "a retired category that has a replacement",
         fixable=True),
    Rule("tags-missing", "warning", "the post has no tags"),
    Rule("tags-too-few", "warning", "fewer tags than the taxonomy's minimum"),
    Rule("tags-too-many", "warning", "more tags than the taxonomy's maximum"),
    Rule("tag-duplicate", "error", "a tag given twice (exactly or as a width/case variant)",
         fixable=True),
    Rule("tag-malformed", "error",
         "an empty tag, surrounding spaces, a 'key: value' shape or a list in one tag",
         fixable=True),
    Rule("tag-is-category", "warning", "a tag equal to a category name"),
    Rule("tag-alias", "warning", "an alias used instead of its canonical tag", fixable=True),
    Rule("tag-deprecated", "warning", "a retired tag", fixable=True),
    Rule("tag-disallowed", "warning", "a tag the taxonomy does not allow"),
    Rule("tag-unknown", "warning", "a tag outside the taxonomy's canonical tags"),
    Rule("tag-series-year", "warning",
         "a tag of a yearly series (advent{year}) with another year than the post's date"),
    Rule("tag-new", "notice",
         "a tag no post of the model's training data had (no canonical list declared)"),
    Rule("category-mismatch", "warning", "the model strongly prefers another category",
         model=True),
    Rule("tag-likely-missing", "notice", "the model finds a tag very likely that is missing",
         model=True),
    Rule("tag-unlikely", "notice", "the model finds a present tag very unlikely", model=True),
)}

# Thresholds of the model-based rules, chosen by bench/check_detection.py on the allforces
# blog: a model trained on the posts before 2026-02-21 scored the posts of 2026-02-21..28
# (labelled the way the blog labels now), with errors injected into copies of them; for
# each rule, the threshold catching the most while tripping at most 5% of the clean posts
# (and not at the edge where they start to trip). Measured rates: docs/benchmarks.md. A
# taxonomy file's [model] table overrides them.
DEFAULT_THRESHOLDS: dict[str, float] = {
    # category-mismatch: the best category at least this probable ...
    "category_min": 0.3,
    # ... and at least this many times as probable as the post's own category.
    "category_ratio": 5.0,
    # tag-likely-missing: a missing tag at least this probable.
    "tag_missing": 0.995,
    # tag-unlikely: a present tag at most this probable.
    "tag_unlikely": 0.005,
    # At most this many tag-likely-missing findings per post.
    "tag_missing_max": 2,
}

_KEY_VALUE = re.compile(r"^[^:：\s][^:：]*(?::\s|：)\s*(\S.*)$")
_LIST_IN_TAG = re.compile(r"[,、，\n\t]")


@dataclass(frozen=True)
class Fix:
    """A suggested change to one label; ``safe`` ones are what ``--fix`` applies.

    ``index`` is the label's position in the field's list; ``new`` None removes it.
    """

    description: str
    field: str | None = None
    index: int | None = None
    old: str | None = None
    new: str | None = None
    safe: bool = False

    def as_dict(self) -> dict:
        return {"description": self.description, "field": self.field, "index": self.index,
                "old": self.old, "new": self.new, "safe": self.safe}


@dataclass(frozen=True)
class Finding:
    """One problem in one file, with where it is and how to fix it."""

    rule: str
    severity: str
    path: str
    line: int | None
    field: str | None
    message: str
    fix: Fix | None = None

    def as_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "path": self.path,
                "line": self.line, "field": self.field, "message": self.message,
                "fix": self.fix.as_dict() if self.fix else None}


@dataclass
class ModelScores:
    """The model's view of one post: probabilities by category and by tag."""

    categories: dict[str, float]
    tags: dict[str, float]


@dataclass
class CheckReport:
    """The findings of a run, and the texts of files that have safe fixes (for ``--fix``)."""

    findings: list[Finding]
    files: int
    sources: dict[str, str] = field(default_factory=dict)
    scores: dict[str, ModelScores] = field(default_factory=dict)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def _fmt(p: float) -> str:
    return f"{p:.3f}" if p >= 0.001 else f"{p:.4f}" if p >= 0.0001 else f"{p:.0e}"


class Checker:
    """Checks posts against a taxonomy and, when given a model, against its scores.

    ``taxonomy.severities`` override rule severities ("off" disables a rule) and
    ``taxonomy.thresholds`` the model thresholds. ``model_key`` names the model (its
    card's date and training fingerprint) so tokenized documents can be cached per model.
    """

    def __init__(self, taxonomy: Taxonomy, suggester=None, *, cache: TokenCache | None = None,
                 n_jobs: int = 1, model_key: str | None = None,
                 rules: Iterable[str] | None = None) -> None:
        unknown = [r for r in taxonomy.severities if r not in RULES]
        if unknown:
            raise TaxonomyError(f"unknown rule id(s) in [rules]: {', '.join(unknown)}; known: "
                                f"{', '.join(RULES)}")
        bad = [k for k in taxonomy.thresholds if k not in DEFAULT_THRESHOLDS]
        if bad:
            raise TaxonomyError(f"unknown model threshold(s): {', '.join(bad)}; known: "
                                f"{', '.join(DEFAULT_THRESHOLDS)}")
        self.taxonomy = taxonomy
        self.suggester = suggester
        self.cache = cache
        self.n_jobs = n_jobs
        self.model_key = model_key
        self.thresholds = {**DEFAULT_THRESHOLDS, **taxonomy.thresholds}
        self.severity = {rule.id: taxonomy.severities.get(rule.id, rule.severity)
                         for rule in RULES.values()}
        if rules is not None:
            chosen = set(rules)
            self.severity = {r: (s if r in chosen else OFF) for r, s in self.severity.items()}
        if suggester is None:
            for rule in RULES.values():
                if rule.model:
                    self.severity[rule.id] = OFF
        t = taxonomy
        self._categories = set(t.categories)
        self._category_keys = {label_key(c): c for c in (*t.categories, *t.deprecated_categories)}
        self._tags = set(t.tags)
        self._known = set(t.known_tags)
        self._series = {x for x in (*t.tags, *t.known_tags) if YEAR in x}
        # The same reading of the taxonomy as `suggest` makes (aliases, disallowed by key).
        self._rules = Rules(t)

    @property
    def uses_model(self) -> bool:
        return self.suggester is not None and any(
            self.severity[r.id] != OFF for r in RULES.values() if r.model)

    # --- entry points ------------------------------------------------------------------

    def check_files(self, paths: Sequence[str], progress: Callable[[int], None] | None = None,
                    *, scores: Mapping[str, ModelScores] | None = None) -> CheckReport:
        """Read and check the files at ``paths``; unreadable ones become findings.

        ``scores``: model scores already computed for some of these paths (their text is
        unchanged, as after ``--fix``), reused instead of scoring again.
        """
        texts: list[tuple[str, str | None, BunruiError | None]] = []
        for path in paths:
            try:
                texts.append((path, read_text(path), None))
            except PostError as exc:
                texts.append((path, None, exc))
        return self._check(texts, progress, scores)

    def check_texts(self, items: Sequence[tuple[str, str]]) -> CheckReport:
        """Check posts given as (path, text) pairs (nothing is read from disk)."""
        return self._check([(path, text, None) for path, text in items], None)

    def _check(self, texts, progress, scores=None) -> CheckReport:
        report = CheckReport(findings=[], files=len(texts))
        parsed: list[tuple[Post, str]] = []
        for path, text, error in texts:
            if error is not None:
                report.findings.append(self._finding("front-matter-invalid", path, error.line,
                                                     None, error.message))
                continue
            try:
                post = parse_post(text, path)
            except PostError as exc:
                rule = ("front-matter-missing" if exc.message.startswith("no front matter")
                        else "front-matter-invalid")
                report.findings.append(self._finding(rule, path, exc.line or 1, exc.field,
                                                     exc.message))
                continue
            parsed.append((post, text))
        if self.uses_model:
            known = dict(scores or {})
            report.scores = {p.path: known[p.path] for p, _ in parsed if p.path in known}
            report.scores.update(self.score([p for p, _ in parsed if p.path not in known],
                                            progress))
        for post, text in parsed:
            found = self.check_post(post, text, report.scores.get(post.path))
            report.findings.extend(found)
            if any(f.fix is not None and f.fix.safe for f in found):
                report.sources[post.path] = text
        report.findings = [f for f in report.findings if f.severity != OFF]
        return report

    # --- the model ---------------------------------------------------------------------

    def documents(self, posts: Sequence[Post], progress=None) -> list:
        """The model's documents for ``posts``, cached per model and post text.

        Turning a long body into tokens (Markdown to text, boilerplate removal, MeCab) is
        most of the time of a check, so the tokens of a body are kept under a key of the
        model and the body: an unchanged post is never read twice by the same model.
        """
        suggester = self.suggester
        if self.cache is None or self.model_key is None:
            return suggester.documents(posts, cache=self.cache, n_jobs=self.n_jobs,
                                       progress=progress)
        keys = [content_hash(f"check-body\0{self.model_key}\0{p.body}") for p in posts]
        known = self.cache.get_many(list(set(keys)))
        missing = [i for i, k in enumerate(keys) if k not in known]
        docs: list = [None] * len(posts)
        if missing:
            fresh = suggester.documents([posts[i] for i in missing], cache=self.cache,
                                        n_jobs=self.n_jobs, progress=progress)
            for i, doc in zip(missing, fresh, strict=True):
                docs[i] = doc
                known[keys[i]] = list(doc[1])
            self.cache.put_many({keys[i]: list(docs[i][1]) for i in missing})
        present = [i for i in range(len(posts)) if docs[i] is None]
        if present:
            titles = tokenize_many([posts[i].title for i in present], cache=self.cache)
            for i, title in zip(present, titles, strict=True):
                docs[i] = (title, known[keys[i]])
            if progress:
                progress(2 * len(present))
        return docs

    def score(self, posts: Sequence[Post], progress=None) -> dict[str, ModelScores]:
        """The model's category and tag probabilities for each post, by path.

        With a cache and a ``model_key``, the scores of a post whose title and body this
        model has scored before are read back instead of computed: a check of an unchanged
        blog costs reading the files, not the model.
        """
        usable = [p for p in posts if p.title.strip() or p.body.strip()]
        out: dict[str, ModelScores] = {}
        s = self.suggester
        keys: dict[str, str] = {}
        if self.cache is not None and self.model_key is not None:
            keys = {p.path: content_hash(f"check-scores\0{self.model_key}\0{p.title}\0{p.body}")
                    for p in usable}
            known = self.cache.get_many(list(set(keys.values())))
            for post in usable:
                scores = self._decode(known.get(keys[post.path]), post.date)
                if scores is not None:
                    out[post.path] = scores
            if progress and out:
                progress(2 * len(out))
        todo = [p for p in usable if p.path not in out]
        fresh: dict[str, list[str]] = {}
        for chunk, (cats, tags) in self._scored_chunks(todo, progress):
            for i, post in enumerate(chunk):
                scores = ModelScores(
                    categories=({c: float(p) for c, p in zip(s.category_labels, cats[i],
                                                             strict=True)}
                                if cats is not None else {}),
                    tags=(_tag_scores(s.tag_labels, tags[i], post.date)
                          if tags is not None else {}))
                out[post.path] = scores
                if keys:
                    fresh[keys[post.path]] = [*map(repr, scores.categories.values()), "|",
                                              *map(repr, scores.tags.values())]
        if fresh:
            self.cache.put_many(fresh)
        return out

    def _scored_chunks(self, posts: Sequence[Post], progress):
        """(posts, (category probabilities, tag probabilities)) chunk by chunk.

        Many posts at once (a whole blog with a cold cache) are read and scored in
        ``n_jobs`` processes: Markdown to text, tokenizing and scoring all happen there, so
        every step of the slow path uses every core, not only MeCab.
        """
        if self.n_jobs > 1 and len(posts) >= _PARALLEL_MIN:
            size = max(16, -(-len(posts) // (4 * self.n_jobs)))
            chunks = [posts[i : i + size] for i in range(0, len(posts), size)]
            results = run(_score_chunk, [(self.suggester, chunk) for chunk in chunks],
                          self.n_jobs)
            for chunk, result in zip(chunks, results, strict=True):
                if progress:
                    progress(2 * len(chunk))
                yield chunk, result
            return
        for start in range(0, len(posts), 512):
            chunk = posts[start : start + 512]
            cats, tags, _ = self.suggester.score(self.documents(chunk, progress))
            yield chunk, (cats, tags)

    def _decode(self, stored: list[str] | None, date) -> ModelScores | None:
        """Scores read back from the cache, or None when they do not fit this model."""
        s = self.suggester
        if not stored or "|" not in stored:
            return None
        split = stored.index("|")
        cats, tags = stored[:split], stored[split + 1 :]
        if len(cats) != (len(s.category_labels) if s.category_model is not None else 0) or (
                len(tags) != (len(s.tag_labels) if s.tag_model is not None else 0)):
            return None
        try:
            return ModelScores(dict(zip(s.category_labels, map(float, cats), strict=False)),
                               _tag_scores(s.tag_labels, map(float, tags), date))
        except ValueError:
            return None

    def _top_tags(self, scores: ModelScores, n: int) -> str:
        """The model's best ``n`` tags in the taxonomy's terms (what `suggest` would give)."""
        top: dict[str, float] = {}
        for tag, p in sorted(scores.tags.items(), key=lambda kv: -kv[1]):
            tag = self._rules.tag(tag)
            if tag is not None and len(top) < n:
                top.setdefault(tag, p)
        return ", ".join(f"'{t}' ({_fmt(p)})" for t, p in top.items())

    # --- the rules ---------------------------------------------------------------------

    def _finding(self, rule: str, path: str, line: int | None, field_: str | None,
                 message: str, fix: Fix | None = None) -> Finding:
        return Finding(rule, self.severity[rule], path, line, field_, message, fix)

    def check_post(self, post: Post, text: str | None = None,
                   scores: ModelScores | None = None) -> list[Finding]:
        """Every finding for one parsed post (``text``: its source, to point at item lines)."""
        out: list[Finding] = []
        on = self.severity
        lines = _Lines(post, text)

        def add(rule: str, line: int | Callable[[], int] | None, field_: str | None,
                message: str, fix: Fix | None = None) -> None:
            if on[rule] != OFF:
                # Item lines are located in the source only for the items with a finding.
                where = line() if callable(line) else line
                out.append(self._finding(rule, post.path, where, field_, message, fix))

        self._check_categories(post, lines, scores, add)
        self._check_tags(post, lines, scores, add)
        return out

    def _check_categories(self, post: Post, lines: _Lines, scores: ModelScores | None,
                          add) -> None:
        t = self.taxonomy
        key = "categories" if "categories" in post.front_matter else "category"
        cats = post.categories
        best = None
        if scores and scores.categories:
            allowed = [c for c in scores.categories if not self._categories or
                       c in self._categories]
            if allowed:
                best = max(allowed, key=lambda c: scores.categories[c])
        if not cats:
            if t.uses_categories:
                hint = f"; the model suggests '{best}' ({_fmt(scores.categories[best])})" \
                    if best else ""
                fix = Fix(f"add the category '{best}'", key, 0, None, best) if best else None
                add("category-missing", lines.field(key), key,
                    f"the post has no category{hint}", fix)
            return
        if t.max_categories and len(cats) > t.max_categories:
            add("category-multiple", lines.field(key), key,
                f"{len(cats)} categories ({', '.join(cats)}); the blog allows "
                f"{t.max_categories} per post")
        for i, cat in enumerate(cats):
            line = functools.partial(lines.item, key, i)
            if cat in t.deprecated_categories:
                new = t.deprecated_categories[cat]
                # The replacement is certain; the model's view is only a hint to look again.
                hint = (f"; the model's best category is '{best}' "
                        f"({_fmt(scores.categories[best])})" if best and best != new else "")
                add("category-deprecated", line, key,
                    f"category '{cat}' is retired; it is now '{new}'{hint}",
                    Fix(f"replace the category '{cat}' with '{new}'", key, i, cat, new, True))
                continue
            if not self._categories or cat in self._categories:
                continue
            variant = self._category_keys.get(label_key(cat))
            if variant is not None and variant in t.deprecated_categories:
                variant = t.deprecated_categories[variant]
            if variant is not None:
                message = f"category '{cat}' is not in the taxonomy; did you mean '{variant}'?"
                suggestion = variant
            elif best is not None:
                message = (f"category '{cat}' is not in the taxonomy; the model's best "
                           f"category is '{best}' ({_fmt(scores.categories[best])})")
                suggestion = best
            else:
                suggestion = nearest_label(cat, t.categories)
                message = f"category '{cat}' is not in the taxonomy" + (
                    f"; nearest: '{suggestion}'" if suggestion else
                    f" ({', '.join(t.categories)})")
            fix = Fix(f"replace the category '{cat}' with '{suggestion}'", key, i, cat,
                      suggestion) if suggestion else None
            add("category-unknown", line, key, message, fix)
        cat = cats[0]
        if (scores and best and cat != best and cat in scores.categories
                and (not self._categories or cat in self._categories)):
            p_best, p_cat = scores.categories[best], scores.categories[cat]
            th = self.thresholds
            if p_best >= th["category_min"] and p_best >= th["category_ratio"] * max(p_cat,
                                                                                   1e-12):
                add("category-mismatch", functools.partial(lines.item, key, 0), key,
                    f"the model prefers category '{best}' ({_fmt(p_best)}) to '{cat}' "
                    f"({_fmt(p_cat)})",
                    Fix(f"replace the category '{cat}' with '{best}'", key, 0, cat, best))

    def _check_tags(self, post: Post, lines: _Lines, scores: ModelScores | None, add) -> None:
        t = self.taxonomy
        key = "tags"
        tags = post.tags
        line = lines.field(key)
        if not tags:
            if t.min_tags:
                add("tags-missing", line, key, "the post has no tags" + (
                    f"; the model suggests {self._top_tags(scores, 3)}" if scores and scores.tags
                    else ""))
        elif len(tags) < t.min_tags:
            add("tags-too-few", line, key,
                f"{len(tags)} tag(s); the taxonomy asks for at least {t.min_tags}")
        if t.max_tags and len(tags) > t.max_tags:
            add("tags-too-many", line, key,
                f"{len(tags)} tags; the taxonomy allows at most {t.max_tags}")
        seen: dict[str, str] = {}  # exact tag -> itself; key -> first spelling
        seen_keys: dict[str, str] = {}
        present: set[str] = set()
        passed: set[int] = set()  # tags no taxonomy rule found wrong
        for i, raw in enumerate(tags):
            at = functools.partial(lines.item, key, i)
            if not raw.strip():
                add("tag-malformed", at, key, f"tag {i + 1} is empty",
                    Fix("remove the empty tag", key, i, raw, None))
                continue
            tag = raw.strip()
            k = label_key(tag)
            if raw != tag:
                add("tag-malformed", at, key, f"tag {raw!r} has surrounding spaces",
                    Fix(f"trim it to '{tag}'", key, i, raw, tag, True))
            # Duplicates first: a tag given twice is a duplicate whatever else is wrong.
            if tag in seen:
                add("tag-duplicate", at, key, f"tag '{tag}' is given twice",
                    Fix(f"remove the second '{tag}'", key, i, raw, None, True))
                continue
            if k in seen_keys:
                first = seen_keys[k]
                add("tag-duplicate", at, key,
                    f"tag '{tag}' duplicates '{first}' (a width/case variant)",
                    Fix(f"remove '{tag}'", key, i, raw, None))
                continue
            seen[tag] = tag
            seen_keys[k] = tag
            kv = _KEY_VALUE.match(tag)
            if kv:
                add("tag-malformed", at, key,
                    f"tag '{tag}' has a 'key: value' shape; the tag is probably "
                    f"'{kv.group(1).strip()}'",
                    Fix(f"replace it with '{kv.group(1).strip()}'", key, i, raw,
                        kv.group(1).strip()))
                continue
            if _LIST_IN_TAG.search(tag):
                add("tag-malformed", at, key,
                    f"tag '{tag}' holds a list or a control character; give each tag separately")
                continue
            if k in self._category_keys:
                add("tag-is-category", at, key,
                    f"tag '{tag}' is the name of a category; tags should say more than "
                    "the category does",
                    Fix(f"remove the tag '{tag}'", key, i, raw, None))
                continue
            if tag in t.tag_aliases or (k in self._rules.aliases and tag not in self._tags):
                canonical = t.tag_aliases.get(tag) or self._rules.aliases[k]
                present.add(canonical)
                add("tag-alias", at, key, f"tag '{tag}' is an alias of '{canonical}'",
                    Fix(f"replace '{tag}' with '{canonical}'", key, i, raw, canonical, True))
                continue
            if tag in t.deprecated_tags:
                new = t.deprecated_tags[tag]
                if new:
                    present.add(new)
                add("tag-deprecated", at, key,
                    f"tag '{tag}' is retired" + (f"; it is now '{new}'" if new else ""),
                    Fix(f"replace '{tag}' with '{new}'", key, i, raw, new, True) if new else
                    Fix(f"remove the tag '{tag}'", key, i, raw, None))
                continue
            if k in self._rules.disallowed:
                add("tag-disallowed", at, key, f"tag '{tag}' is not allowed by the taxonomy",
                    Fix(f"remove the tag '{tag}'", key, i, raw, None))
                continue
            present.add(tag)
            passed.add(i)
            series = label_of(tag, self._series)
            expected = render(series, post.date) if series != tag and post.date else tag
            if expected != tag:
                # Typically copied from last year's post of the series.
                add("tag-series-year", at, key,
                    f"tag '{tag}' is of the yearly series '{series}', but the post is dated "
                    f"{post.date.year}", Fix(f"replace '{tag}' with '{expected}'", key, i, raw,
                                             expected))
            elif self._tags and label_of(tag, self._tags) not in self._tags:
                near = nearest_label(tag, t.tags)
                add("tag-unknown", at, key, f"tag '{tag}' is not among the canonical tags"
                    + (f"; nearest: '{near}'" if near else ""),
                    Fix(f"replace '{tag}' with '{near}'", key, i, raw, near) if near else None)
            elif not self._tags and self._known and label_of(tag, self._known) not in self._known:
                near = nearest_label(tag, t.known_tags)
                add("tag-new", at, key, f"tag '{tag}' is new: no post the model learned from "
                    "has it" + (f"; nearest known tag: '{near}'" if near else ""),
                    Fix(f"replace '{tag}' with '{near}'", key, i, raw, near) if near else None)
        if scores and scores.tags:
            self._model_tags(post, lines, scores, present, passed, add)

    def _model_tags(self, post: Post, lines: _Lines, scores: ModelScores, present: set[str],
                    passed: set[int], add) -> None:
        t, th = self.taxonomy, self.thresholds
        key = "tags"
        for i, tag in enumerate(post.tags):
            if i not in passed:
                continue  # already reported (an alias, a disallowed tag...): once is enough
            tag = tag.strip()
            p = scores.tags.get(tag)
            if p is not None and p <= th["tag_unlikely"]:
                add("tag-unlikely", functools.partial(lines.item, key, i), key,
                    f"the model finds tag '{tag}' very unlikely here ({_fmt(p)})",
                    Fix(f"remove the tag '{tag}'", key, i, post.tags[i], None))
        if t.max_tags and len(post.tags) >= t.max_tags:
            return  # no room for another tag: suggesting one would only be noise
        present_keys = {label_key(x) for x in present}
        shown = 0
        for tag, p in sorted(scores.tags.items(), key=lambda kv: -kv[1]):
            if p < th["tag_missing"] or shown >= th["tag_missing_max"]:
                break
            k = label_key(tag)
            if (k in present_keys or k in self._rules.disallowed or k in self._category_keys
                    or tag in t.tag_aliases or tag in t.deprecated_tags
                    or (self._tags and tag not in self._tags)):
                continue
            add("tag-likely-missing", lines.field(key), key,
                f"the model finds tag '{tag}' very likely ({_fmt(p)}) but the post lacks it",
                Fix(f"add the tag '{tag}'", key, None, None, tag))
            shown += 1


# Below this many posts to score, worker processes cost more to start than they save.
_PARALLEL_MIN = 64


def _score_chunk(suggester, posts: Sequence[Post]):
    """Category and tag probabilities of ``posts`` (run in a worker process)."""
    cats, tags, _ = suggester.score(suggester.documents(posts, cache=None, n_jobs=1))
    return cats, tags


def _tag_scores(labels: Sequence[str], scores, date) -> dict[str, float]:
    """Tag probabilities by label as a post of ``date`` is tagged (a series takes its year)."""
    return {render(t, date): float(p) for t, p in zip(labels, scores, strict=True)}


class _Lines:
    """Line numbers of fields and of their items, located in the source only when asked."""

    def __init__(self, post: Post, text: str | None) -> None:
        self.post = post
        self.text = text
        self._source = None
        self._fields: dict[str, object] = {}

    def field(self, key: str) -> int:
        return self.post.field_lines.get(key) or 1

    def item(self, key: str, index: int) -> int:
        line = self.field(key)
        if self.text is None or key not in self.post.field_lines:
            return line
        if key not in self._fields:
            if self._source is None:
                self._source = locate_front_matter(self.text) or False
            self._fields[key] = locate_field(self._source, key) if self._source else None
        located = self._fields[key]
        if located is None or index >= len(located.items):
            return line
        return located.items[index].line


def rule_table(severities: Mapping[str, str] | None = None) -> list[dict]:
    """The rules as rows (id, severity in force, default, summary, model, fixable)."""
    severities = severities or {}
    return [{"id": r.id, "severity": severities.get(r.id, r.severity), "default": r.severity,
             "summary": r.summary, "model": r.model, "fixable": r.fixable}
            for r in RULES.values()]


def has_errors(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    """Whether ``findings`` fail a check: any error, or with ``strict`` any warning too."""
    failing = ("error", "warning") if strict else ("error",)
    return any(f.severity in failing for f in findings)


def model_key(card: Mapping) -> str:
    """A name for a trained model that changes whenever it is retrained."""
    training = card.get("training") or {}
    return f"{card.get('created')}|{training.get('fingerprint')}"


__all__ = ["RULES", "DEFAULT_THRESHOLDS", "CheckReport", "Checker", "Finding", "Fix",
           "ModelScores", "Rule", "SEVERITIES", "has_errors", "model_key", "rule_table"]
