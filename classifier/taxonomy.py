"""The blog's taxonomy: allowed categories, canonical tags, aliases, limits and rule settings.

A taxonomy comes from, in order: a ``bunrui.toml`` file (named, or found at the site
root), the Jekyll ``_config.yml`` (``content_categories[].name``), or the labels of a
model card. The format of ``bunrui.toml`` is described in ``docs/taxonomy.md``;
``init_taxonomy`` writes a starter file from a corpus.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import yaml

from .errors import TaxonomyError
from .labels import is_malformed_tag, label_key
from .posts import Post, load_yaml

TAXONOMY_FILE = "bunrui.toml"
JEKYLL_CONFIG = "_config.yml"
SEVERITIES = ("error", "warning", "notice")
OFF = "off"
# Markers of a site root: the upward search for a taxonomy stops at the first of these.
_ROOT_MARKERS = (".git", TAXONOMY_FILE, JEKYLL_CONFIG, "hugo.toml", "config.toml")


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
    severities: Mapping[str, str] = field(default_factory=dict)  # rule id -> severity or "off"
    thresholds: Mapping[str, float] = field(default_factory=dict)  # model-rule overrides
    sources: tuple[str, ...] = ()  # where each part came from, for messages

    @property
    def uses_categories(self) -> bool:
        return bool(self.categories)

    def describe(self) -> str:
        """One line naming where this taxonomy was read from."""
        return "; ".join(self.sources) if self.sources else "no taxonomy (built-in limits only)"


# --- reading bunrui.toml ---------------------------------------------------------------

_SECTIONS = {
    "categories": {"allowed", "max_per_post", "deprecated"},
    "tags": {"canonical", "min_per_post", "max_per_post", "aliases", "deprecated", "disallowed"},
    "rules": None,  # any rule id; checked against the rule table by the checker
    "model": None,  # model-rule thresholds; checked by the checker
}


def _strings(value: object, where: str, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"'{where}' must be a list of strings", path=path, field=where)
    return tuple(dict.fromkeys(value))


def _mapping(value: object, where: str, path: str, *, allow_empty: bool = False) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise TaxonomyError(f"'{where}' must be a table of \"label\" = \"label\"", path=path,
                            field=where)
    if not allow_empty and any(not v for v in value.values()):
        raise TaxonomyError(f"'{where}' maps a label to an empty string", path=path, field=where)
    return dict(value)


def _count(value: object, where: str, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TaxonomyError(f"'{where}' must be a whole number of at least 0", path=path,
                            field=where)
    return value


def _resolve_aliases(aliases: dict[str, str], path: str) -> dict[str, str]:
    """Follow alias chains (a -> b -> c becomes a -> c); a cycle is an error."""
    out = {}
    for start in aliases:
        seen, label = [start], aliases[start]
        while label in aliases:
            if label in seen:
                raise TaxonomyError("aliases form a cycle: " + " -> ".join([*seen, label]),
                                    path=path, field="tags.aliases")
            seen.append(label)
            label = aliases[label]
        out[start] = label
    return out


def parse_taxonomy(text: str, path: str = TAXONOMY_FILE) -> Taxonomy:
    """A ``Taxonomy`` from the text of a ``bunrui.toml`` file; ``TaxonomyError`` if malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise TaxonomyError(f"invalid TOML: {exc}", path=path,
                            line=int(match.group(1)) if match else None) from None
    for section, value in data.items():
        if section not in _SECTIONS:
            raise TaxonomyError(f"unknown section [{section}] (known: "
                                f"{', '.join(_SECTIONS)})", path=path)
        if not isinstance(value, dict):
            raise TaxonomyError(f"'{section}' must be a table: [{section}]", path=path)
        known = _SECTIONS[section]
        for key in value:
            if known is not None and key not in known:
                raise TaxonomyError(f"unknown key '{key}' in [{section}] (known: "
                                    f"{', '.join(sorted(known))})", path=path,
                                    field=f"{section}.{key}")
    cats, tags = data.get("categories", {}), data.get("tags", {})
    kwargs: dict = {"sources": (f"taxonomy {path}",)}
    if "allowed" in cats:
        kwargs["categories"] = _strings(cats["allowed"], "categories.allowed", path)
    if "max_per_post" in cats:
        kwargs["max_categories"] = _count(cats["max_per_post"], "categories.max_per_post", path)
    if "deprecated" in cats:
        deprecated = _mapping(cats["deprecated"], "categories.deprecated", path)
        allowed = kwargs.get("categories", ())
        for old, new in deprecated.items():
            if allowed and new not in allowed:
                raise TaxonomyError(f"deprecated category '{old}' is replaced by '{new}', "
                                    "which is not in categories.allowed", path=path,
                                    field="categories.deprecated")
        kwargs["deprecated_categories"] = deprecated
    if "canonical" in tags:
        kwargs["tags"] = _strings(tags["canonical"], "tags.canonical", path)
    if "min_per_post" in tags:
        kwargs["min_tags"] = _count(tags["min_per_post"], "tags.min_per_post", path)
    if "max_per_post" in tags:
        kwargs["max_tags"] = _count(tags["max_per_post"], "tags.max_per_post", path) or None
    if "aliases" in tags:
        kwargs["tag_aliases"] = _resolve_aliases(
            _mapping(tags["aliases"], "tags.aliases", path), path)
    if "deprecated" in tags:
        kwargs["deprecated_tags"] = _mapping(tags["deprecated"], "tags.deprecated", path,
                                             allow_empty=True)
    if "disallowed" in tags:
        kwargs["disallowed_tags"] = _strings(tags["disallowed"], "tags.disallowed", path)
    if kwargs.get("max_tags") is not None and kwargs["max_tags"] < kwargs.get("min_tags", 1):
        raise TaxonomyError("tags.max_per_post is below tags.min_per_post", path=path,
                            field="tags.max_per_post")
    rules = data.get("rules", {})
    for rule, severity in rules.items():
        if severity not in (*SEVERITIES, OFF):
            raise TaxonomyError(f"rule '{rule}' has severity {severity!r}; use one of "
                                f"{', '.join((*SEVERITIES, OFF))}", path=path,
                                field=f"rules.{rule}")
    kwargs["severities"] = dict(rules)
    model = data.get("model", {})
    for key, value in model.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TaxonomyError(f"model threshold '{key}' must be a number", path=path,
                                field=f"model.{key}")
    kwargs["thresholds"] = {k: float(v) for k, v in model.items()}
    taxonomy = Taxonomy(**kwargs)
    if taxonomy.tags:
        # An alias names a spelling to replace, so it cannot also be canonical; its
        # target joins the canonical list if the editor forgot it.
        canonical = [t for t in taxonomy.tags if t not in taxonomy.tag_aliases]
        canonical += [t for t in dict.fromkeys(taxonomy.tag_aliases.values())
                      if t not in canonical]
        canonical += [t for t in dict.fromkeys(taxonomy.deprecated_tags.values())
                      if t and t not in canonical]
        taxonomy = replace(taxonomy, tags=tuple(canonical))
    return taxonomy


def read_taxonomy(path: str | os.PathLike) -> Taxonomy:
    """Read a ``bunrui.toml`` file."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise TaxonomyError(f"cannot read the taxonomy file: {exc.strerror}", path=path) from None
    except UnicodeDecodeError:
        raise TaxonomyError("the taxonomy file is not UTF-8", path=path) from None
    return parse_taxonomy(text, path)


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


def taxonomy_from_card(card: Mapping) -> Taxonomy:
    """What a model card tells of the taxonomy: its categories, the tags it saw, max tags."""
    labels = card.get("labels") or {}
    categories = tuple(labels.get("categories") or ())
    known = tuple(dict.fromkeys([*(labels.get("tags") or ()), *(card.get("rare_tags") or ())]))
    max_tags = card.get("max_tags")
    return Taxonomy(categories=categories, known_tags=known,
                    max_tags=max_tags if isinstance(max_tags, int) and max_tags > 0 else None,
                    sources=("model card labels",))


def resolve_taxonomy(explicit: str | None = None, start: str | None = None,
                     card: Mapping | None = None) -> Taxonomy:
    """The taxonomy for posts under ``start``.

    A taxonomy file (``explicit``, else ``bunrui.toml`` found from ``start``) comes first;
    what it leaves out is filled from the Jekyll ``_config.yml`` (categories) and then
    from the model card (categories, tags seen in training, most tags per post).
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
        if base.max_tags is None and not (path and _declares_max_tags(path)):
            updates["max_tags"] = from_card.max_tags
    updates["sources"] = tuple(sources)
    return replace(base, **updates)


def _declares_max_tags(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return "max_per_post" in tomllib.load(handle).get("tags", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False


# --- taxonomy init ---------------------------------------------------------------------

def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def nearest_label(label: str, candidates: Iterable[str], limit: int = 2) -> str | None:
    """The candidate closest to ``label``: same key, then containment, then edit distance."""
    key = label_key(label)
    if not key:
        return None
    best: tuple[int, str] | None = None
    for candidate in candidates:
        other = label_key(candidate)
        if other == key:
            return candidate
        if len(key) >= 2 and len(other) >= 2 and (key in other or other in key):
            score = 1
        else:
            score = edit_distance(key, other, limit) + 1
            if score > limit + 1 or score - 1 >= max(len(key), len(other)) / 2:
                continue
        if best is None or score < best[0]:
            best = (score, candidate)
    return best[1] if best else None


def _distance_limit(key: str) -> int:
    # Short labels differ in one character all the time (AI倫理/AI人材 are not duplicates),
    # so only labels of 5+ characters count one edit as a probable duplicate.
    return 2 if len(key) >= 10 else 1 if len(key) >= 5 else 0


def generic_labels(counts: Mapping[str, int], min_containers: int = 3) -> dict[str, int]:
    """Labels contained in at least ``min_containers`` other labels (AI, 技術): too generic.

    Returns label -> how many other labels contain it.
    """
    keys = {label: label_key(label) for label in counts}
    out = {}
    for label, key in keys.items():
        if len(key) < 2:
            continue
        n = sum(1 for other, k in keys.items() if other != label and key in k and k != key)
        if n >= min_containers:
            out[label] = n
    return out


def _contains(longer: str, shorter: str) -> bool:
    """``shorter`` occurs in ``longer`` and, where it ends in a Latin letter or digit, not
    inside a longer word ("xAI" is not part of "Vertex AI"; "ROI" is part of "ROI分析")."""
    start = longer.find(shorter)
    while start >= 0:
        end = start + len(shorter)
        before = longer[start - 1] if start else ""
        after = longer[end] if end < len(longer) else ""
        if not ((shorter[0].isascii() and shorter[0].isalnum() and before.isascii()
                 and before.isalnum())
                or (shorter[-1].isascii() and shorter[-1].isalnum() and after.isascii()
                    and after.isalnum())):
            return True
        start = longer.find(shorter, start + 1)
    return False


def _related(a: str, b: str) -> str | None:
    """Why labels ``a`` and ``b`` look like one label spelt twice, or None."""
    ka, kb = label_key(a), label_key(b)
    if ka == kb:
        return "width/case variant"
    sa, sb = (unicodedata.normalize("NFKC", x).casefold().strip() for x in (a, b))
    if min(len(ka), len(kb)) >= 2 and (_contains(sa, sb) or _contains(sb, sa)):
        return "one contains the other"
    limit = _distance_limit(min(ka, kb, key=len))
    if limit and edit_distance(ka, kb, limit) <= limit:
        return "differ by an edit or two"
    return None


def duplicate_groups(counts: Mapping[str, int],
                     exclude: Iterable[str] = ()) -> list[tuple[str, list[tuple[str, str]]]]:
    """Probable duplicates among labels: (canonical, [(variant, why), ...]) groups.

    Width/case variants, one label containing another, and small edit distances. Each
    label is paired with the most used label it is directly related to, if that one is
    used more; chains are not followed, so 生成AI is not grouped with 画像生成 through
    画像生成AI. Labels in ``exclude`` (generic ones) take no part.
    """
    excluded = set(exclude)
    labels = sorted((label for label in counts if label not in excluded),
                    key=lambda label: (-counts[label], label))
    groups: dict[str, list[tuple[str, str]]] = {}
    for i, label in enumerate(labels):
        for other in labels[:i]:  # more used first
            if counts[other] < counts[label] or other == label:
                continue
            why = _related(label, other)
            if why:
                groups.setdefault(other, []).append((label, why))
                break
    return sorted(groups.items(), key=lambda group: (-counts[group[0]], group[0]))


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def init_taxonomy(posts: Sequence[Post], *, categories: Sequence[str] = (),
                  source: str = "", today: dt.date | None = None) -> str:
    """A starter ``bunrui.toml`` for a corpus, as text.

    Every category and tag with its count; tags that look wrong (malformed, equal to a
    category, too generic) and probable duplicates are proposed in comments for an
    editor to confirm. ``categories``: the site's declared categories, if any.
    """
    today = today or dt.date.today()
    cat_counts = Counter(c for p in posts for c in dict.fromkeys(p.categories))
    tag_counts = Counter(t for p in posts for t in dict.fromkeys(p.tags))
    per_post_cats = Counter(len(p.categories) for p in posts if p.categories)
    per_post_tags = sorted(len(p.tags) for p in posts if p.tags)
    declared = list(dict.fromkeys(categories))
    allowed = declared or [c for c, _ in cat_counts.most_common()]
    category_keys = {label_key(c) for c in [*allowed, *cat_counts]}
    generic = generic_labels(tag_counts)
    malformed = {t for t in tag_counts if is_malformed_tag(t)}
    is_category = {t for t in tag_counts if label_key(t) in category_keys}
    suspicious = malformed | is_category | set(generic)
    groups = duplicate_groups({t: n for t, n in tag_counts.items() if t not in suspicious})
    aliased = {variant for _, variants in groups for variant, _ in variants}

    out = [
        "# bunrui taxonomy: the labels this blog allows and how strictly posts are checked.",
        f"# Written by `bunrui taxonomy init` on {today.isoformat()} from {len(posts)} posts"
        + (f" in {source}" if source else "") + ".",
        "# Review it, uncomment what you confirm, and keep it at the site root as bunrui.toml.",
        "# The format is described in docs/taxonomy.md of bunrui.",
        "",
        "[categories]",
    ]
    if declared:
        out.append("# From the site configuration; the number is how many posts use each.")
    else:
        out.append("# The categories the posts use, with how many posts use each.")
    out.append("allowed = [")
    for name in allowed:
        out.append(f"    {toml_string(name)},  # {cat_counts.get(name, 0)}")
    out.append("]")
    most = max(per_post_cats, default=1)
    out.append(f"max_per_post = {1 if most <= 1 else most}")
    unused = [c for c, _ in cat_counts.most_common() if c not in allowed]
    out += ["", "[categories.deprecated]",
            "# Old category = its replacement; `bunrui check --fix` rewrites posts that use it."]
    for name in unused:
        guess = nearest_label(name, allowed)
        out.append(f"# {toml_string(name)} = {toml_string(guess or allowed[0] if allowed else '')}"
                   f"  # used by {cat_counts[name]} posts but not declared")
    out += ["", "[tags]"]
    if per_post_tags:
        p95 = per_post_tags[min(len(per_post_tags) - 1, int(0.95 * len(per_post_tags)))]
        out.append("min_per_post = 1")
        out.append(f"max_per_post = {p95}  # 95% of posts have at most this many "
                   f"(the most: {per_post_tags[-1]})")
    out.append("# Every tag with how many posts use it. Commented-out ones look wrong; "
               "see the notes.")
    out.append("canonical = [")
    for tag, n in sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if tag in malformed:
            out.append(f"    # {toml_string(tag)},  # {n}: malformed")
        elif tag in is_category:
            out.append(f"    # {toml_string(tag)},  # {n}: the name of a category")
        elif tag in generic:
            out.append(f"    # {toml_string(tag)},  # {n}: generic, part of {generic[tag]} "
                       "other tags")
        elif tag in aliased:
            out.append(f"    {toml_string(tag)},  # {n}: probable duplicate, see [tags.aliases]")
        else:
            out.append(f"    {toml_string(tag)},  # {n}")
    out.append("]")
    out.append("# Tags no post may carry (generic filler, category names).")
    out.append("disallowed = [")
    for tag in sorted(suspicious - malformed, key=lambda t: -tag_counts[t]):
        why = "a category name" if tag in is_category else "generic"
        out.append(f"    # {toml_string(tag)},  # {tag_counts[tag]}: {why}")
    out.append("]")
    out += ["", "[tags.aliases]",
            "# Probable duplicates: variant = canonical tag. Uncomment the ones you confirm;",
            "# `bunrui check --fix` then rewrites the variant to the canonical tag."]
    for canonical, variants in groups:
        for variant, why in variants:
            out.append(f"# {toml_string(variant)} = {toml_string(canonical)}  "
                       f"# {tag_counts[variant]} vs {tag_counts[canonical]} posts: {why}")
    out += ["", "[tags.deprecated]",
            "# Retired tag = its replacement (\"\" when it has none)."]
    out += ["", "[rules]",
            "# Severity per rule id: \"error\", \"warning\", \"notice\" or \"off\".",
            "# Run `bunrui check --list-rules` for the rules and their defaults.",
            "# tag-new = \"off\"",
            "", "[model]",
            "# Thresholds of the model-based rules (defaults in docs/taxonomy.md).",
            "# category_ratio = 5.0", ""]
    return "\n".join(out)
