"""Findings as both front ends report them: `bunrui check` and ``POST /v1/check``."""

from __future__ import annotations

from collections.abc import Sequence

from bunrui.classifier.check import Finding

SEVERITIES = ("error", "warning", "notice")
_ORDER = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """By file, line, severity (errors first), then rule."""
    return sorted(findings, key=lambda f: (f.path, f.line or 0, _ORDER.get(f.severity, 3),
                                           f.rule))


def finding_dicts(findings: Sequence[Finding]) -> list[dict]:
    """The findings in report order as JSON objects (``Finding.as_dict``)."""
    return [f.as_dict() for f in sort_findings(findings)]
