"""The blog's taxonomy: allowed categories, canonical tags, aliases, limits and rule settings.

A taxonomy comes from, in order: a ``bunrui.toml`` file (named, or found at the site
root), the Jekyll ``_config.yml`` (``content_categories[].name``), or the labels of a
model card. The format of ``bunrui.toml`` is described in ``docs/taxonomy.md``;
``init_taxonomy`` writes a starter file from a corpus.
"""

from .discovery import (
    JEKYLL_CONFIG,
    find_site_file,
    read_jekyll_categories,
    resolve_taxonomy,
    site_root,
    taxonomy_from_card,
)
from .init import init_taxonomy, toml_string
from .model import OFF, SEVERITIES, Taxonomy, label_key
from .schema import TAXONOMY_FILE, TaxonomyFile, parse_taxonomy, read_taxonomy
from .similarity import duplicate_groups, edit_distance, generic_labels, nearest_label

__all__ = [
    "JEKYLL_CONFIG",
    "OFF",
    "SEVERITIES",
    "TAXONOMY_FILE",
    "Taxonomy",
    "TaxonomyFile",
    "duplicate_groups",
    "edit_distance",
    "find_site_file",
    "generic_labels",
    "init_taxonomy",
    "label_key",
    "nearest_label",
    "parse_taxonomy",
    "read_jekyll_categories",
    "read_taxonomy",
    "resolve_taxonomy",
    "site_root",
    "taxonomy_from_card",
    "toml_string",
]
