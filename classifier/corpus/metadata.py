"""Front matter written as lines of `key: value` rather than YAML, as Python's site
generators write it: Pelican's Markdown (`Title: …` lines up to the first blank line),
reStructuredText field lists (Pelican's `:tags: a, b` under the title's heading) and
Nikola's `.. title: …` lines (in reStructuredText, or in an HTML comment in Markdown);
and as Org mode writes it for Hugo (`#+title: …`, `#+tags[]: a b`, `#+filetags: :a:b:`).

The block is the file's first lines, from line 1 (a heading or comment markers
included), so a key's line in the file is its line in the block. Every value is text;
labels in it are split as any label string is (``labels.string_labels``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One field: `Key: value` (Pelican's Markdown), `:key: value` (reStructuredText),
# `.. key: value` (Nikola) or `#+key: value` (Org; Hugo marks a list `#+tags[]:`).
_FIELD = re.compile(r"(?:\.\. |:|#\+)?([A-Za-z][\w-]*)(?:\[\])?:(?:[ \t]+(.*?))?[ \t]*\Z")
# Org's time stamp (`<2024-05-01 Wed>`, `[2024-05-01 Wed 10:00]`) and tags (`:a:b:`).
_ORG_STAMP = re.compile(r"[<\[](\d{4}-\d{2}-\d{2}[^>\]]*)[>\]]\Z")
_ORG_TAGS = re.compile(r":(?:[^\s:]+:)+\Z")
# A value goes on in lines indented by four spaces or a tab (or three, in reST).
_CONTINUED = ("   ", "\t")
# A reStructuredText section title's underline or overline: a punctuation mark repeated.
_ADORNMENT = re.compile(r"([=\-#~*^\"'`+_.:])\1{2,}[ \t]*\Z")
_OPEN_COMMENT, _CLOSE_COMMENT = "<!--", "-->"
# Real posts have a dozen fields; a block of more is refused, as YAML's of more than
# ``posts.MAX_VALUES`` values is.
MAX_FIELDS = 10_000


@dataclass(frozen=True)
class _Scan:
    title: str | None  # a reStructuredText heading above the fields
    fields: list[tuple[int, str, str]]  # (index of the line, key, value), continuations joined
    end: int  # the block is lines[:end]
    body: int  # the body starts at lines[body]


def _heading(lines: list[str]) -> tuple[str, int] | None:
    """(title, lines it takes) of a reStructuredText section title opening ``lines``,
    with or without an overline."""
    def adornment(i: int) -> bool:
        return i < len(lines) and bool(_ADORNMENT.match(lines[i]))

    over = adornment(0)
    start = 1 if over else 0
    if start + 1 < len(lines) and lines[start].strip() and adornment(start + 1):
        return lines[start].strip(), start + 2
    return None


def _scan(lines: list[str], rst: bool) -> _Scan | None:
    """The block of field lines opening ``lines`` (line endings stripped); None unless
    it names a title: a `title` field, or a heading above the fields (``rst``)."""
    comment = bool(lines) and lines[0].strip() == _OPEN_COMMENT
    heading = _heading(lines) if rst and not comment else None
    i = 1 if comment else heading[1] if heading else 0
    if heading:
        while i < len(lines) and not lines[i].strip():
            i += 1
    fields: list[tuple[int, str, str]] = []
    while i < len(lines):
        line = lines[i]
        if comment and line.strip() == _CLOSE_COMMENT:
            end = body = i + 1
            break
        if not line.strip():
            if comment:
                i += 1
                continue
            end, body = i, i + 1
            break
        if fields and line.startswith(_CONTINUED):
            n, key, value = fields[-1]
            fields[-1] = (n, key, f"{value} {line.strip()}".strip())
        else:
            match = _FIELD.match(line)
            if match is None:
                return None
            fields.append((i, match.group(1), match.group(2) or ""))
        i += 1
    else:
        if comment:  # never closed: a comment, not metadata
            return None
        end = body = len(lines)
    if not fields or not (heading or any(k.casefold() == "title" for _, k, _ in fields)):
        return None
    return _Scan(heading[0] if heading else None, fields, end, body)


def split(lines: list[str], rst: bool) -> tuple[str, str, int] | None:
    """(block, body, the body's first line) of a text (its ``lines``, line endings kept)
    that opens with field lines, or None; ``rst``: a reStructuredText file, whose title
    may be a heading above them."""
    scan = _scan([line.rstrip("\r\n") for line in lines], rst)
    if scan is None:
        return None
    return "".join(lines[: scan.end]), "".join(lines[scan.body :]), scan.body + 1


def load(block: str) -> dict[str, str]:
    """A block of ``split`` as text values: a key's first line wins; a heading is the
    title where no field gives one. ``ValueError`` for more than ``MAX_FIELDS`` fields."""
    lines = block.splitlines()
    scan = _scan(lines, rst=bool(_heading(lines)))
    if scan and len(scan.fields) > MAX_FIELDS:
        raise ValueError(f"more than {MAX_FIELDS:,} fields")
    data: dict[str, str] = {}
    for _, key, value in scan.fields if scan else ():
        if stamp := _ORG_STAMP.match(value):
            value = stamp.group(1)
        elif _ORG_TAGS.match(value):
            value = " ".join(value.strip(":").split(":"))
        data.setdefault(key, value)
    if scan and scan.title and not any(k.casefold() == "title" for k in data):
        data["title"] = scan.title
    return data


def field_lines(block: str) -> dict[str, int]:
    """Each key of a block of ``split`` and the file line it is first on."""
    lines = block.splitlines()
    scan = _scan(lines, rst=bool(_heading(lines)))
    out: dict[str, int] = {}
    for n, key, _ in scan.fields if scan else ():
        out.setdefault(key, n + 1)
    return out
