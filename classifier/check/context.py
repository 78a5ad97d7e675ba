"""What the rules read: the taxonomy as sets, one post's labels, lines and model scores."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..conform import Rules
from ..corpus.frontmatter import locate_field, locate_front_matter
from ..corpus.labels import label_key
from ..corpus.posts import Post
from ..model.series import YEAR
from ..taxonomy import Taxonomy
from .findings import ModelScores, fmt

CATEGORIES = "categories"
TAGS = "tags"


class TaxonomyView:
    """A taxonomy read once for every post: its labels as sets and keys, its thresholds."""

    def __init__(self, taxonomy: Taxonomy, thresholds: Mapping[str, float]) -> None:
        t = taxonomy
        self.taxonomy = t
        self.thresholds = thresholds
        self.categories = set(t.categories)
        self.category_keys = {label_key(c): c for c in (*t.categories, *t.deprecated_categories)}
        self.tags = set(t.tags)
        self.known = set(t.known_tags)
        self.series = {x for x in (*t.tags, *t.known_tags) if YEAR in x}
        # The same reading of the taxonomy as `suggest` makes (aliases, disallowed by key).
        self.rules = Rules(t)

    def alias_target(self, tag: str, key: str) -> str | None:
        """The canonical tag ``tag`` is an alias of, or None."""
        if tag in self.taxonomy.tag_aliases:
            return self.taxonomy.tag_aliases[tag]
        if key in self.rules.aliases and tag not in self.tags:
            return self.rules.aliases[key]
        return None

    def top_tags(self, scores: ModelScores, n: int) -> str:
        """The model's best ``n`` tags in the taxonomy's terms (what `suggest` would give)."""
        top: dict[str, float] = {}
        for tag, p in sorted(scores.tags.items(), key=lambda kv: -kv[1]):
            tag = self.rules.tag(tag)
            if tag is not None and len(top) < n:
                top.setdefault(tag, p)
        return ", ".join(f"'{t}' ({fmt(p)})" for t, p in top.items())


@dataclass
class Verdicts:
    """Which rules found one thing (a file, a field, a label) wrong, and so which rules are
    superseded on it."""

    found: set[str] = field(default_factory=set)
    ended: set[str] = field(default_factory=set)


@dataclass
class Label:
    """One label of a field as the rules see it, and what the rules found of it.

    ``text`` is the tag without surrounding spaces (a category as written). ``first``:
    the spelling of an earlier tag with the same key (the tag is a duplicate of it).
    """

    index: int
    raw: str
    text: str
    key: str
    first: str | None = None
    verdicts: Verdicts = field(default_factory=Verdicts)


def _tag_labels(tags: list[str]) -> list[Label]:
    out = []
    first: dict[str, str] = {}  # key -> its first spelling
    for i, raw in enumerate(tags):
        text = raw.strip()
        key = label_key(text)
        earlier = first.get(key) if text else None  # an empty tag is malformed, not a duplicate
        if text and earlier is None:
            first[key] = text
        out.append(Label(i, raw, text, key, earlier))
    return out


class PostContext:
    """One post as the rules read it: its labels, their lines, the model's scores."""

    def __init__(self, post: Post, text: str | None, scores: ModelScores | None,
                 view: TaxonomyView) -> None:
        self.post = post
        self.scores = scores
        self.view = view
        self.lines = Lines(post, text)
        # On a blog whose categories are its tags, a post without tags has its categories
        # held to the tag rules too.
        as_tags = view.taxonomy.categories_as_tags and not post.tags
        self.tags = post.categories if as_tags else post.tags
        # Said after a tag rule's message, so "tag" reads right under `Category:`.
        self.tags_aside = "; this blog's categories are its tags" if as_tags else ""
        # The front-matter key of each field: `category`, Zenn's `topics`, …
        self.keys = {CATEGORIES: post.label_key(CATEGORIES),
                     TAGS: post.label_key(CATEGORIES if as_tags else TAGS)}
        self.labels = {
            CATEGORIES: [Label(i, c, c, label_key(c)) for i, c in enumerate(post.categories)],
            TAGS: _tag_labels(self.tags),
        }
        self.verdicts = {CATEGORIES: Verdicts(), TAGS: Verdicts()}  # on each field as a whole

    @functools.cached_property
    def best_category(self) -> str | None:
        """The model's most probable category among the allowed ones, if it has scores."""
        scores = self.scores
        if not (scores and scores.categories):
            return None
        allowed = [c for c in scores.categories
                   if not self.view.categories or c in self.view.categories]
        return max(allowed, key=lambda c: scores.categories[c]) if allowed else None


class Lines:
    """Line numbers of fields and of their items, located in the source only when asked."""

    def __init__(self, post: Post, text: str | None) -> None:
        self.post = post
        self.text = text
        self._source = None
        self._fields: dict[str, object] = {}

    def field(self, key: str) -> int:
        return self.post.field_lines.get(key) or 1

    def item(self, key: str, index: int) -> int:
        line = self.field(key)
        if self.text is None or key not in self.post.field_lines:
            return line
        if key not in self._fields:
            if self._source is None:
                self._source = locate_front_matter(self.text) or False
            self._fields[key] = locate_field(self._source, key) if self._source else None
        located = self._fields[key]
        if located is None or index >= len(located.items):
            return line
        return located.items[index].line
