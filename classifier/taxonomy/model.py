"""The parsed taxonomy: what labels a blog allows and how strictly its posts are checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..corpus.labels import label_key

SEVERITIES = ("error", "warning", "notice")
OFF = "off"
__all__ = ["OFF", "SEVERITIES", "Taxonomy", "label_key"]


@dataclass(frozen=True)
class Taxonomy:
    """What labels a blog allows and how strictly its posts are checked.

    Empty ``categories`` means the blog declares none (any category passes the
    vocabulary rule); empty ``tags`` means no canonical tag list is declared, and
    ``known_tags`` (tags seen in training) stands in for it at a lower severity.
    """

    categories: tuple[str, ...] = ()
    max_categories: int = 1
    deprecated_categories: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    known_tags: tuple[str, ...] = ()
    tag_aliases: Mapping[str, str] = field(default_factory=dict)
    deprecated_tags: Mapping[str, str] = field(default_factory=dict)  # "" = remove, no successor
    disallowed_tags: tuple[str, ...] = ()
    min_tags: int = 1
    max_tags: int | None = None
    # The blog's categories are its tags too (a learned convention): the tag rules hold
    # a post's categories when it has no tags.
    categories_as_tags: bool = False
    severities: Mapping[str, str] = field(default_factory=dict)  # rule id -> severity or "off"
    thresholds: Mapping[str, float] = field(default_factory=dict)  # model-rule overrides
    sources: tuple[str, ...] = ()  # where each part came from, for messages
    # The keys a taxonomy file set ("tags.max_per_post"): a fallback fills only the rest,
    # so a declared "no limit" (max_per_post = 0) is not taken for a missing one.
    declared: frozenset[str] = frozenset()

    @property
    def uses_categories(self) -> bool:
        return bool(self.categories)

    def describe(self) -> str:
        """One line naming where this taxonomy was read from."""
        return "; ".join(self.sources) if self.sources else "no taxonomy (built-in limits only)"
