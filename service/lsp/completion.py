"""Completion in a label field: the model's suggestions for the draft as it stands, then the
rest of the blog's vocabulary, each in the taxonomy's terms as `bunrui suggest` gives them."""

from __future__ import annotations

import functools

from lsprotocol import types

from bunrui.classifier.check.context import TAGS
from bunrui.classifier.conform import Rules
from bunrui.classifier.corpus.frontmatter import render
from bunrui.classifier.corpus.labels import label_key
from bunrui.classifier.model.series import render as in_year

from .documents import View
from .labels import Slot, slot_at, written_labels

# Items sent at once: the list is marked incomplete and filtered here, so whatever is typed
# narrows it and every known label is reached, while a reply stays small.
MAX_ITEMS = 200
# Items sent with their documentation; the others' comes when the editor resolves them.
DOCUMENTED = 20


def ranked(view: View, kind: str) -> list[tuple[str, float | None, bool]]:
    """(label, score, suggested) for a field of ``kind``, best first: the suggestion, the
    model's other candidates, then the vocabulary (taxonomy, model card) by score."""
    suggestion, taxonomy = view.suggestion, view.taxonomy
    scores = {}
    if view.reading is not None:
        scores = view.reading.scores.tags if kind == TAGS else view.reading.scores.categories
    out: dict[str, tuple[str, float | None, bool]] = {}
    if suggestion is not None:
        first = suggestion.tags if kind == TAGS else suggestion.categories[:1]
        rest = suggestion.tag_candidates if kind == TAGS else suggestion.categories
        for scored in first:
            out.setdefault(label_key(scored.label), (scored.label, scored.score, True))
        for scored in rest:
            out.setdefault(label_key(scored.label), (scored.label, scored.score, False))
    date = view.post.date if view.post else None
    if kind == TAGS:
        rules = Rules(taxonomy)
        known = [rules.tag(in_year(t, date)) for t in (*taxonomy.tags, *taxonomy.known_tags)]
    else:
        known = [taxonomy.deprecated_categories.get(c, c) for c in taxonomy.categories]
    vocabulary = sorted({t for t in known if t}, key=lambda t: (-scores.get(t, 0.0), t))
    for label in vocabulary:
        out.setdefault(label_key(label), (label, scores.get(label), False))
    return list(out.values())


@functools.lru_cache(maxsize=4096)
def _written(label: str, style: str, fmt: str, flow: bool) -> str:
    # Rendering checks that a plain label reads back as itself (a YAML parse): worth keeping.
    return render(label, style, fmt, flow=flow)


def complete(view: View, offset: int) -> types.CompletionList | None:
    """The completion items at ``offset``; None outside a label field."""
    slot = slot_at(view.text, offset, view.positions)
    if slot is None:
        return None
    present = {label_key(w.item.value) for w in written_labels(view.text)
               if w.kind == slot.kind and not w.item.start <= offset <= w.item.end}
    typed = label_key(slot.typed)
    # On a blog whose categories are its tags, its categories are completed as tags are.
    kind = TAGS if view.taxonomy.categories_as_tags else slot.kind
    items = []
    for label, score, suggested in ranked(view, kind):
        key = label_key(label)
        if key in present or not key.startswith(typed):
            continue
        items.append(_item(view, slot, kind, offset, label, score, suggested, len(items)))
        if len(items) == MAX_ITEMS:
            break
    return types.CompletionList(is_incomplete=True, items=items)


def _item(view: View, slot: Slot, kind: str, offset: int, label: str, score: float | None,
          suggested: bool, rank: int) -> types.CompletionItem:
    new_text = (" " if slot.space else "") + _written(label, slot.style, slot.format, slot.flow)
    detail = "" if score is None else f"{score:.3f}"
    return types.CompletionItem(
        label=label,
        kind=types.CompletionItemKind.EnumMember,
        detail=f"{detail} suggested" if suggested else detail or None,
        documentation=documentation(view, kind, label) if rank < DOCUMENTED else None,
        data={"uri": view.uri, "kind": kind},
        sort_text=f"{rank:04d}",
        # What is typed, as typed: the filtering (width and case folded) is done here, and
        # the editor's own would drop `LLM` for `ｌｌｍ`.
        filter_text=view.text[slot.start : offset],
        text_edit=types.TextEdit(view.positions.range(slot.start, slot.end), new_text),
    )


def documentation(view: View, kind: str, label: str) -> types.MarkupContent | None:
    """The words of the draft behind ``label`` and the similar posts, for an item."""
    reading = view.reading
    if reading is None:
        return None
    lines = []
    words = reading.terms("tags" if kind == TAGS else "category", label)
    if words:
        lines.append("words of the draft behind it: " + ", ".join(w.label for w in words))
    similar = reading.suggestion.similar_posts
    if similar:
        lines.append("similar posts: " + "; ".join(
            f"{s.label} ({s.score:.2f})" for s in similar))
    if not lines:
        return None
    return types.MarkupContent(types.MarkupKind.Markdown, "\n\n".join(lines))


def resolve(view: View, item: types.CompletionItem) -> types.CompletionItem:
    """``item`` with its documentation."""
    if item.documentation is None and isinstance(item.data, dict):
        item.documentation = documentation(view, item.data.get("kind"), item.label)
    return item
