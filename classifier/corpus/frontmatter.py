"""Where front-matter labels stand in a post's source, and rewriting them in place.

To point a finding at the line of a tag and to fix a label without touching anything else
(comments, quoting, key order, line endings), labels are located through parsers that keep
positions: PyYAML's composer (every node has its offsets and its style) and tomlkit (which
writes a document back exactly). Labels are understood in the shapes blogs use: YAML flow
lists (``tags: [a, "b"]``), block lists (``- a`` lines), a plain or quoted string
(``category: a``, Jekyll's space-separated ``tags: a b`` or ``tags: a, b``), TOML arrays and
strings.
Anything else (anchors and aliases, multi-line strings, nested values, Hugo's JSON front
matter, the field lines of Pelican and Nikola) is reported as not understood, never guessed
at.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import tomlkit
import yaml
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, String

from ..errors import FixError, PostError
from .labels import string_labels
from .posts import compose_yaml, load_yaml, parse_front_matter, split_front_matter

_NEWLINE = re.compile(r"\r\n|\r|\n")
# Scalar styles as PyYAML's composers give them (libyaml's says "" for plain, Python's None);
# block scalars (| and >) are not among them.
_YAML_STYLES = {None: "plain", "": "plain", "'": "single", '"': "double"}
# The formats whose labels are located and rewritten.
REWRITTEN = ("yaml", "toml")
# Stands in for each TOML string while they are being placed (see _toml_starts).
_MARK = "\ue000"


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
    # For "block": (start, end) of each item's whole line, line ending included.
    item_lines: tuple[tuple[int, int], ...] = ()
    # For "words": the quoted or plain string token the words are part of.
    token: Item | None = None


@dataclass(frozen=True)
class Source:
    """A post's text with its front-matter block located: ``text[start:end]`` is the block."""

    text: str
    format: str  # "yaml", "toml", "json" or "metadata"
    start: int
    end: int


def locate_front_matter(text: str) -> Source | None:
    """Where the front matter of ``text`` is; None when there is none or it is unclosed."""
    try:
        fmt, block, body, _ = split_front_matter(text)
    except PostError:
        return None
    if fmt is None:
        return None
    fences_end = len(text) - len(body)
    bom = len(text) - len(text.removeprefix("\ufeff"))
    # JSON and field lines have no fence line: what they hold is the block.
    start = bom if fmt in ("json", "metadata") else bom + len(
        text[bom:fences_end].splitlines(keepends=True)[0])
    return Source(text, fmt, start, start + len(block))


class _Unsupported(Exception):
    """A label field written in a shape that is not rewritten; the message says which."""


def locate_field(source: Source, key: str) -> Field | None:
    """The labels of top-level field ``key`` as written; None if absent or not understood."""
    try:
        return _locate(source, key)
    except _Unsupported:
        return None


def why_not_located(source: Source, key: str) -> str:
    """Why ``locate_field`` gave up on ``key``, for a message."""
    try:
        found = _locate(source, key)
    except _Unsupported as exc:
        return f"'{key}' is written in a shape bunrui does not rewrite ({exc})"
    return "" if found else f"'{key}' is missing, repeated, or not a top-level key"


def _locate(source: Source, key: str) -> Field | None:
    # An offset's line is how many line starts (the text's own included) it is past.
    line_starts = [0] + [m.end() for m in _NEWLINE.finditer(source.text, 0, source.end)]
    line_of = functools.partial(bisect.bisect_right, line_starts)
    if source.format == "yaml":
        return _yaml_field(source, key, line_of)
    if source.format not in REWRITTEN:
        raise _Unsupported("JSON front matter" if source.format == "json"
                           else "field lines")
    return _toml_field(source, key, line_of)


def _string_field(source: Source, key: str, token: Item) -> Field:
    """A string field: one label, or labels separated by spaces as Jekyll allows, or by
    commas (``string_labels``; a `category` string is one label)."""
    words = string_labels(token.value, key)
    if len(words) <= 1 and token.value == token.value.strip():
        return Field(key, "scalar", (token,))
    # Word offsets are only known when the token's text is the value itself (no escapes,
    # no doubled quotes).
    inner = token.start + (0 if token.style == "plain" else 1)
    if source.text[inner : inner + len(token.value)] != token.value:
        raise _Unsupported("escapes in a space-separated list of labels")
    items = tuple(Item(word, inner + start, inner + end, "plain", token.line)
                  for word, start, end in words)
    return Field(key, "words", items, token=token)


# --- YAML ------------------------------------------------------------------------------

def _yaml_field(source: Source, key: str, line_of: Callable[[int], int]) -> Field | None:
    try:
        root = compose_yaml(source.text[source.start : source.end])
    except (yaml.YAMLError, RecursionError):
        raise _Unsupported("YAML that does not parse") from None
    if not isinstance(root, yaml.MappingNode):
        return None
    found = [v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == key]
    if len(found) != 1:
        return None
    node, shared = found[0], _shared_nodes(root)
    if isinstance(node, yaml.ScalarNode):
        return _string_field(source, key, _yaml_item(source, node, shared, line_of))
    if not isinstance(node, yaml.SequenceNode):
        raise _Unsupported("a mapping, not labels")
    _span(source, node, shared)
    items = tuple(_yaml_item(source, n, shared, line_of) for n in node.value)
    if node.flow_style:
        return Field(key, "flow", items)
    return Field(key, "block", items, item_lines=tuple(_whole_line(source, i) for i in items))


def _yaml_item(source: Source, node: yaml.Node, shared: set[int],
               line_of: Callable[[int], int]) -> Item:
    if not isinstance(node, yaml.ScalarNode):
        raise _Unsupported("a nested value")
    style = _YAML_STYLES.get(node.style)
    if style is None:
        raise _Unsupported("a multi-line string")
    start, end = _span(source, node, shared)
    if node.start_mark.line != node.end_mark.line:
        raise _Unsupported("a label spread over lines")
    if start == end:
        raise _Unsupported("an empty value")
    return Item(node.value, start, end, style, line_of(start))


def _span(source: Source, node: yaml.Node, shared: set[int]) -> tuple[int, int]:
    """Where ``node`` is written, when that text is its own and only its own."""
    if id(node) in shared:
        raise _Unsupported("an alias, or a value an alias repeats")
    start = source.start + node.start_mark.index
    if source.text.startswith(("&", "!"), start):  # no value starts so: an anchor or a tag
        raise _Unsupported("an anchor or a tag")
    return start, source.start + node.end_mark.index


def _shared_nodes(root: yaml.Node) -> set[int]:
    """The ids of the nodes reached more than once: an alias is the very node it names.
    Each node's children are walked once, so an alias bomb costs only its text's size."""
    seen, shared, stack = set(), set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack += node.value
        elif isinstance(node, yaml.MappingNode):
            stack += [n for pair in node.value for n in pair]
    return shared


def _whole_line(source: Source, item: Item) -> tuple[int, int]:
    """(start, end) of the line ``item`` stands on, line ending included."""
    text = source.text
    start = max(text.rfind("\n", 0, item.start), text.rfind("\r", 0, item.start)) + 1
    newline = _NEWLINE.search(text, item.end, source.end)
    return start, newline.end() if newline else source.end


# --- TOML ------------------------------------------------------------------------------

def _toml_field(source: Source, key: str, line_of: Callable[[int], int]) -> Field | None:
    try:
        doc = tomlkit.parse(source.text[source.start : source.end])
    except (TOMLKitError, RecursionError):
        raise _Unsupported("TOML that does not parse") from None
    value = doc.get(key)  # top-level only: keys under a [table] are not the post's labels
    if value is None:
        return None
    strings = list(value) if isinstance(value, Array) else [value]
    if not all(isinstance(s, String) for s in strings):
        raise _Unsupported("a TOML value that is not a string")
    raws = [s.as_string() for s in strings]
    if any(raw.startswith(("'''", '"""')) for raw in raws):
        raise _Unsupported("multi-line TOML strings")
    starts = _toml_starts(source, doc, key, raws)
    items = tuple(Item(s.unwrap(), start, start + len(raw),
                       "single" if raw[0] == "'" else "double", line_of(start))
                  for s, raw, start in zip(strings, raws, starts, strict=True))
    if isinstance(value, Array):
        return Field(key, "flow", items)
    return _string_field(source, key, items[0])


def _toml_starts(source: Source, doc: tomlkit.TOMLDocument, key: str,
                 raws: list[str]) -> list[int]:
    """Where each string of field ``key`` (written ``raws``) starts in the source.

    tomlkit writes a document back exactly but keeps no positions: written back with each
    of these strings swapped for a marker, the text between markers is the text between
    the strings. ``doc`` is changed.
    """
    value = doc[key]
    if isinstance(value, Array):
        for i in range(len(value)):
            value[i] = tomlkit.string(_MARK)
    else:
        doc[key] = tomlkit.string(_MARK)
    gaps = doc.as_string().split(tomlkit.string(_MARK).as_string())
    if len(gaps) != len(raws) + 1:  # the marker was in the text already
        raise _Unsupported("a TOML string that cannot be placed")
    starts, position = [], source.start
    for gap, raw in zip(gaps[:-1], raws, strict=True):
        starts.append(position + len(gap))
        position = starts[-1] + len(raw)
    if any(not source.text.startswith(raw, start)  # the rest was not written back as it was
           for raw, start in zip(raws, starts, strict=True)):
        raise _Unsupported("a TOML string that cannot be placed")
    return starts


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
    if any(i < 0 or i >= len(field_.items) for i in values):
        raise FixError(f"'{key}' does not have the items the fix refers to", field=key)
    kept = [i for i in range(len(field_.items)) if values.get(i, "") is not None]
    if not kept:
        raise FixError(f"the fix would leave '{key}' empty", field=key)
    tokens = {i: _token(source, field_, i, values.get(i)) for i in kept}
    splice = _block_splice if field_.shape == "block" else _inline_splice
    start, end, region = splice(source.text, field_, tokens)
    new_text = source.text[:start] + region + source.text[end:]
    _verify(source, new_text, key, field_, values, kept)
    return new_text


def _token(source: Source, field_: Field, i: int, new: str | None) -> str:
    """How item ``i`` is written once its value is ``new`` (``None``: unchanged)."""
    item = field_.items[i]
    if new is None or new == item.value:
        return source.text[item.start : item.end]
    if field_.shape != "words":
        return render(new, item.style, source.format, flow=field_.shape == "flow")
    style = field_.token.style
    if [label for label, _, _ in string_labels(new, field_.key)] != [new] or (
            style == "plain" and not _plain_ok(new, False)) or (
            style == "double" and ('"' in new or "\\" in new)) or (
            style == "single" and "'" in new):
        raise FixError(f"'{new}' cannot be written into a list in one string",
                       field=field_.key)
    return new


def _block_splice(text: str, field_: Field, tokens: Mapping[int, str]) -> tuple[int, int, str]:
    """(start, end, new text) of a block list's lines: a removed item loses its line."""
    pieces, position = [], field_.item_lines[0][0]
    start = position
    for i, (line_start, line_end) in enumerate(field_.item_lines):
        pieces.append(text[position:line_start])
        if i in tokens:
            item = field_.items[i]
            pieces.append(text[line_start : item.start] + tokens[i] + text[item.end : line_end])
        position = line_end
    return start, position, "".join(pieces)


def _inline_splice(text: str, field_: Field, tokens: Mapping[int, str]) -> tuple[int, int, str]:
    """(start, end, new text) from the first item to the last: each kept item keeps the
    separator that followed it, and the last kept one is followed by what followed the last
    item."""
    items, kept = field_.items, list(tokens)
    pieces = []
    for n, i in enumerate(kept):
        pieces.append(tokens[i])
        if n + 1 < len(kept):
            pieces.append(text[items[i].end : items[i + 1].start])
    return items[0].start, items[-1].end, "".join(pieces)


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
        if isinstance(expected, str) and [
                w for w, _, _ in string_labels(expected, key)] != words:
            raise FixError(f"'{key}' would not split into the intended labels", field=key)
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
