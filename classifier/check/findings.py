"""What a check reports: findings with their fixes, and the report of a run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


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
    """One problem in one file, with where it is and how to fix it.

    ``item``: the position in the field's list of the label it is about, if one (an editor
    marks that label; reports show the line).
    """

    rule: str
    severity: str
    path: str
    line: int | None
    field: str | None
    message: str
    fix: Fix | None = None
    item: int | None = None

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


def has_errors(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    """Whether ``findings`` fail a check: any error, or with ``strict`` any warning too."""
    failing = ("error", "warning") if strict else ("error",)
    return any(f.severity in failing for f in findings)


def fmt(p: float) -> str:
    """A probability as messages show it: three decimals, more for tiny ones."""
    return f"{p:.3f}" if p >= 0.001 else f"{p:.4f}" if p >= 0.0001 else f"{p:.0e}"
