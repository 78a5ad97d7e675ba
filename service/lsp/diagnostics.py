"""`bunrui check`'s findings on a document as diagnostics, each on its label's exact range."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from bunrui.classifier import BunruiError, Checker, Finding

from .documents import View
from .labels import written_labels

SEVERITIES = {"error": types.DiagnosticSeverity.Error,
              "warning": types.DiagnosticSeverity.Warning,
              "notice": types.DiagnosticSeverity.Information}
SOURCE = "bunrui"


@dataclass(frozen=True)
class Checked:
    """A document version's findings, each with the diagnostic that shows it."""

    findings: list[tuple[Finding, types.Diagnostic]]
    others: list[types.Diagnostic]  # problems that are no finding (a broken taxonomy)

    @property
    def diagnostics(self) -> list[types.Diagnostic]:
        return self.others + [d for _, d in self.findings]


def check(view: View) -> Checked:
    """What `bunrui check` finds in the document, as it finds it in the saved file (the
    model's rules too when there is a model)."""
    others = [_diagnostic(view, 0, view.problem, "taxonomy")] if view.problem else []
    suggester = view.model.suggester if view.model is not None else None
    try:
        checker = Checker(view.taxonomy, suggester)
    except BunruiError as exc:  # rule ids or thresholds the taxonomy names wrongly
        return Checked([], [*others, _diagnostic(view, 0, exc.message, "taxonomy")])
    if view.post is None:
        found = checker.file_findings(view.path, view.error, view.error.line or 1)
    else:
        scores = view.reading.scores if view.reading and checker.uses_model else None
        found = checker.check_post(view.post, view.text, scores)
    located = {(w.key, w.index): w.item for w in written_labels(view.text)}
    out = []
    for finding in found:
        item = located.get((finding.field, finding.item))
        span = (item.start, item.end) if item else view.positions.line_span((finding.line or 1)
                                                                             - 1)
        out.append((finding, types.Diagnostic(
            view.positions.range(*span), finding.message, SEVERITIES.get(finding.severity),
            code=finding.rule, source=SOURCE)))
    return Checked(out, others)


def _diagnostic(view: View, line: int, message: str, code: str) -> types.Diagnostic:
    return types.Diagnostic(view.positions.range(*view.positions.line_span(line)), message,
                            types.DiagnosticSeverity.Error, code=code, source=SOURCE)
