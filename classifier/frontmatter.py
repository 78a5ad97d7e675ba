"""Finding label values in front-matter source, and rewriting them in place.

A parser gives values but forgets where they stood. To point a finding at the line of a
tag and to fix a label without touching anything else (comments, quoting, key order, line
endings), this module scans the source of one top-level field itself. It understands the
shapes blogs use for labels: YAML flow lists (``tags: [a, "b"]``), block lists
(``- a`` lines), a plain or quoted string (``category: a`` or Jekyll's space-separated
``tags: a b``), and TOML arrays and strings. Anything else (anchors, multi-line
strings, nested values) is reported as not understood, never guessed at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from .errors import FixError, PostError
from .posts import load_yaml, parse_front_matter, split_front_matter

_FENCES = {"---": "yaml", "+++": "toml"}
_NEWLINE = re.compile(r"\r\n|\r|\n")
_YAML_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
                 "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
                 "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_TOML_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


@dataclass(frozen=True)
class Item:
    """One label as written: its value, where its token stands, how it is quoted."""

    value: str
    start: int  # offset of the token (quotes included) in the file's text
    end: int
    style: str  # "plain", "single" or "double" (TOML: "single" is a literal string)
    line: int  # 1-based line in the file


@dataclass(frozen=True)
class Field:
    """A top-level front-matter field holding labels, as found in the source."""

    key: str
    shape: str  # "flow" ([a, b]), "block" (- a lines), "scalar" (one string), "words" (a b)
    items: tuple[Item, ...]
    line: int  # the line of the key
    # For "block": (start, end) of each item's whole line, line ending included.
    item_lines: tuple[tuple[int, int], ...] = ()
    # For "words": the quoted or plain string token the words are part of.
    token: Item | None = None


@dataclass(frozen=True)
class Source:
    """A post's text with its front-matter block located: ``text[start:end]`` is the block."""

    text: str
    format: str  # "yaml" or "toml"
    start: int
    end: int
    first_line: int  # line number of text[start]


def locate_front_matter(text: str) -> Source | None:
    """Where the front matter of ``text`` is; None when there is none or it is unclosed."""
    offset = 1 if text.startswith("\ufeff") else 0
    first = _NEWLINE.search(text, offset)
    if first is None:
        return None
    fence = text[offset : first.start()].rstrip()
    if fence not in _FENCES:
        return None
    position, line = first.end(), 2
    start = position
    while position <= len(text):
        match = _NEWLINE.search(text, position)
        end = match.start() if match else len(text)
        if text[position:end].rstrip() == fence:
            return Source(text, _FENCES[fence], start, position, 2)
        if match is None:
            return None
        position, line = match.end(), line + 1
    return None


class _Unsupported(Exception):
    pass


class _Scanner:
    """Reads tokens of one field's value from ``text`` between ``pos`` and ``limit``."""

    def __init__(self, source: Source) -> None:
        self.text = source.text
        self.fmt = source.format
        self.limit = source.end
        # Line numbers by offset, computed once per field on demand.
        self._line_starts: list[int] | None = None

    def line_of(self, offset: int) -> int:
        if self._line_starts is None:
            starts = [0]
            starts += [m.end() for m in _NEWLINE.finditer(self.text, 0, self.limit)]
            self._line_starts = starts
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def line_end(self, pos: int) -> tuple[int, int]:
        """(end of the line's content, start of the next line) from ``pos``."""
        match = _NEWLINE.search(self.text, pos, self.limit)
        if match is None:
            return self.limit, self.limit
        return match.start(), match.end()

    def quoted(self, pos: int) -> tuple[str, int, str]:
        """Decode the quoted string starting at ``pos``: (value, end, style)."""
        text, quote = self.text, self.text[pos]
        if self.fmt == "toml" and text.startswith(quote * 3, pos):
            raise _Unsupported("multi-line TOML strings")
        if quote == "'":
            out, i = [], pos + 1
            while i < self.limit:
                c = text[i]
                if c == "'":
                    if self.fmt == "yaml" and text.startswith("''", i):
                        out.append("'")
                        i += 2
                        continue
                    return "".join(out), i + 1, "single"
                if c in "\r\n":
                    raise _Unsupported("a quoted label spread over lines")
                out.append(c)
                i += 1
            raise _Unsupported("an unclosed quote")
        escapes = _YAML_ESCAPES if self.fmt == "yaml" else _TOML_ESCAPES
        out, i = [], pos + 1
        while i < self.limit:
            c = text[i]
            if c == '"':
                return "".join(out), i + 1, "double"
            if c in "\r\n":
                raise _Unsupported("a quoted label spread over lines")
            if c == "\\":
                nxt = text[i + 1 : i + 2]
                if nxt in escapes:
                    out.append(escapes[nxt])
                    i += 2
                    continue
                width = {"x": 2, "u": 4, "U": 8}.get(nxt)
                if width is None or (nxt == "x" and self.fmt == "toml"):
                    raise _Unsupported("an escape sequence")
                digits = text[i + 2 : i + 2 + width]
                if not re.fullmatch(r"[0-9A-Fa-f]+", digits) or len(digits) != width:
                    raise _Unsupported("an escape sequence")
                out.append(chr(int(digits, 16)))
                i += 2 + width
                continue
            out.append(c)
            i += 1
        raise _Unsupported("an unclosed quote")

    def skip_space(self, pos: int, *, newlines: bool, comments: bool) -> int:
        text = self.text
        while pos < self.limit:
            c = text[pos]
            if c in " \t" or (newlines and c in "\r\n"):
                pos += 1
            elif comments and c == "#" and (pos == 0 or text[pos - 1] in " \t\r\n[,"):
                pos = self.line_end(pos)[0]
            else:
                break
        return pos


def _find_key(source: Source, key: str) -> tuple[int, int] | None:
    """(offset just after ``key:``/``key =``, offset of the key's line) for a top-level key."""
    names = rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
    if source.format == "yaml":
        pattern = re.compile(rf"^{names}[ \t]*:(?=[ \t\r\n]|$)", re.M)
    else:
        pattern = re.compile(rf"^{names}[ \t]*=", re.M)
    block = source.text[source.start : source.end]
    if source.format == "toml":
        table = re.search(r"^[ \t]*\[", block, re.M)  # keys after a [table] header are not ours
        if table:
            block = block[: table.start()]
    found = list(pattern.finditer(block))
    if len(found) != 1:
        return None
    match = found[0]
    return source.start + match.end(), source.start + match.start()


def _plain_end(scanner: _Scanner, pos: int, end: int, flow: bool) -> int:
    """End of a plain YAML scalar starting at ``pos`` (trailing spaces excluded)."""
    text = scanner.text
    i = pos
    while i < end:
        c = text[i]
        if c == "#" and text[i - 1] in " \t":
            break
        if flow and c in ",[]{}":
            break
        if c == ":" and (i + 1 >= end or text[i + 1] in " \t\r\n" or (flow and text[i + 1] in
                                                                       ",[]{}")):
            raise _Unsupported("a 'key: value' shape (a mapping, not a label)")
        i += 1
    while i > pos and text[i - 1] in " \t":
        i -= 1
    return i


def _token(scanner: _Scanner, pos: int, end: int, flow: bool) -> Item:
    text = scanner.text
    c = text[pos]
    if c in "'\"":
        value, stop, style = scanner.quoted(pos)
        return Item(value, pos, stop, style, scanner.line_of(pos))
    if scanner.fmt == "toml":
        raise _Unsupported("a TOML value that is not a string")
    if c in "[]{}&*!|>%@`?" or (c == "-" and text[pos + 1 : pos + 2] in (" ", "\t", "")):
        raise _Unsupported("a nested, anchored or block value")
    stop = _plain_end(scanner, pos, end, flow)
    if stop == pos:
        raise _Unsupported("an empty value")
    return Item(text[pos:stop], pos, stop, "plain", scanner.line_of(pos))


def _flow(scanner: _Scanner, key: str, key_line: int, pos: int) -> Field:
    text, items = scanner.text, []
    pos += 1  # past "["
    while True:
        pos = scanner.skip_space(pos, newlines=True, comments=True)
        if pos >= scanner.limit:
            raise _Unsupported("an unclosed list")
        if text[pos] == "]":
            pos += 1
            break
        item = _token(scanner, pos, scanner.limit, flow=True)
        items.append(item)
        pos = scanner.skip_space(item.end, newlines=True, comments=True)
        if pos < scanner.limit and text[pos] == ",":
            pos += 1
        elif pos < scanner.limit and text[pos] == "]":
            pos += 1
            break
        else:
            raise _Unsupported("an unexpected character in a list")
    rest = scanner.skip_space(pos, newlines=False, comments=True)
    if rest < scanner.limit and text[rest] not in "\r\n":
        raise _Unsupported("text after the list")
    return Field(key, "flow", tuple(items), key_line)


def _block(scanner: _Scanner, key: str, key_line: int, pos: int) -> Field:
    text, items, lines = scanner.text, [], []
    _, pos = scanner.line_end(pos)
    while pos < scanner.limit:
        content_end, next_line = scanner.line_end(pos)
        line = text[pos:content_end]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            pos = next_line
            continue
        match = re.match(r"([ \t]*)-(?:[ \t]+|$)", line)
        if not match:
            if line[0] in " \t":
                raise _Unsupported("an indented value that is not a list item")
            break
        start = pos + match.end()
        if start >= content_end:
            raise _Unsupported("an empty list item")
        item = _token(scanner, start, content_end, flow=False)
        rest = scanner.skip_space(item.end, newlines=False, comments=True)
        if rest < content_end:
            raise _Unsupported("text after a list item")
        items.append(item)
        lines.append((pos, next_line))
        pos = next_line
    return Field(key, "block", tuple(items), key_line, item_lines=tuple(lines))


def _scalar(scanner: _Scanner, key: str, key_line: int, pos: int) -> Field:
    content_end, next_line = scanner.line_end(pos)
    token = _token(scanner, pos, content_end, flow=False)
    rest = scanner.skip_space(token.end, newlines=False, comments=True)
    if rest < content_end:
        raise _Unsupported("text after the value")
    if scanner.fmt == "yaml" and token.style == "plain" and next_line < scanner.limit:
        following = scanner.text[next_line : scanner.line_end(next_line)[0]]
        if following[:1] in (" ", "\t") and following.strip():
            raise _Unsupported("a value continued on the next line")
    words = list(re.finditer(r"\S+", token.value))
    if len(words) <= 1 and token.value == token.value.strip():
        return Field(key, "scalar", (token,), key_line)
    # Jekyll splits a string of labels on spaces. Word offsets are only known when the
    # token's text is the value itself (no escapes, no doubled quotes).
    inner = token.start + (0 if token.style == "plain" else 1)
    if scanner.text[inner : inner + len(token.value)] != token.value:
        raise _Unsupported("escapes in a space-separated list of labels")
    items = tuple(Item(m.group(), inner + m.start(), inner + m.end(), "plain", token.line)
                  for m in words)
    return Field(key, "words", items, key_line, token=token)


def locate_field(source: Source, key: str) -> Field | None:
    """The labels of top-level field ``key`` as written; None if absent or not understood."""
    try:
        return _locate(source, key)
    except _Unsupported:
        return None


def _locate(source: Source, key: str) -> Field | None:
    found = _find_key(source, key)
    if found is None:
        return None
    pos, key_start = found
    scanner = _Scanner(source)
    key_line = scanner.line_of(key_start)
    pos = scanner.skip_space(pos, newlines=False, comments=False)
    if pos >= source.end or source.text[pos] in "\r\n#":
        return _block(scanner, key, key_line, pos)
    if source.text[pos] == "[":
        return _flow(scanner, key, key_line, pos)
    return _scalar(scanner, key, key_line, pos)


def why_not_located(source: Source, key: str) -> str:
    """Why ``locate_field`` gave up on ``key``, for a message."""
    if _find_key(source, key) is None:
        return f"'{key}' is missing, repeated, or not a top-level key"
    try:
        _locate(source, key)
    except _Unsupported as exc:
        return f"'{key}' is written in a shape bunrui does not rewrite ({exc})"
    return ""


# --- rewriting -------------------------------------------------------------------------

def _plain_ok(value: str, flow: bool) -> bool:
    if not value or value != value.strip() or value[0] in "-?:,[]{}#&*!|>'\"%@`":
        return False
    if ": " in value or " #" in value or value.endswith(":") or any(c in value for c in "\r\n"):
        return False
    if flow and any(c in value for c in ",[]{}"):
        return False
    try:  # 'yes', '12', 'null' and the like would read back as something else
        return load_yaml(f"[{value}]" if flow else value) == ([value] if flow else value)
    except yaml.YAMLError:
        return False


def render(value: str, style: str, fmt: str, *, flow: bool) -> str:
    """``value`` written in ``style`` (or the nearest style that can hold it)."""
    printable = value.isprintable()
    if fmt == "toml":
        if style == "single" and "'" not in value and printable:
            return f"'{value}'"
        return json.dumps(value, ensure_ascii=False)
    if style == "plain" and _plain_ok(value, flow):
        return value
    if style == "single" and printable:
        return "'" + value.replace("'", "''") + "'"
    if printable and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted strings


def rewrite_field(source: Source, key: str, values: Mapping[int, str | None]) -> str:
    """The file's text with items of field ``key`` replaced (``None``: removed).

    Only the changed tokens (and, for a removed block item, its line) change; the
    result is re-parsed and must hold exactly the intended labels with every other
    field equal, else ``FixError`` is raised and nothing is to be written.
    """
    field_ = locate_field(source, key)
    if field_ is None:
        raise FixError(why_not_located(source, key) or f"cannot find '{key}'", field=key)
    items = field_.items
    if any(i < 0 or i >= len(items) for i in values):
        raise FixError(f"'{key}' does not have the items the fix refers to", field=key)
    kept = [i for i in range(len(items)) if values.get(i, "") is not None]
    if not kept:
        raise FixError(f"the fix would leave '{key}' empty", field=key)
    text = source.text
    flow = field_.shape == "flow"

    def token(i: int) -> str:
        new = values.get(i)
        item = items[i]
        if new is None or new == item.value:
            return text[item.start : item.end]
        if field_.shape == "words":
            if not new or any(c.isspace() for c in new) or (
                    field_.token.style == "plain" and not _plain_ok(new, False)) or (
                    field_.token.style == "double" and ('"' in new or "\\" in new)) or (
                    field_.token.style == "single" and "'" in new):
                raise FixError(f"'{new}' cannot be written into a space-separated list",
                               field=key)
            return new
        return render(new, item.style, source.format, flow=flow)

    if field_.shape == "block":
        pieces, position = [], field_.item_lines[0][0]
        start = position
        for i, (line_start, line_end) in enumerate(field_.item_lines):
            pieces.append(text[position:line_start])
            if i in kept:
                item = items[i]
                pieces.append(text[line_start : item.start] + token(i) + text[item.end : line_end])
            position = line_end
        new_region, end = "".join(pieces), position
    else:
        # Each kept item keeps the separator that followed it; the last kept one is
        # followed by what followed the last item.
        start, end = items[0].start, items[-1].end
        pieces = []
        for n, i in enumerate(kept):
            pieces.append(token(i))
            if n + 1 < len(kept):
                pieces.append(text[items[i].end : items[i + 1].start])
        new_region = "".join(pieces)
    new_text = text[:start] + new_region + text[end:]
    _verify(source, new_text, key, field_, values, kept)
    return new_text


def _verify(source: Source, new_text: str, key: str, field_: Field,
            values: Mapping[int, str | None], kept: list[int]) -> None:
    """Re-parse both texts: only ``key`` may differ, and exactly as intended."""
    try:
        fmt, old_src, old_body, _ = split_front_matter(source.text)
        new_fmt, new_src, new_body, _ = split_front_matter(new_text)
        old = parse_front_matter(fmt, old_src, "<original>")
        new = parse_front_matter(new_fmt, new_src, "<fixed>")
    except PostError as exc:
        raise FixError(f"the fixed front matter would not parse ({exc.message})",
                       field=key) from None
    if new_body != old_body:
        raise FixError("the fix would change the body", field=key)
    original = old.get(key)
    if field_.shape in ("flow", "block"):
        if not isinstance(original, list) or len(original) != len(field_.items):
            raise FixError(f"'{key}' does not read back as the list that was scanned", field=key)
        expected = [values[i] if values.get(i) is not None else original[i] for i in kept]
    elif field_.shape == "scalar":
        expected = values.get(0) or original
    else:
        words = [values[i] if values.get(i) is not None else field_.items[i].value for i in kept]
        expected = None if original is None else _join_words(original, field_, words, kept)
    scanned = [item.value for item in field_.items]
    if field_.shape in ("flow", "block") and [str(v) for v in original] != scanned:
        raise FixError(f"'{key}' reads back differently from what was scanned", field=key)
    if new.get(key) != expected or {k: v for k, v in new.items() if k != key} != {
            k: v for k, v in old.items() if k != key}:
        raise FixError("the fixed front matter would not read back as intended", field=key)


def _join_words(original: str, field_: Field, words: list[str], kept: list[int]) -> str:
    """The string a 'words' field becomes: kept words with their original separators."""
    token = field_.token
    inner = token.start + (0 if token.style == "plain" else 1)
    value = original
    out, items = [], field_.items
    out.append(value[: items[0].start - inner])
    for n, i in enumerate(kept):
        out.append(words[n])
        if n + 1 < len(kept):
            out.append(value[items[i].end - inner : items[i + 1].start - inner])
    out.append(value[items[-1].end - inner :])
    return "".join(out)
