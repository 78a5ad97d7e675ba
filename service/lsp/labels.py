"""Where a document's labels stand: those written in its front matter (located through
the parsers, as `check --fix` locates them) and the one being typed at the cursor."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bunrui.classifier.corpus.frontmatter import Item, locate_field, locate_front_matter
from bunrui.classifier.corpus.posts import LABEL_FIELDS, TOP_KEY, field_lines

from .positions import Positions

# The front-matter keys that hold labels (Zenn's `topics`, …), and which kind ("categories"
# or "tags", as `check` names them) each holds.
LABEL_KEYS = {key: kind for kind, keys in LABEL_FIELDS.items() for key in keys}
# What is typed of a label on its line: after a list's `[` or `,`, a block item's `-`, or
# the key; an opening quote kept apart.
_TYPED = re.compile(r"(?:^\s*-|^|[\[,])\s*(['\"]?)([^\[\],'\"]*)\Z")
_REST = re.compile(r"[^\[\],'\"]*")


@dataclass(frozen=True)
class Written:
    """A label as written in the front matter: its field, kind and place in the list."""

    key: str
    kind: str
    index: int
    item: Item


def written_labels(text: str) -> list[Written]:
    """Every label of the front matter whose field can be located."""
    source = locate_front_matter(text)
    if source is None:
        return []
    out = []
    for key in field_lines(source.text[source.start:source.end]):
        kind = LABEL_KEYS.get(key.casefold())
        field = locate_field(source, key) if kind else None
        if field is not None:
            out += [Written(key, kind, i, item) for i, item in enumerate(field.items)]
    return out


def label_at(text: str, offset: int) -> Written | None:
    """The written label the cursor at ``offset`` is on."""
    return next((w for w in written_labels(text) if w.item.start <= offset <= w.item.end),
                None)


@dataclass(frozen=True)
class Slot:
    """The label being typed: ``text[start:end]`` is what completing it replaces (quotes
    included), ``typed`` what is typed of it before the cursor."""

    key: str
    kind: str
    start: int
    end: int
    typed: str
    style: str  # "plain", "single" or "double", as frontmatter.render takes it
    flow: bool
    format: str
    space: bool  # the label goes right after the key's `:` and needs a space before it


def slot_at(text: str, offset: int, positions: Positions) -> Slot | None:
    """The label being typed at ``offset``, if the cursor is in a label field's value.

    What is being typed seldom parses (``tags: [Pyt``), so this one place reads lines:
    up from the cursor to the top-level key the value belongs to, then back from the
    cursor to the start of the label.
    """
    source = locate_front_matter(text)
    if source is None or not source.start <= offset <= source.end:
        return None
    line = positions.position(offset).line
    for number in range(line, -1, -1):
        start, end = positions.line_span(number)
        if start < source.start:
            return None
        match = TOP_KEY.match(text[start:end])
        if match:
            break
        if text[start:end].strip() and text[start] not in " \t-#'\"]":
            return None  # another top-level value: not a label field's
    else:
        return None
    key, value_start = match.group(1), start + match.end()
    kind = LABEL_KEYS.get(key.casefold())  # `Tags:` too, as posts are read
    if kind is None or offset < value_start:
        return None
    line_start, line_end = positions.line_span(line)
    begin = value_start if number == line else line_start
    typed = _TYPED.search(text[begin:offset])  # sliced: `^` is the value's or line's start
    if typed is None:
        return None
    quote = typed.group(1)
    rest = _REST.match(text, offset, line_end).group().rstrip()
    end = offset + len(rest)
    if quote and text.startswith(quote, end):
        end += 1
    label_start = begin + typed.start(1)
    before = text[value_start:label_start]
    return Slot(key, kind, label_start, end, typed.group(2),
                {"'": "single", '"': "double"}.get(quote, "plain"),
                before.count("[") > before.count("]"), source.format,
                label_start == value_start and text[label_start - 1] in ":=")
