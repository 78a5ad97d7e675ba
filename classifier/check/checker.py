"""The checker: reads posts, scores them with the model, and runs the registered rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from ..corpus.posts import Post, parse_post, read_text
from ..errors import PostError, TaxonomyError
from ..taxonomy import OFF, Taxonomy
from ..text.tokens import TokenCache
from . import scoring
from .context import CATEGORIES, TAGS, PostContext, TaxonomyView, Verdicts
from .findings import CheckReport, Finding, ModelScores
from .model_rules import DEFAULT_THRESHOLDS
from .registry import FIELD, FILE, LABEL, RULES, Hit, Rule, run_order

# The rules of a field run in this order: the field as a whole, then label by label, then
# the model's rules, which read what the taxonomy rules found of each label (a tag that is
# an alias is not also unlikely).
_STAGES = ((FIELD, False), (LABEL, False), (LABEL, True), (FIELD, True))


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
        self._view = TaxonomyView(taxonomy, self.thresholds)

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
        texts: list[tuple[str, str | None, PostError | None]] = []
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
            if error is not None:  # not read: only the error's own line, if it has one
                report.findings += self.file_findings(path, error, error.line)
                continue
            try:
                post = parse_post(text, path)
            except PostError as exc:
                report.findings += self.file_findings(path, exc, exc.line or 1)
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
        return report

    # --- the model ---------------------------------------------------------------------

    def documents(self, posts: Sequence[Post], progress=None) -> list:
        """The model's documents for ``posts``, cached per model and post text."""
        return scoring.documents(self.suggester, posts, cache=self.cache,
                                 model_key=self.model_key, n_jobs=self.n_jobs,
                                 progress=progress)

    def score(self, posts: Sequence[Post], progress=None) -> dict[str, ModelScores]:
        """The model's category and tag probabilities for each post, by path (cached per
        model and post text)."""
        return scoring.score(self.suggester, posts, cache=self.cache, model_key=self.model_key,
                             n_jobs=self.n_jobs, progress=progress)

    # --- running the rules -------------------------------------------------------------

    def file_findings(self, path: str, error: PostError, line: int | None) -> list[Finding]:
        """The findings of a file that could not be read or parsed."""
        rules = run_order(FILE, None, False)
        return [Finding(rule.id, self.severity[rule.id], path, line, error.field, hit.message,
                        hit.fix)
                for rule, hit in _hits(rules, lambda rule: rule.check(error), Verdicts())
                if self.severity[rule.id] != OFF]

    def check_post(self, post: Post, text: str | None = None,
                   scores: ModelScores | None = None) -> list[Finding]:
        """Every finding for one parsed post (``text``: its source, to point at item lines)."""
        ctx = PostContext(post, text, scores, self._view)
        out: list[Finding] = []
        for field in (CATEGORIES, TAGS):
            for scope, model in _STAGES:
                rules = run_order(scope, field, model)
                if scope == FIELD:
                    hits = _hits(rules, lambda rule: rule.check(ctx), ctx.verdicts[field])
                    out += self._findings(ctx, field, hits)
                    continue
                for label in ctx.labels[field]:
                    hits = _hits(rules, lambda rule, label=label: rule.check(ctx, label),
                                 label.verdicts)
                    out += self._findings(ctx, field, hits, label.index)
        return out

    def _findings(self, ctx: PostContext, field: str, hits: Iterable[tuple[Rule, Hit]],
                  index: int | None = None) -> list[Finding]:
        key = ctx.keys[field]
        out = []
        for rule, hit in hits:
            severity = self.severity[rule.id]
            if severity == OFF:
                continue
            item = hit.item if hit.item is not None else index
            # Item lines are located in the source only for the items with a finding.
            line = ctx.lines.field(key) if item is None else ctx.lines.item(key, item)
            # A rule's fix names its field; the post names the key it is written under.
            fix = replace(hit.fix, field=key) if hit.fix and hit.fix.field == field else hit.fix
            message = hit.message + (ctx.tags_aside if field == TAGS else "")
            out.append(Finding(rule.id, severity, ctx.post.path, line, key, message, fix,
                               item))
        return out


def _hits(rules: Sequence[Rule], check: Callable[[Rule], Iterable[Hit]],
          verdicts: Verdicts) -> Iterator[tuple[Rule, Hit]]:
    """The hits of ``rules`` (in their run order) on one thing, with ``check(rule)`` running
    a rule on it. A rule superseded on it keeps only its asides; one that finds it wrong
    supersedes the rules it names, whether or not it is reported."""
    for rule in rules:
        superseded = rule.id in verdicts.ended
        for hit in check(rule):
            if not hit.aside:
                if superseded:
                    continue
                verdicts.found.add(rule.id)
                verdicts.ended.update(rule.supersedes)
            yield rule, hit
