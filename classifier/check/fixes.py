"""Safe fixes: rewrite only the front-matter labels that change, atomically, or nothing.

The fixes applied are the ``safe`` ones of findings: an alias to its canonical tag, a
retired label to its replacement, an exact duplicate removed, surrounding spaces trimmed.
Every other byte of a file (body, comments, key order, quoting, line endings) stays as
it was; a file whose labels cannot be rewritten with certainty is left untouched.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..corpus.files import write_atomic
from ..corpus.frontmatter import locate_field, locate_front_matter, rewrite_field, why_not_located
from ..corpus.posts import read_text
from ..errors import FixError, PostError
from . import Finding


@dataclass
class FixResult:
    """What fixing one file did: the findings fixed, the texts before and after, or why not."""

    path: str
    findings: list[Finding]
    original: str | None = None
    fixed: str | None = None
    problem: str | None = None
    written: bool = False
    extra: list[str] = field(default_factory=list)  # duplicates a fix created and removed

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed != self.original

    def diff(self, name: str | None = None) -> str:
        """A unified diff of the fix (empty when nothing changes); ``name``: the path to show."""
        if not self.changed:
            return ""
        name = (name or self.path).lstrip("/")
        lines = difflib.unified_diff(self.original.splitlines(keepends=True),
                                     self.fixed.splitlines(keepends=True),
                                     fromfile=f"a/{name}", tofile=f"b/{name}")
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines)


def safe_fixes(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """The findings with a safe fix, by path, in file order."""
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.fix is not None and finding.fix.safe and finding.fix.field:
            out.setdefault(finding.path, []).append(finding)
    return out


def fixed_text(text: str, findings: Iterable[Finding]) -> tuple[str, list[str]]:
    """``text`` with the safe fixes of ``findings`` applied; ``FixError`` if not safely.

    Returns the new text and the labels removed because a fix made them exact duplicates.
    """
    by_field: dict[str, dict[int, list]] = {}
    for finding in findings:
        fix = finding.fix
        if fix is None or not fix.safe or fix.field is None or fix.index is None:
            continue
        by_field.setdefault(fix.field, {}).setdefault(fix.index, []).append(fix)
    removed: list[str] = []
    for key, ops in by_field.items():
        source = locate_front_matter(text)
        if source is None:
            raise FixError("the front matter cannot be found", field=key)
        located = locate_field(source, key)
        if located is None:
            raise FixError(why_not_located(source, key) or f"cannot find '{key}'", field=key)
        current = [item.value for item in located.items]
        final: list[str | None] = list(current)
        changed: set[int] = set()
        for index, fixes in ops.items():
            if index >= len(current) or any(f.old is not None and f.old != current[index]
                                            for f in fixes):
                raise FixError(f"'{key}' is not as it was when checked", field=key)
            final[index] = None if any(f.new is None for f in fixes) else fixes[-1].new
            changed.add(index)
        seen: dict[str, int] = {}
        for i, value in enumerate(final):
            if value is None:
                continue
            if value in seen and (i in changed or seen[value] in changed):
                final[i] = None  # a fix made it an exact duplicate of another tag
                changed.add(i)
                removed.append(value)
                continue
            seen.setdefault(value, i)
        values = {i: final[i] for i in changed if final[i] != current[i]}
        if values:
            text = rewrite_field(source, key, values)
    return text, removed


def fix_files(findings: Iterable[Finding], sources: Mapping[str, str] | None = None, *,
              dry_run: bool = False) -> list[FixResult]:
    """Apply the safe fixes of ``findings`` to their files (or only compute them).

    ``sources``: the texts the findings were made from; a file that has changed since is
    left alone. Each file is written atomically; one that cannot be fixed safely is not
    written at all and its result says why.
    """
    results = []
    for path, found in safe_fixes(findings).items():
        result = FixResult(path, found)
        results.append(result)
        try:
            result.original = read_text(path)
        except PostError as exc:
            result.problem = exc.message
            continue
        if sources is not None and path in sources and sources[path] != result.original:
            result.problem = "the file changed after it was checked"
            continue
        try:
            result.fixed, result.extra = fixed_text(result.original, found)
        except FixError as exc:
            result.problem = exc.message
            continue
        if result.changed and not dry_run:
            try:
                write_atomic(path, result.fixed.encode("utf-8"))
            except OSError as exc:
                result.problem = f"cannot write: {exc.strerror}"
                continue
            result.written = True
    return results
