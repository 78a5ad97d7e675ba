"""Hover on a front-matter label: its score for the draft, the words behind it, how many
of the blog's posts use it, and what the taxonomy says of it."""

from __future__ import annotations

from lsprotocol import types

from bunrui.classifier.check.context import TAGS, TaxonomyView
from bunrui.classifier.corpus.labels import label_key

from .documents import View
from .labels import label_at


def hover(view: View, offset: int) -> types.Hover | None:
    """What is known of the label at ``offset``; None off a label."""
    written = label_at(view.text, offset)
    if written is None:
        return None
    label, tags = written.item.value.strip(), written.kind == TAGS
    lines = [f"**{label}** ({'tag' if tags else 'category'})"]
    reading = view.reading
    if reading is not None:
        score = (reading.scores.tags if tags else reading.scores.categories).get(label)
        suggested = view.suggestion.tags if tags else view.suggestion.categories[:1]
        lines.append("score for this draft: " + ("not a label the model knows"
                     if score is None else f"{score:.3f}" + (
                         " (suggested)" if label in {s.label for s in suggested} else "")))
        words = reading.terms("tags" if tags else "category", label)
        if words:
            lines.append("words of the draft behind it: " + ", ".join(w.label for w in words))
    card = view.model.card if view.model is not None else None
    if card is not None:
        count = card.labels.get("tags" if tags else "categories", {}).get(label)
        if count is None and tags:
            count = card.rare_tags.get(label)
        lines.append(f"used by {count or 0} of the {card.training.posts} posts the model "
                     "learned from")
    note = _tag_note(view, label) if tags else _category_note(view, label)
    if note:
        lines.append(note)
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n\n".join(lines)),
                       view.positions.range(written.item.start, written.item.end))


def _tag_note(view: View, tag: str) -> str | None:
    t, taxonomy = TaxonomyView(view.taxonomy, {}), view.taxonomy
    target = t.alias_target(tag, label_key(tag))
    if target is not None:
        return f"taxonomy: an alias of **{target}**"
    if tag in taxonomy.deprecated_tags:
        new = taxonomy.deprecated_tags[tag]
        return f"taxonomy: retired in favour of **{new}**" if new else "taxonomy: retired"
    if label_key(tag) in t.rules.disallowed:
        return "taxonomy: a disallowed tag"
    if t.tags:
        return "taxonomy: a canonical tag" if tag in t.tags else "taxonomy: not a canonical tag"
    return None


def _category_note(view: View, category: str) -> str | None:
    taxonomy = view.taxonomy
    if category in taxonomy.deprecated_categories:
        return f"taxonomy: retired in favour of **{taxonomy.deprecated_categories[category]}**"
    if taxonomy.categories:
        return ("taxonomy: one of the blog's categories" if category in taxonomy.categories
                else "taxonomy: not one of the blog's categories")
    return None
