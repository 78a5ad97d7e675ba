"""Suggestions that follow a blog's taxonomy, so what is suggested is what `check` accepts.

An alias becomes its canonical tag and a retired label its replacement (or nothing);
disallowed and malformed tags, tags named like a category (unless `tag-is-category` is
off), and tags outside a declared canonical list are left out. Categories outside a
declared list are left out too, and a retired category's probability goes to its
replacement. Scores stay the model's.
"""

from __future__ import annotations

from dataclasses import replace

from .corpus.labels import is_malformed_tag, label_key
from .model.series import label_of
from .model.suggest import Scored, Suggestion
from .taxonomy import OFF, Taxonomy


class Rules:
    """What a taxonomy makes of the model's labels."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.aliases = {label_key(a): c for a, c in taxonomy.tag_aliases.items()}
        self.disallowed = {label_key(d) for d in taxonomy.disallowed_tags}
        self.canonical = set(taxonomy.tags)
        # `check` warns of a tag named like a category (a known defect of real blogs), so
        # one is not suggested, though the blog's own labels have many.
        self.category_names = set() if taxonomy.severities.get("tag-is-category") == OFF else {
            label_key(c) for c in (*taxonomy.categories, *taxonomy.deprecated_categories)}
        self._never = self.disallowed | self.category_names  # by key: never suggested
        # A malformed tag the blog's posts taught the model (`技術: LLM`) is one `check`
        # flags; it is not suggested unless the blog turned that rule off.
        self.malformed = taxonomy.severities.get("tag-malformed") != OFF

    def tag(self, tag: str) -> str | None:
        """The tag to suggest for the model's ``tag``, or None to leave it out."""
        t = self.taxonomy
        if tag not in self.canonical and label_key(tag) in self.aliases:
            tag = self.aliases[label_key(tag)]
        elif tag in t.deprecated_tags:
            tag = t.deprecated_tags[tag]
        if not tag or label_key(tag) in self._never or self.malformed and is_malformed_tag(tag):
            return None
        if self.canonical and label_of(tag, self.canonical) not in self.canonical:
            return None
        return tag

    def category(self, category: str) -> str | None:
        t = self.taxonomy
        category = t.deprecated_categories.get(category, category)
        return None if t.categories and category not in t.categories else category


def _tags(scored: list[Scored], rules: Rules) -> tuple[list[Scored], dict[str, str]]:
    """The tags in their taxonomy form, best first, and old -> new names. Spellings of one
    tag (`OpenAI`, `ｏｐｅｎａｉ`: a `tag-duplicate` to check) are suggested once, the best."""
    best: dict[str, Scored] = {}
    renamed: dict[str, str] = {}
    for s in sorted(scored, key=lambda s: -s.score):
        tag = rules.tag(s.label)
        if tag is not None:
            kept = best.setdefault(label_key(tag), Scored(tag, s.score))
            renamed[s.label] = kept.label
    return list(best.values()), renamed


def conform(suggestion: Suggestion, taxonomy: Taxonomy) -> Suggestion:
    """``suggestion`` with its labels in ``taxonomy``'s terms."""
    rules = Rules(taxonomy)
    merged: dict[str, float] = {}
    for s in suggestion.categories:
        category = rules.category(s.label)
        if category is not None:
            merged[category] = merged.get(category, 0.0) + s.score
    total = sum(merged.values())
    categories = sorted((Scored(c, p / total) for c, p in merged.items()),
                        key=lambda s: -s.score) if total > 0 else []
    tags, renamed = _tags(suggestion.tags, rules)
    candidates, more = _tags(suggestion.tag_candidates, rules)
    renamed.update(more)
    explanations = suggestion.explanations
    if explanations:
        # The category's reasons still hold when the best category is the same one renamed.
        top = categories[0].label if categories else None
        was = suggestion.category.label if suggestion.category else None
        reasons = explanations.get("category", {}).get(was)
        explanations = {
            "category": ({top: reasons} if top and reasons and rules.category(was) == top
                         else {}),
            "tags": {renamed[t]: terms for t, terms in explanations.get("tags", {}).items()
                     if t in renamed},
        }
    return replace(suggestion, category=categories[0] if categories else None,
                   categories=categories, tags=tags, tag_candidates=candidates,
                   explanations=explanations)
