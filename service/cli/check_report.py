"""Formats of `bunrui check` reports: text for people, JSON, GitHub workflow commands, SARIF.

Each format is registered by name in ``FORMATS`` (what ``--format`` offers) with a
function that renders a ``CheckRun``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from urllib.parse import quote

from bunrui.classifier.check import RULES, Finding

from ..findings import SEVERITIES, finding_dicts, sort_findings

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "notice": "note"}


@dataclass(frozen=True)
class CheckRun:
    """What a report shows: the findings of a run, and how it was run."""

    findings: Sequence[Finding]
    files: int
    severities: Mapping[str, str]  # rule id -> severity in force
    taxonomy: str  # where the taxonomy came from
    uses_model: bool


@dataclass(frozen=True)
class ReportFormat:
    """A report format: its name for ``--format``, a few words for ``--help``, its renderer."""

    name: str
    description: str
    render: Callable[[CheckRun], str]


FORMATS: dict[str, ReportFormat] = {}


def report_format(name: str, description: str) -> Callable:
    """Register the decorated function as the renderer of the format ``name``."""

    def register(render: Callable[[CheckRun], str]) -> Callable[[CheckRun], str]:
        FORMATS[name] = ReportFormat(name, description, render)
        return render

    return register


def display_path(path: str) -> str:
    """``path`` relative to the working folder when it lies inside it, else as given."""
    if not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def summary(findings: Sequence[Finding], files: int) -> str:
    """One line: how many files, errors, warnings, notices, and how many --fix can fix."""
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
    with_findings = len({f.path for f in findings})
    fixable = sum(1 for f in findings if f.fix is not None and f.fix.safe)

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    line = (f"{n(files, 'file')} checked: {n(counts['error'], 'error')}, "
            f"{n(counts['warning'], 'warning')}, {n(counts['notice'], 'notice')}")
    if findings:
        line += f" in {n(with_findings, 'file')}"
    if fixable:
        line += f"; {fixable} can be fixed with --fix"
    return line


@report_format("text", "for people")
def format_text(run: CheckRun) -> str:
    """Where the taxonomy came from, then the findings grouped by file, each with its line,
    severity, rule, message and fix, and a summary."""
    out = [f"taxonomy: {run.taxonomy}"]
    if not run.uses_model:
        out.append("model: none (model-based rules skipped)")
    current = None
    for f in sort_findings(run.findings):
        if f.path != current:
            if current is not None:
                out.append("")
            out.append(display_path(f.path))
            current = f.path
        line = f"{f.line}:" if f.line else "-:"
        out.append(f"  {line:<5} {f.severity:<8} {f.message}  [{f.rule}]")
        if f.fix is not None:
            how = " (bunrui check --fix)" if f.fix.safe else ""
            out.append(f"  {'':<5} {'':<8} fix: {f.fix.description}{how}")
    if run.findings:
        out.append("")
    out.append(summary(run.findings, run.files))
    return "\n".join(out) + "\n"


@report_format("json", "a list of findings")
def format_json(run: CheckRun) -> str:
    """The findings as a JSON list (``Finding.as_dict``)."""
    return json.dumps(finding_dicts(run.findings), ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


@report_format("github", "workflow commands")
def format_github(run: CheckRun) -> str:
    """GitHub Actions workflow commands, so findings show on the pull request's files."""
    out = []
    for f in sort_findings(run.findings):
        command = {"error": "error", "warning": "warning"}.get(f.severity, "notice")
        props = [f"file={_escape_property(display_path(f.path))}"]
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f'bunrui {f.rule}')}")
        message = f.message + (f" (fix: {f.fix.description})" if f.fix else "")
        out.append(f"::{command} {','.join(props)}::{_escape_data(message)}")
    out.append(summary(run.findings, run.files))
    return "\n".join(out) + "\n"


def _version() -> str:
    try:
        return metadata.version("bunrui")
    except metadata.PackageNotFoundError:
        return "0"


def sarif_report(findings: Sequence[Finding], severities: Mapping[str, str]) -> dict:
    """A SARIF 2.1.0 log of the findings (one run, every rule described)."""
    rule_ids = list(RULES)
    rules = []
    for rule_id in rule_ids:
        rule = RULES[rule_id]
        level = severities.get(rule_id, rule.severity)
        rules.append({
            "id": rule_id,
            "name": "".join(part.title() for part in rule_id.split("-")),
            "shortDescription": {"text": rule.summary},
            "defaultConfiguration": {"level": _SARIF_LEVEL.get(level, "none"),
                                     "enabled": level in _SARIF_LEVEL},
            "properties": {"model": rule.model, "fixable": rule.fixable},
        })
    results = []
    for f in sort_findings(findings):
        location: dict = {"artifactLocation": {
            "uri": quote(display_path(f.path).replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}}
        if f.line:
            location["region"] = {"startLine": f.line}
        result: dict = {
            "ruleId": f.rule,
            "ruleIndex": rule_ids.index(f.rule),
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message + (f" Fix: {f.fix.description}." if f.fix else "")},
            "locations": [{"physicalLocation": location}],
        }
        if f.field:
            result["properties"] = {"field": f.field}
        if f.fix is not None:
            result.setdefault("properties", {})["fix"] = f.fix.as_dict()
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "bunrui", "version": _version(), "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": _root_uri()}},
            "results": results,
        }],
    }


def _root_uri() -> str:
    return "file://" + quote(os.getcwd().replace(os.sep, "/").rstrip("/") + "/")


@report_format("sarif", "SARIF 2.1.0")
def format_sarif(run: CheckRun) -> str:
    """A SARIF 2.1.0 log, for code scanning."""
    return json.dumps(sarif_report(run.findings, run.severities), ensure_ascii=False,
                      indent=2) + "\n"


def format_rules(rows: Sequence[dict]) -> str:
    """The rule table of `bunrui check --list-rules`."""
    out = [f"{'rule':<22}{'severity':<10}{'kind':<9}summary"]
    for row in rows:
        kind = "model" if row["model"] else "taxonomy"
        severity = row["severity"] + ("*" if row["severity"] != row["default"] else "")
        fix = " (--fix)" if row["fixable"] else ""
        out.append(f"{row['id']:<22}{severity:<10}{kind:<9}{row['summary']}{fix}")
    out.append("* set by the taxonomy file; severities: error, warning, notice, off")
    return "\n".join(out) + "\n"
