"""Where a blog's taxonomy comes from: its ``bunrui.toml``, its Jekyll config, a model card."""

from __future__ import annotations

import os
from dataclasses import replace

import yaml

from ..corpus.posts import load_yaml
from ..errors import TaxonomyError
from ..model.card import ModelCard
from .model import OFF, Taxonomy
from .schema import TAXONOMY_FILE, read_taxonomy

JEKYLL_CONFIG = "_config.yml"
# Markers of a site root: the upward search for a taxonomy stops at the first of these.
_ROOT_MARKERS = (".git", TAXONOMY_FILE, JEKYLL_CONFIG, "hugo.toml", "config.toml")


def read_jekyll_categories(path: str | os.PathLike) -> tuple[str, ...]:
    """The ``content_categories[].name`` of a Jekyll ``_config.yml``; () if it has none."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = load_yaml(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TaxonomyError(f"cannot read the site configuration: {exc}", path=path) from None
    entries = data.get("content_categories") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return ()
    names = [str(e["name"]) for e in entries if isinstance(e, dict) and e.get("name")]
    return tuple(dict.fromkeys(names))


def find_site_file(start: str | os.PathLike, name: str) -> str | None:
    """``name`` in ``start`` (a folder or a file's folder) or the nearest folder above it.

    The search stops at the first folder that looks like a site or repository root.
    """
    folder = os.path.abspath(os.fspath(start))
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
        if any(os.path.exists(os.path.join(folder, m)) for m in _ROOT_MARKERS):
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def site_root(start: str | os.PathLike) -> str:
    """The site or repository root holding ``start`` (a folder or a file's folder): the
    nearest folder at or above it that looks like one, else ``start``'s own folder."""
    first = folder = os.path.abspath(os.fspath(start))
    if not os.path.isdir(folder):
        first = folder = os.path.dirname(folder)
    while not any(os.path.exists(os.path.join(folder, m)) for m in _ROOT_MARKERS):
        parent = os.path.dirname(folder)
        if parent == folder:
            return first
        folder = parent
    return folder


def taxonomy_from_card(card: ModelCard) -> Taxonomy:
    """What a model card tells of the taxonomy: its categories, the tags it saw, the most
    categories and tags a post gets."""
    labels = card.labels
    categories = tuple(labels.get("categories") or ())
    known = tuple(dict.fromkeys([*(labels.get("tags") or ()), *card.rare_tags]))
    max_tags = card.max_tags
    # The blog's conventions, learned in training (model/conventions.py).
    learned = card.conventions
    # Where categories are tags, a new one is a new tag (`tag-new`), not an error, and
    # too many is `tags-too-many`.
    off = [rule for rule, key in (("tag-is-category", "tag_is_category"),
                                  ("category-missing", "category_optional"),
                                  ("category-unknown", "categories_as_tags"),
                                  ("category-multiple", "categories_as_tags"))
           if learned.get(key) is True]
    most = learned.get("max_categories")
    return Taxonomy(categories=categories, known_tags=known,
                    categories_as_tags=learned.get("categories_as_tags") is True,
                    max_categories=most if isinstance(most, int) and most > 0 else 1,
                    max_tags=max_tags if isinstance(max_tags, int) and max_tags > 0 else None,
                    min_tags=0 if learned.get("tags_optional") is True else 1,
                    severities=dict.fromkeys(off, OFF), sources=("model card labels",))


def resolve_taxonomy(explicit: str | None = None, start: str | None = None,
                     card: ModelCard | None = None) -> Taxonomy:
    """The taxonomy for posts under ``start``.

    A taxonomy file (``explicit``, else ``bunrui.toml`` found from ``start``) comes first;
    what it leaves out is filled from the Jekyll ``_config.yml`` (categories) and then
    from the model card (categories, tags seen in training, the most categories and tags
    per post).
    """
    path = explicit
    if path is None and start is not None:
        path = find_site_file(start, TAXONOMY_FILE)
    base = read_taxonomy(path) if path else Taxonomy()
    updates: dict = {}
    sources = list(base.sources)
    if not base.categories and start is not None:
        config = find_site_file(start, JEKYLL_CONFIG)
        names = read_jekyll_categories(config) if config else ()
        if names:
            updates["categories"] = names
            sources.append(f"categories from {config}")
    from_card = taxonomy_from_card(card) if card else None
    if from_card is not None:
        if not base.categories and "categories" not in updates and from_card.categories:
            updates["categories"] = from_card.categories
            sources.append("categories from the model card")
        updates["known_tags"] = from_card.known_tags
        if "tags.max_per_post" not in base.declared:
            updates["max_tags"] = from_card.max_tags
        if "tags.min_per_post" not in base.declared:
            updates["min_tags"] = from_card.min_tags
        if "categories.max_per_post" not in base.declared:
            updates["max_categories"] = from_card.max_categories
        updates["categories_as_tags"] = from_card.categories_as_tags
        # What the file sets of the rules wins over what the blog's posts showed.
        updates["severities"] = {**from_card.severities, **base.severities}
    updates["sources"] = tuple(sources)
    return replace(base, **updates)
